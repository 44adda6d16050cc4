/*
 * dossier_agg.c
 *		kpi.dossier_counts(...): the one-pass engine behind kpi.refresh.  One
 *		transition call per dossier row yields the numerators and denominators
 *		of all seven indicators of an appendix row (a unit, or a district's
 *		communes), as an array of seven kpi.ratio in appendix order.
 *
 * Dossier counts are plain counters.  The two procedure-coverage indicators
 * count distinct procedures, so the state also keeps one set of procedure
 * codes (keyset.c) whose flags record, per procedure: received a dossier
 * while offered online; received an online one; received a fee-bearing one
 * while offered with online payment; had one paid online.  One hash lookup
 * per row serves both indicators.
 *
 * The state is `internal` with serialise/deserialise functions, so parallel
 * workers can build partial states; deserialise checks every size, flag and
 * count before it trusts a byte.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "keyset.h"
#include "kpi_ext.h"

/* counters */
enum
{
	C_RECEIVED,					/* received in the period */
	C_ONLINE,					/* ... through the online channel */
	C_DIGITIZED,				/* ... with digitised components */
	C_REUSED,					/* ... filled from digitised data */
	C_FEE,						/* ... fee-bearing */
	C_PAID,						/* ... fee-bearing and paid online */
	C_RESOLVED,					/* resolved from 1 January to the period's end */
	C_ERESULT,					/* ... with an electronic result */
	N_COUNTERS
};

/* flags of a procedure in the set */
#define P_SERVICE			0x01	/* offered online, received a dossier */
#define P_SERVICE_ONLINE	0x02	/* ... received an online dossier */
#define P_PAYMENT			0x04	/* offered with online payment, received a fee-bearing dossier */
#define P_PAYMENT_PAID		0x08	/* ... had one paid online */
#define P_ALL				0x0F

typedef struct DossierState
{
	int64		c[N_COUNTERS];
	KeySet		procs;
} DossierState;

#define ARG_BOOL(n) (!PG_ARGISNULL(n) && PG_GETARG_BOOL(n))

static DossierState *
state_new(MemoryContext aggcontext)
{
	DossierState *st = MemoryContextAllocZero(aggcontext, sizeof(DossierState));

	keyset_init(&st->procs, aggcontext, "kpi.dossier_counts state");
	return st;
}

static MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s called in non-aggregate context", fname);
	return aggcontext;
}

/*
 * Transition: (state, procedure_code, received, online, fee_required,
 * paid_online, digitized, reused_data, resolved, e_result, offers_online,
 * offers_payment).  "received" and "resolved" say whether the row falls in
 * the period and in the cumulative resolution window; the caller computes
 * them, so this function knows nothing of dates.
 */
PG_FUNCTION_INFO_V1(dossier_counts_trans);
Datum
dossier_counts_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = agg_context(fcinfo, "dossier_counts_trans");
	DossierState *st;

	st = PG_ARGISNULL(0) ? state_new(aggcontext) : (DossierState *) PG_GETARG_POINTER(0);

	if (ARG_BOOL(2))
	{
		bool		online = ARG_BOOL(3);
		bool		fee = ARG_BOOL(4);
		bool		paid = fee && ARG_BOOL(5);
		uint8		flags = 0;

		st->c[C_RECEIVED]++;
		st->c[C_ONLINE] += online;
		st->c[C_DIGITIZED] += ARG_BOOL(6);
		st->c[C_REUSED] += ARG_BOOL(7);
		st->c[C_FEE] += fee;
		st->c[C_PAID] += paid;

		if (ARG_BOOL(10))
			flags |= P_SERVICE | (online ? P_SERVICE_ONLINE : 0);
		if (fee && ARG_BOOL(11))
			flags |= P_PAYMENT | (paid ? P_PAYMENT_PAID : 0);
		if (flags != 0 && !PG_ARGISNULL(1))
		{
			text	   *code = PG_GETARG_TEXT_PP(1);

			keyset_add_text(&st->procs, VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code), flags, 0);
		}
	}
	if (ARG_BOOL(8))
	{
		st->c[C_RESOLVED]++;
		st->c[C_ERESULT] += ARG_BOOL(9);
	}
	PG_RETURN_POINTER(st);
}

/*
 * Counters cannot overflow from rows (a bigint counter of rows), but they
 * can when partial states are combined from a forged serialised state, so
 * combining checks.
 */
PG_FUNCTION_INFO_V1(dossier_counts_combine);
Datum
dossier_counts_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = agg_context(fcinfo, "dossier_counts_combine");
	DossierState *a;
	DossierState *b;
	KeySetIter	it;
	int			i;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	b = (DossierState *) PG_GETARG_POINTER(1);
	a = PG_ARGISNULL(0) ? state_new(aggcontext) : (DossierState *) PG_GETARG_POINTER(0);
	for (i = 0; i < N_COUNTERS; i++)
		if (pg_add_s64_overflow(a->c[i], b->c[i], &a->c[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("dossier count out of range")));
	keyset_iter_mem(&it, &b->procs);
	keyset_merge(&a->procs, &it);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(dossier_counts_serialize);
Datum
dossier_counts_serialize(PG_FUNCTION_ARGS)
{
	DossierState *st = (DossierState *) PG_GETARG_POINTER(0);
	Size		size = VARHDRSZ + sizeof(st->c) + st->procs.flat_size;
	bytea	   *out;
	char	   *end PG_USED_FOR_ASSERTS_ONLY;

	agg_context(fcinfo, "dossier_counts_serialize");
	out = palloc(size);
	SET_VARSIZE(out, size);
	memcpy(VARDATA(out), st->c, sizeof(st->c));
	end = keyset_flatten(&st->procs, VARDATA(out) + sizeof(st->c));
	Assert(end == (char *) out + size);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(dossier_counts_deserialize);
Datum
dossier_counts_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = agg_context(fcinfo, "dossier_counts_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const char *p = VARDATA_ANY(in);
	const char *end = p + VARSIZE_ANY_EXHDR(in);
	DossierState *st = state_new(aggcontext);
	KeySetIter	it;
	KeyEntry	e;
	int			i;

	if (end - p < (ptrdiff_t) sizeof(st->c))
		keyset_corrupt();
	memcpy(st->c, p, sizeof(st->c));
	for (i = 0; i < N_COUNTERS; i++)
		if (st->c[i] < 0)
			keyset_corrupt();
	if (st->c[C_ONLINE] > st->c[C_RECEIVED] || st->c[C_DIGITIZED] > st->c[C_RECEIVED] ||
		st->c[C_REUSED] > st->c[C_RECEIVED] || st->c[C_FEE] > st->c[C_RECEIVED] ||
		st->c[C_PAID] > st->c[C_FEE] || st->c[C_ERESULT] > st->c[C_RESOLVED])
		keyset_corrupt();
	keyset_iter_flat(&it, p + sizeof(st->c), end);
	if (it.kind == KS_INT)
		keyset_corrupt();
	while (keyset_iter_next(&it, &e))
	{
		if (e.flags == 0 || (e.flags & ~P_ALL) != 0)
			keyset_corrupt();
		keyset_add_entry(&st->procs, KS_TEXT, &e, ERRCODE_DATA_CORRUPTED);
	}
	PG_RETURN_POINTER(st);
}

/* The seven indicators, in appendix order, as kpi.ratio[7]. */
PG_FUNCTION_INFO_V1(dossier_counts_final);
Datum
dossier_counts_final(PG_FUNCTION_ARGS)
{
	DossierState *st;
	Oid			ratio_type;
	int64		svc = 0,
				svc_online = 0,
				pay = 0,
				pay_paid = 0;
	KeySetIter	it;
	KeyEntry	e;
	Datum		r[7];

	agg_context(fcinfo, "dossier_counts_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (DossierState *) PG_GETARG_POINTER(0);

	keyset_iter_mem(&it, &st->procs);
	while (keyset_iter_next(&it, &e))
	{
		svc += (e.flags & P_SERVICE) != 0;
		svc_online += (e.flags & (P_SERVICE | P_SERVICE_ONLINE)) == (P_SERVICE | P_SERVICE_ONLINE);
		pay += (e.flags & P_PAYMENT) != 0;
		pay_paid += (e.flags & (P_PAYMENT | P_PAYMENT_PAID)) == (P_PAYMENT | P_PAYMENT_PAID);
	}

	r[0] = RatioPGetDatum(ratio_make(svc_online, svc));	/* service_uptake */
	r[1] = RatioPGetDatum(ratio_make(st->c[C_ONLINE], st->c[C_RECEIVED]));	/* online_dossier */
	r[2] = RatioPGetDatum(ratio_make(pay_paid, pay));	/* payment_uptake */
	r[3] = RatioPGetDatum(ratio_make(st->c[C_PAID], st->c[C_FEE]));	/* online_payment */
	r[4] = RatioPGetDatum(ratio_make(st->c[C_DIGITIZED], st->c[C_RECEIVED]));	/* digitization */
	r[5] = RatioPGetDatum(ratio_make(st->c[C_REUSED], st->c[C_RECEIVED]));	/* data_reuse */
	r[6] = RatioPGetDatum(ratio_make(st->c[C_ERESULT], st->c[C_RESOLVED]));	/* e_result */

	ratio_type = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	if (!OidIsValid(ratio_type))
		elog(ERROR, "dossier_counts_final: cannot determine the result type");
	PG_RETURN_ARRAYTYPE_P(construct_array(r, 7, ratio_type, sizeof(Ratio), false, TYPALIGN_DOUBLE));
}
