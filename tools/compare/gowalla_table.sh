#!/usr/bin/env bash
# Regenerates the committed comparison table (docs/results/gowalla_compare/):
# every hashed preset on Gowalla at 32-256 bits, 20 epochs, best epoch chosen
# on a 10 % validation split, then copies compare.md/.json/.png next to the
# README there. Resumable: `bitrec compare` reuses the finished runs in
# OUT_DIR and resumes a stopped one, so an interrupted call is simply rerun.
#
#   tools/compare/gowalla_table.sh [DATA_DIR] [OUT_DIR]
#   (BITREC=path/to/bitrec picks the binary; default build/bitrec)
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
data="${1:-$here/../shared/datasets/gowalla}"
out="${2:-$here/runs/gowalla-compare}"
bitrec="${BITREC:-$here/build/bitrec}"
dest="$here/docs/results/gowalla_compare"

"$bitrec" compare --data "$data" --methods recall-hash,hash-ste,bgch,hashgnn --bits 32,64,128,256 \
  --valid-frac 0.1 --epochs 20 --eval-every 5 --out "$out"

mkdir -p "$dest"
for f in compare.md compare.json compare.png; do
  if [[ -f "$out/$f" ]]; then
    cp "$out/$f" "$dest/$f"
  else  # e.g. no PNG without matplotlib: drop the old copy rather than leave it beside a new table
    rm -f "$dest/$f"
    echo "gowalla_table: $out/$f was not written; $dest/$f removed" >&2
  fi
done
echo "gowalla_table: copied the table into $dest" >&2
