// Splitting one CSV/TSV line into fields.
#pragma once
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace bitrec::data {

// Splits `line` at `delimiter` into `fields`. Blanks around a field are
// trimmed. A field may be quoted as in RFC 4180 ("a,b", "say ""hi"""); a
// quoted field that needed unescaping is stored in `unescaped`, whose
// elements never move, so every view stays valid as long as `line` and
// `unescaped` live. Quoted fields cannot span lines. Returns false and sets
// `problem` on a malformed quote.
bool split_delimited_line(std::string_view line, char delimiter,
                          std::vector<std::string_view>* fields,
                          std::deque<std::string>* unescaped, std::string* problem);

}  // namespace bitrec::data
