#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of the rig's parsers (no QEMU): python3 rig/rig_test.py"""
import contextlib
import io
import os
import re
import subprocess
import tempfile
import threading
import unittest
from typing import Dict, List, Optional, Sequence, Tuple
from unittest import mock

import bench
import hwbp_fuzz
import ptrace_fuzz
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


class RunBootTest(unittest.TestCase):
    def test_an_emulator_crash_is_named_as_one(self) -> None:
        class Crashing(rig_boot.Machine):
            def command(self, *args, **kwargs) -> List[str]:
                return ["sh", "-c", "echo booting >\"$0\"; kill -SEGV $$", args[1]]

        with tempfile.TemporaryDirectory() as d:
            out = io.StringIO()
            run = rig_boot.run_boot(Crashing("k", "i", 1), "main", "main",
                                    os.path.join(d, "main.log"), 10, rig_boot.Printer(out))
        self.assertFalse(run.finished)
        self.assertIn("QEMU was killed by SIGSEGV", run.trouble)
        self.assertIn("| booting", out.getvalue())


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

    def test_tap_skip_with_the_directive_first_is_a_skip(self) -> None:
        # ksft_test_result_skip(): "ok N # SKIP reason", no description
        sec = rig_boot.Section(0, "1..2\nok 1 # SKIP root: no /proc/kcore\n"
                                  "ok 2 count # of things\n")
        got = rig_suites.eval_tap("sec", sec)
        self.assertEqual([(r.case, r.status) for r in got],
                         [("1 root: no /proc/kcore", Status.SKIP),
                          ("2 count # of things", Status.PASS)])

    def test_kgdb_rounds(self) -> None:
        first = ("1..29\nok 1 first hbreak on the #DB entry (asm_exc_debug) is refused\n"
                 "ok 9 first hbreak ksys_sync stops at its first instruction\n")
        self.assertEqual(rig_suites.kgdb_rounds_done(first), -1)
        self.assertEqual(rig_suites.kgdb_rounds_done(
            "ok 10 first watch total_forks stops in copy_process with a new value\n"), 0)
        self.assertEqual(rig_suites.kgdb_rounds_done(
            "ok 11 cycle 1: hbreak ksys_sync stops at its first instruction\n"), 0)
        self.assertEqual(rig_suites.kgdb_rounds_done(
            "ok 11 cycle 1: hbreak ksys_sync stops\nnot ok 12 cycle 1: watch total_forks x\n"), 1)
        self.assertEqual(rig_suites.kgdb_rounds_done(
            "ok 33 cycle 12: hbreak ksys_sync stops\n"), 11)

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


# perf 6.1's perf bench output (tools/perf/bench/breakpoint.c, sched-pipe.c),
# as rig/guest/init's perf_for prints it: one block per run.
PERF_THREAD_RUNS = """# Running 'breakpoint/thread' benchmark:
# Created/joined 4 threads with 4 breakpoints and 4 parallelism
     Total time: 0.036 [sec]

     575.750000 usecs/op
    2303.000000 usecs/op/cpu
# Running 'breakpoint/thread' benchmark:
# Created/joined 40 threads with 4 breakpoints and 4 parallelism
     Total time: 0.179 [sec]

     281.028125 usecs/op
    1124.112500 usecs/op/cpu
# Running 'breakpoint/thread' benchmark:
# Created/joined 192 threads with 4 breakpoints and 4 parallelism
     Total time: 3.875 [sec]

     285.022786 usecs/op
    1140.091146 usecs/op/cpu
"""
PERF_ENABLE_RUN = """# Running 'breakpoint/enable' benchmark:
# Enabled/disabled breakpoint 50000 time with 64 passive and 0 active threads
     Total time: 3.172 [sec]

      63.451520 usecs/op
"""


def pipe_run(loops: int, total: str, per_op: str, watched: bool = False) -> str:
    text = ("# Running 'sched/pipe' benchmark:\n# Executed %d pipe operations between two "
            "processes\n\n     Total time: %s [sec]\n\n     %s usecs/op\n          %d ops/sec\n"
            % (loops, total, per_op, 1e6 / float(per_op)))
    if watched:
        text += "".join("0,,mem:0x%016x:w,56823685,100.00,,\n" % a
                        for a in bench.WATCHED_ADDRS)
    return text


def section(text: str, rc: Optional[int] = 0) -> rig_boot.Section:
    return rig_boot.Section(rc, text)


class BenchParseTest(unittest.TestCase):
    def figure(self, name: str, text: str, rc: Optional[int] = 0) -> bench.Outcome:
        return bench.parse_figure(bench.BY_NAME[name], section(text, rc))

    def test_perf_runs_weighed_by_their_work(self) -> None:
        got = self.figure("thread_b4_p4_t16", PERF_THREAD_RUNS).measure
        assert got is not None
        want = (575.75 * 4 + 281.028125 * 40 + 285.022786 * 192) / 236
        self.assertAlmostEqual(got.value, want)
        self.assertEqual((got.unit, got.runs, got.is_rate), ("usecs/op", 3, False))
        self.assertAlmostEqual(got.seconds or 0, 4.09)
        got = self.figure("enable_passive", PERF_ENABLE_RUN).measure
        assert got is not None
        self.assertAlmostEqual(got.value, 63.45152)

    def test_perf_without_its_figure_fails(self) -> None:
        self.assertIsNone(self.figure("thread_b0_p4_t16", PERF_THREAD_RUNS, rc=1).measure)
        self.assertIn("exit status 1", self.figure("pipe", pipe_run(10, "0.1", "5.0"), 1).why)
        got = self.figure("thread_b0_p4_t16", "Skipping perf bench breakpoint thread: "
                          "No hardware support\n")
        self.assertEqual((got.measure, got.skip), (None, False))
        self.assertIn("No hardware support", got.why)
        self.assertIsNone(self.figure("pipe", pipe_run(10, "0.1", "5.0"), None).measure)
        self.assertEqual(self.figure("pipe", "", 0).why, "no \"Total time\" printed")
        # a run cut off after its Total time line
        cut = PERF_THREAD_RUNS.rsplit("     285.022786", 1)[0]
        self.assertIsNone(self.figure("thread_b4_p4_t16", cut).measure)
        self.assertEqual(bench.parse_figure(bench.BY_NAME["pipe"], None).why, "not run")

    def test_pipe_watched_needs_four_counting_watchpoints_per_run(self) -> None:
        two = pipe_run(1000, "0.045", "45.024000", True) + pipe_run(
            10000, "3.189", "18.947800", True)
        got = self.figure("pipe_watched", two).measure
        assert got is not None
        self.assertAlmostEqual(got.value, (45.024 * 1000 + 18.9478 * 10000) / 11000)
        self.assertIsNotNone(self.figure("pipe", pipe_run(1000, "3.1", "3.1")).measure)
        self.assertIsNone(self.figure("pipe_watched", pipe_run(1000, "3.1", "3.1")).measure)
        lost = two.replace("0,,mem:0x0000000000003000:w", "<not counted>,,mem:0x3000:w", 1)
        self.assertIn("did not count", self.figure("pipe_watched", lost).why)
        three = two.replace("0,,mem:0x0000000000004000:w,56823685,100.00,,\n", "", 1)
        self.assertIn("want 4 per run", self.figure("pipe_watched", three).why)

    def test_tool_line(self) -> None:
        got = self.figure("ptrace_move", "# 3.000 s, 123456 ops\n"
                          "hw_breakpoint_bench: ptrace-move 41152.3 ops/s\n")
        self.assertEqual(got.measure, bench.Measure(41152.3, "ops/s", None))
        assert got.measure is not None
        self.assertTrue(got.measure.is_rate)
        got = self.figure("ptrace_roundtrip",
                          "hw_breakpoint_bench: ptrace-roundtrip 812 round trips/s\n")
        self.assertEqual(got.measure, bench.Measure(812.0, "round trips/s", None))
        # another bench's line is not this one's figure
        self.assertIsNone(self.figure("ptrace_peek",
                                      "hw_breakpoint_bench: ptrace-move 1 ops/s\n").measure)

    def test_tool_error_and_skip(self) -> None:
        err = self.figure("hit_watched", "hw_breakpoint_bench: hit-watched error: "
                          "perf_event_open: No space left on device\n", 1)
        self.assertEqual((err.measure, err.skip), (None, False))
        self.assertEqual(err.why, "error: perf_event_open: No space left on device")
        skip = "hw_breakpoint_bench: hit-watched skip: no breakpoint PMU\n"
        self.assertEqual(self.figure("hit_watched", skip, 4),
                         bench.Outcome(None, "no breakpoint PMU", True))
        # a skip must exit 4, and a figure exit 0
        self.assertFalse(self.figure("hit_watched", skip, 0).skip)
        self.assertIsNone(self.figure("hit_watched", "hw_breakpoint_bench: hit-watched "
                                      "1e6 stores/s\n", 1).measure)

    def test_clocks(self) -> None:
        secs = {"env": section("release 6.12.117\ncpus 4\nclocksource tsc-early\n"),
                "clock_end": section("clocksource tsc\n")}
        self.assertEqual(bench.clocks(secs), ["tsc-early", "tsc"])
        self.assertFalse(bench.coarse(bench.clocks(secs)))
        secs["clock_end"] = section("clocksource refined-jiffies\n")
        self.assertTrue(bench.coarse(bench.clocks(secs)))
        self.assertEqual(bench.clocks({}), ["?", "?"])
        self.assertTrue(bench.coarse(["?", "tsc"]))


def smoke_secs(drop: str = "", text: Optional[Dict[str, rig_boot.Section]] = None
               ) -> rig_boot.Sections:
    secs = {}
    for short, figure, _ in bench.SMOKE_CASES:
        fig = bench.BY_NAME[figure]
        if fig.kind == bench.TOOL:
            out = "hw_breakpoint_bench: %s 1000 ops/s\n" % fig.tool_bench
        elif fig.watched:
            out = pipe_run(500, "0.1", "200.0", True)
        else:
            out = PERF_ENABLE_RUN
        if short != drop:
            secs[bench.SMOKE + short] = section(out)
    secs.update(text or {})
    return secs


class BenchSmokeTest(unittest.TestCase):
    def test_every_benchmark_passes(self) -> None:
        got = bench.evaluate_smoke(smoke_secs())
        self.assertEqual([r.status for r in got], [Status.PASS] * 12)
        self.assertEqual(len({r.case for r in got}), 12)

    def test_missing_failed_and_skipped(self) -> None:
        got = bench.evaluate_smoke(smoke_secs(drop="ptrace_move"))
        self.assertEqual([r.note for r in got if r.status == Status.FAIL], ["not run"])
        skip = section("hw_breakpoint_bench: ptrace-peek skip: no debug registers\n", 4)
        fail = section("hw_breakpoint_bench: hit-watched error: fork: ENOMEM\n", 1)
        got = bench.evaluate_smoke(smoke_secs(text={bench.SMOKE + "ptrace_peek": skip,
                                                    bench.SMOKE + "hit_watched": fail}))
        self.assertEqual([(r.status, r.note) for r in got if r.status != Status.PASS],
                         [(Status.SKIP, "no debug registers"),
                          (Status.FAIL, "error: fork: ENOMEM")])

    def test_registered_on_the_main_boot(self) -> None:
        suite = [s for s in rig_suites.SUITES if s.name == "bench-smoke"]
        self.assertEqual([(s.boot, s.sections) for s in suite],
                         [("main", bench.SMOKE_SECTIONS)])


class BenchGuestTest(unittest.TestCase):
    """rig/guest/init runs a section for every figure and smoke case."""

    def test_sections_exist(self) -> None:
        top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        with open(os.path.join(top, "rig", "guest", "init")) as f:
            init = f.read()
        runs = set(re.findall(r"^\s*run ([a-z0-9_]+) ", init, re.M))
        for name in [f.name for f in bench.FIGURES] + list(bench.SMOKE_SECTIONS):
            self.assertIn(name, runs)


def fake_console(p: "bench.Plan", clock: str = "tsc") -> str:
    """A bench boot's console, every figure 100 (base) or 80 (ours)."""
    v = 100.0 if p.kernel == "base" else 80.0
    text = "@@HWBP-BEGIN env\nclocksource tsc-early\n@@HWBP-END env rc=0\n"
    for name in bench.SETS[p.set]:
        fig = bench.BY_NAME[name]
        if fig.kind == bench.TOOL:
            out = "hw_breakpoint_bench: %s %f ops/s\n" % (fig.tool_bench, 1e6 / v)
        elif name == "tasks_4096":
            out = "perf: pthread_create: Resource temporarily unavailable\n"
        else:
            out = pipe_run(1000, "3.1", "%f" % (v * (1 + p.round / 10)), fig.watched)
        rc = 1 if name == "tasks_4096" else 0
        text += "@@HWBP-BEGIN %s\n%s@@HWBP-END %s rc=%d\n" % (name, out, name, rc)
    text += "@@HWBP-BEGIN clock_end\nclocksource %s\n@@HWBP-END clock_end rc=0\n" % clock
    return text + "@@HWBP-DONE\n"


def run_fake_bench(test: unittest.TestCase, run_boot, logs: str, *args, **kwargs) -> str:
    """bench.run() with @run_boot for the boots, in a scratch tree: its
    results.txt (in build/logs/@logs), once it returned 0."""
    with tempfile.TemporaryDirectory() as top, \
            mock.patch.object(rig_boot, "run_boot", run_boot), \
            mock.patch.object(bench, "Printer", lambda: rig_boot.Printer(io.StringIO())), \
            contextlib.redirect_stdout(io.StringIO()):
        test.assertEqual(bench.run(*args, top=top, **kwargs), 0)
        with open(os.path.join(top, "build", "logs", logs, "results.txt")) as f:
            return f.read()


class BenchRunTest(unittest.TestCase):
    def test_plan_alternates_and_fits_the_budget(self) -> None:
        p = bench.plan(5, 3, 4, bench.SCALING_CPUS)
        self.assertEqual([(b.kernel, b.smp) for b in p[:4]],
                         [("base", 4), ("ours", 4), ("base", 1), ("ours", 1)])
        self.assertEqual(len(p), 5 * 2 + 3 * 3 * 2)
        self.assertEqual(len({b.log_name for b in p}), len(p))
        self.assertLess(sum(bench.expected(b, 3.0) for b in p), 40 * 60)
        # --together boots plan()'s neighbours as pairs: the two kernels
        # of one round, set and vCPU count
        for a, b in bench.together_steps(p):
            self.assertEqual((a.round, a.set, a.smp), (b.round, b.set, b.smp))
            self.assertEqual({a.kernel, b.kernel}, set(bench.KERNELS))

    def test_run_tables_both_kernels(self) -> None:
        boots: List[bench.Plan] = []

        def run_boot(machine: rig_boot.Machine, name: str, mode: str, log: str,
                     timeout: int, printer: rig_boot.Printer, append: str = "",
                     *args: object, **kwargs: object) -> rig_boot.BootOutcome:
            p = bench.plan(2, 1, 4, (1, 4))[len(boots)]
            boots.append(p)
            self.assertEqual((machine.smp, mode, append, args),
                             (p.smp, "bench", "hwbpsecs=3 hwbpset=%s kunit.enable=0" % p.set,
                              ((),)))
            # ours' second main boot ran on jiffies: left out
            text = fake_console(p, "refined-jiffies" if p.log_name == "ours-r2-main4"
                                else "tsc")
            return rig_boot.BootOutcome(log, text, rig_boot.parse_sections(text), 1.0,
                                        True, "")

        res = run_fake_bench(self, run_boot, "bench", 2, 1, 3.0, (1, 4), "make bench")
        self.assertEqual(len(boots), 6)
        self.assertIn("command: make bench", res)
        self.assertRegex(res, r"ours-r2-main4 +1 s  tsc-early -> refined-jiffies  EXCLUDED")
        rows = {re.split(r"\s{2,}", line.strip())[0]: line for line in res.splitlines()
                if line.startswith("  ")}
        # base 100 and 110 (median 105), ours only its first boot: 80,
        # paired with base's 100 of the same round
        self.assertRegex(rows["-b 0 -p 4 -t 16"], r"usecs/op +105\.0 +100\.0-110\.0 +80\.0 "
                         r"+80\.0-80\.0 +0\.762 +0\.800 0\.800-0\.800 +2/1 +0/1 *$")
        # a rate: base rate / ours rate, the same 0.8
        self.assertRegex(rows["(b) move DR0 while enabled"], r" 0\.800 +[-0-9. ]+ +2/1 +0/1")
        self.assertRegex(rows["N = 4096"], r" - +- +0/0 +0/1 +base missing 2: exit status 1")
        self.assertRegex(rows["b4/b0: the accounting's cost"],
                         r"ratio +1\.000 +1\.000 +1\.000")
        self.assertRegex(rows["thread -b 4 -p 4 -t 16 @1"], r" 0\.800 +0\.800 0\.800-0\.800 +1/1 +0/0")
        self.assertRegex(rows["watched/unwatched: a store that traps"],
                         r"ratio +1\.000 +1\.000 +1\.000")

    def test_icount_tables_instructions_per_op(self) -> None:
        boots: List[bench.Plan] = []

        def run_boot(machine: rig_boot.Machine, name: str, mode: str, log: str,
                     timeout: int, printer: rig_boot.Printer, append: str = "",
                     qemu_args: Sequence[str] = (), *args: object,
                     **kwargs: object) -> rig_boot.BootOutcome:
            p = bench.plan(2, 0, 1, ())[len(boots)]
            boots.append(p)
            self.assertEqual((machine.smp, tuple(qemu_args)), (1, bench.ICOUNT_ARGS))
            text = fake_console(p)
            return rig_boot.BootOutcome(log, text, rig_boot.parse_sections(text), 1.0,
                                        True, "")

        res = run_fake_bench(self, run_boot, "bench-icount", 2, 3, 1.0, (1, 2, 4, 8),
                             "make bench-icount", icount=True)
        # no scaling boots: two rounds of one boot each
        self.assertEqual([(b.kernel, b.set) for b in boots],
                         [("base", "main"), ("ours", "main"), ("ours", "main"),
                          ("base", "main")])
        self.assertIn("icount run: QEMU -icount shift=0", res)
        rows = {re.split(r"\s{2,}", line.strip())[0]: line for line in res.splitlines()
                if line.startswith("  ")}
        # 1 ns of guest time is one instruction: a rate of 1e6/v ops/s is
        # 1000 v instructions per op, a time of v usecs/op as many
        self.assertRegex(rows["(b) move DR0 while enabled"],
                         r"insns/op +100000 +100000-100000 +80000 +80000-80000 +0\.800 ")
        self.assertRegex(rows["-b 0 -p 4 -t 16"], r"insns/op +105000 +100000-110000 ")
        self.assertNotIn("@1", res)

    def test_a_boot_on_a_coarse_clock_boots_again(self) -> None:
        kernels: List[str] = []

        def run_boot(machine: rig_boot.Machine, name: str, mode: str, log: str,
                     timeout: int, printer: rig_boot.Printer, append: str = "",
                     *args: object, **kwargs: object) -> rig_boot.BootOutcome:
            kernels.append(machine.kout)
            p = bench.Plan("base" if len(kernels) < 4 else "ours", 0, 4, "main")
            text = fake_console(p)
            if len(kernels) in (2, 3):
                # came up on jiffies: the guest measured nothing
                text = ("@@HWBP-BEGIN env\nclocksource refined-jiffies\n@@HWBP-END env rc=0\n"
                        "@@HWBP-BEGIN clock_end\nclocksource refined-jiffies\n"
                        "@@HWBP-END clock_end rc=0\n@@HWBP-DONE\n")
            return rig_boot.BootOutcome(log, text, rig_boot.parse_sections(text), 1.0,
                                        True, "")

        res = run_fake_bench(self, run_boot, "bench-control", 1, 0, 3.0, (4,),
                             "rig.py bench --control", control=True)
        # the control run boots build/base in both columns; ours' first
        # two boots came up coarse, the third counted
        self.assertEqual(len(kernels), 4)
        self.assertEqual({os.path.basename(k) for k in kernels}, {"base"})
        self.assertIn("control run: both columns are build/base", res)
        self.assertEqual(res.count("coarse clock: booted again"), 2)
        self.assertNotIn("EXCLUDED", res)
        rows = {re.split(r"\s{2,}", line.strip())[0]: line for line in res.splitlines()
                if line.startswith("  ")}
        self.assertRegex(rows["-b 0 -p 4 -t 16"], r" 0\.800 +0\.800 0\.800-0\.800 +1/1 +0/0")

    def test_together_boots_each_pair_at_once_on_swapped_halves(self) -> None:
        barrier = threading.Barrier(2, timeout=5)
        lock = threading.Lock()
        boots: List[Tuple[str, str, str]] = []

        def run_boot(machine: rig_boot.Machine, name: str, mode: str, log: str,
                     timeout: int, printer: rig_boot.Printer, append: str = "",
                     *args: object, **kwargs: object) -> rig_boot.BootOutcome:
            # both boots of a step must be running at once to get past this
            barrier.wait()
            kernel = os.path.basename(machine.kout)
            p = bench.Plan(kernel, int(re.search(r"round (\d+)", name).group(1)) - 1,
                           machine.smp, "main")
            with lock:
                boots.append((kernel, machine.host_cpus, name))
                # ours came up on jiffies in its first try of round 2
                clock = "refined-jiffies" if (kernel, p.round) == ("ours", 1) and \
                    sum(1 for b in boots if b[2] == name) == 1 else "tsc"
            text = fake_console(p)
            if clock != "tsc":
                text = text.replace("clocksource tsc-early", "clocksource " + clock)
            return rig_boot.BootOutcome(log, text, rig_boot.parse_sections(text), 1.0,
                                        True, "")

        with mock.patch.object(os, "cpu_count", lambda: 2):
            res = run_fake_bench(self, run_boot, "bench", 2, 0, 3.0, (4,), "make bench",
                                 together=True)
        # round 1: base first, on CPU 0; round 2: ours first, on CPU 0, and
        # its coarse first try boots the pair again
        self.assertEqual(sorted(boots[:2]), [("base", "0", "base round 1 main (4 vCPUs)"),
                                             ("ours", "1", "ours round 1 main (4 vCPUs)")])
        self.assertEqual(sorted(boots[2:4]), [("base", "1", "base round 2 main (4 vCPUs)"),
                                              ("ours", "0", "ours round 2 main (4 vCPUs)")])
        self.assertEqual(sorted(boots[4:]), sorted(boots[2:4]))
        self.assertIn("boots: each round's two at the same time, on host CPUs 0 and 1", res)
        self.assertRegex(res, r"ours-r2-main4 +1 s  refined-jiffies -> tsc  coarse clock: "
                         r"booted again")
        self.assertRegex(res, r"base-r2-main4 +1 s  tsc-early -> tsc  booted again with its pair")
        rows = {re.split(r"\s{2,}", line.strip())[0]: line for line in res.splitlines()
                if line.startswith("  ")}
        self.assertRegex(rows["-b 0 -p 4 -t 16"], r" 0\.800 +0\.800 0\.800-0\.800 +2/2 +0/0")

    def test_host_halves(self) -> None:
        self.assertEqual(bench.host_halves(2), ("0", "1"))
        self.assertEqual(bench.host_halves(5), ("0-1", "2-3"))
        with self.assertRaises(ValueError):
            bench.host_halves(1)

    def test_derived_quotient_of_times(self) -> None:
        t = bench.Tally()
        for kernel, watched in (("base", [100.0, 90.0, 110.0]), ("ours", [200.0])):
            t.values[kernel][("hit_watched", 4)] = dict(enumerate(watched))
            t.values[kernel][("hit_unwatched", 4)] = {0: 1000.0}
        t.units[("hit_watched", 4)] = t.units[("hit_unwatched", 4)] = "stores/s"
        line = bench.derived_row(t, "x", "hit_watched", "hit_unwatched", 4)
        self.assertRegex(line, r"ratio +10\.000 +5\.000 +0\.500 *$")

    def test_spread_is_flagged(self) -> None:
        t = bench.Tally()
        t.values["base"][("pipe", 4)] = {0: 10.0, 1: 16.0}
        t.values["ours"][("pipe", 4)] = {0: 10.0, 1: 14.0}
        t.units[("pipe", 4)] = "usecs/op"
        line = bench.row(t, "x", ("pipe", 4), "main")
        self.assertIn("SPREAD base 1.60", line)
        self.assertNotIn("SPREAD ours", line)

    def test_paired_ratio_is_per_round(self) -> None:
        """Rounds pair up by number, a round one kernel lacks counts for
        neither, and a rate's ratio is inverted like a time's."""
        t = bench.Tally()
        t.values["base"][("ptrace_move", 4)] = {0: 100.0, 1: 200.0, 2: 400.0}
        t.values["ours"][("ptrace_move", 4)] = {0: 200.0, 1: 100.0, 3: 1.0}
        t.units[("ptrace_move", 4)] = "ops/s"
        self.assertEqual(t.paired(("ptrace_move", 4)), [0.5, 2.0])
        line = bench.row(t, "x", ("ptrace_move", 4), "main")
        # medians: base 200, ours 100: 2.000; paired: median of 0.5 and 2.0
        self.assertRegex(line, r" 2\.000 +1\.250 0\.500-2\.000 +3/3 ")



class BenchGuestLoopTest(unittest.TestCase):
    """rig/guest/init's perf_for under busybox sh, on a fake perf bench
    whose Total time is its count in milliseconds."""
    FAKE = ("#!/bin/sh\n"
            "[ \"$1\" = fail ] && { echo 'perf: oops'; exit 3; }\n"
            "[ \"$1\" = mute ] && exit 0\n"
            "echo \"# Executed $1 pipe operations between two processes\"\n"
            "echo \"     Total time: $(awk -v n=$1 'BEGIN { printf \"%.3f\", n / 1000 }') [sec]\"\n"
            "echo\n"
            "echo '     1000.000000 usecs/op'\n")

    def perf_for(self, *args: str) -> rig_boot.Section:
        top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        with open(os.path.join(top, "rig", "guest", "init")) as f:
            init = f.read()
        funcs = init[init.index("# --- make bench"):init.index("kselftest() {")]
        with tempfile.TemporaryDirectory() as d:
            fake = os.path.join(d, "fakebench")
            with open(fake, "w") as f:
                f.write(self.FAKE)
            os.chmod(fake, 0o755)
            # the guest's awk and sed are busybox's
            for applet in ("awk", "sed"):
                os.symlink("/bin/busybox", os.path.join(d, applet))
            script = funcs + "\nperf_for %s\necho \"@@rc=$?\"\n" % " ".join(args)
            out = subprocess.run(["busybox", "sh", "-c", script], capture_output=True,
                                 text=True, env={"PATH": d + ":/bin:/usr/bin"}, timeout=60)
        text, _, rc = out.stdout.rpartition("@@rc=")
        return rig_boot.Section(int(rc), text)

    def counts(self, sec: rig_boot.Section) -> List[int]:
        return [int(n) for n in re.findall(r"^# Executed (\d+) ", sec.text, re.M)]

    def test_runs_until_the_seconds_are_spent(self) -> None:
        sec = self.perf_for("3", "100", "1", "fakebench", "@N@")
        self.assertEqual(sec.rc, 0)
        self.assertEqual(self.counts(sec), [100, 3190])
        got = bench.parse_perf_bench(sec.text).measure
        assert got is not None
        self.assertEqual((got.value, got.runs), (1000.0, 2))
        self.assertGreaterEqual(got.seconds or 0, 3)

    def test_short_runs_grow_tenfold_in_steps(self) -> None:
        sec = self.perf_for("1", "16", "16", "fakebench", "@N@")
        self.assertEqual(self.counts(sec)[:2], [16, 160])
        self.assertTrue(all(n % 16 == 0 for n in self.counts(sec)))
        self.assertGreaterEqual(sum(self.counts(sec)), 1000)

    def test_zero_seconds_is_one_run(self) -> None:
        self.assertEqual(self.counts(self.perf_for("0", "20", "1", "fakebench", "@N@")), [20])

    def test_failures(self) -> None:
        sec = self.perf_for("3", "1", "1", "fakebench", "fail")
        self.assertEqual((sec.rc, sec.text.strip()), (3, "perf: oops"))
        sec = self.perf_for("3", "1", "1", "fakebench", "mute")
        self.assertEqual(sec.rc, 1)
        self.assertIn("no Total time", sec.text)

def fuzz_run(n: int, rc: Optional[int] = 0, body: str = "0 p0.0 run\n",
             slots: str = "leak: slots view: every count zero (4 rows)") -> str:
    text = ("ptrace_dr_fuzz seed 1 ops 1 lines 1 digest-every 0\n" + body +
            "== done: 1 ops, digest 00000000000000ab, 0 tracees misbehaved\n"
            "== leak check\n"
            "leak: 4 CPU-wide pinned breakpoints open on each of 4 CPUs\n" + slots + "\n")
    return text + ("@@ run %d rc=%d\n" % (n, rc) if rc is not None else "")


class PtraceFuzzTest(unittest.TestCase):
    def test_runs_split_into_transcript_and_leak_lines(self) -> None:
        runs = ptrace_fuzz.split_runs(fuzz_run(1) + fuzz_run(2, rc=1))
        self.assertEqual([r.rc for r in runs], [0, 1])
        self.assertEqual(runs[0].transcript, runs[1].transcript)
        self.assertTrue(runs[0].transcript.startswith("ptrace_dr_fuzz seed 1"))
        self.assertTrue(runs[0].transcript.endswith("0 tracees misbehaved\n"))
        self.assertNotIn("leak", runs[0].transcript)
        self.assertEqual(len(runs[0].leak), 2)
        self.assertEqual((runs[0].ops, runs[0].misbehaved), (1, 0))

    def test_unfinished_run(self) -> None:
        text = fuzz_run(1) + "ptrace_dr_fuzz seed 1 ops 9 lines 9 digest-every 0\n0 p0.0 run\n"
        runs = ptrace_fuzz.split_runs(text)
        self.assertEqual(len(runs), 2)
        self.assertEqual((runs[1].rc, runs[1].ops, runs[1].leak), (None, -1, []))

    def test_first_difference(self) -> None:
        self.assertIsNone(ptrace_fuzz.first_difference("a\nb\n", "a\nb\n"))
        self.assertEqual(ptrace_fuzz.first_difference("a\nb\n", "a\nc\n"), (2, "b", "c"))
        self.assertEqual(ptrace_fuzz.first_difference("a\n", "a\n\n"), (2, "", ""))
        self.assertEqual(ptrace_fuzz.first_difference("a\nb\n", "a\n"), (2, "b", ""))

    def test_leak_verdicts(self) -> None:
        run = ptrace_fuzz.split_runs(fuzz_run(1))[0]
        self.assertEqual([(r.ok, r.skip) for r in ptrace_fuzz.leak_results(run)],
                         [(True, False), (True, False)])
        base = ptrace_fuzz.split_runs(fuzz_run(
            1, slots="leak: no /sys/kernel/debug/hw_breakpoint/slots (ENOENT)"))[0]
        self.assertTrue(ptrace_fuzz.leak_results(base)[1].skip)
        leak = ptrace_fuzz.split_runs(fuzz_run(1, slots="leak: slots view: 0 any 4 1 0 0 3"))[0]
        self.assertFalse(ptrace_fuzz.leak_results(leak)[1].ok)

    def test_evaluate_against_golden(self) -> None:
        text = fuzz_run(1) + fuzz_run(2)
        with tempfile.TemporaryDirectory() as logs:
            golden = os.path.join(logs, "golden.txt")
            with open(golden, "w") as f:
                f.write(ptrace_fuzz.split_runs(text)[0].transcript)
            ctx = rig_suites.Context("ours", "", logs)
            with mock.patch.object(ptrace_fuzz, "GOLDEN", golden):
                got = ptrace_fuzz.evaluate({"ptrace_fuzz": section(text)}, ctx)
                self.assertTrue(all(r.ok for r in got), got)
                bad = text.replace("0 p0.0 run", "0 p0.0 run T4@w+1/0xffff0ff1", 1)
                got = ptrace_fuzz.evaluate({"ptrace_fuzz": section(bad)}, ctx)
            self.assertEqual([r.case for r in got if not r.ok],
                             ["two runs in one boot give the same transcript",
                              "transcript identical to the baseline's (1 operations)"])
            self.assertTrue(os.path.exists(os.path.join(logs, "ptrace_dr_fuzz.diff")))

    def test_long_run_compares_with_the_baselines_long_run(self) -> None:
        text = "@@ mode long\n" + fuzz_run(1)
        with tempfile.TemporaryDirectory() as top:
            logs = os.path.join(top, "ours")
            os.mkdir(logs)
            ctx = rig_suites.Context("ours", "", logs)
            got = ptrace_fuzz.evaluate({"ptrace_fuzz": section(text)}, ctx)
            self.assertEqual([(r.ok, r.skip) for r in got if r.case.startswith("long")],
                             [(False, True)])
            os.mkdir(os.path.join(top, "base"))
            with open(os.path.join(top, "base", ptrace_fuzz.LONG_LOG), "w") as f:
                f.write(ptrace_fuzz.split_runs(fuzz_run(1))[0].transcript)
            got = ptrace_fuzz.evaluate({"ptrace_fuzz": section(text)}, ctx)
            self.assertEqual([(r.ok, r.skip) for r in got if r.case.startswith("long")],
                             [(True, False)])
            self.assertEqual(len(got), 4)

    def test_robustness_run_compares_with_its_own_baseline(self) -> None:
        """make robustness logs to base-robust and ours-robust: ours must
        meet base-robust's long run, not a missing or older build/logs/base
        one, and base-robust is the baseline itself."""
        text = "@@ mode long\n" + fuzz_run(1)
        with tempfile.TemporaryDirectory() as top:
            for d in ("base", "base-robust", "ours-robust"):
                os.mkdir(os.path.join(top, d))
            older = fuzz_run(1, body="0 p0.0 run T4@w+1/0xffff0ff1\n")
            with open(os.path.join(top, "base", ptrace_fuzz.LONG_LOG), "w") as f:
                f.write(ptrace_fuzz.split_runs(older)[0].transcript)
            with open(os.path.join(top, "base-robust", ptrace_fuzz.LONG_LOG), "w") as f:
                f.write(ptrace_fuzz.split_runs(fuzz_run(1))[0].transcript)
            ctx = rig_suites.Context("ours-robust", "", os.path.join(top, "ours-robust"))
            self.assertEqual(ctx.baseline_logs, os.path.join(top, "base-robust"))
            got = ptrace_fuzz.evaluate({"ptrace_fuzz": section(text)}, ctx)
            self.assertEqual([(r.ok, r.skip) for r in got if r.case.startswith("long")],
                             [(True, False)])
            ctx = rig_suites.Context("base-robust", "", os.path.join(top, "base-robust"))
            got = ptrace_fuzz.evaluate({"ptrace_fuzz": section(text)}, ctx)
            self.assertEqual([r.note for r in got if r.case.startswith("long")],
                             ["this is the baseline"])
        self.assertEqual(rig_suites.Context("ours", "", "/l/ours").baseline_logs, "/l/base")
        self.assertEqual(rig_suites.Context("base", "", "/l/base").baseline_logs, "/l/base")


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


class HwbpFuzzTest(unittest.TestCase):
    HEAD = ["hw_breakpoint_fuzz seed 0x1 iters 2 digest 0", "cpus 4", "ksyms: all found"]
    TAIL = ["leak cpu0 4/4 pinned CPU-wide breakpoints open", "leak verdict: ok, every slot free"]

    def run_fuzz(self, lines: List[str], golden: List[str], kernel: str = "ours",
                 again: str = "same", rc: int = 0) -> Dict[str, Result]:
        text = "[   1.0] some console line\n" + "\n".join(lines) + "\n@@ again: %s\n" % again
        with tempfile.TemporaryDirectory() as d:
            gold = os.path.join(d, "golden.txt")
            with open(gold, "w") as f:
                f.write("\n".join(golden) + "\n")
            ctx = rig_suites.Context(kernel, d, os.path.join(d, "logs", kernel), d)
            with mock.patch.object(hwbp_fuzz, "GOLDEN", gold):
                got = hwbp_fuzz.evaluate({"hwbp_fuzz": rig_boot.Section(rc, text)}, ctx)
            with open(os.path.join(d, "logs", kernel, hwbp_fuzz.LOG_NAME)) as f:
                self.assertEqual(f.read().splitlines(), lines)
        return {r.case: r for r in got}

    @staticmethod
    def case(got: Dict[str, Result], part: str) -> Result:
        return next(r for c, r in got.items() if part in c)

    def test_identical_and_no_leak_pass(self) -> None:
        body = ["i 0 t=2 l=4 a=udata+0x0 f=- p=1 pid=self cpu=-1 -> ok s3 | s3 rd=8:1"]
        lines = self.HEAD + body + ["leak view: zero (4 rows)"] + self.TAIL
        got = self.run_fuzz(lines, self.HEAD + body + ["leak view: absent"] + self.TAIL)
        self.assertTrue(all(r.status == Status.PASS for r in got.values()), got)
        self.assertEqual(len(got), 5)

    def test_marked_request_may_differ_only_as_documented(self) -> None:
        base = ["i 0 !t=4 l=8 a=entry+0x0 f=- p=1 pid=all cpu=0 -> ok | s1 !mod(t=4 l=8 "
                "a=noinstr+0x3)=ok | s1 rd=8:0"]
        ours = ["i 0 !t=4 l=8 a=entry+0x0 f=- p=1 pid=all cpu=0 -> EINVAL | s1 !mod(t=4 l=8 "
                "a=noinstr+0x3)=EINVAL | s1 rd=8:0"]
        cmp = hwbp_fuzz.compare(base, ours)
        self.assertEqual((cmp.ok, cmp.allowed), (True, 1))
        # ours must refuse with EINVAL, and nothing else may differ
        for bad in (ours[0].replace("-> EINVAL", "-> EPERM"), ours[0].replace("8:0", "8:1")):
            self.assertFalse(hwbp_fuzz.compare(base, [bad]).ok, bad)
        unmarked = [base[0].replace("!", "")]
        self.assertFalse(hwbp_fuzz.compare(unmarked, [ours[0].replace("!", "")]).ok)

    def test_digest_blocks(self) -> None:
        base = ["block 0 iters 0-9 digest 00ff marked einval=1 other=2"]
        self.assertTrue(hwbp_fuzz.compare(
            base, ["block 0 iters 0-9 digest 00ff marked einval=3 other=0"]).ok)
        for bad in ("block 0 iters 0-9 digest 00fe marked einval=3 other=0",
                    "block 0 iters 0-9 digest 00ff marked einval=2 other=1"):
            self.assertFalse(hwbp_fuzz.compare(base, [bad]).ok, bad)

    def test_differences_leaks_and_second_run_fail(self) -> None:
        body = ["i 0 t=2 l=4 a=udata+0x0 f=- p=1 pid=self cpu=-1 -> ok s3"]
        lines = self.HEAD + body + ["leak view: NONZERO 0 any 4 1 0 0 3",
                                    "leak cpu0 3/4 pinned CPU-wide breakpoints open: ENOSPC",
                                    "leak verdict: LEAK"]
        golden = self.HEAD + [body[0].replace("ok s3", "ENOSPC")] + self.TAIL
        got = self.run_fuzz(lines, golden, again="differs", rc=1)
        self.assertTrue(all(r.status == Status.FAIL for r in got.values()), got)
        self.assertIn("line 4: 6.12", self.case(got, "transcript identical").note)

    def test_base_without_view_skips_the_view_case(self) -> None:
        lines = self.HEAD + ["leak view: absent"] + self.TAIL
        got = self.run_fuzz(lines, lines, kernel="base")
        self.assertEqual(self.case(got, "debugfs").status, Status.SKIP)
        self.assertEqual(self.case(got, "transcript identical").status, Status.PASS)

    def test_registered_on_the_main_boot(self) -> None:
        suite = next(s for s in rig_suites.SUITES if s.name == "hwbp-fuzz")
        self.assertEqual((suite.boot, suite.sections), ("main", ("hwbp_fuzz",)))


if __name__ == "__main__":
    unittest.main()
