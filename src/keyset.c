/*
 * keyset.c
 *		Hash set of distinct keys with OR-ed flags: open addressing with
 *		linear probing, doubled when 3/4 full.  Text keys are copied into one
 *		arena, so a set is a few allocations whatever its size.
 *
 * Flat form (used by kpi.coverage_state and the dossier engine's
 * serialised state): int32 kind, int64 number of keys, then per key either
 * int64 key + uint8 flags (bigint keys) or uint32 length + uint8 flags +
 * the bytes (text keys).  Fields are unaligned and read with memcpy.
 */
#include "postgres.h"

#include "port/pg_bswap.h"
#include "utils/memutils.h"

#include "keyset.h"

#define KS_INITIAL_CAPACITY 16
#define KS_INT_ENTRY	(sizeof(int64) + 1)
#define KS_TEXT_ENTRY	(sizeof(uint32) + 1)

static void
too_large(const KeySet *ks)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s exceeds %zu bytes", ks->what, (Size) MaxAllocSize),
			 errdetail("A group has too many distinct keys, or keys too long, to be counted exactly.")));
}

void
keyset_corrupt(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("corrupted set of distinct keys in an aggregate state")));
}

void
keyset_init(KeySet *ks, MemoryContext cxt, const char *what)
{
	memset(ks, 0, sizeof(KeySet));
	ks->cxt = cxt;
	ks->what = what;
	ks->flat_size = KEYSET_FLAT_HEADER;
}

static void *
slots_alloc(KeySet *ks, uint64 capacity, Size slot_size)
{
	if (capacity > MaxAllocHugeSize / slot_size)
		too_large(ks);
	return MemoryContextAllocExtended(ks->cxt, capacity * slot_size,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

static void
set_kind(KeySet *ks, int kind)
{
	if (ks->kind == kind)
		return;
	if (ks->kind != KS_EMPTY)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot mix %s and %s keys in one %s",
						ks->kind == KS_INT ? "bigint" : "text",
						kind == KS_INT ? "bigint" : "text", ks->what)));
	ks->kind = kind;
	ks->capacity = KS_INITIAL_CAPACITY;
	if (kind == KS_INT)
		ks->islots = slots_alloc(ks, ks->capacity, sizeof(KeySetIntSlot));
	else
	{
		ks->tslots = slots_alloc(ks, ks->capacity, sizeof(KeySetTextSlot));
		ks->arena_size = 1024;
		ks->arena = MemoryContextAlloc(ks->cxt, ks->arena_size);
	}
}

/* Double the table; slots move by their stored key or hash. */
static void
grow(KeySet *ks)
{
	uint64		oldcap = ks->capacity;
	uint64		mask = oldcap * 2 - 1;
	uint64		i;

	if (ks->kind == KS_INT)
	{
		KeySetIntSlot *old = ks->islots;
		KeySetIntSlot *new = slots_alloc(ks, oldcap * 2, sizeof(KeySetIntSlot));

		for (i = 0; i < oldcap; i++)
		{
			uint64		j;

			if (!old[i].used)
				continue;
			for (j = keyset_hash64(old[i].key) & mask; new[j].used; j = (j + 1) & mask)
				;
			new[j] = old[i];
		}
		pfree(old);
		ks->islots = new;
	}
	else
	{
		KeySetTextSlot *old = ks->tslots;
		KeySetTextSlot *new = slots_alloc(ks, oldcap * 2, sizeof(KeySetTextSlot));

		for (i = 0; i < oldcap; i++)
		{
			uint64		j;

			if (!old[i].used)
				continue;
			for (j = old[i].hash & mask; new[j].used; j = (j + 1) & mask)
				;
			new[j] = old[i];
		}
		pfree(old);
		ks->tslots = new;
	}
	ks->capacity = oldcap * 2;
}

static void
count_new_key(KeySet *ks, Size entry_size)
{
	if (ks->flat_size + entry_size > MaxAllocSize - VARHDRSZ - 64)
		too_large(ks);
	ks->flat_size += entry_size;
	ks->nkeys++;
}

/*
 * Add a bigint key with `flags`, OR-ed into the flags of the key if it is
 * there already.  With a nonzero dup_errcode (input functions) a key that is
 * there already is an error with that SQLSTATE.
 */
void
keyset_add_int(KeySet *ks, int64 key, uint8 flags, int dup_errcode)
{
	uint64		mask;
	uint64		j;

	set_kind(ks, KS_INT);
	if ((uint64) (ks->nkeys + 1) * 4 > ks->capacity * 3)
		grow(ks);
	mask = ks->capacity - 1;
	for (j = keyset_hash64(key) & mask; ks->islots[j].used; j = (j + 1) & mask)
	{
		if (ks->islots[j].key != key)
			continue;
		if (dup_errcode)
			ereport(ERROR,
					(errcode(dup_errcode),
					 errmsg("duplicate key " INT64_FORMAT " in %s", key, ks->what)));
		ks->islots[j].flags |= flags;
		return;
	}
	count_new_key(ks, KS_INT_ENTRY);
	ks->islots[j].key = key;
	ks->islots[j].used = 1;
	ks->islots[j].flags = flags;
}

void
keyset_add_text(KeySet *ks, const char *key, uint32 len, uint8 flags, int dup_errcode)
{
	uint64		prefix;
	uint64		suffix;
	uint32		hash;
	uint64		mask;
	uint64		j;
	KeySetTextSlot *s;

	keyset_text_words(key, len, &prefix, &suffix);
	hash = keyset_text_hash(key, len, prefix, suffix);
	set_kind(ks, KS_TEXT);
	if ((uint64) (ks->nkeys + 1) * 4 > ks->capacity * 3)
		grow(ks);
	mask = ks->capacity - 1;
	for (j = hash & mask; ks->tslots[j].used; j = (j + 1) & mask)
	{
		s = &ks->tslots[j];
		if (s->hash != hash || s->len != len || s->prefix != prefix || s->suffix != suffix ||
			(len > 2 * sizeof(uint64) &&
			 memcmp(ks->arena + s->offset + 2 * sizeof(uint64), key + 2 * sizeof(uint64),
					len - 2 * sizeof(uint64)) != 0))
			continue;
		if (dup_errcode)
			ereport(ERROR,
					(errcode(dup_errcode),
					 errmsg("duplicate key \"%.*s\" in %s", (int) len, key, ks->what)));
		s->flags |= flags;
		return;
	}
	count_new_key(ks, KS_TEXT_ENTRY + len);
	if (ks->arena_used + len > ks->arena_size)
	{
		Size		newsize = ks->arena_size;

		while (ks->arena_used + len > newsize)
			newsize *= 2;
		ks->arena = repalloc_huge(ks->arena, newsize);
		ks->arena_size = newsize;
	}
	memcpy(ks->arena + ks->arena_used, key, len);
	s = &ks->tslots[j];
	s->prefix = prefix;
	s->suffix = suffix;
	s->hash = hash;
	s->offset = (uint32) ks->arena_used;
	s->len = len;
	s->used = 1;
	s->flags = flags;
	ks->arena_used += len;
}

void
keyset_add_entry(KeySet *ks, int kind, const KeyEntry *e, int dup_errcode)
{
	if (kind == KS_INT)
		keyset_add_int(ks, e->ikey, e->flags, dup_errcode);
	else
		keyset_add_text(ks, e->tkey, e->len, e->flags, dup_errcode);
}

/* Add every key the iterator yields. */
void
keyset_merge(KeySet *ks, KeySetIter *it)
{
	KeyEntry	e;

	while (keyset_iter_next(it, &e))
		keyset_add_entry(ks, it->kind, &e, 0);
}

/* Write the flat form at dst (ks->flat_size bytes); returns the end. */
char *
keyset_flatten(const KeySet *ks, char *dst)
{
	int32		kind = ks->kind;
	uint64		i;

	memcpy(dst, &kind, sizeof(int32));
	memcpy(dst + sizeof(int32), &ks->nkeys, sizeof(int64));
	dst += KEYSET_FLAT_HEADER;
	for (i = 0; i < ks->capacity; i++)
	{
		if (ks->kind == KS_INT)
		{
			const KeySetIntSlot *s = &ks->islots[i];

			if (!s->used)
				continue;
			memcpy(dst, &s->key, sizeof(int64));
			dst[sizeof(int64)] = (char) s->flags;
			dst += KS_INT_ENTRY;
		}
		else
		{
			const KeySetTextSlot *s = &ks->tslots[i];

			if (!s->used)
				continue;
			memcpy(dst, &s->len, sizeof(uint32));
			dst[sizeof(uint32)] = (char) s->flags;
			memcpy(dst + KS_TEXT_ENTRY, ks->arena + s->offset, s->len);
			dst += KS_TEXT_ENTRY + s->len;
		}
	}
	return dst;
}

void
keyset_iter_mem(KeySetIter *it, const KeySet *ks)
{
	memset(it, 0, sizeof(KeySetIter));
	it->ks = ks;
	it->kind = ks->kind;
	it->nkeys = ks->nkeys;
}

/*
 * Start reading a flat set that begins at p and takes the rest of the
 * buffer up to end.  The header is checked here, each entry as it is read;
 * keyset_iter_next fails if the entries do not fill the buffer exactly.
 */
const char *
keyset_iter_flat(KeySetIter *it, const char *p, const char *end)
{
	int32		kind;
	int64		nkeys;

	memset(it, 0, sizeof(KeySetIter));
	if (end - p < KEYSET_FLAT_HEADER)
		keyset_corrupt();
	memcpy(&kind, p, sizeof(int32));
	memcpy(&nkeys, p + sizeof(int32), sizeof(int64));
	if (kind < KS_EMPTY || kind > KS_TEXT || nkeys < 0 ||
		(kind == KS_EMPTY) != (nkeys == 0))
		keyset_corrupt();
	it->kind = kind;
	it->nkeys = nkeys;
	it->p = p + KEYSET_FLAT_HEADER;
	it->end = end;
	return it->p;
}

bool
keyset_iter_next(KeySetIter *it, KeyEntry *e)
{
	if (it->ks)
	{
		const KeySet *ks = it->ks;

		for (; it->pos < ks->capacity; it->pos++)
		{
			if (ks->kind == KS_INT)
			{
				const KeySetIntSlot *s = &ks->islots[it->pos];

				if (!s->used)
					continue;
				e->ikey = s->key;
				e->flags = s->flags;
			}
			else
			{
				const KeySetTextSlot *s = &ks->tslots[it->pos];

				if (!s->used)
					continue;
				e->tkey = ks->arena + s->offset;
				e->len = s->len;
				e->flags = s->flags;
			}
			it->pos++;
			return true;
		}
		return false;
	}

	if (it->pos == (uint64) it->nkeys)
	{
		if (it->p != it->end)
			keyset_corrupt();
		return false;
	}
	if (it->kind == KS_INT)
	{
		if (it->end - it->p < (ptrdiff_t) KS_INT_ENTRY)
			keyset_corrupt();
		memcpy(&e->ikey, it->p, sizeof(int64));
		e->flags = (uint8) it->p[sizeof(int64)];
		it->p += KS_INT_ENTRY;
	}
	else
	{
		if (it->end - it->p < (ptrdiff_t) KS_TEXT_ENTRY)
			keyset_corrupt();
		memcpy(&e->len, it->p, sizeof(uint32));
		e->flags = (uint8) it->p[sizeof(uint32)];
		if ((Size) (it->end - it->p) - KS_TEXT_ENTRY < e->len)
			keyset_corrupt();
		e->tkey = it->p + KS_TEXT_ENTRY;
		it->p += KS_TEXT_ENTRY + e->len;
	}
	it->pos++;
	return true;
}

/*
 * Text entries compare by their first 8 bytes as a big-endian number (held
 * in ikey while sorting: the zero padding of a shorter key sorts first, as
 * bytewise order wants, since text holds no zero byte), then by the rest.
 */
static inline int
cmp_text_entry_inline(const KeyEntry *x, const KeyEntry *y)
{
	uint64		px = (uint64) x->ikey;
	uint64		py = (uint64) y->ikey;
	uint32		n;
	int			c;

	if (px != py)
		return px < py ? -1 : 1;
	n = Min(x->len, y->len);
	if (n > sizeof(uint64))
	{
		c = memcmp(x->tkey + sizeof(uint64), y->tkey + sizeof(uint64), n - sizeof(uint64));
		if (c != 0)
			return c;
	}
	return (x->len > y->len) - (x->len < y->len);
}

/* sort_text_entries(): the comparison inlined (lib/sort_template.h) */
#define ST_SORT sort_text_entries
#define ST_ELEMENT_TYPE KeyEntry
#define ST_COMPARE(a, b) cmp_text_entry_inline(a, b)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

static int
cmp_int_entry(const void *a, const void *b)
{
	int64		x = ((const KeyEntry *) a)->ikey;
	int64		y = ((const KeyEntry *) b)->ikey;

	return (x > y) - (x < y);
}

/* All entries, sorted: bigints by value, text by bytes then length. */
KeyEntry *
keyset_sorted(KeySetIter *it)
{
	KeyEntry   *entries;
	int64		i = 0;

	entries = palloc_extended(Max(it->nkeys, 1) * sizeof(KeyEntry), MCXT_ALLOC_HUGE);
	while (i < it->nkeys && keyset_iter_next(it, &entries[i]))
		i++;
	if (i != it->nkeys || keyset_iter_next(it, &entries[0]))
		keyset_corrupt();
	if (it->kind == KS_TEXT)
	{
		for (i = 0; i < it->nkeys; i++)
		{
			uint64		p = 0;

			memcpy(&p, entries[i].tkey, Min(entries[i].len, sizeof(uint64)));
			entries[i].ikey = (int64) pg_hton64(p);
		}
		sort_text_entries(entries, it->nkeys);
	}
	else
		qsort(entries, it->nkeys, sizeof(KeyEntry), cmp_int_entry);
	return entries;
}
