#!/bin/sh
# Dump and restore: a database holding
#   - a user's table with kpi.ratio and kpi.coverage_state columns,
#   - grants to a role on schema kpi, on a function (revoked from PUBLIC)
#     and on views,
#   - the sample (kpi.load_sample()), an edited assigned target, a new unit
#     with a count, an indicator of the user's own,
#   - a generated quarter 2024-Q2 computed from dossier rows,
# goes through pg_dump -Fc and pg_restore into a fresh database, and then
#   - every view and table of schema kpi gives the same rows (compared as
#     text, sorted), and so does the user's table;
#   - kpi.report_markdown gives the same text for every period;
#   - test/compare_objects.sql prints the same lines (every extension object,
#     its comment and privileges, the schema's privileges, the configuration
#     tables and the extension's own rows);
#   - a parallel restore (pg_restore -j 4, which loads the tables in any
#     order, biggest first) gives the same rows and objects as the serial
#     one, and leaves no reference unresolved;
#   - pg_dump says nothing (no warning to alarm a DBA).
. "$(dirname "$0")/lib.sh"
src=kpi_t_dump_src
dst=kpi_t_dump_dst
par=kpi_t_dump_parallel
role=regress_kpi_dump_reader
t_init $src $dst $par
t_cleanup_also "psql -d postgres -c 'DROP ROLE IF EXISTS $role' >/dev/null 2>&1"

"$bindir/createdb" $src
psql -d $src -c 'CREATE EXTENSION kpi_ext'

# --- the data ----------------------------------------------------------------
psql -d $src <<'EOF'
CREATE TABLE public.user_measure (id integer PRIMARY KEY, share kpi.ratio, seen kpi.coverage_state);
INSERT INTO public.user_measure
SELECT g, kpi.ratio(g, 2 * g + 1), s.state
FROM pg_catalog.generate_series(0, 40) AS g
CROSS JOIN (SELECT kpi.coverage_trans(kpi.coverage_trans(NULL, 1::bigint, true), 7::bigint, false) AS state) AS s;
EOF
echo "user table public.user_measure: 41 rows with kpi.ratio and kpi.coverage_state"

# grants on the schema, a member function and the views (roles are not in
# the dump: this one stays in the cluster until the end)
psql -d postgres -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS $role" -c "CREATE ROLE $role NOLOGIN"
psql -d $src -c "GRANT USAGE ON SCHEMA kpi TO $role" \
	-c "REVOKE EXECUTE ON FUNCTION kpi.met(kpi.ratio, numeric) FROM PUBLIC" \
	-c "GRANT EXECUTE ON FUNCTION kpi.met(kpi.ratio, numeric) TO $role" \
	-c "GRANT SELECT ON kpi.summary, kpi.appendix_online TO $role"
echo "privileges: USAGE on schema kpi, EXECUTE on kpi.met, SELECT on two views, for $role only"

echo "kpi.load_sample(): $(q $src 'SELECT kpi.load_sample()') rows"
psql -d $src <<'EOF'
-- an edited target
UPDATE kpi.assigned_target SET target = 42.5
WHERE (period, level, unit_code, indicator) =
      (SELECT period, level, unit_code, indicator FROM kpi.assigned_target ORDER BY 1, 2, 3, 4 LIMIT 1);
-- a new unit, with a count and a target
INSERT INTO kpi.unit (code, name, level, sort_order)
VALUES ('so-thu-nghiem', 'Sở Thử nghiệm', 'province', 99);
INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, source, numerator, denominator)
VALUES ('2024-Q1', 'province', 'so-thu-nghiem', 'online_dossier', 'published', 3, 4);
INSERT INTO kpi.assigned_target (period, level, unit_code, indicator, target)
VALUES ('2024-Q1', 'province', 'so-thu-nghiem', 'online_dossier', 75);
-- an indicator of the user's own
INSERT INTO kpi.indicator (code, sort_order, name_vi, name_en, numerator_label_vi, numerator_label_en,
                           denominator_label_vi, denominator_label_en, counts)
VALUES ('user_indicator', 99, 'Chỉ tiêu thử', 'Test indicator', 'tử', 'numerator', 'mẫu', 'denominator', 'dossiers');
EOF
echo "edited: one assigned target, a new unit with a count and a target, a user indicator"
psql -d $src -v rows=5000 -f test/generate_dossiers.sql >/dev/null
echo "generated quarter 2024-Q2: kpi.refresh('2024-Q2') wrote $(q $src "SELECT kpi.refresh('2024-Q2')") rows"

# --- dump and restore ----------------------------------------------------------
"$bindir/pg_dump" -Fc -f "$tmp/dump" $src 2>"$tmp/dump.err"
if [ -s "$tmp/dump.err" ]; then
	bad "pg_dump wrote to stderr:"
	cat "$tmp/dump.err"
else
	echo "ok: pg_dump -Fc said nothing"
fi
"$bindir/createdb" $dst
if "$bindir/pg_restore" --exit-on-error -d $dst "$tmp/dump" 2>"$tmp/restore"; then
	echo "pg_dump -Fc and pg_restore: ok ($(wc -c <"$tmp/dump") bytes)"
else
	bad "pg_restore failed:"
	cat "$tmp/restore"
fi
[ ! -s "$tmp/restore" ] || { echo "pg_restore said:"; cat "$tmp/restore"; }

# --- compare -------------------------------------------------------------------
# rows(DB): every relation of schema kpi and the user's table, one row a line
# as "relation | row", sorted; then the report of every period.
rows() {
	psql -At -d "$1" <<-'EOF'
	SELECT pg_catalog.format('SELECT %L || '' | '' || t::text FROM %s AS t ORDER BY t::text COLLATE "C"', c.oid::pg_catalog.regclass, c.oid::pg_catalog.regclass) FROM pg_catalog.pg_class AS c WHERE (c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')) OR c.oid = 'public.user_measure'::pg_catalog.regclass ORDER BY c.relname COLLATE "C" \gexec
	SELECT pg_catalog.format('SELECT %L || E''\n'' || kpi.report_markdown(%L)', 'report_markdown(' || p.label || '):', p.label) FROM kpi.period AS p ORDER BY p.label \gexec
	EOF
}
rows $src >"$tmp/src.rows"
rows $dst >"$tmp/dst.rows"
relations=$(q $src "SELECT pg_catalog.count(*) FROM pg_catalog.pg_class AS c WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')")
views=$(q $src "SELECT pg_catalog.count(*) FROM pg_catalog.pg_class AS c WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('v', 'm')")
nrows=$(wc -l <"$tmp/src.rows")
[ "$views" -ge 12 ] || bad "only $views views in schema kpi"
if [ "$nrows" -lt 5000 ]; then
	bad "only $nrows lines of rows to compare"
elif diff -u "$tmp/src.rows" "$tmp/dst.rows" >"$tmp/diff"; then
	echo "ok: same rows in $views views, $((relations - views)) tables of schema kpi and public.user_measure, and the same reports ($nrows lines)"
else
	bad "rows differ after restore (- before, + after):"
	grep '^[-+][^-+]' "$tmp/diff" | head -100
fi
since=$fail
[ "$(q $dst "SELECT pg_catalog.count(*) FROM kpi.assigned_target WHERE target = 42.5")" -ge 1 ] || bad "the edited target is not in the restored database"
[ "$(q $dst "SELECT pg_catalog.count(*) FROM kpi.unit WHERE code = 'so-thu-nghiem'")" = 1 ] || bad "the new unit is not in the restored database"
[ "$(q $dst "SELECT pg_catalog.count(*) FROM kpi.indicator")" = "$(q $src "SELECT pg_catalog.count(*) FROM kpi.indicator")" ] || bad "kpi.indicator has another number of rows after restore"
n=$(q $dst "SELECT pg_catalog.count(*) FROM kpi.appendix_online WHERE period = '2024-Q2'")
[ "$n" -gt 0 ] || bad "the generated quarter 2024-Q2 is not in kpi.appendix_online after restore"
ok $since "the edited target, the new unit, the user's indicator and the generated quarter ($n rows) are restored"

psql -At -f test/compare_objects.sql -d $src >"$tmp/src.objects"
psql -At -f test/compare_objects.sql -d $dst >"$tmp/dst.objects"
if diff -u "$tmp/src.objects" "$tmp/dst.objects" >"$tmp/diff"; then
	echo "ok: test/compare_objects.sql: the same extension objects, comments, privileges and own rows ($(wc -l <"$tmp/src.objects") lines)"
else
	bad "extension objects differ after restore (- before, + after):"
	grep '^[-+][^-+]' "$tmp/diff" | head -100
fi

# --- parallel restore ------------------------------------------------------------
"$bindir/createdb" $par
if "$bindir/pg_restore" -j 4 --exit-on-error -d $par "$tmp/dump" 2>"$tmp/restore.par"; then
	echo "pg_restore -j 4: ok"
else
	bad "pg_restore -j 4 failed:"
	cat "$tmp/restore.par"
fi
since=$fail
rows $par >"$tmp/par.rows"
diff -u "$tmp/src.rows" "$tmp/par.rows" >"$tmp/diff" || { bad "rows differ after pg_restore -j 4 (- before, + after):"; grep '^[-+][^-+]' "$tmp/diff" | head -50; }
psql -At -f test/compare_objects.sql -d $par >"$tmp/par.objects"
diff -u "$tmp/src.objects" "$tmp/par.objects" >"$tmp/diff" || { bad "objects differ after pg_restore -j 4:"; grep '^[-+][^-+]' "$tmp/diff" | head -50; }
n=$(q $par "SELECT count(*) FROM kpi.dangling_references()")
[ "$n" = 0 ] || bad "$n references left unresolved by pg_restore -j 4: $(q $par "SELECT string_agg(child || '.' || child_column || '=' || value, ', ') FROM kpi.dangling_references()")"
# what was checked is still checked after the restore
psql -d $par -c "INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, numerator, denominator) VALUES ('2024-Q1', 'province', 'no-such-unit', 'e_result', 1, 2)" >"$tmp/out" 2>&1 \
	&& bad "the restored database accepts a count of an unknown unit"
grep -q 'unit_code "no-such-unit" not found in kpi.unit' "$tmp/out" || { bad "not the expected refusal:"; cat "$tmp/out"; }
ok $since "pg_restore -j 4 gives the same rows ($(wc -l <"$tmp/par.rows") lines) and objects as the serial restore, no reference unresolved, references checked afterwards"

# --- said for docs/install.md: an edit to a built-in row ----------------------
# kpi.indicator's built-in rows are left out of the dump (CREATE EXTENSION
# makes them), so an edit of one of them does not survive.
q $src "UPDATE kpi.indicator SET name_en = name_en || ' (edited)' WHERE code = (SELECT pg_catalog.min(code) FROM kpi.indicator WHERE builtin)" >/dev/null
"$bindir/pg_dump" -Fc -f "$tmp/dump2" $src
"$bindir/dropdb" $dst
"$bindir/createdb" $dst
"$bindir/pg_restore" --exit-on-error -d $dst "$tmp/dump2"
[ "$(q $dst "SELECT pg_catalog.count(*) FROM kpi.indicator WHERE name_en LIKE '% (edited)'")" = 0 ] \
	|| bad "an edit to a built-in row of kpi.indicator survived pg_dump, unlike docs/install.md says"
echo "ok: an edit to a built-in row of kpi.indicator is not kept by pg_dump (CREATE EXTENSION recreates the row as shipped), as docs/install.md says"

t_finish
