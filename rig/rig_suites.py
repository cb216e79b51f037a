# SPDX-License-Identifier: GPL-2.0
"""Every suite of `make check`: what it reads, and how it decides.

A Suite is a name, the boot whose console sections it reads (None for a
suite that runs on the host, such as the console scanner's self-test or a
build row) and one evaluate(secs, ctx) -> [Result], next to the parser of
its raw output.  A suite is evaluated as soon as all of its sections have
their @@HWBP-END marker, or when its boot ends.  SUITES is the registry, in
the order of the final table; a suite that lives in its own module is
registered with one line (see module_suite()).

Verdicts come from each suite's own output: KTAP through the kernel's
kunit.py parser, kselftest TAP (kunit.py cannot read kselftest's "# "-nested
TAP, hence the small reader here), perf test's result lines, exact values
for gdb/perf stat, kgdbts's RUN/ERROR lines.
"""
import inspect
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

import arches
import bench
import hwbp_fuzz
import kgdb_take
import perf_record
import ptrace_fuzz
import rig_console
from rig_boot import TOP, Section, Sections
from rig_results import Result, Status, result


@dataclass(frozen=True)
class Context:
    """What evaluators may need besides their sections."""
    kernel: str      # base, ours, ours-lockdep, ...
    kout: str        # its build directory
    logs: str        # build/logs/KERNEL
    top: str = TOP

    @property
    def baseline_logs(self) -> str:
        """The log directory of the baseline booted the same way: base for
        ours, base-robust for ours-robust (make robustness), base-kasan for
        ours-kasan; for a baseline, its own."""
        rest = self.kernel.partition("-")[2]
        return os.path.join(os.path.dirname(self.logs), "base-" + rest if rest else "base")

    @property
    def kunit_py(self) -> str:
        return os.path.join(self.top, "build", "src", "linux-source-6.12",
                            "tools", "testing", "kunit", "kunit.py")


Evaluate = Callable[[Sections, Context], List[Result]]

# Suite.boot for the console check, which reads every boot.
EVERY_BOOT = "*"
# Suite.boot for a host suite that runs after every boot: the other
# configurations' builds, which take minutes and say nothing of x86's boots.
AFTER_BOOTS = "+"


@dataclass(frozen=True)
class Suite:
    name: str
    evaluate: Evaluate
    boot: Optional[str] = None          # None: runs on the host, no boot, first
    sections: Tuple[str, ...] = ()       # all finished: evaluate at once


@dataclass(frozen=True)
class Boot:
    """One QEMU boot of rig/guest/init in hwbpmode=MODE."""
    name: str
    mode: str
    timeout: int
    append: str = ""
    kgdb_cycles: int = 0     # > 0: host gdb drives kgdb over ttyS1
    clean: bool = True       # its console must pass the console check


def boots(kgdb_cycles: int) -> List[Boot]:
    """Every boot of `make check`, in order."""
    return [
        Boot("main", "main", 900),
        # kgdbts is its own kgdb I/O driver, so it gets a boot without kgdboc.
        Boot("kgdbts", "kgdbts", 600),
        Boot("kgdb-host", "kgdb", 120 + 4 * kgdb_cycles, kgdb_cycles=kgdb_cycles),
        # CPU 3 goes offline and online before every event, and only it
        # makes them: CPUs that come online must get gdb's breakpoints.
        Boot("kgdb-hotplug", "kgdb", 120 + 4 * 10, "hwbphotplug", kgdb_cycles=10),
        # perf holds every register on every CPU; gdb's requests are refused,
        # then take one (kgdb_hw_breakpoint.take_registers, issue 9 part 3).
        Boot("kgdb-take", "kgdb", 180, "hwbptake", kgdb_cycles=1),
        # A WARN and a BUG on purpose (LKDTM): the console check must see them.
        Boot("lkdtm", "lkdtm", 240, clean=False),
    ]


# --- TAP (kselftest, our TAP programs, host gdb over kgdb) ---------------

TapCase = Tuple[int, bool, str, Optional[str], str]


def tap_cases(text: str, prefix: str = "") -> Tuple[List[TapCase], Optional[int]]:
    """[(number, ok, description, directive, its reason)] of one TAP level,
    and its plan."""
    cases = []
    # kselftest's ksft_test_result_skip() writes "ok N # SKIP reason": the
    # directive may come with no description before it.
    pat = re.compile(r"^%s(not ok|ok) (\d+)\s*-?\s*(.*?)\s*(?:# (SKIP|XFAIL|TODO)\b\s*(.*))?$"
                     % re.escape(prefix))
    for line in text.splitlines():
        m = pat.match(line)
        if m:
            desc, why = m.group(3).strip(), (m.group(5) or "").strip()
            cases.append((int(m.group(2)), m.group(1) == "ok", desc or why,
                          m.group(4), why))
    plan = re.search(r"^%s1\.\.(\d+)$" % re.escape(prefix), text, re.M)
    return cases, int(plan.group(1)) if plan else None


def eval_tap(suite: str, sec: Optional[Section], prefix: str = "") -> List[Result]:
    if sec is None:
        return [result(suite, "(suite)", False, "no output: the guest never got here")]
    out = []
    cases, plan = tap_cases(sec.text, prefix)
    for num, ok, desc, directive, why in cases:
        out.append(result(suite, "%d %s" % (num, desc), ok, why, skip=directive == "SKIP"))
    seen = {c[0] for c in cases}
    for num in range(1, (plan or 0) + 1):
        if num not in seen:
            out.append(result(suite, "%d (not reached)" % num, False,
                              "missing from the TAP output"))
    if not cases:
        out.append(result(suite, "(suite)", False, "no TAP results"))
    return out


def tap_suite(name: str, section: str, boot: str = "main", prefix: str = "") -> Suite:
    return Suite(name, lambda secs, ctx: eval_tap(name, secs.get(section), prefix),
                 boot, (section,))


# --- KUnit: kunit.py parse ------------------------------------------------

def eval_kunit(secs: Sections, ctx: Context) -> List[Result]:
    sec = secs.get("kunit")
    if sec is None:
        return [result("kunit", "(suite)", False, "no dmesg captured")]
    raw = os.path.join(ctx.logs, "kunit.dmesg")
    js = os.path.join(ctx.logs, "kunit.json")
    with open(raw, "w") as f:
        f.write(sec.text)
    with open(os.path.join(ctx.logs, "kunit.txt"), "w") as txt:
        subprocess.run([sys.executable, ctx.kunit_py, "parse", "--json=" + js, raw],
                       stdout=txt, stderr=subprocess.STDOUT)
    try:
        with open(js) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return [result("kunit", "(suite)", False, "kunit.py parse produced no JSON")]
    out = []

    def walk(group: dict, path: List[str]) -> None:
        for sub in group.get("sub_groups", []):
            walk(sub, path + [sub["name"]])
        for case in group.get("test_cases", []):
            st = case["status"]
            out.append(result("kunit", ".".join(path + [case["name"]]), st == "PASS",
                              "" if st == "PASS" else st, skip=st == "SKIP"))
    walk(data, [])
    if not out:
        out.append(result("kunit", "(suite)", False, "no KUnit results in dmesg"))
    return out


# --- probes: what the emulator can do -------------------------------------

def icebp_missing(secs: Sections) -> bool:
    """The emulator turns ICEBP into #UD (rig/xfail's [no-int1] entries)."""
    sec = secs.get("int1probe")
    return sec is not None and "int1: sigill" in sec.text


def eval_probes(secs: Sections, ctx: Context) -> List[Result]:
    int3 = secs.get("int3probe")
    int1 = secs.get("int1probe")
    int1_text = int1.text if int1 else ""
    return [
        result("probes", "int3 gives SIGTRAP/SI_KERNEL past CC",
               int3 is not None and int3.rc == 0, int3.text.strip() if int3 else ""),
        # Not a test of the kernel: it tells whether the emulator can run
        # breakpoint_test's icebp case at all.
        result("probes", "int1 (icebp) raises #DB", "int1: sigtrap" in int1_text,
               int1_text.strip(), skip="int1: sigill" in int1_text),
    ]


def eval_step_after_suspend(secs: Sections, ctx: Context) -> List[Result]:
    return eval_tap("step_after_suspend", secs.get("step_after_suspend_n")) + [
        result("step_after_suspend", "with a suspend/resume cycle", False,
               "the guest kernel has no CONFIG_SUSPEND and the QEMU machine no S3 "
               "wake-up source; the -n variant above runs the same per-CPU check",
               skip=True)]


# --- ptrace_dr_abi: a transcript identical to the baseline's -------------

def eval_ptrace_abi(secs: Sections, ctx: Context) -> List[Result]:
    """ptrace_dr_abi's transcript must be byte-identical to the baseline's.

    rig/golden/ptrace_dr_abi.txt is the unmodified kernel's transcript,
    recorded with `make golden`; the baseline run checks it is still that.
    Two runs in one boot must also agree, or the transcript is not a
    deterministic function of the kernel and the comparison proves nothing.
    """
    first, again = secs.get("ptrace_abi"), secs.get("ptrace_abi_again")
    if first is None or again is None:
        return [result("ptrace-abi", "(suite)", False, "not run")]
    out_path = os.path.join(ctx.logs, "ptrace_dr_abi.txt")
    with open(out_path, "w") as f:
        f.write(first.text)
    out = [result("ptrace-abi", "two runs give the same transcript", first.text == again.text)]
    golden = os.path.join(ctx.top, "rig", "golden", "ptrace_dr_abi.txt")
    if not os.path.exists(golden):
        return out + [result("ptrace-abi", "transcript identical to the baseline's", False,
                             "no rig/golden/ptrace_dr_abi.txt: run make golden")]
    with open(golden) as f:
        want = f.read()
    diff = subprocess.run(["diff", "-u", golden, out_path], capture_output=True,
                          text=True).stdout
    diff_path = os.path.join(ctx.logs, "ptrace_dr_abi.diff")
    with open(diff_path, "w") as f:
        f.write(diff)
    first_diff = next((line for line in diff.splitlines()[2:] if line[:1] in "+-"), "")
    return out + [result("ptrace-abi", "transcript identical to the baseline's (%d lines)"
                         % want.count("\n"), first.text == want and first.rc == 0,
                         "rc=%s, first difference: %s (see %s)"
                         % (first.rc, first_diff, diff_path))]


# --- perf test, perf stat --------------------------------------------------

def eval_perf_test(secs: Sections, ctx: Context) -> List[Result]:
    sec = secs.get("perf_test")
    if sec is None:
        return [result("perf-test", "(suite)", False, "not run")]
    lines = re.findall(r"^\s*(\d+(?:\.\d+)?): (.+?)\s*: (Ok|FAILED!|Skip.*)$", sec.text, re.M)
    out = [result("perf-test", "%s %s" % (num, desc), res == "Ok",
                  "" if res == "Ok" else res, skip=res.startswith("Skip"))
           for num, desc, res in lines]
    return out or [result("perf-test", "(suite)", False, "no perf test result lines")]


# rig/guest/memtouch.c: 1000 stores and 500 loads.  The .bss variable gets
# one more store, from the kernel: the ELF loader zeroes the tail of the
# last .data page at exec, after perf stat's enable-on-exec; with :u (user
# only) that write is not counted.
PERF_STAT_CASES = (("data_w", "cell_data :w", 1000), ("data_rw", "cell_data :rw", 1500),
                   ("data_len8_w", "cell_data /8:w", 1000),
                   ("bss_w", "cell_bss :w (+1: exec's bss zeroing)", 1001),
                   ("bss_w_u", "cell_bss :w:u", 1000))


def perf_stat_count(text: str) -> Optional[int]:
    """The count of the first mem: event in `perf stat -x,` output."""
    m = re.search(r"^(\d+),[^,]*,mem:0x[0-9a-f]+[^,]*,", text, re.M)
    return int(m.group(1)) if m else None


def eval_perf_stat(secs: Sections, ctx: Context) -> List[Result]:
    out = []
    for case, desc, want in PERF_STAT_CASES:
        sec = secs.get("perf_stat_" + case)
        if sec is None:
            out.append(result("perf-stat", desc, False, "not run"))
            continue
        got = perf_stat_count(sec.text)
        out.append(result("perf-stat", "%s counts %d" % (desc, want), got == want,
                          "counted %s" % got))
    return out


# --- breakpoint multiplexing: more watchpoints than registers (issue 9) -------

# What the guest prints where the breakpoint PMU has no "multiplex" file, and
# why the cases that need it are skipped there.
NO_MUX = "no breakpoint multiplexing in this kernel"
# rig/guest/muxtouch.c: eight cells, cell i stored to (i + 1) times in every
# pass over them, paced evenly over 2.5 s.
MUX_CELLS = 8
# A scaled count is exact only if the stores are spread evenly over the time
# the event was enabled.  muxtouch paces them; what is left is that perf's
# rotation gives an event whole mux intervals, TCG's late timer ticks and
# TCG's stale DR6 bits when perf moves events between registers.  The same
# bounds as hw_breakpoint_mux_test's TOLERANCE_PCT and TOLERANCE_ABOVE_PCT:
# stale bits only add hits, so there is more room above than below.
MUX_TOLERANCE = 0.35
MUX_TOLERANCE_ABOVE = 0.50
# A clock stepping by more than this cannot pace muxtouch's stores (the
# same bound as hw_breakpoint_mux_test's COARSE_CLOCK_S).
MUX_COARSE_US = 50
_MUX_ROW = re.compile(r"^([\d.]+|<not counted>|<not supported>),[^,]*,mem:(0x[0-9a-f]+):w,"
                      r"(\d+),([\d.]+),", re.M)


class MuxRow(NamedTuple):
    count: Optional[float]   # scaled by perf; None: <not counted>
    pct: float               # running / enabled, in percent


def mux_events(text: str) -> List[int]:
    """The cells' addresses, in the order of the event list perf was given."""
    m = re.search(r"^@@ events (\S+)$", text, re.M)
    return [int(a, 16) for a in re.findall(r"mem:(0x[0-9a-f]+):w", m.group(1))] if m else []


def mux_stores(text: str) -> Dict[int, int]:
    """{cell address: stores} as muxtouch reports them."""
    return {int(a, 16): int(n) for a, n in
            re.findall(r"^muxtouch: cell \d+ at (0x[0-9a-f]+): (\d+) stores$", text, re.M)}


def mux_rows(text: str) -> Dict[int, MuxRow]:
    """{cell address: row} of `perf stat -x,` (perf 6.1 may zero-pad it)."""
    return {int(a, 16): MuxRow(None if c.startswith("<") else float(c), float(pct))
            for c, a, _, pct in _MUX_ROW.findall(text)}


def eval_mux_off(sec: Optional[Section]) -> Result:
    name = "off: of 8 mem:ADDR:w events the fifth fails with ENOSPC, as on 6.12"
    if sec is None:
        return result("mux-perf-stat", name, False, "not run")
    events = mux_events(sec.text)
    m = re.search(r"returned with 28 \(No space left on device\) for event "
                  r"\(mem:(0x[0-9a-f]+):w\)", sec.text)
    failed = int(m.group(1), 16) if m else None
    counted = mux_rows(sec.text)
    ok = (sec.rc not in (0, None) and len(events) == MUX_CELLS and failed == events[4]
          and not counted)
    return result("mux-perf-stat", name, ok, "rc=%s, ENOSPC for %s, %d events counted" % (
        sec.rc, "cell %d" % events.index(failed) if failed in events else failed,
        len(counted)))


def eval_mux_on(sec: Optional[Section]) -> List[Result]:
    names = ["on: perf stat counts all 8 mem:ADDR:w events of muxtouch",
             "on: every event ran part of the time (0% < running < 100%)"]
    names += ["on: cell %d (%d per pass): scaled count within -%d%%/+%d%% of its stores"
              % (i, i + 1, MUX_TOLERANCE * 100, MUX_TOLERANCE_ABOVE * 100)
              for i in range(MUX_CELLS)]
    if sec is None:
        return [result("mux-perf-stat", n, False, "not run") for n in names]
    if "@@ no-multiplex" in sec.text:
        return [result("mux-perf-stat", n, False, NO_MUX, skip=True) for n in names]
    events, stores, rows = mux_events(sec.text), mux_stores(sec.text), mux_rows(sec.text)
    # muxtouch paces its stores by the clock; a jiffies clock steps by ticks.
    step = re.search(r"^muxtouch: clock step ([0-9.]+) us$", sec.text, re.M)
    coarse = ("guest clock steps by %s us, too coarse to pace stores" % step.group(1)
              if step and float(step.group(1)) > MUX_COARSE_US else "")
    out = [result("mux-perf-stat", names[0],
                  sec.rc == 0 and len(events) == MUX_CELLS and set(events) == set(stores)
                  == set(rows), "rc=%s, %d events, muxtouch reports %d cells, perf %d rows"
                  % (sec.rc, len(events), len(stores), len(rows)))]
    pcts = [rows[a].pct if a in rows else None for a in events]
    out.append(result("mux-perf-stat", names[1],
                      bool(pcts) and all(p is not None and 0 < p < 100 for p in pcts),
                      "running %s" % ", ".join("-" if p is None else "%.1f%%" % p for p in pcts)))
    for i, name in enumerate(names[2:]):
        addr = events[i] if i < len(events) else None
        row, want = rows.get(addr), stores.get(addr)
        if coarse:
            out.append(result("mux-perf-stat", name, False, coarse, skip=True))
            continue
        if row is None or want is None:
            out.append(result("mux-perf-stat", name, False, "no count"))
            continue
        ok = (row.count is not None and -MUX_TOLERANCE * want <= row.count - want
              <= MUX_TOLERANCE_ABOVE * want)
        out.append(result("mux-perf-stat", name, ok, "%d stores, perf says %s (%s, %.1f%% running)"
                          % (want, "<not counted>" if row.count is None else "%.0f" % row.count,
                             "-" if row.count is None or not want
                             else "%+.1f%%" % (100.0 * (row.count - want) / want), row.pct)))
    return out


def eval_mux_perf_stat(secs: Sections, ctx: Context) -> List[Result]:
    return [eval_mux_off(secs.get("mux_perf_stat_off"))] + eval_mux_on(secs.get("mux_perf_stat_on"))


# --- gdb: exact stop transcripts -------------------------------------------

# rig/guest/wptarget.c: writer() stores 10, 20, 30; reader() loads twice;
# marker() runs twice.
_WRITES = ["Old value = 0", "New value = 10", "Old value = 10",
           "New value = 20", "Old value = 20", "New value = 30"]
GDB_CASES = {
    "watch": _WRITES,
    # x86 has no read-only watchpoints: gdb arms read/write and drops the
    # hits where the value changed, so only the two loads are reported.
    "rwatch": ["Value = 30", "Value = 30"],
    "awatch": _WRITES + ["Value = 30", "Value = 30"],
    "hbreak": ["Breakpoint 2, marker", "Breakpoint 2, marker"],
    # rig/guest/wpthreads.c: one thread stores 1, the next 2.
    "threads": ["Old value = 0", "New value = 1", "Old value = 1", "New value = 2"],
    # Five watchpoints do not fit (gdb says so); with one deleted, the
    # four left fire once each.
    "toomany": ["Old value = 0", "New value = 1", "Old value = 0", "New value = 2",
                "Old value = 0", "New value = 3", "Old value = 0", "New value = 4"],
}


def gdb_stops(text: str) -> List[str]:
    return re.findall(r"^((?:Old value|New value|Value) = -?\d+|Breakpoint 2, \w+)",
                      text, re.M)


def eval_gdb(secs: Sections, ctx: Context) -> List[Result]:
    out = []
    for case, expect in GDB_CASES.items():
        sec = secs.get("gdb_" + case)
        if sec is None:
            out.append(result("gdb", case, False, "not run"))
            continue
        got = gdb_stops(sec.text)
        exited = "exited normally]" in sec.text
        why = "" if exited else "no normal exit"
        ok = got == expect and exited
        if case == "toomany" and "You may have requested too many hardware" not in sec.text:
            ok, why = False, "gdb did not say the fifth does not fit"
        out.append(result("gdb", case, ok,
                          "" if ok else "got %s%s" % (got, ", " + why if why else "")))
    return out


# --- the end of the main boot ------------------------------------------------

def eval_slots(secs: Sections, ctx: Context) -> List[Result]:
    sec = secs.get("slots_free", Section(1, ""))
    counted = re.findall(r"^\d+,[^,]*,mem:0x[0-9a-f]+", sec.text, re.M)
    # Multiplexed, the four would open whatever held the registers.
    left_on = re.search(r"^multiplex 1$", sec.text, re.M) is not None
    return [result("slots", "all four registers free on every CPU at the end",
                   sec.rc == 0 and len(counted) == 4 and not left_on,
                   "rc=%s, %d events counted%s" % (sec.rc, len(counted),
                                                    ", multiplexing left on" if left_on else ""))]


def eval_sample_module(secs: Sections, ctx: Context) -> List[Result]:
    sec = secs.get("sample_module")
    if sec is None:
        return [result("sample-module", "data_breakpoint on panic_timeout", False, "not run")]
    hits = sec.text.count("panic_timeout value is changed")
    ok = (sec.rc == 0 and hits == 3 and "panic_timeout write installed" in sec.text
          and "panic_timeout write uninstalled" in sec.text)
    return [result("sample-module", "data_breakpoint on panic_timeout: 3 writes, 3 hits",
                   ok, "rc=%s hits=%d" % (sec.rc, hits))]


# --- who holds the debug registers: the debugfs view (issue 9) ----------------

# What rig/guest/init's view_print says where the kernel has no view, and
# why the cases that read it are skipped there.
NO_VIEW = "no /sys/kernel/debug/hw_breakpoint in this kernel"
HOLDERS_HEADER = "kind\tclass\tpinned\tcpu\twho\ttype\tlen\taddress\tin_register"
SLOTS_HEADER = "cpu\tclass\tslots\tbound\ttask_max\tdbg\tfree"
NR_DR = 4


class ViewBlock(NamedTuple):
    """One view_print: the online CPUs then, and the file's lines."""
    online: List[int]
    lines: List[str]


def cpulist(text: str) -> List[int]:
    """The CPUs of a sysfs list such as "0-2,5"."""
    cpus: List[int] = []
    for part in filter(None, text.strip().split(",")):
        lo, _, hi = part.partition("-")
        cpus += range(int(lo), int(hi or lo) + 1)
    return cpus


def view_blocks(text: str) -> Optional[Dict[str, ViewBlock]]:
    """{"FILE LABEL": block} of a section's view_print output; None if the
    kernel has no view."""
    if "@@ no-view:" in text:
        return None
    return {m.group(2): ViewBlock(cpulist(m.group(1)), m.group(3).splitlines())
            for m in re.finditer(r"^@@ online (\S*)\n@@ ([^\n]+)\n(.*?)^@@ end$", text,
                                 re.M | re.S)}


def view_note(block: Optional[ViewBlock]) -> str:
    if block is None:
        return "not printed"
    return "online %s: %s" % (",".join(map(str, block.online)),
                              " | ".join(block.lines).replace("\t", " "))


def fields(line: str) -> List[str]:
    """A line of the view split at its TABs (or at the spaces a terminal
    might have turned them into)."""
    return line.split()


def is_header(lines: List[str], header: str) -> bool:
    """Is @lines (one line, or none) the file's header?"""
    return len(lines) == 1 and fields(lines[0]) == fields(header)


def is_sample_holder(line: str, cpu: int) -> bool:
    """Is @line data_breakpoint's breakpoint on @cpu?  The symbol's size
    (after the /) is the linker's business."""
    f = fields(line)
    return (len(f) == 10 and re.fullmatch(r"panic_timeout\+0x0/0x[0-9a-f]+", f[8]) is not None
            and f[:8] + f[9:] == ["kernel", "any", "pinned", str(cpu), "sample_hbp_handler",
                                  "[data_breakpoint]", "w", "4", "cpu%d" % cpu])


def eval_holders_module(secs: Sections, ctx: Context) -> List[Result]:
    suite = "holders-view-module"
    names = ["loaded: one line per online CPU: kernel, pinned, that CPU, "
             "sample_hbp_handler [data_breakpoint], w 4, panic_timeout+0x0, "
             "in that CPU's registers",
             "unloaded: the holders view is its header alone"]
    sec = secs.get("sample_module")
    if sec is None:
        return [result(suite, n, False, "not run") for n in names]
    blocks = view_blocks(sec.text)
    if blocks is None:
        return [result(suite, n, False, NO_VIEW, skip=True) for n in names]
    loaded, unloaded = blocks.get("holders loaded"), blocks.get("holders unloaded")
    ok = False
    if loaded and loaded.online and is_header(loaded.lines[:1], HOLDERS_HEADER):
        rows = loaded.lines[1:]
        ok = len(rows) == len(loaded.online) and all(
            sum(1 for r in rows if is_sample_holder(r, c)) == 1 for c in loaded.online)
    return [result(suite, names[0], ok, view_note(loaded)),
            result(suite, names[1], unloaded is not None and len(unloaded.lines) == 1
                   and is_header(unloaded.lines, HOLDERS_HEADER), view_note(unloaded))]


def eval_kgdb_slots(suite: str, case: str, sec: Optional[Section]) -> List[Result]:
    """The slots view while host gdb's hbreak is in: the debugger's one
    register on every online CPU, nothing else anywhere."""
    if sec is None:
        return [result(suite, case, False, "not printed: the guest never got to its first round")]
    blocks = view_blocks(sec.text)
    if blocks is None:
        return [result(suite, case, False, NO_VIEW, skip=True)]
    block = blocks.get("slots")
    ok = False
    if block and block.online and is_header(block.lines[1:2], SLOTS_HEADER):
        rows = {int(f[0]): tuple(f[1:]) for f in map(fields, block.lines[2:])
                if f and f[0].isdigit()}
        want = {cpu: ("any", str(NR_DR), "0", "0", "1" if cpu in block.online else "0",
                      str(NR_DR - 1) if cpu in block.online else str(NR_DR))
                for cpu in rows}
        ok = (len(rows) == len(block.lines) - 2 and rows == want
              and set(block.online) <= set(rows))
    return [result(suite, case, ok, view_note(block))]


def kgdb_slots_suite(name: str, boot: str, case: str) -> Suite:
    return Suite(name, lambda secs, ctx: eval_kgdb_slots(name, case, secs.get("kgdb_slots")),
                 boot, ("kgdb_slots",))


# --- kgdbts --------------------------------------------------------------------

def eval_kgdbts(secs: Sections, ctx: Context) -> List[Result]:
    sec = secs.get("kgdbts")
    if sec is None:
        return [result("kgdbts", "(suite)", False, "not run")]
    current = None
    verdicts: dict = {}
    for line in sec.text.splitlines():
        m = re.search(r"kgdbts:RUN (.*?)(?: \[\d+/\d+\])?$", line)
        if m:
            current = re.sub(r" \d+ iterations$", "", m.group(1))
            verdicts.setdefault(current, [])
        elif "kgdbts: ERROR" in line and current:
            verdicts[current].append(line.split("kgdbts: ", 1)[1])
    out = [result("kgdbts", name, not errs, "; ".join(errs)) for name, errs in verdicts.items()]
    if not verdicts or sec.rc is None:
        out.append(result("kgdbts", "(completion)", False, "kgdbts did not finish"))
    return out


# --- host gdb over kgdb (rig/kgdb_host.py prints TAP) ---------------------------

# The section a kgdb boot's host gdb output is filed under.
KGDB_GDB = "gdb"


def kgdb_suite(name: str) -> Suite:
    # rig/kgdb_host.py prints its plan first, so a continue that never
    # returns shows up as cases not reached.
    return Suite(name, lambda secs, ctx: eval_tap(name, secs.get(KGDB_GDB, Section(0, ""))),
                 name, (KGDB_GDB,))


def kgdb_rounds_done(text: str) -> int:
    """Rounds finished in rig/kgdb_host.py's TAP, by the case names: the
    first round (0) ends with its watch, cycle N with its own."""
    done = -1
    for m in re.finditer(r"^(?:not )?ok \d+ (first|cycle (\d+):) (hbreak|watch) ",
                         text, re.M):
        n = int(m.group(2) or 0)
        done = max(done, n if m.group(3) == "watch" else n - 1)
    return done


# --- the console of every boot -----------------------------------------------

def eval_console(secs: Sections, ctx: Context) -> List[Result]:
    return [rig_console.check(boot, sec.text) for boot, sec in secs.items()]


def eval_console_scanner(secs: Sections, ctx: Context) -> List[Result]:
    return rig_console.self_test(ctx.top)


# The lkdtm boot's sections: what LKDTM is told to do, and the first line
# of the report the console check must flag for it.
LKDTM_CASES = (("lkdtm_warning", "WARNING", "WARNING: CPU: "),
               ("lkdtm_bug", "BUG", "kernel BUG at "))


def eval_console_lkdtm(secs: Sections, ctx: Context) -> List[Result]:
    out = []
    for section, action, want in LKDTM_CASES:
        sec = secs.get(section)
        hits = rig_console.scan(sec.text) if sec else []
        first = rig_console.strip_prefix(hits[0]) if hits else ""
        out.append(result("console-lkdtm", "LKDTM %s: the console check flags '%s'"
                          % (action, want.strip()), first.startswith(want) if first else False,
                          "not run" if sec is None else "first flagged line: %s"
                          % (first or "none")))
    return out


# --- a suite in a module of its own ---------------------------------------------

def module_suite(name: str, module: ModuleType, boot: str = "main") -> Suite:
    """A suite from a module with SECTIONS (its sections in rig/guest/init)
    and evaluate(secs) or evaluate(secs, ctx) -> [(case, ok, note, skip)]
    or [Result] (a module that makes its own Results)."""
    wants_ctx = len(inspect.signature(module.evaluate).parameters) > 1

    def evaluate(secs: Sections, ctx: Context) -> List[Result]:
        got = module.evaluate(secs, ctx) if wants_ctx else module.evaluate(secs)
        return [r if isinstance(r, Result) else result(name, *r) for r in got]
    return Suite(name, evaluate, boot, tuple(module.SECTIONS))


def arches_suite(row: str, name: str) -> Suite:
    """A configuration x86 tinyconfig cannot see (rig/arches.py), built, and
    for arm64 booted, from our tree: only `make check` of our kernel runs it."""
    def evaluate(secs: Sections, ctx: Context) -> List[Result]:
        if ctx.kernel != "ours":
            return []
        return [Result(suite, case, Status(verdict), note)
                for suite, case, verdict, note in arches.check_row(row, name)]
    return Suite(name, evaluate, AFTER_BOOTS)


SUITES: List[Suite] = [
    Suite("console", eval_console, EVERY_BOOT),
    Suite("console-scanner", eval_console_scanner),
    Suite("console-lkdtm", eval_console_lkdtm, "lkdtm", tuple(c[0] for c in LKDTM_CASES)),
    Suite("kunit", eval_kunit, "main", ("kunit",)),
    tap_suite("kselftest", "kselftest", prefix="# "),
    Suite("probes", eval_probes, "main", ("int3probe", "int1probe")),
    Suite("step_after_suspend", eval_step_after_suspend, "main", ("step_after_suspend_n",)),
    tap_suite("hwbp-abi", "hwbp_abi"),
    tap_suite("ptrace-slots", "ptrace_slots"),
    Suite("ptrace-abi", eval_ptrace_abi, "main", ("ptrace_abi", "ptrace_abi_again")),
    module_suite("ptrace-fuzz", ptrace_fuzz),
    Suite("perf-test", eval_perf_test, "main", ("perf_test",)),
    Suite("perf-stat", eval_perf_stat, "main", tuple("perf_stat_" + c[0] for c in PERF_STAT_CASES)),
    Suite("gdb", eval_gdb, "main", tuple("gdb_" + c for c in GDB_CASES)),
    Suite("slots", eval_slots, "main", ("slots_free",)),
    Suite("sample-module", eval_sample_module, "main", ("sample_module",)),
    Suite("holders-view-module", eval_holders_module, "main", ("sample_module",)),
    module_suite("perf-record", perf_record),
    tap_suite("mux", "mux"),
    Suite("mux-perf-stat", eval_mux_perf_stat, "main", ("mux_perf_stat_on", "mux_perf_stat_off")),
    tap_suite("view", "view"),
    tap_suite("hwbp-security", "hwbp_security"),
    tap_suite("stress", "stress"),
    # make bench's benchmarks, once each with the least work: they run
    # and print their figure (rig/bench.py).
    Suite("bench-smoke", lambda secs, ctx: bench.evaluate_smoke(secs), "main",
          bench.SMOKE_SECTIONS),
    module_suite("hwbp-fuzz", hwbp_fuzz),
    Suite("kgdbts", eval_kgdbts, "kgdbts", ("kgdbts",)),
    kgdb_suite("kgdb-host"),
    kgdb_slots_suite("kgdb-slots", "kgdb-host",
                     "host gdb's hbreak holds the debugger's one register on every CPU"),
    kgdb_suite("kgdb-hotplug"),
    kgdb_slots_suite("kgdb-hotplug-slots", "kgdb-hotplug",
                     "host gdb's hbreak holds the debugger's one register on every CPU, "
                     "CPU 3 just back online included"),
    kgdb_suite("kgdb-take"),
    module_suite("kgdb-take-displaced", kgdb_take, "kgdb-take"),
] + [arches_suite(row, name) for row, name in arches.CHECK]


def suites_of(boot: str, suites: Sequence[Suite] = SUITES) -> List[Suite]:
    return [s for s in suites if s.boot == boot]
