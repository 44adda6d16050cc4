/*
 * procset.c
 *		The procedures a unit received (procset.h): appended, then sorted
 *		and merged when the array fills.
 *
 * Memory: when the array is full it is compacted; if the distinct
 * procedures then fill more than three quarters of it, it doubles.  So a
 * set holds room for fewer than three entries per distinct procedure (or
 * the first PROCSET_INITIAL), however many dossiers arrive, and the arena
 * of long codes is rebuilt when repeats fill most of it.  (Doubling at half
 * full instead took twice the memory for no time measurably saved.)
 *
 * Flat form (the engine's serialised state), that of keyset.c: int32 kind
 * (0 no key, 2 text), int64 number of keys, then per key uint32 length,
 * uint8 flags and the bytes; here the keys are sorted and distinct, and
 * reading a flat form checks that they are.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "procset.h"

#define PROCSET_INITIAL		256
#define PROCSET_MAX			((uint32) 1 << 30)	/* entries */
#define ARENA_MAX			((uint32) 1 << 30)	/* bytes */
#define FLAT_ENTRY			(sizeof(uint32) + 1)

static pg_attribute_noreturn() void
too_many(const ProcSet *ps)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("the procedures of a unit exceed what can be counted exactly: %u entries, %u bytes of codes longer than 16 bytes",
					ps->n, ps->arena_used),
			 errdetail("At most %u entries and %u bytes.", PROCSET_MAX, ARENA_MAX)));
}

/* Bytewise order of two codes, each with the arena of its set. */
int
procset_cmp(const ProcEntry *a, const char *arena_a, const ProcEntry *b, const char *arena_b)
{
	int			c;

	if (a->k0 != b->k0)
		return a->k0 < b->k0 ? -1 : 1;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	if (a->len > PROCSET_WORD_BYTES && b->len > PROCSET_WORD_BYTES)
	{
		c = memcmp(arena_a + a->off + PROCSET_WORD_BYTES, arena_b + b->off + PROCSET_WORD_BYTES,
				   Min(a->len, b->len) - PROCSET_WORD_BYTES);
		if (c != 0)
			return c;
	}
	return (a->len > b->len) - (a->len < b->len);
}

static inline int
cmp_inline(const ProcEntry *a, const ProcEntry *b, const char *arena)
{
	if (a->k0 != b->k0)
		return a->k0 < b->k0 ? -1 : 1;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	if (likely(a->len <= PROCSET_WORD_BYTES && b->len <= PROCSET_WORD_BYTES))
		return (a->len > b->len) - (a->len < b->len);
	return procset_cmp(a, arena, b, arena);
}

/* sort_entries(): the comparison inlined (lib/sort_template.h) */
#define ST_SORT sort_entries
#define ST_ELEMENT_TYPE ProcEntry
#define ST_COMPARE_ARG_TYPE const char
#define ST_COMPARE(a, b, arena) cmp_inline(a, b, arena)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* The bytes of a long code, appended to the arena; returns their offset. */
uint32
procset_store(ProcSet *ps, MemoryContext cxt, const char *code, uint32 len)
{
	uint32		off = ps->arena_used;

	if (len > PG_UINT16_MAX || (uint64) ps->arena_used + len > ARENA_MAX)
		too_many(ps);
	if (ps->arena_used + len > ps->arena_size)
	{
		uint32		size = Max(ps->arena_size, 1024);

		while (ps->arena_used + len > size)
			size *= 2;
		ps->arena = ps->arena
			? repalloc_huge(ps->arena, size)
			: MemoryContextAllocExtended(cxt, size, MCXT_ALLOC_HUGE);
		ps->arena_size = size;
	}
	memcpy(ps->arena + off, code, len);
	ps->arena_used += len;
	return off;
}

/* The array full: compact it, and double it if it is still more than three quarters full. */
void
procset_make_room(ProcSet *ps, MemoryContext cxt)
{
	uint32		cap;

	if (ps->cap == 0)
	{
		ps->e = MemoryContextAlloc(cxt, PROCSET_INITIAL * sizeof(ProcEntry));
		ps->cap = PROCSET_INITIAL;
		return;
	}
	procset_compact(ps, cxt);
	if (ps->n <= ps->cap / 4 * 3)
		return;
	if (ps->cap >= PROCSET_MAX)
		too_many(ps);
	cap = ps->cap * 2;
	ps->e = repalloc_huge(ps->e, (Size) cap * sizeof(ProcEntry));
	ps->cap = cap;
}

/* The arena rebuilt with the long codes still in the set, once repeats fill most of it. */
static void
shrink_arena(ProcSet *ps, MemoryContext cxt)
{
	uint64		live = 0;
	uint32		i;
	char	   *arena;
	uint32		used = 0;

	for (i = 0; i < ps->n; i++)
		if (ps->e[i].len > PROCSET_WORD_BYTES)
			live += ps->e[i].len;
	if (ps->arena_used <= 2 * live + 4096)
		return;
	arena = MemoryContextAllocExtended(cxt, Max(2 * live, 1024), MCXT_ALLOC_HUGE);
	for (i = 0; i < ps->n; i++)
		if (ps->e[i].len > PROCSET_WORD_BYTES)
		{
			memcpy(arena + used, ps->arena + ps->e[i].off, ps->e[i].len);
			ps->e[i].off = used;
			used += ps->e[i].len;
		}
	pfree(ps->arena);
	ps->arena = arena;
	ps->arena_used = used;
	ps->arena_size = Max(2 * live, 1024);
}

/*
 * Sorted and distinct: the entries appended since the last compaction are
 * sorted, rid of repeats, and merged into the sorted part (from the end,
 * in place; a repeat's flags are OR-ed into the one kept).
 */
void
procset_compact(ProcSet *ps, MemoryContext cxt)
{
	ProcEntry  *e = ps->e;
	uint32		s = ps->nsorted;
	uint32		nt;
	uint32		i;

	if (ps->n == ps->nsorted)
		return;
	/* the tail: sorted, then its repeats dropped */
	sort_entries(e + s, ps->n - s, ps->arena);
	nt = 1;
	for (i = s + 1; i < ps->n; i++)
	{
		if (cmp_inline(&e[s + nt - 1], &e[i], ps->arena) == 0)
			e[s + nt - 1].flags |= e[i].flags;
		else
			e[s + nt++] = e[i];
	}
	if (s > 0)
	{
		/* merged from the end: the write position never passes the next sorted entry unread */
		ProcEntry  *t = palloc_extended((Size) nt * sizeof(ProcEntry), MCXT_ALLOC_HUGE);
		int64		a = (int64) s - 1;
		int64		b = (int64) nt - 1;
		int64		w = (int64) s + nt - 1;

		memcpy(t, e + s, (Size) nt * sizeof(ProcEntry));
		while (a >= 0 && b >= 0)
		{
			int			c = cmp_inline(&e[a], &t[b], ps->arena);

			if (c > 0)
				e[w--] = e[a--];
			else if (c < 0)
				e[w--] = t[b--];
			else
			{
				e[a].flags |= t[b--].flags;
				e[w--] = e[a--];
			}
		}
		while (b >= 0)
			e[w--] = t[b--];
		while (a >= 0)
			e[w--] = e[a--];
		pfree(t);
		nt = (uint32) ((int64) s + nt - 1 - w);
		if (w >= 0)
			memmove(e, e + w + 1, (Size) nt * sizeof(ProcEntry));
	}
	ps->n = ps->nsorted = nt;
	if (ps->arena)
		shrink_arena(ps, cxt);
}

/*
 * dst (whose memory is in dst_cxt) gets every procedure of src (in
 * src_cxt), flags OR-ed where both have it; both compacted first, each in
 * its own context.  src keeps its procedures.
 */
void
procset_merge(ProcSet *dst, MemoryContext dst_cxt, ProcSet *src, MemoryContext src_cxt)
{
	ProcEntry  *m;
	uint64		cap;
	uint32		a = 0;
	uint32		b = 0;
	uint32		w = 0;

	procset_compact(src, src_cxt);
	if (src->n == 0)
		return;
	procset_compact(dst, dst_cxt);
	cap = Max((uint64) dst->n + src->n, PROCSET_INITIAL);
	if (cap > PROCSET_MAX)
		too_many(dst);
	m = MemoryContextAllocExtended(dst_cxt, cap * sizeof(ProcEntry), MCXT_ALLOC_HUGE);
	while (a < dst->n || b < src->n)
	{
		int			c = a == dst->n ? 1 : b == src->n ? -1 :
			procset_cmp(&dst->e[a], dst->arena, &src->e[b], src->arena);

		if (c < 0)
			m[w++] = dst->e[a++];
		else
		{
			ProcEntry	x = src->e[b++];

			if (c == 0)
				x.flags |= dst->e[a++].flags;
			if (x.len > PROCSET_WORD_BYTES)
				x.off = procset_store(dst, dst_cxt, src->arena + x.off, x.len);
			m[w++] = x;
		}
	}
	if (dst->e)
		pfree(dst->e);
	dst->e = m;
	dst->n = dst->nsorted = w;
	dst->cap = (uint32) cap;
	if (dst->arena)
		shrink_arena(dst, dst_cxt);
}

/* The code's bytes: in the arena, or written into buf (16 bytes) from its words. */
const char *
procset_bytes(const ProcSet *ps, const ProcEntry *e, char *buf)
{
	uint64		w;

	if (e->len > PROCSET_WORD_BYTES)
		return ps->arena + e->off;
	w = pg_hton64(e->k0);
	memcpy(buf, &w, sizeof(uint64));
	w = pg_hton64(e->k1);
	memcpy(buf + sizeof(uint64), &w, sizeof(uint64));
	return buf;
}

/* Bytes of the flat form of a compacted set. */
Size
procset_flat_size(const ProcSet *ps)
{
	Size		size = KEYSET_FLAT_HEADER;
	uint32		i;

	for (i = 0; i < ps->n; i++)
		size += FLAT_ENTRY + ps->e[i].len;
	return size;
}

/* Write the flat form of a compacted set at dst; returns the end. */
char *
procset_flatten(const ProcSet *ps, char *dst)
{
	int32		kind = ps->n > 0 ? KS_TEXT : KS_EMPTY;
	int64		nkeys = ps->n;
	uint32		i;
	char		buf[PROCSET_WORD_BYTES];

	Assert(ps->n == ps->nsorted);
	memcpy(dst, &kind, sizeof(int32));
	memcpy(dst + sizeof(int32), &nkeys, sizeof(int64));
	dst += KEYSET_FLAT_HEADER;
	for (i = 0; i < ps->n; i++)
	{
		uint32		len = ps->e[i].len;

		memcpy(dst, &len, sizeof(uint32));
		dst[sizeof(uint32)] = (char) ps->e[i].flags;
		memcpy(dst + FLAT_ENTRY, procset_bytes(ps, &ps->e[i], buf), len);
		dst += FLAT_ENTRY + len;
	}
	return dst;
}

/*
 * An empty set filled from a flat form [p, end), whose every key check()
 * accepts (or raises an error), and which must be sorted and distinct: a
 * repeated procedure would count twice.  Anything else is corrupted data.
 */
void
procset_read_flat(ProcSet *ps, MemoryContext cxt, const char *p, const char *end,
				  void (*check) (const char *code, uint32 len, uint8 flags))
{
	int32		kind;
	int64		nkeys;
	int64		i;

	Assert(ps->n == 0);
	if (end - p < KEYSET_FLAT_HEADER)
		keyset_corrupt();
	memcpy(&kind, p, sizeof(int32));
	memcpy(&nkeys, p + sizeof(int32), sizeof(int64));
	p += KEYSET_FLAT_HEADER;
	if ((kind != KS_TEXT && kind != KS_EMPTY) || (kind == KS_EMPTY) != (nkeys == 0) ||
		nkeys < 0 || nkeys > (end - p) / (ptrdiff_t) FLAT_ENTRY)
		keyset_corrupt();
	/*
	 * The array grows with the keys read and checked, not with the count
	 * the input claims; what is read is sorted, so a full array only grows.
	 */
	for (i = 0; i < nkeys; i++)
	{
		uint32		len;
		uint8		flags;

		if (end - p < (ptrdiff_t) FLAT_ENTRY)
			keyset_corrupt();
		memcpy(&len, p, sizeof(uint32));
		flags = (uint8) p[sizeof(uint32)];
		p += FLAT_ENTRY;
		if (len > (size_t) (end - p) || len > PG_UINT16_MAX)
			keyset_corrupt();
		check(p, len, flags);
		ps->nsorted = ps->n;
		procset_add(ps, cxt, p, len, flags);
		if (i > 0 && procset_cmp(&ps->e[i - 1], ps->arena, &ps->e[i], ps->arena) >= 0)
			keyset_corrupt();
		p += len;
	}
	if (p != end)
		keyset_corrupt();
	ps->nsorted = ps->n;
}
