// SPDX-License-Identifier: GPL-2.0+
/*
 * Generic hardware breakpoint core.
 *
 * Breakpoints are perf events of the "breakpoint" PMU.  The architecture
 * programs the debug registers when an event is scheduled in; this file
 * decides whether a breakpoint may exist at all.  It only admits a
 * breakpoint if, on every CPU it may ever be scheduled on, the worst case
 * still fits in the debug registers, so a pinned breakpoint that was
 * created is always installable.
 */

#include <linux/hw_breakpoint.h>

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/export.h>
#include <linux/hash.h>
#include <linux/init.h>
#include <linux/irqflags.h>
#include <linux/kdebug.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/percpu-rwsem.h>
#include <linux/percpu.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "hw_breakpoint_internal.h"

/*
 * Slot accounting
 * ===============
 *
 * For every CPU c and register class t the core keeps
 *
 *   bound(c) + max over tasks T of own(T, c) + dbg(c)  <=  slots(t)
 *
 * where bound(c) is the weight of CPU-bound (task-less) breakpoints on c,
 * own(T, c) the weight of T's breakpoints that can be installed on c (its
 * all-CPU ones plus those bound to c) and dbg(c) what the kernel debugger
 * took.  Tasks never add up: only one runs on a CPU at a time.
 *
 * The maximum over tasks is kept exact in O(1) of the number of tasks by
 * two kinds of histograms, each counting owners by their weight (entry
 * w - 1 holds the owners of weight w, weight 0 is not recorded):
 *
 *  - bp_tasks_all[t]: every task with all-CPU breakpoints, keyed by their
 *    weight all(T);
 *  - row c of bp_tasks_on[t]: every task with breakpoints bound to c, keyed
 *    by all(T) + bound-to-c(T), i.e. by own(T, c).
 *
 * A task with nothing bound to c is keyed by own(T, c) = all(T) in the
 * first; a task with something bound to c has own(T, c) >= all(T), so
 * max own(T, c) = max(top of bp_tasks_all, top of row c).  bp_cpus[t]
 * likewise counts CPUs by bound(c), so that an all-CPU task breakpoint can
 * be checked against every CPU at once.  A task's own breakpoints are
 * found through bp_task_table, an rhltable keyed by the target task, so
 * updating a task costs only as much as that task has breakpoints.
 *
 * Flexible breakpoints (attr.pinned == 0) are accounted exactly like pinned
 * ones for now: nothing yet guarantees that perf schedules them after the
 * pinned ones of the same CPU, so they must have a register of their own.
 * bound() is kept per kind and bp_task_flexible[] says how much of the task
 * weight is flexible, so that a later change can let them share registers.
 *
 * Locking
 * -------
 * bp_slots_sem (percpu rwsem) and bp_task_locks[] order all updaters:
 *
 *  - a CPU-bound breakpoint is reserved/released with bp_slots_sem held
 *    for write; it alone changes bound(), bp_cpus[] and reads the task
 *    histograms, which are then stable;
 *  - a task breakpoint is reserved/released with the task's bp_task_locks[]
 *    entry (hashed by task; taken first) and bp_slots_sem held for read.
 *    The task lock makes the task's list in bp_task_table and its histogram
 *    keys stable; the read side keeps bound() and bp_cpus[] stable.  Tasks
 *    update the shared histograms concurrently, hence atomic_t; their
 *    checks only read bound(), dbg() and their own weight, which no other
 *    task changes.
 *
 * The debugger (dbg_reserve_bp_slot()/dbg_release_bp_slot()) takes no lock
 * at all: kgdb calls it with every other CPU stopped wherever it was, maybe
 * in the middle of an update, possibly from NMI.  Only the debugger writes
 * dbg() and bp_dbg_total[].  It stays sound because every admission follows
 * the same protocol:
 *
 *  1. publish the claim first (raise bound(), the task's histogram key, or
 *     dbg()),
 *  2. smp_mb(),
 *  3. read everything else and check the sum; if it is over, withdraw.
 *
 * Why this is enough:
 *
 *  - Of two parties racing this way, at least one sees the other's claim
 *    (store buffering with a full barrier on both sides), so they cannot
 *    both be admitted over the limit.  With kgdb the race is even simpler:
 *    the debugger runs entirely between two steps of a stopped updater.
 *  - A claim that is only partly published may be missed by the debugger,
 *    but its owner checks only after publishing all of it, and then sees
 *    what the debugger took in the meantime.
 *  - Reservations already admitted are never under-counted: a histogram
 *    move raises the new bucket before lowering the old one (with a barrier
 *    between, and readers scan from the top down), so an owner stopped in
 *    the middle is counted twice or at the higher weight, never not at all.
 *  - The debugger writes only dbg() and bp_dbg_total[], which no updater
 *    writes, so a stopped updater finds its own accounting intact.
 *
 * The price: a claim stopped between publishing and withdrawing counts as a
 * reservation, so the debugger may then be refused a slot that the updater
 * would have given back.  It is never granted a slot that is not free.
 */

enum bp_kind {
	BP_PINNED,
	BP_FLEXIBLE,
	BP_NR_KINDS
};

struct bp_cpu_slots {
	atomic_t	bound[BP_NR_KINDS];
	atomic_t	dbg;
};

static DEFINE_PER_CPU(struct bp_cpu_slots, bp_cpu_slots[TYPE_MAX]);

static int bp_nr_slots[TYPE_MAX] __ro_after_init;
static atomic_t *bp_cpus[TYPE_MAX] __ro_after_init;
static atomic_t *bp_tasks_all[TYPE_MAX] __ro_after_init;
/* nr_cpu_ids rows of bp_nr_slots[t] entries */
static atomic_t *bp_tasks_on[TYPE_MAX] __ro_after_init;
/* sum of dbg() over CPUs: zero lets all-CPU checks use bp_cpus[] alone */
static atomic_t bp_dbg_total[TYPE_MAX];
static atomic_t bp_task_flexible[TYPE_MAX];
static bool bp_ready __ro_after_init;

DEFINE_STATIC_PERCPU_RWSEM(bp_slots_sem);

#define BP_TASK_LOCK_BITS	7
static struct mutex bp_task_locks[1 << BP_TASK_LOCK_BITS];

static struct rhltable bp_task_table;
static const struct rhashtable_params bp_task_params = {
	.key_len		= sizeof(struct task_struct *),
	.key_offset		= offsetof(struct hw_perf_event, target),
	.head_offset		= offsetof(struct hw_perf_event, bp_list),
	.automatic_shrinking	= true,
};

/* An architecture may charge a breakpoint more than one register. */
static inline int bp_weight(struct perf_event *bp)
{
#ifdef hw_breakpoint_weight
	return hw_breakpoint_weight(bp);
#else
	return 1;
#endif
}

static enum bp_type_idx bp_class(u64 bp_type)
{
	return (bp_type & HW_BREAKPOINT_RW) ? TYPE_DATA : TYPE_INST;
}

static enum bp_kind bp_kind_of(struct perf_event *bp)
{
	return bp->attr.pinned ? BP_PINNED : BP_FLEXIBLE;
}

static struct bp_cpu_slots *bp_slots_of(int cpu, enum bp_type_idx t)
{
	return per_cpu_ptr(&bp_cpu_slots[t], cpu);
}

static atomic_t *bp_row(enum bp_type_idx t, int cpu)
{
	return bp_tasks_on[t] + (size_t)cpu * bp_nr_slots[t];
}

static int bp_bound_weight(struct bp_cpu_slots *s)
{
	return atomic_read(&s->bound[BP_PINNED]) +
	       atomic_read(&s->bound[BP_FLEXIBLE]);
}

/* Re-key one owner from weight @from to weight @to; see "Slot accounting". */
static void bp_hist_move(atomic_t *hist, int from, int to)
{
	if (from == to)
		return;
	if (to > 0)
		atomic_inc(&hist[to - 1]);
	/* Raise before lowering: observers may over-count, never under. */
	smp_mb__after_atomic();
	if (from > 0)
		atomic_dec(&hist[from - 1]);
}

static int bp_hist_top(const atomic_t *hist, enum bp_type_idx t)
{
	int w = bp_nr_slots[t];

	while (w > 0 && atomic_read_acquire(&hist[w - 1]) <= 0)
		w--;
	return w;
}

/* The largest own(T, @cpu) over all tasks. */
static int bp_task_max(int cpu, enum bp_type_idx t)
{
	return max(bp_hist_top(bp_tasks_all[t], t),
		   bp_hist_top(bp_row(t, cpu), t));
}

/* Everything but own(T, @cpu) that @cpu must keep a slot for. */
static int bp_cpu_fixed(int cpu, enum bp_type_idx t)
{
	struct bp_cpu_slots *s = bp_slots_of(cpu, t);

	return bp_bound_weight(s) + atomic_read(&s->dbg);
}

static void bp_lock_assert(struct perf_event *bp)
{
	if (bp->hw.target)
		lockdep_assert_held(&bp_slots_sem);
	else
		lockdep_assert_held_write(&bp_slots_sem);
}

static struct mutex *bp_task_lock_of(struct perf_event *bp)
{
	return &bp_task_locks[hash_ptr(bp->hw.target, BP_TASK_LOCK_BITS)];
}

/* Take the locks @bp's accounting needs; see "Locking" above. */
static void bp_lock(struct perf_event *bp)
{
	if (!bp->hw.target) {
		percpu_down_write(&bp_slots_sem);
		return;
	}
	mutex_lock(bp_task_lock_of(bp));
	percpu_down_read(&bp_slots_sem);
}

static void bp_unlock(struct perf_event *bp)
{
	if (!bp->hw.target) {
		percpu_up_write(&bp_slots_sem);
		return;
	}
	percpu_up_read(&bp_slots_sem);
	mutex_unlock(bp_task_lock_of(bp));
}

/*
 * A task's weight in class @t, leaving out @bp itself: its all-CPU
 * breakpoints, those bound to @cpu (if @cpu >= 0), and whether it has any
 * CPU-bound one.
 */
struct bp_tally {
	int	all;
	int	here;
	bool	bound;
};

static struct rhlist_head *bp_task_list(struct perf_event *bp)
{
	return rhltable_lookup(&bp_task_table, &bp->hw.target, bp_task_params);
}

static bool bp_counts(struct perf_event *e, struct perf_event *bp,
		      enum bp_type_idx t)
{
	return e != bp && bp_class(e->attr.bp_type) == t;
}

static void bp_task_tally(struct perf_event *bp, enum bp_type_idx t, int cpu,
			  struct bp_tally *tl)
{
	struct rhlist_head *pos;
	struct perf_event *e;

	*tl = (struct bp_tally) { };
	rcu_read_lock();
	rhl_for_each_entry_rcu(e, pos, bp_task_list(bp), hw.bp_list) {
		if (!bp_counts(e, bp, t))
			continue;
		if (e->cpu < 0) {
			tl->all += bp_weight(e);
			continue;
		}
		tl->bound = true;
		if (e->cpu == cpu)
			tl->here += bp_weight(e);
	}
	rcu_read_unlock();
}

/*
 * Weight of the task's breakpoints bound to @cpu, or 0 if one of them comes
 * before @first in the list (that CPU was already visited).
 */
static int bp_task_first_on(struct rhlist_head *list, struct perf_event *bp,
			    enum bp_type_idx t, struct perf_event *first)
{
	struct rhlist_head *pos;
	struct perf_event *e;
	bool before = true;
	int sum = 0;

	rhl_for_each_entry_rcu(e, pos, list, hw.bp_list) {
		if (e == first)
			before = false;
		if (!bp_counts(e, bp, t) || e->cpu != first->cpu)
			continue;
		if (before)
			return 0;
		sum += bp_weight(e);
	}
	return sum;
}

/*
 * For each CPU the task has breakpoints bound to, re-key it in that CPU's
 * row as its all-CPU weight goes from @from to @to.  Returns the largest
 * weight the task has bound to one CPU.  Quadratic in the task's own
 * breakpoints only.
 */
static int bp_task_rekey_rows(struct perf_event *bp, enum bp_type_idx t,
			      int from, int to)
{
	struct rhlist_head *list, *pos;
	struct perf_event *e;
	int most = 0;

	rcu_read_lock();
	list = bp_task_list(bp);
	rhl_for_each_entry_rcu(e, pos, list, hw.bp_list) {
		int here;

		if (!bp_counts(e, bp, t) || e->cpu < 0)
			continue;
		here = bp_task_first_on(list, bp, t, e);
		if (!here)
			continue;
		most = max(most, here);
		bp_hist_move(bp_row(t, e->cpu), from + here, to + here);
	}
	rcu_read_unlock();
	return most;
}

static int bp_claim_cpu(struct perf_event *bp, enum bp_type_idx t, int w)
{
	struct bp_cpu_slots *s = bp_slots_of(bp->cpu, t);
	int old = bp_bound_weight(s);

	bp_lock_assert(bp);
	if (old + w > bp_nr_slots[t])
		return -ENOSPC;

	atomic_add(w, &s->bound[bp_kind_of(bp)]);
	bp_hist_move(bp_cpus[t], old, old + w);
	/* Publish, then check: pairs with the debugger's, see above. */
	smp_mb();
	if (bp_cpu_fixed(bp->cpu, t) + bp_task_max(bp->cpu, t) <= bp_nr_slots[t])
		return 0;

	bp_hist_move(bp_cpus[t], old + w, old);
	atomic_sub(w, &s->bound[bp_kind_of(bp)]);
	return -ENOSPC;
}

static void bp_drop_cpu(struct perf_event *bp, enum bp_type_idx t, int w)
{
	struct bp_cpu_slots *s = bp_slots_of(bp->cpu, t);
	int old = bp_bound_weight(s);

	bp_lock_assert(bp);
	bp_hist_move(bp_cpus[t], old, old - w);
	atomic_sub(w, &s->bound[bp_kind_of(bp)]);
}

static int bp_claim_task_cpu(struct perf_event *bp, enum bp_type_idx t, int w)
{
	atomic_t *row = bp_row(t, bp->cpu);
	struct bp_tally tl;
	int from, to;

	bp_lock_assert(bp);
	bp_task_tally(bp, t, bp->cpu, &tl);
	from = tl.here ? tl.all + tl.here : 0;
	to = tl.all + tl.here + w;
	if (to > bp_nr_slots[t])
		return -ENOSPC;

	bp_hist_move(row, from, to);
	/* Publish, then check: pairs with the debugger's, see above. */
	smp_mb();
	if (bp_cpu_fixed(bp->cpu, t) + to <= bp_nr_slots[t])
		return 0;

	bp_hist_move(row, to, from);
	return -ENOSPC;
}

static void bp_drop_task_cpu(struct perf_event *bp, enum bp_type_idx t, int w)
{
	struct bp_tally tl;

	bp_lock_assert(bp);
	bp_task_tally(bp, t, bp->cpu, &tl);
	bp_hist_move(bp_row(t, bp->cpu), tl.all + tl.here + w,
		     tl.here ? tl.all + tl.here : 0);
}

/* Would own(T, c) = @all (+ what T binds to c) fit on every CPU? */
static bool bp_task_fits_everywhere(struct perf_event *bp, enum bp_type_idx t,
				    int all, bool bound)
{
	struct bp_tally tl = { };
	int cpu;

	if (!bound && !atomic_read(&bp_dbg_total[t]))
		return bp_hist_top(bp_cpus[t], t) + all <= bp_nr_slots[t];

	for_each_possible_cpu(cpu) {
		if (bound)
			bp_task_tally(bp, t, cpu, &tl);
		if (bp_cpu_fixed(cpu, t) + all + tl.here > bp_nr_slots[t])
			return false;
	}
	return true;
}

static int bp_claim_task_all(struct perf_event *bp, enum bp_type_idx t, int w)
{
	struct bp_tally tl;
	int most = 0;

	bp_lock_assert(bp);
	bp_task_tally(bp, t, -1, &tl);
	if (tl.bound)
		most = bp_task_rekey_rows(bp, t, tl.all, tl.all);
	if (tl.all + w + most > bp_nr_slots[t])
		return -ENOSPC;

	bp_hist_move(bp_tasks_all[t], tl.all, tl.all + w);
	if (tl.bound)
		bp_task_rekey_rows(bp, t, tl.all, tl.all + w);
	/* Publish, then check: pairs with the debugger's, see above. */
	smp_mb();
	if (bp_task_fits_everywhere(bp, t, tl.all + w, tl.bound))
		return 0;

	if (tl.bound)
		bp_task_rekey_rows(bp, t, tl.all + w, tl.all);
	bp_hist_move(bp_tasks_all[t], tl.all + w, tl.all);
	return -ENOSPC;
}

static void bp_drop_task_all(struct perf_event *bp, enum bp_type_idx t, int w)
{
	struct bp_tally tl;

	bp_lock_assert(bp);
	bp_task_tally(bp, t, -1, &tl);
	bp_hist_move(bp_tasks_all[t], tl.all + w, tl.all);
	if (tl.bound)
		bp_task_rekey_rows(bp, t, tl.all + w, tl.all);
}

/* Account @bp in class @t; a task's list must not yet count it there. */
static int bp_claim(struct perf_event *bp, enum bp_type_idx t)
{
	int w = bp_weight(bp);
	int ret;

	if (!bp->hw.target)
		return bp_claim_cpu(bp, t, w);

	if (bp->cpu < 0)
		ret = bp_claim_task_all(bp, t, w);
	else
		ret = bp_claim_task_cpu(bp, t, w);
	if (!ret && bp_kind_of(bp) == BP_FLEXIBLE)
		atomic_add(w, &bp_task_flexible[t]);
	return ret;
}

static void bp_drop(struct perf_event *bp, enum bp_type_idx t)
{
	int w = bp_weight(bp);

	if (!bp->hw.target) {
		bp_drop_cpu(bp, t, w);
		return;
	}

	if (bp->cpu < 0)
		bp_drop_task_all(bp, t, w);
	else
		bp_drop_task_cpu(bp, t, w);
	if (bp_kind_of(bp) == BP_FLEXIBLE)
		atomic_sub(w, &bp_task_flexible[t]);
}

/* Errors that need no lock, in the order callers have always seen them. */
static int bp_check(struct perf_event *bp, u64 bp_type)
{
	if (!bp_ready)
		return -ENOMEM;
	if (bp_type == HW_BREAKPOINT_EMPTY || bp_type == HW_BREAKPOINT_INVALID)
		return -EINVAL;
	if (bp->cpu >= (int)nr_cpu_ids || (bp->cpu < 0 && !bp->hw.target))
		return -EINVAL;
	return 0;
}

int reserve_bp_slot(struct perf_event *bp)
{
	enum bp_type_idx t = bp_class(bp->attr.bp_type);
	int ret;

	ret = bp_check(bp, bp->attr.bp_type);
	if (ret)
		return ret;

	bp_lock(bp);
	ret = bp_claim(bp, t);
	if (!ret && bp->hw.target) {
		ret = rhltable_insert(&bp_task_table, &bp->hw.bp_list,
				      bp_task_params);
		if (ret)
			bp_drop(bp, t);
	}
	bp_unlock(bp);
	return ret;
}

void release_bp_slot(struct perf_event *bp)
{
	if (bp_check(bp, bp->attr.bp_type))
		return;

	bp_lock(bp);
	/* A task breakpoint that is not listed holds no slot. */
	if (!bp->hw.target ||
	    !rhltable_remove(&bp_task_table, &bp->hw.bp_list, bp_task_params))
		bp_drop(bp, bp_class(bp->attr.bp_type));
	bp_unlock(bp);
}

/*
 * Move @bp's reservation to the class of @new_type.  The new slot is
 * claimed before the old one is let go, so a failure leaves @bp as it was.
 * On success @bp's type is updated under the lock, so the task's list never
 * disagrees with the histograms.
 */
static int bp_modify_slot(struct perf_event *bp, u64 new_type)
{
	enum bp_type_idx from = bp_class(bp->attr.bp_type);
	enum bp_type_idx to = bp_class(new_type);
	int ret;

	ret = bp_check(bp, new_type);
	if (ret || from == to)
		return ret;

	bp_lock(bp);
	ret = bp_claim(bp, to);
	if (!ret) {
		bp_drop(bp, from);
		bp->attr.bp_type = new_type;
	}
	bp_unlock(bp);
	return ret;
}

/* The debugger only ever accounts CPU-bound breakpoints. */
static int bp_dbg_check(struct perf_event *bp)
{
	int ret = bp_check(bp, bp->attr.bp_type);

	if (!ret && bp->hw.target)
		ret = -EINVAL;
	return ret;
}

int dbg_reserve_bp_slot(struct perf_event *bp)
{
	enum bp_type_idx t = bp_class(bp->attr.bp_type);
	struct bp_cpu_slots *s;
	int w = bp_weight(bp);
	int ret;

	ret = bp_dbg_check(bp);
	if (ret)
		return ret;
	if (w > bp_nr_slots[t])
		return -ENOSPC;

	s = bp_slots_of(bp->cpu, t);
	atomic_add(w, &s->dbg);
	atomic_add(w, &bp_dbg_total[t]);
	/* Publish, then check: pairs with every updater's, see above. */
	smp_mb();
	if (bp_cpu_fixed(bp->cpu, t) + bp_task_max(bp->cpu, t) <= bp_nr_slots[t])
		return 0;

	atomic_sub(w, &bp_dbg_total[t]);
	atomic_sub(w, &s->dbg);
	return -ENOSPC;
}

int dbg_release_bp_slot(struct perf_event *bp)
{
	enum bp_type_idx t = bp_class(bp->attr.bp_type);
	struct bp_cpu_slots *s;
	int w = bp_weight(bp);

	if (bp_dbg_check(bp))
		return -1;

	s = bp_slots_of(bp->cpu, t);
	/* Refuse to release what the debugger never reserved here. */
	if (atomic_read(&s->dbg) < w)
		return -1;

	atomic_sub(w, &bp_dbg_total[t]);
	atomic_sub(w, &s->dbg);
	return 0;
}

static int bp_parse(struct perf_event *bp, const struct perf_event_attr *attr,
		    struct arch_hw_breakpoint *hw)
{
	int err = hw_breakpoint_arch_parse(bp, attr, hw);

	if (err || !arch_check_bp_in_kernelspace(hw))
		return err;

	if (attr->exclude_kernel)
		return -EINVAL;
	/* Unprivileged breakpoints in the trap path could recurse. */
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/*
 * ptrace creates a breakpoint as soon as the tracer writes an address, and
 * switches it on and off through DR7.  So a breakpoint made by
 * register_user_hw_breakpoint() holds a slot only while it is enabled:
 * modify_user_hw_breakpoint() takes the slot when it enables it and gives
 * it back when it disables it, and a disabled one is not listed in
 * bp_task_table.  Events from perf_event_open() keep the slot they were
 * created with, because perf enables them without asking us.  The mark is
 * in ->pmu_private, which belongs to us as the breakpoint PMU.
 */
static char bp_slot_while_enabled;

static bool bp_holds_slot(struct perf_event *bp, const struct perf_event_attr *attr)
{
	return bp->pmu_private != &bp_slot_while_enabled || !attr->disabled;
}

/* Reserve for @bp as if it already had @attr's type and length. */
static int bp_reserve_as(struct perf_event *bp, const struct perf_event_attr *attr)
{
	u64 type = bp->attr.bp_type, len = bp->attr.bp_len;
	int err;

	bp->attr.bp_type = attr->bp_type;
	bp->attr.bp_len = attr->bp_len;
	err = reserve_bp_slot(bp);
	if (err) {
		bp->attr.bp_type = type;
		bp->attr.bp_len = len;
	}
	return err;
}

int register_perf_hw_breakpoint(struct perf_event *bp)
{
	struct arch_hw_breakpoint hw = { };
	/* The slot is checked first: that is the errno users rely on. */
	int err = reserve_bp_slot(bp);

	if (!err) {
		err = bp_parse(bp, &bp->attr, &hw);
		if (err)
			release_bp_slot(bp);
		else
			bp->hw.info = hw;
	}
	return err;
}

/**
 * register_user_hw_breakpoint - create a breakpoint that follows a task
 * @attr: breakpoint attributes
 * @triggered: called on every hit
 * @context: passed to @triggered through the event
 * @tsk: the task whose address space is watched
 *
 * Return: the event, or an ERR_PTR().
 */
struct perf_event *register_user_hw_breakpoint(struct perf_event_attr *attr,
					       perf_overflow_handler_t triggered,
					       void *context,
					       struct task_struct *tsk)
{
	const int any_cpu = -1;
	struct perf_event *bp;

	bp = perf_event_create_kernel_counter(attr, any_cpu, tsk,
					      triggered, context);
	if (IS_ERR(bp))
		return bp;

	bp->pmu_private = &bp_slot_while_enabled;
	if (attr->disabled)
		release_bp_slot(bp);
	return bp;
}
EXPORT_SYMBOL_GPL(register_user_hw_breakpoint);

/*
 * Only these attributes may change on a live breakpoint: copy them from
 * @src into @dst.
 */
static void bp_copy_mutable(struct perf_event_attr *dst,
			    const struct perf_event_attr *src)
{
	dst->disabled = src->disabled;
	dst->bp_len = src->bp_len;
	dst->bp_addr = src->bp_addr;
	dst->bp_type = src->bp_type;
}

static bool bp_only_mutable_differ(struct perf_event *bp,
				   const struct perf_event_attr *attr)
{
	struct perf_event_attr want = bp->attr;

	bp_copy_mutable(&want, attr);
	return !memcmp(&want, attr, sizeof(want));
}

/**
 * modify_user_hw_breakpoint_check - change a disabled breakpoint in place
 * @bp: the breakpoint
 * @attr: its new attributes
 * @check: refuse changes to anything but address, length, type and
 *	   disabled
 *
 * The reservation is kept unless the type moves the breakpoint to another
 * register class; nothing of @bp changes when this fails.
 *
 * Return: 0 or a negative errno.
 */
int modify_user_hw_breakpoint_check(struct perf_event *bp,
				    struct perf_event_attr *attr, bool check)
{
	bool held = bp_holds_slot(bp, &bp->attr), wanted = bp_holds_slot(bp, attr);
	struct arch_hw_breakpoint hw = { };
	int err = bp_parse(bp, attr, &hw);

	if (!err && check && !bp_only_mutable_differ(bp, attr))
		err = -EINVAL;
	if (!err && held && wanted && attr->bp_type != bp->attr.bp_type)
		err = bp_modify_slot(bp, attr->bp_type);
	if (!err && !held && wanted)
		err = bp_reserve_as(bp, attr);
	if (err)
		return err;

	/* Given back with the type it was taken with. */
	if (held && !wanted)
		release_bp_slot(bp);
	bp->hw.info = hw;
	bp_copy_mutable(&bp->attr, attr);
	return 0;
}

/**
 * modify_user_hw_breakpoint - change a user breakpoint
 * @bp: the breakpoint
 * @attr: its new attributes
 *
 * Return: 0 or a negative errno; on error @bp is unchanged.
 */
int modify_user_hw_breakpoint(struct perf_event *bp,
			      struct perf_event_attr *attr)
{
	bool own_task = bp->ctx && bp->ctx->task == current;
	int err;

	/*
	 * ptrace may get here with interrupts off, when no IPI can be sent;
	 * the event is then current's and can be stopped right here.
	 */
	if (own_task && irqs_disabled())
		perf_event_disable_local(bp);
	else
		perf_event_disable(bp);

	err = modify_user_hw_breakpoint_check(bp, attr, false);
	if (bp->attr.disabled)
		return err;

	perf_event_enable(bp);
	return err;
}
EXPORT_SYMBOL_GPL(modify_user_hw_breakpoint);

/**
 * register_wide_hw_breakpoint_cpu - create a kernel breakpoint on one CPU
 * @attr: breakpoint attributes
 * @triggered: called on every hit
 * @context: passed to @triggered through the event
 * @cpu: the CPU
 *
 * Return: the event, or an ERR_PTR().
 */
struct perf_event *register_wide_hw_breakpoint_cpu(struct perf_event_attr *attr,
						   perf_overflow_handler_t triggered,
						   void *context, int cpu)
{
	return perf_event_create_kernel_counter(attr, cpu, NULL,
						triggered, context);
}
EXPORT_SYMBOL_GPL(register_wide_hw_breakpoint_cpu);

/**
 * unregister_hw_breakpoint - destroy a breakpoint
 * @bp: the breakpoint, or NULL
 */
void unregister_hw_breakpoint(struct perf_event *bp)
{
	if (bp)
		perf_event_release_kernel(bp);
}
EXPORT_SYMBOL_GPL(unregister_hw_breakpoint);

/**
 * unregister_wide_hw_breakpoint - destroy a breakpoint on every CPU
 * @cpu_events: what register_wide_hw_breakpoint() returned
 */
void unregister_wide_hw_breakpoint(struct perf_event * __percpu *cpu_events)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct perf_event *bp = *per_cpu_ptr(cpu_events, cpu);

		unregister_hw_breakpoint(bp);
	}
	free_percpu(cpu_events);
}
EXPORT_SYMBOL_GPL(unregister_wide_hw_breakpoint);

/**
 * register_wide_hw_breakpoint - create a kernel breakpoint on every CPU
 * @attr: breakpoint attributes
 * @triggered: called on every hit
 * @context: passed to @triggered through the event
 *
 * Return: per-CPU event pointers (NULL for CPUs that were offline), or an
 * ERR_PTR(); either all online CPUs get the breakpoint or none does.
 */
struct perf_event * __percpu *
register_wide_hw_breakpoint(struct perf_event_attr *attr,
			    perf_overflow_handler_t triggered, void *context)
{
	struct perf_event * __percpu *events = alloc_percpu(struct perf_event *);
	struct perf_event *bp = NULL;
	unsigned int cpu;

	if (!events)
		return (void __percpu __force *)ERR_PTR(-ENOMEM);

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		bp = register_wide_hw_breakpoint_cpu(attr, triggered, context,
						     cpu);
		if (IS_ERR(bp))
			break;
		*per_cpu_ptr(events, cpu) = bp;
	}
	cpus_read_unlock();

	if (IS_ERR(bp)) {
		unregister_wide_hw_breakpoint(events);
		return (void __percpu __force *)bp;
	}
	return events;
}
EXPORT_SYMBOL_GPL(register_wide_hw_breakpoint);

static bool bp_any(const atomic_t *v, size_t n)
{
	while (n--)
		if (atomic_read(&v[n]))
			return true;
	return false;
}

/**
 * hw_breakpoint_is_used - is any breakpoint slot accounted?
 *
 * Return: true if a breakpoint or the debugger holds a slot anywhere.
 */
bool hw_breakpoint_is_used(void)
{
	int cpu, t;

	if (!bp_ready)
		return false;

	for (t = 0; t < TYPE_MAX; t++) {
		size_t n = bp_nr_slots[t];

		if (bp_any(bp_cpus[t], n) || bp_any(bp_tasks_all[t], n) ||
		    bp_any(bp_tasks_on[t], n * nr_cpu_ids) ||
		    atomic_read(&bp_dbg_total[t]))
			return true;
		for_each_possible_cpu(cpu) {
			if (bp_cpu_fixed(cpu, t))
				return true;
		}
	}
	return false;
}

#if IS_ENABLED(CONFIG_HW_BREAKPOINT_KUNIT_TEST)
int hw_breakpoint_slots_used(int cpu, enum bp_type_idx type)
{
	return bp_cpu_fixed(cpu, type) + bp_task_max(cpu, type);
}
EXPORT_SYMBOL_IF_KUNIT(hw_breakpoint_slots_used);

void hw_breakpoint_block_updaters(void)
{
	percpu_down_write(&bp_slots_sem);
}
EXPORT_SYMBOL_IF_KUNIT(hw_breakpoint_block_updaters);

void hw_breakpoint_unblock_updaters(void)
{
	percpu_up_write(&bp_slots_sem);
}
EXPORT_SYMBOL_IF_KUNIT(hw_breakpoint_unblock_updaters);
#endif

static void bp_event_destroy(struct perf_event *bp)
{
	release_bp_slot(bp);
}

static int bp_event_init(struct perf_event *bp)
{
	enum bp_type_idx t = bp_class(bp->attr.bp_type);
	int err;

	if (bp->attr.type != PERF_TYPE_BREAKPOINT)
		return -ENOENT;
	/*
	 * No branch stacks, and no registers of this class, ever.  A request
	 * with no type at all falls in the execute class: it is left to
	 * reserve_bp_slot() for the -EINVAL it gets everywhere else, also
	 * where there are no instruction breakpoints (powerpc).
	 */
	if (has_branch_stack(bp) ||
	    (!bp_nr_slots[t] && bp->attr.bp_type != HW_BREAKPOINT_EMPTY))
		return -EOPNOTSUPP;

	err = register_perf_hw_breakpoint(bp);
	if (!err)
		bp->destroy = bp_event_destroy;
	return err;
}

static void bp_pmu_del(struct perf_event *bp, int flags)
{
	arch_uninstall_hw_breakpoint(bp);
}

static int bp_pmu_add(struct perf_event *bp, int flags)
{
	struct hw_perf_event *hwc = &bp->hw;

	if (is_sampling_event(bp)) {
		hwc->last_period = hwc->sample_period;
		perf_swevent_set_period(bp);
	}
	hwc->state = (flags & PERF_EF_START) ? hwc->state : PERF_HES_STOPPED;
	return arch_install_hw_breakpoint(bp);
}

/*
 * The architecture's handler counts hits only while the event is not
 * stopped; starting and stopping is all about that one flag.
 */
static void bp_pmu_set_state(struct perf_event *bp, int state)
{
	bp->hw.state = state;
}

static void bp_pmu_start(struct perf_event *bp, int flags)
{
	bp_pmu_set_state(bp, 0);
}

static void bp_pmu_stop(struct perf_event *bp, int flags)
{
	bp_pmu_set_state(bp, PERF_HES_STOPPED);
}

/* Scheduled with the software events of a task. */
static struct pmu bp_pmu = {
	.event_init = bp_event_init, .task_ctx_nr = perf_sw_context,
	.add = bp_pmu_add, .del = bp_pmu_del,
	.start = bp_pmu_start, .stop = bp_pmu_stop,
	.read = hw_breakpoint_pmu_read,
};

/* The architecture's #DB handler must see the trap before anyone else. */
static struct notifier_block bp_die_nb = {
	.notifier_call	= hw_breakpoint_exceptions_notify,
	.priority	= INT_MAX,
};

static void __init bp_free_tables(void)
{
	int t;

	for (t = 0; t < TYPE_MAX; t++) {
		kfree(bp_cpus[t]);
		kfree(bp_tasks_all[t]);
		kfree(bp_tasks_on[t]);
		bp_cpus[t] = NULL;
		bp_tasks_all[t] = NULL;
		bp_tasks_on[t] = NULL;
	}
}

static int __init bp_alloc_tables(void)
{
	int t;

	for (t = 0; t < TYPE_MAX; t++) {
		int n = hw_breakpoint_slots(t);

		bp_nr_slots[t] = n;
		bp_cpus[t] = kcalloc(n, sizeof(atomic_t), GFP_KERNEL);
		bp_tasks_all[t] = kcalloc(n, sizeof(atomic_t), GFP_KERNEL);
		bp_tasks_on[t] = kcalloc(array_size(n, nr_cpu_ids),
					 sizeof(atomic_t), GFP_KERNEL);
		if (!bp_cpus[t] || !bp_tasks_all[t] || !bp_tasks_on[t]) {
			bp_free_tables();
			return -ENOMEM;
		}
	}
	return 0;
}

int __init init_hw_breakpoint(void)
{
	int i, err;

	for (i = 0; i < ARRAY_SIZE(bp_task_locks); i++)
		mutex_init(&bp_task_locks[i]);

	err = rhltable_init(&bp_task_table, &bp_task_params);
	if (err)
		return err;

	err = bp_alloc_tables();
	if (err) {
		rhltable_destroy(&bp_task_table);
		return err;
	}
	bp_ready = true;

	perf_pmu_register(&bp_pmu, "breakpoint", PERF_TYPE_BREAKPOINT);
	return register_die_notifier(&bp_die_nb);
}
