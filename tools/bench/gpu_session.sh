#!/usr/bin/env bash
# The GPU proof in one device call of about eight minutes on a bare H100
# (docs/cuda.md "The GPU session" has the exact call): machine check, the
# carried Debian packages, a build of `bitrec` and `bitrec_cuda_tests` only,
# the CUDA tests once, compute-sanitizer memcheck and racecheck on subsets,
# `bitrec bench` on CUDA (both SpMM paths, recall-hash) and on the CPU of the
# same machine for the ratio, then one summary block and one log archive.
#
#   tools/bench/gpu_session.sh            on the device, from the repository root
#   GPU_DRY_RUN=1 tools/bench/gpu_session.sh
#                                         anywhere: skips what needs a device
#                                         (and the build) but runs the step
#                                         runner, budgets, summary and archive
#
# Every step runs under its own `timeout` (its budget; the estimate for an
# H100 with 16 cores is written beside it below). A step that overruns is
# cut, reported as CUT, and the remaining steps still run; the whole run also
# stops starting steps when GPU_DEADLINE seconds (default: the budgets' sum)
# are spent, so the summary always prints. Each step prints its verdict as it
# ends; the summary block (at most ~40 lines) comes last, so the device
# tool's output tail carries every figure even when $OUT does not come back.
#
# Environment (all optional):
#   OUT            where the archive and summary go (default: gpu-session/)
#   GPU_DATA       Gowalla folder (default: .gpu-data/gowalla, which
#                  tools/bench/prepare_gpu_data.sh fills and `carry` names)
#   GPU_BUILD      build folder (default: build-gpu)
#   GPU_BITREC     the bitrec binary (default: $GPU_BUILD/bitrec)
#   GPU_JOBS       build jobs (default: all cores)
#   GPU_DEADLINE   seconds for the whole run (default: the budgets' sum)
#   GPU_SKIP="STEP ..."
#                  steps not to run (reported "skipped"), e.g. "deps configure
#                  build" to rerun the checks on a machine that has the build
#   GPU_DRY_RUN=1  dry run (see above)
#   GPU_DRY_OVERRUN=STEP
#                  dry run only: STEP sleeps past a 1 s budget, to show the
#                  cut (tools/bench/test_gpu_session_dry.sh)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
root=$PWD

dry=${GPU_DRY_RUN:-0}
[[ "$dry" == 1 ]] || dry=0
out=${OUT:-$root/gpu-session}
data=${GPU_DATA:-.gpu-data/gowalla}
build=${GPU_BUILD:-build-gpu}
bitrec=${GPU_BITREC:-$build/bitrec}
cuda_tests=$build/bitrec_cuda_tests
jobs=${GPU_JOBS:-$(nproc)}
overrun=${GPU_DRY_OVERRUN:-}
skip=" ${GPU_SKIP:-} "
[[ "$dry" == 1 ]] || overrun=""

mkdir -p "$out" || { echo "gpu_session: cannot create OUT=$out" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/gpu-session.XXXXXX") || exit 2
logs=$work/gpu-session
mkdir -p "$logs"
trap 'rm -rf "$work"' EXIT
t_start=$(date +%s)

# --- the steps: name, budget (s), estimate on a bare H100 machine (s) --------
# Budgets sum to 480 s (8 minutes). Estimates are from the 2-core development
# machine scaled to 16 cores, or from the work each step does; the first run
# on a device replaces them with measurements (docs/cuda.md).
steps=(
  "machine      10   3"   # nvidia-smi, compute mode, cuSPARSE/cuBLAS, tool versions
  "deps         10   2"   # sh .deps/install.sh: dpkg -x of 4 small .deb files
  "configure    25  12"   # cmake: CUDA compiler detection dominates
  "build       155 110"   # bitrec + bitrec_cuda_tests (+ module): ~150 C++ and 11 .cu files, 16 jobs
  "cuda_tests   60  25"   # every CUDA test once, --gtest_output=xml
  "memcheck     45  30"   # compute-sanitizer memcheck, small cases of every kernel family
  "racecheck    35  25"   # compute-sanitizer racecheck, the shared-memory kernels
  "data          5   1"   # Gowalla present in the carried folder
  "bench_cusparse 25 12"  # bench --device cuda, lightgcn, cuSPARSE SpMM: 3 epochs, eval, Hamming top-50
  "bench_warp   15   8"   # same with the warp SpMM, 2 epochs
  "bench_recall 20  10"   # bench --device cuda, recall-hash, 2 epochs
  "cpu_lightgcn 20  12"   # bench --device cpu (16 threads), lightgcn, 1 epoch
  "cpu_recall   10   8"   # bench --device cpu, recall-hash, 1 epoch
  "gru4rec_gpu  15   6"   # train --device cuda, gru4rec on Video Games: 1 epoch + evaluation
  "gru4rec_cpu  25  16"   # the same on the CPU (16 threads), for the ratio
)
archive_budget=5             # summary + logs into one tar.gz in $OUT; estimate 1 s
budget_sum=$archive_budget
for s in "${steps[@]}"; do read -r _ b _ <<< "$s"; budget_sum=$((budget_sum + b)); done
deadline=${GPU_DEADLINE:-$budget_sum}

# --- helpers used inside steps ------------------------------------------------
sanitizer_bin() {
  if command -v compute-sanitizer > /dev/null; then echo compute-sanitizer
  elif [[ -x /usr/local/cuda/bin/compute-sanitizer ]]; then echo /usr/local/cuda/bin/compute-sanitizer
  else echo ""; fi
}
have_data() { [[ -f "$data/train.txt" && -f "$data/test.txt" ]]; }
sessions=${GPU_SESSIONS:-.gpu-data/video-games/sequences.txt}
data_missing_reason() {
  echo "no Gowalla at $data (train.txt + test.txt): run tools/bench/prepare_gpu_data.sh here and name .gpu-data in carry"
}
dry_note() { echo "dry run: skipped: $*"; }
# On the device a test run where nothing passed (every test skipped: no
# device seen) is a failure, never a pass.
require_passes() {
  local passed; passed=$(grep -m1 -oE '^\[  PASSED  \] [0-9]+' "$1" | grep -oE '[0-9]+$')
  if [[ "${passed:-0}" == 0 ]]; then echo "no test passed (every test skipped or failed): the CUDA backend did not run"; return 1; fi
}

# memcheck: one small case of every kernel family; racecheck: the kernels
# that use shared memory (Hamming distance/select, real top-k tiles and radix
# select, collect_topk, the smooth recall histograms).
memcheck_filter='CudaParity.*:CudaTopkParity.DegenerateCalls:CudaTopkParity.RealIntegerScoresExactBothPaths'
memcheck_filter+=':Widths/CudaPropagateParity.*/cusparse_d64:Widths/CudaPropagateParity.*/warp_d100'
memcheck_filter+=':Widths/CudaHammingParity.*/bits130:CudaSmoothRecallParity.OneItemCatalogue'
memcheck_filter+=':CudaSmoothRecallParity.RejectsBadInputLikeCpu:CudaSmoothRecallParity.PairCountGrowsMidEpoch:*CudaGraphParity.*'
memcheck_filter+=':Cases/CudaGru4RecParity.StepsMatchTheHost/top1max_onehot_dropout'
racecheck_filter='Widths/CudaHammingParity.*/bits64_ties:Widths/CudaHammingParity.*/bits1024'
racecheck_filter+=':CudaTopkParity.RealIntegerScoresExactBothPaths:CudaSmoothRecallParity.OneItemCatalogue'
racecheck_filter+=':CudaSmoothRecallParity.UsersWithoutPairsLeaveEverythingUnchanged'

# --- the steps ------------------------------------------------------------------
step_machine() {
  echo "host: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  local tool
  for tool in nvcc cmake ninja; do
    if command -v "$tool" > /dev/null || [[ -x /usr/local/cuda/bin/$tool ]]; then
      echo "$tool: $("$(command -v "$tool" || echo /usr/local/cuda/bin/$tool)" --version 2>&1 | grep -m1 -iE 'release|version')"
    else
      echo "$tool: missing"
    fi
  done
  local san; san=$(sanitizer_bin)
  echo "compute-sanitizer: ${san:-missing}${san:+ ($("$san" --version 2>&1 | grep -m1 -i version))}"
  local lib missing=0
  for lib in libcusparse.so libcublas.so libcudart.so; do
    if ls /usr/local/cuda/lib64/$lib* > /dev/null 2>&1 || ldconfig -p 2>/dev/null | grep -q "$lib"; then
      echo "$lib: present"
    else
      echo "$lib: MISSING"; missing=1
    fi
  done
  if [[ "$dry" == 1 ]]; then dry_note "nvidia-smi"; return 0; fi
  local q
  q=$(nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode,clocks.max.sm --format=csv,noheader 2>&1) || {
    echo "nvidia-smi failed: $q"; return 1; }
  echo "gpu: $q"
  nvidia-smi
  case "$q" in *Prohibited*) echo "compute mode Prohibited: no CUDA context can be made"; return 1 ;; esac
  return $missing
}

step_deps() {
  if [[ ! -f .deps/install.sh ]]; then
    echo "no .deps/install.sh: using the machine's own CLI11/GoogleTest (carry .deps, docs/cuda.md)"
    return 0
  fi
  if [[ "$dry" == 1 ]]; then dry_note "sh .deps/install.sh ($(ls .deps/*.deb 2>/dev/null | wc -l) packages)"; return 0; fi
  sh .deps/install.sh
}

step_configure() {
  local cmd=(cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90
             -DBITREC_CUDA=ON -DCMAKE_PREFIX_PATH=/opt/deps/usr -DGTEST_ROOT=/opt/deps/usr)
  if [[ "$dry" == 1 ]]; then dry_note "${cmd[*]}"; return 0; fi
  "${cmd[@]}"
}

step_build() {
  local cmd=(cmake --build "$build" --target bitrec bitrec_cuda_tests -j "$jobs")
  if [[ "$dry" == 1 ]]; then dry_note "${cmd[*]}"; return 0; fi
  "${cmd[@]}"
}

step_cuda_tests() {
  if [[ "$dry" == 1 ]]; then dry_note "$cuda_tests --gtest_output=xml"; return 0; fi
  [[ -x "$cuda_tests" ]] || { echo "no $cuda_tests (build step)"; return 1; }
  "$cuda_tests" --gtest_output="xml:$logs/cuda_tests.xml"
  local rc=$?
  require_passes "$logs/cuda_tests.log" || return 1
  return $rc
}

# compute-sanitizer TOOL FILTER: clean = exit 0, the tests passed, and the
# tool's own summary reports nothing (memcheck: "ERROR SUMMARY: 0 errors";
# racecheck: "RACECHECK SUMMARY: 0 hazards displayed (0 errors, 0 warnings)").
sanitize() {
  local tool=$1 filter=$2 san; san=$(sanitizer_bin)
  echo "filter: $filter"
  if [[ "$dry" == 1 ]]; then dry_note "compute-sanitizer --tool $tool"; return 0; fi
  [[ -n "$san" ]] || { echo "compute-sanitizer not found"; return 1; }
  [[ -x "$cuda_tests" ]] || { echo "no $cuda_tests (build step)"; return 1; }
  "$san" --tool "$tool" --error-exitcode 3 "$cuda_tests" --gtest_brief=1 --gtest_filter="$filter"
  local rc=$?
  require_passes "$logs/$tool.log" || return 1
  return $rc
}
step_memcheck() { sanitize memcheck "$memcheck_filter"; }
step_racecheck() { sanitize racecheck "$racecheck_filter"; }

step_data() {
  have_data || { data_missing_reason; return 1; }
  echo "data: $data ($(wc -l < "$data/train.txt") train users, $(wc -l < "$data/test.txt") test users)"
}

# bench NAME DEVICE METHOD EPOCHS REPEATS [VAR=VALUE]
bench() {
  local name=$1 device=$2 method=$3 epochs=$4 repeats=$5 env_set=${6:-}
  have_data || { echo "skipped: $(data_missing_reason)"; return 1; }
  if [[ "$device" == cuda && "$dry" == 1 ]]; then
    dry_note "${env_set:+$env_set }$bitrec bench --device cuda --method $method"; return 0
  fi
  [[ -x "$bitrec" ]] || { echo "no $bitrec (build step)"; return 1; }
  env ${env_set:+"$env_set"} "$bitrec" bench --data "$data" --device "$device" --method "$method" \
    --epochs "$epochs" --repeats "$repeats" --json "$logs/$name.json"
}
step_bench_cusparse() { bench bench_cusparse cuda lightgcn 3 10 BITREC_SPMM=cusparse; }
step_bench_warp() { bench bench_warp cuda lightgcn 2 10 BITREC_SPMM=warp; }
step_bench_recall() { bench bench_recall cuda recall-hash 2 5; }
step_cpu_lightgcn() { bench cpu_lightgcn cpu lightgcn 1 3; }
step_cpu_recall() { bench cpu_recall cpu recall-hash 1 1; }
# gru4rec NAME DEVICE: one epoch on Video Games (docs/sessions.md "On a GPU");
# the epoch's seconds are metrics.jsonl's "seconds", copied to NAME.json.
gru4rec() {
  local name=$1 device=$2
  [[ -f "$sessions" ]] || { echo "skipped: no $sessions: run tools/bench/prepare_gpu_data.sh here and name .gpu-data in carry"; return 1; }
  if [[ "$device" == cuda && "$dry" == 1 ]]; then dry_note "$bitrec train --method gru4rec --device cuda"; return 0; fi
  [[ -x "$bitrec" ]] || { echo "no $bitrec (build step)"; return 1; }
  "$bitrec" train --method gru4rec --data "$sessions" --device "$device" --epochs 1 --out "$logs/$name-run" &&
    tail -1 "$logs/$name-run/metrics.jsonl" > "$logs/$name.json" &&
    echo "epoch: $(grep -oE '"seconds": *[0-9.eE+-]+' "$logs/$name.json" | head -1) s"
}
step_gru4rec_gpu() { gru4rec gru4rec_gpu cuda; }
step_gru4rec_cpu() { gru4rec gru4rec_cpu cpu; }

export -f sanitizer_bin have_data data_missing_reason dry_note require_passes sanitize bench gru4rec
export -f step_machine step_deps step_configure step_build step_cuda_tests step_memcheck \
          step_racecheck step_data step_bench_cusparse step_bench_warp step_bench_recall \
          step_cpu_lightgcn step_cpu_recall step_gru4rec_gpu step_gru4rec_cpu
export dry data sessions build bitrec cuda_tests jobs logs memcheck_filter racecheck_filter

# --- the runner --------------------------------------------------------------------
declare -A status=() seconds=() budget_of=()
order=()
run_step() {
  local name=$1 budget=$2 estimate=$3
  local now; now=$(date +%s)
  local left=$((deadline - archive_budget - (now - t_start)))
  order+=("$name"); budget_of[$name]=$budget
  if ((left < 2)); then
    status[$name]="SKIPPED (deadline)"; seconds[$name]=0
    echo "== $name: SKIPPED, the run's ${deadline} s are spent"
    return
  fi
  ((budget > left)) && budget=$left
  if [[ "$skip" == *" $name "* ]]; then
    status[$name]="skipped"; seconds[$name]=0
    echo "skipped (GPU_SKIP)" > "$logs/$name.log"
    echo "== $name: skipped (GPU_SKIP)"
    return
  fi
  local body="step_$name"
  if [[ "$name" == "$overrun" ]]; then budget=1; body="sleep 30"; fi
  echo "== $name (budget ${budget} s, estimate ${estimate} s)"
  local t0; t0=$(date +%s.%N)
  timeout --kill-after=3 "$budget" bash -c "$body" > "$logs/$name.log" 2>&1
  local rc=$?
  seconds[$name]=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  case $rc in
    0) status[$name]=ok ;;
    124 | 137) status[$name]="CUT at ${budget} s" ;;
    *) status[$name]="FAIL (rc $rc)" ;;
  esac
  [[ "$dry" == 1 ]] && grep -q '^dry run: skipped' "$logs/$name.log" && [[ $rc == 0 ]] && status[$name]="dry"
  echo "   $name: ${status[$name]}, ${seconds[$name]} s; $(verdict "$name")"
}

# One line per step: what it found (read from its log).
verdict() {
  local log=$logs/$1.log
  case $1 in
    machine) grep -m1 '^gpu:' "$log" || grep -m1 -E 'dry run|nvidia-smi failed' "$log" || tail -1 "$log" ;;
    build) grep -E 'error|FAILED' "$log" | head -2; tail -1 "$log" ;;
    cuda_tests) gtest_line "$log" ;;
    memcheck | racecheck)
      local want='ERROR SUMMARY'; [[ $1 == racecheck ]] && want='RACECHECK SUMMARY'
      grep -m1 '^dry run' "$log" && return
      echo "$(grep -m1 -o "$want: .*" "$log" || echo "no $want line"); $(gtest_line "$log")" ;;
    bench_* | cpu_* | gru4rec_*) grep -m1 -E '^(epoch: |dry run|skipped|no )' "$log" || tail -1 "$log" ;;
    *) tail -1 "$log" ;;
  esac
}
# gtest's totals: "N tests ran, P passed, F failed, S skipped" (or what is there).
gtest_line() {
  local log=$1 ran passed failed skipped
  ran=$(grep -m1 -oE '^\[==========\] [0-9]+ tests? from [0-9]+ test suites? ran' "$log" | grep -oE '[0-9]+' | head -1)
  passed=$(grep -m1 -oE '^\[  PASSED  \] [0-9]+' "$log" | grep -oE '[0-9]+$')
  skipped=$(grep -m1 -oE '^\[  SKIPPED \] [0-9]+' "$log" | grep -oE '[0-9]+$')
  failed=$(grep -m1 -oE '^\[  FAILED  \] [0-9]+ tests?, listed below' "$log" | grep -oE '^\[  FAILED  \] [0-9]+' | grep -oE '[0-9]+$')
  if [[ -z "$ran" ]]; then grep -m1 -E 'dry run|no .*bitrec_cuda_tests|not found' "$log" || echo "no gtest totals"; return; fi
  echo "$ran tests ran, ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
}
json_num() {  # json_num FILE KEY: the number after "KEY": in bitrec bench's JSON
  [[ -f "$1" ]] || { echo "-"; return; }
  local v; v=$(grep -oE "\"$2\": *-?[0-9.eE+-]+" "$1" | head -1 | sed 's/.*: *//')
  [[ -n "$v" ]] && printf '%.4g' "$v" || echo "-"
}
ratio() { awk -v c="$1" -v g="$2" 'BEGIN { if (c == "-" || g == "-" || g + 0 == 0) print "-"; else printf "%.1fx", c / g }'; }

echo "gpu_session: $( ((dry)) && echo 'DRY RUN, ')steps budgeted ${budget_sum} s, deadline ${deadline} s; logs -> $out"
for s in "${steps[@]}"; do
  read -r name budget estimate <<< "$s"
  run_step "$name" "$budget" "$estimate"
done

# --- the summary ----------------------------------------------------------------------
summary() {
  local total=$(($(date +%s) - t_start))
  echo "==================== GPU SESSION SUMMARY ===================="
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$( ((dry)) && echo ', DRY RUN'), total ${total} s of ${deadline} s"
  echo "machine: $(verdict machine 2>/dev/null)"
  local name i=0 cell row=""
  for name in "${order[@]}"; do
    cell=$(printf '%-14s %-18s %6s/%3s s' "$name" "${status[$name]}" "${seconds[$name]}" "${budget_of[$name]}")
    row+="$cell"; i=$((i + 1))
    if ((i % 2 == 0)); then echo "  $row"; row=""; else row+="  |  "; fi
  done
  [[ -n "$row" ]] && echo "  ${row%  |  }"
  echo "cuda tests: $(gtest_line "$logs/cuda_tests.log" 2>/dev/null)"
  grep -E '^\[  FAILED  \] [A-Za-z]' "$logs/cuda_tests.log" 2>/dev/null | sort -u | head -5 | sed 's/^/  /'
  grep -E '^\[  SKIPPED \] [A-Za-z]' "$logs/cuda_tests.log" 2>/dev/null | head -2 | sed 's/^/  /'
  echo "memcheck: $(verdict memcheck 2>/dev/null)"
  echo "racecheck: $(verdict racecheck 2>/dev/null)"
  local j=$logs
  printf '%-34s %12s %12s %12s %9s\n' "bench (Gowalla, median)" "cuda cusparse" "cuda warp" "cpu" "cpu/cuda"
  local c g w
  for key in propagate_ms:"propagate_mean L=3 d=64 (ms)" spmm_gflops:"SpMM GFLOP/s" \
             epoch_seconds_median:"lightgcn epoch (s)" eval_seconds:"full evaluation, real (s)" \
             hamming_topk_ms:"Hamming top-50, all users (ms)" hamming_topk_excluded_ms:"  same, train excluded (ms)"; do
    g=$(json_num "$j/bench_cusparse.json" "${key%%:*}")
    w=$(json_num "$j/bench_warp.json" "${key%%:*}")
    c=$(json_num "$j/cpu_lightgcn.json" "${key%%:*}")
    if [[ "${key%%:*}" == spmm_gflops ]]; then
      printf '%-34s %12s %12s %12s %9s\n' "${key#*:}" "$g" "$w" "$c" "$(ratio "$g" "$c")"
    else
      printf '%-34s %12s %12s %12s %9s\n' "${key#*:}" "$g" "$w" "$c" "$(ratio "$c" "$g")"
    fi
  done
  g=$(json_num "$j/bench_recall.json" epoch_seconds_median)
  c=$(json_num "$j/cpu_recall.json" epoch_seconds_median)
  printf '%-34s %12s %12s %12s %9s\n' "recall-hash epoch, 64 bits (s)" "$g" "" "$c" "$(ratio "$c" "$g")"
  g=$(json_num "$j/gru4rec_gpu.json" seconds)
  c=$(json_num "$j/gru4rec_cpu.json" seconds)
  printf '%-34s %12s %12s %12s %9s\n' "gru4rec epoch, Video Games (s)" "$g" "" "$c" "$(ratio "$c" "$g")"
  echo "cpu threads: $(grep -m1 '^device:' "$logs/cpu_lightgcn.log" 2>/dev/null | cut -c9- || echo '-')"
  local shown=0  # why each failed or cut step failed, as far as room allows
  for name in "${order[@]}"; do
    case "${status[$name]}" in ok | dry | skipped) continue ;; esac
    local why
    case $name in
      cuda_tests | memcheck | racecheck) why=$(tail -1 "$logs/$name.log" 2>/dev/null) ;;
      *) why=$(verdict "$name" 2>/dev/null | tail -1) ;;
    esac
    ((shown++ < 6)) && echo "! $name: ${why:0:150}"
  done
  echo "archive: $out/gpu-session-logs.tar.gz (every step's log, the JSON, cuda_tests.xml)"
  echo "============================================================="
}
summary | tee "$logs/summary.txt"
cp "$logs/summary.txt" "$out/summary.txt" 2>/dev/null
if timeout "$archive_budget" tar -czf "$out/gpu-session-logs.tar.gz" -C "$work" gpu-session 2> "$work/tar.err"; then
  echo "archive: written ($(du -k "$out/gpu-session-logs.tar.gz" | cut -f1) KiB)"
else
  echo "archive: FAILED: $(cat "$work/tar.err")"
fi
fail=0
for name in "${order[@]}"; do
  case "${status[$name]}" in ok | dry | skipped) ;; *) fail=1 ;; esac
done
exit $fail
