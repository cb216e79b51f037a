// SPDX-License-Identifier: GPL-2.0
/*
 * Who may put a hardware breakpoint where, through perf_event_open() and
 * ptrace:
 *  - an unprivileged user gets no kernel-address breakpoint at any
 *    perf_event_paranoid level (-1 to 2), with or without exclude_kernel;
 *  - an unprivileged user cannot watch a process of another user, a root
 *    process, or a non-dumpable process of its own user (perf: EACCES,
 *    ptrace attach: EPERM); a dumpable one of its own user it can;
 *  - nobody, root included, gets an execute breakpoint on the entry text,
 *    noinstr text or the kprobes blacklist, nor any breakpoint on the CPU
 *    entry area (GDT, entry stack, TSS, IST stacks of every CPU) or the
 *    per-CPU data the entry code reads, because #DB would recurse there.
 *
 * Addresses come from /proc/kallsyms, the kprobes blacklist in debugfs and
 * the fixed CPU entry area; per-CPU variables are located through
 * /proc/kcore when the kernel has it.  Nothing is left installed: every
 * accepted breakpoint is closed at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/elf.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "../kselftest.h"
#include "hw_breakpoint_selftest.h"

#define NOBODY		65534
#define OTHER_UID	65533

#define KERNEL_VA	0xffffffff81000000UL
/* x86-64, 4- and 5-level paging alike: one P4D (512 GiB) of CPU entry area */
#define CEA_BASE	0xfffffe0000000000UL
#define CEA_SIZE	0x8000000000UL
#define CEA_SWEEP	(8UL << 20)
#define TASK_SIZE_MAX_4L	((1UL << 47) - 4096)
#define NONCANONICAL	0x8000000000000000UL

#define KPROBE_BL	"/sys/kernel/debug/kprobes/blacklist"

static const int paranoid_levels[] = { -1, 0, 1, 2 };

static unsigned long watched[4];

/* ---- addresses -------------------------------------------------------- */

struct sym {
	const char *name;
	unsigned long addr;
};

/* Everything the cases below look up by name */
static struct sym syms[] = {
	{ "init_task" }, { "ksys_sync" },
	{ "__entry_text_start" }, { "__entry_text_end" },
	{ "entry_SYSCALL_64" }, { "entry_SYSCALL_64_safe_stack" },
	{ "entry_SYSCALL_64_after_hwframe" }, { "entry_SYSRETQ_unsafe_stack" },
	{ "asm_exc_debug" }, { "asm_exc_int3" }, { "asm_exc_nmi" },
	{ "asm_exc_double_fault" }, { "asm_exc_general_protection" },
	{ "asm_exc_page_fault" }, { "error_entry" }, { "paranoid_entry" },
	{ "paranoid_exit" }, { "common_interrupt_return" },
	{ "__noinstr_text_start" }, { "__noinstr_text_end" },
	{ "exc_debug" }, { "exc_nmi" }, { "do_syscall_64" },
	{ "irqentry_enter" }, { "notify_die" },
	{ "__per_cpu_offset" }, { "cpu_tss_rw" }, { "cpu_dr7" },
	{ "cpu_tlbstate" }, { "gdt_page" },
};

static unsigned long sym_addr(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(syms); i++)
		if (!strcmp(syms[i].name, name))
			return syms[i].addr;
	ksft_exit_fail_msg("symbol %s is not in the table\n", name);
	return 0;
}

static void read_kallsyms(void)
{
	char line[512], name[256], kind;
	unsigned long addr;
	FILE *f = fopen("/proc/kallsyms", "r");
	size_t i;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s", &addr, &kind, name) != 3)
			continue;
		for (i = 0; i < ARRAY_SIZE(syms); i++)
			if (!syms[i].addr && !strcmp(syms[i].name, name))
				syms[i].addr = addr;
	}
	fclose(f);
}

/* Up to @n entries of the kprobes blacklist, spread over the list */
#define BL_PICK	6
static unsigned long bl_addr[BL_PICK];
static char bl_name[BL_PICK][64];

static void read_kprobe_blacklist(void)
{
	unsigned long start, end, *all = NULL;
	char line[512], name[64], (*names)[64] = NULL;
	size_t n = 0, cap = 0, i;
	FILE *f = fopen(KPROBE_BL, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "0x%lx-0x%lx %63s", &start, &end, name) != 3)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			all = realloc(all, cap * sizeof(*all));
			names = realloc(names, cap * sizeof(*names));
			if (!all || !names)
				ksft_exit_fail_msg("out of memory\n");
		}
		all[n] = start;
		snprintf(names[n], sizeof(names[n]), "%s", name);
		n++;
	}
	fclose(f);
	for (i = 0; n && i < BL_PICK; i++) {
		size_t k = i * (n - 1) / (BL_PICK - 1);

		bl_addr[i] = all[k];
		snprintf(bl_name[i], sizeof(bl_name[i]), "%s", names[k]);
	}
	free(all);
	free(names);
}

/*
 * Per-CPU variables: this CPU set's __per_cpu_offset[] read through
 * /proc/kcore, added to the symbols' per-CPU offsets.  Without kcore
 * (CONFIG_PROC_KCORE=n) there is no way from user space, and the KUnit
 * and kgdb cases cover them.
 */
#define MAX_CPUS	64
static unsigned long pcpu_off[MAX_CPUS];
static int pcpu_n;

static int kcore_read(int fd, unsigned long addr, void *buf, size_t len)
{
	struct elf64_hdr eh;
	struct elf64_phdr ph;
	int i;

	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return -1;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    sizeof(ph))
			return -1;
		if (ph.p_type != PT_LOAD || addr < ph.p_vaddr ||
		    addr + len > ph.p_vaddr + ph.p_memsz)
			continue;
		if (pread(fd, buf, len, ph.p_offset + addr - ph.p_vaddr) ==
		    (ssize_t)len)
			return 0;
	}
	return -1;
}

static void read_percpu_offsets(void)
{
	unsigned long offs = sym_addr("__per_cpu_offset");
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int fd = open("/proc/kcore", O_RDONLY);

	if (fd < 0 || !offs)
		goto out;
	if (ncpu > MAX_CPUS)
		ncpu = MAX_CPUS;
	if (!kcore_read(fd, offs, pcpu_off, ncpu * sizeof(long)))
		pcpu_n = ncpu;
out:
	if (fd >= 0)
		close(fd);
}

/* ---- requests ---------------------------------------------------------- */

static int errno_of(long ret)
{
	return ret < 0 ? errno : 0;
}

static int bp_open(pid_t pid, int cpu, unsigned long addr,
		   unsigned long long len, unsigned int type, int excl)
{
	return -hwbp_try_open(pid, cpu, addr, len, type, excl);
}

/* PTRACE_POKEUSER of DR0 with @addr, then of DR7 enabling it as @rw */
static int ptrace_dr(pid_t tracee, unsigned long addr, unsigned long dr7)
{
	if (ptrace(PTRACE_POKEUSER, tracee, DR_OFF(0), addr))
		return errno;
	if (dr7 && ptrace(PTRACE_POKEUSER, tracee, DR_OFF(7), dr7))
		return errno;
	ptrace(PTRACE_POKEUSER, tracee, DR_OFF(7), 0);
	return 0;
}

/* DR7: G0 plus R/W and LEN of slot 0 */
#define DR7_X		dr7_global(0, DR7_RW_X, DR7_LEN_1)
#define DR7_RW8		dr7_global(0, DR7_RW_RW, DR7_LEN_8)

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "0";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EINVAL:
		return "EINVAL";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case ENOSPC:
		return "ENOSPC";
	case EIO:
		return "EIO";
	case ESRCH:
		return "ESRCH";
	case EBUSY:
		return "EBUSY";
	}
	return strerror(e);
}

static __printf(3, 4) void verdict(int got, int want, const char *fmt, ...)
{
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (got == want) {
		ksft_test_result_pass("%s: %s\n", name, errname(want));
	} else {
		ksft_print_msg("%s: got %s, want %s\n", name, errname(got),
			       errname(want));
		ksft_test_result_fail("%s: %s\n", name, errname(want));
	}
}

/* ---- unprivileged ------------------------------------------------------ */

enum how { PERF_TASK, PERF_CPU, PTRACE_DR };

/* Answer at paranoid -1, 0, 1, 2 */
struct unpriv_case {
	const char *what;
	enum how how;
	const char *sym;	/* or NULL: addr */
	unsigned long addr;
	unsigned int len, type, excl;
	int want[4];
};

#define P_KERNEL	{ EPERM, EPERM, EPERM, EACCES }
#define P_EXCLUDED	{ EINVAL, EINVAL, EINVAL, EINVAL }
#define P_FORBIDDEN	{ EINVAL, EINVAL, EINVAL, EACCES }

/*
 * perf_event_open() applies perf_event_paranoid to !exclude_kernel first
 * (EACCES at 2), then the breakpoint layer refuses protected areas for
 * everyone (EINVAL), other kernel addresses without CAP_SYS_ADMIN (EPERM),
 * and any kernel address with exclude_kernel (EINVAL); CPU-wide events
 * need paranoid <= 0 after that (EACCES).
 */
static const struct unpriv_case unpriv_cases[] = {
	{ "perf W kernel data", PERF_TASK, "init_task", 0,
	  8, HW_BREAKPOINT_W, 0, P_KERNEL },
	{ "perf W kernel data excl_kernel", PERF_TASK, "init_task", 0,
	  8, HW_BREAKPOINT_W, 1, P_EXCLUDED },
	{ "perf RW kernel text", PERF_TASK, NULL, KERNEL_VA,
	  8, HW_BREAKPOINT_RW, 0, P_KERNEL },
	{ "perf X kernel text", PERF_TASK, "ksys_sync", 0,
	  8, HW_BREAKPOINT_X, 0, P_KERNEL },
	{ "perf X kernel text excl_kernel", PERF_TASK, "ksys_sync", 0,
	  8, HW_BREAKPOINT_X, 1, P_EXCLUDED },
	{ "perf X entry_SYSCALL_64", PERF_TASK, "entry_SYSCALL_64", 0,
	  8, HW_BREAKPOINT_X, 0, P_FORBIDDEN },
	{ "perf RW CPU entry area", PERF_TASK, NULL, CEA_BASE + 4096,
	  8, HW_BREAKPOINT_RW, 0, P_FORBIDDEN },
	{ "perf W first page above user space", PERF_TASK, NULL,
	  TASK_SIZE_MAX_4L, 8, HW_BREAKPOINT_W, 0, P_KERNEL },
	{ "perf W first page above user space excl_kernel", PERF_TASK, NULL,
	  TASK_SIZE_MAX_4L, 8, HW_BREAKPOINT_W, 1, P_EXCLUDED },
	{ "perf W non-canonical excl_kernel", PERF_TASK, NULL, NONCANONICAL,
	  8, HW_BREAKPOINT_W, 1, P_EXCLUDED },
	{ "perf W last user word excl_kernel (allowed)", PERF_TASK, NULL,
	  TASK_SIZE_MAX_4L - 8, 8, HW_BREAKPOINT_W, 1, { 0, 0, 0, 0 } },
	{ "perf W own data excl_kernel (allowed)", PERF_TASK, NULL, 0,
	  8, HW_BREAKPOINT_W, 1, { 0, 0, 0, 0 } },
	{ "perf CPU-wide W own data excl_kernel", PERF_CPU, NULL, 0,
	  8, HW_BREAKPOINT_W, 1, { 0, 0, EACCES, EACCES } },
	{ "perf CPU-wide W kernel data", PERF_CPU, "init_task", 0,
	  8, HW_BREAKPOINT_W, 0, P_KERNEL },
	{ "perf CPU-wide X entry_SYSCALL_64", PERF_CPU, "entry_SYSCALL_64", 0,
	  8, HW_BREAKPOINT_X, 0, P_FORBIDDEN },
	{ "ptrace DR0 kernel data", PTRACE_DR, "init_task", 0,
	  8, 0, 0, P_EXCLUDED },
	{ "ptrace DR0 entry_SYSCALL_64", PTRACE_DR, "entry_SYSCALL_64", 0,
	  8, 0, 0, P_EXCLUDED },
	{ "ptrace DR0 CPU entry area", PTRACE_DR, NULL, CEA_BASE + 4096,
	  8, 0, 0, P_EXCLUDED },
};

static unsigned long case_addr(const struct unpriv_case *c)
{
	if (c->sym)
		return sym_addr(c->sym);
	return c->addr ? c->addr : (unsigned long)watched;
}

/* Run in a child that has dropped to NOBODY */
static int unpriv_try(const struct unpriv_case *c)
{
	unsigned long addr = case_addr(c);
	pid_t tracee;
	int err;

	switch (c->how) {
	case PERF_TASK:
		return bp_open(0, -1, addr, c->len, c->type, c->excl);
	case PERF_CPU:
		return bp_open(-1, 0, addr, c->len, c->type, c->excl);
	case PTRACE_DR:
		tracee = hwbp_traced_child(NULL);
		if (tracee < 0)
			return errno;
		err = ptrace_dr(tracee, addr, DR7_RW8);
		hwbp_end_child(tracee);
		return err;
	}
	return -1;
}

static int drop_to(uid_t uid)
{
	return setresgid(uid, uid, uid) || setresuid(uid, uid, uid);
}

/* The processes the unprivileged user must not be able to watch */
enum { T_ROOT, T_OTHER, T_NONDUMP, T_SAME, T_NR };
static const char * const target_name[T_NR] = {
	"root process", "other user's process",
	"own user's non-dumpable process", "own user's dumpable process",
};

static pid_t target_pid[T_NR];

static pid_t target_start(int kind)
{
	int ready[2], dumpable = kind == T_SAME;
	uid_t uid = kind == T_OTHER ? OTHER_UID : NOBODY;
	char c = 0;
	pid_t pid;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		if (kind != T_ROOT && drop_to(uid))
			_exit(1);
		/* setresuid() has made it non-dumpable; say what we want */
		if (kind != T_ROOT && prctl(PR_SET_DUMPABLE, dumpable))
			_exit(1);
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (pid > 0 && read(ready[0], &c, 1) != 1) {
		hwbp_end_child(pid);
		pid = -1;
	}
	close(ready[0]);
	return pid;
}

#define N_CROSS	(2 * T_NR)

/* Answers of one unprivileged round, sent back through a pipe */
struct unpriv_round {
	int setup;
	int cases[ARRAY_SIZE(unpriv_cases)];
	int perf[T_NR];
	int attach[T_NR];
};

static void unpriv_child(struct unpriv_round *r)
{
	size_t i;
	int t;

	r->setup = drop_to(NOBODY);
	if (r->setup)
		return;
	for (i = 0; i < ARRAY_SIZE(unpriv_cases); i++)
		r->cases[i] = unpriv_try(&unpriv_cases[i]);
	for (t = 0; t < T_NR; t++) {
		r->perf[t] = bp_open(target_pid[t], -1, (unsigned long)watched,
				     8, HW_BREAKPOINT_W, 1);
		r->attach[t] = errno_of(ptrace(PTRACE_ATTACH, target_pid[t],
					       0, 0));
		if (!r->attach[t]) {
			int status;

			waitpid(target_pid[t], &status, 0);
			ptrace(PTRACE_DETACH, target_pid[t], 0, 0);
		}
	}
}

static int set_paranoid(int level)
{
	FILE *f = fopen(HWBP_PARANOID, "w");
	int bad;

	if (!f)
		return -1;
	bad = fprintf(f, "%d\n", level) < 0;
	return fclose(f) || bad ? -1 : 0;
}

static void unpriv_round(int pi)
{
	int level = paranoid_levels[pi], p[2], status, ok;
	struct unpriv_round r;
	size_t i;
	pid_t pid;
	int t;

	memset(&r, 0, sizeof(r));
	ok = !set_paranoid(level) && !pipe(p);
	if (ok) {
		pid = fork();
		if (pid == 0) {
			unpriv_child(&r);
			_exit(write(p[1], &r, sizeof(r)) != sizeof(r));
		}
		close(p[1]);
		ok = pid > 0 && read(p[0], &r, sizeof(r)) == sizeof(r) &&
		     !r.setup;
		close(p[0]);
		if (pid > 0)
			waitpid(pid, &status, 0);
	}

	for (i = 0; i < ARRAY_SIZE(unpriv_cases); i++) {
		const struct unpriv_case *c = &unpriv_cases[i];

		if (!ok)
			ksft_test_result_skip("paranoid %d: %s: no unprivileged child\n",
					      level, c->what);
		else if (c->sym && !sym_addr(c->sym))
			ksft_test_result_skip("paranoid %d: %s: no %s in kallsyms\n",
					      level, c->what, c->sym);
		else
			verdict(r.cases[i], c->want[pi],
				"paranoid %d: unprivileged %s", level,
				c->what);
	}
	for (t = 0; t < T_NR; t++) {
		if (!ok || target_pid[t] <= 0) {
			ksft_test_result_skip("paranoid %d: perf on %s: no target\n",
					      level, target_name[t]);
			ksft_test_result_skip("paranoid %d: ptrace attach to %s: no target\n",
					      level, target_name[t]);
			continue;
		}
		verdict(r.perf[t], t == T_SAME ? 0 : EACCES,
			"paranoid %d: unprivileged perf on %s", level,
			target_name[t]);
		verdict(r.attach[t], t == T_SAME ? 0 : EPERM,
			"paranoid %d: unprivileged ptrace attach to %s", level,
			target_name[t]);
	}
}

/* ---- root -------------------------------------------------------------- */

struct root_case {
	const char *what;	/* or NULL: "perf X sym" */
	const char *sym;
	long off;		/* from sym, or the address without one */
	unsigned long long len;
	unsigned int type;
	int want;
	int cpu_wide;
};

#define ROOT_X(s, w)	{ NULL, s, 0, 8, HW_BREAKPOINT_X, w }

/*
 * Root gets every kernel address but these.  6.12 refuses execute
 * breakpoints on entry and noinstr text only through the kprobes
 * blacklist, which a kernel without CONFIG_KPROBES does not have.  The
 * kprobes text section is empty on x86 (NOKPROBE_SYMBOL() instead): the
 * blacklist entries below stand for it.
 */
static const struct root_case root_cases[] = {
	ROOT_X("ksys_sync", 0),
	{ "perf W init_task", "init_task", 0, 8, HW_BREAKPOINT_W, 0 },
	{ "perf RW entry_SYSCALL_64 (data)", "entry_SYSCALL_64", 0, 8,
	  HW_BREAKPOINT_RW, 0 },
	ROOT_X("__entry_text_start", EINVAL),
	ROOT_X("entry_SYSCALL_64", EINVAL),
	ROOT_X("entry_SYSCALL_64_safe_stack", EINVAL),
	ROOT_X("entry_SYSCALL_64_after_hwframe", EINVAL),
	ROOT_X("entry_SYSRETQ_unsafe_stack", EINVAL),
	ROOT_X("asm_exc_debug", EINVAL),
	ROOT_X("asm_exc_int3", EINVAL),
	ROOT_X("asm_exc_nmi", EINVAL),
	ROOT_X("asm_exc_double_fault", EINVAL),
	ROOT_X("asm_exc_general_protection", EINVAL),
	ROOT_X("asm_exc_page_fault", EINVAL),
	ROOT_X("error_entry", EINVAL),
	ROOT_X("paranoid_entry", EINVAL),
	ROOT_X("paranoid_exit", EINVAL),
	ROOT_X("common_interrupt_return", EINVAL),
	{ "perf X last byte of entry text", "__entry_text_end", -1, 8,
	  HW_BREAKPOINT_X, EINVAL },
	ROOT_X("__noinstr_text_start", EINVAL),
	ROOT_X("exc_debug", EINVAL),
	ROOT_X("exc_nmi", EINVAL),
	ROOT_X("do_syscall_64", EINVAL),
	ROOT_X("irqentry_enter", EINVAL),
	{ "perf X last byte of noinstr text", "__noinstr_text_end", -1, 8,
	  HW_BREAKPOINT_X, EINVAL },
	ROOT_X("notify_die", EINVAL),
	{ "perf RW CPU entry area base (IDT)", NULL, CEA_BASE, 8,
	  HW_BREAKPOINT_RW, EINVAL },
	{ "perf W CPU entry area last word", NULL, CEA_BASE + CEA_SIZE - 8,
	  8, HW_BREAKPOINT_W, EINVAL },
	{ "perf W word below the CPU entry area (allowed)", NULL,
	  CEA_BASE - 8, 8, HW_BREAKPOINT_W, 0 },
	{ "perf W word above the CPU entry area (allowed)", NULL,
	  CEA_BASE + CEA_SIZE, 8, HW_BREAKPOINT_W, 0 },
	{ "perf W 16 bytes straddling the CPU entry area start", NULL,
	  CEA_BASE - 8, 16, HW_BREAKPOINT_W, EINVAL },
	{ "perf W 16 bytes straddling the CPU entry area end", NULL,
	  CEA_BASE + CEA_SIZE - 8, 16, HW_BREAKPOINT_W, EINVAL },
	{ "perf W 2 TiB range holding the CPU entry area", NULL,
	  CEA_BASE & ~((1UL << 41) - 1), 1UL << 41, HW_BREAKPOINT_W, EINVAL },
	{ "perf RW __per_cpu_offset[0]", "__per_cpu_offset", 0, 8,
	  HW_BREAKPOINT_RW, EINVAL },
	{ "perf W __per_cpu_offset[1]", "__per_cpu_offset", 8, 8,
	  HW_BREAKPOINT_W, EINVAL },
	{ "perf X entry_SYSCALL_64 CPU-wide", "entry_SYSCALL_64", 0, 8,
	  HW_BREAKPOINT_X, EINVAL, 1 },
	{ "perf W CPU entry area CPU-wide", NULL, CEA_BASE + 0x3000, 8,
	  HW_BREAKPOINT_W, EINVAL, 1 },
};

static void root_cases_run(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(root_cases); i++) {
		const struct root_case *c = &root_cases[i];
		unsigned long addr = c->off;
		char what[128];

		if (c->what)
			snprintf(what, sizeof(what), "%s", c->what);
		else
			snprintf(what, sizeof(what), "perf X %s", c->sym);
		if (c->sym) {
			if (!sym_addr(c->sym)) {
				ksft_test_result_skip("root: %s: no %s in kallsyms\n",
						      what, c->sym);
				continue;
			}
			addr = sym_addr(c->sym) + c->off;
		}
		verdict(bp_open(c->cpu_wide ? -1 : 0, c->cpu_wide ? 0 : -1,
				addr, c->len, c->type, 0),
			c->want, "root: %s", what);
	}
}

#define N_BL	BL_PICK

static void blacklist_run(void)
{
	int i;

	for (i = 0; i < BL_PICK; i++) {
		if (!bl_addr[i]) {
			ksft_test_result_skip("root: perf X kprobes blacklist entry %d: no %s\n",
					      i, KPROBE_BL);
			continue;
		}
		ksft_print_msg("kprobes blacklist entry %d is %s\n", i,
			       bl_name[i]);
		verdict(bp_open(0, -1, bl_addr[i], 8, HW_BREAKPOINT_X, 0),
			EINVAL, "root: perf X kprobes blacklist entry %d", i);
	}
}

/*
 * Every page of the first CEA_SWEEP bytes of the CPU entry area: the
 * read-only IDT, then per CPU the GDT, entry stack, TSS, the IST stacks
 * with their guard pages and the debug store; and the rest of it in
 * 1 GiB steps; every byte of the entry and noinstr text.  One verdict per
 * sweep, naming the first address let through.
 */
static const struct sweep_case {
	const char *what;
	unsigned long from, to, step;
	unsigned int type;
} sweeps[] = {
	{ "perf W every page of the first 8 MiB of the CPU entry area",
	  CEA_BASE, CEA_BASE + CEA_SWEEP, 4096, HW_BREAKPOINT_W },
	{ "perf RW the last word of every page there (IST stack tops)",
	  CEA_BASE + 4096 - 8, CEA_BASE + CEA_SWEEP, 4096, HW_BREAKPOINT_RW },
	{ "perf X every page of the first 8 MiB of the CPU entry area",
	  CEA_BASE, CEA_BASE + CEA_SWEEP, 4096, HW_BREAKPOINT_X },
	{ "perf W the CPU entry area in 1 GiB steps",
	  CEA_BASE, CEA_BASE + CEA_SIZE, 1UL << 30, HW_BREAKPOINT_W },
};

static const char * const text_sections[] = { "entry", "noinstr" };

#define N_SWEEP	(ARRAY_SIZE(sweeps) + ARRAY_SIZE(text_sections))

static void sweep(const char *what, unsigned long from, unsigned long to,
		  unsigned long step, unsigned int type, unsigned int len)
{
	unsigned long a, bad = 0, n = 0, passed = 0;
	int err, first_err = EINVAL;

	for (a = from; a < to && a >= from; a += step) {
		err = bp_open(0, -1, a, len, type, 0);
		n++;
		if (err != EINVAL && !passed++) {
			bad = a;
			first_err = err;
		}
	}
	if (passed)
		ksft_print_msg("%s: %lu of %lu let through, first at %#lx (%s)\n",
			       what, passed, n, bad, errname(first_err));
	else
		ksft_print_msg("%s: %lu addresses, all EINVAL\n", what, n);
	verdict(passed ? first_err : EINVAL, EINVAL, "root: %s", what);
}

/* Every byte of a text section, not only where its symbols start */
static void text_sweep(const char *section)
{
	char start[64], end[64], what[96];

	snprintf(start, sizeof(start), "__%s_text_start", section);
	snprintf(end, sizeof(end), "__%s_text_end", section);
	snprintf(what, sizeof(what), "perf X every byte of %s text", section);
	if (!sym_addr(start) || !sym_addr(end)) {
		ksft_test_result_skip("root: %s: no %s in kallsyms\n", what,
				      start);
		return;
	}
	sweep(what, sym_addr(start), sym_addr(end), 1, HW_BREAKPOINT_X, 8);
}

static void sweeps_run(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sweeps); i++)
		sweep(sweeps[i].what, sweeps[i].from, sweeps[i].to,
		      sweeps[i].step, sweeps[i].type, 8);
	for (i = 0; i < ARRAY_SIZE(text_sections); i++)
		text_sweep(text_sections[i]);
}

/* Per-CPU data the entry code reads, on every CPU */
static const char * const pcpu_syms[] = {
	"cpu_tss_rw", "cpu_dr7", "cpu_tlbstate", "gdt_page",
};

#define N_PCPU	ARRAY_SIZE(pcpu_syms)

static void percpu_run(void)
{
	size_t i;
	int cpu;

	for (i = 0; i < N_PCPU; i++) {
		unsigned long off = sym_addr(pcpu_syms[i]);
		int worst = EINVAL;

		if (!pcpu_n || !off) {
			ksft_test_result_skip("root: perf RW %s on every CPU: %s\n",
					      pcpu_syms[i],
					      pcpu_n ? "not in kallsyms" :
					      "no /proc/kcore to read __per_cpu_offset[]");
			continue;
		}
		for (cpu = 0; cpu < pcpu_n; cpu++) {
			int err = bp_open(0, -1, pcpu_off[cpu] + off, 8,
					  HW_BREAKPOINT_RW, 0);

			if (err != EINVAL) {
				ksft_print_msg("%s of CPU %d: %s\n",
					       pcpu_syms[i], cpu,
					       errname(err));
				worst = err;
			}
		}
		verdict(worst, EINVAL, "root: perf RW %s on every CPU",
			pcpu_syms[i]);
	}
}

/* ptrace writes DR0 of a tracee; kernel addresses never get that far */
static const char * const ptrace_syms[] = {
	"entry_SYSCALL_64", "asm_exc_debug", "exc_debug", "__per_cpu_offset",
};

/* and at fixed addresses; 0: our own data */
static const struct {
	const char *what;
	unsigned long addr;
	int want;
} ptrace_fixed[] = {
	{ "CPU entry area", CEA_BASE + 0x2000, EINVAL },
	{ "CPU entry area last word", CEA_BASE + CEA_SIZE - 8, EINVAL },
	{ "own data (allowed)", 0, 0 },
};

#define N_PTRACE	(ARRAY_SIZE(ptrace_syms) + ARRAY_SIZE(ptrace_fixed))

static void ptrace_run(void)
{
	pid_t tracee = hwbp_traced_child(NULL);
	size_t i;

	if (tracee < 0)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(ptrace_syms); i++) {
		unsigned long a = sym_addr(ptrace_syms[i]);

		if (!a)
			ksft_test_result_skip("root: ptrace DR0 %s: not in kallsyms\n",
					      ptrace_syms[i]);
		else
			verdict(ptrace_dr(tracee, a, DR7_X), EINVAL,
				"root: ptrace DR0 %s", ptrace_syms[i]);
	}
	for (i = 0; i < ARRAY_SIZE(ptrace_fixed); i++) {
		unsigned long a = ptrace_fixed[i].addr;

		verdict(ptrace_dr(tracee, a ? a : (unsigned long)watched,
				  DR7_RW8),
			ptrace_fixed[i].want, "root: ptrace DR0 %s",
			ptrace_fixed[i].what);
	}
	hwbp_end_child(tracee);
}

int main(void)
{
	int saved, pi, t;

	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("needs root: it switches users and perf_event_paranoid\n");

	read_kallsyms();
	read_kprobe_blacklist();
	read_percpu_offsets();
	if (!sym_addr("entry_SYSCALL_64"))
		ksft_print_msg("no kernel addresses in /proc/kallsyms\n");

	ksft_set_plan(ARRAY_SIZE(paranoid_levels) *
		      (ARRAY_SIZE(unpriv_cases) + N_CROSS) +
		      ARRAY_SIZE(root_cases) + N_BL + N_SWEEP + N_PCPU +
		      N_PTRACE);

	for (t = 0; t < T_NR; t++)
		target_pid[t] = target_start(t);

	saved = hwbp_paranoid();
	for (pi = 0; pi < (int)ARRAY_SIZE(paranoid_levels); pi++)
		unpriv_round(pi);
	if (set_paranoid(saved))
		ksft_print_msg("could not restore perf_event_paranoid %d\n",
			       saved);

	for (t = 0; t < T_NR; t++)
		if (target_pid[t] > 0)
			hwbp_end_child(target_pid[t]);

	root_cases_run();
	blacklist_run();
	sweeps_run();
	percpu_run();
	ptrace_run();
	ksft_finished();
}
