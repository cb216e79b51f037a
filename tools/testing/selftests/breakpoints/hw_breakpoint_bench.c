// SPDX-License-Identifier: GPL-2.0
/*
 * Micro-benchmarks of the x86 hardware-breakpoint paths that debuggers and
 * profilers hit at a high rate, each modelled on one user's pattern:
 *
 *   ptrace-insert-remove  gdb at every stop: it writes DR0-DR3 with the
 *                         addresses of its watchpoints (new ones as the
 *                         user's expressions move), enables them all in
 *                         DR7 when resuming and disables them again when
 *                         the tracee stops.  One op: four address writes,
 *                         one DR7 write enabling four 8-byte write
 *                         watchpoints, one DR7 write of 0.
 *   ptrace-move           rr moving a watchpoint that stays enabled: one
 *                         op is one DR0 write while DR7 enables DR0.
 *   ptrace-peek           what every debugger does at every stop: read DR6
 *                         to learn why the tracee stopped, and DR7.  One
 *                         op is the two reads, with one watchpoint armed.
 *   hit-watched           a perf counting watchpoint (perf stat -e
 *                         mem:ADDR:w) on a variable that the program
 *                         stores to in a tight loop: every store traps.
 *                         The count must equal the stores.
 *   hit-unwatched         the same loop with nothing watching: what a
 *                         store costs without the trap, for hit-watched.
 *   ptrace-roundtrip      a debugger's watchpoint hit: the tracee stores
 *                         to a watched variable, the tracer sees SIGTRAP,
 *                         reads DR6, clears it and continues.  One op is
 *                         one round trip.
 *
 * Usage: hw_breakpoint_bench BENCH [-s SECONDS]
 *
 * After a warm-up of a tenth of SECONDS, ops run in batches until SECONDS
 * have passed; a batch is grown until it lasts about a millisecond, so
 * that reading the clock costs little both for ops of a nanosecond (a
 * store that does not trap) and of tens of microseconds (a trap under
 * QEMU TCG).  The figure is whole ops over the elapsed CLOCK_MONOTONIC
 * time, printed as
 *
 *   hw_breakpoint_bench: BENCH VALUE UNIT
 *
 * with details on lines starting with "# ".  A failure prints
 * "hw_breakpoint_bench: BENCH error: ..." and exits 1; what the kernel or
 * the environment does not provide prints "... skip: ..." and exits 4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"
#include "hw_breakpoint_selftest.h"

/* DR7 for slots 0-3 (or slot 0 only): local enable, on writes, 8 bytes */
#define DR7_W8_DR0	dr7_local(0, DR7_RW_W, DR7_LEN_8)
#define DR7_W8_ALL	(DR7_W8_DR0 | dr7_local(1, DR7_RW_W, DR7_LEN_8) |	\
			 dr7_local(2, DR7_RW_W, DR7_LEN_8) |			\
			 dr7_local(3, DR7_RW_W, DR7_LEN_8))

#define DEFAULT_SECS	3.0
#define MAX_SECS	3600.0
#define WARMUP_DIV	10
#define BATCH_SECS	0.001
#define MAX_BATCH	0x40000000UL
/* A watchpoint that never fires must not leave the tracer waiting forever. */
#define WATCHDOG_SECS(secs)	((unsigned int)(2 * (secs)) + 20)

enum { BENCH_OK, BENCH_ERROR, BENCH_SKIP };

struct bench {
	const char *name;
	const char *unit;
	int (*setup)(void);
	/* runs @n ops; @done is how many ran before, to alternate addresses */
	int (*run)(unsigned long n, unsigned long done);
	/* checks the outcome of all @total ops (warm-up included) */
	int (*check)(unsigned long total);
};

static char why[256];
static int timed_out;	/* set by SIGALRM */

static __printf(2, 3) int report(int code, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	return code;
}

/*
 * The tracee's variables are ours: it is a fork() of this program, so its
 * addresses of @cells and @target are the same as the tracer's.
 */
static long cells[8];
static long target;
static pid_t tracee;

static inline void store(long *p, long v)
{
	/* exactly one store instruction per call, never merged or elided */
	asm volatile("movq %1, %0" : "=m"(*p) : "r"(v) : "memory");
}

static __noreturn void tracee_main(bool store_loop)
{
	/* no tracee outlives a tracer killed between two of its checks */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		_exit(errno);
	raise(SIGSTOP);
	for (long i = 0; store_loop; i++)
		store(&target, i);
	_exit(0);
}

static void stop_tracee(void)
{
	if (tracee <= 0)
		return;
	kill(tracee, SIGKILL);
	while (waitpid(tracee, NULL, 0) < 0 && errno == EINTR)
		;
	tracee = 0;
}

/* @what: what the tracee was to do, for the message if it never stops */
static int wait_stop(int *status, const char *what)
{
	if (waitpid(tracee, status, 0) == tracee) {
		/* reaped: its pid may be reused, stop_tracee() must not kill it */
		if (!WIFSTOPPED(*status))
			tracee = 0;
		return BENCH_OK;
	}
	if (errno == EINTR && __atomic_load_n(&timed_out, __ATOMIC_RELAXED))
		return report(BENCH_ERROR, "the tracee did not stop after %s", what);
	return report(BENCH_ERROR, "waitpid: %s", strerror(errno));
}

/*
 * Tracer on its first allowed CPU, tracee on the next one where there is
 * one: a program stopped at a breakpoint last ran on a CPU of its own, and
 * what the tracer's writes cost may depend on that.  Left unpinned, the
 * figures would depend on where the scheduler happened to put the two.
 */
static void pin_apart(cpu_set_t *tracee_cpu)
{
	cpu_set_t allowed, me;
	int cpu, first = -1, second = -1;

	CPU_ZERO(tracee_cpu);
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return;
	for (cpu = 0; cpu < CPU_SETSIZE && second < 0; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		if (first < 0)
			first = cpu;
		else
			second = cpu;
	}
	CPU_ZERO(&me);
	CPU_SET(first, &me);
	sched_setaffinity(0, sizeof(me), &me);
	CPU_SET(second < 0 ? first : second, tracee_cpu);
}

static int start_tracee(bool store_loop)
{
	cpu_set_t tracee_cpu;
	int status;

	pin_apart(&tracee_cpu);
	tracee = fork();
	if (tracee < 0)
		return report(BENCH_ERROR, "fork: %s", strerror(errno));
	if (!tracee) {
		if (CPU_COUNT(&tracee_cpu))
			sched_setaffinity(0, sizeof(tracee_cpu), &tracee_cpu);
		tracee_main(store_loop);
	}
	if (wait_stop(&status, "raise(SIGSTOP)"))
		return BENCH_ERROR;
	if (WIFEXITED(status)) {
		int err = WEXITSTATUS(status);

		return report(err == EPERM ? BENCH_SKIP : BENCH_ERROR,
			      "PTRACE_TRACEME: %s", strerror(err));
	}
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP)
		return report(BENCH_ERROR, "tracee did not stop with SIGSTOP (status %#x)",
			      status);
	return BENCH_OK;
}

static int poke(int n, unsigned long v)
{
	if (ptrace(PTRACE_POKEUSER, tracee, DR_OFF(n), v))
		return report(BENCH_ERROR, "POKEUSER DR%d = %#lx: %s", n, v, strerror(errno));
	return BENCH_OK;
}

static int peek(int n, unsigned long *v)
{
	errno = 0;
	*v = ptrace(PTRACE_PEEKUSER, tracee, DR_OFF(n), 0);
	if (errno)
		return report(BENCH_ERROR, "PEEKUSER DR%d: %s", n, strerror(errno));
	return BENCH_OK;
}

/* A DR7 write that seems to succeed but does not take measures nothing. */
static int poke_dr7_checked(unsigned long v)
{
	unsigned long got;

	if (poke(7, v) || peek(7, &got))
		return BENCH_ERROR;
	if (got != v)
		return report(BENCH_ERROR, "DR7 = %#lx reads back as %#lx", v, got);
	return BENCH_OK;
}

static int insert_remove(unsigned long n, unsigned long done)
{
	for (unsigned long k = done; k < done + n; k++) {
		long *set = &cells[k & 1 ? 4 : 0];

		for (int i = 0; i < 4; i++)
			if (poke(i, (unsigned long)&set[i]))
				return BENCH_ERROR;
		if (poke(7, DR7_W8_ALL) || poke(7, 0))
			return BENCH_ERROR;
	}
	return BENCH_OK;
}

static int setup_insert_remove(void)
{
	int ret = start_tracee(false);

	for (int i = 0; !ret && i < 4; i++)
		ret = poke(i, (unsigned long)&cells[i]);
	if (!ret)
		ret = poke_dr7_checked(DR7_W8_ALL);
	return ret ?: poke_dr7_checked(0);
}

/* DR0 armed on cells[0]: what ptrace-move moves and ptrace-peek reads. */
static int setup_dr0_armed(void)
{
	int ret = start_tracee(false);

	if (!ret)
		ret = poke(0, (unsigned long)&cells[0]);
	return ret ?: poke_dr7_checked(DR7_W8_DR0);
}

static int move(unsigned long n, unsigned long done)
{
	for (unsigned long k = done; k < done + n; k++)
		if (poke(0, (unsigned long)&cells[k & 1 ? 0 : 1]))
			return BENCH_ERROR;
	return BENCH_OK;
}

static int peek_dr6_dr7(unsigned long n, unsigned long done)
{
	unsigned long v;

	for (unsigned long k = done; k < done + n; k++)
		if (peek(6, &v) || peek(7, &v))
			return BENCH_ERROR;
	return BENCH_OK;
}

static int setup_roundtrip(void)
{
	int ret = start_tracee(true);

	if (!ret)
		ret = poke(0, (unsigned long)&target);
	return ret ?: poke_dr7_checked(DR7_W8_DR0);
}

static int roundtrip(unsigned long n, unsigned long done)
{
	unsigned long dr6;
	int status;

	for (unsigned long k = done; k < done + n; k++) {
		if (ptrace(PTRACE_CONT, tracee, 0, 0))
			return report(BENCH_ERROR, "PTRACE_CONT: %s", strerror(errno));
		if (wait_stop(&status, "PTRACE_CONT (did the watchpoint fire?)"))
			return BENCH_ERROR;
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP)
			return report(BENCH_ERROR, "round trip %lu: status %#x, not a SIGTRAP stop",
				      k, status);
		if (peek(6, &dr6))
			return BENCH_ERROR;
		if (!(dr6 & DR6_B(0)))
			return report(BENCH_ERROR, "round trip %lu: DR6 = %#lx, B0 clear",
				      k, dr6);
		if (poke(6, 0))
			return BENCH_ERROR;
	}
	return BENCH_OK;
}

static long hit_cell;
static int hit_fd = -1;

static int setup_hit_watched(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(attr),
		.bp_type = HW_BREAKPOINT_W,
		.bp_addr = (unsigned long)&hit_cell,
		.bp_len = HW_BREAKPOINT_LEN_8,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};

	hit_fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);
	if (hit_fd >= 0)
		return BENCH_OK;
	switch (errno) {
	case ENOENT:
	case ENODEV:
	case EOPNOTSUPP:
	case EACCES:
	case EPERM:
		return report(BENCH_SKIP, "perf_event_open(mem:%p:w): %s", (void *)&hit_cell,
			      strerror(errno));
	}
	return report(BENCH_ERROR, "perf_event_open(mem:%p:w): %s", (void *)&hit_cell,
		      strerror(errno));
}

static int hit_loop(unsigned long n, unsigned long done)
{
	for (unsigned long k = done; k < done + n; k++)
		store(&hit_cell, k);
	return BENCH_OK;
}

static int check_hit_watched(unsigned long total)
{
	uint64_t count;
	ssize_t len = read(hit_fd, &count, sizeof(count));

	if (len != sizeof(count))
		return report(BENCH_ERROR, "reading the count: %s",
			      len < 0 ? strerror(errno) : "short read");
	ksft_print_msg("counted %llu of %lu stores\n", (unsigned long long)count, total);
	if (count != total)
		return report(BENCH_ERROR, "counted %llu of %lu stores",
			      (unsigned long long)count, total);
	return BENCH_OK;
}

static const struct bench benches[] = {
	{ .name = "ptrace-insert-remove", .unit = "ops/s",
	  .setup = setup_insert_remove, .run = insert_remove },
	{ .name = "ptrace-move", .unit = "ops/s",
	  .setup = setup_dr0_armed, .run = move },
	{ .name = "ptrace-peek", .unit = "ops/s",
	  .setup = setup_dr0_armed, .run = peek_dr6_dr7 },
	{ .name = "hit-watched", .unit = "stores/s",
	  .setup = setup_hit_watched, .run = hit_loop, .check = check_hit_watched },
	{ .name = "hit-unwatched", .unit = "stores/s", .run = hit_loop },
	{ .name = "ptrace-roundtrip", .unit = "round trips/s",
	  .setup = setup_roundtrip, .run = roundtrip },
};

static int measure(const struct bench *b, double secs, double *value)
{
	unsigned long batch = 1, done = 0, ops;
	double t0, t, start, last;
	int ret;

	/*
	 * Warm-up: double the batch until one lasts BATCH_SECS, and go on
	 * for a tenth of the measured time at least.
	 */
	t0 = hwbp_now();
	t = t0;
	for (;;) {
		start = t;
		ret = b->run(batch, done);
		if (ret)
			return ret;
		done += batch;
		t = hwbp_now();
		last = t - start;
		if (__atomic_load_n(&timed_out, __ATOMIC_RELAXED))
			return report(BENCH_ERROR, "no warm-up in %u s", WATCHDOG_SECS(secs));
		if (last < BATCH_SECS && batch < MAX_BATCH)
			batch *= 2;
		else if (t - t0 >= secs / WARMUP_DIV)
			break;
	}
	ksft_print_msg("warm-up: %lu ops in %.3f s; batches of %lu, the last took %.3f ms\n",
		       done, t - t0, batch, last * 1e3);

	start = t;
	ops = 0;
	do {
		ret = b->run(batch, done + ops);
		if (ret)
			return ret;
		ops += batch;
		t = hwbp_now();
		if (__atomic_load_n(&timed_out, __ATOMIC_RELAXED))
			return report(BENCH_ERROR, "no result in %u s", WATCHDOG_SECS(secs));
	} while (t - start < secs);
	ksft_print_msg("measured: %lu ops in %.3f s\n", ops, t - start);

	if (b->check) {
		ret = b->check(done + ops);
		if (ret)
			return ret;
	}
	*value = ops / (t - start);
	return BENCH_OK;
}

static void on_alarm(int sig)
{
	__atomic_store_n(&timed_out, sig, __ATOMIC_RELAXED);
}

static void list_benches(void)
{
	ksft_print_msg("usage: hw_breakpoint_bench BENCH [-s SECONDS]; BENCH is one of:\n");
	for (size_t i = 0; i < ARRAY_SIZE(benches); i++)
		ksft_print_msg("  %s\n", benches[i].name);
}

static int parse_secs(const char *arg, double *secs)
{
	char *end;

	if (!arg)
		return report(BENCH_ERROR, "-s needs a number of seconds");
	*secs = strtod(arg, &end);
	/* written so that a NaN fails too */
	if (end == arg || *end || !(*secs > 0 && *secs <= MAX_SECS))
		return report(BENCH_ERROR, "-s %s: not a number of seconds in (0, %g]",
			      arg, MAX_SECS);
	return BENCH_OK;
}

int main(int argc, char **argv)
{
	const struct bench *b = NULL;
	const char *name = NULL;
	double secs = DEFAULT_SECS, value = 0;
	int ret = BENCH_OK;

	for (int i = 1; i < argc && !ret; i++) {
		if (!strcmp(argv[i], "-s"))
			ret = parse_secs(++i < argc ? argv[i] : NULL, &secs);
		else if (!name)
			name = argv[i];
		else
			ret = report(BENCH_ERROR, "unexpected argument %s", argv[i]);
	}
	for (size_t i = 0; name && i < ARRAY_SIZE(benches); i++)
		if (!strcmp(name, benches[i].name))
			b = &benches[i];
	if (!ret && !b)
		ret = report(BENCH_ERROR, name ? "no such benchmark" : "no benchmark given");
	if (ret) {
		printf("hw_breakpoint_bench: %s error: %s\n", name ?: "-", why);
		list_benches();
		return KSFT_FAIL;
	}

	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = on_alarm }, NULL);
	alarm(WATCHDOG_SECS(secs));
	if (b->setup)
		ret = b->setup();
	if (!ret)
		ret = measure(b, secs, &value);
	stop_tracee();
	if (hit_fd >= 0)
		close(hit_fd);

	switch (ret) {
	case BENCH_OK:
		printf("hw_breakpoint_bench: %s %.1f %s\n", b->name, value, b->unit);
		return KSFT_PASS;
	case BENCH_SKIP:
		printf("hw_breakpoint_bench: %s skip: %s\n", b->name, why);
		return KSFT_SKIP;
	default:
		printf("hw_breakpoint_bench: %s error: %s\n", b->name, why);
		return KSFT_FAIL;
	}
}
