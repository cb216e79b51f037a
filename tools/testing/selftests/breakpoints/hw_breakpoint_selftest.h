/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the x86 hardware-breakpoint selftests share: the debug registers as
 * ptrace shows them, perf breakpoints, the multiplex and slots files of
 * kernels that have them, and the seeded random numbers of the fuzzers and
 * the stress test, which must give the same sequence with every libc.
 *
 * Include it after the C library's headers, with _GNU_SOURCE defined;
 * it includes kselftest.h.
 */
#ifndef HW_BREAKPOINT_SELFTEST_H
#define HW_BREAKPOINT_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "../kselftest.h"

#define NR_DR		4	/* address registers: DR0-DR3 */

/* PTRACE_PEEKUSER/POKEUSER offset of debug register @n */
#define DR_OFF(n)	(offsetof(struct user, u_debugreg) + (n) * sizeof(long))

/*
 * DR7, per slot @n: the local and global enable bits, and the R/W and LEN
 * fields with their encodings (LEN 2 is 8 bytes, LEN 3 is 4).
 */
#define DR7_L(n)		(1UL << ((n) * 2))
#define DR7_G(n)		(2UL << ((n) * 2))
#define DR7_RW(n, rw)		((unsigned long)(rw) << (16 + (n) * 4))
#define DR7_LEN(n, len)		((unsigned long)(len) << (18 + (n) * 4))
#define DR7_RW_OF(dr7, n)	(((dr7) >> (16 + (n) * 4)) & 3)
#define DR7_LEN_OF(dr7, n)	(((dr7) >> (18 + (n) * 4)) & 3)

#define DR7_RW_X	0
#define DR7_RW_W	1
#define DR7_RW_IO	2
#define DR7_RW_RW	3

#define DR7_LEN_1	0
#define DR7_LEN_2	1
#define DR7_LEN_8	2
#define DR7_LEN_4	3

#define DR7_LE		0x100UL
#define DR7_GE		0x200UL
#define DR7_GD		0x2000UL

/* Slot @n enabled locally (or globally) for @rw accesses of @len */
static inline unsigned long dr7_local(int n, unsigned int rw, unsigned int len)
{
	return DR7_L(n) | DR7_RW(n, rw) | DR7_LEN(n, len);
}

static inline unsigned long dr7_global(int n, unsigned int rw, unsigned int len)
{
	return DR7_G(n) | DR7_RW(n, rw) | DR7_LEN(n, len);
}

/* DR6: the hit bit of slot @n */
#define DR6_B(n)	(1UL << (n))

#define HWBP_MUX_FILE	"/sys/bus/event_source/devices/breakpoint/multiplex"
#define HWBP_SLOTS_VIEW	"/sys/kernel/debug/hw_breakpoint/slots"
#define HWBP_PARANOID	"/proc/sys/kernel/perf_event_paranoid"

/* xorshift64*: the next number of the sequence that @state holds */
static inline uint64_t hwbp_rnd(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* A number below @n from @state */
static inline uint64_t hwbp_below(uint64_t *state, uint64_t n)
{
	return hwbp_rnd(state) % n;
}

/* splitmix64: a well-mixed seed for each of many streams of one seed */
static inline uint64_t hwbp_splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * The fuzzers' transcripts: a line is built piece by piece, cut where it
 * does not fit, and digested with FNV-1a.
 */
static inline __printf(4, 0)
void hwbp_vappend(char *line, size_t size, size_t *len, const char *fmt,
		  va_list ap)
{
	int n;

	if (*len >= size - 1)
		return;
	n = vsnprintf(line + *len, size - *len, fmt, ap);
	if (n > 0)
		*len += n;
	if (*len > size - 1)
		*len = size - 1;
}

#define HWBP_FNV_BASIS	0xcbf29ce484222325ULL

static inline void hwbp_fnv(uint64_t *h, const char *s)
{
	for (; *s; s++) {
		*h ^= (unsigned char)*s;
		*h *= 0x100000001b3ULL;
	}
}

static inline double hwbp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* perf_event_paranoid, or 2 (its default) if it cannot be read */
static inline int hwbp_paranoid(void)
{
	FILE *f = fopen(HWBP_PARANOID, "r");
	int level = 2;

	if (f) {
		if (fscanf(f, "%d", &level) != 1)
			level = 2;
		fclose(f);
	}
	return level;
}

/* Write @n of a tracee's debug registers: 0 or -errno */
static inline long hwbp_poke(pid_t pid, int n, unsigned long val)
{
	errno = 0;
	return ptrace(PTRACE_POKEUSER, pid, DR_OFF(n), val) ? -errno : 0;
}

/*
 * Whether perf_event_open() gives this breakpoint to @pid on @cpu: 0, or
 * -errno.  An event it gives is closed at once.
 */
static inline int hwbp_try_open(pid_t pid, int cpu, unsigned long addr,
				unsigned long long len, unsigned int type,
				bool exclude_kernel)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(attr),
		.bp_addr = addr,
		.bp_len = len,
		.bp_type = type,
		.exclude_kernel = exclude_kernel,
		.exclude_hv = 1,
	};
	int fd = syscall(__NR_perf_event_open, &attr, pid, cpu, -1, 0);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static inline void hwbp_end_child(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/*
 * A child of ours, traced by us, that stops before and after @fn (if any)
 * and then exits: its pid once it has stopped the first time, or -1.
 */
static inline pid_t hwbp_traced_child(void (*fn)(void))
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		if (fn)
			fn();
		raise(SIGSTOP);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		return -1;
	/*
	 * waitpid() can return while the child is still on its CPU, on its
	 * way into the stop: ptrace_stop() notifies before it schedules.
	 * Events opened then would be scheduled in, before any ptrace
	 * breakpoint exists, and run until the child leaves.  A ptrace
	 * request returns only once the child is off its CPU.
	 */
	errno = 0;
	if (ptrace(PTRACE_PEEKUSER, pid, DR_OFF(7), 0) == -1 && errno) {
		hwbp_end_child(pid);
		return -1;
	}
	return pid;
}

/* Async-signal-safe: @val into the file at @path, 0 or -errno */
static inline int hwbp_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The multiplex file: 0 or 1, -1 if there is none, -2 if it reads oddly */
static inline int hwbp_mux_get(void)
{
	char buf[8] = "";
	int fd = open(HWBP_MUX_FILE, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n == 2 && buf[1] == '\n' && (buf[0] == '0' || buf[0] == '1'))
		return buf[0] - '0';
	return -2;
}

/* One CPU's row of the slots view */
struct hwbp_slots_row {
	int cpu;
	char class[32];
	int slots, bound, task_max, dbg, free;
};

/* @line as a row of the slots view; false for its header or anything else */
static inline bool hwbp_slots_row(const char *line, struct hwbp_slots_row *r)
{
	return sscanf(line, "%d %31s %d %d %d %d %d", &r->cpu, r->class,
		      &r->slots, &r->bound, &r->task_max, &r->dbg,
		      &r->free) == 7;
}

/* Nothing bound to the CPU, no task's slots counted, every slot free */
static inline bool hwbp_slots_row_idle(const struct hwbp_slots_row *r)
{
	return !r->bound && !r->task_max && !r->dbg && r->free == r->slots;
}

#endif /* HW_BREAKPOINT_SELFTEST_H */
