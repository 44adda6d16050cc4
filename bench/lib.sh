# Shared by the refresh benchmarks (sourced; runs inside scripts/pgenv).

# twolevel_query WINDOW REC RES: the best plain SQL for the appendix rows:
# aggregate per unit and procedure first (no join per row) over the rows of
# WINDOW, REC telling the received ones and RES the resolved ones; join units
# and services on the aggregated rows; then per appendix row.
twolevel_query() {
	cat <<SQL
WITH pp AS (
  SELECT d.unit_code, d.procedure_code,
         count(*) FILTER (WHERE $2) AS received,
         count(*) FILTER (WHERE $2 AND d.channel = 'online') AS online,
         count(*) FILTER (WHERE $2 AND d.digitized) AS digitized,
         count(*) FILTER (WHERE $2 AND d.reused_data) AS reused,
         count(*) FILTER (WHERE $2 AND d.fee_required) AS fee,
         count(*) FILTER (WHERE $2 AND d.fee_required AND d.paid_online) AS paid,
         count(*) FILTER (WHERE $3) AS resolved,
         count(*) FILTER (WHERE $3 AND d.e_result) AS e_result
  FROM kpi.dossier AS d WHERE $1 GROUP BY 1, 2)
SELECT u.level, CASE WHEN u.level = 'commune' AND u.parent_code IS NOT NULL THEN u.parent_code ELSE u.code END AS row_unit,
       count(DISTINCT pp.procedure_code) FILTER (WHERE s.online_service AND pp.received > 0),
       count(DISTINCT pp.procedure_code) FILTER (WHERE s.online_service AND pp.online > 0),
       sum(pp.received), sum(pp.online),
       count(DISTINCT pp.procedure_code) FILTER (WHERE s.online_payment AND pp.fee > 0),
       count(DISTINCT pp.procedure_code) FILTER (WHERE s.online_payment AND pp.paid > 0),
       sum(pp.fee), sum(pp.paid), sum(pp.digitized), sum(pp.reused), sum(pp.resolved), sum(pp.e_result)
FROM pp JOIN kpi.unit AS u ON u.code = pp.unit_code
LEFT JOIN kpi.service AS s ON s.unit_code = pp.unit_code AND s.procedure_code = pp.procedure_code
GROUP BY 1, 2
SQL
}

# run_queries SQL...: the best wall time in ms of each query, in that order,
# over $RUNS rounds in one session after a warm-up round; the queries take
# turns within each round, so that a machine that slows down or speeds up
# during the run weighs on all of them alike
run_queries() {
	f=$(mktemp)
	{
		printf '%s\n' '\o /dev/null'
		for q in "$@"; do printf '%s;\n' "$q"; done
		printf '%s\n' '\timing on'
		for _ in $(seq "$RUNS"); do
			i=0
			for q in "$@"; do i=$((i + 1)); printf '\\echo @%s\n%s;\n' "$i" "$q"; done
		done
	} >"$f"
	psql -qXAt -v ON_ERROR_STOP=1 -f "$f" |
		awk -v n=$# '/^@/ {q = substr($0, 2)} /^Time:/ {if (!(q in m) || $2 < m[q]) m[q] = $2}
			END {for (i = 1; i <= n; i++) printf "%s ", m[i]; print ""}'
	rm -f "$f"
}

ratio() { echo "$1 $2" | awk '{printf "%.2f", $1 / $2}'; }

# generate_years FIRST YEARS ROWS: a fresh kpi_ext with the sample's units
# and ROWS dossiers of bench/generate_years.sql ($PROCS procedures per unit)
# over YEARS years from 1 January FIRST, vacuumed and analysed
generate_years() {
	psql -qX -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "DROP EXTENSION IF EXISTS kpi_ext" -c "CREATE EXTENSION kpi_ext" -c "SELECT kpi.load_sample()" >/dev/null
	psql -qX -v ON_ERROR_STOP=1 -v rows="$3" -v first="$1" -v years="$2" -v procs="$PROCS" -f bench/generate_years.sql >/dev/null
	psql -qX -v ON_ERROR_STOP=1 -c "VACUUM ANALYZE kpi.dossier" >/dev/null
}

# multi_year_quarter: the quarter that the multi-year modes refresh, 2024-Q3
# (the middle of 2023-2025): P; the WHERE clauses of its window (WINDOW), of
# the dossiers received in it (REC) and of those resolved from 1 January to
# its end (RES)
multi_year_quarter() {
	P=2024-Q3
	REC="d.received_at >= '2024-07-01 00:00:00+07' AND d.received_at < '2024-10-01 00:00:00+07'"
	RES="d.resolved_at >= '2024-01-01 00:00:00+07' AND d.resolved_at < '2024-10-01 00:00:00+07'"
	WINDOW="(($REC) OR ($RES))"
}
