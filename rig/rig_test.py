#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of the rig's parsers (no QEMU): python3 rig/rig_test.py"""
import os
import re
import tempfile
import unittest

import rig_boot
import rig_console
import rig_suites
from rig_results import Result, Status, XFail, apply_xfail, load_xfail, result


class SectionsTest(unittest.TestCase):
    def test_unfinished_section_has_no_rc(self) -> None:
        secs = rig_boot.parse_sections("@@HWBP-BEGIN a\nx\n@@HWBP-END a rc=3\n"
                                       "@@HWBP-BEGIN b\ny\n")
        self.assertEqual(secs["a"], rig_boot.Section(3, "x\n"))
        self.assertEqual(secs["b"], rig_boot.Section(None, "y\n"))
        self.assertEqual(rig_boot.finished_sections("@@HWBP-END a rc=0\n"), ["a"])

    def test_tail_hands_out_whole_lines(self) -> None:
        with tempfile.NamedTemporaryFile("wb", delete=False) as f:
            f.write(b"@@HWBP-END a rc=1")
            f.flush()
            tail = rig_boot.Tail(f.name)
            self.assertEqual(tail.read(), "")
            f.write(b"2\r\nnext")
            f.flush()
            self.assertEqual(tail.read(), "@@HWBP-END a rc=12\n")
        os.unlink(f.name)


class SuitesTest(unittest.TestCase):
    def test_tap_counts_missing_cases(self) -> None:
        sec = rig_boot.Section(0, "1..3\nok 1 one\nnot ok 2 two\n")
        got = rig_suites.eval_tap("t", sec)
        self.assertEqual([(r.case, r.status) for r in got],
                         [("1 one", Status.PASS), ("2 two", Status.FAIL),
                          ("3 (not reached)", Status.FAIL)])

    def test_kgdb_rounds(self) -> None:
        self.assertEqual(rig_suites.kgdb_rounds_done("1..23\nok 1 a\nok 2 b\n"), -1)
        self.assertEqual(rig_suites.kgdb_rounds_done("ok 3 c\n"), 0)
        self.assertEqual(rig_suites.kgdb_rounds_done("ok 3 c\nok 4 d\nnot ok 5 e\n"), 1)

    def test_every_suite_is_registered_once(self) -> None:
        names = [s.name for s in rig_suites.SUITES]
        self.assertEqual(len(names), len(set(names)))
        boots = {b.name for b in rig_suites.boots(10)}
        for s in rig_suites.SUITES:
            self.assertTrue(s.boot in boots | {None, rig_suites.EVERY_BOOT, rig_suites.AFTER_BOOTS},
                            s.name)


class XFailTest(unittest.TestCase):
    def test_no_int1_needs_the_probe(self) -> None:
        x = XFail("kselftest", re.compile("^109 "), XFail.NO_INT1 + "emulator")
        r = result("kselftest", "109 Test icebp", False)
        self.assertEqual(apply_xfail([r], [x], False)[0].status, Status.FAIL)
        self.assertEqual(apply_xfail([r], [x], True)[0].status, Status.XFAIL)

    def test_lockdep_kernel_takes_its_base_entries(self) -> None:
        top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        xf = load_xfail(os.path.join(top, "rig", "xfail"), "base-lockdep")
        self.assertTrue(any(x.suite == "kgdb-host" for x in xf))


class ConsoleTest(unittest.TestCase):
    def test_prefixes(self) -> None:
        for line in ("kernel BUG at x.c:1!", "[    1.000000] kernel BUG at x.c:1!",
                     "[    1.000000][    T1] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x0/0x1"):
            self.assertEqual(len(rig_console.scan(line + "\n")), 1, line)
        self.assertEqual(rig_console.scan("RETBleed: WARNING: Spectre v2 mitigation\n"), [])

    def test_fixtures(self) -> None:
        top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for r in rig_console.self_test(top):
            self.assertIsInstance(r, Result)
            self.assertEqual(r.status, Status.PASS, r)


if __name__ == "__main__":
    unittest.main()
