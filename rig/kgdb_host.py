# SPDX-License-Identifier: GPL-2.0
# Host gdb, attached to the guest's kgdb over its second serial port.
# Loaded with: gdb -nx -batch VMLINUX -x rig/kgdb_host.py
# Environment: HWBP_CONSOLE (guest console log), HWBP_PORT (QEMU's serial
# socket), HWBP_CYCLES (hbreak+watch add/remove rounds after the first),
# HWBP_TAKE (the kgdb-take boot: perf holds every register, so a first
# hbreak is refused; then gdb sets kgdb_hw_breakpoint.take_registers and
# the rounds must work all the same).
#
# Prints TAP.  The plan is printed first, so a continue that never returns
# (the breakpoint did not fire) shows up as missing cases once the outer
# timeout kills us, and the parser counts those as failed.
import os
import time

import gdb

CYCLES = int(os.environ.get("HWBP_CYCLES", "10"))
n = 0


def tap(ok, name, why=""):
    global n
    n += 1
    line = "%s %d %s" % ("ok" if ok else "not ok", n, name)
    print(line + (" # " + why if why and not ok else ""), flush=True)


def wait_console(marker, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(os.environ["HWBP_CONSOLE"], errors="replace") as f:
                if marker in f.read():
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def cmd(command):
    """Run a gdb command; in the take boot, log it and what gdb said as TAP
    comments: Documentation quotes that session."""
    try:
        out = gdb.execute(command, to_string=True)
    except gdb.error as e:
        out = None
        err = e
    if TAKE:
        print("# (gdb) %s" % command, flush=True)
        for line in (str(err) if out is None else out).splitlines():
            print("# %s" % line, flush=True)
    if out is None:
        raise err
    return out


def func_at_pc():
    try:
        return gdb.selected_frame().name() or "?"
    except gdb.error:
        return "?"


def hbreak_round(tag):
    cmd("hbreak *ksys_sync")
    cmd("continue")
    pc = int(gdb.parse_and_eval("$pc"))
    want = int(gdb.parse_and_eval("(unsigned long)&ksys_sync"))
    tap(pc == want, "%s hbreak ksys_sync stops at its first instruction" % tag,
        "stopped at %#x in %s" % (pc, func_at_pc()))
    cmd("delete")


def watch_round(tag):
    old = int(gdb.parse_and_eval("total_forks"))
    cmd("watch total_forks")
    cmd("continue")
    new = int(gdb.parse_and_eval("total_forks"))
    fn = func_at_pc()
    tap(new != old and fn == "copy_process",
        "%s watch total_forks stops in copy_process with a new value" % tag,
        "in %s, total_forks %d -> %d" % (fn, old, new))
    cmd("delete")


def refused(where, name, how="hbreak"):
    try:
        cmd("%s *%s" % (how, where() if callable(where) else where))
    except gdb.error as e:
        # Not kgdb's answer: gdb itself would not make it.
        tap(False, name, "gdb did not set it: %s" % e)
        return
    try:
        cmd("continue")
        ok, why = False, "kgdb accepted it; stopped in %s" % func_at_pc()
    except gdb.error as e:
        # gdb could not insert it ("Command aborted."): still stopped.
        ok, why = gdb.selected_inferior().pid != 0, str(e)
    tap(ok, name, why)
    if gdb.selected_inferior().pid != 0:
        cmd("delete")


def cpu0(var):
    """The address of CPU 0's copy of per-CPU variable var, as a gdb literal:
    watching the expression itself would watch __per_cpu_offset[0] too."""
    return "(unsigned long *)%#x" % int(gdb.parse_and_eval(
        "__per_cpu_offset[0] + (unsigned long)&%s" % var))


def db_ist_stack():
    """The last word of CPU 0's #DB IST stack in the CPU entry area."""
    stacks = gdb.parse_and_eval("*(struct cea_exception_stacks **)(%s)"
                                % cpu0("cea_exception_stacks"))
    return "(unsigned long *)%#x" % (int(stacks["DB_stack"].address) +
                                     int(stacks["DB_stack"].type.sizeof) - 8)


# Where the #DB path runs or what it reads: kgdb must refuse a breakpoint
# there (gdb then cannot insert it and does not resume), or kgdb would
# recurse in its own exception.  The kgdb glue asks the backend's parser,
# as perf and ptrace do (hw_breakpoint_security_test, KUnit).
PROTECTED = (
    ("hbreak", lambda: "asm_exc_debug", "hbreak on the #DB entry (asm_exc_debug)"),
    ("hbreak", lambda: "entry_SYSCALL_64", "hbreak on the syscall entry (entry_SYSCALL_64)"),
    ("hbreak", lambda: "exc_debug", "hbreak on noinstr text (exc_debug)"),
    ("watch", lambda: "(unsigned long *)0xfffffe0000001000",
     "watch on the CPU entry area (CPU 0's GDT)"),
    ("awatch", db_ist_stack, "awatch on CPU 0's #DB IST stack"),
    ("watch", lambda: cpu0("cpu_dr7"), "watch on CPU 0's cpu_dr7"),
    ("awatch", lambda: cpu0("cpu_tss_rw"), "awatch on CPU 0's cpu_tss_rw"),
    ("watch", lambda: "(unsigned long *)&__per_cpu_offset[0]", "watch on __per_cpu_offset[0]"),
)


def refused_round(tag):
    for how, where, name in PROTECTED:
        refused(where, "%s %s is refused" % (tag, name), how)


def full_round(tag):
    # Scenario B, the default: kgdb uses only free registers.
    refused("ksys_sync", "%s hbreak is refused while perf holds every register "
            "(take_registers=0)" % tag)
    cmd("set var *(char *)&take_registers = 1")


TAKE = os.environ.get("HWBP_TAKE") == "1"
PLAN = len(PROTECTED) + 2 + 2 * CYCLES + TAKE
print("1..%d" % PLAN, flush=True)
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set remotetimeout 20")
if not wait_console("@@HWBP-KGDB-READY", 120):
    print("# the guest never got ready", flush=True)
    raise SystemExit(1)
time.sleep(1)
# The address QEMU listens on, not "localhost": a minimal root (make
# fresh-check) has no /etc/hosts to resolve that name.
gdb.execute("target remote 127.0.0.1:%s" % os.environ["HWBP_PORT"])
def have_symbol(name):
    try:
        gdb.execute("info address %s" % name, to_string=True)
        return True
    except gdb.error:
        return False


if TAKE and not have_symbol("take_registers"):
    for i in range(1, PLAN + 1):
        print("ok %d take case %d # SKIP no kgdb_hw_breakpoint.take_registers in this kernel"
              % (i, i))
    gdb.execute("detach")
    raise SystemExit(0)
rounds = [(full_round, "first")] if TAKE else []
rounds += [(hbreak_round, "first"), (watch_round, "first")]
for i in range(1, CYCLES + 1):
    rounds += [(hbreak_round, "cycle %d:" % i), (watch_round, "cycle %d:" % i)]
# Last: a kernel that accepts it (6.12, which does not check kgdb's
# breakpoints) runs on to its end, and the rounds above still ran.
rounds += [(refused_round, "last")]
for fn, tag in rounds:
    try:
        fn(tag)
    except gdb.error as e:
        # The target is gone: the guest ran its whole event loop without
        # stopping (kgdb says so when it reboots), or the link broke.  This
        # case fails; the parser reports the rest as not reached.
        if gdb.selected_inferior().pid == 0:
            e = "the guest ran to its end without stopping here"
        tap(False, "%s %s" % (tag, fn.__name__.replace("_round", "")), str(e))
        raise SystemExit(1)
if gdb.selected_inferior().pid != 0:
    gdb.execute("detach")
