/*
 * ratio.c
 *		The kpi.ratio type: an exact share, numerator over denominator, and
 *		the functions that read it (percent, gap, met).
 *
 * Percentages are computed in numeric from the integer counts, so the
 * report's own rounding cases come out right: 18/32 is 56.25 exactly and
 * rounds half away from zero to 56.3, where binary floating point gives 56.2.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "common/int.h"
#include "common/int128.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "ratio.h"

/* Decimals kept by kpi.gap before trailing zeros are trimmed. */
#define GAP_SCALE 30

/*
 * Report why numerator/denominator is not a ratio, or return quietly.
 * Text input, binary receive and kpi.ratio(bigint, bigint) all come here,
 * so every path rejects the same values with the same message.
 */
void
ratio_check(int64 numerator, int64 denominator)
{
	if (numerator < 0 || denominator < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for type kpi.ratio: \"" INT64_FORMAT "/" INT64_FORMAT "\"",
						numerator, denominator),
				 errdetail("The %s is negative; counts are never negative.",
						   numerator < 0 ? "numerator" : "denominator")));
	if (numerator > denominator)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for type kpi.ratio: \"" INT64_FORMAT "/" INT64_FORMAT "\"",
						numerator, denominator),
				 errdetail("The numerator is greater than the denominator.")));
}

Ratio *
ratio_make(int64 numerator, int64 denominator)
{
	Ratio	   *r;

	ratio_check(numerator, denominator);
	r = (Ratio *) palloc(sizeof(Ratio));
	r->numerator = numerator;
	r->denominator = denominator;
	return r;
}

/* acc += numerator/denominator, pooled; overflow is an error, never a wrap. */
void
ratio_add_into(Ratio *acc, int64 numerator, int64 denominator)
{
	int64		n;
	int64		d;

	if (pg_add_s64_overflow(acc->numerator, numerator, &n) ||
		pg_add_s64_overflow(acc->denominator, denominator, &d))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("kpi.ratio out of range: " INT64_FORMAT "/" INT64_FORMAT " + " INT64_FORMAT "/" INT64_FORMAT,
						acc->numerator, acc->denominator, numerator, denominator),
				 errdetail("A pooled count exceeds the bigint maximum.")));
	acc->numerator = n;
	acc->denominator = d;
}

void
kpi_check_digits(int32 digits)
{
	if (digits < 0 || digits > KPI_MAX_DIGITS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of decimals %d is out of range", digits),
				 errdetail("Decimals must be between 0 and %d.", KPI_MAX_DIGITS)));
}

/*
 * Parse one plain decimal integer: digits only, no sign, no blanks.
 * Returns the position after it, or NULL when there are no digits.
 * *overflow is set when the digits exceed the bigint maximum.
 */
static const char *
parse_count(const char *s, int64 *result, bool *overflow)
{
	int64		v = 0;
	const char *p = s;

	*overflow = false;
	for (; *p >= '0' && *p <= '9'; p++)
	{
		if (!*overflow &&
			(pg_mul_s64_overflow(v, 10, &v) ||
			 pg_add_s64_overflow(v, *p - '0', &v)))
			*overflow = true;
	}
	if (p == s)
		return NULL;
	*result = v;
	return p;
}

PG_FUNCTION_INFO_V1(ratio_in);
Datum
ratio_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	int64		numerator = 0;
	int64		denominator = 0;
	bool		overflow_n;
	bool		overflow_d = false;
	const char *negative = NULL;

	/* A minus sign gets its own message: it is the commonest mistake. */
	if (*p == '-')
	{
		negative = "numerator";
		p++;
	}
	p = parse_count(p, &numerator, &overflow_n);
	if (p != NULL && *p == '/')
	{
		p++;
		if (*p == '-')
		{
			negative = negative ? negative : "denominator";
			p++;
		}
		p = parse_count(p, &denominator, &overflow_d);
	}
	else
		p = NULL;

	if (p == NULL || *p != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type kpi.ratio: \"%s\"", str),
				 errdetail("A ratio is two decimal integers around one slash, such as \"59/72\".")));
	if (negative)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for type kpi.ratio: \"%s\"", str),
				 errdetail("The %s is negative; counts are never negative.", negative)));
	if (overflow_n || overflow_d)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value \"%s\" is out of range for type kpi.ratio", str),
				 errdetail("Numerator and denominator are at most " INT64_FORMAT ".", PG_INT64_MAX)));

	PG_RETURN_RATIO_P(ratio_make(numerator, denominator));
}

PG_FUNCTION_INFO_V1(ratio_out);
Datum
ratio_out(PG_FUNCTION_ARGS)
{
	Ratio	   *r = PG_GETARG_RATIO_P(0);

	PG_RETURN_CSTRING(psprintf(INT64_FORMAT "/" INT64_FORMAT,
							   r->numerator, r->denominator));
}

PG_FUNCTION_INFO_V1(ratio_recv);
Datum
ratio_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int64		numerator;
	int64		denominator;

	if (buf->len - buf->cursor != 2 * sizeof(int64))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type kpi.ratio: %d bytes",
						buf->len - buf->cursor),
				 errdetail("The binary form is two int8 values, 16 bytes.")));
	numerator = pq_getmsgint64(buf);
	denominator = pq_getmsgint64(buf);
	PG_RETURN_RATIO_P(ratio_make(numerator, denominator));
}

PG_FUNCTION_INFO_V1(ratio_send);
Datum
ratio_send(PG_FUNCTION_ARGS)
{
	Ratio	   *r = PG_GETARG_RATIO_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, r->numerator);
	pq_sendint64(&buf, r->denominator);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(ratio_construct);
Datum
ratio_construct(PG_FUNCTION_ARGS)
{
	PG_RETURN_RATIO_P(ratio_make(PG_GETARG_INT64(0), PG_GETARG_INT64(1)));
}

PG_FUNCTION_INFO_V1(ratio_numerator);
Datum
ratio_numerator(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_RATIO_P(0)->numerator);
}

PG_FUNCTION_INFO_V1(ratio_denominator);
Datum
ratio_denominator(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_RATIO_P(0)->denominator);
}

PG_FUNCTION_INFO_V1(ratio_eq);
Datum
ratio_eq(PG_FUNCTION_ARGS)
{
	Ratio	   *a = PG_GETARG_RATIO_P(0);
	Ratio	   *b = PG_GETARG_RATIO_P(1);

	PG_RETURN_BOOL(a->numerator == b->numerator &&
				   a->denominator == b->denominator);
}

/* ---- order and hashing ---- */

/*
 * The order of kpi.ratio: by value, compared exactly (n1*d2 against n2*d1 in
 * 128 bits, no floating point, no overflow); 0/0 (nothing to count) before
 * every other ratio; equal values by denominator, smaller first, so that 1/2
 * < 2/4.  Two ratios are equal in this order exactly when kpi.= says so
 * (the same counts), which btree and hash indexes need.
 */
static int
ratio_cmp_internal(const Ratio *a, const Ratio *b)
{
	INT128		l = int64_to_int128(0);
	INT128		r = int64_to_int128(0);
	int			c;

	if (a->denominator == 0 || b->denominator == 0)
		return (a->denominator != 0) - (b->denominator != 0);
	int128_add_int64_mul_int64(&l, a->numerator, b->denominator);
	int128_add_int64_mul_int64(&r, b->numerator, a->denominator);
	c = int128_compare(l, r);
	if (c != 0)
		return c;
	return (a->denominator > b->denominator) - (a->denominator < b->denominator);
}

PG_FUNCTION_INFO_V1(ratio_cmp);
Datum
ratio_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(ratio_cmp_internal(PG_GETARG_RATIO_P(0), PG_GETARG_RATIO_P(1)));
}

PG_FUNCTION_INFO_V1(ratio_ne);
Datum
ratio_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ratio_cmp_internal(PG_GETARG_RATIO_P(0), PG_GETARG_RATIO_P(1)) != 0);
}

PG_FUNCTION_INFO_V1(ratio_lt);
Datum
ratio_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ratio_cmp_internal(PG_GETARG_RATIO_P(0), PG_GETARG_RATIO_P(1)) < 0);
}

PG_FUNCTION_INFO_V1(ratio_le);
Datum
ratio_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ratio_cmp_internal(PG_GETARG_RATIO_P(0), PG_GETARG_RATIO_P(1)) <= 0);
}

PG_FUNCTION_INFO_V1(ratio_gt);
Datum
ratio_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ratio_cmp_internal(PG_GETARG_RATIO_P(0), PG_GETARG_RATIO_P(1)) > 0);
}

PG_FUNCTION_INFO_V1(ratio_ge);
Datum
ratio_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ratio_cmp_internal(PG_GETARG_RATIO_P(0), PG_GETARG_RATIO_P(1)) >= 0);
}

PG_FUNCTION_INFO_V1(ratio_smaller);
Datum
ratio_smaller(PG_FUNCTION_ARGS)
{
	Ratio	   *a = PG_GETARG_RATIO_P(0);
	Ratio	   *b = PG_GETARG_RATIO_P(1);

	PG_RETURN_RATIO_P(ratio_cmp_internal(a, b) <= 0 ? a : b);
}

PG_FUNCTION_INFO_V1(ratio_larger);
Datum
ratio_larger(PG_FUNCTION_ARGS)
{
	Ratio	   *a = PG_GETARG_RATIO_P(0);
	Ratio	   *b = PG_GETARG_RATIO_P(1);

	PG_RETURN_RATIO_P(ratio_cmp_internal(a, b) >= 0 ? a : b);
}

/* Hashes of the two counts: equal ratios (the same counts) hash alike. */
PG_FUNCTION_INFO_V1(ratio_hash);
Datum
ratio_hash(PG_FUNCTION_ARGS)
{
	Ratio	   *a = PG_GETARG_RATIO_P(0);

	return hash_any((const unsigned char *) a, sizeof(Ratio));
}

PG_FUNCTION_INFO_V1(ratio_hash_extended);
Datum
ratio_hash_extended(PG_FUNCTION_ARGS)
{
	Ratio	   *a = PG_GETARG_RATIO_P(0);

	return hash_any_extended((const unsigned char *) a, sizeof(Ratio), PG_GETARG_INT64(1));
}

/* ---- exact decimal arithmetic on counts ---- */

static Numeric
num_int(int64 v)
{
	return int64_to_numeric(v);
}

/* 10^exponent as an exact numeric; exponent may be negative. */
static Numeric
num_pow10(int exponent)
{
	char		text[16];

	snprintf(text, sizeof(text), "1e%d", exponent);
	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(text),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

static int
num_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											 NumericGetDatum(a),
											 NumericGetDatum(b)));
}

/*
 * a / d rounded half away from zero to `scale` decimals, exactly: the
 * quotient is truncated in integer arithmetic and the remainder decides
 * the last digit, so no intermediate rounding can push a value across a
 * half-way point.  d > 0.
 */
static Numeric
round_quotient(Numeric a, int64 d, int scale)
{
	Numeric		den = num_int(d);
	Numeric		x = numeric_mul_opt_error(a, num_pow10(scale), NULL);
	Numeric		q;
	Numeric		r;

	q = DatumGetNumeric(DirectFunctionCall2(numeric_div_trunc,
											NumericGetDatum(x),
											NumericGetDatum(den)));
	r = numeric_sub_opt_error(x, numeric_mul_opt_error(q, den, NULL), NULL);
	r = DatumGetNumeric(DirectFunctionCall1(numeric_abs, NumericGetDatum(r)));
	if (num_cmp(numeric_mul_opt_error(r, num_int(2), NULL), den) >= 0)
		q = numeric_add_opt_error(q, num_int(num_cmp(x, num_int(0)) < 0 ? -1 : 1), NULL);
	return numeric_mul_opt_error(q, num_pow10(-scale), NULL);
}

static void
check_target(Numeric target)
{
	if (numeric_is_nan(target) || numeric_is_inf(target))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid target \"%s\"",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(target)))),
				 errdetail("A target is a finite percentage.")));
}

/* kpi.percent(r, digits): 100·N/D rounded half away from zero; NULL if D = 0. */
PG_FUNCTION_INFO_V1(ratio_percent);
Datum
ratio_percent(PG_FUNCTION_ARGS)
{
	Ratio	   *r = PG_GETARG_RATIO_P(0);
	int32		digits = PG_GETARG_INT32(1);

	kpi_check_digits(digits);
	if (r->denominator == 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(round_quotient(numeric_mul_opt_error(num_int(r->numerator), num_int(100), NULL),
									 r->denominator, digits));
}

/*
 * kpi.gap(r, target): 100·N/D - target in percentage points.  Exact when
 * the difference has at most GAP_SCALE decimals (it always has for a
 * terminating fraction); otherwise correctly rounded at GAP_SCALE, far below
 * any rounding a report applies.  Trailing zeros are trimmed.
 */
PG_FUNCTION_INFO_V1(ratio_gap);
Datum
ratio_gap(PG_FUNCTION_ARGS)
{
	Ratio	   *r = PG_GETARG_RATIO_P(0);
	Numeric		target = PG_GETARG_NUMERIC(1);
	Numeric		a;

	check_target(target);
	if (r->denominator == 0)
		PG_RETURN_NULL();
	/* (100·N - target·D) / D */
	a = numeric_sub_opt_error(numeric_mul_opt_error(num_int(r->numerator), num_int(100), NULL),
							  numeric_mul_opt_error(target, num_int(r->denominator), NULL),
							  NULL);
	PG_RETURN_DATUM(DirectFunctionCall1(numeric_trim_scale,
										NumericGetDatum(round_quotient(a, r->denominator, GAP_SCALE))));
}

/* kpi.met(r, target): 100·N >= target·D, exactly; NULL if D = 0. */
PG_FUNCTION_INFO_V1(ratio_met);
Datum
ratio_met(PG_FUNCTION_ARGS)
{
	Ratio	   *r = PG_GETARG_RATIO_P(0);
	Numeric		target = PG_GETARG_NUMERIC(1);

	check_target(target);
	if (r->denominator == 0)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(num_cmp(numeric_mul_opt_error(num_int(r->numerator), num_int(100), NULL),
						   numeric_mul_opt_error(target, num_int(r->denominator), NULL)) >= 0);
}
