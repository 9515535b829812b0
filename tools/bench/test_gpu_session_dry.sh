#!/usr/bin/env bash
# ctest gpu_session_dry_run (label unit): tools/bench/gpu_session.sh in dry
# run (GPU_DRY_RUN=1) on a small dataset, with the real `bitrec` for the CPU
# benchmarks. Checks the plumbing the device call relies on: the budgets add
# up to at most 8 minutes, a step that overruns is cut and reported while the
# later steps still run, the CPU figures reach the summary, the summary stays
# within 40 lines, the one archive holds every log; a missing data folder
# gives the prepare_gpu_data.sh message; and the device path, with stand-ins
# for nvidia-smi, compute-sanitizer and the test binary, gives the verdicts.
#   tools/bench/test_gpu_session_dry.sh BITREC_BINARY
set -uo pipefail
bitrec=${1:?usage: $0 BITREC_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
script=$here/gpu_session.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}

# 40 users, 60 items: user u holds items u .. u+5 (mod 60) in train, u+7 in test.
mkdir -p "$tmp/data"
awk 'BEGIN { for (u = 0; u < 40; ++u) { s = u; for (j = 1; j < 6; ++j) s = s " " (u + j) % 60; print s } }' \
  > "$tmp/data/train.txt"
awk 'BEGIN { for (u = 0; u < 40; ++u) print u, (u + 7) % 60 }' > "$tmp/data/test.txt"
# 200 user sequences of 6 items each (user item per line, in order), for the
# gru4rec steps.
awk 'BEGIN { for (u = 1; u <= 200; ++u) for (j = 0; j < 6; ++j) print u, (u + 3 * j) % 50 + 1 }' > "$tmp/sessions.txt"
export GPU_SESSIONS="$tmp/sessions.txt"

t0=$(date +%s)
GPU_DRY_RUN=1 OUT="$tmp/out" GPU_DATA="$tmp/data" GPU_BITREC="$bitrec" GPU_BUILD="$tmp/no-build" \
  GPU_DRY_OVERRUN=bench_warp bash "$script" > "$tmp/run.log" 2>&1
rc=$?
elapsed=$(($(date +%s) - t0))
cat "$tmp/run.log"
echo "---- checks (exit $rc, ${elapsed} s)"
budget=$(grep -oE 'steps budgeted [0-9]+ s' "$tmp/run.log" | grep -oE '[0-9]+')
check "budgets sum to ${budget:-?} s <= 480 s" test "${budget:-999}" -le 480
check "exit status 1 (one step was cut)" test "$rc" -eq 1
check "the overrun step is reported CUT" grep -qE '^   bench_warp: CUT at 1 s' "$tmp/run.log"
check "the steps after it still ran" grep -qE '^   cpu_recall: ok' "$tmp/run.log"
check "device steps are skipped, not run" grep -qE '^   build: dry' "$tmp/run.log"
summary=$(sed -n '/GPU SESSION SUMMARY/,/^=====*$/p' "$tmp/run.log")
lines=$(printf '%s\n' "$summary" | wc -l)
check "summary printed, $lines lines <= 40" test "$lines" -ge 10 -a "$lines" -le 40
check "CPU epoch figure in the summary" \
  grep -qE '^lightgcn epoch \(s\) +- +- +[0-9.e+-]+ ' <<< "$summary"
check "CPU recall-hash figure in the summary" \
  grep -qE '^recall-hash epoch, 64 bits \(s\) +- +[0-9.e+-]+ ' <<< "$summary"
check "CPU gru4rec figure in the summary" \
  grep -qE '^gru4rec epoch, Video Games \(s\) +- +[0-9.e+-]+ ' <<< "$summary"
check "the gru4rec device step is skipped, not run" grep -qE '^   gru4rec_gpu: dry' "$tmp/run.log"
check "summary.txt in OUT" test -s "$tmp/out/summary.txt"
check "at most 8 files in OUT" test "$(find "$tmp/out" -type f | wc -l)" -le 8
listing=$(tar -tzf "$tmp/out/gpu-session-logs.tar.gz" 2>&1)
for f in machine.log build.log memcheck.log racecheck.log bench_warp.log cpu_lightgcn.json summary.txt; do
  check "archive holds $f" grep -q "gpu-session/$f\$" <<< "$listing"
done
check "dry run took ${elapsed} s < 60 s" test "$elapsed" -lt 60

# No data: a clear message, the benchmarks skipped with the reason.
GPU_DRY_RUN=1 OUT="$tmp/out2" GPU_DATA="$tmp/none" GPU_SESSIONS="$tmp/none.txt" GPU_BITREC="$bitrec" \
  GPU_BUILD="$tmp/no-build" bash "$script" > "$tmp/run2.log" 2>&1
rc2=$?
check "missing data: exit status 1" test "$rc2" -eq 1
check "missing data: the data step names prepare_gpu_data.sh" \
  grep -qE '^   data: FAIL.*run tools/bench/prepare_gpu_data.sh' "$tmp/run2.log"
check "missing data: the CPU benchmark says why it was skipped" \
  grep -qE '^   cpu_lightgcn: FAIL.*skipped: no Gowalla at' "$tmp/run2.log"
check "missing sessions: the gru4rec benchmark says why it was skipped" \
  grep -qE '^   gru4rec_cpu: FAIL.*skipped: no .*none.txt: run tools/bench/prepare_gpu_data.sh' "$tmp/run2.log"

# The device path itself, rehearsed with stand-ins: nvidia-smi and
# compute-sanitizer stubs (the sanitizer's summaries in the tool's own
# wording), a bitrec_cuda_tests that prints gtest's totals, the build steps
# skipped. Checks the verdicts the summary is made of; the second sanitizer
# run reports a race, which must fail racecheck.
mkdir -p "$tmp/bin" "$tmp/build"
cat > "$tmp/bin/nvidia-smi" <<'STUB'
#!/bin/sh
case "$*" in
  *--query-gpu*) echo "Stub GPU 80GB, 580.0, 81559 MiB, Default, 1980 MHz" ;;
  *) echo "stub nvidia-smi" ;;
esac
STUB
cat > "$tmp/bin/compute-sanitizer" <<'STUB'
#!/bin/bash
[ "$1" = --version ] && { echo "stub Version 0"; exit 0; }
tool=memcheck
while [ $# -gt 0 ]; do
  case "$1" in --tool) tool=$2; shift 2 ;; --error-exitcode) shift 2 ;; *) break ;; esac
done
"$@"; rc=$?
if [ "$tool" = racecheck ]; then
  if [ -n "${STUB_RACES:-}" ]; then
    echo "========= RACECHECK SUMMARY: 2 hazards displayed (2 errors, 0 warnings)"; exit 3
  fi
  echo "========= RACECHECK SUMMARY: 0 hazards displayed (0 errors, 0 warnings)"
else
  echo "========= ERROR SUMMARY: 0 errors"
fi
exit $rc
STUB
cat > "$tmp/build/bitrec_cuda_tests" <<'STUB'
#!/bin/sh
for a in "$@"; do
  case "$a" in --gtest_output=xml:*) echo '<testsuites tests="3"/>' > "${a#--gtest_output=xml:}" ;; esac
done
echo "[==========] 3 tests from 1 test suite ran. (5 ms total)"
echo "[  PASSED  ] 3 tests."
STUB
chmod +x "$tmp/bin/"* "$tmp/build/bitrec_cuda_tests"
rehearse() {  # rehearse LOG [VAR=VALUE]
  env ${2:+"$2"} PATH="$tmp/bin:$PATH" OUT="$tmp/out3" GPU_DATA="$tmp/data" GPU_BITREC="$bitrec" \
    GPU_BUILD="$tmp/build" GPU_SKIP="deps configure build" bash "$script" > "$1" 2>&1
}
rehearse "$tmp/run3.log"
cat "$tmp/run3.log"
check "device path: machine read from nvidia-smi" grep -qE '^machine: gpu: Stub GPU 80GB' "$tmp/run3.log"
check "device path: skipped steps say so" grep -qE '^== build: skipped \(GPU_SKIP\)' "$tmp/run3.log"
check "device path: CUDA test totals" grep -qE '^cuda tests: 3 tests ran, 3 passed, 0 failed, 0 skipped' "$tmp/run3.log"
check "device path: memcheck clean" grep -qE '^   memcheck: ok, .*ERROR SUMMARY: 0 errors; 3 tests ran' "$tmp/run3.log"
check "device path: racecheck clean in racecheck's wording" \
  grep -qE '^   racecheck: ok, .*RACECHECK SUMMARY: 0 hazards displayed \(0 errors, 0 warnings\)' "$tmp/run3.log"
check "device path: the test xml is archived" \
  grep -q 'gpu-session/cuda_tests.xml$' <<< "$(tar -tzf "$tmp/out3/gpu-session-logs.tar.gz")"
rehearse "$tmp/run4.log" STUB_RACES=1
check "device path: a race fails racecheck" grep -qE '^   racecheck: FAIL \(rc 3\).*2 hazards displayed' "$tmp/run4.log"
check "device path: the summary says why" grep -qE '^! racecheck: .*2 hazards displayed' "$tmp/run4.log"
exit $fail
