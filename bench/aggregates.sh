#!/bin/sh
# Benchmark of the generic aggregates against plain SQL on the same data in
# the same run.  Usage:  bench/aggregates.sh [ROWS]   (default 10 million)
# Needs nothing running: it starts its own throw-away server.
set -eu
cd "$(dirname "$0")/.."
ROWS=${1:-10000000}
export ROWS
KPI_PGENV_OPTS="-o shared_buffers=2GB -o work_mem=256MB -o max_parallel_workers_per_gather=2" \
	./scripts/pgenv sh bench/aggregates_run.sh
