/*-------------------------------------------------------------------------
 *
 * float8_round.c
 *		kpi.float8_round(value float8, digits integer) -> numeric: a double
 *		rounded to a number of decimals, half away from zero, on its exact
 *		binary value.
 *
 * The national portal computes the parts of its payment group in binary
 * floating point (docs/index.md): 6 * 93.25 / 100 is the double
 * 5.59499999999999975131..., which the portal rounds to 5.59, where the
 * decimal 5.595 would give 5.60.  PostgreSQL cannot say this in SQL:
 * round(float8) rounds half to even on the double, and a cast to numeric
 * keeps 15 significant digits (5.595).  Here the double is written out in
 * full (every double is a finite binary fraction, so a long enough decimal
 * expansion is exact) and rounded as a numeric.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

/*
 * A double's fractional part has at most 1074 binary digits, hence at most
 * 1074 decimal ones; its integer part at most 309 digits.
 */
#define EXACT_DIGITS 1074

PG_FUNCTION_INFO_V1(kpi_float8_round);
Datum
kpi_float8_round(PG_FUNCTION_ARGS)
{
	float8		value = PG_GETARG_FLOAT8(0);
	int32		digits = PG_GETARG_INT32(1);
	char		buf[EXACT_DIGITS + 320];
	Numeric		exact;

	if (isnan(value) || isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("kpi.float8_round: %s has no decimal value", isnan(value) ? "NaN" : "infinity")));
	if (digits < 0 || digits > 15)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kpi.float8_round: %d decimals is not between 0 and 15", digits)));
	/* the C library writes the exact value of the double (C99, glibc) */
	snprintf(buf, sizeof(buf), "%.*f", EXACT_DIGITS, value);
	exact = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
												ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_round, NumericGetDatum(exact), Int32GetDatum(digits)));
}
