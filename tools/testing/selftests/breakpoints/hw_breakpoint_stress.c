// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency stress of the hardware-breakpoint layer.  For a bounded time
 * (-t SECONDS), many threads (-n, default 64) each run a seeded random loop
 * of perf_event_open() breakpoints on themselves, on the other threads and
 * CPU-wide (on every possible CPU, offline ones included), pinned and not,
 * PERF_EVENT_IOC_MODIFY_ATTRIBUTES, enable, disable, read and close, stores
 * and calls that make them fire, and forks whose children inherit them.
 * Meanwhile a thread takes CPUs 1..N-1 offline and online again, a tracer
 * process rewrites the debug registers of a running tracee through
 * PTRACE_POKEUSER, and, where the breakpoint PMU has a "multiplex" file,
 * flexible breakpoints outnumber the registers and rotate.
 *
 * Every call's errno is counted; one that the call cannot legitimately
 * return under this load fails the test (see allowed[]).  At the end, with
 * every event closed, every child reaped and every CPU online again, four
 * pinned CPU-wide breakpoints must open on each CPU, and the debugfs slots
 * view, where there is one, must count nothing held.  A watchdog ends the
 * test as a failure if it outlives its time by WATCHDOG_MARGIN_S.
 *
 * Hotplug and the multiplex file need root; without it those parts skip.
 * x86: four debug registers, DR0-DR3 and DR7 through ptrace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
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
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "hw_breakpoint_selftest.h"

#define CPU_DIR		"/sys/devices/system/cpu/"

#define MAX_THREADS	1024
#define MAX_CPUS	256
#define EVS_PER_THREAD	12
/* Flexible events a thread opens on itself at once: more than NR_DR */
#define FLEX_BURST	6
/* How long a burst stores to its cells: several mux intervals */
#define BURST_MS	20
#define DEFAULT_SECS	10
#define DEFAULT_THREADS	64
#define DEFAULT_SEED	0x5eed
#define WATCHDOG_MARGIN_S 25
#define PROGRESS_S	60
#define MAX_ERRNO	134

enum call {
	OPEN_SELF, OPEN_SIBLING, OPEN_SIBLING_INHERIT, OPEN_OTHER, OPEN_CPU,
	OPEN_CHILD, MODIFY, ENABLE, DISABLE, READ, CLOSE, FORK, AFFINITY,
	CPU_OFF, CPU_ON, TR_SEIZE, TR_INTERRUPT, TR_WAIT, TR_CONT, TR_DETACH,
	TR_POKE_ADDR, TR_POKE_DR7, TR_PEEK_DR7, NR_CALLS
};

static const char * const call_name[NR_CALLS] = {
	"open-self", "open-sibling", "open-sibling-inherit", "open-other-thread",
	"open-cpu", "open-child", "modify", "enable", "disable", "read", "close",
	"fork", "affinity", "cpu-offline", "cpu-online", "ptrace-seize",
	"ptrace-interrupt", "waitpid-tracee", "ptrace-cont", "ptrace-detach",
	"poke-dr0-3", "poke-dr7", "peek-dr7",
};

#define E(e)	(1ULL << (e))
/*
 * The errnos each call may return under this load, with valid arguments
 * only; anything else is a failure.
 *
 * ENOSPC: a pinned breakpoint, and on a kernel without multiplexing any
 * breakpoint, needs a free debug register on every CPU it may run on; the
 * other threads' CPU-wide and task breakpoints hold them.  So does a group
 * sibling of a pinned leader, on any kernel.  A fork whose child inherits
 * breakpoints needs registers for the child's copies (the kernel fails the
 * fork), and a ptrace write of DR0-DR3 (the first one creates the
 * breakpoint, which reserves a register: 6.12 keeps it, ours gives it back
 * while DR7 leaves it disabled) or of DR7 needs one.
 * ENODEV: perf refuses a CPU-wide event on a CPU that is offline.
 * ESRCH: a forked child may be gone before its parent opens an event on it.
 * ENODEV, EINVAL: a group leader with inherit=1 on this thread need not
 * stay this thread's.  Once it forked, perf may swap the thread's context
 * for the child's, which is a clone of it, at a context switch (perf's
 * context_equiv()): the leader then belongs to the child, in a context
 * that is not the thread's (EINVAL), and is dead once the child exited
 * (ENODEV).
 * EINVAL: sched_setaffinity() to a CPU that is offline.
 * EBUSY: the kernel may refuse to take a CPU offline (it cannot move
 * something off it at that moment).
 * EAGAIN: fork() when the system is out of processes for a moment.
 * EACCES, for an open without root only (see main()): CPU-wide events,
 * and at perf_event_paranoid 2 counting in the kernel, need CAP_PERFMON.
 * Nothing else: a modify keeps the breakpoint's class (x86 has one class),
 * enable, disable, read and close of a valid fd cannot fail, nor can
 * ptrace requests on a tracee the tracer has just seen stop.
 */
static uint64_t allowed[NR_CALLS] = {
	[OPEN_SELF] = E(ENOSPC),
	[OPEN_SIBLING] = E(ENOSPC),
	[OPEN_SIBLING_INHERIT] = E(ENOSPC) | E(ENODEV) | E(EINVAL),
	[OPEN_OTHER] = E(ENOSPC),
	[OPEN_CPU] = E(ENOSPC) | E(ENODEV),
	[OPEN_CHILD] = E(ENOSPC) | E(ESRCH),
	[FORK] = E(ENOSPC) | E(EAGAIN),
	[AFFINITY] = E(EINVAL),
	[CPU_OFF] = E(EBUSY),
	[CPU_ON] = E(EBUSY),
	[TR_POKE_ADDR] = E(ENOSPC),
	[TR_POKE_DR7] = E(ENOSPC),
};

struct stats {
	unsigned long ops[NR_CALLS];
	unsigned long err[NR_CALLS][MAX_ERRNO + 1];
};

/* Cells the breakpoints watch, a cache line per thread */
struct cells {
	long c[NR_DR];
	long pad[8 - NR_DR];
};

/*
 * An open event; @id numbers the thread's events, @leader is its group
 * leader's (0: it leads itself, also once that leader is closed).
 */
struct ev {
	int fd;
	bool flexible, self;
	unsigned long id, leader;
	struct perf_event_attr attr;
};

struct worker {
	pthread_t th;
	int idx;
	pid_t tid;
	uint64_t rng;
	bool finished;
	int nr_ev;
	unsigned long last_id;
	struct ev ev[EVS_PER_THREAD];
	unsigned long forks, flex_read, flex_rotated, bursts;
	struct stats st;
};

/* What the tracer process tells the test, in shared memory */
struct tracer_out {
	struct stats st;
	unsigned long cycles, hits, seizes, dr7_writes, readback_bad;
	unsigned long tracee_died;
	int done;
};

static struct cells cells[MAX_THREADS];
static struct cells tracee_cells;
static struct worker *workers;
static int nr_threads = DEFAULT_THREADS;
static int nr_cpus;		/* possible CPUs: 0..nr_cpus-1 */
static double deadline;
static pthread_barrier_t start_line, finish_line;

static struct stats hp_st;
static unsigned long hp_cycles;
static int hp_cpus[MAX_CPUS];
static int nr_hp_cpus;
static bool hp_finished;

static struct tracer_out *tr;
static pid_t tracer_pid;
static int mux_saved = -1;

static unsigned int below(uint64_t *s, unsigned int n)
{
	return hwbp_below(s, n);
}

static void count(struct stats *st, enum call c, int err)
{
	st->ops[c]++;
	if (err)
		st->err[c][err > 0 && err <= MAX_ERRNO ? err : 0]++;
}

/* A call that returns -1 and sets errno on failure */
static long counted(struct stats *st, enum call c, long ret)
{
	count(st, c, ret < 0 ? errno : 0);
	return ret;
}

/* The one function the execute breakpoints watch */
static void xfunc(long *p)
{
	__atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
}

/* Called through this, so that the compiler keeps it out of line */
static void (*xfunc_ptr)(long *p) = xfunc;

static void xcall(long *p)
{
	__atomic_load_n(&xfunc_ptr, __ATOMIC_RELAXED)(p);
}

static void touch(struct cells *mine, uint64_t *rng, int n)
{
	for (int i = 0; i < n; i++) {
		long *p = &mine->c[i % NR_DR];

		if (i & 1)
			xcall(p);
		else
			__atomic_store_n(p, i, __ATOMIC_RELAXED);
	}
	/* a read of another thread's cell: what rw breakpoints also see */
	(void)__atomic_load_n(&cells[below(rng, nr_threads)].c[0], __ATOMIC_RELAXED);
}

/* Async-signal-safe: the watchdog calls it too */
static void mux_restore(void)
{
	if (mux_saved >= 0)
		hwbp_write_file(HWBP_MUX_FILE, mux_saved ? "1" : "0");
}

static void watchdog(int sig)
{
	static const char msg[] = "Bail out! the stress outlived its time, killed\n";

	if (tracer_pid > 0)
		kill(tracer_pid, SIGKILL);
	mux_restore();
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(KSFT_FAIL);
	_exit(KSFT_FAIL);
}

/*
 * A valid breakpoint: write or read-write of 1, 2, 4 or 8 bytes on one of
 * the cells, or execute on xfunc().
 */
static void random_bp(uint64_t *rng, struct perf_event_attr *attr, struct cells *where)
{
	static const int lens[] = { 1, 2, 4, 8 };

	if (!below(rng, 6)) {
		attr->bp_type = HW_BREAKPOINT_X;
		attr->bp_addr = (unsigned long)xfunc;
		attr->bp_len = sizeof(long);
		return;
	}
	attr->bp_type = below(rng, 2) ? HW_BREAKPOINT_W : HW_BREAKPOINT_RW;
	attr->bp_addr = (unsigned long)&where->c[below(rng, NR_DR)];
	attr->bp_len = lens[below(rng, 4)];
}

static void random_attr(uint64_t *rng, struct perf_event_attr *attr,
			struct cells *where, bool pinned, bool inherit)
{
	memset(attr, 0, sizeof(*attr));
	attr->type = PERF_TYPE_BREAKPOINT;
	attr->size = sizeof(*attr);
	attr->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			    PERF_FORMAT_TOTAL_TIME_RUNNING;
	attr->pinned = pinned;
	attr->inherit = inherit;
	attr->disabled = !below(rng, 5);
	attr->exclude_kernel = below(rng, 2);
	attr->exclude_hv = 1;
	/* sampling with no ring buffer: the overflow path, nothing kept */
	attr->sample_period = below(rng, 3) ? 0 : 1 + below(rng, 4);
	random_bp(rng, attr, where);
}

/* Open an event, in the group of w->ev[@leader] unless that is -1 */
static int ev_open(struct worker *w, enum call c, struct perf_event_attr *attr,
		   pid_t pid, int cpu, int leader)
{
	int group = leader < 0 ? -1 : w->ev[leader].fd;
	int fd = counted(&w->st, c, syscall(__NR_perf_event_open, attr, pid, cpu, group,
					    PERF_FLAG_FD_CLOEXEC));
	struct ev *e;

	if (fd < 0)
		return -1;
	e = &w->ev[w->nr_ev++];
	e->fd = fd;
	e->flexible = !attr->pinned;
	e->self = !pid && cpu < 0;
	e->id = ++w->last_id;
	e->leader = leader < 0 ? 0 : w->ev[leader].id;
	e->attr = *attr;
	return w->nr_ev - 1;
}

/* One of this thread's group leaders on itself, or -1 */
static int ev_leader(struct worker *w)
{
	int from = w->nr_ev ? below(&w->rng, w->nr_ev) : 0;

	for (int k = 0; k < w->nr_ev; k++) {
		int i = (from + k) % w->nr_ev;

		if (w->ev[i].self && !w->ev[i].leader)
			return i;
	}
	return -1;
}

/* Close event @i, first reading whether a flexible one rotated */
static void ev_close(struct worker *w, int i)
{
	struct ev *e = &w->ev[i];
	uint64_t v[3];

	if (counted(&w->st, READ, read(e->fd, v, sizeof(v))) == sizeof(v) &&
	    e->flexible && v[1]) {
		w->flex_read++;
		if (v[2] && v[2] < v[1])
			w->flex_rotated++;
	}
	counted(&w->st, CLOSE, close(e->fd));
	/* its siblings lead themselves now */
	for (int j = 0; j < w->nr_ev; j++)
		if (w->ev[j].leader == e->id)
			w->ev[j].leader = 0;
	w->ev[i] = w->ev[--w->nr_ev];
}

static void make_room(struct worker *w, int n)
{
	while (w->nr_ev > EVS_PER_THREAD - n)
		ev_close(w, below(&w->rng, w->nr_ev));
}

static void open_random(struct worker *w)
{
	struct perf_event_attr attr;
	unsigned int r = below(&w->rng, 100);
	bool pinned = below(&w->rng, 5) < 2;
	struct worker *o;
	int leader;

	make_room(w, 1);
	leader = r < 10 ? ev_leader(w) : -1;
	if (leader >= 0) {
		/* a sibling: never pinned, inherits as its leader does */
		bool inherit = w->ev[leader].attr.inherit;

		random_attr(&w->rng, &attr, &cells[w->idx], false, inherit);
		ev_open(w, inherit ? OPEN_SIBLING_INHERIT : OPEN_SIBLING, &attr, 0, -1, leader);
	} else if (r < 40) {
		random_attr(&w->rng, &attr, &cells[w->idx], pinned, !below(&w->rng, 3));
		ev_open(w, OPEN_SELF, &attr, 0, -1, -1);
	} else if (r < 70) {
		o = &workers[below(&w->rng, nr_threads)];
		random_attr(&w->rng, &attr, &cells[o->idx], pinned, false);
		ev_open(w, OPEN_OTHER, &attr, o->tid, -1, -1);
	} else {
		random_attr(&w->rng, &attr, &cells[below(&w->rng, nr_threads)],
			    pinned, false);
		ev_open(w, OPEN_CPU, &attr, -1, below(&w->rng, nr_cpus), -1);
	}
}

static void modify_random(struct worker *w)
{
	struct perf_event_attr attr;
	struct ev *e;

	if (!w->nr_ev)
		return;
	e = &w->ev[below(&w->rng, w->nr_ev)];
	/* Only the breakpoint and disabled may differ from the event's own */
	attr = e->attr;
	random_bp(&w->rng, &attr, &cells[below(&w->rng, nr_threads)]);
	attr.disabled = !below(&w->rng, 4);
	if (counted(&w->st, MODIFY, ioctl(e->fd, PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &attr)) == 0)
		e->attr = attr;
}

static void toggle_random(struct worker *w)
{
	int fd;

	if (!w->nr_ev)
		return;
	fd = w->ev[below(&w->rng, w->nr_ev)].fd;
	if (below(&w->rng, 2))
		counted(&w->st, ENABLE, ioctl(fd, PERF_EVENT_IOC_ENABLE, 0));
	else
		counted(&w->st, DISABLE, ioctl(fd, PERF_EVENT_IOC_DISABLE, 0));
}

/*
 * More flexible breakpoints on this thread than there are registers, all
 * enabled, then stores to their cells for several mux intervals.  Half the
 * time they are one group, which never fits in the registers.
 */
static void burst(struct worker *w)
{
	bool group = below(&w->rng, 2);
	struct perf_event_attr attr;
	int leader = -1;
	double end;

	make_room(w, FLEX_BURST);
	for (int i = 0; i < FLEX_BURST; i++) {
		int k;

		random_attr(&w->rng, &attr, &cells[w->idx], false, false);
		attr.disabled = 0;
		k = ev_open(w, leader < 0 ? OPEN_SELF : OPEN_SIBLING, &attr, 0, -1, leader);
		if (group && leader < 0)
			leader = k;
	}
	w->bursts++;
	end = hwbp_now() + BURST_MS / 1000.0;
	while (hwbp_now() < end)
		touch(&cells[w->idx], &w->rng, 64);
}

/*
 * A child that inherits this thread's inherit=1 breakpoints, stores to the
 * cells and exits; the parent may open one on it meanwhile.  A fork, but
 * sharing the file table: a copy of it would keep every thread's events
 * alive past their close() for as long as the child lives, and a group
 * leader its thread has closed would still lead its group.
 */
static void fork_random(struct worker *w)
{
	struct perf_event_attr attr;
	int status;
	pid_t pid;

	if (!below(&w->rng, 2)) {
		make_room(w, 1);
		random_attr(&w->rng, &attr, &cells[w->idx], below(&w->rng, 2), true);
		ev_open(w, OPEN_SELF, &attr, 0, -1, -1);
	}
	pid = counted(&w->st, FORK, syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0));
	if (pid < 0)
		return;
	if (!pid) {
		touch(&cells[w->idx], &w->rng, 32);
		_exit(0);
	}
	w->forks++;
	if (below(&w->rng, 2)) {
		make_room(w, 1);
		random_attr(&w->rng, &attr, &cells[w->idx], below(&w->rng, 2), false);
		ev_open(w, OPEN_CHILD, &attr, pid, -1, -1);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static void affinity_random(struct worker *w)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (below(&w->rng, 3)) {
		CPU_SET(below(&w->rng, nr_cpus), &set);
	} else {
		for (int c = 0; c < nr_cpus; c++)
			CPU_SET(c, &set);
	}
	counted(&w->st, AFFINITY, sched_setaffinity(0, sizeof(set), &set));
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	w->tid = syscall(SYS_gettid);
	pthread_barrier_wait(&start_line);
	while (hwbp_now() < deadline) {
		unsigned int r = below(&w->rng, 100);

		if (r < 25)
			open_random(w);
		else if (r < 37)
			modify_random(w);
		else if (r < 52)
			toggle_random(w);
		else if (r < 62 && w->nr_ev)
			ev_close(w, below(&w->rng, w->nr_ev));
		else if (r < 88)
			touch(&cells[w->idx], &w->rng, 1 + below(&w->rng, 64));
		else if (r < 93)
			fork_random(w);
		else if (r < 96)
			affinity_random(w);
		else
			burst(w);
	}
	while (w->nr_ev)
		ev_close(w, w->nr_ev - 1);
	w->finished = true;
	/* no thread is gone while another may still open an event on it */
	pthread_barrier_wait(&finish_line);
	return NULL;
}

/* --- CPU hotplug ---------------------------------------------------------- */

static int cpu_online_write(int cpu, bool on)
{
	char path[64];

	snprintf(path, sizeof(path), CPU_DIR "cpu%d/online", cpu);
	return -hwbp_write_file(path, on ? "1" : "0");
}

static void hotplug_find(void)
{
	char path[64];

	for (int c = 1; c < nr_cpus && nr_hp_cpus < MAX_CPUS; c++) {
		snprintf(path, sizeof(path), CPU_DIR "cpu%d/online", c);
		if (!access(path, W_OK))
			hp_cpus[nr_hp_cpus++] = c;
	}
}

static void *hotplug_main(void *arg)
{
	uint64_t rng = *(uint64_t *)arg;

	pthread_barrier_wait(&start_line);
	while (hwbp_now() < deadline) {
		int cpu = hp_cpus[below(&rng, nr_hp_cpus)], err;
		struct timespec ts = { 0, below(&rng, 50) * 1000000L };

		err = cpu_online_write(cpu, false);
		count(&hp_st, CPU_OFF, err);
		nanosleep(&ts, NULL);
		/* online again at once if it failed: nothing may stay off */
		while ((err = cpu_online_write(cpu, true)) == EBUSY) {
			count(&hp_st, CPU_ON, err);
			usleep(1000);
		}
		count(&hp_st, CPU_ON, err);
		if (!err)
			hp_cycles++;
	}
	hp_finished = true;
	return NULL;
}

/* Every CPU online again; false if one stays offline */
static bool all_online(void)
{
	bool ok = true;

	for (int i = 0; i < nr_hp_cpus; i++) {
		int err = 0;

		for (int t = 0; t < 50; t++) {
			err = cpu_online_write(hp_cpus[i], true);
			if (!err)
				break;
			usleep(100000);
		}
		if (err) {
			ksft_print_msg("cpu%d stays offline: %s\n", hp_cpus[i], strerror(err));
			ok = false;
		}
	}
	return ok;
}

/* --- the tracer ----------------------------------------------------------- */

static __noreturn void tracee_main(void)
{
	unsigned long i = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		__atomic_store_n(&tracee_cells.c[i % NR_DR], i, __ATOMIC_RELAXED);
		xcall(&tracee_cells.c[(i + 1) % NR_DR]);
		i++;
	}
}

static void on_trap(int sig)
{
}

/* A valid DR7: each of the four enabled or not, with a valid type and length */
static unsigned long random_dr7(uint64_t *rng, const unsigned long *addr)
{
	static const unsigned int lens[] = {
		DR7_LEN_1, DR7_LEN_2, DR7_LEN_4, DR7_LEN_8
	};
	unsigned long dr7 = 0;

	for (int i = 0; i < NR_DR; i++) {
		unsigned int rw, len;

		if (!below(rng, 2))
			continue;
		if (addr[i] == (unsigned long)xfunc) {
			rw = DR7_RW_X;
			len = DR7_LEN_1;
		} else {
			rw = below(rng, 2) ? DR7_RW_W : DR7_RW_RW;
			len = lens[below(rng, 4)];
		}
		dr7 |= below(rng, 2) ? DR7_L(i) : DR7_G(i);
		dr7 |= DR7_RW(i, rw) | DR7_LEN(i, len);
	}
	return dr7;
}

static bool tracee_stop(struct tracer_out *o, pid_t pid)
{
	int status;

	if (counted(&o->st, TR_WAIT, waitpid(pid, &status, __WALL)) != pid)
		return false;
	if (!WIFSTOPPED(status)) {
		o->tracee_died++;
		return false;
	}
	if (WSTOPSIG(status) == SIGTRAP && !(status >> 16))
		o->hits++;
	return true;
}

/* Is @v aligned for the length DR7 gives debug register @i (x86: 1 byte for execute)? */
static bool dr_aligned(unsigned long dr7, int i, unsigned long v)
{
	static const unsigned long mask[] = {
		[DR7_LEN_1] = 0, [DR7_LEN_2] = 1, [DR7_LEN_4] = 3, [DR7_LEN_8] = 7,
	};

	if (DR7_RW_OF(dr7, i) == DR7_RW_X)
		return true;
	return !(v & mask[DR7_LEN_OF(dr7, i)]);
}

/*
 * Pokes at one stop.  An address write keeps the type and length DR7 last
 * gave that register, so xfunc(), which need not be aligned, is only
 * written where that length allows it.
 */
static void tracer_pokes(struct tracer_out *o, pid_t pid, uint64_t *rng,
			 unsigned long *addr, unsigned long *dr7)
{
	int n = 1 + below(rng, 4);

	for (int k = 0; k < n; k++) {
		int i = below(rng, NR_DR + 1);
		unsigned long v, got;

		if (i < NR_DR) {
			v = (unsigned long)xfunc;
			if (below(rng, 5) || !dr_aligned(*dr7, i, v))
				v = (unsigned long)&tracee_cells.c[below(rng, NR_DR)];
			if (!counted(&o->st, TR_POKE_ADDR,
				     ptrace(PTRACE_POKEUSER, pid, DR_OFF(i), v)))
				addr[i] = v;
			continue;
		}
		v = random_dr7(rng, addr);
		o->dr7_writes++;
		if (!counted(&o->st, TR_POKE_DR7, ptrace(PTRACE_POKEUSER, pid, DR_OFF(7), v)))
			*dr7 = v;
		errno = 0;
		got = ptrace(PTRACE_PEEKUSER, pid, DR_OFF(7), 0);
		count(&o->st, TR_PEEK_DR7, errno);
		/* what was written if it was taken, else what was there */
		if (!errno && got != *dr7)
			o->readback_bad++;
	}
}

static __noreturn void tracer_main(struct tracer_out *o, uint64_t seed)
{
	unsigned long addr[NR_DR] = { 0 }, dr7 = 0;
	uint64_t rng = seed;
	bool attached = false;
	pid_t pid;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (!pid)
		tracee_main();
	while (hwbp_now() < deadline) {
		if (!attached) {
			if (counted(&o->st, TR_SEIZE, ptrace(PTRACE_SEIZE, pid, 0,
							     PTRACE_O_EXITKILL)))
				break;
			o->seizes++;
			attached = true;
		}
		if (counted(&o->st, TR_INTERRUPT, ptrace(PTRACE_INTERRUPT, pid, 0, 0)) ||
		    !tracee_stop(o, pid))
			break;
		o->cycles++;
		tracer_pokes(o, pid, &rng, addr, &dr7);
		/*
		 * Now and then a new tracer: the old one's breakpoints stay
		 * with the tracee, so they are all disabled first.
		 */
		if (!below(&rng, 32) &&
		    !counted(&o->st, TR_POKE_DR7, ptrace(PTRACE_POKEUSER, pid, DR_OFF(7), 0))) {
			dr7 = 0;
			if (counted(&o->st, TR_DETACH, ptrace(PTRACE_DETACH, pid, 0, 0)))
				break;
			attached = false;
			continue;
		}
		if (counted(&o->st, TR_CONT, ptrace(PTRACE_CONT, pid, 0, 0)))
			break;
		if (below(&rng, 2))
			usleep(below(&rng, 2000));
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	o->done = 1;
	_exit(0);
}

static void tracer_start(uint64_t seed)
{
	pid_t pid;

	tr = mmap(NULL, sizeof(*tr), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tr == MAP_FAILED)
		ksft_exit_fail_perror("mmap");
	signal(SIGTRAP, on_trap);	/* the tracee's, inherited */
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_perror("fork");
	if (!pid)
		tracer_main(tr, seed);
	tracer_pid = pid;
	signal(SIGTRAP, SIG_DFL);
}

/* --- the end: verdicts ------------------------------------------------------ */

static void errno_report(const struct stats *st, unsigned long *total,
			 unsigned long *unexpected)
{
	for (int c = 0; c < NR_CALLS; c++) {
		char line[512];
		int n;

		if (!st->ops[c])
			continue;
		*total += st->ops[c];
		n = snprintf(line, sizeof(line), "%-20s %9lu ops", call_name[c], st->ops[c]);
		for (int e = 0; e <= MAX_ERRNO; e++) {
			bool ok = e < 64 && (allowed[c] & E(e));

			if (!st->err[c][e])
				continue;
			if (!ok)
				*unexpected += st->err[c][e];
			n += snprintf(line + n, sizeof(line) - n, ", %s%s %lu",
				      ok ? "" : "UNEXPECTED ",
				      e ? strerrorname_np(e) : "errno>134", st->err[c][e]);
			if (n >= (int)sizeof(line))
				break;
		}
		ksft_print_msg("%s\n", line);
	}
}

static void stats_add(struct stats *to, const struct stats *from)
{
	for (int c = 0; c < NR_CALLS; c++) {
		to->ops[c] += from->ops[c];
		for (int e = 0; e <= MAX_ERRNO; e++)
			to->err[c][e] += from->err[c][e];
	}
}

/*
 * Four pinned CPU-wide breakpoints on every online CPU.  1: they open, 0:
 * one does not, -1: no permission for CPU-wide breakpoints.
 */
static int registers_free(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(attr),
		.bp_type = HW_BREAKPOINT_W,
		.bp_len = sizeof(long),
		.pinned = 1,
		.exclude_kernel = 1,
	};
	bool ok = true, denied = false;
	int fd[NR_DR];

	for (int cpu = 0; cpu < nr_cpus; cpu++) {
		char path[64];
		int on = 1, f;

		snprintf(path, sizeof(path), CPU_DIR "cpu%d/online", cpu);
		f = open(path, O_RDONLY);
		if (f >= 0) {
			char c = '1';

			if (read(f, &c, 1) == 1)
				on = c == '1';
			close(f);
		}
		if (!on) {
			ksft_print_msg("cpu%d is offline\n", cpu);
			ok = false;
			continue;
		}
		for (int i = 0; i < NR_DR; i++) {
			attr.bp_addr = (unsigned long)&cells[0].c[i];
			fd[i] = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, 0);
			if (fd[i] < 0 && errno == EACCES) {
				denied = true;
			} else if (fd[i] < 0) {
				ksft_print_msg("cpu%d: breakpoint %d of %d: %s\n", cpu,
					       i + 1, NR_DR, strerror(errno));
				ok = false;
			}
		}
		for (int i = 0; i < NR_DR; i++)
			if (fd[i] >= 0)
				close(fd[i]);
	}
	return denied ? -1 : ok;
}

/* 1: every count of the slots view is zero, 0: one is not, -1: no view */
static int slots_zero(void)
{
	FILE *f = fopen(HWBP_SLOTS_VIEW, "r");
	char line[256];
	int ok = 1, rows = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		struct hwbp_slots_row r;

		if (!hwbp_slots_row(line, &r))
			continue;
		rows++;
		if (!hwbp_slots_row_idle(&r)) {
			ksft_print_msg("slots: %s", line);
			ok = 0;
		}
	}
	fclose(f);
	return rows ? ok : 0;
}

/* What the run left for the verdicts */
struct outcome {
	bool root, hotplug, tracer_ok;
	int finished;
	unsigned long unexpected, ops_min, flex_read, flex_rotated;
};

/*
 * Each verdict is a case under a fixed name: the judge returns KSFT_PASS,
 * KSFT_FAIL or KSFT_SKIP and puts the figures (or why it is skipped) in
 * @why, shown in a diagnostic line before a pass or fail.
 */
typedef int (*judge_fn)(const struct outcome *o, char *why, size_t size);

static int judge_errno(const struct outcome *o, char *why, size_t size)
{
	snprintf(why, size, "%lu unexpected", o->unexpected);
	return o->unexpected ? KSFT_FAIL : KSFT_PASS;
}

static int judge_finished(const struct outcome *o, char *why, size_t size)
{
	snprintf(why, size, "%d of %d finished", o->finished, nr_threads);
	return o->finished == nr_threads && o->ops_min > 0 ? KSFT_PASS : KSFT_FAIL;
}

static int judge_hotplug(const struct outcome *o, char *why, size_t size)
{
	if (!o->root || !nr_hp_cpus) {
		snprintf(why, size, "%s", o->root ? "no CPU can go offline" : "not root");
		return KSFT_SKIP;
	}
	snprintf(why, size, "%lu cycles", hp_cycles);
	return o->hotplug && hp_cycles > 0 ? KSFT_PASS : KSFT_FAIL;
}

static int judge_tracer(const struct outcome *o, char *why, size_t size)
{
	ksft_print_msg("tracer: %lu stops, %lu breakpoint hits, %lu seizes, %lu DR7 writes\n",
		       tr->cycles, tr->hits, tr->seizes, tr->dr7_writes);
	ksft_print_msg("tracer: %lu DR7 read-backs wrong, tracee died %lu\n",
		       tr->readback_bad, tr->tracee_died);
	snprintf(why, size, "%lu written", tr->dr7_writes);
	return o->tracer_ok && tr->dr7_writes && !tr->readback_bad && !tr->tracee_died ?
	       KSFT_PASS : KSFT_FAIL;
}

static int judge_flexible(const struct outcome *o, char *why, size_t size)
{
	ksft_print_msg("flexible events read %lu, rotated %lu\n", o->flex_read,
		       o->flex_rotated);
	if (mux_saved < 0) {
		snprintf(why, size, "no multiplexing%s", o->root ? "" : " (not root)");
		return KSFT_SKIP;
	}
	snprintf(why, size, "%lu rotated", o->flex_rotated);
	return o->flex_rotated > 0 ? KSFT_PASS : KSFT_FAIL;
}

static int judge_registers(const struct outcome *o, char *why, size_t size)
{
	int all_free = registers_free();

	if (all_free < 0) {
		snprintf(why, size, "CPU-wide breakpoints need CAP_PERFMON");
		return KSFT_SKIP;
	}
	return all_free ? KSFT_PASS : KSFT_FAIL;
}

static int judge_slots(const struct outcome *o, char *why, size_t size)
{
	int slots = slots_zero();

	if (slots < 0) {
		snprintf(why, size, "no " HWBP_SLOTS_VIEW);
		return KSFT_SKIP;
	}
	return slots ? KSFT_PASS : KSFT_FAIL;
}

static const struct {
	const char *name;
	judge_fn judge;
} verdicts[] = {
	{ "no unexpected errno", judge_errno },
	{ "every thread finished", judge_finished },
	{ "hotplug cycles done", judge_hotplug },
	{ "tracer's DR7 writes all answered", judge_tracer },
	{ "flexible events rotated", judge_flexible },
	{ "after close every register is free on every CPU", judge_registers },
	{ "debugfs slots view all zero", judge_slots },
};

static void verdicts_run(const struct outcome *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(verdicts); i++) {
		char why[128] = "";
		int code = verdicts[i].judge(o, why, sizeof(why));

		if (code == KSFT_SKIP) {
			ksft_test_result_code(KSFT_SKIP, verdicts[i].name, "%s", why);
			continue;
		}
		if (why[0])
			ksft_print_msg("%s: %s\n", verdicts[i].name, why);
		ksft_test_result_code(code, verdicts[i].name, NULL);
	}
}

static void usage(const char *prog)
{
	fprintf(stderr, "%s [-t SECONDS] [-n THREADS] [-s SEED]\n", prog);
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	unsigned long total = 0, unexpected = 0, forks = 0, flex_read = 0;
	unsigned long flex_rotated = 0, bursts = 0, ops_min = ~0UL;
	uint64_t seed = DEFAULT_SEED, s, hp_seed;
	struct stats *all = calloc(1, sizeof(*all));
	int secs = DEFAULT_SECS, opt, status, finished = 0;
	struct outcome o = { 0 };
	bool root = !geteuid(), hotplug, tracer_ok;
	pthread_t hp_th;
	double start;

	while ((opt = getopt(argc, argv, "t:n:s:")) != -1) {
		switch (opt) {
		case 't':
			secs = atoi(optarg);
			break;
		case 'n':
			nr_threads = atoi(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (secs < 1 || nr_threads < 1 || nr_threads > MAX_THREADS || !all)
		usage(argv[0]);

	ksft_print_header();
	ksft_print_msg("seed %#llx duration %d s threads %d\n",
		       (unsigned long long)seed, secs, nr_threads);
	ksft_set_plan(ARRAY_SIZE(verdicts));
	if (!root) {
		allowed[OPEN_SELF] |= E(EACCES);
		allowed[OPEN_SIBLING] |= E(EACCES);
		allowed[OPEN_SIBLING_INHERIT] |= E(EACCES);
		allowed[OPEN_OTHER] |= E(EACCES);
		allowed[OPEN_CPU] |= E(EACCES);
		allowed[OPEN_CHILD] |= E(EACCES);
	}
	nr_cpus = sysconf(_SC_NPROCESSORS_CONF);
	if (nr_cpus < 1 || nr_cpus > MAX_CPUS)
		nr_cpus = nr_cpus < 1 ? 1 : MAX_CPUS;
	s = seed;

	if (root && hwbp_mux_get() >= 0) {
		mux_saved = hwbp_mux_get();
		if (hwbp_write_file(HWBP_MUX_FILE, "1"))
			mux_saved = -1;
	}
	signal(SIGALRM, watchdog);
	alarm(secs + WATCHDOG_MARGIN_S);
	start = hwbp_now();
	deadline = start + secs;

	tracer_start(hwbp_splitmix(&s));
	hotplug = root;
	if (hotplug)
		hotplug_find();
	hotplug = hotplug && nr_hp_cpus;
	workers = calloc(nr_threads, sizeof(*workers));
	if (!workers)
		ksft_exit_fail_perror("calloc");
	pthread_barrier_init(&start_line, NULL, nr_threads + 1 + hotplug);
	pthread_barrier_init(&finish_line, NULL, nr_threads);
	for (int i = 0; i < nr_threads; i++) {
		struct worker *w = &workers[i];

		w->idx = i;
		w->rng = hwbp_splitmix(&s) | 1;
		if (pthread_create(&w->th, NULL, worker_main, w))
			ksft_exit_fail_msg("pthread_create %d of %d\n", i + 1, nr_threads);
	}
	hp_seed = hwbp_splitmix(&s) | 1;
	if (hotplug && pthread_create(&hp_th, NULL, hotplug_main, &hp_seed))
		ksft_exit_fail_msg("pthread_create hotplug\n");
	pthread_barrier_wait(&start_line);

	/* a sign of life on a long run's console */
	for (int t = PROGRESS_S; hwbp_now() + PROGRESS_S < deadline; t += PROGRESS_S) {
		sleep(PROGRESS_S);
		ksft_print_msg("%d s: %lu hotplug cycles, %lu tracer stops\n", t,
			       __atomic_load_n(&hp_cycles, __ATOMIC_RELAXED),
			       __atomic_load_n(&tr->cycles, __ATOMIC_RELAXED));
	}
	for (int i = 0; i < nr_threads; i++) {
		struct worker *w = &workers[i];
		unsigned long ops = 0;

		pthread_join(w->th, NULL);
		finished += w->finished;
		for (int c = 0; c < NR_CALLS; c++)
			ops += w->st.ops[c];
		ops_min = ops < ops_min ? ops : ops_min;
		stats_add(all, &w->st);
		forks += w->forks;
		flex_read += w->flex_read;
		flex_rotated += w->flex_rotated;
		bursts += w->bursts;
	}
	if (hotplug) {
		pthread_join(hp_th, NULL);
		stats_add(all, &hp_st);
	}
	while (waitpid(tracer_pid, &status, 0) < 0 && errno == EINTR)
		;
	tracer_ok = WIFEXITED(status) && !WEXITSTATUS(status) && tr->done;
	stats_add(all, &tr->st);
	tracer_pid = 0;
	hotplug = hotplug && all_online() && hp_finished;
	mux_restore();

	ksft_print_msg("ran %.1f s: %d threads, %d possible CPUs\n", hwbp_now() - start,
		       nr_threads, nr_cpus);
	errno_report(all, &total, &unexpected);
	ksft_print_msg("operations %lu (fewest by one thread %lu), forks %lu, bursts %lu\n",
		       total, ops_min, forks, bursts);
	o.root = root;
	o.hotplug = hotplug;
	o.tracer_ok = tracer_ok;
	o.finished = finished;
	o.unexpected = unexpected;
	o.ops_min = ops_min;
	o.flex_read = flex_read;
	o.flex_rotated = flex_rotated;
	verdicts_run(&o);
	ksft_finished();
}
