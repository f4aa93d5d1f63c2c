#!/usr/bin/env bash
# Installs what StreamStack needs from Debian bookworm's packages (and, for the tests, the
# JavaScript SDK from npm). The Dockerfile's build stage and .ci/run both call this script,
# so CI proves the container's build steps.
#   docker/install-deps.sh [test]       everything ./test.sh needs: the build dependencies
#                                       and the real clients the e2e tests drive
#   docker/install-deps.sh build        the compiler and libraries (./run.sh, the image's build)
#   docker/install-deps.sh runtime      what the image needs at run time: the binary's
#                                       libraries, and node/python3/boto3 for functions
#   docker/install-deps.sh checks       what tools/sanitize.sh thread-safety adds: clang, for
#                                       its thread-safety analysis
#   docker/install-deps.sh npm DIR      the AWS SDK for JavaScript v3 clients pinned by
#                                       docker/npm/package-lock.json into DIR/node_modules (what
#                                       function code resolves, as on AWS's nodejs runtimes, and
#                                       what the JS e2e tests drive); skipped when DIR has them
set -euo pipefail

mode="${1:-test}"
here="$(cd "$(dirname "$0")" && pwd)"

runtime_packages=(
  libsqlite3-0 libspdlog1.10 libssl3 libzip4 ca-certificates curl
)
# What functions that run their own code need in the image: node and python3 with the SDK
# AWS's managed runtimes provide (boto3 here; the JavaScript SDK comes from npm).
function_packages=(
  nodejs python3 python3-boto3
  # PID 1 of the image: reaps what sandboxes leave behind and forwards SIGTERM
  tini
)
build_packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
  libsqlite3-dev libssl-dev libcli11-dev libzip-dev python3
)
test_packages=(
  # the real clients the e2e tests drive: boto3 and the aws CLI (v2 in bookworm) from
  # Debian, node for the JavaScript SDK (from npm, see `npm` below); and a load generator
  python3-boto3 awscli curl wrk
  # the formatting check (ctest `format`): bookworm's clang-format 14, the version the
  # tree is formatted with
  clang-format
)
check_packages=(clang)
# Commands that may come from another packaging than Debian's (e.g. NodeSource's nodejs
# carries npm): installed from Debian only when the command is missing.
declare -A test_commands=([node]=nodejs [npm]=npm)

install_npm_packages() {
  local dir="$1" lock="$here/npm/package-lock.json"
  mkdir -p "$dir"
  if [ -d "$dir/node_modules" ] && cmp -s "$lock" "$dir/package-lock.json"; then
    return 0
  fi
  echo "install-deps: npm ci in $dir"
  cp "$here/npm/package.json" "$lock" "$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

case "$mode" in
  runtime) wanted=("${runtime_packages[@]}" "${function_packages[@]}") ;;
  build) wanted=("${runtime_packages[@]}" "${build_packages[@]}") ;;
  test)
    wanted=("${runtime_packages[@]}" "${build_packages[@]}" "${test_packages[@]}")
    for cmd in "${!test_commands[@]}"; do
      command -v "$cmd" >/dev/null || wanted+=("${test_commands[$cmd]}")
    done
    ;;
  checks) wanted=("${check_packages[@]}") ;;
  npm) install_npm_packages "${2:?usage: $0 npm DIR}"; exit 0 ;;
  *) echo "usage: $0 [test|build|runtime|checks|npm DIR]" >&2; exit 2 ;;
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
