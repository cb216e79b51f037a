// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 ptrace debug-register ABI, as gdb and rr see it.
 *
 * Runs a fixed matrix of PTRACE_PEEKUSER/PTRACE_POKEUSER sequences on
 * u_debugreg[0..7] of a stopped child, valid and invalid, lets the child
 * hit what was armed, and prints every return value, errno, read-back value
 * and stop.  There is no verdict inside: the output on the kernel under
 * test must be byte-identical to the output on the unmodified kernel: diff
 * the two.  Everything printed is deterministic
 * (static, non-PIE: the watched addresses are the same on every run).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hw_breakpoint_selftest.h"

enum action { ACT_NONE, ACT_WRITE0, ACT_READ0, ACT_WRITE1, ACT_CALL,
	      ACT_WRITE_ALL, ACT_FORK, ACT_EXEC, ACT_EXIT };

/*
 * The tracer changes @action with PTRACE_POKEDATA and watches @cells; the
 * compiler barriers make the child really load and store them each time.
 */
#define barrier() ({ __asm__ __volatile__("" : : : "memory"); })

static long cells[8];
static long action;
static long sink;

static void callee(void)
{
	sink++;
	barrier();
}

static pid_t child;

static void child_main(void)
{
	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		_exit(1);
	raise(SIGSTOP);
	for (;;) {
		void (*fn)(void) = callee;

		barrier();
		switch (action) {
		case ACT_WRITE0:
			cells[0] = 0x1234;
			break;
		case ACT_READ0:
			sink = cells[0];
			break;
		case ACT_WRITE1:
			cells[1] = 0x5678;
			break;
		case ACT_CALL:
			/* an opaque pointer keeps callee() out of line */
			asm("" : "+r"(fn));
			fn();
			break;
		case ACT_WRITE_ALL:
			for (int i = 0; i < 8; i++)
				cells[i] = i;
			break;
		case ACT_FORK: {
			/* the grandchild reports its own inherited DR7 */
			pid_t p = fork();

			if (!p)
				_exit(0);
			waitpid(p, NULL, 0);
			break;
		}
		case ACT_EXEC:
			execl("/proc/self/exe", "ptrace_dr_abi", "--execed", NULL);
			_exit(2);
		case ACT_EXIT:
			_exit(0);
		}
		barrier();
		raise(SIGSTOP);
	}
}

/* Addresses of our own variables by name: the program may be a PIE. */
static const char *val(int n, unsigned long v)
{
	static char buf[4][64];
	static int k;
	unsigned long base = (unsigned long)&cells[0];
	char *b = buf[k++ % 4];

	if (n < 4 && v - base < sizeof(cells))
		snprintf(b, 64, "&cells+%lu", v - base);
	else if (n < 4 && v == (unsigned long)&callee)
		snprintf(b, 64, "&callee");
	else
		snprintf(b, 64, "%#lx", v);
	return b;
}

static const char *err(long ret)
{
	static char buf[64];

	if (ret != -1)
		return "ok";
	snprintf(buf, sizeof(buf), "%s", strerrorname_np(errno) ?: "?");
	return buf;
}

static unsigned long dr_peek(int n)
{
	long v;

	errno = 0;
	v = ptrace(PTRACE_PEEKUSER, child, DR_OFF(n), 0);
	printf("  peek dr%d = %s (%s)\n", n, val(n, v),
	       errno ? strerrorname_np(errno) : "ok");
	return v;
}

static long dr_poke(int n, unsigned long v)
{
	long ret = ptrace(PTRACE_POKEUSER, child, DR_OFF(n), v);

	printf("  poke dr%d <- %s: %s\n", n, val(n, v), err(ret));
	return ret;
}

static void peek_all(void)
{
	for (int i = 0; i < 8; i++)
		dr_peek(i);
}

static void reset(void)
{
	ptrace(PTRACE_POKEUSER, child, DR_OFF(7), 0);
	for (int i = 0; i < 4; i++)
		ptrace(PTRACE_POKEUSER, child, DR_OFF(i), 0);
	ptrace(PTRACE_POKEUSER, child, DR_OFF(6), 0);
}

/* Let the child do @a once; print every stop until it is back in SIGSTOP. */
static void child_do(enum action a, const char *what)
{
	int status;

	printf(" run %s\n", what);
	ptrace(PTRACE_POKEDATA, child, (void *)&action, (void *)(long)a);
	ptrace(PTRACE_CONT, child, 0, 0);
	for (int stops = 0; stops < 16; stops++) {
		siginfo_t si;

		if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status)) {
			printf("  child gone (status %#x)\n", status);
			exit(1);
		}
		if (WSTOPSIG(status) == SIGSTOP) {
			printf("  stop SIGSTOP\n");
			return;
		}
		if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_FORK << 8))) {
			unsigned long msg;
			pid_t parent = child;

			ptrace(PTRACE_GETEVENTMSG, child, 0, &msg);
			child = msg;
			waitpid(child, &status, __WALL);
			printf("  fork event; the new child's registers:\n");
			peek_all();
			ptrace(PTRACE_DETACH, child, 0, 0);
			child = parent;
			ptrace(PTRACE_CONT, child, 0, 0);
			continue;
		}
		if (a == ACT_EXEC && WSTOPSIG(status) == SIGTRAP) {
			printf("  exec stop; the registers after exec:\n");
			peek_all();
			return;
		}
		memset(&si, 0, sizeof(si));
		ptrace(PTRACE_GETSIGINFO, child, 0, &si);
		printf("  stop %s si_code=%d si_addr_is_cell0=%d\n",
		       sigabbrev_np(WSTOPSIG(status)) ?: "?", si.si_code,
		       si.si_addr == (void *)&cells[0]);
		dr_peek(6);
		ptrace(PTRACE_CONT, child, 0, 0);
	}
	printf("  too many stops\n");
}

static void section(const char *name)
{
	printf("== %s\n", name);
	reset();
}

int main(int argc, char **argv)
{
	unsigned long c0 = (unsigned long)&cells[0];
	unsigned long c1 = (unsigned long)&cells[1];
	unsigned long fn = (unsigned long)&callee;
	int status;

	if (argc > 1 && !strcmp(argv[1], "--execed"))
		for (;;)
			pause();
	setvbuf(stdout, NULL, _IOLBF, 0);
	child = fork();
	if (!child)
		child_main();
	waitpid(child, &status, 0);

	section("initial state");
	peek_all();

	section("dr4 and dr5 are not ours to write");
	dr_poke(4, 0);
	dr_poke(5, 0);
	dr_peek(4);
	dr_peek(5);
	dr_poke(8, 0);

	section("address of a disabled slot: stored, no slot used");
	for (int i = 0; i < 4; i++)
		dr_poke(i, c0 + 8 * i);
	peek_all();
	dr_poke(0, 0xffffffff81000000UL);
	dr_poke(1, 0x7ffffffff000UL);
	dr_poke(2, 0x800000000000UL);
	dr_poke(3, (unsigned long)-1);
	peek_all();

	section("one write watchpoint, every length");
	dr_poke(0, c0);
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_1));
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_2));
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_4));
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_8));
	dr_peek(7);
	child_do(ACT_WRITE0, "write cells[0]");
	child_do(ACT_READ0, "read cells[0]");
	child_do(ACT_WRITE1, "write cells[1]");

	section("global enable and read/write");
	dr_poke(0, c0);
	dr_poke(7, dr7_global(0, DR7_RW_RW, DR7_LEN_8));
	dr_peek(7);
	child_do(ACT_READ0, "read cells[0]");
	child_do(ACT_WRITE0, "write cells[0]");

	section("execute breakpoint");
	dr_poke(0, fn);
	dr_poke(7, dr7_local(0, DR7_RW_X, DR7_LEN_1));
	dr_peek(7);
	child_do(ACT_CALL, "call callee");
	dr_poke(7, dr7_local(0, DR7_RW_X, DR7_LEN_4));
	dr_peek(7);

	section("invalid type and length");
	dr_poke(0, c0);
	dr_poke(7, dr7_local(0, DR7_RW_IO, DR7_LEN_1));
	dr_peek(7);
	dr_poke(7, dr7_local(0, DR7_RW_X, DR7_LEN_8));
	dr_peek(7);

	section("misaligned addresses");
	dr_poke(0, c0 + 1);
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_2));
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_4));
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_8));
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_1));
	dr_peek(7);
	dr_poke(0, c0 + 4);
	dr_peek(0);
	dr_poke(0, c0 + 2);
	dr_peek(0);
	dr_peek(7);

	section("kernel and non-canonical addresses while enabled");
	dr_poke(0, c0);
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_8));
	dr_poke(0, 0xffffffff81000000UL);
	dr_peek(0);
	dr_poke(0, 0x800000000000UL);
	dr_peek(0);
	dr_poke(0, 0x7ffffffffff8UL);
	dr_peek(0);
	dr_peek(7);
	dr_poke(7, 0);
	dr_poke(1, 0xffffffff81000000UL);
	dr_poke(7, dr7_local(1, DR7_RW_W, DR7_LEN_8));
	dr_peek(7);

	section("reserved and control bits of dr7");
	dr_poke(0, c0);
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_8) | DR7_LE | DR7_GE);
	dr_peek(7);
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_8) | DR7_GD);
	dr_peek(7);
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_8) | (1UL << 10) | (3UL << 11));
	dr_peek(7);
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_8) | (1UL << 32));
	dr_peek(7);
	dr_poke(7, 0);
	dr_peek(7);

	section("all four slots, then all-or-nothing on a bad one");
	for (int i = 0; i < 4; i++)
		dr_poke(i, c0 + 8 * i);
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_8) | dr7_local(1, DR7_RW_W, DR7_LEN_8) |
		dr7_local(2, DR7_RW_W, DR7_LEN_8) | dr7_local(3, DR7_RW_W, DR7_LEN_8));
	dr_peek(7);
	child_do(ACT_WRITE_ALL, "write cells[0..7]");
	dr_poke(3, c0 + 8 * 3 + 2);
	dr_poke(7, dr7_local(0, DR7_RW_RW, DR7_LEN_8) | dr7_local(1, DR7_RW_RW, DR7_LEN_8) |
		dr7_local(2, DR7_RW_RW, DR7_LEN_8) | dr7_local(3, DR7_RW_RW, DR7_LEN_8));
	peek_all();
	child_do(ACT_WRITE_ALL, "write cells[0..7] after the failed dr7 write");

	section("modify the address of an enabled watchpoint");
	dr_poke(0, c0);
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_8));
	dr_poke(0, c1);
	dr_peek(0);
	child_do(ACT_WRITE0, "write cells[0]");
	child_do(ACT_WRITE1, "write cells[1]");

	section("dr6 is virtual");
	dr_poke(6, 0xffff0ff0UL);
	dr_peek(6);
	dr_poke(6, 0x4000);
	dr_peek(6);
	dr_poke(6, 0);
	dr_peek(6);

	section("fork does not inherit the tracee's breakpoints");
	ptrace(PTRACE_SETOPTIONS, child, 0, PTRACE_O_TRACEFORK);
	dr_poke(0, c0);
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_8));
	child_do(ACT_FORK, "fork and wait");
	ptrace(PTRACE_SETOPTIONS, child, 0, 0);
	child_do(ACT_WRITE_ALL, "write cells[0..7]");

	section("exec flushes them");
	dr_poke(0, c0);
	dr_poke(1, c1);
	dr_poke(7, dr7_local(0, DR7_RW_W, DR7_LEN_8) | dr7_local(1, DR7_RW_W, DR7_LEN_8));
	dr_peek(7);
	child_do(ACT_EXEC, "exec");
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	printf("== done\n");
	return 0;
}
