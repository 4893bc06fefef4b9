#!/usr/bin/env bash
# Install every build and test dependency of capsem-doctor from Debian's
# packages. Safe to run again: it installs only what is missing and prints
# nothing when everything is present.
set -euo pipefail

packages=(
    # build
    cmake gcc make pkg-config
    libcriterion-dev libjson-c-dev libprotobuf-c-dev protobuf-c-compiler
    libcurl4-openssl-dev libssl-dev libblkid-dev libmicrohttpd-dev
    # tests: schema validation, protobuf decoding, JSON checks, probe fixtures
    libxml2-utils protobuf-compiler python3 squashfs-tools e2fsprogs
    iproute2 iptables util-linux procps
    # the namespace lab (tests/lab): loop devices, namespaces, guest DNS;
    # its lab CA, the proxy and origin on the host (the lab starts its own
    # nginx and never the package's service), the bridge in the guest, the
    # public roots and certifi of the guest's bundle, and curl in the guest
    mount dnsmasq-base openssl nginx socat ca-certificates python3-certifi
    curl
    # sanitizer and fuzzing builds
    clang libclang-rt-14-dev
    # the static archives the doctor links in place of libcriterion.so
    # when ci/build-libgit2.sh has been run (docs/benchmarks.md)
    dpkg-dev libboxfort-dev libnanopb-dev libffi-dev libhttp-parser-dev
    zlib1g-dev libnanomsg-dev
)

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run this script as root to install them" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
