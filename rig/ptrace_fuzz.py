# SPDX-License-Identifier: GPL-2.0
"""The ptrace-fuzz suite: ptrace_dr_fuzz's transcript must be the baseline's.

tools/testing/selftests/breakpoints/ptrace_dr_fuzz applies seeded random
PTRACE_POKEUSER/PEEKUSER, runs, single steps, forks, execs, exits and
kills to a pool of tracees and prints one line per operation (or, with
a digest line per block of operations), then a leak check.  The guest
(rig/guest/init, ptrace_fuzz) runs its short version twice in one boot
(10000 operations, the lines of the first 1500, a digest per 1000), or,
when the kernel command line has hwbprobust=1, says "@@ mode long" and
runs a million operations with one digest line per 10000.

The transcript is everything up to the "== done" line.  It must be the
same in both runs of one boot (or it proves nothing) and identical to
rig/golden/ptrace_dr_fuzz.txt, the unmodified kernel's transcript
recorded with `make golden`.  There is no allowed difference: ptrace
cannot reach the kernel addresses where our kernel deliberately refuses
what 6.12 accepts.  The lines after "== leak check" are no part of the
transcript, as only our kernel has the debugfs slots view; they are
judged on their own.
"""
import os
import re
import subprocess
from typing import List, NamedTuple, Optional, Tuple

from rig_boot import TOP, Section, Sections

SECTIONS = ["ptrace_fuzz"]
SUITE = "ptrace-fuzz"
GOLDEN = os.path.join(TOP, "rig", "golden", "ptrace_dr_fuzz.txt")
LONG_LOG = "ptrace_dr_fuzz_long.txt"

DONE = re.compile(r"^== done: (\d+) ops, digest ([0-9a-f]+), (\d+) tracees misbehaved$", re.M)
HEADER = re.compile(r"^ptrace_dr_fuzz seed (\d+) ops (\d+) lines (\d+) digest-every (\d+)$",
                    re.M)
LONG = "@@ mode long"
RUN_END = re.compile(r"^@@ run (\d+) rc=(\d+)$", re.M)


class Result(NamedTuple):
    case: str
    ok: bool
    note: str = ""
    skip: bool = False


class Run(NamedTuple):
    """One run of ptrace_dr_fuzz as the guest framed it."""
    rc: Optional[int]       # None: the guest never printed its end
    transcript: str         # from the header up to and including "== done"
    leak: List[str]         # the "leak: " lines after "== leak check"
    ops: int                # operations done, -1 if it never got to "== done"
    misbehaved: int


def split_runs(text: str) -> List[Run]:
    """The runs of one section, each ended by "@@ run N rc=RC"; a last run
    without its end line (the guest stopped) has rc None."""
    runs = []
    start = 0
    ends = list(RUN_END.finditer(text))
    chunks = [(text[start if i == 0 else ends[i - 1].end():m.start()], int(m.group(2)))
              for i, m in enumerate(ends)]
    rest = text[ends[-1].end():] if ends else text
    if rest.strip():
        chunks.append((rest, None))
    for chunk, rc in chunks:
        chunk = chunk.lstrip("\n")
        done = DONE.search(chunk)
        head = HEADER.search(chunk)
        head_at = head.start() if head else 0
        if done:
            transcript = chunk[head_at:done.end()] + "\n"
            tail = chunk[done.end():]
        else:
            transcript, tail = chunk[head_at:], ""
        leak = re.findall(r"^leak: .*$", tail, re.M)
        runs.append(Run(rc, transcript, leak, int(done.group(1)) if done else -1,
                        int(done.group(3)) if done else -1))
    return runs


def first_difference(want: str, got: str) -> Optional[Tuple[int, str, str]]:
    """(line number from 1, wanted line, got line) of the first line that
    differs, "" for a missing line; None when both are the same."""
    a, b = want.splitlines(), got.splitlines()
    for n in range(max(len(a), len(b))):
        x = a[n] if n < len(a) else ""
        y = b[n] if n < len(b) else ""
        if x != y or (n >= len(a)) != (n >= len(b)):
            return n + 1, x, y
    return None


def leak_results(run: Run) -> List[Result]:
    cpu_wide = [line for line in run.leak if "CPU-wide" in line]
    slots = [line for line in run.leak if "slots" in line]
    no_view = any(line.startswith("leak: no /sys/kernel/debug") for line in slots)
    return [
        Result("no leak: 4 CPU-wide pinned breakpoints open on every online CPU",
               bool(cpu_wide) and all("open on each of" in line for line in cpu_wide),
               " | ".join(cpu_wide) or "no leak check printed"),
        Result("no leak: every count of the debugfs slots view is zero",
               bool(slots) and all("every count zero" in line for line in slots),
               " | ".join(slots) or "no slots check printed",
               skip=no_view),
    ]


def compare(want: str, got: str, what: str, diff_to: str) -> Tuple[bool, str]:
    """Is @got @want?  The note names the first difference and where the
    whole diff is."""
    first = first_difference(want, got)
    if first is None:
        return True, ""
    with open(diff_to + ".got", "w") as f:
        f.write(got)
    diff = subprocess.run(["diff", "-u", "--label", what, "--label", "this kernel", "-",
                           diff_to + ".got"], input=want, capture_output=True,
                          text=True).stdout
    with open(diff_to, "w") as f:
        f.write(diff)
    os.unlink(diff_to + ".got")
    n, x, y = first
    return False, "line %d: %s has '%s', this kernel '%s' (see %s)" % (n, what, x, y, diff_to)


def eval_short(runs: List[Run], logs: str) -> List[Result]:
    first = runs[0]
    out = []
    if len(runs) < 2:
        out.append(Result("two runs in one boot give the same transcript", False,
                          "only %d run" % len(runs)))
    else:
        same = first_difference(first.transcript, runs[1].transcript)
        out.append(Result("two runs in one boot give the same transcript", same is None,
                          "" if same is None else "line %d: '%s' then '%s'" % same))
    with open(os.path.join(logs, "ptrace_dr_fuzz.txt"), "w") as f:
        f.write(first.transcript)
    case = "transcript identical to the baseline's (%d operations)" % first.ops
    if not os.path.exists(GOLDEN):
        out.append(Result(case, False, "no rig/golden/ptrace_dr_fuzz.txt: run make golden"))
    else:
        with open(GOLDEN) as f:
            want = f.read()
        ok, note = compare(want, first.transcript, "rig/golden/ptrace_dr_fuzz.txt",
                           os.path.join(logs, "ptrace_dr_fuzz.diff"))
        out.append(Result(case, ok, note))
    return out


def eval_long(run: Run, logs: str, base_logs: str) -> List[Result]:
    """hwbprobust=1: one run, digest lines; the baseline's from the same
    `make robustness` (in @base_logs) is what it must equal."""
    with open(os.path.join(logs, LONG_LOG), "w") as f:
        f.write(run.transcript)
    case = "long run: %d operations, every digest block identical to the baseline's" % run.ops
    base = os.path.join(base_logs, LONG_LOG)
    if os.path.abspath(base_logs) == os.path.abspath(logs):
        return [Result(case, False, "this is the baseline", skip=True)]
    if not os.path.exists(base):
        return [Result(case, False, "no %s: boot the baseline with hwbprobust=1 first"
                       % base, skip=True)]
    with open(base) as f:
        want = f.read()
    ok, note = compare(want, run.transcript, "the baseline",
                       os.path.join(logs, "ptrace_dr_fuzz_long.diff"))
    return [Result(case, ok, note)]


def evaluate(secs: Sections, ctx) -> List[Result]:
    sec: Optional[Section] = secs.get("ptrace_fuzz")
    if sec is None:
        return [Result("(suite)", False, "not run")]
    is_long = sec.text.startswith(LONG)
    runs = split_runs(sec.text[len(LONG):] if is_long else sec.text)
    if not runs:
        return [Result("(suite)", False, "no output")]
    out = []
    for n, run in enumerate(runs, 1):
        out.append(Result("run %d: exit status 0, every tracee behaved, up to the leak check"
                          % n, run.rc == 0 and run.ops >= 0 and run.misbehaved == 0,
                          "rc=%s, %s operations, %s tracees misbehaved"
                          % (run.rc, run.ops, run.misbehaved)))
    if is_long:
        out += eval_long(runs[0], ctx.logs, ctx.baseline_logs)
    else:
        out += eval_short(runs, ctx.logs)
    for run in runs[:1]:
        out += leak_results(run)
    return out
