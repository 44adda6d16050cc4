/*
 * coverage.c
 *		kpi.coverage(key, hit): count(DISTINCT key) FILTER (WHERE hit) over
 *		count(DISTINCT key), exactly, in one pass and without sorting.
 *
 * The state type kpi.coverage_state is a set of distinct keys (keyset.c)
 * whose one flag says "hit at least once".  During aggregation it lives as
 * an expanded object in its own memory context, a child of the aggregate's
 * context, so the transition function updates it in place.  Everywhere else
 * (parallel workers, Citus, a table column) it is a flat varlena: the
 * varlena header followed by the set's flat form.  Its text and binary
 * forms list the keys in sorted order and round-trip exactly.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"

#include "keyset.h"
#include "ratio.h"

#define COV_HIT 0x01

typedef struct CoverageState
{
	ExpandedObjectHeader hdr;
	KeySet		keys;
} CoverageState;

static Size cov_get_flat_size(ExpandedObjectHeader *eohptr);
static void cov_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods cov_methods = {
	cov_get_flat_size,
	cov_flatten_into
};

static CoverageState *
cov_new(MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "kpi.coverage state",
											  ALLOCSET_SMALL_SIZES);
	CoverageState *st = MemoryContextAlloc(cxt, sizeof(CoverageState));

	EOH_init_header(&st->hdr, &cov_methods, cxt);
	keyset_init(&st->keys, cxt, "kpi.coverage_state");
	return st;
}

static Size
cov_get_flat_size(ExpandedObjectHeader *eohptr)
{
	return VARHDRSZ + ((CoverageState *) eohptr)->keys.flat_size;
}

static void
cov_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	CoverageState *st = (CoverageState *) eohptr;
	char	   *end PG_USED_FOR_ASSERTS_ONLY;

	SET_VARSIZE(result, allocated_size);
	end = keyset_flatten(&st->keys, (char *) result + VARHDRSZ);
	Assert(end == (char *) result + allocated_size);
}

/* The flat form of a state built by an input function; frees the state. */
static Datum
cov_to_flat(CoverageState *st)
{
	Size		size = cov_get_flat_size(&st->hdr);
	void	   *flat = palloc(size);

	cov_flatten_into(&st->hdr, flat, size);
	MemoryContextDelete(st->hdr.eoh_context);
	return PointerGetDatum(flat);
}

/* Start reading the keys of a state in either form. */
static void
cov_iter(KeySetIter *it, Datum d)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
		keyset_iter_mem(it, &((CoverageState *) DatumGetEOHP(d))->keys);
	else
	{
		struct varlena *flat = PG_DETOAST_DATUM(d);

		keyset_iter_flat(it, VARDATA(flat), (const char *) flat + VARSIZE(flat));
	}
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
	{
		KeySetIter	it;

		cov_iter(&it, PG_GETARG_DATUM(argno));
		keyset_merge(&st->keys, &it);
	}
	return st;
}

#define PG_RETURN_COVERAGE(st) return EOHPGetRWDatum(&(st)->hdr)

static inline uint8
hit_flag(FunctionCallInfo fcinfo, int argno)
{
	return (!PG_ARGISNULL(argno) && PG_GETARG_BOOL(argno)) ? COV_HIT : 0;
}

PG_FUNCTION_INFO_V1(coverage_trans_int8);
Datum
coverage_trans_int8(PG_FUNCTION_ARGS)
{
	CoverageState *st = cov_state_for_update(fcinfo, 0);

	if (!PG_ARGISNULL(1))
		keyset_add_int(&st->keys, PG_GETARG_INT64(1), hit_flag(fcinfo, 2), 0);
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

		keyset_add_text(&st->keys, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key),
						hit_flag(fcinfo, 2), 0);
	}
	PG_RETURN_COVERAGE(st);
}

PG_FUNCTION_INFO_V1(coverage_combine);
Datum
coverage_combine(PG_FUNCTION_ARGS)
{
	CoverageState *st;
	KeySetIter	it;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	st = cov_state_for_update(fcinfo, 0);
	cov_iter(&it, PG_GETARG_DATUM(1));
	keyset_merge(&st->keys, &it);
	PG_RETURN_COVERAGE(st);
}

PG_FUNCTION_INFO_V1(coverage_final);
Datum
coverage_final(PG_FUNCTION_ARGS)
{
	KeySetIter	it;
	KeyEntry	e;
	int64		nhits = 0;

	cov_iter(&it, PG_GETARG_DATUM(0));
	while (keyset_iter_next(&it, &e))
		nhits += (e.flags & COV_HIT) ? 1 : 0;
	PG_RETURN_RATIO_P(ratio_make(nhits, it.nkeys));
}

/* ---- text and binary forms: keys in sorted order ---- */

PG_FUNCTION_INFO_V1(coverage_state_out);
Datum
coverage_state_out(PG_FUNCTION_ARGS)
{
	KeySetIter	it;
	KeyEntry   *entries;
	int64		i;
	StringInfoData buf;

	cov_iter(&it, PG_GETARG_DATUM(0));
	entries = keyset_sorted(&it);
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < it.nkeys; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoChar(&buf, (entries[i].flags & COV_HIT) ? '+' : '-');
		if (it.kind == KS_INT)
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
			uint8		flags;

			if (*p != '+' && *p != '-')
				bad_state_syntax(str, "Each key starts with \"+\" (hit) or \"-\" (not hit).");
			flags = (*p++ == '+') ? COV_HIT : 0;
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
				if (st->keys.kind == KS_INT)
					bad_state_syntax(str, "Keys are all integers or all quoted text.");
				keyset_add_text(&st->keys, key.data, key.len, flags, ERRCODE_INVALID_TEXT_REPRESENTATION);
			}
			else
			{
				int64		ikey;

				p = parse_int_key(p, &ikey);
				if (p == NULL)
					bad_state_syntax(str, "A key is a bigint or a double-quoted text.");
				if (st->keys.kind == KS_TEXT)
					bad_state_syntax(str, "Keys are all integers or all quoted text.");
				keyset_add_int(&st->keys, ikey, flags, ERRCODE_INVALID_TEXT_REPRESENTATION);
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
	KeySetIter	it;
	KeyEntry   *entries;
	int64		i;
	StringInfoData buf;

	cov_iter(&it, PG_GETARG_DATUM(0));
	entries = keyset_sorted(&it);
	pq_begintypsend(&buf);
	pq_sendint32(&buf, it.kind);
	pq_sendint64(&buf, it.nkeys);
	for (i = 0; i < it.nkeys; i++)
	{
		uint8		hit = (entries[i].flags & COV_HIT) ? 1 : 0;

		if (it.kind == KS_INT)
		{
			pq_sendint64(&buf, entries[i].ikey);
			pq_sendbyte(&buf, hit);
		}
		else
		{
			pq_sendbyte(&buf, hit);
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

static uint8
recv_hit(StringInfo buf)
{
	int			hit = pq_getmsgbyte(buf);

	if (hit != 0 && hit != 1)
		bad_state_binary(psprintf("Hit flag %d is not 0 or 1.", hit));
	return hit ? COV_HIT : 0;
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
	if (kind < KS_EMPTY || kind > KS_TEXT)
		bad_state_binary(psprintf("Key kind %d is not 0, 1 or 2.", kind));
	if (n < 0 || (kind == KS_EMPTY) != (n == 0))
		bad_state_binary(psprintf("Key count " INT64_FORMAT " does not fit key kind %d.", n, kind));
	for (i = 0; i < n; i++)
	{
		if (kind == KS_INT)
		{
			int64		key;

			need_bytes(buf, sizeof(int64) + 1);
			key = pq_getmsgint64(buf);
			keyset_add_int(&st->keys, key, recv_hit(buf), ERRCODE_INVALID_BINARY_REPRESENTATION);
		}
		else
		{
			uint8		hit;
			int32		len;
			int			nbytes;
			char	   *key;

			need_bytes(buf, 1 + sizeof(int32));
			hit = recv_hit(buf);
			len = pq_getmsgint(buf, 4);
			if (len < 0 || len > buf->len - buf->cursor)
				bad_state_binary(psprintf("Key length %d exceeds the message.", len));
			key = pq_getmsgtext(buf, len, &nbytes);
			keyset_add_text(&st->keys, key, nbytes, hit, ERRCODE_INVALID_BINARY_REPRESENTATION);
		}
	}
	PG_RETURN_DATUM(cov_to_flat(st));
}
