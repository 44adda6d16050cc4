#!/bin/sh
# The upgrade harness (issue 6, point 3), in the manner of postgresql-hll:
#   1. every script kpi_ext--*.sql of the top-level directory is installed,
#      and PostgreSQL knows each update script as a direct path (an
#      upgrade script missing from DATA in the Makefile fails here);
#   2. for every upgrade script kpi_ext--A--B.sql: version A installed fresh
#      and updated to B with ALTER EXTENSION kpi_ext UPDATE TO 'B' equals a
#      fresh install of B in another database;
#   3. from every older version with an install script, ALTER EXTENSION
#      UPDATE step by step along PostgreSQL's update path up to the default
#      version equals a fresh install of it;
#   "equals": test/compare_objects.sql prints the same lines (every member
#   object's definition, comment, privileges and initial privileges, the
#   member tables' rows, the configuration tables and their dump filters,
#   the schema), and, when kpi.load_sample() exists, every view of schema
#   kpi gives the same rows after loading the sample in both.
#   4. a fresh install compared with another fresh install is equal (with
#      only version 1.0 shipped, that is all 2 and 3 can do);
#   5. self-test: the comparison reports exactly one changed comment, one
#      changed function definition, changed privileges, an added and a
#      removed member, a changed dump filter and a changed row, each made in
#      a copy of the fresh database.
set -eu
cd "$(dirname "$0")/.."
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
ext=kpi_ext
A=kpi_t_upgrade_a
B=kpi_t_upgrade_b
M=kpi_t_upgrade_m
tmp=$(mktemp -d)

psql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
q() { db=$1; shift; psql -At -d "$db" -c "$*"; }
dropdbs() { for d in $A $B $M; do "$bindir/dropdb" --if-exists "$d" 2>/dev/null || :; done; }
cleanup() { dropdbs; rm -rf "$tmp"; }
trap cleanup EXIT
dropdbs

fail=0
bad() { echo "FAIL: $*"; fail=1; }

snapshot() { # DB FILE: the objects, then the views' rows after loading the sample
	psql -At -v ext="$ext" -f test/compare_objects.sql -d "$1" >"$2"
	if [ "$(q "$1" "SELECT pg_catalog.to_regprocedure('kpi.load_sample()') IS NOT NULL")" = t ]; then
		echo "-- rows of the views after kpi.load_sample():" >>"$2"
		psql -At -d "$1" >>"$2" <<-'EOF'
		SELECT kpi.load_sample() \g /dev/null
		SELECT pg_catalog.format('SELECT %L || '' | '' || v::text FROM %s AS v ORDER BY v::text COLLATE "C"', c.oid::pg_catalog.regclass, c.oid::pg_catalog.regclass) FROM pg_catalog.pg_class AS c WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('v', 'm') ORDER BY c.relname COLLATE "C" \gexec
		EOF
	fi
}

compare() { # LABEL FILE_UPDATED FILE_FRESH
	members=$(grep -c ' :: member = ' "$3" || :)
	if grep -q ' :: UNHANDLED = ' "$2" "$3"; then
		bad "$1: members of a kind that test/compare_objects.sql does not compare:"
		grep -h ' :: UNHANDLED = ' "$2" "$3" | sort -u
	fi
	if [ "$members" -lt 20 ]; then
		bad "$1: only $members members listed by test/compare_objects.sql, expected at least 20"
	fi
	if diff -u "$3" "$2" >"$tmp/diff"; then
		echo "ok: $1 ($members members, $(wc -l <"$3") lines compared, of which $(sed -n '/^-- rows of the views/,$p' "$3" | sed 1d | wc -l) rows of views)"
	else
		bad "$1 differs (- fresh install, + updated):"
		grep '^[-+][^-+]' "$tmp/diff" | head -200
	fi
}

default=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" $ext.control)
[ -n "$default" ] || { echo "FAIL: no default_version in $ext.control"; exit 1; }
"$bindir/createdb" $A
"$bindir/createdb" $B

# --- 1. the shipped scripts are installed ---------------------------------
# (pg_available_extension_versions does not look in extension_destdir, where
# scripts/pgenv installs: the files are looked for there instead)
extdir=${KPI_EXT_DESTDIR:-}$("${PG_CONFIG:-pg_config}" --sharedir)/extension
steps=""
bases=""
for f in "$ext"--*.sql; do
	[ -e "$f" ] || continue
	name=${f#"$ext"--}
	name=${name%.sql}
	[ -f "$extdir/$f" ] || bad "$f is not installed in $extdir (add it to DATA in the Makefile)"
	case $name in
	*--*)
		from=${name%%--*}
		to=${name#*--}
		if [ "$(q $A "SELECT pg_catalog.count(*) FROM pg_catalog.pg_extension_update_paths('$ext') WHERE source = '$from' AND target = '$to' AND path = '$from--$to'")" = 1 ]; then
			steps="$steps $from:$to"
		else
			bad "PostgreSQL has no direct update from $from to $to although $f is shipped"
		fi
		;;
	*)
		bases="$bases $name"
		;;
	esac
done
echo "default version $default; install scripts for:$bases; update scripts:$(echo "$steps" | sed 's/:/--/g')"
echo " $bases " | grep -qF " $default " || bad "no install script $ext--$default.sql for the default version"

# --- 2. every update script -------------------------------------------------
for s in $steps; do
	from=${s%%:*}
	to=${s#*:}
	dropdbs
	"$bindir/createdb" $A
	"$bindir/createdb" $B
	q $A "CREATE EXTENSION $ext VERSION '$from'" >/dev/null
	q $A "ALTER EXTENSION $ext UPDATE TO '$to'" >/dev/null
	[ "$(q $A "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = '$ext'")" = "$to" ] \
		|| bad "ALTER EXTENSION $ext UPDATE TO '$to' left another version"
	q $B "CREATE EXTENSION $ext VERSION '$to'" >/dev/null
	snapshot $A "$tmp/updated"
	snapshot $B "$tmp/fresh"
	compare "$from installed, updated to $to = $to installed" "$tmp/updated" "$tmp/fresh"
done
[ -n "$steps" ] || echo "no update script kpi_ext--A--B.sql shipped: no single step to check"

# --- 3. from every older version, step by step to the default -------------
chains=0
for v in $bases; do
	[ "$v" = "$default" ] && continue
	path=$(q $A "SELECT path FROM pg_catalog.pg_extension_update_paths('$ext') WHERE source = '$v' AND target = '$default'")
	if [ -z "$path" ]; then
		bad "no update path from $v to $default"
		continue
	fi
	chains=$((chains + 1))
	dropdbs
	"$bindir/createdb" $A
	"$bindir/createdb" $B
	q $A "CREATE EXTENSION $ext VERSION '$v'" >/dev/null
	for step in $(echo "$path" | sed 's/--/ /g'); do
		[ "$step" = "$v" ] && continue
		q $A "ALTER EXTENSION $ext UPDATE TO '$step'" >/dev/null
	done
	q $B "CREATE EXTENSION $ext" >/dev/null
	snapshot $A "$tmp/updated"
	snapshot $B "$tmp/fresh"
	compare "$v updated step by step ($path) = $default installed" "$tmp/updated" "$tmp/fresh"
done
[ "$chains" -gt 0 ] || echo "only version $default is shipped: no update path to check"

# --- 4. fresh against fresh -------------------------------------------------
dropdbs
"$bindir/createdb" $A
"$bindir/createdb" $B
q $A "CREATE EXTENSION $ext" >/dev/null
q $B "CREATE EXTENSION $ext" >/dev/null
snapshot $A "$tmp/fresh_a"
snapshot $B "$tmp/fresh_b"
compare "two fresh installs of $default" "$tmp/fresh_a" "$tmp/fresh_b"

# --- 5. self-test: the comparison sees each kind of change -----------------
# mutate NAME SQL ADDED REMOVED PATTERN: in a copy of the fresh database $B
# (before the sample), SQL must add exactly ADDED lines to the comparison
# (">=N": at least N) and remove exactly REMOVED, each containing PATTERN.
mutate() {
	"$bindir/dropdb" --if-exists $M 2>/dev/null
	"$bindir/createdb" -T $B $M
	psql -d $M -c "$2" >/dev/null
	psql -At -v ext="$ext" -f test/compare_objects.sql -d $M >"$tmp/mutated"
	diff "$tmp/base" "$tmp/mutated" >"$tmp/diff" || :
	added=$(grep -c '^>' "$tmp/diff" || :)
	removed=$(grep -c '^<' "$tmp/diff" || :)
	others=$(grep '^[<>]' "$tmp/diff" | grep -cvF "$5" || :)
	case $3 in
	">="*) added_ok=$([ "$added" -ge "${3#>=}" ] && echo t || echo f) ;;
	*) added_ok=$([ "$added" -eq "$3" ] && echo t || echo f) ;;
	esac
	if [ "$added_ok" = t ] && [ "$removed" -eq "$4" ] && [ "$others" -eq 0 ]; then
		echo "ok: self-test $1: $added added, $removed removed, as expected"
	else
		bad "self-test $1: expected $3 added and $4 removed lines about \"$5\", got $added added and $removed removed:"
		cat "$tmp/diff"
	fi
}
dropdbs
"$bindir/createdb" $B
q $B "CREATE EXTENSION $ext" >/dev/null
psql -At -v ext="$ext" -f test/compare_objects.sql -d $B >"$tmp/base"

mutate "comment" \
	"COMMENT ON FUNCTION kpi.percent(kpi.ratio, integer) IS 'changed'" \
	1 1 "function kpi.percent(kpi.ratio,integer) :: comment = "
mutate "function definition" \
	"ALTER FUNCTION kpi.gap(kpi.ratio, numeric) COST 7" \
	1 1 "function kpi.gap(kpi.ratio,numeric) :: definition | "
mutate "privileges" \
	"REVOKE EXECUTE ON FUNCTION kpi.met(kpi.ratio, numeric) FROM PUBLIC" \
	1 1 "function kpi.met(kpi.ratio,numeric) :: privileges = "
mutate "added member" \
	"CREATE FUNCTION kpi.extra_member() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 1'; ALTER EXTENSION $ext ADD FUNCTION kpi.extra_member()" \
	">=4" 0 "function kpi.extra_member() :: "
mutate "removed member" \
	"ALTER EXTENSION $ext DROP FUNCTION kpi.format_vi(numeric, integer, boolean)" \
	0 "$(grep -c '^function kpi.format_vi(numeric,integer,boolean) :: ' "$tmp/base")" \
	"function kpi.format_vi(numeric,integer,boolean) :: "
if [ "$(q $B "SELECT pg_catalog.cardinality(extconfig) > 0 FROM pg_catalog.pg_extension WHERE extname = '$ext'")" = t ]; then
	mutate "dump filter" \
		"UPDATE pg_catalog.pg_extension SET extcondition[1] = 'WHERE false' WHERE extname = '$ext'" \
		1 1 ":: configuration table "
else
	echo "SKIPPED: self-test of dump filters: $ext has no configuration table (pg_extension_config_dump)"
fi
if [ "$(q $B "SELECT pg_catalog.to_regclass('kpi.indicator') IS NOT NULL")" = t ] \
	&& [ "$(q $B "SELECT pg_catalog.count(*) > 0 FROM kpi.indicator")" = t ]; then
	mutate "row of a member table" \
		"UPDATE kpi.indicator SET name_en = 'changed' WHERE code = (SELECT pg_catalog.min(code) FROM kpi.indicator)" \
		1 1 "table kpi.indicator :: row | "
else
	echo "SKIPPED: self-test of member table rows: no kpi.indicator with built-in rows (the report part is not installed)"
fi

[ "$fail" -eq 0 ] || { echo "FAILED"; exit 1; }
echo "all comparisons equal, every self-test change reported"
