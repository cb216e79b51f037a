#!/bin/bash
# Lay our files and patch series over a pristine tree: rig/apply-series.sh PRISTINE TREE
#
# TREE is a hard-linked copy of PRISTINE, made once.  Each run computes the
# wanted content of every file we touch in a scratch copy, then replaces
# (never writes through) only the files whose content changed, so hard links
# to PRISTINE are never modified and kbuild sees an mtime change only where
# the content really changed.  Files touched last time but not any more are
# put back to pristine.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pristine=$(realpath "$1")
tree=$(realpath -m "$2")
overlay_dirs="arch kernel include Documentation tools/testing/selftests/breakpoints"

if [ ! -e "$tree/.hwbp-tree" ]; then
	echo "apply-series: making $tree (hard links to $pristine)"
	rm -rf "$tree"
	cp -al "$pristine" "$tree"
	touch "$tree/.hwbp-tree"
	: >"$tree/.hwbp-touched"
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# 1. our own files
(cd "$top" && for d in $overlay_dirs; do [ -d "$d" ] && find "$d" -type f; done) |
while read -r f; do
	mkdir -p "$stage/$(dirname "$f")"
	cp "$top/$f" "$stage/$f"
done

# 2. the series, in order, each patch against pristine-or-ours content
if [ -s "$top/patches/series" ]; then
	grep -vE '^\s*(#|$)' "$top/patches/series" | while read -r p; do
		for f in $(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$top/patches/$p"); do
			if [ ! -e "$stage/$f" ] && [ -e "$pristine/$f" ]; then
				mkdir -p "$stage/$(dirname "$f")"
				cp "$pristine/$f" "$stage/$f"
			fi
		done
		patch -s -p1 -d "$stage" --no-backup-if-mismatch <"$top/patches/$p" ||
			{ echo "apply-series: $p does not apply"; exit 1; }
	done
fi

# 3. install what changed, restore what is no longer ours
(cd "$stage" && find . -type f | sed 's|^\./||' | sort) >"$stage.list"
changed=0
while read -r f; do
	if ! cmp -s "$stage/$f" "$tree/$f"; then
		mkdir -p "$tree/$(dirname "$f")"
		rm -f "$tree/$f"
		cp "$stage/$f" "$tree/$f"
		changed=$((changed + 1))
	fi
done <"$stage.list"
comm -23 <(sort "$tree/.hwbp-touched") "$stage.list" | while read -r f; do
	rm -f "$tree/$f"
	[ -e "$pristine/$f" ] && cp "$pristine/$f" "$tree/$f"
	echo "apply-series: restored $f"
done
mv "$stage.list" "$tree/.hwbp-touched"
echo "apply-series: $(wc -l <"$tree/.hwbp-touched") files ours or patched, $changed changed"
