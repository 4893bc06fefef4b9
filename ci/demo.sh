#!/usr/bin/env bash
# Run capsem-doctor in the namespace lab, a Capsem-like guest built from
# Linux namespaces (tests/lab/). The script builds the doctor, starts the
# lab and runs the sandbox, network and environment suites inside it. It
# copies the JUnit, JSON and protobuf reports into the folder given as the
# first argument (default: out/), then stops the lab.
#
# With --host, run the same suites on this machine instead of the lab
# (docs/worked-example.md walks through such a run).
#
# Run as root.
set -euo pipefail

cd "$(dirname "$0")/.."
host=0
if [ "${1:-}" = "--host" ]; then
    host=1
    shift
fi
out=${1:-out}
selection="sandbox or network or environment"

bash ci/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target capsem-doctor >/dev/null
mkdir -p "$out"

# 0 and 1 are both complete runs (all passed, or some check failed);
# anything else means the doctor itself could not run.
finish() {
    echo
    echo "reports: $out/report.xml $out/report.json $out/report.pb"
    echo "capsem-doctor exited with status $1"
    [ "$1" -le 1 ]
}

if [ "$host" -eq 1 ]; then
    set +e
    ./build/capsem-doctor -k "$selection" --junit "$out/report.xml" \
        --json "$out/report.json" --proto "$out/report.pb"
    code=$?
    set -e
    finish "$code"
    exit
fi

lab=tests/lab/lab.sh
if bash "$lab" status >/dev/null 2>&1; then
    echo "demo: a lab is already running; stop it with $lab down" >&2
    exit 2
fi
bash "$lab" up
trap 'bash "$lab" down' EXIT

set +e
bash "$lab" run capsem-doctor --profile /etc/capsem-doctor/lab.json \
    -k "$selection" --junit /run/report.xml --json /run/report.json \
    --proto /run/report.pb
code=$?
set -e
for name in report.xml report.json report.pb; do
    bash "$lab" run cat "/run/$name" >"$out/$name"
done

echo
echo "The checks a namespace cannot serve (the kernel command line, kallsyms"
echo "and /proc/kcore of the shared host kernel) fail or skip here;"
echo "docs/lab.md lists them with reasons."
finish "$code"
