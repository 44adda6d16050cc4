#!/bin/sh
# Benchmark of kpi.refresh against plain SQL on the same generated dossiers in
# the same run (issue 4).  Usage:  bench/refresh.sh [ROWS]   (default 10 million)
# Starts its own throw-away server; prints times, ratios and peak memory, with
# parallel workers allowed and serially.  shared_buffers is 2GB so that the
# 1 GB table of 10 million dossiers fits.  Parallel workers map the shared
# buffers anew at every query; reserve huge pages (sysctl vm.nr_hugepages)
# to take that cost away (docs/benchmarks.md).
# ONLY_REFRESH=1 times only kpi.refresh and the floor (for scaling runs);
# RUNS=n sets how many runs each time is the best of (default 3).
set -eu
cd "$(dirname "$0")/.."
ROWS=${1:-10000000}
export ROWS
KPI_PGENV_OPTS="${KPI_PGENV_OPTS:--o shared_buffers=2GB -o work_mem=256MB -o max_parallel_workers_per_gather=2}" \
	./scripts/pgenv sh bench/refresh_run.sh
