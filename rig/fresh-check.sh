#!/bin/bash
# make fresh-check: the README's two commands, as a newcomer meets them.
#
# Builds a minimal Debian 12 root (mmdebstrap minbase with only git, make
# and ca-certificates, from this machine's own apt sources), clones the
# committed HEAD of this repository into it with a read-only copy of
# ../shared beside it, as CI lays them out, and runs `make run` then
# `make check` there in a chroot with /proc, /sys and /dev mounted.  Every
# package those need must then come from rig/setup.sh: a tool this machine
# happens to have cannot hide a missing install step.  Nothing is shared
# with the host's build/ or ccache, so this is a cold run (~30 min).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
fresh=$top/build/fresh
root=$fresh/root
log=$fresh/fresh-check.log

[ "$(id -u)" = 0 ] || { echo "fresh-check: needs root (mmdebstrap, chroot, mount)"; exit 1; }
command -v mmdebstrap >/dev/null || { echo "fresh-check: run rig/setup.sh first"; exit 1; }

umount_all() {
	for m in dev/pts dev sys proc; do
		mountpoint -q "$root/$m" && umount -l "$root/$m"
	done
	return 0
}
trap umount_all EXIT

umount_all
rm -rf "$fresh"
mkdir -p "$fresh"

# The host's apt options that let it reach its archive (e.g. a snapshot
# whose Release files are past Valid-Until) go in too: the chroot must
# reach the same archive the host does, with nothing else installed.
aptopts=()
for f in /etc/apt/apt.conf.d/*; do
	grep -qs '^Acquire::' "$f" && aptopts+=("--aptopt=$f")
done
echo "fresh-check: mmdebstrap --variant=minbase bookworm (git, make, ca-certificates)"
start=$SECONDS
mmdebstrap --quiet --variant=minbase --include=git,make,ca-certificates \
	"${aptopts[@]}" bookworm "$root"
echo "fresh-check: root ready in $((SECONDS - start)) s: $root"
cp /etc/resolv.conf "$root/etc/resolv.conf"

mkdir -p "$root/work"
git clone -q "$top" "$root/work/main"
echo "fresh-check: cloned $(git -C "$top" rev-parse --short HEAD) ($(git -C "$top" log -1 --format=%s))"
if [ -d "$top/../shared" ]; then
	cp -a "$top/../shared" "$root/work/shared"
	chmod -R a-w "$root/work/shared"
fi

mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

echo "fresh-check: chroot: cd /work/main && make run && make check (log: $log)"
set +e
chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	/bin/bash -c 'cd /work/main && make run && make check' 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
echo "fresh-check: rc=$rc after $((SECONDS - start)) s"
exit "$rc"
