#!/bin/bash
# checkpatch --strict on every C/header file we own and on every patch.
set -uo pipefail
src=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rc=0
files=$(find arch kernel include tools/testing/selftests/breakpoints rig/guest \
	-name '*.[ch]' 2>/dev/null)
for f in $files; do
	"$src/scripts/checkpatch.pl" --strict --no-tree --quiet -f "$f" || rc=1
done
for p in $(grep -vE '^\s*(#|$)' patches/series 2>/dev/null); do
	"$src/scripts/checkpatch.pl" --strict --no-tree --quiet "patches/$p" || rc=1
done
[ $rc = 0 ] && echo "checkpatch: clean ($(echo $files | wc -w) files)"
exit $rc
