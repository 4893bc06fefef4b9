# shellcheck shell=bash
# Build the lab guest's root tree from this machine's own files, for
# tests/lab/lab.sh (sourced, not run). The tree becomes the squashfs that
# the lab mounts as the lower layer of its root overlay.
#
# Files are copied to the same paths they have on the host, together with
# the shared libraries that ldd lists for them, so the guest runs the
# host's binaries unchanged. Every write goes to "$tree" + a path whose
# directories contain no symbolic link on the host, so a copy can never
# follow a symbolic link out of the tree.

# Programs the guest runs: its shell, the coreutils that the lab and an
# operator use, the services, the tools the doctor calls, and curl, getent
# and ip to look at the guest's network by hand.
ROOTFS_PROGRAMS=(
    /bin/bash /bin/dash /usr/bin/env /usr/bin/sleep /usr/bin/cat /usr/bin/ls
    /usr/bin/mkdir /usr/bin/rm /usr/bin/cp /usr/bin/mv /usr/bin/ln
    /usr/bin/chmod /usr/bin/touch /usr/bin/head /usr/bin/tail /usr/bin/wc
    /usr/bin/id /usr/bin/uname /usr/bin/date /usr/bin/stat /usr/bin/readlink
    /usr/bin/true /usr/bin/false /usr/bin/umount /usr/sbin/dnsmasq
    /usr/bin/python3 /usr/bin/curl /usr/bin/getent /usr/bin/ip
)

# The Debian python3 whose standard library the guest gets. The guest's
# /usr/bin/python3 is a copy of it.
ROOTFS_PYTHON=/usr/bin/python3
# Parts of the standard library that the guest does without: the static
# libpython for building extensions (25 MB), the test suite, and the GUI
# and packaging tools. sitecustomize.py links to /etc/python3.*, which the
# guest does not have.
ROOTFS_PYTHON_EXCLUDES=(config-* test idlelib tkinter turtledemo lib2to3
    ensurepip pydoc_data sitecustomize.py)

# Print every file that ldd lists for the given ELF files, one a line.
rootfs_libraries() {
    printf '%s\0' "$@" | xargs -0 -n 40 -P 2 ldd 2>/dev/null |
        awk '$2 == "=>" && $3 ~ /^\// { print $3 }
             $1 ~ /^\// && $2 ~ /^\(0x/ { print $1 }' | sort -u
}

# Host directory -> the same directory with every symbolic link resolved.
declare -A ROOTFS_REAL_DIRS=()
# Regular files (paths without symbolic links) that rootfs_copy copies.
ROOTFS_FILES=()

# Set REPLY to the real path of a host directory.
rootfs_real_dir() {
    if [ -z "${ROOTFS_REAL_DIRS[$1]+set}" ]; then
        ROOTFS_REAL_DIRS[$1]=$(readlink -f "$1")
    fi
    REPLY=${ROOTFS_REAL_DIRS[$1]}
}

# Queue one host file for the tree, at the same path. A symbolic link is
# recreated at once with the same target text and then followed, so a
# chain such as /usr/bin/python3 -> python3.11 arrives whole.
rootfs_add() {
    local tree=$1 path=$2 target hops=0

    while :; do
        rootfs_real_dir "${path%/*}"
        path=$REPLY/${path##*/}
        if [ ! -L "$path" ]; then
            break
        fi
        target=$(readlink "$path")
        mkdir -p "$tree$REPLY"
        ln -sfn "$target" "$tree$path"
        case $target in
        /*) path=$target ;;
        *) path=$REPLY/$target ;;
        esac
        hops=$((hops + 1))
        if [ "$hops" -gt 16 ]; then
            echo "lab: too many symbolic links resolving $2" >&2
            return 1
        fi
    done
    if [ ! -f "$path" ]; then
        echo "lab: cannot copy $2 into the guest: $path is not a file" >&2
        return 1
    fi
    ROOTFS_FILES+=("$path")
}

# Copy the queued files. Their paths contain no symbolic link, so
# --parents makes real directories and never writes through a link.
# Without --preserve, cp drops setuid and setgid bits, as the guest must
# have none.
rootfs_copy() {
    local tree=$1
    if [ "${#ROOTFS_FILES[@]}" -gt 0 ]; then
        printf '%s\0' "${ROOTFS_FILES[@]}" | sort -zu |
            xargs -0 cp -f --parents -t "$tree"
    fi
    ROOTFS_FILES=()
}

# Queue files and everything that ldd lists for them.
#
# Lists come from command substitutions, not process substitutions,
# because lab.sh runs this under an inherited ERR trap (set -E). A process
# substitution that failed would run the trap's clean-up in a subshell,
# while up went on with the files that the clean-up removes. A
# here-string of an empty list reads one empty line, which the loops skip.
rootfs_add_with_libraries() {
    local tree=$1 file libraries
    shift
    for file in "$@"; do
        rootfs_add "$tree" "$file"
    done
    libraries=$(rootfs_libraries "$@")
    while IFS= read -r file; do
        if [ -n "$file" ]; then
            rootfs_add "$tree" "$file"
        fi
    done <<<"$libraries"
}

# Top-level links of a merged-/usr host (/bin -> usr/bin), so that paths
# through them resolve in the guest as on the host.
rootfs_add_top_links() {
    local tree=$1 dir
    for dir in bin sbin lib lib32 lib64 libx32; do
        if [ -L "/$dir" ]; then
            ln -sfn "$(readlink "/$dir")" "$tree/$dir"
        fi
    done
}

# Queue the iptables binary that the host's iptables-save resolves to (nft
# or legacy), its extension modules and their libraries.
rootfs_add_iptables() {
    local tree=$1 multi module_dir loader module modules=() file libraries
    multi=$(readlink -f "$(command -v iptables-save)")
    module_dir=$(readlink -f "$(dirname "$(rootfs_libraries "$multi" |
        grep -m1 /libxtables.so)")")/xtables
    if [ ! -d "$module_dir" ]; then
        echo "lab: xtables modules not found at $module_dir" >&2
        return 1
    fi
    rootfs_add_with_libraries "$tree" "$multi"
    for module in "$module_dir"/*.so; do
        rootfs_add "$tree" "$module"
        modules+=("$module")
    done
    # ldd runs the dynamic loader once per file with LD_TRACE_LOADED_OBJECTS
    # set, which took 0.8 s for the 200 modules of Debian 12's iptables on a
    # 2-core VM. One loader run with all modules preloaded lists the same
    # libraries.
    loader=$(ldd "$multi" | awk '$1 ~ /^\// && $2 ~ /^\(0x/ { print $1; exit }')
    libraries=$(env LD_TRACE_LOADED_OBJECTS=1 LD_PRELOAD="${modules[*]}" \
        "$loader" "$multi" |
        awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
    while IFS= read -r file; do
        if [ -n "$file" ]; then
            rootfs_add "$tree" "$file"
        fi
    done <<<"$libraries"
}

# The iptables command names in /usr/sbin and /usr/bin (the guest's PATH
# has no sbin directory).
rootfs_link_iptables() {
    local tree=$1 multi name
    multi=$(basename "$(readlink -f "$(command -v iptables-save)")")
    for name in iptables iptables-save iptables-restore; do
        ln -sfn "$multi" "$tree/usr/sbin/$name"
        ln -sfn "../sbin/$name" "$tree/usr/bin/$name"
    done
}

# Copy the standard library of ROOTFS_PYTHON with the libraries of its
# extension modules, and Debian's certifi into the system's dist-packages
# and into the venv (unless NO_VENV is 1). Debian's certifi returns the
# system bundle, /etc/ssl/certs/ca-certificates.crt, from certifi.where(),
# so Python code that uses certifi trusts the lab CA as the system does.
rootfs_add_python() {
    local tree=$1 no_venv=$2 stdlib version certifi exclude excludes=() file
    local libraries
    stdlib=$("$ROOTFS_PYTHON" -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')
    version=$("$ROOTFS_PYTHON" -c 'import sysconfig; print(sysconfig.get_python_version())')
    certifi=$("$ROOTFS_PYTHON" -c 'import certifi, os; print(os.path.dirname(certifi.__file__))') || {
        echo "lab: Debian's certifi is not installed for $ROOTFS_PYTHON; install python3-certifi" >&2
        return 1
    }
    for exclude in "${ROOTFS_PYTHON_EXCLUDES[@]}"; do
        excludes+=("--exclude=${stdlib#/}/$exclude")
    done
    # tar keeps symbolic links as links, so nothing is written through one.
    mkdir -p "$tree$(dirname "$stdlib")"
    tar -C / "${excludes[@]}" -cf - "${stdlib#/}" | tar -C "$tree" -xf -
    libraries=$(rootfs_libraries "$stdlib"/lib-dynload/*.so)
    while IFS= read -r file; do
        if [ -n "$file" ]; then
            rootfs_add "$tree" "$file"
        fi
    done <<<"$libraries"

    mkdir -p "$tree$(dirname "$certifi")"
    cp -a "$certifi" "$tree$(dirname "$certifi")/"
    if [ "$no_venv" != 1 ]; then
        mkdir -p "$tree/opt/venv/lib/python$version/site-packages"
        cp -a "$certifi" "$tree/opt/venv/lib/python$version/site-packages/"
    fi
}

# The lab CA at the profile's network.ca_cert path and in the system
# bundle, which also contains Debian's public roots, as update-ca-certificates
# would leave them: the bundle, a hashed link for OpenSSL's CA directory,
# and /usr/lib/ssl/certs pointing there. Under ca-missing-from-bundle the
# CA file is present but neither the bundle nor the directory trusts it.
rootfs_add_ca() {
    local tree=$1 fault=$2 ca=$3 hash root
    mkdir -p "$tree$(dirname "$GUEST_CA_CERT")" "$tree/etc/ssl/certs" \
        "$tree/usr/lib/ssl"
    cp -f "$ca" "$tree$GUEST_CA_CERT"
    chmod 0644 "$tree$GUEST_CA_CERT"
    ln -sfn /etc/ssl/certs "$tree/usr/lib/ssl/certs"
    for root in /usr/share/ca-certificates/mozilla/*.crt; do
        cat "$root"
    done >"$tree$GUEST_CA_BUNDLE"
    if [ "$fault" != ca-missing-from-bundle ]; then
        cat "$ca" >>"$tree$GUEST_CA_BUNDLE"
        hash=$(openssl x509 -hash -noout -in "$ca")
        ln -sfn "$GUEST_CA_CERT" "$tree/etc/ssl/certs/capsem-ca.pem"
        ln -sfn capsem-ca.pem "$tree/etc/ssl/certs/$hash.0"
    fi
    chmod 0644 "$tree$GUEST_CA_BUNDLE"
}

rootfs_write_etc() {
    local tree=$1 nameserver=$2
    mkdir -p "$tree/etc"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' \
        'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' \
        >"$tree/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$tree/etc/group"
    printf 'nameserver %s\n' "$nameserver" >"$tree/etc/resolv.conf"
    printf '%s\n' 'hosts: files dns' 'passwd: files' 'group: files' \
        >"$tree/etc/nsswitch.conf"
    printf '%s\n' '127.0.0.1 localhost' '127.0.1.1 capsem-lab' \
        >"$tree/etc/hosts"
    echo capsem-lab >"$tree/etc/hostname"
}

# The three Capsem guest binaries. capsem-net-proxy is a copy of socat,
# which lab-init runs as the bridge from port 10443 to the host's proxy.
# rootfs_build queues its libraries. The other two are copies of
# sleep, so each runs as a process under its Capsem name.
rootfs_add_guest_binaries() {
    local tree=$1 fault=$2 name mode source
    mkdir -p "$tree/usr/local/bin"
    for name in capsem-pty-agent capsem-net-proxy capsem-mcp-server; do
        mode=0555
        if [ "$name" = capsem-mcp-server ]; then
            case $fault in
            missing-guest-binary) continue ;;
            writable-guest-binary) mode=0755 ;;
            guest-binary-not-executable) mode=0444 ;;
            esac
        fi
        source=$(readlink -f /usr/bin/sleep)
        if [ "$name" = capsem-net-proxy ]; then
            source=$(readlink -f /usr/bin/socat)
        fi
        cp -f "$source" "$tree/usr/local/bin/$name"
        chmod "$mode" "$tree/usr/local/bin/$name"
    done
}

# PID 1 of the lab: starts the guest's services, then reaps every child,
# as an init must. Its argument is the lab's fault, so one image serves
# every fault that only changes which services run.
rootfs_write_init() {
    local tree=$1
    mkdir -p "$tree/usr/sbin"
    cat >"$tree/usr/sbin/lab-init" <<'EOF_INIT'
#!/bin/sh
# PID 1 of the capsem-doctor lab (tests/lab/rootfs.sh). usage: lab-init [FAULT]
fault=${1:-}

if [ "$fault" != pty-agent-missing ]; then
    /usr/local/bin/capsem-pty-agent infinity &
fi
if [ "$fault" != net-proxy-missing ]; then
    # The bridge to the host's proxy: each connection that the nat rule
    # redirects to port 10443 goes to the proxy's Unix socket, which the
    # lab binds where a real guest has its vsock. nodelay: with Nagle on,
    # a response written in two pieces waited for the client's delayed
    # ACK, 40 ms a request.
    /usr/local/bin/capsem-net-proxy -b 131072 \
        TCP-LISTEN:10443,bind=127.0.0.1,reuseaddr,fork,backlog=64,nodelay \
        UNIX-CONNECT:/run/capsem-vsock/proxy.sock &
fi
if [ "$fault" != dnsmasq-missing ]; then
    address=10.0.0.1
    if [ "$fault" = dns-wrong-address ]; then
        address=10.9.9.9
    fi
    # No upstream server and no hosts file: every name resolves to
    # $address. --bind-dynamic waits for 127.0.0.1 while lo is down.
    /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null \
        --no-resolv --no-hosts --listen-address=127.0.0.1 --bind-dynamic \
        "--address=/#/$address" --pid-file=/run/dnsmasq.pid \
        --log-facility=- &
fi
case $fault in
sshd-process) /usr/sbin/sshd infinity & ;;
cron-process) /usr/sbin/cron infinity & ;;
systemd-process) /usr/lib/systemd/systemd infinity & ;;
esac

: >/run/lab-ready
# wait blocks in waitpid(-1) while a child runs, so it also reaps the
# orphans that the kernel hands to PID 1.
while :; do
    wait
    sleep 1
done
EOF_INIT
    chmod 0755 "$tree/usr/sbin/lab-init"
}

# Stand-ins for forbidden services: copies of sleep under their names.
rootfs_add_forbidden() {
    local tree=$1 fault=$2 path=
    case $fault in
    sshd-process) path=/usr/sbin/sshd ;;
    cron-process) path=/usr/sbin/cron ;;
    systemd-process) path=/usr/lib/systemd/systemd ;;
    esac
    if [ -n "$path" ]; then
        mkdir -p "$tree$(dirname "$path")"
        cp -f "$(readlink -f /usr/bin/sleep)" "$tree$path"
        chmod 0755 "$tree$path"
    fi
}

# A file that mksquashfs writes first (lab.sh passes it with top priority
# in -sort), so that the data after the superblock is plain text. The
# image is uncompressed, so other file contents there can carry another
# filesystem's magic: a base64 line of the CA bundle put "H+" at offset
# 0x400, libblkid saw hfsplus beside squashfs and the doctor's probe of
# /dev/vda failed as ambivalent. 128 KiB is one squashfs block, and covers
# the offsets where libblkid looks for most signatures.
ROOTFS_HEAD_GUARD=usr/share/capsem-lab/image-head

rootfs_write_head_guard() {
    local tree=$1 text
    text=$'capsem-doctor lab: text that keeps filesystem signatures out of the head of the root image\n'
    while [ "${#text}" -lt 131072 ]; do
        text+=$text
    done
    mkdir -p "$tree/$(dirname "$ROOTFS_HEAD_GUARD")"
    printf '%s' "${text:0:131072}" >"$tree/$ROOTFS_HEAD_GUARD"
}

# Faults that change the root image. Every other fault runs on the
# compliant image, so lab.sh can reuse one image for all of them.
ROOTFS_IMAGE_FAULTS=(
    setuid-file setgid-file writable-guest-binary missing-guest-binary
    guest-binary-not-executable bash-missing no-venv resolver-not-loopback
    sshd-process cron-process systemd-process ca-missing-from-bundle
)

# Print the image that a fault needs: the fault's name, or "compliant".
rootfs_image_variant() {
    local fault
    for fault in "${ROOTFS_IMAGE_FAULTS[@]}"; do
        if [ "$fault" = "$1" ]; then
            echo "$1"
            return 0
        fi
    done
    echo compliant
}

# Build the whole guest tree for one fault ("" for a compliant guest),
# trusting the lab CA in the file CA.
rootfs_build() {
    local tree=$1 doctor=$2 profile=$3 fault=$4 ca=$5 nameserver=127.0.0.1
    local dir file libraries netlib no_venv=0
    netlib=$(dirname "$doctor")/libcapsem-doctor-net.so

    if [ ! -f "$netlib" ]; then
        echo "lab: $netlib not found beside the doctor; build it with" \
            "cmake --build build (target capsem-doctor-net)" >&2
        return 1
    fi

    # Any nameserver off loopback will do: the doctor sends it no query.
    if [ "$fault" = resolver-not-loopback ]; then
        nameserver=10.0.0.1
    fi

    mkdir -p "$tree"
    rootfs_add_top_links "$tree"
    rootfs_add_with_libraries "$tree" "${ROOTFS_PROGRAMS[@]}"
    rootfs_add_iptables "$tree"
    # The doctor and socat go to their guest paths, not to their paths on
    # the host, and the doctor's network library to ../lib/capsem-doctor/
    # from there, where the doctor looks for it.
    libraries=$(rootfs_libraries "$doctor" "$netlib" \
        "$(readlink -f /usr/bin/socat)")
    while IFS= read -r file; do
        if [ -n "$file" ]; then
            rootfs_add "$tree" "$file"
        fi
    done <<<"$libraries"
    if [ "$fault" = no-venv ]; then
        no_venv=1
    fi
    rootfs_add_python "$tree" "$no_venv"
    rootfs_copy "$tree"
    ln -sfn dash "$tree/usr/bin/sh"
    rootfs_link_iptables "$tree"

    mkdir -p "$tree/usr/local/bin" "$tree/usr/local/lib/capsem-doctor" \
        "$tree/etc/capsem-doctor"
    cp -f "$doctor" "$tree/usr/local/bin/capsem-doctor"
    chmod 0755 "$tree/usr/local/bin/capsem-doctor"
    cp -f "$netlib" "$tree/usr/local/lib/capsem-doctor/libcapsem-doctor-net.so"
    chmod 0644 "$tree/usr/local/lib/capsem-doctor/libcapsem-doctor-net.so"
    cp -f "$profile" "$tree/etc/capsem-doctor/lab.json"

    if [ "$fault" = bash-missing ]; then
        rm -f "$tree$(readlink -f /bin/bash)"
    fi
    if [ "$fault" != no-venv ]; then
        mkdir -p "$tree/opt/venv/bin"
        ln -sfn /usr/bin/python3 "$tree/opt/venv/bin/python3"
        ln -sfn python3 "$tree/opt/venv/bin/python"
        printf '%s\n' 'home = /usr/bin' 'include-system-site-packages = false' \
            >"$tree/opt/venv/pyvenv.cfg"
    fi

    rootfs_add_guest_binaries "$tree" "$fault"
    rootfs_add_ca "$tree" "$fault" "$ca"
    rootfs_add_forbidden "$tree" "$fault"
    rootfs_write_etc "$tree" "$nameserver"
    rootfs_write_init "$tree"
    rootfs_write_head_guard "$tree"

    # Mount points: the lab mounts over each of these.
    for dir in proc sys dev run tmp var/log var/tmp .capsem-upper; do
        mkdir -p "$tree/$dir"
    done
    mkdir -p -m 0700 "$tree/root"
    chmod 1777 "$tree/tmp" "$tree/var/tmp"

    # cp already dropped the bits; this catches anything made another way.
    find "$tree" -type f -perm /6000 -exec chmod ug-s {} +
    case $fault in
    setuid-file)
        cp -f "$(readlink -f /usr/bin/sleep)" "$tree/usr/local/bin/lab-setuid"
        chmod 4755 "$tree/usr/local/bin/lab-setuid"
        ;;
    setgid-file)
        cp -f "$(readlink -f /usr/bin/sleep)" "$tree/usr/local/bin/lab-setgid"
        chmod 2755 "$tree/usr/local/bin/lab-setgid"
        ;;
    esac
}
