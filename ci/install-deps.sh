#!/usr/bin/env bash
# Install every build and test dependency of capsem-doctor from Debian's
# packages, then build libgit2 without HTTPS into build-deps/ with
# ci/build-libgit2.sh, so that the doctor links Criterion statically
# (docs/benchmarks.md). Safe to run again: it installs only what is missing,
# rebuilds libgit2 only when libgit2-dev or ci/build-libgit2.sh changed, and
# prints nothing when everything is present.
#
# When libgit2 cannot be built (for example, the Debian mirror is not
# reachable), the script fails rather than leave CMake to link Debian's
# libcriterion.so, whose workers start several times slower. Set
# CDOC_SKIP_LIBGIT2=1 to skip that build on purpose. The script then warns,
# and the doctor links libcriterion.so unless an earlier build left
# build-deps/libgit2/lib/libgit2.a.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"

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
    # public roots and certifi of the guest's bundle, and curl in the guest.
    # The network library's tests also run nginx and dnsmasq on loopback.
    mount dnsmasq-base openssl nginx socat ca-certificates python3-certifi
    curl
    # sanitizer and fuzzing builds
    clang libclang-rt-14-dev
    # ci/build-libgit2.sh: dpkg-source for apt-get source, libgit2's own
    # build dependencies (with cmake, gcc, make above), and the static
    # archives the doctor links in place of libcriterion.so
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

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing packages: ${missing[*]}" >&2
        echo "install-deps: run this script as root to install them" >&2
        exit 1
    fi
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -n "${CDOC_SKIP_LIBGIT2:-}" ]; then
    if [ ! -f "$root/build-deps/libgit2/lib/libgit2.a" ]; then
        echo "install-deps: WARNING: CDOC_SKIP_LIBGIT2 is set, so libgit2" \
            "without HTTPS is not built and the doctor links Debian's" \
            "libcriterion.so, whose workers start several times slower" \
            "(docs/benchmarks.md)" >&2
    fi
    exit 0
fi

if ! bash "$root/ci/build-libgit2.sh"; then
    echo "install-deps: building libgit2 without HTTPS failed (above)." \
        "Fix the cause and run this script again, or set" \
        "CDOC_SKIP_LIBGIT2=1 to link Debian's slower libcriterion.so" \
        "instead (docs/benchmarks.md)." >&2
    exit 1
fi
