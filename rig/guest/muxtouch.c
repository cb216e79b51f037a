// SPDX-License-Identifier: GPL-2.0
/*
 * Target for `perf stat -e mem:A:w,...` with twice as many watchpoints as
 * x86 has debug registers (the mux-perf-stat suite in rig/rig_suites.py).
 *
 *   muxtouch events   perf's event list: a write watchpoint on each cell
 *   muxtouch          stores to cell i (i + 1) times in every pass over the
 *                     cells, paced evenly over RUN_S seconds, and prints how
 *                     many stores each cell got
 *
 * When perf multiplexes the watchpoints, each count is scaled by the share
 * of the time its event was in a register; that estimate is good only if
 * the stores are spread evenly in time, whichever cells are being watched.
 * A store that traps costs tens of microseconds under QEMU TCG and one that
 * does not next to nothing, so the stores are paced: one per slot of
 * SLOT_FACTOR times what a trapping store costs (the 95th percentile of the
 * calibration's stores, half of which trap), measured first.  A slower pace
 * would let the loop fall behind while the most written cells are watched
 * and catch up while others are: their counts would come out high.
 *
 * The cells are initialised, in .data: exec's zeroing of the .bss tail does
 * not write them, so every store perf counts is one of these.  Static and
 * non-PIE, so the addresses of one run are those of every run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NR_CELLS	8
#define RUN_S		2.5
#define CALIBRATE_S	0.25
#define SLOT_FACTOR	3
#define CALIBRATE_MAX	65536
/* This far behind the pace (half a mux interval): do not catch up. */
#define RESYNC_S	0.002

long cells[NR_CELLS] = { 1, 1, 1, 1, 1, 1, 1, 1 };

/* Which cell each store of a pass goes to, and where the next one is */
static int order[NR_CELLS * (NR_CELLS + 1) / 2], len, pos;
static unsigned long stores[NR_CELLS], done;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void store_next(void)
{
	__atomic_store_n(&cells[order[pos]], done, __ATOMIC_RELAXED);
	stores[order[pos]]++;
	pos = (pos + 1) % len;
	done++;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static double cost[CALIBRATE_MAX];
	double start, t, next, slot;
	unsigned long n;

	if (argc > 1 && !strcmp(argv[1], "events")) {
		for (int i = 0; i < NR_CELLS; i++)
			printf("%smem:%p:w", i ? "," : "", (void *)&cells[i]);
		printf("\n");
		return 0;
	}

	for (int k = 0; k < NR_CELLS; k++)
		for (int i = k; i < NR_CELLS; i++)
			order[len++] = i;

	/* The smallest step of the clock: the rig skips the counts if coarse. */
	for (t = now(), start = t + 0.05, slot = 1; t < start; ) {
		double u = now();

		if (u > t && u - t < slot)
			slot = u - t;
		t = u;
	}
	printf("muxtouch: clock step %.1f us\n", slot * 1e6);

	start = now();
	t = start;
	do {
		double before = t;

		store_next();
		t = now();
		if (done <= CALIBRATE_MAX)
			cost[done - 1] = t - before;
	} while (t - start < CALIBRATE_S);
	n = done < CALIBRATE_MAX ? done : CALIBRATE_MAX;
	qsort(cost, n, sizeof(cost[0]), cmp_double);
	slot = SLOT_FACTOR * cost[n * 95 / 100];

	for (next = t; next < start + CALIBRATE_S + RUN_S; next += slot) {
		store_next();
		t = now();
		if (t - next > RESYNC_S)
			next = t;
		while (t < next)
			t = now();
	}
	for (int i = 0; i < NR_CELLS; i++)
		printf("muxtouch: cell %d at %p: %lu stores\n", i, (void *)&cells[i], stores[i]);
	printf("muxtouch: %.2f s, a store every %.1f us\n", now() - start, slot * 1e6);
	return 0;
}
