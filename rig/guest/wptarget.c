// SPDX-License-Identifier: GPL-2.0
/*
 * Target for the in-guest gdb suite.  Every access to @watched is a single
 * instruction, so each one is exactly one debug-register hit and the gdb
 * transcripts can be compared value by value.
 */
volatile int watched;
volatile int sink;

__attribute__((noinline)) void marker(void)
{
	sink++;
}

__attribute__((noinline)) void writer(void)
{
	for (int i = 1; i <= 3; i++)
		watched = i * 10;
}

__attribute__((noinline)) void reader(void)
{
	for (int i = 0; i < 2; i++)
		sink = watched;
}

int main(void)
{
	marker();
	writer();
	reader();
	marker();
	return 0;
}
