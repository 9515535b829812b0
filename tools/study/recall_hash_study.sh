#!/usr/bin/env bash
# The recall-hash study (docs/recall_hash_study.md): one Gowalla
# run per setting, each varying one knob from the preset, tuned on a
# validation split carved from train (--valid-frac 0.1), never on test.
# Resumable: a setting whose run folder already holds report.json is skipped.
#
#   tools/study/recall_hash_study.sh [DATA_DIR] [OUT_ROOT] [EPOCHS] [THREADS]
#   then: python3 tools/study/plot_study.py OUT_ROOT docs/recall_hash_study.png
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
data="${1:-$here/../shared/datasets/gowalla}"
root="${2:-$here/runs/study}"
epochs="${3:-20}"
threads="${4:-0}"
bitrec="${BITREC:-$here/build/bitrec}"
mkdir -p "$root"

# name | extra options (the preset otherwise: 64 bits, tau-rank 4, tau-cut 50
# after the warm-up, beta 20 const, no BPR term)
settings=(
  "preset|"
  "tau_rank_2|--tau-rank 2"
  "tau_rank_8|--tau-rank 8"
  "tau_cut_10|--tau-cut 10"
  "tau_cut_200|--tau-cut 200"
  "beta_linear_10_40|--beta 10 --beta-end 40 --beta-schedule linear"
  "beta_exp_5_80|--beta 5 --beta-end 80 --beta-schedule exp"
  "bpr_0.01|--bpr-weight 0.01"
  "bpr_0.1|--bpr-weight 0.1"
  "bits_32|--dim 32"
  "bits_128|--dim 128"
  "bits_256|--dim 256"
  "recall_n_20|--recall-n 20"
)
# STUDY_ONLY=a,b,c runs just those settings, in that order.
order=()
if [[ -n "${STUDY_ONLY:-}" ]]; then
  IFS=',' read -r -a wanted <<< "$STUDY_ONLY"
  for name in "${wanted[@]}"; do
    found=""
    for entry in "${settings[@]}"; do [[ "${entry%%|*}" == "$name" ]] && found="$entry"; done
    [[ -n "$found" ]] || { echo "study: unknown setting $name" >&2; exit 2; }
    order+=("$found")
  done
else
  order=("${settings[@]}")
fi
for entry in "${order[@]}"; do
  name="${entry%%|*}"
  extra="${entry#*|}"
  out="$root/$name"
  if [[ -f "$out/report.json" ]]; then
    echo "study: $name done, skipped"
    continue
  fi
  echo "study: $name ($extra)"
  # shellcheck disable=SC2086  # extra holds several options
  "$bitrec" train --data "$data" --method recall-hash --epochs "$epochs" --valid-frac 0.1 \
    --eval-every 5 --threads "$threads" --out "$out" --overwrite $extra 2> "$root/$name.log"
done
