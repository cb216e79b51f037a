# SPDX-License-Identifier: GPL-2.0
"""Typed results of the rig: a status per case, expected failures, the table.

Every suite turns its raw output into a list of Result; nothing else in the
rig decides a verdict.  rig/xfail turns a FAIL into an XFAIL (still run,
still printed, with its reason), and the report is the same table and
closing line whichever suites ran.
"""
import enum
import os
import re
import sys
from dataclasses import dataclass, replace
from typing import Dict, Iterable, List, Sequence, TextIO


class Status(enum.Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"
    XFAIL = "XFAIL"   # failed as rig/xfail says it will; counted as skipped


@dataclass(frozen=True)
class Result:
    suite: str
    case: str
    status: Status
    note: str = ""

    @property
    def not_reached(self) -> bool:
        return "(not reached)" in self.case


def result(suite: str, case: str, ok: bool, note: str = "", skip: bool = False) -> Result:
    """The verdict of one case; a skip wins over ok."""
    # Console text can hold anything; results.txt stays one line per case.
    note = "".join(c if c.isprintable() else "?" for c in note)
    status = Status.SKIP if skip else (Status.PASS if ok else Status.FAIL)
    return Result(suite, case, status, note)


@dataclass(frozen=True)
class XFail:
    suite: str
    pattern: "re.Pattern[str]"
    reason: str

    # rig/xfail reasons starting with this apply only where the emulator
    # turns ICEBP into #UD (the int1 probe got SIGILL).
    NO_INT1 = "[no-int1] "

    def matches(self, r: Result, icebp_missing: bool) -> bool:
        if r.status != Status.FAIL or r.suite != self.suite:
            return False
        if self.reason.startswith(self.NO_INT1) and not icebp_missing:
            return False
        return bool(self.pattern.search(r.case))


def load_xfail(path: str, kernel: str) -> List[XFail]:
    """rig/xfail: 'KERNELS SUITE CASE-REGEX -- reason' lines for KERNEL."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            spec, reason = line.split(" -- ", 1)
            kernels, suite, pattern = spec.split(None, 2)
            # ours-lockdep is ours with more debugging: same expectations
            names = kernels.split(",")
            if kernel in names or kernel.split("-")[0] in names:
                out.append(XFail(suite, re.compile(pattern), reason))
    return out


def apply_xfail(results: Iterable[Result], xfails: Sequence[XFail],
                icebp_missing: bool) -> List[Result]:
    out = []
    for r in results:
        x = next((x for x in xfails if x.matches(r, icebp_missing)), None)
        if x:
            r = replace(r, status=Status.XFAIL,
                        note=(r.note + " | " if r.note else "") + x.reason)
        out.append(r)
    return out


def counts(results: Iterable[Result]) -> Dict[Status, int]:
    c = {s: 0 for s in Status}
    for r in results:
        c[r.status] += 1
    return c


def summary_line(c: Dict[Status, int]) -> str:
    return "%d passed, %d failed, %d skipped" % (
        c[Status.PASS], c[Status.FAIL], c[Status.XFAIL] + c[Status.SKIP])


def write_results(path: str, results: Sequence[Result]) -> None:
    with open(path, "w") as f:
        for r in results:
            f.write("%-5s %-18s %s%s\n" % (r.status.value, r.suite, r.case,
                                          "  [" + r.note + "]" if r.note else ""))


def print_report(kernel: str, results: Sequence[Result], path: str,
                 out: TextIO = sys.stdout) -> Dict[Status, int]:
    """Failures, the table per suite and the closing line; returns the totals."""
    for r in results:
        if r.status in (Status.FAIL, Status.XFAIL) and not r.not_reached:
            print("  %-5s %-18s %s  [%s]" % (r.status.value, r.suite, r.case,
                                            r.note[:200]), file=out)
    suites = list(dict.fromkeys(r.suite for r in results))
    for status in (Status.FAIL, Status.XFAIL):
        for s in suites:
            n = sum(1 for r in results
                    if r.suite == s and r.status == status and r.not_reached)
            if n:
                print("  %-5s %-18s %d more cases not reached" % (status.value, s, n),
                      file=out)
    print("\n  %-20s %6s %6s %6s %6s   (kernel: %s)" % ("suite", "pass", "fail", "xfail",
                                                      "skip", kernel), file=out)
    row = "  %-20s %6d %6d %6d %6d"
    for s in suites:
        c = counts(r for r in results if r.suite == s)
        print(row % (s, c[Status.PASS], c[Status.FAIL], c[Status.XFAIL], c[Status.SKIP]),
              file=out)
    tot = counts(results)
    print(row % ("total", tot[Status.PASS], tot[Status.FAIL], tot[Status.XFAIL],
                 tot[Status.SKIP]), file=out)
    print("  (every case: %s; xfail = expected failure with its reason in rig/xfail,"
          " counted as skipped below)" % path, file=out)
    return tot


def write_summary(path: str, tot: Dict[Status, int]) -> None:
    """build/logs/KERNEL.summary: 'passed failed skipped', for scripts."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("%d %d %d\n" % (tot[Status.PASS], tot[Status.FAIL],
                                tot[Status.XFAIL] + tot[Status.SKIP]))
