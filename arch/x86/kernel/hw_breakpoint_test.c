// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the x86 debug-register backend.
 *
 * The owner table and the address shadow (hw_breakpoint_internal.h) are
 * checked against the registers themselves, which are always read back
 * with get_debugreg() on the CPU concerned.
 *
 * Built in only: the protected areas it checks (entry and noinstr text,
 * the CPU entry area) are not visible to modules.
 */

#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/cred.h>
#include <linux/hw_breakpoint.h>
#include <linux/kdebug.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/processor.h>
#include <linux/slab.h>

#include <asm/cpu_entry_area.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/hw_breakpoint.h>
#include <asm/idtentry.h>
#include <asm/proto.h>
#include <asm/sections.h>
#include <asm/tlbflush.h>

#include "hw_breakpoint_internal.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* Watched by the tests; only the tests touch them. */
static unsigned long hwbp_test_data[8] __aligned(64);
static atomic_t hwbp_test_hits;

static noinline void hwbp_test_exec_target(void)
{
	/* Keeps the call from being folded away. */
	barrier();
}

static void hwbp_test_count(struct perf_event *bp,
			    struct perf_sample_data *data,
			    struct pt_regs *regs)
{
	atomic_inc(&hwbp_test_hits);
}

static struct perf_event *hwbp_test_register(unsigned long addr, u64 len,
					     u32 type, bool exclude_kernel)
{
	struct perf_event_attr attr;

	hw_breakpoint_init(&attr);
	attr.bp_addr = addr;
	attr.bp_len = len;
	attr.bp_type = type;
	attr.exclude_kernel = exclude_kernel;
	return register_user_hw_breakpoint(&attr, hwbp_test_count, NULL,
					   current);
}

/* ---- encoding ---------------------------------------------------------- */

/* DR7's bits for @slot, from the SDM's layout rather than the backend's. */
static unsigned long hwbp_dr7_slot_bits(int slot)
{
	return (3UL << (slot * 2)) | (0xfUL << (16 + slot * 4));
}

static void dr7_encoding_matches_ptrace_abi(struct kunit *test)
{
	static const u8 lens[] = {
		X86_BREAKPOINT_LEN_1, X86_BREAKPOINT_LEN_2,
		X86_BREAKPOINT_LEN_4, X86_BREAKPOINT_LEN_8,
	};
	static const u8 types[] = {
		X86_BREAKPOINT_EXECUTE, X86_BREAKPOINT_WRITE, X86_BREAKPOINT_RW,
	};
	int slot, l, t;

	/* Values debuggers have read through PTRACE_PEEKUSER since 2.6.33 */
	KUNIT_EXPECT_EQ(test, encode_dr7(0, X86_BREAKPOINT_LEN_4,
					 X86_BREAKPOINT_WRITE), 0xd0202UL);
	KUNIT_EXPECT_EQ(test, encode_dr7(3, X86_BREAKPOINT_LEN_8,
					 X86_BREAKPOINT_RW), 0xb0000280UL);
	KUNIT_EXPECT_EQ(test, encode_dr7(1, X86_BREAKPOINT_LEN_X,
					 X86_BREAKPOINT_EXECUTE), 0x208UL);

	for (slot = 0; slot < HBP_NUM; slot++) {
		for (l = 0; l < ARRAY_SIZE(lens); l++) {
			for (t = 0; t < ARRAY_SIZE(types); t++) {
				unsigned long dr7;
				unsigned int len, type;
				int en;

				dr7 = encode_dr7(slot, lens[l], types[t]);
				/* Only its own slot's bits and GE */
				KUNIT_EXPECT_EQ(test, dr7 & ~hwbp_dr7_slot_bits(slot),
						(unsigned long)DR_GLOBAL_SLOWDOWN);
				en = decode_dr7(dr7, slot, &len, &type);
				KUNIT_EXPECT_EQ(test, en, DR_GLOBAL_ENABLE);
				KUNIT_EXPECT_EQ(test, len, lens[l]);
				KUNIT_EXPECT_EQ(test, type, types[t]);
				en = decode_dr7(dr7, (slot + 1) % HBP_NUM,
						&len, &type);
				KUNIT_EXPECT_EQ(test, en, 0);
			}
		}
	}
}

static void generic_fields_give_ptrace_errno(struct kunit *test)
{
	static const struct {
		int len, type, ret, gen_len, gen_type;
	} cases[] = {
		{ X86_BREAKPOINT_LEN_X, X86_BREAKPOINT_EXECUTE, 0,
		  sizeof(long), HW_BREAKPOINT_X },
		{ X86_BREAKPOINT_LEN_4, X86_BREAKPOINT_EXECUTE, -EINVAL },
		{ X86_BREAKPOINT_LEN_1, X86_BREAKPOINT_WRITE, 0,
		  1, HW_BREAKPOINT_W },
		{ X86_BREAKPOINT_LEN_2, X86_BREAKPOINT_RW, 0,
		  2, HW_BREAKPOINT_RW },
		{ X86_BREAKPOINT_LEN_4, X86_BREAKPOINT_WRITE, 0,
		  4, HW_BREAKPOINT_W },
		{ X86_BREAKPOINT_LEN_8, X86_BREAKPOINT_RW, 0,
		  8, HW_BREAKPOINT_RW },
		/* R/W = 10b is I/O, which we never enable */
		{ X86_BREAKPOINT_LEN_1, X86_BREAKPOINT_TYPE_TAG | 2, -EINVAL },
		{ 0x41, X86_BREAKPOINT_WRITE, -EINVAL },
		{ X86_BREAKPOINT_LEN_1, 0, -EINVAL },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int gen_len = -1, gen_type = -1;
		int ret = arch_bp_generic_fields(cases[i].len, cases[i].type,
						 &gen_len, &gen_type);

		KUNIT_EXPECT_EQ_MSG(test, ret, cases[i].ret, "case %d", i);
		if (ret || cases[i].ret)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, gen_len, cases[i].gen_len,
				    "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, gen_type, cases[i].gen_type,
				    "case %d", i);
	}
}

/* ---- install / uninstall ----------------------------------------------- */

/* The owner table's entry; IRQs off or a snapshot, as the backend reads it */
static struct perf_event *hwbp_owner(int cpu, int slot)
{
	return READ_ONCE(*bp_owner_ptr(cpu, slot));
}

#define HWBP_TEST_EVENTS	6

/*
 * What the registers should hold, and the first disagreement seen.  The
 * checks run with IRQs off, where KUnit's reporting (which allocates) must
 * not run; hwbp_report() hands the result to KUnit afterwards.
 */
struct hwbp_model {
	struct perf_event *owner[HBP_NUM];
	int bad, step;
	const char *what;
	unsigned long got, want;
};

static void hwbp_mismatch(struct hwbp_model *m, int step, const char *what,
			  unsigned long got, unsigned long want)
{
	if (got == want || m->bad++)
		return;
	m->step = step;
	m->what = what;
	m->got = got;
	m->want = want;
}

/* This CPU's registers and shadows against the model; IRQs are off. */
static void hwbp_check_regs(struct hwbp_model *m, int step)
{
	static const char * const dr_name[HBP_NUM] = {
		"DR0", "DR1", "DR2", "DR3",
	};
	unsigned long want = 0, dr7, addr;
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++) {
		struct arch_hw_breakpoint *info;

		hwbp_mismatch(m, step, "owner table",
			      (unsigned long)hwbp_owner(smp_processor_id(), slot),
			      (unsigned long)m->owner[slot]);
		if (!m->owner[slot])
			continue;
		info = counter_arch_bp(m->owner[slot]);
		want |= encode_dr7(slot, info->len, info->type);
		get_debugreg(addr, slot);
		hwbp_mismatch(m, step, dr_name[slot], addr, info->address);
	}

	get_debugreg(dr7, 7);
	/* Bit 10 always reads as one */
	hwbp_mismatch(m, step, "DR7", dr7 & ~DR7_FIXED_1, want);
	hwbp_mismatch(m, step, "cpu_dr7", this_cpu_read(cpu_dr7), want);
}

static void hwbp_report(struct kunit *test, const struct hwbp_model *m)
{
	KUNIT_EXPECT_EQ_MSG(test, m->bad, 0,
			    "first at step %d: %s is %#lx, want %#lx",
			    m->step, m->what, m->got, m->want);
}

/*
 * Pretend events: installed straight through the backend with IRQs off for
 * the whole test, so perf cannot schedule anything on this CPU meanwhile.
 * Their addresses are never accessed, so they never fire.
 */
static struct perf_event *hwbp_fake_events(struct kunit *test)
{
	static const u8 lens[] = {
		X86_BREAKPOINT_LEN_1, X86_BREAKPOINT_LEN_2,
		X86_BREAKPOINT_LEN_4, X86_BREAKPOINT_LEN_8,
	};
	struct perf_event *ev;
	int i;

	ev = kunit_kcalloc(test, HWBP_TEST_EVENTS, sizeof(*ev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ev);
	for (i = 0; i < HWBP_TEST_EVENTS; i++) {
		struct arch_hw_breakpoint *info = counter_arch_bp(&ev[i]);

		info->address = (unsigned long)&hwbp_test_data[i];
		info->len = lens[i % ARRAY_SIZE(lens)];
		info->type = i & 1 ? X86_BREAKPOINT_RW : X86_BREAKPOINT_WRITE;
	}
	return ev;
}

static bool hwbp_cpu_is_idle(void)
{
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++)
		if (hwbp_owner(smp_processor_id(), slot))
			return false;
	return true;
}

static void
dr7_matches_owner_table_after_random_install_uninstall(struct kunit *test)
{
	struct perf_event *ev = hwbp_fake_events(test);
	struct hwbp_model m = { };
	bool installed[HWBP_TEST_EVENTS] = { };
	unsigned long flags;
	u32 rnd = 0x2009;
	int step, busy = 0;

	local_irq_save(flags);
	if (!hwbp_cpu_is_idle()) {
		local_irq_restore(flags);
		kunit_skip(test, "breakpoints already installed on this CPU");
	}

	for (step = 0; step < 400; step++) {
		int i, slot, ret;

		rnd = rnd * 1103515245 + 12345;
		i = (rnd >> 16) % HWBP_TEST_EVENTS;

		if (installed[i]) {
			arch_uninstall_hw_breakpoint(&ev[i]);
			for (slot = 0; slot < HBP_NUM; slot++)
				if (m.owner[slot] == &ev[i])
					m.owner[slot] = NULL;
			installed[i] = false;
		} else {
			for (slot = 0; slot < HBP_NUM; slot++)
				if (!m.owner[slot])
					break;
			/*
			 * The core never asks for a register the CPU does
			 * not have (the backend warns if it does): on a
			 * full file the walk goes on with the next step.
			 */
			if (slot == HBP_NUM) {
				busy++;
				continue;
			}
			ret = arch_install_hw_breakpoint(&ev[i]);
			hwbp_mismatch(&m, step, "install", ret, 0);
			m.owner[slot] = &ev[i];
			installed[i] = !ret;
		}
		hwbp_check_regs(&m, step);
	}

	for (step = 0; step < HWBP_TEST_EVENTS; step++)
		if (installed[step])
			arch_uninstall_hw_breakpoint(&ev[step]);
	memset(m.owner, 0, sizeof(m.owner));
	hwbp_check_regs(&m, -1);
	local_irq_restore(flags);
	hwbp_report(test, &m);

	/* The sequence must have exercised the full table. */
	KUNIT_EXPECT_GT(test, busy, 0);
}

/* Fill every slot with ev[0..HBP_NUM - 1], in slot order. */
static void hwbp_fill(struct hwbp_model *m, struct perf_event *ev)
{
	int i;

	for (i = 0; i < HBP_NUM; i++) {
		hwbp_mismatch(m, 0, "install", arch_install_hw_breakpoint(&ev[i]), 0);
		m->owner[i] = &ev[i];
	}
}

static void uninstall_keeps_other_slots_and_ge(struct kunit *test)
{
	struct perf_event *ev = hwbp_fake_events(test);
	struct hwbp_model m = { };
	unsigned long flags, dr7;
	int i;

	local_irq_save(flags);
	if (!hwbp_cpu_is_idle()) {
		local_irq_restore(flags);
		kunit_skip(test, "breakpoints already installed on this CPU");
	}

	hwbp_fill(&m, ev);
	hwbp_check_regs(&m, 0);

	/*
	 * No fifth install: the core never offers the backend an accounted
	 * breakpoint then (the backend warns), and a flexible one's quiet
	 * -EBUSY is the multiplexing selftest's.  One never installed
	 * uninstalls as a no-op.
	 */
	arch_uninstall_hw_breakpoint(&ev[4]);
	hwbp_check_regs(&m, 2);

	/* Take out the middle ones: 0 and 3 keep everything, GE included. */
	arch_uninstall_hw_breakpoint(&ev[1]);
	m.owner[1] = NULL;
	hwbp_check_regs(&m, 3);
	arch_uninstall_hw_breakpoint(&ev[2]);
	m.owner[2] = NULL;
	hwbp_check_regs(&m, 4);
	get_debugreg(dr7, 7);
	hwbp_mismatch(&m, 4, "GE", dr7 & DR_GLOBAL_SLOWDOWN, DR_GLOBAL_SLOWDOWN);

	/* Freed slots are reused lowest first. */
	hwbp_mismatch(&m, 5, "install", arch_install_hw_breakpoint(&ev[5]), 0);
	m.owner[1] = &ev[5];
	hwbp_check_regs(&m, 5);

	for (i = 0; i < HBP_NUM; i++)
		if (m.owner[i])
			arch_uninstall_hw_breakpoint(m.owner[i]);
	memset(m.owner, 0, sizeof(m.owner));
	hwbp_check_regs(&m, 6);
	hwbp_mismatch(&m, 6, "hw_breakpoint_active()", hw_breakpoint_active(),
		      false);
	local_irq_restore(flags);
	hwbp_report(test, &m);
}

/*
 * kgdb's take_registers: the debugger's install takes an accounted event's
 * register, an accounted event scheduled in meanwhile waits behind it, and
 * the register goes back to the waiting one when the debugger leaves it.
 */
static void kgdb_takes_a_register_and_gives_it_back(struct kunit *test)
{
	struct perf_event *ev = hwbp_fake_events(test);
	struct perf_event *kgdb = &ev[4], *late = &ev[5];
	struct hwbp_model m = { };
	unsigned long flags;
	int i, cpu;

	local_irq_save(flags);
	cpu = smp_processor_id();
	if (!hwbp_cpu_is_idle()) {
		local_irq_restore(flags);
		kunit_skip(test, "breakpoints already installed on this CPU");
	}

	hwbp_fill(&m, ev);
	hwbp_mismatch(&m, 1, "kgdb install",
		      arch_install_kgdb_hw_breakpoint(kgdb), 0);
	m.owner[HBP_NUM - 1] = kgdb;
	hwbp_check_regs(&m, 1);
	hwbp_mismatch(&m, 1, "displaced in a register",
		      arch_hw_breakpoint_in_register(&ev[HBP_NUM - 1], cpu), false);

	/* Perf takes the displaced one out and schedules another in. */
	arch_uninstall_hw_breakpoint(&ev[HBP_NUM - 1]);
	hwbp_mismatch(&m, 2, "install behind kgdb",
		      arch_install_hw_breakpoint(late), 0);
	hwbp_check_regs(&m, 2);
	hwbp_mismatch(&m, 2, "waiting one in a register",
		      arch_hw_breakpoint_in_register(late, cpu), false);

	arch_uninstall_hw_breakpoint(kgdb);
	m.owner[HBP_NUM - 1] = late;
	hwbp_check_regs(&m, 3);
	hwbp_mismatch(&m, 3, "waiting one in a register",
		      arch_hw_breakpoint_in_register(late, cpu), true);

	for (i = 0; i < HBP_NUM; i++)
		arch_uninstall_hw_breakpoint(m.owner[i]);
	memset(m.owner, 0, sizeof(m.owner));
	hwbp_check_regs(&m, 4);
	local_irq_restore(flags);
	hwbp_report(test, &m);
}

static void restore_reloads_registers_from_shadow(struct kunit *test)
{
	struct perf_event *ev = hwbp_fake_events(test);
	struct hwbp_model m = { };
	unsigned long flags;

	preempt_disable();
	local_irq_save(flags);
	if (!hwbp_cpu_is_idle()) {
		local_irq_restore(flags);
		preempt_enable();
		kunit_skip(test, "breakpoints already installed on this CPU");
	}
	hwbp_mismatch(&m, 0, "install", arch_install_hw_breakpoint(&ev[2]), 0);
	hwbp_mismatch(&m, 0, "install", arch_install_hw_breakpoint(&ev[3]), 0);
	m.owner[0] = &ev[2];
	m.owner[1] = &ev[3];

	/* What a reset CPU (or a guest) leaves behind */
	set_debugreg(DR7_FIXED_1, 7);
	set_debugreg(0UL, 0);
	set_debugreg(0UL, 1);
	hw_breakpoint_restore();
	hwbp_check_regs(&m, 0);

	set_debugreg(DR7_FIXED_1, 7);
	set_debugreg(0UL, 1);
	local_irq_restore(flags);
	/* The CPU-online path, which takes care of IRQs itself */
	hw_breakpoint_cpu_online(smp_processor_id());
	local_irq_save(flags);
	hwbp_check_regs(&m, 1);

	arch_uninstall_hw_breakpoint(&ev[2]);
	arch_uninstall_hw_breakpoint(&ev[3]);
	local_irq_restore(flags);
	preempt_enable();
	hwbp_report(test, &m);
}

/* ---- validation -------------------------------------------------------- */

struct hwbp_parse_case {
	const char *what;
	unsigned long addr;
	u64 len;
	u32 type;
	int want;		/* without BPEXT */
	int want_bpext;		/* with BPEXT */
};

#define USER_VA		0x400000UL

static void hwbp_run_parse_cases(struct kunit *test,
				 const struct hwbp_parse_case *c, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct arch_hw_breakpoint hw = { };

		KUNIT_EXPECT_EQ_MSG(test, x86_bp_decode(c[i].addr, c[i].len,
							c[i].type, false, &hw),
				    c[i].want, "%s", c[i].what);
		KUNIT_EXPECT_EQ_MSG(test, x86_bp_decode(c[i].addr, c[i].len,
							c[i].type, true, &hw),
				    c[i].want_bpext, "%s (BPEXT)", c[i].what);
	}
}

static void bad_length_alignment_type_give_upstream_errno(struct kunit *test)
{
	const struct hwbp_parse_case cases[] = {
		{ "W len 1", USER_VA + 1, 1, HW_BREAKPOINT_W, 0, 0 },
		{ "W len 2", USER_VA + 2, 2, HW_BREAKPOINT_W, 0, 0 },
		{ "RW len 4", USER_VA + 4, 4, HW_BREAKPOINT_RW, 0, 0 },
		{ "RW len 8", USER_VA + 8, 8, HW_BREAKPOINT_RW, 0, 0 },
		{ "W len 2 odd", USER_VA + 1, 2, HW_BREAKPOINT_W,
		  -EINVAL, -EINVAL },
		{ "W len 4 at 2", USER_VA + 2, 4, HW_BREAKPOINT_W,
		  -EINVAL, -EINVAL },
		{ "RW len 8 at 4", USER_VA + 4, 8, HW_BREAKPOINT_RW,
		  -EINVAL, -EINVAL },
		{ "W len 0", USER_VA, 0, HW_BREAKPOINT_W, -EINVAL, -EINVAL },
		{ "W len 3", USER_VA, 3, HW_BREAKPOINT_W, -EINVAL, -EINVAL },
		{ "W len 12", USER_VA, 12, HW_BREAKPOINT_W, -EINVAL, -EINVAL },
		{ "W len 16", USER_VA, 16, HW_BREAKPOINT_W, -EOPNOTSUPP, 0 },
		{ "RW len 4096", USER_VA, 4096, HW_BREAKPOINT_RW,
		  -EOPNOTSUPP, 0 },
		{ "W len 16 at 8", USER_VA + 8, 16, HW_BREAKPOINT_W,
		  -EINVAL, -EINVAL },
		{ "W len 2^33", 0, 1ULL << 33, HW_BREAKPOINT_W,
		  -EOPNOTSUPP, -EINVAL },
		{ "R only", USER_VA, 4, HW_BREAKPOINT_R, -EINVAL, -EINVAL },
		{ "no type", USER_VA, 4, HW_BREAKPOINT_EMPTY,
		  -EINVAL, -EINVAL },
		{ "X|W", USER_VA, 8, HW_BREAKPOINT_X | HW_BREAKPOINT_W,
		  -EINVAL, -EINVAL },
		{ "X len long", USER_VA + 3, sizeof(long), HW_BREAKPOINT_X,
		  0, 0 },
		{ "X len 1", USER_VA, 1, HW_BREAKPOINT_X, -EINVAL, -EINVAL },
		{ "X len 4", USER_VA, 4, HW_BREAKPOINT_X, -EINVAL, -EINVAL },
		{ "X len 16", USER_VA, 16, HW_BREAKPOINT_X, -EINVAL, -EINVAL },
		{ "W wraps", ~0UL - 3, 8, HW_BREAKPOINT_W, -EINVAL, -EINVAL },
	};

	hwbp_run_parse_cases(test, cases, ARRAY_SIZE(cases));
}

static void decoded_fields_and_extent_match_request(struct kunit *test)
{
	struct arch_hw_breakpoint hw = { };

	KUNIT_ASSERT_EQ(test, x86_bp_decode(USER_VA, 4096, HW_BREAKPOINT_W,
					    true, &hw), 0);
	KUNIT_EXPECT_EQ(test, hw.address, USER_VA);
	KUNIT_EXPECT_EQ(test, hw.mask, 4095UL);
	KUNIT_EXPECT_EQ(test, hw.len, X86_BREAKPOINT_LEN_1);
	KUNIT_EXPECT_EQ(test, hw.type, X86_BREAKPOINT_WRITE);
	KUNIT_EXPECT_FALSE(test, arch_check_bp_in_kernelspace(&hw));

	/* A range ending past the user half is not a user breakpoint. */
	KUNIT_ASSERT_EQ(test, x86_bp_decode(TASK_SIZE_MAX & ~0xffffUL,
					    0x10000, HW_BREAKPOINT_RW,
					    true, &hw), 0);
	KUNIT_EXPECT_TRUE(test, arch_check_bp_in_kernelspace(&hw));

	KUNIT_ASSERT_EQ(test, x86_bp_decode(TASK_SIZE_MAX - 8, 8,
					    HW_BREAKPOINT_W, false, &hw), 0);
	KUNIT_EXPECT_EQ(test, hw.len, X86_BREAKPOINT_LEN_8);
	KUNIT_EXPECT_EQ(test, hw.mask, 0UL);
	KUNIT_EXPECT_FALSE(test, arch_check_bp_in_kernelspace(&hw));

	KUNIT_ASSERT_EQ(test, x86_bp_decode(USER_VA, sizeof(long),
					    HW_BREAKPOINT_X, false, &hw), 0);
	KUNIT_EXPECT_EQ(test, hw.len, X86_BREAKPOINT_LEN_X);
	KUNIT_EXPECT_EQ(test, hw.type, X86_BREAKPOINT_EXECUTE);

	KUNIT_ASSERT_EQ(test, x86_bp_decode((unsigned long)hwbp_test_data, 2,
					    HW_BREAKPOINT_W, false, &hw), 0);
	KUNIT_EXPECT_TRUE(test, arch_check_bp_in_kernelspace(&hw));
}

static void entry_and_ist_areas_refused_even_for_root(struct kunit *test)
{
	unsigned long cea0 = (unsigned long)get_cpu_entry_area(0);
	unsigned long pcpu_dr7 = (unsigned long)&per_cpu(cpu_dr7, 0);
	unsigned long owners = (unsigned long)bp_owner_ptr(nr_cpu_ids - 1, 0);
	unsigned long tss = (unsigned long)&per_cpu(cpu_tss_rw, 0);
	unsigned long tlb = (unsigned long)&per_cpu(cpu_tlbstate, 0);
	unsigned long gdt = (unsigned long)get_cpu_gdt_rw(0);
	unsigned long ist = (unsigned long)&get_cpu_entry_area(0)->estacks;
	unsigned long entry = (unsigned long)__entry_text_start;
	unsigned long noinstr_text = (unsigned long)__noinstr_text_start;
	unsigned long fine = (unsigned long)hwbp_test_exec_target;
	int kexec_ok = IS_ENABLED(CONFIG_KPROBES) ? 0 : -EINVAL;
	const struct hwbp_parse_case cases[] = {
		{ "cea base", CPU_ENTRY_AREA_BASE, 8, HW_BREAKPOINT_RW,
		  -EINVAL, -EINVAL },
		{ "cea cpu0", cea0, 8, HW_BREAKPOINT_W, -EINVAL, -EINVAL },
		{ "IST stacks", ist, 8, HW_BREAKPOINT_RW, -EINVAL, -EINVAL },
		{ "IST range", ist & ~0xfffUL, 4096, HW_BREAKPOINT_W,
		  -EINVAL, -EINVAL },
		{ "cpu_dr7", pcpu_dr7, 8, HW_BREAKPOINT_RW, -EINVAL, -EINVAL },
		{ "bp_owner", owners, 8, HW_BREAKPOINT_RW, -EINVAL, -EINVAL },
		{ "cpu_tss_rw", tss, 4, HW_BREAKPOINT_W, -EINVAL, -EINVAL },
		{ "cpu_tlbstate", tlb, 8, HW_BREAKPOINT_RW, -EINVAL, -EINVAL },
		{ "gdt rw", gdt, 8, HW_BREAKPOINT_W, -EINVAL, -EINVAL },
#ifdef CONFIG_SMP
		{ "__per_cpu_offset", (unsigned long)__per_cpu_offset, 8,
		  HW_BREAKPOINT_RW, -EINVAL, -EINVAL },
#endif
		{ "X entry text", entry, 8, HW_BREAKPOINT_X, -EINVAL, -EINVAL },
		{ "X noinstr text", noinstr_text, 8, HW_BREAKPOINT_X,
		  -EINVAL, -EINVAL },
		{ "X kprobe blacklist", (unsigned long)notify_die, 8,
		  HW_BREAKPOINT_X, -EINVAL, -EINVAL },
		{ "X plain text", fine, 8, HW_BREAKPOINT_X,
		  kexec_ok, kexec_ok },
		{ "W plain data", (unsigned long)hwbp_test_data, 8,
		  HW_BREAKPOINT_W, 0, 0 },
	};
	struct perf_event *bp;

	hwbp_run_parse_cases(test, cases, ARRAY_SIZE(cases));

	/* The same through perf, with every capability */
	KUNIT_EXPECT_TRUE(test, capable(CAP_SYS_ADMIN));
	bp = hwbp_test_register(pcpu_dr7, 8, HW_BREAKPOINT_RW, false);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bp), -EINVAL);
	if (!IS_ERR(bp))
		unregister_hw_breakpoint(bp);
	bp = hwbp_test_register(ist, 8, HW_BREAKPOINT_W, false);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bp), -EINVAL);
	if (!IS_ERR(bp))
		unregister_hw_breakpoint(bp);
	bp = hwbp_test_register(entry, 8, HW_BREAKPOINT_X, false);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bp), -EINVAL);
	if (!IS_ERR(bp))
		unregister_hw_breakpoint(bp);
}

/*
 * The privilege check is perf core's (hw_breakpoint_parse()): it asks the
 * backend whether the range is kernel space, then wants CAP_SYS_ADMIN, and
 * refuses exclude_kernel events there.  perf_event_open() has already
 * applied perf_event_paranoid (-EACCES) before that for !exclude_kernel.
 */
static void kernel_address_refused_without_cap_sys_admin(struct kunit *test)
{
	unsigned long kaddr = (unsigned long)&hwbp_test_data[0];
	const struct cred *old;
	struct perf_event *bp;
	struct cred *cred;

	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_clear(cred->cap_effective);
	old = override_creds(cred);

	bp = hwbp_test_register(kaddr, 8, HW_BREAKPOINT_W, false);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bp), -EPERM);
	if (!IS_ERR(bp))
		unregister_hw_breakpoint(bp);

	/* The last user-space word is still user space. */
	bp = hwbp_test_register(TASK_SIZE_MAX - 8, 8, HW_BREAKPOINT_W, false);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bp), 0);
	if (!IS_ERR(bp))
		unregister_hw_breakpoint(bp);

	bp = hwbp_test_register(TASK_SIZE_MAX, 8, HW_BREAKPOINT_W, false);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bp), -EPERM);
	if (!IS_ERR(bp))
		unregister_hw_breakpoint(bp);

	bp = hwbp_test_register(USER_VA, 8, HW_BREAKPOINT_W, false);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bp), 0);
	if (!IS_ERR(bp))
		unregister_hw_breakpoint(bp);

	revert_creds(old);
	put_cred(cred);

	/* Even root cannot ask for a kernel address while excluding it. */
	bp = hwbp_test_register(kaddr, 8, HW_BREAKPOINT_W, true);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bp), -EINVAL);
	if (!IS_ERR(bp))
		unregister_hw_breakpoint(bp);
}

/*
 * ptrace builds its events with ptrace_breakpoint_init() (exclude_kernel)
 * from arch_bp_generic_fields(); PTRACE_POKEUSER returns these errnos.
 */
static void ptrace_style_requests_get_ptrace_errno(struct kunit *test)
{
	/* Not static: with 5-level paging TASK_SIZE_MAX is known at run time. */
	const struct {
		unsigned long addr;
		int len, type, want;
	} cases[] = {
		{ USER_VA, X86_BREAKPOINT_LEN_1, X86_BREAKPOINT_WRITE, 0 },
		{ USER_VA + 2, X86_BREAKPOINT_LEN_4, X86_BREAKPOINT_WRITE,
		  -EINVAL },
		{ USER_VA + 1, X86_BREAKPOINT_LEN_X, X86_BREAKPOINT_EXECUTE,
		  0 },
		{ TASK_SIZE_MAX, X86_BREAKPOINT_LEN_1, X86_BREAKPOINT_WRITE,
		  -EINVAL },
		{ CPU_ENTRY_AREA_BASE, X86_BREAKPOINT_LEN_8, X86_BREAKPOINT_RW,
		  -EINVAL },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct perf_event_attr attr;
		struct perf_event *bp;
		int len, type;

		ptrace_breakpoint_init(&attr);
		attr.bp_addr = cases[i].addr;
		attr.disabled = 1;
		KUNIT_ASSERT_EQ(test, arch_bp_generic_fields(cases[i].len,
							     cases[i].type,
							     &len, &type), 0);
		attr.bp_len = len;
		attr.bp_type = type;
		bp = register_user_hw_breakpoint(&attr, hwbp_test_count, NULL,
						 current);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(bp), cases[i].want,
				    "case %d", i);
		if (!IS_ERR(bp))
			unregister_hw_breakpoint(bp);
	}
}

/* ---- the kernel module API on protected addresses ----------------------- */

struct hwbp_protected {
	const char *what;
	unsigned long addr;
	u32 type;
};

/* Registers held anywhere: the owner table of every CPU */
static int hwbp_owned_slots(void)
{
	int cpu, slot, n = 0;

	for_each_possible_cpu(cpu)
		for (slot = 0; slot < HBP_NUM; slot++)
			n += !!hwbp_owner(cpu, slot);
	return n;
}

/*
 * Each request through both registration calls a module has, as root
 * (KUnit runs with every capability): -EINVAL, and no slot accounted or
 * register owned afterwards.
 */
static void hwbp_refuse_all(struct kunit *test, const struct hwbp_protected *c,
			    unsigned int n)
{
	bool used = hw_breakpoint_is_used();
	int owned = hwbp_owned_slots();
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct perf_event * __percpu *wide;
		struct perf_event_attr attr;
		struct perf_event *bp;

		hw_breakpoint_init(&attr);
		attr.bp_addr = c[i].addr;
		attr.bp_type = c[i].type;
		attr.bp_len = c[i].type == HW_BREAKPOINT_X ? sizeof(long) : 1;

		wide = register_wide_hw_breakpoint(&attr, hwbp_test_count,
						   NULL);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO((void __force *)wide),
				    -EINVAL, "wide: %s", c[i].what);
		if (!IS_ERR((void __force *)wide))
			unregister_wide_hw_breakpoint(wide);

		bp = register_user_hw_breakpoint(&attr, hwbp_test_count, NULL,
						 current);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(bp), -EINVAL,
				    "task: %s", c[i].what);
		if (!IS_ERR(bp))
			unregister_hw_breakpoint(bp);

		KUNIT_EXPECT_EQ_MSG(test, hw_breakpoint_is_used(), used,
				    "slot accounting after %s", c[i].what);
		KUNIT_EXPECT_EQ_MSG(test, hwbp_owned_slots(), owned,
				    "registers owned after %s", c[i].what);
	}
}

/* #DB on code the #DB entry path runs itself would recurse. */
static void wide_exec_bp_on_entry_text_is_refused(struct kunit *test)
{
	const struct hwbp_protected cases[] = {
#ifdef CONFIG_X86_64
		{ "entry_SYSCALL_64", (unsigned long)entry_SYSCALL_64,
		  HW_BREAKPOINT_X },
#endif
		{ "asm_exc_debug", (unsigned long)asm_exc_debug,
		  HW_BREAKPOINT_X },
		{ "asm_exc_nmi", (unsigned long)asm_exc_nmi, HW_BREAKPOINT_X },
		{ "__entry_text_start", (unsigned long)__entry_text_start,
		  HW_BREAKPOINT_X },
		{ "last byte of entry text",
		  (unsigned long)__entry_text_end - 1, HW_BREAKPOINT_X },
		{ "exc_debug (noinstr)", (unsigned long)exc_debug,
		  HW_BREAKPOINT_X },
		{ "__noinstr_text_start", (unsigned long)__noinstr_text_start,
		  HW_BREAKPOINT_X },
		{ "last byte of noinstr text",
		  (unsigned long)__noinstr_text_end - 1, HW_BREAKPOINT_X },
	};
	struct perf_event * __percpu *wide;
	struct perf_event_attr attr;

	hwbp_refuse_all(test, cases, ARRAY_SIZE(cases));

	/* Ordinary text is allowed, wherever kprobes could go too. */
	if (!IS_ENABLED(CONFIG_KPROBES))
		return;
	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)hwbp_test_exec_target;
	attr.bp_len = sizeof(long);
	attr.bp_type = HW_BREAKPOINT_X;
	wide = register_wide_hw_breakpoint(&attr, hwbp_test_count, NULL);
	KUNIT_ASSERT_EQ(test, PTR_ERR_OR_ZERO((void __force *)wide), 0);
	unregister_wide_hw_breakpoint(wide);
}

/*
 * The CPU entry area (IDT, GDT, entry stack, TSS, IST stacks) and the
 * per-CPU data #DB and NMI entry read, of every CPU, for any access type.
 */
static void wide_bp_on_entry_data_is_refused(struct kunit *test)
{
	const unsigned int per_cpu_n = 12;
	struct hwbp_protected *c;
	unsigned int cpu, n = 0;

	c = kunit_kcalloc(test, nr_cpu_ids * per_cpu_n + 2, sizeof(*c),
			  GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c[n++] = (struct hwbp_protected){ "CPU entry area base",
					  CPU_ENTRY_AREA_BASE,
					  HW_BREAKPOINT_RW };
#ifdef CONFIG_SMP
	c[n++] = (struct hwbp_protected){ "__per_cpu_offset[last]",
		(unsigned long)&__per_cpu_offset[nr_cpu_ids - 1],
		HW_BREAKPOINT_W };
#endif
	for_each_possible_cpu(cpu) {
		struct cpu_entry_area *cea = get_cpu_entry_area(cpu);

		c[n++] = (struct hwbp_protected){ "cea gdt",
			(unsigned long)cea->gdt, HW_BREAKPOINT_RW };
		c[n++] = (struct hwbp_protected){ "cea entry stack top",
			(unsigned long)(&cea->entry_stack_page + 1) - 1,
			HW_BREAKPOINT_W };
		c[n++] = (struct hwbp_protected){ "cea tss",
			(unsigned long)&cea->tss, HW_BREAKPOINT_RW };
#ifdef CONFIG_X86_64
		c[n++] = (struct hwbp_protected){ "#DB IST stack top",
			CEA_ESTACK_TOP(&cea->estacks, DB) - 1,
			HW_BREAKPOINT_W };
		c[n++] = (struct hwbp_protected){ "NMI IST stack bottom",
			CEA_ESTACK_BOT(&cea->estacks, NMI), HW_BREAKPOINT_RW };
		c[n++] = (struct hwbp_protected){ "#DF IST stack top",
			CEA_ESTACK_TOP(&cea->estacks, DF) - 1,
			HW_BREAKPOINT_W };
		c[n++] = (struct hwbp_protected){ "#MC IST stack top",
			CEA_ESTACK_TOP(&cea->estacks, MCE) - 1,
			HW_BREAKPOINT_RW };
#endif
		c[n++] = (struct hwbp_protected){ "cpu_tss_rw",
			(unsigned long)&per_cpu(cpu_tss_rw, cpu),
			HW_BREAKPOINT_W };
		c[n++] = (struct hwbp_protected){ "cpu_dr7",
			(unsigned long)&per_cpu(cpu_dr7, cpu),
			HW_BREAKPOINT_RW };
		c[n++] = (struct hwbp_protected){ "cpu_tlbstate",
			(unsigned long)&per_cpu(cpu_tlbstate, cpu),
			HW_BREAKPOINT_W };
		c[n++] = (struct hwbp_protected){ "gdt rw",
			(unsigned long)get_cpu_gdt_rw(cpu), HW_BREAKPOINT_RW };
		c[n++] = (struct hwbp_protected){ "bp_owner",
			(unsigned long)bp_owner_ptr(cpu, HBP_NUM - 1),
			HW_BREAKPOINT_W };
	}
	KUNIT_ASSERT_LE(test, n, nr_cpu_ids * per_cpu_n + 2);
	hwbp_refuse_all(test, c, n);
}

/* ---- hits -------------------------------------------------------------- */

static void hits_are_counted_and_exec_resumes(struct kunit *test)
{
	struct perf_event *w, *rw, *x;
	unsigned long dr6;

	atomic_set(&hwbp_test_hits, 0);
	w = hwbp_test_register((unsigned long)&hwbp_test_data[1], 8,
			       HW_BREAKPOINT_W, false);
	KUNIT_ASSERT_FALSE(test, IS_ERR(w));
	rw = hwbp_test_register((unsigned long)&hwbp_test_data[2], 4,
				HW_BREAKPOINT_RW, false);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rw));

	WRITE_ONCE(hwbp_test_data[1], 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&hwbp_test_hits), 1);
	(void)READ_ONCE(hwbp_test_data[1]);
	KUNIT_EXPECT_EQ(test, atomic_read(&hwbp_test_hits), 1);
	(void)READ_ONCE(hwbp_test_data[2]);
	KUNIT_EXPECT_EQ(test, atomic_read(&hwbp_test_hits), 2);
	WRITE_ONCE(hwbp_test_data[2], 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&hwbp_test_hits), 3);
	/* Neighbours do not match */
	WRITE_ONCE(hwbp_test_data[3], 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&hwbp_test_hits), 3);

	unregister_hw_breakpoint(w);
	unregister_hw_breakpoint(rw);
	WRITE_ONCE(hwbp_test_data[1], 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&hwbp_test_hits), 3);

	if (!IS_ENABLED(CONFIG_KPROBES))
		return;
	x = hwbp_test_register((unsigned long)hwbp_test_exec_target,
			       sizeof(long), HW_BREAKPOINT_X, false);
	KUNIT_ASSERT_FALSE(test, IS_ERR(x));
	/* Returning at all means RF let the instruction run. */
	hwbp_test_exec_target();
	hwbp_test_exec_target();
	KUNIT_EXPECT_EQ(test, atomic_read(&hwbp_test_hits), 5);
	unregister_hw_breakpoint(x);

	/* Consumed hits leave no cause bits behind. */
	get_debugreg(dr6, 6);
	KUNIT_EXPECT_EQ(test, dr6 & DR_TRAP_BITS, 0UL);
}

/* ---- CPU hotplug ------------------------------------------------------- */

struct hwbp_cpu_regs {
	unsigned long dr[HBP_NUM], dr7, shadow;
	struct perf_event *owner[HBP_NUM];
};

static void hwbp_read_cpu_regs(void *arg)
{
	struct hwbp_cpu_regs *r = arg;
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++) {
		get_debugreg(r->dr[slot], slot);
		r->owner[slot] = hwbp_owner(smp_processor_id(), slot);
	}
	get_debugreg(r->dr7, 7);
	r->dr7 &= ~DR7_FIXED_1;
	r->shadow = this_cpu_read(cpu_dr7);
}

/* Registers agree with the owner table: nothing stale, nothing leaked. */
static void hwbp_check_cpu_consistent(struct kunit *test, int cpu,
				      struct hwbp_cpu_regs *r)
{
	int slot;

	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, hwbp_read_cpu_regs,
						       r, 1), 0);
	KUNIT_EXPECT_EQ_MSG(test, r->dr7, r->shadow, "cpu %d", cpu);
	for (slot = 0; slot < HBP_NUM; slot++) {
		struct perf_event *bp = r->owner[slot];
		unsigned long en = r->dr7 & (DR_GLOBAL_ENABLE <<
					     (slot * DR_ENABLE_SIZE));

		KUNIT_EXPECT_EQ_MSG(test, !!en, !!bp, "cpu %d slot %d",
				    cpu, slot);
		if (bp)
			KUNIT_EXPECT_EQ_MSG(test, r->dr[slot],
					    counter_arch_bp(bp)->address,
					    "cpu %d slot %d", cpu, slot);
	}
}

static bool hwbp_cpu_has_addr(const struct hwbp_cpu_regs *r,
			      unsigned long addr)
{
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++)
		if (r->owner[slot] &&
		    counter_arch_bp(r->owner[slot])->address == addr &&
		    r->dr[slot] == addr)
			return true;
	return false;
}

static void
cpu_back_online_has_consistent_regs_and_counts_hits(struct kunit *test)
{
	struct perf_event_attr attr;
	struct perf_event * __percpu *wide;
	unsigned long waddr = (unsigned long)&hwbp_test_data[4];
	unsigned long taddr = (unsigned long)&hwbp_test_data[5];
	struct hwbp_cpu_regs r;
	struct perf_event *tbp;
	cpumask_var_t saved;
	int cpu, target = -1, ret;

	for_each_online_cpu(cpu)
		if (cpu && cpu != raw_smp_processor_id())
			target = cpu;
	if (target < 0)
		kunit_skip(test, "needs a second CPU that can go offline");
	if (!alloc_cpumask_var(&saved, GFP_KERNEL))
		kunit_skip(test, "no memory");
	cpumask_copy(saved, current->cpus_ptr);

	hw_breakpoint_init(&attr);
	attr.bp_addr = waddr;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.bp_type = HW_BREAKPOINT_W;
	wide = register_wide_hw_breakpoint(&attr, hwbp_test_count, NULL);
	if (IS_ERR(wide)) {
		free_cpumask_var(saved);
		KUNIT_FAIL(test, "wide breakpoint: %ld", PTR_ERR(wide));
		return;
	}

	hwbp_check_cpu_consistent(test, target, &r);
	KUNIT_EXPECT_TRUE(test, hwbp_cpu_has_addr(&r, waddr));

	ret = remove_cpu(target);
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (!ret) {
		ret = add_cpu(target);
		KUNIT_EXPECT_EQ(test, ret, 0);
	}
	if (ret) {
		unregister_wide_hw_breakpoint(wide);
		free_cpumask_var(saved);
		return;
	}

	/* Whatever the core reinstalled there, the registers agree. */
	hwbp_check_cpu_consistent(test, target, &r);

	/* A breakpoint that follows a task works on that CPU. */
	tbp = hwbp_test_register(taddr, 8, HW_BREAKPOINT_W, false);
	KUNIT_EXPECT_FALSE(test, IS_ERR(tbp));
	if (!IS_ERR(tbp)) {
		int hits;

		ret = set_cpus_allowed_ptr(current, cpumask_of(target));
		KUNIT_EXPECT_EQ(test, ret, 0);
		KUNIT_EXPECT_EQ(test, raw_smp_processor_id(), target);

		atomic_set(&hwbp_test_hits, 0);
		preempt_disable();
		hwbp_read_cpu_regs(&r);
		WRITE_ONCE(hwbp_test_data[5], 5);
		hits = atomic_read(&hwbp_test_hits);
		preempt_enable();
		KUNIT_EXPECT_TRUE(test, hwbp_cpu_has_addr(&r, taddr));
		KUNIT_EXPECT_EQ(test, hits, 1);
		set_cpus_allowed_ptr(current, saved);
		unregister_hw_breakpoint(tbp);
	}
	hwbp_check_cpu_consistent(test, target, &r);
	KUNIT_EXPECT_FALSE(test, hwbp_cpu_has_addr(&r, taddr));

	unregister_wide_hw_breakpoint(wide);
	hwbp_check_cpu_consistent(test, target, &r);
	KUNIT_EXPECT_FALSE(test, hwbp_cpu_has_addr(&r, waddr));
	free_cpumask_var(saved);
}

static struct kunit_case x86_hw_breakpoint_cases[] = {
	KUNIT_CASE(dr7_encoding_matches_ptrace_abi),
	KUNIT_CASE(generic_fields_give_ptrace_errno),
	KUNIT_CASE(dr7_matches_owner_table_after_random_install_uninstall),
	KUNIT_CASE(uninstall_keeps_other_slots_and_ge),
	KUNIT_CASE(kgdb_takes_a_register_and_gives_it_back),
	KUNIT_CASE(restore_reloads_registers_from_shadow),
	KUNIT_CASE(bad_length_alignment_type_give_upstream_errno),
	KUNIT_CASE(decoded_fields_and_extent_match_request),
	KUNIT_CASE(entry_and_ist_areas_refused_even_for_root),
	KUNIT_CASE(kernel_address_refused_without_cap_sys_admin),
	KUNIT_CASE(ptrace_style_requests_get_ptrace_errno),
	KUNIT_CASE(wide_exec_bp_on_entry_text_is_refused),
	KUNIT_CASE(wide_bp_on_entry_data_is_refused),
	KUNIT_CASE(hits_are_counted_and_exec_resumes),
	KUNIT_CASE(cpu_back_online_has_consistent_regs_and_counts_hits),
	{}
};

static struct kunit_suite x86_hw_breakpoint_suite = {
	.name = "x86_hw_breakpoint",
	.test_cases = x86_hw_breakpoint_cases,
};

kunit_test_suite(x86_hw_breakpoint_suite);

MODULE_DESCRIPTION("KUnit tests of the x86 debug-register breakpoint backend");
MODULE_LICENSE("GPL");
