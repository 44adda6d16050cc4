/*
 * kpi_ext.c
 *		Module entry of kpi_ext.
 *
 * The code lives in src/, one concept per file:
 *	ratio.c			the kpi.ratio type and its functions (percent, gap, met)
 *	ratio_agg.c		kpi.share and kpi.sum, whose state is a kpi.ratio
 *	keyset.c		a hash set of distinct keys with flags
 *	coverage.c		kpi.coverage and its state type kpi.coverage_state
 *	dossier_tally.c	kpi.dossier_tally, the one-pass engine of kpi.refresh
 *	format.c		kpi.format_vi, Vietnamese report numbers
 * and the SQL in src/sql/, built into the install script by src/build.pl
 * (docs/architecture.md).
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;
