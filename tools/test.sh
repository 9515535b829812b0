#!/usr/bin/env bash
# Builds everything (bitrec, every test binary, the CUDA module and kernels
# when nvcc is found) and runs the whole test suite (CPU tests everywhere;
# CUDA tests skip without a GPU). Every skipped test is listed after the run
# with its reason ("skipped: <test>: <reason>"): a skip is not a pass.
#   tools/test.sh              # everything
#   tools/test.sh -L fault     # ctest arguments: only the fault suite
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --all

rc=0
ctest --test-dir build --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" "$@" || rc=$?

# Each skipped test with its reason (ctest names them, without the reason):
# tools/ctest_skips.awk.
log=build/Testing/Temporary/LastTest.log
[ -f "$log" ] && awk -f tools/ctest_skips.awk "$log"
exit "$rc"
