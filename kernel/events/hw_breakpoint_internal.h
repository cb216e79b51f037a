/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hooks into the breakpoint slot accounting for its KUnit tests only; no
 * kernel code may use them.
 */
#ifndef _KERNEL_EVENTS_HW_BREAKPOINT_INTERNAL_H
#define _KERNEL_EVENTS_HW_BREAKPOINT_INTERNAL_H

#include <linux/hw_breakpoint.h>

#if IS_ENABLED(CONFIG_HW_BREAKPOINT_KUNIT_TEST)
/* Slots of @type that @cpu must keep for the breakpoints accounted now. */
int hw_breakpoint_slots_used(int cpu, enum bp_type_idx type);

/* The PMU's "multiplex" switch; -EOPNOTSUPP where there is none. */
int hw_breakpoint_set_multiplex(bool on);

/* Hold off every reserve/release/modify, as a CPU-bound registration does. */
void hw_breakpoint_block_updaters(void);
void hw_breakpoint_unblock_updaters(void);
#endif

#endif /* _KERNEL_EVENTS_HW_BREAKPOINT_INTERNAL_H */
