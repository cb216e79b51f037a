// SPDX-License-Identifier: GPL-2.0
/*
 * Targets for gdb's harder cases.
 *  - threads: two threads, one after the other, store 1 and then 2 to
 *    @shared, so a watchpoint set before either starts must fire in each
 *    thread, in that order;
 *  - five globals for more watchpoints than x86 has debug registers.
 */
#include <pthread.h>

#define barrier() ({ __asm__ __volatile__("" : : : "memory"); })

int shared;
int w1, w2, w3, w4, w5;

static void *store(void *arg)
{
	shared = (int)(long)arg;
	barrier();
	return 0;
}

void five(void)
{
	w1 = 1;
	w2 = 2;
	w3 = 3;
	w4 = 4;
	w5 = 5;
	barrier();
}

int main(void)
{
	pthread_t t;

	for (long v = 1; v <= 2; v++) {
		pthread_create(&t, 0, store, (void *)v);
		pthread_join(t, 0);
	}
	five();
	return 0;
}
