/*
 * procset.h
 *		The procedures a unit received, as the dossier engine collects them:
 *		each received dossier appends its procedure code and flags to an
 *		array; when the array is full, what was appended since is sorted
 *		and merged into the part already sorted, repeats dropped and their
 *		flags OR-ed.  So a dossier costs a write at the end of its unit's
 *		array, not a lookup in a hash set, and the final function finds the
 *		procedures sorted already.
 *
 * Why not a hash set (keyset.c): with 2,000 procedures per unit the
 * units' sets are megabytes, and each received dossier, of any unit,
 * missed the caches on its slot: a sixth of a refresh
 * (docs/benchmarks.md).  Appending is a write into the few cache lines at
 * the ends of the arrays; sorting and merging read and write memory in
 * order.  Partial states of parallel workers arrive sorted, and combine by
 * merging, where they were inserted key by key.
 *
 * A code is kept as its first 16 bytes, zero-padded, in two big-endian
 * words: comparing the words compares the bytes, so codes of up to 16
 * bytes (1.001612, 140.000123) sort and compare without reading their
 * bytes.  A longer code also keeps its bytes in the set's arena.  Order is
 * bytewise, a code before the longer ones it begins.
 */
#ifndef KPI_PROCSET_H
#define KPI_PROCSET_H

#include "postgres.h"

#include "port/pg_bswap.h"

#include "keyset.h"

#define PROCSET_WORD_BYTES	(2 * sizeof(uint64))

typedef struct ProcEntry
{
	uint64		k0;				/* bytes 1-8, zero-padded, big-endian */
	uint64		k1;				/* bytes 9-16 */
	uint32		off;			/* longer than 16 bytes: its bytes in the arena */
	uint16		len;
	uint8		flags;			/* the union of its dossiers' flags */
} ProcEntry;

typedef struct ProcSet
{
	ProcEntry  *e;
	uint32		n;				/* entries */
	uint32		nsorted;		/* the first nsorted are sorted and distinct */
	uint32		cap;
	char	   *arena;			/* bytes of the codes longer than 16 bytes */
	uint32		arena_used;
	uint32		arena_size;
} ProcSet;

extern void procset_make_room(ProcSet *ps, MemoryContext cxt);
extern uint32 procset_store(ProcSet *ps, MemoryContext cxt, const char *code, uint32 len);
extern void procset_compact(ProcSet *ps, MemoryContext cxt);
extern void procset_merge(ProcSet *dst, MemoryContext dst_cxt, ProcSet *src, MemoryContext src_cxt);
extern int	procset_cmp(const ProcEntry *a, const char *arena_a, const ProcEntry *b, const char *arena_b);
extern const char *procset_bytes(const ProcSet *ps, const ProcEntry *e, char *buf);
extern Size procset_flat_size(const ProcSet *ps);
extern char *procset_flatten(const ProcSet *ps, char *dst);
extern void procset_read_flat(ProcSet *ps, MemoryContext cxt, const char *p, const char *end,
							  void (*check) (const char *code, uint32 len, uint8 flags));

/* Append a procedure (len bytes, at most PG_UINT16_MAX) received with these flags. */
static inline void
procset_add(ProcSet *ps, MemoryContext cxt, const char *code, uint32 len, uint8 flags)
{
	ProcEntry  *e;
	uint64		w0;
	uint64		w1;

	if (unlikely(ps->n == ps->cap))
		procset_make_room(ps, cxt);
	e = &ps->e[ps->n];
	keyset_text_words(code, len, &w0, &w1);
	e->k0 = pg_ntoh64(w0);
	e->k1 = pg_ntoh64(w1);
	e->len = (uint16) len;
	e->flags = flags;
	e->off = unlikely(len > PROCSET_WORD_BYTES) ? procset_store(ps, cxt, code, len) : 0;
	ps->n++;
}

#endif							/* KPI_PROCSET_H */
