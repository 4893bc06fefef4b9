#!/usr/bin/env bash
# The verdict matrix: run capsem-doctor in the compliant lab and in the lab
# with each fault, and compare every verdict with tests/lab/faults.tsv.
# After each lab it also checks that down left the host's mounts, loop
# devices, network namespaces, nat rules and processes as up found them.
# Run as root, with no lab running. docs/lab.md explains the results.
#
# usage: matrix.sh [FAULT...]   (default: every fault that lab.sh lists)
#
# Prints one PASS or FAIL line a test and "N passed, N failed" at the end.
# Exits 1 when a test failed, and 2 when the matrix could not run.
set -euo pipefail

LAB_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LAB_SCRIPT_DIR/../.." && pwd)
LAB=$LAB_SCRIPT_DIR/lab.sh
VERDICTS=$LAB_SCRIPT_DIR/verdicts.py
FAULTS_TSV=$LAB_SCRIPT_DIR/faults.tsv
LAB_DIR=${CAPSEM_LAB_DIR:-/run/capsem-lab}
PROFILE=$REPO_DIR/profiles/lab.json

REPORT_IN_GUEST=/run/capsem-doctor-report.json
# The whole doctor run took about a second in the lab on a 2-core VM. This
# limit only stops a hung run.
DOCTOR_TIMEOUT_SECONDS=120
# Criterion 2.4, the doctor's check runner, binds its message socket in
# /tmp whatever TMPDIR is set to, but the doctor's own run directory
# follows TMPDIR.
# /run stays writable under every fault, so a read-only /tmp cannot stop
# the doctor before it writes a report.
DOCTOR=(/usr/bin/env TMPDIR=/run /usr/local/bin/capsem-doctor
    --profile /etc/capsem-doctor/lab.json -k "sandbox or network or environment"
    --color never -q --json "$REPORT_IN_GUEST")

# Checks whose verdict the lab cannot control, and why. Their verdicts are
# printed but left out of every comparison.
EXCLUDED=(
    "test_sandbox::test_kernel_cmdline_has_ro|the lab shares the host's /proc/cmdline, so the lab profile requires no kernel parameter"
    "test_sandbox::test_init_on_alloc|the lab shares the host's /proc/cmdline"
    "test_sandbox::test_slab_nomerge|the lab shares the host's /proc/cmdline"
    "test_sandbox::test_page_alloc_shuffle|the lab shares the host's /proc/cmdline"
    "test_sandbox::test_no_kernel_modules|module loading is decided by the host kernel's configuration and sysctl"
    "test_sandbox::test_proc_modules_empty|/proc/modules lists the host kernel's modules"
    "test_sandbox::test_no_kallsyms|/proc/kallsyms is the host kernel's"
    "test_sandbox::test_no_proc_kcore|/proc/kcore is the host kernel's"
    "test_sandbox::test_seccomp_available|seccomp is a build option of the host kernel"
    "test_sandbox::test_swap_active|swap is global to the kernel, so the lab never runs swapon and its profile requires no swap"
)

passed=0
failed=0
up_times=()
down_times=()
work=""

pass() {
    echo "PASS $*"
    passed=$((passed + 1))
}

fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}

# Stop the matrix: the lab or the doctor cannot run, so no verdict can be
# compared.
abort() {
    echo "matrix: $*" >&2
    echo "$passed passed, $((failed + 1)) failed"
    exit 2
}

cleanup() {
    if [ -e "$LAB_DIR/capsem-lab.state" ]; then
        "$LAB" down >/dev/null 2>&1 || true
    fi
    if [ -n "$work" ]; then
        rm -rf "$work"
    fi
}

# Processes that belong to a lab: those in namespaces other than the
# host's, and those whose command line names the lab's state directory.
lab_processes() {
    python3 - "$LAB_DIR" <<'EOF'
import os
import sys

lab_dir = sys.argv[1]
kinds = ("pid", "mnt", "net", "uts")
host = {kind: os.readlink(f"/proc/self/ns/{kind}") for kind in kinds}
pids = sorted((int(name) for name in os.listdir("/proc") if name.isdigit()))
for pid in pids:
    if pid == os.getpid():
        continue
    try:
        elsewhere = any(os.readlink(f"/proc/{pid}/ns/{kind}") != host[kind]
                        for kind in kinds)
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            cmdline = handle.read().replace(b"\0", b" ").decode(
                errors="replace").strip()
        with open(f"/proc/{pid}/comm", encoding="utf-8") as handle:
            comm = handle.read().strip()
    except OSError:
        # The process exited, or is a zombie, which is in no namespace.
        continue
    if elsewhere or lab_dir in cmdline:
        print(pid, comm, cmdline)
EOF
}

# Write the host state that down must restore into files PREFIX.*.
snapshot() {
    local prefix=$1
    findmnt -rn -o TARGET,SOURCE,FSTYPE,OPTIONS >"$prefix.mounts"
    losetup -a | sort >"$prefix.loops"
    ip netns list >"$prefix.netns"
    # iptables-save stamps its output with the time in comment lines.
    iptables-save | grep -v '^#' >"$prefix.nat" || true
    lab_processes >"$prefix.processes"
    # The state directory, which down removes with every file the lab made.
    if [ -e "$LAB_DIR" ]; then
        find "$LAB_DIR" >"$prefix.state"
    else
        : >"$prefix.state"
    fi
}

# Compare the host state before up and after down. Mount and loop device
# lines are held against the lab only when they name something of the lab
# (its state directory, /run/netns, a capsem-* or lab-* name), because
# other programs on a shared machine mount and attach loop devices too.
# Network namespaces, nat rules, the lab's processes and the state
# directory must match exactly.
compare_snapshots() {
    local name=$1 before=$2 after=$3 kind changes lab_changes problems=""
    local notes="" pattern
    for kind in mounts loops netns nat processes state; do
        changes=$(diff "$before.$kind" "$after.$kind" | grep '^[<>]' || true)
        if [ -z "$changes" ]; then
            continue
        fi
        case $kind in
        mounts | loops)
            pattern="$LAB_DIR|/run/netns|capsem|(^| )lab-"
            lab_changes=$(grep -E -- "$pattern" <<<"$changes" || true)
            if [ "$lab_changes" != "$changes" ]; then
                notes+=$'\n'"    $kind changed outside the lab (ignored):"$'\n'
                notes+=$(grep -v -E -- "$pattern" <<<"$changes" | sed 's/^/      /')
            fi
            changes=$lab_changes
            ;;
        esac
        if [ -n "$changes" ]; then
            problems+=$'\n'"    $kind differ (< before up, > after down):"$'\n'
            problems+=$(sed 's/^/      /' <<<"$changes")
        fi
    done
    if [ -z "$problems" ]; then
        pass "down after $name restores findmnt, losetup -a, ip netns, iptables-save, the lab's processes and $LAB_DIR$notes"
    else
        fail "down after $name left the host changed:$problems$notes"
    fi
}

# The lab's network namespace must have no route beyond its own addresses,
# so that nothing the doctor or a fault does can reach another machine.
# ip route get only consults the routing table and sends nothing.
check_no_route_out() {
    local netns routes
    netns=$(cat "$LAB_DIR/netns")
    routes=$(ip -n "$netns" route show table main)
    if [ -n "$routes" ]; then
        fail "lab network namespace $netns has routes: $routes"
    elif ip -n "$netns" route get 10.9.9.9 >/dev/null 2>&1; then
        fail "lab network namespace $netns has a route to 10.9.9.9"
    else
        pass "lab network namespace $netns has no route out"
    fi
}

# Under default-route-present the namespace has one route, the default
# route through dummy0, a tun device that no process reads: the route
# exists, but it carries nothing off this machine.
check_route_only_dummy0() {
    local netns routes
    netns=$(cat "$LAB_DIR/netns")
    routes=$(ip -n "$netns" route show table main | sed 's/ *$//')
    if [ "$routes" != "default dev dummy0 scope link linkdown" ]; then
        fail "lab network namespace $netns under default-route-present: expected only 'default dev dummy0', got: $routes"
    elif ! ip -n "$netns" -details link show dummy0 | grep -qw tun; then
        fail "lab network namespace $netns under default-route-present: dummy0 is not a tun device"
    else
        pass "lab network namespace $netns under default-route-present routes only into dummy0, a tun device with no reader"
    fi
}

# The milliseconds that lab.sh printed for up or down.
duration_ms() {
    sed -n 's/.* in \([0-9]*\) ms.*/\1/p' "$1" | head -n 1
}

# Bring the lab up with one fault ("" for none), run the doctor, fetch its
# report to $work/NAME.json and bring the lab down. Returns 1 when no
# report came back.
run_lab() {
    local fault=$1 name=${1:-compliant} status=0 up_args=()
    if [ -n "$fault" ]; then
        up_args=(--fault "$fault")
    fi
    snapshot "$work/$name.before"
    if ! "$LAB" up "${up_args[@]}" >"$work/$name.up" 2>&1; then
        fail "lab $name: up failed:"
        sed 's/^/    /' "$work/$name.up"
        "$LAB" down >/dev/null 2>&1 || true
        return 1
    fi
    up_times+=("$(duration_ms "$work/$name.up")")
    case $fault in
    "") check_no_route_out ;;
    default-route-present) check_route_only_dummy0 ;;
    esac

    timeout "$DOCTOR_TIMEOUT_SECONDS" "$LAB" run "${DOCTOR[@]}" \
        >"$work/$name.console" 2>&1 || status=$?
    # Exit 0 and 1 are complete runs: all passed, or a check failed.
    if [ "$status" -le 1 ]; then
        "$LAB" run /usr/bin/cat "$REPORT_IN_GUEST" >"$work/$name.json" ||
            status=$?
    fi

    "$LAB" down >"$work/$name.down" 2>&1 || true
    down_times+=("$(duration_ms "$work/$name.down")")
    snapshot "$work/$name.after"
    compare_snapshots "$name" "$work/$name.before" "$work/$name.after"

    if [ "$status" -gt 1 ]; then
        fail "lab $name: the doctor did not complete (exit $status):"
        tail -n 20 "$work/$name.console" | sed 's/^/    /'
        return 1
    fi
}

# Run verdicts.py and add its counts to the totals.
compare() {
    local output counts
    output=$(python3 "$VERDICTS" "$@") || true
    counts=$(tail -n 1 <<<"$output")
    if ! [[ $counts =~ ^counts\ ([0-9]+)\ ([0-9]+)$ ]]; then
        echo "$output"
        fail "verdicts.py $1 ended without its counts line"
        return
    fi
    sed '$d' <<<"$output"
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
}

# "median M ms, max N ms" of the arguments.
summarize_ms() {
    printf '%s\n' "$@" | sort -n | awk '
        { value[NR] = $1 }
        END { printf "median %d ms, max %d ms", value[int((NR + 1) / 2)], value[NR] }'
}

main() {
    local fault all_faults=() faults=() architecture
    if [ "$(id -u)" -ne 0 ]; then
        abort "run as root: the lab creates namespaces, mounts and loop devices"
    fi
    mapfile -t all_faults < <("$LAB" faults | awk '{ print $1 }')
    if [ $# -gt 0 ]; then
        for fault in "$@"; do
            if ! printf '%s\n' "${all_faults[@]}" | grep -qx -- "$fault"; then
                abort "unknown fault '$fault'; '$LAB faults' lists them"
            fi
        done
        faults=("$@")
    else
        faults=("${all_faults[@]}")
    fi
    if [ -e "$LAB_DIR/capsem-lab.state" ]; then
        abort "a lab is already up (state in $LAB_DIR); stop it with '$LAB down' first"
    fi
    architecture=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["architecture"])' "$PROFILE")
    if [ "$architecture" != "$(uname -m)" ]; then
        abort "$PROFILE promises architecture $architecture, but this machine is $(uname -m)"
    fi

    work=$(mktemp -d /tmp/capsem-lab-matrix.XXXXXX)
    trap cleanup EXIT
    # Faults that leave the root image alone share one build of it.
    mkdir "$work/images"
    export CAPSEM_LAB_IMAGE_CACHE=$work/images
    printf '%s\n' "${EXCLUDED[@]}" | tr '|' '\t' >"$work/excluded.tsv"

    echo "== compliant lab"
    run_lab "" || abort "no report from the compliant lab, so no fault can be compared"
    compare compliant "$work/compliant.json" "$work/excluded.tsv"
    compare check-table "$FAULTS_TSV" "$work/compliant.json" "${all_faults[@]}"

    for fault in "${faults[@]}"; do
        echo "== fault $fault"
        if run_lab "$fault"; then
            compare fault "$fault" "$work/$fault.json" \
                "$work/compliant.json" "$FAULTS_TSV" "$work/excluded.tsv"
        fi
    done

    echo
    echo "lab up: $(summarize_ms "${up_times[@]}"); down: $(summarize_ms "${down_times[@]}") (${#up_times[@]} labs)"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

main "$@"
