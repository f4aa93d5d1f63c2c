#!/usr/bin/env bash
# Installs what StreamStack needs from Debian bookworm's packages. The Dockerfile's build
# stage and .ci/run both call this script, so CI proves the container's build steps.
#   docker/install-deps.sh          build + test dependencies (compiler, libraries, test tools)
#   docker/install-deps.sh runtime  only the shared libraries the binary links against
set -euo pipefail

mode="${1:-build}"

runtime_packages=(
  libsqlite3-0 libspdlog1.10 libssl3 ca-certificates curl
)
build_packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
  libsqlite3-dev libssl-dev libcli11-dev
  # test and benchmark tools: real clients and a load generator
  python3 curl wrk
)

case "$mode" in
  runtime) wanted=("${runtime_packages[@]}") ;;
  build) wanted=("${runtime_packages[@]}" "${build_packages[@]}") ;;
  *) echo "usage: $0 [build|runtime]" >&2; exit 2 ;;
esac

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
