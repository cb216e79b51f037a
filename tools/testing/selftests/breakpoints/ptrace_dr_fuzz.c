// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded fuzzer of the x86 ptrace debug-register ABI.
 *
 * A tracer keeps a small pool of stopped tracees, some of them with two or
 * three threads, and applies random operations to them: PTRACE_POKEUSER of
 * DR0-DR7 and of offsets next to them with valid and invalid values, each
 * followed by the read-back of all eight; runs of one thread through a
 * fixed loop that touches its watched array and calls a marker function, so
 * that what was armed fires; single steps; fork, exec, exit and kill of
 * tracees, which are replaced by new ones.
 *
 * Like ptrace_dr_abi there is no verdict on the kernel's answers: the
 * transcript (one line per operation) of the kernel under test must be
 * identical to the unmodified kernel's for the same seed: diff the two.
 * Only what the kernel decides is printed: errno names,
 * read-backs and trap addresses relative to the tracee's array or text,
 * never an address that differs between kernels.  Only one thread of the
 * pool runs at a time, and the tracer always waits for that thread by its
 * id, so the order of events does not depend on the scheduler.
 *
 * At the end every tracee is killed and reaped, then four pinned CPU-wide
 * breakpoints must open on every online CPU and, where the kernel has the
 * debugfs view of the debug registers, every count in it must be zero.
 *
 * Usage: ptrace_dr_fuzz [--seed N] [--ops N] [--digest N] [--lines N]
 * --digest N prints a digest line per N operations (0: none), --lines N
 * the lines of the first N operations only; the defaults are make check's
 * --ops 10000 --digest 1000 --lines 1500.
 *
 * The transcript is the same from build to build as long as the tracee's
 * functions are (the Makefile aligns every function, so that where one
 * starts does not depend on the code before it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hw_breakpoint_selftest.h"

#define POOL		4
#define MAX_THREADS	3
#define NR_CELLS	16
#define MAX_STOPS	64
#define MAX_STEPS	16
#define LINE_MAX_LEN	1024
#define WATCHDOG_SECS	60

/* Addresses only the tracee's user-space limit and layout decide. */
#define TASK_SIZE_MAX_4L	0x7ffffffff000UL
#define CPU_ENTRY_AREA		0xfffffe0000000000UL
#define KERNEL_TEXT		0xffffffff81000000UL
#define DIRECT_MAP		0xffff888000000000UL
#define VSYSCALL_PAGE		0xffffffffff600000UL

/*
 * The tracer changes the tracee's commands with PTRACE_POKEDATA and
 * watches its arena: the compiler barriers make the tracee really load
 * and store them each time.
 */
#define barrier() ({ __asm__ __volatile__("" : : : "memory"); })

/*
 * What the tracee touches and the tracer may watch, padded on both sides
 * so that a watched address a little off the array is never touched.
 */
static struct {
	long pad_lo[8];
	long cells[NR_CELLS];
	long pad_hi[8];
} arena;

enum cmd { CMD_RUN, CMD_FORK, CMD_EXEC, CMD_EXIT, CMD_SPAWN, CMD_THREAD_EXIT };

/* Written by the tracer with PTRACE_POKEDATA; per thread of a tracee. */
static long tracee_cmd[MAX_THREADS];
static long spawn_index;
static long sink;
/* After exec, the tracer checks the image is laid out as its own. */
static long layout_magic = 0x5eed5eedL;

static const char *prog;

static void marker(void)
{
	sink++;
	barrier();
}

static void workload(void)
{
	void (*fn)(void) = marker;
	int i;

	for (i = 0; i < NR_CELLS; i++) {
		arena.cells[i] = i;
		barrier();
	}
	for (i = 0; i < NR_CELLS; i++) {
		sink += arena.cells[i];
		barrier();
	}
	/* sub-word stores, for the short watchpoints at odd addresses */
	for (i = 0; i < NR_CELLS; i++) {
		((char *)&arena.cells[i])[i & 7] = i;
		barrier();
	}
	/* an opaque pointer keeps marker() out of line */
	__asm__("" : "+r"(fn));
	fn();
}

/* Through an opaque pointer: one copy of the workload, not inlined. */
static void run_workload(void)
{
	void (*fn)(void) = workload;

	__asm__("" : "+r"(fn));
	fn();
}

static void stop_self(void)
{
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGSTOP);
}

static void tracee_loop(int idx);

static void *thread_main(void *arg)
{
	tracee_loop((int)(long)arg);
	return NULL;
}

/* Each thread parks in SIGSTOP and does what its command says when run. */
static void tracee_loop(int idx)
{
	for (;;) {
		pthread_t th;
		pid_t p;

		stop_self();
		barrier();
		switch (tracee_cmd[idx]) {
		case CMD_RUN:
			run_workload();
			break;
		case CMD_FORK:
			p = fork();
			if (!p) {
				run_workload();
				_exit(3);
			}
			waitpid(p, NULL, 0);
			break;
		case CMD_EXEC:
			execl("/proc/self/exe", prog, "--child", NULL);
			_exit(2);
		case CMD_EXIT:
			_exit(7);
		case CMD_SPAWN:
			pthread_create(&th, NULL, thread_main, (void *)spawn_index);
			break;
		case CMD_THREAD_EXIT:
			syscall(SYS_exit, 0);
			break;
		}
		barrier();
	}
}

/* --- the tracer --------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	return hwbp_rnd(&rng_state);
}

static unsigned long below(unsigned long n)
{
	return hwbp_below(&rng_state, n);
}

struct tracee {
	pid_t tid[MAX_THREADS];	/* 0: not alive */
	int generation;		/* how many tracees this slot has had */
};

static struct tracee pool[POOL];

/* the short version, for make check: 10 s under QEMU TCG */
static unsigned long digest_every = 1000;
static unsigned long full_lines = 1500;
static unsigned long op_nr;
static uint64_t digest, block_digest;
static int failures;

/* The line of the current operation, built piece by piece. */
static char line[LINE_MAX_LEN];
static size_t line_len;

static __printf(1, 2) void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hwbp_vappend(line, sizeof(line), &line_len, fmt, ap);
	va_end(ap);
}

static void end_line(void)
{
	hwbp_fnv(&digest, line);
	hwbp_fnv(&digest, "\n");
	hwbp_fnv(&block_digest, line);
	hwbp_fnv(&block_digest, "\n");
	if (op_nr < full_lines)
		printf("%s\n", line);
	line_len = 0;
	line[0] = 0;
}

/*
 * An address the tracee may hold, as its distance from something of ours:
 * the arena, or the nearest function of the tracee's below it.
 */
static const char *addr_name(unsigned long v, char *buf, size_t size)
{
	const struct {
		const char *name;
		unsigned long addr;
	} text[] = {
		{ "marker", (unsigned long)marker },
		{ "workload", (unsigned long)workload },
		{ "run_workload", (unsigned long)run_workload },
		{ "stop_self", (unsigned long)stop_self },
		{ "tracee_loop", (unsigned long)tracee_loop },
	};
	unsigned long a = (unsigned long)&arena, best = 1024;
	int found = -1;
	size_t i;

	if (v - a < sizeof(arena)) {
		snprintf(buf, size, "a+%lu", v - a);
		return buf;
	}
	for (i = 0; i < ARRAY_SIZE(text); i++) {
		unsigned long d = v - text[i].addr;

		if (d < best) {
			best = d;
			found = i;
		}
	}
	if (found >= 0)
		snprintf(buf, size, "%s+%lu", text[found].name, best);
	else
		snprintf(buf, size, "%#lx", v);
	return buf;
}

/* A trap's address: ours by name, anything else (libc) only as "other". */
static const char *ip_name(unsigned long v, char *buf, size_t size)
{
	addr_name(v, buf, size);
	if (buf[0] == '0' && v)
		snprintf(buf, size, "other");
	return buf;
}

static const char *errname(int e)
{
	const char *s = strerrorname_np(e);

	return s ? s : "E?";
}

static const char *off_name(unsigned long off, char *buf, size_t size)
{
	long rel = (long)(off - DR_OFF(0));
	long n = rel / (long)sizeof(long), m = rel % (long)sizeof(long);

	if (m < 0) {
		n--;
		m += sizeof(long);
	}
	if (m)
		snprintf(buf, size, "dr%ld+%ld", n, m);
	else
		snprintf(buf, size, "dr%ld", n);
	return buf;
}

static void peek_all(pid_t tid)
{
	char buf[32];
	int n;

	out(" [");
	for (n = 0; n < 8; n++) {
		long v;

		errno = 0;
		v = ptrace(PTRACE_PEEKUSER, tid, DR_OFF(n), 0);
		if (errno)
			out("%s%s", n ? " " : "", errname(errno));
		else
			out("%s%s", n ? " " : "", addr_name(v, buf, sizeof(buf)));
	}
	out("]");
}

static void fatal(const char *what)
{
	printf("FATAL op %lu: %s: %s (line so far: %s)\n", op_nr, what,
	       errname(errno), line);
	exit(1);
}

static int nr_threads(struct tracee *t)
{
	int i, n = 0;

	for (i = 0; i < MAX_THREADS; i++)
		n += !!t->tid[i];
	return n;
}

static void set_cmd(struct tracee *t, int idx, long cmd)
{
	if (ptrace(PTRACE_POKEDATA, t->tid[idx], (void *)&tracee_cmd[idx], (void *)cmd))
		fatal("POKEDATA");
}

static void wait_tid(pid_t tid, int *status)
{
	if (waitpid(tid, status, __WALL) != tid)
		fatal("waitpid");
}

/* A SIGTRAP stop with no event: what the tracee hit, as gdb sees it. */
static void record_trap(pid_t tid)
{
	siginfo_t si;
	char buf[32];
	long dr6;

	memset(&si, 0, sizeof(si));
	if (ptrace(PTRACE_GETSIGINFO, tid, 0, &si))
		fatal("GETSIGINFO");
	errno = 0;
	dr6 = ptrace(PTRACE_PEEKUSER, tid, DR_OFF(6), 0);
	out(" T%d@%s", si.si_code, ip_name((unsigned long)si.si_addr, buf, sizeof(buf)));
	if (errno)
		out("/%s", errname(errno));
	else
		out("/%#lx", dr6);
	/* gdb clears DR6 after every stop; so do we */
	if (ptrace(PTRACE_POKEUSER, tid, DR_OFF(6), 0))
		out("/clear:%s", errname(errno));
}

/*
 * Resume @tid and record its stops until it parks in SIGSTOP again.
 * Returns 0 when parked, 1 when it is gone (status recorded), -1 when it
 * stopped for @event (left stopped there).
 */
static int collect(pid_t tid, int event, int *status)
{
	int stops;

	for (stops = 0; stops < MAX_STOPS; stops++) {
		int sig;

		wait_tid(tid, status);
		if (WIFEXITED(*status)) {
			out(" exit%d", WEXITSTATUS(*status));
			return 1;
		}
		if (WIFSIGNALED(*status)) {
			out(" killed:%s", sigabbrev_np(WTERMSIG(*status)) ?: "?");
			return 1;
		}
		sig = WSTOPSIG(*status);
		if (*status >> 16) {
			if (*status >> 16 == event)
				return -1;
			out(" event%d", *status >> 16);
		} else if (sig == SIGSTOP) {
			return 0;
		} else if (sig == SIGTRAP) {
			record_trap(tid);
		} else {
			out(" %s", sigabbrev_np(sig) ?: "?");
		}
		if (ptrace(PTRACE_CONT, tid, 0, 0))
			fatal("CONT");
	}
	out(" too-many-stops");
	return 2;
}

static void kill_tracee(struct tracee *t);
static void new_tracee(struct tracee *t, int threads);

/* A tracee that misbehaved is replaced, so the pool stays usable. */
static void settle(struct tracee *t, int r)
{
	if (r > 1) {
		kill_tracee(t);
		failures++;
	}
}

static void reap_all(struct tracee *t)
{
	int i, status;

	/* a group leader is reported only once its threads are gone */
	for (i = MAX_THREADS - 1; i >= 0; i--) {
		if (!t->tid[i])
			continue;
		wait_tid(t->tid[i], &status);
		t->tid[i] = 0;
	}
}

static void kill_tracee(struct tracee *t)
{
	if (t->tid[0]) {
		kill(t->tid[0], SIGKILL);
		reap_all(t);
	}
}

static void spawn_thread(struct tracee *t, int idx)
{
	unsigned long msg;
	int status, r;

	if (ptrace(PTRACE_POKEDATA, t->tid[0], (void *)&spawn_index, (void *)(long)idx))
		fatal("POKEDATA");
	set_cmd(t, 0, CMD_SPAWN);
	if (ptrace(PTRACE_CONT, t->tid[0], 0, 0))
		fatal("CONT");
	r = collect(t->tid[0], PTRACE_EVENT_CLONE, &status);
	if (r != -1) {
		out(" no-clone-event");
		settle(t, 2);
		return;
	}
	if (ptrace(PTRACE_GETEVENTMSG, t->tid[0], 0, &msg))
		fatal("GETEVENTMSG");
	t->tid[idx] = msg;
	/* the new thread's first stop, then its own park in SIGSTOP */
	wait_tid(t->tid[idx], &status);
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP)
		out(" clone-first-stop:%#x", status);
	out(" new%d:", idx);
	peek_all(t->tid[idx]);
	if (ptrace(PTRACE_CONT, t->tid[idx], 0, 0))
		fatal("CONT");
	settle(t, collect(t->tid[idx], 0, &status) ? 2 : 0);
	if (!t->tid[0])
		return;
	if (ptrace(PTRACE_CONT, t->tid[0], 0, 0))
		fatal("CONT");
	settle(t, collect(t->tid[0], 0, &status) ? 2 : 0);
}

static void new_tracee(struct tracee *t, int threads)
{
	int status, i;
	pid_t pid;

	t->generation++;
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (!pid) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(1);
		tracee_loop(0);
	}
	memset(t->tid, 0, sizeof(t->tid));
	t->tid[0] = pid;
	wait_tid(pid, &status);
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP)
		fatal("first stop");
	/* EXITKILL: a tracer that dies leaves no tracee behind */
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE |
		   PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL))
		fatal("SETOPTIONS");
	out(" threads %d", threads);
	for (i = 1; i < threads && t->tid[0]; i++)
		spawn_thread(t, i);
}

/* --- random operands ---------------------------------------------------- */

static unsigned long rand_offset(void)
{
	unsigned long r = below(100);

	if (r < 40)
		return DR_OFF(7);
	if (r < 80)
		return DR_OFF(below(4));
	if (r < 86)
		return DR_OFF(4 + below(3));
	if (r < 94)
		return DR_OFF(below(8)) + 1 + below(7);
	if (r < 97)
		return DR_OFF(8 + below(3));
	if (r < 99)
		return sizeof(struct user) + below(64);
	return -sizeof(long) * (1 + below(2));
}

static unsigned long rand_addr(void)
{
	static const unsigned long kernel[] = {
		KERNEL_TEXT, DIRECT_MAP, VSYSCALL_PAGE, CPU_ENTRY_AREA,
		CPU_ENTRY_AREA + 0x1000, CPU_ENTRY_AREA + 0x1f58,
		0xffffffffffffffffUL, 0xfffffffffffffff8UL,
	};
	static const unsigned long noncanon[] = {
		0x800000000000UL, 0x8000000000000000UL, 0x0000800000000008UL,
		0x00ff000000000000UL, 0x7fffffffffffffffUL,
	};
	unsigned long r = below(100);

	if (r < 35)
		return (unsigned long)&arena + below(sizeof(arena));
	if (r < 55)
		return (unsigned long)&arena.cells[below(NR_CELLS)];
	if (r < 63)
		return (unsigned long)&marker + below(8);
	if (r < 66)
		return 0;
	if (r < 74)
		return kernel[below(ARRAY_SIZE(kernel))];
	if (r < 80)
		return noncanon[below(ARRAY_SIZE(noncanon))];
	if (r < 95)
		return TASK_SIZE_MAX_4L - 16 + below(24);
	return rnd();
}

static unsigned long rand_dr7(void)
{
	unsigned long v = 0, r = below(100);
	int n;

	if (r < 5)
		return 0;
	if (r < 10)
		return rnd();
	for (n = 0; n < 4; n++) {
		unsigned long rw, len;

		/* a disabled slot's fields count as well, once it has a breakpoint */
		if (below(3) == 0 && below(2))
			continue;
		if (below(4))
			v |= (1 + below(3)) << (n * 2);	/* L, G or both */
		/* mostly write or read/write, some execute, a few I/O */
		r = below(20);
		rw = r < 8 ? DR7_RW_W : r < 15 ? DR7_RW_RW : r < 19 ? DR7_RW_X : DR7_RW_IO;
		len = below(4);
		if (rw == DR7_RW_X && below(3))
			len = DR7_LEN_1;
		v |= DR7_RW(n, rw) | DR7_LEN(n, len);
	}
	if (below(10) == 0)
		v |= below(4) << 8;		/* LE, GE */
	if (below(20) == 0)
		v |= DR7_GD;
	if (below(15) == 0)
		v |= below(8) << 10 | below(4) << 14;	/* reserved */
	if (below(20) == 0)
		v |= rnd() << 32;
	return v;
}

static unsigned long rand_value(unsigned long off)
{
	if (off == DR_OFF(7))
		return rand_dr7();
	if (off == DR_OFF(6))
		return below(2) ? 0 : below(2) ? 0xffff0ff0UL : rnd();
	if (below(10) == 0)
		return rand_dr7();
	return rand_addr();
}

/* --- operations --------------------------------------------------------- */

/* A random living thread of a random tracee. */
static struct tracee *pick(int *idx)
{
	struct tracee *t = &pool[below(POOL)];
	int i = below(MAX_THREADS);

	while (!t->tid[i])
		i = (i + 1) % MAX_THREADS;
	*idx = i;
	return t;
}

static void op_poke(struct tracee *t, int idx)
{
	unsigned long off = rand_offset();
	unsigned long v = rand_value(off);
	char b1[32], b2[32];
	long ret;

	ret = ptrace(PTRACE_POKEUSER, t->tid[idx], off, v);
	out("poke %s <- %s: %s", off_name(off, b1, sizeof(b1)),
	    addr_name(v, b2, sizeof(b2)), ret ? errname(errno) : "ok");
	peek_all(t->tid[idx]);
}

static void op_peek(struct tracee *t, int idx)
{
	unsigned long off = rand_offset();
	char b1[32], b2[32];
	long v;

	errno = 0;
	v = ptrace(PTRACE_PEEKUSER, t->tid[idx], off, 0);
	out("peek %s = %s", off_name(off, b1, sizeof(b1)),
	    errno ? errname(errno) : addr_name(v, b2, sizeof(b2)));
}

static void op_run(struct tracee *t, int idx)
{
	int status;

	out("run");
	set_cmd(t, idx, CMD_RUN);
	if (ptrace(PTRACE_CONT, t->tid[idx], 0, 0))
		fatal("CONT");
	settle(t, collect(t->tid[idx], 0, &status) ? 2 : 0);
}

static void op_step(struct tracee *t, int idx)
{
	int steps = 1 + below(MAX_STEPS), n, status;
	pid_t tid = t->tid[idx];

	out("step %d:", steps);
	set_cmd(t, idx, CMD_RUN);
	for (n = 0; n < steps; n++) {
		if (ptrace(PTRACE_SINGLESTEP, tid, 0, 0))
			fatal("SINGLESTEP");
		wait_tid(tid, &status);
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP || status >> 16) {
			out(" unexpected:%#x", status);
			settle(t, 2);
			return;
		}
		record_trap(tid);
	}
	out(" then");
	if (ptrace(PTRACE_CONT, tid, 0, 0))
		fatal("CONT");
	settle(t, collect(tid, 0, &status) ? 2 : 0);
}

static void op_fork(struct tracee *t, int idx)
{
	unsigned long msg;
	int status, r;
	pid_t child;

	out("fork");
	set_cmd(t, idx, CMD_FORK);
	if (ptrace(PTRACE_CONT, t->tid[idx], 0, 0))
		fatal("CONT");
	r = collect(t->tid[idx], PTRACE_EVENT_FORK, &status);
	if (r != -1) {
		out(" no-fork-event");
		settle(t, 2);
		return;
	}
	if (ptrace(PTRACE_GETEVENTMSG, t->tid[idx], 0, &msg))
		fatal("GETEVENTMSG");
	child = msg;
	wait_tid(child, &status);
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP)
		out(" child-first-stop:%#x", status);
	out(" child:");
	peek_all(child);
	/* does what the parent had armed fire in the child? */
	if (ptrace(PTRACE_CONT, child, 0, 0))
		fatal("CONT");
	r = collect(child, 0, &status);
	if (r != 1) {
		out(" child-not-gone");
		kill(child, SIGKILL);
		while (waitpid(child, &status, __WALL) == child && !WIFEXITED(status) &&
		       !WIFSIGNALED(status))
			;
		failures++;
	}
	out(" parent:");
	if (ptrace(PTRACE_CONT, t->tid[idx], 0, 0))
		fatal("CONT");
	settle(t, collect(t->tid[idx], 0, &status) ? 2 : 0);
}

static void op_exec(struct tracee *t)
{
	int status, r;
	long magic;

	out("exec");
	set_cmd(t, 0, CMD_EXEC);
	if (ptrace(PTRACE_CONT, t->tid[0], 0, 0))
		fatal("CONT");
	r = collect(t->tid[0], PTRACE_EVENT_EXEC, &status);
	if (r != -1) {
		out(" no-exec-event");
		settle(t, 2);
		return;
	}
	out(" after:");
	peek_all(t->tid[0]);
	if (ptrace(PTRACE_CONT, t->tid[0], 0, 0))
		fatal("CONT");
	r = collect(t->tid[0], 0, &status);
	if (r) {
		settle(t, 2);
		return;
	}
	/* the new image must have the old one's addresses, or nothing compares */
	errno = 0;
	magic = ptrace(PTRACE_PEEKDATA, t->tid[0], (void *)&layout_magic, 0);
	if (errno || magic != layout_magic) {
		out(" layout-differs");
		settle(t, 2);
	}
}

static void op_exit(struct tracee *t, int kill_it)
{
	int status, i;

	out(kill_it ? "kill" : "exit");
	if (kill_it) {
		kill(t->tid[0], SIGKILL);
	} else {
		set_cmd(t, 0, CMD_EXIT);
		if (ptrace(PTRACE_CONT, t->tid[0], 0, 0))
			fatal("CONT");
	}
	for (i = MAX_THREADS - 1; i >= 0; i--) {
		if (!t->tid[i])
			continue;
		wait_tid(t->tid[i], &status);
		if (!WIFEXITED(status) && !WIFSIGNALED(status)) {
			/* a stop on the way out: let it go on */
			if (ptrace(PTRACE_CONT, t->tid[i], 0, 0))
				fatal("CONT");
			i++;
			continue;
		}
		t->tid[i] = 0;
		if (i == 0) {
			if (WIFEXITED(status))
				out(" exit%d", WEXITSTATUS(status));
			else
				out(" killed:%s", sigabbrev_np(WTERMSIG(status)) ?: "?");
		}
	}
	out(" new");
	new_tracee(t, 1 + below(MAX_THREADS));
}

static void op_thread_exit(struct tracee *t, int idx)
{
	int status;

	out("thread-exit");
	set_cmd(t, idx, CMD_THREAD_EXIT);
	if (ptrace(PTRACE_CONT, t->tid[idx], 0, 0))
		fatal("CONT");
	wait_tid(t->tid[idx], &status);
	if (WIFEXITED(status))
		out(" exit%d", WEXITSTATUS(status));
	else
		out(" status:%#x", status);
	t->tid[idx] = 0;
}

static void op_spawn(struct tracee *t)
{
	int i;

	for (i = 1; i < MAX_THREADS && t->tid[i]; i++)
		;
	out("spawn");
	spawn_thread(t, i);
}

static void one_op(void)
{
	unsigned long r = below(1000);
	struct tracee *t;
	int idx;

	t = pick(&idx);
	out("%lu p%d.%d ", op_nr, (int)(t - pool), idx);
	if (r < 600)
		op_poke(t, idx);
	else if (r < 650)
		op_peek(t, idx);
	else if (r < 850)
		op_run(t, idx);
	else if (r < 910)
		op_step(t, idx);
	else if (r < 940)
		op_fork(t, idx);
	else if (r < 955 && nr_threads(t) == 1)
		op_exec(t);
	else if (r < 965)
		op_exit(t, 0);
	else if (r < 975)
		op_exit(t, 1);
	else if (r < 990 && idx)
		op_thread_exit(t, idx);
	else if (nr_threads(t) < MAX_THREADS)
		op_spawn(t);
	else
		op_peek(t, idx);
	/* a tracee that misbehaved was killed: put a fresh one in its place */
	if (!t->tid[0]) {
		out(" replaced");
		new_tracee(t, 1 + below(MAX_THREADS));
	}
	end_line();
}

/* A tracee that never stops again must not hang the test guest. */
static void watchdog(int sig)
{
	static const char msg[] = "FATAL: an operation took over a minute\n";

	write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

/* --- the leak check ----------------------------------------------------- */

static long leak_cell;

static int cpu_wide_check(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int cpu, n, bad = 0, online = 0;

	for (cpu = 0; cpu < ncpu; cpu++) {
		int fds[4], opened = 0, err = 0;

		for (n = 0; n < 4; n++) {
			struct perf_event_attr attr = {
				.type = PERF_TYPE_BREAKPOINT,
				.size = sizeof(attr),
				.bp_type = HW_BREAKPOINT_W,
				.bp_addr = (unsigned long)&leak_cell,
				.bp_len = HW_BREAKPOINT_LEN_8,
				.pinned = 1,
				.sample_period = 1,
			};

			fds[n] = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, 0);
			if (fds[n] < 0 && !err)
				err = errno;
			opened += fds[n] >= 0;
		}
		for (n = 0; n < 4; n++)
			if (fds[n] >= 0)
				close(fds[n]);
		/* an offline CPU refuses them all; it holds nothing */
		if (!opened && err == ENODEV)
			continue;
		online++;
		if (opened != 4) {
			printf("leak: cpu %d: %d of 4 CPU-wide pinned breakpoints open (%s)\n",
			       cpu, opened, errname(err));
			bad = 1;
		}
	}
	if (!bad)
		printf("leak: 4 CPU-wide pinned breakpoints open on each of %d CPUs\n", online);
	return bad;
}

/* Our kernel's view: bound, task_max and dbg must be 0 on every row. */
static int slots_check(void)
{
	FILE *f = fopen(HWBP_SLOTS_VIEW, "r");
	struct hwbp_slots_row r;
	char buf[256];
	int rows = 0, bad = 0;

	if (!f) {
		printf("leak: no %s (%s)\n", HWBP_SLOTS_VIEW, errname(errno));
		return 0;
	}
	while (fgets(buf, sizeof(buf), f)) {
		if (!hwbp_slots_row(buf, &r))
			continue;
		rows++;
		if (!hwbp_slots_row_idle(&r)) {
			printf("leak: slots view: %s", buf);
			bad = 1;
		}
	}
	fclose(f);
	if (!rows) {
		printf("leak: slots view has no rows\n");
		return 1;
	}
	if (!bad)
		printf("leak: slots view: every count zero (%d rows)\n", rows);
	return bad;
}

/* Runs as its own group leader so the tracees can be reaped by id. */
int main(int argc, char **argv)
{
	unsigned long seed = 1, ops = 10000;
	int i, pers, bad;

	prog = argv[0];
	if (argc > 1 && !strcmp(argv[1], "--child")) {
		/* exec'd by a tracee: already traced, go on as one */
		tracee_loop(0);
	}
	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seed"))
			seed = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--ops"))
			ops = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--digest"))
			digest_every = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--lines"))
			full_lines = strtoul(argv[i + 1], NULL, 0);
		else
			break;
	}
	if (i != argc) {
		fprintf(stderr, "usage: %s [--seed N] [--ops N] [--digest N] [--lines N]\n",
			argv[0]);
		return 2;
	}
	/*
	 * A tracee that execs must come back at the same addresses, or its
	 * read-backs cannot be named: no address randomisation from here on.
	 */
	pers = personality(0xffffffff);
	if (pers != -1 && !(pers & ADDR_NO_RANDOMIZE) &&
	    personality(pers | ADDR_NO_RANDOMIZE) != -1) {
		execv("/proc/self/exe", argv);
		perror("re-exec");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rng_state = seed * 0x9e3779b97f4a7c15ULL ?: 1;
	digest = HWBP_FNV_BASIS;
	block_digest = HWBP_FNV_BASIS;
	printf("ptrace_dr_fuzz seed %lu ops %lu lines %lu digest-every %lu\n", seed, ops,
	       full_lines, digest_every);

	for (i = 0; i < POOL; i++) {
		out("init p%d", i);
		new_tracee(&pool[i], i < 2 ? 1 : i);
		end_line();
	}
	signal(SIGALRM, watchdog);
	for (op_nr = 0; op_nr < ops; op_nr++) {
		alarm(WATCHDOG_SECS);
		one_op();
		if (digest_every && (op_nr + 1) % digest_every == 0) {
			printf("block %lu ops %lu-%lu digest %016llx\n", op_nr / digest_every,
			       op_nr + 1 - digest_every, op_nr,
			       (unsigned long long)block_digest);
			block_digest = HWBP_FNV_BASIS;
		}
	}
	for (i = 0; i < POOL; i++)
		kill_tracee(&pool[i]);
	alarm(0);
	printf("== done: %lu ops, digest %016llx, %d tracees misbehaved\n", ops,
	       (unsigned long long)digest, failures);

	/* not part of the transcript: the kernels' views differ */
	printf("== leak check\n");
	bad = cpu_wide_check();
	bad |= slots_check();
	return bad || failures ? 1 : 0;
}
