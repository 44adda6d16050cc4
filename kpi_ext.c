/*
 * kpi_ext.c
 *		Module entry of kpi_ext.
 *
 * The code lives in src/: ratio.c (the kpi.ratio type and its functions),
 * ratio_agg.c (kpi.share, kpi.sum), coverage.c (kpi.coverage and its state
 * type), format.c (kpi.format_vi).
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;
