#!/usr/bin/env bash
# PID 1 of the lab's new PID namespace while it builds the guest's
# filesystems. tests/lab/lab.sh starts it in the lab's network namespace
# and in new mount and UTS namespaces. It pivots twice: first into a
# staging tmpfs that contains the host's programs read-only, where the root
# overlay is mounted with the paths it will show inside the lab, then into
# the overlay itself, after which it execs the guest's init. Host programs
# run until the second pivot_root, guest programs after it.
#
# usage: ns-setup.sh STAGE_DIR FAULT VSOCK_DIR SQUASHFS_DEVICE
#                    SCRATCH_DEVICE [UPPER_DEVICE]
#
# VSOCK_DIR is the host directory that contains the Unix socket of the
# lab's proxy. The guest sees it at /run/capsem-vsock, where a real guest would
# have its vsock to the host.
set -euo pipefail

stage=$1
fault=$2
vsock_dir=$3
squashfs_device=$4
scratch_device=$5
upper_device=${6:-}

# mknod a block node with the device numbers of a host device.
make_block_node() {
    local node=$1 device=$2
    mknod -m 0600 "$node" b "$((0x$(stat -c %t "$device")))" \
        "$((0x$(stat -c %T "$device")))"
}

make_char_node() {
    local node=$1 mode=$2 major=$3 minor=$4
    mknod -m "$mode" "$node" c "$major" "$minor"
}

# The ordinary guest mounts: tmpfs at the writable paths, with the one
# that a fault names read-only.
mount_writable_paths() {
    local root=$1 path mode options
    for path in tmp run var/log var/tmp; do
        mode=0755
        case $path in
        tmp | var/tmp) mode=1777 ;;
        esac
        options=nosuid,nodev,mode=$mode
        if [ "$fault" = tmp-readonly ] && [ "$path" = tmp ]; then
            options=ro,$options
        fi
        if [ "$fault" = readonly-var-log ] && [ "$path" = var/log ]; then
            options=ro,$options
        fi
        mount -t tmpfs -o "$options" "lab-${path//\//-}" "$root/$path"
    done
}

# /dev: a tmpfs with the usual character devices, /dev/vda for the root
# image, /dev/vdb for the scratch disk, a tmpfs at /dev/shm and a private
# devpts instance.
populate_dev() {
    local root=$1 dev=$1/dev

    if [ "$fault" != dev-not-mounted ]; then
        mount -t tmpfs -o nosuid,noexec,mode=0755,size=1m lab-dev "$dev"
    fi
    make_char_node "$dev/null" 0666 1 3
    make_char_node "$dev/zero" 0666 1 5
    make_char_node "$dev/full" 0666 1 7
    make_char_node "$dev/random" 0666 1 8
    make_char_node "$dev/urandom" 0666 1 9
    make_char_node "$dev/tty" 0666 5 0
    make_char_node "$dev/ptmx" 0666 5 2
    case $fault in
    no-vda) ;;
    vda-not-squashfs) make_block_node "$dev/vda" /dev/vdb ;;
    *) make_block_node "$dev/vda" /dev/vda ;;
    esac
    make_block_node "$dev/vdb" /dev/vdb
    # Character devices 1:1 and 1:4 are /dev/mem and /dev/port. The
    # doctor only looks for the node; nothing opens it.
    if [ "$fault" = dev-mem-present ]; then
        make_char_node "$dev/mem" 0640 1 1
    fi
    if [ "$fault" = dev-port-present ]; then
        make_char_node "$dev/port" 0640 1 4
    fi
    ln -s /proc/self/fd "$dev/fd"
    ln -s /proc/self/fd/0 "$dev/stdin"
    ln -s /proc/self/fd/1 "$dev/stdout"
    ln -s /proc/self/fd/2 "$dev/stderr"
    # The doctor's check runner (Criterion) keeps its shared arena in
    # /dev/shm.
    mkdir -m 1777 "$dev/shm"
    mount -t tmpfs -o nosuid,nodev,mode=1777 lab-shm "$dev/shm"
    mkdir -m 0755 "$dev/pts"
    if [ "$fault" != dev-pts-missing ]; then
        mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 lab-devpts \
            "$dev/pts"
    fi
}

# The root overlay: squashfs lower, tmpfs upper. Its options name paths in
# the staging root, and the upper tmpfs is bound at the same path inside
# the guest, so upperdir= names a mount the guest can see.
mount_root() {
    local root=$1
    case $fault in
    root-not-overlay)
        mount -t squashfs -o ro /dev/vda "$root"
        ;;
    overlay-no-upper)
        # Without upperdir, overlayfs takes two lower layers and is
        # read-only.
        mount -t overlay -o lowerdir=/.capsem-upper/data:/.capsem-lower \
            overlay "$root"
        ;;
    *)
        mount -t overlay -o lowerdir=/.capsem-lower,upperdir=/.capsem-upper/data,workdir=/.capsem-upper/work \
            overlay "$root"
        ;;
    esac
    mount --bind /.capsem-upper "$root/.capsem-upper"
}

hostname capsem-lab

# First root: the staging tmpfs with the host's programs bound read-only.
mount -t tmpfs -o mode=0755,size=16m lab-stage "$stage"
for dir in usr bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$dir" ]; then
        ln -s "$(readlink "/$dir")" "$stage/$dir"
    elif [ -d "/$dir" ]; then
        mkdir "$stage/$dir"
        mount --bind -o ro "/$dir" "$stage/$dir"
    fi
done
mkdir -m 0755 "$stage/dev" "$stage/proc" "$stage/.capsem-lower" \
    "$stage/.capsem-upper" "$stage/.capsem-scratch" "$stage/newroot" \
    "$stage/.capsem-vsock"
# Read-only keeps the guest from replacing the socket, and connecting to
# a socket needs no write access to its filesystem.
mount --no-mtab --bind -o ro "$vsock_dir" "$stage/.capsem-vsock"
# umount reads /proc/self/mountinfo.
mount -t proc proc "$stage/proc"
make_block_node "$stage/dev/vda" "$squashfs_device"
make_block_node "$stage/dev/vdb" "$scratch_device"
if [ -n "$upper_device" ]; then
    make_block_node "$stage/dev/vdc" "$upper_device"
fi

cd "$stage"
pivot_root . .
umount -l .
cd /

mount -t squashfs -o ro /dev/vda /.capsem-lower
if [ "$fault" = upper-not-tmpfs ]; then
    mount -t ext4 /dev/vdc /.capsem-upper
else
    mount -t tmpfs -o mode=0755 lab-upper /.capsem-upper
fi
mkdir /.capsem-upper/data /.capsem-upper/work

root=/newroot
mount_root "$root"
if [ "$fault" = root-not-ext4 ]; then
    mount -t tmpfs -o mode=0700 lab-root "$root/root"
else
    # noinit_itable: no background zeroing of inode tables in a disk that
    # lives only as long as the lab.
    mount -t ext4 -o noinit_itable /dev/vdb "$root/root"
    chmod 0700 "$root/root"
fi
mount_writable_paths "$root"
mkdir -m 0755 "$root/run/capsem-vsock"
mount --no-mtab --move /.capsem-vsock "$root/run/capsem-vsock"
populate_dev "$root"
# proc takes the PID namespace, and sysfs the network namespace, of the
# process that mounts it: this one.
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
if [ "$fault" != sys-missing ]; then
    mount -t sysfs -o nosuid,nodev,noexec sysfs "$root/sys"
fi
if [ "$fault" = debugfs-mounted ]; then
    mount -t debugfs -o nosuid,nodev,noexec debugfs "$root/sys/kernel/debug"
fi

# Second root: the guest. From here on, PATH finds the guest's programs.
cd "$root"
pivot_root . .
umount -l .
cd /

# Keep only standard input, output and error (the host's init.log).
for fd in /proc/self/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ]; then
        eval "exec $fd>&-" 2>/dev/null || true
    fi
done
exec /usr/sbin/lab-init "$fault"
