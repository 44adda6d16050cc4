#!/bin/sh
# Where a refresh's time goes: kpi.refresh of one quarter on the multi-year
# data of bench/refresh_years.sh, stage by stage (the pass over the
# dossiers, the indicators from the tallies and the coverage stage within
# them, the metrics, the rest), each beside the floor of
# bench/refresh_years.sh, parallel and serially, in one run; and how the
# procedures received divide between parallel processes.
# Usage:  bench/refresh_stages.sh [ROWS] [PROCS]   (default 10 million, 300)
# RUNS=n takes the best of n rounds (default 5).  What it showed:
# docs/benchmarks.md, "The refresh stage by stage".
exec "$(dirname "$0")/refresh.sh" stages "$@"
