// SPDX-License-Identifier: GPL-2.0
/*
 * Does the CPU (or emulator) raise #DB for ICEBP/INT1 (opcode F1)?
 * Prints "int1: sigtrap" or "int1: sigill"; breakpoint_test's icebp case
 * can only pass in the first case (see Documentation in the repo).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void handler(int sig)
{
	static const char trap[] = "int1: sigtrap\n", ill[] = "int1: sigill\n";

	if (sig == SIGTRAP)
		write(1, trap, sizeof(trap) - 1);
	else
		write(1, ill, sizeof(ill) - 1);
	_exit(0);
}

int main(void)
{
	signal(SIGTRAP, handler);
	signal(SIGILL, handler);
	asm volatile(".byte 0xf1");
	puts("int1: nothing");
	return 1;
}
