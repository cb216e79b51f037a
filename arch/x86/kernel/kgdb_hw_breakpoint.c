// SPDX-License-Identifier: GPL-2.0
/*
 * kgdb's hardware breakpoints and watchpoints on x86 (gdb's Z1, Z2, Z4).
 *
 * gdb asks for at most HBP_NUM of them, for the whole machine.  Each one is
 * backed, on every online CPU, by a breakpoint perf event that perf itself
 * never schedules: kgdb reserves its slot with the lockless
 * dbg_reserve_bp_slot() while gdb has the breakpoint, and installs it with
 * the backend directly each time a CPU leaves the debugger.  The backend
 * hands a hit on such an unscheduled event to the die-notifier chain, where
 * kgdb's own notifier enters the debugger.
 *
 * Where no slot is free, gdb's request fails (scenario B of the design
 * that made kgdb use perf's slots: the debugger uses only free registers).
 * With take_registers set it succeeds anyway (scenario A): on the CPUs
 * where nothing was free, the breakpoint in the register kgdb takes stops
 * counting until gdb removes its own (the backend parks it), and the
 * kernel log names the holders when the machine runs again.  See
 * Documentation/core-api/hw-breakpoint-core.rst.
 *
 * Context: every callback below except the set-up/tear-down ones runs
 * inside the debugger, with the other CPUs stopped (and possibly
 * interrupted anywhere), so it takes no lock and does not sleep.  The
 * table below is written only by the CPU that talks to gdb, while the
 * others wait; they read it when they leave the debugger.
 */
#include <linux/cpuhotplug.h>
#include <linux/hw_breakpoint.h>
#include <linux/kgdb.h>
#include <linux/moduleparam.h>
#include <linux/perf_event.h>
#include <linux/percpu.h>

#include <asm/debugreg.h>
#include <asm/kgdb_hw_breakpoint.h>

struct kgdb_hwbp {
	bool			in_use;		/* gdb has set it */
	struct perf_event_attr	attr;		/* what gdb asked for */
	struct arch_hw_breakpoint info;		/* the same, parsed */
};

static struct kgdb_hwbp kgdb_hwbp[HBP_NUM];

/* Read when gdb sets a breakpoint, so a change applies to the next one. */
static bool take_registers;
module_param(take_registers, bool, 0644);
MODULE_PARM_DESC(take_registers,
		 "displace perf and ptrace breakpoints when no debug register is free");

/* The placeholder events, one per slot and online CPU (see above). */
static DEFINE_PER_CPU(struct perf_event *, kgdb_hwbp_event[HBP_NUM]);
/* Which of them hold a slot on that CPU, and which are in its registers. */
static DEFINE_PER_CPU(unsigned long, kgdb_hwbp_reserved);
static DEFINE_PER_CPU(unsigned long, kgdb_hwbp_installed);

static enum cpuhp_state kgdb_hwbp_cpuhp;

/*
 * Before kgdb_arch_late() (kgdbwait at early boot) there are no perf
 * events yet: the breakpoints are written to the registers directly, which
 * is all there is to share then.
 */
static void kgdb_hwbp_early_load(void)
{
	unsigned long dr7 = 0;
	int i;

	for (i = 0; i < HBP_NUM; i++) {
		struct arch_hw_breakpoint *info = &kgdb_hwbp[i].info;

		if (!kgdb_hwbp[i].in_use)
			continue;
		set_debugreg(info->address, i);
		dr7 |= encode_dr7(i, info->len, info->type);
	}
	set_debugreg(dr7, 7);
}

static struct perf_event *kgdb_hwbp_event_on(int cpu, int slot)
{
	return per_cpu(kgdb_hwbp_event[slot], cpu);
}

/*
 * Back gdb's @slot on @cpu by its placeholder there, which then holds a
 * debugger slot: 0, or -ENOSPC.  The placeholder takes gdb's breakpoint
 * here, once, because the slot is accounted by its type and the backend
 * installs it as it is.
 */
static int kgdb_hwbp_claim(int cpu, int slot)
{
	struct perf_event *bp = kgdb_hwbp_event_on(cpu, slot);
	int ret;

	bp->attr.bp_addr = kgdb_hwbp[slot].attr.bp_addr;
	bp->attr.bp_type = kgdb_hwbp[slot].attr.bp_type;
	bp->attr.bp_len = kgdb_hwbp[slot].attr.bp_len;
	*counter_arch_bp(bp) = kgdb_hwbp[slot].info;

	ret = READ_ONCE(take_registers) ? dbg_take_bp_slot(bp) :
					  dbg_reserve_bp_slot(bp);
	if (ret < 0)
		return -ENOSPC;
	__set_bit(slot, per_cpu_ptr(&kgdb_hwbp_reserved, cpu));
	return 0;
}

/* Give back @slot's debugger slot on every CPU that holds one. */
static void kgdb_hwbp_release(int slot)
{
	int cpu;

	for_each_online_cpu(cpu) {
		if (__test_and_clear_bit(slot, per_cpu_ptr(&kgdb_hwbp_reserved, cpu)))
			dbg_release_bp_slot(kgdb_hwbp_event_on(cpu, slot));
	}
}

/* Take @slot's debugger slot on every online CPU, or on none. */
static int kgdb_hwbp_reserve(int slot)
{
	int cpu;

	for_each_online_cpu(cpu) {
		if (!kgdb_hwbp_event_on(cpu, slot))
			continue;
		if (kgdb_hwbp_claim(cpu, slot)) {
			kgdb_hwbp_release(slot);
			return -ENOSPC;
		}
	}
	return 0;
}

static int kgdb_hwbp_attr(struct perf_event_attr *attr, unsigned long addr,
			  int len, enum kgdb_bptype bptype)
{
	hw_breakpoint_init(attr);
	attr->bp_addr = addr;
	attr->disabled = 1;
	attr->exclude_user = 1;

	switch (bptype) {
	case BP_HARDWARE_BREAKPOINT:
		attr->bp_type = HW_BREAKPOINT_X;
		attr->bp_len = sizeof(long);
		return 0;
	case BP_WRITE_WATCHPOINT:
		attr->bp_type = HW_BREAKPOINT_W;
		break;
	case BP_ACCESS_WATCHPOINT:
		attr->bp_type = HW_BREAKPOINT_RW;
		break;
	default:
		return -EINVAL;
	}
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return -EINVAL;
	attr->bp_len = len;
	return 0;
}

int kgdb_set_hw_break(unsigned long addr, int len, enum kgdb_bptype bptype)
{
	struct kgdb_hwbp *hb = NULL;
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++) {
		if (!kgdb_hwbp[slot].in_use) {
			hb = &kgdb_hwbp[slot];
			break;
		}
	}
	if (!hb || kgdb_hwbp_attr(&hb->attr, addr, len, bptype))
		return -1;

	/*
	 * Every breakpoint's rules, which keep it out of where the #DB path
	 * runs or reads: kgdb would recurse in its own exception.
	 */
	if (hw_breakpoint_validate(&hb->attr, &hb->info))
		return -1;

	if (!dbg_is_early && kgdb_hwbp_reserve(slot))
		return -1;
	hb->in_use = true;
	return 0;
}

int kgdb_remove_hw_break(unsigned long addr, int len, enum kgdb_bptype bptype)
{
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++) {
		if (kgdb_hwbp[slot].in_use && kgdb_hwbp[slot].attr.bp_addr == addr)
			break;
	}
	if (slot == HBP_NUM)
		return -1;

	if (!dbg_is_early)
		kgdb_hwbp_release(slot);
	kgdb_hwbp[slot].in_use = false;
	return 0;
}

void kgdb_remove_all_hw_break(void)
{
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++) {
		if (!kgdb_hwbp[slot].in_use)
			continue;
		if (!dbg_is_early)
			kgdb_hwbp_release(slot);
		kgdb_hwbp[slot].in_use = false;
	}
}

/*
 * Every CPU entering the debugger calls this, so that no breakpoint fires
 * inside it on any CPU (with it on the gdb CPU only, the others' copies
 * outlived their removal and leaked slots).
 */
void kgdb_disable_hw_debug(struct pt_regs *regs)
{
	unsigned long *installed = this_cpu_ptr(&kgdb_hwbp_installed);
	int slot;

	set_debugreg(DR7_FIXED_1, 7);
	if (dbg_is_early)
		return;

	for (slot = 0; slot < HBP_NUM; slot++) {
		if (__test_and_clear_bit(slot, installed))
			arch_uninstall_hw_breakpoint(__this_cpu_read(kgdb_hwbp_event[slot]));
	}
}

/*
 * Every CPU leaving the debugger calls this: install what gdb has now,
 * then reload all debug registers, which kgdb_disable_hw_debug() switched
 * off, from the backend's per-CPU state.
 */
void kgdb_correct_hw_break(void)
{
	unsigned long *installed = this_cpu_ptr(&kgdb_hwbp_installed);
	int slot;

	if (dbg_is_early) {
		kgdb_hwbp_early_load();
		return;
	}

	for (slot = 0; slot < HBP_NUM; slot++) {
		struct perf_event *bp = __this_cpu_read(kgdb_hwbp_event[slot]);

		/* A reserved placeholder is gdb's breakpoint: kgdb_hwbp_claim(). */
		if (!kgdb_hwbp[slot].in_use || test_bit(slot, installed) ||
		    !test_bit(slot, this_cpu_ptr(&kgdb_hwbp_reserved)))
			continue;
		if (!arch_install_kgdb_hw_breakpoint(bp))
			__set_bit(slot, installed);
	}
	hw_breakpoint_restore();
}

static void kgdb_hwbp_free_cpu(unsigned int cpu)
{
	int slot;

	for (slot = 0; slot < HBP_NUM; slot++) {
		struct perf_event **bpp = per_cpu_ptr(&kgdb_hwbp_event[slot], cpu);

		if (!*bpp)
			continue;
		if (__test_and_clear_bit(slot, per_cpu_ptr(&kgdb_hwbp_reserved, cpu)))
			dbg_release_bp_slot(*bpp);
		unregister_hw_breakpoint(*bpp);
		*bpp = NULL;
	}
}

/*
 * A CPU coming online gets its placeholders and, when gdb has breakpoints
 * set, their slots and registers: this runs on that CPU.
 */
static int kgdb_hwbp_cpu_online(unsigned int cpu)
{
	struct perf_event_attr attr;
	unsigned long flags;
	int slot;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)&kgdb_hwbp;
	attr.bp_len = HW_BREAKPOINT_LEN_1;
	attr.bp_type = HW_BREAKPOINT_W;

	for (slot = 0; slot < HBP_NUM; slot++) {
		struct perf_event *bp = register_dbg_hw_breakpoint_cpu(&attr, cpu);

		if (IS_ERR(bp)) {
			kgdb_hwbp_free_cpu(cpu);
			return PTR_ERR(bp);
		}
		per_cpu(kgdb_hwbp_event[slot], cpu) = bp;

		if (kgdb_hwbp[slot].in_use && kgdb_hwbp_claim(cpu, slot))
			pr_warn("kgdb: no debug register left on CPU%u for the breakpoint at %pS\n",
				cpu, (void *)(unsigned long)kgdb_hwbp[slot].attr.bp_addr);
	}
	local_irq_save(flags);
	kgdb_correct_hw_break();
	local_irq_restore(flags);
	return 0;
}

static int kgdb_hwbp_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	kgdb_disable_hw_debug(NULL);
	hw_breakpoint_restore();
	local_irq_restore(flags);
	kgdb_hwbp_free_cpu(cpu);
	return 0;
}

void kgdb_hw_breakpoint_late(void)
{
	int ret;

	if (kgdb_hwbp_cpuhp)
		return;
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "x86/kgdb:hw_breakpoint",
				kgdb_hwbp_cpu_online, kgdb_hwbp_cpu_offline);
	if (ret < 0) {
		pr_err("kgdb: no hardware breakpoints (%d)\n", ret);
		return;
	}
	kgdb_hwbp_cpuhp = ret;
}

void kgdb_hw_breakpoint_exit(void)
{
	if (!kgdb_hwbp_cpuhp)
		return;
	cpuhp_remove_state(kgdb_hwbp_cpuhp);
	kgdb_hwbp_cpuhp = 0;
}
