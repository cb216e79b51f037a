// SPDX-License-Identifier: GPL-2.0
/*
 * Target for `perf stat -e mem:ADDR`: exactly NR_WRITES stores to and
 * NR_READS loads from one variable, each a single instruction, and no other
 * access to it from this program (static, non-PIE: the addresses are known
 * before exec).
 *
 * cell_data is initialised, so it lives in .data.  cell_bss lives in .bss,
 * in the same page as the end of .data: at exec the ELF loader zeroes that
 * page's tail from the kernel (after perf's enable-on-exec), which a
 * watchpoint that counts kernel accesses sees as one more write.
 */
#include <string.h>

#define NR_WRITES 1000
#define NR_READS 500

long cell_data = 1;
long cell_bss;

int main(int argc, char **argv)
{
	long *cell = argc > 1 && !strcmp(argv[1], "bss") ? &cell_bss : &cell_data;
	long v;

	for (long i = 0; i < NR_WRITES; i++)
		asm volatile("movq %1, (%0)" : : "r"(cell), "r"(i) : "memory");
	for (long i = 0; i < NR_READS; i++)
		asm volatile("movq (%1), %0" : "=r"(v) : "r"(cell) : "memory");
	return 0;
}
