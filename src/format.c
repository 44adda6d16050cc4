/*
 * format.c
 *		kpi.format_vi: numbers the way Vietnamese reports print them, with a
 *		decimal comma and dots between thousands (81,9 and 1.234,5), and '-'
 *		where there is no value.  Independent of the server's locale.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "ratio.h"

PG_FUNCTION_INFO_V1(kpi_format_vi);
Datum
kpi_format_vi(PG_FUNCTION_ARGS)
{
	Numeric		value;
	int32		digits;
	bool		trim;
	char	   *plain;
	const char *p;
	const char *point;
	int			intlen;
	int			fraclen;
	int			i;
	StringInfoData buf;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("kpi.format_vi: %s must not be NULL",
						PG_ARGISNULL(1) ? "digits" : "trim_zeros")));
	digits = PG_GETARG_INT32(1);
	trim = PG_GETARG_BOOL(2);
	kpi_check_digits(digits);
	if (PG_ARGISNULL(0))
		PG_RETURN_TEXT_P(cstring_to_text("-"));

	value = PG_GETARG_NUMERIC(0);
	if (numeric_is_nan(value) || numeric_is_inf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot format \"%s\" as a report number",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(value)))),
				 errdetail("Only finite numbers have a report form.")));

	/* numeric's round() rounds half away from zero */
	value = DatumGetNumeric(DirectFunctionCall2(numeric_round,
												NumericGetDatum(value),
												Int32GetDatum(digits)));
	plain = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(value)));

	initStringInfo(&buf);
	p = plain;
	if (*p == '-')
		appendStringInfoChar(&buf, *p++);
	point = strchr(p, '.');
	intlen = point ? (int) (point - p) : (int) strlen(p);
	for (i = 0; i < intlen; i++)
	{
		if (i > 0 && (intlen - i) % 3 == 0)
			appendStringInfoChar(&buf, '.');
		appendStringInfoChar(&buf, p[i]);
	}
	fraclen = point ? (int) strlen(point + 1) : 0;
	if (trim)
		while (fraclen > 0 && point[fraclen] == '0')
			fraclen--;
	if (fraclen > 0)
	{
		appendStringInfoChar(&buf, ',');
		appendBinaryStringInfo(&buf, point + 1, fraclen);
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
