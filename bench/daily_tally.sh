#!/bin/sh
# Would a tally kept per unit, procedure and day, as dossiers arrive, make a
# refresh cheaper than reading the period's dossiers?  Measures it on the
# multi-year data of bench/refresh_years.sh: how many cells such a summary
# holds, what building it costs, and what a quarter computed from it costs
# beside kpi.refresh on the dossiers themselves, in one run.
# Usage:  bench/daily_tally.sh [ROWS] [PROCS]   (default 10 million, 300)
# RUNS=n takes the best of n (default 3).  The decision it informed:
# docs/scaling.md, "A summary kept as dossiers arrive".
set -eu
cd "$(dirname "$0")/.."
ROWS=${1:-10000000}
PROCS=${2:-300}
export ROWS PROCS
KPI_PGENV_OPTS="${KPI_PGENV_OPTS:--o work_mem=256MB -o max_wal_size=4GB -o max_parallel_workers_per_gather=2}" \
	./scripts/pgenv sh bench/daily_tally_run.sh
