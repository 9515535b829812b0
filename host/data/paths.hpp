// What a --data path says by its name: its extension, the dataset name a
// directory gives.
#pragma once
#include <string>

namespace bitrec::data {

// The extension of `path` in lower case, with its dot (".tsv"); "" if none.
std::string lowercase_extension(const std::string& path);

// The dataset name a directory gives: "data/gowalla/" names "gowalla"; "."
// names the current directory; "data" when nothing better is found.
std::string directory_name(const std::string& dir);

}  // namespace bitrec::data
