/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the backend's KUnit suite (hw_breakpoint_test.c) uses besides the
 * registers themselves: without CONFIG_KUNIT these are static to
 * hw_breakpoint.c, and no other kernel code may use them.
 */
#ifndef _ARCH_X86_KERNEL_HW_BREAKPOINT_INTERNAL_H
#define _ARCH_X86_KERNEL_HW_BREAKPOINT_INTERNAL_H

#include <linux/types.h>

#include <asm/hw_breakpoint.h>

#if IS_ENABLED(CONFIG_KUNIT)
struct perf_event;

/* Where @cpu keeps the event DR<@slot> holds for perf or kgdb, if any */
struct perf_event **bp_owner_ptr(int cpu, int slot);
int x86_bp_decode(unsigned long addr, u64 len, u32 type, bool bpext,
		  struct arch_hw_breakpoint *hw);
int hw_breakpoint_cpu_online(unsigned int cpu);
#endif

#endif /* _ARCH_X86_KERNEL_HW_BREAKPOINT_INTERNAL_H */
