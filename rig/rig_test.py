#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of the rig's parsers (no QEMU): python3 rig/rig_test.py"""
import os
import re
import tempfile
import unittest
from typing import List, Optional, Sequence

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


def view_print(label: str, lines: List[str], online: str = "0-3") -> str:
    """What rig/guest/init's view_print prints."""
    return "@@ online %s\n@@ %s\n%s@@ end\n" % (online, label,
                                                "".join(line + "\n" for line in lines))


def sample_line(cpu: int, size: str = "0x4") -> str:
    return ("kernel\tany\tpinned\t%d\tsample_hbp_handler [data_breakpoint]\tw\t4\t"
            "panic_timeout+0x0/%s\tcpu%d" % (cpu, size, cpu))


def slots_lines(dbg: Sequence[int]) -> List[str]:
    return ["multiplex\t0", rig_suites.SLOTS_HEADER] + [
        "%d\tany\t4\t0\t0\t%d\t%d" % (cpu, d, 4 - d) for cpu, d in enumerate(dbg)]


class ViewTest(unittest.TestCase):
    CTX = rig_suites.Context("ours", "", "")
    NO_VIEW = "@@ online 0-3\n@@ no-view: /sys/kernel/debug/hw_breakpoint is absent\n"

    def module(self, loaded: List[str], unloaded: Optional[List[str]] = None) -> list:
        text = view_print("holders loaded", [rig_suites.HOLDERS_HEADER] + loaded)
        text += "CPU: 1 UID: 0 PID: 1 Comm: init\n"
        text += view_print("holders unloaded", [rig_suites.HOLDERS_HEADER]
                           if unloaded is None else unloaded)
        secs = {"sample_module": rig_boot.Section(0, text)}
        return [r.status for r in rig_suites.eval_holders_module(secs, self.CTX)]

    def test_cpulist(self) -> None:
        self.assertEqual(rig_suites.cpulist("0-2,5\n"), [0, 1, 2, 5])
        self.assertEqual(rig_suites.cpulist("3"), [3])

    def test_module_lines_per_cpu_pass(self) -> None:
        lines = [sample_line(c, "0x8" if c == 2 else "0x4") for c in (3, 0, 1, 2)]
        self.assertEqual(self.module(lines), [Status.PASS, Status.PASS])
        # a terminal that expands TABs changes nothing
        spaced = [line.replace("\t", "    ") for line in lines]
        self.assertEqual(self.module(spaced), [Status.PASS, Status.PASS])
        self.assertEqual(self.module([line.replace("+0x0/", "+0x4/") for line in lines])[0],
                         Status.FAIL)

    def test_module_missing_cpu_or_extra_line_fails(self) -> None:
        three = [sample_line(c) for c in range(3)]
        self.assertEqual(self.module(three)[0], Status.FAIL)
        self.assertEqual(self.module(three + [sample_line(3).replace("cpu3", "no")])[0],
                         Status.FAIL)
        self.assertEqual(self.module(three + [sample_line(3), sample_line(3)])[0],
                         Status.FAIL)
        left = [rig_suites.HOLDERS_HEADER, sample_line(0)]
        self.assertEqual(self.module([sample_line(c) for c in range(4)], left)[1],
                         Status.FAIL)

    def test_no_view_skips_with_the_reason(self) -> None:
        secs = {"sample_module": rig_boot.Section(0, self.NO_VIEW * 2)}
        got = rig_suites.eval_holders_module(secs, self.CTX)
        self.assertEqual({(r.status, r.note) for r in got},
                         {(Status.SKIP, rig_suites.NO_VIEW)})
        got = rig_suites.eval_kgdb_slots("kgdb-slots", "c", rig_boot.Section(0, self.NO_VIEW))
        self.assertEqual([(r.status, r.note) for r in got],
                         [(Status.SKIP, rig_suites.NO_VIEW)])

    def test_kgdb_slots(self) -> None:
        def status(dbg: Sequence[int], online: str = "0-3") -> Status:
            sec = rig_boot.Section(0, view_print("slots", slots_lines(dbg), online))
            return rig_suites.eval_kgdb_slots("kgdb-slots", "c", sec)[0].status
        self.assertEqual(status([1, 1, 1, 1]), Status.PASS)
        self.assertEqual(status([1, 1, 1, 0]), Status.FAIL)
        self.assertEqual(status([1, 1, 1, 2]), Status.FAIL)
        self.assertEqual(status([1, 1, 1, 0], "0-2"), Status.PASS)
        self.assertEqual(status([1, 1, 1, 1], "0-4"), Status.FAIL)
        self.assertEqual(rig_suites.eval_kgdb_slots("kgdb-slots", "c", None)[0].status,
                         Status.FAIL)


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
