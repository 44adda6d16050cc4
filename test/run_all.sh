#!/bin/sh
# Runs inside scripts/pgenv (PGHOST, PGPORT, PGUSER set; extension installed
# in $KPI_EXT_DESTDIR).  Counts every pg_regress test and every shell test.
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0
out=$(mktemp)

# each test's line is printed as it finishes
{ make -s installcheck 2>&1; echo $? >"$out.rc"; } | tee "$out"
p=$(grep -cE '^(ok|test|     ).* \.\.\. ok' "$out")
f=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$out")
passed=$((passed + p))
failed=$((failed + f))
if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
	echo "pg_regress ran no test"
	failed=$((failed + 1))
elif [ "$(cat "$out.rc")" != 0 ] && [ "$f" -eq 0 ]; then
	echo "pg_regress stopped before the end of its tests"
	failed=$((failed + 1))
fi
rm -f "$out.rc"
if [ -f regression.diffs ]; then
	echo "---- regression.diffs ----"
	cat regression.diffs
fi

for t in test/t_*.sh; do
	[ -e "$t" ] || continue
	if sh "$t" >"$out" 2>&1; then
		echo "shell test $(basename "$t") ... ok"
		passed=$((passed + 1))
	else
		echo "shell test $(basename "$t") ... FAILED"
		sed 's/^/    /' "$out"
		failed=$((failed + 1))
	fi
done
rm -f "$out"
echo "$passed passed, $failed failed" >"${KPI_SUMMARY:-/dev/stdout}"
[ "$failed" -eq 0 ]
