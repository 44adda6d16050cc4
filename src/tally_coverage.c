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
 * Here each service read is queued under its unit (found in a hash table
 * of the units), then every unit's queue is matched with one lookup per
 * service in a hash table of the unit's procedures, which stays in the
 * caches whatever the order of kpi.service's rows.  A row of one unit is
 * counted without any set (its procedures are distinct); a row of several
 * numbers its distinct procedures once, for every indicator.
 *
 * Where a procedure's service changed within the period, the latest
 * version in force decides (valid_from is unique per procedure: the
 * primary key of kpi.service).  In a row of several units (a district's
 * communes, in a three-level period) a procedure counts once, in the
 * numerator when any of its units qualifies for it.
 *
 * The tallies are checked, not trusted: procedures that are not sorted and
 * distinct, or arrays of different lengths, are an error, since a repeated
 * procedure would silently count twice.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#include "keyset.h"

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

/*
 * A table of codes (unit or procedure codes) to their numbers 0..n-1: open
 * addressing, linear probing, slots of 8 bytes (the hash and the number),
 * so that the tables of every unit's procedures stay small in the caches.
 * A code of up to 16 bytes is compared by its two zero-padded words, kept
 * by number, without reading its bytes.
 */
typedef struct CodeSlot
{
	uint32		hash;
	int32		idx;			/* -1: empty */
} CodeSlot;

typedef struct CodeTable
{
	CodeSlot   *slots;
	uint32		mask;
	uint64	   *w0;				/* by number */
	uint64	   *w1;
	const char **code;
	int32	   *len;
} CodeTable;

/* A service in force, read from kpi.service, waiting to be matched. */
typedef struct ServiceRec
{
	uint64		w0;				/* the procedure code's words (code_hash) */
	uint64		w1;
	const char *code;			/* its bytes: a copy when longer than 16 */
	int32		len;
	uint32		hash;
	DateADT		from;
	uint8		offer;
} ServiceRec;

typedef struct CovUnit
{
	const char *code;
	int			len;
	text	   *row_level;		/* the appendix row it counts in */
	text	   *row_code;
	int			nprocs;
	Datum	   *flags;			/* the union of their dossiers' flags (int4) */
	DateADT    *from;			/* valid_from of the version chosen */
	uint8	   *offer;			/* its offer bits; 0xFF: no service in force */
	CodeTable	procs;			/* the procedures by code, numbered in their order */
	ServiceRec *svc;			/* its services in force, as read (queue_service) */
	int			nsvc;
	int			svc_cap;
	int32	   *row_proc;		/* in a row of several units: each procedure's number in the row */
} CovUnit;

static int
cmp_bytes(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
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

static void
code_table_init(CodeTable *t, int n)
{
	uint32		size = 8;
	uint32		i;

	while (size < 2 * (uint32) n)
		size *= 2;
	t->slots = palloc(size * sizeof(CodeSlot));
	t->mask = size - 1;
	for (i = 0; i < size; i++)
		t->slots[i].idx = -1;
	t->w0 = palloc(Max(n, 1) * sizeof(uint64));
	t->w1 = palloc(Max(n, 1) * sizeof(uint64));
	t->code = palloc(Max(n, 1) * sizeof(char *));
	t->len = palloc(Max(n, 1) * sizeof(int32));
}

static void
code_table_free(CodeTable *t)
{
	pfree(t->slots);
	pfree(t->w0);
	pfree(t->w1);
	pfree(t->code);
	pfree(t->len);
}

static inline uint32
code_hash(const char *code, int len, uint64 *w0, uint64 *w1)
{
	keyset_text_words(code, len, w0, w1);
	return keyset_text_hash(code, len, *w0, *w1);
}

/*
 * The number of the code (its words and hash from code_hash) in the table,
 * or -1; if it is not there and idx >= 0, it is added with that number, the
 * next one (a table holds at most the n codes it was made for:
 * code_table_init).
 */
static inline int
code_table_find(CodeTable *t, const char *code, int len, uint64 w0, uint64 w1, uint32 h, int idx)
{
	uint32		i;

	for (i = h & t->mask; t->slots[i].idx >= 0; i = (i + 1) & t->mask)
	{
		int32		k = t->slots[i].idx;

		if (t->slots[i].hash == h && t->w0[k] == w0 && t->w1[k] == w1 && t->len[k] == len &&
			(len <= 2 * (int) sizeof(uint64) ||
			 memcmp(t->code[k] + 2 * sizeof(uint64), code + 2 * sizeof(uint64),
					len - 2 * sizeof(uint64)) == 0))
			return k;
	}
	if (idx >= 0)
	{
		t->slots[i].hash = h;
		t->slots[i].idx = idx;
		t->w0[idx] = w0;
		t->w1[idx] = w1;
		t->code[idx] = code;
		t->len[idx] = len;
	}
	return -1;
}

static int
code_table_lookup(CodeTable *t, const char *code, int len, int idx)
{
	uint64		w0;
	uint64		w1;
	uint32		h = code_hash(code, len, &w0, &w1);

	return code_table_find(t, code, len, w0, w1, h, idx);
}

/* The unit's procedures (in its table of codes) and their flags, from its kpi.tally. */
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

	u->from = palloc(Max(u->nprocs, 1) * sizeof(DateADT));
	u->offer = palloc(Max(u->nprocs, 1));
	code_table_init(&u->procs, u->nprocs);
	for (i = 0; i < u->nprocs; i++)
	{
		text	   *t = DatumGetTextPP(codes[i]);
		const char *proc = VARDATA_ANY(t);
		int			len = VARSIZE_ANY_EXHDR(t);

		u->offer[i] = 0xFF;
		if (i > 0 && cmp_bytes(u->procs.code[i - 1], u->procs.len[i - 1], proc, len) >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("kpi.coverage_from_tallies: the procedures of unit \"%.*s\" are not sorted and distinct (\"%.*s\" then \"%.*s\")",
							u->len, u->code, u->procs.len[i - 1], u->procs.code[i - 1], len, proc),
					 errdetail("Tallies come from kpi.dossier_tally, whose procedures are sorted bytewise.")));
		/* distinct: added with number i */
		code_table_lookup(&u->procs, proc, len, i);
	}
}

/*
 * One version of a service, read from kpi.service: if it is in force during
 * [starts, ends] and its unit has a tally, it waits in the unit's queue.
 * *last remembers the unit of the previous row: a unit's services usually
 * lie together.  They are matched with the procedures unit by unit
 * (match_services), each unit's table then staying in the caches, whatever
 * the order of the table's rows.
 */
static void
queue_service(MemoryContext cxt, CovUnit *units, CodeTable *unit_table, int *last, DateADT starts, DateADT ends,
			  text *unit, text *proc, bool online_service, bool online_payment,
			  DateADT from, bool until_null, DateADT until)
{
	CovUnit    *u;
	ServiceRec *r;
	int			k;
	int			len = VARSIZE_ANY_EXHDR(proc);

	if (from > ends || (!until_null && until < starts))
		return;
	if (*last >= 0 && units[*last].len == (int) VARSIZE_ANY_EXHDR(unit) &&
		memcmp(units[*last].code, VARDATA_ANY(unit), units[*last].len) == 0)
		k = *last;
	else
		k = code_table_lookup(unit_table, VARDATA_ANY(unit), VARSIZE_ANY_EXHDR(unit), -1);
	if (k < 0)
		return;
	*last = k;
	u = &units[k];
	if (u->nsvc == u->svc_cap)
	{
		/* first as many as its procedures and a half: usually enough */
		u->svc_cap = u->svc_cap ? 2 * u->svc_cap : Max(64, u->nprocs + u->nprocs / 2);
		u->svc = u->svc ? repalloc_huge(u->svc, (Size) u->svc_cap * sizeof(ServiceRec))
			: MemoryContextAllocExtended(cxt, (Size) u->svc_cap * sizeof(ServiceRec), MCXT_ALLOC_HUGE);
	}
	r = &u->svc[u->nsvc++];
	r->hash = code_hash(VARDATA_ANY(proc), len, &r->w0, &r->w1);
	r->len = len;
	r->code = NULL;
	if (len > 2 * (int) sizeof(uint64))
	{
		char	   *copy = MemoryContextAlloc(cxt, len);

		memcpy(copy, VARDATA_ANY(proc), len);
		r->code = copy;
	}
	r->from = from;
	r->offer = (online_service ? OFFER_ONLINE_SERVICE : 0) | (online_payment ? OFFER_ONLINE_PAYMENT : 0);
}

/*
 * Each unit's services with its procedures: a procedure's offer is its
 * latest version's in force.
 */
static void
match_services(CovUnit *units, int nunits)
{
	int			k;
	int			i;

	for (k = 0; k < nunits; k++)
	{
		CovUnit    *u = &units[k];

		for (i = 0; i < u->nsvc; i++)
		{
			const ServiceRec *r = &u->svc[i];
			int			p = code_table_find(&u->procs, r->code, r->len, r->w0, r->w1, r->hash, -1);

			if (p >= 0 && (u->offer[p] == 0xFF || r->from > u->from[p]))
			{
				u->from[p] = r->from;
				u->offer[p] = r->offer;
			}
		}
		if (u->svc)
			pfree(u->svc);
		u->svc = NULL;
		u->nsvc = u->svc_cap = 0;
	}
}

/* kpi.service's columns, by name: their numbers in the table, checked types */
static const struct
{
	const char *name;
	Oid			type;
}			service_columns[] = {
	{"unit_code", TEXTOID},
	{"procedure_code", TEXTOID},
	{"online_service", BOOLOID},
	{"online_payment", BOOLOID},
	{"valid_from", DATEOID},
	{"valid_until", DATEOID},
};
#define SERVICE_COLUMNS lengthof(service_columns)

/*
 * Every service of kpi.service read straight from the table (the heap):
 * the executor's scan, and a copy of every row through SPI, cost several
 * times what the matching does (378,000 services with 2,000 procedures
 * per unit: docs/benchmarks.md).  Only where the caller may read the whole
 * table as it is: where row-level security applies to the caller, or the
 * caller's right to read it is not on the table as a whole, it returns false
 * and the services are read through a query instead (read_services_spi),
 * which the policies filter and the column privileges allow or refuse.
 */
static bool
read_services_heap(MemoryContext cxt, CovUnit *units, CodeTable *unit_table, DateADT starts, DateADT ends)
{
	Oid			relid = RangeVarGetRelid(makeRangeVar("kpi", "service", -1), AccessShareLock, false);
	Relation	rel;
	AttrNumber	att[SERVICE_COLUMNS];
	Snapshot	snapshot;
	TableScanDesc scan;
	TupleTableSlot *slot;
	AttrNumber	natts = 0;
	int			last = -1;
	int			c;

	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED ||
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return false;
	rel = table_open(relid, NoLock);
	for (c = 0; c < (int) SERVICE_COLUMNS; c++)
	{
		att[c] = get_attnum(relid, service_columns[c].name);
		if (att[c] == InvalidAttrNumber ||
			TupleDescAttr(RelationGetDescr(rel), att[c] - 1)->atttypid != service_columns[c].type)
			elog(ERROR, "kpi.coverage_from_tallies: kpi.service has no column %s of the expected type",
				 service_columns[c].name);
		natts = Max(natts, att[c]);
	}

	/* the snapshot the calling query reads with, as a query in it would */
	snapshot = RegisterSnapshot(ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	slot = table_slot_create(rel, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		slot_getsomeattrs(slot, natts);
		queue_service(cxt, units, unit_table, &last, starts, ends,
					 DatumGetTextPP(slot->tts_values[att[0] - 1]),
					 DatumGetTextPP(slot->tts_values[att[1] - 1]),
					 DatumGetBool(slot->tts_values[att[2] - 1]),
					 DatumGetBool(slot->tts_values[att[3] - 1]),
					 DatumGetDateADT(slot->tts_values[att[4] - 1]),
					 slot->tts_isnull[att[5] - 1],
					 DatumGetDateADT(slot->tts_values[att[5] - 1]));
		CHECK_FOR_INTERRUPTS();
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, NoLock);
	return true;
}

/* The same through a query, which row-level security filters. */
static void
read_services_spi(MemoryContext cxt, CovUnit *units, CodeTable *unit_table, DateADT starts, DateADT ends)
{
	Oid			argtypes[2] = {DATEOID, DATEOID};
	Datum		args[2];
	SPIPlanPtr	plan;
	Portal		portal;
	int			last = -1;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "kpi.coverage_from_tallies: SPI_connect failed");
	plan = SPI_prepare("SELECT s.unit_code, s.procedure_code, s.online_service, s.online_payment, s.valid_from, s.valid_until"
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
			bool		until_null;
			Datum		until = SPI_getbinval(tup, desc, 6, &until_null);

			queue_service(cxt, units, unit_table, &last, starts, ends,
						 DatumGetTextPP(SPI_getbinval(tup, desc, 1, &isnull)),
						 DatumGetTextPP(SPI_getbinval(tup, desc, 2, &isnull)),
						 DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull)),
						 DatumGetBool(SPI_getbinval(tup, desc, 4, &isnull)),
						 DatumGetDateADT(SPI_getbinval(tup, desc, 5, &isnull)),
						 until_null, until_null ? 0 : DatumGetDateADT(until));
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();
}

/*
 * Every service in force during [starts, ends] of a procedure a unit
 * received: its offer, the latest version's where there are several.
 */
static void
read_services(CovUnit *units, int nunits, DateADT starts, DateADT ends)
{
	CodeTable	unit_table;
	int			k;

	code_table_init(&unit_table, nunits);
	for (k = 0; k < nunits; k++)
	{
		CovUnit    *u = &units[k];

		if (code_table_lookup(&unit_table, u->code, u->len, k) >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("kpi.coverage_from_tallies: unit \"%.*s\" has two tallies",
							u->len, u->code)));
	}
	/* the queues in the caller's context: SPI_finish frees its own */
	if (!read_services_heap(CurrentMemoryContext, units, &unit_table, starts, ends))
		read_services_spi(CurrentMemoryContext, units, &unit_table, starts, ends);
	match_services(units, nunits);
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
	uint8	   *row_qual = NULL;	/* per procedure of a row: 1 qualifies, 2 and a hit */
	int			row_qual_size = 0;
	int			row_nprocs = 0;

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
		if (i - first > 1)
		{
			/* number the row's distinct procedures, once for every indicator */
			CodeTable	row_table;
			int			total = 0;
			int			k;
			int			p;

			for (k = first; k < i; k++)
				total += by_row[k]->nprocs;
			code_table_init(&row_table, total);
			row_nprocs = 0;
			for (k = first; k < i; k++)
			{
				CovUnit    *u = by_row[k];

				u->row_proc = palloc(Max(u->nprocs, 1) * sizeof(int32));
				for (p = 0; p < u->nprocs; p++)
				{
					int			id = code_table_lookup(&row_table, u->procs.code[p], u->procs.len[p], row_nprocs);

					if (id < 0)
						id = row_nprocs++;
					u->row_proc[p] = id;
				}
			}
			code_table_free(&row_table);
			if (row_nprocs > row_qual_size)
			{
				row_qual_size = Max(row_nprocs, 2 * row_qual_size);
				row_qual = row_qual ? repalloc(row_qual, row_qual_size) : palloc(row_qual_size);
			}
		}
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
				int			m;

				memset(row_qual, 0, row_nprocs);
				for (k = first; k < i; k++)
				{
					CovUnit    *u = by_row[k];

					for (p = 0; p < u->nprocs; p++)
						if (qualifies(u, p, den[f], offer[f]))
							row_qual[u->row_proc[p]] |= 1 |
								((DatumGetInt32(u->flags[p]) & num[f]) == num[f] ? 2 : 0);
				}
				for (m = 0; m < row_nprocs; m++)
				{
					d += row_qual[m] & 1;
					n += row_qual[m] >> 1;
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
