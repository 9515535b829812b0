#!/usr/bin/env bash
# The warm-start study of recall-hash (docs/recall_hash_study.md "Warm
# start"): a lightgcn teacher per code length, then recall-hash from scratch
# and warm-started (--init-from, the table rescaled to --init-std), under the
# validation protocol (--valid-frac 0.1: choices on validation, test read
# once per evaluation) and, with PROTOCOL=paper, the papers' (whole train
# split, test every 5 epochs, best test epoch, ndcg_hit over the top 1000).
# Resumable: a run whose folder holds report.json is skipped.
#
#   tools/study/warm_start_study.sh [DATA_DIR] [OUT_ROOT] [BITS...]
#   then: python3 tools/study/warm_start_table.py OUT_ROOT [--plot docs/warm_start_study.png]
#
# Environment: TEACHER_EPOCHS (40), TEACHER_LR (5e-3), EPOCHS (20, of
# recall-hash), PROTOCOL (validation|paper), STUDY_ONLY (comma-separated run
# names: teacher, scratch, warm, warm_lr5e-3, warm_nsched, warm_distill,
# two_phase), DISTILL_TOP (10: teacher items per user), THREADS (0 = all
# cores), BITREC (the binary).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
data="${1:-$here/../shared/datasets/gowalla}"
root="${2:-$here/runs/warm-start}"
shift $(( $# > 2 ? 2 : $# )) || true
bits_list=("$@")
[[ ${#bits_list[@]} -gt 0 ]] || bits_list=(64)
teacher_epochs="${TEACHER_EPOCHS:-40}"
teacher_lr="${TEACHER_LR:-5e-3}"
epochs="${EPOCHS:-20}"
protocol="${PROTOCOL:-validation}"
threads="${THREADS:-0}"
distill_top="${DISTILL_TOP:-10}"
bitrec="${BITREC:-$here/build/bitrec}"
mkdir -p "$root"

if [[ "$protocol" == paper ]]; then
  split=(--protocol paper)
else
  split=(--valid-frac 0.1 --eval-every 5)
fi

wanted() {  # wanted NAME: whether STUDY_ONLY (if set) lists NAME
  [[ -z "${STUDY_ONLY:-}" ]] && return 0
  [[ ",$STUDY_ONLY," == *",$1,"* ]]
}

train() {  # train NAME OPTIONS...: one run into $root/NAME, its log beside it
  local name="$1"
  shift
  if [[ -f "$root/$name/report.json" ]]; then
    echo "study: $name done, skipped"
    return
  fi
  echo "study: $name ($*)"
  "$bitrec" train --data "$data" --threads "$threads" "${split[@]}" --out "$root/$name" --overwrite "$@" \
    2> "$root/$name.log"
}

for bits in "${bits_list[@]}"; do
  tag="${protocol}-${bits}b"
  teacher="teacher-lightgcn-d${bits}-${protocol}"
  if wanted teacher || wanted warm || wanted warm_lr5e-3 || wanted warm_nsched || wanted warm_distill; then
    train "$teacher" --method lightgcn --dim "$bits" --lr "$teacher_lr" --epochs "$teacher_epochs"
  fi
  if wanted scratch; then
    train "scratch-$tag" --method recall-hash --dim "$bits" --epochs "$epochs"
  fi
  if wanted warm; then
    train "warm-$tag" --method recall-hash --dim "$bits" --epochs "$epochs" --init-from "$root/$teacher"
  fi
  if wanted warm_lr5e-3; then
    train "warm_lr5e-3-$tag" --method recall-hash --dim "$bits" --epochs "$epochs" --lr 5e-3 \
      --init-from "$root/$teacher"
  fi
  # An N schedule: the smoothed Recall@N from N = 100 down to 20, so the
  # loss ends on the top of the list (docs/recall_hash_study.md).
  if wanted warm_nsched; then
    train "warm_nsched-$tag" --method recall-hash --dim "$bits" --epochs "$epochs" --recall-n 100 \
      --recall-n-end 20 --init-from "$root/$teacher"
  fi
  # Distillation: warm-started as above, and the d 128 teacher's top
  # DISTILL_TOP non-train items per user join the loss's positives
  # (docs/training.md "Distillation"; the teacher is trained here when absent).
  if wanted warm_distill; then
    big="teacher-lightgcn-d128-${protocol}"
    train "$big" --method lightgcn --dim 128 --lr "$teacher_lr" --epochs "$teacher_epochs"
    train "warm_distill${distill_top}-$tag" --method recall-hash --dim "$bits" --epochs "$epochs" \
      --init-from "$root/$teacher" --distill-from "$root/$big" --distill-top "$distill_top"
  fi
  # The one-command form: --warmup-epochs of BPR, then recall-hash.
  if wanted two_phase; then
    train "two_phase-$tag" --method recall-hash --dim "$bits" --epochs $((teacher_epochs + epochs)) \
      --warmup-epochs "$teacher_epochs" --lr "$teacher_lr" --lr-after-warmup 1e-3
  fi
done
