# SPDX-License-Identifier: GPL-2.0
"""The perf record suite: perf record, perf script and perf report on mem: events.

The guest runs the sections in SECTIONS (rig/guest/init, perf_record_suite)
on rig/guest/wprecord.c; evaluate() takes their output and returns one
Result per case.  Every expectation is exact and comes from the binary the
guest ran: rig/mkimage.sh writes its counts, the addresses of `cell` and
tick(), and for each access to `cell` the address of the next instruction
and its source line into build/guest/root/hwbp/wprecord.env.

x86 data breakpoints are traps, so a data sample's IP is the instruction
after the access; instruction breakpoints are faults, so an execute
sample's IP is the breakpoint address itself.
"""
import collections
import os
import re
from typing import Dict, List, NamedTuple, Optional, Tuple

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FACTS = os.path.join(TOP, "build", "guest", "root", "hwbp", "wprecord.env")

SECTIONS = ["perfrec_w", "perfrec_x", "perfrec_rw8_c1", "perfrec_rw8_c7",
            "perfrec_kernel", "perfrec_interval"]

# The only writer of panic_timeout the guest runs is the "panic" sysctl:
# proc_dointvec() stores the parsed value through the conversion callback
# do_proc_dointvec_conv() (kernel/sysctl.c), upstream code that both
# kernels share and that is a function of its own, not inlined, since its
# address is taken.
KERNEL_WRITER = "do_proc_dointvec_conv"
SOURCE = "wprecord.c"
SITES = ("store_a", "store_b", "load_c")

Section = Tuple[Optional[int], str]


class Result(NamedTuple):
    case: str
    ok: bool
    note: str = ""
    skip: bool = False


class Sample(NamedTuple):
    ip: int
    sym: str
    srcline: str


def load_facts(path: str = FACTS) -> Dict[str, int]:
    facts = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            if key:
                facts[key] = int(value, 0)
    return facts


def parts(text: str) -> Dict[str, str]:
    """A section's output split at the guest's "@@ NAME" lines."""
    out = {"": ""}
    name = ""
    for line in text.splitlines(keepends=True):
        m = re.match(r"^@@ (\w+)", line)
        if m:
            name = m.group(1)
            out[name] = line[m.end():].strip() + "\n"
        else:
            out[name] = out.get(name, "") + line
    return out


def script_samples(text: str) -> List[Sample]:
    """perf script -F ip,sym[,srcline]: "IP SYM" lines, each maybe
    followed by an indented "FILE:LINE" line."""
    samples: List[Sample] = []
    for line in text.splitlines():
        m = re.match(r"^\s*(?:\[\d+\]\s+)?([0-9a-f]+) (\S+)\s*$", line)
        if m:
            samples.append(Sample(int(m.group(1), 16), m.group(2), ""))
        elif samples and re.match(r"^\s+\S+:\S+$", line) and not samples[-1].srcline:
            samples[-1] = samples[-1]._replace(srcline=line.strip())
    return samples


def report_rows(text: str) -> Dict[Tuple[str, str], int]:
    """perf report -n --sort sym,srcline: {(symbol, srcline): samples}."""
    rows = {}
    # perf colours the overhead column when its output is a tty, as the
    # guest's console is.
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    for m in re.finditer(r"^\s*[\d.]+%\s+(\d+)\s+\[[.k]\]\s+(\S+)\s+(\S+)\s*$", text, re.M):
        rows[(m.group(2), m.group(3))] = int(m.group(1))
    return rows


def lost(text: str) -> str:
    """What perf report --stats says was throttled or lost, if anything."""
    bad = re.findall(r"^\s*((?:THROTTLE|LOST\w*) events:\s+[1-9]\d*)", text, re.M)
    return "; ".join(" ".join(b.split()) for b in bad)


def failed(sec: Optional[Section], case: str) -> Optional[Result]:
    if sec is None:
        return Result(case, False, "not run")
    if sec[0] != 0:
        tail = " | ".join(sec[1].strip().splitlines()[-3:])
        return Result(case, False, "rc=%s: %s" % (sec[0], tail))
    return None


def counts(items) -> str:
    return ", ".join("%s x%d" % (k, n) for k, n in sorted(collections.Counter(items).items(),
                                                          key=lambda kv: str(kv[0])))


def eval_user(sec: Optional[Section], name: str, facts: Dict[str, int],
              hits: List[str], period: int, lines: bool) -> List[Result]:
    """One perf record of wprecord: `hits` names the site of every hit of
    the watchpoint, in program order; every period-th one is a sample."""
    sampled = [site for n, site in enumerate(hits, 1) if n % period == 0]
    want_ips = collections.Counter(sampled)
    head = "%s: %d samples" % (name, len(sampled))
    bad = failed(sec, head)
    if bad:
        return [bad]
    p = parts(sec[1])
    samples = script_samples(p.get("script", ""))
    note = lost(p.get("stats", ""))
    results = [Result(head, len(samples) == len(sampled),
                      "perf script printed %d%s" % (len(samples), ", " + note if note else ""))]

    def addr(site: str) -> int:
        return facts["TICK"] if site == "tick" else facts["AFTER_" + site.upper()]

    want = collections.Counter({addr(site): n for site, n in want_ips.items()})
    got = collections.Counter(s.ip for s in samples)
    results.append(Result("%s: every IP is %s" % (
        name, "tick's entry" if "tick" in want_ips else "the instruction after the access"),
        got == want, "want %s, got %s" % (counts("%#x" % a for a in want.elements()),
                                           counts("%#x" % s.ip for s in samples))))
    if not lines:
        syms = collections.Counter(s.sym for s in samples)
        results.append(Result("%s: perf script resolves them to %s" % (name, counts(sampled)),
                              syms == want_ips, "got " + counts(s.sym for s in samples)))
        return results

    def srcline(site: str) -> str:
        return "%s:%d" % (SOURCE, facts["LINE_" + site.upper()])

    want_lines = collections.Counter((site, srcline(site)) for site in sampled)
    got_lines = collections.Counter((s.sym, s.srcline) for s in samples)
    results.append(Result("%s: perf script resolves them to %s" % (
        name, ", ".join("%s %s x%d" % (k[0], k[1], n) for k, n in want_lines.items())),
        got_lines == want_lines,
        "got " + counts("%s %s" % (s.sym, s.srcline or "(no srcline)") for s in samples)))
    rows = report_rows(p.get("report", ""))
    results.append(Result("%s: perf report lists the same" % name, rows == dict(want_lines),
                          "got %s" % rows))
    return results


def eval_kernel(sec: Optional[Section]) -> List[Result]:
    head = "-a mem:panic_timeout:w -c 1: one sample per sysctl write"
    bad = failed(sec, head)
    if bad:
        return [bad]
    p = parts(sec[1])
    m = re.match(r"(\d+) ", p.get("writes", ""))
    writes = int(m.group(1)) if m else -1
    samples = script_samples(p.get("script", ""))
    note = lost(p.get("stats", ""))
    return [
        Result(head, len(samples) == writes, "%d writes, %d samples%s" % (
            writes, len(samples), ", " + note if note else "")),
        Result("-a mem:panic_timeout:w: every IP is one kernel address in %s" % KERNEL_WRITER,
               bool(samples) and len({s.ip for s in samples}) == 1
               and all(s.sym == KERNEL_WRITER and s.ip >= 0xffffffff80000000
                       for s in samples),
               "got " + counts("%#x %s" % (s.ip, s.sym) for s in samples)),
    ]


def eval_interval(sec: Optional[Section], facts: Dict[str, int],
                  clock: str) -> List[Result]:
    total = facts["NR_BURSTS"] * facts["NR_BURST_STORES"]
    head = "stat -I 100 mem:cell:w: the intervals add up to %d" % total
    spread = "stat -I 100 mem:cell:w: stores counted in more than one interval"
    bad = failed(sec, head)
    if bad:
        return [bad]
    # perf stat prints an interval whose enabled or running time did not
    # advance as "<not counted>", hiding its count; on a jiffies clocksource
    # (tsc=reliable does not always take under TCG) that is most of them.
    if clock != "tsc":
        why = "guest clocksource %s, not tsc: perf stat -I cannot be read" % clock
        return [Result(head, False, why, True), Result(spread, False, why, True)]
    # An interval in which the task never ran (it sleeps between bursts)
    # reads "<not counted>": its event was never on a CPU.  Such an interval
    # adds nothing; had it hidden stores, the sum would fall short.
    got = [int(c) if c.isdigit() else c for c in
           re.findall(r"^\s*[\d.]+,([^,]*),[^,]*,mem:0x[0-9a-f]+", sec[1], re.M)]
    busy = sum(1 for c in got if isinstance(c, int) and c > 0)
    return [
        Result(head, sum(c for c in got if isinstance(c, int)) == total,
               "%d intervals: %s" % (len(got), ", ".join(str(c) for c in got))),
        # NR_BURSTS bursts BURST_GAP_MS apart cannot all fall into one
        # 100 ms interval.
        Result(spread, busy > 1, "%d of %d intervals count stores" % (busy, len(got))),
    ]


def evaluate(secs: Dict[str, Section]) -> List[Result]:
    try:
        facts = load_facts()
    except (OSError, ValueError) as e:
        return [Result("(suite)", False, "no facts from rig/mkimage.sh: %s" % e)]
    stores = ["store_a"] * facts["NR_STORE_A"] + ["store_b"] * facts["NR_STORE_B"]
    accesses = stores + ["load_c"] * facts["NR_LOAD_C"]
    results = eval_user(secs.get("perfrec_w"), "mem:cell:w -c 1", facts, stores, 1, True)
    results += eval_user(secs.get("perfrec_x"), "mem:tick:x -c 1", facts,
                         ["tick"] * facts["NR_TICKS"], 1, False)
    results += eval_user(secs.get("perfrec_rw8_c1"), "mem:cell/8:rw -c 1", facts,
                         accesses, 1, False)
    results += eval_user(secs.get("perfrec_rw8_c7"), "mem:cell/8:rw -c 7", facts,
                         accesses, 7, False)
    results += eval_kernel(secs.get("perfrec_kernel"))
    env = secs.get("env")
    clock = env[1].split()[-1] if env and env[1].split() else "?"
    results += eval_interval(secs.get("perfrec_interval"), facts, clock)
    return results
