#!/bin/sh
# The build of the SQL scripts (docs/architecture.md):
#   - kpi_ext--1.0.sql is the released script, byte for byte;
#   - the installed install and upgrade scripts are what src/build.pl makes
#     of the parts now (no stale build installed);
#   - a missing part, a part naming an unknown directive, a catalogue with
#     an unknown key or flag, a sample file whose header is not the
#     expected one: each fails the build, naming what is wrong.
. "$(dirname "$0")/lib.sh"
t_init

since=$fail
released=b550c81562f948dd2025d356deb05aa5058918d77d36ed085a00c1c2cf25cc73
[ "$(sha256sum <kpi_ext--1.0.sql | cut -d' ' -f1)" = $released ] \
	|| bad "kpi_ext--1.0.sql is not the released 1.0 script (sha256 $released)"
ok $since "kpi_ext--1.0.sql is the released script"

since=$fail
extdir=${KPI_EXT_DESTDIR:-}$("${PG_CONFIG:-pg_config}" --sharedir)/extension
version=$(sed -n "s/^default_version = '\([^']*\)'.*/\1/p" kpi_ext.control)
parts=$(make -s --no-print-directory print-SQL_PARTS)
# shellcheck disable=SC2086
perl src/build.pl install $parts >"$tmp/install.sql"
cmp -s "$tmp/install.sql" "$extdir/kpi_ext--$version.sql" || bad "the installed kpi_ext--$version.sql is not what the parts make now"
for u in src/upgrade/*.sql; do
	perl src/build.pl upgrade "$u" >"$tmp/upgrade.sql"
	name=kpi_ext--$(basename "$u")
	cmp -s "$tmp/upgrade.sql" "$extdir/$name" || bad "the installed $name is not what $u makes now"
done
ok $since "the installed scripts are what src/build.pl makes of src/ now"

# a scratch copy of the sources, broken one way at a time
scratch() {
	rm -rf "$tmp/src"
	mkdir "$tmp/src"
	cp -r Makefile kpi_ext.control kpi_ext.c src data "$tmp/src"
	rm -f "$tmp/src"/kpi_ext--*.sql
}
fails() { # LABEL EXPECTED_MESSAGE: make in the scratch copy fails, saying it
	if make -s -C "$tmp/src" "kpi_ext--$version.sql" >"$tmp/out" 2>&1; then
		bad "$1: the build succeeded"
	elif grep -qF "$2" "$tmp/out"; then
		echo "ok: $1: the build fails: $(grep -F "$2" "$tmp/out" | head -1)"
	else
		bad "$1: the build failed without saying \"$2\":"
		cat "$tmp/out"
	fi
}
scratch
make -s -C "$tmp/src" "kpi_ext--$version.sql" >"$tmp/out" 2>&1 || { bad "the scratch copy does not build:"; cat "$tmp/out"; }
scratch; rm "$tmp/src/src/sql/report.sql"
fails "a missing part" "src/sql/report.sql"
scratch; echo "-- @frobnicate" >>"$tmp/src/src/sql/report.sql"
fails "an unknown directive" "unknown directive @frobnicate"
scratch; sed -i 's/^numerator: online$/numerator: onlne/' "$tmp/src/src/catalogue.txt"
fails "an unknown flag in the catalogue" 'unknown flag "onlne"'
scratch; printf '\nindicator: x\ncolour: red\n' >>"$tmp/src/src/catalogue.txt"
fails "an unknown key in the catalogue" 'has no key "colour"'
scratch; sed -i '1s/printed_pct/printed/' "$tmp/src/data/sample/summary-2024-Q1.csv"
fails "a sample file with another header" "data/sample/summary-2024-Q1.csv has the columns"
scratch; sed -i '3s/$/,extra/' "$tmp/src/data/sample/units.csv"
fails "a sample row with a field too many" "data/sample/units.csv line 3 has 6 fields"

t_finish
