// Byte counts for people ("412 MiB") and from them ("512M", --max-memory),
// and the host's available memory (host/io/memory_size.cpp).
#pragma once
#include <cstdint>
#include <string>

namespace bitrec {

// "412 MiB", "3.1 GiB".
std::string format_bytes(int64_t bytes);

// "512M", "8G", "1.5GiB", "1000000" → bytes; throws InputError naming
// --max-memory on anything else.
int64_t parse_memory_size(const std::string& text);

// Available host memory (MemAvailable of /proc/meminfo), or -1 if unknown.
int64_t available_host_memory();

}  // namespace bitrec
