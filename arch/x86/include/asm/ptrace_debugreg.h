/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_PTRACE_DEBUGREG_H
#define _ASM_X86_PTRACE_DEBUGREG_H

struct task_struct;

/* u_debugreg[n] of a stopped tracee, arch/x86/kernel/ptrace_debugreg.c */
unsigned long ptrace_get_debugreg(struct task_struct *tsk, int n);
int ptrace_set_debugreg(struct task_struct *tsk, int n, unsigned long val);

#endif /* _ASM_X86_PTRACE_DEBUGREG_H */
