#!/bin/bash
# Guest initramfs: rig/mkimage.sh TREE KOUT OUT.cpio.gz
#
# Userspace (busybox, gdb-minimal, perf, the kselftests, our targets) is the
# same for every kernel so that the baseline and ours run identical tests;
# only the modules (data_breakpoint.ko, lkdtm.ko) come from KOUT.  The
# common part is cached in build/guest and reused; the initramfs is two
# concatenated cpio archives.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$(realpath "$1")
kout=$(realpath "$2")
img=$(realpath -m "$3")
b=$top/build/guest
root=$b/root
mkdir -p "$b"

# copy_elf FILE: FILE and the shared libraries it needs, at their own paths
copy_elf() {
	[ "$1" -ef "$root$2" ] || install -D -m 755 "$1" "$root$2"
	ldd "$1" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | while read -r lib; do
		[ -e "$root$lib" ] || install -D -m 755 "$lib" "$root$lib"
	done
}

# wprecord_facts: build /hwbp/wprecord and write what rig/perf_record.py
# expects of it to /hwbp/wprecord.env (sourced by the guest, read by the
# host): its counts, the addresses of cell and tick(), and for each access
# to cell the address of the next instruction (where a data breakpoint's
# trap leaves the IP) and the source line perf must resolve that IP to.
wprecord_facts() {
	local src=$top/rig/guest/wprecord.c bin=$root/hwbp/wprecord f after line at
	gcc -O1 -g -fno-inline -static -no-pie -fdebug-prefix-map="$top/rig/guest=/hwbp" \
		-o "$bin" "$src"
	cp "$src" "$root/hwbp/"
	{
		sed -n 's/^#define \([A-Z_]*\) \([0-9]*\)$/\1=\2/p' "$src"
		echo "CELL=0x$(nm "$bin" | awk '$3 == "cell" {print $1}')"
		echo "TICK=0x$(nm "$bin" | awk '$3 == "tick" {print $1}')"
		for f in store_a store_b load_c; do
			after=$(objdump -d --no-show-raw-insn --disassemble=$f "$bin" |
				awk -F'[: \t]+' 'hit { print $2; hit = 0 } /<cell>$/ { hit = 1 }')
			line=$(grep -n "/\* @$f \*/" "$src" | cut -d: -f1)
			at=$(addr2line -e "$bin" "0x${after:-0}")
			if [ "$(echo "$after" | wc -w)" != 1 ] || [ -z "$line" ] ||
			   [ "${at%% *}" != "/hwbp/wprecord.c:$line" ]; then
				echo "mkimage: wprecord: $f: want one access to cell and" \
				     "the next instruction on line ${line:-?}: got '$after' at $at" >&2
				exit 1
			fi
			echo "AFTER_${f^^}=0x$after"
			echo "LINE_${f^^}=$line"
		done
	} >"$root/hwbp/wprecord.env"
}

stamp=$b/common.stamp
inputs=$(cat "$0" "$top"/rig/guest/init "$top"/rig/guest/*.c "$top"/rig/guest/gdb/* \
	"$tree"/tools/testing/selftests/breakpoints/* 2>/dev/null | md5sum)
if [ ! -e "$b/common.cpio" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$inputs" ]; then
	echo "mkimage: building the common guest userspace"
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,hwbp/gdb,lib64,etc}
	install -m 755 /bin/busybox "$root/bin/busybox"
	for app in $(/bin/busybox --list); do
		[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
	done
	install -m 755 "$top/rig/guest/init" "$root/init"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"

	# gdb-minimal: it conflicts with the host's gdb, so unpack, never install
	if [ ! -x "$b/gdbmin/usr/bin/gdb" ]; then
		(cd "$b" && rm -f gdb-minimal_*.deb && apt-get download gdb-minimal >/dev/null &&
		 dpkg-deb -x gdb-minimal_*.deb gdbmin)
	fi
	copy_elf "$b/gdbmin/usr/bin/gdb" /usr/bin/gdb
	copy_elf "$(readlink -f /usr/bin/perf)" /usr/bin/perf
	# perf 6.1 is built without libbfd: it resolves source lines through
	# an addr2line child process
	copy_elf "$(readlink -f /usr/bin/addr2line)" /usr/bin/addr2line

	gcc -O1 -g -fno-inline -fdebug-prefix-map="$top/rig/guest=/hwbp" \
		-o "$root/hwbp/wptarget" "$top/rig/guest/wptarget.c"
	cp "$top/rig/guest/wptarget.c" "$root/hwbp/"
	gcc -O1 -g -fno-inline -pthread -fdebug-prefix-map="$top/rig/guest=/hwbp" \
		-o "$root/hwbp/wpthreads" "$top/rig/guest/wpthreads.c"
	copy_elf "$root/hwbp/wpthreads" /hwbp/wpthreads
	gcc -O1 -static -no-pie -o "$root/hwbp/memtouch" "$top/rig/guest/memtouch.c"
	for v in data bss; do
		printf '0x%s\n' "$(nm "$root/hwbp/memtouch" | awk -v s=cell_$v '$3 == s {print $1}')" \
			>"$root/hwbp/memtouch.$v"
	done
	# prints its own event list and counts (rig/guest/muxtouch.c)
	gcc -O1 -static -no-pie -o "$root/hwbp/muxtouch" "$top/rig/guest/muxtouch.c"
	wprecord_facts
	gcc -O2 -static -o "$root/hwbp/int1probe" "$top/rig/guest/int1probe.c"
	gcc -O2 -static -o "$root/hwbp/int3probe" "$top/rig/guest/int3probe.c"
	cp "$top"/rig/guest/gdb/*.gdb "$root/hwbp/gdb/"
	copy_elf "$root/hwbp/wptarget" /hwbp/wptarget

	# kselftests with kselftest's own Makefile, flags and runner
	echo "mkimage: building the breakpoints kselftests"
	rm -rf "$b/kselftest-build"
	make -s -C "$tree/tools/testing/selftests" TARGETS=breakpoints \
		O="$b/kselftest-build" INSTALL_PATH="$root/kselftest" install >/dev/null
	for f in "$root"/kselftest/breakpoints/*; do
		[ -x "$f" ] && copy_elf "$f" "/kselftest/breakpoints/$(basename "$f")"
	done

	(cd "$root" && find . | cpio -o -H newc --quiet) >"$b/common.cpio"
	echo "$inputs" >"$stamp"
fi

kroot=$(mktemp -d)
trap 'rm -rf "$kroot"' EXIT
mkdir -p "$kroot/hwbp"
cp "$kout/samples/hw_breakpoint/data_breakpoint.ko" "$kout/drivers/misc/lkdtm/lkdtm.ko" \
	"$kroot/hwbp/"
# Not ".": an entry for / here would give the guest's / mktemp's mode
# (0700), and no unprivileged user could exec anything.
(cd "$kroot" && find hwbp | cpio -o -H newc --quiet) >"$b/kernel.cpio"
cat "$b/common.cpio" "$b/kernel.cpio" | gzip -1 >"$img"
echo "mkimage: $img ($(du -h "$img" | cut -f1))"
