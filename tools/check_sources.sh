#!/usr/bin/env bash
# Every comment in the repository must be followable from a clone of it: no
# issue numbers (say what was decided instead), no documents or folders
# outside it. A file NAME.md is cited by its path in the repository
# (docs/methods.md, datasets/README.md; in docs/, relative to docs/) and
# must exist there; compare.md, which `bitrec compare` writes, is the one
# output file of that name. ../shared/datasets/ is the dataset folder that
# datasets/README.md ("Public datasets") describes; nothing else under a
# shared/ folder, nor any absolute /work/ path, may be named (outside
# datasets/README.md, which explains that folder).
# Exit 0 when clean, 1 with one "file:line: reason: text" per finding.
# Run by ctest (source_citations, label unit); runs alone too:
#   tools/check_sources.sh [REPO_ROOT]
set -uo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root" || exit 2
self=tools/check_sources.sh

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp' '*.h' '*.cu' '*.cuh' '*.sh' '*.py' '*.awk' \
                         '*.cmake' 'CMakeLists.txt' '*.md' '.ci/*')
else  # a source tarball: the same files, found
  mapfile -t files < <(find . -path './build*' -prune -o -path './.git' -prune -o -type f \
    \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cu' -o -name '*.cuh' -o -name '*.sh' \
    -o -name '*.py' -o -name '*.awk' -o -name '*.cmake' -o -name CMakeLists.txt -o -name '*.md' \
    -o -path './.ci/*' \) -print | sed 's|^\./||')
fi
present=()
for f in "${files[@]}"; do [ -f "$f" ] && [ "$f" != "$self" ] && present+=("$f"); done
((${#present[@]})) || { echo "check_sources: no source files found under $root" >&2; exit 2; }

# One pass: findings ("file:line: reason: text") and every NAME.md token
# ("MD<TAB>file:line<TAB>dir<TAB>token") for the existence check below.
scan=$(awk '
  FNR == 1 { dir = FILENAME; if (dir ~ /\.md$/ && sub(/\/[^\/]*$/, "", dir)) {} else dir = "." }
  {
    where = FILENAME ":" FNR
    if ($0 ~ /[Ii]ssues? +#?[0-9]/ || $0 ~ /\(#[0-9]+\)/)
      print where ": cites an issue number: " $0
    line = $0
    gsub(/shared\/datasets/, "", line)
    if (FILENAME != "datasets/README.md" && (line ~ /\/work\// || line ~ /(^|[^A-Za-z0-9_])shared\//))
      print where ": names a path outside the repository: " $0
    rest = $0
    while (match(rest, /[A-Za-z0-9_.\/-]*[A-Za-z0-9_]\.md/)) {
      token = substr(rest, RSTART, RLENGTH)
      after = substr(rest, RSTART + RLENGTH, 1)
      rest = substr(rest, RSTART + RLENGTH)
      if (after ~ /[A-Za-z0-9_]/) continue
      print "MD\t" where "\t" dir "\t" token
    }
  }' "${present[@]}")

bad=0
while IFS= read -r record; do
  case "$record" in
    "") ;;
    MD$'\t'*)
      IFS=$'\t' read -r _ where dir token <<<"$record"
      token=${token#./}
      case "$token" in compare.md | /compare.md | */compare.md) continue ;; esac
      [ -f "$token" ] || [ -f "$dir/$token" ] && continue
      echo "$where: cites a document not in the repository: $token"
      bad=1 ;;
    *) echo "$record"; bad=1 ;;
  esac
done <<<"$scan"

if ((bad)); then
  echo "check_sources: cite docs/<file>.md (or another path in the repository), and say what an issue decided rather than its number" >&2
  exit 1
fi
echo "check_sources: ${#present[@]} files, no issue numbers and no documents outside the repository cited"
