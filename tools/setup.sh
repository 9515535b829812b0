#!/usr/bin/env bash
# Installs what bitrec needs from Debian's packages (when missing), then
# configures and builds build/ (Release). Safe to run again.
#   tools/setup.sh            # dependencies + build
#   BITREC_CUDA=OFF tools/setup.sh   # skip the CUDA backend
set -euo pipefail
cd "$(dirname "$0")/.."

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

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBITREC_CUDA="${BITREC_CUDA:-AUTO}" >/dev/null
cmake --build build -j "$jobs"
echo "setup: built build/bitrec ($(build/bitrec --version | tr '\n' ' '))" >&2
