// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 backend of the perf breakpoint PMU: DR0-DR3 and DR7.
 *
 * The generic layer (kernel/events/hw_breakpoint.c) decides which events may
 * exist and reserves capacity for them; this file checks what the hardware
 * can express, owns the per-CPU debug registers while events are scheduled
 * in, and turns #DB into perf events.
 */

#include <linux/cpuhotplug.h>
#include <linux/export.h>
#include <linux/hw_breakpoint.h>
#include <linux/kdebug.h>
#include <linux/kprobes.h>
#include <linux/log2.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/processor.h>
#include <linux/sched.h>
#include <linux/syscore_ops.h>

#include <kunit/visibility.h>

#include <asm/cpu_entry_area.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/hw_breakpoint.h>
#include <asm/sections.h>
#include <asm/tlbflush.h>

#include "hw_breakpoint_internal.h"

/*
 * Per-CPU debug-register state.
 *
 * Writers: only the CPU itself, with interrupts off (perf's pmu::add/del run
 * under the context lock with IRQs disabled; the hotplug and resume paths
 * disable them too).  Readers: the same CPU, from any context, including
 * #DB and NMI arriving between two instructions of a writer.  That gives
 * the ordering rules, which arch_install_hw_breakpoint(),
 * arch_uninstall_hw_breakpoint() and dr7_update() follow:
 *
 * - bp_owner[i] is set before DR7 enables slot i and cleared only after DR7
 *   has stopped matching it, so a #DB for slot i always finds its event.
 *
 * - cpu_dr7 is the DR7 value this CPU should run with.  It is zero only
 *   while the register enables nothing: the entry code's local_db_save()
 *   skips the (under a hypervisor, trapping) DR7 read when the shadow says
 *   nothing is enabled, and KVM decides from it whether to reload the
 *   host's registers.  And it is never older than the register, because
 *   local_db_restore() loads the shadow, not the value it saved, when a
 *   #DB or NMI that interrupted a writer returns: a shadow still holding a
 *   slot the register had already dropped would re-enable it with no
 *   owner.  So the shadow changes first, except when the last enabled slot
 *   goes.  Its control bits only ever describe slots that have an owner;
 *   GE is set while any slot is enabled.
 *
 * - dr_addr[i] is what DR<i> was last loaded with, for reloading the
 *   registers after a guest, a CPU restart or resume.
 *
 * - bp_parked[i] is an event perf has scheduled in that slot i holds no
 *   register for (see arch_install_hw_breakpoint()); it goes into slot i
 *   when the owner there leaves it, unless perf took it out first.
 *
 * - dr_kgdb has bit i set while slot i holds the kernel debugger's.
 */
DEFINE_PER_CPU(unsigned long, cpu_dr7);
EXPORT_PER_CPU_SYMBOL(cpu_dr7);

static DEFINE_PER_CPU(struct perf_event *, bp_owner[HBP_NUM]);
static DEFINE_PER_CPU(unsigned long, dr_addr[HBP_NUM]);
static DEFINE_PER_CPU(struct perf_event *, bp_parked[HBP_NUM]);
static DEFINE_PER_CPU(unsigned long, dr_kgdb);

/* @cpu's bp_owner[@slot]; only @cpu may write through it. */
VISIBLE_IF_KUNIT struct perf_event **bp_owner_ptr(int cpu, int slot)
{
	return per_cpu_ptr(&bp_owner[slot], cpu);
}
EXPORT_SYMBOL_IF_KUNIT(bp_owner_ptr);

/*
 * The static helpers of arch_install_hw_breakpoint() and
 * arch_uninstall_hw_breakpoint() run at every context switch of a task
 * with breakpoints, several per breakpoint, and are __always_inline: a
 * size-optimised build called each of them, which took twice 6.12's
 * instructions per install and uninstall.
 */

/* DR7 bits owned by one slot: its two enable bits and its R/W+LEN field. */
static __always_inline unsigned long dr7_slot_mask(int slot)
{
	unsigned long enables = DR_LOCAL_ENABLE | DR_GLOBAL_ENABLE;

	return (enables << (slot * DR_ENABLE_SIZE)) |
	       (0xfUL << (DR_CONTROL_SHIFT + slot * DR_CONTROL_SIZE));
}

static __always_inline unsigned long dr7_slot_bits(int slot, unsigned int len,
						   unsigned int type)
{
	unsigned long field = (len | type) & 0xf;

	return (field << (DR_CONTROL_SHIFT + slot * DR_CONTROL_SIZE)) |
	       ((unsigned long)DR_GLOBAL_ENABLE << (slot * DR_ENABLE_SIZE));
}

/*
 * The DR7 value of one enabled slot as ptrace shows it to debuggers (and
 * kgdb writes it before perf is up): global enable, field, and GE.
 */
static __always_inline unsigned long dr7_encode(int slot, unsigned int len,
						unsigned int type)
{
	return DR_GLOBAL_SLOWDOWN | dr7_slot_bits(slot, len, type);
}

unsigned long encode_dr7(int drnum, unsigned int len, unsigned int type)
{
	return dr7_encode(drnum, len, type);
}

/* Inverse of encode_dr7() for one slot; returns its L/G enable bits. */
int decode_dr7(unsigned long dr7, int bpnum, unsigned int *len,
	       unsigned int *type)
{
	unsigned int field;

	field = (dr7 >> (DR_CONTROL_SHIFT + bpnum * DR_CONTROL_SIZE)) & 0xf;
	*type = X86_BREAKPOINT_TYPE_TAG | (field & 0x3);
	*len = X86_BREAKPOINT_LEN_TAG | (field & 0xc);

	return (dr7 >> (bpnum * DR_ENABLE_SIZE)) &
	       (DR_LOCAL_ENABLE | DR_GLOBAL_ENABLE);
}

/*
 * Write DR7 and its shadow in the order the rules above require.  Callers
 * add one slot or remove one, so a #DB or NMI between the two writes
 * finds the register still old and the shadow new; that handler's exit
 * loads the new value early, and never the old one back.
 */
static __always_inline void dr7_update(unsigned long dr7)
{
	if (!(dr7 & (DR_LOCAL_ENABLE_MASK | DR_GLOBAL_ENABLE_MASK))) {
		/* A zero shadow must mean that nothing is enabled. */
		set_debugreg(0, 7);
		barrier();
		this_cpu_write(cpu_dr7, 0);
		return;
	}

	this_cpu_write(cpu_dr7, dr7);
	barrier();
	set_debugreg(dr7, 7);
}

/* The slot of @slots (bp_owner or bp_parked) that holds @bp, or -1. */
static __always_inline int dr_slot_of(struct perf_event * __percpu *slots,
				      struct perf_event *bp)
{
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++)
		if (this_cpu_read(slots[slot]) == bp)
			return slot;
	return -1;
}

static __always_inline void dr_load(int slot, struct perf_event *bp)
{
	struct arch_hw_breakpoint *info = counter_arch_bp(bp);
	unsigned long dr7;

	this_cpu_write(bp_owner[slot], bp);
	this_cpu_write(dr_addr[slot], info->address);
	set_debugreg(info->address, slot);
	amd_set_dr_addr_mask(info->mask, slot);

	dr7 = this_cpu_read(cpu_dr7) & ~dr7_slot_mask(slot);
	dr7 |= dr7_encode(slot, info->len, info->type);
	dr7_update(dr7);
}

static __always_inline void dr_clear(int slot)
{
	dr7_update(this_cpu_read(cpu_dr7) & ~dr7_slot_mask(slot));
	amd_set_dr_addr_mask(0, slot);
	this_cpu_write(bp_owner[slot], NULL);
}

/* Put @bp in @slot; the owner there, if any, is parked until @bp leaves. */
static __always_inline void dr_take(int slot, struct perf_event *bp)
{
	struct perf_event *owner = this_cpu_read(bp_owner[slot]);

	if (owner) {
		dr_clear(slot);
		this_cpu_write(bp_parked[slot], owner);
	}
	dr_load(slot, bp);
}

/*
 * The slot @bp may have: a free one; else, unless @bp is flexible, one a
 * flexible event holds; else, for the debugger only, one an accounted event
 * holds.  Context switches install into free slots: only a full register
 * file looks at who holds what.
 */
static __always_inline int dr_slot_for(struct perf_event *bp, bool kgdb)
{
	int slot = dr_slot_of(bp_owner, NULL), accounted = -1;

	if (slot >= 0 || hw_breakpoint_is_flexible(bp))
		return slot;
	for (slot = 0; slot < HBP_NUM; slot++) {
		if (hw_breakpoint_is_flexible(this_cpu_read(bp_owner[slot])))
			return slot;
		if (!test_bit(slot, this_cpu_ptr(&dr_kgdb)))
			accounted = slot;
	}
	return kgdb ? accounted : -1;
}

/*
 * Flexible breakpoints hold no reservation: one that finds the registers
 * full fails quietly (-EBUSY), perf rotates it in later.  An accounted one
 * was promised a register, and when a flexible one sits in it, that one is
 * parked until the accounted one leaves.  The debugger, told it may take
 * registers (dbg_take_bp_slot()), takes an accounted one's too, and an
 * accounted one scheduled in while it holds them waits behind it.  Perf
 * still sees a parked event scheduled in, so meanwhile its time runs and
 * it counts no hit; an accounted one parked behind the debugger pushes out
 * a flexible one parked there, which then waits for perf to rotate it.
 */
int arch_install_hw_breakpoint(struct perf_event *bp)
{
	unsigned long kgdb;
	int slot;

	lockdep_assert_irqs_disabled();

	slot = dr_slot_for(bp, false);
	if (slot >= 0) {
		dr_take(slot, bp);
		return 0;
	}
	if (hw_breakpoint_is_flexible(bp))
		return -EBUSY;

	kgdb = this_cpu_read(dr_kgdb);
	for_each_set_bit(slot, &kgdb, HBP_NUM) {
		struct perf_event *parked = this_cpu_read(bp_parked[slot]);

		if (!parked || hw_breakpoint_is_flexible(parked)) {
			this_cpu_write(bp_parked[slot], bp);
			return 0;
		}
	}

	/*
	 * The core admits an accounted breakpoint only where a register is
	 * left for it on every CPU it can run on, so a full register file
	 * here means the accounting and the registers disagree.
	 */
	WARN_ONCE(1, "x86/hw_breakpoint: no debug register left for an accounted breakpoint\n");
	return -EBUSY;
}

int arch_install_kgdb_hw_breakpoint(struct perf_event *bp)
{
	int slot;

	lockdep_assert_irqs_disabled();

	slot = dr_slot_for(bp, true);
	if (slot < 0)
		return -EBUSY;
	dr_take(slot, bp);
	__set_bit(slot, this_cpu_ptr(&dr_kgdb));
	return 0;
}

void arch_uninstall_hw_breakpoint(struct perf_event *bp)
{
	struct perf_event *parked;
	int slot;

	lockdep_assert_irqs_disabled();

	slot = dr_slot_of(bp_owner, bp);
	if (slot < 0) {
		/* Perf takes out an event that was parked. */
		slot = dr_slot_of(bp_parked, bp);
		if (slot >= 0)
			this_cpu_write(bp_parked[slot], NULL);
		return;
	}

	dr_clear(slot);
	__clear_bit(slot, this_cpu_ptr(&dr_kgdb));
	parked = this_cpu_read(bp_parked[slot]);
	if (parked) {
		this_cpu_write(bp_parked[slot], NULL);
		dr_load(slot, parked);
	}
}

/* A snapshot for the debugfs view: is @bp, scheduled in on @cpu, parked? */
bool arch_hw_breakpoint_in_register(struct perf_event *bp, int cpu)
{
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++)
		if (READ_ONCE(*bp_owner_ptr(cpu, slot)) == bp)
			return true;
	return false;
}

/* Data lengths DR7 can express, and their LEN codes */
static const struct {
	u8 bytes;
	u8 code;
} x86_lens[] = {
	{ HW_BREAKPOINT_LEN_1, X86_BREAKPOINT_LEN_1 },
	{ HW_BREAKPOINT_LEN_2, X86_BREAKPOINT_LEN_2 },
	{ HW_BREAKPOINT_LEN_4, X86_BREAKPOINT_LEN_4 },
#ifdef CONFIG_X86_64
	{ HW_BREAKPOINT_LEN_8, X86_BREAKPOINT_LEN_8 },
#endif
};

static int x86_len_to_bytes(int x86_len)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(x86_lens); i++)
		if (x86_lens[i].code == x86_len)
			return x86_lens[i].bytes;
	return -EINVAL;
}

static int bytes_to_x86_len(u64 bytes)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(x86_lens); i++)
		if (x86_lens[i].bytes == bytes)
			return x86_lens[i].code;
	return -EINVAL;
}

/* ptrace's DR7 view to a perf attribute; -EINVAL is part of its ABI. */
int arch_bp_generic_fields(int x86_len, int x86_type, int *gen_len,
			   int *gen_type)
{
	int bytes;

	if (x86_type == X86_BREAKPOINT_EXECUTE) {
		if (x86_len != X86_BREAKPOINT_LEN_X)
			return -EINVAL;
		*gen_len = sizeof(long);
		*gen_type = HW_BREAKPOINT_X;
		return 0;
	}

	if (x86_type != X86_BREAKPOINT_WRITE && x86_type != X86_BREAKPOINT_RW)
		return -EINVAL;
	bytes = x86_len_to_bytes(x86_len);
	if (bytes < 0)
		return -EINVAL;

	*gen_len = bytes;
	*gen_type = x86_type == X86_BREAKPOINT_RW ?
		    HW_BREAKPOINT_R | HW_BREAKPOINT_W : HW_BREAKPOINT_W;
	return 0;
}

/* Last byte the breakpoint can match, from the decoded form. */
static unsigned long bp_last_byte(const struct arch_hw_breakpoint *hw)
{
	int bytes;

	if (hw->mask)
		return hw->address + hw->mask;
	bytes = x86_len_to_bytes(hw->len);
	return hw->address + (bytes > 0 ? bytes : 1) - 1;
}

int arch_check_bp_in_kernelspace(struct arch_hw_breakpoint *hw)
{
	return hw->address >= TASK_SIZE_MAX ||
	       bp_last_byte(hw) >= TASK_SIZE_MAX;
}

static bool overlaps(unsigned long first, unsigned long last,
		     const void *obj, size_t size)
{
	unsigned long start = (unsigned long)obj;

	return last >= start && first <= start + size - 1;
}

/*
 * Data that #DB entry, the handler and the NMI path touch before or while
 * DR7 is off: a breakpoint there would re-enter #DB on its own IST stack.
 * The CPU entry area holds the IST stacks, the entry stack, the TSS and the
 * read-only GDT/IDT; the rest is per-CPU data the entry code reads by name.
 */
static bool in_debug_entry_data(unsigned long first, unsigned long last)
{
	int cpu;

	if (overlaps(first, last, (void *)CPU_ENTRY_AREA_BASE,
		     CPU_ENTRY_AREA_MAP_SIZE))
		return true;

#ifdef CONFIG_SMP
	/* paranoid_entry() finds GSBASE through it when FSGSBASE is on */
	if (overlaps(first, last, __per_cpu_offset,
		     nr_cpu_ids * sizeof(__per_cpu_offset[0])))
		return true;
#else
	if (overlaps(first, last, &pcpu_unit_offsets,
		     sizeof(pcpu_unit_offsets)))
		return true;
#endif

	for_each_possible_cpu(cpu) {
		if (overlaps(first, last, get_cpu_gdt_rw(cpu), GDT_SIZE) ||
		    overlaps(first, last, &per_cpu(cpu_tss_rw, cpu),
			     sizeof(struct tss_struct)) ||
		    overlaps(first, last, &per_cpu(cpu_tlbstate, cpu),
			     sizeof(struct tlb_state)) ||
		    overlaps(first, last, &per_cpu(cpu_dr7, cpu),
			     sizeof(unsigned long)) ||
		    overlaps(first, last, &per_cpu(bp_owner, cpu),
			     sizeof(bp_owner)) ||
		    overlaps(first, last, &per_cpu(dr_addr, cpu),
			     sizeof(dr_addr)) ||
		    overlaps(first, last, &per_cpu(bp_parked, cpu),
			     sizeof(bp_parked)))
			return true;
	}

	return false;
}

static bool text_has(unsigned long addr, const char *start, const char *end)
{
	return addr >= (unsigned long)start && addr < (unsigned long)end;
}

/* Kernel code where an instruction breakpoint would fire inside #DB. */
static bool exec_bp_forbidden(unsigned long addr)
{
	return text_has(addr, __entry_text_start, __entry_text_end) ||
	       text_has(addr, __noinstr_text_start, __noinstr_text_end) ||
	       text_has(addr, __kprobes_text_start, __kprobes_text_end) ||
	       within_kprobe_blacklist(addr);
}

/*
 * The perf-independent part of hw_breakpoint_arch_parse(), with the CPU's
 * range capability passed in so that it can be tested anywhere.  The checks
 * and their order follow what ptrace users have seen since 2.6.33: wrapping
 * ranges, protected areas and bad types give -EINVAL, then the length is
 * checked, and only a well-formed range request on a CPU without BPEXT gets
 * -EOPNOTSUPP.
 */
VISIBLE_IF_KUNIT int x86_bp_decode(unsigned long addr, u64 len, u32 type,
				   bool bpext, struct arch_hw_breakpoint *hw)
{
	unsigned long last = addr + len - 1;
	int code;

	/* All of that data is the kernel's: a user range needs no look. */
	if (last < addr || (last >= TASK_SIZE_MAX && in_debug_entry_data(addr, last)))
		return -EINVAL;

	hw->address = addr;
	hw->mask = 0;

	switch (type) {
	case HW_BREAKPOINT_X:
		if (addr >= TASK_SIZE_MAX && exec_bp_forbidden(addr))
			return -EINVAL;
		/* One instruction; other lengths would be silently ignored. */
		if (len != sizeof(long))
			return -EINVAL;
		hw->type = X86_BREAKPOINT_EXECUTE;
		hw->len = X86_BREAKPOINT_LEN_X;
		return 0;
	case HW_BREAKPOINT_W:
		hw->type = X86_BREAKPOINT_WRITE;
		break;
	case HW_BREAKPOINT_R | HW_BREAKPOINT_W:
		hw->type = X86_BREAKPOINT_RW;
		break;
	default:
		/* No read-only matching in DR7 */
		return -EINVAL;
	}

	code = bytes_to_x86_len(len);
	if (code > 0) {
		/* The CPU ignores the low address bits of a 2/4/8-byte slot. */
		if (addr & (len - 1))
			return -EINVAL;
		hw->len = code;
		return 0;
	}

	/*
	 * AMD BPEXT: a 1-byte breakpoint plus an address mask covers any
	 * naturally aligned power-of-two range.  The mask MSRs take 32 bits.
	 */
	if (!is_power_of_2(len) || (addr & (len - 1)))
		return -EINVAL;
	if (!bpext)
		return -EOPNOTSUPP;
	if (len - 1 > U32_MAX)
		return -EINVAL;
	hw->len = X86_BREAKPOINT_LEN_1;
	hw->mask = len - 1;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(x86_bp_decode);

int hw_breakpoint_arch_parse(struct perf_event *bp,
			     const struct perf_event_attr *attr,
			     struct arch_hw_breakpoint *hw)
{
	return x86_bp_decode(attr->bp_addr, attr->bp_len, attr->bp_type,
			     boot_cpu_has(X86_FEATURE_BPEXT), hw);
}

/* Drop a task's ptrace breakpoints (exec, exit). */
void flush_ptrace_hw_breakpoint(struct task_struct *tsk)
{
	struct thread_struct *t = &tsk->thread;
	int i;

	for (i = 0; i < HBP_NUM; i++) {
		unregister_hw_breakpoint(t->ptrace_bps[i]);
		t->ptrace_bps[i] = NULL;
	}
	t->ptrace_dr7 = 0;
	t->virtual_dr6 = 0;
}

/* Load the registers from the shadows, after someone else used them. */
void hw_breakpoint_restore(void)
{
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++)
		set_debugreg(__this_cpu_read(dr_addr[slot]), slot);
	set_debugreg(DR6_RESERVED, 6);
	set_debugreg(__this_cpu_read(cpu_dr7), 7);
}
EXPORT_SYMBOL_GPL(hw_breakpoint_restore);

/*
 * After a CPU restart (hotplug, resume) the registers hold reset values
 * while the shadows still describe whatever perf or kgdb left installed;
 * the AMD mask MSRs were reset too, and must match before DR7 enables a
 * range breakpoint again.
 */
static void dr_reload_all(void)
{
	unsigned long flags;

	local_irq_save(flags);
	amd_restore_dr_addr_masks();
	hw_breakpoint_restore();
	local_irq_restore(flags);
}

VISIBLE_IF_KUNIT int hw_breakpoint_cpu_online(unsigned int cpu)
{
	dr_reload_all();
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hw_breakpoint_cpu_online);

#ifdef CONFIG_PM_SLEEP
/* Runs on the boot CPU; the others come back through the online callback. */
static void hw_breakpoint_resume(void *data)
{
	dr_reload_all();
}

static const struct syscore_ops hw_breakpoint_syscore_ops = {
	.resume = hw_breakpoint_resume,
};

static struct syscore hw_breakpoint_syscore = {
	.ops = &hw_breakpoint_syscore_ops,
};
#endif

static int __init hw_breakpoint_x86_init(void)
{
	int ret;

	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN,
					"x86/hw_breakpoint:online",
					hw_breakpoint_cpu_online, NULL);
#ifdef CONFIG_PM_SLEEP
	register_syscore(&hw_breakpoint_syscore);
#endif
	return ret < 0 ? ret : 0;
}
arch_initcall(hw_breakpoint_x86_init);

/*
 * #DB, via the die chain at top priority.  DR6 arrives in positive polarity
 * through args->err; clearing a B<n> bit there tells the later notifiers
 * and exc_debug_*() that the hit was consumed.  ptrace's trigger marks hits
 * for the tracer in thread.virtual_dr6, so a user-visible hit or any cause
 * other than B0-B3 (BS, BT, BD, bus lock) must reach traps.c: NOTIFY_DONE.
 * So must a hit that belongs to a debugger's notifier (see below).
 */
static int hw_breakpoint_handler(struct die_args *args)
{
	unsigned long *dr6p = (unsigned long *)ERR_PTR(args->err);
	unsigned long dr6 = *dr6p;
	bool for_debugger = false;
	int slot;

	if (!(dr6 & DR_TRAP_BITS))
		return NOTIFY_DONE;

	for (slot = 0; slot < HBP_NUM; slot++) {
		struct perf_event *bp;
		bool exec;

		if (!(dr6 & (DR_TRAP0 << slot)))
			continue;
		bp = this_cpu_read(bp_owner[slot]);
		if (!bp)
			continue;

		/*
		 * Instruction breakpoints are faults, single-step and data
		 * breakpoints traps: when both are reported the step wins and
		 * the instruction breakpoint fires again when it is retried.
		 */
		exec = counter_arch_bp(bp)->type == X86_BREAKPOINT_EXECUTE;
		if (exec && (dr6 & DR_STEP))
			continue;

		/* Retry the instruction without faulting on it again. */
		if (exec)
			args->regs->flags |= X86_EFLAGS_RF;

		/*
		 * A breakpoint perf did not schedule was installed by a
		 * debugger behind perf's back (kgdb): perf_bp_event() would
		 * drop the hit, so it stays in DR6 for the debugger's own
		 * die notifier.
		 */
		if (bp->state != PERF_EVENT_STATE_ACTIVE) {
			for_debugger = true;
			continue;
		}

		*dr6p &= ~(DR_TRAP0 << slot);
		perf_bp_event(bp, args->regs);
	}

	if ((current->thread.virtual_dr6 & DR_TRAP_BITS) || for_debugger ||
	    (dr6 & ~DR_TRAP_BITS))
		return NOTIFY_DONE;

	return NOTIFY_STOP;
}

int hw_breakpoint_exceptions_notify(struct notifier_block *unused,
				    unsigned long val, void *data)
{
	return val == DIE_DEBUG ? hw_breakpoint_handler(data) : NOTIFY_DONE;
}

/* perf_bp_event() counts the hits; there is no hardware counter to read. */
void hw_breakpoint_pmu_read(struct perf_event *bp)
{
}
