#!/usr/bin/env bash
# Build capsem-doctor and run its sandbox and environment suites on this
# machine, writing JUnit, JSON and protobuf reports into the folder given
# as the first argument (default: out/). This machine is a real VM but not
# a Capsem guest, so most checks fail here, each for a reason you can check
# by hand (docs/worked-example.md walks through them).
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-out}

bash ci/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target capsem-doctor >/dev/null
mkdir -p "$out"

set +e
./build/capsem-doctor -k "sandbox or environment" \
    --junit "$out/report.xml" --json "$out/report.json" \
    --proto "$out/report.pb"
code=$?
set -e

echo
echo "reports: $out/report.xml $out/report.json $out/report.pb"
echo "capsem-doctor exited with status $code"
# 0 and 1 are both complete runs (all passed, or some check failed);
# anything else means the doctor itself could not run.
[ "$code" -le 1 ]
