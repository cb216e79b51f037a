/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 debug-register backend of the perf breakpoint PMU.
 *
 * Four address registers (DR0-DR3) and one control register (DR7) per CPU.
 * The X86_BREAKPOINT_* codes below are the DR7 R/W and LEN fields of one
 * slot plus a tag bit, so that zero never means a valid setting; ptrace and
 * kgdb store them, and encode_dr7()/decode_dr7() turn them into DR7 bits.
 */
#ifndef _ASM_X86_HW_BREAKPOINT_H
#define _ASM_X86_HW_BREAKPOINT_H

#include <uapi/asm/hw_breakpoint.h>
#include <uapi/asm/debugreg.h>

#define	__ARCH_HW_BREAKPOINT_H

/* The backend's decoded view of one breakpoint; ptrace and kgdb read it. */
struct arch_hw_breakpoint {
	unsigned long	address;
	/* AMD BPEXT: address bits ignored on match, 0 without a range */
	unsigned long	mask;
	u8		len;	/* X86_BREAKPOINT_LEN_* */
	u8		type;	/* X86_BREAKPOINT_{EXECUTE,WRITE,RW} */
};

#include <linux/kdebug.h>
#include <linux/percpu.h>
#include <linux/list.h>

/* Debug address registers: one breakpoint each. */
#define HBP_NUM				4
#define hw_breakpoint_slots(type)	(HBP_NUM)

#define X86_BREAKPOINT_TYPE_TAG		0x80
#define X86_BREAKPOINT_EXECUTE	(X86_BREAKPOINT_TYPE_TAG | DR_RW_EXECUTE)
#define X86_BREAKPOINT_WRITE	(X86_BREAKPOINT_TYPE_TAG | DR_RW_WRITE)
#define X86_BREAKPOINT_RW	(X86_BREAKPOINT_TYPE_TAG | DR_RW_READ)

#define X86_BREAKPOINT_LEN_TAG		0x40
#define X86_BREAKPOINT_LEN_1	(X86_BREAKPOINT_LEN_TAG | DR_LEN_1)
#define X86_BREAKPOINT_LEN_2	(X86_BREAKPOINT_LEN_TAG | DR_LEN_2)
#define X86_BREAKPOINT_LEN_4	(X86_BREAKPOINT_LEN_TAG | DR_LEN_4)
#ifdef CONFIG_X86_64
#define X86_BREAKPOINT_LEN_8	(X86_BREAKPOINT_LEN_TAG | DR_LEN_8)
#endif
/* Instruction breakpoints must use the 1-byte LEN encoding. */
#define X86_BREAKPOINT_LEN_X	X86_BREAKPOINT_LEN_1

struct perf_event;
struct perf_event_attr;
struct notifier_block;

unsigned long encode_dr7(int drnum, unsigned int len, unsigned int type);
int decode_dr7(unsigned long dr7, int bpnum, unsigned int *len,
	       unsigned int *type);
int arch_bp_generic_fields(int x86_len, int x86_type, int *gen_len,
			   int *gen_type);

int hw_breakpoint_arch_parse(struct perf_event *bp,
			     const struct perf_event_attr *attr,
			     struct arch_hw_breakpoint *hw);
int arch_check_bp_in_kernelspace(struct arch_hw_breakpoint *hw);

int arch_install_hw_breakpoint(struct perf_event *bp);
void arch_uninstall_hw_breakpoint(struct perf_event *bp);
/* kgdb's install: it may take an accounted breakpoint's register. */
int arch_install_kgdb_hw_breakpoint(struct perf_event *bp);
bool arch_hw_breakpoint_in_register(struct perf_event *bp, int cpu);
#define arch_hw_breakpoint_in_register arch_hw_breakpoint_in_register
/* A full register file makes arch_install_hw_breakpoint() fail quietly. */
#define arch_hw_breakpoint_can_multiplex()	true
void hw_breakpoint_pmu_read(struct perf_event *bp);

int hw_breakpoint_exceptions_notify(struct notifier_block *unused,
				    unsigned long val, void *data);

#endif /* _ASM_X86_HW_BREAKPOINT_H */
