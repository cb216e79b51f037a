// SPDX-License-Identifier: GPL-2.0
/*
 * Who holds the debug registers: /sys/kernel/debug/hw_breakpoint/holders
 * and slots, and the kernel log report of a request refused with ENOSPC.
 * Each case sets something up through ptrace or perf_event_open() and
 * checks that the view shows exactly that, line for line, and nothing once
 * it is gone.
 *
 * Run it alone: a breakpoint anybody else holds is a line too many.  Needs
 * root (debugfs, CPU-wide breakpoints, /dev/kmsg).  x86: four debug
 * registers in one class ("any").  A kernel without the view skips every
 * case.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "hw_breakpoint_selftest.h"

#define VIEW_DIR	"/sys/kernel/debug/hw_breakpoint/"
#define HOLDERS		VIEW_DIR "holders"
#define SLOTS		VIEW_DIR "slots"
#define NO_VIEW		"no " VIEW_DIR " in this kernel"
#define NO_MUX		"no breakpoint multiplexing in this kernel"

#define HOLDERS_HEADER	"kind\tclass\tpinned\tcpu\twho\ttype\tlen\taddress\tin_register"
#define SLOTS_HEADER	"cpu\tclass\tslots\tbound\ttask_max\tdbg\tfree"
#define REPORT		"hw_breakpoint: "
#define REPORT_HOLDER	REPORT "  "

/* The report is rate-limited to one per 5 s; earlier suites may have used it. */
#define RATELIMIT_S	6

/* The traced child the ptrace and perf task cases watch */
#define KID_COMM	"hwbp-view-kid"
/* The child that reads the view while its own breakpoint is scheduled */
#define RUN_COMM	"hwbp-view-run"

#define VIEW_MAX	65536
#define LINES_MAX	256
#define LINE_LEN	256

static long cell[8];
static char our_who[64];
static char possible[64];
static cpu_set_t possible_set;
static int mux_saved = -1;
static pid_t kid;

/* Every line of one read of @path, in its order */
struct view {
	char text[VIEW_MAX];
	char *line[LINES_MAX];
	int nr;
};

static struct view view;

/* The running child's part: what it read, and where it ran */
struct seen {
	char text[VIEW_MAX];
	int cpu_before;
	int cpu_after;
	int err;
};

static struct seen *seen;

/* The whole file, NUL-terminated (what fits), or -errno */
static ssize_t read_all(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t len = 0, n = 0;

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	while ((size_t)len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	if (n < 0)
		n = -errno;
	close(fd);
	buf[len] = '\0';
	return n < 0 ? n : len;
}

static bool view_read(const char *path)
{
	ssize_t n = read_all(path, view.text, sizeof(view.text));
	char *save, *l;

	view.nr = 0;
	if (n < 0) {
		ksft_print_msg("%s: %s\n", path, strerror(-n));
		return false;
	}
	for (l = strtok_r(view.text, "\n", &save); l && view.nr < LINES_MAX;
	     l = strtok_r(NULL, "\n", &save))
		view.line[view.nr++] = l;
	return true;
}

static void view_print(const char *path, int from, char want[][LINE_LEN], int nr_want)
{
	ksft_print_msg("%s:\n", path);
	for (int i = from; i < view.nr; i++)
		ksft_print_msg("  %s\n", view.line[i]);
	for (int i = 0; i < nr_want; i++)
		ksft_print_msg("wanted: %s\n", want[i]);
}

/* Are lines @from.. of the view @want, in any order? */
static bool lines_are(int from, char want[][LINE_LEN], int nr_want)
{
	bool used[LINES_MAX] = { };

	if (view.nr - from != nr_want)
		return false;
	for (int i = 0; i < nr_want; i++) {
		int j;

		for (j = from; j < view.nr; j++)
			if (!used[j] && !strcmp(view.line[j], want[i]))
				break;
		if (j == view.nr)
			return false;
		used[j] = true;
	}
	return true;
}

/* The holders view: its header, then exactly @want */
static bool holders_are(char want[][LINE_LEN], int nr_want)
{
	bool ok = view_read(HOLDERS) && view.nr > 0 &&
		  !strcmp(view.line[0], HOLDERS_HEADER) && lines_are(1, want, nr_want);

	if (!ok)
		view_print(HOLDERS, 0, want, nr_want);
	return ok;
}

/* One holders line; @cpu < 0 for all CPUs, @in_reg < 0 for none */
static void holder(char *buf, const char *kind, const char *pinned, int cpu,
		   const char *who, const char *type, int len, void *addr, int in_reg)
{
	char where[16] = "all", reg[16] = "no";

	if (cpu >= 0)
		snprintf(where, sizeof(where), "%d", cpu);
	if (in_reg >= 0)
		snprintf(reg, sizeof(reg), "cpu%d", in_reg);
	snprintf(buf, LINE_LEN, "%s\tany\t%s\t%s\t%s\t%s\t%d\t0x%lx\t%s", kind,
		 pinned, where, who, type, len, (unsigned long)addr, reg);
}

/*
 * The slots view: one line per possible CPU, with @bound on @bound_cpu
 * only, the task maximum @task_max everywhere, no debugger, the rest free.
 */
static bool slots_are(int bound_cpu, int bound, int task_max)
{
	char want[LINES_MAX][LINE_LEN];
	int nr = 0, mux;
	bool ok;

	for (int cpu = 0; cpu < CPU_SETSIZE && nr < LINES_MAX; cpu++) {
		int b = cpu == bound_cpu ? bound : 0;

		if (!CPU_ISSET(cpu, &possible_set))
			continue;
		snprintf(want[nr++], LINE_LEN, "%d\tany\t%d\t%d\t%d\t0\t%d", cpu,
			 NR_DR, b, task_max, NR_DR - b - task_max);
	}
	ok = view_read(SLOTS) && view.nr > 1 &&
	     sscanf(view.line[0], "multiplex\t%d", &mux) == 1 &&
	     !strcmp(view.line[1], SLOTS_HEADER) && lines_are(2, want, nr);
	if (!ok)
		view_print(SLOTS, 0, want, nr);
	return ok;
}

static bool parse_cpulist(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	while (*s && *s != '\n') {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;

		if (end == s)
			return false;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		for (long c = lo; c <= hi && c < CPU_SETSIZE; c++)
			CPU_SET(c, set);
		s = *end == ',' ? end + 1 : end;
	}
	return CPU_COUNT(set) > 0;
}

static int bp_open(pid_t pid, int cpu, void *addr, int type, int len, bool pinned)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(attr),
		.bp_type = type,
		.bp_addr = (unsigned long)addr,
		.bp_len = len,
		.pinned = pinned,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	int fd = syscall(__NR_perf_event_open, &attr, pid, cpu, -1, 0);

	return fd < 0 ? -errno : fd;
}

/* DR7 bits of slot @n: local enable, write, four bytes */
static unsigned long dr7_w4(int n)
{
	return dr7_local(n, DR7_RW_W, DR7_LEN_4);
}

static bool mux_set(int on)
{
	return !hwbp_write_file(HWBP_MUX_FILE, on ? "1" : "0") &&
	       hwbp_mux_get() == on;
}

static void mux_restore(void)
{
	if (mux_saved >= 0)
		mux_set(mux_saved);
}

/* A child that names itself @comm and stops, traced, until it is killed */
static pid_t traced_child(const char *comm)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		/* Nothing of ours may outlive us and hold a register. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, comm);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		ksft_exit_fail_msg("traced child: %s\n", strerror(errno));
	return pid;
}

static void close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int case_idle_holders(void)
{
	return holders_are(NULL, 0) ? KSFT_PASS : KSFT_FAIL;
}

static int case_idle_slots(void)
{
	return slots_are(-1, 0, 0) ? KSFT_PASS : KSFT_FAIL;
}

static char kid_who[64];
/* What a later case builds on was seen: else it would pass vacuously. */
static bool ptrace_listed, reported;

static int case_ptrace_line(void)
{
	char want[1][LINE_LEN];
	long err;

	err = hwbp_poke(kid, 0, (unsigned long)&cell[0]);
	if (!err)
		err = hwbp_poke(kid, 7, dr7_w4(0));
	if (err) {
		ksft_print_msg("ptrace DR0/DR7: %s\n", strerror(-err));
		return KSFT_FAIL;
	}
	holder(want[0], "ptrace", "pinned", -1, kid_who, "w", 4, &cell[0], -1);
	ptrace_listed = holders_are(want, 1);
	return ptrace_listed ? KSFT_PASS : KSFT_FAIL;
}

static int case_ptrace_slots(void)
{
	return slots_are(-1, 0, 1) ? KSFT_PASS : KSFT_FAIL;
}

static int case_ptrace_disabled(void)
{
	long err = hwbp_poke(kid, 7, 0);

	if (!ptrace_listed) {
		ksft_print_msg("the watchpoint was never listed\n");
		return KSFT_FAIL;
	}
	if (err) {
		ksft_print_msg("ptrace DR7 = 0: %s\n", strerror(-err));
		return KSFT_FAIL;
	}
	if (ptrace(PTRACE_PEEKUSER, kid, DR_OFF(0), 0) != (long)&cell[0]) {
		ksft_print_msg("DR0 lost its address\n");
		return KSFT_FAIL;
	}
	return holders_are(NULL, 0) ? KSFT_PASS : KSFT_FAIL;
}

static int case_perf_task_pinned(void)
{
	char want[1][LINE_LEN];
	int fd = bp_open(kid, -1, &cell[1], HW_BREAKPOINT_RW, 8, true);
	bool ok;

	if (fd < 0) {
		ksft_print_msg("perf_event_open: %s\n", strerror(-fd));
		return KSFT_FAIL;
	}
	holder(want[0], "perf", "pinned", -1, kid_who, "rw", 8, &cell[1], -1);
	ok = holders_are(want, 1);
	close(fd);
	return ok ? KSFT_PASS : KSFT_FAIL;
}

static const char *skip_why;

static int case_perf_task_flexible(void)
{
	char want[2][LINE_LEN];
	int fds[2] = { -1, -1 };
	bool ok = false;

	if (mux_saved < 0) {
		skip_why = NO_MUX;
		return KSFT_SKIP;
	}
	/* A breakpoint keeps the class it was opened with. */
	for (int on = 0; on < 2; on++) {
		if (!mux_set(on)) {
			ksft_print_msg("cannot set %s to %d\n", HWBP_MUX_FILE, on);
			break;
		}
		fds[on] = bp_open(kid, -1, &cell[2 + on], HW_BREAKPOINT_W, 8, false);
		if (fds[on] < 0) {
			ksft_print_msg("opened with multiplex %d: %s\n", on,
				       strerror(-fds[on]));
			break;
		}
	}
	mux_restore();
	if (fds[0] >= 0 && fds[1] >= 0) {
		holder(want[0], "perf", "pinned", -1, kid_who, "w", 8, &cell[2], -1);
		holder(want[1], "perf", "flexible", -1, kid_who, "w", 8, &cell[3], -1);
		ok = holders_are(want, 2);
	}
	close_fds(fds, 2);
	return ok ? KSFT_PASS : KSFT_FAIL;
}

static int cpu_fd = -1;

static int case_perf_cpu_line(void)
{
	char want[1][LINE_LEN];

	cpu_fd = bp_open(-1, 0, &cell[4], HW_BREAKPOINT_W, 4, true);
	if (cpu_fd < 0) {
		ksft_print_msg("perf_event_open on CPU 0: %s\n", strerror(-cpu_fd));
		return KSFT_FAIL;
	}
	holder(want[0], "perf", "pinned", 0, our_who, "w", 4, &cell[4], 0);
	return holders_are(want, 1) ? KSFT_PASS : KSFT_FAIL;
}

static int case_perf_cpu_slots(void)
{
	bool ok = cpu_fd >= 0 && slots_are(0, 1, 0);

	if (cpu_fd >= 0)
		close(cpu_fd);
	cpu_fd = -1;
	return ok ? KSFT_PASS : KSFT_FAIL;
}

/* Pinned to one CPU, with a breakpoint on itself, it reads the view. */
static void run_child(int cpu)
{
	cpu_set_t one;
	ssize_t n;
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, RUN_COMM);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one)) {
		seen->err = errno;
		_exit(1);
	}
	fd = bp_open(0, -1, &cell[5], HW_BREAKPOINT_W, 8, true);
	if (fd < 0) {
		seen->err = -fd;
		_exit(1);
	}
	seen->cpu_before = sched_getcpu();
	n = read_all(HOLDERS, seen->text, sizeof(seen->text));
	seen->cpu_after = sched_getcpu();
	if (n < 0)
		seen->err = -n;
	close(fd);
	_exit(n < 0);
}

static int case_in_register(void)
{
	char want[1][LINE_LEN], who[64];
	int cpu = sched_getcpu(), status;
	char *save, *l;
	pid_t pid;
	bool ok;

	memset(seen, 0, sizeof(*seen));
	pid = fork();
	if (pid == 0)
		run_child(cpu);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		ksft_print_msg("the reading child: %s\n", strerror(seen->err));
		return KSFT_FAIL;
	}
	snprintf(who, sizeof(who), "%s[%d]", RUN_COMM, pid);
	holder(want[0], "perf", "pinned", -1, who, "w", 8, &cell[5], cpu);
	view.nr = 0;
	memcpy(view.text, seen->text, sizeof(view.text));
	for (l = strtok_r(view.text, "\n", &save); l && view.nr < LINES_MAX;
	     l = strtok_r(NULL, "\n", &save))
		view.line[view.nr++] = l;
	ok = seen->cpu_before == cpu && seen->cpu_after == cpu && view.nr > 0 &&
	     !strcmp(view.line[0], HOLDERS_HEADER) && lines_are(1, want, 1);
	if (!ok) {
		ksft_print_msg("pinned to CPU %d, it ran on %d, then %d\n", cpu,
			       seen->cpu_before, seen->cpu_after);
		view_print("holders as the child read it", 0, want, 1);
	}
	return ok ? KSFT_PASS : KSFT_FAIL;
}

/*
 * The report a refused request leaves in the kernel log: the lines that
 * start with REPORT, read from /dev/kmsg past @fd's position.
 */
static int kmsg_report(int fd, char lines[][LINE_LEN], int max)
{
	char rec[4096];
	int nr = 0;

	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg, *end;

		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		if (!strncmp(msg, REPORT, strlen(REPORT)) && nr < max)
			snprintf(lines[nr++], LINE_LEN, "%s", msg);
	}
	return nr;
}

static int kmsg_fd = -1;
static int enospc_fds[2] = { -1, -1 };

static int case_enospc_report(void)
{
	char got[LINES_MAX][LINE_LEN], want[NR_DR][LINE_LEN], head[LINE_LEN];
	int nr, heads = 0, addrs = 0, fifth;
	long err;

	err = hwbp_poke(kid, 0, (unsigned long)&cell[0]);
	if (!err)
		err = hwbp_poke(kid, 1, (unsigned long)&cell[1]);
	if (!err)
		err = hwbp_poke(kid, 7, dr7_w4(0) | dr7_w4(1));
	for (int i = 0; i < 2 && !err; i++) {
		enospc_fds[i] = bp_open(kid, -1, &cell[2 + 2 * i], HW_BREAKPOINT_RW, 8, true);
		if (enospc_fds[i] < 0)
			err = enospc_fds[i];
	}
	if (err) {
		ksft_print_msg("taking the four registers: %s\n", strerror(-err));
		return KSFT_FAIL;
	}
	sleep(RATELIMIT_S);
	/* What earlier suites logged is not ours: only from here on. */
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd < 0 || lseek(kmsg_fd, 0, SEEK_END) < 0) {
		ksft_print_msg("/dev/kmsg: %s\n", strerror(errno));
		return KSFT_FAIL;
	}

	fifth = bp_open(kid, -1, &cell[6], HW_BREAKPOINT_W, 4, true);
	if (fifth != -ENOSPC) {
		ksft_print_msg("the fifth: %s\n", fifth < 0 ? strerror(-fifth) : "opened");
		if (fifth >= 0)
			close(fifth);
		return KSFT_FAIL;
	}
	nr = kmsg_report(kmsg_fd, got, LINES_MAX);

	snprintf(head, sizeof(head), REPORT "%s: no free any debug register on CPU %s; held by:",
		 our_who, possible);
	for (int i = 0; i < NR_DR; i++)
		snprintf(want[i], LINE_LEN, REPORT_HOLDER "%s %s %s on all CPUs",
			 i < 2 ? "ptrace" : "perf", kid_who, i < 2 ? "w/4" : "rw/8");
	view.nr = 0;
	for (int i = 0; i < nr; i++) {
		heads += !strcmp(got[i], head);
		if (strstr(got[i], "0x"))
			addrs++;
		if (!strncmp(got[i], REPORT_HOLDER, strlen(REPORT_HOLDER)))
			view.line[view.nr++] = got[i];
	}
	reported = heads == 1;
	if (heads == 1 && nr == NR_DR + 1 && !addrs && lines_are(0, want, NR_DR))
		return KSFT_PASS;
	ksft_print_msg("wanted once: %s\n", head);
	ksft_print_msg("got %d report lines, %d of them that one, %d with 0x:\n",
		       nr, heads, addrs);
	for (int i = 0; i < nr; i++)
		ksft_print_msg("  %s\n", got[i]);
	for (int i = 0; i < NR_DR; i++)
		ksft_print_msg("wanted: %s\n", want[i]);
	return KSFT_FAIL;
}

static int case_enospc_ratelimit(void)
{
	char got[LINES_MAX][LINE_LEN];
	int again, nr;

	if (!reported) {
		ksft_print_msg("no first report to limit\n");
		return KSFT_FAIL;
	}
	again = bp_open(kid, -1, &cell[7], HW_BREAKPOINT_W, 4, true);
	nr = kmsg_report(kmsg_fd, got, LINES_MAX);
	if (again >= 0)
		close(again);
	if (again == -ENOSPC && !nr)
		return KSFT_PASS;
	ksft_print_msg("the sixth: %s, %d report lines\n",
		       again < 0 ? strerror(-again) : "opened", nr);
	for (int i = 0; i < nr; i++)
		ksft_print_msg("  %s\n", got[i]);
	return KSFT_FAIL;
}

static int case_cleanup(void)
{
	bool ok;

	close_fds(enospc_fds, 2);
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	hwbp_end_child(kid);
	kid = 0;
	ok = holders_are(NULL, 0);
	return slots_are(-1, 0, 0) && ok ? KSFT_PASS : KSFT_FAIL;
}

static const struct {
	int (*fn)(void);
	const char *name;
} cases[] = {
	{
		case_idle_holders,
		"idle: the holders view is its header alone",
	},
	{
		case_idle_slots,
		"idle: slots list every possible CPU with four free registers, none bound, held by tasks or reserved by the debugger",
	},
	{
		case_ptrace_line,
		"ptrace: an enabled DR0 write watchpoint is one line: ptrace, pinned, all CPUs, the tracee's comm[pid], w 4, its address, in no register while the tracee is stopped",
	},
	{
		case_ptrace_slots,
		"ptrace: slots count its watchpoint as the task maximum on every CPU",
	},
	{
		case_ptrace_disabled,
		"ptrace: clearing DR7 removes the line, though DR0 keeps the address",
	},
	{
		case_perf_task_pinned,
		"perf task: an attr.pinned breakpoint on a stopped child is one pinned line for the child, rw 8, in no register",
	},
	{
		case_perf_task_flexible,
		"perf task: a non-pinned breakpoint is pinned when opened with multiplex 0, flexible with multiplex 1",
	},
	{
		case_perf_cpu_line,
		"perf CPU-wide: a breakpoint on CPU 0 of no task is one line for CPU 0 with its opener's comm[pid], in CPU 0's registers",
	},
	{
		case_perf_cpu_slots,
		"perf CPU-wide: slots count it as bound on CPU 0 only",
	},
	{
		case_in_register,
		"in_register: a task reading the view while its own breakpoint is scheduled sees it in its CPU's registers",
	},
	{
		case_enospc_report,
		"enospc: a refused fifth breakpoint logs one report: the requester, the full CPUs, the four holders by kind, comm[pid], type/len, no address",
	},
	{
		case_enospc_ratelimit,
		"enospc: a second refusal within the rate limit logs nothing",
	},
	{
		case_cleanup,
		"cleanup: with every breakpoint closed and the child gone the view is its header alone and every register free",
	},
};

static void on_fatal_signal(int sig)
{
	mux_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static const char *setup(void)
{
	char comm[32];
	ssize_t n;

	if (access(VIEW_DIR, F_OK))
		return NO_VIEW;
	if (geteuid())
		return "needs root for debugfs and CPU-wide breakpoints";
	n = read_all("/sys/devices/system/cpu/possible", possible, sizeof(possible));
	if (n <= 0 || !parse_cpulist(possible, &possible_set))
		ksft_exit_fail_msg("/sys/devices/system/cpu/possible: %s\n", possible);
	possible[strcspn(possible, "\n")] = '\0';
	n = read_all("/proc/self/comm", comm, sizeof(comm));
	if (n <= 0)
		ksft_exit_fail_msg("/proc/self/comm: %s\n", strerror(-n));
	comm[strcspn(comm, "\n")] = '\0';
	snprintf(our_who, sizeof(our_who), "%s[%d]", comm, getpid());

	mux_saved = hwbp_mux_get();
	atexit(mux_restore);
	signal(SIGTERM, on_fatal_signal);
	signal(SIGINT, on_fatal_signal);
	seen = mmap(NULL, sizeof(*seen), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (seen == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));

	kid = traced_child(KID_COMM);
	snprintf(kid_who, sizeof(kid_who), "%s[%d]", KID_COMM, kid);
	ksft_print_msg("we are %s, the traced child %s; possible CPUs %s, multiplex %d\n",
		       our_who, kid_who, possible, mux_saved);
	return NULL;
}

int main(void)
{
	const char *why;

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(cases));
	why = setup();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int code = KSFT_SKIP;

		if (!why)
			code = cases[i].fn();
		if (code != KSFT_SKIP)
			ksft_test_result_code(code, cases[i].name, NULL);
		else if (why)
			ksft_test_result_code(code, cases[i].name, "%s", why);
		else
			ksft_test_result_code(code, cases[i].name, "%s", skip_why);
	}
	if (kid > 0)
		hwbp_end_child(kid);
	ksft_finished();
}
