#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The hardware-breakpoint rig: boot a kernel under QEMU and judge it.

  rig/rig.py check NAME KOUT IMAGE    every suite, the table, the summary line
  rig/rig.py bench [ROUNDS] [--seconds S] [--scaling-rounds N] [--cpus 1,2,4,8] [--together]
                                      [--control] [--icount]
                                      every benchmark, base vs ours (rig/bench.py)
  rig/rig.py demo KOUT IMAGE          gdb and perf watching a variable
  rig/rig.py diagnose KOUT IMAGE [MODE]  the #DB exceptions QEMU raised

NAME is "base" (pristine 6.12), "ours", or either with "-lockdep"; KOUT its
build directory, IMAGE its initramfs (rig/mkimage.sh).  Every boot goes
through rig_boot (one QEMU command line); every verdict is a rig_results
Result made by the suite's own evaluator in rig_suites.

Environment: HWBP_SMP (guest CPUs, default 4), HWBP_KGDB_CYCLES (host-gdb
rounds after the first, default 100), HWBP_BOOTS=main,kgdbts,kgdb-host,
kgdb-hotplug,kgdb-take,lkdtm,console-scanner (run only those; for development),
HWBP_APPEND (more kernel command line for every boot: hwbprobust=1 gives the
long fuzz and stress runs of make robustness), HWBP_TIMEOUT_SCALE (every
boot's timeout times this: debug kernels run slower).
"""
import argparse
import os
import re
import shlex
import socket
import subprocess
import sys
from typing import Dict, List, Optional, Sequence

import bench
import rig_boot
import rig_suites
from rig_boot import TOP, Companion, Machine, Printer, Section
from rig_results import (Result, Status, apply_xfail, counts, load_xfail, print_report,
                         summary_line, write_results, write_summary)
from rig_suites import AFTER_BOOTS, EVERY_BOOT, KGDB_GDB, SUITES, Boot, Context, Suite


def timeout_scale() -> float:
    return float(os.environ.get("HWBP_TIMEOUT_SCALE", "1"))


class Check:
    """One `make check` run: boots, evaluates, reports."""

    def __init__(self, ctx: Context, machine: Machine, printer: Printer,
                 only: Optional[List[str]]) -> None:
        self.ctx = ctx
        self.machine = machine
        self.printer = printer
        self.only = only
        self.xfails = load_xfail(os.path.join(ctx.top, "rig", "xfail"), ctx.kernel)
        self.results: Dict[str, List[Result]] = {}
        self.icebp_missing = False

    def wanted(self, name: str) -> bool:
        return not self.only or name in self.only

    def record(self, suite: Suite, results: List[Result], label: str = "") -> None:
        results = apply_xfail(results, self.xfails, self.icebp_missing)
        self.results.setdefault(suite.name, []).extend(results)
        c = counts(results)
        xfail = " (%d expected failures)" % c[Status.XFAIL] if c[Status.XFAIL] else ""
        self.printer.line("%-18s %s%s" % (label or suite.name, summary_line(c), xfail))

    def host_suite(self, suite: Suite) -> None:
        self.record(suite, suite.evaluate({}, self.ctx))

    def boot(self, boot: Boot) -> None:
        suites = rig_suites.suites_of(boot.name)
        done: set = set()
        env_said = False

        def on_console(text: str) -> None:
            nonlocal env_said
            finished = set(rig_boot.finished_sections(text))
            if not finished:
                return
            secs = rig_boot.parse_sections(text)
            if boot.name == "main":
                self.icebp_missing = rig_suites.icebp_missing(secs)
                if "env" in finished and not env_said:
                    self.printer.line("guest: " + " / ".join(secs["env"].text.split()))
                    env_said = True
            for s in suites:
                if s.name not in done and s.sections and finished.issuperset(s.sections):
                    done.add(s.name)
                    self.record(s, s.evaluate(secs, self.ctx))

        log = os.path.join(self.ctx.logs, boot.name + ".log")
        companion = None
        append = (boot.append + " " + os.environ.get("HWBP_APPEND", "")).strip()
        timeout = int(boot.timeout * timeout_scale())
        qemu_args: List[str] = []
        if boot.kgdb_cycles:
            companion, port = self.kgdb_companion(boot, log)
            qemu_args = ["-serial", "tcp:127.0.0.1:%d,server=on,wait=off" % port]
            # The guest's event loop is long enough for every round, and
            # bounds how long a kernel whose breakpoints never fire keeps
            # gdb waiting.
            append = ("kgdboc=ttyS1,115200 hwbploops=%d %s"
                      % (3 * boot.kgdb_cycles + 50, append)).strip()
        self.printer.line("%s: booting %s (hwbpmode=%s, %d CPUs, timeout %d s), console %s"
                          % (boot.name, self.machine.release(), boot.mode, self.machine.smp,
                             timeout, os.path.relpath(log, self.ctx.top)))
        outcome = rig_boot.run_boot(self.machine, boot.name, boot.mode, log, timeout,
                                    self.printer, append, qemu_args, on_console, companion)
        secs = dict(outcome.sections)
        if companion:
            with open(companion.log, errors="replace") as f:
                secs[KGDB_GDB] = Section(0, f.read())
        self.printer.line("boot %-12s %5.0fs%s" % (
            boot.name, outcome.elapsed,
            "" if outcome.finished or companion else "  (did not finish: see %s)" % log))
        for s in SUITES:
            if s.boot == EVERY_BOOT and boot.clean:
                self.record(s, s.evaluate({boot.name: Section(None, outcome.text)}, self.ctx),
                            "%s (%s)" % (s.name, boot.name))
        for s in suites:
            if s.name not in done:
                self.record(s, s.evaluate(secs, self.ctx))

    def kgdb_companion(self, boot: Boot, log: str) -> "tuple[Companion, int]":
        """Host gdb on the guest's kgdb (rig/kgdb_host.py), with rounds as
        they finish."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cycles = boot.kgdb_cycles
        last = [0]

        def on_output(text: str) -> None:
            n = rig_suites.kgdb_rounds_done(text)
            if n > last[0]:
                milestone = n // 10 > last[0] // 10 or n == cycles
                last[0] = n
                self.printer.counter("%s: round %d/%d" % (boot.name, n, cycles), milestone)

        env = dict(os.environ, HWBP_CONSOLE=log, HWBP_PORT=str(port),
                   HWBP_CYCLES=str(cycles),
                   HWBP_TAKE="1" if "hwbptake" in boot.append.split() else "0")
        cmd = ["timeout", str(int((100 + 4 * cycles) * timeout_scale())), "gdb", "-nx", "-batch",
               os.path.join(self.ctx.kout, "vmlinux"),
               "-x", os.path.join(self.ctx.top, "rig", "kgdb_host.py")]
        # The take boot checks the guest's side after gdb has left.
        return Companion(cmd, os.path.join(self.ctx.logs, boot.name + "-gdb.log"), env,
                         on_output, then_guest=env["HWBP_TAKE"] == "1"), port

    def run(self, boots: Sequence[Boot]) -> int:
        if self.only:
            self.printer.line("only the boots in HWBP_BOOTS=%s" % ",".join(self.only))
        for s in SUITES:
            if s.boot is None and self.wanted(s.name):
                self.host_suite(s)
        for b in boots:
            if self.wanted(b.name):
                self.boot(b)
        for s in SUITES:
            if s.boot == AFTER_BOOTS and self.wanted(s.name):
                self.host_suite(s)
        results = [r for s in SUITES for r in self.results.get(s.name, [])]
        path = os.path.join(self.ctx.logs, "results.txt")
        write_results(path, results)
        tot = print_report(self.ctx.kernel, results, path)
        write_summary(os.path.join(self.ctx.top, "build", "logs", self.ctx.kernel + ".summary"),
                      tot)
        print(summary_line(tot))
        return 1 if tot[Status.FAIL] else 0


def run_check(args: argparse.Namespace) -> int:
    ctx = Context(args.name, os.path.abspath(args.kout),
                  os.path.join(TOP, "build", "logs", args.name))
    os.makedirs(ctx.logs, exist_ok=True)
    only = os.environ.get("HWBP_BOOTS")
    check = Check(ctx, Machine(ctx.kout, os.path.abspath(args.image)), Printer(),
                  only.split(",") if only else None)
    return check.run(rig_suites.boots(int(os.environ.get("HWBP_KGDB_CYCLES", "100"))))


def run_bench(args: argparse.Namespace) -> int:
    """Both kernels, booted alternately, every benchmark (rig/bench.py)."""
    return bench.run(args.rounds, args.scaling_rounds, args.seconds,
                     [int(n) for n in args.cpus.split(",") if n],
                     " ".join(shlex.quote(a) for a in sys.argv), control=args.control,
                     together=args.together, icount=args.icount)


def run_demo(args: argparse.Namespace) -> int:
    """Boot the kernel and show gdb and perf using the debug registers."""
    machine = Machine(os.path.abspath(args.kout), os.path.abspath(args.image))
    logs = os.path.join(TOP, "build", "logs", os.path.basename(machine.kout))
    os.makedirs(logs, exist_ok=True)
    print("demo: booting %s under QEMU (TCG, %d CPUs)..." % (machine.release(), machine.smp),
          flush=True)
    shown = [0]
    showing = [False]

    def on_console(text: str) -> None:
        lines = text.splitlines()
        for line in lines[shown[0]:]:
            if line.startswith("=== 1"):
                showing[0] = True
            elif line.startswith("@@HWBP-DONE"):
                showing[0] = False
            if showing[0] and not line.startswith("@@HWBP"):
                print(line, flush=True)
        shown[0] = len(lines)

    out = rig_boot.run_boot(machine, "demo", "demo", os.path.join(logs, "demo.log"), 300,
                            Printer(sys.stderr), on_console=on_console)
    return 1 if out.trouble else 0


def run_diagnose(args: argparse.Namespace) -> int:
    """Which #DB exceptions did the emulator raise?

    Boots MODE (kgdbts by default) on one CPU with QEMU's exception log
    (-d int) and prints every vector-1 (#DB) exception with its RIP
    (symbolised against KOUT/vmlinux), DR6 and DR7, and the console's
    kgdbts lines.  This is how the baseline's kgdb failures were placed on
    the kernel's side: the emulator raises #DB with the right DR6 bit at the
    right instruction, and kgdb still reports no stop.
    """
    machine = Machine(os.path.abspath(args.kout), os.path.abspath(args.image), smp=1)
    out = os.path.join(TOP, "build", "logs", "diagnose-%s-%s"
                       % (os.path.basename(machine.kout), args.mode))
    os.makedirs(out, exist_ok=True)
    console = os.path.join(out, "console.log")
    intlog = os.path.join(out, "qemu-int.log")
    rig_boot.run_boot(machine, "diagnose", args.mode, console, 300, Printer(),
                      qemu_args=["-d", "int", "-D", intlog])
    hits = []
    ip = None
    with open(intlog, errors="replace") as f:
        for line in f:
            m = re.search(r" v=01 .* pc=(\S+)", line)
            if m:
                ip = m.group(1)
            elif ip and line.startswith("DR6="):
                dr6, dr7 = line.split()[:2]
                hits.append((ip, dr6, dr7))
                ip = None
    symbols: Dict[str, str] = {}
    runs: List[List] = []
    for ip, dr6, dr7 in hits:
        if ip not in symbols:
            gdb = subprocess.run(["gdb", "-nx", "-batch", "-ex", "info symbol 0x" + ip,
                                  os.path.join(machine.kout, "vmlinux")],
                                 stdin=subprocess.DEVNULL, capture_output=True, text=True)
            symbols[ip] = (gdb.stdout.splitlines() or [""])[0]
        line = "#DB at %s (%s) %s %s" % (ip, symbols[ip], dr6, dr7)
        if runs and runs[-1][1] == line:
            runs[-1][0] += 1
        else:
            runs.append([1, line])
    for n, line in runs:
        print("%7d %s" % (n, line))
    with open(console, "rb") as f:
        for raw in f:
            if b"kgdbts" in raw:
                text = raw.decode("ascii", errors="ignore")
                print("".join(c for c in text if c.isprintable())[:160])
    print("diagnose: logs in " + out)
    return 0


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="rig/rig.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="boot one kernel, run every suite, print the table")
    p.add_argument("name", help="base, ours, base-lockdep, ours-lockdep")
    p.add_argument("kout", help="the kernel's build directory")
    p.add_argument("image", help="its initramfs")
    p.set_defaults(func=run_check)

    p = sub.add_parser("bench", help="every benchmark on build/base and build/ours")
    p.add_argument("rounds", type=int, nargs="?", default=5, help="main boots per kernel")
    p.add_argument("--scaling-rounds", type=int, default=3,
                   help="rounds that also boot at the other vCPU counts (default 3)")
    p.add_argument("--seconds", type=float, default=3.0,
                   help="seconds of measured work per figure (default 3)")
    p.add_argument("--cpus", default=",".join(map(str, bench.SCALING_CPUS)),
                   help="vCPU counts of the scaling boots (default 1,2,4,8)")
    p.add_argument("--control", action="store_true",
                   help="build/base in both columns: the noise floor of ours/base")
    p.add_argument("--together", action="store_true",
                   help="boot each round's two kernels at the same time, each on its own "
                   "half of the host's CPUs, so that the host's drift slows both")
    p.add_argument("--icount", action="store_true",
                   help="one vCPU, QEMU -icount: instructions per op instead of times")
    p.set_defaults(func=run_bench)

    p = sub.add_parser("demo", help="gdb and perf watching a variable")
    p.add_argument("kout")
    p.add_argument("image")
    p.set_defaults(func=run_demo)

    p = sub.add_parser("diagnose", help="the #DB exceptions QEMU raised in one boot")
    p.add_argument("kout")
    p.add_argument("image")
    p.add_argument("mode", nargs="?", default="kgdbts", help="hwbpmode (default kgdbts)")
    p.set_defaults(func=run_diagnose)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
