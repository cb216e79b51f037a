#!/bin/bash
# Configure and build one kernel: rig/kbuild.sh SRCDIR OUTDIR
#
# The config is tinyconfig plus the kselftest-style fragment.  It is only
# regenerated when the fragment changes, so an edit of one of our files costs
# an incremental build, not a full one.  Every fragment line must survive
# olddefconfig: a silently dropped option fails the build here.
set -euo pipefail
src=$(realpath "$1")
out=$(realpath -m "$2")
mkdir -p "$out"
top=$(cd "$(dirname "$0")/.." && pwd)
frag=$top/tools/testing/selftests/breakpoints/config
# HWBP_EXTRA_CONFIG: a second fragment (make check-lockdep), merged after.
extra=${HWBP_EXTRA_CONFIG:-}
if [ -n "$extra" ]; then
	cat "$frag" "$extra" >"$out.fragment"
	frag=$out.fragment
fi
jobs=${JOBS:-$(nproc)}

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/hwbp-ccache}
# Paths relative to build/ and no cwd in the hash: another clone of the repo
# (a CI checkout, a second work tree) then hits the same cache entries.
export CCACHE_BASEDIR=$top/build CCACHE_NOHASHDIR=1
export KBUILD_BUILD_TIMESTAMP='2024-11-17'
export KBUILD_BUILD_USER=hwbp KBUILD_BUILD_HOST=rig
mk() { make -s -C "$src" O="$out" ARCH=x86_64 CC="ccache gcc" "$@"; }

# One kernel build at a time on this machine, whichever clone asks.
exec 9>/tmp/hwbp-kbuild.lock
flock 9
if ! cmp -s "$frag" "$out/.hwbp-fragment"; then
	echo "kbuild: configuring $out (tinyconfig + $frag)"
	rm -f "$out/.config"
	mk tinyconfig >/dev/null
	(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" \
		"$out/.config" "$frag" >/dev/null)
	mk olddefconfig >/dev/null
	missing=0
	grep -rhoE --include='Kconfig*' '^(menu)?config [A-Za-z0-9_]+' "$src" |
		awk '{print $2}' | sort -u >"$out/.hwbp-symbols"
	while IFS= read -r line; do
		case "$line" in ''|'#'*) continue ;; esac
		sym=${line%%=*}
		if [ "${line#*=}" = n ]; then
			want="# $sym is not set"
		else
			want=$line
		fi
		# An option our series adds does not exist in the baseline.
		if ! grep -qxF "${sym#CONFIG_}" "$out/.hwbp-symbols"; then
			echo "kbuild: $sym is not an option of this tree; skipped"
			continue
		fi
		if ! grep -qxF "$want" "$out/.config"; then
			echo "kbuild: fragment line '$line' is not in the final .config:" \
			     "$(grep -E "^(# )?$sym[= ]" "$out/.config" || echo 'absent')"
			missing=1
		fi
	done <"$frag"
	[ $missing = 0 ] || { rm -f "$out/.config"; exit 1; }
	cp "$frag" "$out/.hwbp-fragment"
fi
echo "kbuild: building $(mk -s kernelrelease) in $out"
mk -j"$jobs" bzImage modules
echo "kbuild: $out done in $SECONDS s"
