#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Cut the repository into a patch series a maintainer can apply and review.

  rig/series.py make OUT [--expect TREE]   build OUT (a git repository) and
                                           OUT/patches (git format-patch)
  rig/series.py tree OUT NAME PRISTINE TREE
                                           TREE = PRISTINE + the commits of
                                           OUT up to tag NAME (e.g. fixes)
  rig/series.py check OUT [--from N] [--sparse]
                                           checkpatch --strict per patch,
                                           get_maintainer.pl, and a build of
                                           every step

The series is defined in series/: one NN-name.msg per commit, in order, a
header naming what the commit carries, a blank line, then the commit
message (subject, blank line, body; Fixes: and Cc: included, no
Signed-off-by, which is added from git's configured user):

  Files: GLOB...        files of ours (fnmatch; "*" also matches "/"),
                        installed whole
  Patches: PATH...      patches/X.patch (ours) or series/X.diff (a patch of
                        the series only, e.g. a fix against an upstream
                        file that a later commit replaces), applied in order

Continuation lines start with a tab.  Every file of ours (git ls-files of
the overlay directories), every patches/*.patch and every series/*.diff
must be in exactly one commit: a new file fails `make series` until it is
given a commit.  Each commit that adds a file also adds it to our
MAINTAINERS entry (series/maintainers-entry: title, lists, status; M: is
the author), which therefore names every file of ours in the kernel tree
and nothing else.  The first commit is the pristine tree, tagged with the
Debian version it was extracted from (a "~" becomes "_", as in DEP-14),
the last commit that carries a Fixes: tag is tagged "fixes".

Author, committer and Signed-off-by are git's user.name and user.email of
this repository; without them nothing is made.  Every commit is dated with
the last commit of this repository that changed series/, patches/ or our
files, so the same inputs give the same commits.
"""
import argparse
import fcntl
import fnmatch
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERIES_DIR = os.path.join(TOP, "series")
OVERLAY_DIRS = ["arch", "kernel", "include", "Documentation",
                "tools/testing/selftests/breakpoints"]
HEAVY_LOCK = "/tmp/hwbp-heavy.lock"
STAMP = ".hwbp-series"
TOUCHED = ".hwbp-touched"


class SeriesError(Exception):
    pass


@dataclass
class Entry:
    """One commit of the series, as series/NN-name.msg defines it."""
    name: str
    files: List[str] = field(default_factory=list)
    patches: List[str] = field(default_factory=list)
    message: str = ""

    @property
    def subject(self) -> str:
        return self.message.splitlines()[0]

    @property
    def is_fix(self) -> bool:
        return re.search(r"^Fixes: [0-9a-f]{12,} \(", self.message, re.M) is not None


def run(cmd: Sequence[str], cwd: Optional[str] = None, env: Optional[Dict[str, str]] = None,
        stdin: Optional[bytes] = None) -> bytes:
    p = subprocess.run(cmd, cwd=cwd, env=env, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode:
        raise SeriesError("%s: exit %d\n%s" % (" ".join(cmd), p.returncode,
                                                p.stderr.decode(errors="replace")))
    return p.stdout


def git(repo: str, *args: str, env: Optional[Dict[str, str]] = None,
        stdin: Optional[bytes] = None) -> str:
    return run(["git", "-C", repo, *args], env=env, stdin=stdin).decode()


def load_entries() -> List[Entry]:
    entries = []
    for fn in sorted(os.listdir(SERIES_DIR)):
        if not re.match(r"^\d+-.*\.msg$", fn):
            continue
        with open(os.path.join(SERIES_DIR, fn)) as f:
            text = f.read()
        head, sep, message = text.partition("\n\n")
        if not sep or not message.strip():
            raise SeriesError("series/%s: want a header, a blank line, a message" % fn)
        e = Entry(fn[:-len(".msg")], message=message.strip() + "\n")
        key = ""
        for line in head.splitlines():
            m = re.match(r"^([A-Za-z]+):\s*(.*)$", line)
            if m:
                key, rest = m.group(1), m.group(2)
            elif line.startswith("\t") and key:
                rest = line
            else:
                raise SeriesError("series/%s: bad header line %r" % (fn, line))
            words = rest.split()
            if key == "Files":
                e.files += words
            elif key == "Patches":
                e.patches += words
            else:
                raise SeriesError("series/%s: unknown header %r" % (fn, key))
        if "Signed-off-by:" in e.message:
            raise SeriesError("series/%s: Signed-off-by comes from git config" % fn)
        entries.append(e)
    if not entries:
        raise SeriesError("no series/NN-name.msg")
    return entries


def our_files() -> List[str]:
    return git(TOP, "ls-files", "--", *OVERLAY_DIRS).split()


def coverage(entries: Sequence[Entry]) -> Dict[str, List[str]]:
    """Files and patches of each entry; fails if one is in none or in two."""
    files = our_files()
    patches = sorted(["patches/" + p for p in os.listdir(os.path.join(TOP, "patches"))
                      if p.endswith(".patch")] +
                     ["series/" + p for p in os.listdir(SERIES_DIR) if p.endswith(".diff")])
    owners: Dict[str, List[str]] = {f: [] for f in files + patches}
    per_entry: Dict[str, List[str]] = {}
    problems = []
    for e in entries:
        got = []
        for g in e.files:
            hit = [f for f in files if fnmatch.fnmatchcase(f, g)]
            if not hit:
                problems.append("%s: Files: %s matches no file of ours" % (e.name, g))
            got += hit
        for p in e.patches:
            if p not in owners or p in files:
                problems.append("%s: Patches: %s is not a patches/*.patch or series/*.diff"
                                % (e.name, p))
                continue
            got.append(p)
        for f in got:
            owners[f].append(e.name)
        per_entry[e.name] = got
    for f, who in sorted(owners.items()):
        if not who:
            problems.append("%s is in no commit of series/" % f)
        elif len(who) > 1:
            problems.append("%s is in %d commits: %s" % (f, len(who), ", ".join(who)))
    if problems:
        raise SeriesError("series: the series does not cover the repository exactly once:\n  "
                          + "\n  ".join(problems))
    return per_entry


def identity() -> Tuple[str, str]:
    def get(key: str) -> str:
        p = subprocess.run(["git", "-C", TOP, "config", key], stdout=subprocess.PIPE)
        return p.stdout.decode().strip()
    name, email = get("user.name"), get("user.email")
    if not name or not email:
        raise SeriesError("series: git config user.name and user.email must be set: they are "
                          "the author and Signed-off-by of every commit (never made up)")
    return name, email


def base_version(pristine: str) -> Tuple[str, str]:
    """(tag, description) of the pristine tree, from make source's stamp."""
    with open(os.path.join(pristine, ".hwbp-extracted")) as f:
        stamp = f.read()
    m = re.search(r"linux-source-6\.12 (\S+), kernel (\S+)", stamp)
    if not m:
        raise SeriesError("%s/.hwbp-extracted: no version in %r" % (pristine, stamp))
    deb, kernel = m.group(1).rstrip(","), m.group(2)
    return ("debian/" + deb.replace("~", "_").replace(":", "%"),
            "Debian linux-source-6.12 %s (Linux %s with Debian's patches)" % (deb, kernel))


def replace_file(path: str, data: Optional[bytes], mode: int = 0o644) -> None:
    """Write PATH as a new file (never through a hard link), or remove it."""
    if os.path.lexists(path):
        os.unlink(path)
    if data is None:
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def patch_targets(patch: str) -> List[str]:
    with open(patch, errors="replace") as f:
        return [m.group(1) for m in re.finditer(r"^\+\+\+ b/(\S+)", f.read(), re.M)]


def maintainers_entry() -> List[str]:
    """series/maintainers-entry: the title line, then L:, S: and so on."""
    with open(os.path.join(SERIES_DIR, "maintainers-entry")) as f:
        return [l for l in f.read().splitlines() if l and not l.startswith("#")]


def maintainers_text(upstream: str, who: Tuple[str, str], files: Iterable[str]) -> str:
    """Upstream's MAINTAINERS with our entry at its place in the order."""
    header = maintainers_entry()
    title = header[0]
    entry = [title, "M:\t%s <%s>" % who] + header[1:] + ["F:\t" + p for p in sorted(files)]
    lines = upstream.split("\n")
    # Entries are sorted by title between the "Maintainers List" header's
    # first entry and THE REST, each a title line followed by tagged lines.
    # first entry and THE REST, each a title line after a blank line (one
    # upstream entry is out of order: go between two titles that bracket it).
    start = next(i for i, l in enumerate(lines) if l.startswith("3C59X NETWORK DRIVER"))
    titles = [i for i in range(start, len(lines))
              if lines[i] and lines[i - 1] == "" and not re.match(r"^[A-Z]:\t", lines[i])]
    key = [lines[i].lower() for i in titles]
    at = next(titles[n] for n in range(1, len(titles) - 1)
              if key[n - 1] < title.lower() < key[n] < key[n + 1] or key[n] == "the rest")
    return "\n".join(lines[:at] + entry + [""] + lines[at:])


def commit_date() -> str:
    """The date of every commit: the last change to what the series is cut from."""
    return git(TOP, "log", "-1", "--format=%cI", "--", "series", "patches", "MAINTAINERS",
               *OVERLAY_DIRS).strip()


def inputs_hash(pristine: str, expect: Optional[str]) -> str:
    """What the series is made of: an unchanged hash means nothing to do."""
    h = hashlib.sha256()
    h.update(repr(identity()).encode())
    h.update(open(os.path.join(pristine, ".hwbp-extracted"), "rb").read())
    h.update(commit_date().encode())
    paths = our_files() + [os.path.join("series", f) for f in sorted(os.listdir(SERIES_DIR))] + \
        [os.path.join("patches", f) for f in sorted(os.listdir(os.path.join(TOP, "patches")))] + \
        ["MAINTAINERS", "rig/series.py"]
    for p in paths:
        h.update(p.encode())
        with open(os.path.join(TOP, p), "rb") as f:
            h.update(f.read())
    h.update(repr(expect).encode())
    return h.hexdigest()


def make(out: str, pristine: str, expect: Optional[str]) -> int:
    # one make series at a time: make check KERNEL=fixes and make
    # series-check both depend on it
    lock = open(out.rstrip("/") + ".lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    entries = load_entries()
    per_entry = coverage(entries)
    who = identity()
    stamp = inputs_hash(pristine, expect)
    stamp_file = os.path.join(out, ".git", STAMP)
    if os.path.exists(stamp_file) and open(stamp_file).read() == stamp:
        print("series: %s is up to date (%d commits)" % (out, len(entries)))
        return 0
    tag, describe = base_version(pristine)
    date = commit_date()
    env = dict(os.environ, GIT_AUTHOR_NAME=who[0], GIT_AUTHOR_EMAIL=who[1],
               GIT_COMMITTER_NAME=who[0], GIT_COMMITTER_EMAIL=who[1],
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)

    print("series: %s: the pristine tree (%s)" % (out, describe))
    t0 = time.time()
    run(["rm", "-rf", out])
    run(["cp", "-al", pristine, out])
    os.unlink(os.path.join(out, ".hwbp-extracted"))
    git(out, "init", "-q", "-b", "series")
    # no gc in the background of a repository rm -rf may remove any time
    git(out, "config", "gc.auto", "0")
    with open(os.path.join(out, ".git", "info", "exclude"), "a") as f:
        f.write("/patches/\n")
    # -f: the tarball holds files upstream's .gitignore patterns match
    git(out, "add", "-f", "-A", ".", env=env)
    git(out, "commit", "-q", "--no-verify", "-m", describe, env=env)
    git(out, "tag", "-a", "-m", describe, tag, env=env)
    print("series: base committed and tagged %s in %.0f s" % (tag, time.time() - t0))

    with open(os.path.join(out, "MAINTAINERS")) as fh:
        upstream_maintainers = fh.read()
    ours = set(our_files())
    installed: Set[str] = set()
    fixes_end = None
    for n, e in enumerate(entries, 1):
        changed: List[str] = []
        new = [f for f in per_entry[e.name]
               if f in ours and not os.path.exists(os.path.join(out, f))]
        for f in per_entry[e.name]:
            src = os.path.join(TOP, f)
            if f.startswith("patches/") or f.startswith("series/"):
                for t in patch_targets(src):
                    dst = os.path.join(out, t)
                    if os.path.exists(dst):     # break the hard link first
                        replace_file(dst, open(dst, "rb").read(), os.stat(dst).st_mode & 0o777)
                    changed.append(t)
                p = subprocess.run(["patch", "-s", "-p1", "-d", out, "--no-backup-if-mismatch",
                                    "-i", src], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                if p.returncode:
                    raise SeriesError("series: %s: %s does not apply:\n%s"
                                      % (e.name, f, p.stdout.decode(errors="replace")))
            else:
                replace_file(os.path.join(out, f), open(src, "rb").read(),
                             os.stat(src).st_mode & 0o777)
                changed.append(f)
                installed.add(f)
        if new:
            replace_file(os.path.join(out, "MAINTAINERS"),
                         maintainers_text(upstream_maintainers, who, installed).encode())
            changed.append("MAINTAINERS")
        git(out, "add", "-f", "-A", "--", *sorted(set(changed)), env=env)
        if not git(out, "diff", "--cached", "--name-only").strip():
            raise SeriesError("series: %s changes nothing" % e.name)
        msg = "%s\nSigned-off-by: %s <%s>\n" % (e.message, who[0], who[1])
        git(out, "commit", "-q", "--no-verify", "-F", "-", env=env, stdin=msg.encode())
        print("series: %2d %s" % (n, e.subject))
        if e.is_fix and (fixes_end is None or fixes_end == n - 1):
            fixes_end = n
    if fixes_end:
        git(out, "tag", "-f", "fixes", "HEAD~%d" % (len(entries) - fixes_end), env=env)

    if expect:
        verify(out, tag, expect)

    pdir = os.path.join(out, "patches")
    if os.path.exists(pdir):
        shutil.rmtree(pdir)
    run(["git", "-C", out, "format-patch", "-q", "--cover-letter", "--base=" + tag,
         "-o", pdir, tag + "..HEAD"], env=env)
    fill_cover_letter(pdir, describe)
    with open(os.path.join(out, ".git", STAMP), "w") as f:
        f.write(stamp)
    print("series: %d patches and the cover letter in %s" % (len(entries), pdir))
    return 0


def verify(out: str, tag: str, expect: str) -> None:
    """The series' last tree is the overlay's (rig/apply-series.sh)."""
    with open(os.path.join(expect, TOUCHED)) as f:
        touched = set(f.read().split())
    changed = set(git(out, "diff", "--name-only", "--no-renames", tag, "HEAD").split())
    bad = sorted(changed - touched - {"MAINTAINERS"})
    bad += sorted(p for p in touched if not os.path.exists(os.path.join(out, p)) or
                  open(os.path.join(out, p), "rb").read() !=
                  open(os.path.join(expect, p), "rb").read())
    if bad:
        raise SeriesError("series: the last commit differs from %s in:\n  %s"
                          % (expect, "\n  ".join(bad)))
    print("series: the last commit's tree is %s's (%d files ours or patched)"
          % (expect, len(touched)))


def rst_section(text: str, title: str) -> str:
    m = re.search(r"^%s\n=+\n(.*?)(?=^\S[^\n]*\n=+\n|\Z)" % re.escape(title), text, re.M | re.S)
    if not m:
        raise SeriesError("rig/README.rst: no section %r" % title)
    return m.group(1)


def tables() -> Tuple[str, str]:
    """The test table and the latest benchmark block of the rig's document."""
    with open(os.path.join(TOP, "rig", "README.rst")) as f:
        text = f.read()
    res = rst_section(text, "Results")
    # a simple table: three border lines, the header between the first two
    lines = res.splitlines()
    borders = [i for i, l in enumerate(lines) if re.match(r"^=+( +=+)+$", l)]
    if len(borders) < 3:
        raise SeriesError("rig/README.rst: no table in Results")
    tests = "\n".join(l.rstrip() for l in lines[borders[0] + 1:borders[2]]
                      if not re.match(r"^=+( +=+)+$", l))
    bench = rst_section(text, "Benchmarks")
    m = re.search(r"::\n\n((?:  .*\n|\n)+)", bench)
    if not m:
        raise SeriesError("rig/README.rst: no literal block in Benchmarks")
    block = "\n".join(l[2:].rstrip() for l in m.group(1).rstrip().splitlines())
    return tests, block


def fill_cover_letter(pdir: str, base: str) -> None:
    with open(os.path.join(SERIES_DIR, "cover-letter")) as f:
        lines = [l for l in f.read().splitlines() if not l.startswith("#")]
    subject, body = lines[0], "\n".join(lines[1:]).strip("\n")
    tests, bench = tables()
    body = body.replace("@TESTS@", tests).replace("@BENCH@", bench).replace("@BASE@", base)
    cover = os.path.join(pdir, "0000-cover-letter.patch")
    with open(cover) as f:
        text = f.read()
    for marker, value in (("*** SUBJECT HERE ***", subject), ("*** BLURB HERE ***", body)):
        if marker not in text:
            raise SeriesError("%s: no %r" % (cover, marker))
        text = text.replace(marker, value)
    with open(cover, "w") as f:
        f.write(text)


def sync_tree(out: str, rev: str, pristine: str, tree: str) -> List[str]:
    """TREE = PRISTINE (hard links) with the files REV changed since the base.

    Only files whose content differs are replaced, so kbuild sees an mtime
    change exactly where the content changed.  Returns the files replaced.
    """
    base = git(out, "rev-list", "--max-parents=0", "HEAD").strip()
    if not os.path.exists(os.path.join(tree, TOUCHED)):
        if os.path.exists(tree):
            shutil.rmtree(tree)
        os.makedirs(os.path.dirname(tree), exist_ok=True)
        run(["cp", "-al", pristine, tree])
        open(os.path.join(tree, TOUCHED), "w").close()
    with open(os.path.join(tree, TOUCHED)) as f:
        before = set(f.read().split())
    now = set(git(out, "diff", "--name-only", "--no-renames", base, rev).split())
    replaced = []
    for p in sorted(now | before):
        dst = os.path.join(tree, p)
        if p in now:
            ls = git(out, "ls-tree", rev, "--", p).split()
            data = run(["git", "-C", out, "cat-file", "blob", "%s:%s" % (rev, p)]) if ls else None
            mode = 0o755 if ls and ls[0] == "100755" else 0o644
        else:
            src = os.path.join(pristine, p)
            data = open(src, "rb").read() if os.path.exists(src) else None
            mode = os.stat(src).st_mode & 0o777 if data is not None else 0o644
        old = open(dst, "rb").read() if os.path.isfile(dst) else None
        if old != data:
            replace_file(dst, data, mode)
            replaced.append(p)
    with open(os.path.join(tree, TOUCHED), "w") as f:
        f.write("".join(p + "\n" for p in sorted(now)))
    return replaced


def tree_cmd(out: str, rev: str, pristine: str, tree: str) -> int:
    replaced = sync_tree(out, rev, pristine, tree)
    print("series: %s = the base + %s (%s); %d files changed"
          % (tree, rev, git(out, "log", "-1", "--format=%h %s", rev).strip(), len(replaced)))
    return 0


CHECKPATCH_TOTAL = re.compile(r"total: (\d+) errors, (\d+) warnings, (?:(\d+) checks, )?")


def checkpatch(out: str, pdir: str) -> bool:
    ok = True
    patches = sorted(p for p in os.listdir(pdir) if re.match(r"^\d{4}-.*\.patch$", p)
                     and not p.startswith("0000-"))
    sums = [0, 0, 0]
    for p in patches:
        # The Fixes: tags name upstream commits, which the base (a
        # tarball, one commit) does not have.
        # (Debian's python3 first: scripts/spdxcheck.py needs python3-ply
        # and python3-git, which rig/setup.sh installs for it.)
        r = subprocess.run(["perl", "scripts/checkpatch.pl", "--strict",
                            "--ignore", "UNKNOWN_COMMIT_ID", os.path.join(pdir, p)],
                           cwd=out, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=dict(os.environ, PATH="/usr/bin:" + os.environ["PATH"]))
        text = r.stdout.decode(errors="replace")
        m = CHECKPATCH_TOTAL.search(text)
        if not m:
            print("checkpatch: %s: no summary\n%s" % (p, text))
            ok = False
            continue
        e, w, c = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        sums = [sums[0] + e, sums[1] + w, sums[2] + c]
        print("checkpatch: %-60s %d errors, %d warnings, %d checks" % (p[:60], e, w, c))
        if e or w or c:
            for line in text.splitlines():
                if re.match(r"^(ERROR|WARNING|CHECK):", line):
                    print("    " + line)
        ok = ok and not e and not w
    print("checkpatch: %d patches: %d errors, %d warnings, %d checks"
          % (len(patches), *sums))
    return ok


def get_maintainer(out: str, pdir: str, entry: str) -> bool:
    patches = sorted(os.path.join(pdir, p) for p in os.listdir(pdir)
                     if re.match(r"^\d{4}-.*\.patch$", p) and not p.startswith("0000-"))
    text = run(["perl", "scripts/get_maintainer.pl", "--no-git", "--no-git-fallback",
                *patches], cwd=out).decode()
    for line in text.splitlines():
        print("get_maintainer: " + line)
    if ("maintainer:%s" % entry) not in text:
        print("get_maintainer: FAIL: the series does not name the %s entry" % entry)
        return False
    return True


def check(out: str, pristine: str, first: int, sparse: bool) -> int:
    lock = open(out.rstrip("/") + ".lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    pdir = os.path.join(out, "patches")
    ok = checkpatch(out, pdir)
    ok = get_maintainer(out, pdir, maintainers_entry()[0]) and ok

    work = os.path.join(os.path.dirname(out), "series-check")
    # A clone (hard-linked objects): make series may run again meanwhile.
    repo = os.path.join(work, "repo.git")
    run(["rm", "-rf", repo])
    os.makedirs(work, exist_ok=True)
    run(["git", "clone", "-q", "--bare", out, repo])
    git(repo, "config", "gc.auto", "0")
    lock.close()
    out = repo
    base = git(out, "rev-list", "--max-parents=0", "HEAD").strip()
    revs = [base] + git(out, "rev-list", "--reverse", base + "..HEAD").split()
    # The same path from the build directory to the source as build/base's:
    # the pristine step is all ccache hits, and later steps miss only where
    # the series changed something.
    tree = os.path.join(work, "src", os.path.basename(pristine))
    kout = os.path.join(work, "base")
    logs = os.path.join(os.path.dirname(out), "logs", "series-check")
    os.makedirs(logs, exist_ok=True)
    for n, rev in enumerate(revs):
        subject = git(out, "log", "-1", "--format=%s", rev).strip()
        if n < first:
            continue
        replaced = sync_tree(out, rev, pristine, tree)
        if n > first and not replaced:
            print("build: %2d/%d %s: nothing changed" % (n, len(revs) - 1, subject))
            continue
        if any(os.path.basename(p).startswith("Kconfig") for p in replaced):
            # an option the fragment sets may exist from this step on
            stamp = os.path.join(kout, ".hwbp-fragment")
            if os.path.exists(stamp):
                os.unlink(stamp)
        log = os.path.join(logs, "step-%02d.log" % n)
        t0 = time.time()
        with open(log, "w") as f:
            r = subprocess.run(["flock", HEAVY_LOCK, os.path.join(TOP, "rig", "kbuild.sh"),
                                tree, kout], stdout=f, stderr=subprocess.STDOUT)
        warnings = [l for l in open(log, errors="replace") if "warning:" in l]
        print("build: %2d/%d %s: %s in %.0f s%s" % (
            n, len(revs) - 1, subject, "ok" if r.returncode == 0 else "FAILED",
            time.time() - t0, ", %d warnings" % len(warnings) if warnings else ""),
            flush=True)
        for l in warnings:
            print("    " + l.rstrip())
        if r.returncode:
            with open(log, errors="replace") as f:
                tail = f.readlines()[-30:]
            print("".join("    " + l for l in tail) + "build: log %s" % log)
            return 1
    if sparse:
        ok = sparse_check(out, tree, kout, logs) and ok
    print("series-check: %s" % ("ok" if ok else "FAILED"))
    return 0 if ok else 1


def sparse_check(out: str, tree: str, kout: str, logs: str) -> bool:
    """make C=2 on the C files of ours that the configuration builds."""
    objs = [f[:-2] + ".o" for f in our_files()
            if f.endswith(".c") and not f.startswith("tools/") and
            os.path.exists(os.path.join(kout, f[:-2] + ".o"))]
    log = os.path.join(logs, "sparse.log")
    with open(log, "w") as f:
        r = subprocess.run(["flock", HEAVY_LOCK, os.path.join(TOP, "rig", "kbuild.sh"), tree, kout,
                            "C=2", *objs], stdout=f, stderr=subprocess.STDOUT)
    text = open(log, errors="replace").read()
    found = [l for l in text.splitlines() if re.search(r": (warning|error):", l)]
    print("sparse: %d files, %d warnings%s" % (len(objs), len(found),
                                                "" if r.returncode == 0 else ", make failed"))
    for l in found:
        print("    " + l)
    return r.returncode == 0 and not found


def main(argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(prog="rig/series.py", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("make", help="the series' git repository and its patches")
    p.add_argument("out")
    p.add_argument("--pristine", default=os.path.join(TOP, "build", "src", "linux-source-6.12"))
    p.add_argument("--expect", help="a tree the last commit must equal (build/ours-src)")
    p = sub.add_parser("tree", help="pristine + the series up to a tag, as a hard-linked tree")
    p.add_argument("out")
    p.add_argument("rev")
    p.add_argument("pristine")
    p.add_argument("tree")
    p = sub.add_parser("check", help="checkpatch, get_maintainer and a build of every step")
    p.add_argument("out")
    p.add_argument("--pristine", default=os.path.join(TOP, "build", "src", "linux-source-6.12"))
    p.add_argument("--from", dest="first", type=int, default=0,
                   help="start building at this step (0: the base)")
    p.add_argument("--sparse", action="store_true", help="make C=2 on our files at the end")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "make":
            return make(os.path.abspath(a.out), os.path.abspath(a.pristine),
                        a.expect and os.path.abspath(a.expect))
        if a.cmd == "tree":
            return tree_cmd(os.path.abspath(a.out), a.rev, os.path.abspath(a.pristine),
                            os.path.abspath(a.tree))
        return check(os.path.abspath(a.out), os.path.abspath(a.pristine), a.first, a.sparse)
    except SeriesError as e:
        print(e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
