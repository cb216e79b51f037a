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

#define DR_OFF(n)	(offsetof(struct user, u_debugreg) + (n) * sizeof(long))
/* DR7: G0 plus R/W and LEN of slot 0 */
#define DR7_SLOT0(rw, len)	(0x2UL | (((len) << 2 | (rw)) << 16))
#define RW_X	0
#define RW_W	1
#define RW_IO	2
#define RW_RW	3
#define LEN1	0
#define LEN2	1
#define LEN8	2
#define LEN4	3

/* Kernel text on any x86-64 layout, and the fixed CPU entry area. */
#define KERNEL_VA	0xffffffff81000000UL
#define CEA_VA		0xfffffe0000001000UL

static unsigned long watched[16];

static long poke(pid_t pid, int n, unsigned long val)
{
	errno = 0;
	if (ptrace(PTRACE_POKEUSER, pid, DR_OFF(n), val))
		return -errno;
	return 0;
}

static unsigned long peek(pid_t pid, int n)
{
	return ptrace(PTRACE_PEEKUSER, pid, DR_OFF(n), 0);
}

static void expect(long got, long want, const char *what)
{
	if (got == want)
		ksft_test_result_pass("%s\n", what);
	else
		ksft_test_result_fail("%s: got %ld (%s), want %ld (%s)\n", what,
				      got, strerror(-got), want,
				      strerror(-want));
}

static void ptrace_cases(void)
{
	unsigned long ok7 = DR7_SLOT0(RW_W, LEN4);
	unsigned long addr = (unsigned long)watched;
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit(0);
	}
	waitpid(pid, &status, 0);

	expect(poke(pid, 0, KERNEL_VA), -EINVAL,
	       "ptrace DR0 = kernel address is EINVAL");
	expect(poke(pid, 0, CEA_VA), -EINVAL,
	       "ptrace DR0 = CPU entry area is EINVAL");
	expect(poke(pid, 4, 0), -EIO, "ptrace DR4 does not exist: EIO");
	expect(poke(pid, 5, 0), -EIO, "ptrace DR5 does not exist: EIO");

	expect(poke(pid, 0, addr + 2), 0, "ptrace DR0 = user address");
	expect(poke(pid, 7, DR7_SLOT0(RW_W, LEN4)), -EINVAL,
	       "ptrace DR7 4-byte slot on 2-aligned DR0 is EINVAL");
	expect(peek(pid, 7), 0, "ptrace DR7 unchanged after a refused write");
	expect(poke(pid, 7, DR7_SLOT0(RW_W, LEN2)), 0,
	       "ptrace DR7 2-byte slot on 2-aligned DR0");
	expect(poke(pid, 0, addr + 1), -EINVAL,
	       "ptrace DR0 odd under an enabled 2-byte slot is EINVAL");
	expect(peek(pid, 0), addr + 2, "ptrace DR0 unchanged after a refusal");

	expect(poke(pid, 0, addr), 0, "ptrace DR0 = aligned user address");
	expect(poke(pid, 7, DR7_SLOT0(RW_IO, LEN1)), -EINVAL,
	       "ptrace DR7 I/O breakpoint is EINVAL");
	expect(poke(pid, 7, DR7_SLOT0(RW_X, LEN4)), -EINVAL,
	       "ptrace DR7 execute with LEN != 0 is EINVAL");
	expect(poke(pid, 7, DR7_SLOT0(RW_X, LEN1)), 0,
	       "ptrace DR7 execute with LEN 0");
	expect(poke(pid, 7, ok7), 0, "ptrace DR7 write 4-byte slot");
	expect(peek(pid, 7), ok7, "ptrace DR7 reads back as written");
	expect(poke(pid, 7, DR7_SLOT0(RW_RW, LEN8)), 0,
	       "ptrace DR7 read/write 8-byte slot");
	expect(poke(pid, 7, 0), 0, "ptrace DR7 = 0 disables");

	expect(poke(pid, 6, 0xffff0ff1UL), 0, "ptrace DR6 is writable");
	expect(peek(pid, 6), 0xffff0ff1UL, "ptrace DR6 reads back");

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

static long bp_open(unsigned long addr, unsigned long long len,
		    unsigned int type, int exclude_kernel)
{
	struct perf_event_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_BREAKPOINT;
	attr.size = sizeof(attr);
	attr.bp_addr = addr;
	attr.bp_len = len;
	attr.bp_type = type;
	attr.exclude_kernel = exclude_kernel;
	attr.exclude_hv = 1;
	fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
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

static void perf_cases(void)
{
	unsigned long addr = (unsigned long)watched;

	expect(bp_open(addr, 4, HW_BREAKPOINT_W, 1), 0, "perf W len 4");
	expect(bp_open(addr + 4, 8, HW_BREAKPOINT_RW, 1), -EINVAL,
	       "perf RW len 8 at 4 mod 8 is EINVAL");
	expect(bp_open(addr, 3, HW_BREAKPOINT_W, 1), -EINVAL,
	       "perf len 3 is EINVAL");
	expect(bp_open(addr, 0, HW_BREAKPOINT_W, 1), -EINVAL,
	       "perf len 0 is EINVAL");
	expect(bp_open((addr + 15) & ~15UL, 16, HW_BREAKPOINT_W, 1),
	       cpu_has_bpext() ? 0 : -EOPNOTSUPP,
	       "perf aligned len 16 needs BPEXT (EOPNOTSUPP)");
	expect(bp_open(((addr + 63) & ~63UL) + 8, 64, HW_BREAKPOINT_W, 1),
	       -EINVAL, "perf misaligned range is EINVAL");
	expect(bp_open(addr, 4, HW_BREAKPOINT_R, 1), -EINVAL,
	       "perf read-only is EINVAL");
	expect(bp_open(addr, 4, HW_BREAKPOINT_X, 1), -EINVAL,
	       "perf execute len 4 is EINVAL");
	expect(bp_open((unsigned long)ptrace_cases, sizeof(long),
		       HW_BREAKPOINT_X, 1), 0, "perf execute len long");
	expect(bp_open(KERNEL_VA, 8, HW_BREAKPOINT_W, 1), -EINVAL,
	       "perf kernel address with exclude_kernel is EINVAL");
	if (geteuid() == 0)
		expect(bp_open(CEA_VA, 8, HW_BREAKPOINT_RW, 0), -EINVAL,
		       "perf CPU entry area refused even for root");
	else
		ksft_test_result_skip("perf CPU entry area: not root\n");
}

/* What an unprivileged process gets for a kernel address */
static void unprivileged_cases(void)
{
	int status, paranoid = 2;
	FILE *f;
	pid_t pid;

	f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	if (f) {
		if (fscanf(f, "%d", &paranoid) != 1)
			paranoid = 2;
		fclose(f);
	}

	pid = fork();
	if (pid == 0) {
		long kern, user;

		if (geteuid() == 0 && setresuid(65534, 65534, 65534))
			_exit(2);
		kern = bp_open(KERNEL_VA, 8, HW_BREAKPOINT_W, 0);
		user = bp_open((unsigned long)watched, 8, HW_BREAKPOINT_W, 1);
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
	ksft_set_plan(32);
	ptrace_cases();
	perf_cases();
	unprivileged_cases();
	ksft_finished();
}
