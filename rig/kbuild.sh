#!/bin/bash
# Configure and build one kernel:
#   rig/kbuild.sh [OPTION...] SRCDIR OUTDIR [MAKE-ARG...]
#
#   --arch ARCH        ARCH= of the build (x86_64)
#   --cross PREFIX     CROSS_COMPILE=PREFIX, gcc from that toolchain
#   --llvm             LLVM=1: clang, lld and the LLVM binutils
#   --base TARGET      the config target the fragments go on (tinyconfig)
#   --fragment FILE    a config fragment; repeat for more, merged in order
#                      (default: tools/testing/selftests/breakpoints/config)
#
# MAKE-ARG... are the make goals and variables (default "bzImage modules" on
# x86, the architecture's default image otherwise), e.g. "W=1 kernel/events/"
# to build only that directory.
#
# The config is the base target plus the fragments, merged by
# merge_config.sh.  It is only regenerated when one of those changes, so an
# edit of one of our files costs an incremental build, not a full one.  Every
# fragment line must survive olddefconfig: a silently dropped option fails
# the build here.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
arch=x86_64 cross= llvm= base=tinyconfig frags=()
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--cross) cross=$2; shift 2 ;;
	--llvm) llvm=1; shift ;;
	--base) base=$2; shift 2 ;;
	--fragment) frags+=("$(realpath "$2")"); shift 2 ;;
	-*) echo "kbuild: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || { sed -n '2,14s/^# \{0,1\}//p' "$0" >&2; exit 2; }
src=$(realpath "$1")
out=$(realpath -m "$2")
shift 2
mkdir -p "$out"
[ ${#frags[@]} -gt 0 ] || frags=("$top/tools/testing/selftests/breakpoints/config")
# HWBP_EXTRA_CONFIG: one more fragment, merged last (make check-debug).
[ -z "${HWBP_EXTRA_CONFIG:-}" ] || frags+=("$(realpath "$HWBP_EXTRA_CONFIG")")
if [ ${#frags[@]} = 1 ]; then
	frag=${frags[0]}
else
	cat "${frags[@]}" >"$out.fragment"
	frag=$out.fragment
fi
jobs=${JOBS:-$(nproc)}

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/hwbp-ccache}
# Paths relative to build/ and no cwd in the hash: another clone of the repo
# (a CI checkout, a second work tree) then hits the same cache entries.
export CCACHE_BASEDIR=$top/build CCACHE_NOHASHDIR=1
export KBUILD_BUILD_TIMESTAMP='2024-11-17'
export KBUILD_BUILD_USER=hwbp KBUILD_BUILD_HOST=rig
toolchain=(CC="ccache ${cross}gcc")
[ -z "$cross" ] || toolchain+=(CROSS_COMPILE="$cross")
[ -z "$llvm" ] || toolchain=(LLVM=1 CC="ccache clang")
mk() { make -s -C "$src" O="$out" ARCH="$arch" "${toolchain[@]}" "$@"; }

# What the config is made of; the plain x86 tinyconfig build keeps the
# fragment alone as its stamp, as before these options existed.
stamp=$(cat "$frag")
[ "$arch/$base/${toolchain[*]}" = "x86_64/tinyconfig/CC=ccache gcc" ] ||
	stamp=$(printf '# kbuild: ARCH=%s %s %s\n%s' "$arch" "${toolchain[*]}" "$base" "$stamp")

# The value each symbol ends up with: a later fragment line overrides an
# earlier one, as in merge_config.sh.  Output: "CONFIG_X<TAB>line" per symbol.
wanted() {
	sed -nE -e 's/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1\t\1=n/p' \
		-e 's/^(CONFIG_[A-Za-z0-9_]+)=.*/\1\t&/p' "$1" |
		awk -F '\t' '{ v[$1] = $2; if (!($1 in o)) { o[$1] = n++; k[n - 1] = $1 } }
			END { for (i = 0; i < n; i++) print k[i] "\t" v[k[i]] }'
}

# One kernel build at a time on this machine, whichever clone asks.
exec 9>/tmp/hwbp-kbuild.lock
flock 9
if [ "$stamp" != "$(cat "$out/.hwbp-fragment" 2>/dev/null)" ]; then
	if [ "$stamp" = "$(cat "$frag")" ]; then
		echo "kbuild: configuring $out (tinyconfig + $frag)"
	else
		echo "kbuild: configuring $out (ARCH=$arch $base + ${frags[*]#"$top"/})"
	fi
	rm -f "$out/.config"
	mk "$base" >/dev/null
	(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" \
		"$out/.config" "${frags[@]}" >/dev/null)
	mk olddefconfig >/dev/null
	missing=0
	grep -rhoE --include='Kconfig*' '^(menu)?config [A-Za-z0-9_]+' "$src" |
		awk '{print $2}' | sort -u >"$out/.hwbp-symbols"
	while IFS=$'\t' read -r sym line; do
		# An option our series adds does not exist in the baseline.
		if ! grep -qxF "${sym#CONFIG_}" "$out/.hwbp-symbols"; then
			echo "kbuild: $sym is not an option of this tree; skipped"
			continue
		fi
		got=$(grep -E "^(# )?$sym[= ]" "$out/.config" || true)
		if [ "${line#*=}" = n ]; then
			# off: "is not set", or absent because its dependencies are
			[ -z "$got" ] || [ "$got" = "# $sym is not set" ] && continue
		elif [ "$got" = "$line" ]; then
			continue
		fi
		echo "kbuild: fragment line '$line' is not in the final .config:" \
		     "${got:-absent}"
		missing=1
	done < <(wanted "$frag")
	[ $missing = 0 ] || { rm -f "$out/.config"; exit 1; }
	printf '%s' "$stamp" >"$out/.hwbp-fragment"
fi
if [ $# = 0 ]; then
	case "$arch" in
	x86_64|i386|x86) set -- bzImage modules ;;
	*) set -- all ;;
	esac
fi
echo "kbuild: building $(mk -s kernelrelease) in $out"
mk -j"$jobs" "$@"
echo "kbuild: $out done in $SECONDS s"
