#!/bin/sh
# Discovery by a real client: psqlODBC (what Power BI, Excel and Tableau use
# on ODBC) through unixODBC's isql, with a DSN in a temporary odbc.ini.
#   - "help null kpi % VIEW" is SQLTables: the views of schema kpi;
#   - "help VIEW" is SQLColumns: every column must have a concrete type
#     (numeric(p,s) for rates and targets, bigint for counts, text for names,
#     no numeric without a type modifier, no extension type);
#   - a query of kpi.appendix_province_online returns the sample's values;
#   - REMARKS: psqlODBC 13 (Debian 12) leaves REMARKS empty in SQLTables and
#     SQLColumns, so the comments are checked by a catalog query sent through
#     the same ODBC connection; should the driver fill REMARKS, they are
#     checked there too.
# Needs Debian's odbc-postgresql and unixodbc (scripts/setup).
. "$(dirname "$0")/lib.sh"
db=kpi_t_odbc
t_init $db

command -v isql >/dev/null || { echo "FAIL: no isql (Debian package unixodbc)"; exit 1; }
driver=
for f in /usr/lib/*/odbc/psqlodbcw.so /usr/lib/odbc/psqlodbcw.so; do
	[ -r "$f" ] && { driver=$f; break; }
done
[ -n "$driver" ] || { echo "FAIL: no psqlodbcw.so (Debian package odbc-postgresql)"; exit 1; }


"$bindir/createdb" "$db"
psql -d "$db" -c 'CREATE EXTENSION kpi_ext'
psql -d "$db" -At -c 'SELECT kpi.load_sample()' >/dev/null
echo "kpi.load_sample() loaded"

host=${PGHOST:-localhost}
case $host in /*|'') host=localhost ;; esac
cat >"$tmp/odbcinst.ini" <<EOF
[PostgreSQL Unicode]
Description = psqlODBC
Driver = $driver
EOF
# ConnSettings puts kpi on the search path: isql's "help TABLE" calls
# SQLColumns without a schema, which psqlODBC resolves through it.
cat >"$tmp/odbc.ini" <<EOF
[kpi_t_odbc]
Driver = PostgreSQL Unicode
Servername = $host
Port = ${PGPORT:-5432}
Database = $db
Username = ${PGUSER:-postgres}
Password = ${PGPASSWORD:-}
ConnSettings = SET search_path = kpi, public
EOF
chmod 600 "$tmp/odbc.ini"
ODBCSYSINI=$tmp
ODBCINI=$tmp/odbc.ini
export ODBCSYSINI ODBCINI

# odbc SQL...: one statement per line on stdin; tab-separated rows, no header
odbc() { isql kpi_t_odbc -b -v -x0x09 -L1000; }

fail=0
violation() { echo "VIOLATION: $*"; fail=1; }

# --- a plain query ---------------------------------------------------------
got=$(echo "SELECT kpi.percent('59/72'::kpi.ratio), kpi.format_vi(81.94, 1)" | odbc)
[ "$got" = "$(printf '81.9\t81,9')" ] || violation "core functions through ODBC: expected 81.9 and 81,9, got: $got"

# discover: SQLTables, SQLColumns and the catalog query of comments;
# prints the violations and sets fail; nviews is the number of views.
discover() {
	# --- SQLTables -------------------------------------------------------------
	echo "help null kpi % VIEW" | odbc >"$tmp/tables"
	grep -q '^\[' "$tmp/tables" && violation "SQLTables failed: $(cat "$tmp/tables")"
	awk -F '\t' '$2 == "kpi" && $4 == "VIEW" { print $3 }' "$tmp/tables" >"$tmp/views"
	nviews=$(wc -l <"$tmp/views")
	remarks=$(awk -F '\t' '$2 == "kpi" && $5 != ""' "$tmp/tables" | wc -l)
	echo "SQLTables lists $nviews views in schema kpi ($remarks with REMARKS)"
	if [ "$remarks" -gt 0 ]; then
		awk -F '\t' '$2 == "kpi" && $5 == "" { print "VIOLATION: SQLTables: view kpi." $3 " has no REMARKS" }' "$tmp/tables"
		[ "$remarks" -eq "$nviews" ] || fail=1
	else
		echo "NOTE: psqlODBC returns no REMARKS from SQLTables; comments are checked by a catalog query below"
	fi

	# --- SQLColumns ------------------------------------------------------------
	# Columns of the result: 2 TABLE_OWNER, 3 TABLE_NAME, 4 COLUMN_NAME,
	# 5 DATA_TYPE, 6 TYPE_NAME, 7 PRECISION, 9 SCALE, 12 REMARKS, 25 TYPMOD
	# (psqlODBC's own: -1 when the type has no modifier).
	: >"$tmp/columns"
	while read -r v; do
		echo "help $v" | odbc >"$tmp/one"
		grep -q '^\[' "$tmp/one" && violation "SQLColumns kpi.$v failed: $(cat "$tmp/one")"
		n=$(awk -F '\t' -v v="$v" '$2 == "kpi" && $3 == v' "$tmp/one" | tee -a "$tmp/columns" | wc -l)
		[ "$n" -gt 0 ] || violation "SQLColumns lists no column for kpi.$v"
	done <"$tmp/views"
	ncols=$(wc -l <"$tmp/columns")
	echo "SQLColumns lists $ncols columns"
	awk -F '\t' '
	function v(msg) { print "VIOLATION: kpi." $3 "." $4 ": " msg " (DATA_TYPE " $5 ", TYPE_NAME " $6 ", PRECISION " $7 ", SCALE " $9 ", TYPMOD " $25 ")"; bad = 1 }
	{
		numeric_typmod = ($6 == "numeric" && $5 == 2 && $25 != -1 && $7 > 0 && $7 < 1000 && $9 != "")
		if ($6 !~ /^(text|varchar|bpchar|int2|int4|int8|numeric|bool|date|timestamp|timestamptz|float4|float8)$/)
			v("type " $6 " is not a plain SQL type a BI tool maps")
		else if ($6 == "numeric" && !numeric_typmod)
			v("numeric without precision and scale")
		if ($4 ~ /_(pct|target)$/) {
			if (!numeric_typmod) v("a rate or target must be numeric(p,s)")
		} else if ($4 ~ /^(numerator|denominator)$|dossiers|procedures|services|_count$/) {
			if ($6 != "int8" || $5 != -5) v("a count must be bigint (SQL_BIGINT)")
		} else if ($4 ~ /^name$|_name$|^name_/) {
			if ($6 != "text") v("a name must be text")
		}
		if ($12 != "") remarks++
	}
	END {
		print "columns with REMARKS from SQLColumns: " remarks + 0 " of " NR
		if (remarks > 0 && remarks < NR) { print "VIOLATION: SQLColumns gives REMARKS for some columns but not all"; bad = 1 }
		exit bad
	}
	' "$tmp/columns" || fail=1

	# --- comments, by a catalog query through ODBC -----------------------------
	cat >"$tmp/comments.sql" <<'EOF'
SELECT 'no comment: column kpi.' || c.relname || '.' || a.attname FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('v', 'm') AND pg_catalog.col_description(c.oid, a.attnum) IS NULL UNION ALL SELECT 'no comment: view kpi.' || c.relname FROM pg_catalog.pg_class AS c WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('v', 'm') AND pg_catalog.obj_description(c.oid, 'pg_class') IS NULL UNION ALL SELECT 'no comment: function kpi.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' FROM pg_catalog.pg_proc AS p WHERE p.pronamespace = 'kpi'::pg_catalog.regnamespace AND pg_catalog.obj_description(p.oid, 'pg_proc') IS NULL
SELECT 'checked comments: ' || (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class AS c WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('v', 'm')) || ' views, ' || (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('v', 'm')) || ' view columns, ' || (SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc AS p WHERE p.pronamespace = 'kpi'::pg_catalog.regnamespace) || ' functions'
EOF
	odbc <"$tmp/comments.sql" >"$tmp/comments"
	grep -q '^checked comments: ' "$tmp/comments" || violation "the catalog query failed: $(cat "$tmp/comments")"
	grep '^checked comments: ' "$tmp/comments" || :
	if grep -q '^no comment: ' "$tmp/comments"; then
		sed -n 's/^no comment: /VIOLATION: no comment: /p' "$tmp/comments"
		fail=1
	fi
}

discover

# --- the report's views ------------------------------------------------------
[ "$nviews" -ge 12 ] || violation "SQLTables lists $nviews views in schema kpi, expected at least 12"
got=$(echo "SELECT row_no, unit_name, dossiers_received, online_dossiers, online_dossier_pct FROM kpi.appendix_province_online WHERE period = '2024-Q1' AND row_no = 1" | odbc)
want=$(printf '1\tBan Quản lý Khu kinh tế tỉnh\t72\t59\t81.9')
if [ "$got" = "$want" ]; then
	echo "row 1 of kpi.appendix_province_online through ODBC: $got"
else
	violation "row 1 of kpi.appendix_province_online: expected \"$want\", got \"$got\""
fi

# --- self-test: a view that breaks every rule must be reported ----------------
if [ "$fail" -eq 0 ]; then
	psql -d "$db" -c "CREATE VIEW kpi.t_selftest_bad AS SELECT 1.5::numeric AS online_pct, 2::integer AS dossiers_received, 'x'::varchar(10) AS unit_name, '1/2'::kpi.ratio AS r"
	( discover >"$tmp/selftest" 2>&1 ) || :
	psql -d "$db" -c "DROP VIEW kpi.t_selftest_bad"
	missing=""
	for want in \
		"no comment: view kpi.t_selftest_bad" \
		"no comment: column kpi.t_selftest_bad.online_pct" \
		"kpi.t_selftest_bad.online_pct: numeric without precision and scale" \
		"kpi.t_selftest_bad.online_pct: a rate or target must be numeric(p,s)" \
		"kpi.t_selftest_bad.dossiers_received: a count must be bigint" \
		"kpi.t_selftest_bad.unit_name: a name must be text" \
		"kpi.t_selftest_bad.r: type ratio is not a plain SQL type"
	do
		grep -qF "VIOLATION: $want" "$tmp/selftest" || missing="$missing
  $want"
	done
	if [ -z "$missing" ]; then
		echo "ok: self-test: every rule broken by kpi.t_selftest_bad was reported"
	else
		echo "FAIL: self-test: not reported:$missing"
		sed 's/^/    /' "$tmp/selftest"
		fail=1
	fi
fi

[ "$fail" -eq 0 ] || { echo "FAILED"; exit 1; }
echo "no violation"
