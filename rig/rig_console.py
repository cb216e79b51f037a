# SPDX-License-Identifier: GPL-2.0
"""The console check: no WARNING, BUG, oops, panic, lockdep, sanitizer,
lockup or RCU stall report.

Every boot's console is scanned ("console" suite, a case per boot).  The
scanner itself is tested on recorded splats in rig/fixtures/console
("console-scanner" suite): each *.log there but clean*.log must be flagged,
each clean*.log must not, so the check is known to be able to fail.
"""
import glob
import os
import re
from typing import List

from rig_results import Result, result

# The first line of each report the kernel prints when something is wrong,
# after an optional printk timestamp ("[   12.345678] ") and caller id
# ("[    T1] ", CONFIG_PRINTK_CALLER).
_PREFIX = r"^(?:\[[ .0-9]+\] ?)?(?:\[ *[TC]\d+\] ?)?"
SPLAT = re.compile(_PREFIX + r"(WARNING: |BUG: |[Kk]ernel BUG at |Oops|"
                   r"general protection|Kernel panic - not syncing|Unable to handle kernel |"
                   r"INFO: (?:possible|inconsistent|task .* blocked)|"
                   r"=+\n?\[ BUG|.*possible (?:recursive|circular) locking|"
                   r".*inconsistent lock state|.*suspicious RCU usage|"
                   r".*sleeping function called from invalid context|"
                   r".*BUG: (?:soft|hard) lockup|.*rcu: INFO: .*detected stalls|"
                   r"ODEBUG: )", re.M)

CASE = "%s: no WARNING, BUG or lockdep report"


def scan(text: str) -> List[str]:
    """The lines that start a kernel report, in order."""
    hits = []
    for m in SPLAT.finditer(text):
        start = m.start()
        end = text.find("\n", m.end())
        hits.append(text[start:end if end >= 0 else len(text)].strip())
    return hits


def strip_prefix(line: str) -> str:
    """A console line without its printk timestamp and caller id."""
    return re.sub(_PREFIX, "", line)


def check(boot: str, text: str) -> Result:
    hits = scan(text)
    return result("console", CASE % boot, not hits, "; ".join(h[:120] for h in hits[:3]))


def fixtures_dir(top: str) -> str:
    return os.path.join(top, "rig", "fixtures", "console")


# The report each recorded splat must be flagged for: its first flagged
# line, without the timestamp, starts so; the longest key that starts the
# file's name applies.  *-time.log have printk timestamps, *-lkdtm.log and
# *-kgdbts.log are real consoles of this rig (the lkdtm boot, the
# baseline's kgdbts boot); clean*.log must not be flagged at all.
FIRST_LINE = {
    "warn": "WARNING: CPU: ",
    "bug-at": "kernel BUG at ",
    "bug-null": "BUG: kernel NULL pointer dereference",
    "bug-sleep": "BUG: sleeping function called from invalid context",
    "lockdep-circular": "WARNING: possible circular locking dependency detected",
    "lockdep-inconsistent": "WARNING: inconsistent lock state",
    "panic": "Kernel panic - not syncing",
    "kasan": "BUG: KASAN: slab-use-after-free in ",
    "kcsan": "BUG: KCSAN: data-race in ",
    "softlockup": "watchdog: BUG: soft lockup - CPU#",
    "rcu-stall": "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
    "odebug": "ODEBUG: free active (active state 0) object: ",
}


def self_test(top: str) -> List[Result]:
    """The scanner on every recorded splat and clean log."""
    out = []
    paths = sorted(glob.glob(os.path.join(fixtures_dir(top), "*.log")))
    for path in paths:
        name = os.path.basename(path)[:-len(".log")]
        with open(path, errors="replace") as f:
            hits = scan(f.read().replace("\r", ""))
        if name.startswith("clean"):
            out.append(result("console-scanner", "%s passes" % name, not hits,
                              "flagged: " + "; ".join(hits[:3]) if hits else ""))
            continue
        keys = [k for k in FIRST_LINE if name.startswith(k)]
        want = FIRST_LINE[max(keys, key=len)] if keys else ""
        first = strip_prefix(hits[0]) if hits else ""
        out.append(result("console-scanner", "%s is flagged%s"
                          % (name, " at '%s'" % want.strip() if want else ""),
                          bool(hits) and first.startswith(want),
                          "first flagged line: %s" % (first or "none")))
    if not paths:
        out.append(result("console-scanner", "(suite)", False,
                          "no fixtures in " + fixtures_dir(top)))
    return out
