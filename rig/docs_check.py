#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check our documentation the way the kernel's docs build would, in seconds.

  rig/docs_check.py TREE     TREE: the pristine tree with our files and
                             patches applied (build/ours-src)

What `make htmldocs` would complain about, without Sphinx:

  - every .rst file of ours under Documentation/ parses with docutils with
    no warning, Sphinx's and the kernel's roles and directives handled:
    :ref: must name a label some page of TREE defines, :doc: a page that
    exists, and a kernel-doc directive runs scripts/kernel-doc on its file
    with its options (no warning allowed) and its reST output is parsed
    too;
  - every Documentation/... path named in our files (pages, ABI files, C
    comments, patches) exists in TREE;
  - every page of ours is reachable from Documentation/index.rst through
    toctrees;
  - our ABI files pass scripts/get_abi.pl validate and their reST, as the
    docs build renders it, parses;
  - scripts/kernel-doc -none -Wall finds nothing in our C files;
  - rig/README.rst, the repository's own documentation, parses too.

Prints one line per problem and a summary; exit status 1 on any problem.
"""
import argparse
import fnmatch
import io
import os
import re
import subprocess
import sys
import tempfile
from typing import Dict, List, Optional, Set

try:
    import docutils.core
    import docutils.nodes
    import docutils.statemachine
    import docutils.utils
    from docutils.parsers.rst import Directive, directives, roles
except ImportError:
    print("docs-check: no docutils for %s (Debian: python3-docutils, rig/setup.sh)"
          % sys.executable, file=sys.stderr)
    sys.exit(2)

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OVERLAY_DIRS = ["arch", "kernel", "include", "Documentation",
                "tools/testing/selftests/breakpoints"]
DOC_PATH = re.compile(r"\bDocumentation/[A-Za-z0-9_./-]*[A-Za-z0-9_]")
LABEL = re.compile(r"^\.\. _([^:]+):\s*$", re.M)


class Context:
    """What the roles and directives need while one page is parsed."""

    def __init__(self, tree: str) -> None:
        self.tree = tree
        self.page = ""          # Documentation-relative path of the page
        self.labels = self._labels()
        self.problems: List[str] = []

    def _labels(self) -> Set[str]:
        """Every explicit target of TREE's pages (:ref: names one)."""
        self.label_pages: Dict[str, List[str]] = {}
        root = os.path.join(self.tree, "Documentation")
        for dirpath, _, files in os.walk(root):
            for f in files:
                if f.endswith(".rst"):
                    path = os.path.join(dirpath, f)
                    with open(path, errors="replace") as fh:
                        for m in LABEL.findall(fh.read()):
                            self.label_pages.setdefault(m.lower(), []).append(
                                os.path.relpath(path, self.tree))
        return set(self.label_pages)

    def problem(self, text: str) -> None:
        self.problems.append(text)


CTX: Optional[Context] = None


def ctx() -> Context:
    assert CTX is not None
    return CTX


def ref_target(text: str) -> str:
    """The target of "title <target>" or of a bare "target"."""
    m = re.match(r"^(.*?)\s*<([^>]+)>$", text, re.S)
    return (m.group(2) if m else text).strip()


def ref_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    target = ref_target(docutils.utils.unescape(text)).lower()
    if target not in ctx().labels:
        msg = inliner.reporter.warning("undefined label: %s" % target, line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    return [docutils.nodes.literal(rawtext, text)], []


def doc_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    target = ref_target(docutils.utils.unescape(text))
    if target.startswith("/"):
        path = os.path.join("Documentation", target.lstrip("/"))
    else:
        path = os.path.join(os.path.dirname(ctx().page), target)
    if not os.path.exists(os.path.join(ctx().tree, path + ".rst")):
        msg = inliner.reporter.warning("unknown document: %s" % target, line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    return [docutils.nodes.literal(rawtext, text)], []


def plain_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [docutils.nodes.literal(rawtext, docutils.utils.unescape(text))], []


class Ignored(Directive):
    """A Sphinx directive whose body is not reST (toctree) or needs Sphinx."""
    has_content = True
    optional_arguments = 99
    final_argument_whitespace = True
    option_spec = None

    def run(self):
        return []


class Nested(Ignored):
    """A Sphinx directive whose body is reST: parse it (c:function, only)."""

    def run(self):
        node = docutils.nodes.container()
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


def sphinx_version() -> str:
    """What Documentation/sphinx/kerneldoc.py hands kernel-doc: Sphinx's
    version, here the installed one, else Debian 12's python3-sphinx (the
    README's htmldocs command).  Without it kernel-doc warns that it found
    no Sphinx, on every machine that has none."""
    try:
        import sphinx  # type: ignore
        return sphinx.__version__
    except ImportError:
        return "5.3.0"


class KernelDoc(Directive):
    """Documentation/sphinx/kerneldoc.py's directive, through scripts/kernel-doc."""
    required_arguments = 1
    optional_arguments = 4
    final_argument_whitespace = True
    option_spec = {"doc": directives.unchanged_required, "export": directives.unchanged,
                   "internal": directives.unchanged, "identifiers": directives.unchanged,
                   "no-identifiers": directives.unchanged,
                   "functions": directives.unchanged}
    has_content = False

    def run(self):
        src = self.arguments[0]
        cmd = [os.path.join(ctx().tree, "scripts", "kernel-doc"), "-rst", "-enable-lineno",
               "-sphinx-version", sphinx_version()]
        o = self.options
        if "export" in o:
            cmd.append("-export")
        elif "internal" in o:
            cmd.append("-internal")
        elif "doc" in o:
            cmd += ["-function", o["doc"]]
        elif "identifiers" in o or "functions" in o:
            for name in (o.get("identifiers") or o.get("functions") or "").split():
                cmd += ["-function", name]
        for name in (o.get("no-identifiers") or "").split():
            cmd += ["-nosymbol", name]
        if not os.path.exists(os.path.join(ctx().tree, src)):
            return [self.state.document.reporter.warning(
                "kernel-doc: no file %s" % src, line=self.lineno)]
        p = subprocess.run(cmd + [src], cwd=ctx().tree, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        out = []
        for line in p.stderr.splitlines():
            out.append(self.state.document.reporter.warning(
                "kernel-doc %s: %s" % (src, line), line=self.lineno))
        if p.returncode:
            out.append(self.state.document.reporter.warning(
                "kernel-doc %s: exit %d" % (src, p.returncode), line=self.lineno))
        text = re.sub(r"^\.\. LINENO \d+\n", "", p.stdout, flags=re.M)
        if not text.strip():
            out.append(self.state.document.reporter.warning(
                "kernel-doc %s: nothing documented for %s" % (src, o), line=self.lineno))
        lines = docutils.statemachine.StringList(text.splitlines(), source=src)
        node = docutils.nodes.container()
        self.state.nested_parse(lines, 0, node)
        return out + [node]


def register() -> None:
    for r in ("ref", "numref"):
        roles.register_local_role(r, ref_role)
    roles.register_local_role("doc", doc_role)
    for r in ("c:func", "c:type", "c:macro", "c:data", "c:member", "c:enum", "c:var",
              "c:expr", "c:texpr", "manpage", "file", "command", "kbd", "envvar",
              "option", "samp", "term", "menuselection", "guilabel", "abbr"):
        roles.register_local_role(r, plain_role)
    for d in ("toctree", "kernel-feat", "kernel-abi", "kernel-include", "maintainers-include",
              "kernel-figure", "kernel-image", "kernel-render", "index", "highlight",
              "literalinclude", "tabularcolumns", "sectionauthor", "codeauthor"):
        directives.register_directive(d, Ignored)
    for d in ("only", "c:function", "c:macro", "c:type", "c:struct", "c:union", "c:enum",
              "c:enumerator", "c:var", "c:member", "c:namespace", "c:namespace-push",
              "c:namespace-pop", "glossary", "hlist", "versionadded", "versionchanged",
              "deprecated", "seealso", "centered"):
        directives.register_directive(d, Nested)
    directives.register_directive("kernel-doc", KernelDoc)


def parse(text: str, source: str) -> List[str]:
    """docutils' warnings (and worse) for one page."""
    stream = io.StringIO()
    docutils.core.publish_doctree(
        text, source_path=source,
        settings_overrides={"report_level": 2, "halt_level": 5, "warning_stream": stream,
                            "file_insertion_enabled": False, "raw_enabled": False,
                            "syntax_highlight": "none"})
    # One problem per message: docutils adds the offending lines after it.
    out: List[str] = []
    for line in stream.getvalue().splitlines():
        if re.match(r"^\S.*?:(\d+:)? \((DEBUG|INFO|WARNING|ERROR|SEVERE)/\d\) ", line):
            out.append(line)
        elif line.strip() and out:
            out[-1] += "\n    " + line
    return out


def our_files() -> List[str]:
    return subprocess.run(["git", "-C", TOP, "ls-files", "--", *OVERLAY_DIRS],
                          stdout=subprocess.PIPE, universal_newlines=True,
                          check=True).stdout.split()


def check_pages(c: Context, pages: List[str]) -> None:
    for page in pages:
        c.page = page
        # Sphinx's labels are global: a second definition is a warning.
        for label, where in sorted(c.label_pages.items()):
            if page in where and len(where) > 1:
                c.problem("%s: label %s also defined in %s" % (
                    page, label, ", ".join(w for w in where if w != page) or page))
        with open(os.path.join(c.tree, page)) as f:
            for w in parse(f.read(), page):
                c.problem(w)


def check_paths(c: Context, files: List[str]) -> None:
    """Documentation/... named in our files must exist (automarkup links them)."""
    for f in files:
        with open(os.path.join(TOP, f), errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                for m in DOC_PATH.finditer(line):
                    path = m.group(0)
                    if not os.path.exists(os.path.join(c.tree, path)):
                        c.problem("%s:%d: no such file in the tree: %s" % (f, n, path))


def toctree_entries(path: str, text: str, docs: Set[str]) -> List[str]:
    """The pages the toctrees of PATH (Documentation-relative, no suffix) list."""
    out: List[str] = []
    lines = text.splitlines()
    base = os.path.dirname(path)
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)\.\. toctree::", lines[i])
        i += 1
        if not m:
            continue
        indent, glob = len(m.group(1)), False
        while i < len(lines) and (not lines[i].strip() or
                                  len(lines[i]) - len(lines[i].lstrip()) > indent):
            entry = lines[i].strip()
            i += 1
            if not entry:
                continue
            if entry.startswith(":"):
                glob = glob or entry.startswith(":glob:")
                continue
            entry = ref_target(entry)
            if entry.endswith(".rst"):
                entry = entry[:-4]
            target = entry.lstrip("/") if entry.startswith("/") else \
                os.path.normpath(os.path.join(base, entry))
            if glob and any(ch in target for ch in "*?["):
                out += [d for d in docs if fnmatch.fnmatchcase(d, target)]
            else:
                out.append(target)
    return out


def check_toctrees(c: Context, pages: List[str]) -> None:
    root = os.path.join(c.tree, "Documentation")
    texts: Dict[str, str] = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".rst"):
                p = os.path.join(dirpath, f)
                with open(p, errors="replace") as fh:
                    texts[os.path.relpath(p, root)[:-4]] = fh.read()
    docs = set(texts)
    seen, todo = {"index"}, ["index"]
    while todo:
        d = todo.pop()
        for e in toctree_entries(d, texts[d], docs):
            if e in docs and e not in seen:
                seen.add(e)
                todo.append(e)
    for page in pages:
        doc = os.path.relpath(page, "Documentation")[:-4]
        if doc not in seen:
            c.problem("%s: in no toctree reachable from Documentation/index.rst" % page)


def check_abi(c: Context, abi: List[str]) -> None:
    if not abi:
        return
    getabi = os.path.join(c.tree, "scripts", "get_abi.pl")
    with tempfile.TemporaryDirectory() as d:
        for f in abi:
            dst = os.path.join(d, os.path.relpath(f, "Documentation/ABI"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(os.path.join(c.tree, f), "rb") as src, open(dst, "wb") as out:
                out.write(src.read())
        for cmd in ("validate", "rest"):
            p = subprocess.run(["perl", getabi, "--dir", d, cmd], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True)
            for line in p.stderr.splitlines():
                c.problem("get_abi.pl %s: %s" % (cmd, line))
            if p.returncode:
                c.problem("get_abi.pl %s: exit %d" % (cmd, p.returncode))
            if cmd == "rest":
                c.page = "Documentation/admin-guide/abi-testing.rst"
                # the labels the rendered ABI defines for itself
                c.labels |= {m.lower() for m in LABEL.findall(p.stdout)}
                for w in parse(p.stdout, "get_abi.pl rest (our ABI files)"):
                    c.problem(w)


def check_kernel_doc(c: Context, sources: List[str]) -> None:
    for f in sources:
        p = subprocess.run([os.path.join(c.tree, "scripts", "kernel-doc"), "-none", "-Wall", f],
                           cwd=c.tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        for line in p.stdout.splitlines():
            c.problem("kernel-doc: %s" % line)


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(prog="rig/docs_check.py", description=__doc__.splitlines()[0])
    ap.add_argument("tree", help="the tree with our files and patches (build/ours-src)")
    a = ap.parse_args(argv)
    global CTX
    CTX = c = Context(os.path.abspath(a.tree))
    register()

    files = our_files()
    pages = [f for f in files if f.startswith("Documentation/") and f.endswith(".rst")]
    abi = [f for f in files if f.startswith("Documentation/ABI/")]
    sources = [f for f in files if re.search(r"\.[ch]$", f) and not f.startswith("tools/")]
    patches = [os.path.join("patches", p) for p in sorted(os.listdir(os.path.join(TOP, "patches")))
               if p.endswith(".patch")]
    for f in pages + abi + sources:
        if not os.path.exists(os.path.join(c.tree, f)):
            c.problem("%s: not in %s (make ours-src)" % (f, c.tree))

    check_pages(c, pages)
    check_paths(c, files + patches)
    check_toctrees(c, pages)
    check_abi(c, abi)
    check_kernel_doc(c, sources)
    c.page = "rig/README.rst"
    with open(os.path.join(TOP, "rig", "README.rst")) as f:
        for w in parse(f.read(), "rig/README.rst"):
            c.problem(w)

    for p in c.problems:
        print("docs-check: " + p)
    print("docs-check: %d pages, %d ABI files, %d C files and rig/README.rst: %d problems"
          % (len(pages), len(abi), len(sources), len(c.problems)))
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
