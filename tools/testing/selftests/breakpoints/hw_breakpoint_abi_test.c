// SPDX-License-Identifier: GPL-2.0
/*
 * The errno ABI of x86 hardware breakpoints as debuggers see it: ptrace
 * writes to the debug registers (gdb, rr) and perf_event_open() of
 * breakpoint events.  Only what the kernel answers is checked; no
 * breakpoint needs to fire, so this runs anywhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "hw_breakpoint_selftest.h"

/* DR7: G0 plus R/W and LEN of slot 0, a constant for the table below */
#define DR7_SLOT0(rw, len)	(DR7_G(0) | DR7_RW(0, rw) | DR7_LEN(0, len))

/* Kernel text on any x86-64 layout, and the fixed CPU entry area. */
#define KERNEL_VA	0xffffffff81000000UL
#define CEA_VA		0xfffffe0000001000UL

static unsigned long watched[16];

static void expect(long got, long want, const char *what)
{
	if (got == want)
		ksft_test_result_pass("%s\n", what);
	else
		ksft_test_result_fail("%s: got %ld (%s), want %ld (%s)\n", what,
				      got, strerror(-got), want,
				      strerror(-want));
}

/*
 * One debug-register access of a tracee, in order: a write and the errno
 * it must get, or a read and the value it must give.  @user: @val is an
 * offset into watched[].
 */
struct dr_case {
	bool peek;
	int n;
	bool user;
	unsigned long val;
	long want;
	const char *what;
};

#define POKE(n, v, want, what)		{ false, n, false, v, want, what }
#define POKE_USER(n, off, want, what)	{ false, n, true, off, want, what }
#define PEEK(n, v, what)		{ true, n, false, v, 0, what }
#define PEEK_USER(n, off, what)		{ true, n, true, off, 0, what }

static const struct dr_case dr_cases[] = {
	POKE(0, KERNEL_VA, -EINVAL, "ptrace DR0 = kernel address is EINVAL"),
	POKE(0, CEA_VA, -EINVAL, "ptrace DR0 = CPU entry area is EINVAL"),
	POKE(4, 0, -EIO, "ptrace DR4 does not exist: EIO"),
	POKE(5, 0, -EIO, "ptrace DR5 does not exist: EIO"),

	POKE_USER(0, 2, 0, "ptrace DR0 = user address"),
	POKE(7, DR7_SLOT0(DR7_RW_W, DR7_LEN_4), -EINVAL,
	     "ptrace DR7 4-byte slot on 2-aligned DR0 is EINVAL"),
	PEEK(7, 0, "ptrace DR7 unchanged after a refused write"),
	POKE(7, DR7_SLOT0(DR7_RW_W, DR7_LEN_2), 0,
	     "ptrace DR7 2-byte slot on 2-aligned DR0"),
	POKE_USER(0, 1, -EINVAL,
		  "ptrace DR0 odd under an enabled 2-byte slot is EINVAL"),
	PEEK_USER(0, 2, "ptrace DR0 unchanged after a refusal"),

	POKE_USER(0, 0, 0, "ptrace DR0 = aligned user address"),
	POKE(7, DR7_SLOT0(DR7_RW_IO, DR7_LEN_1), -EINVAL,
	     "ptrace DR7 I/O breakpoint is EINVAL"),
	POKE(7, DR7_SLOT0(DR7_RW_X, DR7_LEN_4), -EINVAL,
	     "ptrace DR7 execute with LEN != 0 is EINVAL"),
	POKE(7, DR7_SLOT0(DR7_RW_X, DR7_LEN_1), 0,
	     "ptrace DR7 execute with LEN 0"),
	POKE(7, DR7_SLOT0(DR7_RW_W, DR7_LEN_4), 0,
	     "ptrace DR7 write 4-byte slot"),
	PEEK(7, DR7_SLOT0(DR7_RW_W, DR7_LEN_4),
	     "ptrace DR7 reads back as written"),
	POKE(7, DR7_SLOT0(DR7_RW_RW, DR7_LEN_8), 0,
	     "ptrace DR7 read/write 8-byte slot"),
	POKE(7, 0, 0, "ptrace DR7 = 0 disables"),

	POKE(6, 0xffff0ff1UL, 0, "ptrace DR6 is writable"),
	PEEK(6, 0xffff0ff1UL, "ptrace DR6 reads back"),
};

static void ptrace_cases(void)
{
	pid_t pid = hwbp_traced_child(NULL);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dr_cases); i++) {
		const struct dr_case *c = &dr_cases[i];
		unsigned long val = c->val;

		if (c->user)
			val += (unsigned long)watched;
		if (c->peek)
			expect(ptrace(PTRACE_PEEKUSER, pid, DR_OFF(c->n), 0),
			       val, c->what);
		else
			expect(hwbp_poke(pid, c->n, val), c->want, c->what);
	}
	hwbp_end_child(pid);
}

static int cpu_has_bpext(void)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5) && strstr(line, " bpext"))
			found = 1;
	fclose(f);
	return found;
}

/*
 * A perf_event_open() of a breakpoint and the errno it must get.  Its
 * address is @off past @base rounded up to @align (0: not rounded).
 */
enum where { AT_WATCHED, AT_TEXT, AT_FIXED };

struct perf_case {
	const char *what;
	enum where base;
	unsigned long align, off;
	unsigned long long len;
	unsigned int type;
	bool exclude_kernel;
	long want;
	bool bpext;		/* 0 instead of @want with BPEXT */
	const char *root;	/* root only: what to call the skip */
};

#define WATCHED(align_, off_, len_, type_, want_)			\
	.base = AT_WATCHED, .align = align_, .off = off_, .len = len_,	\
	.type = type_, .exclude_kernel = true, .want = want_

static const struct perf_case perf_cases[] = {
	{ "perf W len 4", WATCHED(0, 0, 4, HW_BREAKPOINT_W, 0) },
	{ "perf RW len 8 at 4 mod 8 is EINVAL",
	  WATCHED(0, 4, 8, HW_BREAKPOINT_RW, -EINVAL) },
	{ "perf len 3 is EINVAL", WATCHED(0, 0, 3, HW_BREAKPOINT_W, -EINVAL) },
	{ "perf len 0 is EINVAL", WATCHED(0, 0, 0, HW_BREAKPOINT_W, -EINVAL) },
	{ "perf aligned len 16 needs BPEXT (EOPNOTSUPP)",
	  WATCHED(16, 0, 16, HW_BREAKPOINT_W, -EOPNOTSUPP), .bpext = true },
	{ "perf misaligned range is EINVAL",
	  WATCHED(64, 8, 64, HW_BREAKPOINT_W, -EINVAL) },
	{ "perf read-only is EINVAL",
	  WATCHED(0, 0, 4, HW_BREAKPOINT_R, -EINVAL) },
	{ "perf execute len 4 is EINVAL",
	  WATCHED(0, 0, 4, HW_BREAKPOINT_X, -EINVAL) },
	{ "perf execute len long", .base = AT_TEXT, .len = sizeof(long),
	  .type = HW_BREAKPOINT_X, .exclude_kernel = true },
	{ "perf kernel address with exclude_kernel is EINVAL",
	  .base = AT_FIXED, .off = KERNEL_VA, .len = 8,
	  .type = HW_BREAKPOINT_W, .exclude_kernel = true, .want = -EINVAL },
	{ "perf CPU entry area refused even for root", .base = AT_FIXED,
	  .off = CEA_VA, .len = 8, .type = HW_BREAKPOINT_RW, .want = -EINVAL,
	  .root = "perf CPU entry area" },
};

static void perf_cases_run(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(perf_cases); i++) {
		const struct perf_case *c = &perf_cases[i];
		unsigned long addr = 0;

		if (c->root && geteuid()) {
			ksft_test_result_skip("%s: not root\n", c->root);
			continue;
		}
		if (c->base == AT_WATCHED)
			addr = (unsigned long)watched;
		else if (c->base == AT_TEXT)
			addr = (unsigned long)ptrace_cases;
		if (c->align)
			addr = (addr + c->align - 1) & ~(c->align - 1);
		expect(hwbp_try_open(0, -1, addr + c->off, c->len, c->type,
				     c->exclude_kernel),
		       c->bpext && cpu_has_bpext() ? 0 : c->want, c->what);
	}
}

/* What an unprivileged process gets for a kernel address */
static void unprivileged_case(void)
{
	int status, paranoid = hwbp_paranoid();
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		long kern, user;

		if (geteuid() == 0 && setresuid(65534, 65534, 65534))
			_exit(2);
		kern = hwbp_try_open(0, -1, KERNEL_VA, 8, HW_BREAKPOINT_W,
				     false);
		user = hwbp_try_open(0, -1, (unsigned long)watched, 8,
				     HW_BREAKPOINT_W, true);
		/* perf_allow_kernel() first, then the breakpoint layer */
		if (kern != (paranoid > 1 ? -EACCES : -EPERM))
			_exit(1);
		_exit(user ? 3 : 0);
	}
	waitpid(pid, &status, 0);
	expect(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
	       "unprivileged: kernel address refused, user address allowed");
}

int main(void)
{
	ksft_print_header();
	/* unprivileged_case() is one case */
	ksft_set_plan(ARRAY_SIZE(dr_cases) + ARRAY_SIZE(perf_cases) + 1);
	ptrace_cases();
	perf_cases_run();
	unprivileged_case();
	ksft_finished();
}
