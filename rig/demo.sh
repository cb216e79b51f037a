#!/bin/bash
# The demo: boot the kernel and show gdb and perf using the debug registers.
set -euo pipefail
kout=$1 img=$2
smp=${HWBP_SMP:-4}
echo "demo: booting $(cat "$kout/include/config/kernel.release") under QEMU (TCG, $smp CPUs)..."
timeout --kill-after=5 300 qemu-system-x86_64 -accel tcg -m 1G \
	-smp "$smp,sockets=$smp,cores=1" -kernel "$kout/arch/x86/boot/bzImage" \
	-initrd "$img" -display none -no-reboot -serial stdio </dev/null \
	-append "console=ttyS0 nokaslr panic=-1 quiet tsc=reliable hwbpmode=demo" |
	tr -d '\r' | sed -n '/^=== 1/,/^@@HWBP-DONE/p' | grep -v '^@@HWBP'
