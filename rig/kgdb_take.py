# SPDX-License-Identifier: GPL-2.0
"""The kgdb-take boot: the debugger takes a register when asked (issue 9, part 3).

perf stat -a holds all four debug registers on every CPU with four
breakpoints on muxtouch's cell (rig/guest/init, kgdb_take_*).  Host gdb
(rig/kgdb_host.py, HWBP_TAKE) is refused a first hbreak, sets
kgdb_hw_breakpoint.take_registers and then sets its breakpoints anyway.
This module judges the guest's side: what the view showed while gdb's
hbreak was in, the kernel log, and perf's counts of one muxtouch run on
CPU 0 while the hbreak was in plus one run per CPU after gdb had left.
"""
import re
from typing import Dict, List, NamedTuple, Optional

SECTIONS = ["kgdb_take_during", "kgdb_take_after"]

NO_TAKE = "no kgdb_hw_breakpoint.take_registers in this kernel"
NR_DR = 4
# Other tasks may store to the same user addresses in their own address
# spaces; perf -a counts those too.
TOLERANCE = 0.01

# The cases, in the order evaluate() returns them.
PARKED = ("while gdb's hbreak is in, one of perf's four breakpoints on each online CPU "
          "is parked and the others are in registers")
SLOTS = ("the slots view shows the debugger's register over the limit: bound 4, dbg 1, "
         "free -1 on every online CPU")
MISSED = ("a muxtouch run on CPU 0 while gdb's hbreak is in is counted by three of "
          "perf's four breakpoints, not by the displaced one")
BACK = ("after gdb removed its breakpoints, all four count every muxtouch run on "
        "every CPU: each got its register back")
NOT_PARKED = "after gdb left, none of perf's breakpoints is parked"
LOG_REFUSED = ("kernel log: the refused request says on which CPU no register was free "
               "and names perf as a holder")
LOG_TOOK = "kernel log: the take says on which CPUs and names the candidates it displaced (perf)"

class Result(NamedTuple):
    case: str
    ok: bool
    note: str = ""
    skip: bool = False


def blocks(text: str) -> Dict[str, List[str]]:
    """{"FILE LABEL": lines} of view_print's frames."""
    return {m.group(1): m.group(2).splitlines()
            for m in re.finditer(r"^@@ (\w+ \w+)\n(.*?)^@@ end$", text, re.M | re.S)}


def online(text: str) -> List[int]:
    m = re.search(r"^@@ online (\S+)", text, re.M)
    cpus: List[int] = []
    for part in filter(None, (m.group(1) if m else "").split(",")):
        lo, _, hi = part.partition("-")
        cpus += range(int(lo), int(hi or lo) + 1)
    return cpus


def perf_rows(lines: List[str]) -> List[List[str]]:
    """The holders lines of perf's breakpoints, split at TABs."""
    return [f for f in (line.split() for line in lines[1:]) if f and f[0] == "perf"]


def eval_parked(text: str) -> Result:
    name = PARKED
    rows = perf_rows(blocks(text).get("holders during", []))
    cpus = online(text)
    per_cpu = {c: sorted(f[8] for f in rows if f[3] == str(c)) for c in cpus}
    want = {c: sorted(["cpu%d" % c] * (NR_DR - 1) + ["parked%d" % c]) for c in cpus}
    ok = bool(cpus) and len(rows) == NR_DR * len(cpus) and per_cpu == want
    return Result(name, ok, "in_register per CPU: %s" % per_cpu)


def eval_slots(text: str) -> Result:
    name = SLOTS
    lines = blocks(text).get("slots during", [])
    rows = {f[0]: f[1:] for f in (line.split() for line in lines[2:]) if f}
    cpus = online(text)
    ok = bool(cpus) and all(rows.get(str(c)) == ["any", str(NR_DR), str(NR_DR), "0", "1", "-1"]
                            for c in cpus)
    return Result(name, ok, " | ".join(lines))


def counts(text: str) -> Dict[int, int]:
    """perf stat -x, counts by address."""
    return {int(a, 16): int(n) for n, a in
            re.findall(r"^(\d+),[^,]*,mem:(0x[0-9a-f]+):w,", text, re.M)}


def stores(text: str) -> Dict[int, int]:
    """{cell address: stores} summed over the muxtouch runs in @text."""
    out: Dict[int, int] = {}
    for a, n in re.findall(r"^muxtouch: cell \d+ at (0x[0-9a-f]+): (\d+) stores$", text, re.M):
        out[int(a, 16)] = out.get(int(a, 16), 0) + int(n)
    return out


def near(got: int, want: int) -> bool:
    return abs(got - want) <= TOLERANCE * max(want, 1)


def eval_counts(during: str, after: str) -> List[Result]:
    got, now, later = counts(after), stores(during), stores(after)
    cells = sorted(got)
    note = "counted %s; stored while displaced %s, after %s" % (
        [got[c] for c in cells], [now.get(c) for c in cells], [later.get(c) for c in cells])
    ok = len(cells) == NR_DR and all(c in now and c in later for c in cells)
    missed = [c for c in cells if ok and near(got[c], later[c])]
    seen = [c for c in cells if ok and near(got[c], now[c] + later[c])]
    return [
        Result(MISSED, ok and len(missed) == 1 and len(seen) == NR_DR - 1, note),
        Result(BACK, ok and len(missed) + len(seen) == NR_DR, note),
    ]


def eval_not_parked(text: str) -> Result:
    rows = perf_rows(blocks(text).get("holders after", []))
    cpus = online(text)
    ok = bool(cpus) and len(rows) == NR_DR * len(cpus) and all(
        f[8] == "cpu" + f[3] for f in rows)
    return Result(NOT_PARKED, ok,
                  "in_register: %s" % [f[8] for f in rows])


def log_blocks(text: str, head: str) -> List[List[str]]:
    """The reports in the kernel log whose first line contains @head."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if head in line:
            block = [line]
            for more in lines[i + 1:]:
                if "hw_breakpoint:   " not in more:
                    break
                block.append(more)
            out.append(block)
    return out


def eval_log(text: str) -> List[Result]:
    """The debugger's reports that name perf (KUnit's, at boot, name its own)."""
    perf = re.compile(r"hw_breakpoint:   perf perf\[\d+\] w/\d on CPU \d+$")
    out = []
    for name, head in ((LOG_REFUSED, "hw_breakpoint: kgdb: no free debug register on CPU "),
                       (LOG_TOOK, "hw_breakpoint: kgdb took debug registers in use on CPU ")):
        blocks = log_blocks(text, head)
        mine = [b for b in blocks if any(perf.search(line) for line in b)]
        out.append(Result(name, bool(mine), " | ".join((mine or blocks or [[]])[0])))
    return out


def evaluate(secs: Dict) -> List[Result]:
    during, after = (secs.get(s) for s in SECTIONS)
    if during is not None and "@@ no-take:" in during.text:
        return [Result(n, False, NO_TAKE, skip=True) for n in
                (PARKED, SLOTS, MISSED, BACK, NOT_PARKED, LOG_REFUSED, LOG_TOOK)]
    if during is None or after is None:
        return [Result("(suite)", False, "not run: the guest never got there")]
    return ([eval_parked(during.text), eval_slots(during.text)] + eval_counts(during.text, after.text)
            + [eval_not_parked(after.text)] + eval_log(after.text))
