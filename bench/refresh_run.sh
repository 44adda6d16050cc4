#!/bin/sh
# Runs inside scripts/pgenv; see bench/refresh.sh.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
RUNS=${RUNS:-3}
P=2024-Q2
T0="2024-04-01 00:00:00+07"
T1="2024-07-01 00:00:00+07"
TY="2024-01-01 00:00:00+07"

start=$(date +%s)
psql -qX -v ON_ERROR_STOP=1 -c "CREATE EXTENSION kpi_ext" -c "SELECT kpi.load_sample()" >/dev/null
psql -qX -v ON_ERROR_STOP=1 -v rows="$ROWS" -f test/generate_dossiers.sql >/dev/null
psql -qX -v ON_ERROR_STOP=1 -c "VACUUM ANALYZE kpi.dossier" >/dev/null
echo "generated $ROWS dossiers in $(( $(date +%s) - start )) s: $(psql -qXAt -c "SELECT count(DISTINCT unit_code) || ' units, ' || count(DISTINCT procedure_code) || ' procedures, ' || pg_size_pretty(pg_table_size('kpi.dossier')) || ' table; ' || count(*) FILTER (WHERE received_at >= '$T0' AND received_at < '$T1') || ' received in $P' FROM kpi.dossier") "

WINDOW="((d.received_at >= '$T0' AND d.received_at < '$T1') OR (d.resolved_at >= '$TY' AND d.resolved_at < '$T1'))"
REC="d.received_at >= '$T0' AND d.received_at < '$T1'"
RES="d.resolved_at >= '$TY' AND d.resolved_at < '$T1'"

Q_REFRESH="SELECT kpi.refresh('$P')"

# (b) the best plain SQL: aggregate per unit and procedure first (no join per
# row), join units and services on the aggregated rows, then per appendix row.
Q_TWOLEVEL=$(twolevel_query "$WINDOW" "$REC" "$RES")

# (c) the naive plain SQL: joins per row, count(DISTINCT)
Q_NAIVE="SELECT u.level, CASE WHEN u.level = 'commune' THEN u.parent_code ELSE u.code END AS row_unit,
       count(DISTINCT d.procedure_code) FILTER (WHERE $REC AND s.online_service),
       count(DISTINCT d.procedure_code) FILTER (WHERE $REC AND s.online_service AND d.channel = 'online'),
       count(*) FILTER (WHERE $REC), count(*) FILTER (WHERE $REC AND d.channel = 'online'),
       count(DISTINCT d.procedure_code) FILTER (WHERE $REC AND s.online_payment AND d.fee_required),
       count(DISTINCT d.procedure_code) FILTER (WHERE $REC AND s.online_payment AND d.fee_required AND d.paid_online),
       count(*) FILTER (WHERE $REC AND d.fee_required), count(*) FILTER (WHERE $REC AND d.fee_required AND d.paid_online),
       count(*) FILTER (WHERE $REC AND d.digitized), count(*) FILTER (WHERE $REC AND d.reused_data),
       count(*) FILTER (WHERE $RES), count(*) FILTER (WHERE $RES AND d.e_result)
FROM kpi.dossier AS d JOIN kpi.unit AS u ON u.code = d.unit_code
LEFT JOIN kpi.service AS s ON s.unit_code = d.unit_code AND s.procedure_code = d.procedure_code
WHERE $WINDOW GROUP BY 1, 2"

# (d) the floor: one count per unit over the period's dossiers
Q_FLOOR="SELECT unit_code, count(*) FROM kpi.dossier AS d WHERE $REC GROUP BY 1"

# run_query SQL: best wall time in ms of $RUNS runs in one session, after
# one warm-up run in that session, then the largest memory any plan node
# reported in one more run under auto_explain (hash tables and aggregate
# states, per process, in kB): the engine's own memory, which unlike the
# process's resident size does not count shared buffers.
# One session, because a new backend's first scan also pays for mapping the
# shared buffers it touches (page faults: about a second per GB here
# without huge pages), which is not the query's work.  Parallel workers are
# new processes at every query and do pay it (see docs/benchmarks.md).
run_query() {
	f=$(mktemp)
	{ printf '%s\n' '\timing on' '\o /dev/null'; for _ in $(seq $((RUNS + 1))); do printf '%s;\n' "$1"; done; } >"$f"
	best=$(psql -qXAt -v ON_ERROR_STOP=1 -f "$f" | awk '/^Time:/ {print $2}' | tail -n +2 | sort -n | head -1)
	rm -f "$f"
	mem=$(psql -qXAt -v ON_ERROR_STOP=1 2>&1 >/dev/null <<SQL | grep -oE '(Memory Usage|Memory): [0-9]+kB' | grep -oE '[0-9]+' | sort -n | tail -1
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_timing = off;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_level = notice;
SET client_min_messages = notice;
$1;
SQL
)
	echo "$best ${mem:-0}"
}


# run_mode NAME: times the four queries with the current PGOPTIONS
run_mode() {
	set -- $(run_query "$Q_REFRESH"); a=$1; a_mem=$2
	if [ -n "${ONLY_REFRESH:-}" ]; then
		b=0; b_mem=0; c=0; c_mem=0       # scaling runs: (a) and the floor only
	else
		set -- $(run_query "$Q_TWOLEVEL"); b=$1; b_mem=$2
		set -- $(run_query "$Q_NAIVE"); c=$1; c_mem=$2
	fi
	set -- $(run_query "$Q_FLOOR"); d=$1; d_mem=$2
	echo
	echo "$MODE: best of $RUNS runs in one session"
	printf '%-60s %10s %8s\n' "query" "ms" "peak kB"
	printf '%-60s %10s %8s\n' "(a) kpi.refresh('$P')" "$a" "$a_mem"
	printf '%-60s %10s %8s\n' "(b) plain SQL, GROUP BY unit, procedure then appendix row" "$b" "$b_mem"
	printf '%-60s %10s %8s\n' "(c) plain SQL, joins per row and count(DISTINCT)" "$c" "$c_mem"
	printf '%-60s %10s %8s\n' "(d) floor: SELECT unit_code, count(*) ... GROUP BY 1" "$d" "$d_mem"
	if [ -z "${ONLY_REFRESH:-}" ]; then
		echo "(b)/(a) = $(ratio "$b" "$a")  (target >= 2)"
		echo "(c)/(a) = $(ratio "$c" "$a")  (target >= 6)"
	fi
	echo "(a)/(d) = $(ratio "$a" "$d")  (target <= 1.6)"
}

echo "rows: $ROWS, period $P; shared_buffers $(psql -qXAt -c 'SHOW shared_buffers'); huge pages reserved by the kernel: $(awk '/^HugePages_Total/ {print $2}' /proc/meminfo) (vm.nr_hugepages)"
MODE="parallel: the planner's choice, up to $(psql -qXAt -c 'SHOW max_parallel_workers_per_gather') workers per query"
run_mode
MODE="serial: max_parallel_workers_per_gather = 0"
PGOPTIONS="${PGOPTIONS:-} -c max_parallel_workers_per_gather=0"
export PGOPTIONS
run_mode

# kpi.refresh stored the same numbers as the naive SQL computes
[ -n "${ONLY_REFRESH:-}" ] || psql -qXAt -v ON_ERROR_STOP=1 <<SQL
WITH n AS ($Q_NAIVE)
SELECT CASE WHEN count(*) = 0 THEN 'refresh agrees with plain SQL: yes' ELSE 'refresh agrees with plain SQL: NO (' || count(*) || ' rows differ)' END
FROM (SELECT * FROM n) AS x(level, row_unit, su_d, su_n, od_d, od_n, pu_d, pu_n, op_d, op_n, dg_n, dr_n, er_d, er_n)
LEFT JOIN LATERAL (
    SELECT array_agg(coalesce(c.numerator, 0) ORDER BY i.sort_order) AS nums,
           array_agg(coalesce(c.denominator, 0) ORDER BY i.sort_order) AS dens
    FROM kpi.indicator_count AS c JOIN kpi.indicator AS i ON i.code = c.indicator
    WHERE c.period = '$P' AND c.source = 'computed' AND c.level = x.level AND c.unit_code = x.row_unit) AS r ON true
WHERE r.nums IS DISTINCT FROM ARRAY[su_n, od_n, pu_n, op_n, dg_n, dr_n, er_n]
   OR r.dens IS DISTINCT FROM ARRAY[su_d, od_d, pu_d, op_d, od_d, od_d, er_d];
SQL

