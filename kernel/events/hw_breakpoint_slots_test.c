// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the invariants of breakpoint slot accounting: exact
 * ENOSPC boundaries for every mix of CPU-bound, task-on-one-CPU and
 * task-on-all-CPUs breakpoints, modify keeping its slot, the lockless
 * debugger reservations, register classes kept apart, and exact zero after
 * concurrent churn.
 *
 * Only the generic interfaces are used, and every case scales to the number
 * of slots hw_breakpoint_slots() reports, down to a single one (powerpc
 * with one DAWR).
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/hw_breakpoint.h>
#include <linux/kthread.h>
#include <linux/perf_event.h>
#include <linux/random.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "hw_breakpoint_internal.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define MAX_BPS		80
/* The most any architecture has in one class (arm64: 16). */
#define MAX_SLOTS	16

/*
 * The breakpoints are here to be counted, not to fire.  They watch user
 * addresses that nothing runs or touches while the suite runs: arm64
 * refuses a task breakpoint on a kernel address (it could not step over
 * it), user addresses are accepted for every kind everywhere.
 */
#define TEST_ADDR(i)	(0x10000UL + 8 * (unsigned long)(i))

/* A kernel address, only for the request that must be refused. */
static char kernel_var;

struct slots_ctx {
	struct perf_event	*bps[MAX_BPS];
	struct task_struct	*idle[2];
	int			slots;
	int			cpu[3];
};

/* An instruction (HW_BREAKPOINT_X) or a data breakpoint of @type. */
static void set_type(struct perf_event_attr *attr, u32 type)
{
	attr->bp_type = type;
	/* What perf asks for an instruction breakpoint on every architecture */
	attr->bp_len = type == HW_BREAKPOINT_X ? sizeof(long) : HW_BREAKPOINT_LEN_1;
}

static struct perf_event *make_bp_as(int cpu, struct task_struct *tsk, int var,
				     u32 type)
{
	struct perf_event_attr attr;

	hw_breakpoint_init(&attr);
	set_type(&attr, type);
	attr.bp_addr = TEST_ADDR(var);
	return perf_event_create_kernel_counter(&attr, cpu, tsk, NULL, NULL);
}

static struct perf_event *make_bp(int cpu, struct task_struct *tsk, int var)
{
	return make_bp_as(cpu, tsk, var, HW_BREAKPOINT_W);
}

/* Register into the first free entry: 0, or the errno of the failure. */
static int add_bp_as(struct kunit *test, int cpu, struct task_struct *tsk,
		     u32 type)
{
	struct slots_ctx *ctx = test->priv;
	struct perf_event *bp;
	int i;

	for (i = 0; i < MAX_BPS && ctx->bps[i]; i++)
		;
	KUNIT_ASSERT_LT(test, i, MAX_BPS);

	bp = make_bp_as(cpu, tsk, i, type);
	if (IS_ERR(bp))
		return PTR_ERR(bp);
	KUNIT_ASSERT_NOT_NULL(test, bp);
	ctx->bps[i] = bp;
	return 0;
}

static int add_bp(struct kunit *test, int cpu, struct task_struct *tsk)
{
	return add_bp_as(test, cpu, tsk, HW_BREAKPOINT_W);
}

static int add_x(struct kunit *test, int cpu, struct task_struct *tsk)
{
	return add_bp_as(test, cpu, tsk, HW_BREAKPOINT_X);
}

static void add_bps(struct kunit *test, int n, int cpu, struct task_struct *tsk)
{
	while (n-- > 0)
		KUNIT_ASSERT_EQ(test, add_bp(test, cpu, tsk), 0);
}

static void add_xs(struct kunit *test, int n, int cpu, struct task_struct *tsk)
{
	while (n-- > 0)
		KUNIT_ASSERT_EQ(test, add_x(test, cpu, tsk), 0);
}

static void del_bp(struct slots_ctx *ctx, int i)
{
	unregister_hw_breakpoint(ctx->bps[i]);
	ctx->bps[i] = NULL;
}

/* Delete the most recently added breakpoint. */
static void del_last(struct slots_ctx *ctx)
{
	int i = MAX_BPS;

	while (--i >= 0) {
		if (ctx->bps[i]) {
			del_bp(ctx, i);
			return;
		}
	}
}

static int used(int cpu)
{
	return hw_breakpoint_slots_used(cpu, TYPE_DATA);
}

static int used_inst(int cpu)
{
	return hw_breakpoint_slots_used(cpu, TYPE_INST);
}

static int idle_fn(void *unused)
{
	return 0;
}

/* A task that never runs: breakpoints for it are only ever accounted. */
static struct task_struct *idle_target(struct kunit *test, int n)
{
	struct slots_ctx *ctx = test->priv;

	if (!ctx->idle[n]) {
		struct task_struct *t = kthread_create(idle_fn, NULL,
						       "hwbp_slots_idle/%d", n);

		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		ctx->idle[n] = t;
	}
	return ctx->idle[n];
}

static void cpu_bound_fills_exactly_slots_per_cpu(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	int n = ctx->slots;

	add_bps(test, n, ctx->cpu[0], NULL);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, idle_target(test, 0)), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], idle_target(test, 0)),
			-ENOSPC);

	/* Another CPU is unaffected. */
	add_bps(test, n, ctx->cpu[1], NULL);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[1]), n);

	/* One freed slot is usable again, once. */
	del_last(ctx);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[1]), n - 1);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], NULL), 0);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], NULL), -ENOSPC);
}

static void task_on_one_cpu_counts_the_max_over_tasks(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	struct task_struct *t0 = idle_target(test, 0), *t1 = idle_target(test, 1);
	int n = ctx->slots;

	add_bps(test, n, ctx->cpu[0], t0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[1]), 0);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], t0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, t0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);

	/* Tasks do not add up; t0 still has all of the other CPU. */
	add_bps(test, n, ctx->cpu[0], t1);
	add_bps(test, n, ctx->cpu[1], t0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[1]), n);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], t0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], NULL), -ENOSPC);

	/* t1 has nothing on the other CPU yet. */
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], t1), 0);
}

static void task_on_all_cpus_uses_a_slot_everywhere(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	struct task_struct *t0 = idle_target(test, 0), *t1 = idle_target(test, 1);
	int n = ctx->slots, cpu;

	add_bps(test, n, -1, t0);
	for_each_possible_cpu(cpu)
		KUNIT_EXPECT_EQ(test, used(cpu), n);
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, t0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], t0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], NULL), -ENOSPC);

	add_bps(test, n, -1, t1);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], t1), -ENOSPC);

	/* Releasing one of t0's frees nothing: t1 still needs all of them. */
	del_bp(ctx, 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], t0), 0);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], t0), 0);
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, t0), -ENOSPC);
}

static void mixed_kinds_meet_exactly_at_slots(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	struct task_struct *t0 = idle_target(test, 0), *t1 = idle_target(test, 1);
	int n = ctx->slots;

	/* 1 CPU-bound on cpu0 + (n - 1) all-CPU for t0: cpu0 is full. */
	add_bps(test, 1, ctx->cpu[0], NULL);
	add_bps(test, n - 1, -1, t0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[1]), n - 1);
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, t0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], t0), -ENOSPC);

	/* cpu1 has exactly one left: for t0 bound there ... */
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], t0), 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[1]), n);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], t0), -ENOSPC);

	/*
	 * ... and for t1 with n - 1 bound there plus one everywhere; with a
	 * single slot, cpu0's CPU-bound one leaves t1 nothing everywhere.
	 */
	add_bps(test, n - 1, ctx->cpu[1], t1);
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, t1), n > 1 ? 0 : -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, t1), -ENOSPC);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);

	/* A third CPU still has one slot for a CPU-bound breakpoint. */
	if (ctx->cpu[2] >= 0) {
		KUNIT_EXPECT_EQ(test, used(ctx->cpu[2]), n - 1);
		KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[2], NULL), 0);
		KUNIT_EXPECT_EQ(test, used(ctx->cpu[2]), n);
		KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[2], NULL), -ENOSPC);
	}
}

static void modify_address_keeps_the_slot(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	struct perf_event_attr attr;
	struct perf_event *bp;
	int n = ctx->slots;

	add_bps(test, n, ctx->cpu[0], NULL);
	bp = ctx->bps[0];

	attr = bp->attr;
	attr.bp_addr = TEST_ADDR(MAX_BPS);
	KUNIT_EXPECT_EQ(test, modify_user_hw_breakpoint(bp, &attr), 0);
	KUNIT_EXPECT_EQ(test, bp->attr.bp_addr, attr.bp_addr);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);

	/* A type in the same register class keeps it too. */
	attr.bp_type = HW_BREAKPOINT_RW;
	attr.bp_len = HW_BREAKPOINT_LEN_2;
	KUNIT_EXPECT_EQ(test, modify_user_hw_breakpoint(bp, &attr), 0);
	KUNIT_EXPECT_EQ(test, bp->attr.bp_type, HW_BREAKPOINT_RW);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);

	/* The same for a task breakpoint on all CPUs, in the last one's place. */
	del_last(ctx);
	KUNIT_ASSERT_EQ(test, add_bp(test, -1, idle_target(test, 0)), 0);
	bp = ctx->bps[n - 1];
	attr = bp->attr;
	attr.bp_addr += 8;
	KUNIT_EXPECT_EQ(test, modify_user_hw_breakpoint(bp, &attr), 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[1]), 1);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);
}

/* What ptrace does: addresses first, disabled, then enable through DR7. */
static void disabled_user_bps_hold_no_slot(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	struct task_struct *tsk = idle_target(test, 0);
	struct perf_event_attr attr;
	int i, n = ctx->slots, cpu = ctx->cpu[0];

	for (i = 0; i < n; i++) {
		hw_breakpoint_init(&attr);
		attr.bp_type = HW_BREAKPOINT_W;
		attr.bp_len = HW_BREAKPOINT_LEN_1;
		attr.bp_addr = TEST_ADDR(i);
		attr.disabled = 1;
		ctx->bps[i] = register_user_hw_breakpoint(&attr, NULL, NULL, tsk);
		KUNIT_ASSERT_FALSE(test, IS_ERR(ctx->bps[i]));
	}
	KUNIT_EXPECT_EQ(test, used(cpu), 0);
	add_bps(test, n, cpu, NULL);

	/* Enabling needs a free slot, and failing leaves it disabled. */
	attr = ctx->bps[0]->attr;
	attr.disabled = 0;
	KUNIT_EXPECT_EQ(test, modify_user_hw_breakpoint(ctx->bps[0], &attr), -ENOSPC);
	KUNIT_EXPECT_TRUE(test, ctx->bps[0]->attr.disabled);
	KUNIT_EXPECT_EQ(test, used(cpu), n);

	del_last(ctx);
	KUNIT_EXPECT_EQ(test, modify_user_hw_breakpoint(ctx->bps[0], &attr), 0);
	KUNIT_EXPECT_EQ(test, used(cpu), n);
	KUNIT_EXPECT_EQ(test, add_bp(test, cpu, NULL), -ENOSPC);

	/* Disabling gives it back; changing a disabled one takes nothing. */
	attr.disabled = 1;
	KUNIT_EXPECT_EQ(test, modify_user_hw_breakpoint(ctx->bps[0], &attr), 0);
	KUNIT_EXPECT_EQ(test, used(cpu), n - 1);
	attr.bp_addr += 8;
	KUNIT_EXPECT_EQ(test, modify_user_hw_breakpoint(ctx->bps[0], &attr), 0);
	KUNIT_EXPECT_EQ(test, used(cpu), n - 1);
	KUNIT_EXPECT_EQ(test, add_bp(test, cpu, NULL), 0);
}

static void failed_modify_leaves_the_old_bp(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	struct arch_hw_breakpoint info;
	struct perf_event_attr old, attr;
	struct perf_event *bp;
	int n = ctx->slots;

	add_bps(test, n, ctx->cpu[0], NULL);
	bp = ctx->bps[n - 1];
	old = bp->attr;
	/* Whatever the architecture keeps there, byte for byte */
	memcpy(&info, counter_arch_bp(bp), sizeof(info));

	/* A length no architecture has. */
	attr = old;
	attr.bp_addr += 16;
	attr.bp_len = 0;
	KUNIT_EXPECT_EQ(test, modify_user_hw_breakpoint(bp, &attr), -EINVAL);

	/* A change to an attribute that cannot change on a live event. */
	attr = old;
	attr.bp_type = HW_BREAKPOINT_RW;
	attr.exclude_user = !old.exclude_user;
	KUNIT_EXPECT_EQ(test, modify_user_hw_breakpoint_check(bp, &attr, true),
			-EINVAL);

	/* No breakpoint type at all. */
	attr = old;
	attr.bp_type = HW_BREAKPOINT_EMPTY;
	KUNIT_EXPECT_LT(test, modify_user_hw_breakpoint(bp, &attr), 0);

	KUNIT_EXPECT_EQ(test, memcmp(&bp->attr, &old, sizeof(old)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(counter_arch_bp(bp), &info, sizeof(info)), 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);

	/* It is still a working, releasable breakpoint. */
	del_bp(ctx, n - 1);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n - 1);
}

/* A non-pinned perf breakpoint, as perf_event_open() makes one by default. */
static int add_flexible(struct kunit *test, int i, int cpu,
			struct task_struct *tsk)
{
	struct slots_ctx *ctx = test->priv;
	struct perf_event_attr attr;
	struct perf_event *bp;

	hw_breakpoint_init(&attr);
	attr.pinned = 0;
	attr.bp_type = HW_BREAKPOINT_W;
	attr.bp_len = HW_BREAKPOINT_LEN_1;
	attr.bp_addr = TEST_ADDR(i);
	bp = perf_event_create_kernel_counter(&attr, cpu, tsk, NULL, NULL);
	if (IS_ERR(bp))
		return PTR_ERR(bp);
	ctx->bps[i] = bp;
	return 0;
}

static void flexible_bps_are_pinned_while_multiplexing_is_off(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	int n = ctx->slots, i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, add_flexible(test, i, i ? ctx->cpu[0] : -1,
						   i ? NULL : idle_target(test, 0)), 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[1]), 1);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], idle_target(test, 1)),
			0);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], idle_target(test, 0)),
			-ENOSPC);
}

static void multiplex_on(struct kunit *test)
{
	if (hw_breakpoint_set_multiplex(true))
		kunit_skip(test, "no breakpoint multiplexing on this architecture");
}

static void flexible_bps_hold_no_slot_and_never_block_pinned(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	int n = ctx->slots, i;

	multiplex_on(test);
	/* Twice the registers, task and CPU-bound: none of them counts. */
	for (i = 0; i < 2 * n; i++)
		KUNIT_ASSERT_EQ(test, add_flexible(test, i, i % 2 ? ctx->cpu[0] : -1,
						   i % 2 ? NULL : idle_target(test, 0)), 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), 0);
	KUNIT_EXPECT_FALSE(test, hw_breakpoint_is_used());

	/* Pinned ones still get every register, and not one more. */
	add_bps(test, n - 1, ctx->cpu[0], NULL);
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, idle_target(test, 0)), 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, idle_target(test, 0)), -ENOSPC);
}

static void kernel_api_bps_are_pinned_whatever_the_attr_says(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	struct perf_event_attr attr;
	struct perf_event *bp;

	multiplex_on(test);
	hw_breakpoint_init(&attr);
	attr.pinned = 0;
	attr.bp_type = HW_BREAKPOINT_W;
	attr.bp_len = HW_BREAKPOINT_LEN_1;
	attr.bp_addr = TEST_ADDR(0);
	bp = register_wide_hw_breakpoint_cpu(&attr, NULL, NULL, ctx->cpu[0]);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bp));
	ctx->bps[0] = bp;
	KUNIT_EXPECT_FALSE(test, hw_breakpoint_is_flexible(bp));
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), 1);
	if (ctx->slots < 2)
		return;

	attr.bp_addr = TEST_ADDR(1);
	bp = register_user_hw_breakpoint(&attr, NULL, NULL, idle_target(test, 0));
	KUNIT_ASSERT_FALSE(test, IS_ERR(bp));
	ctx->bps[1] = bp;
	KUNIT_EXPECT_FALSE(test, hw_breakpoint_is_flexible(bp));
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), 2);
}

static void bad_requests_fail_and_leak_nothing(struct kunit *test)
{
	struct perf_event_attr attr;
	struct perf_event *bp;
	int cpu;

	hw_breakpoint_init(&attr);
	attr.bp_addr = TEST_ADDR(0);
	attr.bp_len = HW_BREAKPOINT_LEN_1;

	attr.bp_type = HW_BREAKPOINT_EMPTY;
	bp = perf_event_create_kernel_counter(&attr, 0, NULL, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bp), -EINVAL);

	attr.bp_type = HW_BREAKPOINT_INVALID;
	bp = perf_event_create_kernel_counter(&attr, -1, current, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bp), -EINVAL);

	/* Admitted by the accounting, refused by every architecture. */
	attr.bp_type = HW_BREAKPOINT_W;
	attr.bp_len = 0;
	bp = perf_event_create_kernel_counter(&attr, 0, NULL, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bp), -EINVAL);

	/* A kernel address for a user-only breakpoint. */
	attr.bp_addr = (unsigned long)&kernel_var;
	attr.bp_len = HW_BREAKPOINT_LEN_1;
	attr.exclude_kernel = 1;
	bp = perf_event_create_kernel_counter(&attr, -1, current, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bp), -EINVAL);

	KUNIT_EXPECT_FALSE(test, hw_breakpoint_is_used());
	for_each_possible_cpu(cpu)
		KUNIT_EXPECT_EQ(test, used(cpu), 0);
}

/* What kgdb hands to dbg_reserve_bp_slot(): a CPU-bound, task-less event. */
static struct perf_event *dbg_bp(struct kunit *test, int cpu)
{
	struct perf_event *bp = kunit_kzalloc(test, sizeof(*bp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bp);
	bp->cpu = cpu;
	bp->attr.type = PERF_TYPE_BREAKPOINT;
	bp->attr.bp_type = HW_BREAKPOINT_W;
	bp->attr.bp_len = HW_BREAKPOINT_LEN_1;
	return bp;
}

struct blocker {
	struct completion	held;
	struct completion	go;
};

static int blocker_fn(void *arg)
{
	struct blocker *b = arg;

	hw_breakpoint_block_updaters();
	complete(&b->held);
	wait_for_completion(&b->go);
	hw_breakpoint_unblock_updaters();
	return 0;
}

static void dbg_reserve_works_while_updaters_are_blocked(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	struct perf_event *bp = dbg_bp(test, ctx->cpu[0]);
	struct task_struct *t0 = idle_target(test, 0);
	struct task_struct *thread;
	struct blocker b;
	/* Updaters of both kinds hold a slot, if there are that many. */
	int n = ctx->slots, bound = n > 1, task = n > 2;
	int dbg = n - bound - task, i;

	add_bps(test, bound, ctx->cpu[0], NULL);
	add_bps(test, task, -1, t0);

	init_completion(&b.held);
	init_completion(&b.go);
	thread = kthread_run(blocker_fn, &b, "hwbp_slots_blocker");
	KUNIT_ASSERT_FALSE(test, IS_ERR(thread));
	get_task_struct(thread);
	wait_for_completion(&b.held);

	for (i = 0; i < dbg; i++)
		KUNIT_EXPECT_EQ(test, dbg_reserve_bp_slot(bp), 0);
	KUNIT_EXPECT_NE(test, dbg_reserve_bp_slot(bp), 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[1]), task);

	for (i = 0; i < dbg; i++)
		KUNIT_EXPECT_EQ(test, dbg_release_bp_slot(bp), 0);
	/* Nothing left to release: refused, and nothing goes negative. */
	KUNIT_EXPECT_NE(test, dbg_release_bp_slot(bp), 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n - dbg);

	complete(&b.go);
	kthread_stop_put(thread);

	/* The blocked updaters were not disturbed. */
	add_bps(test, dbg, ctx->cpu[0], NULL);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
}

static void dbg_slots_count_against_every_kind(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	struct perf_event *bp = dbg_bp(test, ctx->cpu[0]);
	struct task_struct *t0 = idle_target(test, 0), *t1 = idle_target(test, 1);
	int n = ctx->slots, i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, dbg_reserve_bp_slot(bp), 0);
	KUNIT_EXPECT_NE(test, dbg_reserve_bp_slot(bp), 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_TRUE(test, hw_breakpoint_is_used());

	/* No updater of any kind gets a slot the debugger holds ... */
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, t0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], t0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);
	/* ... and the other CPUs are not the debugger's. */
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], t0), 0);

	/* A task-bound event is not the debugger's. */
	KUNIT_EXPECT_EQ(test, dbg_reserve_bp_slot(ctx->bps[0]), -EINVAL);

	/* A slot it gives back is an updater's again, once. */
	KUNIT_EXPECT_EQ(test, dbg_release_bp_slot(bp), 0);
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, t1), 0);
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, t1), -ENOSPC);
	KUNIT_EXPECT_NE(test, dbg_reserve_bp_slot(bp), 0);

	for (i = 0; i < n - 1; i++)
		KUNIT_EXPECT_EQ(test, dbg_release_bp_slot(bp), 0);
	KUNIT_EXPECT_NE(test, dbg_release_bp_slot(bp), 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), 1);
}

/*
 * kgdb's take_registers: past a full CPU the debugger still gets its slot,
 * and until it gives it back no updater gets one there; elsewhere, and once
 * it has, the accounting is exactly what it was.
 */
static void dbg_take_overcommits_only_its_cpu_until_released(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	struct perf_event *bp = dbg_bp(test, ctx->cpu[0]);
	struct task_struct *t0 = idle_target(test, 0);
	int n = ctx->slots;

	/* A free slot is taken like a reserved one: nobody is displaced. */
	add_bps(test, n - 1, ctx->cpu[0], NULL);
	KUNIT_EXPECT_EQ(test, dbg_take_bp_slot(bp), 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, dbg_release_bp_slot(bp), 0);

	add_bps(test, 1, ctx->cpu[0], NULL);
	KUNIT_EXPECT_EQ(test, dbg_reserve_bp_slot(bp), -ENOSPC);
	KUNIT_EXPECT_EQ(test, dbg_take_bp_slot(bp), 1);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n + 1);

	/* Over the limit: no kind of updater fits on that CPU ... */
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, t0), -ENOSPC);
	/* ... not even where one of the displaced gives its slot back ... */
	del_last(ctx);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);
	/* ... and the other CPUs are untouched. */
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[1], t0), 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[1]), 1);

	/* Given back, the slot is an updater's again, once. */
	KUNIT_EXPECT_EQ(test, dbg_release_bp_slot(bp), 0);
	KUNIT_EXPECT_EQ(test, used(ctx->cpu[0]), n - 1);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), 0);
	KUNIT_EXPECT_EQ(test, add_bp(test, ctx->cpu[0], NULL), -ENOSPC);
	KUNIT_EXPECT_NE(test, dbg_release_bp_slot(bp), 0);
}

/* Give everything back, the debugger's @held slots too: nothing may stay. */
static void release_all_and_check(struct kunit *test, struct perf_event *dbg,
				  int held)
{
	struct slots_ctx *ctx = test->priv;
	int i, cpu;

	KUNIT_EXPECT_TRUE(test, hw_breakpoint_is_used());
	for (i = 0; i < MAX_BPS; i++) {
		if (ctx->bps[i])
			del_bp(ctx, i);
	}
	KUNIT_EXPECT_EQ(test, hw_breakpoint_is_used(), held > 0);
	while (held-- > 0)
		KUNIT_EXPECT_EQ(test, dbg_release_bp_slot(dbg), 0);
	KUNIT_EXPECT_FALSE(test, hw_breakpoint_is_used());
	for_each_possible_cpu(cpu) {
		KUNIT_EXPECT_EQ(test, used(cpu), 0);
		KUNIT_EXPECT_EQ(test, used_inst(cpu), 0);
	}
}

static void all_released_means_unused(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	struct perf_event *dbg = dbg_bp(test, ctx->cpu[1]);
	struct task_struct *t0 = idle_target(test, 0), *t1 = idle_target(test, 1);
	int n = ctx->slots;

	/*
	 * Every kind of holder at once, which takes three slots on cpu1;
	 * with fewer, each group is given back before the next one comes.
	 */
	add_bps(test, 1, ctx->cpu[0], NULL);
	add_bps(test, 1, ctx->cpu[1], t0);
	add_bps(test, 1, ctx->cpu[1], t1);
	if (n < 2)
		release_all_and_check(test, dbg, 0);

	add_bps(test, 1, -1, t0);
	add_bps(test, 1, -1, t1);
	if (n < 3)
		release_all_and_check(test, dbg, 0);

	KUNIT_EXPECT_EQ(test, dbg_reserve_bp_slot(dbg), 0);
	release_all_and_check(test, dbg, 1);
}

/*
 * Where instruction and data breakpoints have registers of their own
 * (arm64, arm), each class is accounted on its own: filling one leaves
 * the other as it was, for every kind of holder.
 */
static void classes_never_take_each_others_slots(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	struct task_struct *t0 = idle_target(test, 0);
	int c0 = ctx->cpu[0], c1 = ctx->cpu[1];
	int nd = ctx->slots, ni = hw_breakpoint_slots(TYPE_INST);
	struct perf_event_attr attr;
	struct perf_event *bp, *dbg;

	if (IS_ENABLED(CONFIG_HAVE_MIXED_BREAKPOINTS_REGS))
		kunit_skip(test, "one register class for every type");
	if (ni > MAX_SLOTS)
		kunit_skip(test, "%d instruction slots", ni);

	add_bps(test, nd, c0, NULL);
	if (!ni) {
		/* No instruction registers (powerpc): refused outright. */
		KUNIT_EXPECT_EQ(test, add_x(test, c0, NULL), -EOPNOTSUPP);
		KUNIT_EXPECT_EQ(test, add_x(test, -1, t0), -EOPNOTSUPP);
		KUNIT_EXPECT_EQ(test, used(c0), nd);
		KUNIT_EXPECT_EQ(test, used_inst(c0), 0);
		return;
	}

	/* Data full on cpu0: every instruction slot is still there. */
	KUNIT_EXPECT_EQ(test, used_inst(c0), 0);
	add_xs(test, ni, c0, NULL);
	KUNIT_EXPECT_EQ(test, used_inst(c0), ni);
	KUNIT_EXPECT_EQ(test, used(c0), nd);
	KUNIT_EXPECT_EQ(test, add_x(test, c0, NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, c0, NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_x(test, -1, t0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, -1, t0), -ENOSPC);

	/* One task fills both classes of cpu1. */
	add_xs(test, ni, c1, t0);
	add_bps(test, nd, c1, t0);
	KUNIT_EXPECT_EQ(test, used_inst(c1), ni);
	KUNIT_EXPECT_EQ(test, used(c1), nd);
	KUNIT_EXPECT_EQ(test, add_x(test, c1, t0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_bp(test, c1, NULL), -ENOSPC);

	/* Moving a data breakpoint needs an instruction slot; none is free. */
	bp = ctx->bps[0];
	attr = bp->attr;
	set_type(&attr, HW_BREAKPOINT_X);
	KUNIT_EXPECT_EQ(test, modify_user_hw_breakpoint(bp, &attr), -ENOSPC);
	KUNIT_EXPECT_EQ(test, bp->attr.bp_type, HW_BREAKPOINT_W);
	KUNIT_EXPECT_EQ(test, used_inst(c0), ni);
	KUNIT_EXPECT_EQ(test, used(c0), nd);

	/* The debugger, too, takes from its breakpoint's class only. */
	del_bp(ctx, nd);
	dbg = dbg_bp(test, c0);
	KUNIT_EXPECT_NE(test, dbg_reserve_bp_slot(dbg), 0);
	set_type(&dbg->attr, HW_BREAKPOINT_X);
	KUNIT_EXPECT_EQ(test, dbg_reserve_bp_slot(dbg), 0);
	KUNIT_EXPECT_EQ(test, used_inst(c0), ni);
	KUNIT_EXPECT_EQ(test, used(c0), nd);
	KUNIT_EXPECT_NE(test, dbg_reserve_bp_slot(dbg), 0);
	KUNIT_EXPECT_EQ(test, dbg_release_bp_slot(dbg), 0);

	/* Now it moves, and gives its data slot back. */
	KUNIT_EXPECT_EQ(test, modify_user_hw_breakpoint(bp, &attr), 0);
	KUNIT_EXPECT_EQ(test, bp->attr.bp_type, HW_BREAKPOINT_X);
	KUNIT_EXPECT_EQ(test, used_inst(c0), ni);
	KUNIT_EXPECT_EQ(test, used(c0), nd - 1);
	KUNIT_EXPECT_EQ(test, add_bp(test, c0, NULL), 0);
	KUNIT_EXPECT_EQ(test, add_bp(test, c0, NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, add_x(test, c0, NULL), -ENOSPC);
}

#define CHURN_THREADS	4
#define CHURN_ROUNDS	200

struct churn {
	struct completion	done;
	int			errors;
};

/* Any breakpoint the accounting may admit or refuse; nothing else. */
static void churn_once(struct churn *c, struct perf_event **held)
{
	u32 what = get_random_u32_below(4);
	int cpu = cpumask_nth(get_random_u32_below(num_online_cpus()),
			      cpu_online_mask);
	struct perf_event *bp;

	switch (what) {
	case 0:
		bp = make_bp(cpu, NULL, what);
		break;
	case 1:
		bp = make_bp(cpu, current, what);
		break;
	default:
		bp = make_bp(-1, current, what);
		break;
	}
	if (IS_ERR(bp)) {
		if (PTR_ERR(bp) != -ENOSPC)
			c->errors++;
		return;
	}
	if (*held) {
		unregister_hw_breakpoint(*held);
		*held = NULL;
	}
	if (what == 3) {
		struct perf_event_attr attr = bp->attr;

		attr.bp_addr += 8;
		if (modify_user_hw_breakpoint(bp, &attr))
			c->errors++;
	}
	if (get_random_u32_below(2))
		*held = bp;
	else
		unregister_hw_breakpoint(bp);
}

static int churn_fn(void *arg)
{
	struct perf_event *held = NULL;
	struct churn *c = arg;
	int i;

	for (i = 0; i < CHURN_ROUNDS; i++) {
		churn_once(c, &held);
		cond_resched();
	}
	unregister_hw_breakpoint(held);
	complete(&c->done);
	return 0;
}

static void concurrent_updaters_and_debugger_end_at_zero(struct kunit *test)
{
	struct task_struct *threads[CHURN_THREADS];
	struct churn churn[CHURN_THREADS];
	struct perf_event *dbg = dbg_bp(test, 0);
	int i, cpu, granted = 0;

	for (i = 0; i < CHURN_THREADS; i++) {
		init_completion(&churn[i].done);
		churn[i].errors = 0;
		threads[i] = kthread_run(churn_fn, &churn[i], "hwbp_churn/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(threads[i]));
		get_task_struct(threads[i]);
	}

	/* A debugger reserving and releasing next to them, lock-free. */
	for (i = 0; i < CHURN_THREADS; i++) {
		while (!wait_for_completion_timeout(&churn[i].done, 1)) {
			dbg->cpu = cpumask_nth(get_random_u32_below(num_online_cpus()),
					       cpu_online_mask);
			if (!dbg_reserve_bp_slot(dbg)) {
				granted++;
				KUNIT_EXPECT_EQ(test, dbg_release_bp_slot(dbg), 0);
			}
		}
	}

	for (i = 0; i < CHURN_THREADS; i++) {
		kthread_stop_put(threads[i]);
		KUNIT_EXPECT_EQ(test, churn[i].errors, 0);
	}
	kunit_info(test, "debugger got a slot %d times", granted);

	KUNIT_EXPECT_FALSE(test, hw_breakpoint_is_used());
	for_each_possible_cpu(cpu)
		KUNIT_EXPECT_EQ(test, used(cpu), 0);
}

static int slots_test_init(struct kunit *test)
{
	struct slots_ctx *ctx;
	int i = 0, cpu;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	if (hw_breakpoint_is_used())
		kunit_skip(test, "breakpoints are in use elsewhere");

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->slots = hw_breakpoint_slots(TYPE_DATA);
	if (ctx->slots < 1 || ctx->slots > MAX_SLOTS)
		kunit_skip(test, "%d data slots", ctx->slots);

	ctx->cpu[2] = -1;
	for_each_online_cpu(cpu) {
		if (i == ARRAY_SIZE(ctx->cpu))
			break;
		ctx->cpu[i++] = cpu;
	}
	test->priv = ctx;
	return 0;
}

static void slots_test_exit(struct kunit *test)
{
	struct slots_ctx *ctx = test->priv;
	int i;

	if (!ctx)
		return;
	hw_breakpoint_set_multiplex(false);
	for (i = 0; i < MAX_BPS; i++) {
		if (ctx->bps[i])
			del_bp(ctx, i);
	}
	for (i = 0; i < ARRAY_SIZE(ctx->idle); i++) {
		if (ctx->idle[i])
			kthread_stop(ctx->idle[i]);
	}
	KUNIT_EXPECT_FALSE(test, hw_breakpoint_is_used());
}

static struct kunit_case slots_test_cases[] = {
	KUNIT_CASE(cpu_bound_fills_exactly_slots_per_cpu),
	KUNIT_CASE(task_on_one_cpu_counts_the_max_over_tasks),
	KUNIT_CASE(task_on_all_cpus_uses_a_slot_everywhere),
	KUNIT_CASE(mixed_kinds_meet_exactly_at_slots),
	KUNIT_CASE(modify_address_keeps_the_slot),
	KUNIT_CASE(failed_modify_leaves_the_old_bp),
	KUNIT_CASE(disabled_user_bps_hold_no_slot),
	KUNIT_CASE(flexible_bps_are_pinned_while_multiplexing_is_off),
	KUNIT_CASE(flexible_bps_hold_no_slot_and_never_block_pinned),
	KUNIT_CASE(kernel_api_bps_are_pinned_whatever_the_attr_says),
	KUNIT_CASE(bad_requests_fail_and_leak_nothing),
	KUNIT_CASE(dbg_reserve_works_while_updaters_are_blocked),
	KUNIT_CASE(dbg_slots_count_against_every_kind),
	KUNIT_CASE(dbg_take_overcommits_only_its_cpu_until_released),
	KUNIT_CASE(all_released_means_unused),
	KUNIT_CASE(classes_never_take_each_others_slots),
	KUNIT_CASE_SLOW(concurrent_updaters_and_debugger_end_at_zero),
	{}
};

static struct kunit_suite slots_test_suite = {
	.name		= "hw_breakpoint_slots",
	.init		= slots_test_init,
	.exit		= slots_test_exit,
	.test_cases	= slots_test_cases,
};

kunit_test_suite(slots_test_suite);

MODULE_DESCRIPTION("KUnit tests for hardware breakpoint slot accounting");
MODULE_LICENSE("GPL");
