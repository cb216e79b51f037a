#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""perf's breakpoint benchmarks on the baseline and on ours, side by side.

usage: rig/bench.py ROUNDS

Boots build/base and build/ours alternately (ROUNDS each, interleaved so
that drift in the host's load hits both alike) in the "bench" mode of
rig/guest/init, which runs `perf bench breakpoint thread` (tasks with
breakpoints created and destroyed in parallel: the reservation path) and
`perf bench breakpoint enable` (enabling/disabling with many passive
threads).  Prints each kernel's median and the ratio ours/base; a run on a
coarse guest clocksource is reported and not counted.
"""
import os
import re
import statistics
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(TOP, "build")
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
LOGS = os.path.join(B, "logs", "bench")
os.makedirs(LOGS, exist_ok=True)


def run(kernel, i):
    log = os.path.join(LOGS, "%s-%d.log" % (kernel, i))
    subprocess.run(["timeout", "600", "qemu-system-x86_64", "-accel", "tcg", "-m", "1G",
                    "-smp", "4,sockets=4,cores=1",
                    "-kernel", os.path.join(B, kernel, "arch/x86/boot/bzImage"),
                    "-initrd", os.path.join(B, kernel + ".cpio.gz"),
                    "-display", "none", "-no-reboot", "-serial", "file:" + log,
                    "-append", "console=ttyS0 nokaslr panic=-1 loglevel=4 "
                    "tsc=reliable hwbpmode=bench"], stdin=subprocess.DEVNULL)
    text = open(log, errors="replace").read().replace("\r", "")
    clock = re.search(r"@@HWBP-BEGIN env\n(\S+)", text)
    out = {}
    for name in ("thread", "enable"):
        m = re.search(r"@@HWBP-BEGIN bench_%s\n.*?Total time: ([0-9.]+) \[sec\]" % name,
                      text, re.S)
        out[name] = float(m.group(1)) if m else None
    return (clock.group(1) if clock else "?"), out


def main():
    times = {k: {"thread": [], "enable": []} for k in ("base", "ours")}
    for i in range(ROUNDS):
        for kernel in ("base", "ours"):
            clock, out = run(kernel, i)
            print("  %s round %d: clocksource %s, thread %s s, enable %s s"
                  % (kernel, i, clock, out["thread"], out["enable"]))
            if clock != "tsc":
                print("    (not counted: the guest clock is too coarse)")
                continue
            for name, t in out.items():
                if t is not None:
                    times[kernel][name].append(t)
    print("\n  %-22s %10s %10s %12s" % ("benchmark", "base s", "ours s", "ours/base"))
    for name in ("thread", "enable"):
        b, o = times["base"][name], times["ours"][name]
        if not b or not o:
            print("  %-22s %10s %10s %12s" % ("breakpoint " + name, "-", "-", "no data"))
            continue
        mb, mo = statistics.median(b), statistics.median(o)
        print("  %-22s %10.3f %10.3f %12.2f" % ("breakpoint " + name, mb, mo, mo / mb))


main()
