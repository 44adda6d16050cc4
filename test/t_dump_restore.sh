#!/bin/sh
# Dump and restore (issue 6, point 2): a database holding
#   - a user's table with kpi.ratio and kpi.coverage_state columns,
#   - grants to a role on schema kpi, on a function (revoked from PUBLIC)
#     and on views,
#   - when the report part exists: the sample (kpi.load_sample()), an edited
#     assigned target, a new unit with a count, a user-defined indicator,
#   - when kpi.refresh exists (issue 4): a generated period 2024-Q2 computed
#     from dossier rows,
# goes through pg_dump -Fc and pg_restore into a fresh database, and then
#   - every view and table of schema kpi gives the same rows (compared as
#     text, sorted), and so does the user's table;
#   - kpi.report_markdown gives the same text for every period;
#   - test/compare_objects.sql prints the same lines (every extension object,
#     its comment and privileges, the schema's privileges, the configuration
#     tables and their rows).
set -eu
cd "$(dirname "$0")/.."
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
src=kpi_t_dump_src
dst=kpi_t_dump_dst
tmp=$(mktemp -d)

psql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
q() { db=$1; shift; psql -At -d "$db" -c "$*"; }
role=regress_kpi_dump_reader
dropdbs() { for d in $src $dst; do "$bindir/dropdb" --if-exists "$d" 2>/dev/null || :; done; }
cleanup() {
	dropdbs
	"$bindir/psql" -X -q -d postgres -c "DROP ROLE IF EXISTS $role" 2>/dev/null || :
	rm -rf "$tmp"
}
trap cleanup EXIT
dropdbs

fail=0
bad() { echo "FAIL: $*"; fail=1; }
has() { [ "$(q $src "SELECT $1 IS NOT NULL")" = t ]; }

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
	-c "GRANT EXECUTE ON FUNCTION kpi.met(kpi.ratio, numeric) TO $role"
echo "privileges: USAGE on schema kpi and EXECUTE on kpi.met for $role only"

if has "pg_catalog.to_regprocedure('kpi.load_sample()')"; then
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
	psql -d $src -c "GRANT SELECT ON kpi.summary, kpi.appendix_online TO $role"
	echo "edited: one assigned target, a new unit with a count and a target, a user indicator; SELECT on two views for $role"
else
	echo "SKIPPED: kpi.load_sample() does not exist (the report part is not installed): no sample, no edited target, no new unit; dumped the core and the user's table only"
fi

if has "pg_catalog.to_regprocedure('kpi.refresh(text)')"; then
	# A small generated quarter, by the columns of issue 4 (kpi.dossier,
	# kpi.service); adjust here if they change.
	if psql -At -d $src >"$tmp/gen" 2>&1 <<'EOF'
INSERT INTO kpi.period (label, starts, ends, name_vi)
VALUES ('2024-Q2', '2024-04-01', '2024-06-30', 'quý II năm 2024') ON CONFLICT DO NOTHING;
INSERT INTO kpi.service (unit_code, procedure_code, online_service, online_payment)
SELECT u.code, 'proc-' || p, p % 2 = 0, p % 3 = 0
FROM kpi.unit AS u CROSS JOIN pg_catalog.generate_series(1, 4) AS p
WHERE u.level = 'province' ON CONFLICT DO NOTHING;
INSERT INTO kpi.dossier (dossier_code, unit_code, procedure_code, received_at, channel,
                         fee_required, paid_online, digitized, reused_data, resolved_at, e_result)
SELECT 'gen-' || u.code || '-' || g, u.code, 'proc-' || (g % 4 + 1),
       timestamptz '2024-04-01 08:00+07' + g * interval '17 hours',
       (ARRAY['online', 'direct', 'postal'])[g % 3 + 1],
       g % 2 = 0, g % 4 = 0, g % 5 <> 0, g % 7 = 0,
       CASE WHEN g % 6 <> 0 THEN timestamptz '2024-04-01 08:00+07' + g * interval '17 hours' + interval '3 days' END,
       g % 6 = 1
FROM kpi.unit AS u CROSS JOIN pg_catalog.generate_series(1, 60) AS g
WHERE u.level = 'province';
SELECT kpi.refresh('2024-Q2');
EOF
	then
		echo "generated period 2024-Q2: kpi.refresh('2024-Q2') wrote $(tail -1 "$tmp/gen") rows"
	else
		bad "generating period 2024-Q2 for kpi.refresh failed (this test guesses the columns of kpi.dossier and kpi.service from issue 4):"
		cat "$tmp/gen"
	fi
else
	echo "SKIPPED: kpi.refresh(text) does not exist (issue 4 not installed): no generated period"
fi

# --- dump and restore ----------------------------------------------------------
"$bindir/pg_dump" -Fc -f "$tmp/dump" $src
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
	SELECT pg_catalog.format('SELECT %L || E''\n'' || kpi.report_markdown(%L)', 'report_markdown(' || p.label || '):', p.label) FROM kpi.period AS p WHERE pg_catalog.to_regprocedure('kpi.report_markdown(text)') IS NOT NULL ORDER BY p.label \gexec
	EOF
}
# (kpi.period exists only with the report part)
if has "pg_catalog.to_regclass('kpi.period')"; then
	rows $src >"$tmp/src.rows"
	rows $dst >"$tmp/dst.rows"
else
	rows $src 2>/dev/null | sed '/^report_markdown/,$d' >"$tmp/src.rows" || :
	rows $dst 2>/dev/null | sed '/^report_markdown/,$d' >"$tmp/dst.rows" || :
fi
relations=$(q $src "SELECT pg_catalog.count(*) FROM pg_catalog.pg_class AS c WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')")
views=$(q $src "SELECT pg_catalog.count(*) FROM pg_catalog.pg_class AS c WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('v', 'm')")
nrows=$(wc -l <"$tmp/src.rows")
if [ "$nrows" -lt 41 ]; then
	bad "only $nrows lines of rows to compare"
elif diff -u "$tmp/src.rows" "$tmp/dst.rows" >"$tmp/diff"; then
	echo "ok: same rows in $views views, $((relations - views)) tables of schema kpi and public.user_measure, and the same reports ($nrows lines)"
else
	bad "rows differ after restore (- before, + after):"
	grep '^[-+][^-+]' "$tmp/diff" | head -100
fi
if [ "$views" -eq 0 ]; then
	echo "SKIPPED: no view in schema kpi to compare (the report part is not installed)"
fi
if has "pg_catalog.to_regclass('kpi.assigned_target')"; then
	[ "$(q $dst "SELECT pg_catalog.count(*) FROM kpi.assigned_target WHERE target = 42.5")" -ge 1 ] || bad "the edited target is not in the restored database"
	[ "$(q $dst "SELECT pg_catalog.count(*) FROM kpi.unit WHERE code = 'so-thu-nghiem'")" = 1 ] || bad "the new unit is not in the restored database"
	[ "$(q $dst "SELECT pg_catalog.count(*) FROM kpi.indicator")" = "$(q $src "SELECT pg_catalog.count(*) FROM kpi.indicator")" ] || bad "kpi.indicator has another number of rows after restore"
fi
if has "pg_catalog.to_regprocedure('kpi.refresh(text)')"; then
	n=$(q $dst "SELECT pg_catalog.count(*) FROM kpi.appendix_online WHERE period = '2024-Q2'")
	if [ "$n" -gt 0 ]; then
		echo "ok: the generated period is in kpi.appendix_online after restore ($n rows)"
	else
		bad "the generated period 2024-Q2 is not in kpi.appendix_online after restore"
	fi
fi

psql -At -f test/compare_objects.sql -d $src >"$tmp/src.objects"
psql -At -f test/compare_objects.sql -d $dst >"$tmp/dst.objects"
if diff -u "$tmp/src.objects" "$tmp/dst.objects" >"$tmp/diff"; then
	echo "ok: test/compare_objects.sql: the same extension objects, comments, privileges and member table rows ($(wc -l <"$tmp/src.objects") lines)"
else
	bad "extension objects differ after restore (- before, + after):"
	grep '^[-+][^-+]' "$tmp/diff" | head -100
fi

# --- not a requirement, said for docs/install.md: an edit to a built-in row --
# kpi.indicator's built-in rows are left out of the dump (CREATE EXTENSION
# makes them), so an edit of one of them does not survive.
if has "pg_catalog.to_regclass('kpi.indicator')" \
	&& [ "$(q $src "SELECT pg_catalog.count(*) FROM kpi.indicator WHERE builtin")" -gt 0 ] 2>/dev/null; then
	q $src "UPDATE kpi.indicator SET name_en = name_en || ' (edited)' WHERE code = (SELECT pg_catalog.min(code) FROM kpi.indicator WHERE builtin)" >/dev/null
	"$bindir/pg_dump" -Fc -f "$tmp/dump2" $src
	"$bindir/dropdb" $dst
	"$bindir/createdb" $dst
	"$bindir/pg_restore" --exit-on-error -d $dst "$tmp/dump2"
	if [ "$(q $dst "SELECT pg_catalog.count(*) FROM kpi.indicator WHERE name_en LIKE '% (edited)'")" = 0 ]; then
		echo "NOTE: an edit to a built-in row of kpi.indicator (builtin = true) is not kept by pg_dump: CREATE EXTENSION recreates the row as shipped"
	else
		echo "NOTE: an edit to a built-in row of kpi.indicator survives pg_dump and pg_restore"
	fi
fi

[ "$fail" -eq 0 ] || { echo "FAILED"; exit 1; }
echo "the restored database gives the same output"
