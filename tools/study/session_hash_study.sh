#!/usr/bin/env bash
# Learned session codes against the sign taken after training
# (docs/sessions.md "Hashed sessions"): for each code length, gru4rec-hash
# (its presets) and gru4rec with one GRU layer of that size, both on the
# same session data; then the real-valued model's post-hoc codes by
# `bitrec eval --mode hamming,hier`. Writes ROOT/<method>-<bits>/ runs and
# ROOT/posthoc-<bits>-<mode>.json; session_hash_table.py makes the table.
#
# Usage: session_hash_study.sh DATA ROOT BITS...
#   env: EPOCHS (default 10), THREADS (default 2), BITREC (default build/bitrec)
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: session_hash_study.sh DATA ROOT BITS..." >&2; exit 2; }
DATA=$1 ROOT=$2
shift 2
EPOCHS=${EPOCHS:-10}
THREADS=${THREADS:-2}
BITREC=${BITREC:-build/bitrec}
mkdir -p "$ROOT"
for bits in "$@"; do
  for method in gru4rec-hash gru4rec; do
    out=$ROOT/$method-$bits
    if [[ -f $out/report.json ]]; then echo "$out: done"; continue; fi
    "$BITREC" train --method "$method" --dim "$bits" --data "$DATA" --epochs "$EPOCHS" --eval-every "$EPOCHS" \
      --threads "$THREADS" --out "$out" 2> "$ROOT/$method-$bits.log"
  done
  for mode in hamming hier; do
    "$BITREC" eval --model "$ROOT/gru4rec-$bits" --mode "$mode" --json --threads "$THREADS" \
      > "$ROOT/posthoc-$bits-$mode.json"
  done
done
