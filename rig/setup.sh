#!/bin/bash
# Install every Debian package the rig needs; idempotent, quiet when done.
set -euo pipefail
pkgs="gcc make flex bison bc libelf-dev libssl-dev cpio xz-utils kmod patch
      python3 ccache sparse linux-source-6.12 qemu-system-x86 busybox-static
      gdb linux-perf
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf
      gcc-powerpc64le-linux-gnu gcc-sh4-linux-gnu clang lld llvm
      qemu-system-arm qemu-system-ppc"
missing=
for p in $pkgs; do
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
