/*
 * ratio.h
 *		The kpi.ratio type (ratio.c), shared by the C files that make or
 *		read ratios: ratio_agg.c, coverage.c, format.c.
 */
#ifndef KPI_RATIO_H
#define KPI_RATIO_H

#include "postgres.h"
#include "fmgr.h"

/*
 * kpi.ratio: an exact share, numerator over denominator.
 * Invariant: 0 <= numerator <= denominator.  0/0 means "nothing to count".
 */
typedef struct Ratio
{
	int64		numerator;
	int64		denominator;
} Ratio;

#define DatumGetRatioP(X)		((Ratio *) DatumGetPointer(X))
#define RatioPGetDatum(X)		PointerGetDatum(X)
#define PG_GETARG_RATIO_P(n)	DatumGetRatioP(PG_GETARG_DATUM(n))
#define PG_RETURN_RATIO_P(x)	return RatioPGetDatum(x)

/* Largest number of decimals kpi.percent and kpi.format_vi accept. */
#define KPI_MAX_DIGITS 16

extern Ratio *ratio_make(int64 numerator, int64 denominator);
extern void ratio_check(int64 numerator, int64 denominator);
extern void ratio_add_into(Ratio *acc, int64 numerator, int64 denominator);
extern void kpi_check_digits(int32 digits);

#endif							/* KPI_RATIO_H */
