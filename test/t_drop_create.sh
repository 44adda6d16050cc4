#!/bin/sh
# DROP EXTENSION and CREATE EXTENSION again:
#   - three rounds of CREATE EXTENSION kpi_ext (with the sample and a user
#     edit) then DROP EXTENSION kpi_ext leave no
#     table, view, sequence, type, function or operator in schema kpi; the
#     schema itself stays (CREATE EXTENSION made it, it is not a member), and
#     the next CREATE EXTENSION uses it;
#   - a user's view on a kpi view blocks
#     DROP EXTENSION with PostgreSQL's usual message, and everything is still
#     there afterwards; DROP EXTENSION ... CASCADE drops the user's view too;
#   - DROP SCHEMA kpi after DROP EXTENSION removes the rest, and CREATE
#     EXTENSION works again after it.
. "$(dirname "$0")/lib.sh"
db=kpi_t_drop_create
t_init $db
"$bindir/createdb" $db
psql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
q() { psql -At -c "$*"; }

# what is left in schema kpi, one object a line
leftovers() {
	q "SELECT 'relation ' || c.oid::pg_catalog.regclass::text || ' (relkind ' || c.relkind::text || ')' FROM pg_catalog.pg_class AS c WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace
	   UNION ALL SELECT 'type ' || t.oid::pg_catalog.regtype::text FROM pg_catalog.pg_type AS t WHERE t.typnamespace = 'kpi'::pg_catalog.regnamespace
	   UNION ALL SELECT 'function ' || p.oid::pg_catalog.regprocedure::text FROM pg_catalog.pg_proc AS p WHERE p.pronamespace = 'kpi'::pg_catalog.regnamespace
	   UNION ALL SELECT 'operator ' || o.oid::pg_catalog.regoperator::text FROM pg_catalog.pg_operator AS o WHERE o.oprnamespace = 'kpi'::pg_catalog.regnamespace
	   ORDER BY 1"
}

for round in 1 2 3; do
	psql -c 'CREATE EXTENSION kpi_ext'
	q 'SELECT kpi.load_sample()' >/dev/null
	q "UPDATE kpi.assigned_target SET target = 42 WHERE (period, level, unit_code, indicator) = (SELECT period, level, unit_code, indicator FROM kpi.assigned_target ORDER BY 1, 2, 3, 4 LIMIT 1)" >/dev/null
	relations=$(q "SELECT pg_catalog.count(*) FROM pg_catalog.pg_class WHERE relnamespace = 'kpi'::pg_catalog.regnamespace AND relkind IN ('r', 'v', 'm', 'p', 'S')")
	functions=$(q "SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc WHERE pronamespace = 'kpi'::pg_catalog.regnamespace")
	[ "$functions" -gt 0 ] || bad "round $round: CREATE EXTENSION created no function in schema kpi"
	psql -c 'DROP EXTENSION kpi_ext'
	leftovers >"$tmp/left"
	if [ -s "$tmp/left" ]; then
		bad "round $round: DROP EXTENSION kpi_ext left in schema kpi:"
		cat "$tmp/left"
	else
		echo "ok: round $round: CREATE EXTENSION ($relations tables, views and sequences, $functions functions), DROP EXTENSION: nothing left in schema kpi"
	fi
	[ "$(q "SELECT pg_catalog.count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'kpi'")" = 1 ] \
		|| bad "round $round: schema kpi is gone after DROP EXTENSION (docs/install.md says it stays)"
done

# --- a user's view blocks the drop --------------------------------------------
since=$fail
psql -c 'CREATE EXTENSION kpi_ext'
psql -c "CREATE VIEW public.my_report AS SELECT * FROM kpi.appendix_province_online"
what="view my_report depends on view kpi.appendix_province_online"
if psql -c 'DROP EXTENSION kpi_ext' >"$tmp/out" 2>&1; then
	bad "DROP EXTENSION kpi_ext succeeded although public.my_report depends on it"
else
	cat "$tmp/out"
	grep -qF 'ERROR:  cannot drop extension kpi_ext because other objects depend on it' "$tmp/out" \
		|| bad "DROP EXTENSION failed without PostgreSQL's usual message"
	grep -qF "DETAIL:  $what" "$tmp/out" || bad "the message does not say \"$what\""
	grep -qF 'HINT:  Use DROP ... CASCADE to drop the dependent objects too.' "$tmp/out" || bad "no CASCADE hint"
fi
[ "$(q "SELECT pg_catalog.count(*) FROM pg_catalog.pg_extension WHERE extname = 'kpi_ext'")" = 1 ] \
	|| bad "kpi_ext is gone after the refused DROP EXTENSION"
q "SELECT pg_catalog.count(*) FROM public.my_report" >/dev/null || bad "public.my_report no longer works"
ok "$since" "the user's view blocked DROP EXTENSION and still works"
since=$fail

psql -c 'DROP EXTENSION kpi_ext CASCADE' 2>"$tmp/out" || bad "DROP EXTENSION kpi_ext CASCADE failed: $(cat "$tmp/out")"
[ "$(q "SELECT pg_catalog.to_regclass('public.my_report') IS NULL")" = t ] || bad "DROP EXTENSION ... CASCADE left public.my_report"
leftovers >"$tmp/left"
[ ! -s "$tmp/left" ] || { bad "DROP EXTENSION ... CASCADE left in schema kpi:"; cat "$tmp/left"; }
ok "$since" "DROP EXTENSION kpi_ext CASCADE dropped the user's view too"

# --- the schema ----------------------------------------------------------------
since=$fail
psql -c 'DROP SCHEMA kpi'
[ "$(q "SELECT pg_catalog.count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'kpi'")" = 0 ] || bad "DROP SCHEMA kpi left it"
psql -c 'CREATE EXTENSION kpi_ext'
[ "$(q "SELECT pg_catalog.count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'kpi'")" = 1 ] \
	|| bad "CREATE EXTENSION did not create schema kpi again"
[ "$(q "SELECT kpi.percent('59/72'::kpi.ratio)")" = 81.9 ] || bad "kpi.percent after the schema was dropped and recreated"
psql -c 'DROP EXTENSION kpi_ext'
psql -c 'DROP SCHEMA kpi'
ok "$since" "DROP SCHEMA kpi after DROP EXTENSION, then CREATE EXTENSION again"

t_finish
