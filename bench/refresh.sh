#!/bin/sh
# Benchmark of kpi.refresh against plain SQL on the same generated dossiers in
# the same run.  Usage:  bench/refresh.sh [ROWS]   (default 10 million)
# Starts its own throw-away server; prints times, ratios and peak memory, with
# parallel workers allowed and serially.  Server settings are PostgreSQL's
# defaults but work_mem (256MB, so that no plain-SQL plan spills) and
# max_wal_size; KPI_PGENV_OPTS replaces them, e.g. to measure with the
# table held in shared buffers:
#   KPI_PGENV_OPTS="-o shared_buffers=2GB -o work_mem=256MB" bench/refresh.sh
# (then reserve huge pages, sysctl vm.nr_hugepages, or parallel workers
# spend their time mapping the buffers: docs/benchmarks.md).
# ONLY_REFRESH=1 times only kpi.refresh and the floor (for scaling runs);
# RUNS=n sets how many runs each time is the best of (default 3).
# The multi-period mode, a table of three years arriving in time order and
# one quarter in the middle refreshed (bench/refresh_years.sh), the same
# refresh stage by stage (bench/refresh_stages.sh), and the summary kept
# per day measured on the same data (bench/daily_tally.sh):
#   bench/refresh.sh years [ROWS] [PROCS]
#   bench/refresh.sh stages [ROWS] [PROCS]
#   bench/refresh.sh daily [ROWS] [PROCS]
# The four modes run with the same server settings, set here.
set -eu
cd "$(dirname "$0")/.."
case "${1:-}" in
years | stages | daily)
	run=bench/refresh_$1_run.sh
	ROWS=${2:-10000000}
	PROCS=${3:-300}
	export ROWS PROCS
	;;
*)
	run=bench/refresh_run.sh
	ROWS=${1:-10000000}
	export ROWS
	;;
esac
KPI_PGENV_OPTS="${KPI_PGENV_OPTS:--o work_mem=256MB -o max_wal_size=4GB -o max_parallel_workers_per_gather=2}" \
	./scripts/pgenv sh "$run"
