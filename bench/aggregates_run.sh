#!/bin/sh
# Runs inside scripts/pgenv; see bench/aggregates.sh.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
psql -qX -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION kpi_ext;
-- ~200 units, ~2,000 procedures with a skew (popular procedures), 30% offline
CREATE TABLE d AS
SELECT 'U' || lpad((i % 200)::text, 3, '0') AS unit,
       p AS proc_id,
       '1.' || lpad(p::text, 6, '0') AS proc_code,
       (hashint8(i) % 10) < 7 AS online
FROM generate_series(1, $ROWS) i,
     LATERAL (SELECT (floor(2000 * power(abs(hashint8(-i)) / 2147483648.0, 2)))::bigint AS p) x;
VACUUM ANALYZE d;
SQL

# best of $RUNS wall-clock runs, in ms
time_query() {
	best=""
	for _ in $(seq "$RUNS"); do
		t=$(psql -qX -v ON_ERROR_STOP=1 -c '\timing on' -c "\\o /dev/null" -c "$1" | awk '/^Time:/ {print $2}')
		best=$(echo "$best $t" | awk '{m=$1; for (i=2;i<=NF;i++) if ($i<m) m=$i; print m}')
	done
	echo "$best"
}

echo "rows: $ROWS, units: $(psql -qXAt -c 'SELECT count(DISTINCT unit) FROM d'), procedures: $(psql -qXAt -c 'SELECT count(DISTINCT proc_id) FROM d'), best of $RUNS runs"
cov_text=$(time_query "SELECT unit, kpi.coverage(proc_code, online) FROM d GROUP BY unit")
cov_int=$(time_query "SELECT unit, kpi.coverage(proc_id, online) FROM d GROUP BY unit")
distinct_text=$(time_query "SELECT unit, count(DISTINCT proc_code) FILTER (WHERE online), count(DISTINCT proc_code) FROM d GROUP BY unit")
distinct_int=$(time_query "SELECT unit, count(DISTINCT proc_id) FILTER (WHERE online), count(DISTINCT proc_id) FROM d GROUP BY unit")
twolevel_text=$(time_query "SELECT unit, count(*) FILTER (WHERE hit), count(*) FROM (SELECT unit, proc_code, bool_or(online) AS hit FROM d GROUP BY unit, proc_code) s GROUP BY unit")
share=$(time_query "SELECT unit, kpi.share(online) FROM d GROUP BY unit")
filter=$(time_query "SELECT unit, count(*) FILTER (WHERE online), count(online) FROM d GROUP BY unit")

# the answers agree
psql -qXAt -v ON_ERROR_STOP=1 <<'SQL'
SELECT CASE WHEN count(*) = 0 THEN 'results agree: yes' ELSE 'results agree: NO' END
FROM (SELECT unit, kpi.coverage(proc_code, online)::text AS c, kpi.share(online)::text AS s FROM d GROUP BY unit) a
JOIN (SELECT unit, (count(DISTINCT proc_code) FILTER (WHERE online)) || '/' || count(DISTINCT proc_code) AS c,
             (count(*) FILTER (WHERE online)) || '/' || count(online) AS s FROM d GROUP BY unit) b USING (unit)
WHERE a.c <> b.c OR a.s <> b.s;
SQL

ratio() { echo "$1 $2" | awk '{printf "%.2f", $1 / $2}'; }
printf '%-58s %10s\n' "query" "ms"
printf '%-58s %10s\n' "kpi.coverage(text key)" "$cov_text"
printf '%-58s %10s\n' "count(DISTINCT text key) FILTER + count(DISTINCT)" "$distinct_text"
printf '%-58s %10s\n' "two-level GROUP BY unit, key then unit (text key)" "$twolevel_text"
printf '%-58s %10s\n' "kpi.coverage(bigint key)" "$cov_int"
printf '%-58s %10s\n' "count(DISTINCT bigint key) FILTER + count(DISTINCT)" "$distinct_int"
printf '%-58s %10s\n' "kpi.share(boolean)" "$share"
printf '%-58s %10s\n' "count(*) FILTER (WHERE b) + count(b)" "$filter"
echo "coverage speed-up over count(DISTINCT), text keys:   $(ratio "$distinct_text" "$cov_text")x (target >= 3)"
echo "coverage speed-up over count(DISTINCT), bigint keys: $(ratio "$distinct_int" "$cov_int")x"
echo "coverage speed-up over two-level GROUP BY, text:     $(ratio "$twolevel_text" "$cov_text")x"
echo "share time / count(*) FILTER time:                   $(ratio "$share" "$filter") (target <= 1.2)"
