#!/bin/bash
# Install every Debian package the rig needs; idempotent, quiet when done.
set -euo pipefail
# Every command the rig, kbuild and the kselftest Makefiles call.  A fresh
# Debian 12 minbase has none of them; `make fresh-check` proves the list.
pkgs=(
	make git patch xz-utils ca-certificates		# every target
	python3-docutils				# make docs-check
	python3-ply python3-git			# checkpatch's SPDX check (make series-check)
	gcc flex bison bc perl python3 libelf-dev	# kbuild; perl: checkpatch too
	binutils					# nm, objdump, addr2line (the guest image)
	libssl-dev cpio kmod ccache
	linux-source-6.12				# both kernels' source
	rsync						# kselftest's install (make image)
	qemu-system-x86 busybox-static gdb linux-perf	# the guest and its host gdb
	sparse						# C=1 on our objects
	mmdebstrap					# make fresh-check
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross	# make arches (arm64 also in check)
	gcc-arm-linux-gnueabihf gcc-powerpc64le-linux-gnu gcc-sh4-linux-gnu
	clang lld llvm qemu-system-arm qemu-system-ppc
)
# gdb-minimal goes into the guest from `apt-get download`: installing it
# would remove the host's gdb.
missing=
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "setup: run as root to install:$missing"
	exit 1
fi
echo "setup: installing$missing"
apt-get update -qq
for p in $missing; do
	apt-cache show "$p" >/dev/null 2>&1 ||
		{ echo "setup: package $p is not available from apt"; exit 1; }
done
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	$missing >/dev/null
