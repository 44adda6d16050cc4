/*
 * keyset.h
 *		A hash set of distinct keys, all bigint or all text, each carrying a
 *		byte of flags that are OR-ed together as the key is seen again.
 *		kpi.coverage keeps one (flag "hit").  The dossier engine keeps its
 *		procedures otherwise (procset.h), and shares the hashing of codes
 *		below.
 */
#ifndef KPI_KEYSET_H
#define KPI_KEYSET_H

#include "postgres.h"

#include "common/hashfn.h"

#define KS_EMPTY	0			/* no key yet: combines with either kind */
#define KS_INT		1
#define KS_TEXT		2

typedef struct KeySetIntSlot
{
	int64		key;
	uint8		used;
	uint8		flags;
} KeySetIntSlot;

typedef struct KeySetTextSlot
{
	uint64		prefix;			/* the key's first 8 bytes, zero-padded */
	uint64		suffix;			/* its bytes 9 to 16, zero-padded */
	uint32		hash;
	uint32		offset;			/* into the arena */
	uint32		len;
	uint8		used;
	uint8		flags;
} KeySetTextSlot;

typedef struct KeySet
{
	MemoryContext cxt;			/* where the slots and the arena live */
	const char *what;			/* what errors call the set */
	int			kind;
	int64		nkeys;
	uint64		capacity;		/* slots, a power of two; 0 until the first key */
	KeySetIntSlot *islots;
	KeySetTextSlot *tslots;
	char	   *arena;			/* text keys, back to back */
	Size		arena_used;
	Size		arena_size;
	Size		flat_size;		/* bytes keyset_flatten writes; kept current */
} KeySet;

/* One key, read from a set in memory or from its flat form. */
typedef struct KeyEntry
{
	int64		ikey;
	const char *tkey;
	uint32		len;
	uint8		flags;
} KeyEntry;

typedef struct KeySetIter
{
	int			kind;
	int64		nkeys;
	const KeySet *ks;			/* in memory, or NULL */
	uint64		pos;
	const char *p;				/* flat form */
	const char *end;
} KeySetIter;

/* A 64-bit value hashed by the splitmix64 finaliser: every input bit reaches every output bit. */
static inline uint32
keyset_hash64(int64 key)
{
	uint64		h = (uint64) key;

	h ^= h >> 30;
	h *= UINT64CONST(0xbf58476d1ce4e5b9);
	h ^= h >> 27;
	h *= UINT64CONST(0x94d049bb133111eb);
	h ^= h >> 31;
	return (uint32) h;
}

/*
 * The first 16 bytes of a text key (a unit or procedure code), as two
 * zero-padded words.  Kept next to the key in a hash table, they settle
 * every comparison of keys up to 16 bytes (codes such as 1.001612 or
 * 140.000000) without reading the key's bytes, and hash them without a pass
 * over the bytes.  Longer keys compare their bytes from the 17th on.
 */
static inline void
keyset_text_words(const char *key, uint32 len, uint64 *w0, uint64 *w1)
{
	*w0 = 0;
	*w1 = 0;
	if (len >= 2 * sizeof(uint64))
	{
		memcpy(w0, key, sizeof(uint64));
		memcpy(w1, key + sizeof(uint64), sizeof(uint64));
	}
	else if (len > sizeof(uint64))
	{
		memcpy(w0, key, sizeof(uint64));
		memcpy(w1, key + sizeof(uint64), len - sizeof(uint64));
	}
	else
		memcpy(w0, key, len);
}

/* Hash of a text key: up to 16 bytes by its two words, longer ones in full. */
static inline uint32
keyset_text_hash(const char *key, uint32 len, uint64 w0, uint64 w1)
{
	if (len <= 2 * sizeof(uint64))
		return keyset_hash64((int64) (w0 ^ (w1 * UINT64CONST(0x9e3779b97f4a7c15)) ^
									  ((uint64) len << 59)));
	return hash_bytes((const unsigned char *) key, (int) len);
}

/* Size of the flat header: int32 kind, int64 number of keys. */
#define KEYSET_FLAT_HEADER	12

extern void keyset_init(KeySet *ks, MemoryContext cxt, const char *what);
extern void keyset_add_int(KeySet *ks, int64 key, uint8 flags, int dup_errcode);
extern void keyset_add_text(KeySet *ks, const char *key, uint32 len, uint8 flags, int dup_errcode);
extern void keyset_add_entry(KeySet *ks, int kind, const KeyEntry *e, int dup_errcode);
extern void keyset_merge(KeySet *ks, KeySetIter *it);
extern char *keyset_flatten(const KeySet *ks, char *dst);
extern void keyset_iter_mem(KeySetIter *it, const KeySet *ks);
extern const char *keyset_iter_flat(KeySetIter *it, const char *p, const char *end);
extern bool keyset_iter_next(KeySetIter *it, KeyEntry *e);
extern KeyEntry *keyset_sorted(KeySetIter *it);
extern void keyset_corrupt(void) pg_attribute_noreturn();

#endif							/* KPI_KEYSET_H */
