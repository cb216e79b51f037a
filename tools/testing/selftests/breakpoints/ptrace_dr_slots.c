// SPDX-License-Identifier: GPL-2.0
/*
 * What a ptrace debug-register write costs in slots, with other users of
 * the debug registers around: perf holds two of the four on every CPU.
 *
 *  - writing the address of a slot that DR7 leaves disabled takes none;
 *  - a DR7 write that enables more than what is free fails as a whole, and
 *    the breakpoints enabled before it keep working;
 *  - once perf lets go, the same write succeeds.
 *
 * Must run as root (CPU-wide perf breakpoints).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest.h"
#include "hw_breakpoint_selftest.h"

/* DR7 bits of slot n: local enable, write, 8 bytes */
static unsigned long dr7_w8(int n)
{
	return dr7_local(n, DR7_RW_W, DR7_LEN_8);
}

#define PERF_SLOTS	2
#define MAX_CPUS	64

static long cells[8];
static long perf_target[PERF_SLOTS];
static pid_t child;
static int fds[MAX_CPUS * PERF_SLOTS], nfds;

static void child_stores(void)
{
	for (int i = 0; i < 4; i++)
		__atomic_store_n(&cells[i], i + 1, __ATOMIC_RELAXED);
}

static long poke(int n, unsigned long v)
{
	return hwbp_poke(child, n, v);
}

static int perf_bp(int cpu, void *addr)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(attr),
		.pinned = 1,
		.bp_type = HW_BREAKPOINT_W,
		.bp_addr = (unsigned long)addr,
		.bp_len = HW_BREAKPOINT_LEN_8,
		.exclude_kernel = 1,
	};

	return syscall(__NR_perf_event_open, &attr, -1, cpu, -1, 0);
}

/* The cases, in order, each on what the ones before it left */

static void four_addresses(void)
{
	/* all slots disabled: no slot is needed */
	ksft_test_result(!poke(0, (long)&cells[0]) && !poke(1, (long)&cells[1]) &&
			 !poke(2, (long)&cells[2]) && !poke(3, (long)&cells[3]),
			 "addresses of disabled slots take no debug register\n");
}

static void two_fit(void)
{
	ksft_test_result(!poke(7, dr7_w8(0) | dr7_w8(1)),
			 "enabling two slots next to perf's two succeeds\n");
}

static void third_fails(void)
{
	ksft_test_result(poke(7, dr7_w8(0) | dr7_w8(1) | dr7_w8(2)) == -ENOSPC &&
			 ptrace(PTRACE_PEEKUSER, child, DR_OFF(7), 0) ==
			 (long)(dr7_w8(0) | dr7_w8(1)),
			 "enabling a third fails with ENOSPC and keeps DR7\n");
}

static void two_fire(void)
{
	int status, hits = 0;

	ptrace(PTRACE_CONT, child, 0, 0);
	for (;;) {
		waitpid(child, &status, 0);
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP)
			break;
		hits++;
		ptrace(PTRACE_CONT, child, 0, 0);
	}
	ksft_test_result(hits == 2 && WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP,
			 "after the failed write exactly the two old watchpoints fire (%d)\n",
			 hits);
}

static void four_without_perf(void)
{
	unsigned long dr7;
	long err;

	while (nfds)
		close(fds[--nfds]);
	dr7 = dr7_w8(0) | dr7_w8(1) | dr7_w8(2) | dr7_w8(3);
	err = poke(7, dr7);
	ksft_test_result(!err, "with perf gone all four can be enabled (%s)\n",
			 strerror(-err));
}

static void (*const cases[])(void) = {
	four_addresses, two_fit, third_fails, two_fire, four_without_perf,
};

int main(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(cases));
	if (getuid())
		ksft_exit_skip("needs root for CPU-wide perf breakpoints\n");

	/* The child first: it must not inherit (and so keep) perf's fds. */
	child = hwbp_traced_child(child_stores);
	if (child < 0)
		ksft_exit_fail_msg("traced child: %s\n", strerror(errno));

	for (int cpu = 0; cpu < ncpu && cpu < MAX_CPUS; cpu++) {
		for (int k = 0; k < PERF_SLOTS; k++) {
			fds[nfds] = perf_bp(cpu, &perf_target[k]);
			if (fds[nfds] < 0)
				ksft_exit_fail_msg("perf_event_open on CPU%d: %s\n",
						   cpu, strerror(errno));
			nfds++;
		}
	}

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		cases[i]();

	hwbp_end_child(child);
	ksft_finished();
}
