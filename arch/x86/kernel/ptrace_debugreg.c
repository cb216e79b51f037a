// SPDX-License-Identifier: GPL-2.0
/*
 * u_debugreg[0..7] through PTRACE_PEEKUSER/POKEUSER: gdb's and rr's view
 * of the debug registers of a stopped tracee.
 *
 * The tracee has no registers of its own: slot n is the breakpoint perf
 * event thread.ptrace_bps[n], created on first use.  DR0-DR3 are the
 * events' addresses, DR7 is the last value the tracer wrote (as 6.12,
 * reserved bits included), DR6 is thread.virtual_dr6, which #DB fills for
 * the tracee's own hits.
 *
 * What the tracer sees is 6.12's ABI, value for value and errno for errno
 * (tools/testing/selftests/breakpoints/ptrace_dr_abi checks it), with two
 * differences in what a write costs:
 *  - a slot that is disabled in DR7 holds no debug register, even when its
 *    address was written;
 *  - a DR7 write is all or nothing: when one of the breakpoints it enables
 *    or changes cannot be had, the others are put back as they were and
 *    the write fails (leaving the disabled slots as 6.12 does).
 *
 * Serialisation: the tracee is stopped and only its tracer writes these,
 * under the ptrace rules; #DB writes virtual_dr6 in the tracee's own
 * context, never while it is stopped.  The tracee is frozen and off every
 * CPU for the whole request, which is what lets the breakpoints change
 * with modify_user_hw_breakpoint_frozen(), without a call to its CPU.
 */
#include <linux/hw_breakpoint.h>
#include <linux/nospec.h>
#include <linux/perf_event.h>
#include <linux/sched.h>

#include <asm/debugreg.h>
#include <asm/ptrace_debugreg.h>

/* A slot's DR7 fields, decoded. */
struct dr7_slot {
	bool	enabled;
	int	len;	/* generic HW_BREAKPOINT_LEN_* */
	int	type;	/* generic HW_BREAKPOINT_* */
};

static void ptrace_triggered(struct perf_event *bp, struct perf_sample_data *data,
			     struct pt_regs *regs)
{
	struct thread_struct *thread = &current->thread;
	int n;

	/* Tell the tracer which of its slots fired, in DR6's own bit order. */
	for (n = 0; n < HBP_NUM; n++) {
		if (thread->ptrace_bps[n] == bp) {
			thread->virtual_dr6 |= DR_TRAP0 << n;
			return;
		}
	}
}

/*
 * Slot @n of @dr7 in generic terms.  Combinations x86 cannot watch (I/O,
 * an execute breakpoint longer than one byte) are -EINVAL, as in 6.12;
 * the caller decides whether a disabled slot's fields matter.
 */
static int dr7_decode(unsigned long dr7, int n, struct dr7_slot *s)
{
	unsigned int len, type;

	s->enabled = decode_dr7(dr7, n, &len, &type);
	return arch_bp_generic_fields(len, type, &s->len, &s->type);
}

static void dr7_apply(struct perf_event_attr *attr, const struct dr7_slot *s)
{
	attr->bp_len = s->len;
	attr->bp_type = s->type;
	attr->disabled = !s->enabled;
}

static struct perf_event *ptrace_new_bp(struct task_struct *tsk, unsigned long addr,
					const struct dr7_slot *s)
{
	struct perf_event_attr attr;

	ptrace_breakpoint_init(&attr);
	attr.bp_addr = addr;
	dr7_apply(&attr, s);
	return register_user_hw_breakpoint(&attr, ptrace_triggered, NULL, tsk);
}

static int ptrace_change_bp(struct perf_event *bp, const struct dr7_slot *s)
{
	struct perf_event_attr attr = bp->attr;

	dr7_apply(&attr, s);
	return modify_user_hw_breakpoint_frozen(bp, &attr);
}

/* Would ptrace_change_bp() accept @s for @bp?  No side effect. */
static int ptrace_check_bp(struct perf_event *bp, const struct dr7_slot *s)
{
	struct perf_event_attr attr = bp->attr;
	struct arch_hw_breakpoint scratch;

	dr7_apply(&attr, s);
	return hw_breakpoint_validate(&attr, &scratch);
}

static bool ptrace_bp_is(struct perf_event *bp, const struct dr7_slot *s)
{
	return bp->attr.disabled == !s->enabled && bp->attr.bp_len == s->len &&
	       bp->attr.bp_type == s->type;
}

/*
 * What a DR7 write that failed at slot @failed leaves behind, as in 6.12.
 * 6.12 applies a write slot by slot and, when one fails, writes back the
 * DR7 it had; so the slots below @failed that the write enabled keep a
 * breakpoint from then on, and every breakpoint that is not enabled
 * becomes a disabled execute breakpoint (DR7 fields 0).  Debuggers can
 * tell: an execute breakpoint takes an address of any alignment, and the
 * DR7 fields of a slot that has a breakpoint are checked even while it is
 * disabled.  None of this takes a register.
 */
static void ptrace_dr7_failed(struct task_struct *tsk, const struct dr7_slot *want,
			      int failed)
{
	struct perf_event **bps = tsk->thread.ptrace_bps;
	struct dr7_slot off;
	int n;

	dr7_decode(0, 0, &off);
	for (n = 0; n < HBP_NUM; n++) {
		if (!bps[n] && n < failed && want[n].enabled) {
			struct perf_event *bp = ptrace_new_bp(tsk, 0, &off);

			if (!IS_ERR(bp))
				bps[n] = bp;
		} else if (bps[n] && bps[n]->attr.disabled && !ptrace_bp_is(bps[n], &off)) {
			ptrace_change_bp(bps[n], &off);
		}
	}
}

/*
 * All or nothing, as far as registers go.  Every slot is checked first,
 * in slot order so that the errno is 6.12's; then the slots that take or
 * change a register are written, and the ones that give a register back
 * last.  If taking one fails, undoing the others gives registers back or
 * returns a kept one to its old settings, neither of which can fail.
 */
static int ptrace_write_dr7(struct task_struct *tsk, unsigned long dr7)
{
	struct perf_event **bps = tsk->thread.ptrace_bps;
	struct perf_event_attr was[HBP_NUM];
	struct dr7_slot want[HBP_NUM];
	bool created[HBP_NUM] = { };
	int n, err, failed;

	dr7 &= ~DR_CONTROL_RESERVED;
	for (n = 0; n < HBP_NUM; n++) {
		err = dr7_decode(dr7, n, &want[n]);
		if (!bps[n] && !want[n].enabled)
			continue;
		if (!err && bps[n]) {
			was[n] = bps[n]->attr;
			err = ptrace_check_bp(bps[n], &want[n]);
		}
		if (err) {
			ptrace_dr7_failed(tsk, want, n);
			return err;
		}
	}

	for (n = 0; n < HBP_NUM; n++) {
		if (!want[n].enabled)
			continue;
		if (!bps[n]) {
			struct perf_event *bp = ptrace_new_bp(tsk, 0, &want[n]);

			if (IS_ERR(bp)) {
				err = PTR_ERR(bp);
				goto undo;
			}
			bps[n] = bp;
			created[n] = true;
		} else if (!ptrace_bp_is(bps[n], &want[n])) {
			err = ptrace_change_bp(bps[n], &want[n]);
			if (err)
				goto undo;
		}
	}

	for (n = 0; n < HBP_NUM; n++) {
		if (bps[n] && !want[n].enabled && !ptrace_bp_is(bps[n], &want[n]))
			ptrace_change_bp(bps[n], &want[n]);
	}
	return 0;

undo:
	failed = n;
	while (--n >= 0) {
		if (created[n]) {
			unregister_hw_breakpoint(bps[n]);
			bps[n] = NULL;
		} else if (want[n].enabled && memcmp(&was[n], &bps[n]->attr, sizeof(was[n]))) {
			modify_user_hw_breakpoint_frozen(bps[n], &was[n]);
		}
	}
	ptrace_dr7_failed(tsk, want, failed);
	return err;
}

static int ptrace_write_addr(struct task_struct *tsk, int n, unsigned long addr)
{
	struct perf_event *bp = tsk->thread.ptrace_bps[n];
	struct perf_event_attr attr;

	if (!bp) {
		/* Settings for a disabled slot: any valid ones do. */
		struct dr7_slot s = {
			.len = HW_BREAKPOINT_LEN_1,
			.type = HW_BREAKPOINT_W,
		};

		bp = ptrace_new_bp(tsk, addr, &s);
		if (IS_ERR(bp))
			return PTR_ERR(bp);
		tsk->thread.ptrace_bps[n] = bp;
		return 0;
	}

	attr = bp->attr;
	attr.bp_addr = addr;
	return modify_user_hw_breakpoint_frozen(bp, &attr);
}

int ptrace_set_debugreg(struct task_struct *tsk, int n, unsigned long val)
{
	struct thread_struct *thread = &tsk->thread;
	int err;

	if (n < HBP_NUM)
		return ptrace_write_addr(tsk, array_index_nospec(n, HBP_NUM), val);
	if (n == 6) {
		thread->virtual_dr6 = val ^ DR6_RESERVED;	/* to positive polarity */
		return 0;
	}
	if (n == 7) {
		err = ptrace_write_dr7(tsk, val);
		if (!err)
			thread->ptrace_dr7 = val;
		return err;
	}
	return -EIO;	/* DR4 and DR5 do not exist */
}
