/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_KGDB_HW_BREAKPOINT_H
#define _ASM_X86_KGDB_HW_BREAKPOINT_H

#include <linux/kgdb.h>

/* arch_kgdb_ops' hardware-breakpoint hooks, arch/x86/kernel/kgdb_hw_breakpoint.c */
int kgdb_set_hw_break(unsigned long addr, int len, enum kgdb_bptype bptype);
int kgdb_remove_hw_break(unsigned long addr, int len, enum kgdb_bptype bptype);
void kgdb_remove_all_hw_break(void);
void kgdb_disable_hw_debug(struct pt_regs *regs);
void kgdb_correct_hw_break(void);

/* from kgdb_arch_late() and kgdb_arch_exit() */
void kgdb_hw_breakpoint_late(void);
void kgdb_hw_breakpoint_exit(void);

#endif /* _ASM_X86_KGDB_HW_BREAKPOINT_H */
