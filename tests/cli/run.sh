#!/usr/bin/env bash
# End-to-end tests of the capsem-doctor binary: exit codes, verdicts, the
# runner's handling of crashes, hangs and interrupts, and every report
# format checked by the program that consumes it (xmllint against the JUnit
# schema, protoc --decode, Python's json module).
#
# usage: tests/cli/run.sh CAPSEM_DOCTOR DOCTOR_SELFTEST SOURCE_DIR
set -u

doctor=$1
selftest=$2
source_dir=$3

work=$(mktemp -d "${TMPDIR:-/tmp}/cdoc-cli.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The doctor keeps its temporary files in a run directory under TMPDIR: a
# private one lets the last test prove that nothing is left behind, even
# while other runs use /tmp.
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR"

passed=0
failed=0

pass() {
    passed=$((passed + 1))
    echo "ok - $1"
}

fail() {
    failed=$((failed + 1))
    echo "not ok - $1"
    shift
    for line in "$@"; do
        echo "#   $line"
    done
}

# expect_exit NAME CODE -- COMMAND...: run COMMAND, keep its output in
# $work/out and $work/err, and check its exit status.
expect_exit() {
    local name=$1 want=$2
    shift 3
    "$@" >"$work/out" 2>"$work/err" </dev/null
    local got=$?
    if [ "$got" -eq "$want" ]; then
        pass "$name (exit $want)"
    else
        fail "$name: exit $got, expected $want" \
            "stdout: $(head -c 2000 "$work/out")" \
            "stderr: $(head -c 2000 "$work/err")"
    fi
}

# expect_text NAME FILE TEXT: FILE contains TEXT (fixed string).
expect_text() {
    if grep -qF -- "$3" "$2"; then
        pass "$1"
    else
        fail "$1: '$3' not found in $(basename "$2")" \
            "$(head -c 3000 "$2")"
    fi
}

expect_no_text() {
    if grep -qF -- "$3" "$2"; then
        fail "$1: '$3' found in $(basename "$2")" "$(head -c 3000 "$2")"
    else
        pass "$1"
    fi
}

validate_junit() {
    if xmllint --noout --schema "$source_dir/tests/junit.xsd" "$2" \
        2>"$work/xmllint.err"; then
        pass "$1: JUnit valid against tests/junit.xsd"
    else
        fail "$1: JUnit invalid" "$(cat "$work/xmllint.err")"
    fi
}

decode_proto() {
    if protoc --decode=capsem.doctor.v1.Report -I "$source_dir/proto" \
        "$source_dir/proto/doctor.proto" <"$2" >"$work/decoded.txt" \
        2>"$work/protoc.err"; then
        pass "$1: protoc --decode reads the report"
    else
        fail "$1: protoc --decode failed" "$(cat "$work/protoc.err")"
    fi
}

# json_field NAME FILE EXPRESSION EXPECTED: a Python expression over the
# parsed document d equals EXPECTED.
json_field() {
    local got
    got=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
print(eval(sys.argv[2]))' "$2" "$3" 2>&1)
    if [ "$got" = "$4" ]; then
        pass "$1"
    else
        fail "$1: $3 is '$got', expected '$4'"
    fi
}

# Criterion's runner socket always goes to /tmp, whatever TMPDIR is.
leftovers() {
    find "$TMPDIR" -mindepth 1 2>/dev/null | sort
    find /tmp -maxdepth 1 -name 'criterion_*.sock' 2>/dev/null | sort
}

before=$(leftovers)

# ---- the runner, on checks of known outcome ------------------------------

expect_exit "selftest mixed verdicts" 1 -- "$selftest" -k test_selftest \
    --color never --junit "$work/self.xml" --json "$work/self.json" \
    --proto "$work/self.pb"
cp "$work/out" "$work/self.out"
expect_text "passed line" "$work/self.out" \
    "test_selftest::test_passes PASSED"
expect_text "failed line" "$work/self.out" "test_selftest::test_fails FAILED"
expect_text "error line" "$work/self.out" "test_selftest::test_errors ERROR"
expect_text "skip line" "$work/self.out" "test_selftest::test_skips SKIPPED"
expect_text "crash named" "$work/self.out" "worker crashed with signal"
expect_text "hang named" "$work/self.out" "timed out after 1 s"
expect_text "exit status named" "$work/self.out" "exited with status 3"
expect_text "plain assert message" "$work/self.out" \
    "plain Criterion assertion failed"
expect_text "summary counts" "$work/self.out" \
    "2 passed, 4 failed, 1 skipped, 3 errors"
expect_text "result line" "$work/self.out" "RESULT: FAIL"
if grep -q $'\x1b' "$work/self.out"; then
    fail "no raw escape reaches the console with --color never"
else
    pass "no raw escape reaches the console with --color never"
fi
validate_junit "selftest" "$work/self.xml"
expect_text "junit classname" "$work/self.xml" 'classname="test_selftest"'
expect_text "junit time is a decimal" "$work/self.xml" 'time="'
decode_proto "selftest" "$work/self.pb"
expect_text "proto has a check" "$work/decoded.txt" 'check: "test_hangs"'
json_field "json counts failed" "$work/self.json" 'd["counts"]["failed"]' 4
json_field "json counts errors" "$work/self.json" 'd["counts"]["errors"]' 3
json_field "json keeps NUL" "$work/self.json" \
    '[r for r in d["results"] if r["check"] == "test_hostile_output"][0]["output"].count(chr(0))' 1
json_field "json property" "$work/self.json" \
    '[r for r in d["results"] if r["check"] == "test_hostile_output"][0]["properties"]["bytes_per_second"]' \
    123456789
json_field "json output capped" "$work/self.json" \
    '[r for r in d["results"] if r["check"] == "test_large_output"][0]["output_truncated"]' \
    True

expect_exit "report command" 1 -- "$doctor" report "$work/self.pb" \
    --color never --junit "$work/conv.xml" --json "$work/conv.json"
expect_text "report command prints the summary" "$work/out" \
    "2 passed, 4 failed, 1 skipped, 3 errors"
validate_junit "converted" "$work/conv.xml"
json_field "converted counts agree" "$work/conv.json" \
    'd["counts"] == json.load(open(sys.argv[1].replace("conv.json", "self.json")))["counts"]' \
    True
expect_exit "report command on garbage" 2 -- "$doctor" report \
    "$source_dir/CMakeLists.txt"
expect_text "garbage report named" "$work/err" "CMakeLists.txt"

expect_exit "timeout override" 1 -- "$selftest" -k hangs --timeout 0.5 \
    --color never
expect_text "override named" "$work/out" "timed out after 0.5 s"

expect_exit "exitfirst" 1 -- "$selftest" -x -j 1 -k "fails or passes" \
    --color never --junit "$work/x.xml"
expect_text "exitfirst says it stopped" "$work/out" "stopped"
validate_junit "exitfirst" "$work/x.xml"

"$selftest" -k "hangs or passes" --timeout 30 --color never \
    --junit "$work/int.xml" --json "$work/int.json" >"$work/int.out" \
    2>&1 </dev/null &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
code=$?
if [ "$code" -eq 2 ]; then
    pass "SIGINT exits 2"
else
    fail "SIGINT exit $code, expected 2" "$(cat "$work/int.out")"
fi
validate_junit "interrupted" "$work/int.xml"
json_field "interrupted flag" "$work/int.json" 'd["interrupted"]' True
json_field "finished check kept" "$work/int.json" 'd["counts"]["passed"]' 1

expect_exit "list" 0 -- "$selftest" --list -k "crash or hang"
expect_text "list names" "$work/out" "test_selftest::test_crashes"
if [ "$(wc -l <"$work/out")" -eq 2 ]; then
    pass "list prints one line per check"
else
    fail "list printed $(wc -l <"$work/out") lines, expected 2"
fi

# ---- the real doctor on a Capsem-shaped fixture root ---------------------

root="$work/root"
cp -a "$source_dir/tests/fixtures/capsem-root" "$root"
chmod 0555 "$root"/usr/local/bin/*

satisfied="proc_mounted or sys_mounted or dev_mounted or dev_pts_mounted or \
rootfs_is_overlay or overlay_configured or overlay_writes_are_ephemeral or \
cmdline_has_ro or init_on_alloc or slab_nomerge or page_alloc_shuffle or \
seccomp or no_debugfs or loopback or dummy_interface or no_real_nics or \
pty_agent or net_proxy_running or dnsmasq_running or no_systemd or \
no_sshd or no_cron or proc_modules or kallsyms or guest_binary or \
setuid or setgid or root_is_ext4"

expect_exit "fixture root passes" 0 -- "$doctor" --root "$root" \
    -k "$satisfied" --color never --junit "$work/ok.xml"
expect_text "all passed" "$work/out" "RESULT: PASS"
expect_text "root named on the console" "$work/out" "root: $root"
expect_text "root recorded in JUnit" "$work/ok.xml" \
    "name=\"root\" value=\"$root\""
expect_no_text "nothing failed" "$work/out" "FAILED"
validate_junit "fixture root" "$work/ok.xml"

mkdir -p "$root/sys/class/net/eth0"
printf '0x1003\n' >"$root/sys/class/net/eth0/flags"
printf 'up\n' >"$root/sys/class/net/eth0/operstate"
chmod 0755 "$root/usr/local/bin/capsem-net-proxy"
expect_exit "broken fixture fails" 1 -- "$doctor" --root "$root" \
    -k "no_real_nics or guest_binary_not_writable" --color never
expect_text "extra NIC named" "$work/out" "eth0"
expect_text "write bits named" "$work/out" \
    "/usr/local/bin/capsem-net-proxy has write bits set (mode 0755)"

# Process checks look past the name: where the process runs from, which
# PID namespace it is in, and the file name of what it executes.
ln -sfn /tmp/sleep "$root/proc/42/exe"
mkdir -p "$root/proc/43/ns" "$root/proc/self/ns"
ln -sfn 'pid:[4026532001]' "$root/proc/43/ns/pid"
ln -sfn 'pid:[4026531836]' "$root/proc/self/ns/pid"
mkdir -p "$root/proc/77"
printf 'login-helper\n' >"$root/proc/77/comm"
printf 'login-helper\0' >"$root/proc/77/cmdline"
ln -sfn /usr/sbin/sshd "$root/proc/77/exe"
expect_exit "borrowed process names fail" 1 -- "$doctor" --root "$root" \
    -k "pty_agent or net_proxy_running or no_sshd" --color never
expect_text "wrong executable named" "$work/out" \
    "runs /tmp/sleep, not /usr/local/bin/capsem-pty-agent"
expect_text "other namespace named" "$work/out" "in another PID namespace"
expect_text "renamed sshd found" "$work/out" "login-helper (pid 77)"

# The variable that carries --root to workers is ignored when set by hand,
# so an environment cannot point the checks at a tree of its choosing.
mkdir -p "$work/empty-root"
expect_exit "inherited root variable ignored" 0 -- env \
    CAPSEM_DOCTOR_ROOT="$work/empty-root" "$doctor" -k "test_proc_mounted" \
    --json "$work/real.json"
json_field "real root recorded" "$work/real.json" 'd["root"]' /

expect_exit "root that is not a directory" 2 -- "$doctor" --root \
    "$work/real.json" -k proc_mounted
expect_text "bad root named" "$work/err" "$work/real.json"

# ---- the network library --------------------------------------------------

# Criterion starts a process per check, and each maps every library the
# doctor names: libcurl and OpenSSL belong in libcapsem-doctor-net.so only.
needed=$(readelf -d "$doctor" | grep NEEDED)
if printf '%s\n' "$needed" | grep -qE 'libcurl|libssl|libcrypto'; then
    fail "the doctor links libcurl or OpenSSL itself" "$needed"
else
    pass "the doctor links neither libcurl nor OpenSSL"
fi

# A doctor without its network library: the HTTPS checks end in an error
# that names where the library was looked for, before any name lookup.
mkdir -p "$work/alone"
cp "$doctor" "$work/alone/capsem-doctor"
expect_exit "network library missing" 1 -- "$work/alone/capsem-doctor" \
    -k "test_sandbox and (allowed_domain or denied_domain)" --color never
expect_text "missing library is an error" "$work/out" \
    "test_sandbox::test_allowed_domain ERROR"
expect_no_text "missing library is no failure" "$work/out" "FAILED"
expect_text "library path named" "$work/out" \
    "$work/alone/libcapsem-doctor-net.so (cannot open shared object file"
expect_text "installed path named" "$work/out" \
    "$work/alone/../lib/capsem-doctor/libcapsem-doctor-net.so"
expect_text "fix named" "$work/out" "build capsem-doctor again"
rm -rf "$work/alone"

# ---- report files ---------------------------------------------------------

expect_exit "report to /dev/null" 0 -- "$doctor" --root "$root" \
    -k proc_mounted --junit /dev/null
if [ -c /dev/null ]; then
    pass "/dev/null is still a character device"
else
    fail "/dev/null was replaced by a report"
fi

printf 'old\n' >"$work/target.xml"
ln -s target.xml "$work/link.xml"
expect_exit "report through a symlink" 0 -- "$doctor" --root "$root" \
    -k proc_mounted --junit "$work/link.xml"
if [ -L "$work/link.xml" ] && grep -q '<testsuites' "$work/target.xml"; then
    pass "symlink kept, its target replaced"
else
    fail "symlink report path mishandled" "$(ls -l "$work/link.xml")"
fi

expect_exit "same path for two reports" 2 -- "$doctor" -k proc_mounted \
    --junit "$work/same" --json "$work/same"
expect_text "same path named" "$work/err" "$work/same"

"$doctor" --root "$root" -k proc_mounted --json "$work/pipe.json" \
    2>/dev/null | head -c 1 >/dev/null
json_field "report written when stdout closes" "$work/pipe.json" \
    'd["counts"]["passed"]' 1

: >"$work/empty.pb"
expect_exit "report command on an empty file" 2 -- "$doctor" report \
    "$work/empty.pb"
expect_text "empty report named" "$work/err" "is empty"
expect_exit "report command on a directory" 2 -- "$doctor" report "$work"

# ---- usage and profile errors --------------------------------------------

expect_exit "timeout below the minimum" 2 -- "$doctor" --timeout 0.01
expect_text "timeout minimum named" "$work/err" "'0.01'"

deep=$(printf '%*s' 5000 '' | tr ' ' '(')
expect_exit "deeply nested keyword expression" 2 -- "$doctor" --list \
    -k "${deep}ipv6"
expect_text "nesting limit named" "$work/err" "nests deeper"

expect_exit "nothing selected" 5 -- "$doctor" -k no_such_check_anywhere
expect_text "nothing selected message" "$work/err" "no check matches"

printf '{"name": "broken",\n  "architecture": }\n' >"$work/bad.json"
expect_exit "malformed profile" 2 -- "$doctor" --profile "$work/bad.json"
expect_text "malformed profile names file" "$work/err" "$work/bad.json"

expect_exit "missing profile" 2 -- "$doctor" --profile "$work/none.json"
expect_text "missing profile names file" "$work/err" "$work/none.json"

expect_exit "unknown option" 2 -- "$doctor" --frobnicate
expect_text "unknown option named" "$work/err" "--frobnicate"

expect_exit "bad keyword expression" 2 -- "$doctor" -k "sandbox and"
expect_text "bad keyword points at the word" "$work/err" "after 'and'"

expect_exit "bad jobs" 2 -- "$doctor" -j 0
expect_text "bad jobs named" "$work/err" "'0'"

expect_exit "print profile" 0 -- "$doctor" --print-profile
cp "$work/out" "$work/printed.json"
expect_exit "printed profile loads" 0 -- "$doctor" --profile \
    "$work/printed.json" --print-profile
if cmp -s "$work/out" "$work/printed.json"; then
    pass "printed profile round-trips"
else
    fail "printed profile changed on a second print"
fi

expect_exit "version" 0 -- "$doctor" --version
expect_exit "help" 0 -- "$doctor" --help
expect_text "help lists -k" "$work/out" "--keyword"

mkdir -p "$work/ro"
chmod 0500 "$work/ro"
expect_exit "unwritable report path" 2 -- "$doctor" --root "$root" \
    -k proc_mounted --junit /nonexistent-dir/r.xml \
    --json "$work/still.json"
expect_text "unwritable path named" "$work/err" "/nonexistent-dir/r.xml"
json_field "other report still written" "$work/still.json" \
    'd["counts"]["passed"]' 1

# A run directory whose doctor died (SIGKILL) is swept by the next run; one
# whose doctor is alive is left alone.
mkdir -p "$TMPDIR/capsem-doctor.2147483646.stale1" \
    "$TMPDIR/capsem-doctor.$$.alive1"
touch "$TMPDIR/capsem-doctor.2147483646.stale1/profile.json"
expect_exit "run after a killed run" 0 -- "$doctor" --root "$root" \
    -k proc_mounted
if [ -e "$TMPDIR/capsem-doctor.2147483646.stale1" ]; then
    fail "stale run directory of a dead doctor was not swept"
else
    pass "stale run directory of a dead doctor swept"
fi
if [ -d "$TMPDIR/capsem-doctor.$$.alive1" ]; then
    pass "run directory of a live process kept"
else
    fail "run directory of a live process was removed"
fi
rmdir "$TMPDIR/capsem-doctor.$$.alive1"

# ---- programs a check runs die with it ------------------------------------

# A python3 that hangs in a child of its own: when the check times out,
# neither the script nor its child may outlive the doctor.
mkdir -p "$work/hangbin"
printf '#!/bin/sh\nsleep 987.654\n' >"$work/hangbin/python3"
chmod +x "$work/hangbin/python3"
expect_exit "hung python3 times out" 1 -- env PATH="$work/hangbin:$PATH" \
    "$doctor" -k test_certifi_includes_capsem_ca --timeout 1 --color never
expect_text "hung python3 is a time-out error" "$work/out" "timed out after 1 s"
sleep 0.2
if pgrep -f "sleep 987.654" >/dev/null; then
    fail "a program the timed-out check ran outlived the doctor" \
        "$(pgrep -af 'sleep 987.654')"
    pkill -f "sleep 987.654"
else
    pass "no program of a timed-out check outlives the doctor"
fi

# ---- layered checks ------------------------------------------------------

# run_layers NAME CODE BREAK ARGS...: run the layers suite with layer BREAK
# broken (0: none), recording which checks really ran in $work/marks.
run_layers() {
    local name=$1 code=$2 broken=$3
    shift 3
    rm -rf "$work/marks"
    mkdir "$work/marks"
    expect_exit "$name" "$code" -- env CDOC_SELFTEST_MARKS="$work/marks" \
        CDOC_SELFTEST_BREAK="$broken" "$selftest" -k test_layers \
        --color never "$@"
}

ran() {
    if [ -e "$work/marks/$2" ]; then
        pass "$1"
    else
        fail "$1: $2 did not run"
    fi
}

not_ran() {
    if [ -e "$work/marks/$2" ]; then
        fail "$1: $2 ran"
    else
        pass "$1"
    fi
}

run_layers "layers all hold" 0 0
ran "top layer runs when every layer holds" test_top
expect_text "all layered checks pass" "$work/out" "5 passed, 0 failed"

run_layers "base layer broken" 1 1 --junit "$work/layers.xml" \
    --json "$work/layers.json" --proto "$work/layers.pb"
expect_text "middle reported not run" "$work/out" \
    "test_layers::test_middle NOT RUN (root cause: test_layers::test_base)"
expect_text "root cause named once" "$work/out" \
    "root cause: test_layers::test_base; 2 checks above it not run"
expect_no_text "no incomplete line for blocked checks" "$work/out" \
    "incomplete:"
not_ran "middle not run above a broken base" test_middle
not_ran "top not run above a broken base" test_top
ran "sibling of the broken check still runs" test_base_sibling
ran "unlayered check still runs" test_unlayered
validate_junit "layers" "$work/layers.xml"
expect_text "junit skipped names the root cause" "$work/layers.xml" \
    'message="not run: test_layers::test_base in the base layer below failed"'
json_field "json blocked_by" "$work/layers.json" \
    '[r["blocked_by"] for r in d["results"] if r["check"] == "test_top"][0]' \
    "test_layers::test_base"
json_field "json counts blocked checks as not run" "$work/layers.json" \
    'd["counts"]["not_run"]' 2
expect_exit "report command replays blocked checks" 1 -- "$doctor" report \
    "$work/layers.pb" --color never
expect_text "replay names the root cause" "$work/out" \
    "root cause: test_layers::test_base; 2 checks above it not run"

run_layers "middle layer broken" 1 2
expect_text "top blocked by middle" "$work/out" \
    "test_layers::test_top NOT RUN (root cause: test_layers::test_middle)"
ran "base ran under a broken middle" test_base

run_layers "lower layer not selected" 0 1 -k test_top
ran "a layer runs when the layers below it are not selected" test_top

run_layers "exitfirst stops before the next layer" 1 1 -x -j 1
not_ran "no layer runs after -x stopped the run" test_top

after=$(leftovers)
if [ "$before" = "$after" ]; then
    pass "no temporary files left behind"
else
    fail "temporary files left behind" "$after"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
