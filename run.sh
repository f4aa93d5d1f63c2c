#!/usr/bin/env bash
# Installs what is missing, builds, and starts streamstack on 127.0.0.1:4566 with its
# SQLite files in ./data. Extra arguments go to streamstack (see --help).
set -euo pipefail
cd "$(dirname "$0")"
docker/install-deps.sh build
docker/build.sh build -- streamstack
exec build/streamstack --data-dir ./data "$@"
