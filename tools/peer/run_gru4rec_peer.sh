#!/usr/bin/env bash
# Runs the official PyTorch GRU4Rec (hidasib/GRU4Rec_PyTorch_Official, pinned
# commit) on the CPU as a measured peer, on a split written by
# tools/peer/gru4rec_split.py.
#
# Usage: run_gru4rec_peer.sh SPLIT_DIR OUT_DIR [PARAM_STRING]
#
#   SPLIT_DIR     holds train.tsv and test.tsv
#   OUT_DIR       receives peer/ (the peer's code, patched), peer.patch,
#                 log.txt and result.json; must not be inside this repository
#   PARAM_STRING  GRU4Rec's -ps string (default: the cross-entropy setting
#                 below; see docs/gru4rec_peer.md for the BPR-max one)
#
# Environment:
#   PEER_REPO  the peer's git repository: a local git directory (a bare
#              mirror will do) or a URL, cloned bare into OUT_DIR/peer.git
#              (default: https://github.com/hidasib/GRU4Rec_PyTorch_Official.git)
#   THREADS    CPU threads (default 2): sets OMP_NUM_THREADS and
#              MKL_NUM_THREADS; run.py does not set threads itself, so this
#              script checks that torch.get_num_threads() reports THREADS
#   PYTHON     interpreter with torch, pandas and joblib (default: python3 if
#              it imports torch, else /usr/bin/python3, Debian's)
#   NOTE       free text stored as result.json's "note" (e.g. "machine shared
#              with compile jobs")
#
# The peer is extracted from git and patched in OUT_DIR/peer; nothing of it
# enters this repository. The one patch: evaluation.py indexes with an int32
# tensor (oscores[out_idxs]), which PyTorch 1.13 rejects ("tensors used as
# indices must be long, byte or bool tensors"); it becomes out_idxs.long().
set -euo pipefail

COMMIT=d1fc31105577665d2f105de1c8d9a38d223a9a22
DEFAULT_PARAMS='loss=cross-entropy,layers=100,batch_size=64,dropout_p_embed=0.0,dropout_p_hidden=0.0,learning_rate=0.05,momentum=0.0,n_sample=2048,sample_alpha=0.5,constrained_embedding=True,n_epochs=10,logq=0.0'

die() { echo "run_gru4rec_peer.sh: $*" >&2; exit 1; }

[[ $# -eq 2 || $# -eq 3 ]] || die "usage: run_gru4rec_peer.sh SPLIT_DIR OUT_DIR [PARAM_STRING]"
SPLIT_DIR=$(realpath "$1")
OUT_DIR=$2
PARAMS=${3:-$DEFAULT_PARAMS}
PEER_REPO=${PEER_REPO:-https://github.com/hidasib/GRU4Rec_PyTorch_Official.git}
THREADS=${THREADS:-2}
NOTE=${NOTE:-}

for f in train.tsv test.tsv; do
  [[ -f $SPLIT_DIR/$f ]] || die "$SPLIT_DIR/$f not found (write it with tools/peer/gru4rec_split.py)"
done
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || die "THREADS must be a positive integer, got '$THREADS'"

if [[ -z ${PYTHON:-} ]]; then
  if python3 -c 'import torch' 2>/dev/null; then PYTHON=$(command -v python3); else PYTHON=/usr/bin/python3; fi
fi
"$PYTHON" -c 'import torch, pandas, joblib' || die "$PYTHON lacks torch, pandas or joblib"

mkdir -p "$OUT_DIR"
OUT_DIR=$(realpath "$OUT_DIR")
GIT_DIR_PEER=$PEER_REPO
if [[ $PEER_REPO == *://* ]]; then
  GIT_DIR_PEER=$OUT_DIR/peer.git
  [[ -d $GIT_DIR_PEER ]] || git clone --bare --quiet "$PEER_REPO" "$GIT_DIR_PEER"
fi
git -C "$GIT_DIR_PEER" cat-file -e "$COMMIT^{commit}" || die "commit $COMMIT not in $PEER_REPO"
rm -rf "$OUT_DIR/peer"
mkdir "$OUT_DIR/peer"
git -C "$GIT_DIR_PEER" archive "$COMMIT" | tar -x -C "$OUT_DIR/peer"

# The PyTorch 1.13 fix, exactly one occurrence expected.
EVAL=$OUT_DIR/peer/evaluation.py
n=$(grep -c 'oscores\[out_idxs\]' "$EVAL" || true)
[[ $n -eq 1 ]] || die "expected one 'oscores[out_idxs]' in evaluation.py at $COMMIT, found $n: the patch does not apply"
cp "$EVAL" "$OUT_DIR/evaluation.py.orig"
sed -i 's/oscores\[out_idxs\]/oscores[out_idxs.long()]/' "$EVAL"
grep -q 'oscores\[out_idxs\.long()\]' "$EVAL" || die "sed did not patch evaluation.py"
diff -u --label a/evaluation.py --label b/evaluation.py "$OUT_DIR/evaluation.py.orig" "$EVAL" > "$OUT_DIR/peer.patch" && die "patch left evaluation.py unchanged"
rm "$OUT_DIR/evaluation.py.orig"

export OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS
got=$("$PYTHON" -c 'import torch; print(torch.get_num_threads())')
[[ $got -eq $THREADS ]] || die "torch.get_num_threads() is $got under OMP_NUM_THREADS=$THREADS, not $THREADS"

cmd=("$PYTHON" -u "$OUT_DIR/peer/run.py" "$SPLIT_DIR/train.tsv" -t "$SPLIT_DIR/test.tsv"
     -m 1 5 10 20 -e conservative -d cpu -ps "$PARAMS")
echo "threads: $THREADS (torch.get_num_threads() = $got)" | tee "$OUT_DIR/log.txt"
echo "command: ${cmd[*]}" | tee -a "$OUT_DIR/log.txt"
start=$(date +%s.%N)
"${cmd[@]}" 2>&1 | tee -a "$OUT_DIR/log.txt"
end=$(date +%s.%N)

export COMMIT PARAMS THREADS OUT_DIR PEER_REPO NOTE start end
export CMDLINE="${cmd[*]}"
TORCH_PKG=$(dpkg-query -W -f '${Package} ${Version}' python3-torch 2>/dev/null || true)
export TORCH_PKG
"$PYTHON" - <<'EOF'
import datetime, json, os, platform, re
import torch

env = os.environ
log = open(os.path.join(env["OUT_DIR"], "log.txt")).read()

def one(pattern, cast=float):
    m = re.search(pattern, log, re.M)
    if not m:
        raise SystemExit(f"run_gru4rec_peer.sh: no match for {pattern!r} in log.txt")
    return cast(m.group(1))

epochs = re.findall(r"^Epoch(\d+) --> loss: ([0-9.naninf]+) \t\(([0-9.]+)s\)", log, re.M)
metrics = {int(k): (float(r), float(m)) for k, r, _, m in
           re.findall(r"^Recall@(\d+): ([0-9.]+) MRR@(\d+): ([0-9.]+)", log, re.M)}
cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                  if l.startswith("model name")), platform.processor())
result = {
    "peer": "hidasib/GRU4Rec_PyTorch_Official",
    "commit": env["COMMIT"],
    "peer_repo": env["PEER_REPO"],
    "patch": open(os.path.join(env["OUT_DIR"], "peer.patch")).read(),
    "command": env["CMDLINE"],
    "param_string": env["PARAMS"],
    "threads": int(env["THREADS"]),
    "torch_num_threads": torch.get_num_threads(),
    "device": "cpu",
    "epoch_seconds": [float(s) for _, _, s in epochs],
    "epoch_losses": [float(l) for _, l, _ in epochs],
    "total_training_seconds": one(r"^Total training time: ([0-9.]+)s"),
    "evaluation_seconds": one(r"^Evaluation took ([0-9.]+)s"),
    "wall_seconds": round(float(env["end"]) - float(env["start"]), 2),
    "recall": {str(k): v[0] for k, v in sorted(metrics.items())},
    "mrr": {str(k): v[1] for k, v in sorted(metrics.items())},
    "eval_mode": "conservative",
    "torch_version": torch.__version__,
    "torch_package": env.get("TORCH_PKG", ""),
    "python": platform.python_version(),
    "cpu_model": cpu_model,
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "note": env["NOTE"],
}
if sorted(metrics) != [1, 5, 10, 20]:
    raise SystemExit(f"run_gru4rec_peer.sh: metrics for cut-offs {sorted(metrics)}, expected 1 5 10 20")
path = os.path.join(env["OUT_DIR"], "result.json")
with open(path, "w") as f:
    json.dump(result, f, indent=2)
    f.write("\n")
print(f"wrote {path}")
EOF
