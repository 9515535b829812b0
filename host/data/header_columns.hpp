// Finding a named column in a delimited file's header, shared by the CSV/TSV
// interaction loader and the session-file reader.
#pragma once
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace bitrec::data {

class LineCursor;

// Reads the header: the first non-blank line left in `lines`, split at
// `delimiter` into `header` (views into the text or `unescaped`). Returns its
// line number, or 0 when no non-blank line is left (the caller's "empty
// file" message names the columns it wanted). A malformed quote throws
// InputError "path:line: problem".
long long read_header_row(LineCursor& lines, char delimiter, const std::string& path,
                          std::vector<std::string_view>* header, std::deque<std::string>* unescaped);

// At most kListedColumns names: a "header" that is really a long data row
// (no header line, or the wrong delimiter) would otherwise make a message of
// megabytes (found by tests/data/test_fuzz_loaders.cpp).
constexpr size_t kListedColumns = 10;

// The header's names, quoted and comma-separated, the first kListedColumns
// of them and a count of the rest ("'a', 'b' and 3 more").
std::string list_columns(const std::vector<std::string_view>& header);

// Equal ignoring ASCII case.
bool equal_ignoring_case(std::string_view a, std::string_view b);

// The column named `name`: an exact match, else the one match ignoring ASCII
// case ("User" for the default "user"). Two candidates are an error, never a
// guess. `role` names the column in messages ("user", "session", ...); a
// non-null `flag` ("--session-col", ...) is named as the way to rename it
// when no column matches. Throws InputError "path:line: ...".
int find_column(const std::vector<std::string_view>& header, std::string_view name,
                const char* role, const char* flag, const std::string& path, long long line);

}  // namespace bitrec::data
