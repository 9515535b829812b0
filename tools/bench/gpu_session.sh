#!/usr/bin/env bash
# The GPU measurements (BENCHMARKS.md, and the GPU row of
# docs/recall_hash_study.md) from a lent GPU machine, in stages
# that each fit one device call (10 minutes). Run from the repository root
# on the device machine, after `sh .deps/install.sh` (CLI11 + GoogleTest
# Debian packages and their installer, carried into .deps/ beforehand):
#
#   sh .deps/install.sh && tools/bench/gpu_session.sh build test
#   sh .deps/install.sh && tools/bench/gpu_session.sh build bench peers
#   sh .deps/install.sh && tools/bench/gpu_session.sh build accuracy
#
# Stages: build (Release, sm_90, into build-gpu/), test (whole ctest, then
# the CUDA tests under compute-sanitizer memcheck and racecheck), bench
# (`bitrec bench` on CUDA with both SpMM paths, and on the CPU for the
# ratio), peers (PyG's LightGCN on edge_index and sparse, the
# LightGCN-PyTorch loop, FAISS on the benchmark's codes), accuracy (lightgcn
# 1000 epochs on Gowalla; recall-hash at 128 bits). Logs and JSON go to
# $OUT (or gpu-session/ when unset); the last lines of each stage are a
# summary, so the device tool's output tail carries the figures.
set -uo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-gpu-session}"
mkdir -p "$out"
data="${GOWALLA:-../shared/datasets/gowalla}"
[[ -f "$data/train.txt" ]] || data="shared/datasets/gowalla"
build=build-gpu
bitrec="$build/bitrec"

stage_build() {
  nvidia-smi --query-gpu=name,memory.total,clocks.max.sm,power.limit --format=csv > "$out/gpu.csv" 2>&1
  nvidia-smi > "$out/nvidia-smi.txt" 2>&1
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 \
    -DCMAKE_PREFIX_PATH=/opt/deps/usr -DGTEST_ROOT=/opt/deps/usr > "$out/cmake.log" 2>&1 &&
    ninja -C "$build" > "$out/build.log" 2>&1
  local rc=$?
  tail -3 "$out/build.log"
  echo "build: rc $rc; $(head -2 "$out/gpu.csv" | tail -1)"
  return $rc
}

stage_test() {
  ctest --test-dir "$build" --output-on-failure -j 8 > "$out/ctest.log" 2>&1
  local rc=$?
  "$build/bitrec_cuda_tests" --gtest_brief=1 > "$out/cuda_tests.log" 2>&1
  local sanitizer=compute-sanitizer
  command -v "$sanitizer" > /dev/null || sanitizer=/usr/local/cuda/bin/compute-sanitizer
  for tool in memcheck racecheck synccheck; do
    timeout 240 "$sanitizer" --tool "$tool" --error-exitcode 3 "$build/bitrec_cuda_tests" --gtest_brief=1 \
      > "$out/sanitizer_$tool.log" 2>&1
    echo "compute-sanitizer $tool: rc $? ($(grep -c 'ERROR SUMMARY: 0' "$out/sanitizer_$tool.log") clean summaries)"
  done
  grep -E "tests passed|FAILED|SKIPPED" "$out/ctest.log" | tail -8
  grep -E "PASSED|FAILED|SKIPPED" "$out/cuda_tests.log" | tail -5
  echo "test: ctest rc $rc"
}

stage_bench() {
  for path in cusparse warp; do
    BITREC_SPMM=$path "$bitrec" bench --data "$data" --device cuda --method lightgcn --epochs 5 --repeats 20 \
      --codes-out "$out/bench_codes.npy" --json "$out/bench_cuda_$path.json" > "$out/bench_cuda_$path.log" 2>&1
    echo "bench cuda ($path): rc $?"; cat "$out/bench_cuda_$path.log" | grep -v "^\s*$" | tail -8
  done
  BITREC_SPMM=cusparse "$bitrec" bench --data "$data" --device cuda --method recall-hash --epochs 5 --repeats 5 \
    --json "$out/bench_cuda_recall_hash.json" > "$out/bench_cuda_recall_hash.log" 2>&1
  echo "bench cuda recall-hash: rc $?"; grep -i "epoch" "$out/bench_cuda_recall_hash.log" | tail -3
}

stage_peers() {
  for path in edge_index sparse; do
    timeout 280 python3 tools/bench/pyg_lightgcn_peer.py "$data" --path "$path" --epochs 3 \
      --json "$out/peer_pyg_$path.json" > "$out/peer_pyg_$path.log" 2>&1
    echo "PyG $path: rc $?"; tail -2 "$out/peer_pyg_$path.log"
  done
  timeout 200 python3 tools/bench/lightgcn_torch_peer.py "$data" --device cuda --eval > "$out/peer_lightgcn_torch.log" 2>&1
  echo "LightGCN-PyTorch loop: rc $?"; tail -2 "$out/peer_lightgcn_torch.log"
  if [[ -f "$out/bench_codes.npy" ]]; then
    timeout 200 python3 tools/bench/faiss_hamming.py "$out/bench_codes.npy" --users 29858 > "$out/peer_faiss.log" 2>&1
    echo "FAISS: rc $?"; tail -3 "$out/peer_faiss.log"
  fi
}

stage_accuracy() {
  "$bitrec" train --data "$data" --method lightgcn --epochs 1000 --eval-every 50 --device cuda \
    --out "$out/lightgcn_1000" --overwrite > "$out/lightgcn_1000.log" 2>&1
  echo "lightgcn 1000 epochs: rc $?"; grep -E "recall@20|ndcg@20|train_seconds" "$out/lightgcn_1000/report.json" | head -6
  "$bitrec" train --data "$data" --method recall-hash --dim 128 --epochs 20 --eval-every 5 --device cuda \
    --out "$out/recall_hash_128" --overwrite > "$out/recall_hash_128.log" 2>&1
  echo "recall-hash 128 bits 20 epochs: rc $?"; tail -12 "$out/recall_hash_128.log"
}

[[ $# -gt 0 ]] || { echo "usage: $0 build|test|bench|peers|accuracy ..." >&2; exit 2; }
status=0
for stage in "$@"; do
  case "$stage" in
    build|test|bench|peers|accuracy) echo "== $stage"; "stage_$stage" || status=1 ;;
    *) echo "gpu_session: unknown stage $stage" >&2; exit 2 ;;
  esac
  [[ "$stage" == build && $status -ne 0 ]] && exit 1
done
exit $status
