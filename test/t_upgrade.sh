#!/bin/sh
# Upgrades, in the manner of postgresql-hll:
#   1. every script kpi_ext--*.sql is installed, and PostgreSQL knows each
#      update script as a direct path (an upgrade script missing from the
#      Makefile fails here);
#   2. for every update script kpi_ext--A--B.sql: A installed fresh and
#      updated to B equals B installed fresh;
#   3. a database at every older released version, holding a user's data
#      (test/upgrade_data.sql: the sample, a refreshed generated quarter, the
#      user's units, targets, indicator, note, staged rows, and a view of
#      theirs on kpi views), updated step by step to the default version:
#        - equals a fresh install of it (test/compare_objects.sql: every
#          member's definition, comment and privileges, and the rows the
#          extension itself owns);
#        - keeps every row of every configuration table (in the columns both
#          versions have), and every row of every view of schema kpi;
#        - the user's view answers the same rows;
#        - kpi.refresh of the same quarter writes the same figures again;
#   4. two fresh installs are equal, and after the sample their views too;
#   5. self-test: the comparison reports exactly one changed comment, one
#      changed function definition, changed privileges, an added and a
#      removed member, a changed dump filter and a changed built-in row.
. "$(dirname "$0")/lib.sh"
ext=kpi_ext
A=kpi_t_upgrade_a
B=kpi_t_upgrade_b
M=kpi_t_upgrade_m
t_init $A $B $M

objects() { # DB FILE
	psql -At -v ext="$ext" -f test/compare_objects.sql -d "$1" >"$2"
}
# the rows of every view of schema kpi, after kpi.load_sample()
view_rows() { # DB FILE
	psql -At -d "$1" >"$2" <<-'EOF'
	SELECT kpi.load_sample() \g /dev/null
	SELECT pg_catalog.format('SELECT %L || '' | '' || v::text FROM %s AS v ORDER BY v::text COLLATE "C"', c.oid::pg_catalog.regclass, c.oid::pg_catalog.regclass) FROM pg_catalog.pg_class AS c WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind = 'v' ORDER BY c.relname COLLATE "C" \gexec
	EOF
}
compare() { # LABEL FILE_UPDATED FILE_FRESH
	members=$(grep -c ' :: member = ' "$3" || :)
	if grep -q ' :: UNHANDLED = ' "$2" "$3"; then
		bad "$1: members of a kind that test/compare_objects.sql does not compare:"
		grep -h ' :: UNHANDLED = ' "$2" "$3" | sort -u
	fi
	[ "$members" -ge 20 ] || bad "$1: only $members members listed by test/compare_objects.sql, expected at least 20"
	if diff -u "$3" "$2" >"$tmp/diff"; then
		echo "ok: $1 ($members members, $(wc -l <"$3") lines compared)"
	else
		bad "$1 differs (- fresh install, + updated):"
		grep '^[-+][^-+]' "$tmp/diff" | head -200
	fi
}
fresh() { # DB [VERSION]
	"$bindir/dropdb" --if-exists "$1" 2>/dev/null || :
	"$bindir/createdb" "$1"
	q "$1" "CREATE EXTENSION $ext${2:+ VERSION '$2'}" >/dev/null
}

default=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" $ext.control)
[ -n "$default" ] || { echo "FAIL: no default_version in $ext.control"; exit 1; }
fresh $A

# --- 1. the shipped scripts are installed ---------------------------------
# (pg_available_extension_versions does not look in extension_destdir, where
# scripts/pgenv installs: the files are looked for there instead)
extdir=${KPI_EXT_DESTDIR:-}$("${PG_CONFIG:-pg_config}" --sharedir)/extension
steps=""
bases=""
for f in $ext--*.sql; do
	name=${f#"$ext"--}
	name=${name%.sql}
	[ -f "$extdir/$f" ] || bad "$f is not installed in $extdir (add it to the Makefile)"
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
	*) bases="$bases $name" ;;
	esac
done
echo "default version $default; install scripts for:$bases; update scripts:$(echo "$steps" | sed 's/:/--/g')"
echo " $bases " | grep -qF " $default " || bad "no install script $ext--$default.sql for the default version"
[ -n "$steps" ] || bad "no update script: version 1.0 is released, so $default needs kpi_ext--1.0--$default.sql"

# --- 2. every update script, fresh ----------------------------------------
for s in $steps; do
	from=${s%%:*}
	to=${s#*:}
	fresh $A "$from"
	q $A "ALTER EXTENSION $ext UPDATE TO '$to'" >/dev/null
	[ "$(q $A "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = '$ext'")" = "$to" ] \
		|| bad "ALTER EXTENSION $ext UPDATE TO '$to' left another version"
	fresh $B "$to"
	objects $A "$tmp/updated"
	objects $B "$tmp/fresh"
	compare "$from installed, updated to $to = $to installed" "$tmp/updated" "$tmp/fresh"
	view_rows $A "$tmp/updated_rows"
	view_rows $B "$tmp/fresh_rows"
	if cmp -s "$tmp/updated_rows" "$tmp/fresh_rows"; then
		echo "ok: $from updated to $to: the $(wc -l <"$tmp/fresh_rows") rows of the views after the sample equal a fresh $to's"
	else
		bad "$from updated to $to: the views differ from a fresh $to's after the sample:"
		diff "$tmp/fresh_rows" "$tmp/updated_rows" | head -40
	fi
done

# --- 3. a user's database, from every older version -----------------------
for v in $bases; do
	[ "$v" = "$default" ] && continue
	path=$(q $A "SELECT path FROM pg_catalog.pg_extension_update_paths('$ext') WHERE source = '$v' AND target = '$default'")
	[ -n "$path" ] || { bad "no update path from $v to $default"; continue; }
	since=$fail
	fresh $A "$v"
	psql -d $A -f test/upgrade_data.sql >"$tmp/data.out" 2>&1 || { bad "test/upgrade_data.sql failed at $v:"; cat "$tmp/data.out"; continue; }
	# a copy of every configuration table and every view, and of the user's view
	psql -d $A >/dev/null <<-'EOF'
	CREATE SCHEMA before_upgrade;
	SELECT pg_catalog.format('CREATE TABLE before_upgrade.%I AS SELECT * FROM %s', c.relname, c.oid::pg_catalog.regclass)
	FROM pg_catalog.pg_class AS c
	WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('r', 'v') \gexec
	CREATE TABLE before_upgrade.my_online AS SELECT * FROM public.my_online;
	EOF
	for step in $(echo "$path" | sed 's/--/ /g'); do
		[ "$step" = "$v" ] && continue
		q $A "ALTER EXTENSION $ext UPDATE TO '$step'" >/dev/null
	done
	fresh $B
	objects $A "$tmp/updated"
	objects $B "$tmp/fresh"
	compare "$v holding a user's data, updated ($path) = $default installed" "$tmp/updated" "$tmp/fresh"
	# every row kept: per table or view of 1.0, in the columns it still has,
	# the rows missing now and the rows new now.  A staging table's rows are
	# in it or, if they had been rejected, in its kpi.rejected_* table; a
	# view may show more (kpi.data_issue finds more kinds of issue), not less.
	q $A "SELECT pg_catalog.format('SELECT %L, %L, (SELECT pg_catalog.count(*) FROM (SELECT %s FROM before_upgrade.%I EXCEPT ALL SELECT %s FROM %s) AS x), (SELECT pg_catalog.count(*) FROM (SELECT %s FROM %s EXCEPT ALL SELECT %s FROM before_upgrade.%I) AS y), (SELECT pg_catalog.count(*) FROM before_upgrade.%I);',
	             b.relname, b.relkind, cols, b.relname, cols, now_rows, cols, now_rows, cols, b.relname, b.relname)
	      FROM (SELECT b.relname, n.relkind, pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) AS cols,
	                   CASE WHEN b.relname LIKE 'staging\_%'
	                        THEN pg_catalog.format('(SELECT * FROM kpi.%I UNION ALL SELECT %s FROM kpi.%I) AS now_rows',
	                                               b.relname,
	                                               (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(c.attname), ', ' ORDER BY c.attnum)
	                                                FROM pg_catalog.pg_attribute AS c
	                                                WHERE c.attrelid = pg_catalog.format('kpi.%I', b.relname)::pg_catalog.regclass
	                                                  AND c.attnum > 0 AND NOT c.attisdropped),
	                                               pg_catalog.replace(b.relname, 'staging_', 'rejected_'))
	                        ELSE pg_catalog.format('kpi.%I AS now_rows', b.relname) END AS now_rows
	            FROM pg_catalog.pg_class AS b
	            JOIN pg_catalog.pg_attribute AS a ON a.attrelid = b.oid AND a.attnum > 0 AND NOT a.attisdropped
	            JOIN pg_catalog.pg_class AS n ON n.oid = pg_catalog.format('kpi.%I', b.relname)::pg_catalog.regclass
	            JOIN pg_catalog.pg_attribute AS na ON na.attrelid = n.oid AND na.attname = a.attname AND NOT na.attisdropped
	            WHERE b.relnamespace = 'before_upgrade'::pg_catalog.regnamespace AND b.relname <> 'my_online'
	            GROUP BY b.relname, n.relkind) AS b
	      ORDER BY 1" >"$tmp/kept.sql"
	psql -At -F ' ' -d $A -f "$tmp/kept.sql" >"$tmp/kept"
	while read -r rel kind missing new total; do
		[ "$missing" = 0 ] || bad "kpi.$rel after the upgrade: $missing of its $total rows missing"
		[ "$new" = 0 ] || [ "$kind" = v ] || bad "kpi.$rel after the upgrade: $new rows new"
		[ "$new" = 0 ] || echo "kpi.$rel after the upgrade: all $total rows, and $new more"
	done <"$tmp/kept"
	[ "$(wc -l <"$tmp/kept")" -ge 20 ] || bad "only $(wc -l <"$tmp/kept") tables and views compared for kept rows"
	ok $since "$v updated: every row of $(wc -l <"$tmp/kept") tables and views kept ($(awk '{ n += $5 } END { print n }' "$tmp/kept") rows)"
	since=$fail
	[ "$(q $A "SELECT pg_catalog.count(*) FROM (SELECT * FROM public.my_online EXCEPT ALL SELECT * FROM before_upgrade.my_online) AS x")" = 0 ] \
		&& [ "$(q $A "SELECT pg_catalog.count(*) FROM (SELECT * FROM before_upgrade.my_online EXCEPT ALL SELECT * FROM public.my_online) AS x")" = 0 ] \
		|| bad "the user's view public.my_online answers other rows after the upgrade"
	ok $since "$v updated: the user's view answers the same $(q $A 'SELECT pg_catalog.count(*) FROM public.my_online') rows"
	since=$fail
	q $A "SELECT kpi.refresh('2024-Q2')" >/dev/null
	[ "$(q $A "SELECT pg_catalog.count(*) FROM (SELECT * FROM kpi.indicator_count EXCEPT ALL SELECT * FROM before_upgrade.indicator_count UNION ALL SELECT * FROM before_upgrade.indicator_count EXCEPT ALL SELECT * FROM kpi.indicator_count) AS x")" = 0 ] \
		|| bad "kpi.refresh('2024-Q2') after the upgrade wrote other figures than $v's"
	ok $since "$v updated: kpi.refresh('2024-Q2') writes the same $(q $A "SELECT pg_catalog.count(*) FROM kpi.indicator_count WHERE period = '2024-Q2' AND source = 'computed'") figures again"
done

# --- 4. fresh against fresh -------------------------------------------------
fresh $A
fresh $B
objects $A "$tmp/fresh_a"
objects $B "$tmp/fresh_b"
compare "two fresh installs of $default" "$tmp/fresh_a" "$tmp/fresh_b"
view_rows $A "$tmp/fresh_a_rows"
view_rows $B "$tmp/fresh_b_rows"
cmp -s "$tmp/fresh_a_rows" "$tmp/fresh_b_rows" || bad "two fresh installs: the views differ after the sample"

# --- 5. self-test: the comparison sees each kind of change -----------------
# mutate NAME SQL ADDED REMOVED PATTERN: in a copy of a fresh database, SQL
# must add exactly ADDED lines to the comparison (">=N": at least N) and
# remove exactly REMOVED, each containing PATTERN.
fresh $B
objects $B "$tmp/base"
mutate() {
	"$bindir/dropdb" --if-exists $M 2>/dev/null
	"$bindir/createdb" -T $B $M
	psql -d $M -c "$2" >/dev/null
	objects $M "$tmp/mutated"
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
mutate "dump filter" \
	"UPDATE pg_catalog.pg_extension SET extcondition[1] = 'WHERE false' WHERE extname = '$ext'" \
	">=1" 1 ":: configuration table "
mutate "built-in row" \
	"UPDATE kpi.indicator SET name_en = 'changed' WHERE code = (SELECT pg_catalog.min(code) FROM kpi.indicator)" \
	1 1 "table kpi.indicator :: row | "
mutate "a user's row is not the extension's" \
	"INSERT INTO kpi.period (label, starts, ends) VALUES ('2030', '2030-01-01', '2030-12-31')" \
	0 0 "table kpi.period"

t_finish
