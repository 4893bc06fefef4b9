#!/usr/bin/env bash
# Build a static libgit2 from Debian's source package, without HTTPS, SSH
# or GSSAPI, into DIR (default: build-deps/libgit2).
#
# Criterion calls git_libgit2_init in every worker process. Debian's
# libgit2 is built with mbedTLS, and its initialisation parses the system
# CA bundle each time (about 6 ms per worker on a 2-core VM; see
# docs/benchmarks.md). Criterion uses libgit2 only to diff strings in
# assertion messages, which needs none of the network transports. The doctor
# links Debian's libcriterion.a against the library built here.
#
# The result is DIR/lib/libgit2.a; it is never committed. Running the
# script again does nothing when that file exists.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(realpath -m "${1:-$root/build-deps/libgit2}")"

if [ -f "$dir/lib/libgit2.a" ]; then
    exit 0
fi

# The source of the libgit2 version installed (libgit2-dev), so headers
# and library agree with what pkg-config describes.
version=$(dpkg-query -W -f='${source:Version}' libgit2-dev)
src="$dir/src"
rm -rf "$src" "$dir/build"
mkdir -p "$src"

echo "build-libgit2: fetching libgit2 $version with apt-get source"
(
    cd "$src"
    # apt-get source verifies the files against the signed .dsc.
    if ! apt-get source --only-source -qq "libgit2=$version" >/dev/null 2>&1; then
        # A security update may have replaced that version in the source
        # index: take the one the index lists, which dpkg-source checks.
        # An empty source index also lands here: fetch it once.
        apt-get source --only-source -qq libgit2 >>"$dir/fetch.log" 2>&1 ||
            { apt-get update -qq &&
              apt-get source --only-source -qq libgit2; } \
                >>"$dir/fetch.log" 2>&1 ||
            { cat "$dir/fetch.log" >&2; exit 1; }
    fi
)
tree=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'libgit2-*' | head -n 1)
if [ -z "$tree" ]; then
    echo "build-libgit2: apt-get source unpacked no libgit2 tree in $src" >&2
    exit 1
fi

echo "build-libgit2: building $(basename "$tree") without HTTPS and SSH"
cmake -S "$tree" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF \
    -DBUILD_TESTS=OFF -DBUILD_CLI=OFF -DUSE_HTTPS=OFF -DUSE_SSH=OFF \
    -DUSE_GSSAPI=OFF -DUSE_NTLMCLIENT=OFF -DUSE_ICONV=OFF \
    -DUSE_HTTP_PARSER=system -DREGEX_BACKEND=regcomp \
    -DENABLE_REPRODUCIBLE_BUILDS=ON -Wno-dev >"$dir/build.log" 2>&1 &&
    cmake --build "$dir/build" -j "$(nproc)" --target libgit2package \
        >>"$dir/build.log" 2>&1 ||
    { tail -n 40 "$dir/build.log" >&2; exit 1; }
mkdir -p "$dir/lib"
cp "$dir/build/libgit2.a" "$dir/lib/libgit2.a.tmp"
mv "$dir/lib/libgit2.a.tmp" "$dir/lib/libgit2.a"
echo "build-libgit2: $dir/lib/libgit2.a"
