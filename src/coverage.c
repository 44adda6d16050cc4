/*
 * coverage.c
 *		kpi.coverage(key, hit): count(DISTINCT key) FILTER (WHERE hit) over
 *		count(DISTINCT key), exactly, in one pass and without sorting.
 *
 * The state type kpi.coverage_state is the set of distinct keys seen, each
 * with a flag "hit at least once".  During aggregation it lives as an
 * expanded object (a hash table with linear probing in its own memory
 * context, a child of the aggregate's context), so the transition function
 * updates it in place.  Everywhere else (parallel workers, Citus, a table
 * column) it is a flat varlena; its text and binary forms list the keys in
 * sorted order and round-trip exactly.
 *
 * Keys are all bigint or all text in one state ("kind"); a state that has
 * seen no key yet has no kind and combines with either.
 *
 * Memory per group: a 1 kB memory context, plus 16 bytes per hash slot
 * (at most 4/3 slots per distinct key, rounded up to a power of two), plus,
 * for text keys, the key bytes themselves.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"

#include "kpi_ext.h"

#define COV_EMPTY	0			/* no key yet */
#define COV_INT		1			/* bigint keys */
#define COV_TEXT	2			/* text keys */

#define SLOT_USED	0x01
#define SLOT_HIT	0x02

#define COV_INITIAL_CAPACITY 16

/* Flat form: this header, then nkeys entries (see flatten_into). */
typedef struct CoverageFlat
{
	int32		vl_len_;
	int32		kind;
	int64		nkeys;
} CoverageFlat;

#define COV_FLAT_HEADER sizeof(CoverageFlat)
#define COV_INT_ENTRY	(sizeof(int64) + 1)		/* key, hit */
#define COV_TEXT_ENTRY	(sizeof(uint32) + 1)	/* length, hit, bytes follow */

typedef struct IntSlot
{
	int64		key;
	uint8		flags;
} IntSlot;

typedef struct TextSlot
{
	uint32		hash;
	uint32		offset;			/* into the arena */
	uint32		len;
	uint8		flags;
} TextSlot;

typedef struct CoverageState
{
	ExpandedObjectHeader hdr;
	int			kind;
	int64		nkeys;
	int64		nhits;
	uint64		capacity;		/* slots, a power of two; 0 until the first key */
	IntSlot    *islots;
	TextSlot   *tslots;
	char	   *arena;			/* text keys, back to back */
	Size		arena_used;
	Size		arena_size;
	Size		flat_size;		/* kept up to date on every insert */
} CoverageState;

/* One entry, whichever form it comes from. */
typedef struct CovEntry
{
	int64		ikey;
	const char *tkey;
	uint32		len;
	bool		hit;
} CovEntry;

static Size cov_get_flat_size(ExpandedObjectHeader *eohptr);
static void cov_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods cov_methods = {
	cov_get_flat_size,
	cov_flatten_into
};

static inline uint32
hash_int64(int64 key)
{
	uint64		h = (uint64) key;

	/* the splitmix64 finaliser: every input bit reaches every output bit */
	h ^= h >> 30;
	h *= UINT64CONST(0xbf58476d1ce4e5b9);
	h ^= h >> 27;
	h *= UINT64CONST(0x94d049bb133111eb);
	h ^= h >> 31;
	return (uint32) h;
}

static void
too_large(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("kpi.coverage state exceeds %zu bytes", (Size) MaxAllocSize),
			 errdetail("A group has too many distinct keys, or keys too long, to be kept exactly.")));
}

static void
kind_mismatch(int have, int want)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("cannot mix %s and %s keys in one kpi.coverage_state",
					have == COV_INT ? "bigint" : "text",
					want == COV_INT ? "bigint" : "text")));
}

static CoverageState *
cov_new(MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "kpi.coverage state",
											  ALLOCSET_SMALL_SIZES);
	CoverageState *st = MemoryContextAllocZero(cxt, sizeof(CoverageState));

	EOH_init_header(&st->hdr, &cov_methods, cxt);
	st->flat_size = COV_FLAT_HEADER;
	return st;
}

static void *
slots_alloc(CoverageState *st, uint64 capacity, Size slot_size)
{
	if (capacity > MaxAllocHugeSize / slot_size)
		too_large();
	return MemoryContextAllocExtended(st->hdr.eoh_context, capacity * slot_size,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

static void
cov_set_kind(CoverageState *st, int kind)
{
	if (st->kind == kind)
		return;
	if (st->kind != COV_EMPTY)
		kind_mismatch(st->kind, kind);
	st->kind = kind;
	st->capacity = COV_INITIAL_CAPACITY;
	if (kind == COV_INT)
		st->islots = slots_alloc(st, st->capacity, sizeof(IntSlot));
	else
	{
		st->tslots = slots_alloc(st, st->capacity, sizeof(TextSlot));
		st->arena_size = 1024;
		st->arena = MemoryContextAlloc(st->hdr.eoh_context, st->arena_size);
	}
}

/* Double the table once it is 3/4 full; re-insert by stored hash. */
static void
cov_grow(CoverageState *st)
{
	uint64		oldcap = st->capacity;
	uint64		newcap = oldcap * 2;
	uint64		mask = newcap - 1;
	uint64		i;

	if (st->kind == COV_INT)
	{
		IntSlot    *old = st->islots;
		IntSlot    *new = slots_alloc(st, newcap, sizeof(IntSlot));

		for (i = 0; i < oldcap; i++)
		{
			uint64		j;

			if (!(old[i].flags & SLOT_USED))
				continue;
			for (j = hash_int64(old[i].key) & mask; new[j].flags & SLOT_USED; j = (j + 1) & mask)
				;
			new[j] = old[i];
		}
		pfree(old);
		st->islots = new;
	}
	else
	{
		TextSlot   *old = st->tslots;
		TextSlot   *new = slots_alloc(st, newcap, sizeof(TextSlot));

		for (i = 0; i < oldcap; i++)
		{
			uint64		j;

			if (!(old[i].flags & SLOT_USED))
				continue;
			for (j = old[i].hash & mask; new[j].flags & SLOT_USED; j = (j + 1) & mask)
				;
			new[j] = old[i];
		}
		pfree(old);
		st->tslots = new;
	}
	st->capacity = newcap;
}

static inline void
cov_count_new_key(CoverageState *st, Size entry_size, bool hit)
{
	if (st->flat_size + entry_size > MaxAllocSize)
		too_large();
	st->flat_size += entry_size;
	st->nkeys++;
	if (hit)
		st->nhits++;
}

/*
 * Add a bigint key.  With a nonzero `dup_errcode` (input functions) a key
 * already present is an error with that SQLSTATE instead of being merged.
 */
static void
cov_add_int(CoverageState *st, int64 key, bool hit, int dup_errcode)
{
	uint64		mask;
	uint64		j;

	cov_set_kind(st, COV_INT);
	if ((uint64) (st->nkeys + 1) * 4 > st->capacity * 3)
		cov_grow(st);
	mask = st->capacity - 1;
	for (j = hash_int64(key) & mask; st->islots[j].flags & SLOT_USED; j = (j + 1) & mask)
	{
		IntSlot    *s = &st->islots[j];

		if (s->key != key)
			continue;
		if (dup_errcode)
			ereport(ERROR,
					(errcode(dup_errcode),
					 errmsg("duplicate key " INT64_FORMAT " in kpi.coverage_state", key)));
		if (hit && !(s->flags & SLOT_HIT))
		{
			s->flags |= SLOT_HIT;
			st->nhits++;
		}
		return;
	}
	st->islots[j].key = key;
	st->islots[j].flags = SLOT_USED | (hit ? SLOT_HIT : 0);
	cov_count_new_key(st, COV_INT_ENTRY, hit);
}

static void
cov_add_text(CoverageState *st, const char *key, uint32 len, bool hit, int dup_errcode)
{
	uint32		hash = hash_bytes((const unsigned char *) key, (int) len);
	uint64		mask;
	uint64		j;
	TextSlot   *s;

	cov_set_kind(st, COV_TEXT);
	if ((uint64) (st->nkeys + 1) * 4 > st->capacity * 3)
		cov_grow(st);
	mask = st->capacity - 1;
	for (j = hash & mask; st->tslots[j].flags & SLOT_USED; j = (j + 1) & mask)
	{
		s = &st->tslots[j];
		if (s->hash != hash || s->len != len ||
			memcmp(st->arena + s->offset, key, len) != 0)
			continue;
		if (dup_errcode)
			ereport(ERROR,
					(errcode(dup_errcode),
					 errmsg("duplicate key \"%.*s\" in kpi.coverage_state", (int) len, key)));
		if (hit && !(s->flags & SLOT_HIT))
		{
			s->flags |= SLOT_HIT;
			st->nhits++;
		}
		return;
	}
	cov_count_new_key(st, COV_TEXT_ENTRY + len, hit);
	if (st->arena_used + len > st->arena_size)
	{
		Size		newsize = st->arena_size;

		while (st->arena_used + len > newsize)
			newsize *= 2;
		if (newsize > MaxAllocSize)
			newsize = MaxAllocSize;
		st->arena = repalloc(st->arena, newsize);
		st->arena_size = newsize;
	}
	memcpy(st->arena + st->arena_used, key, len);
	s = &st->tslots[j];
	s->hash = hash;
	s->offset = (uint32) st->arena_used;
	s->len = len;
	s->flags = SLOT_USED | (hit ? SLOT_HIT : 0);
	st->arena_used += len;
}

static void
cov_add_entry(CoverageState *st, int kind, const CovEntry *e)
{
	if (kind == COV_INT)
		cov_add_int(st, e->ikey, e->hit, 0);
	else
		cov_add_text(st, e->tkey, e->len, e->hit, 0);
}

/* ---- flat form ---- */

static Size
cov_get_flat_size(ExpandedObjectHeader *eohptr)
{
	return ((CoverageState *) eohptr)->flat_size;
}

static void
cov_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	CoverageState *st = (CoverageState *) eohptr;
	CoverageFlat *flat = (CoverageFlat *) result;
	char	   *p = (char *) result + COV_FLAT_HEADER;
	uint64		i;

	Assert(allocated_size == st->flat_size);
	memset(result, 0, COV_FLAT_HEADER);
	SET_VARSIZE(flat, st->flat_size);
	flat->kind = st->kind;
	flat->nkeys = st->nkeys;
	for (i = 0; i < st->capacity; i++)
	{
		if (st->kind == COV_INT)
		{
			IntSlot    *s = &st->islots[i];

			if (!(s->flags & SLOT_USED))
				continue;
			memcpy(p, &s->key, sizeof(int64));
			p[sizeof(int64)] = (s->flags & SLOT_HIT) ? 1 : 0;
			p += COV_INT_ENTRY;
		}
		else
		{
			TextSlot   *s = &st->tslots[i];

			if (!(s->flags & SLOT_USED))
				continue;
			memcpy(p, &s->len, sizeof(uint32));
			p[sizeof(uint32)] = (s->flags & SLOT_HIT) ? 1 : 0;
			memcpy(p + COV_TEXT_ENTRY, st->arena + s->offset, s->len);
			p += COV_TEXT_ENTRY + s->len;
		}
	}
	Assert(p == (char *) result + allocated_size);
}

/* The flat form of a state built by an input function; frees the state. */
static Datum
cov_to_flat(CoverageState *st)
{
	void	   *flat = palloc(st->flat_size);

	cov_flatten_into(&st->hdr, flat, st->flat_size);
	MemoryContextDelete(st->hdr.eoh_context);
	return PointerGetDatum(flat);
}

/* Reads the entries of a state in either form. */
typedef struct CovIter
{
	int			kind;
	int64		nkeys;
	CoverageState *st;			/* expanded form, or NULL */
	uint64		pos;
	const char *p;				/* flat form */
	const char *end;
} CovIter;

static void
corrupt(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("corrupted kpi.coverage_state value")));
}

static void
cov_iter_init(CovIter *it, Datum d)
{
	memset(it, 0, sizeof(CovIter));
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		it->st = (CoverageState *) DatumGetEOHP(d);
		it->kind = it->st->kind;
		it->nkeys = it->st->nkeys;
	}
	else
	{
		CoverageFlat *flat = (CoverageFlat *) PG_DETOAST_DATUM(d);

		if (VARSIZE(flat) < COV_FLAT_HEADER ||
			flat->kind < COV_EMPTY || flat->kind > COV_TEXT || flat->nkeys < 0 ||
			(flat->kind == COV_EMPTY) != (flat->nkeys == 0))
			corrupt();
		it->kind = flat->kind;
		it->nkeys = flat->nkeys;
		it->p = (const char *) flat + COV_FLAT_HEADER;
		it->end = (const char *) flat + VARSIZE(flat);
	}
}

static bool
cov_iter_next(CovIter *it, CovEntry *e)
{
	if (it->st)
	{
		CoverageState *st = it->st;

		for (; it->pos < st->capacity; it->pos++)
		{
			uint8		flags;

			if (st->kind == COV_INT)
			{
				flags = st->islots[it->pos].flags;
				e->ikey = st->islots[it->pos].key;
			}
			else
			{
				flags = st->tslots[it->pos].flags;
				e->tkey = st->arena + st->tslots[it->pos].offset;
				e->len = st->tslots[it->pos].len;
			}
			if (flags & SLOT_USED)
			{
				e->hit = (flags & SLOT_HIT) != 0;
				it->pos++;
				return true;
			}
		}
		return false;
	}

	if (it->p == it->end)
		return false;
	if (it->kind == COV_INT)
	{
		if (it->end - it->p < (ptrdiff_t) COV_INT_ENTRY)
			corrupt();
		memcpy(&e->ikey, it->p, sizeof(int64));
		e->hit = it->p[sizeof(int64)] != 0;
		it->p += COV_INT_ENTRY;
	}
	else
	{
		if (it->end - it->p < (ptrdiff_t) COV_TEXT_ENTRY)
			corrupt();
		memcpy(&e->len, it->p, sizeof(uint32));
		e->hit = it->p[sizeof(uint32)] != 0;
		if ((Size) (it->end - it->p) - COV_TEXT_ENTRY < e->len)
			corrupt();
		e->tkey = it->p + COV_TEXT_ENTRY;
		it->p += COV_TEXT_ENTRY + e->len;
	}
	return true;
}

/* Merge every entry of the state in `d` into `st`. */
static void
cov_merge(CoverageState *st, Datum d)
{
	CovIter		it;
	CovEntry	e;

	cov_iter_init(&it, d);
	while (cov_iter_next(&it, &e))
		cov_add_entry(st, it.kind, &e);
}

/*
 * The state argument `argno`, ready to be updated: inside an aggregate the
 * read-write expanded state is updated in place; a flat state (the first
 * partial state a combine step sees, or a stored value) is expanded into the
 * aggregate's context.  Outside an aggregate the argument is never changed.
 */
static CoverageState *
cov_state_for_update(FunctionCallInfo fcinfo, int argno)
{
	MemoryContext aggcontext;
	CoverageState *st;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		aggcontext = CurrentMemoryContext;
	else if (!PG_ARGISNULL(argno) &&
			 DatumIsReadWriteExpandedObject(PG_GETARG_DATUM(argno), false, -1))
		return (CoverageState *) DatumGetEOHP(PG_GETARG_DATUM(argno));

	st = cov_new(aggcontext);
	if (!PG_ARGISNULL(argno))
		cov_merge(st, PG_GETARG_DATUM(argno));
	return st;
}

#define PG_RETURN_COVERAGE(st) return EOHPGetRWDatum(&(st)->hdr)

PG_FUNCTION_INFO_V1(coverage_trans_int8);
Datum
coverage_trans_int8(PG_FUNCTION_ARGS)
{
	CoverageState *st = cov_state_for_update(fcinfo, 0);

	if (!PG_ARGISNULL(1))
		cov_add_int(st, PG_GETARG_INT64(1), !PG_ARGISNULL(2) && PG_GETARG_BOOL(2), 0);
	PG_RETURN_COVERAGE(st);
}

PG_FUNCTION_INFO_V1(coverage_trans_text);
Datum
coverage_trans_text(PG_FUNCTION_ARGS)
{
	CoverageState *st = cov_state_for_update(fcinfo, 0);

	if (!PG_ARGISNULL(1))
	{
		text	   *key = PG_GETARG_TEXT_PP(1);

		cov_add_text(st, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key),
					 !PG_ARGISNULL(2) && PG_GETARG_BOOL(2), 0);
	}
	PG_RETURN_COVERAGE(st);
}

PG_FUNCTION_INFO_V1(coverage_combine);
Datum
coverage_combine(PG_FUNCTION_ARGS)
{
	CoverageState *st;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	st = cov_state_for_update(fcinfo, 0);
	cov_merge(st, PG_GETARG_DATUM(1));
	PG_RETURN_COVERAGE(st);
}

PG_FUNCTION_INFO_V1(coverage_final);
Datum
coverage_final(PG_FUNCTION_ARGS)
{
	Datum		d = PG_GETARG_DATUM(0);

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		CoverageState *st = (CoverageState *) DatumGetEOHP(d);

		PG_RETURN_RATIO_P(ratio_make(st->nhits, st->nkeys));
	}
	else
	{
		CovIter		it;
		CovEntry	e;
		int64		nhits = 0;

		cov_iter_init(&it, d);
		while (cov_iter_next(&it, &e))
			nhits += e.hit ? 1 : 0;
		PG_RETURN_RATIO_P(ratio_make(nhits, it.nkeys));
	}
}

/* ---- text and binary forms: keys in sorted order ---- */

static int
cmp_int_entry(const void *a, const void *b)
{
	int64		x = ((const CovEntry *) a)->ikey;
	int64		y = ((const CovEntry *) b)->ikey;

	return (x > y) - (x < y);
}

static int
cmp_text_entry(const void *a, const void *b)
{
	const CovEntry *x = (const CovEntry *) a;
	const CovEntry *y = (const CovEntry *) b;
	int			c = memcmp(x->tkey, y->tkey, Min(x->len, y->len));

	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

static CovEntry *
cov_sorted_entries(Datum d, int *kind, int64 *n)
{
	CovIter		it;
	CovEntry   *entries;
	int64		i = 0;

	cov_iter_init(&it, d);
	entries = palloc_extended(Max(it.nkeys, 1) * sizeof(CovEntry), MCXT_ALLOC_HUGE);
	while (i < it.nkeys && cov_iter_next(&it, &entries[i]))
		i++;
	if (i != it.nkeys)
		corrupt();
	qsort(entries, i, sizeof(CovEntry), it.kind == COV_INT ? cmp_int_entry : cmp_text_entry);
	*kind = it.kind;
	*n = i;
	return entries;
}

PG_FUNCTION_INFO_V1(coverage_state_out);
Datum
coverage_state_out(PG_FUNCTION_ARGS)
{
	int			kind;
	int64		n;
	int64		i;
	CovEntry   *entries = cov_sorted_entries(PG_GETARG_DATUM(0), &kind, &n);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoChar(&buf, entries[i].hit ? '+' : '-');
		if (kind == COV_INT)
			appendStringInfo(&buf, INT64_FORMAT, entries[i].ikey);
		else
		{
			uint32		k;

			appendStringInfoChar(&buf, '"');
			for (k = 0; k < entries[i].len; k++)
			{
				char		c = entries[i].tkey[k];

				if (c == '"' || c == '\\')
					appendStringInfoChar(&buf, '\\');
				appendStringInfoChar(&buf, c);
			}
			appendStringInfoChar(&buf, '"');
		}
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

static void
bad_state_syntax(const char *str, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type kpi.coverage_state: \"%s\"", str),
			 errdetail("%s", detail)));
}

/* Parse a bigint key; returns the position after it or NULL. */
static const char *
parse_int_key(const char *p, int64 *key)
{
	bool		negative = (*p == '-');
	uint64		v = 0;
	const char *start;

	if (negative)
		p++;
	start = p;
	for (; *p >= '0' && *p <= '9'; p++)
	{
		if (v > (PG_UINT64_MAX - (*p - '0')) / 10)
			return NULL;
		v = v * 10 + (*p - '0');
	}
	if (p == start)
		return NULL;
	if (negative)
	{
		if (v > (uint64) PG_INT64_MAX + 1)
			return NULL;
		*key = (v == (uint64) PG_INT64_MAX + 1) ? PG_INT64_MIN : -(int64) v;
	}
	else
	{
		if (v > (uint64) PG_INT64_MAX)
			return NULL;
		*key = (int64) v;
	}
	return p;
}

/*
 * Text form: {} or {+k,-k,...}: '+' marks a key that was hit, '-' one that
 * was not; bigint keys are plain integers, text keys are double-quoted with
 * backslash before '"' and '\'.  No blanks; no duplicate keys.
 */
PG_FUNCTION_INFO_V1(coverage_state_in);
Datum
coverage_state_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	CoverageState *st = cov_new(CurrentMemoryContext);
	StringInfoData key;

	initStringInfo(&key);
	if (*p++ != '{')
		bad_state_syntax(str, "A coverage state starts with \"{\".");
	if (*p == '}')
		p++;
	else
	{
		for (;;)
		{
			bool		hit;

			if (*p != '+' && *p != '-')
				bad_state_syntax(str, "Each key starts with \"+\" (hit) or \"-\" (not hit).");
			hit = (*p++ == '+');
			if (*p == '"')
			{
				resetStringInfo(&key);
				for (p++; *p != '"'; p++)
				{
					if (*p == '\0')
						bad_state_syntax(str, "A quoted key is not closed.");
					if (*p == '\\')
					{
						p++;
						if (*p != '"' && *p != '\\')
							bad_state_syntax(str, "Only \\\" and \\\\ may be escaped.");
					}
					appendStringInfoChar(&key, *p);
				}
				p++;
				if (st->kind == COV_INT)
					bad_state_syntax(str, "Keys are all integers or all quoted text.");
				cov_add_text(st, key.data, key.len, hit, ERRCODE_INVALID_TEXT_REPRESENTATION);
			}
			else
			{
				int64		ikey;

				p = parse_int_key(p, &ikey);
				if (p == NULL)
					bad_state_syntax(str, "A key is a bigint or a double-quoted text.");
				if (st->kind == COV_TEXT)
					bad_state_syntax(str, "Keys are all integers or all quoted text.");
				cov_add_int(st, ikey, hit, ERRCODE_INVALID_TEXT_REPRESENTATION);
			}
			if (*p == '}')
			{
				p++;
				break;
			}
			if (*p++ != ',')
				bad_state_syntax(str, "Keys are separated by \",\" and the list ends with \"}\".");
		}
	}
	if (*p != '\0')
		bad_state_syntax(str, "Nothing may follow the closing \"}\".");
	PG_RETURN_DATUM(cov_to_flat(st));
}

/*
 * Binary form: int32 kind (0 none, 1 bigint, 2 text), int64 number of keys,
 * then per key: bigint keys as int64 key + byte hit; text keys as byte hit
 * + int32 length + bytes (in the client encoding, like text).
 */
PG_FUNCTION_INFO_V1(coverage_state_send);
Datum
coverage_state_send(PG_FUNCTION_ARGS)
{
	int			kind;
	int64		n;
	int64		i;
	CovEntry   *entries = cov_sorted_entries(PG_GETARG_DATUM(0), &kind, &n);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, kind);
	pq_sendint64(&buf, n);
	for (i = 0; i < n; i++)
	{
		if (kind == COV_INT)
		{
			pq_sendint64(&buf, entries[i].ikey);
			pq_sendbyte(&buf, entries[i].hit ? 1 : 0);
		}
		else
		{
			pq_sendbyte(&buf, entries[i].hit ? 1 : 0);
			pq_sendcountedtext(&buf, entries[i].tkey, entries[i].len, false);
		}
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
bad_state_binary(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary value for type kpi.coverage_state"),
			 errdetail("%s", detail)));
}

/* Fail unless the message has at least n more bytes. */
static void
need_bytes(StringInfo buf, int64 n)
{
	if (buf->len - buf->cursor < n)
		bad_state_binary(psprintf("The value ends after %d bytes, in the middle of an entry or header.",
								  buf->len));
}

PG_FUNCTION_INFO_V1(coverage_state_recv);
Datum
coverage_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		kind;
	int64		n;
	int64		i;
	CoverageState *st = cov_new(CurrentMemoryContext);

	need_bytes(buf, 12);
	kind = pq_getmsgint(buf, 4);
	n = pq_getmsgint64(buf);

	if (kind < COV_EMPTY || kind > COV_TEXT)
		bad_state_binary(psprintf("Key kind %d is not 0, 1 or 2.", kind));
	if (n < 0 || (kind == COV_EMPTY) != (n == 0))
		bad_state_binary(psprintf("Key count " INT64_FORMAT " does not fit key kind %d.", n, kind));
	for (i = 0; i < n; i++)
	{
		int			hit;

		if (kind == COV_INT)
		{
			int64		key;

			need_bytes(buf, COV_INT_ENTRY);
			key = pq_getmsgint64(buf);

			hit = pq_getmsgbyte(buf);
			if (hit != 0 && hit != 1)
				bad_state_binary(psprintf("Hit flag %d is not 0 or 1.", hit));
			cov_add_int(st, key, hit == 1, ERRCODE_INVALID_BINARY_REPRESENTATION);
		}
		else
		{
			int32		len;
			int			nbytes;
			char	   *key;

			need_bytes(buf, COV_TEXT_ENTRY);
			hit = pq_getmsgbyte(buf);
			if (hit != 0 && hit != 1)
				bad_state_binary(psprintf("Hit flag %d is not 0 or 1.", hit));
			len = pq_getmsgint(buf, 4);
			if (len < 0 || len > buf->len - buf->cursor)
				bad_state_binary(psprintf("Key length %d exceeds the message.", len));
			key = pq_getmsgtext(buf, len, &nbytes);
			cov_add_text(st, key, nbytes, hit == 1, ERRCODE_INVALID_BINARY_REPRESENTATION);
		}
	}
	PG_RETURN_DATUM(cov_to_flat(st));
}
