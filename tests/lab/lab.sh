#!/usr/bin/env bash
# The capsem-doctor lab: a sandbox shaped like a Capsem guest, built from
# Linux namespaces on this machine, to test the doctor's verdicts against.
# Run as root. docs/lab.md describes the lab, its faults and its limits.
#
# usage: lab.sh up [--fault NAME] | run COMMAND... | down | status | faults
set -euo pipefail

LAB_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LAB_SCRIPT_DIR/../.." && pwd)
LAB_DIR=${CAPSEM_LAB_DIR:-/run/capsem-lab}
DOCTOR=${CAPSEM_DOCTOR:-$REPO_DIR/build/capsem-doctor}
PROFILE=$REPO_DIR/profiles/lab.json
NETNS=capsem-lab
SENTINEL=10.0.0.1
# A file with this name marks LAB_DIR as the lab's, so down removes only a
# directory that up made.
STATE_MARK=capsem-lab.state
READY_TIMEOUT_SECONDS=20

GUEST_PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin
# The lab CA in the guest: the profile's network.ca_cert, and the system
# bundle that also contains it.
GUEST_CA_CERT=/usr/local/share/ca-certificates/capsem-ca.crt
GUEST_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

# name|what the fault breaks. faults.tsv maps each name to the checks that
# must fail.
FAULTS=(
    "setuid-file|a setuid file, /usr/local/bin/lab-setuid, in the root image"
    "setgid-file|a setgid file, /usr/local/bin/lab-setgid, in the root image"
    "sshd-process|a process named sshd runs"
    "cron-process|a process named cron runs"
    "systemd-process|a process named systemd runs"
    "eth0-link|a tun link named eth0 exists beside lo and dummy0"
    "writable-guest-binary|capsem-mcp-server has mode 0755 instead of 0555"
    "missing-guest-binary|capsem-mcp-server is not in the root image"
    "guest-binary-not-executable|capsem-mcp-server has mode 0444"
    "readonly-var-log|/var/log is a read-only tmpfs"
    "tmp-readonly|/tmp is a read-only tmpfs"
    "root-not-overlay|/ is the squashfs itself, with no overlay"
    "overlay-no-upper|/ is an overlay of two lower layers without upperdir"
    "upper-not-tmpfs|the overlay's upperdir is on an ext4 disk, not tmpfs"
    "vda-not-squashfs|/dev/vda is the ext4 scratch disk"
    "no-vda|/dev/vda does not exist"
    "debugfs-mounted|debugfs is mounted at /sys/kernel/debug"
    "root-not-ext4|/root is a tmpfs, not the ext4 scratch disk"
    "small-scratch|the scratch disk is 3 GiB, under the 4 GB promised"
    "dev-pts-missing|nothing is mounted at /dev/pts"
    "dev-not-mounted|/dev is a directory of the root overlay, not a tmpfs"
    "sys-missing|nothing is mounted at /sys"
    "dev-mem-present|/dev/mem exists (character device 1:1)"
    "dev-port-present|/dev/port exists (character device 1:4)"
    "bash-missing|/bin/bash is not in the root image"
    "no-venv|/opt/venv is not in the root image"
    "venv-inactive|run sets no VIRTUAL_ENV"
    "term-wrong|run sets TERM=dumb"
    "home-wrong|run sets HOME=/home/agent"
    "path-wrong|run leaves /usr/local/bin out of PATH"
    "clock-skewed|run passes a CAPSEM_HOST_TIME 300 s ahead of the clock"
    "arch-wrong|run uses the 32-bit personality, so uname -m changes"
    "kernel-wrong|run uses the UNAME26 personality, so uname -r is 2.6.x"
    "lo-down|lo is down"
    "no-dummy0|there is no dummy0 link"
    "ipv6-enabled|IPv6 is not disabled in the lab's network namespace"
    "no-nat-rule|no nat rule redirects TCP port 443 to 10443"
    "dnsmasq-missing|dnsmasq does not run"
    "dns-wrong-address|dnsmasq answers every name with 10.9.9.9"
    "resolver-not-loopback|/etc/resolv.conf names nameserver 10.0.0.1"
    "pty-agent-missing|capsem-pty-agent does not run"
    "net-proxy-missing|capsem-net-proxy, the bridge from port 10443 to the host's proxy, does not run"
    "proxy-stopped|nginx, the TLS proxy outside the namespace, does not run"
    "allowed-domain-denied|the proxy answers 403 for the first allowed domain"
    "denied-domain-allowed|the proxy serves the first denied domain from the origin"
    "ca-missing-from-bundle|the lab CA is not in /etc/ssl/certs/ca-certificates.crt"
    "ca-variable-unset|run sets no SSL_CERT_FILE"
    "port-80-open|a nat rule redirects TCP port 80 to the proxy's port 10443"
    "default-route-present|the lab's namespace has a default route through dummy0"
    "proxy-no-tls|the proxy speaks plain HTTP, without TLS"
    "proxy-foreign-ca|the proxy's certificates for the allowed domains sign themselves"
    "proxy-closes-after-tls|the proxy completes TLS for an allowed domain, then closes without a response"
    "proxy-allows-everything|the proxy forwards every name to the origin"
    "port-8443-open|a nat rule redirects TCP port 8443 to the proxy's port 10443"
    "throughput-slow|the origin sends bodies at 15 MB/s"
)

# shellcheck source=tests/lab/rootfs.sh
. "$LAB_SCRIPT_DIR/rootfs.sh"
# shellcheck source=tests/lab/net.sh
. "$LAB_SCRIPT_DIR/net.sh"

log() { echo "lab: $*" >&2; }
die() {
    log "$*"
    exit 1
}

usage() {
    cat <<EOF
usage: $0 COMMAND

commands:
  up [--fault NAME]  build and start the lab, compliant or with one fault
  run COMMAND...     run COMMAND inside the lab in the guest's environment
  down               stop the lab and remove everything that up made
  status             print the lab's namespace, init, loop devices and mounts
  faults             list the fault names and what each breaks

environment:
  CAPSEM_LAB_DIR     state directory (default /run/capsem-lab)
  CAPSEM_DOCTOR      doctor binary to install in the guest
                     (default: build/capsem-doctor of this checkout)
EOF
}

require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        die "$1 needs root: it creates namespaces, mounts and loop devices"
    fi
}

fault_known() {
    local entry
    for entry in "${FAULTS[@]}"; do
        if [ "${entry%%|*}" = "$1" ]; then
            return 0
        fi
    done
    return 1
}

state_get() {
    cat "$LAB_DIR/$1" 2>/dev/null || true
}

# The start time of a process in clock ticks since boot (field 22 of
# /proc/PID/stat), which distinguishes it from a later process that reuses
# its PID.
process_start_time() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    echo "${20}"
}

# The recorded init PID when that process still runs, else nothing.
running_init_pid() {
    local pid start
    pid=$(state_get init.pid)
    start=$(state_get init.start)
    if [ -n "$pid" ] && [ "$(process_start_time "$pid" || true)" = "$start" ]; then
        echo "$pid"
    fi
}

# True when the process is PID 1 of a PID namespace below the host's: its
# NSpid line lists two PIDs, the second of them 1.
is_namespace_init() {
    local key second rest
    while read -r key _ second rest; do
        # An explicit status: a bare return inside the ERR trap's clean-up
        # would return the status of the command that fired the trap.
        if [ "$key" = NSpid: ]; then
            if [ "$second" = 1 ] && [ -z "$rest" ]; then
                return 0
            fi
            return 1
        fi
    done < <(cat "/proc/$1/status" 2>/dev/null)
    return 1
}

# PID 1 of the lab's PID namespace, seen from the host: the child of the
# unshare launcher, or else any process in the lab's network namespace
# that is a namespace's PID 1. Only bash builtins run per process, because
# a machine has hundreds.
find_lab_init() {
    local launcher child dir
    launcher=$(state_get launcher.pid)
    # The children file has no final newline, so read returns 1 even when
    # it reads a PID.
    if [ -n "$launcher" ]; then
        read -r child _ <"/proc/$launcher/task/$launcher/children" 2>/dev/null || true
    fi
    if [ -n "${child:-}" ] && is_namespace_init "$child"; then
        echo "$child"
        return 0
    fi
    for dir in /proc/[0-9]*; do
        if [ "$dir/ns/net" -ef "/run/netns/$NETNS" ] &&
            is_namespace_init "${dir#/proc/}"; then
            echo "${dir#/proc/}"
            return 0
        fi
    done
    return 1
}

# ---- up --------------------------------------------------------------------

make_state_dir() {
    if [ -e "$LAB_DIR" ]; then
        if [ -n "$(running_init_pid)" ]; then
            die "the lab is already running (init pid $(state_get init.pid), state in $LAB_DIR); run '$0 down' first"
        fi
        if [ -e "$LAB_DIR/$STATE_MARK" ]; then
            die "$LAB_DIR holds the state of a lab that is not running; run '$0 down' to clean it up"
        fi
        die "$LAB_DIR exists and is not a lab state directory; remove it or set CAPSEM_LAB_DIR"
    fi
    mkdir -p -m 0700 "$LAB_DIR"
    : >"$LAB_DIR/$STATE_MARK"
}

# Build the root image, or reuse it from CAPSEM_LAB_IMAGE_CACHE. The cache
# is for matrix.sh, which makes it, and removes it when it ends: a cached
# image does not follow later changes to the doctor, the profile or the
# host's programs.
build_root_image() {
    local fault=$1 tree=$LAB_DIR/tree image=$LAB_DIR/rootfs.squashfs
    local variant cached=""

    variant=$(rootfs_image_variant "$fault")
    if [ -n "${CAPSEM_LAB_IMAGE_CACHE:-}" ]; then
        cached=$CAPSEM_LAB_IMAGE_CACHE/$variant.squashfs
        if [ -f "$cached" ]; then
            cp "$cached" "$image"
            return 0
        fi
    fi
    # The tree's thousands of small files live only until mksquashfs has
    # read them. On a tmpfs they cost no disk writes, which matters where
    # /run is on disk: the Python library alone took 1.2 s to write there
    # on the 2-core VM of docs/lab.md.
    mkdir -p "$tree"
    mount -t tmpfs -o mode=0755 capsem-lab-tree "$tree"
    rootfs_build "$tree" "$DOCTOR" "$PROFILE" "$fault" "$NET_DIR/ca.crt"
    printf '%s 32767\n' "$ROOTFS_HEAD_GUARD" >"$LAB_DIR/squashfs.sort"
    # Uncompressed: the image lives only as long as the lab, and skipping
    # compression makes up faster.
    mksquashfs "$tree" "$image" -noappend -all-root -no-xattrs \
        -noI -noD -noF -noX -quiet -no-progress \
        -sort "$LAB_DIR/squashfs.sort" >/dev/null
    umount "$tree"
    rmdir "$tree"
    if [ -n "$cached" ]; then
        cp "$image" "$cached"
    fi
}

build_images() {
    local fault=$1 scratch_size=4G

    build_root_image "$fault"
    if [ "$fault" = small-scratch ]; then
        scratch_size=3G
    fi
    truncate -s "$scratch_size" "$LAB_DIR/scratch.img"
    mkfs.ext4 -q -F -L capsem-scratch "$LAB_DIR/scratch.img"
    if [ "$fault" = upper-not-tmpfs ]; then
        truncate -s 64M "$LAB_DIR/upper.img"
        mkfs.ext4 -q -F -L capsem-upper "$LAB_DIR/upper.img"
    fi
}

attach_loop() {
    local role=$1 image=$2 read_only=$3 device
    if [ "$read_only" = ro ]; then
        device=$(losetup --find --show --read-only "$image")
    else
        device=$(losetup --find --show "$image")
    fi
    echo "$role $device $image" >>"$LAB_DIR/loops"
    echo "$device"
}

loop_device() {
    awk -v role="$1" '$1 == role { print $2 }' "$LAB_DIR/loops" 2>/dev/null
}

create_netns() {
    local fault=$1

    if ip netns list | awk '{ print $1 }' | grep -qx "$NETNS"; then
        die "network namespace $NETNS already exists; delete it with 'ip netns del $NETNS' if no lab uses it"
    fi
    # ip netns add makes /run/netns a mount point if it is not one; down
    # undoes that only when up did it.
    if [ ! -d /run/netns ]; then
        echo dir >>"$LAB_DIR/netns-created"
    fi
    if ! mountpoint -q /run/netns 2>/dev/null; then
        echo mount >>"$LAB_DIR/netns-created"
    fi
    ip netns add "$NETNS"
    echo "$NETNS" >"$LAB_DIR/netns"

    if [ "$fault" != lo-down ]; then
        ip -n "$NETNS" link set lo up
    fi
    # No dummy driver on this kernel: a tun device with no process behind
    # it is a link that carries nothing, like dummy0.
    if [ "$fault" != no-dummy0 ]; then
        ip -n "$NETNS" tuntap add dev dummy0 mode tun
        ip -n "$NETNS" addr add "$SENTINEL/32" dev dummy0
        ip -n "$NETNS" link set dummy0 up
    fi
    if [ "$fault" = eth0-link ]; then
        ip -n "$NETNS" tuntap add dev eth0 mode tun
    fi
    # /proc/sys/net belongs to the network namespace of the process that
    # opens it.
    if [ "$fault" != ipv6-enabled ]; then
        nsenter --net="/run/netns/$NETNS" sh -c \
            'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 &&
             echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6'
    fi
    if [ "$fault" != no-nat-rule ]; then
        nsenter --net="/run/netns/$NETNS" iptables -t nat -A OUTPUT -p tcp \
            --dport 443 -j REDIRECT --to-ports 10443
    fi
    if [ "$fault" = port-80-open ]; then
        nsenter --net="/run/netns/$NETNS" iptables -t nat -A OUTPUT -p tcp \
            --dport 80 -j REDIRECT --to-ports 10443
    fi
    if [ "$fault" = port-8443-open ]; then
        nsenter --net="/run/netns/$NETNS" iptables -t nat -A OUTPUT -p tcp \
            --dport 8443 -j REDIRECT --to-ports 10443
    fi
    # dummy0 is a tun device that no process reads, so whatever this route
    # sends is dropped: the namespace still has no way off this machine.
    if [ "$fault" = default-route-present ]; then
        ip -n "$NETNS" route add default dev dummy0
    fi
}

# Close every descriptor above 2 of the calling (sub)shell, so that a
# process that it starts and that outlives this command keeps none of the
# caller's pipes open.
close_inherited_descriptors() {
    local fd
    for fd in /proc/self/fd/*; do
        fd=${fd##*/}
        if [ "$fd" -gt 2 ]; then
            eval "exec $fd>&-" 2>/dev/null || true
        fi
    done
}

start_init() {
    local fault=$1 upper_device
    upper_device=$(loop_device upper)
    mkdir -p "$LAB_DIR/stage"
    (
        close_inherited_descriptors
        exec setsid nsenter --net="/run/netns/$NETNS" \
            unshare --mount --uts --pid --fork --kill-child \
            --propagation private \
            bash "$LAB_SCRIPT_DIR/ns-setup.sh" "$LAB_DIR/stage" "$fault" \
            "$NET_VSOCK_DIR" "$(loop_device squashfs)" "$(loop_device scratch)" \
            ${upper_device:+"$upper_device"}
    ) </dev/null >"$LAB_DIR/init.log" 2>&1 &
    echo "$!" >"$LAB_DIR/launcher.pid"
}

# True when the lab's namespace has a socket in FILE (/proc/PID/net/udp or
# tcp) bound to 127.0.0.1 at the hexadecimal PORT, in STATE (07 unconnected
# UDP, 0A listening TCP).
lab_listens() {
    local file=$1 port=$2 state=$3
    awk -v local="0100007F:$port" -v state="$state" \
        '$2 == local && $4 == state { found = 1 } END { exit !found }' \
        "$file" 2>/dev/null
}

# Wait until the guest's init has started its services and, unless the
# fault prevents it, dnsmasq listens on 127.0.0.1:53 and capsem-net-proxy
# on 127.0.0.1:10443 (hexadecimal 0035 and 28CB).
wait_ready() {
    local fault=$1 deadline pid=""
    deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if [ -z "$pid" ]; then
            pid=$(find_lab_init || true)
        fi
        if [ -n "$pid" ] && [ -e "/proc/$pid/root/run/lab-ready" ] &&
            [ -e "/proc/$pid/root/usr/sbin/lab-init" ]; then
            # With lo down, dnsmasq waits for 127.0.0.1, and
            # capsem-net-proxy cannot bind it.
            if { [ "$fault" = dnsmasq-missing ] || [ "$fault" = lo-down ] ||
                lab_listens "/proc/$pid/net/udp" 0035 07; } &&
                { [ "$fault" = net-proxy-missing ] || [ "$fault" = lo-down ] ||
                    lab_listens "/proc/$pid/net/tcp" 28CB 0A; }; then
                echo "$pid" >"$LAB_DIR/init.pid"
                process_start_time "$pid" >"$LAB_DIR/init.start"
                return 0
            fi
        fi
        if [ ! -d "/proc/$(state_get launcher.pid)" ]; then
            log "the lab's init exited during start-up"
            return 1
        fi
        sleep 0.05
    done
    log "the lab did not become ready within ${READY_TIMEOUT_SECONDS} s"
    return 1
}

cmd_up() {
    local fault="" started
    while [ $# -gt 0 ]; do
        case $1 in
        --fault)
            [ $# -ge 2 ] || die "--fault needs a fault name; '$0 faults' lists them"
            fault=$2
            shift 2
            ;;
        --fault=*)
            fault=${1#--fault=}
            shift
            ;;
        *) die "up: unknown argument '$1'; usage: $0 up [--fault NAME]" ;;
        esac
    done
    require_root up
    if [ -n "$fault" ] && ! fault_known "$fault"; then
        die "unknown fault '$fault'; '$0 faults' lists them"
    fi
    [ -x "$DOCTOR" ] || die "capsem-doctor not found at $DOCTOR; build it (cmake --build build --target capsem-doctor) or set CAPSEM_DOCTOR"
    [ -r "$PROFILE" ] || die "lab profile not found at $PROFILE"

    started=$(date +%s%N)
    make_state_dir
    echo "$fault" >"$LAB_DIR/fault"
    # errtrace: functions that fail trigger the clean-up too.
    set -E
    trap 'log "up failed; cleaning up"; teardown; exit 1' ERR

    net_read_profile "$PROFILE"
    net_make_ca "${CAPSEM_LAB_IMAGE_CACHE:-}"
    build_images "$fault"
    net_up "$fault"
    attach_loop squashfs "$LAB_DIR/rootfs.squashfs" ro >/dev/null
    attach_loop scratch "$LAB_DIR/scratch.img" rw >/dev/null
    if [ -e "$LAB_DIR/upper.img" ]; then
        attach_loop upper "$LAB_DIR/upper.img" rw >/dev/null
    fi
    create_netns "$fault"
    start_init "$fault"
    if ! wait_ready "$fault"; then
        log "its init log:"
        sed 's/^/  /' "$LAB_DIR/init.log" >&2 || true
        false
    fi
    trap - ERR
    set +E
    printf 'lab: up%s in %d ms (init pid %s, network namespace %s)\n' \
        "${fault:+ with fault $fault}" \
        $((($(date +%s%N) - started) / 1000000)) \
        "$(state_get init.pid)" "$NETNS"
}

# ---- run -------------------------------------------------------------------

cmd_run() {
    local pid fault host_time prefix=() environment
    [ $# -gt 0 ] || die "run needs a command; usage: $0 run COMMAND..."
    require_root run
    pid=$(running_init_pid)
    [ -n "$pid" ] || die "the lab is not running; start it with '$0 up'"
    fault=$(state_get fault)

    host_time=$(date +%s)
    # The CA variables point at files in the root image that contain the
    # lab CA: the system bundle for OpenSSL and Python's requests, the CA
    # alone for Node.js, which adds it to its own roots.
    environment=(TERM=xterm-256color HOME=/root "PATH=$GUEST_PATH"
        VIRTUAL_ENV=/opt/venv "SSL_CERT_FILE=$GUEST_CA_BUNDLE"
        "REQUESTS_CA_BUNDLE=$GUEST_CA_BUNDLE" "NODE_EXTRA_CA_CERTS=$GUEST_CA_CERT")
    case $fault in
    term-wrong) environment[0]=TERM=dumb ;;
    home-wrong) environment[1]=HOME=/home/agent ;;
    path-wrong) environment[2]=PATH=/opt/venv/bin:/usr/bin:/bin ;;
    venv-inactive) unset 'environment[3]' ;;
    ca-variable-unset) unset 'environment[4]' ;;
    clock-skewed) host_time=$((host_time + 300)) ;;
    # Personalities pass through nsenter and exec to the command.
    arch-wrong) prefix=(setarch linux32) ;;
    kernel-wrong) prefix=(setarch "$(uname -m)" --uname-2.6) ;;
    esac
    environment+=("CAPSEM_HOST_TIME=$host_time")

    # nsenter --wd=/root would open /root before entering the namespaces,
    # so the command would start in the host's /root. --wd takes the cwd of
    # the lab's init instead, which is inside the lab, and env -C moves to
    # the guest's /root.
    exec "${prefix[@]}" nsenter --target "$pid" --mount --pid --uts --net \
        --root --wd /usr/bin/env -i -C /root "${environment[@]}" "$@"
}

# ---- down ------------------------------------------------------------------

# True when a process has exited. A zombie counts as exited: it has
# already left its namespaces, and its parent (after up returns, whatever
# adopted it) reaps it in its own time.
process_gone() {
    local state
    state=$(awk '$1 == "State:" { print $2 }' "/proc/$1/status" 2>/dev/null)
    [ -z "$state" ] || [ "$state" = Z ]
}

wait_gone() {
    local pid=$1 tries=0
    while ! process_gone "$pid" && [ "$tries" -lt 100 ]; do
        sleep 0.02
        tries=$((tries + 1))
    done
    process_gone "$pid"
}

# Remove everything recorded in LAB_DIR, in reverse order of up. Safe to
# run on a half-built lab.
teardown() {
    local pid start parent role device image netns tries

    pid=$(state_get init.pid)
    start=$(state_get init.start)
    if [ -z "$pid" ] && [ -e "/run/netns/$NETNS" ]; then
        pid=$(find_lab_init || true)
        if [ -n "$pid" ]; then
            start=$(process_start_time "$pid" || true)
        fi
    fi
    if [ -n "$pid" ] && [ "$(process_start_time "$pid" || true)" = "$start" ]; then
        parent=$(awk '$1 == "PPid:" { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        # SIGKILL to PID 1 of a PID namespace ends every process in it.
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" || log "init $pid is still running after SIGKILL"
        if [ -n "$parent" ] && [ "$parent" != 1 ]; then
            wait_gone "$parent" || true
        fi
    fi
    net_down

    netns=$(state_get netns)
    if [ -n "$netns" ] && [ -e "/run/netns/$netns" ]; then
        ip netns del "$netns" || log "cannot delete network namespace $netns"
    fi
    if grep -qx mount "$LAB_DIR/netns-created" 2>/dev/null &&
        mountpoint -q /run/netns && [ -z "$(ls -A /run/netns)" ]; then
        umount /run/netns || log "cannot unmount /run/netns"
    fi
    if grep -qx dir "$LAB_DIR/netns-created" 2>/dev/null &&
        [ -d /run/netns ] && [ -z "$(ls -A /run/netns)" ] &&
        ! mountpoint -q /run/netns; then
        rmdir /run/netns
    fi

    # The mounts lived only in the lab's mount namespace, which ended with
    # its last process. A loop device still held by a closing mount is
    # detached by the kernel once it is released.
    if [ -e "$LAB_DIR/loops" ]; then
        while read -r role device image; do
            if [ "$(losetup -n -O BACK-FILE "$device" 2>/dev/null)" = "$image" ]; then
                losetup -d "$device" || log "cannot detach $device ($role)"
            fi
        done <"$LAB_DIR/loops"
    fi
    # An interrupted up can attach a device before it records it in the
    # loops file: detach every device backed by an image of this lab.
    while read -r device backing; do
        case "$backing" in
        "$LAB_DIR"/*) losetup -d "$device" ||
            log "cannot detach $device ($backing)" ;;
        esac
    done < <(losetup -n -O NAME,BACK-FILE 2>/dev/null |
        sed 's/ (deleted)$//')
    if losetup -n -O BACK-FILE | grep -qF "$LAB_DIR/"; then
        tries=0
        while [ "$tries" -lt 100 ] &&
            losetup -n -O BACK-FILE | grep -qF "$LAB_DIR/"; do
            sleep 0.02
            tries=$((tries + 1))
        done
        if losetup -n -O BACK-FILE | grep -qF "$LAB_DIR/"; then
            log "loop devices still attached to images in $LAB_DIR:"
            losetup -a >&2
        fi
    fi

    # An up interrupted while it built the root tree leaves its tmpfs.
    if mountpoint -q "$LAB_DIR/tree" 2>/dev/null; then
        umount "$LAB_DIR/tree" || log "cannot unmount $LAB_DIR/tree"
    fi
    if [ -e "$LAB_DIR/$STATE_MARK" ]; then
        rm -rf "$LAB_DIR"
    fi
}

cmd_down() {
    local started
    require_root down
    if [ ! -e "$LAB_DIR/$STATE_MARK" ]; then
        echo "lab: not running (no lab state in $LAB_DIR); nothing to do"
        return 0
    fi
    started=$(date +%s%N)
    teardown
    printf 'lab: down in %d ms\n' $((($(date +%s%N) - started) / 1000000))
}

# ---- status and faults -----------------------------------------------------

# Print every process in the lab's PID namespace: host PID, name, command.
print_lab_processes() {
    local init=$1 proc
    for proc in /proc/[0-9]*; do
        if [ "$proc/ns/pid" -ef "/proc/$init/ns/pid" ]; then
            printf '  %-7s %-16s %s\n' "${proc#/proc/}" \
                "$(cat "$proc/comm" 2>/dev/null)" \
                "$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null)"
        fi
    done
}

cmd_status() {
    local pid role device image
    if [ ! -e "$LAB_DIR/$STATE_MARK" ]; then
        echo "lab: not running (no lab state in $LAB_DIR)"
        return 3
    fi

    pid=$(running_init_pid)
    echo "state:             $LAB_DIR"
    echo "fault:             $(state_get fault | sed 's/^$/none (compliant)/')"
    echo "network namespace: $(state_get netns)"
    if [ -z "$pid" ]; then
        echo "init:              not running (run '$0 down' to clean up)"
        return 1
    fi
    echo "init pid:          $pid"

    echo
    echo "loop devices:"
    while read -r role device image; do
        printf '  %-9s %s  %s\n' "$role" "$device" "$image"
    done <"$LAB_DIR/loops"

    echo
    echo "processes (host pid, name, command line):"
    print_lab_processes "$pid"

    echo
    echo "proxy on the host:"
    if net_nginx_running; then
        echo "  nginx $(state_get nginx.pid), listening on $NET_VSOCK_DIR/$NET_PROXY_SOCKET (/run/capsem-vsock/$NET_PROXY_SOCKET in the lab)"
    else
        echo "  nginx is not running"
    fi

    echo
    echo "links:"
    ip -n "$(state_get netns)" -brief address | sed 's/^/  /'

    echo
    echo "mounts:"
    findmnt --task "$pid" -o TARGET,SOURCE,FSTYPE,OPTIONS | sed 's/^/  /'
}

cmd_faults() {
    local entry
    for entry in "${FAULTS[@]}"; do
        printf '%-28s %s\n' "${entry%%|*}" "${entry#*|}"
    done
}

main() {
    local command=${1:-}
    [ $# -gt 0 ] && shift
    case $command in
    up) cmd_up "$@" ;;
    run) cmd_run "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    faults) cmd_faults "$@" ;;
    -h | --help | help) usage ;;
    "")
        usage >&2
        exit 2
        ;;
    *)
        log "unknown command '$command'"
        usage >&2
        exit 2
        ;;
    esac
}

main "$@"
