#!/usr/bin/env python3
"""Compare capsem-doctor JSON reports from the lab with the expected verdicts.

Used by tests/lab/matrix.sh:

  verdicts.py compliant REPORT EXCLUDED_TSV
      Every check not excluded must pass. Prints one PASS or FAIL line a
      check.

  verdicts.py fault NAME REPORT BASELINE FAULTS_TSV EXCLUDED_TSV
      The checks that FAULTS_TSV maps to NAME must end with the mapped
      verdict and message phrases, and every other check not excluded must
      keep its verdict from BASELINE (the compliant lab's report). A check
      of "*" maps every check not mapped by name. A check of "-" maps a
      fault that no check of the report detects: every check must keep
      its verdict. Prints one PASS or FAIL line for the fault, then one
      line a mismatch.

  verdicts.py check-table FAULTS_TSV REPORT FAULT...
      The table names only the given faults and checks that REPORT lists,
      and maps every given fault.

The last line of every mode is "counts PASSED FAILED". The exit status is 0
when everything matched and 1 otherwise.
"""

import json
import sys

# "not-run" is a check of a layered suite (the network suite) whose lower
# layer failed. Its message names the failed check.
VERDICTS = {"failed", "error", "not-run"}
# The check and verdict of a fault that no check detects yet.
UNDETECTED = "-"
UNDETECTED_VERDICT = "unchanged"


def load_report(path):
    with open(path, encoding="utf-8") as handle:
        report = json.load(handle)
    if report.get("schema") != "capsem-doctor/report/v1":
        raise ValueError(f"{path}: schema is {report.get('schema')!r}, "
                         "expected 'capsem-doctor/report/v1'")
    return {result["name"]: result for result in report["results"]}


def load_excluded(path):
    """Map each excluded check name to the reason it is excluded."""
    excluded = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            name, _, reason = line.rstrip("\n").partition("\t")
            if name:
                excluded[name] = reason
    return excluded


def load_faults(path):
    """Map each fault to {check: (verdict, [phrases])}, in file order."""
    faults = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 4:
                raise ValueError(f"{path}:{number}: expected 4 tab-separated "
                                 f"fields, got {len(fields)}: {line!r}")
            fault, check, verdict, message = fields
            if (check == UNDETECTED) != (verdict == UNDETECTED_VERDICT):
                raise ValueError(f"{path}:{number}: check {UNDETECTED!r} "
                                 f"and verdict {UNDETECTED_VERDICT!r} go "
                                 f"together, got {check!r} and {verdict!r}")
            if check != UNDETECTED and verdict not in VERDICTS:
                raise ValueError(f"{path}:{number}: verdict {verdict!r} is "
                                 f"not one of {sorted(VERDICTS)}")
            phrases = [phrase for phrase in message.split("|") if phrase]
            if not phrases:
                raise ValueError(f"{path}:{number}: no message phrase")
            checks = faults.setdefault(fault, {})
            if checks and (check == UNDETECTED or UNDETECTED in checks):
                raise ValueError(f"{path}:{number}: {fault} is mapped both "
                                 f"to {UNDETECTED!r} and to a check")
            if check in checks:
                raise ValueError(f"{path}:{number}: {fault} maps {check} "
                                 "twice")
            checks[check] = (verdict, phrases)
    return faults


def finish(passed, failed):
    print(f"counts {passed} {failed}")
    return 0 if failed == 0 else 1


def describe(result):
    message = result.get("message") or ""
    return f"{result['verdict']}: {message}" if message else result["verdict"]


def mode_compliant(report_path, excluded_path):
    report = load_report(report_path)
    excluded = load_excluded(excluded_path)
    passed = failed = 0
    for name, result in report.items():
        if name in excluded:
            print(f"SKIP compliant {name} ({result['verdict']}; "
                  f"excluded: {excluded[name]})")
            continue
        if result["verdict"] == "passed":
            print(f"PASS compliant {name}")
            passed += 1
        else:
            print(f"FAIL compliant {name}: expected passed, got "
                  f"{describe(result)}")
            failed += 1
    return finish(passed, failed)


# Unexpected verdict changes with one message are listed once, with the
# count, when more than this many checks share it: a doctor that cannot
# run at all turns every check into the same error.
GROUP_MIN = 3


def fault_mismatches(fault, report, baseline, expected, excluded):
    """Return a description of every way report differs from the
    expectation for fault."""
    mismatches = []
    changed = {}
    for check in expected:
        if check not in ("*", UNDETECTED) and check not in report:
            mismatches.append(f"{check}: the report has no such check")
        if check in excluded:
            # An excluded check's verdict is never compared, so mapping
            # one would claim a proof the matrix does not make.
            mismatches.append(f"{check}: mapped, but excluded from the "
                              f"comparison ({excluded[check]})")
    for name, result in report.items():
        if name in excluded:
            continue
        if name in expected or "*" in expected:
            verdict, phrases = expected.get(name, expected.get("*"))
            if result["verdict"] != verdict:
                mismatches.append(f"{name}: expected {verdict}, got "
                                  f"{describe(result)}")
                continue
            message = result.get("message") or ""
            for phrase in phrases:
                if phrase not in message:
                    mismatches.append(f"{name}: message lacks {phrase!r}: "
                                      f"{message!r}")
            continue
        before = baseline.get(name)
        if before is None:
            mismatches.append(f"{name}: not in the compliant report")
        elif result["verdict"] != before["verdict"]:
            change = (before["verdict"], describe(result))
            changed.setdefault(change, []).append(name)
    for (before, after), names in changed.items():
        if len(names) > GROUP_MIN:
            mismatches.append(f"{len(names)} checks that {fault} should not "
                              f"affect changed from {before} to {after}")
            continue
        for name in names:
            mismatches.append(f"{name}: changed from {before} to {after}; "
                              f"{fault} should not affect it")
    return mismatches


def mode_fault(fault, report_path, baseline_path, faults_path, excluded_path):
    faults = load_faults(faults_path)
    if fault not in faults:
        print(f"FAIL fault {fault}: {faults_path} maps no check to it")
        return finish(0, 1)
    mismatches = fault_mismatches(fault, load_report(report_path),
                                  load_report(baseline_path), faults[fault],
                                  load_excluded(excluded_path))
    if not mismatches:
        if UNDETECTED in faults[fault]:
            reason = " ".join(faults[fault][UNDETECTED][1])
            print(f"PASS fault {fault}: no verdict changed, as mapped "
                  f"(undetected: {reason})")
        else:
            checks = ", ".join(sorted(faults[fault]))
            print(f"PASS fault {fault}: {checks}")
        return finish(1, 0)
    print(f"FAIL fault {fault}:")
    for mismatch in mismatches:
        print(f"    {mismatch}")
    return finish(0, 1)


def mode_check_table(faults_path, report_path, names):
    faults = load_faults(faults_path)
    checks = load_report(report_path)
    problems = []
    for fault, mapped in faults.items():
        if fault not in names:
            problems.append(f"{faults_path} names fault {fault}, which "
                            "lab.sh does not know")
        for check in mapped:
            if check not in ("*", UNDETECTED) and check not in checks:
                problems.append(f"{faults_path} maps {fault} to {check}, "
                                "which the doctor does not have")
    for name in names:
        if name not in faults:
            problems.append(f"{faults_path} maps no check to fault {name}")
    if problems:
        print("FAIL fault table:")
        for problem in problems:
            print(f"    {problem}")
        return finish(0, 1)
    print(f"PASS fault table: {len(faults)} faults, every one known and "
          "mapped")
    return finish(1, 0)


def main(argv):
    modes = {
        "compliant": (2, lambda a: mode_compliant(*a)),
        "fault": (5, lambda a: mode_fault(*a)),
        "check-table": (None, lambda a: mode_check_table(a[0], a[1], a[2:])),
    }
    if len(argv) < 2 or argv[1] not in modes:
        print(__doc__, file=sys.stderr)
        return 2
    count, run = modes[argv[1]]
    arguments = argv[2:]
    if (count is not None and len(arguments) != count) or \
            (count is None and len(arguments) < 2):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return run(arguments)
    except (OSError, ValueError, KeyError) as error:
        print(f"FAIL {argv[1]}: cannot compare reports: {error}")
        return finish(0, 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
