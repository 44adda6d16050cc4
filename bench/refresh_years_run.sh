#!/bin/sh
# Runs inside scripts/pgenv; see bench/refresh_years.sh.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
RUNS=${RUNS:-5}
multi_year_quarter

Q_REFRESH="SELECT kpi.refresh('$P')"
# the floor: one count per unit over the rows the window reads
Q_FLOOR="SELECT d.unit_code, count(*) FROM kpi.dossier AS d WHERE $WINDOW GROUP BY 1"
# the best plain SQL: per unit and procedure, then per appendix row, joined
# with units and services on the aggregated rows
Q_TWOLEVEL=$(twolevel_query "$WINDOW" "$REC" "$RES")

load() {	# load FIRST YEARS ROWS
	start=$(date +%s)
	generate_years "$1" "$2" "$3"
	echo "generated $3 dossiers over $2 year(s) from $1, $PROCS procedures per unit, in $(( $(date +%s) - start )) s: $(psql -qXAt -c "SELECT count(DISTINCT unit_code) || ' units, ' || pg_size_pretty(pg_table_size('kpi.dossier')) || ' table, ' || pg_size_pretty(pg_indexes_size('kpi.dossier')) || ' indexes; ' || count(*) FILTER (WHERE $REC) || ' received in $P, ' || count(*) FILTER (WHERE $WINDOW) || ' in its window' FROM kpi.dossier AS d")"
}

mode() {	# mode LABEL: prints the three times and the ratios
	set -- "$1" "$2" $(run_queries "$Q_REFRESH" "$Q_TWOLEVEL" "$Q_FLOOR")
	a=$3 b=$4 d=$5
	printf '%-58s %8s %8s %8s %10s %10s\n' "$1" "$a" "$b" "$d" "$(ratio "$a" "$d")" "$(ratio "$b" "$a")"
	eval "last_$2=$a"
}

header() {
	echo
	echo "$1; best of $RUNS rounds in one session, the three queries in turn; ms"
	printf '%-58s %8s %8s %8s %10s %10s\n' "" "refresh" "plain" "floor" "ref/floor" "plain/ref"
}

load 2023 3 "$ROWS"
header "three years"
mode "parallel (up to $(psql -qXAt -c 'SHOW max_parallel_workers_per_gather') workers)" par3
PGOPTIONS="${PGOPTIONS:-} -c max_parallel_workers_per_gather=0" mode "serial" ser3

load 2024 1 $((ROWS / 3))
header "one year"
mode "parallel" par1
PGOPTIONS="${PGOPTIONS:-} -c max_parallel_workers_per_gather=0" mode "serial" ser1
echo
echo "refresh of $P, three years / one year: parallel $(ratio "$last_par3" "$last_par1"), serial $(ratio "$last_ser3" "$last_ser1")  (target 0.80 to 1.20)"
