/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware breakpoints as perf events: the interface of the generic core
 * (kernel/events/hw_breakpoint.c) to ptrace, perf, kgdb and kernel users.
 */
#ifndef _LINUX_HW_BREAKPOINT_H
#define _LINUX_HW_BREAKPOINT_H

#include <linux/perf_event.h>
#include <uapi/linux/hw_breakpoint.h>

#ifdef CONFIG_HAVE_HW_BREAKPOINT

/*
 * Register classes a breakpoint is accounted in.  Architectures whose debug
 * registers serve both instructions and data (CONFIG_HAVE_MIXED_BREAKPOINTS_REGS)
 * have a single class; the others count execute and data slots apart.
 */
enum bp_type_idx {
	TYPE_INST = 0,
#ifdef CONFIG_HAVE_MIXED_BREAKPOINTS_REGS
	TYPE_DATA = TYPE_INST,
#else
	TYPE_DATA = TYPE_INST + 1,
#endif
	TYPE_MAX
};

static inline struct arch_hw_breakpoint *counter_arch_bp(struct perf_event *bp)
{
	return &bp->hw.info;
}

static inline unsigned long hw_breakpoint_addr(struct perf_event *bp)
{
	return bp->attr.bp_addr;
}

static inline unsigned long hw_breakpoint_len(struct perf_event *bp)
{
	return bp->attr.bp_len;
}

static inline int hw_breakpoint_type(struct perf_event *bp)
{
	return bp->attr.bp_type;
}

/*
 * Kernel and ptrace users get a pinned breakpoint whose handler runs on
 * every hit; the caller fills in address, length and type.
 */
static inline void hw_breakpoint_init(struct perf_event_attr *attr)
{
	*attr = (struct perf_event_attr) {
		.type		= PERF_TYPE_BREAKPOINT,
		.size		= sizeof(struct perf_event_attr),
		.sample_period	= 1,
		.pinned		= 1,
	};
}

/* ptrace breakpoints watch user space only. */
static inline void ptrace_breakpoint_init(struct perf_event_attr *attr)
{
	hw_breakpoint_init(attr);
	attr->exclude_kernel = 1;
}

int __init init_hw_breakpoint(void);

/* Breakpoints that follow one task (on whichever CPU it runs). */
struct perf_event *register_user_hw_breakpoint(struct perf_event_attr *attr,
					       perf_overflow_handler_t triggered,
					       void *context,
					       struct task_struct *tsk);
int modify_user_hw_breakpoint(struct perf_event *bp,
			      struct perf_event_attr *attr);
int modify_user_hw_breakpoint_check(struct perf_event *bp,
				    struct perf_event_attr *attr, bool check);
int modify_user_hw_breakpoint_frozen(struct perf_event *bp,
				     struct perf_event_attr *attr);

/* Kernel breakpoints, bound to CPUs rather than to a task. */
struct perf_event *register_wide_hw_breakpoint_cpu(struct perf_event_attr *attr,
						   perf_overflow_handler_t triggered,
						   void *context, int cpu);
struct perf_event * __percpu *
register_wide_hw_breakpoint(struct perf_event_attr *attr,
			    perf_overflow_handler_t triggered, void *context);
void unregister_wide_hw_breakpoint(struct perf_event *__percpu *cpu_events);
/* The kernel debugger's, reserved with the dbg_ calls below. */
struct perf_event *register_dbg_hw_breakpoint_cpu(struct perf_event_attr *attr,
						  int cpu);

void unregister_hw_breakpoint(struct perf_event *bp);
int register_perf_hw_breakpoint(struct perf_event *bp);
bool hw_breakpoint_is_used(void);
/* Flexible breakpoints hold no slot and may be out of the registers. */
bool hw_breakpoint_is_flexible(struct perf_event *bp);

/* Whether @attr is a breakpoint the core would take, decoded into @info. */
int hw_breakpoint_validate(const struct perf_event_attr *attr,
			   struct arch_hw_breakpoint *info);

/* Slot accounting; the dbg_ variants take no lock and may run in NMI. */
int reserve_bp_slot(struct perf_event *bp);
void release_bp_slot(struct perf_event *bp);
int dbg_reserve_bp_slot(struct perf_event *bp);
int dbg_take_bp_slot(struct perf_event *bp);
int dbg_release_bp_slot(struct perf_event *bp);

/* Provided by the architecture. */
void flush_ptrace_hw_breakpoint(struct task_struct *tsk);

#else /* !CONFIG_HAVE_HW_BREAKPOINT */

static inline struct arch_hw_breakpoint *counter_arch_bp(struct perf_event *bp)
{
	return NULL;
}

static inline int __init init_hw_breakpoint(void)
{
	return 0;
}

static inline struct perf_event *
register_user_hw_breakpoint(struct perf_event_attr *attr,
			    perf_overflow_handler_t triggered, void *context,
			    struct task_struct *tsk)
{
	return NULL;
}

static inline int modify_user_hw_breakpoint(struct perf_event *bp,
					    struct perf_event_attr *attr)
{
	return -EOPNOTSUPP;
}

static inline int
modify_user_hw_breakpoint_check(struct perf_event *bp,
				struct perf_event_attr *attr, bool check)
{
	return -EOPNOTSUPP;
}

static inline int modify_user_hw_breakpoint_frozen(struct perf_event *bp,
						   struct perf_event_attr *attr)
{
	return -EOPNOTSUPP;
}

static inline struct perf_event *
register_wide_hw_breakpoint_cpu(struct perf_event_attr *attr,
				perf_overflow_handler_t triggered,
				void *context, int cpu)
{
	return NULL;
}

static inline struct perf_event * __percpu *
register_wide_hw_breakpoint(struct perf_event_attr *attr,
			    perf_overflow_handler_t triggered, void *context)
{
	return NULL;
}

static inline struct perf_event *
register_dbg_hw_breakpoint_cpu(struct perf_event_attr *attr, int cpu)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void
unregister_wide_hw_breakpoint(struct perf_event * __percpu *cpu_events) { }
static inline void unregister_hw_breakpoint(struct perf_event *bp) { }

static inline int register_perf_hw_breakpoint(struct perf_event *bp)
{
	return -EOPNOTSUPP;
}

static inline bool hw_breakpoint_is_used(void)
{
	return false;
}

static inline bool hw_breakpoint_is_flexible(struct perf_event *bp)
{
	return false;
}

static inline int hw_breakpoint_validate(const struct perf_event_attr *attr,
					 struct arch_hw_breakpoint *info)
{
	return -EOPNOTSUPP;
}

static inline int reserve_bp_slot(struct perf_event *bp)
{
	return -EOPNOTSUPP;
}

static inline void release_bp_slot(struct perf_event *bp) { }
static inline void flush_ptrace_hw_breakpoint(struct task_struct *tsk) { }

#endif /* CONFIG_HAVE_HW_BREAKPOINT */
#endif /* _LINUX_HW_BREAKPOINT_H */
