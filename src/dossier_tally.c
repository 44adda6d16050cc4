/*
 * dossier_tally.c
 *		kpi.dossier_tally(unit_code, ...): the one-pass engine behind
 *		kpi.refresh.  One transition call per dossier row.  The aggregate
 *		keeps a tally per unit itself and returns them all, as an array of
 *		kpi.tally sorted by unit code.  Per unit it counts dossiers by
 *		combination of flags (src/flags.h, generated from the dossier flags
 *		of src/catalogue.txt), once for the dossiers received in the period
 *		and once for those resolved from 1 January to the period's end; and
 *		it keeps every procedure the unit received, with the union of the
 *		flags of its dossiers.  Which combinations an indicator adds up is
 *		data (kpi.indicator): kpi.counts_from_dossiers applies it, with the
 *		units' online services and the roll-up of communes into their
 *		district, to the few rows that come out, so no join runs per dossier
 *		and no indicator is known here.
 *
 * Why the aggregate groups by unit rather than running under GROUP BY
 * unit_code: the executor's hash aggregation on a text key costs more per
 * row than everything the tally does (docs/benchmarks.md), while a lookup
 * in a table of a few hundred units, remembered from the previous row, is
 * cheap.  A row whose dates fall outside the period and its cumulative
 * window is dismissed by two comparisons before any lookup, so the caller
 * need not filter rows in SQL either.
 *
 * Per unit, the procedures received are a ProcSet (procset.c): each
 * received dossier appends its procedure and flags, and the set is sorted,
 * rid of repeats (flags OR-ed) when its array fills; the final function
 * finds them sorted.
 *
 * The state is `internal` with serialise/deserialise functions, so parallel
 * workers can build partial states (each unit's procedures written sorted,
 * so that the leader merges them in one pass); deserialise checks every
 * size, flag, count and the procedures' order before it trusts a byte.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "flags.h"
#include "keyset.h"
#include "procset.h"

/* the two counts of a unit: dossiers received, dossiers resolved */
#define N_BASES 2


/*
 * The tally of one unit.  Its dossiers by combination of flags are counted
 * in 32 bits, and a count that wraps around adds 2^32 to a 64-bit
 * companion, allocated then: half the memory a row touches, where that
 * memory is one cache miss per row once the counts of a few hundred units
 * outgrow the caches (docs/benchmarks.md).  unit_counts reads them whole.
 */
typedef int64 Counts[N_BASES][FLAG_COMBINATIONS];

typedef struct UnitTally
{
	uint32		len;
	char	   *code;			/* the code's bytes, in the state's context */
	uint32		c[N_BASES][FLAG_COMBINATIONS];	/* the counts' low 32 bits */
	int64	   *high;			/* NULL, or the rest: a Counts of multiples of 2^32 */
	ProcSet		procs;
} UnitTally;

/*
 * The units of a state: an open-addressing table of their tallies (linear
 * probing, doubled when 3/4 full), and the same tallies in the order they
 * came, for iteration.  A slot holds the code's length and first 16 bytes
 * (keyset_text_words), so a lookup compares codes of up to 16 bytes
 * without leaving the table, which stays in the caches: reading the
 * tally's own copy cost a cache miss per row (docs/benchmarks.md).
 */
typedef struct UnitSlot
{
	uint64		w0;
	uint64		w1;
	uint32		hash;
	uint32		len;
	UnitTally  *tally;			/* NULL: empty */
} UnitSlot;

typedef struct DossierState
{
	MemoryContext cxt;			/* the aggregate's context: everything lives here */
	uint32		capacity;		/* slots, a power of two */
	uint32		nunits;
	UnitSlot   *slots;
	UnitTally **units;			/* nunits of them, in the order they came */
	UnitSlot   *last;			/* the unit of the previous counted row, or NULL */
} DossierState;

#define UNITS_INITIAL 64

#define ARG_BOOL(n) (!PG_ARGISNULL(n) && PG_GETARG_BOOL(n))

static pg_attribute_noreturn() void
count_out_of_range(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("dossier count out of range")));
}

/* A low count wrapped around to 0: 2^32 more in its high part. */
static pg_noinline void
count_wrapped(MemoryContext cxt, UnitTally *t, int b, int f)
{
	int64	   *h;

	if (t->high == NULL)
		t->high = MemoryContextAllocZero(cxt, sizeof(Counts));
	h = &t->high[b * FLAG_COMBINATIONS + f];
	/* high + low stays within bigint: high is at most 2^63 - 2^32 */
	if (pg_add_s64_overflow(*h, INT64CONST(1) << 32, h))
		count_out_of_range();
}

static inline void
count_dossier(MemoryContext cxt, UnitTally *t, int b, int f)
{
	if (unlikely(++t->c[b][f] == 0))
		count_wrapped(cxt, t, b, f);
}

/* The unit's counts, whole. */
static void
unit_counts(const UnitTally *t, Counts out)
{
	int			b;
	int			f;

	for (b = 0; b < N_BASES; b++)
		for (f = 0; f < FLAG_COMBINATIONS; f++)
			out[b][f] = (t->high ? t->high[b * FLAG_COMBINATIONS + f] : 0) + t->c[b][f];
}

/* Set the unit's counts (not negative). */
static void
unit_set_counts(MemoryContext cxt, UnitTally *t, Counts in)
{
	int			b;
	int			f;

	for (b = 0; b < N_BASES; b++)
		for (f = 0; f < FLAG_COMBINATIONS; f++)
		{
			int64		high = in[b][f] & ~(int64) PG_UINT32_MAX;

			Assert(in[b][f] >= 0);
			t->c[b][f] = (uint32) (in[b][f] & PG_UINT32_MAX);
			if (high != 0 && t->high == NULL)
				t->high = MemoryContextAllocZero(cxt, sizeof(Counts));
			if (t->high)
				t->high[b * FLAG_COMBINATIONS + f] = high;
		}
}

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

static inline bool
slot_equal(const UnitSlot *s, const char *code, uint32 len, uint64 w0, uint64 w1)
{
	return s->len == len && s->w0 == w0 && s->w1 == w1 &&
		(len <= 2 * sizeof(uint64) ||
		 memcmp(s->tally->code + 2 * sizeof(uint64), code + 2 * sizeof(uint64), len - 2 * sizeof(uint64)) == 0);
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
	st->last = NULL;
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

	keyset_text_words(code, len, &w0, &w1);
	if (is_new)
		*is_new = false;
	/* compared before any hashing: a code longer than 16 bytes hashes all its bytes */
	if (st->last && slot_equal(st->last, code, len, w0, w1))
		return st->last->tally;

	hash = keyset_text_hash(code, len, w0, w1);
	mask = st->capacity - 1;
	for (i = hash & mask; st->slots[i].tally != NULL; i = (i + 1) & mask)
		if (st->slots[i].hash == hash && slot_equal(&st->slots[i], code, len, w0, w1))
		{
			st->last = &st->slots[i];
			return st->slots[i].tally;
		}

	t = MemoryContextAllocZero(st->cxt, sizeof(UnitTally));
	t->len = len;
	t->code = MemoryContextAlloc(st->cxt, Max(len, 1));
	memcpy(t->code, code, len);
	st->slots[i].w0 = w0;
	st->slots[i].w1 = w1;
	st->slots[i].hash = hash;
	st->slots[i].len = len;
	st->slots[i].tally = t;
	st->units[st->nunits++] = t;
	st->last = &st->slots[i];
	if (st->nunits > st->capacity / 4 * 3)
		units_grow(st);			/* forgets last */
	if (is_new)
		*is_new = true;
	return t;
}

/*
 * Unit and procedure codes are at most CODE_MAX characters, as the checks of
 * kpi.unit, kpi.dossier and kpi.service say: whatever table the aggregate
 * reads, its memory is bounded by units x procedures.
 */
#define CODE_MAX 100

static void
check_code_length(const char *what, const char *code, int len)
{
	int			chars;

	if (len <= CODE_MAX)
		return;					/* a character takes a byte at least */
	chars = pg_mbstrlen_with_len(code, len);
	if (chars > CODE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("kpi.dossier_tally: %s \"%.*s...\" is longer than %d characters (%d)",
						what, pg_mbcharcliplen(code, len, 20), code, CODE_MAX, chars)));
}

/*
 * Transition: (state, unit_code, procedure_code, channel, fee_required,
 * paid_online, digitized, reused_data, e_result, received_at, resolved_at,
 * period_start, period_end, year_start[, due_at]).  Version 1.0's aggregate
 * has no due_at: its dossiers have no due date.
 *
 * A dossier with a due date is on time when it was resolved by it, or, not
 * resolved at the cut-off (the period's end, or now while the period runs),
 * is not yet due then: as the national portal counts its on-time dossiers.
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
	bool		online = false;
	bool		fee;
	uint8		flags;
	uint8		due_flags = 0;
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
	check_code_length("unit_code", VARDATA_ANY(unit), VARSIZE_ANY_EXHDR(unit));
	t = unit_tally(st, VARDATA_ANY(unit), VARSIZE_ANY_EXHDR(unit), NULL);

	if (!PG_ARGISNULL(3))
	{
		text	   *channel = PG_GETARG_TEXT_PP(3);

		/* "online", compared as two words rather than by a call to memcmp */
		if (VARSIZE_ANY_EXHDR(channel) == 6)
		{
			uint32		w4,
						o4;
			uint16		w2,
						o2;

			memcpy(&w4, VARDATA_ANY(channel), 4);
			memcpy(&w2, VARDATA_ANY(channel) + 4, 2);
			memcpy(&o4, "online", 4);
			memcpy(&o2, &"online"[4], 2);
			online = w4 == o4 && w2 == o2;
		}
	}
	fee = ARG_BOOL(4);
	if (PG_NARGS() > 14 && !PG_ARGISNULL(14))
	{
		TimestampTz due = PG_GETARG_TIMESTAMPTZ(14);
		TimestampTz cutoff = Min(period_end, GetCurrentTransactionStartTimestamp());

		due_flags = FLAG_DUE;
		if (!PG_ARGISNULL(10) && PG_GETARG_TIMESTAMPTZ(10) < cutoff
			? PG_GETARG_TIMESTAMPTZ(10) <= due
			: due >= cutoff)
			due_flags |= FLAG_ON_TIME;
	}
	flags = due_flags | (online ? FLAG_ONLINE : 0) |
		(fee ? FLAG_FEE : 0) |
		(fee && ARG_BOOL(5) ? FLAG_PAID : 0) |
		(ARG_BOOL(6) ? FLAG_DIGITIZED : 0) |
		(ARG_BOOL(7) ? FLAG_REUSED : 0) |
		(ARG_BOOL(8) ? FLAG_E_RESULT : 0);

	if (received)
	{
		count_dossier(st->cxt, t, 0, flags);
		if (!PG_ARGISNULL(2))
		{
			text	   *code = PG_GETARG_TEXT_PP(2);

			check_code_length("procedure_code", VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code));
			procset_add(&t->procs, st->cxt, VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code), flags);
		}
	}
	if (resolved)
		count_dossier(st->cxt, t, 1, flags);
	PG_RETURN_POINTER(st);
}

/* Add counts, checked: a forged serialised state could overflow them. */
static void
add_counts(int64 (*acc)[FLAG_COMBINATIONS], int64 (*c)[FLAG_COMBINATIONS])
{
	int			b;
	int			f;

	for (b = 0; b < N_BASES; b++)
		for (f = 0; f < FLAG_COMBINATIONS; f++)
			if (pg_add_s64_overflow(acc[b][f], c[b][f], &acc[b][f]))
				count_out_of_range();
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
	/*
	 * The first state becomes the result as it is: it lives in the
	 * aggregate's context (deserialise builds it there) and is not used again.
	 */
	if (PG_ARGISNULL(0) && b->cxt == aggcontext)
		PG_RETURN_POINTER(b);
	a = PG_ARGISNULL(0) ? state_new(aggcontext) : (DossierState *) PG_GETARG_POINTER(0);
	for (u = 0; u < b->nunits; u++)
	{
		UnitTally  *bt = b->units[u];
		UnitTally  *t = unit_tally(a, bt->code, bt->len, NULL);
		Counts		ca;
		Counts		cb;

		unit_counts(t, ca);
		unit_counts(bt, cb);
		add_counts(ca, cb);
		unit_set_counts(a->cxt, t, ca);
		procset_merge(&t->procs, a->cxt, &bt->procs, b->cxt);
	}
	PG_RETURN_POINTER(a);
}

/*
 * Serialised form: int64 number of units, then per unit: uint32 code
 * length, the code's bytes, the counts (N_BASES x FLAG_COMBINATIONS int64),
 * uint64 size of the procedure set's flat form, that flat form (keyset.c).
 * Fields are unaligned and read with memcpy.
 */
#define UNIT_FIXED (sizeof(uint32) + sizeof(Counts) + sizeof(uint64))

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
		procset_compact(&st->units[u]->procs, st->cxt);
		size += UNIT_FIXED + st->units[u]->len + procset_flat_size(&st->units[u]->procs);
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
		char	   *setsize_at;
		uint64		setsize;
		Counts		c;

		memcpy(p, &t->len, sizeof(uint32));
		p += sizeof(uint32);
		memcpy(p, t->code, t->len);
		p += t->len;
		unit_counts(t, c);
		memcpy(p, c, sizeof(Counts));
		p += sizeof(Counts);
		/* the set's size, known once it is written (sized above) */
		setsize_at = p;
		p = procset_flatten(&t->procs, p + sizeof(uint64));
		setsize = p - (setsize_at + sizeof(uint64));
		memcpy(setsize_at, &setsize, sizeof(uint64));
	}
	Assert(p == (char *) out + size);
	PG_RETURN_BYTEA_P(out);
}

/*
 * A unit or procedure code of a serialised state is text of the database's
 * encoding, as the transition function got it: no NUL byte, no invalid
 * sequence, no more than CODE_MAX characters.
 */
static void
check_code(const char *code, uint32 len)
{
	/*
	 * Up to 16 bytes of ASCII without NUL (most codes) are valid in every
	 * server encoding: checked by two words, as a leader checks every
	 * procedure of every worker's state.
	 */
	if (len > 0 && len <= 2 * sizeof(uint64))
	{
		char		buf[2 * sizeof(uint64)];
		uint64		w0;
		uint64		w1;

		/* padded with 0x01, so that only the code's own NUL bytes are zero */
		memset(buf, 1, sizeof(buf));
		memcpy(buf, code, len);
		memcpy(&w0, buf, sizeof(uint64));
		memcpy(&w1, buf + sizeof(uint64), sizeof(uint64));
		if (((w0 | w1) & UINT64CONST(0x8080808080808080)) == 0 &&
			((w0 - UINT64CONST(0x0101010101010101)) & ~w0 & UINT64CONST(0x8080808080808080)) == 0 &&
			((w1 - UINT64CONST(0x0101010101010101)) & ~w1 & UINT64CONST(0x8080808080808080)) == 0)
			return;
	}
	if (memchr(code, '\0', len) != NULL ||
		!pg_verify_mbstr(GetDatabaseEncoding(), code, (int) len, true) ||
		(len > CODE_MAX && pg_mbstrlen_with_len(code, (int) len) > CODE_MAX))
		keyset_corrupt();
}

/* A procedure of a serialised state: a code, and flags a dossier can have. */
static void
check_procedure(const char *code, uint32 len, uint8 flags)
{
	int			f = flags;

	if (!FLAG_VALID(f))
		keyset_corrupt();
	check_code(code, len);
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
		Counts		c;
		int64		total;
		int64		received;
		int			b;
		int			f;

		if ((size_t) (end - p) < UNIT_FIXED)
			keyset_corrupt();
		memcpy(&len, p, sizeof(uint32));
		p += sizeof(uint32);
		/* UNIT_FIXED bytes were there; the code and the rest must be too */
		if (len > (size_t) (end - p) - (UNIT_FIXED - sizeof(uint32)))
			keyset_corrupt();
		code = p;
		p += len;
		check_code(code, len);
		t = unit_tally(st, code, len, &is_new);
		if (!is_new)
			keyset_corrupt();	/* a unit twice */
		memcpy(c, p, sizeof(Counts));
		p += sizeof(Counts);
		/* counts are not negative, a combination no row can have is 0, and a unit counts something */
		total = 0;
		for (b = 0; b < N_BASES; b++)
			for (f = 0; f < FLAG_COMBINATIONS; f++)
			{
				if (c[b][f] < 0 || (!FLAG_VALID(f) && c[b][f] != 0))
					keyset_corrupt();
				total |= c[b][f];
			}
		if (total == 0)
			keyset_corrupt();
		unit_set_counts(st->cxt, t, c);
		memcpy(&setsize, p, sizeof(uint64));
		p += sizeof(uint64);
		if (setsize > (uint64) (end - p))
			keyset_corrupt();
		/* sorted and distinct, as serialise writes them */
		procset_read_flat(&t->procs, st->cxt, p, p + setsize, check_procedure);
		/* procedures are received dossiers: no more of them than dossiers */
		received = 0;
		for (f = 0; f < FLAG_COMBINATIONS; f++)
			if (pg_add_s64_overflow(received, c[0][f], &received))
				received = PG_INT64_MAX;
		if (t->procs.n > received)
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

/* The combinations of flags with a count, ascending, and their counts, as two arrays. */
static void
counts_arrays(const int64 *c, Datum *flags_array, Datum *counts_array)
{
	Datum		flags[FLAG_COMBINATIONS];
	Datum		counts[FLAG_COMBINATIONS];
	int			n = 0;
	int			f;

	for (f = 0; f < FLAG_COMBINATIONS; f++)
		if (c[f] != 0)
		{
			flags[n] = Int32GetDatum(f);
			counts[n] = Int64GetDatum(c[f]);
			n++;
		}
	*flags_array = PointerGetDatum(construct_array(flags, n, INT4OID, 4, true, TYPALIGN_INT));
	*counts_array = PointerGetDatum(construct_array(counts, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * The integers of a one-dimensional array without NULLs, checked to be
 * combinations of dossier flags.
 */
static int32 *
flag_array(ArrayType *a, const char *fname, int *n)
{
	int32	   *v;
	int			i;

	if (ARR_ELEMTYPE(a) != INT4OID || ARR_NDIM(a) > 1 || array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: flags must be a one-dimensional integer array without NULLs", fname)));
	*n = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
	v = (int32 *) ((char *) a + ARR_OVERHEAD_NONULLS(ARR_NDIM(a)));	/* no NULLs: no bitmap */
	for (i = 0; i < *n; i++)
		if (v[i] < 0 || !FLAG_VALID(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: %d is not a combination of dossier flags", fname, v[i]),
					 errhint("The flags are the bits of kpi.dossier_flag.")));
	return v;
}

/*
 * kpi.sum_with_flags(flags integer[], counts bigint[], mask integer): the
 * sum of the counts whose combination of flags has every flag of the mask;
 * kpi.count_with_flags(flags integer[], mask integer): how many elements
 * have every flag of the mask.  What an indicator or a metric adds up from
 * a tally (its counts by combination, its procedures' flags), in C: in SQL
 * this was one aggregate per unit and indicator, 40 to 60 ms of a refresh,
 * and with 2,000 procedures per unit a row per procedure and metric
 * (docs/benchmarks.md).
 */
PG_FUNCTION_INFO_V1(sum_with_flags);
Datum
sum_with_flags(PG_FUNCTION_ARGS)
{
	ArrayType  *fa = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *ca = PG_GETARG_ARRAYTYPE_P(1);
	int32		mask = PG_GETARG_INT32(2);
	int			n;
	int			i;
	int32	   *f = flag_array(fa, "kpi.sum_with_flags", &n);
	int64	   *c;
	int64		sum = 0;

	if (ARR_ELEMTYPE(ca) != INT8OID || ARR_NDIM(ca) > 1 || array_contains_nulls(ca) ||
		ArrayGetNItems(ARR_NDIM(ca), ARR_DIMS(ca)) != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kpi.sum_with_flags: counts must be a one-dimensional bigint array without NULLs, as long as flags (%d)", n)));
	c = (int64 *) ((char *) ca + ARR_OVERHEAD_NONULLS(ARR_NDIM(ca)));
	for (i = 0; i < n; i++)
		if ((f[i] & mask) == mask && pg_add_s64_overflow(sum, c[i], &sum))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("kpi.sum_with_flags: the sum of the counts with mask %d exceeds the bigint range (at %d of %d)",
							mask, i + 1, n)));
	PG_RETURN_INT64(sum);
}

PG_FUNCTION_INFO_V1(count_with_flags);
Datum
count_with_flags(PG_FUNCTION_ARGS)
{
	ArrayType  *fa = PG_GETARG_ARRAYTYPE_P(0);
	int32		mask = PG_GETARG_INT32(1);
	int			n;
	int			i;
	int32	   *f = flag_array(fa, "kpi.count_with_flags", &n);
	int64		count = 0;

	for (i = 0; i < n; i++)
		count += (f[i] & mask) == mask;
	PG_RETURN_INT64(count);
}

/*
 * A text[] of the procedures of a compacted set, in their order, written
 * at once: no text value allocated per procedure (a unit may have
 * thousands).  Each element is a 4-byte header and the bytes, at int
 * alignment, as construct_array lays them out.
 */
static ArrayType *
text_array(const ProcSet *ps)
{
	uint32		n = ps->n;
	Size		nbytes = 0;
	Size		total;
	ArrayType  *a;
	char	   *p;
	uint32		i;
	char		buf[PROCSET_WORD_BYTES];

	if (n == 0)
		return construct_empty_array(TEXTOID);
	for (i = 0; i < n; i++)
	{
		nbytes = INTALIGN(nbytes) + VARHDRSZ + ps->e[i].len;
		if (nbytes > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the procedures of a unit exceed %zu bytes", (Size) MaxAllocSize)));
	}
	total = ARR_OVERHEAD_NONULLS(1) + nbytes;
	if ((Size) n > MaxArraySize || total > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the procedures of a unit exceed %zu bytes", (Size) MaxAllocSize)));
	a = palloc0(total);
	SET_VARSIZE(a, total);
	a->ndim = 1;
	a->dataoffset = 0;
	a->elemtype = TEXTOID;
	ARR_DIMS(a)[0] = (int) n;
	ARR_LBOUND(a)[0] = 1;
	p = (char *) a + ARR_OVERHEAD_NONULLS(1);
	nbytes = 0;
	for (i = 0; i < n; i++)
	{
		nbytes = INTALIGN(nbytes);
		SET_VARSIZE(p + nbytes, VARHDRSZ + ps->e[i].len);
		memcpy(p + nbytes + VARHDRSZ, procset_bytes(ps, &ps->e[i], buf), ps->e[i].len);
		nbytes += VARHDRSZ + ps->e[i].len;
	}
	return a;
}

/*
 * The procedures of a unit (compacted: sorted and distinct), and their
 * flags: the union of the flags of their dossiers, or with v1_0, version
 * 1.0's procedure flags (1 received, 2 online, 4 fee-bearing, 8 paid
 * online).
 */
static void
procedure_arrays(const UnitTally *t, bool v1_0, Datum *codes_array, Datum *flags_array)
{
	const ProcSet *ps = &t->procs;
	Datum	   *flags;
	uint32		i;

	Assert(ps->n == ps->nsorted);
	flags = palloc(Max(ps->n, 1) * sizeof(Datum));
	for (i = 0; i < ps->n; i++)
	{
		uint8		f = ps->e[i].flags;

		flags[i] = Int32GetDatum(!v1_0 ? f :
								 1 | ((f & FLAG_ONLINE) ? 2 : 0) | ((f & FLAG_FEE) ? 4 : 0) |
								 ((f & FLAG_PAID) ? 8 : 0));
	}
	*codes_array = PointerGetDatum(text_array(ps));
	*flags_array = PointerGetDatum(construct_array(flags, (int) ps->n, INT4OID, 4, true, TYPALIGN_INT));
	pfree(flags);
}

#define TALLY_ATTRIBUTES 7

/* One kpi.tally: the unit, its counts by flags, its procedures with their flags. */
static Datum
tally_datum(const UnitTally *t, TupleDesc tupdesc)
{
	Datum		values[TALLY_ATTRIBUTES];
	bool		nulls[TALLY_ATTRIBUTES] = {0};
	Counts		c;

	unit_counts(t, c);
	values[0] = PointerGetDatum(cstring_to_text_with_len(t->code, t->len));
	counts_arrays(c[0], &values[1], &values[2]);
	counts_arrays(c[1], &values[3], &values[4]);
	procedure_arrays(t, false, &values[5], &values[6]);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/*
 * Version 1.0's kpi.tally: eight counts and 1.0's procedure flags.  A 1.0
 * database runs this library's functions until ALTER EXTENSION kpi_ext
 * UPDATE, and its kpi.refresh must keep working meanwhile.
 */
#define TALLY_1_0_ATTRIBUTES 11

static int64
sum_with(const int64 *c, int flags)
{
	int64		n = 0;
	int			f;

	for (f = 0; f < FLAG_COMBINATIONS; f++)
		if ((f & flags) == flags && pg_add_s64_overflow(n, c[f], &n))
			count_out_of_range();
	return n;
}

static Datum
tally_1_0_datum(const UnitTally *t, TupleDesc tupdesc)
{
	Datum		values[TALLY_1_0_ATTRIBUTES];
	bool		nulls[TALLY_1_0_ATTRIBUTES] = {0};
	Counts		c;

	unit_counts(t, c);
	values[0] = PointerGetDatum(cstring_to_text_with_len(t->code, t->len));
	values[1] = Int64GetDatum(sum_with(c[0], 0));
	values[2] = Int64GetDatum(sum_with(c[0], FLAG_ONLINE));
	values[3] = Int64GetDatum(sum_with(c[0], FLAG_DIGITIZED));
	values[4] = Int64GetDatum(sum_with(c[0], FLAG_REUSED));
	values[5] = Int64GetDatum(sum_with(c[0], FLAG_FEE));
	values[6] = Int64GetDatum(sum_with(c[0], FLAG_PAID));
	values[7] = Int64GetDatum(sum_with(c[1], 0));
	values[8] = Int64GetDatum(sum_with(c[1], FLAG_E_RESULT));
	procedure_arrays(t, true, &values[9], &values[10]);
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
	if (tupdesc->natts != TALLY_ATTRIBUTES && tupdesc->natts != TALLY_1_0_ATTRIBUTES)
		elog(ERROR, "dossier_tally_final: the result type is not an array of kpi.tally");

	/*
	 * Each unit's procedures compacted in place (the same procedures:
	 * transitions may go on after, as in a window aggregate); the units
	 * sorted in a copy, for the same reason.
	 */
	n = st->nunits;
	for (i = 0; i < n; i++)
		procset_compact(&st->units[i]->procs, st->cxt);
	units = palloc(Max(n, 1) * sizeof(UnitTally *));
	memcpy(units, st->units, n * sizeof(UnitTally *));
	qsort(units, n, sizeof(UnitTally *), cmp_unit);

	elems = palloc(Max(n, 1) * sizeof(Datum));
	for (i = 0; i < n; i++)
		elems[i] = tupdesc->natts == TALLY_ATTRIBUTES
			? tally_datum(units[i], tupdesc)
			: tally_1_0_datum(units[i], tupdesc);
	ReleaseTupleDesc(tupdesc);

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	result = construct_array(elems, (int) n, elemtype, typlen, typbyval, typalign);
	PG_RETURN_ARRAYTYPE_P(result);
}
