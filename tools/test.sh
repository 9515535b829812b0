#!/usr/bin/env bash
# Builds bitrec and runs the whole test suite (CPU tests everywhere; CUDA
# tests skip with a reason when no GPU is present).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
ctest --test-dir build --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" "$@"
