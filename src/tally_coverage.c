/*
 * tally_coverage.c
 *		kpi.coverage_from_tallies: the second stage of kpi.refresh for the
 *		indicators that count procedures.  Given the units' tallies (each
 *		with its procedures received, sorted, and their flags), the appendix
 *		row each unit counts in, and the indicators (their flag masks and the
 *		service they ask for), it reads the services in force during the
 *		period from kpi.service once and returns, per appendix row and
 *		indicator, how many distinct procedures the unit offers as that
 *		service and received a dossier of the kind the denominator asks for,
 *		and how many of those also had one of the kind the numerator asks
 *		for.
 *
 * Why C: in SQL this stage was one row per unit and procedure received
 * (140,000 with 2,000 procedures per unit), hashed against every service,
 * deduplicated per version, joined with the indicators and aggregated:
 * about a second, more than the pass over the dossiers (docs/benchmarks.md).
 * Here a service is matched by a binary search of the units and one
 * lookup in a hash table of every unit's procedures, and a row of one unit
 * is counted without any set (its procedures are distinct).
 *
 * Where a procedure's service changed within the period, the latest
 * version in force decides (valid_from is unique per procedure: the
 * primary key of kpi.service).  In a row of several units (a district's
 * communes, in a three-level period) a procedure counts once, in the
 * numerator when any of its units qualifies for it.
 *
 * The tallies are checked, not trusted: procedures that are not sorted and
 * distinct, or arrays of different lengths, are an error, since a binary
 * search over them would silently miss services.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

/* The attributes of kpi.tally this stage reads. */
#define TALLY_UNIT_CODE		1
#define TALLY_PROCEDURES	6
#define TALLY_PROC_FLAGS	7

/* A service's offer, as the indicators' offer bits name it. */
#define OFFER_ONLINE_SERVICE	2
#define OFFER_ONLINE_PAYMENT	1

#define FETCH_ROWS 10000

#if PG_VERSION_NUM >= 160000
#define SetSingleFuncCall InitMaterializedSRF
#endif

typedef struct ProcSlot ProcSlot;

typedef struct CovUnit
{
	const char *code;
	int			len;
	text	   *row_level;		/* the appendix row it counts in */
	text	   *row_code;
	int			nprocs;
	const char **proc;			/* the procedure codes' bytes */
	int		   *proc_len;
	Datum	   *flags;			/* the union of their dossiers' flags (int4) */
	DateADT    *from;			/* valid_from of the version chosen */
	uint8	   *offer;			/* its offer bits; 0xFF: no service in force */
	ProcSlot   *slots;			/* the procedures by code (proc_table_build) */
	uint32		mask;
} CovUnit;

typedef struct CovEntry			/* a procedure of a row of several units */
{
	const char *code;
	int			len;
	bool		hit;
} CovEntry;

static int
cmp_bytes(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

static int
cmp_unit(const void *a, const void *b)
{
	const CovUnit *x = (const CovUnit *) a;
	const CovUnit *y = (const CovUnit *) b;

	return cmp_bytes(x->code, x->len, y->code, y->len);
}

static int
cmp_text(text *a, text *b)
{
	return cmp_bytes(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
}

/* units by appendix row: level, then code */
static int
cmp_unit_row(const void *a, const void *b)
{
	const CovUnit *x = *(CovUnit *const *) a;
	const CovUnit *y = *(CovUnit *const *) b;
	int			c = cmp_text(x->row_level, y->row_level);

	return c != 0 ? c : cmp_text(x->row_code, y->row_code);
}

static int
cmp_entry(const void *a, const void *b)
{
	const CovEntry *x = (const CovEntry *) a;
	const CovEntry *y = (const CovEntry *) b;

	return cmp_bytes(x->code, x->len, y->code, y->len);
}

/* A one-dimensional array without NULLs, of n elements (n < 0: any). */
static void
check_array(ArrayType *a, const char *what, int n)
{
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("kpi.coverage_from_tallies: %s must be a one-dimensional array, not %d-dimensional",
						what, ARR_NDIM(a))));
	if (array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("kpi.coverage_from_tallies: %s must not hold NULLs", what)));
	if (n >= 0 && ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a)) != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("kpi.coverage_from_tallies: %s has %d elements, and there are %d",
						what, ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a)), n)));
}

/* Read by attribute number below: the type must be kpi.tally's shape. */
static void
check_tally_type(Oid type)
{
	TupleDesc	desc;
	bool		ok;

	if (!type_is_rowtype(type))
		elog(ERROR, "kpi.coverage_from_tallies: tallies is not an array of kpi.tally");
	desc = lookup_rowtype_tupdesc(type, -1);
	ok = desc->natts == TALLY_PROC_FLAGS &&
		TupleDescAttr(desc, TALLY_UNIT_CODE - 1)->atttypid == TEXTOID &&
		TupleDescAttr(desc, TALLY_PROCEDURES - 1)->atttypid == TEXTARRAYOID &&
		TupleDescAttr(desc, TALLY_PROC_FLAGS - 1)->atttypid == INT4ARRAYOID;
	ReleaseTupleDesc(desc);
	if (!ok)
		elog(ERROR, "kpi.coverage_from_tallies: tallies is not an array of kpi.tally");
}

static Datum *
array_elements(ArrayType *a, Oid elemtype, int *n)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elemtype, typlen, typbyval, typalign, &elems, NULL, n);
	return elems;
}

/* The unit's procedures and their flags, from its kpi.tally. */
static void
read_tally(CovUnit *u, HeapTupleHeader tally)
{
	bool		isnull;
	Datum		d;
	text	   *code;
	ArrayType  *procs;
	ArrayType  *flags;
	Datum	   *codes;
	int			nflags;
	int			i;

	d = GetAttributeByNum(tally, TALLY_UNIT_CODE, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("kpi.coverage_from_tallies: a tally has no unit_code")));
	code = DatumGetTextPP(d);
	u->code = VARDATA_ANY(code);
	u->len = VARSIZE_ANY_EXHDR(code);

	d = GetAttributeByNum(tally, TALLY_PROCEDURES, &isnull);
	procs = isnull ? construct_empty_array(TEXTOID) : DatumGetArrayTypeP(d);
	d = GetAttributeByNum(tally, TALLY_PROC_FLAGS, &isnull);
	flags = isnull ? construct_empty_array(INT4OID) : DatumGetArrayTypeP(d);
	check_array(procs, "the procedures of a tally", -1);
	check_array(flags, "the procedure flags of a tally", -1);

	codes = array_elements(procs, TEXTOID, &u->nprocs);
	u->flags = array_elements(flags, INT4OID, &nflags);
	if (nflags != u->nprocs)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("kpi.coverage_from_tallies: the tally of unit \"%.*s\" has %d procedures and %d procedure flags",
						u->len, u->code, u->nprocs, nflags)));

	u->proc = palloc(Max(u->nprocs, 1) * sizeof(char *));
	u->proc_len = palloc(Max(u->nprocs, 1) * sizeof(int));
	u->from = palloc(Max(u->nprocs, 1) * sizeof(DateADT));
	u->offer = palloc(Max(u->nprocs, 1));
	for (i = 0; i < u->nprocs; i++)
	{
		text	   *t = DatumGetTextPP(codes[i]);

		u->proc[i] = VARDATA_ANY(t);
		u->proc_len[i] = VARSIZE_ANY_EXHDR(t);
		u->offer[i] = 0xFF;
		if (i > 0 && cmp_bytes(u->proc[i - 1], u->proc_len[i - 1], u->proc[i], u->proc_len[i]) >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("kpi.coverage_from_tallies: the procedures of unit \"%.*s\" are not sorted and distinct (\"%.*s\" then \"%.*s\")",
							u->len, u->code, u->proc_len[i - 1], u->proc[i - 1], u->proc_len[i], u->proc[i]),
					 errdetail("Tallies come from kpi.dossier_tally, whose procedures are sorted bytewise.")));
	}
}

static int
find_unit(CovUnit *units, int n, const char *code, int len)
{
	int			lo = 0;
	int			hi = n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = cmp_bytes(units[mid].code, units[mid].len, code, len);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/*
 * A unit's procedures, for the lookup of a service: open addressing, linear
 * probing, keyed by the code's bytes.  One small table per unit rather than
 * one for all: a unit's services usually come together, and its table then
 * stays in the cache.
 */
struct ProcSlot
{
	uint32		hash;
	int32		proc;			/* -1: empty */
};

static void
proc_table_build(CovUnit *u)
{
	uint32		size = 8;
	int			p;

	while (size < 2 * (uint32) u->nprocs)
		size *= 2;
	u->slots = palloc(size * sizeof(ProcSlot));
	u->mask = size - 1;
	for (p = 0; p < (int) size; p++)
		u->slots[p].proc = -1;
	for (p = 0; p < u->nprocs; p++)
	{
		uint32		h = hash_bytes((const unsigned char *) u->proc[p], u->proc_len[p]);
		uint32		i = h & u->mask;

		while (u->slots[i].proc >= 0)
			i = (i + 1) & u->mask;
		u->slots[i].hash = h;
		u->slots[i].proc = p;
	}
}

static int
find_procedure(const CovUnit *u, const char *code, int len)
{
	uint32		h = hash_bytes((const unsigned char *) code, len);
	uint32		i = h & u->mask;

	for (; u->slots[i].proc >= 0; i = (i + 1) & u->mask)
	{
		const ProcSlot *s = &u->slots[i];

		if (s->hash == h && u->proc_len[s->proc] == len &&
			memcmp(u->proc[s->proc], code, len) == 0)
			return s->proc;
	}
	return -1;
}

/*
 * Every service in force during [starts, ends] of a procedure a unit
 * received: its offer, the latest version's where there are several.
 */
static void
read_services(CovUnit *units, int nunits, DateADT starts, DateADT ends)
{
	Oid			argtypes[2] = {DATEOID, DATEOID};
	Datum		args[2];
	SPIPlanPtr	plan;
	Portal		portal;
	int			last = -1;
	int			k;

	for (k = 0; k < nunits; k++)
		proc_table_build(&units[k]);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "kpi.coverage_from_tallies: SPI_connect failed");
	plan = SPI_prepare("SELECT s.unit_code, s.procedure_code, s.online_service, s.online_payment, s.valid_from"
					   " FROM kpi.service AS s"
					   " WHERE s.valid_from <= $2 AND (s.valid_until IS NULL OR s.valid_until >= $1)",
					   2, argtypes);
	if (plan == NULL)
		elog(ERROR, "kpi.coverage_from_tallies: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	args[0] = DateADTGetDatum(starts);
	args[1] = DateADTGetDatum(ends);
	portal = SPI_cursor_open(NULL, plan, args, NULL, true);
	for (;;)
	{
		uint64		r;

		SPI_cursor_fetch(portal, true, FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		for (r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			text	   *unit = DatumGetTextPP(SPI_getbinval(tup, desc, 1, &isnull));
			text	   *proc;
			DateADT		from;
			int			u;
			int			p;

			/* a unit's services usually lie together: try the last first */
			if (last >= 0 && cmp_bytes(units[last].code, units[last].len,
									   VARDATA_ANY(unit), VARSIZE_ANY_EXHDR(unit)) == 0)
				u = last;
			else
				u = find_unit(units, nunits, VARDATA_ANY(unit), VARSIZE_ANY_EXHDR(unit));
			if (u < 0)
				continue;
			last = u;
			proc = DatumGetTextPP(SPI_getbinval(tup, desc, 2, &isnull));
			p = find_procedure(&units[u], VARDATA_ANY(proc), VARSIZE_ANY_EXHDR(proc));
			if (p < 0)
				continue;
			from = DatumGetDateADT(SPI_getbinval(tup, desc, 5, &isnull));
			if (units[u].offer[p] == 0xFF || from > units[u].from[p])
			{
				units[u].from[p] = from;
				units[u].offer[p] =
					(DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull)) ? OFFER_ONLINE_SERVICE : 0) |
					(DatumGetBool(SPI_getbinval(tup, desc, 4, &isnull)) ? OFFER_ONLINE_PAYMENT : 0);
			}
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();
}

/* A day as YYYY-MM-DD whatever the session's DateStyle. */
static char *
iso_date(DateADT d)
{
	int			y;
	int			m;
	int			day;

	if (DATE_IS_NOBEGIN(d))
		return "-infinity";
	if (DATE_IS_NOEND(d))
		return "infinity";
	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	return psprintf("%04d-%02d-%02d", y, m, day);
}

static bool
qualifies(const CovUnit *u, int p, int32 den_mask, int32 offer_bit)
{
	return u->offer[p] != 0xFF && (u->offer[p] & offer_bit) != 0 &&
		(DatumGetInt32(u->flags[p]) & den_mask) == den_mask;
}

PG_FUNCTION_INFO_V1(coverage_from_tallies);
Datum
coverage_from_tallies(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ArrayType  *tallies = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *row_levels = PG_GETARG_ARRAYTYPE_P(1);
	ArrayType  *row_codes = PG_GETARG_ARRAYTYPE_P(2);
	ArrayType  *indicators = PG_GETARG_ARRAYTYPE_P(3);
	ArrayType  *den_masks = PG_GETARG_ARRAYTYPE_P(4);
	ArrayType  *num_masks = PG_GETARG_ARRAYTYPE_P(5);
	ArrayType  *offer_bits = PG_GETARG_ARRAYTYPE_P(6);
	DateADT		starts = PG_GETARG_DATEADT(7);
	DateADT		ends = PG_GETARG_DATEADT(8);
	Datum	   *elems;
	Datum	   *levels;
	Datum	   *codes;
	Datum	   *ind;
	int32	   *den;
	int32	   *num;
	int32	   *offer;
	Datum	   *dd;
	int			nunits;
	int			nind;
	int			i;
	CovUnit    *units;
	CovUnit   **by_row;
	CovEntry   *entries = NULL;
	int			entries_size = 0;

	check_tally_type(ARR_ELEMTYPE(tallies));
	check_array(tallies, "tallies", -1);
	elems = array_elements(tallies, ARR_ELEMTYPE(tallies), &nunits);
	check_array(row_levels, "row_levels", nunits);
	check_array(row_codes, "row_codes", nunits);
	check_array(indicators, "indicators", -1);
	nind = ArrayGetNItems(ARR_NDIM(indicators), ARR_DIMS(indicators));
	check_array(den_masks, "den_masks", nind);
	check_array(num_masks, "num_masks", nind);
	check_array(offer_bits, "offer_bits", nind);
	if (DATE_NOT_FINITE(starts) || DATE_NOT_FINITE(ends) || starts > ends)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kpi.coverage_from_tallies: the period %s to %s is not a period",
						iso_date(starts), iso_date(ends))));

	levels = array_elements(row_levels, TEXTOID, &i);
	codes = array_elements(row_codes, TEXTOID, &i);
	ind = array_elements(indicators, TEXTOID, &nind);
	den = palloc(Max(nind, 1) * sizeof(int32));
	num = palloc(Max(nind, 1) * sizeof(int32));
	offer = palloc(Max(nind, 1) * sizeof(int32));
	dd = array_elements(den_masks, INT4OID, &i);
	for (i = 0; i < nind; i++)
		den[i] = DatumGetInt32(dd[i]);
	dd = array_elements(num_masks, INT4OID, &i);
	for (i = 0; i < nind; i++)
		num[i] = DatumGetInt32(dd[i]);
	dd = array_elements(offer_bits, INT4OID, &i);
	for (i = 0; i < nind; i++)
		offer[i] = DatumGetInt32(dd[i]);

	units = palloc0(Max(nunits, 1) * sizeof(CovUnit));
	for (i = 0; i < nunits; i++)
	{
		read_tally(&units[i], DatumGetHeapTupleHeader(elems[i]));
		units[i].row_level = DatumGetTextPP(levels[i]);
		units[i].row_code = DatumGetTextPP(codes[i]);
	}
	qsort(units, nunits, sizeof(CovUnit), cmp_unit);
	for (i = 1; i < nunits; i++)
		if (cmp_unit(&units[i - 1], &units[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("kpi.coverage_from_tallies: unit \"%.*s\" has two tallies",
							units[i].len, units[i].code)));

	read_services(units, nunits, starts, ends);

	SetSingleFuncCall(fcinfo, 0);

	/* per appendix row: its units are consecutive once sorted by row */
	by_row = palloc(Max(nunits, 1) * sizeof(CovUnit *));
	for (i = 0; i < nunits; i++)
		by_row[i] = &units[i];
	qsort(by_row, nunits, sizeof(CovUnit *), cmp_unit_row);
	for (i = 0; i < nunits;)
	{
		int			first = i;
		int			f;

		while (i < nunits && cmp_unit_row(&by_row[first], &by_row[i]) == 0)
			i++;
		for (f = 0; f < nind; f++)
		{
			int64		n = 0;
			int64		d = 0;
			int			k;
			int			p;

			if (i - first == 1)
			{
				/* one unit: its procedures are distinct already */
				CovUnit    *u = by_row[first];

				for (p = 0; p < u->nprocs; p++)
					if (qualifies(u, p, den[f], offer[f]))
					{
						d++;
						if ((DatumGetInt32(u->flags[p]) & num[f]) == num[f])
							n++;
					}
			}
			else
			{
				/* several: a procedure counts once, a hit when any unit's is */
				int			m = 0;
				int			total = 0;

				for (k = first; k < i; k++)
					total += by_row[k]->nprocs;
				if (total > entries_size)
				{
					entries_size = Max(total, 2 * entries_size);
					entries = entries ? repalloc(entries, entries_size * sizeof(CovEntry))
						: palloc(entries_size * sizeof(CovEntry));
				}
				for (k = first; k < i; k++)
				{
					CovUnit    *u = by_row[k];

					for (p = 0; p < u->nprocs; p++)
						if (qualifies(u, p, den[f], offer[f]))
						{
							entries[m].code = u->proc[p];
							entries[m].len = u->proc_len[p];
							entries[m].hit = (DatumGetInt32(u->flags[p]) & num[f]) == num[f];
							m++;
						}
				}
				if (m > 1)
					qsort(entries, m, sizeof(CovEntry), cmp_entry);
				for (k = 0; k < m;)
				{
					bool		hit = false;
					int			j = k;

					while (j < m && cmp_entry(&entries[k], &entries[j]) == 0)
						hit |= entries[j++].hit;
					d++;
					n += hit ? 1 : 0;
					k = j;
				}
			}
			if (d > 0)
			{
				Datum		values[5];
				bool		nulls[5] = {0};

				values[0] = PointerGetDatum(by_row[first]->row_level);
				values[1] = PointerGetDatum(by_row[first]->row_code);
				values[2] = ind[f];
				values[3] = Int64GetDatum(n);
				values[4] = Int64GetDatum(d);
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			}
		}
	}
	return (Datum) 0;
}
