#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, service, e2e) with ctest.
set -euo pipefail
cd "$(dirname "$0")"
docker/install-deps.sh
docker/build.sh build
docker/install-deps.sh npm build/npm
ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
