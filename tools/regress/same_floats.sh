#!/usr/bin/env bash
# Same floats: trains every method with two bitrec binaries (before and after
# a refactor) and checks that report.json's metrics and checkpoint.bin's model
# state are bit-identical (tools/regress/compare_checkpoints.py).
#   tools/regress/same_floats.sh OLD_BITREC NEW_BITREC [WORK_DIR]
#   GOWALLA=DIR tools/regress/same_floats.sh ...   # + lightgcn, recall-hash, bgch 2 epochs on Gowalla
#   REUSE_OLD=1 ... WORK_DIR                        # keep the old side's runs already in WORK_DIR
# Exit 0 when every run matches; the differing runs are listed otherwise.
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2")
work=${3:-$(mktemp -d /tmp/same_floats.XXXXXX)}
here=$(cd "$(dirname "$0")" && pwd)
threads=${THREADS:-2}

runs=(
  "lightgcn|--method lightgcn --epochs 3"
  "hash-ste|--method hash-ste --epochs 3"
  "recall-hash|--method recall-hash --epochs 3"
  "recall-hash-valid|--method recall-hash --epochs 3 --valid-frac 0.1"
  "hashgnn|--method hashgnn --epochs 2"
  "bgch|--method bgch --epochs 2"
  "lightgcn-ngcf|--method lightgcn --encoder ngcf --epochs 2"
  "hash-ste-ngcf|--method hash-ste --encoder ngcf --epochs 2"
  "recall-hash-ngcf|--method recall-hash --encoder ngcf --epochs 2"
)
if [ -n "${GOWALLA:-}" ]; then
  for m in lightgcn recall-hash bgch; do
    runs+=("gowalla-$m|--data $(realpath "$GOWALLA") --method $m --epochs 2")
  done
fi

failed=()
for entry in "${runs[@]}"; do
  name=${entry%%|*}; args=${entry#*|}
  for side in old new; do
    bin=$old; [ "$side" = new ] && bin=$new
    mkdir -p "$work/$side"
    # REUSE_OLD=1: the old side's finished runs in WORK_DIR are kept (the
    # reference is trained once, before the refactor).
    if [ "$side" = old ] && [ "${REUSE_OLD:-0}" = 1 ] && [ -f "$work/old/$name/report.json" ]; then continue; fi
    # Same relative --out from each side's folder: the stored config matches.
    (cd "$work/$side" && "$bin" train $args --eval-every 1 --threads "$threads" --seed 7 \
        --out "$name" --overwrite >"$name.log" 2>&1) || { echo "$side $name: failed (see $work/$side/$name.log)"; failed+=("$name"); continue 2; }
  done
  same=1
  python3 "$here/compare_checkpoints.py" "$work/old/$name/checkpoint.bin" "$work/new/$name/checkpoint.bin" >/dev/null || same=0
  for key in metrics best final_loss codes epochs bits; do
    a=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(json.dumps(r.get(sys.argv[2]), sort_keys=True))" "$work/old/$name/report.json" "$key")
    b=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(json.dumps(r.get(sys.argv[2]), sort_keys=True))" "$work/new/$name/report.json" "$key")
    [ "$a" = "$b" ] || { same=0; echo "$name: report.json $key differs"; }
  done
  if ((same)); then echo "same: $name"; else echo "DIFFER: $name"; failed+=("$name"); fi
done
if ((${#failed[@]})); then echo "same_floats: ${#failed[@]} of ${#runs[@]} runs differ: ${failed[*]}"; exit 1; fi
echo "same_floats: all ${#runs[@]} runs identical (old $old, new $new; runs in $work)"
