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
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/export.h>
#include <linux/hash.h>
#include <linux/init.h>
#include <linux/irq_work.h>
#include <linux/irqflags.h>
#include <linux/kallsyms.h>
#include <linux/kdebug.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/percpu-rwsem.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/rhashtable.h>
#include <linux/seq_file.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
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
 * Only pinned breakpoints are accounted.  Flexible ones (see "Multiplexing"
 * below) hold no slot: perf schedules every pinned event of a CPU before any
 * flexible one, so they only ever get what the pinned ones and the debugger
 * leave, and a register kept back for them would be lost to pinned users.
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
 *
 * The one exception is asked for: a debugger told it may take registers
 * (dbg_take_bp_slot()) raises dbg(c) past the limit where nothing is free.
 * While it does, every claim on c fails its check, flexible breakpoints do
 * not fit, and the architecture parks the accounted breakpoints it has no
 * register for behind the debugger's, until dbg(c) is back within it.
 */

struct bp_cpu_slots {
	atomic_t	bound;
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

/*
 * Holders
 * -------
 * Every breakpoint event carries a struct hw_breakpoint_holder in
 * hw.bp_holder, ours from event_init to destroy: what the event may hold
 * (->hold, an enum bp_hold), whether it holds it now (->held) and its
 * place in the lists of bp_holder_buckets (->node).  The lists are read
 * only by the debugfs view and the reports, so they cost nothing on any
 * path that schedules or hits a breakpoint; they are hashed by event
 * because every event is listed and unlisted as it is made and freed,
 * which inherited breakpoints do at every fork and exit of their task, on
 * all CPUs at once.
 *
 * A bucket's lock protects its list; an event is listed from the end of
 * event_init until destroy, so a reader holding the lock may look at any
 * event listed there.  ->hold is set in event_init, before the event can
 * take a slot, and never changes, so it is read without a lock.  ->held is
 * written under the event's accounting locks (bp_lock()); the view reads it
 * and the event's state as a snapshot.  The debugger's slots are not
 * holders: kgdb's placeholder events hold nothing, what it reserved is
 * dbg().
 *
 * When a breakpoint holds a slot is its ->hold, and nothing else decides it
 * (bp_holds_slot()):
 *
 * BP_HOLD_ALWAYS: from event_init to destroy, disabled or not.  Events of
 *	perf_event_open() and the kernel's other ones: perf enables and
 *	disables them without asking the core, so each keeps the slot it was
 *	made with.
 * BP_HOLD_WHILE_ENABLED: exactly while attr.disabled is clear, so never
 *	while it is made disabled.  Events of register_user_hw_breakpoint():
 *	ptrace makes one as soon as the tracer writes an address and switches
 *	it on and off through DR7, with modify_user_hw_breakpoint*(), which
 *	take the slot and give it back.  A disabled one is not listed in
 *	bp_task_table, and one that perf has scheduled in is disarmed, given
 *	no register by bp_pmu_add().  The kernel debugger's placeholders
 *	(register_dbg_hw_breakpoint_cpu()) are never enabled: what the
 *	debugger holds is dbg().
 * BP_HOLD_NEVER: flexible events (see "Multiplexing" below), which share
 *	what the others leave.
 */
enum bp_hold {
	BP_HOLD_ALWAYS,
	BP_HOLD_WHILE_ENABLED,
	BP_HOLD_NEVER,
};

#define BP_HOLDER_BITS	6

static struct bp_holder_bucket {
	struct mutex		lock;	/* the list */
	struct list_head	list;
} bp_holder_buckets[1 << BP_HOLDER_BITS];

static struct bp_holder_bucket *bp_bucket_of(struct perf_event *bp)
{
	return &bp_holder_buckets[hash_ptr(bp, BP_HOLDER_BITS)];
}

static struct hw_breakpoint_holder *bp_holder_of(struct perf_event *bp)
{
	return &bp->hw.bp_holder;
}

static struct perf_event *bp_of_holder(struct hw_breakpoint_holder *h)
{
	return container_of(h, struct perf_event, hw.bp_holder);
}

static bool bp_is_flexible(struct perf_event *bp)
{
	return bp_holder_of(bp)->hold == BP_HOLD_NEVER;
}

/* Would @bp hold a slot with the attributes @attr?  See enum bp_hold. */
static bool bp_holds_slot(struct perf_event *bp, const struct perf_event_attr *attr)
{
	switch (bp_holder_of(bp)->hold) {
	case BP_HOLD_ALWAYS:
		return true;
	case BP_HOLD_WHILE_ENABLED:
		return !attr->disabled;
	case BP_HOLD_NEVER:
		break;
	}
	return false;
}

/*
 * Multiplexing needs ->add() to fail quietly when the registers are full;
 * some architectures warn there, which is right for pinned breakpoints.
 */
#ifndef arch_hw_breakpoint_can_multiplex
#define arch_hw_breakpoint_can_multiplex()	false
#endif

#ifndef arch_hw_breakpoint_in_register
/* Where the architecture never parks, an event scheduled in has a register. */
static inline bool arch_hw_breakpoint_in_register(struct perf_event *bp, int cpu)
{
	return true;
}
#endif

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
	return atomic_read(&s->bound);
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

static struct rhlist_head *bp_list_of(struct task_struct *const *tsk)
{
	return rhltable_lookup(&bp_task_table, tsk, bp_task_params);
}

static struct rhlist_head *bp_task_list(struct perf_event *bp)
{
	return bp_list_of(&bp->hw.target);
}

static bool bp_counts(struct perf_event *e, struct perf_event *bp,
		      enum bp_type_idx t)
{
	return e != bp && bp_class(e->attr.bp_type) == t;
}

static void bp_tally(struct task_struct *tsk, struct perf_event *skip,
		     enum bp_type_idx t, int cpu, struct bp_tally *tl)
{
	struct rhlist_head *pos;
	struct perf_event *e;

	*tl = (struct bp_tally) { };
	rcu_read_lock();
	rhl_for_each_entry_rcu(e, pos, bp_list_of(&tsk), hw.bp_list) {
		if (!bp_counts(e, skip, t))
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

static void bp_task_tally(struct perf_event *bp, enum bp_type_idx t, int cpu,
			  struct bp_tally *tl)
{
	bp_tally(bp->hw.target, bp, t, cpu, tl);
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
 * Call @fn once for each CPU the task has breakpoints of class @t bound
 * to, with the weight bound there.  Quadratic in the task's own
 * breakpoints only.
 */
typedef void (*bp_bound_fn)(struct perf_event *bp, enum bp_type_idx t,
			    int cpu, int here, void *arg);

static void bp_task_visit_bound(struct perf_event *bp, enum bp_type_idx t,
				bp_bound_fn fn, void *arg)
{
	struct rhlist_head *list, *pos;
	struct perf_event *e;

	rcu_read_lock();
	list = bp_task_list(bp);
	rhl_for_each_entry_rcu(e, pos, list, hw.bp_list) {
		int here;

		if (!bp_counts(e, bp, t) || e->cpu < 0)
			continue;
		here = bp_task_first_on(list, bp, t, e);
		if (here)
			fn(bp, t, e->cpu, here, arg);
	}
	rcu_read_unlock();
}

static void bp_most_here(struct perf_event *bp, enum bp_type_idx t, int cpu,
			 int here, void *arg)
{
	int *most = arg;

	*most = max(*most, here);
}

/* The largest weight the task has bound to one CPU. */
static int bp_task_most_bound(struct perf_event *bp, enum bp_type_idx t)
{
	int most = 0;

	bp_task_visit_bound(bp, t, bp_most_here, &most);
	return most;
}

struct bp_rekey {
	int	from;
	int	to;
};

static void bp_rekey_row(struct perf_event *bp, enum bp_type_idx t, int cpu,
			 int here, void *arg)
{
	struct bp_rekey *k = arg;

	bp_hist_move(bp_row(t, cpu), k->from + here, k->to + here);
}

/*
 * For each CPU the task has breakpoints bound to, re-key it in that CPU's
 * row as its all-CPU weight goes from @from to @to.
 */
static void bp_task_rekey_rows(struct perf_event *bp, enum bp_type_idx t,
			       int from, int to)
{
	struct bp_rekey k = { .from = from, .to = to };

	bp_task_visit_bound(bp, t, bp_rekey_row, &k);
}

static int bp_claim_cpu(struct perf_event *bp, enum bp_type_idx t, int w)
{
	struct bp_cpu_slots *s = bp_slots_of(bp->cpu, t);
	int old = bp_bound_weight(s);

	bp_lock_assert(bp);
	if (old + w > bp_nr_slots[t])
		return -ENOSPC;

	atomic_add(w, &s->bound);
	bp_hist_move(bp_cpus[t], old, old + w);
	/* Publish, then check: pairs with the debugger's, see above. */
	smp_mb();
	if (bp_cpu_fixed(bp->cpu, t) + bp_task_max(bp->cpu, t) <= bp_nr_slots[t])
		return 0;

	bp_hist_move(bp_cpus[t], old + w, old);
	atomic_sub(w, &s->bound);
	return -ENOSPC;
}

static void bp_drop_cpu(struct perf_event *bp, enum bp_type_idx t, int w)
{
	struct bp_cpu_slots *s = bp_slots_of(bp->cpu, t);
	int old = bp_bound_weight(s);

	bp_lock_assert(bp);
	bp_hist_move(bp_cpus[t], old, old - w);
	atomic_sub(w, &s->bound);
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
		most = bp_task_most_bound(bp, t);
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

	if (!bp->hw.target)
		return bp_claim_cpu(bp, t, w);

	if (bp->cpu < 0)
		return bp_claim_task_all(bp, t, w);
	return bp_claim_task_cpu(bp, t, w);
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

static const char *bp_class_name(enum bp_type_idx t)
{
	if (TYPE_MAX == 1)
		return "any";
	return t == TYPE_INST ? "inst" : "data";
}

static const char *bp_type_name(u64 bp_type)
{
	switch (bp_type) {
	case HW_BREAKPOINT_R:
		return "r";
	case HW_BREAKPOINT_W:
		return "w";
	case HW_BREAKPOINT_RW:
		return "rw";
	case HW_BREAKPOINT_X:
		return "x";
	}
	return "?";
}

static const char *bp_kind_name(struct hw_breakpoint_holder *h)
{
	if (h->hold == BP_HOLD_WHILE_ENABLED)
		return "ptrace";
	/* Kernel counters are owned by perf's tombstone, not by a task. */
	return IS_ERR(READ_ONCE(bp_of_holder(h)->owner)) ? "kernel" : "perf";
}

/* The holder as a user knows it: task comm[pid], or the kernel handler. */
static void bp_who(struct hw_breakpoint_holder *h, char *buf, size_t len)
{
	struct perf_event *e = bp_of_holder(h);
	struct task_struct *tsk = e->hw.target;

	/* A perf_event_open() owner is freed after an RCU grace period. */
	rcu_read_lock();
	if (!tsk)
		tsk = READ_ONCE(e->owner);
	if (!IS_ERR_OR_NULL(tsk))
		snprintf(buf, len, "%s[%d]", tsk->comm, task_pid_nr(tsk));
	else
		snprintf(buf, len, "%ps", e->overflow_handler);
	rcu_read_unlock();
}

/* Would @bp's weight still fit on @cpu, as its claim would check it? */
static bool bp_full_on(struct perf_event *bp, enum bp_type_idx t, int cpu)
{
	int need = bp_cpu_fixed(cpu, t) + bp_weight(bp);
	struct bp_tally tl;

	if (!bp->hw.target)
		return need + bp_task_max(cpu, t) > bp_nr_slots[t];
	bp_task_tally(bp, t, cpu, &tl);
	return need + tl.all + tl.here > bp_nr_slots[t];
}

/* Could @h be one of the reasons @bp found no slot on the CPUs in @full? */
static bool bp_competes(struct hw_breakpoint_holder *h, struct perf_event *bp,
			enum bp_type_idx t, const struct cpumask *full)
{
	struct perf_event *e = bp_of_holder(h);

	if (!READ_ONCE(h->held) || e == bp || bp_class(e->attr.bp_type) != t)
		return false;
	if (e->cpu >= 0 && !cpumask_test_cpu(e->cpu, full))
		return false;
	/* Another task's breakpoints never meet a task's own. */
	return !bp || !e->hw.target || !bp->hw.target ||
	       e->hw.target == bp->hw.target;
}

#define BP_REPORT_MAX	8

/*
 * The holders that compete with @bp, or with the debugger for NULL, on the
 * CPUs in @full; then what the debugger holds there.  Only what an
 * unprivileged user can already see: no addresses, tasks by pid and comm,
 * kernel holders by their handler's symbol.
 */
static void bp_report_holders(struct perf_event *bp, enum bp_type_idx t,
			      const struct cpumask *full)
{
	struct bp_holder_bucket *b;
	struct hw_breakpoint_holder *h;
	int cpu, shown = 0, more = 0;

	for (b = bp_holder_buckets; b < bp_holder_buckets + (1 << BP_HOLDER_BITS); b++) {
		mutex_lock(&b->lock);
		list_for_each_entry(h, &b->list, node) {
			struct perf_event *e = bp_of_holder(h);
			char who[KSYM_SYMBOL_LEN], where[16] = "all CPUs";

			if (!bp_competes(h, bp, t, full))
				continue;
			if (shown++ >= BP_REPORT_MAX) {
				more++;
				continue;
			}
			if (e->cpu >= 0)
				snprintf(where, sizeof(where), "CPU %d", e->cpu);
			bp_who(h, who, sizeof(who));
			pr_info("hw_breakpoint:   %s %s %s/%llu on %s\n", bp_kind_name(h),
				who, bp_type_name(e->attr.bp_type), e->attr.bp_len, where);
		}
		mutex_unlock(&b->lock);
	}
	if (more)
		pr_info("hw_breakpoint:   and %d more\n", more);

	for_each_cpu(cpu, full) {
		int dbg = atomic_read(&bp_slots_of(cpu, t)->dbg);

		if (dbg)
			pr_info("hw_breakpoint:   kgdb %d on CPU %d\n", dbg, cpu);
	}
}

/* Say once, rate-limited, who holds the registers a request did not get. */
static void bp_report_full(struct perf_event *bp, enum bp_type_idx t)
{
	/* perf retries a refused open with other flags: those stay quiet. */
	static struct ratelimit_state rs =
		RATELIMIT_STATE_INIT_FLAGS(rs, 5 * HZ, 1, RATELIMIT_MSG_ON_RELEASE);
	cpumask_var_t full;
	int cpu;

	if (!__ratelimit(&rs) || !zalloc_cpumask_var(&full, GFP_KERNEL))
		return;
	for_each_possible_cpu(cpu) {
		if ((bp->cpu < 0 || bp->cpu == cpu) && bp_full_on(bp, t, cpu))
			cpumask_set_cpu(cpu, full);
	}
	pr_info("hw_breakpoint: %s[%d]: no free %s debug register on CPU %*pbl; held by:\n",
		current->comm, task_pid_nr(current), bp_class_name(t),
		cpumask_pr_args(full));
	bp_report_holders(bp, t, full);
	free_cpumask_var(full);
}

/* Where the debugger was refused a slot since the last report. */
static struct cpumask bp_dbg_refused[TYPE_MAX];

/*
 * What the debugger could not say itself, from the machine it stopped:
 * whose registers it took, or who held those it was refused (the holders
 * as they are now).  Where it took them, as many of the holders listed as
 * it took registers are out of them, scheduled in but counting no hit,
 * until it gives them back.  Not rate-limited: only the debugger's own
 * requests queue it, at the pace of its user, and a request it does not
 * report on is lost on that user.
 */
static void bp_report_dbg(struct work_struct *work)
{
	cpumask_var_t over, full;
	int cpu, t;

	if (!zalloc_cpumask_var(&over, GFP_KERNEL))
		return;
	if (!zalloc_cpumask_var(&full, GFP_KERNEL))
		goto out;
	for (t = 0; t < TYPE_MAX; t++) {
		cpumask_clear(over);
		cpumask_clear(full);
		for_each_possible_cpu(cpu) {
			if (bp_cpu_fixed(cpu, t) + bp_task_max(cpu, t) > bp_nr_slots[t])
				cpumask_set_cpu(cpu, over);
			if (cpumask_test_and_clear_cpu(cpu, &bp_dbg_refused[t]))
				cpumask_set_cpu(cpu, full);
		}
		if (!cpumask_empty(over)) {
			pr_info("hw_breakpoint: kgdb took debug registers in use on CPU %*pbl (class %s); until it gives them back, one holder per register taken is displaced, of:\n",
				cpumask_pr_args(over), bp_class_name(t));
			bp_report_holders(NULL, t, over);
		}
		if (!cpumask_empty(full)) {
			pr_info("hw_breakpoint: kgdb: no free debug register on CPU %*pbl (class %s); held by:\n",
				cpumask_pr_args(full), bp_class_name(t));
			bp_report_holders(NULL, t, full);
		}
	}
	free_cpumask_var(full);
out:
	free_cpumask_var(over);
}

static DECLARE_WORK(bp_dbg_work, bp_report_dbg);

static void bp_dbg_irq(struct irq_work *work)
{
	schedule_work(&bp_dbg_work);
}

static DEFINE_IRQ_WORK(bp_dbg_irq_work, bp_dbg_irq);

/* Account @bp, which has passed bp_check() and is to hold a slot. */
static int bp_take_slot(struct perf_event *bp)
{
	enum bp_type_idx t = bp_class(bp->attr.bp_type);
	int ret;

	bp_lock(bp);
	ret = bp_claim(bp, t);
	if (!ret && bp->hw.target) {
		ret = rhltable_insert(&bp_task_table, &bp->hw.bp_list,
				      bp_task_params);
		if (ret)
			bp_drop(bp, t);
	}
	if (!ret)
		bp_holder_of(bp)->held = true;
	bp_unlock(bp);
	if (ret == -ENOSPC)
		bp_report_full(bp, t);
	return ret;
}

/* Account @bp if, as it is now, it holds a slot (see "Holders"). */
int reserve_bp_slot(struct perf_event *bp)
{
	int ret = bp_check(bp, bp->attr.bp_type);

	if (ret || !bp_holds_slot(bp, &bp->attr))
		return ret;
	return bp_take_slot(bp);
}

/* Give back what @bp holds, if anything: releasing twice is harmless. */
void release_bp_slot(struct perf_event *bp)
{
	struct hw_breakpoint_holder *h = bp_holder_of(bp);

	if (bp_check(bp, bp->attr.bp_type))
		return;

	bp_lock(bp);
	if (h->held) {
		if (bp->hw.target)
			rhltable_remove(&bp_task_table, &bp->hw.bp_list,
					bp_task_params);
		bp_drop(bp, bp_class(bp->attr.bp_type));
		h->held = false;
	}
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

static int bp_dbg_claim(struct perf_event *bp, bool take)
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
	if (!take) {
		atomic_sub(w, &bp_dbg_total[t]);
		atomic_sub(w, &s->dbg);
		cpumask_set_cpu(bp->cpu, &bp_dbg_refused[t]);
	}
	/* NMI-safe; the report itself needs a mutex, hence the work. */
	irq_work_queue(&bp_dbg_irq_work);
	return take ? 1 : -ENOSPC;
}

int dbg_reserve_bp_slot(struct perf_event *bp)
{
	return bp_dbg_claim(bp, false);
}

/**
 * dbg_take_bp_slot - reserve a slot for the debugger, displacing if need be
 * @bp: the debugger's CPU-bound breakpoint
 *
 * Like dbg_reserve_bp_slot(), but where no slot is free the debugger gets
 * one anyway (see "Slot accounting"): the architecture's debugger install
 * then parks the breakpoint it displaces, which gets its register back when
 * dbg_release_bp_slot() is called and the debugger's breakpoint leaves the
 * register.  The kernel log says, after the debugger resumes the machine,
 * whose registers were taken.
 *
 * Return: 0 if a slot was free, 1 if the debugger took one, or the errno
 * dbg_reserve_bp_slot() gives for a request that can never fit.
 */
int dbg_take_bp_slot(struct perf_event *bp)
{
	return bp_dbg_claim(bp, true);
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

/*
 * What the hardware can watch, and never a kernel address for
 * exclude_kernel; *@kernel tells whether @hw watches one.
 */
static int bp_decode(struct perf_event *bp, const struct perf_event_attr *attr,
		     struct arch_hw_breakpoint *hw, bool *kernel)
{
	int err = hw_breakpoint_arch_parse(bp, attr, hw);

	if (err)
		return err;
	*kernel = arch_check_bp_in_kernelspace(hw);
	return *kernel && attr->exclude_kernel ? -EINVAL : 0;
}

static int bp_parse(struct perf_event *bp, const struct perf_event_attr *attr,
		    struct arch_hw_breakpoint *hw)
{
	bool kernel;
	int err = bp_decode(bp, attr, hw, &kernel);

	if (err || !kernel)
		return err;
	/* Unprivileged breakpoints in the trap path could recurse. */
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/**
 * hw_breakpoint_validate - check breakpoint attributes without an event
 * @attr: the attributes a breakpoint would be made or changed with
 * @info: filled with the architecture's form of @attr on success
 *
 * For kernel users that must know before they act: ptrace checks every
 * slot of a DR7 write before it changes any, and kgdb decodes gdb's
 * request inside the debugger, where it cannot make an event.  The checks
 * are those every breakpoint gets, in the same order, so the errno is the
 * one registering or modifying would give; no slot is looked at, and no
 * privilege, which the caller's own path decides.  Only for architectures
 * whose hw_breakpoint_arch_parse() does not look at the event (x86).
 *
 * Return: 0, or the negative errno @attr would be refused with.
 */
int hw_breakpoint_validate(const struct perf_event_attr *attr,
			   struct arch_hw_breakpoint *info)
{
	bool kernel;

	return bp_decode(NULL, attr, info, &kernel);
}

/*
 * Breakpoints switched on and off by their user
 * ---------------------------------------------
 * Which breakpoints hold a slot, and when, is said once above enum
 * bp_hold.  Switching a user breakpoint on and off through perf costs a
 * call on the CPU the task last ran on, an IPI when that is another one,
 * for every slot of every DR7 write.  A tracee is frozen and off every
 * CPU while its tracer writes (ptrace_freeze_traced()), so
 * modify_user_hw_breakpoint_frozen() leaves perf out once the event is
 * on: a disabled user breakpoint perf still has enabled is *disarmed*,
 * scheduled in with its task but given no register (bp_pmu_add()), and
 * the tracer arms and disarms it by its attr.disabled alone.
 *
 * Multiplexing.  With the PMU's "multiplex" attribute set, a breakpoint
 * from perf_event_open() that neither it nor its group leader pins, and
 * that sends no signal, is flexible: it holds no slot at all, its ->add()
 * fails quietly when no register is free, and perf rotates it with the
 * other flexible events of its context on the PMU's mux timer.  Existing
 * users rely on "armed, or -ENOSPC" from non-pinned breakpoints (perf's own
 * tests, bpftrace, sigtrap users), hence opt-in; kernel users (ptrace, kgdb,
 * register_*_hw_breakpoint()) always pin theirs.  Inherited events keep
 * their parent's class, so flipping the switch never changes what an
 * existing event, or a fork of its task, holds.
 */
static bool bp_multiplex;

/**
 * hw_breakpoint_is_flexible - may @bp be left out of the registers?
 * @bp: a breakpoint, or NULL
 *
 * Return: true for a multiplexed breakpoint, which holds no slot.
 */
bool hw_breakpoint_is_flexible(struct perf_event *bp)
{
	return bp && bp_is_flexible(bp);
}

/* A user breakpoint perf has scheduled in while its user has it off. */
static bool bp_disarmed(struct perf_event *bp)
{
	return bp_holder_of(bp)->hold == BP_HOLD_WHILE_ENABLED && bp->attr.disabled;
}

static bool bp_wants_flexible(struct perf_event *bp)
{
	if (bp->parent)
		return bp_is_flexible(bp->parent);
	return arch_hw_breakpoint_can_multiplex() && READ_ONCE(bp_multiplex) &&
	       !bp->group_leader->attr.pinned && !bp->attr.sigtrap;
}

/*
 * perf gives event_init nothing that tells the events the core makes for
 * ptrace and the debugger from others, and their ->hold must be known
 * there, before they could take a slot: the task making one is listed
 * here meanwhile.  The lock only guards the list, never the making: CPU
 * hotplug makes kgdb's events with the hotplug lock held, and perf may
 * take that lock while it makes ptrace's.
 */
struct bp_maker {
	struct list_head	node;
	struct task_struct	*task;
};

static LIST_HEAD(bp_makers);
static DEFINE_SPINLOCK(bp_makers_lock);

static bool bp_made_switched(void)
{
	struct bp_maker *m;
	bool found = false;

	/* Only current's own entry counts, and current listed it itself. */
	if (list_empty(&bp_makers))
		return false;

	spin_lock(&bp_makers_lock);
	list_for_each_entry(m, &bp_makers, node) {
		if (m->task == current) {
			found = true;
			break;
		}
	}
	spin_unlock(&bp_makers_lock);
	return found;
}

static enum bp_hold bp_hold_of_new(struct perf_event *bp)
{
	if (bp_made_switched())
		return BP_HOLD_WHILE_ENABLED;
	return bp_wants_flexible(bp) ? BP_HOLD_NEVER : BP_HOLD_ALWAYS;
}

/* Kernel users get pinned breakpoints, however they filled in @attr. */
static struct perf_event *bp_create_pinned(struct perf_event_attr *attr, int cpu,
					   struct task_struct *tsk,
					   perf_overflow_handler_t triggered,
					   void *context)
{
	struct perf_event_attr pinned = *attr;

	pinned.pinned = 1;
	return perf_event_create_kernel_counter(&pinned, cpu, tsk, triggered,
						context);
}

/* A pinned breakpoint that holds a slot only while enabled. */
static struct perf_event *bp_create_switched(struct perf_event_attr *attr,
					     int cpu, struct task_struct *tsk,
					     perf_overflow_handler_t triggered,
					     void *context)
{
	struct bp_maker me = { .task = current };
	struct perf_event *bp;

	spin_lock(&bp_makers_lock);
	list_add(&me.node, &bp_makers);
	spin_unlock(&bp_makers_lock);

	bp = bp_create_pinned(attr, cpu, tsk, triggered, context);

	spin_lock(&bp_makers_lock);
	list_del(&me.node);
	spin_unlock(&bp_makers_lock);
	return bp;
}

/* Reserve for @bp as if it already had @attr's type and length. */
static int bp_reserve_as(struct perf_event *bp, const struct perf_event_attr *attr)
{
	u64 type = bp->attr.bp_type, len = bp->attr.bp_len;
	int err;

	bp->attr.bp_type = attr->bp_type;
	bp->attr.bp_len = attr->bp_len;
	err = bp_check(bp, bp->attr.bp_type);
	if (!err)
		err = bp_take_slot(bp);
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

	return bp_create_switched(attr, any_cpu, tsk, triggered, context);
}
EXPORT_SYMBOL_GPL(register_user_hw_breakpoint);

/**
 * register_dbg_hw_breakpoint_cpu - create a kernel debugger's breakpoint
 * @attr: breakpoint attributes; the breakpoint is made disabled
 * @cpu: the CPU
 *
 * The event holds no slot and perf never schedules it: the debugger
 * reserves one with dbg_reserve_bp_slot() or dbg_take_bp_slot() while it
 * uses the breakpoint, and installs it itself.  So making it needs no free
 * register, and a CPU coming online gets the debugger's events whatever
 * the breakpoints of the tasks hold.
 *
 * Return: the event, or an ERR_PTR().
 */
struct perf_event *register_dbg_hw_breakpoint_cpu(struct perf_event_attr *attr,
						  int cpu)
{
	struct perf_event_attr off = *attr;

	off.disabled = 1;
	return bp_create_switched(&off, cpu, NULL, NULL, NULL);
}

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
 * modify_user_hw_breakpoint_frozen - change a breakpoint of a frozen task
 * @bp: a breakpoint from register_user_hw_breakpoint()
 * @attr: its new attributes
 *
 * As modify_user_hw_breakpoint(), for a caller that keeps @bp's task
 * frozen and off every CPU throughout, as ptrace does with its tracee: the
 * task's events are scheduled out and stay out, so @bp changes in place.
 * See "Which breakpoints hold a slot".
 *
 * Return: 0 or a negative errno; on error @bp is unchanged.
 */
int modify_user_hw_breakpoint_frozen(struct perf_event *bp,
				     struct perf_event_attr *attr)
{
	int err = modify_user_hw_breakpoint_check(bp, attr, false);

	/* Made disabled, perf has it off until it is first armed. */
	if (!err && !bp->attr.disabled &&
	    READ_ONCE(bp->state) < PERF_EVENT_STATE_INACTIVE)
		perf_event_enable(bp);
	return err;
}

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
	return bp_create_pinned(attr, cpu, NULL, triggered, context);
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

#ifdef CONFIG_DEBUG_FS
/*
 * /sys/kernel/debug/hw_breakpoint/: "holders", one line per breakpoint that
 * holds or shares a register, and "slots", the accounting per CPU and
 * class.  Root only; see Documentation/core-api/hw-breakpoint-core.rst.
 */
static int bp_holders_show(struct seq_file *m, void *unused)
{
	struct bp_holder_bucket *b;
	struct hw_breakpoint_holder *h;

	seq_puts(m, "kind\tclass\tpinned\tcpu\twho\ttype\tlen\taddress\tin_register\n");
	for (b = bp_holder_buckets; b < bp_holder_buckets + (1 << BP_HOLDER_BITS); b++) {
		mutex_lock(&b->lock);
		list_for_each_entry(h, &b->list, node) {
			struct perf_event *e = bp_of_holder(h);
			char who[KSYM_SYMBOL_LEN];
			int state = READ_ONCE(e->state), oncpu = READ_ONCE(e->oncpu);

			if (h->hold != BP_HOLD_NEVER && !READ_ONCE(h->held))
				continue;
			bp_who(h, who, sizeof(who));
			seq_printf(m, "%s\t%s\t%s\t", bp_kind_name(h),
				   bp_class_name(bp_class(e->attr.bp_type)),
				   h->hold == BP_HOLD_NEVER ? "flexible" : "pinned");
			if (e->cpu >= 0)
				seq_printf(m, "%d", e->cpu);
			else
				seq_puts(m, "all");
			seq_printf(m, "\t%s\t%s\t%llu\t", who,
				   bp_type_name(e->attr.bp_type), e->attr.bp_len);
			if (arch_check_bp_in_kernelspace(counter_arch_bp(e)))
				seq_printf(m, "%pS", (void *)(unsigned long)e->attr.bp_addr);
			else
				seq_printf(m, "0x%llx", e->attr.bp_addr);
			if (state != PERF_EVENT_STATE_ACTIVE || oncpu < 0)
				seq_puts(m, "\tno\n");
			else if (arch_hw_breakpoint_in_register(e, oncpu))
				seq_printf(m, "\tcpu%d\n", oncpu);
			else
				seq_printf(m, "\tparked%d\n", oncpu);
		}
		mutex_unlock(&b->lock);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bp_holders);

static int bp_slots_show(struct seq_file *m, void *unused)
{
	int cpu, t;

	seq_printf(m, "multiplex\t%d\n", READ_ONCE(bp_multiplex));
	seq_puts(m, "cpu\tclass\tslots\tbound\ttask_max\tdbg\tfree\n");
	for_each_possible_cpu(cpu) {
		for (t = 0; t < TYPE_MAX; t++) {
			struct bp_cpu_slots *s = bp_slots_of(cpu, t);
			int bound = bp_bound_weight(s), dbg = atomic_read(&s->dbg);
			int task = bp_task_max(cpu, t);

			seq_printf(m, "%d\t%s\t%d\t%d\t%d\t%d\t%d\n", cpu,
				   bp_class_name(t), bp_nr_slots[t], bound, task,
				   dbg, bp_nr_slots[t] - bound - task - dbg);
		}
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bp_slots);

static int __init bp_debugfs_init(void)
{
	struct dentry *dir;

	if (!bp_ready)
		return 0;
	dir = debugfs_create_dir("hw_breakpoint", NULL);
	debugfs_create_file("holders", 0400, dir, NULL, &bp_holders_fops);
	debugfs_create_file("slots", 0400, dir, NULL, &bp_slots_fops);
	return 0;
}
late_initcall(bp_debugfs_init);
#endif

#if IS_ENABLED(CONFIG_HW_BREAKPOINT_KUNIT_TEST)
int hw_breakpoint_slots_used(int cpu, enum bp_type_idx type)
{
	return bp_cpu_fixed(cpu, type) + bp_task_max(cpu, type);
}
EXPORT_SYMBOL_IF_KUNIT(hw_breakpoint_slots_used);

int hw_breakpoint_set_multiplex(bool on)
{
	if (!arch_hw_breakpoint_can_multiplex())
		return -EOPNOTSUPP;
	WRITE_ONCE(bp_multiplex, on);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hw_breakpoint_set_multiplex);

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
	mutex_lock(&bp_bucket_of(bp)->lock);
	list_del(&bp_holder_of(bp)->node);
	mutex_unlock(&bp_bucket_of(bp)->lock);
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

	bp_holder_of(bp)->hold = bp_hold_of_new(bp);
	err = register_perf_hw_breakpoint(bp);
	if (err)
		return err;
	mutex_lock(&bp_bucket_of(bp)->lock);
	list_add_tail(&bp_holder_of(bp)->node, &bp_bucket_of(bp)->list);
	mutex_unlock(&bp_bucket_of(bp)->lock);
	bp->destroy = bp_event_destroy;
	return 0;
}

/*
 * Flexible breakpoints in this CPU's registers, per class.  Only this CPU
 * touches its counts, from ->add() and ->del() with interrupts off.
 */
static DEFINE_PER_CPU(int, bp_flexible_in[TYPE_MAX]);

/*
 * A flexible breakpoint may take a register only if every accounted one
 * that can be scheduled here still finds one, those of the task running
 * now included:
 *
 *   flexible_in(c) + w + bound(c) + own(current, c) + dbg(c) <= slots(t)
 *
 * perf schedules some accounted breakpoints (non-pinned sigtrap ones, and
 * those made while multiplexing was off) in its flexible pass, in rotation
 * order, where a flexible one could otherwise come first.  A claim made
 * while flexible breakpoints are in the registers (a new event of the
 * running task, the debugger) can still find them all taken: the
 * architecture then parks a flexible one to make room.
 */
static bool bp_flexible_fits(struct perf_event *bp)
{
	enum bp_type_idx t = bp_class(bp->attr.bp_type);
	int cpu = smp_processor_id();
	struct bp_tally tl;

	bp_tally(current, NULL, t, cpu, &tl);
	return __this_cpu_read(bp_flexible_in[t]) + bp_weight(bp) +
	       bp_cpu_fixed(cpu, t) + tl.all + tl.here <= bp_nr_slots[t];
}

static void bp_pmu_del(struct perf_event *bp, int flags)
{
	arch_uninstall_hw_breakpoint(bp);
	if (bp_is_flexible(bp))
		__this_cpu_sub(bp_flexible_in[bp_class(bp->attr.bp_type)],
			       bp_weight(bp));
}

static int bp_pmu_add(struct perf_event *bp, int flags)
{
	struct hw_perf_event *hwc = &bp->hw;
	int err;

	if (is_sampling_event(bp)) {
		hwc->last_period = hwc->sample_period;
		perf_swevent_set_period(bp);
	}
	hwc->state = (flags & PERF_EF_START) ? hwc->state : PERF_HES_STOPPED;
	/* See "Breakpoints switched on and off by their user". */
	if (bp_disarmed(bp))
		return 0;
	/* The architecture warns if one that was promised a register got none. */
	if (!bp_is_flexible(bp))
		return arch_install_hw_breakpoint(bp);

	/* Quietly: perf rotates the flexible ones that did not fit. */
	if (!bp_flexible_fits(bp))
		return -EBUSY;
	err = arch_install_hw_breakpoint(bp);
	if (!err)
		__this_cpu_add(bp_flexible_in[bp_class(bp->attr.bp_type)],
			       bp_weight(bp));
	return err;
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

static ssize_t multiplex_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(bp_multiplex));
}

static ssize_t multiplex_store(struct device *dev, struct device_attribute *attr,
			       const char *buf, size_t count)
{
	bool on;
	int err = kstrtobool(buf, &on);

	if (err)
		return err;
	WRITE_ONCE(bp_multiplex, on);
	return count;
}
static DEVICE_ATTR_RW(multiplex);

/* Only where a full register file makes ->add() fail quietly. */
static umode_t bp_pmu_attr_visible(struct kobject *kobj, struct attribute *attr,
				   int n)
{
	return arch_hw_breakpoint_can_multiplex() ? attr->mode : 0;
}

static struct attribute *bp_pmu_attrs[] = {
	&dev_attr_multiplex.attr,
	NULL
};

static const struct attribute_group bp_pmu_group = {
	.attrs		= bp_pmu_attrs,
	.is_visible	= bp_pmu_attr_visible,
};

static const struct attribute_group *bp_pmu_groups[] = {
	&bp_pmu_group,
	NULL
};

/* Scheduled with the software events of a task. */
static struct pmu bp_pmu = {
	.event_init = bp_event_init, .task_ctx_nr = perf_sw_context,
	.add = bp_pmu_add, .del = bp_pmu_del,
	.start = bp_pmu_start, .stop = bp_pmu_stop,
	.read = hw_breakpoint_pmu_read,
	.attr_groups = bp_pmu_groups,
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
	for (i = 0; i < ARRAY_SIZE(bp_holder_buckets); i++) {
		mutex_init(&bp_holder_buckets[i].lock);
		INIT_LIST_HEAD(&bp_holder_buckets[i].list);
	}

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
