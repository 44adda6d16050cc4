#!/bin/sh
# Discovery by a real client: the PostgreSQL JDBC driver (what Metabase,
# Tableau and DBeaver use) lists the views of schema kpi and their columns
# through DatabaseMetaData, and every view and column must have a REMARKS
# and a concrete type.  The checks are in test/jdbc/KpiDiscovery.java.
# Needs Debian's libpostgresql-jdbc-java and a JDK (scripts/setup).
. "$(dirname "$0")/lib.sh"
db=kpi_t_jdbc
t_init $db
jar=${KPI_JDBC_JAR:-/usr/share/java/postgresql.jar}

[ -r "$jar" ] || { echo "FAIL: no JDBC driver at $jar (Debian package libpostgresql-jdbc-java)"; exit 1; }
command -v java >/dev/null || { echo "FAIL: no java (Debian package default-jdk-headless)"; exit 1; }


"$bindir/createdb" "$db"
psql -d "$db" -c 'CREATE EXTENSION kpi_ext'
psql -d "$db" -At -c 'SELECT kpi.load_sample()' >/dev/null
echo "kpi.load_sample() loaded"

# java runs a single source file directly (JDK 11 and later)
java -cp "$jar" test/jdbc/KpiDiscovery.java "$db"

# self-test: a view that breaks every rule must be reported
psql -d "$db" -c "CREATE VIEW kpi.t_selftest_bad AS SELECT 1.5::numeric AS online_pct, 2::integer AS dossiers_received, 'x'::varchar(10) AS unit_name, '1/2'::kpi.ratio AS r"
if java -cp "$jar" test/jdbc/KpiDiscovery.java "$db" >"$tmp/out" 2>&1; then
	echo "FAIL: self-test: KpiDiscovery.java passed a view that breaks every rule"
	cat "$tmp/out"
	exit 1
fi
missing=""
for want in \
	"view kpi.t_selftest_bad: no REMARKS" \
	"kpi.t_selftest_bad.online_pct: no REMARKS" \
	"kpi.t_selftest_bad.online_pct: numeric without precision and scale" \
	"kpi.t_selftest_bad.online_pct: a rate or target must be numeric(p,s)" \
	"kpi.t_selftest_bad.dossiers_received: a count must be bigint" \
	"kpi.t_selftest_bad.unit_name: a name must be text" \
	"kpi.t_selftest_bad.r: type \"kpi\".\"ratio\""
do
	grep -qF "$want" "$tmp/out" || missing="$missing
  $want"
done
if [ -n "$missing" ]; then
	echo "FAIL: self-test: not reported:$missing"
	cat "$tmp/out"
	exit 1
fi
echo "ok: self-test: every rule broken by kpi.t_selftest_bad was reported"
