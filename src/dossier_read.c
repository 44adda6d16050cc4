/*-------------------------------------------------------------------------
 *
 * dossier_read.c
 *		kpi.read_dossier(...): one staged row of a dossier export, read and
 *		checked in one pass, for kpi.ingest_dossiers.
 *
 * The cells come as text, as a CSV file has them: dates in ISO or
 * day-first form with an optional time and zone, booleans and channels in
 * English or Vietnamese.  The function trims each cell, reads it, and
 * returns the typed row with every reason it cannot be loaded, joined by
 * "; ", in the order of the columns (docs/loading.md lists them).  What
 * needs the other rows (a code twice in the load, a unit that does not
 * exist) the caller finds set-wise and hands in; the reasons stay in order.
 *
 * The grammar of a date (docs/loading.md):
 *		date	:= Y-M-D | D/M/Y			Y four digits, M and D one or two
 *		time	:= H:MI[:S[.F]]				H one or two digits, MI and S two,
 *											F one to six
 *		zone	:= Z | UTC | (+|-)HH[[:]MM]	HH two digits, MM two
 *		instant := date [(' ' | 'T') time [[' '] zone]]
 * A row is "not a date" when its shape is not this; "before 2000" when its
 * year is; "an impossible date or time" when the numbers make no instant
 * (30 February, 24:00, a zone beyond 14 hours); "more than a day in the
 * future" when it is.  Without a zone a time is local time in the zone
 * given (kpi.time_zone).
 *
 * Booleans and channels in the forms written most (true, có, Trực tuyến)
 * are recognised here; any other spelling is handed to kpi.read_boolean and
 * kpi.read_channel, which fold case and diacritics, so both paths accept
 * exactly the same words.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"
#include "utils/array.h"
#include "utils/hsearch.h"
#include "executor/spi.h"


#define CODE_MAX 100			/* characters, as the checks of the tables */

/* the cells, in the order of kpi.staging_dossier */
enum
{
	C_CODE, C_UNIT, C_PROC, C_REC, C_CHAN, C_FEE, C_PAID, C_DIG, C_REU, C_RES, C_ERES, C_DUE,
	N_CELLS
};
static const char *const cell_name[N_CELLS] = {
	"dossier_code", "unit_code", "procedure_code", "received_at", "channel", "fee_required",
	"paid_online", "digitized", "reused_data", "resolved_at", "e_result", "due_at"
};

/* the columns of kpi.dossier_read */
enum
{
	O_CODE, O_UNIT, O_PROC, O_REC, O_CHAN, O_FEE, O_PAID, O_DIG, O_REU, O_RES, O_ERES, O_DUE,
	O_REASON, O_BLANK, N_OUT
};

/* a unit code in lower case (ASCII: unit codes are), and the code as kpi.unit has it */
typedef struct
{
	char		key[CODE_MAX + 1];
	Datum		code;			/* text */
} UnitEntry;

typedef struct
{
	char		tzname[TZ_STRLEN_MAX + 1];
	pg_tz	   *tz;
	TupleDesc	desc;
	FmgrInfo	read_boolean;
	FmgrInfo	read_channel;
	bool		utf8;
	HTAB	   *units;			/* kpi.unit, read once a statement */
	Datum		online,
				direct,
				postal;			/* the channels, as text */
	text	   *tztext;			/* the time zone's name as given */
} ReadCache;

/*
 * Strict: the first row that is not good is an error of this SQLSTATE,
 * which kpi.ingest_dossiers catches to load the file the careful way (a
 * clean file is loaded in one pass; a code read twice is caught there by
 * the primary key).
 */
#define ERRCODE_KPI_NOT_CLEAN MAKE_SQLSTATE('K','P','0','0','1')

typedef struct
{
	const char *p;				/* trimmed; NULL for a NULL cell */
	int			len;
	Datum		whole;			/* the argument itself, when nothing was trimmed; else 0 */
} Cell;

typedef enum
{
	T_OK, T_NOT_DATE, T_BEFORE_2000, T_IMPOSSIBLE
} TimeRead;

/* ---------------------------------------------------------------------------
 * Cells
 * ---------------------------------------------------------------------------
 */

/* The blanks the ingest trims: space, tab, CR, LF; with UTF-8, no-break space and BOM. */
static int
blank_at(const char *p, int left, bool utf8)
{
	if (left >= 1 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		return 1;
	if (utf8 && left >= 2 && (unsigned char) p[0] == 0xC2 && (unsigned char) p[1] == 0xA0)
		return 2;
	if (utf8 && left >= 3 && (unsigned char) p[0] == 0xEF && (unsigned char) p[1] == 0xBB &&
		(unsigned char) p[2] == 0xBF)
		return 3;
	return 0;
}

static int
blank_before(const char *start, const char *end, bool utf8)
{
	int			left = end - start;

	if (left >= 1 && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		return 1;
	if (utf8 && left >= 2 && (unsigned char) end[-2] == 0xC2 && (unsigned char) end[-1] == 0xA0)
		return 2;
	if (utf8 && left >= 3 && (unsigned char) end[-3] == 0xEF && (unsigned char) end[-2] == 0xBB &&
		(unsigned char) end[-1] == 0xBF)
		return 3;
	return 0;
}

static Cell
cell(FunctionCallInfo fcinfo, int arg, bool utf8)
{
	Cell		c = {NULL, 0, (Datum) 0};
	text	   *t;
	const char *p;
	const char *end;
	int			n;

	if (PG_ARGISNULL(arg))
		return c;
	t = PG_GETARG_TEXT_PP(arg);
	p = VARDATA_ANY(t);
	end = p + VARSIZE_ANY_EXHDR(t);
	while (p < end && (n = blank_at(p, end - p, utf8)) > 0)
		p += n;
	while (end > p && (n = blank_before(p, end, utf8)) > 0)
		end -= n;
	c.p = p;
	c.len = end - p;
	if (p == VARDATA_ANY(t) && end == VARDATA_ANY(t) + VARSIZE_ANY_EXHDR(t))
		c.whole = PointerGetDatum(t);
	return c;
}

static bool
cell_empty(Cell c)
{
	return c.p == NULL || c.len == 0;
}

static bool
cell_is(Cell c, const char *word)
{
	int			n = strlen(word);

	return c.p != NULL && c.len == n && memcmp(c.p, word, n) == 0;
}

static bool
cell_is_ci(Cell c, const char *word)
{
	int			n = strlen(word);

	return c.p != NULL && c.len == n && pg_strncasecmp(c.p, word, n) == 0;
}

static Datum
cell_text(Cell c)
{
	if (c.whole != (Datum) 0)
		return c.whole;
	return PointerGetDatum(cstring_to_text_with_len(c.p ? c.p : "", c.p ? c.len : 0));
}

/* The cell as a message quotes it: "..." (NULL as the empty string). */
static void
quote_cell(StringInfo buf, Cell c)
{
	appendStringInfoChar(buf, '"');
	if (c.p)
		appendBinaryStringInfo(buf, c.p, c.len);
	appendStringInfoChar(buf, '"');
}

/* The first n characters of a cell. */
static void
quote_prefix(StringInfo buf, Cell c, int n)
{
	appendStringInfoChar(buf, '"');
	appendBinaryStringInfo(buf, c.p, pg_mbcharcliplen(c.p, c.len, n));
}

/* Before a reason: the buffer is made on the first (good rows make none), then "; ". */
static void
reason_start(StringInfo buf)
{
	if (buf->data == NULL)
		initStringInfo(buf);
	else if (buf->len > 0)
		appendStringInfoString(buf, "; ");
}

/* ---------------------------------------------------------------------------
 * Dates
 * ---------------------------------------------------------------------------
 */

static int
digits(const char *p, const char *end)
{
	const char *s = p;

	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p - s;
}

static int
number(const char *p, int n)
{
	int			v = 0;

	while (n-- > 0)
		v = v * 10 + (*p++ - '0');
	return v;
}

static TimeRead
read_time(Cell c, pg_tz *tz, TimestampTz *at)
{
	const char *p = c.p;
	const char *end = c.p + c.len;
	const char *a;
	int			n1,
				n2,
				n3;
	char		sep;
	int			y,
				mo,
				d,
				h = 0,
				mi = 0,
				s = 0;
	int			usec = 0;
	bool		has_time = false;
	bool		has_zone = false;
	bool		utc = false;
	int			off = 0;		/* minutes east of UTC */
	int			zh = 0,
				zm = 0;
	struct pg_tm tm;
	int			tzoff;
	Timestamp	local;

	/* the date: three runs of digits, both separators the same */
	a = p;
	n1 = digits(p, end);
	if (n1 == 0 || p + n1 >= end || (p[n1] != '-' && p[n1] != '/'))
		return T_NOT_DATE;
	sep = p[n1];
	p += n1 + 1;
	n2 = digits(p, end);
	if (n2 == 0 || p + n2 >= end || p[n2] != sep)
		return T_NOT_DATE;
	p += n2 + 1;
	n3 = digits(p, end);
	if (n3 == 0)
		return T_NOT_DATE;
	if (sep == '-')
	{
		if (n1 != 4 || n2 > 2 || n3 > 2)
			return T_NOT_DATE;
		y = number(a, n1);
		mo = number(a + n1 + 1, n2);
		d = number(p, n3);
	}
	else
	{
		if (n3 != 4 || n2 > 2 || n1 > 2)
			return T_NOT_DATE;
		d = number(a, n1);
		mo = number(a + n1 + 1, n2);
		y = number(p, n3);
	}
	p += n3;

	/* the time */
	if (p < end)
	{
		int			nh,
					nmi,
					ns = 0,
					nf = 0;

		if (*p != ' ' && *p != 'T')
			return T_NOT_DATE;
		p++;
		nh = digits(p, end);
		if (nh == 0 || p + nh >= end || p[nh] != ':')
			return T_NOT_DATE;
		h = number(p, nh);
		p += nh + 1;
		nmi = digits(p, end);
		if (nmi == 0)
			return T_NOT_DATE;
		mi = number(p, Min(nmi, 3));
		p += nmi;
		if (p < end && *p == ':')
		{
			p++;
			ns = digits(p, end);
			if (ns == 0)
				return T_NOT_DATE;
			s = number(p, Min(ns, 3));
			p += ns;
			if (p < end && *p == '.')
			{
				p++;
				nf = digits(p, end);
				if (nf == 0)
					return T_NOT_DATE;
				if (nf <= 6)
				{
					usec = number(p, nf);
					for (int k = nf; k < 6; k++)
						usec *= 10;
				}
				p += nf;
			}
		}
		/* the zone, a blank before it allowed */
		if (p < end)
		{
			const char *z;
			int			nz1,
						nz2 = 0;
			bool		colon = false;

			if (*p == ' ')
				p++;
			if (p >= end)
				return T_NOT_DATE;
			z = p;
			if (end - p == 1 && *p == 'Z')
				utc = true;
			else if (end - p == 3 && memcmp(p, "UTC", 3) == 0)
				utc = true;
			else if (*p == '+' || *p == '-')
			{
				p++;
				nz1 = digits(p, end);
				if (nz1 == 0)
					return T_NOT_DATE;
				p += nz1;
				if (p < end && *p == ':')
				{
					colon = true;
					p++;
				}
				if (p < end)
				{
					nz2 = digits(p, end);
					if (nz2 == 0)
						return T_NOT_DATE;
					p += nz2;
				}
				else if (colon)
					return T_NOT_DATE;
				if (p != end)
					return T_NOT_DATE;
				/* +07, +0700 or +07:00 */
				if (colon ? !(nz1 == 2 && nz2 == 2) : !((nz1 == 2 && nz2 == 0) || nz1 == 4))
					return T_NOT_DATE;
				zh = number(z + 1, 2);
				zm = nz1 == 4 ? number(z + 3, 2) : (colon ? number(z + 4, 2) : 0);
				off = (*z == '-' ? -1 : 1) * (zh * 60 + zm);
				has_zone = true;
			}
			else
				return T_NOT_DATE;
		}
		if (nh > 2 || nmi != 2 || (ns != 0 && ns != 2) || nf > 6)
			return T_NOT_DATE;
		has_time = true;
	}
	(void) has_time;

	if (y < 2000)
		return T_BEFORE_2000;
	if (mo < 1 || mo > 12 || d < 1 || d > day_tab[isleap(y)][mo - 1] ||
		h > 23 || mi > 59 || s > 59 || zm > 59 || zh * 60 + zm > 14 * 60)
		return T_IMPOSSIBLE;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y;
	tm.tm_mon = mo;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	if (utc)
		tzoff = 0;
	else if (has_zone)
		tzoff = -off * 60;
	else
	{
		if (tm2timestamp(&tm, usec, NULL, &local) != 0)
			return T_IMPOSSIBLE;
		tzoff = DetermineTimeZoneOffset(&tm, tz);
	}
	if (tm2timestamp(&tm, usec, &tzoff, at) != 0)
		return T_IMPOSSIBLE;
	return T_OK;
}

/*
 * A date cell: true when it is a good date, else a reason; an empty cell is
 * NULL (allowed unless required).  *parsed tells whether it is an instant
 * at all, even too far in the future, for the rules between cells.
 */
static bool
date_cell(StringInfo reason, Cell c, int col, bool required, pg_tz *tz, TimestampTz limit,
		  TimestampTz *at, bool *parsed)
{
	TimeRead	r;

	*parsed = false;
	if (cell_empty(c))
	{
		if (required)
		{
			reason_start(reason);
			appendStringInfo(reason, "%s is empty", cell_name[col]);
		}
		return false;
	}
	r = read_time(c, tz, at);
	*parsed = r == T_OK;
	if (r == T_OK && *at <= limit)
		return true;
	reason_start(reason);
	appendStringInfo(reason, "%s ", cell_name[col]);
	quote_cell(reason, c);
	appendStringInfoString(reason,
						   r == T_NOT_DATE ? " is not a date" :
						   r == T_BEFORE_2000 ? " is before 2000" :
						   r == T_IMPOSSIBLE ? " is an impossible date or time" :
						   " is more than a day in the future");
	return false;
}

/* ---------------------------------------------------------------------------
 * Words
 * ---------------------------------------------------------------------------
 */

/* A boolean cell: true, false, or NULL (not a boolean); empty is false. */
static int
read_bool(ReadCache *cache, Cell c)
{
	Datum		d;
	LOCAL_FCINFO(fc, 1);

	if (cell_empty(c))
		return 0;
	if (cell_is(c, "t") || cell_is(c, "true") || cell_is(c, "1") || cell_is(c, "TRUE") ||
		cell_is(c, "True") || cell_is(c, "có") || cell_is(c, "Có"))
		return 1;
	if (cell_is(c, "f") || cell_is(c, "false") || cell_is(c, "0") || cell_is(c, "FALSE") ||
		cell_is(c, "False") || cell_is(c, "không") || cell_is(c, "Không"))
		return 0;
	InitFunctionCallInfoData(*fc, &cache->read_boolean, 1, InvalidOid, NULL, NULL);
	fc->args[0].value = cell_text(c);
	fc->args[0].isnull = false;
	d = FunctionCallInvoke(fc);
	return fc->isnull ? -1 : DatumGetBool(d) ? 1 : 0;
}

/* A channel cell: online, direct, postal, or NULL. */
static const char *
read_chan(ReadCache *cache, Cell c)
{
	Datum		d;
	LOCAL_FCINFO(fc, 1);

	if (cell_is(c, "online") || cell_is(c, "Trực tuyến") || cell_is(c, "trực tuyến"))
		return "online";
	if (cell_is(c, "direct") || cell_is(c, "Trực tiếp") || cell_is(c, "trực tiếp"))
		return "direct";
	if (cell_is(c, "postal") || cell_is(c, "Bưu chính") || cell_is(c, "bưu chính"))
		return "postal";
	InitFunctionCallInfoData(*fc, &cache->read_channel, 1, InvalidOid, NULL, NULL);
	fc->args[0].value = cell_text(c);
	fc->args[0].isnull = false;
	d = FunctionCallInvoke(fc);
	if (fc->isnull)
		return NULL;
	return text_to_cstring(DatumGetTextPP(d));
}

static void
bool_cell(StringInfo reason, ReadCache *cache, Cell c, int col, Datum *value, bool *isnull)
{
	int			b = read_bool(cache, c);

	if (b < 0)
	{
		reason_start(reason);
		appendStringInfo(reason, "%s ", cell_name[col]);
		quote_cell(reason, c);
		appendStringInfoString(reason, " is not a boolean");
		*isnull = true;
		return;
	}
	*value = BoolGetDatum(b == 1);
	*isnull = false;
}

/* A code cell: empty, longer than CODE_MAX characters, or the code. */
static bool
code_cell(StringInfo reason, Cell c, int col)
{
	if (cell_empty(c))
	{
		reason_start(reason);
		appendStringInfo(reason, "%s is empty", cell_name[col]);
		return false;
	}
	if (c.len > CODE_MAX && pg_mbstrlen_with_len(c.p, c.len) > CODE_MAX)
	{
		reason_start(reason);
		appendStringInfo(reason, "%s ", cell_name[col]);
		quote_prefix(reason, c, 20);
		appendStringInfoString(reason, "…\" is longer than 100 characters");
		return false;
	}
	return true;
}

static Oid
kpi_function(const char *name)
{
	Oid			argtypes[1] = {TEXTOID};

	return LookupFuncName(list_make2(makeString("kpi"), makeString(pstrdup(name))), 1, argtypes, false);
}

/* ---------------------------------------------------------------------------
 * kpi.read_dossier
 * ---------------------------------------------------------------------------
 */

/* A cell as a key of the caches: at most CODE_MAX bytes, ASCII in lower case. */
static bool
cache_key(Cell c, char *key)
{
	if (c.p == NULL || c.len == 0 || c.len > CODE_MAX)
		return false;
	for (int i = 0; i < c.len; i++)
		key[i] = pg_ascii_tolower((unsigned char) c.p[i]);
	key[c.len] = '\0';
	return true;
}

/* kpi.unit's codes, keyed in lower case: a code in a file matches in any letter case. */
static HTAB *
read_units(MemoryContext cxt)
{
	HASHCTL		ctl;
	HTAB	   *units;
	uint64		i;

	ctl.keysize = CODE_MAX + 1;
	ctl.entrysize = sizeof(UnitEntry);
	ctl.hcxt = cxt;
	units = hash_create("kpi.read_dossier units", 256, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "kpi.read_dossier: SPI_connect failed");
	if (SPI_execute("SELECT u.code FROM kpi.unit AS u", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "kpi.read_dossier: cannot read kpi.unit");
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *code = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		Cell		c = {code, strlen(code), (Datum) 0};
		char		key[CODE_MAX + 1];
		UnitEntry  *e;
		bool		found;

		if (!cache_key(c, key))
			continue;
		e = hash_search(units, key, HASH_ENTER, &found);
		{
			MemoryContext old = MemoryContextSwitchTo(cxt);

			e->code = CStringGetTextDatum(code);
			MemoryContextSwitchTo(old);
		}
	}
	SPI_finish();
	return units;
}

/*
 * kpi.read_dossier(dossier_code, unit_code, procedure_code, received_at,
 * channel, fee_required, paid_online, digitized, reused_data, resolved_at,
 * e_result, due_at: the cells as text; repeats: how many rows of the load
 * have this row's dossier code, NULL for one (the caller counts them, in
 * SQL that spills to disk, so memory does not grow with the file);
 * time_zone; strict: stop at the first row that is not good) returns
 * kpi.dossier_read.  The unit is matched to kpi.unit's codes in any letter
 * case (read once a statement).
 */
PG_FUNCTION_INFO_V1(kpi_read_dossier);
Datum
kpi_read_dossier(PG_FUNCTION_ARGS)
{
	ReadCache  *cache = (ReadCache *) fcinfo->flinfo->fn_extra;
	Cell		c[N_CELLS];
	Datum		out[N_OUT];
	bool		nulls[N_OUT];
	StringInfoData reason;
	TimestampTz limit;
	TimestampTz rec_at = 0;
	TimestampTz res_at = 0;
	TimestampTz due_at = 0;
	bool		rec_ok,
				res_ok,
				due_ok,
				rec_parsed,
				res_parsed,
				due_parsed;
	bool		blank = true;
	const char *chan;
	char	   *tzname;
	bool		strict = !PG_ARGISNULL(14) && PG_GETARG_BOOL(14);
	int			i;

	if (PG_ARGISNULL(13))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("kpi.read_dossier: the time zone must not be NULL")));
	if (cache == NULL)
	{
		TupleDesc	desc;

		MemoryContext old;

		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ReadCache));
		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "kpi.read_dossier must return a composite type");
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		cache->desc = CreateTupleDescCopy(desc);
		MemoryContextSwitchTo(old);
		fmgr_info_cxt(kpi_function("read_boolean"), &cache->read_boolean, fcinfo->flinfo->fn_mcxt);
		fmgr_info_cxt(kpi_function("read_channel"), &cache->read_channel, fcinfo->flinfo->fn_mcxt);
		cache->utf8 = GetDatabaseEncoding() == PG_UTF8;
		cache->units = read_units(fcinfo->flinfo->fn_mcxt);
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		cache->online = CStringGetTextDatum("online");
		cache->direct = CStringGetTextDatum("direct");
		cache->postal = CStringGetTextDatum("postal");
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = cache;
	}
	{
		text	   *tzarg = PG_GETARG_TEXT_PP(13);

		if (cache->tztext != NULL && VARSIZE_ANY_EXHDR(tzarg) == VARSIZE_ANY_EXHDR(cache->tztext) &&
			memcmp(VARDATA_ANY(tzarg), VARDATA_ANY(cache->tztext), VARSIZE_ANY_EXHDR(tzarg)) == 0)
			tzname = NULL;		/* the same zone as the previous row's */
		else
		{
			tzname = text_to_cstring(tzarg);
			cache->tztext = (text *) MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, VARSIZE_ANY(tzarg));
			memcpy(cache->tztext, tzarg, VARSIZE_ANY(tzarg));
		}
	}
	if (tzname != NULL)
	{
		pg_tz	   *tz = pg_tzset(tzname);

		if (tz == NULL || strlen(tzname) > TZ_STRLEN_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("time zone \"%s\" not recognized", tzname)));
		strlcpy(cache->tzname, tzname, sizeof(cache->tzname));
		cache->tz = tz;
	}

	for (i = 0; i < N_CELLS; i++)
	{
		c[i] = cell(fcinfo, i, cache->utf8);
		if (!cell_empty(c[i]))
			blank = false;
	}
	memset(nulls, true, sizeof(nulls));
	reason.data = NULL;
	reason.len = 0;
	out[O_BLANK] = BoolGetDatum(blank);
	nulls[O_BLANK] = false;
	if (blank)
	{
		nulls[O_REASON] = true;
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(cache->desc, out, nulls)));
	}

	/* the file's header, copied as a row */
	if (cell_is_ci(c[C_CODE], "dossier_code") && cell_is_ci(c[C_UNIT], "unit_code") &&
		cell_is_ci(c[C_PROC], "procedure_code") && cell_is_ci(c[C_REC], "received_at") &&
		cell_is_ci(c[C_CHAN], "channel"))
	{
		if (strict)
			ereport(ERROR,
					(errcode(ERRCODE_KPI_NOT_CLEAN),
					 errmsg("kpi.read_dossier: a row is the file's header")));
		out[O_REASON] = CStringGetTextDatum("the file's header line, read as a row: copy the file WITH (FORMAT csv, HEADER)");
		nulls[O_REASON] = false;
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(cache->desc, out, nulls)));
	}

	limit = GetCurrentStatementStartTimestamp() + USECS_PER_DAY;

	/* dossier_code, then the load's duplicates */
	if (code_cell(&reason, c[C_CODE], C_CODE))
	{
		int64		dup = PG_ARGISNULL(12) ? 1 : PG_GETARG_INT64(12);

		if (dup > 1)
		{
			reason_start(&reason);
			appendStringInfoString(&reason, "dossier_code ");
			quote_cell(&reason, c[C_CODE]);
			appendStringInfo(&reason, " appears in " INT64_FORMAT " rows of this load", dup);
		}
		out[O_CODE] = cell_text(c[C_CODE]);
		nulls[O_CODE] = false;
	}
	/* unit_code: the unit's own code, in any letter case */
	if (cell_empty(c[C_UNIT]))
	{
		reason_start(&reason);
		appendStringInfoString(&reason, "unit_code is empty");
	}
	else
	{
		char		key[CODE_MAX + 1];
		UnitEntry  *unit = cache_key(c[C_UNIT], key) ? hash_search(cache->units, key, HASH_FIND, NULL) : NULL;

		if (unit == NULL)
		{
			reason_start(&reason);
			appendStringInfoString(&reason, "unit_code ");
			appendStringInfoChar(&reason, '"');
			appendBinaryStringInfo(&reason, c[C_UNIT].p, pg_mbcharcliplen(c[C_UNIT].p, c[C_UNIT].len, CODE_MAX));
			appendStringInfoString(&reason, "\" is not a known unit");
		}
		else
		{
			out[O_UNIT] = unit->code;
			nulls[O_UNIT] = false;
		}
	}
	if (code_cell(&reason, c[C_PROC], C_PROC))
	{
		out[O_PROC] = cell_text(c[C_PROC]);
		nulls[O_PROC] = false;
	}
	rec_ok = date_cell(&reason, c[C_REC], C_REC, true, cache->tz, limit, &rec_at, &rec_parsed);
	if (rec_ok)
	{
		out[O_REC] = TimestampTzGetDatum(rec_at);
		nulls[O_REC] = false;
	}
	if (cell_empty(c[C_CHAN]))
	{
		reason_start(&reason);
		appendStringInfoString(&reason, "channel is empty");
	}
	else if ((chan = read_chan(cache, c[C_CHAN])) == NULL)
	{
		reason_start(&reason);
		appendStringInfoString(&reason, "channel ");
		quote_cell(&reason, c[C_CHAN]);
		appendStringInfoString(&reason, " is not online, direct or postal");
	}
	else
	{
		out[O_CHAN] = strcmp(chan, "online") == 0 ? cache->online :
			strcmp(chan, "direct") == 0 ? cache->direct : cache->postal;
		nulls[O_CHAN] = false;
	}
	bool_cell(&reason, cache, c[C_FEE], C_FEE, &out[O_FEE], &nulls[O_FEE]);
	bool_cell(&reason, cache, c[C_PAID], C_PAID, &out[O_PAID], &nulls[O_PAID]);
	bool_cell(&reason, cache, c[C_DIG], C_DIG, &out[O_DIG], &nulls[O_DIG]);
	bool_cell(&reason, cache, c[C_REU], C_REU, &out[O_REU], &nulls[O_REU]);
	res_ok = date_cell(&reason, c[C_RES], C_RES, false, cache->tz, limit, &res_at, &res_parsed);
	if (res_ok)
	{
		out[O_RES] = TimestampTzGetDatum(res_at);
		nulls[O_RES] = false;
	}
	bool_cell(&reason, cache, c[C_ERES], C_ERES, &out[O_ERES], &nulls[O_ERES]);
	due_ok = date_cell(&reason, c[C_DUE], C_DUE, false, cache->tz, PG_INT64_MAX, &due_at, &due_parsed);
	if (due_ok)
	{
		out[O_DUE] = TimestampTzGetDatum(due_at);
		nulls[O_DUE] = false;
	}

	/* the rules between cells */
	if (rec_parsed && res_parsed && res_at < rec_at)
	{
		reason_start(&reason);
		appendStringInfoString(&reason, "resolved_at ");
		quote_cell(&reason, c[C_RES]);
		appendStringInfoString(&reason, " is before received_at ");
		quote_cell(&reason, c[C_REC]);
	}
	if (!nulls[O_PAID] && DatumGetBool(out[O_PAID]) && !nulls[O_FEE] && !DatumGetBool(out[O_FEE]))
	{
		reason_start(&reason);
		appendStringInfoString(&reason, "paid_online ");
		quote_cell(&reason, c[C_PAID]);
		appendStringInfoString(&reason, " without a fee (fee_required ");
		quote_cell(&reason, c[C_FEE]);
		appendStringInfoChar(&reason, ')');
	}
	if (!nulls[O_ERES] && DatumGetBool(out[O_ERES]) && cell_empty(c[C_RES]))
	{
		reason_start(&reason);
		appendStringInfoString(&reason, "e_result ");
		quote_cell(&reason, c[C_ERES]);
		appendStringInfoString(&reason, " but resolved_at is empty (an electronic result needs a resolved dossier)");
	}
	if (rec_parsed && due_parsed && due_at < rec_at)
	{
		reason_start(&reason);
		appendStringInfoString(&reason, "due_at ");
		quote_cell(&reason, c[C_DUE]);
		appendStringInfoString(&reason, " is before received_at ");
		quote_cell(&reason, c[C_REC]);
	}

	if (reason.len > 0)
	{
		out[O_REASON] = PointerGetDatum(cstring_to_text_with_len(reason.data, reason.len));
		nulls[O_REASON] = false;
	}
	if (strict && reason.len > 0)
		ereport(ERROR,
				(errcode(ERRCODE_KPI_NOT_CLEAN),
				 errmsg("kpi.read_dossier: a row is rejected: %s", reason.data)));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(cache->desc, out, nulls)));
}
