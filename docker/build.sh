#!/usr/bin/env bash
# Configures and builds StreamStack: the one build recipe shared by test.sh, run.sh and
# the Dockerfile's build stage.
#   docker/build.sh BUILD_DIR [extra cmake -D options...] [-- targets...]
set -euo pipefail
build_dir="${1:?usage: docker/build.sh BUILD_DIR [cmake options] [-- targets]}"
shift
cmake_args=()
targets=()
while [ "$#" -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; targets=("$@"); break; fi
  cmake_args+=("$1"); shift
done
src="$(cd "$(dirname "$0")/.." && pwd)"
cmake -S "$src" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "${cmake_args[@]}" >/dev/null
if [ "${#targets[@]}" -gt 0 ]; then
  cmake --build "$build_dir" -j"$(nproc)" --target "${targets[@]}"
else
  cmake --build "$build_dir" -j"$(nproc)"
fi
