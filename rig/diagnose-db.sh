#!/bin/bash
# Which #DB exceptions did the emulator raise?  rig/diagnose-db.sh KOUT IMAGE MODE
#
# Boots MODE (kgdbts by default) with QEMU's exception log (-d int) and
# prints every vector-1 (#DB) exception with its RIP (symbolised against
# KOUT/vmlinux), DR6 and DR7, and the console's kgdbts lines.  This is how
# the baseline's kgdb failures were placed on the kernel's side: the
# emulator raises #DB with the right DR6 bit at the right instruction, and
# kgdb still reports no stop.
set -euo pipefail
kout=$(realpath "$1") img=$(realpath "$2") mode=${3:-kgdbts}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/logs/diagnose-$(basename "$kout")-$mode
mkdir -p "$out"
timeout --kill-after=5 300 qemu-system-x86_64 -accel tcg -m 1G \
	-smp 1 -kernel "$kout/arch/x86/boot/bzImage" -initrd "$img" \
	-display none -no-reboot -serial "file:$out/console.log" \
	-d int -D "$out/qemu-int.log" </dev/null \
	-append "console=ttyS0 nokaslr panic=-1 loglevel=4 hwbpmode=$mode" || true
awk '/ v=01 /{ip=$0; sub(/.* pc=/, "", ip); sub(/ .*/, "", ip); want=1; next}
     want && /^DR6=/ { print ip, $1, $2; want=0 }' "$out/qemu-int.log" |
while read -r ip dr6 dr7; do
	sym=$(gdb -nx -batch -ex "info symbol 0x$ip" "$kout/vmlinux" </dev/null 2>/dev/null | head -1)
	printf '#DB at %s (%s) %s %s\n' "$ip" "$sym" "$dr6" "$dr7"
done | uniq -c
grep -a 'kgdbts' "$out/console.log" | tr -cd '[:print:]\n' | cut -c1-160
echo "diagnose: logs in $out"
