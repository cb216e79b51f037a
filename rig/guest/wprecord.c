// SPDX-License-Identifier: GPL-2.0
/*
 * Target for `perf record -e mem:ADDR` (rig/perf_record.py).
 *
 *   wprecord rw      NR_STORE_A stores to @cell from store_a(), NR_STORE_B
 *                    from store_b(), then NR_LOAD_C loads from load_c()
 *   wprecord call    tick() called NR_TICKS times
 *   wprecord paced   NR_BURSTS bursts of NR_BURST_STORES stores, BURST_GAP_MS
 *                    apart, then TAIL_MS without any
 *
 * Static, non-PIE and built with -fno-inline: rig/mkimage.sh reads every
 * address the suite expects (of @cell, of tick(), of the instruction after
 * each access) from this binary before it runs.  @cell is initialised, so it lives in .data and
 * exec's zeroing of the .bss tail never writes it: every access a watchpoint
 * on it sees is one of the accesses below.
 *
 * x86 data breakpoints are traps: the sample's IP is the instruction after
 * the access.  Each access is one instruction followed by a nop in the same
 * asm statement, so that IP is on the access's own source line, which
 * mkimage.sh finds by the marker comment at the end of the line.
 */
#include <string.h>
#include <time.h>

#define NR_STORE_A 300
#define NR_STORE_B 200
#define NR_LOAD_C 250
#define NR_TICKS 100
#define NR_BURSTS 5
#define NR_BURST_STORES 100
#define BURST_GAP_MS 150
/*
 * perf stat -I prints the last, partial interval only if the workload's
 * SIGCHLD interrupts its wait for the next one, which is a race: no store
 * may fall into that interval.
 */
#define TAIL_MS 300

long cell = 1;
int ticks;

void store_a(long n)
{
	for (long i = 0; i < n; i++)
		asm volatile("movq %1, %0\n\tnop" : "=m"(cell) : "r"(i)); /* @store_a */
}

void store_b(long n)
{
	for (long i = 0; i < n; i++)
		asm volatile("movq %1, %0\n\tnop" : "=m"(cell) : "r"(i)); /* @store_b */
}

long load_c(long n)
{
	long v, sum = 0;

	for (long i = 0; i < n; i++) {
		asm volatile("movq %1, %0\n\tnop" : "=r"(v) : "m"(cell)); /* @load_c */
		sum += v;
	}
	return sum;
}

void tick(void)
{
	ticks++;
	asm volatile("" : : : "memory");
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	while (nanosleep(&ts, &ts))
		;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "rw")) {
		store_a(NR_STORE_A);
		store_b(NR_STORE_B);
		return load_c(NR_LOAD_C) < 0;
	}
	if (!strcmp(mode, "call")) {
		for (int i = 0; i < NR_TICKS; i++)
			tick();
		return ticks != NR_TICKS;
	}
	if (!strcmp(mode, "paced")) {
		for (int i = 0; i < NR_BURSTS; i++) {
			if (i)
				sleep_ms(BURST_GAP_MS);
			store_a(NR_BURST_STORES);
		}
		sleep_ms(TAIL_MS);
		return 0;
	}
	return 2;
}
