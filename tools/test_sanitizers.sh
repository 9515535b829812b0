#!/usr/bin/env bash
# Builds the test binary with AddressSanitizer + UBSan (-DBITREC_SANITIZE=ON,
# CPU only, RelWithDebInfo) in build-asan/ and runs the data-loader, fuzz,
# bad-data CLI and run-folder tests in it, and the fault suite but its
# kill-and-resume tests. Any sanitizer report (a memory error, a leak,
# undefined behaviour) aborts the run and fails the script. CI runs it after
# tools/test.sh, which installs the dependencies (tools/setup.sh).
#   tools/test_sanitizers.sh                          # build-asan/
#   BITREC_ASAN_BUILD=/tmp/asan tools/test_sanitizers.sh   # another build dir
#   tools/test_sanitizers.sh --gtest_filter='Fuzz*'   # other tests (gtest args)
set -euo pipefail
cd "$(dirname "$0")/.."

build=${BITREC_ASAN_BUILD:-build-asan}
jobs=$(nproc 2>/dev/null || echo 2)
start=$SECONDS
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBITREC_CUDA=OFF \
  -DBITREC_SANITIZE=ON >/dev/null
# Only the test binaries (and the bitrec program the CLI tests run).
cmake --build "$build" -j "$jobs" --target bitrec_tests bitrec_fault_tests
echo "test_sanitizers: built in $((SECONDS - start)) s" >&2

export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# Data* are the loader suites (DataLightGcn, DataDelimited, DataCsr, ...);
# */Data* their parameterised cases (Cases/DataLightGcnBadInput...).
filter='Data*:*/Data*:FuzzLoaders.*:Cli.MissingDataFailsCleanlyAndWritesNothing:Cli.BadTrainFileNamesFileAndLine'
run_start=$SECONDS
"$build/bitrec_tests" --gtest_filter="$filter:RunMarker.*:OutputPath.*:RunDirectory*" "$@"
# The fault suite's quick part: bad flags, damaged files and folders (the
# kill-and-resume tests train for seconds and run in tools/test.sh only).
if [ $# -eq 0 ]; then
  "$build/bitrec_fault_tests" --gtest_filter='-KillResumeFaults.*'
fi
echo "test_sanitizers: tests passed in $((SECONDS - run_start)) s (total $((SECONDS - start)) s)" >&2
