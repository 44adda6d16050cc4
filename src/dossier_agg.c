/*
 * dossier_agg.c
 *		kpi.dossier_tally(unit_code, ...): the one-pass engine behind
 *		kpi.refresh.  One transition call per dossier row.  The aggregate
 *		keeps a tally per unit itself and returns them all, as an array of
 *		kpi.tally sorted by unit code: per unit, the eight dossier counts the
 *		indicators need and, for the two indicators that count distinct
 *		procedures, every procedure the unit received with four flags.
 *		kpi.counts_from_dossiers then applies the units' online services to
 *		those few procedure rows and rolls communes up into their district,
 *		so no join runs per dossier.
 *
 * Why the aggregate groups by unit rather than running under GROUP BY
 * unit_code: the executor's hash aggregation on a text key costs more per
 * row than everything the tally does (docs/benchmarks.md), while a lookup
 * in a table of a few hundred units, remembered from the previous row, is
 * cheap.  A row whose dates fall outside the period and its cumulative
 * window is dismissed by two comparisons before any lookup, so the caller
 * need not filter rows in SQL either.
 *
 * Per unit, the procedure set is a keyset (keyset.c) whose flags record,
 * per procedure: received a dossier in the period; received an online one;
 * received a fee-bearing one; had one paid online.
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
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

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


/* The tally of one unit. */
typedef struct UnitTally
{
	uint64		w0;				/* the code's first 8 bytes, zero-padded */
	uint64		w1;				/* its last 8 bytes when longer than 8, else 0 */
	uint32		len;
	char	   *code;			/* the code's bytes, in the state's context */
	int64		c[N_COUNTERS];
	KeySet		procs;
} UnitTally;

/*
 * The units of a state: an open-addressing table of pointers to their
 * tallies (linear probing, doubled when 3/4 full), and the same tallies in
 * the order they came, for iteration.  A unit code is compared by its
 * length and two 8-byte words first, so codes up to 16 bytes never reach
 * memcmp.  Not a keyset: a keyset maps a key to a byte of flags, and
 * widening its slots for a pointer would slow the procedure sets, the
 * hottest memory of the pass.
 */
typedef struct UnitSlot
{
	uint32		hash;
	UnitTally  *tally;			/* NULL: empty */
} UnitSlot;

typedef struct DossierState
{
	MemoryContext cxt;			/* the aggregate's context: everything lives here */
	uint32		capacity;		/* slots, a power of two */
	uint32		nunits;
	UnitSlot   *slots;
	UnitTally **units;			/* nunits of them, in the order they came */
	UnitTally  *last;			/* the unit of the previous counted row */
} DossierState;

#define UNITS_INITIAL 64

#define ARG_BOOL(n) (!PG_ARGISNULL(n) && PG_GETARG_BOOL(n))

static MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s called in non-aggregate context", fname);
	return aggcontext;
}

static DossierState *
state_new(MemoryContext aggcontext)
{
	DossierState *st = MemoryContextAllocZero(aggcontext, sizeof(DossierState));

	st->cxt = aggcontext;
	st->capacity = UNITS_INITIAL;
	st->slots = MemoryContextAllocZero(aggcontext, UNITS_INITIAL * sizeof(UnitSlot));
	st->units = MemoryContextAlloc(aggcontext, UNITS_INITIAL * sizeof(UnitTally *));
	return st;
}

static inline void
code_words(const char *code, uint32 len, uint64 *w0, uint64 *w1)
{
	*w0 = 0;
	*w1 = 0;
	if (len > sizeof(uint64))
	{
		memcpy(w0, code, sizeof(uint64));
		memcpy(w1, code + len - sizeof(uint64), sizeof(uint64));
	}
	else
		memcpy(w0, code, len);
}

static inline uint32
code_hash(uint64 w0, uint64 w1, uint32 len)
{
	return keyset_hash64((int64) (w0 ^ (w1 * UINT64CONST(0x9e3779b97f4a7c15)) ^ ((uint64) len << 57)));
}

static inline bool
code_equal(const UnitTally *t, const char *code, uint32 len, uint64 w0, uint64 w1)
{
	return t->len == len && t->w0 == w0 && t->w1 == w1 &&
		(len <= 2 * sizeof(uint64) ||
		 memcmp(t->code + sizeof(uint64), code + sizeof(uint64), len - 2 * sizeof(uint64)) == 0);
}

static void
units_grow(DossierState *st)
{
	uint32		newcap;
	uint32		mask;
	UnitSlot   *slots;
	uint32		i;

	if (st->capacity > PG_INT32_MAX / 2 ||
		(Size) st->capacity * 2 > MaxAllocSize / sizeof(UnitSlot))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kpi.dossier_tally has too many units")));
	newcap = st->capacity * 2;
	mask = newcap - 1;
	slots = MemoryContextAllocZero(st->cxt, newcap * sizeof(UnitSlot));
	for (i = 0; i < st->capacity; i++)
	{
		uint32		j;

		if (st->slots[i].tally == NULL)
			continue;
		for (j = st->slots[i].hash & mask; slots[j].tally != NULL; j = (j + 1) & mask)
			;
		slots[j] = st->slots[i];
	}
	pfree(st->slots);
	st->slots = slots;
	st->capacity = newcap;
	st->units = repalloc(st->units, newcap * sizeof(UnitTally *));
}

/*
 * The tally of a unit, created empty on first sight.  *is_new, when not
 * NULL, says whether it was.
 */
static UnitTally *
unit_tally(DossierState *st, const char *code, uint32 len, bool *is_new)
{
	uint64		w0;
	uint64		w1;
	uint32		hash;
	uint32		mask;
	uint32		i;
	UnitTally  *t;

	code_words(code, len, &w0, &w1);
	if (is_new)
		*is_new = false;
	if (st->last && code_equal(st->last, code, len, w0, w1))
		return st->last;

	hash = code_hash(w0, w1, len);
	mask = st->capacity - 1;
	for (i = hash & mask; st->slots[i].tally != NULL; i = (i + 1) & mask)
		if (st->slots[i].hash == hash && code_equal(st->slots[i].tally, code, len, w0, w1))
			return st->last = st->slots[i].tally;

	t = MemoryContextAllocZero(st->cxt, sizeof(UnitTally));
	t->w0 = w0;
	t->w1 = w1;
	t->len = len;
	t->code = MemoryContextAlloc(st->cxt, Max(len, 1));
	memcpy(t->code, code, len);
	keyset_init(&t->procs, st->cxt, "kpi.dossier_tally state");
	st->slots[i].hash = hash;
	st->slots[i].tally = t;
	st->units[st->nunits++] = t;
	if (st->nunits > st->capacity / 4 * 3)
		units_grow(st);
	if (is_new)
		*is_new = true;
	return st->last = t;
}

/*
 * Transition: (state, unit_code, procedure_code, channel, fee_required,
 * paid_online, digitized, reused_data, e_result, received_at, resolved_at,
 * period_start, period_end, year_start).
 *
 * The dates are compared here, in integer arithmetic, rather than in SQL:
 * four timestamp comparisons and a text comparison per row cost more as
 * SQL expressions than everything else this function does.  A dossier
 * counts as received when period_start <= received_at < period_end, and as
 * resolved when year_start <= resolved_at < period_end; a dossier that is
 * neither is not looked at further.
 */
PG_FUNCTION_INFO_V1(dossier_tally_trans);
Datum
dossier_tally_trans(PG_FUNCTION_ARGS)
{
	DossierState *st;
	TimestampTz period_end;
	bool		received;
	bool		resolved;
	text	   *unit;
	UnitTally  *t;

	if (PG_ARGISNULL(11) || PG_ARGISNULL(12) || PG_ARGISNULL(13))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("kpi.dossier_tally: the period bounds must not be NULL")));
	st = PG_ARGISNULL(0)
		? state_new(agg_context(fcinfo, "dossier_tally_trans"))
		: (DossierState *) PG_GETARG_POINTER(0);

	period_end = PG_GETARG_TIMESTAMPTZ(12);
	received = !PG_ARGISNULL(9) &&
		PG_GETARG_TIMESTAMPTZ(9) >= PG_GETARG_TIMESTAMPTZ(11) &&
		PG_GETARG_TIMESTAMPTZ(9) < period_end;
	resolved = !PG_ARGISNULL(10) &&
		PG_GETARG_TIMESTAMPTZ(10) >= PG_GETARG_TIMESTAMPTZ(13) &&
		PG_GETARG_TIMESTAMPTZ(10) < period_end;
	if (!received && !resolved)
		PG_RETURN_POINTER(st);

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("kpi.dossier_tally: unit_code must not be NULL")));
	unit = PG_GETARG_TEXT_PP(1);
	t = unit_tally(st, VARDATA_ANY(unit), VARSIZE_ANY_EXHDR(unit), NULL);

	if (received)
	{
		bool		online = false;
		bool		fee = ARG_BOOL(4);
		bool		paid = fee && ARG_BOOL(5);

		if (!PG_ARGISNULL(3))
		{
			text	   *channel = PG_GETARG_TEXT_PP(3);

			online = VARSIZE_ANY_EXHDR(channel) == 6 &&
				memcmp(VARDATA_ANY(channel), "online", 6) == 0;
		}
		t->c[C_RECEIVED]++;
		t->c[C_ONLINE] += online;
		t->c[C_DIGITIZED] += ARG_BOOL(6);
		t->c[C_REUSED] += ARG_BOOL(7);
		t->c[C_FEE] += fee;
		t->c[C_PAID] += paid;

		if (!PG_ARGISNULL(2))
		{
			text	   *code = PG_GETARG_TEXT_PP(2);

			keyset_add_text(&t->procs, VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code),
							P_RECEIVED | (online ? P_ONLINE : 0) |
							(fee ? P_FEE : 0) | (paid ? P_PAID : 0), 0);
		}
	}
	if (resolved)
	{
		t->c[C_RESOLVED]++;
		t->c[C_ERESULT] += ARG_BOOL(8);
	}
	PG_RETURN_POINTER(st);
}

/* Add counters, checked: a forged serialised state could overflow them. */
static void
add_counters(int64 *acc, const int64 *c)
{
	int			i;

	for (i = 0; i < N_COUNTERS; i++)
		if (pg_add_s64_overflow(acc[i], c[i], &acc[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("dossier count out of range")));
}

PG_FUNCTION_INFO_V1(dossier_tally_combine);
Datum
dossier_tally_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = agg_context(fcinfo, "dossier_tally_combine");
	DossierState *a;
	DossierState *b;
	uint32		u;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	b = (DossierState *) PG_GETARG_POINTER(1);
	a = PG_ARGISNULL(0) ? state_new(aggcontext) : (DossierState *) PG_GETARG_POINTER(0);
	for (u = 0; u < b->nunits; u++)
	{
		const UnitTally *bt = b->units[u];
		UnitTally  *t = unit_tally(a, bt->code, bt->len, NULL);
		KeySetIter	kit;

		add_counters(t->c, bt->c);
		keyset_iter_mem(&kit, &bt->procs);
		keyset_merge(&t->procs, &kit);
	}
	PG_RETURN_POINTER(a);
}

/*
 * Serialised form: int64 number of units, then per unit: uint32 code
 * length, the code's bytes, the eight int64 counters, uint64 size of the
 * procedure set's flat form, that flat form (keyset.c).  Fields are
 * unaligned and read with memcpy.
 */
#define UNIT_FIXED (sizeof(uint32) + N_COUNTERS * sizeof(int64) + sizeof(uint64))

PG_FUNCTION_INFO_V1(dossier_tally_serialize);
Datum
dossier_tally_serialize(PG_FUNCTION_ARGS)
{
	DossierState *st = (DossierState *) PG_GETARG_POINTER(0);
	Size		size = VARHDRSZ + sizeof(int64);
	int64		nunits = st->nunits;
	uint32		u;
	bytea	   *out;
	char	   *p;

	agg_context(fcinfo, "dossier_tally_serialize");
	for (u = 0; u < st->nunits; u++)
	{
		size += UNIT_FIXED + st->units[u]->len + st->units[u]->procs.flat_size;
		if (size > MaxAllocSize)	/* checked as it grows: no wrap-around */
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("kpi.dossier_tally state exceeds %zu bytes", (Size) MaxAllocSize)));
	}

	out = palloc(size);
	SET_VARSIZE(out, size);
	p = VARDATA(out);
	memcpy(p, &nunits, sizeof(int64));
	p += sizeof(int64);
	for (u = 0; u < st->nunits; u++)
	{
		const UnitTally *t = st->units[u];
		uint64		setsize = t->procs.flat_size;

		memcpy(p, &t->len, sizeof(uint32));
		p += sizeof(uint32);
		memcpy(p, t->code, t->len);
		p += t->len;
		memcpy(p, t->c, sizeof(t->c));
		p += sizeof(t->c);
		memcpy(p, &setsize, sizeof(uint64));
		p += sizeof(uint64);
		p = keyset_flatten(&t->procs, p);
	}
	Assert(p == (char *) out + size);
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
	int64		nunits;
	int64		u;

	if (end - p < (ptrdiff_t) sizeof(int64))
		keyset_corrupt();
	memcpy(&nunits, p, sizeof(int64));
	p += sizeof(int64);
	if (nunits < 0 || nunits > (end - p) / (ptrdiff_t) UNIT_FIXED)
		keyset_corrupt();
	for (u = 0; u < nunits; u++)
	{
		uint32		len;
		uint64		setsize;
		const char *code;
		UnitTally  *t;
		bool		is_new;
		KeySetIter	it;
		KeyEntry	e;
		int			i;

		if ((size_t) (end - p) < UNIT_FIXED)
			keyset_corrupt();
		memcpy(&len, p, sizeof(uint32));
		p += sizeof(uint32);
		/* UNIT_FIXED bytes were there; the code and the rest must be too */
		if (len > (size_t) (end - p) - (UNIT_FIXED - sizeof(uint32)))
			keyset_corrupt();
		code = p;
		p += len;
		t = unit_tally(st, code, len, &is_new);
		if (!is_new)
			keyset_corrupt();	/* a unit twice */
		memcpy(t->c, p, sizeof(t->c));
		p += sizeof(t->c);
		for (i = 0; i < N_COUNTERS; i++)
			if (t->c[i] < 0)
				keyset_corrupt();
		if (t->c[C_ONLINE] > t->c[C_RECEIVED] || t->c[C_DIGITIZED] > t->c[C_RECEIVED] ||
			t->c[C_REUSED] > t->c[C_RECEIVED] || t->c[C_FEE] > t->c[C_RECEIVED] ||
			t->c[C_PAID] > t->c[C_FEE] || t->c[C_ERESULT] > t->c[C_RESOLVED] ||
			(t->c[C_RECEIVED] == 0 && t->c[C_RESOLVED] == 0))
			keyset_corrupt();
		memcpy(&setsize, p, sizeof(uint64));
		p += sizeof(uint64);
		if (setsize > (uint64) (end - p))
			keyset_corrupt();
		keyset_iter_flat(&it, p, p + setsize);
		if (it.kind == KS_INT)
			keyset_corrupt();
		while (keyset_iter_next(&it, &e))
		{
			/* every key was received; paid online implies fee-bearing */
			if (!(e.flags & P_RECEIVED) || (e.flags & ~P_ALL) != 0 ||
				((e.flags & P_PAID) && !(e.flags & P_FEE)))
				keyset_corrupt();
			keyset_add_entry(&t->procs, KS_TEXT, &e, ERRCODE_DATA_CORRUPTED);
		}
		/* procedures are received dossiers: no more of them than dossiers */
		if (t->procs.nkeys > t->c[C_RECEIVED])
			keyset_corrupt();
		p += setsize;
	}
	if (p != end)
		keyset_corrupt();
	PG_RETURN_POINTER(st);
}

static int
cmp_unit(const void *a, const void *b)
{
	const UnitTally *x = *(UnitTally *const *) a;
	const UnitTally *y = *(UnitTally *const *) b;
	int			c = memcmp(x->code, y->code, Min(x->len, y->len));

	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* One kpi.tally: the unit, its eight counts, its procedures (sorted) with their flags. */
static Datum
tally_datum(const UnitTally *t, TupleDesc tupdesc)
{
	Datum		values[N_COUNTERS + 3];
	bool		nulls[N_COUNTERS + 3] = {0};
	KeySetIter	it;
	KeyEntry   *entries;
	Datum	   *codes;
	Datum	   *flags;
	int64		i;

	values[0] = PointerGetDatum(cstring_to_text_with_len(t->code, t->len));
	for (i = 0; i < N_COUNTERS; i++)
		values[1 + i] = Int64GetDatum(t->c[i]);

	keyset_iter_mem(&it, &t->procs);
	entries = keyset_sorted(&it);
	codes = palloc(Max(it.nkeys, 1) * sizeof(Datum));
	flags = palloc(Max(it.nkeys, 1) * sizeof(Datum));
	for (i = 0; i < it.nkeys; i++)
	{
		codes[i] = PointerGetDatum(cstring_to_text_with_len(entries[i].tkey, entries[i].len));
		flags[i] = Int32GetDatum(entries[i].flags);
	}
	values[N_COUNTERS + 1] = PointerGetDatum(construct_array(codes, it.nkeys, TEXTOID, -1, false, TYPALIGN_INT));
	values[N_COUNTERS + 2] = PointerGetDatum(construct_array(flags, it.nkeys, INT4OID, 4, true, TYPALIGN_INT));
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/*
 * The kpi.tally of every unit that had a dossier received in the period or
 * resolved in the cumulative window, sorted by unit code (bytewise); an
 * empty array when none had.
 */
PG_FUNCTION_INFO_V1(dossier_tally_final);
Datum
dossier_tally_final(PG_FUNCTION_ARGS)
{
	Oid			elemtype = get_element_type(get_func_rettype(fcinfo->flinfo->fn_oid));
	DossierState *st;
	TupleDesc	tupdesc;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	UnitTally **units;
	Datum	   *elems;
	uint32		n;
	uint32		i;
	ArrayType  *result;

	agg_context(fcinfo, "dossier_tally_final");
	if (!OidIsValid(elemtype))
		elog(ERROR, "dossier_tally_final: the result type is not an array of kpi.tally");
	if (PG_ARGISNULL(0))
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(elemtype));
	st = (DossierState *) PG_GETARG_POINTER(0);

	tupdesc = lookup_rowtype_tupdesc(elemtype, -1);
	if (tupdesc->natts != N_COUNTERS + 3)
		elog(ERROR, "dossier_tally_final: the result type is not an array of kpi.tally");

	/* sorted in a copy: a window aggregate may call this again */
	n = st->nunits;
	units = palloc(Max(n, 1) * sizeof(UnitTally *));
	memcpy(units, st->units, n * sizeof(UnitTally *));
	qsort(units, n, sizeof(UnitTally *), cmp_unit);

	elems = palloc(Max(n, 1) * sizeof(Datum));
	for (i = 0; i < n; i++)
		elems[i] = tally_datum(units[i], tupdesc);
	ReleaseTupleDesc(tupdesc);

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	result = construct_array(elems, (int) n, elemtype, typlen, typbyval, typalign);
	PG_RETURN_ARRAYTYPE_P(result);
}
