#!/usr/bin/env bash
# Build the libFuzzer harnesses in tests/fuzz with clang and run each one
# for a bounded time (FUZZ_SECONDS, default 10). Fails on the first crash,
# leak or sanitizer report; the reproducing input is left in build-fuzz/.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-10}

cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCDOC_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j "$(nproc)" >/dev/null

failed=0
passed=0
for harness in tests/fuzz/fuzz_*.c; do
    name=$(basename "$harness" .c)
    target=${name//_/-}
    corpus=$PWD/build-fuzz/corpus/$name
    mkdir -p "$corpus"
    options=(-max_total_time="$seconds" -rss_limit_mb=2048)
    if [ -f "tests/fuzz/${name#fuzz_}.dict" ]; then
        options+=(-dict="$PWD/tests/fuzz/${name#fuzz_}.dict")
    fi
    # The first folder collects new inputs; the seeds are only read.
    seeds=()
    if [ -d "tests/fuzz/seeds/$name" ]; then
        seeds=("$PWD/tests/fuzz/seeds/$name")
    fi
    if (cd build-fuzz && "./$target" "${options[@]}" "$corpus" \
            "${seeds[@]}" >"$name.log" 2>&1); then
        passed=$((passed + 1))
        echo "fuzz: $target ran ${seconds}s, no failure"
    else
        failed=$((failed + 1))
        echo "fuzz: $target FAILED, see build-fuzz/$name.log"
        tail -40 "build-fuzz/$name.log"
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
