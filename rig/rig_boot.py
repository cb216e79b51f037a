# SPDX-License-Identifier: GPL-2.0
"""Booting a kernel under QEMU: the rig's one QEMU command line.

check, bench, demo and diagnose all boot through Machine.command() and
run_boot(), which follows the console log while QEMU writes it, so the
caller hears of each finished @@HWBP section at once, and a guest that
panics, hangs or stops early is named the moment that is known.
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, TextIO

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_smp() -> int:
    return int(os.environ.get("HWBP_SMP", "4"))


@dataclass(frozen=True)
class Machine:
    """One kernel build and its initramfs."""
    kout: str
    image: str
    smp: int = field(default_factory=default_smp)
    # taskset's CPU list for QEMU, "" for any host CPU
    host_cpus: str = ""

    def command(self, mode: str, log: str, timeout: int, append: str = "",
                qemu_args: Sequence[str] = ()) -> List[str]:
        # No ACPI in the guest: plain -smp N would give one CPU.
        # loglevel=5: a WARN (KERN_WARNING) must reach the console, where
        # the console suite looks for it; quieter messages stay in dmesg.
        pin = ["taskset", "-c", self.host_cpus] if self.host_cpus else []
        return pin + ["timeout", "--kill-after=5", str(timeout),
                      "qemu-system-x86_64", "-accel", "tcg", "-m", "1G",
                      "-smp", "%d,sockets=%d,cores=1" % (self.smp, self.smp),
                      "-kernel", os.path.join(self.kout, "arch/x86/boot/bzImage"),
                      "-initrd", self.image, "-display", "none", "-no-reboot",
                      "-serial", "file:" + log, *qemu_args,
                      "-append", ("console=ttyS0 nokaslr panic=-1 loglevel=5 tsc=reliable "
                                  "hwbpmode=%s %s" % (mode, append)).strip()]

    def release(self) -> str:
        with open(os.path.join(self.kout, "include/config/kernel.release")) as f:
            return f.read().strip()


class Section(NamedTuple):
    """One `run NAME CMD` of rig/guest/init: exit status (None: no END
    marker, the guest never finished it) and raw output."""
    rc: Optional[int]
    text: str


Sections = Dict[str, Section]

_SECTION = re.compile(r"^@@HWBP-BEGIN (\S+)\n(.*?)(?:^@@HWBP-END \1 rc=(\d+)$|\Z)",
                      re.S | re.M)


def parse_sections(text: str) -> Sections:
    """{name: Section} from the @@HWBP markers of a console text."""
    return {m.group(1): Section(int(m.group(3)) if m.group(3) else None, m.group(2))
            for m in _SECTION.finditer(text)}


def finished_sections(text: str) -> List[str]:
    return re.findall(r"^@@HWBP-END (\S+) rc=\d+$", text, re.M)


class Tail:
    """The complete lines of a file another process is still writing."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._data = b""

    def read(self) -> str:
        try:
            with open(self.path, "rb") as f:
                f.seek(len(self._data))
                self._data += f.read()
        except OSError:
            pass
        # A half-written last line could look like a shorter complete one
        # ("rc=1" of "rc=12"): hand out whole lines only.
        end = self._data.rfind(b"\n") + 1
        return self._data[:end].decode(errors="replace").replace("\r", "")


def read_console(path: str) -> str:
    with open(path, errors="replace") as f:
        return f.read().replace("\r", "")


class Printer:
    """Progress for the person waiting: one line per event, and on a
    terminal a line that rewrites itself (\\r) for counters.  Boots that
    run at the same time (make bench BENCH_TOGETHER=1) share one."""

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.tty = out.isatty()
        self.start = time.time()
        self._open = False
        self._lock = threading.Lock()

    def stamp(self) -> str:
        s = int(time.time() - self.start)
        return "[%2d:%02d]" % (s // 60, s % 60)

    def _emit(self, msg: str) -> None:
        """One line; the caller holds the lock."""
        if self._open:
            self.out.write("\n")
            self._open = False
        self.out.write("%s %s\n" % (self.stamp(), msg))
        self.out.flush()

    def line(self, msg: str) -> None:
        with self._lock:
            self._emit(msg)

    def counter(self, msg: str, milestone: bool) -> None:
        """A counter update: every one on a terminal, milestones elsewhere."""
        if self.tty:
            with self._lock:
                self.out.write("\r%s %s\033[K" % (self.stamp(), msg))
                self.out.flush()
                self._open = True
        elif milestone:
            self.line(msg)

    def block(self, lines: Sequence[str]) -> None:
        """Lines that belong together, never split by another boot's."""
        with self._lock:
            for text in lines:
                self._emit("  | " + text)


@dataclass
class Companion:
    """A host program that drives the guest while it runs (gdb over kgdb);
    the boot ends when it does, or with then_guest when the guest ends too."""
    command: List[str]
    log: str
    env: Optional[Dict[str, str]] = None
    on_output: Optional[Callable[[str], None]] = None
    then_guest: bool = False


@dataclass
class BootOutcome:
    log: str
    text: str
    sections: Sections
    elapsed: float
    finished: bool         # the guest printed @@HWBP-DONE
    trouble: str           # why it did not finish, "" if it did or was stopped by us


PANIC = re.compile(r"^.*Kernel panic - not syncing.*$", re.M)
# How long a main-style boot may print nothing before we say so.
QUIET_NOTICE = 180
CONSOLE_TAIL = 10


def run_boot(machine: Machine, name: str, mode: str, log: str, timeout: int,
             printer: Printer, append: str = "", qemu_args: Sequence[str] = (),
             on_console: Optional[Callable[[str], None]] = None,
             companion: Optional[Companion] = None) -> BootOutcome:
    """Boot MODE with its console in LOG; call on_console(text so far) as
    it grows.  Without a companion the boot ends when QEMU does; with one,
    when the companion exits (QEMU is then stopped), or with then_guest
    when QEMU does."""
    if os.path.exists(log):
        os.unlink(log)
    console = Tail(log)
    start = time.time()
    # QEMU's own messages (a bad option, "terminating on signal 15" when
    # we stop it) go next to the console, not between the progress lines.
    qemu_err = os.path.splitext(log)[0] + ".qemu-stderr"
    vm_err = open(qemu_err, "w")
    vm = subprocess.Popen(machine.command(mode, log, timeout, append, qemu_args),
                          stdin=subprocess.DEVNULL, stderr=vm_err)
    comp = comp_out = None
    comp_tail = None
    if companion:
        comp_out = open(companion.log, "w")
        comp = subprocess.Popen(companion.command, stdin=subprocess.DEVNULL,
                                stdout=comp_out, stderr=subprocess.STDOUT,
                                env=companion.env)
        comp_tail = Tail(companion.log)
    trouble = ""
    panic_seen = 0.0
    last_len, last_change, quiet_said = 0, start, False

    def name_it(why: str, text: str) -> None:
        nonlocal trouble
        trouble = why
        printer.line("%s: the guest %s; its last console lines:" % (name, why))
        printer.block(text.rstrip("\n").splitlines()[-CONSOLE_TAIL:])
        printer.line("%s: console log %s" % (name, log))
        vm_err.flush()
        with open(qemu_err, errors="replace") as f:
            err = f.read().strip()
        if err:
            printer.line("%s: QEMU said:" % name)
            printer.block(err.splitlines()[-CONSOLE_TAIL:])

    try:
        while True:
            vm_rc = vm.poll()
            comp_rc = comp.poll() if comp else None
            text = console.read()
            if on_console:
                on_console(text)
            if comp_tail and companion and companion.on_output:
                companion.on_output(comp_tail.read())
            now = time.time()
            if len(text) != last_len:
                last_len, last_change, quiet_said = len(text), now, False
            done = "@@HWBP-DONE" in text
            if not trouble:
                m = PANIC.search(text)
                if m:
                    name_it("crashed (%s)" % m.group(0).strip(), text)
                    panic_seen = now
                elif vm_rc in (124, 137):
                    name_it("hung: killed after the %d s timeout" % timeout, text)
                elif vm_rc is not None and vm_rc < 0 and not done:
                    # QEMU itself died, which no guest may cause: an
                    # emulator bug (rig/README.rst, "Robustness").
                    name_it("stopped before its end: QEMU was killed by %s (an emulator "
                            "crash; the host's dmesg names it)" % signal.Signals(-vm_rc).name,
                            text)
                elif vm_rc is not None and not done:
                    name_it("stopped before its end (QEMU exit status %d)" % vm_rc, text)
                elif (not comp and not quiet_said and now - last_change > QUIET_NOTICE):
                    printer.line("%s: no console output for %d s (timeout at %d s, console %s)"
                                 % (name, now - last_change, timeout, log))
                    quiet_said = True
            # panic=-1 reboots and -no-reboot ends QEMU; if a panic path
            # waits instead (kgdb), do not sit out the whole timeout.
            if panic_seen and vm_rc is None and now - panic_seen > 10:
                vm.terminate()
            if comp and companion and not companion.then_guest:
                if comp_rc is not None:
                    break
            elif vm_rc is not None:
                break
            time.sleep(0.5)
    finally:
        # SIGTERM to `timeout`, which passes it on to QEMU; a SIGKILL would
        # leave QEMU running on its own.
        if vm.poll() is None:
            vm.terminate()
        vm.wait()
        vm_err.close()
        if comp:
            if comp.poll() is None:
                comp.terminate()
            comp.wait()
        if comp_out:
            comp_out.close()
    text = read_console(log) if os.path.exists(log) else ""
    if on_console:
        on_console(text)
    if comp_tail and companion and companion.on_output:
        companion.on_output(comp_tail.read())
    return BootOutcome(log, text, parse_sections(text), time.time() - start,
                       "@@HWBP-DONE" in text, trouble)
