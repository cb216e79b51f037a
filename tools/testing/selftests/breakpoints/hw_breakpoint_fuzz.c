// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded fuzzer of perf_event_open() for breakpoint events.
 *
 * Every iteration draws one breakpoint request (type, length, an address of
 * some class, the perf flags, a target task or CPU, a group) and then a few
 * things to do with it or with earlier ones (modify, enable, disable,
 * refresh, reset, period, read, touch the watched data, fork a child that
 * touches it, exec a task that holds breakpoints, close).  Up to POOL_SIZE
 * events stay open across iterations, so that the four debug registers run
 * out.  The run is repeated as root and, where the program runs as root, as
 * an unprivileged user at every perf_event_paranoid level.
 *
 * The output is a transcript with no verdict: the errno of every call and
 * the counts that are a function of the inputs alone (breakpoints on our own
 * data and text; the program keeps to CPU 0), never an address.  Two
 * kernels are compared by diffing their transcripts for the same seed.
 * The one deliberate difference is marked in the transcript with a "!": an
 * instruction breakpoint on the kernel's entry or noinstr text, which our
 * kernel refuses with EINVAL.  Such an event is closed (or modified back)
 * at once on every kernel, so that nothing after it depends on the answer.
 *
 * At the end every event is closed and every child reaped, then four
 * pinned CPU-wide breakpoints must open on every online CPU and, where the
 * debugfs view of the slots exists, every count in it must be back to zero.
 *
 * Usage: hw_breakpoint_fuzz [-s SEED] [-n ITERATIONS] [-d DIGEST]
 * With -d N one digest line per N iterations replaces the per-iteration
 * lines, for long runs.
 *
 * The transcript is the same from build to build as long as
 * fuzz_target_fn() and call_target() are (the Makefile aligns every
 * function, so that where one starts does not depend on the code before it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "hw_breakpoint_selftest.h"

#define DEFAULT_SEED	0x5eed1e55c0ffeeULL
#define DEFAULT_ITERS	600
#define POOL_SIZE	16
#define WATCH_BYTES	64
#define NR_DR		4
#define LINE_MAX_LEN	2048
#define NOBODY		65534
#define EXEC_CHILD	"--exec-child"
#define TASK_SIZE_MAX_4L	0x00007ffffffff000UL
#define CEA_BASE	0xfffffe0000000000UL
#define NONCANON_LO	0x0000800000000000UL
#define NONCANON_HI	0xffff7fffffffffffUL
/* sig_data of our events: is a SIGTRAP from this event deterministic? */
#define SIG_DET		1
#define SIG_NONDET	2
#ifndef TRAP_PERF
#define TRAP_PERF	6
#endif

#define CPU_TIME_PCT	"/proc/sys/kernel/perf_cpu_time_max_percent"
#define SAMPLE_RATE	"/proc/sys/kernel/perf_event_max_sample_rate"

/* The watched data and code: only touch() and its callers access them. */
static unsigned long watch_words[WATCH_BYTES / sizeof(long)];
#define watch_area ((char *)watch_words)

static void fuzz_target_fn(void)
{
	asm volatile("" : : : "memory");
}

/* through an opaque pointer, so that the call stays a call */
static void call_target(void)
{
	void (*fn)(void) = fuzz_target_fn;

	asm("" : "+r"(fn));
	fn();
}

/* --- PRNG: xorshift64*, reseeded per iteration --------------------------- */

static uint64_t rng_state;

static void rng_seed(uint64_t seed, uint64_t stream)
{
	/* splitmix64 of both: no two iterations share a stream */
	uint64_t s = seed + stream * 0x9e3779b97f4a7c15ULL;

	rng_state = hwbp_splitmix(&s) | 1;
}

static uint64_t rnd(void)
{
	return hwbp_rnd(&rng_state);
}

static uint64_t below(uint64_t n)
{
	return hwbp_below(&rng_state, n);
}

static bool chance(unsigned int pct)
{
	return below(100) < pct;
}

/* --- output: lines, or one digest per block of iterations ---------------- */

static char line[LINE_MAX_LEN];
static size_t line_len;
static long digest_every;
static uint64_t block_hash;
static long block_first = -1, block_last;
static unsigned long block_marked[2];	/* other answers, EINVAL */

static __printf(1, 2) void add(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hwbp_vappend(line, sizeof(line), &line_len, fmt, ap);
	va_end(ap);
}

static void block_flush(void)
{
	if (block_first < 0)
		return;
	printf("block %ld iters %ld-%ld digest %016llx marked einval=%lu other=%lu\n",
	       block_first / digest_every, block_first, block_last,
	       (unsigned long long)block_hash,
	       block_marked[1], block_marked[0]);
	block_first = -1;
}

/* End iteration @i's line: print it, or fold it into the block's digest. */
static void line_end(long i)
{
	if (!digest_every) {
		printf("%s\n", line);
	} else {
		if (block_first >= 0 && block_first / digest_every != i / digest_every)
			block_flush();
		if (block_first < 0) {
			block_first = i;
			block_hash = HWBP_FNV_BASIS;
			block_marked[0] = 0;
			block_marked[1] = 0;
		}
		block_last = i;
		hwbp_fnv(&block_hash, line);
		hwbp_fnv(&block_hash, "\n");
	}
	line_len = 0;
	line[0] = 0;
}

static const char *errname(int e)
{
	static const struct { int e; const char *n; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
		{ EINTR, "EINTR" }, { EBADF, "EBADF" }, { ECHILD, "ECHILD" },
		{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
		{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { EMFILE, "EMFILE" },
		{ ENOTTY, "ENOTTY" }, { ENOSPC, "ENOSPC" }, { E2BIG, "E2BIG" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { EOVERFLOW, "EOVERFLOW" },
	};
	static char buf[16];
	size_t k;

	for (k = 0; k < ARRAY_SIZE(names); k++)
		if (names[k].e == e)
			return names[k].n;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

static const char *res(long ret)
{
	return ret < 0 ? errname(errno) : "ok";
}

/* --- address classes ------------------------------------------------------ */

enum aclass {
	AC_UDATA,	/* our watch_area */
	AC_UTEXT,	/* fuzz_target_fn() */
	AC_NULL,	/* the NULL page */
	AC_PCPU,	/* a per-CPU symbol's kallsyms value: an offset, user range */
	AC_KTEXT,	/* _stext */
	AC_KFUNC,	/* a system call we make: __x64_sys_getppid */
	AC_JIFFIES,	/* kernel data written by every tick */
	AC_PANIC,	/* kernel data nothing writes: panic_timeout */
	AC_ENTRY,	/* entry text: entry_SYSCALL_64 */
	AC_NOINSTR,	/* noinstr text: exc_nmi */
	AC_PCPU_OFF,	/* __per_cpu_offset[], read by paranoid entry */
	AC_CEA,		/* cpu_entry_area: IST stacks, TSS, GDT */
	AC_NONCANON,
	AC_TASKEND,	/* around TASK_SIZE_MAX */
	AC_WRAP,	/* ranges that wrap past the top of the address space */
	AC_NR
};

static struct {
	const char *name;
	const char *sym;	/* from /proc/kallsyms, or NULL */
	bool det;		/* only this program's own accesses hit it */
	bool x_refused;		/* an execute breakpoint ours refuses, 6.12 not */
	bool placed;		/* 256-aligned: its own alignment is the linker's */
	unsigned long base;
} cls[AC_NR] = {
	[AC_UDATA] = { "udata", NULL, true },
	[AC_UTEXT] = { "utext", NULL, true },
	[AC_NULL] = { "null", NULL, true },
	[AC_PCPU] = { "pcpu", "cpu_dr7", true, false, true },
	[AC_KTEXT] = { "ktext", "_stext", false, false, true },
	[AC_KFUNC] = { "kfunc", "__x64_sys_getppid", false, false, true },
	[AC_JIFFIES] = { "jiffies", "jiffies", false, false, true },
	[AC_PANIC] = { "panic_timeout", "panic_timeout", false, false, true },
	[AC_ENTRY] = { "entry", "entry_SYSCALL_64", false, true },
	[AC_NOINSTR] = { "noinstr", "exc_nmi", false, true, true },
	[AC_PCPU_OFF] = { "pcpu_offset", "__per_cpu_offset" },
	[AC_CEA] = { "cea", NULL },
	[AC_NONCANON] = { "noncanon", NULL },
	[AC_TASKEND] = { "taskend", NULL },
	[AC_WRAP] = { "wrap", NULL },
};

static void read_kallsyms(void)
{
	char buf[512], name[256], type;
	unsigned long addr;
	bool missing = false;
	FILE *f;
	int k;

	cls[AC_UDATA].base = (unsigned long)watch_area;
	cls[AC_UTEXT].base = (unsigned long)fuzz_target_fn;
	cls[AC_CEA].base = CEA_BASE;
	cls[AC_NONCANON].base = NONCANON_LO;
	cls[AC_TASKEND].base = TASK_SIZE_MAX_4L;
	cls[AC_WRAP].base = ~0UL;
	f = fopen("/proc/kallsyms", "r");
	while (f && fgets(buf, sizeof(buf), f)) {
		if (sscanf(buf, "%lx %c %255s", &addr, &type, name) != 3)
			continue;
		for (k = 0; k < AC_NR; k++)
			if (cls[k].sym && !cls[k].base && !strcmp(name, cls[k].sym))
				cls[k].base = addr;
	}
	if (f)
		fclose(f);
	/*
	 * Two kernels place a symbol differently (with -Os a function may
	 * start at an odd address): for these classes the answer must depend
	 * on the offset drawn, not on the symbol's own alignment, or the
	 * transcripts of two kernels differ where their ABI does not.  Their
	 * region is not at stake: 256 bytes down is still kernel text, data,
	 * noinstr text (exc_nmi is further into it than that) or the per-CPU
	 * offsets' user range.
	 */
	for (k = 0; k < AC_NR; k++)
		if (cls[k].placed)
			cls[k].base &= ~255UL;
	printf("ksyms:");
	for (k = 0; k < AC_NR; k++) {
		if (cls[k].sym && !cls[k].base) {
			printf(" %s=missing", cls[k].sym);
			missing = true;
		}
	}
	printf("%s\n", missing ? "" : " all found");
}

/* --- the event pool ---------------------------------------------------------- */

struct slot {
	int fd;
	int cls;
	bool det;	/* its count is a function of the inputs since open/reset */
	bool group;	/* read_format has PERF_FORMAT_GROUP */
	struct perf_event_attr attr;
};

static struct slot pool[POOL_SIZE];
static int ncpus;
static pid_t target_child, parent_pid;
static int target_pipe = -1;
static int zero_fd = -1, null_fd = -1;
static char self_exe[PATH_MAX];
static unsigned long sig_det, sig_other;

/*
 * si_perf_data, which glibc before 2.37 does not name: in the kernel's
 * siginfo it is the word after si_addr.
 */
static unsigned long perf_data(const siginfo_t *si)
{
	unsigned long v;

	memcpy(&v, (const char *)&si->si_addr + sizeof(void *), sizeof(v));
	return v;
}

static void on_sigtrap(int sig, siginfo_t *si, void *uc)
{
	unsigned long data = perf_data(si);

	if (si->si_code == TRAP_PERF && data == SIG_DET)
		__atomic_fetch_add(&sig_det, 1, __ATOMIC_RELAXED);
	else if (si->si_code != TRAP_PERF || data != SIG_NONDET)
		__atomic_fetch_add(&sig_other, 1, __ATOMIC_RELAXED);
}

static unsigned long det_sigs(void)
{
	return __atomic_load_n(&sig_det, __ATOMIC_RELAXED);
}

static void touch(uint64_t r)
{
	int n = 1 + r % 3, k;

	for (k = 0; k < n; k++)
		__atomic_store_n(&watch_area[(r >> (8 + 6 * k)) % WATCH_BYTES],
				 (char)k, __ATOMIC_RELAXED);
	call_target();
	syscall(SYS_getppid);
	/* a kernel-mode write to the watched data */
	if (read(zero_fd, watch_area + (r >> 40) % WATCH_BYTES, 1) != 1)
		__atomic_fetch_add(&sig_other, 1000, __ATOMIC_RELAXED);
}

static long perf_open(void *attr, pid_t pid, int cpu, int group, unsigned long flags)
{
	return syscall(__NR_perf_event_open, attr, pid, cpu, group, flags);
}

/* One breakpoint: type, length, address; appended to the line as tags. */
static int gen_bp(struct perf_event_attr *a)
{
	static const uint32_t odd_types[] = {
		HW_BREAKPOINT_EMPTY, HW_BREAKPOINT_R, HW_BREAKPOINT_R | HW_BREAKPOINT_X,
		HW_BREAKPOINT_W | HW_BREAKPOINT_X, HW_BREAKPOINT_INVALID, 8,
		0x10 | HW_BREAKPOINT_W,
	};
	static const uint32_t types[] = { HW_BREAKPOINT_W, HW_BREAKPOINT_RW, HW_BREAKPOINT_X };
	static const uint64_t odd_lens[] = { 16, 1ULL << 32, ~0ULL, 3 };
	bool well_formed = chance(50);
	long off;
	uint64_t r;
	int c;

	/* our own data and code most often: there the counts can be checked */
	r = below(100);
	c = r < 20 ? AC_UDATA : r < 28 ? AC_UTEXT : (int)(AC_NULL + below(AC_NR - AC_NULL));
	r = below(100);
	if (well_formed || r < 60)
		a->bp_type = types[below(ARRAY_SIZE(types))];
	else if (r < 95)
		a->bp_type = odd_types[below(ARRAY_SIZE(odd_types))];
	else
		a->bp_type = (uint32_t)rnd();
	r = below(100);
	if (a->bp_type == HW_BREAKPOINT_X && (well_formed || r < 50))
		a->bp_len = sizeof(long);
	else if (well_formed || r < 75)
		a->bp_len = 1 << below(4);
	else if (r < 95)
		a->bp_len = below(256);
	else
		a->bp_len = odd_lens[below(ARRAY_SIZE(odd_lens))];

	switch (c) {
	case AC_UDATA:
		off = below(WATCH_BYTES);
		break;
	case AC_NULL:
		off = below(4096);
		break;
	case AC_CEA:
		/* mostly inside, sometimes just below its start */
		off = chance(20) ? -1 - (long)below(16) : (long)below(0x80000);
		break;
	case AC_NONCANON:
		if (chance(40))
			off = below(4096);
		else if (chance(60))
			off = (long)(NONCANON_HI - NONCANON_LO) - (long)below(4096);
		else
			off = below(NONCANON_HI - NONCANON_LO + 1);
		break;
	case AC_TASKEND:
		off = (long)below(33) - 16;
		break;
	case AC_WRAP:
		off = -(long)below(16);
		break;
	default:
		off = below(16);
	}
	if (well_formed && c != AC_WRAP && c != AC_TASKEND)
		off &= ~(long)(a->bp_len - 1);
	a->bp_addr = cls[c].base + off;
	if (c == AC_NONCANON) {
		add("t=%x l=%llu a=%s+0x%lx", a->bp_type, (unsigned long long)a->bp_len,
		    cls[c].name, (unsigned long)off);
		return c;
	}
	add("t=%x l=%llu a=%s%c0x%lx", a->bp_type, (unsigned long long)a->bp_len, cls[c].name,
	    off < 0 ? '-' : '+', off < 0 ? -(unsigned long)off : (unsigned long)off);
	return c;
}

static bool refused_by_ours(const struct perf_event_attr *a, int c)
{
	return a->bp_type == HW_BREAKPOINT_X && cls[c].x_refused;
}

static bool nondet_attr(const struct perf_event_attr *a, int c)
{
	/* frequency mode moves the period, so the overflows, with time */
	return !cls[c].det || a->freq;
}

static const char *u64name(uint64_t v)
{
	static char buf[4][24];
	static int k;
	char *b = buf[k++ % 4];

	if (v && !(v & (v - 1)) && v > 1024)
		snprintf(b, 24, "2^%d", __builtin_ctzll(v));
	else
		snprintf(b, 24, "%llu", (unsigned long long)v);
	return b;
}

/* Everything but the breakpoint itself, drawn for a new event. */
static void gen_flags(struct perf_event_attr *a)
{
	static const uint64_t periods[] = { 0, 0, 1, 1, 1, 2, 3, 1ULL << 62, 1ULL << 63 };
	static const uint64_t freqs[] = { 1, 10, 1ULL << 40 };
	static const uint64_t stypes[] = { PERF_SAMPLE_IP, PERF_SAMPLE_TID | PERF_SAMPLE_ADDR,
					   PERF_SAMPLE_BRANCH_STACK, 1ULL << 62 };
	static const uint64_t rformats[] = { PERF_FORMAT_ID, PERF_FORMAT_GROUP,
					     PERF_FORMAT_LOST, PERF_FORMAT_GROUP | PERF_FORMAT_ID,
					     1ULL << 10 };
	char fl[16], *p = fl;

	a->pinned = chance(30);
	a->exclude_user = chance(15);
	a->exclude_kernel = chance(45);
	a->exclude_hv = chance(20);
	a->inherit = chance(25);
	a->sigtrap = chance(15);
	a->remove_on_exec = chance(a->sigtrap ? 85 : 20);
	a->enable_on_exec = chance(5);
	a->disabled = chance(30);
	a->exclusive = chance(4);
	a->inherit_thread = chance(4);
	a->freq = chance(5);
	if (a->freq)
		a->sample_freq = freqs[below(3)];
	else
		a->sample_period = periods[below(ARRAY_SIZE(periods))];
	a->sample_type = chance(90) ? 0 : stypes[below(4)];
	a->read_format = chance(70) ? 0 : rformats[below(5)];

	if (a->pinned)
		*p++ = 'P';
	if (a->exclude_user)
		*p++ = 'U';
	if (a->exclude_kernel)
		*p++ = 'K';
	if (a->exclude_hv)
		*p++ = 'H';
	if (a->inherit)
		*p++ = 'I';
	if (a->sigtrap)
		*p++ = 'S';
	if (a->remove_on_exec)
		*p++ = 'R';
	if (a->enable_on_exec)
		*p++ = 'E';
	if (a->disabled)
		*p++ = 'D';
	if (a->exclusive)
		*p++ = 'X';
	if (a->inherit_thread)
		*p++ = 'T';
	if (p == fl)
		*p++ = '-';
	*p = 0;
	add(" f=%s %s=%s", fl, a->freq ? "fq" : "p", u64name(a->sample_period));
	if (a->sample_type)
		add(" st=%llx", (unsigned long long)a->sample_type);
	if (a->read_format)
		add(" rf=%llx", (unsigned long long)a->read_format);
}

static void slot_close(int s)
{
	if (pool[s].fd >= 0)
		close(pool[s].fd);
	pool[s].fd = -1;
}

static int slot_fd(int s)
{
	/* an empty slot's fd is one that is never open */
	return pool[s].fd >= 0 ? pool[s].fd : 1000;
}

/* --- follow-up operations ------------------------------------------------- */

static unsigned long opens, results[256], marked_tries;

/* @err: the errno of a failed open, 0 for success */
static void count_result(int err)
{
	opens++;
	results[err & 0xff]++;
}

/*
 * An input our kernel refuses on purpose: a "!" in front of its text in the
 * line (at @at), and in digest mode a tally of its answers instead.
 */
static void mark(size_t at)
{
	if (line_len + 1 >= sizeof(line))
		return;
	memmove(line + at + 1, line + at, line_len - at + 1);
	line[at] = '!';
	line_len++;
}

static void count_marked(int err)
{
	marked_tries++;
	block_marked[err == EINVAL]++;
}

static void op_mod(int s)
{
	struct perf_event_attr a = pool[s].attr, old = pool[s].attr;
	bool marked;
	size_t at;
	long ret;
	int c, err;

	if (pool[s].fd < 0)
		memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_BREAKPOINT;
	a.size = sizeof(a);
	add(" | s%d ", s);
	at = line_len;
	add("mod(");
	c = gen_bp(&a);
	if (chance(20)) {
		a.disabled ^= 1;
		add(" dis^");
	}
	/* fields a modification must leave alone */
	switch (below(12)) {
	case 0:
		a.pinned ^= 1;
		add(" pin^");
		break;
	case 1:
		a.exclude_kernel ^= 1;
		add(" exk^");
		break;
	case 2:
		a.sample_period += 1;
		add(" per+");
		break;
	case 3:
		a.sigtrap ^= 1;
		add(" sig^");
		break;
	}
	add(")");
	marked = refused_by_ours(&a, c);
	if (marked)
		mark(at);
	a.sig_data = nondet_attr(&a, c) ? SIG_NONDET : SIG_DET;
	ret = ioctl(slot_fd(s), PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &a);
	err = ret < 0 ? errno : 0;
	add("=%s", marked && digest_every ? "*" : res(ret));
	if (marked) {
		count_marked(err);
		/*
		 * 6.12 accepted what ours refuses: put the old breakpoint
		 * back and forget what the new one counted, on every kernel.
		 */
		ioctl(slot_fd(s), PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &old);
		ioctl(slot_fd(s), PERF_EVENT_IOC_RESET, 0);
		if (pool[s].fd >= 0)
			pool[s].det = !nondet_attr(&old, pool[s].cls);
		return;
	}
	if (!ret && pool[s].fd >= 0) {
		pool[s].attr = a;
		pool[s].cls = c;
		pool[s].det = pool[s].det && !nondet_attr(&a, c);
	}
}

static void op_ioctl(int s, const char *name, unsigned long req, unsigned long arg)
{
	long ret = ioctl(slot_fd(s), req, arg);

	add(" | s%d %s=%s", s, name, res(ret));
	if (!ret && req == PERF_EVENT_IOC_RESET && pool[s].fd >= 0)
		pool[s].det = !nondet_attr(&pool[s].attr, pool[s].cls);
}

static void op_period(int s)
{
	static const uint64_t periods[] = { 0, 1, 2, 1ULL << 62, 1ULL << 63 };
	uint64_t v = periods[below(ARRAY_SIZE(periods))];
	long ret = ioctl(slot_fd(s), PERF_EVENT_IOC_PERIOD, &v);

	add(" | s%d per%s=%s", s, u64name(v), res(ret));
	/* it sets the frequency of a frequency event */
	if (!ret && pool[s].fd >= 0 && !pool[s].attr.freq)
		pool[s].attr.sample_period = v;
}

static void op_read(int s)
{
	uint64_t buf[64];
	long ret = read(slot_fd(s), buf, sizeof(buf));

	add(" | s%d rd=", s);
	if (ret < 0)
		add("%s", errname(errno));
	else if (ret < 8)
		add("%ld", ret);
	else if (pool[s].group)
		add("%ld:n%llu", ret, (unsigned long long)buf[0]);
	else if (pool[s].det)
		add("%ld:%llu", ret, (unsigned long long)buf[0]);
	else
		add("%ld:?", ret);
}

static void op_touch(uint64_t r)
{
	unsigned long before = det_sigs();

	touch(r);
	add(" | touch sig+%lu", det_sigs() - before);
}

static void add_status(const char *what, int st)
{
	if (WIFEXITED(st))
		add(" | %s=x%d", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		add(" | %s=sig%d", what, WTERMSIG(st));
	else
		add(" | %s=?%x", what, st);
}

static int reap(pid_t pid)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

/* A child inherits the inherit=1 events, touches the data and exits. */
static void op_fork(uint64_t r)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		unsigned long before = det_sigs();

		touch(r);
		_exit((det_sigs() - before) & 0x7f);
	}
	if (pid < 0) {
		add(" | fork=%s", errname(errno));
		return;
	}
	add_status("fork", reap(pid));
}

/*
 * A child that holds inherited events execs this program, which touches the
 * data.  SIGTRAP stays blocked over the exec: a kernel-data event may have
 * fired in the execve itself, and its signal, due after the exec reset the
 * handler, would kill the child at a moment only the clock decides.
 */
static void op_exec(void)
{
	sigset_t trap;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		sigemptyset(&trap);
		sigaddset(&trap, SIGTRAP);
		sigprocmask(SIG_BLOCK, &trap, NULL);
		execl(self_exe, "hw_breakpoint_fuzz", EXEC_CHILD, NULL);
		_exit(127);
	}
	if (pid < 0) {
		add(" | exec=%s", errname(errno));
		return;
	}
	add_status("exec", reap(pid));
}

static int exec_child(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigtrap,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	sigset_t trap;
	unsigned long before;

	sigaction(SIGTRAP, &sa, NULL);
	sigemptyset(&trap);
	sigaddset(&trap, SIGTRAP);
	sigprocmask(SIG_UNBLOCK, &trap, NULL);
	zero_fd = open("/dev/zero", O_RDONLY);
	before = det_sigs();
	touch(0x123456789abcdefULL);
	/* a non-deterministic signal that was not ours would show here */
	return ((det_sigs() - before) & 0x3f) | (sig_other ? 0x40 : 0);
}

/* One follow-up call on pool slot @s; @r (0-99) picks which. */
static void follow_up(int s, unsigned int r)
{
	static const char * const refresh[] = { "ref0", "ref1", "ref2", "ref3" };
	unsigned long n;

	if (r < 20) {
		op_mod(s);
	} else if (r < 27) {
		op_ioctl(s, "en", PERF_EVENT_IOC_ENABLE, 0);
	} else if (r < 29) {
		op_ioctl(s, "eng", PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
	} else if (r < 34) {
		op_ioctl(s, "dis", PERF_EVENT_IOC_DISABLE, 0);
	} else if (r < 35) {
		op_ioctl(s, "disg", PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
	} else if (r < 39) {
		n = below(ARRAY_SIZE(refresh));
		op_ioctl(s, refresh[n], PERF_EVENT_IOC_REFRESH, n);
	} else if (r < 44) {
		op_ioctl(s, "rst", PERF_EVENT_IOC_RESET, 0);
	} else if (r < 48) {
		op_period(s);
	} else if (r < 62) {
		op_read(s);
	} else if (r < 76) {
		op_touch(rnd());
	} else if (r < 82) {
		op_fork(rnd());
	} else if (r < 85) {
		op_exec();
	} else {
		add(" | close s%d", s);
		slot_close(s);
	}
}

/* --- one iteration ------------------------------------------------------- */

static void iteration(uint64_t seed, long i)
{
	static const char * const size_names[] = { "v0", "v1", "zero", "tiny", "tail0",
						    "tailx", "huge" };
	union {
		struct perf_event_attr a;
		char bytes[4096 + 64];
	} u;
	struct perf_event_attr *a = &u.a;
	int c, s, nops, k, new_slot = -1, group_slot, cpu, err;
	unsigned long flags;
	const char *pidname;
	bool marked;
	pid_t pid;
	long ret;
	size_t at;
	uint64_t r;

	rng_seed(seed, i);
	memset(&u, 0, sizeof(u));
	a->type = PERF_TYPE_BREAKPOINT;
	a->size = sizeof(*a);
	add("i %ld ", i);
	at = line_len;
	c = gen_bp(a);
	gen_flags(a);
	marked = refused_by_ours(a, c);
	a->sig_data = nondet_attr(a, c) ? SIG_NONDET : SIG_DET;

	/* the attr's size as user space claims it */
	if (chance(8)) {
		k = below(7);
		add(" sz=%s", size_names[k]);
		switch (k) {
		case 0:
			a->size = PERF_ATTR_SIZE_VER0;
			break;
		case 1:
			a->size = PERF_ATTR_SIZE_VER1;
			break;
		case 2:
			a->size = 0;
			break;
		case 3:
			a->size = 1;
			break;
		case 4:
			a->size = sizeof(*a) + 8;
			break;
		case 5:
			a->size = sizeof(*a) + 8;
			u.bytes[sizeof(*a) + 3] = 1;
			break;
		default:
			a->size = 4096 + 8;
		}
	}

	r = below(100);
	if (r < 30) {
		pid = getpid();
		pidname = "self";
	} else if (r < 42) {
		pid = 0;
		pidname = "zero";
	} else if (r < 56) {
		pid = target_child;
		pidname = "child";
	} else if (r < 61) {
		pid = parent_pid;
		pidname = "parent";
	} else if (r < 64) {
		pid = INT_MAX - 1;
		pidname = "nopid";
	} else {
		pid = -1;
		pidname = "all";
	}
	/* CPU-wide events need a CPU: mostly give them one */
	r = below(100);
	if (pid == -1 ? r < 10 : r < 55) {
		cpu = -1;
		add(" pid=%s cpu=-1", pidname);
	} else if (r < 94) {
		cpu = below(ncpus);
		add(" pid=%s cpu=%d", pidname, cpu);
	} else if (r < 97) {
		cpu = ncpus;
		add(" pid=%s cpu=ncpus", pidname);
	} else {
		cpu = chance(50) ? -2 : 1 << 20;
		add(" pid=%s cpu=%d", pidname, cpu);
	}

	group_slot = below(POOL_SIZE);
	r = below(100);
	if (r < 85) {
		k = -1;
	} else if (r < 97) {
		k = slot_fd(group_slot);
		add(" g=s%d", group_slot);
	} else {
		k = null_fd;
		add(" g=devnull");
	}
	r = below(100);
	flags = PERF_FLAG_FD_CLOEXEC;
	if (r < 5) {
		flags = 0;
		add(" fl=0");
	} else if (r < 9) {
		flags |= PERF_FLAG_FD_NO_GROUP;
		add(" fl=nogroup");
	} else if (r < 12) {
		flags |= PERF_FLAG_FD_OUTPUT;
		add(" fl=output");
	} else if (r < 14) {
		flags |= PERF_FLAG_PID_CGROUP;
		add(" fl=cgroup");
	} else if (r < 16) {
		flags |= 1UL << 7;
		add(" fl=bad");
	}
	if (marked)
		mark(at);

	ret = perf_open(a, pid, cpu, k, flags);
	err = ret < 0 ? errno : 0;
	/* a digest line tallies the answers to marked requests instead */
	add(" -> %s", marked && digest_every ? "*" : res(ret));
	s = below(POOL_SIZE);
	if (marked) {
		count_marked(err);
		/* never kept: nothing after this may depend on the answer */
		if (ret >= 0)
			close(ret);
	} else {
		count_result(err);
		if (ret >= 0) {
			if (pool[s].fd >= 0)
				add(" evict");
			slot_close(s);
			pool[s].fd = ret;
			pool[s].attr = *a;
			pool[s].attr.size = sizeof(*a);
			pool[s].cls = c;
			pool[s].det = !nondet_attr(a, c);
			pool[s].group = a->read_format & PERF_FORMAT_GROUP;
			new_slot = s;
			add(" s%d", s);
		}
	}

	nops = below(4);
	for (k = 0; k < nops; k++) {
		int target = below(POOL_SIZE), t;

		/* mostly an open event: the new one, or the next one from a random slot */
		for (t = 0; t < POOL_SIZE && pool[target].fd < 0 && chance(90); t++)
			target = (target + 1) % POOL_SIZE;
		if (chance(60) && new_slot >= 0)
			target = new_slot;
		follow_up(target, below(100));
	}
	line_end(i);
}

/* --- phases: root, then nobody at each perf_event_paranoid level ---------- */

static void print_results(const char *name)
{
	int e;

	printf("phase %s results opens=%lu ok=%lu", name, opens, results[0]);
	for (e = 1; e < 256; e++)
		if (results[e])
			printf(" %s=%lu", errname(e), results[e]);
	printf(" marked=%lu sigother=%lu\n", marked_tries, sig_other);
}

/*
 * perf swaps our task's context with a forked child's, instead of
 * scheduling either, when the CPU runs one straight after the other and
 * the child's is still a clone of ours (perf_event_context_sched_out()).
 * The child then runs with the events our fds name, and when it exits or
 * execs they die with it or lose their enable_on_exec, while the copies
 * stay with us: what a modification or a group open on them answers is
 * then the scheduler's choice, on any kernel.  A context is a clone only
 * if every event in it was inherited, so one event of ours that is not
 * inheritable keeps every fork of this phase from swapping.
 */
static int open_anchor(void)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(a),
		.config = PERF_COUNT_SW_DUMMY,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};

	return perf_open(&a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Runs in a child of its own, as root or as nobody. */
static void run_phase(const char *name, uint64_t seed, long first, long end)
{
	int pfd[2], s, anchor;
	char c;
	long i;

	if (pipe(pfd)) {
		printf("phase %s: pipe: %s\n", name, strerror(errno));
		return;
	}
	/* a task to set breakpoints on: it only ever waits in read() */
	target_child = fork();
	if (target_child == 0) {
		close(pfd[1]);
		while (read(pfd[0], &c, 1) != 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(pfd[0]);
	target_pipe = pfd[1];
	anchor = open_anchor();
	if (anchor < 0)
		printf("phase %s: no anchor event: %s\n", name, errname(errno));
	for (s = 0; s < POOL_SIZE; s++)
		pool[s].fd = -1;
	for (i = first; i < end; i++)
		iteration(seed, i);
	if (digest_every)
		block_flush();
	for (s = 0; s < POOL_SIZE; s++)
		slot_close(s);
	if (anchor >= 0)
		close(anchor);
	close(target_pipe);
	reap(target_child);
	print_results(name);
}

static int write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

static int read_sysctl(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static void phase_as(const char *name, const char *paranoid, uint64_t seed, long first, long end)
{
	pid_t pid;

	printf("phase %s iters %ld-%ld\n", name, first, end - 1);
	if (paranoid && write_sysctl(HWBP_PARANOID, paranoid)) {
		printf("phase %s: cannot set %s: %s\n", name, HWBP_PARANOID, strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (paranoid) {
			gid_t none = NOBODY;

			if (setgroups(0, &none) || setresgid(NOBODY, NOBODY, NOBODY) ||
			    setresuid(NOBODY, NOBODY, NOBODY)) {
				printf("phase %s: cannot become nobody: %s\n", name,
				       strerror(errno));
				exit(1);
			}
			/* lets nobody watch its own children; the credential change cleared it */
			prctl(PR_SET_DUMPABLE, 1);
		}
		run_phase(name, seed, first, end);
		fflush(stdout);
		_exit(0);
	}
	if (pid < 0) {
		printf("phase %s: fork: %s\n", name, strerror(errno));
		return;
	}
	add_status("exit", reap(pid));
	printf("phase %s %s\n", name, line + 3);
	line_len = 0;
	line[0] = 0;
}

/* --- the end: nothing left behind --------------------------------------- */

static int online_cpus(int *cpus, int max)
{
	char buf[256], *p;
	int n = 0, lo, hi;

	if (read_sysctl("/sys/devices/system/cpu/online", buf, sizeof(buf)))
		return 0;
	for (p = strtok(buf, ","); p; p = strtok(NULL, ",")) {
		if (sscanf(p, "%d-%d", &lo, &hi) != 2) {
			lo = atoi(p);
			hi = lo;
		}
		for (; lo <= hi && n < max; lo++)
			cpus[n++] = lo;
	}
	return n;
}

/* Every count of the slots view at zero; false (and why) if not. */
static bool view_zero(void)
{
	FILE *f = fopen(HWBP_SLOTS_VIEW, "r");
	struct hwbp_slots_row r;
	int rows = 0, bad = 0;
	char buf[256];

	if (!f) {
		/* 6.12 has no such view */
		printf("leak view: absent\n");
		return true;
	}
	while (fgets(buf, sizeof(buf), f)) {
		if (!hwbp_slots_row(buf, &r))
			continue;
		rows++;
		if (!hwbp_slots_row_idle(&r)) {
			printf("leak view: NONZERO %s", buf);
			bad++;
		}
	}
	fclose(f);
	if (!bad)
		printf("leak view: zero (%d rows)\n", rows);
	return !bad && rows;
}

static bool leak_check(void)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_BREAKPOINT, .size = sizeof(a), .pinned = 1,
		.bp_type = HW_BREAKPOINT_W, .bp_len = HW_BREAKPOINT_LEN_4,
		.sample_period = 1,
	};
	int cpus[1024], fds[1024][NR_DR], n, c, k, opened, err;
	bool ok = true;

	while (wait(NULL) > 0 || errno == EINTR)
		;
	ok = view_zero();
	n = online_cpus(cpus, 1024);
	for (c = 0; c < n; c++) {
		opened = 0;
		err = 0;
		for (k = 0; k < NR_DR; k++) {
			a.bp_addr = 0x1000 * (k + 1);
			fds[c][k] = perf_open(&a, -1, cpus[c], -1, PERF_FLAG_FD_CLOEXEC);
			if (fds[c][k] >= 0)
				opened++;
			else if (!err)
				err = errno;
		}
		printf("leak cpu%d %d/%d pinned CPU-wide breakpoints open%s%s\n", cpus[c], opened,
		       NR_DR, err ? ": " : "", err ? errname(err) : "");
		ok = ok && opened == NR_DR;
	}
	for (c = 0; c < n; c++)
		for (k = 0; k < NR_DR; k++)
			if (fds[c][k] >= 0)
				close(fds[c][k]);
	if (!n)
		ok = false;
	printf("leak verdict: %s\n", ok ? "ok, every slot free" : "LEAK");
	return ok;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_sigtrap, .sa_flags = SA_SIGINFO | SA_RESTART };
	char paranoid[32] = "", pct[32] = "";
	uint64_t seed = DEFAULT_SEED;
	long iters = DEFAULT_ITERS, unit;
	bool root = geteuid() == 0;
	cpu_set_t cpu0;
	int pers, opt;
	ssize_t n;

	if (argc > 1 && !strcmp(argv[1], EXEC_CHILD))
		return exec_child();
	while ((opt = getopt(argc, argv, "s:n:d:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			iters = strtol(optarg, NULL, 0);
			break;
		case 'd':
			digest_every = strtol(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-n ITERATIONS] [-d DIGEST]\n",
				argv[0]);
			return 2;
		}
	}
	/* the exec'd children must find the watched data where we have it */
	pers = personality(0xffffffff);
	if (pers != -1 && !(pers & ADDR_NO_RANDOMIZE) &&
	    personality(pers | ADDR_NO_RANDOMIZE) != -1)
		execv("/proc/self/exe", argv);
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n < 0)
		return 2;
	self_exe[n] = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* one CPU: which CPU-wide event sees our accesses is then fixed */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	sched_setaffinity(0, sizeof(cpu0), &cpu0);
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	sigaction(SIGTRAP, &sa, NULL);
	parent_pid = getpid();

	printf("hw_breakpoint_fuzz seed 0x%llx iters %ld digest %ld\n",
	       (unsigned long long)seed, iters, digest_every);
	printf("cpus %d\n", ncpus);
	read_kallsyms();

	/*
	 * perf lowers the sample rate, and with it how many overflows an
	 * event may have per tick, when samples take long, which under
	 * emulation they all do; a throttled event misses hits.  Freeze it.
	 */
	if (root && !read_sysctl(CPU_TIME_PCT, pct, sizeof(pct)) && strcmp(pct, "0")) {
		write_sysctl(SAMPLE_RATE, "100000");
		write_sysctl(CPU_TIME_PCT, "0");
	}
	read_sysctl(HWBP_PARANOID, paranoid, sizeof(paranoid));

	unit = iters / 6;
	phase_as(root ? "root" : "self", NULL, seed, 0, iters - 4 * unit);
	if (root) {
		phase_as("nobody-paranoid-1", "-1", seed, iters - 4 * unit, iters - 3 * unit);
		phase_as("nobody-paranoid0", "0", seed, iters - 3 * unit, iters - 2 * unit);
		phase_as("nobody-paranoid1", "1", seed, iters - 2 * unit, iters - unit);
		phase_as("nobody-paranoid2", "2", seed, iters - unit, iters);
		if (paranoid[0])
			write_sysctl(HWBP_PARANOID, paranoid);
		if (pct[0] && strcmp(pct, "0"))
			write_sysctl(CPU_TIME_PCT, pct);
	} else {
		printf("phase nobody: skipped, not root\n");
	}
	return leak_check() ? 0 : 1;
}
