#!/bin/sh
# Benchmark of kpi.refresh of one quarter on a table of several years of
# dossiers arriving in time order, against the floor and the best plain SQL
# read the same way (the same indexes, the same WHERE), in one run.
# Usage:  bench/refresh_years.sh [ROWS] [PROCS]
#   ROWS   dossiers over three years (default 10 million)
#   PROCS  procedures per unit (default 300; 2000 for the many-procedure shape)
# The same quarter (2024-Q3, the middle of 2023-2025) is then refreshed on a
# table of one year (2024 only, a third of the rows: the quarter's rows are
# the same in number).  RUNS=n takes the best of n rounds (default 5).
exec "$(dirname "$0")/refresh.sh" years "$@"
