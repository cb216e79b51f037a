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

    def test_tap_skip_keeps_its_name_and_reason(self) -> None:
        sec = rig_boot.Section(0, "1..1\nok 1 on: eight open # SKIP no breakpoint "
                                  "multiplexing in this kernel\n")
        got = rig_suites.eval_tap("mux", sec)
        self.assertEqual([(r.case, r.status, r.note) for r in got],
                         [("1 on: eight open", Status.SKIP,
                           "no breakpoint multiplexing in this kernel")])

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


# What rig/guest/init's mux_perf_stat prints: the event list, then the
# program's and perf stat's output (-x,: count,unit,event,time,running%,...).
_MUX_EVENTS = ",".join("mem:%#x:w" % (0x4a50e0 + 8 * i) for i in range(8))
_MUX_STORES = [1190, 2380, 3570, 4760, 5950, 7140, 8330, 9520]


def mux_on_fixture(counts, pcts) -> rig_boot.Section:
    text = "@@ events %s\n" % _MUX_EVENTS
    text += "".join("muxtouch: cell %d at %#x: %d stores\n" % (i, 0x4a50e0 + 8 * i, n)
                    for i, n in enumerate(_MUX_STORES))
    text += "muxtouch: 2.76 s, a store every 94.3 us\n"
    # perf 6.1 zero-pads the address in its rows
    text += "".join("%s,,mem:0x%016x:w,%d,%.2f,,\n" % (c, 0x4a50e0 + 8 * i, 27.6e8 * p / 100, p)
                    for i, (c, p) in enumerate(zip(counts, pcts)))
    return rig_boot.Section(0, text)


class MuxPerfStatTest(unittest.TestCase):
    CTX = rig_suites.Context("ours", "", "")
    OFF = rig_boot.Section(255, "@@ events %s\nError:\nThe sys_perf_event_open() syscall "
                           "returned with 28 (No space left on device) for event "
                           "(mem:0x4a5100:w).\n/bin/dmesg | grep -i perf may provide "
                           "additional information.\n\n" % _MUX_EVENTS)

    def statuses(self, on: rig_boot.Section, off: rig_boot.Section = OFF) -> list:
        secs = {"mux_perf_stat_on": on, "mux_perf_stat_off": off}
        return [r.status for r in rig_suites.eval_mux_perf_stat(secs, self.CTX)]

    def test_multiplexed_counts_pass(self) -> None:
        on = mux_on_fixture(["1203", "2291", "3702", "4688", "6012", "6981", "8420", "9477"],
                            [50.12, 49.87, 50.03, 49.96, 50.08, 49.91, 50.02, 49.99])
        self.assertEqual(self.statuses(on), [Status.PASS] * 11)

    def test_one_count_off_or_always_running_fails(self) -> None:
        on = mux_on_fixture(["1203", "2291", "3702", "4688", "6012", "6981", "8420", "5000"],
                            [50.12, 49.87, 50.03, 49.96, 50.08, 49.91, 100.00, 49.99])
        got = self.statuses(on)
        self.assertEqual(got[2], Status.FAIL)             # one at 100% running
        self.assertEqual(got[3:10], [Status.PASS] * 7)
        self.assertEqual(got[10], Status.FAIL)            # 5000 of 9520

    def test_not_counted_fails(self) -> None:
        on = mux_on_fixture(["<not counted>"] + ["1"] * 7, [0.0] + [50.0] * 7)
        got = self.statuses(on)
        self.assertEqual((got[2], got[3]), (Status.FAIL, Status.FAIL))

    def test_off_needs_the_fifth_to_fail(self) -> None:
        self.assertEqual(self.statuses(mux_on_fixture([], []), self.OFF)[0], Status.PASS)
        fourth = self.OFF._replace(text=self.OFF.text.replace("(mem:0x4a5100", "(mem:0x4a50f8"))
        self.assertEqual(self.statuses(mux_on_fixture([], []), fourth)[0], Status.FAIL)
        counted = mux_on_fixture(["1"] * 8, [50.0] * 8)
        self.assertEqual(self.statuses(counted, counted)[0], Status.FAIL)

    def test_no_multiplex_file_skips_on_with_the_reason(self) -> None:
        on = rig_boot.Section(0, "@@ events %s\n@@ no-multiplex: "
                              "/sys/bus/event_source/devices/breakpoint/multiplex is absent\n"
                              % _MUX_EVENTS)
        got = rig_suites.eval_mux_perf_stat({"mux_perf_stat_on": on,
                                             "mux_perf_stat_off": self.OFF}, self.CTX)
        self.assertEqual(got[0].status, Status.PASS)
        self.assertEqual({(r.status, r.note) for r in got[1:]},
                         {(Status.SKIP, rig_suites.NO_MUX)})


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
