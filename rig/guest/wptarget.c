// SPDX-License-Identifier: GPL-2.0
/*
 * Target for the in-guest gdb suite.  Every access to @watched is a single
 * instruction, so each one is exactly one debug-register hit and the gdb
 * transcripts can be compared value by value.  Built with -fno-inline; the
 * compiler barriers keep every load and store.
 */
#define barrier() ({ __asm__ __volatile__("" : : : "memory"); })

int watched;
int sink;

void marker(void)
{
	sink++;
	barrier();
}

void writer(void)
{
	for (int i = 1; i <= 3; i++) {
		watched = i * 10;
		barrier();
	}
}

void reader(void)
{
	for (int i = 0; i < 2; i++) {
		sink = watched;
		barrier();
	}
}

int main(void)
{
	marker();
	writer();
	reader();
	marker();
	return 0;
}
