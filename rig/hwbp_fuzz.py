# SPDX-License-Identifier: GPL-2.0
"""The perf_event_open fuzzer for breakpoints (issue 11, item 1).

tools/testing/selftests/breakpoints/hw_breakpoint_fuzz.c prints, for a
fixed seed, one line per iteration: the breakpoint request it drew (as
class names and offsets, never a kernel address), the errno, and what the
follow-up calls answered.  rig/guest/init runs it twice and prints the
first transcript and whether the second was the same ("@@ again: same").
The transcript must be the same in both runs, and the
same as the unmodified 6.12 kernel's (rig/golden/hw_breakpoint_fuzz.txt,
recorded with `make golden`) but for the differences listed in ALLOWED,
each with its reason.  Its last lines are the leak check: four pinned
CPU-wide breakpoints open on every online CPU, and the debugfs slots view,
where the kernel has one, counts nothing.

With hwbprobust=1 on the kernel command line the guest runs the long
version once instead (10^6 iterations, one digest line per block of
iterations), compared with the baseline's run booted the same way
(Context.baseline_logs: build/logs/base-robust for ours-robust), as the
ptrace fuzzer's long run is; without one it is not compared (skipped).
"""
import os
import re
import subprocess
from typing import List, NamedTuple, Optional, Tuple

from rig_boot import TOP, Sections
from rig_results import Result, result

SUITE = "hwbp-fuzz"
SECTIONS = ("hwbp_fuzz",)
GOLDEN = os.path.join(TOP, "rig", "golden", "hw_breakpoint_fuzz.txt")
LOG_NAME = "hw_breakpoint_fuzz.txt"

# The lines the program prints; anything else in the section is the
# kernel's console output interleaved with it.
_OURS = re.compile(r"^(hw_breakpoint_fuzz |cpus |ksyms:|phase |i \d+ |block \d+ |leak )")
_VIEW = "leak view: "


class Allowed(NamedTuple):
    """A deliberate difference from 6.12: what the fuzzer marks it with,
    what our kernel must answer, and why."""
    marker: str
    ours: str
    reason: str


# The fuzzer marks the request ("!" before it) and closes the event or
# modifies it back whatever the answer, so nothing after it depends on it.
ALLOWED = (
    Allowed("!", "EINVAL",
            "an execute breakpoint on the kernel's entry or noinstr text (entry_SYSCALL_64, "
            "exc_nmi): ours refuses it (x86_bp_decode(), exec_bp_forbidden() in "
            "arch/x86/kernel/hw_breakpoint.c) because it would fire inside #DB or before "
            "the entry code has a stack; 6.12 refuses only kprobes-blacklisted text, and "
            "with CONFIG_KPROBES off nothing"),
)
# Not compared either: only our kernel has the view (6.12 prints "absent").
NO_VIEW = "this kernel has no /sys/kernel/debug/hw_breakpoint/slots"


def transcript(text: str) -> List[str]:
    """The program's lines of a section, without the console's."""
    return [line.rstrip() for line in text.splitlines() if _OURS.match(line)]


def header(lines: List[str]) -> str:
    return lines[0] if lines and lines[0].startswith("hw_breakpoint_fuzz ") else ""


def _marked_results(line: str) -> Tuple[str, List[str]]:
    """@line with the answers to its marked requests cut out, and those
    answers.  A marked open is "!t=... -> ANSWER", a marked modification
    "!mod(...)=ANSWER"."""
    answers: List[str] = []
    segs = line.split(" | ")
    for k, seg in enumerate(segs):
        if k == 0:
            m = re.match(r"^(i \d+ )!(.* -> )(\S+)(.*)$", seg)
            if m:
                answers.append(m.group(3))
                segs[k] = m.group(1) + "!" + m.group(2) + "*" + m.group(4)
        else:
            m = re.match(r"^(s\d+ !mod\(.*\)=)(\S+)$", seg)
            if m:
                answers.append(m.group(2))
                segs[k] = m.group(1) + "*"
    return " | ".join(segs), answers


def _block(line: str) -> Optional[Tuple[str, int, int]]:
    """A digest line without its marked tally, and the tally."""
    m = re.match(r"^(block .* digest \S+) marked einval=(\d+) other=(\d+)$", line)
    return (m.group(1), int(m.group(2)), int(m.group(3))) if m else None


class Comparison(NamedTuple):
    ok: bool
    allowed: int        # lines that differ only as ALLOWED says
    differences: List[str]


def compare(want: List[str], got: List[str]) -> Comparison:
    """Our transcript against the baseline's, line by line."""
    want = [line for line in want if not line.startswith(_VIEW)]
    got = [line for line in got if not line.startswith(_VIEW)]
    diffs: List[str] = []
    allowed = 0
    for k in range(max(len(want), len(got))):
        w = want[k] if k < len(want) else "(nothing)"
        g = got[k] if k < len(got) else "(nothing)"
        if w == g:
            continue
        (wcut, wans), (gcut, gans) = _marked_results(w), _marked_results(g)
        wb, gb = _block(w), _block(g)
        rule = ALLOWED[0]
        if wans and wcut == gcut and all(a == rule.ours for a in gans):
            allowed += 1
        elif wb and gb and wb[0] == gb[0] and gb[2] == 0 and gb[1] == wb[1] + wb[2]:
            allowed += 1
        else:
            diffs.append("line %d: 6.12 '%s', ours '%s'" % (k + 1, w, g))
    return Comparison(not diffs, allowed, diffs)


def leak_results(lines: List[str], rc: Optional[int]) -> List[Result]:
    cpus = [line for line in lines if re.match(r"^leak cpu\d+ ", line)]
    full = [line for line in cpus if re.match(r"^leak cpu\d+ 4/4 ", line)]
    view = next((line for line in lines if line.startswith(_VIEW)), None)
    verdict = next((line for line in lines if line.startswith("leak verdict: ")), None)
    out = [result(SUITE, "no leak: four pinned CPU-wide breakpoints open on every online CPU "
                  "after every event is closed", bool(cpus) and len(full) == len(cpus),
                  "; ".join(cpus) or "no leak lines")]
    name = "no leak: every count of the debugfs slots view is back to zero"
    if view is None:
        out.append(result(SUITE, name, False, "no view line"))
    elif view == _VIEW + "absent":
        out.append(result(SUITE, name, False, NO_VIEW, skip=True))
    else:
        out.append(result(SUITE, name, view.startswith(_VIEW + "zero"),
                          "; ".join(line for line in lines if line.startswith(_VIEW))))
    out.append(result(SUITE, "the fuzzer ran to its end and its leak check passed (exit 0)",
                      rc == 0 and verdict is not None,
                      "rc=%s, %s" % (rc, verdict or "no verdict line")))
    return out


def _baseline(lines: List[str], logs: str,
              base_logs: str) -> Tuple[Optional[List[str]], str]:
    """The baseline's transcript for the run in @lines, and where it is:
    the golden one for make check's short run; for the long run, the one
    make robustness recorded just before, booting the baseline first."""
    path = GOLDEN if " digest 0" in header(lines) else os.path.join(base_logs, LOG_NAME)
    if os.path.exists(path) and os.path.abspath(path) != os.path.join(
            os.path.abspath(logs), LOG_NAME):
        with open(path) as f:
            want = transcript(f.read())
        if header(want) == header(lines):
            return want, path
    return None, path


def evaluate(secs: Sections, ctx) -> List[Result]:
    """@ctx: the rig_suites.Context of the boot."""
    first = secs.get("hwbp_fuzz")
    if first is None:
        return [result(SUITE, "(suite)", False, "not run")]
    lines = transcript(first.text)
    logs, kernel = ctx.logs, ctx.kernel
    os.makedirs(logs, exist_ok=True)
    out_path = os.path.join(logs, LOG_NAME)
    with open(out_path, "w") as f:
        f.write("".join(line + "\n" for line in lines))
    # The long run prints a digest per block of iterations, not each one.
    planned = re.search(r" iters (\d+)", header(lines))
    iters = sum(1 for line in lines if line.startswith("i ")) or (
        int(planned.group(1)) if planned else 0)
    blocks = sum(1 for line in lines if line.startswith("block "))
    out: List[Result] = []

    name = "two runs with one seed print the same transcript"
    again = re.search(r"^@@ again: (\w+)\n((?:[<>-].*\n|\d.*\n)*)", first.text, re.M)
    if "@@ long run" in first.text:
        out.append(result(SUITE, name, False, "the long run runs once", skip=True))
    else:
        out.append(result(SUITE, name, again is not None and again.group(1) == "same",
                          "%d lines; %s" % (len(lines), "no second run" if again is None
                                            else "second run " + " | ".join(
                                                again.group(0).strip().splitlines()))))

    name = "transcript identical to the 6.12 baseline's but for the documented differences"
    want, where = _baseline(lines, logs, ctx.baseline_logs)
    if want is None:
        out.append(result(SUITE, name, False, "no baseline transcript for '%s' in %s%s"
                          % (header(lines), where,
                             ": run make golden" if where == GOLDEN else ""),
                          skip=" digest 0" not in header(lines)))
    else:
        cmp = compare(want, lines)
        diff = subprocess.run(["diff", "-u", where, out_path], capture_output=True,
                              text=True).stdout
        diff_path = os.path.join(logs, "hw_breakpoint_fuzz.diff")
        with open(diff_path, "w") as f:
            f.write(diff)
        note = "%s: %d iterations, %d digest blocks; %d lines differ as allowed (%s); %s" % (
            kernel, iters, blocks, cmp.allowed, ALLOWED[0].reason.split(":")[0],
            "%d other differences, first: %s (see %s)" % (len(cmp.differences),
                                                         cmp.differences[0], diff_path)
            if cmp.differences else "no other difference")
        out.append(result(SUITE, name, cmp.ok and bool(lines), note))
    return out + leak_results(lines, first.rc)
