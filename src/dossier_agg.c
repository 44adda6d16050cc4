/*
 * dossier_agg.c
 *		kpi.dossier_tally(...): the one-pass engine behind kpi.refresh.  One
 *		transition call per dossier row; per unit it yields the eight dossier
 *		counts the indicators need and, for the two indicators that count
 *		distinct procedures, every procedure the unit received with four
 *		flags.  kpi.counts_from_dossiers then applies the units' online
 *		services to those few procedure rows and rolls communes up into their
 *		district, so no join runs per dossier.
 *
 * The procedure set is a keyset (keyset.c) whose flags record, per
 * procedure: received a dossier in the period; received an online one;
 * received a fee-bearing one; had one paid online.  One hash lookup per
 * received dossier.
 *
 * The state is `internal` with serialise/deserialise functions, so parallel
 * workers can build partial states; deserialise checks every size, flag and
 * count before it trusts a byte.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "keyset.h"

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

/* flags of a procedure in the set (documented with kpi.tally) */
#define P_RECEIVED			0x01	/* received a dossier in the period */
#define P_ONLINE			0x02	/* ... an online one */
#define P_FEE				0x04	/* ... a fee-bearing one */
#define P_PAID				0x08	/* ... a fee-bearing one paid online */
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

	keyset_init(&st->procs, aggcontext, "kpi.dossier_tally state");
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
 * Transition: (state, procedure_code, channel, fee_required, paid_online,
 * digitized, reused_data, e_result, received_at, resolved_at,
 * period_start, period_end, year_start).
 *
 * The dates are compared here, in integer arithmetic, rather than in SQL:
 * four timestamp comparisons and a text comparison per row cost more as
 * SQL expressions than everything else this function does.  A dossier
 * counts as received when period_start <= received_at < period_end, and as
 * resolved when year_start <= resolved_at < period_end.
 */
PG_FUNCTION_INFO_V1(dossier_tally_trans);
Datum
dossier_tally_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = agg_context(fcinfo, "dossier_tally_trans");
	DossierState *st;
	TimestampTz period_start,
				period_end;

	st = PG_ARGISNULL(0) ? state_new(aggcontext) : (DossierState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(10) || PG_ARGISNULL(11) || PG_ARGISNULL(12))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("kpi.dossier_tally: the period bounds must not be NULL")));
	period_start = PG_GETARG_TIMESTAMPTZ(10);
	period_end = PG_GETARG_TIMESTAMPTZ(11);

	if (!PG_ARGISNULL(8) &&
		PG_GETARG_TIMESTAMPTZ(8) >= period_start && PG_GETARG_TIMESTAMPTZ(8) < period_end)
	{
		bool		online = false;
		bool		fee = ARG_BOOL(3);
		bool		paid = fee && ARG_BOOL(4);

		if (!PG_ARGISNULL(2))
		{
			text	   *channel = PG_GETARG_TEXT_PP(2);

			online = VARSIZE_ANY_EXHDR(channel) == 6 &&
				memcmp(VARDATA_ANY(channel), "online", 6) == 0;
		}
		st->c[C_RECEIVED]++;
		st->c[C_ONLINE] += online;
		st->c[C_DIGITIZED] += ARG_BOOL(5);
		st->c[C_REUSED] += ARG_BOOL(6);
		st->c[C_FEE] += fee;
		st->c[C_PAID] += paid;

		if (!PG_ARGISNULL(1))
		{
			text	   *code = PG_GETARG_TEXT_PP(1);

			keyset_add_text(&st->procs, VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code),
							P_RECEIVED | (online ? P_ONLINE : 0) |
							(fee ? P_FEE : 0) | (paid ? P_PAID : 0), 0);
		}
	}
	if (!PG_ARGISNULL(9) &&
		PG_GETARG_TIMESTAMPTZ(9) >= PG_GETARG_TIMESTAMPTZ(12) && PG_GETARG_TIMESTAMPTZ(9) < period_end)
	{
		st->c[C_RESOLVED]++;
		st->c[C_ERESULT] += ARG_BOOL(7);
	}
	PG_RETURN_POINTER(st);
}

/*
 * Counters cannot overflow from rows (a bigint counter of rows), but they
 * can when partial states are combined from a forged serialised state, so
 * combining checks.
 */
PG_FUNCTION_INFO_V1(dossier_tally_combine);
Datum
dossier_tally_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = agg_context(fcinfo, "dossier_tally_combine");
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

PG_FUNCTION_INFO_V1(dossier_tally_serialize);
Datum
dossier_tally_serialize(PG_FUNCTION_ARGS)
{
	DossierState *st = (DossierState *) PG_GETARG_POINTER(0);
	Size		size = VARHDRSZ + sizeof(st->c) + st->procs.flat_size;
	bytea	   *out;
	char	   *end PG_USED_FOR_ASSERTS_ONLY;

	agg_context(fcinfo, "dossier_tally_serialize");
	out = palloc(size);
	SET_VARSIZE(out, size);
	memcpy(VARDATA(out), st->c, sizeof(st->c));
	end = keyset_flatten(&st->procs, VARDATA(out) + sizeof(st->c));
	Assert(end == (char *) out + size);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(dossier_tally_deserialize);
Datum
dossier_tally_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = agg_context(fcinfo, "dossier_tally_deserialize");
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
		/* every key was received; paid online implies fee-bearing */
		if (!(e.flags & P_RECEIVED) || (e.flags & ~P_ALL) != 0 ||
			((e.flags & P_PAID) && !(e.flags & P_FEE)))
			keyset_corrupt();
		keyset_add_entry(&st->procs, KS_TEXT, &e, ERRCODE_DATA_CORRUPTED);
	}
	PG_RETURN_POINTER(st);
}

/*
 * The kpi.tally of a unit: the eight counts, then the procedures received
 * in the period (sorted) with their flags.
 */
PG_FUNCTION_INFO_V1(dossier_tally_final);
Datum
dossier_tally_final(PG_FUNCTION_ARGS)
{
	DossierState *st;
	TupleDesc	tupdesc;
	Datum		values[N_COUNTERS + 2];
	bool		nulls[N_COUNTERS + 2] = {0};
	KeySetIter	it;
	KeyEntry   *entries;
	Datum	   *codes;
	Datum	   *flags;
	int64		i;

	agg_context(fcinfo, "dossier_tally_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (DossierState *) PG_GETARG_POINTER(0);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE ||
		tupdesc->natts != N_COUNTERS + 2)
		elog(ERROR, "dossier_tally_final: the result type is not kpi.tally");
	tupdesc = BlessTupleDesc(tupdesc);

	for (i = 0; i < N_COUNTERS; i++)
		values[i] = Int64GetDatum(st->c[i]);

	keyset_iter_mem(&it, &st->procs);
	entries = keyset_sorted(&it);
	codes = palloc(Max(it.nkeys, 1) * sizeof(Datum));
	flags = palloc(Max(it.nkeys, 1) * sizeof(Datum));
	for (i = 0; i < it.nkeys; i++)
	{
		codes[i] = PointerGetDatum(cstring_to_text_with_len(entries[i].tkey, entries[i].len));
		flags[i] = Int32GetDatum(entries[i].flags);
	}
	values[N_COUNTERS] = PointerGetDatum(construct_array(codes, it.nkeys, TEXTOID, -1, false, TYPALIGN_INT));
	values[N_COUNTERS + 1] = PointerGetDatum(construct_array(flags, it.nkeys, INT4OID, 4, true, TYPALIGN_INT));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
