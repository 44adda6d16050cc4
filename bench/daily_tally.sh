#!/bin/sh
# Would a tally kept per unit, procedure and day, as dossiers arrive, make a
# refresh cheaper than reading the period's dossiers?  Measures it on the
# multi-year data of bench/refresh_years.sh: how many cells such a summary
# holds, what building it costs, and what a quarter computed from it costs
# beside kpi.refresh on the dossiers themselves, in one run.
# Usage:  bench/daily_tally.sh [ROWS] [PROCS]   (default 10 million, 300)
# RUNS=n takes the best of n (default 3).  The decision it informed:
# docs/scaling.md, "A summary kept as dossiers arrive".
exec "$(dirname "$0")/refresh.sh" daily "$@"
