#!/usr/bin/env bash
# The second test command: the whole suite (unit and e2e) on a sanitizer build.
#   tools/sanitize.sh address   AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)
#   tools/sanitize.sh thread    ThreadSanitizer (build-tsan/)
#   tools/sanitize.sh thread-safety   clang's -Wthread-safety analysis of every translation
#                               unit (no tests run: the analysis is the check)
# Extra arguments go to ctest (e.g. -L unit, -R e2e_test_esm). Any report fails the test
# that caused it: the sanitizers abort the process at the first error.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:?usage: tools/sanitize.sh address|thread|thread-safety [ctest args...]}"
shift
if [ "$kind" = "thread-safety" ]; then
  docker/install-deps.sh
  docker/install-deps.sh checks
  # Only the compile database is needed; the analysis compiles with clang itself.
  cmake -S . -B build-analysis -G Ninja >/dev/null
  # The one generated source (the runtime clients as strings) must exist to be analysed.
  cmake --build build-analysis --target generated/runtime_clients.cc >/dev/null
  exec python3 tools/check_thread_safety.py build-analysis
fi
case "$kind" in
  address) flags="address,undefined"; dir=build-asan ;;
  thread) flags="thread"; dir=build-tsan ;;
  *) echo "tools/sanitize.sh: unknown check '$kind' (address, thread or thread-safety)" >&2
     exit 2 ;;
esac
docker/install-deps.sh
docker/build.sh "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTREAMSTACK_SANITIZE="$flags"
docker/install-deps.sh npm "$dir/npm" ||
  echo "tools/sanitize.sh: the JavaScript SDK could not be installed from npm" >&2
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tools/tsan.supp"
# Sanitized code runs several times slower: the build scales the tests' time limits.
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)" "$@"
