#!/bin/sh
# The committed install script kpi_ext--1.0.sql is the concatenation of its
# parts (src/sql/*.sql, in the Makefile's SQL_PARTS order).  A clean clone
# gives every file the same time stamp, so make would not rebuild a stale
# copy: this test catches a part edited without the script regenerated.
set -eu
cd "$(dirname "$0")/.."
parts=$(make -s --no-print-directory print-sql-parts)
[ -n "$parts" ] || { echo "FAIL: the Makefile lists no SQL parts"; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# shellcheck disable=SC2086
cat $parts >"$tmp"
if ! cmp -s kpi_ext--1.0.sql "$tmp"; then
	echo "FAIL: kpi_ext--1.0.sql differs from the concatenation of: $parts"
	diff kpi_ext--1.0.sql "$tmp" | head -20
	exit 1
fi
echo "ok: kpi_ext--1.0.sql = $parts"
