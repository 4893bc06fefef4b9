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
# The source comes from the Debian mirror that the system's apt uses, read
# from the deb822 file in CDOC_DEBIAN_SOURCES (default:
# /etc/apt/sources.list.d/debian.sources). apt-get runs with a private
# source list, index and cache under DIR/apt, so the system needs no
# deb-src entries, and /etc/apt and /var/lib/apt stay as they are.
#
# The result is DIR/lib/libgit2.a, which is never committed. Running the
# script again does nothing while DIR/lib/libgit2.stamp records the
# installed libgit2-dev version and this script's checksum. A change of
# either starts a new build.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(realpath -m "${1:-$root/build-deps/libgit2}")"
debian_sources="${CDOC_DEBIAN_SOURCES:-/etc/apt/sources.list.d/debian.sources}"

fail() {
    echo "build-libgit2: $*" >&2
    exit 1
}

# Build the libgit2 version installed (libgit2-dev), so it agrees with the
# headers Debian's libcriterion.a was compiled against.
version=$(dpkg-query -W -f='${source:Version}' libgit2-dev 2>/dev/null) ||
    true
if [ -z "$version" ]; then
    fail "libgit2-dev is not installed. Run ci/install-deps.sh as root."
fi
stamp_key="libgit2-dev $version
build-libgit2.sh $(sha256sum "$0" | cut -d ' ' -f 1)"

stamp="$dir/lib/libgit2.stamp"
if [ -f "$dir/lib/libgit2.a" ] && [ -f "$stamp" ] &&
    [ "$(head -n 2 "$stamp")" = "$stamp_key" ]; then
    exit 0
fi

# A library built for another version or by another script must not stay
# behind for CMake to link if this build fails.
rm -f "$dir/lib/libgit2.a" "$stamp"

apt_dir="$dir/apt"
src="$dir/src"
rm -rf "$apt_dir/sources.list.d" "$src" "$dir/build"
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" \
    "$apt_dir/cache/archives/partial" "$src"
apt_options=(
    -o "Dir::Etc::SourceList=$apt_dir/sources.list"
    -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache"
    # Exit non-zero when an index cannot be fetched, where apt-get update
    # would otherwise only warn and keep the old one.
    -o "APT::Update::Error-Mode=any"
)
fetch_log="$dir/fetch.log"
: >"$fetch_log"

# The same mirrors, suites, components and keyrings as the system's
# entries, with every stanza's type set to deb-src.
if [ ! -r "$debian_sources" ]; then
    fail "cannot read $debian_sources, the deb822 file that names the" \
        "Debian mirror. Set CDOC_DEBIAN_SOURCES to a deb822 sources file" \
        "(see sources.list(5)) with the system's Debian mirror."
fi
awk 'tolower($0) ~ /^types:/ { print "Types: deb-src"; next } { print }' \
    "$debian_sources" >"$apt_dir/sources.list.d/debian-src.sources"
if ! grep -q '^Types: deb-src' "$apt_dir/sources.list.d/debian-src.sources"
then
    fail "$debian_sources has no Types field; it is not a deb822 sources" \
        "file. Set CDOC_DEBIAN_SOURCES to one that names the Debian mirror."
fi

echo "build-libgit2: fetching the source index from the mirrors in" \
    "$debian_sources"
if ! apt-get "${apt_options[@]}" update -qq >>"$fetch_log" 2>&1; then
    cat "$fetch_log" >&2
    fail "apt-get update of the source index failed (above; log in" \
        "$fetch_log). Check that the mirrors in $debian_sources are" \
        "reachable and serve deb-src indexes."
fi

# The other versions of the libgit2 source package that the index lists
# with the installed upstream version, newest first. The Debian revisions
# of one upstream version all build the binary package named after its
# SONAME (libgit2-1.5 for 1.5.1), so any of them fits libcriterion.a.
upstream=${version#*:}
upstream=${upstream%-*}
candidates=()
while read -r listed; do
    listed_upstream=${listed#*:}
    if [ "${listed_upstream%-*}" != "$upstream" ] ||
        [ "$listed" = "$version" ]; then
        continue
    fi
    position=${#candidates[@]}
    while [ "$position" -gt 0 ] &&
        dpkg --compare-versions "$listed" gt "${candidates[position - 1]}"
    do
        position=$((position - 1))
    done
    candidates=("${candidates[@]:0:position}" "$listed"
                "${candidates[@]:position}")
done < <(apt-cache "${apt_options[@]}" showsrc --only-source libgit2 |
         awk '/^Version:/ { print $2 }' | sort -u)

# Try the installed version first. A mirror may not serve it, for example
# after a newer security update replaced it, so then take the newest other
# revision of the same upstream version that the mirror serves.
fetched=""
for candidate in "$version" "${candidates[@]}"; do
    echo "build-libgit2: fetching libgit2 $candidate with apt-get source"
    rm -rf "$src"
    mkdir -p "$src"
    # apt-get source verifies the files against the signed source index.
    if (cd "$src" && apt-get "${apt_options[@]}" source --only-source -qq \
            "libgit2=$candidate") >>"$fetch_log" 2>&1; then
        fetched=$candidate
        break
    fi
done
if [ -z "$fetched" ]; then
    cat "$fetch_log" >&2
    fail "apt-get source could not fetch libgit2 $version or another" \
        "revision of upstream $upstream (above; log in $fetch_log)." \
        "Check that the mirrors in $debian_sources serve source packages."
fi
if [ "$fetched" != "$version" ]; then
    echo "build-libgit2: WARNING: the mirror did not serve the source of" \
        "the installed libgit2 $version; building $fetched instead" >&2
fi

tree=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'libgit2-*' |
       head -n 1)
if [ -z "$tree" ]; then
    fail "apt-get source unpacked no libgit2 tree in $src (log in" \
        "$fetch_log)"
fi

echo "build-libgit2: building libgit2 $fetched without HTTPS and SSH"
if ! { cmake -S "$tree" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF \
        -DBUILD_TESTS=OFF -DBUILD_CLI=OFF -DUSE_HTTPS=OFF -DUSE_SSH=OFF \
        -DUSE_GSSAPI=OFF -DUSE_NTLMCLIENT=OFF -DUSE_ICONV=OFF \
        -DUSE_HTTP_PARSER=system -DREGEX_BACKEND=regcomp \
        -DENABLE_REPRODUCIBLE_BUILDS=ON -Wno-dev &&
       cmake --build "$dir/build" -j "$(nproc)" --target libgit2package
     } >"$dir/build.log" 2>&1; then
    tail -n 40 "$dir/build.log" >&2
    fail "building libgit2 $fetched failed (above; log in $dir/build.log)"
fi

mkdir -p "$dir/lib"
cp "$dir/build/libgit2.a" "$dir/lib/libgit2.a.tmp"
mv "$dir/lib/libgit2.a.tmp" "$dir/lib/libgit2.a"
printf '%s\nbuilt from %s\n' "$stamp_key" "$fetched" >"$stamp"
echo "build-libgit2: $dir/lib/libgit2.a"
