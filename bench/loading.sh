#!/bin/sh
# Benchmark of loading a dossier export against a plain COPY of the same
# file into kpi.dossier, in one run: a CSV file of ROWS
# dossiers goes through \copy into kpi.staging_dossier and through
# kpi.ingest_dossiers() into kpi.dossier.  Usage:  bench/loading.sh [ROWS]
# (default 1 million); RUNS=n takes the best of n.  Starts its own
# throw-away server; prints the times, the ratios to the plain COPY,
# rows per second, and whether what was loaded equals what was exported.
set -eu
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
export ROWS
KPI_PGENV_OPTS="${KPI_PGENV_OPTS:--o shared_buffers=1GB -o work_mem=256MB -o max_wal_size=4GB}" \
	./scripts/pgenv sh bench/loading_run.sh
