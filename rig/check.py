#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot one kernel under QEMU, run every breakpoint suite, print the table.

usage: rig/check.py NAME KOUT IMAGE

NAME is "base" (pristine 6.12) or "ours"; KOUT its build directory.  Three
boots: "main" (KUnit at boot, kselftest, perf, gdb, sample module), "kgdbts"
(kgdbts is its own kgdb I/O driver, so no kgdboc there) and "kgdb" (host gdb
over the second serial port).  Each boot runs under `timeout`; a hung guest
fails its unfinished cases and keeps its console log in build/logs/NAME/.

Verdicts come from each suite's own output: KTAP through the kernel's
kunit.py parser, kselftest TAP (kunit.py cannot read kselftest's "# "-nested
TAP, hence the small reader here), perf test's result lines, exact values
for gdb/perf stat, kgdbts's RUN/ERROR lines.  Expected failures are listed
with their reason in rig/xfail; they still run and are printed.
"""
import json
import os
import re
import socket
import subprocess
import sys
import time

import perf_record

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME, KOUT, IMAGE = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
LOGS = os.path.join(TOP, "build", "logs", NAME)
SMP = os.environ.get("HWBP_SMP", "4")
KUNIT_PY = os.path.join(TOP, "build", "src", "linux-source-6.12",
                        "tools", "testing", "kunit", "kunit.py")
os.makedirs(LOGS, exist_ok=True)

results = []       # (suite, case, verdict, note); verdict in PASS FAIL SKIP XFAIL


def record(suite, case, ok, note="", skip=False):
    note = "".join(c if c.isprintable() else "?" for c in note)
    verdict = "SKIP" if skip else ("PASS" if ok else "FAIL")
    results.append([suite, case, verdict, note])


def load_xfail():
    """rig/xfail: 'KERNELS SUITE CASE-REGEX -- reason' lines."""
    out = []
    with open(os.path.join(TOP, "rig", "xfail")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            spec, reason = line.split(" -- ", 1)
            kernels, suite, pattern = spec.split(None, 2)
            # ours-lockdep is ours with more debugging: same expectations
            if NAME in kernels.split(",") or NAME.split("-")[0] in kernels.split(","):
                out.append((suite, re.compile(pattern), reason))
    return out


def qemu(mode, timeout, extra_args=(), append="", name=None):
    log = os.path.join(LOGS, (name or mode) + ".log")
    if os.path.exists(log):
        os.unlink(log)
    cmd = ["timeout", "--kill-after=5", str(timeout),
           "qemu-system-x86_64", "-accel", "tcg", "-m", "1G",
           "-smp", "%s,sockets=%s,cores=1" % (SMP, SMP),
           "-kernel", os.path.join(KOUT, "arch/x86/boot/bzImage"),
           "-initrd", IMAGE, "-display", "none", "-no-reboot",
           "-serial", "file:" + log, *extra_args,
           "-append", "console=ttyS0 nokaslr panic=-1 loglevel=4 "
           "tsc=reliable hwbpmode=%s %s" % (mode, append)]
    return cmd, log


def sections(log):
    """{name: (rc or None, text)} from the @@HWBP markers of a console log."""
    text = open(log, errors="replace").read().replace("\r", "")
    out = {}
    for m in re.finditer(r"^@@HWBP-BEGIN (\S+)\n(.*?)(?:^@@HWBP-END \1 rc=(\d+)$|\Z)",
                         text, re.S | re.M):
        out[m.group(1)] = (int(m.group(3)) if m.group(3) else None, m.group(2))
    return out, text


# What the kernel prints when something is wrong, whatever the suite.
SPLAT = re.compile(r"^(?:\[[ .0-9]+\] )?(WARNING: |BUG: |Oops|general protection|"
                   r"INFO: (?:possible|inconsistent|task .* blocked)|"
                   r"=+\n?\[ BUG|.*possible (?:recursive|circular) locking|"
                   r".*inconsistent lock state|.*suspicious RCU usage|"
                   r".*sleeping function called from invalid context)", re.M)


def check_console(name, text):
    hits = [m.group(0).strip() for m in SPLAT.finditer(text)]
    record("console", "%s: no WARNING, BUG or lockdep report" % name, not hits,
           "; ".join(hits[:3]))


def boot(mode, timeout):
    cmd, log = qemu(mode, timeout)
    start = time.time()
    subprocess.run(cmd, stdin=subprocess.DEVNULL)
    secs, text = sections(log)
    check_console(mode, text)
    print("  boot %-7s %5.0fs%s" % (mode, time.time() - start,
          "" if "@@HWBP-DONE" in text else "  (did not finish: see %s)" % log))
    return secs


def tap_cases(text, prefix=""):
    """[(number, ok, description, directive)] of one TAP level."""
    cases = []
    pat = re.compile(r"^%s(not ok|ok) (\d+) ?-? ?(.*?)(?: # (SKIP|XFAIL|TODO)\b ?(.*))?$"
                     % re.escape(prefix))
    for line in text.splitlines():
        m = pat.match(line)
        if m:
            cases.append((int(m.group(2)), m.group(1) == "ok", m.group(3).strip(),
                          m.group(4)))
    plan = re.search(r"^%s1\.\.(\d+)$" % re.escape(prefix), text, re.M)
    return cases, int(plan.group(1)) if plan else None


def eval_tap(suite, sec, prefix=""):
    if sec is None:
        record(suite, "(suite)", False, "no output: the guest never got here")
        return
    cases, plan = tap_cases(sec[1], prefix)
    for num, ok, desc, directive in cases:
        record(suite, "%d %s" % (num, desc), ok, skip=directive == "SKIP")
    seen = {c[0] for c in cases}
    for num in range(1, (plan or 0) + 1):
        if num not in seen:
            record(suite, "%d (not reached)" % num, False, "missing from the TAP output")
    if not cases:
        record(suite, "(suite)", False, "no TAP results")


def eval_kunit(sec):
    if sec is None:
        record("kunit", "(suite)", False, "no dmesg captured")
        return
    raw = os.path.join(LOGS, "kunit.dmesg")
    js = os.path.join(LOGS, "kunit.json")
    open(raw, "w").write(sec[1])
    subprocess.run([sys.executable, KUNIT_PY, "parse", "--json=" + js, raw],
                   stdout=open(os.path.join(LOGS, "kunit.txt"), "w"),
                   stderr=subprocess.STDOUT)
    try:
        data = json.load(open(js))
    except (OSError, ValueError):
        record("kunit", "(suite)", False, "kunit.py parse produced no JSON")
        return

    def walk(group, path):
        for sub in group.get("sub_groups", []):
            walk(sub, path + [sub["name"]])
        for case in group.get("test_cases", []):
            st = case["status"]
            record("kunit", ".".join(path + [case["name"]]), st == "PASS",
                   "" if st == "PASS" else st, skip=st == "SKIP")
    walk(data, [])
    if not any(r[0] == "kunit" for r in results):
        record("kunit", "(suite)", False, "no KUnit results in dmesg")


def eval_gdb(secs):
    # Expected stop transcripts for rig/guest/wptarget.c: writer() stores
    # 10, 20, 30; reader() loads twice; marker() runs twice.
    writes = ["Old value = 0", "New value = 10", "Old value = 10",
              "New value = 20", "Old value = 20", "New value = 30"]
    want = {
        "watch": writes,
        # x86 has no read-only watchpoints: gdb arms read/write and drops the
        # hits where the value changed, so only the two loads are reported.
        "rwatch": ["Value = 30", "Value = 30"],
        "awatch": writes + ["Value = 30", "Value = 30"],
        "hbreak": ["Breakpoint 2, marker", "Breakpoint 2, marker"],
    }
    # rig/guest/wpthreads.c: one thread stores 1, the next 2.
    want["threads"] = ["Old value = 0", "New value = 1", "Old value = 1", "New value = 2"]
    # Five watchpoints do not fit (gdb says so); with one deleted, the
    # four left fire once each.
    want["toomany"] = ["Old value = 0", "New value = 1", "Old value = 0", "New value = 2",
                       "Old value = 0", "New value = 3", "Old value = 0", "New value = 4"]
    for case, expect in want.items():
        sec = secs.get("gdb_" + case)
        if sec is None:
            record("gdb", case, False, "not run")
            continue
        got = re.findall(r"^((?:Old value|New value|Value) = -?\d+|Breakpoint 2, \w+)",
                         sec[1], re.M)
        exited = "exited normally]" in sec[1]
        ok = got == expect and exited
        if case == "toomany" and "You may have requested too many hardware" not in sec[1]:
            ok, exited = False, "gdb did not say the fifth does not fit"
        record("gdb", case, ok, "" if ok else "got %s%s" % (
            got, "" if exited is True else ", %s" % (exited or "no normal exit")))


def eval_perf_stat(secs):
    # rig/guest/memtouch.c: 1000 stores and 500 loads.  The .bss variable
    # gets one more store, from the kernel: the ELF loader zeroes the tail of
    # the last .data page at exec, after perf stat's enable-on-exec; with :u
    # (user only) that write is not counted.
    cases = (("data_w", "cell_data :w", 1000), ("data_rw", "cell_data :rw", 1500),
             ("data_len8_w", "cell_data /8:w", 1000),
             ("bss_w", "cell_bss :w (+1: exec's bss zeroing)", 1001),
             ("bss_w_u", "cell_bss :w:u", 1000))
    for case, desc, want in cases:
        sec = secs.get("perf_stat_" + case)
        if sec is None:
            record("perf-stat", desc, False, "not run")
            continue
        m = re.search(r"^(\d+),[^,]*,mem:0x[0-9a-f]+[^,]*,", sec[1], re.M)
        got = int(m.group(1)) if m else None
        record("perf-stat", "%s counts %d" % (desc, want), got == want,
               "counted %s" % got)


def eval_ptrace_abi(secs):
    """ptrace_dr_abi's transcript must be byte-identical to the baseline's.

    rig/golden/ptrace_dr_abi.txt is the unmodified kernel's transcript,
    recorded with `make golden`; the baseline run checks it is still that.
    Two runs in one boot must also agree, or the transcript is not a
    deterministic function of the kernel and the comparison proves nothing.
    """
    first, again = secs.get("ptrace_abi"), secs.get("ptrace_abi_again")
    if first is None or again is None:
        record("ptrace-abi", "(suite)", False, "not run")
        return
    out = os.path.join(LOGS, "ptrace_dr_abi.txt")
    open(out, "w").write(first[1])
    record("ptrace-abi", "two runs give the same transcript", first[1] == again[1])
    golden = os.path.join(TOP, "rig", "golden", "ptrace_dr_abi.txt")
    if not os.path.exists(golden):
        record("ptrace-abi", "transcript identical to the baseline's", False,
               "no rig/golden/ptrace_dr_abi.txt: run make golden")
        return
    want = open(golden).read()
    diff = subprocess.run(["diff", "-u", golden, out], capture_output=True,
                          text=True).stdout
    open(os.path.join(LOGS, "ptrace_dr_abi.diff"), "w").write(diff)
    first_diff = next((l for l in diff.splitlines()[2:] if l[:1] in "+-"), "")
    record("ptrace-abi", "transcript identical to the baseline's (%d lines)"
           % want.count("\n"), first[1] == want and first[0] == 0,
           "rc=%s, first difference: %s (see %s)" % (first[0], first_diff, os.path.join(LOGS, "ptrace_dr_abi.diff")))


def eval_perf_test(sec):
    if sec is None:
        record("perf-test", "(suite)", False, "not run")
        return
    lines = re.findall(r"^\s*(\d+(?:\.\d+)?): (.+?)\s*: (Ok|FAILED!|Skip.*)$",
                       sec[1], re.M)
    for num, desc, res in lines:
        record("perf-test", "%s %s" % (num, desc), res == "Ok",
               "" if res == "Ok" else res, skip=res.startswith("Skip"))
    if not lines:
        record("perf-test", "(suite)", False, "no perf test result lines")


def eval_kgdbts(sec):
    if sec is None:
        record("kgdbts", "(suite)", False, "not run")
        return
    current = None
    verdicts = {}
    for line in sec[1].splitlines():
        m = re.search(r"kgdbts:RUN (.*?)(?: \[\d+/\d+\])?$", line)
        if m:
            current = re.sub(r" \d+ iterations$", "", m.group(1))
            verdicts.setdefault(current, [])
        elif "kgdbts: ERROR" in line and current:
            verdicts[current].append(line.split("kgdbts: ", 1)[1])
    for name, errs in verdicts.items():
        record("kgdbts", name, not errs, "; ".join(errs))
    if not verdicts or sec[0] is None:
        record("kgdbts", "(completion)", False, "kgdbts did not finish")


def run_kgdb_host(suite, cycles, append=""):
    """Host gdb against kgdb: `cycles` more add/remove rounds after the first.

    Each round waits for the guest's next (sync) or fork; the guest's loop
    is long enough for every round and bounds how long a kernel whose
    breakpoints never fire keeps gdb waiting.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd, log = qemu("kgdb", 120 + 4 * cycles,
                    ["-serial", "tcp:127.0.0.1:%d,server=on,wait=off" % port],
                    "kgdboc=ttyS1,115200 hwbploops=%d %s" % (3 * cycles + 50, append),
                    name=suite)
    start = time.time()
    vm = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    env = dict(os.environ, HWBP_CONSOLE=log, HWBP_PORT=str(port),
               HWBP_CYCLES=str(cycles))
    gdb_log = os.path.join(LOGS, suite + "-gdb.log")
    with open(gdb_log, "w") as out:
        subprocess.run(["timeout", str(100 + 4 * cycles), "gdb", "-nx", "-batch",
                        os.path.join(KOUT, "vmlinux"), "-x",
                        os.path.join(TOP, "rig", "kgdb_host.py")],
                       stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                       env=env)
    vm.kill()
    vm.wait()
    print("  boot %-12s %5.0fs" % (suite, time.time() - start))
    check_console(suite, open(log, errors="replace").read().replace("\r", ""))
    eval_tap(suite, (0, open(gdb_log, errors="replace").read()))


def wanted(boot_name):
    """HWBP_BOOTS=main,kgdbts,kgdb-host,kgdb-hotplug runs only those (for
    development; a partial run says so in its last lines)."""
    only = os.environ.get("HWBP_BOOTS")
    return not only or boot_name in only.split(",")


def main():
    if os.environ.get("HWBP_BOOTS"):
        print("  only the boots in HWBP_BOOTS=%s" % os.environ["HWBP_BOOTS"])
    int1 = ""
    if wanted("main"):
        secs = boot("main", 900)
        env = secs.get("env")
        if env:
            print("  guest: " + " / ".join(env[1].split()))
        eval_kunit(secs.get("kunit"))
        eval_tap("kselftest", secs.get("kselftest"), "# ")
        int1 = secs.get("int1probe", (None, ""))[1]
        record("probes", "int3 gives SIGTRAP/SI_KERNEL past CC",
               secs.get("int3probe", (1,))[0] == 0, secs.get("int3probe", (0, ""))[1].strip())
        # Not a test of the kernel: it tells whether the emulator can run
        # breakpoint_test's icebp case at all (rig/xfail's [no-int1] entries).
        record("probes", "int1 (icebp) raises #DB", "int1: sigtrap" in int1, int1.strip(),
               skip="int1: sigill" in int1)
        eval_tap("step_after_suspend", secs.get("step_after_suspend_n"))
        eval_tap("hwbp-abi", secs.get("hwbp_abi"))
        eval_tap("ptrace-slots", secs.get("ptrace_slots"))
        record("step_after_suspend", "with a suspend/resume cycle", False,
               "the guest kernel has no CONFIG_SUSPEND and the QEMU machine no S3 "
               "wake-up source; the -n variant above runs the same per-CPU check",
               skip=True)
        eval_ptrace_abi(secs)
        eval_perf_test(secs.get("perf_test"))
        eval_perf_stat(secs)
        eval_gdb(secs)
        for r in perf_record.evaluate(secs):
            record("perf-record", *r)
        sf = secs.get("slots_free", (1, ""))
        counted = re.findall(r"^\d+,[^,]*,mem:0x[0-9a-f]+", sf[1], re.M)
        record("slots", "all four registers free on every CPU at the end",
               sf[0] == 0 and len(counted) == 4, "rc=%s, %d events counted" % (sf[0], len(counted)))
        sm = secs.get("sample_module")
        if sm is None:
            record("sample-module", "data_breakpoint on panic_timeout", False, "not run")
        else:
            hits = sm[1].count("panic_timeout value is changed")
            ok = (sm[0] == 0 and hits == 3 and "panic_timeout write installed" in sm[1]
                  and "panic_timeout write uninstalled" in sm[1])
            record("sample-module", "data_breakpoint on panic_timeout: 3 writes, 3 hits",
                   ok, "rc=%s hits=%d" % (sm[0], hits))

    if wanted("kgdbts"):
        secs = boot("kgdbts", 600)
        eval_kgdbts(secs.get("kgdbts"))
    if wanted("kgdb-host"):
        run_kgdb_host("kgdb-host", int(os.environ.get("HWBP_KGDB_CYCLES", "100")))
    if wanted("kgdb-hotplug"):
        # CPU 3 goes offline and online before every event, and only it
        # makes them: CPUs that come online must get gdb's breakpoints.
        run_kgdb_host("kgdb-hotplug", 10, "hwbphotplug")

    # expected failures: documented in rig/xfail, still run and printed
    icebp_missing = "int1: sigill" in int1
    for r in results:
        if r[2] != "FAIL":
            continue
        for suite, pat, reason in load_xfail():
            if suite == r[0] and pat.search(r[1]):
                if reason.startswith("[no-int1] ") and not icebp_missing:
                    continue
                r[2], r[3] = "XFAIL", (r[3] + " | " if r[3] else "") + reason
                break
    report()


def report():
    path = os.path.join(LOGS, "results.txt")
    with open(path, "w") as f:
        for r in results:
            f.write("%-5s %-18s %s%s\n" % (r[2], r[0], r[1], "  [" + r[3] + "]" if r[3] else ""))
    for r in results:
        if r[2] in ("FAIL", "XFAIL") and "(not reached)" not in r[1]:
            print("  %-5s %-18s %s  [%s]" % (r[2], r[0], r[1], r[3][:200]))
    for verdict in ("FAIL", "XFAIL"):
        for s in dict.fromkeys(r[0] for r in results):
            n = sum(1 for r in results if r[0] == s and r[2] == verdict
                    and "(not reached)" in r[1])
            if n:
                print("  %-5s %-18s %d more cases not reached" % (verdict, s, n))
    suites = []
    for r in results:
        if r[0] not in suites:
            suites.append(r[0])
    print("\n  %-20s %6s %6s %6s %6s   (kernel: %s)" % ("suite", "pass", "fail", "xfail",
                                                      "skip", NAME))
    tot = {"PASS": 0, "FAIL": 0, "XFAIL": 0, "SKIP": 0}
    for s in suites:
        c = {k: sum(1 for r in results if r[0] == s and r[2] == k) for k in tot}
        for k in tot:
            tot[k] += c[k]
        print("  %-20s %6d %6d %6d %6d" % (s, c["PASS"], c["FAIL"], c["XFAIL"], c["SKIP"]))
    print("  %-20s %6d %6d %6d %6d" % ("total", tot["PASS"], tot["FAIL"], tot["XFAIL"],
                                       tot["SKIP"]))
    print("  (every case: %s; xfail = expected failure with its reason in rig/xfail,"
          " counted as skipped below)" % path)
    summary = os.path.join(TOP, "build", "logs", NAME + ".summary")
    with open(summary, "w") as f:
        f.write("%d %d %d\n" % (tot["PASS"], tot["FAIL"], tot["XFAIL"] + tot["SKIP"]))
    print("%d passed, %d failed, %d skipped" % (tot["PASS"], tot["FAIL"],
                                               tot["XFAIL"] + tot["SKIP"]))
    sys.exit(1 if tot["FAIL"] else 0)


main()
