#!/usr/bin/env bash
# Build capsem-doctor and run every test: the unit tests and the end-to-end
# command-line tests in a normal build, the same again under
# AddressSanitizer and UBSan, the namespace lab's verdict matrix, and a
# bounded fuzzing run of every parser. Run as root.
set -euo pipefail

cd "$(dirname "$0")/.."
bash ci/install-deps.sh

jobs=$(nproc)

echo "== build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"

echo "== unit tests"
./build/unit-tests --jobs "$jobs"

echo "== command-line tests"
tests/cli/run.sh build/capsem-doctor build/doctor-selftest "$PWD"

echo "== sanitizer build"
cmake -S . -B build-asan -DCDOC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
    >/dev/null
cmake --build build-asan -j "$jobs"

# Criterion's worker processes exit without freeing the framework's own
# allocations, so leak checking would flag Criterion rather than us.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

echo "== unit tests under ASan and UBSan"
./build-asan/unit-tests --jobs "$jobs"

echo "== command-line tests under ASan and UBSan"
tests/cli/run.sh build-asan/capsem-doctor build-asan/doctor-selftest "$PWD"

echo "== namespace lab: the verdict matrix"
bash tests/lab/matrix.sh

echo "== fuzzing the parsers"
FUZZ_SECONDS=${FUZZ_SECONDS:-10} bash ci/fuzz.sh
