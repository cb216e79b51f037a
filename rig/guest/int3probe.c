// SPDX-License-Identifier: GPL-2.0
/*
 * INT3 checked on its own, because breakpoint_test's int3 case is never
 * reached when the emulator lacks INT1: SIGTRAP, si_code SI_KERNEL, and the
 * saved RIP just past the CC byte.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <ucontext.h>
#include <unistd.h>

extern char after_int3[];

static void handler(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *ctx = uc;
	unsigned long rip = ctx->uc_mcontext.gregs[REG_RIP];

	printf("int3: sig=%d code=%d rip_ok=%d\n", sig, si->si_code,
	       rip == (unsigned long)after_int3);
	fflush(stdout);
	_exit(sig == SIGTRAP && si->si_code == SI_KERNEL &&
	      rip == (unsigned long)after_int3 ? 0 : 1);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };

	sigaction(SIGTRAP, &sa, NULL);
	asm volatile("int3\n.globl after_int3\nafter_int3:");
	puts("int3: no signal");
	return 1;
}
