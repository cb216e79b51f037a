// SPDX-License-Identifier: GPL-2.0
/*
 * Flexible breakpoints.  With the breakpoint PMU's "multiplex" file at 1, a
 * perf_event_open() breakpoint that neither it nor its group leader pins and
 * that sends no signal holds no debug register of its own: it always opens,
 * runs only in the registers the pinned ones leave, and perf rotates it with
 * the other flexible ones, so that its count is an estimate to be scaled by
 * time_enabled / time_running.
 *
 * Everything else stays pinned and must keep working exactly: attr.pinned
 * events and their groups, sigtrap events and ptrace's debug registers.  An
 * event keeps the class it was created with when the file changes.  At 0
 * (the default) every breakpoint needs a register, as on kernels without the
 * file, where only that case runs and the others are skipped.
 *
 * Needs root for the file.  x86: four debug registers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "hw_breakpoint_selftest.h"

#define PMU_DIR		"/sys/bus/event_source/devices/breakpoint/"
#define NO_MUX		"no breakpoint multiplexing in this kernel"

#define NR_FLEX		8

#ifndef TRAP_PERF
#define TRAP_PERF	6
#endif

/*
 * A paced run lasts RUN_S of wall time and at least MIN_ROTATIONS mux
 * intervals, after CALIBRATE_S of unpaced stores that tell what a store
 * costs: a trapping one takes tens of microseconds under QEMU TCG and next
 * to nothing on hardware, so the pace is measured, not assumed.
 */
#define RUN_S		2.5
#define MIN_ROTATIONS	200
#define CALIBRATE_S	0.25
/*
 * One store per SLOT_FACTOR times what a trapping store costs (the 95th
 * percentile of the calibration's stores, of which at least a quarter
 * trap).  A store must fit its slot even while its cell is in a register,
 * or the cells in the registers see fewer stores per second while they are
 * counted, the loop falls behind and catches up in the next mux interval,
 * when other cells are counted: their estimates come out high.
 */
#define SLOT_FACTOR	3
/* A clock that steps by more than this cannot pace stores */
#define COARSE_CLOCK_S	0.00005
/* Stores whose cost is kept during calibration */
#define CALIBRATE_MAX	65536
/*
 * This far behind the pace the task was not running: do not catch up.  More
 * than a tick, the resolution of the clock on a jiffies clocksource, which
 * TCG guests often fall back to.
 */
#define RESYNC_S	0.002
/* Unpaced runs that only need a few rotations or exact counts */
#define SHORT_S		0.3
/*
 * A scaled count is exact only if the stores are spread evenly over the
 * time the event was enabled.  The pacing spreads them; what is left is that
 * an event runs for whole mux intervals (over MIN_ROTATIONS intervals one
 * more or less is 2%), timer ticks that QEMU TCG delivers late and in
 * bursts, and TCG's stale DR6 bits (see held_throughout()), which add hits
 * to the cells perf moves between registers.  Measured under TCG on a tsc
 * clock: -12% to +28%, the most written cell always highest, as stale bits
 * only add.  Hence more room above than below; on hardware the error is
 * the first term alone.
 */
#define TOLERANCE_PCT		35	/* below the stores */
#define TOLERANCE_ABOVE_PCT	50	/* above them */
/* Stores to each ptrace watchpoint, before and after the paced part */
#define PT_STORES	5

#define BP_PINNED	0x1
#define BP_SIGTRAP	0x2

static long flex_cell[NR_FLEX];
static long pin_cell[NR_DR];
static long pt_cell[NR_DR];
static long sig_cell;

/* The multiplex file: its value at start (-1: none), why a case cannot use it */
static int mux_saved = -1;
static const char *mux_why;
static int mux_interval_ms = 4;

struct count {
	uint64_t value;
	uint64_t enabled;
	uint64_t running;
};

/* Paced stores to a set of cells, and how many each got */
struct writes {
	long *cell[NR_FLEX];
	int nr_cells;
	unsigned long nr[NR_FLEX];
	double secs;
	double slot;
	unsigned long resyncs;
};

/* Shared with the traced children, which do the stores there */
static struct writes *shared;

static int perf_traps;	/* SIGTRAPs from perf, counted by the handler */
static int pt_nr;

/* One store instruction: the only kind of access a test makes to a cell */
static void store(long *cell, long v)
{
	__atomic_store_n(cell, v, __ATOMIC_RELAXED);
}

/* Async-signal-safe: also called from the signal handler. */
static int mux_write(const char *val)
{
	return hwbp_write_file(HWBP_MUX_FILE, val);
}

static void mux_restore(void)
{
	if (mux_saved == 0 || mux_saved == 1)
		mux_write(mux_saved ? "1" : "0");
}

static void on_fatal_signal(int sig)
{
	mux_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void report(bool ok, const char *name)
{
	ksft_test_result_code(ok ? KSFT_PASS : KSFT_FAIL, name, NULL);
}

static void report_all(bool ok, const char * const *names, int n)
{
	for (int i = 0; i < n; i++)
		report(ok, names[i]);
}

/*
 * Put the multiplex file at @on for a case.  False if it cannot be: each of
 * @names is then skipped (no file, not root) or failed (the write failed).
 */
static bool mux_case(int on, const char * const *names, int n)
{
	int err, got;

	if (mux_why) {
		for (int i = 0; i < n; i++)
			ksft_test_result_code(KSFT_SKIP, names[i], "%s", mux_why);
		return false;
	}
	err = mux_write(on ? "1" : "0");
	got = hwbp_mux_get();
	if (!err && got == on)
		return true;
	ksft_print_msg("setting multiplex to %d: %s, it reads %d\n", on,
		       strerror(-err), got);
	report_all(false, names, n);
	return false;
}

static int bp_open(pid_t pid, long *cell, unsigned int flags, int group)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(attr),
		.bp_type = HW_BREAKPOINT_W,
		.bp_addr = (unsigned long)cell,
		.bp_len = sizeof(long),
		.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			       PERF_FORMAT_TOTAL_TIME_RUNNING,
		.pinned = !!(flags & BP_PINNED),
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	int fd;

	if (flags & BP_SIGTRAP) {
		attr.sigtrap = 1;
		attr.remove_on_exec = 1;
		attr.sample_period = 1;
	}
	fd = syscall(__NR_perf_event_open, &attr, pid, -1, group, 0);
	return fd < 0 ? -errno : fd;
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/* One breakpoint per cell; 0, or the first error with nothing left open */
static int open_all(int *fds, int n, pid_t pid, long *cells, unsigned int flags)
{
	for (int i = 0; i < n; i++)
		fds[i] = -1;
	for (int i = 0; i < n; i++) {
		fds[i] = bp_open(pid, &cells[i], flags, -1);
		if (fds[i] < 0) {
			int err = fds[i];

			ksft_print_msg("breakpoint %d of %d: %s\n", i + 1, n,
				       strerror(-err));
			close_all(fds, n);
			return err;
		}
	}
	return 0;
}

static bool read_all(const int *fds, int n, struct count *c)
{
	for (int i = 0; i < n; i++)
		if (read(fds[i], &c[i], sizeof(c[i])) != sizeof(c[i]))
			return false;
	return true;
}

static void disable_all(const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		ioctl(fds[i], PERF_EVENT_IOC_DISABLE, 0);
}

/*
 * Store to every cell of @w for RUN_S, cell i (i + 1) times in every pass
 * over them, one store per slot of time, so that every stretch of the run
 * sees the same mix at the same rate whichever cells are in the registers.
 */
/*
 * The smallest step CLOCK_MONOTONIC takes here.  Pacing needs steps well
 * below a store's slot; a guest on a jiffies clocksource (QEMU TCG falls
 * back to one when the TSC looks unstable) steps by whole ticks.
 */
static double clock_step(void)
{
	double step = 1, t = hwbp_now(), end = t + 0.05;

	while (t < end) {
		double u = hwbp_now();

		if (u > t && u - t < step)
			step = u - t;
		t = u;
	}
	return step;
}

/* The clock is too coarse to pace stores: the reason, or NULL */
static const char *coarse_clock(void)
{
	static char why[80];
	double step = clock_step();

	if (step <= COARSE_CLOCK_S)
		return NULL;
	snprintf(why, sizeof(why), "clock steps by %.0f us, too coarse to pace stores",
		 step * 1e6);
	return why;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void paced_writes(struct writes *w)
{
	static double cost[CALIBRATE_MAX];

	int order[NR_FLEX * (NR_FLEX + 1) / 2], len = 0, j = 0;
	double start, t, next, end, secs;
	unsigned long done = 0;

	for (int k = 0; k < w->nr_cells; k++)
		for (int i = k; i < w->nr_cells; i++)
			order[len++] = i;
	memset(w->nr, 0, sizeof(w->nr));
	w->resyncs = 0;

	start = hwbp_now();
	t = start;
	do {
		double before = t;

		store(w->cell[order[j]], done);
		w->nr[order[j]]++;
		j = (j + 1) % len;
		t = hwbp_now();
		if (done < CALIBRATE_MAX)
			cost[done] = t - before;
		done++;
	} while (t - start < CALIBRATE_S);
	qsort(cost, done < CALIBRATE_MAX ? done : CALIBRATE_MAX, sizeof(cost[0]),
	      cmp_double);
	w->slot = SLOT_FACTOR * cost[(done < CALIBRATE_MAX ? done : CALIBRATE_MAX) * 95 / 100];

	secs = RUN_S;
	if (secs < MIN_ROTATIONS * mux_interval_ms / 1000.0)
		secs = MIN_ROTATIONS * mux_interval_ms / 1000.0;
	for (next = t, end = t + secs; next < end; next += w->slot) {
		store(w->cell[order[j]], done);
		w->nr[order[j]]++;
		j = (j + 1) % len;
		done++;
		t = hwbp_now();
		if (t - next > RESYNC_S) {
			next = t;
			w->resyncs++;
		}
		while (t < next)
			t = hwbp_now();
	}
	w->secs = hwbp_now() - start;
}

/* One cell's count, scaled, within the tolerances of its stores */
static bool cell_ok(int i, const struct count *c, unsigned long stores)
{
	double scaled, dev;

	if (!c->running || c->running >= c->enabled) {
		ksft_print_msg("%d: running %llu of %llu ns\n", i,
			       (unsigned long long)c->running,
			       (unsigned long long)c->enabled);
		return false;
	}
	scaled = (double)c->value * c->enabled / c->running;
	dev = 100.0 * (scaled - stores) / stores;
	ksft_print_msg("%d: %lu stores, %llu counted in %.1f%% of the time: %.0f scaled, %+.1f%%\n",
		       i, stores, (unsigned long long)c->value,
		       100.0 * c->running / c->enabled, scaled, dev);
	return dev >= -TOLERANCE_PCT && dev <= TOLERANCE_ABOVE_PCT;
}

/* Every cell of @w counted within tolerance, and none all the time */
static bool scaled_ok(const struct count *c, const struct writes *w)
{
	bool ok = w->secs >= 2.0;

	ksft_print_msg("%.2f s, a store every %.1f us, %lu resyncs\n", w->secs,
		       w->slot * 1e6, w->resyncs);
	for (int i = 0; i < w->nr_cells; i++)
		ok = cell_ok(i, &c[i], w->nr[i]) && ok;
	return ok;
}

/* @n events, all open since before @n stores to each: every one counted */
static bool exact(const struct count *c, int n, unsigned long stores)
{
	bool ok = true;

	for (int i = 0; i < n; i++) {
		if (c[i].value != stores || c[i].running != c[i].enabled) {
			ksft_print_msg("pinned %d: %llu of %lu stores, running %llu of %llu ns\n",
				       i, (unsigned long long)c[i].value, stores,
				       (unsigned long long)c[i].running,
				       (unsigned long long)c[i].enabled);
			ok = false;
		}
	}
	return ok;
}

/*
 * @n events in the registers the whole time and missing no store.  Not
 * exact: these are perf's flexible-list events (accounted, not pinned), so
 * perf's rotation takes them out and puts them back, into other registers,
 * every mux interval, and QEMU TCG (7.2) then reports stale hits: one store
 * can set the DR6 bits of other registers whose watchpoints fired before
 * (seen: DR6 0xa for one store, B1 and B3 on two different cells).  A
 * pinned event is never moved and counts exactly (exact() above).
 */
static bool held_throughout(const struct count *c, int n, unsigned long stores)
{
	bool ok = true;

	for (int i = 0; i < n; i++) {
		bool held = c[i].value >= stores && c[i].running == c[i].enabled;

		if (!held || c[i].value != stores)
			ksft_print_msg("%s %d: %llu of %lu stores, running %llu of %llu ns\n",
				       held ? "held (extra hits: stale DR6 bits)" : "not held",
				       i, (unsigned long long)c[i].value, stores,
				       (unsigned long long)c[i].running,
				       (unsigned long long)c[i].enabled);
		ok = ok && held;
	}
	return ok;
}

/*
 * What @after adds to @before: no running time, no count, while enabled
 * time went on.  Where the clock steps by whole ticks, a run shorter than
 * one may add no enabled time at all; the count still tells, as every
 * caller stores to each of these cells while they are enabled.
 */
static bool never_ran(const struct count *before, const struct count *after, int n)
{
	int coarse = -1;
	bool ok = true;

	for (int i = 0; i < n; i++) {
		bool idle = after[i].enabled == before[i].enabled;

		if (idle && coarse < 0)
			coarse = !!coarse_clock();
		if (after[i].running != before[i].running ||
		    after[i].value != before[i].value || (idle && !coarse)) {
			ksft_print_msg("flexible %d: counted %llu, running %llu of %llu ns\n", i,
				       (unsigned long long)(after[i].value - before[i].value),
				       (unsigned long long)(after[i].running - before[i].running),
				       (unsigned long long)(after[i].enabled - before[i].enabled));
			ok = false;
		}
	}
	return ok;
}

/* For SHORT_S, one store to each of @pinned pin cells and to each flexible cell */
static unsigned long short_run(int pinned)
{
	double end = hwbp_now() + SHORT_S;
	unsigned long n = 0;

	while (hwbp_now() < end) {
		n++;
		for (int i = 0; i < pinned; i++)
			store(&pin_cell[i], n);
		for (int i = 0; i < NR_FLEX; i++)
			store(&flex_cell[i], n);
	}
	return n;
}

static void case_off(const char * const *names, int nr_names)
{
	int fds[NR_DR], fd, err;

	/* With no file this is the kernel's only behaviour: still checked. */
	if (mux_saved != -1 && !mux_case(0, names, nr_names))
		return;
	err = open_all(fds, NR_DR, 0, pin_cell, 0);
	fd = err ? err : bp_open(0, &sig_cell, 0, -1);
	if (fd != -ENOSPC)
		ksft_print_msg("four: %s, the fifth: %s\n", strerror(-err),
			       fd < 0 ? strerror(-fd) : "opened");
	report(!err && fd == -ENOSPC, names[0]);
	if (fd >= 0)
		close(fd);
	close_all(fds, NR_DR);
}

static void case_knob(const char * const *names, int nr_names)
{
	int before, err, after, on, off;

	if (mux_why) {
		ksft_test_result_code(KSFT_SKIP, names[0], "%s", mux_why);
		return;
	}
	before = hwbp_mux_get();
	err = mux_write("2");
	after = hwbp_mux_get();
	mux_write("1");
	on = hwbp_mux_get();
	mux_write("0");
	off = hwbp_mux_get();
	ksft_print_msg("read %d, writing 2: %s, then %d; 1 and 0 read back as %d, %d\n",
		       before, strerror(-err), after, on, off);
	report((before == 0 || before == 1) && err == -EINVAL && after == before &&
	       on == 1 && off == 0, names[0]);
}

static void case_flex_eight(const char * const *names, int nr_names)
{
	struct writes w = { .nr_cells = NR_FLEX };
	struct count c[NR_FLEX];
	int fds[NR_FLEX], err;
	uint64_t sum = 0, span = 0;
	const char *coarse;
	bool ran_ok = true;

	if (!mux_case(1, names, nr_names))
		return;
	coarse = coarse_clock();
	err = open_all(fds, NR_FLEX, 0, flex_cell, 0);
	report(!err, names[0]);
	if (err) {
		report_all(false, names + 1, nr_names - 1);
		return;
	}
	for (int i = 0; i < NR_FLEX; i++)
		w.cell[i] = &flex_cell[i];
	paced_writes(&w);
	disable_all(fds, NR_FLEX);
	if (!read_all(fds, NR_FLEX, c)) {
		ksft_print_msg("read: %s\n", strerror(errno));
		report_all(false, names + 1, nr_names - 1);
		close_all(fds, NR_FLEX);
		return;
	}
	if (coarse)
		ksft_test_result_code(KSFT_SKIP, names[1], "%s", coarse);
	else
		report(scaled_ok(c, &w), names[1]);
	for (int i = 0; i < NR_FLEX; i++) {
		sum += c[i].running;
		if (c[i].enabled > span)
			span = c[i].enabled;
		if (!c[i].running || c[i].running >= c[i].enabled)
			ran_ok = false;
	}
	/* enabled one after the other: allow for that in the span */
	ksft_print_msg("%.2f registers busy on average\n", (double)sum / span);
	report(ran_ok && sum <= NR_DR * span + NR_DR * span / 100, names[2]);
	close_all(fds, NR_FLEX);
}

static void case_group(const char * const *names, int nr_names)
{
	int leader, fds[NR_DR], err = 0;

	if (!mux_case(1, names, nr_names))
		return;
	leader = bp_open(0, &pin_cell[0], BP_PINNED, -1);
	for (int i = 0; i < NR_DR; i++)
		fds[i] = leader < 0 ? leader : bp_open(0, &flex_cell[i], 0, leader);
	for (int i = 0; i < NR_DR - 1; i++)
		if (fds[i] < 0)
			err = fds[i];
	if (err || fds[NR_DR - 1] != -ENOSPC)
		ksft_print_msg("leader: %s, first three members: %s, the fourth: %s\n",
			       leader < 0 ? strerror(-leader) : "opened", strerror(-err),
			       fds[NR_DR - 1] < 0 ? strerror(-fds[NR_DR - 1]) : "opened");
	report(leader >= 0 && !err && fds[NR_DR - 1] == -ENOSPC, names[0]);
	close_all(fds, NR_DR);
	if (leader >= 0)
		close(leader);
}

static void case_pinned(const char * const *names, int nr_names)
{
	struct count f0[NR_FLEX], f1[NR_FLEX], p[NR_DR];
	int flex[NR_FLEX], pin[NR_DR];
	unsigned long n;
	bool ok;

	if (!mux_case(1, names, nr_names))
		return;
	if (open_all(flex, NR_FLEX, 0, flex_cell, 0)) {
		report_all(false, names, nr_names);
		return;
	}
	ok = !open_all(pin, 2, 0, pin_cell, BP_PINNED);
	if (ok) {
		ok = read_all(flex, NR_FLEX, f0);
		n = short_run(2);
		ok = ok && read_all(pin, 2, p) && read_all(flex, NR_FLEX, f1) && exact(p, 2, n);
		for (int i = 0; ok && i < NR_FLEX; i++) {
			uint64_t run = f1[i].running - f0[i].running;

			if (!run || run >= f1[i].enabled - f0[i].enabled) {
				ksft_print_msg("flexible %d: running %llu ns of %llu\n", i,
					       (unsigned long long)run,
					       (unsigned long long)(f1[i].enabled - f0[i].enabled));
				ok = false;
			}
		}
		close_all(pin, 2);
	}
	report(ok, names[0]);

	ok = !open_all(pin, NR_DR, 0, pin_cell, BP_PINNED);
	if (ok) {
		ok = read_all(flex, NR_FLEX, f0);
		n = short_run(NR_DR);
		ok = ok && read_all(pin, NR_DR, p) && read_all(flex, NR_FLEX, f1);
		ok = exact(p, NR_DR, n) && never_ran(f0, f1, NR_FLEX) && ok;
		close_all(pin, NR_DR);
	}
	report(ok, names[1]);
	close_all(flex, NR_FLEX);
}

static void on_sigtrap(int sig, siginfo_t *info, void *uctx)
{
	if (sig == SIGTRAP && info->si_code == TRAP_PERF)
		__atomic_fetch_add(&perf_traps, 1, __ATOMIC_RELAXED);
}

static void case_sigtrap(const char * const *names, int nr_names)
{
	struct sigaction sa = { .sa_sigaction = on_sigtrap, .sa_flags = SA_SIGINFO };
	struct sigaction old;
	int flex[NR_FLEX], sig[NR_DR], fd, err, traps;
	double end;
	long n = 0;

	if (!mux_case(1, names, nr_names))
		return;
	if (open_all(flex, NR_FLEX, 0, flex_cell, 0)) {
		report_all(false, names, nr_names);
		return;
	}
	/* Never stored to: no signal is sent. */
	err = open_all(sig, NR_DR, 0, pin_cell, BP_SIGTRAP);
	fd = err ? err : bp_open(0, &sig_cell, BP_SIGTRAP, -1);
	if (fd != -ENOSPC)
		ksft_print_msg("four: %s, the fifth: %s\n", strerror(-err),
			       fd < 0 ? strerror(-fd) : "opened");
	report(!err && fd == -ENOSPC, names[0]);
	if (fd >= 0)
		close(fd);
	close_all(sig, NR_DR);

	sigaction(SIGTRAP, &sa, &old);
	__atomic_store_n(&perf_traps, 0, __ATOMIC_RELAXED);
	fd = bp_open(0, &sig_cell, BP_SIGTRAP, -1);
	for (end = hwbp_now() + SHORT_S; fd >= 0 && hwbp_now() < end;) {
		store(&sig_cell, ++n);
		for (int i = 0; i < NR_FLEX; i++)
			store(&flex_cell[i], n);
	}
	if (fd >= 0)
		close(fd);
	sigaction(SIGTRAP, &old, NULL);
	traps = __atomic_load_n(&perf_traps, __ATOMIC_RELAXED);
	ksft_print_msg("%s, %ld stores, %d signals\n", fd < 0 ? strerror(-fd) : "opened",
		       n, traps);
	report(fd >= 0 && n > 0 && traps == n, names[1]);
	close_all(flex, NR_FLEX);
}

/* DR7 bits of slot @n: local enable, write, a long */
static unsigned long dr7_write(int n)
{
	return dr7_local(n, DR7_RW_W, sizeof(long) == 8 ? DR7_LEN_8 : DR7_LEN_4);
}

/* ptrace takes DR0..DR(n-1) on pt_cell[]; 0 or the first error */
static long ptrace_take(pid_t pid, int n)
{
	unsigned long dr7 = 0;
	long err = 0;

	for (int i = 0; i < n && !err; i++) {
		err = hwbp_poke(pid, i, (unsigned long)&pt_cell[i]);
		dr7 |= dr7_write(i);
	}
	if (!err)
		err = hwbp_poke(pid, 7, dr7);
	if (err)
		ksft_print_msg("ptrace debug registers: %s\n", strerror(-err));
	return err;
}

static void pt_stores(void)
{
	for (int r = 0; r < PT_STORES; r++)
		for (int i = 0; i < pt_nr; i++)
			store(&pt_cell[i], r);
}

/*
 * Let @pid run to its next SIGSTOP.  Each SIGTRAP on the way must be the
 * next of its stores to pt_cell[0..pt_nr-1], in order, as DR6 tells.
 * Returns the number of them, or -1.
 */
static int follow_traps(pid_t pid)
{
	int status, hits = 0;
	unsigned long dr6;

	for (;;) {
		if (ptrace(PTRACE_CONT, pid, 0, 0) || waitpid(pid, &status, 0) != pid ||
		    !WIFSTOPPED(status))
			return -1;
		if (WSTOPSIG(status) == SIGSTOP)
			return hits;
		if (WSTOPSIG(status) != SIGTRAP)
			return -1;
		dr6 = ptrace(PTRACE_PEEKUSER, pid, DR_OFF(6), 0) & 0xf;
		if (dr6 != DR6_B(hits % pt_nr)) {
			ksft_print_msg("trap %d: DR6 says %#lx\n", hits, dr6);
			return -1;
		}
		hwbp_poke(pid, 6, 0);
		hits++;
	}
}

/*
 * Four flexible events taking turns in one register: each ran, none all the
 * time, and together they kept it about busy.  Their scaled counts are only
 * printed: with one register rotating through four cells every mux
 * interval, QEMU TCG's stale DR6 bits (see held_throughout()) add hits to
 * whichever cell is in it, tens of percent for the least written cell.
 */
static bool share_one(const struct count *c, const struct writes *w)
{
	uint64_t sum = 0, span = 0;
	bool ok = true;

	for (int i = 0; i < w->nr_cells; i++) {
		cell_ok(i, &c[i], w->nr[i]);
		ok = ok && c[i].running && c[i].running < c[i].enabled;
		sum += c[i].running;
		if (c[i].enabled > span)
			span = c[i].enabled;
	}
	ksft_print_msg("%.2f registers busy on average\n", span ? (double)sum / span : 0);
	return ok && span && sum >= 0.9 * span && sum <= 1.05 * span;
}

static void child_share(void)
{
	pt_stores();
	paced_writes(shared);
	pt_stores();
}

static void case_ptrace_share(const char * const *names, int nr_names)
{
	struct count c[NR_DR];
	int fds[NR_DR], hits = -1;
	bool counted = false;
	pid_t pid;

	if (!mux_case(1, names, nr_names))
		return;
	pt_nr = 3;
	memset(shared, 0, sizeof(*shared));
	shared->nr_cells = NR_DR;
	for (int i = 0; i < NR_DR; i++)
		shared->cell[i] = &flex_cell[i];
	pid = hwbp_traced_child(child_share);
	if (pid < 0 || ptrace_take(pid, pt_nr) ||
	    open_all(fds, NR_DR, pid, flex_cell, 0)) {
		report_all(false, names, nr_names);
		if (pid > 0)
			hwbp_end_child(pid);
		return;
	}
	hits = follow_traps(pid);
	if (hits >= 0 && read_all(fds, NR_DR, c))
		counted = share_one(c, shared);
	ksft_print_msg("%d of %d ptrace traps\n", hits, 2 * PT_STORES * pt_nr);
	report(hits == 2 * PT_STORES * pt_nr, names[0]);
	report(counted, names[1]);
	close_all(fds, NR_DR);
	hwbp_end_child(pid);
}

static void child_all(void)
{
	pt_stores();
	for (int r = 0; r < 100; r++)
		for (int i = 0; i < NR_FLEX; i++)
			store(&flex_cell[i], r);
}

static void case_ptrace_all(const char * const *names, int nr_names)
{
	struct count zero[NR_FLEX] = { }, c[NR_FLEX];
	int fds[NR_FLEX], hits;
	pid_t pid;
	bool ok;

	if (!mux_case(1, names, nr_names))
		return;
	pt_nr = NR_DR;
	pid = hwbp_traced_child(child_all);
	if (pid < 0 || open_all(fds, NR_FLEX, pid, flex_cell, 0)) {
		report_all(false, names, nr_names);
		if (pid > 0)
			hwbp_end_child(pid);
		return;
	}
	ok = !ptrace_take(pid, NR_DR);
	report(ok, names[0]);
	hits = ok ? follow_traps(pid) : -1;
	ksft_print_msg("%d of %d ptrace traps\n", hits, PT_STORES * pt_nr);
	ok = hits == PT_STORES * pt_nr && read_all(fds, NR_FLEX, c) &&
	     never_ran(zero, c, NR_FLEX);
	report(ok, names[1]);
	close_all(fds, NR_FLEX);
	hwbp_end_child(pid);
}

static void case_class_off_on(const char * const *names, int nr_names)
{
	struct count p[NR_DR], f0, f1;
	int pin[NR_DR], fd = -1, err;
	unsigned long n;
	bool ok;

	if (!mux_case(0, names, nr_names))
		return;
	ok = !open_all(pin, NR_DR, 0, pin_cell, 0);
	err = ok ? mux_write("1") : 0;
	if (err) {
		ksft_print_msg("setting multiplex to 1: %s\n", strerror(-err));
		ok = false;
	}
	if (ok) {
		fd = bp_open(0, &flex_cell[0], 0, -1);
		if (fd < 0)
			ksft_print_msg("the flexible one: %s\n", strerror(-fd));
		ok = fd >= 0 && read_all(&fd, 1, &f0);
		n = short_run(NR_DR);
		ok = ok && read_all(pin, NR_DR, p) && read_all(&fd, 1, &f1) &&
		     held_throughout(p, NR_DR, n) && never_ran(&f0, &f1, 1);
	}
	report(ok, names[0]);
	if (fd >= 0)
		close(fd);
	close_all(pin, NR_DR);
}

static void case_class_on_off(const char * const *names, int nr_names)
{
	struct count p[NR_DR], f0[NR_DR], f1[NR_DR];
	int pin[NR_DR], flex[NR_DR], fd = -1, err;
	unsigned long n;
	bool ok;

	if (!mux_case(1, names, nr_names))
		return;
	ok = !open_all(flex, NR_DR, 0, flex_cell, 0);
	err = ok ? mux_write("0") : 0;
	if (err) {
		ksft_print_msg("setting multiplex to 0: %s\n", strerror(-err));
		ok = false;
	}
	ok = ok && !open_all(pin, NR_DR, 0, pin_cell, 0);
	if (ok) {
		fd = bp_open(0, &sig_cell, 0, -1);
		if (fd != -ENOSPC)
			ksft_print_msg("the fifth not flexible: %s\n",
				       fd < 0 ? strerror(-fd) : "opened");
		ok = fd == -ENOSPC && read_all(flex, NR_DR, f0);
		n = short_run(NR_DR);
		ok = ok && read_all(pin, NR_DR, p) && read_all(flex, NR_DR, f1) &&
		     held_throughout(p, NR_DR, n) && never_ran(f0, f1, NR_DR);
		close_all(pin, NR_DR);
	}
	report(ok, names[0]);
	if (fd >= 0)
		close(fd);
	close_all(flex, NR_DR);
}

static void setup(void)
{
	FILE *f = fopen(PMU_DIR "perf_event_mux_interval_ms", "r");

	if (f) {
		if (fscanf(f, "%d", &mux_interval_ms) != 1 || mux_interval_ms < 1)
			mux_interval_ms = 4;
		fclose(f);
	}
	mux_saved = hwbp_mux_get();
	if (mux_saved == -1)
		mux_why = NO_MUX;
	else if (geteuid())
		mux_why = "needs root to write " HWBP_MUX_FILE;
	ksft_print_msg("multiplex: %d, perf_event_mux_interval_ms: %d\n", mux_saved,
		       mux_interval_ms);
	atexit(mux_restore);
	signal(SIGTERM, on_fatal_signal);
	signal(SIGINT, on_fatal_signal);
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
}

/*
 * Each case runs its checks in turn, one verdict per name; with the
 * multiplex file out of reach it skips them all.
 */
#define MUX_CASE(fn, ...)						\
	{ fn, (const char * const []){ __VA_ARGS__ },			\
	  ARRAY_SIZE(((const char * const []){ __VA_ARGS__ })) }

static const struct mux_case {
	void (*run)(const char * const *names, int nr_names);
	const char * const *names;
	int nr_names;
} cases[] = {
	MUX_CASE(case_off,
		 "off: the fifth non-pinned breakpoint of a task gets ENOSPC"
	),
	MUX_CASE(case_knob,
		 "knob: reads 0 or 1, writing 2 is EINVAL and changes nothing"
	),
	MUX_CASE(case_flex_eight,
		 "on: eight non-pinned breakpoints of one task all open",
		 "on: each of eight flexible breakpoints counts its stores within -35%/+50% once scaled",
		 "on: each of eight flexible breakpoints ran less than enabled, four at a time at most"
	),
	MUX_CASE(case_group,
		 "on: a pinned leader pins its group: the fifth breakpoint in it gets ENOSPC"
	),
	MUX_CASE(case_pinned,
		 "on: two pinned breakpoints open and count exactly next to eight flexible ones, which share the other two registers",
		 "on: four pinned breakpoints open and count exactly next to eight flexible ones, which get no register"
	),
	MUX_CASE(case_sigtrap,
		 "on: sigtrap breakpoints are pinned: the fifth gets ENOSPC next to eight flexible ones",
		 "on: a sigtrap breakpoint next to eight flexible ones signals every store"
	),
	MUX_CASE(case_ptrace_share,
		 "on: ptrace's three watchpoints fire on every store while four flexible breakpoints share the fourth register",
		 "on: four flexible breakpoints share the one register left, each part of the time"
	),
	MUX_CASE(case_ptrace_all,
		 "on: ptrace enables all four debug registers while eight flexible breakpoints exist",
		 "on: ptrace's four watchpoints fire on every store and the flexible breakpoints get no register"
	),
	MUX_CASE(case_class_off_on,
		 "knob: four breakpoints opened with it off keep their registers after it is turned on, one opened then gets none"
	),
	MUX_CASE(case_class_on_off,
		 "knob: four flexible breakpoints opened with it on hold no register after it is turned off"
	),
};

int main(void)
{
	int plan = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		plan += cases[i].nr_names;
	ksft_print_header();
	ksft_set_plan(plan);
	setup();
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		cases[i].run(cases[i].names, cases[i].nr_names);
	ksft_finished();
}
