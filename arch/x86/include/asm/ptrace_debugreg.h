/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_PTRACE_DEBUGREG_H
#define _ASM_X86_PTRACE_DEBUGREG_H

#include <linux/nospec.h>
#include <linux/perf_event.h>
#include <linux/sched.h>

#include <asm/debugreg.h>

/*
 * u_debugreg[n] of a stopped tracee; the state and its rules are described
 * in arch/x86/kernel/ptrace_debugreg.c.  Reading is inline because gdb and
 * rr read DR6 and DR7 at every stop, and 6.12's PEEKUSER had no call here.
 */
static inline unsigned long ptrace_get_debugreg(struct task_struct *tsk, int n)
{
	struct thread_struct *thread = &tsk->thread;

	if (n < HBP_NUM) {
		struct perf_event *bp = thread->ptrace_bps[array_index_nospec(n, HBP_NUM)];

		return bp ? bp->hw.info.address : 0;
	}
	if (n == 6)
		return thread->virtual_dr6 ^ DR6_RESERVED;	/* to DR6 polarity */
	if (n == 7)
		return thread->ptrace_dr7;
	return 0;
}

int ptrace_set_debugreg(struct task_struct *tsk, int n, unsigned long val);

#endif /* _ASM_X86_PTRACE_DEBUGREG_H */
