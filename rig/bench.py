# SPDX-License-Identifier: GPL-2.0
"""`make bench`: every cost of the breakpoint layer, ours against 6.12.

Method.  build/base and build/ours (same config, same initramfs userspace)
boot alternately under the same QEMU command line (rig_boot.Machine), in
the "bench" mode of rig/guest/init; ROUNDS rounds, each booting both, the
two in turn first (plan()).
The kernel command line tells the guest how long each figure runs
(hwbpsecs=, SECONDS of measured work per figure) and which figures to take
(hwbpset=main or cpus).  A perf bench figure is perf's own per-op time from
runs repeated until their "Total time" adds up to SECONDS (rig/guest/init
perf_for), weighed by each run's work; a hw_breakpoint_bench figure is the
rate it prints after running for SECONDS.

Every boot prints its clocksource at its start and at its end; a boot that
was on a coarse clock at either (jiffies: 4 ms steps) is named, and its
figures are left out and counted as excluded.  Per figure the table gives
each kernel's median and min-max over the boots counted, and ours/base of
the medians as a ratio of times (for a rate, base rate / ours rate), so
that below 1.00 ours is faster; a kernel whose figures spread by more than
SPREAD_MAX (max/min) is flagged SPREAD.  The two boots of a round run
minutes apart, under the same load of the host, which drifts over a run:
"paired" is the median over the rounds of each round's own ours/base, with
its min-max, and is steadier than the ratio of medians when that load
moves.  The vCPU scaling boots
(hwbpset=cpus at 1, 2 and 8 vCPUs; 4 is the main boots' count) run in
the first scaling_rounds rounds (BENCH_SCALING_ROUNDS), interleaved the
same way.

Together (make bench BENCH_TOGETHER=1, --together).  The host's own
speed drifts by up to 2x within minutes (rig/README.rst, "Benchmarks"),
more than the two kernels differ, and boots minutes apart see different
hosts.  Together, the two boots of a round run at the same time, each
QEMU confined with taskset to its own half of the host's CPUs (one core
each on a 2-core host), the halves swapped every round, so that whatever
the host does meanwhile slows both.  The price: a guest's vCPUs share
its half of the host, so at more vCPUs than that half has cores they
are time-sliced, and those figures are not the alternating run's.  A
boot of the pair that comes up on a coarse clock boots the pair again.

Instructions (make bench-icount, --icount).  What TCG's drift cannot
move: at one vCPU under QEMU's icount mode (ICOUNT_ARGS) the guest's
clock counts the instructions it executes, so each figure becomes the
instructions its whole path executes per op, the same at every boot.
It is a count, not a cost: a debug-register write, a serialising
instruction or an IPI counts as one.

The smoke run in `make check` (bench-smoke, SMOKE_SECTIONS) runs every
benchmark once with the least work and checks only that it ran and printed
its figure.
"""
import os
import re
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import rig_boot
from rig_boot import TOP, Machine, Printer, Section, Sections
from rig_results import Result, result

KERNELS = ("base", "ours")
# A boot that comes up on a coarse clock measures nothing and is booted
# again, up to this many times ("tsc: Unable to calibrate against PIT" in
# about one boot of four when the host is busy).
CLOCK_RETRIES = 2
# The only fine clocksources an x86 guest without ACPI can have; anything
# else there is jiffies-based (4 ms steps at HZ=250).
FINE_CLOCKS = ("tsc", "tsc-early")
SPREAD_MAX = 1.5
# Every bench boot, of both kernels: the KUnit suites built into ours
# create some 60 tasks at boot that 6.12's do not, which puts the bench's
# pids past 64, a second level of the pid radix tree that every ptrace
# request walks (find_get_task_by_vpid()): 36 instructions more per
# PEEKUSER pair, measured with ICOUNT_ARGS.
NO_KUNIT = "kunit.enable=0"
# make bench-icount: QEMU's icount mode advances the guest's clock by 1 ns
# per instruction executed, so a figure's time is its instruction count,
# the same at every boot and apart from the host: what each kernel's path
# executes, not what it costs a real CPU (a debug-register write or an IPI
# counts one instruction).  The guest then runs about 1.5x slower here.
ICOUNT_ARGS = ("-icount", "shift=0")
ICOUNT_UNIT = "insns/op"
ICOUNT_SLOWDOWN = 2
# The vCPU counts the scaling boots add to the main boots' (HWBP_SMP).
SCALING_CPUS = (1, 2, 4, 8)

# What a boot costs besides its figures (QEMU start, the kernel's boot, the
# initramfs, the power-off), and each figure besides its SECONDS: perf's own
# start under TCG two or three times (perf_for sizes the runs), threads
# torn down; for hw_breakpoint_bench its fork and exec.  Guesses, printed as
# such; the real times are printed as the boots end.
BOOT_COST_S = 12.0
PERF_COST_S = 3.0
TOOL_COST_S = 1.0

PERF_BENCH = "perf"
TOOL = "tool"
TIME_UNIT = "usecs/op"


@dataclass(frozen=True)
class Figure:
    """One measured figure: its section in rig/guest/init and what it runs."""
    name: str
    group: str
    title: str
    kind: str                  # PERF_BENCH or TOOL
    watched: bool = False      # perf stat's four watchpoints around it
    cpus_set: bool = False     # measured again at other vCPU counts

    @property
    def tool_bench(self) -> str:
        """hw_breakpoint_bench's BENCH argument."""
        return self.name.replace("_", "-")


RESERVE = "1. reservation: perf bench breakpoint thread"
ENABLE = "2. perf bench breakpoint enable"
PTRACE = "3. ptrace on a stopped tracee (hw_breakpoint_bench)"
HIT = "4. the hit path (hw_breakpoint_bench)"
SWITCH = "5. context switches: perf bench sched pipe"
TASKS = "6a. tasks holding 4 breakpoints: breakpoint thread -b 4 -p 1 -t N"
CPUS = "6b. vCPUs"

# In the order of the table, and of rig/guest/init's bench_figures.
FIGURES: Tuple[Figure, ...] = (
    Figure("thread_b0_p4_t16", RESERVE, "-b 0 -p 4 -t 16", PERF_BENCH),
    Figure("thread_b4_p4_t16", RESERVE, "-b 4 -p 4 -t 16", PERF_BENCH, cpus_set=True),
    Figure("thread_b0_p16_t64", RESERVE, "-b 0 -p 16 -t 64", PERF_BENCH),
    Figure("thread_b4_p16_t64", RESERVE, "-b 4 -p 16 -t 64", PERF_BENCH, cpus_set=True),
    Figure("enable_passive", ENABLE, "-p 64 (passive threads)", PERF_BENCH),
    Figure("enable_active", ENABLE, "-a 2 (active threads)", PERF_BENCH),
    Figure("ptrace_insert_remove", PTRACE, "(a) DR0-3 + DR7 on, then off", TOOL,
           cpus_set=True),
    Figure("ptrace_move", PTRACE, "(b) move DR0 while enabled", TOOL, cpus_set=True),
    Figure("ptrace_peek", PTRACE, "(c) PEEKUSER DR6/DR7", TOOL, cpus_set=True),
    Figure("hit_watched", HIT, "stores to a watched variable", TOOL),
    Figure("hit_unwatched", HIT, "the same stores unwatched", TOOL),
    Figure("ptrace_roundtrip", HIT, "tracee hits, tracer reads DR6, continues", TOOL),
    Figure("pipe", SWITCH, "no watchpoints", PERF_BENCH),
    Figure("pipe_watched", SWITCH, "4 inherited task watchpoints (perf stat)", PERF_BENCH,
           watched=True),
) + tuple(Figure("tasks_%d" % n, TASKS, "N = %d" % n, PERF_BENCH) for n in (1, 16, 256, 4096))

BY_NAME = {f.name: f for f in FIGURES}
SETS = {"main": [f.name for f in FIGURES],
        "cpus": [f.name for f in FIGURES if f.cpus_set]}
# Derived rows: (title, numerator, denominator), a quotient of the times
# (of a rate: its inverse) of each kernel's medians.
DERIVED = (("b4/b0: the accounting's cost", "thread_b4_p4_t16", "thread_b0_p4_t16"),
           ("b4/b0: the accounting's cost", "thread_b4_p16_t64", "thread_b0_p16_t64"),
           ("watched/unwatched: a store that traps", "hit_watched", "hit_unwatched"),
           ("watched/unwatched", "pipe_watched", "pipe"))


# --- parsers ---------------------------------------------------------------

class Measure(NamedTuple):
    value: float
    unit: str
    seconds: Optional[float]     # measured work (perf's Total times); None: the tool's own
    runs: int = 1

    @property
    def is_rate(self) -> bool:
        return is_rate(self.unit)


def is_rate(unit: str) -> bool:
    return unit.endswith("/s")


def as_time(value: float, unit: str) -> float:
    """A figure as a time: a rate's inverse."""
    return 1 / value if is_rate(unit) else value


class Outcome(NamedTuple):
    """A figure, or why there is none (skip: the tool said it cannot run)."""
    measure: Optional[Measure]
    why: str = ""
    skip: bool = False


# perf bench prints, per run, the work it did ("# Created/joined R threads",
# "# Enabled/disabled breakpoint R time", "# Executed R pipe operations"),
# its "Total time: S.mmm [sec]" and the time per op (exact in usecs).
_PERF_WORK = re.compile(r"^# (?:Created/joined|Enabled/disabled breakpoint|Executed) (\d+) ",
                        re.M)
_PERF_TOTAL = re.compile(r"^\s*Total time: ([0-9.]+) \[sec\]$", re.M)
_PERF_PER_OP = re.compile(r"^\s*([0-9.]+) usecs/op$", re.M)
# perf stat -x, rows of the watchpoints (perf 6.1 may zero-pad the address)
_WATCH_ROW = re.compile(r"^([^,\n]*),[^,\n]*,mem:0x([0-9a-f]+):w,", re.M)
WATCHED_ADDRS = (0x1000, 0x2000, 0x3000, 0x4000)


def parse_perf_bench(text: str) -> Outcome:
    """Usecs per op over every run of a perf_for section, each run's per-op
    time weighed by its work."""
    work = [int(n) for n in _PERF_WORK.findall(text)]
    totals = [float(t) for t in _PERF_TOTAL.findall(text)]
    per_op = [float(u) for u in _PERF_PER_OP.findall(text)]
    if not totals:
        skipping = re.search(r"^Skipping perf bench.*$", text, re.M)
        return Outcome(None, skipping.group(0) if skipping else "no \"Total time\" printed")
    if not (len(work) == len(totals) == len(per_op)) or not sum(work):
        return Outcome(None, "%d runs but %d work lines and %d usecs/op lines"
                       % (len(totals), len(work), len(per_op)))
    value = sum(u * n for u, n in zip(per_op, work)) / sum(work)
    return Outcome(Measure(value, TIME_UNIT, sum(totals), len(totals)))


def check_watched(text: str, runs: int) -> str:
    """Why perf stat's four watchpoints did not all open and count in every
    run ("" if they did)."""
    rows = _WATCH_ROW.findall(text)
    bad = [v for v, _ in rows if not v.strip().isdigit()]
    if bad:
        return "a watchpoint did not count: %s" % bad[0]
    want = sorted(list(WATCHED_ADDRS) * runs)
    if sorted(int(a, 16) for _, a in rows) != want:
        return "%d perf stat watchpoint rows for %d runs, want 4 per run" % (len(rows), runs)
    return ""


_TOOL_LINE = re.compile(r"^hw_breakpoint_bench: (\S+) (?:(error|skip): (.*)|(\S+) (.+))$", re.M)


def parse_tool(text: str, bench: str, rc: Optional[int]) -> Outcome:
    """hw_breakpoint_bench's one line: "BENCH VALUE UNIT", or its error or
    skip (exit status 4) with the reason."""
    for m in _TOOL_LINE.finditer(text):
        if m.group(1) != bench:
            continue
        if m.group(2) == "skip":
            return Outcome(None, m.group(3).strip(), skip=rc == 4)
        if m.group(2) == "error":
            return Outcome(None, "error: " + m.group(3).strip())
        try:
            value = float(m.group(4))
        except ValueError:
            return Outcome(None, "not a number: " + m.group(0))
        return Outcome(Measure(value, m.group(5).strip(), None))
    return Outcome(None, "no \"hw_breakpoint_bench: %s\" line" % bench)


def parse_figure(fig: Figure, sec: Optional[Section]) -> Outcome:
    """A figure from its section: it must have run to its end, exit 0 and
    print its figure (a tool's skip only with exit status 4)."""
    if sec is None:
        return Outcome(None, "not run")
    if sec.rc is None:
        return Outcome(None, "did not finish")
    if fig.kind == TOOL:
        out = parse_tool(sec.text, fig.tool_bench, sec.rc)
        if out.skip or out.measure is None:
            return out
    else:
        out = parse_perf_bench(sec.text)
        if out.measure and fig.watched:
            why = check_watched(sec.text, out.measure.runs)
            if why:
                return Outcome(None, why)
    if sec.rc != 0:
        last = sec.text.strip().splitlines()[-1:] or [""]
        return Outcome(None, "exit status %d: %s" % (sec.rc, last[0]))
    return out


def clocks(secs: Sections) -> List[str]:
    """The clocksources the guest printed, at its start and at its end ("?"
    for one it did not get to print)."""
    out = []
    for name in ("env", "clock_end"):
        sec = secs.get(name)
        m = re.search(r"^clocksource (\S+)$", sec.text, re.M) if sec else None
        out.append(m.group(1) if m else "?")
    return out


def coarse(seen: Sequence[str]) -> bool:
    return any(c not in FINE_CLOCKS for c in seen)


# --- the smoke suite in make check -------------------------------------------

SMOKE = "bench_smoke_"
# rig/guest/init bench_smoke: (section, the figure whose parser reads it,
# what it runs).
SMOKE_CASES = (
    ("thread_b0", "thread_b0_p4_t16", "perf bench -r 2 breakpoint thread -b 0 -p 2 -t 8"),
    ("thread_b4", "thread_b4_p4_t16", "perf bench -r 2 breakpoint thread -b 4 -p 2 -t 8"),
    ("enable_passive", "enable_passive", "perf bench -r 20 breakpoint enable -p 8"),
    ("enable_active", "enable_active", "perf bench -r 20 breakpoint enable -a 1"),
) + tuple((f, f, "hw_breakpoint_bench %s -s 0.2" % BY_NAME[f].tool_bench)
          for f in ("ptrace_insert_remove", "ptrace_move", "ptrace_peek", "hit_watched",
                    "hit_unwatched", "ptrace_roundtrip")) + (
    ("pipe", "pipe", "perf bench sched pipe -l 500"),
    ("pipe_watched", "pipe_watched", "perf stat -e 4 x mem:ADDR:w -- perf bench sched pipe "
     "-l 500"),
)
SMOKE_SECTIONS = tuple(SMOKE + c[0] for c in SMOKE_CASES)


def evaluate_smoke(secs: Sections) -> List[Result]:
    """Each benchmark ran (exit 0) and printed its figure; a skip only where
    hw_breakpoint_bench says why and exits 4."""
    out = []
    for section, figure, what in SMOKE_CASES:
        got = parse_figure(BY_NAME[figure], secs.get(SMOKE + section))
        note = got.why if got.measure is None else "%.6g %s" % (got.measure.value,
                                                                got.measure.unit)
        out.append(result("bench-smoke", what, got.measure is not None, note, skip=got.skip))
    return out


# --- the boots -----------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """One boot of the run."""
    kernel: str
    round: int
    smp: int
    set: str

    @property
    def label(self) -> str:
        return "%s round %d %s (%d vCPUs)" % (self.kernel, self.round + 1, self.set, self.smp)

    @property
    def log_name(self) -> str:
        return "%s-r%d-%s%d" % (self.kernel, self.round + 1, self.set, self.smp)


def plan(rounds: int, scaling_rounds: int, main_smp: int,
         cpus: Sequence[int]) -> List[Plan]:
    """Every boot in order, main boots first in each round.  The kernel that
    boots second in a round measures faster (make bench-control: up to 0.56
    with base in both columns), so the order alternates: base first in
    even rounds, ours first in odd ones."""
    out = []
    for r in range(rounds):
        order = KERNELS if r % 2 == 0 else KERNELS[::-1]
        out += [Plan(k, r, main_smp, "main") for k in order]
        if r < scaling_rounds:
            for n in cpus:
                if n != main_smp:
                    out += [Plan(k, r, n, "cpus") for k in order]
    return out


def together_steps(boots: Sequence[Plan]) -> List[List[Plan]]:
    """plan()'s boots as the pairs booted at the same time: plan() lists
    each round's two kernels of a set next to each other, in the order
    that picks their host CPUs."""
    return [list(boots[i:i + 2]) for i in range(0, len(boots), 2)]


def host_halves(ncpu: int) -> Tuple[str, ...]:
    """taskset CPU lists splitting the host in two (one core each on 2)."""
    if ncpu < 2:
        raise ValueError("booting two guests together needs 2 host CPUs, not %d" % ncpu)
    half = ncpu // 2
    return tuple(str(lo) if half == 1 else "%d-%d" % (lo, lo + half - 1) for lo in (0, half))


def expected(p: Plan, seconds: float) -> float:
    """A guess at one boot's wall time (see BOOT_COST_S)."""
    return BOOT_COST_S + sum(seconds + (PERF_COST_S if BY_NAME[n].kind == PERF_BENCH
                                        else TOOL_COST_S) for n in SETS[p.set])


def boot_timeout(p: Plan, seconds: float, icount: bool = False) -> int:
    """Well past the expected time: a hang, not a slow figure, ends it."""
    return int((60 + len(SETS[p.set]) * (3 * seconds + 25))
               * (ICOUNT_SLOWDOWN if icount else 1))


@dataclass
class BootData:
    plan: Plan
    clocks: List[str]
    figures: Dict[str, Outcome]
    elapsed: float
    trouble: str = ""

    @property
    def excluded(self) -> bool:
        return coarse(self.clocks)


def instructions(o: Outcome) -> Outcome:
    """An icount boot's figure as instructions per op (1 ns each)."""
    if o.measure is None:
        return o
    m = o.measure
    return o._replace(measure=m._replace(value=as_time(m.value, m.unit) * (
        1e9 if m.is_rate else 1e3), unit=ICOUNT_UNIT))


def boot_data(p: Plan, secs: Sections, elapsed: float, trouble: str = "",
              icount: bool = False) -> BootData:
    figures = {n: parse_figure(BY_NAME[n], secs.get(n)) for n in SETS[p.set]}
    if icount:
        figures = {n: instructions(o) for n, o in figures.items()}
    return BootData(p, clocks(secs), figures, elapsed, trouble)


# --- the table -----------------------------------------------------------------

Key = Tuple[str, int]      # (figure, vCPUs)


@dataclass
class Tally:
    """Each kernel's figures per (figure, vCPUs) and round, and the boots
    left out."""
    values: Dict[str, Dict[Key, Dict[int, float]]] = field(
        default_factory=lambda: {k: {} for k in KERNELS})
    units: Dict[Key, str] = field(default_factory=dict)
    missing: Dict[str, Dict[Key, List[str]]] = field(
        default_factory=lambda: {k: {} for k in KERNELS})
    excluded: Dict[str, Dict[Tuple[str, int], int]] = field(
        default_factory=lambda: {k: {} for k in KERNELS})
    short: Dict[Key, float] = field(default_factory=dict)

    def add(self, boot: BootData, seconds: float) -> None:
        p = boot.plan
        if boot.excluded:
            ex = self.excluded[p.kernel]
            ex[(p.set, p.smp)] = ex.get((p.set, p.smp), 0) + 1
            return
        for name, out in boot.figures.items():
            key = (name, p.smp)
            if out.measure is None:
                self.missing[p.kernel].setdefault(key, []).append(
                    ("skip: " if out.skip else "") + out.why)
                continue
            self.values[p.kernel].setdefault(key, {})[p.round] = out.measure.value
            self.units[key] = out.measure.unit
            # perf_for stops at SECONDS of work; less means it was cut short.
            if out.measure.seconds is not None and out.measure.seconds < 0.9 * seconds:
                self.short[key] = min(out.measure.seconds, self.short.get(key, seconds))

    def of(self, kernel: str, key: Key) -> List[float]:
        return list(self.values[kernel].get(key, {}).values())

    def paired(self, key: Key) -> List[float]:
        """ours/base as a ratio of times, one per round that counted both."""
        b, o = self.values["base"].get(key, {}), self.values["ours"].get(key, {})
        unit = self.units.get(key, "")
        return [as_time(o[r], unit) / as_time(b[r], unit) for r in sorted(b.keys() & o.keys())]


def fmt(v: float) -> str:
    if v >= 1000:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.3f" % v


def spread(vs: Sequence[float]) -> float:
    return max(vs) / min(vs) if vs and min(vs) > 0 else float("inf")


COLUMNS = "%-44s %-9s %10s %-19s %10s %-19s %9s %-19s %5s %5s  %s"


def header() -> List[str]:
    return [
        "ours/base is a ratio of times: ours/base of the medians of a time "
        "(usecs/op), base/ours of a rate (ops/s);",
        "below 1.00 ours is faster.  paired: the median and min-max of each round's own "
        "ours/base.  n: boots counted (base/ours);",
        "excl: boots left out for a coarse guest clock; SPREAD: max/min > %.1f." % SPREAD_MAX,
        "",
        COLUMNS % ("figure", "unit", "base", "min-max", "ours", "min-max",
                   "ours/base", "paired min-max", "n", "excl", "flags"),
    ]


def row(t: Tally, title: str, key: Key, set_name: str) -> str:
    vb, vo = t.of("base", key), t.of("ours", key)
    unit = t.units.get(key, "")
    flags = []
    for k, vs in (("base", vb), ("ours", vo)):
        if len(vs) > 1 and spread(vs) > SPREAD_MAX:
            flags.append("SPREAD %s %.2f" % (k, spread(vs)))
        if t.missing[k].get(key):
            flags.append("%s missing %d: %s" % (k, len(t.missing[k][key]), t.missing[k][key][0]))
    if key in t.short:
        flags.append("SHORT %.2f s" % t.short[key])
    mb = statistics.median(vb) if vb else None
    mo = statistics.median(vo) if vo else None
    ratio = "-"
    if mb and mo:
        ratio = "%.3f" % (as_time(mo, unit) / as_time(mb, unit))
    pr = t.paired(key)
    paired = "%.3f %.3f-%.3f" % (statistics.median(pr), min(pr), max(pr)) if pr else "-"
    ex = "%d/%d" % (t.excluded["base"].get((set_name, key[1]), 0),
                    t.excluded["ours"].get((set_name, key[1]), 0))
    return COLUMNS % (title, unit, fmt(mb) if mb is not None else "-",
                      "%s-%s" % (fmt(min(vb)), fmt(max(vb))) if vb else "-",
                      fmt(mo) if mo is not None else "-",
                      "%s-%s" % (fmt(min(vo)), fmt(max(vo))) if vo else "-",
                      ratio, paired, "%d/%d" % (len(vb), len(vo)), ex, ", ".join(flags))


def derived_row(t: Tally, title: str, num: str, den: str, smp: int) -> str:
    def quotient(kernel: str) -> Optional[float]:
        a = t.of(kernel, (num, smp))
        b = t.of(kernel, (den, smp))
        if not a or not b:
            return None
        return (as_time(statistics.median(a), t.units[(num, smp)])
                / as_time(statistics.median(b), t.units[(den, smp)]))
    qb, qo = quotient("base"), quotient("ours")
    return COLUMNS % ("  " + title, "ratio", "%.3f" % qb if qb else "-", "",
                      "%.3f" % qo if qo else "-", "",
                      "%.3f" % (qo / qb) if qb and qo else "-", "", "", "", "")


def table(t: Tally, main_smp: int, cpus: Sequence[int]) -> List[str]:
    lines = header()
    order = [f.name for f in FIGURES]
    group = ""
    for fig in FIGURES:
        if fig.group != group:
            group = fig.group
            lines += ["", "%s (%d vCPUs)" % (group, main_smp)]
        lines.append(row(t, "  " + fig.title, (fig.name, main_smp), "main"))
        # a derived row right after the later of its two figures
        for title, num, den in DERIVED:
            if order.index(fig.name) == max(order.index(num), order.index(den)):
                lines.append(derived_row(t, title, num, den, main_smp))
    counts = sorted(set(cpus) | {main_smp})
    if len(counts) > 1:
        lines += ["", "%s: the same figures at %s vCPUs (%d: the main boots)"
                  % (CPUS, ", ".join(map(str, counts)), main_smp)]
        for fig in FIGURES:
            if fig.cpus_set:
                for n in counts:
                    lines.append(row(t, "  %s %s @%d" % (fig.name.split("_")[0], fig.title, n),
                                     (fig.name, n), "main" if n == main_smp else "cpus"))
    return lines


# --- the run -------------------------------------------------------------------

def host_facts() -> List[str]:
    def out(cmd: List[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError as e:
            return "(%s)" % e
    return ["date: " + time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "host: " + out(["uname", "-a"]),
            "nproc: " + out(["nproc"]),
            "qemu: " + (out(["qemu-system-x86_64", "--version"]).splitlines() or ["?"])[0]]


def release(kout: str) -> str:
    try:
        return Machine(kout, "").release()
    except OSError:
        return "? (no %s)" % os.path.relpath(kout, TOP)


def run(rounds: int, scaling_rounds: int, seconds: float, cpus: Sequence[int],
        command: str, top: str = TOP, control: bool = False, together: bool = False,
        icount: bool = False) -> int:
    """control: build/base in both columns, in build/logs/bench-control: its
    ratios are what two boots of one kernel differ by, the noise floor that
    ours/base is read against.  together: each round's two boots at the
    same time, on their own halves of the host (see the module's doc).
    icount: instructions per op at one vCPU (ICOUNT_ARGS), in
    build/logs/bench-icount, no scaling boots."""
    b = os.path.join(top, "build")
    logs = os.path.join(b, "logs", "bench-control" if control else
                        "bench-icount" if icount else "bench")
    os.makedirs(logs, exist_ok=True)
    printer = Printer()
    main_smp = 1 if icount else rig_boot.default_smp()
    if icount:
        scaling_rounds, cpus = 0, ()
    boots = plan(rounds, scaling_rounds, main_smp, cpus)
    steps = together_steps(boots) if together else [[p] for p in boots]
    halves = host_halves(os.cpu_count() or 1) if together else ("", "")
    guess = [max(expected(p, seconds) for p in step) * (ICOUNT_SLOWDOWN if icount else 1)
             for step in steps]
    others = ",".join(str(n) for n in cpus if n != main_smp) or "no other"
    scaling = (", the first %d also at %s vCPUs (%d figures)"
               % (min(rounds, scaling_rounds), others, len(SETS["cpus"]))
               if min(rounds, scaling_rounds) else "")
    printer.line("bench: %d rounds of base and ours at %d vCPUs (%d figures)%s%s, %g s of "
                 "work per figure: %d boots%s, "
                 "expected ~%.0f min (a guess: %.0f s a boot, a figure %g s + %.0f s with "
                 "perf, + %.0f s with hw_breakpoint_bench%s)"
                 % (rounds, main_smp, len(SETS["main"]), scaling,
                    " under QEMU %s" % " ".join(ICOUNT_ARGS) if icount else "",
                    seconds, len(boots),
                    ", two at a time on host CPUs %s and %s" % halves if together else "",
                    sum(guess) / 60, BOOT_COST_S, seconds, PERF_COST_S, TOOL_COST_S,
                    ", times %d under icount" % ICOUNT_SLOWDOWN if icount else ""))
    kout = {k: os.path.join(b, "base" if control else k) for k in KERNELS}
    if control:
        printer.line("bench: control run, build/base in both columns (\"ours\" is base)")
    tally = Tally()
    done: List[BootData] = []
    spent = 0.0

    def boot(p: Plan, host_cpus: str) -> BootData:
        machine = Machine(kout[p.kernel], kout[p.kernel] + ".cpio.gz", smp=p.smp,
                          host_cpus=host_cpus)
        out = rig_boot.run_boot(machine, p.label, "bench",
                                os.path.join(logs, p.log_name + ".log"),
                                boot_timeout(p, seconds, icount), printer,
                                "hwbpsecs=%g hwbpset=%s %s" % (seconds, p.set, NO_KUNIT),
                                ICOUNT_ARGS if icount else ())
        return boot_data(p, out.sections, out.elapsed, out.trouble, icount)

    with open(os.path.join(logs, "figures.tsv"), "w") as raw, \
            ThreadPoolExecutor(max_workers=2) as pool:
        raw.write("kernel\tround\tvcpus\tclocksources\tfigure\tvalue\tunit\tcounted\tnote\n")
        for i, step in enumerate(steps):
            for attempt in range(1 + CLOCK_RETRIES):
                got = list(pool.map(boot, step, halves[:len(step)]))
                done += got
                late = [d for d in got if d.clocks[0] not in FINE_CLOCKS]
                if not late or attempt == CLOCK_RETRIES:
                    break
                spent += max(d.elapsed for d in got)
                printer.line("%s: came up on clocksource %s, booting %s again"
                             % (late[0].plan.label, late[0].clocks[0],
                                "the pair" if len(step) > 1 else "it"))
            spent += max(d.elapsed for d in got)
            left = sum(guess[i + 1:]) * spent / sum(guess[:i + 1])
            for data in got:
                p = data.plan
                tally.add(data, seconds)
                printer.line("%s: %.0f s, clocksource %s%s, %d/%d figures; ~%.0f min left"
                             % (p.label, data.elapsed, " -> ".join(data.clocks),
                                " (COARSE: its figures not counted)" if data.excluded else "",
                                sum(1 for o in data.figures.values() if o.measure),
                                len(data.figures), left / 60))
                for name, o in data.figures.items():
                    if o.measure is None:
                        printer.line("  %s: %s%s" % (name, "skip: " if o.skip else "", o.why))
                    raw.write("\t".join([p.kernel, str(p.round + 1), str(p.smp),
                                         ",".join(data.clocks), name,
                                         "%.6g" % o.measure.value if o.measure else "-",
                                         o.measure.unit if o.measure else "-",
                                         "no" if data.excluded else "yes", o.why]) + "\n")
            raw.flush()
    # no scaling boots: no rows for their vCPU counts
    lines = table(tally, main_smp, cpus if min(rounds, scaling_rounds) else ())
    head = ["command: " + command,
            "rounds: %d (vCPU scaling boots: %d), %g s of work per figure, %d vCPUs%s"
            % (rounds, min(rounds, scaling_rounds), seconds, main_smp,
               "" if icount else " (HWBP_SMP), scaling at %s vCPUs" % ",".join(map(str, cpus))),
            "boots: " + ("each round's two at the same time, on host CPUs %s and %s, swapped "
                         "every round" % halves if together else "one at a time, alternating"),
            "kernels: " + ", ".join("%s %s" % (k, release(kout[k])) for k in KERNELS)]
    if control:
        head.append("control run: both columns are build/base; ours/base is the noise floor")
    if icount:
        head.append("icount run: QEMU %s, the guest's clock counts instructions (1 ns each): "
                    "%s are instructions executed per op, by the guest's whole path"
                    % (" ".join(ICOUNT_ARGS), ICOUNT_UNIT))
    head += host_facts()
    last = {d.plan: d for d in done}
    head.append("boots (wall time, guest clocksource at its start -> end):")
    head += ["  %-14s %4.0f s  %s%s" % (d.plan.log_name, d.elapsed, " -> ".join(d.clocks),
                                         ("  EXCLUDED: coarse clock" if d.excluded
                                          else "") if d is last[d.plan] else
                                         "  coarse clock: booted again" if d.excluded
                                         else "  booted again with its pair")
             for d in done]
    path = os.path.join(logs, "results.txt")
    with open(path, "w") as f:
        f.write("\n".join(head + [""] + lines) + "\n")
    print("\n".join([""] + lines + ["", "bench: the table, the command and the machine in "
                                     + os.path.relpath(path, top)]), flush=True)
    return 0
