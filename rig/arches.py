#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Build the series wherever the core is built; boot arm64 and ppc64le.

usage: rig/arches.py [--rows ROW,...] [--kernels base,ours] [--report-only]
       rig/arches.py --check

Every row is a configuration that builds kernel/events/hw_breakpoint.c:
x86_64 defconfig (5-level paging, KVM, kprobes, ftrace), x86_64 UP, x86_64
with clang, x86_64 without KGDB, i386 (SMP, UP, clang), arm64 (gcc and
clang), arm (v7), ppc64le and sh4, each
with every KUnit suite of ours on and W=1.  Each is built for both kernels, the pristine
6.12 ("base") and ours, through rig/kbuild.sh.  Build-only rows build just
the directories holding the core, our objects and the architecture's
breakpoint backend; arm64 and ppc64le build the whole kernel and boot it
under QEMU with 4 CPUs: the KUnit suites run at boot (KTAP through
kunit.py parse, as rig/check.py does), then on arm64 upstream's
breakpoint_test_arm64 kselftest from a small initramfs.

Per row and kernel the report gives the build result, the warnings in our
files (`git ls-files arch kernel include`; in the baseline the same paths
hold upstream's files) and the test verdicts, then both kernels side by side
for every case that is not a pass on both.  Expected failures come from
rig/xfail, whose SUITE field is the row name here.  Every row's results are
kept in build/logs/arches/ROW.KERNEL.json, the report in
build/logs/arches/report.txt, so --report-only reprints it without building.

--check is the part `make check` runs: ours only, the x86_64 defconfig and
UP directory builds and the arm64 build and boot, written as suites
build-x86_64-defconfig, build-x86_64-up and arm64 to
build/logs/ours/arches.json as [suite, case, verdict, note] rows (verdict
PASS, FAIL, SKIP or XFAIL).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import rig_boot
import rig_console
import rig_results

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(TOP, "build")
SRC = {"base": os.path.join(B, "src", "linux-source-6.12"),
       "ours": os.path.join(B, "ours-src")}
LOGS = os.path.join(B, "logs", "arches")
KUNIT_PY = os.path.join(SRC["base"], "tools", "testing", "kunit", "kunit.py")
RIG_FRAGMENT = "tools/testing/selftests/breakpoints/config"
KERNELS = ("base", "ours")


@dataclass
class Row:
    """One configuration: how to build it and, if it boots, how."""
    name: str
    arch: str
    srcarch: str
    fragments: List[str]
    cross: str = ""
    llvm: bool = False
    base: str = "tinyconfig"
    goals: List[str] = field(default_factory=list)    # empty: our directories only
    qemu: List[str] = field(default_factory=list)     # empty: build only
    image: str = ""
    console: str = ""
    programs: List[str] = field(default_factory=list)  # guest paths init runs

    def frags(self) -> List[str]:
        return [f if "/" in f else "rig/arches/%s.config" % f for f in self.fragments]


SMP = ["-smp", "4,sockets=4,cores=1"]
ROWS = [
    Row("x86_64-defconfig", "x86_64", "x86", [RIG_FRAGMENT, "x86_64-defconfig"],
        base="defconfig"),
    Row("x86_64-up", "x86_64", "x86", [RIG_FRAGMENT, "x86_64-up"]),
    Row("x86_64-clang", "x86_64", "x86", [RIG_FRAGMENT], llvm=True),
    Row("x86_64-nokgdb", "x86_64", "x86", [RIG_FRAGMENT, "nokgdb"]),
    Row("i386", "i386", "x86", [RIG_FRAGMENT, "i386"]),
    # What the kernel test robot builds of x86 besides: 32-bit UP, 32-bit
    # with clang.
    Row("i386-up", "i386", "x86", [RIG_FRAGMENT, "i386", "x86_64-up"]),
    Row("i386-clang", "i386", "x86", [RIG_FRAGMENT, "i386"], llvm=True),
    # -cpu max: 6 breakpoint and 4 watchpoint registers; impdef pointer
    # authentication only because QEMU's architected one is slow under TCG.
    Row("arm64", "arm64", "arm64", ["common", "smp", "arm64"], cross="aarch64-linux-gnu-",
        goals=["Image", "headers"], image="arch/arm64/boot/Image", console="ttyAMA0",
        qemu=["qemu-system-aarch64", "-M", "virt", "-cpu", "max,pauth-impdef=on", *SMP],
        programs=["/kselftest/breakpoint_test_arm64"]),
    # The other backend with clang: separate instruction and data classes.
    Row("arm64-clang", "arm64", "arm64", ["common", "smp", "arm64"], llvm=True),
    Row("arm", "arm", "arm", ["common", "smp", "arm"], cross="arm-linux-gnueabihf-"),
    # power10: one data breakpoint (DAWR0).  POWER9 keeps DAWR off by
    # default (an erratum), so every breakpoint would fail there.
    Row("ppc64le", "powerpc", "powerpc", ["common", "smp", "ppc64le"],
        cross="powerpc64le-linux-gnu-", goals=["vmlinux", "headers"], image="vmlinux",
        console="hvc0",
        qemu=["qemu-system-ppc64", "-M", "pseries", "-cpu", "power10",
              "-smp", "4,sockets=4,cores=1,threads=1"]),
    Row("sh4", "sh", "sh", ["common", "sh4"], cross="sh4-linux-gnu-"),
]
ROW = {r.name: r for r in ROWS}
CHECK = [("x86_64-defconfig", "build-x86_64-defconfig"), ("x86_64-up", "build-x86_64-up"),
         ("arm64", "arm64")]

DIAG = re.compile(r"^(\S+?):(\d+):(?:(\d+):)? (warning|error): (.*)$", re.M)


def our_files() -> List[str]:
    out = subprocess.run(["git", "-C", TOP, "ls-files", "arch", "kernel", "include"],
                         capture_output=True, text=True, check=True).stdout
    return out.split()


class Run:
    """One row built (and booted) for one kernel."""

    def __init__(self, row: Row, kernel: str, suite: str):
        self.row, self.kernel, self.suite = row, kernel, suite
        self.src = SRC[kernel]
        self.kout = os.path.join(B, "arches", "%s-%s" % (kernel, row.name))
        self.log_base = os.path.join(LOGS, "%s.%s" % (row.name, kernel))
        self.results: List[List[str]] = []
        self.build_ok = False
        self.build_secs = 0.0
        self.warnings: List[str] = []

    def record(self, case: str, ok: bool, note: str = "", skip: bool = False) -> None:
        note = "".join(c if c.isprintable() else "?" for c in note)
        self.results.append([self.suite, case, "SKIP" if skip else
                             ("PASS" if ok else "FAIL"), note])

    # -- build --------------------------------------------------------------

    def dirs(self) -> List[str]:
        """Directories holding the core, our objects and the arch's backend."""
        dirs = {"kernel/events/", "arch/%s/kernel/" % self.row.srcarch}
        for f in our_files():
            if f.endswith(".c") and (not f.startswith("arch/") or
                                     f.startswith("arch/%s/" % self.row.srcarch)):
                dirs.add(os.path.dirname(f) + "/")
        return sorted(dirs)

    def build(self) -> None:
        r = self.row
        goals = r.goals or self.dirs()
        cmd = [os.path.join(TOP, "rig", "kbuild.sh"), "--arch", r.arch, "--base", r.base]
        if r.cross:
            cmd += ["--cross", r.cross]
        if r.llvm:
            cmd += ["--llvm"]
        for f in r.frags():
            cmd += ["--fragment", os.path.join(TOP, f)]
        cmd += [self.src, self.kout, "W=1", *goals]
        # Recompile our objects every time (ccache makes that cheap), so
        # their warnings are in this log even when nothing else changed.
        for f in our_files():
            if f.endswith(".c"):
                obj = os.path.join(self.kout, f[:-2] + ".o")
                if os.path.exists(obj):
                    os.unlink(obj)
        log = self.log_base + ".build.log"
        start = time.time()
        with open(log, "w") as out:
            rc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT).returncode
        self.build_secs = time.time() - start
        text = open(log, errors="replace").read()
        ours = set(our_files())
        seen = []
        for m in DIAG.finditer(text):
            path = os.path.normpath(m.group(1))
            rel = next((f for f in ours if path == f or path.endswith("/" + f)), None)
            if rel and m.group(4) == "warning":
                w = "%s:%s: %s" % (rel, m.group(2), m.group(5))
                if w not in seen:
                    seen.append(w)
        self.warnings = seen
        self.build_ok = rc == 0
        what = "make W=1 " + " ".join(goals)
        if self.build_ok:
            self.record("build: " + what, True, "%.0fs" % self.build_secs)
        else:
            errs = [m.group(0) for m in DIAG.finditer(text) if m.group(4) == "error"]
            errs += re.findall(r"^kbuild: .*(?:not in the final|unknown).*$", text, re.M)
            errs += re.findall(r"^make.*\*\*\*.*$", text, re.M)[:1]
            self.record("build: " + what, False, "; ".join(errs[:3]) + " (%s)" % log)
        self.record("W=1: no warning in our files", not self.warnings,
                    "%d: %s" % (len(self.warnings), "; ".join(self.warnings[:4]))
                    if self.warnings else "",
                    skip=not self.build_ok and not self.warnings)

    # -- boot ---------------------------------------------------------------

    def guest(self) -> str:
        """The initramfs: a nolibc /init and, on arm64, the kselftest."""
        r = self.row
        g = os.path.join(self.kout, "guest")
        shutil.rmtree(g, ignore_errors=True)
        os.makedirs(g)
        hdrs = os.path.join(self.kout, "usr", "include")
        nolibc = os.path.join(SRC["base"], "tools", "include", "nolibc", "nolibc.h")
        subprocess.run([r.cross + "gcc", "-Os", "-Wall", "-static", "-nostdlib",
                        "-fno-stack-protector", "-fno-asynchronous-unwind-tables",
                        "-isystem", hdrs, "-include", nolibc, "-o",
                        os.path.join(g, "init"),
                        os.path.join(TOP, "rig", "guest", "arches-init.c"), "-lgcc"],
                       check=True)
        files = [("/init", os.path.join(g, "init"))]
        if any(p.startswith("/kselftest/") for p in r.programs):
            # kselftest's own Makefile, cross-compiled; static, as the
            # guest has no C library.  From our tree for both kernels, as
            # the x86 rig does (breakpoint_test_arm64.c is upstream's).
            inst = os.path.join(g, "kselftest")
            subprocess.run(["make", "-s", "-C",
                            os.path.join(SRC["ours"], "tools", "testing", "selftests"),
                            "TARGETS=breakpoints", "ARCH=" + r.arch,
                            "CROSS_COMPILE=" + r.cross, "O=" + os.path.join(g, "ksft-build"),
                            "KHDR_INCLUDES=-isystem " + hdrs, "LDFLAGS=-static",
                            "INSTALL_PATH=" + inst, "install"],
                           check=True, stdout=subprocess.DEVNULL)
            for p in r.programs:
                files.append((p, os.path.join(inst, "breakpoints", os.path.basename(p))))
        # The kernel's own gen_init_cpio: no root needed for /dev/console.
        gen = os.path.join(B, "arches", "gen_init_cpio")
        if not os.path.exists(gen):
            subprocess.run(["gcc", "-O2", "-o", gen,
                            os.path.join(SRC["base"], "usr", "gen_init_cpio.c")], check=True)
        lst = ["dir /dev 0755 0 0", "nod /dev/console 0600 0 0 c 5 1", "dir /proc 0755 0 0"]
        for d in sorted({os.path.dirname(p) for p, _ in files} - {"/"}):
            lst.append("dir %s 0755 0 0" % d)
        lst += ["file %s %s 0755 0 0" % (p, h) for p, h in files]
        open(os.path.join(g, "cpio.list"), "w").write("\n".join(lst) + "\n")
        img = os.path.join(g, "initramfs.cpio")
        with open(img, "wb") as out:
            subprocess.run([gen, os.path.join(g, "cpio.list")], stdout=out, check=True)
        return img

    def boot(self) -> None:
        r = self.row
        try:
            img = self.guest()
        except (subprocess.CalledProcessError, OSError) as e:
            self.record("boot: guest userspace", False, str(e))
            return
        log = self.log_base + ".console.log"
        append = "console=%s panic=-1" % r.console
        if r.programs:
            append += " -- " + " ".join(r.programs)
        cmd = ["timeout", "--kill-after=5", "300", *r.qemu, "-accel", "tcg", "-m", "1G",
               "-kernel", os.path.join(self.kout, r.image), "-initrd", img,
               "-display", "none", "-no-reboot", "-serial", "file:" + log,
               "-append", append]
        start = time.time()
        subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=open(self.log_base + ".qemu.log", "w"))
        secs = time.time() - start
        text = open(log, errors="replace").read().replace("\r", "")
        done = "@@HWBP-DONE" in text
        self.record("boot: init ran every program and restarted", done,
                    "%.0fs" % secs if done else "see " + log)
        hits = rig_console.scan(text)
        self.record("console: no WARNING, BUG or panic", not hits, "; ".join(hits[:3]))
        first = text.find("@@HWBP-BEGIN")
        self.ktap("kunit", text if first < 0 else text[:first])
        for name, sec in rig_boot.parse_sections(text).items():
            self.ktap(name, sec.text)
            self.record("%s: exit status 0" % name, sec.rc == 0, "rc=%s" % sec.rc)
        for p in r.programs:
            if "@@HWBP-BEGIN %s\n" % os.path.basename(p) not in text:
                self.record(os.path.basename(p), False, "never started")

    def ktap(self, prefix: str, text: str) -> None:
        """KTAP/TAP through kunit.py parse; one case per leaf test."""
        raw = "%s.%s.ktap" % (self.log_base, prefix)
        js = "%s.%s.json" % (self.log_base, prefix)
        open(raw, "w").write(text)
        if os.path.exists(js):
            os.unlink(js)
        subprocess.run([sys.executable, KUNIT_PY, "parse", "--json=" + js, raw],
                       stdout=open("%s.%s.txt" % (self.log_base, prefix), "w"),
                       stderr=subprocess.STDOUT)
        try:
            data = json.load(open(js))
        except (OSError, ValueError):
            self.record(prefix, False, "kunit.py parse produced no JSON")
            return
        before = len(self.results)

        def walk(group: dict, path: List[str]) -> None:
            for sub in group.get("sub_groups", []):
                walk(sub, path + [sub["name"]])
            for case in group.get("test_cases", []):
                st = case["status"]
                name = " ".join([prefix, ".".join(path + [case["name"]])])
                # TAP descriptions need not be unique; verdicts are
                # compared by name across kernels.
                n = sum(1 for r in self.results[before:] if r[1].split(" #")[0] == name)
                self.record(name + (" #%d" % (n + 1) if n else ""), st == "PASS",
                            "" if st == "PASS" else case_note(text, case["name"], st),
                            skip=st == "SKIP")
        walk(data, [])
        if len(self.results) == before:
            self.record(prefix, False, "no test results in its output")

    # -- results ------------------------------------------------------------

    def save(self) -> None:
        json.dump({"row": self.row.name, "kernel": self.kernel, "build_ok": self.build_ok,
                   "build_secs": round(self.build_secs), "warnings": self.warnings,
                   "results": self.results},
                  open(self.log_base + ".json", "w"), indent=1)


def case_note(text: str, name: str, status: str) -> str:
    """The reason kunit.py's JSON leaves out: a skip's, or a failure's first lines."""
    esc = re.escape(name)
    if status == "SKIP":
        m = re.search(r"ok \d+ %s # SKIP ?(.*)$" % esc, text, re.M)
        return "SKIP: " + m.group(1) if m and m.group(1) else "SKIP"
    m = re.search(r"# %s: (.*)\n\s*(?:# )?(.*)$" % esc, text, re.M)
    return "%s: %s %s" % (status, m.group(1), m.group(2)) if m else status


def xfail(results: List[List[str]], kernel: str) -> None:
    """Failures rig/xfail expects become XFAIL, with its reason."""
    expected = rig_results.load_xfail(os.path.join(TOP, "rig", "xfail"), kernel)
    for r in results:
        case = rig_results.Result(r[0], r[1], rig_results.Status(r[2]), r[3])
        for x in expected:
            if x.matches(case, icebp_missing=False):
                r[2], r[3] = "XFAIL", (r[3] + " | " if r[3] else "") + x.reason
                break


def run(row: Row, kernel: str, suite: str) -> Run:
    r = Run(row, kernel, suite)
    print("arches: %-17s %-4s building" % (row.name, kernel), flush=True)
    r.build()
    if row.qemu:
        if r.build_ok:
            print("arches: %-17s %-4s booting" % (row.name, kernel), flush=True)
            r.boot()
        else:
            r.record("boot", False, "not built", skip=True)
    r.save()
    xfail(r.results, kernel)
    return r


def counts(results: List[List[str]]) -> Dict[str, int]:
    return {k: sum(1 for x in results if x[2] == k) for k in ("PASS", "FAIL", "XFAIL", "SKIP")}


def report() -> int:
    """Per row and kernel, then both kernels side by side per case."""
    data: Dict[str, Dict[str, dict]] = {}
    for row in ROWS:
        for k in KERNELS:
            path = os.path.join(LOGS, "%s.%s.json" % (row.name, k))
            if os.path.exists(path):
                d = json.load(open(path))
                xfail(d["results"], k)
                data.setdefault(row.name, {})[k] = d
    lines = ["%-17s %-5s %-9s %-9s %s" % ("row", "kernel", "build", "warnings",
                                          "tests pass/fail/xfail/skip")]
    for row in ROWS:
        for k in KERNELS:
            d = data.get(row.name, {}).get(k)
            if d is None:
                lines.append("%-17s %-5s %s" % (row.name, k, "not run"))
                continue
            tests = [x for x in d["results"] if not x[1].startswith(("build:", "W=1:"))]
            c = counts(tests)
            lines.append("%-17s %-5s %-9s %-9s %s" % (
                row.name, k, ("ok %ds" % d["build_secs"]) if d["build_ok"] else "FAILED",
                len(d["warnings"]),
                "%d/%d/%d/%d" % (c["PASS"], c["FAIL"], c["XFAIL"], c["SKIP"]) if tests
                else "(build only)"))
    fails = 0
    for row in ROWS:
        both = data.get(row.name, {})
        if not both:
            continue
        cases: List[str] = []
        verdict: Dict[str, Dict[str, list]] = {}
        for k, d in both.items():
            for x in d["results"]:
                if x[1] not in verdict:
                    cases.append(x[1])
                verdict.setdefault(x[1], {})[k] = x
                fails += k == "ours" and x[2] == "FAIL"
        shown = [c for c in cases if any(v[2] != "PASS" for v in verdict[c].values())]
        lines.append("")
        lines.append("%s: %d cases, %d pass on %s" % (
            row.name, len(cases), len(cases) - len(shown),
            "each kernel that runs them" if len(both) == 2
            else "the %s kernel" % next(iter(both))))
        for c in shown:
            v = verdict[c]
            lines.append("  %-5s %-5s %s" % (v.get("base", [0, 0, "-"])[2],
                                             v.get("ours", [0, 0, "-"])[2], c))
            for k in KERNELS:
                if k in v and v[k][3] and v[k][2] != "PASS":
                    lines.append("              %s: %s" % (k, v[k][3][:300]))
        for k, d in both.items():
            for w in d["warnings"]:
                lines.append("  %s warning: %s" % (k, w))
    text = "\n".join(lines) + "\n"
    open(os.path.join(LOGS, "report.txt"), "w").write(text)
    print("\n" + text, end="")
    print("(base = pristine 6.12, ours = the series; every case, logs and consoles: %s)"
          % LOGS)
    return 1 if fails else 0


def check_row(name: str, suite: str) -> List[List[str]]:
    """One row of CHECK for our kernel, as `make check` runs it."""
    os.makedirs(LOGS, exist_ok=True)
    return run(ROW[name], "ours", suite).results


def check() -> int:
    results: List[List[str]] = []
    for name, suite in CHECK:
        results += check_row(name, suite)
    out = os.path.join(B, "logs", "ours", "arches.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    json.dump(results, open(out, "w"), indent=1)
    for r in results:
        if r[2] in ("FAIL", "XFAIL"):
            print("  %-5s %-22s %s  [%s]" % (r[2], r[0], r[1], r[3][:200]))
    for _, suite in CHECK:
        c = counts([r for r in results if r[0] == suite])
        print("  %-22s %6d %6d %6d %6d" % (suite, c["PASS"], c["FAIL"], c["XFAIL"], c["SKIP"]))
    print("  (every case: %s)" % out)
    return 1 if any(r[2] == "FAIL" for r in results) else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--check", action="store_true",
                   help="ours only: x86_64 defconfig and UP builds, arm64 build and boot")
    p.add_argument("--rows", default=",".join(r.name for r in ROWS))
    p.add_argument("--kernels", default=",".join(KERNELS))
    p.add_argument("--report-only", action="store_true")
    a = p.parse_args()
    os.makedirs(LOGS, exist_ok=True)
    if a.check:
        return check()
    if not a.report_only:
        for name in a.rows.split(","):
            if name not in ROW:
                p.error("no row %s (rows: %s)" % (name, ", ".join(ROW)))
            for k in a.kernels.split(","):
                run(ROW[name], k, name)
    return report()


if __name__ == "__main__":
    sys.exit(main())
