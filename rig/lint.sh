#!/bin/bash
# checkpatch --strict on every C file and header we own and on every patch.
# Patches go through stdin: checkpatch misreads a file given as
# patches/NAME.patch (it reports the blank context lines as trailing
# whitespace).
set -uo pipefail
src=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rc=0
files=$(git ls-files '*.c' '*.h')
for f in $files; do
	"$src/scripts/checkpatch.pl" --strict --no-tree --quiet -f "$f" || rc=1
done
patches=$(grep -vE '^\s*(#|$)' patches/series)
for p in $patches; do
	"$src/scripts/checkpatch.pl" --strict --no-tree --quiet - <"patches/$p" ||
		{ echo "^^^ patches/$p"; rc=1; }
done
[ $rc = 0 ] && echo "checkpatch: clean ($(echo $files | wc -w) files, $(echo $patches | wc -w) patches)"
exit $rc
