#!/usr/bin/env bash
# Prepares what the GPU session's one device call carries (docs/cuda.md "The
# GPU session"), on this machine, where the data and a package registry are:
#   .gpu-data/gowalla/   a copy of the Gowalla split (train.txt, test.txt);
#                        tools/bench/gpu_session.sh reads it there
#   .deps/               with --deps: the Debian CLI11 and GoogleTest packages
#                        (apt-get download) and install.sh, which unpacks them
#                        under /opt/deps on the device (never over /)
# Both folders are git-ignored, so they travel only when `carry` names them.
#
#   tools/bench/prepare_gpu_data.sh [--deps] [GOWALLA_DIR]
# GOWALLA_DIR defaults to ../shared/datasets/gowalla (datasets/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

deps=0
if [[ "${1:-}" == --deps ]]; then deps=1; shift; fi
src=${1:-../shared/datasets/gowalla}
dst=.gpu-data/gowalla

for f in train.txt test.txt; do
  [[ -f "$src/$f" ]] || { echo "prepare_gpu_data: no $src/$f (give the Gowalla folder as the argument)" >&2; exit 1; }
done
git check-ignore -q "$dst/train.txt" || { echo "prepare_gpu_data: $dst is not git-ignored (.gitignore)" >&2; exit 1; }
rm -rf "$dst" && mkdir -p "$dst"
cp "$src/train.txt" "$src/test.txt" "$dst/"
chmod u+w "$dst"/*.txt
echo "data: $dst ($(du -sk "$dst" | cut -f1) KiB, $(wc -l < "$dst/train.txt") train users)"

# Video Games' user sequences, for the gru4rec steps (docs/sessions.md);
# optional: the steps say so when it is missing.
seq_src=${VIDEO_GAMES:-$(dirname "$src")/video-games/sequences.txt}
if [[ -f "$seq_src" ]]; then
  rm -rf .gpu-data/video-games && mkdir -p .gpu-data/video-games
  cp "$seq_src" .gpu-data/video-games/sequences.txt
  chmod u+w .gpu-data/video-games/sequences.txt
  echo "data: .gpu-data/video-games ($(wc -l < .gpu-data/video-games/sequences.txt) events)"
else
  echo "prepare_gpu_data: no $seq_src: the gru4rec steps will be skipped" >&2
fi

if ((deps)); then
  rm -rf .deps && mkdir -p .deps
  (cd .deps && apt-get download libcli11-dev googletest libgtest-dev libgmock-dev 2>&1 |
                 grep -vE '^(W: Download is performed unsandboxed|Get:|Fetched)' || true)
  cat > .deps/install.sh <<'INSTALL'
#!/bin/sh
# Unpack the carried .deb files under /opt/deps (never over /).
set -e
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p /opt/deps
for f in "$here"/*.deb; do dpkg -x "$f" /opt/deps; done
echo "deps unpacked: pass -DCMAKE_PREFIX_PATH=/opt/deps/usr to cmake"
INSTALL
  chmod +x .deps/install.sh
  echo "deps: .deps ($(du -sk .deps | cut -f1) KiB: $(cd .deps && ls *.deb | tr '\n' ' '))"
fi
[[ -f .deps/install.sh ]] || echo "note: no .deps/install.sh yet: run again with --deps where apt-get works"
echo "carry: [\".deps\", \".gpu-data\"]"
