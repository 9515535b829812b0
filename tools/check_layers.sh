#!/usr/bin/env bash
# Layers by include direction (docs/training.md "Layers"): every
# `#include "..."` of host/, tools/bitrec/, cuda/ and include/bitrec/ must
# name a header of the including file's own layer or of a lower one, by the
# table in tools/layers.txt. Static libraries resolve a wrong-direction call
# at the final link anyway, so this check is what keeps the layers honest.
# Exit 0 when clean; 1 with one "file:line: ..." per finding.
# Run by ctest (include_layers, label unit); runs alone too:
#   tools/check_layers.sh [REPO_ROOT]
set -uo pipefail
set -f  # the table's patterns are matched, never expanded
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root" || exit 2
table=tools/layers.txt
[ -f "$table" ] || { echo "check_layers: $table not found" >&2; exit 2; }

declare -A rank=()
rule_layer=() rule_pattern=()
while read -r layer rest; do
  case "$layer" in "" | \#*) continue ;; esac
  if [ "$layer" = order ]; then
    r=0
    for name in $rest; do rank[$name]=$r; r=$((r + 1)); done
    continue
  fi
  [ -n "${rank[$layer]+x}" ] || { echo "check_layers: $table: '$layer' is not in the order line" >&2; exit 2; }
  for pattern in $rest; do rule_layer+=("$layer"); rule_pattern+=("$pattern"); done
done < "$table"

declare -A layer_of=()
layer_for() {  # sets $found to the layer of path $1, or "" when no rule matches
  found=${layer_of[$1]-}
  [ -n "${layer_of[$1]+x}" ] && return
  found=""
  local i
  for i in "${!rule_pattern[@]}"; do
    # shellcheck disable=SC2254  # the pattern is meant to match
    case "$1" in ${rule_pattern[$i]}) found=${rule_layer[$i]}; break ;; esac
  done
  layer_of[$1]=$found
}

# a/b/../c → a/c, ./a → a
normalize() {
  local IFS=/ part out=()
  for part in $1; do
    case "$part" in
      "" | .) ;;
      ..) ((${#out[@]})) && unset 'out[${#out[@]}-1]' ;;
      *) out+=("$part") ;;
    esac
  done
  normalized="${out[*]}"
}

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked files and new ones not yet added (not ignored), so a new file
  # is checked before its first commit.
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- host tools/bitrec cuda include/bitrec |
                       grep -E '\.(cpp|hpp|h|cu|cuh)$' | sort -u)
else
  mapfile -t files < <(find host tools/bitrec cuda include/bitrec -type f \
                         \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cu' -o -name '*.cuh' \) | sort)
fi

bad=0
present=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  present+=("$f")
  layer_for "$f"
  if [ -z "$found" ]; then
    echo "$f: in no layer: give it a line in $table"
    bad=1
  fi
done
((${#present[@]})) || { echo "check_layers: no sources found under $root" >&2; exit 2; }

while IFS= read -r hit; do
  f=${hit%%:*}; rest=${hit#*:}; line=${rest%%:*}; text=${rest#*:}
  inc=${text#*\"}; inc=${inc%%\"*}
  layer_for "$f"; from=$found
  [ -n "$from" ] || continue
  # The include path as the compiler finds it: include/, host/, the file's
  # own folder (and cuda/ for the module's files).
  target=""
  for candidate in "include/$inc" "host/$inc" "${f%/*}/$inc" "cuda/$inc"; do
    normalize "$candidate"
    if [ -f "$normalized" ]; then target=$normalized; break; fi
  done
  [ -n "$target" ] || continue  # not one of bitrec's files
  layer_for "$target"; to=$found
  if [ -z "$to" ]; then
    echo "$f:$line: includes $target, which is in no layer of $table"
    bad=1
  elif ((rank[$to] > rank[$from])); then
    echo "$f:$line: $from layer includes $target of the $to layer above it"
    bad=1
  fi
done < <(grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]+"' "${present[@]}")

if ((bad)); then
  echo "check_layers: layers, lowest first: $(sed -n 's/^order *//p' "$table" | tr -s ' ')" >&2
  echo "check_layers: move the shared piece down a layer (or the caller up); $table says which file is where" >&2
  exit 1
fi
echo "check_layers: ${#present[@]} files, every include points to the same layer or one below"
