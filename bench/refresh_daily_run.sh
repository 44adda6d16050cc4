#!/bin/sh
# Runs inside scripts/pgenv; see bench/daily_tally.sh.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
RUNS=${RUNS:-3}
generate_years 2023 3 "$ROWS"

timed() { psql -qXAt -v ON_ERROR_STOP=1 -c '\timing on' -c "$1" | awk '/^Time:/ {printf "%.0f", $2}'; }

# the summary: dossiers received per unit, procedure, local day and
# combination of the flags an indicator asks for; dossiers resolved per
# unit, procedure, local day and e_result
build_ms=$(timed "CREATE TABLE received_day AS
SELECT d.unit_code, d.procedure_code, (d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
       d.channel = 'online' AS online, d.fee_required AS fee, d.paid_online AS paid, d.digitized, d.reused_data AS reused,
       count(*) AS n
FROM kpi.dossier AS d GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
CREATE TABLE resolved_day AS
SELECT d.unit_code, d.procedure_code, (d.resolved_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, d.e_result, count(*) AS n
FROM kpi.dossier AS d WHERE d.resolved_at IS NOT NULL GROUP BY 1, 2, 3, 4;
CREATE INDEX ON received_day (day); CREATE INDEX ON resolved_day (day);
ANALYZE received_day; ANALYZE resolved_day")
sizes=$(psql -qXAt -c "SELECT (SELECT count(*) FROM kpi.dossier) || ' dossiers (' || pg_size_pretty(pg_table_size('kpi.dossier')) || '); summary: '
  || (SELECT count(*) FROM received_day) || ' received cells, ' || (SELECT count(*) FROM resolved_day) || ' resolved cells ('
  || pg_size_pretty(pg_table_size('received_day') + pg_table_size('resolved_day')) || '); cells of 2024-Q3 and its window: '
  || (SELECT count(*) FROM received_day WHERE day BETWEEN '2024-07-01' AND '2024-09-30') || ' received, '
  || (SELECT count(*) FROM resolved_day WHERE day BETWEEN '2024-01-01' AND '2024-09-30') || ' resolved; dossiers: '
  || (SELECT count(*) FROM kpi.dossier WHERE received_at >= '2024-07-01 00:00+07' AND received_at < '2024-10-01 00:00+07') || ' received, '
  || (SELECT count(*) FROM kpi.dossier WHERE resolved_at >= '2024-01-01 00:00+07' AND resolved_at < '2024-10-01 00:00+07') || ' resolved'")

# 2024-Q3 from the summary: the same counts per unit as the engine's
Q_SUMMARY="WITH r AS (
  SELECT unit_code, procedure_code, sum(n) AS received, sum(n) FILTER (WHERE online) AS online,
         sum(n) FILTER (WHERE fee) AS fee, sum(n) FILTER (WHERE fee AND paid) AS paid,
         sum(n) FILTER (WHERE digitized) AS digitized, sum(n) FILTER (WHERE reused) AS reused
  FROM received_day WHERE day BETWEEN '2024-07-01' AND '2024-09-30' GROUP BY 1, 2),
s AS (SELECT unit_code, procedure_code, sum(n) AS resolved, sum(n) FILTER (WHERE e_result) AS e_result
  FROM resolved_day WHERE day BETWEEN '2024-01-01' AND '2024-09-30' GROUP BY 1, 2)
SELECT coalesce(r.unit_code, s.unit_code), count(r.procedure_code), count(*) FILTER (WHERE r.online > 0),
       sum(r.received), sum(r.online), sum(r.fee), sum(r.paid), sum(r.digitized), sum(r.reused), sum(s.resolved), sum(s.e_result)
FROM r FULL JOIN s USING (unit_code, procedure_code) GROUP BY 1"
set -- $(run_queries "SELECT kpi.refresh('2024-Q3')" "$Q_SUMMARY")
a=$1 b=$2
echo "rows: $ROWS over 2023-2025, $PROCS procedures per unit; $sizes"
echo "building the summary from the whole table: $build_ms ms"
echo "2024-Q3, best of $RUNS rounds in one session, the two in turn, ms: kpi.refresh on the dossiers $a; counts from the summary $b (ratio $(echo "$a $b" | awk '{printf "%.2f", $1 / $2}'))"
