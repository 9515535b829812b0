#!/usr/bin/env bash
# Installs what bitrec needs from Debian's packages (when missing), then
# configures build/ (Release) and builds what `bitrec train` needs: the
# `bitrec` program, plus the CUDA backend module (libbitrec_cuda.so) when
# this machine has an NVIDIA driver to run it. Safe to run again.
#   tools/setup.sh                   # dependencies + bitrec (+ CUDA module with a driver)
#   tools/setup.sh --all             # every target: tests and the CUDA module (tools/test.sh)
#   BITREC_CUDA=OFF tools/setup.sh   # configure without the CUDA backend
#   BITREC_CUDA_MODULE=ON|OFF        # force building the module or not (default: driver present)
# The build shows one progress line (a terminal) or a line every 10 % (logs);
# compiler messages and errors are printed as they come.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

all=0
for arg in "$@"; do
  case "$arg" in
    --all) all=1 ;;
    *) echo "setup: unknown argument '$arg' (allowed: --all)" >&2; exit 2 ;;
  esac
done

packages=(build-essential cmake ninja-build libcli11-dev libgtest-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# An NVIDIA driver (the same test as make_backend's --device auto,
# host/device/backend_factory.cpp): without one the CUDA module cannot run.
nvidia_driver_present() {
  local path
  for path in /proc/driver/nvidia/version /dev/nvidiactl /dev/dxg; do
    [ -e "$path" ] && return 0
  done
  return 1
}

jobs=$(nproc 2>/dev/null || echo 2)
echo "setup: configuring build/ (Release, BITREC_CUDA=${BITREC_CUDA:-AUTO})" >&2
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBITREC_CUDA="${BITREC_CUDA:-AUTO}" >/dev/null

targets=(bitrec)
module_note=""
if ((all)); then
  targets=(all)
elif grep -q '^build bitrec_cuda_module:' build/build.ninja 2>/dev/null; then
  want_module=${BITREC_CUDA_MODULE:-auto}
  if [ "$want_module" = ON ] || { [ "$want_module" = auto ] && nvidia_driver_present; }; then
    targets+=(bitrec_cuda_module)
  else
    module_note=" (CUDA module not built: no NVIDIA driver; BITREC_CUDA_MODULE=ON tools/setup.sh builds it)"
  fi
fi

# Ninja's "[done/total] ..." lines shortened to a progress line
# (tools/build_progress.awk); compiler messages pass through.
tty=0
[ -t 2 ] && tty=1
awk_line=()  # mawk (Debian's awk) reads a pipe in blocks unless -W interactive
awk -W version 2>&1 | grep -q mawk && awk_line=(-W interactive)
if ! cmake --build build -j "$jobs" --target "${targets[@]}" 2>&1 |
     awk "${awk_line[@]}" -v tty="$tty" -v what="${targets[*]}" -f tools/build_progress.awk >&2; then
  echo "setup: the build failed (the compiler's messages are above)" >&2
  exit 1
fi

elapsed=$((SECONDS - start))
printf 'setup: built build/bitrec (%s)%s in %dm%02ds\n' \
  "$(build/bitrec --version | tr '\n' ' ' | sed 's/ *$//')" "$module_note" \
  $((elapsed / 60)) $((elapsed % 60)) >&2
