-- Security.
--  1. Every SQL or PL/pgSQL function of kpi_ext pins its search_path (or has
--     a BEGIN ATOMIC body, bound when created) and none is SECURITY DEFINER.
--  2. Look-alikes of the built-in functions, aggregates and operators that
--     kpi_ext's code could call (round, lower, format, count(*), sum, ||,
--     =, +, ...) created in schema public, temporary tables named like
--     kpi_ext's tables, and search_path = public, pg_catalog, kpi: the same
--     work (CREATE EXTENSION, kpi.load_sample, edits through the triggers,
--     kpi.refresh, kpi.report_markdown, the C functions and aggregates, every
--     view and table) gives the same results as with a plain search_path.
--  3. The read-only role recipe of docs/install.md: reads every view, not
--     the tables, cannot load or refresh; writing needs explicit grants.
--     The roles are named regress_kpi_* so that an installcheck against a
--     real server cannot touch a DBA's own kpi_reader; they are dropped at
--     the end.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;

------------------------------------------------------------------------
-- 1. Static check
------------------------------------------------------------------------
-- SQL and PL/pgSQL functions without a pinned search_path (expect none)
SELECT p.oid::pg_catalog.regprocedure AS function, l.lanname AS language
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
WHERE p.pronamespace = 'kpi'::pg_catalog.regnamespace
  AND l.lanname NOT IN ('c', 'internal')
  AND p.prosqlbody IS NULL
  AND NOT EXISTS (SELECT FROM pg_catalog.unnest(p.proconfig) AS c WHERE c LIKE 'search\_path=%')
ORDER BY 1::text;
-- pinned search_paths that let a user's schema in, or do not put pg_temp
-- last (pg_temp is searched first for tables unless listed): expect none
SELECT p.oid::pg_catalog.regprocedure AS function, c AS setting
FROM pg_catalog.pg_proc AS p
CROSS JOIN LATERAL pg_catalog.unnest(p.proconfig) AS c
WHERE p.pronamespace = 'kpi'::pg_catalog.regnamespace
  AND c LIKE 'search\_path=%'
  AND (c ~* '(public|\$user)' OR c !~ 'pg_temp$')
ORDER BY 1::text;
-- SECURITY DEFINER functions: only the trigger functions that check and
-- cascade references between tables, as a foreign key does with its
-- owner's rights (a trigger function cannot be called directly), each with
-- a safe search_path (above)
SELECT p.oid::pg_catalog.regprocedure AS security_definer,
       p.prorettype = 'trigger'::pg_catalog.regtype AS trigger_only
FROM pg_catalog.pg_proc AS p
WHERE p.pronamespace = 'kpi'::pg_catalog.regnamespace AND p.prosecdef
ORDER BY p.proname;
SELECT pg_temp.err('SELECT kpi.check_references()') AS called_directly;
-- some functions are checked at all
SELECT pg_catalog.count(*) >= 5 AS has_plpgsql_functions
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
WHERE p.pronamespace = 'kpi'::pg_catalog.regnamespace AND l.lanname IN ('sql', 'plpgsql');

------------------------------------------------------------------------
-- 2. Look-alikes
------------------------------------------------------------------------
-- The work, the same in both phases: each statement adds rows (what, line)
-- to public.security_result for the phase in setting kpi_test.phase.  Its
-- statements qualify every name and use no operator of their own, so only
-- kpi_ext's code meets the look-alikes.
CREATE TABLE public.security_result (phase text, what text, line text);
CREATE TABLE public.security_work (n integer PRIMARY KEY, stmt text NOT NULL);
INSERT INTO public.security_work VALUES
 (1, $q$INSERT INTO public.security_result SELECT pg_catalog.current_setting('kpi_test.phase'), 'load_sample', (kpi.load_sample() > 0)::text$q$),
 (2, $q$INSERT INTO kpi.unit (code, name, level, sort_order) VALUES ('so-thu-nghiem', 'Sở Thử nghiệm', 'province', 99)$q$),
 (3, $q$INSERT INTO kpi.unit (code, name, level, parent_code, sort_order) VALUES ('xa-thu-nghiem', 'Xã Thử nghiệm', 'commune', (SELECT u.code FROM kpi.unit AS u WHERE u.level OPERATOR(pg_catalog.=) 'district' ORDER BY u.sort_order LIMIT 1), 99)$q$),
 (4, $q$UPDATE kpi.assigned_target SET target = 42.5 WHERE ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT a.ctid FROM kpi.assigned_target AS a ORDER BY a.period, a.level, a.unit_code, a.indicator LIMIT 3))$q$),
 (5, $q$INSERT INTO kpi.service (unit_code, procedure_code, online_service, online_payment) SELECT u.code, 'proc-' OPERATOR(pg_catalog.||) p::text, p OPERATOR(pg_catalog.<>) 3, p OPERATOR(pg_catalog.=) 1 FROM kpi.unit AS u CROSS JOIN pg_catalog.generate_series(1, 4) AS p WHERE u.level OPERATOR(pg_catalog.=) 'district'$q$),
 (6, $q$INSERT INTO kpi.dossier (dossier_code, unit_code, procedure_code, received_at, channel, fee_required, paid_online, digitized, reused_data, resolved_at, e_result) SELECT u.code OPERATOR(pg_catalog.||) '-' OPERATOR(pg_catalog.||) g::text, u.code, 'proc-' OPERATOR(pg_catalog.||) (g OPERATOR(pg_catalog.%) 4 OPERATOR(pg_catalog.+) 1)::text, timestamptz '2024-04-02 09:00+07' OPERATOR(pg_catalog.+) (g OPERATOR(pg_catalog.*) interval '19 hours'), (ARRAY['online', 'direct', 'postal'])[g OPERATOR(pg_catalog.%) 3 OPERATOR(pg_catalog.+) 1], g OPERATOR(pg_catalog.%) 2 OPERATOR(pg_catalog.=) 0, g OPERATOR(pg_catalog.%) 4 OPERATOR(pg_catalog.=) 0, g OPERATOR(pg_catalog.%) 5 OPERATOR(pg_catalog.<>) 0, g OPERATOR(pg_catalog.%) 3 OPERATOR(pg_catalog.=) 0, CASE WHEN g OPERATOR(pg_catalog.%) 6 OPERATOR(pg_catalog.<>) 0 THEN timestamptz '2024-04-02 09:00+07' OPERATOR(pg_catalog.+) (g OPERATOR(pg_catalog.*) interval '19 hours') OPERATOR(pg_catalog.+) interval '4 days' END, g OPERATOR(pg_catalog.%) 6 OPERATOR(pg_catalog.=) 1 FROM kpi.unit AS u CROSS JOIN pg_catalog.generate_series(1, 25) AS g WHERE u.level OPERATOR(pg_catalog.=) 'district'$q$),
 (7, $q$INSERT INTO public.security_result SELECT pg_catalog.current_setting('kpi_test.phase'), 'refresh 2024-Q2', kpi.refresh('2024-Q2')::text$q$),
 (8, $q$INSERT INTO public.security_result SELECT pg_catalog.current_setting('kpi_test.phase'), 'refresh 2024-05', kpi.refresh('2024-05')::text$q$),
 (9, $q$INSERT INTO public.security_result SELECT pg_catalog.current_setting('kpi_test.phase'), 'refresh 2024', kpi.refresh('2024')::text$q$),
 (10, $q$INSERT INTO public.security_result SELECT pg_catalog.current_setting('kpi_test.phase'), 'period_bounds', b::text FROM kpi.period_bounds('2024-Q3') AS b$q$),
 (11, $q$INSERT INTO public.security_result SELECT pg_catalog.current_setting('kpi_test.phase'), 'counts_from_dossiers', c::text FROM kpi.counts_from_dossiers('2024-Q2') AS c$q$),
 (12, $q$INSERT INTO public.security_result SELECT pg_catalog.current_setting('kpi_test.phase'), 'report_markdown ' OPERATOR(pg_catalog.||) p.label, kpi.report_markdown(p.label) FROM kpi.period AS p$q$),
 (13, $q$INSERT INTO public.security_result SELECT pg_catalog.current_setting('kpi_test.phase'), 'C functions', pg_catalog.concat_ws(' ', kpi.percent('59/72'::kpi.ratio), kpi.percent('59/72'::kpi.ratio, 3), kpi.gap('59/72'::kpi.ratio, 61), kpi.met('59/72'::kpi.ratio, 81.95), kpi.format_vi(1234.55), kpi.format_vi(100.0, 1, true), kpi.ratio(59, 72), kpi.numerator('59/72'), kpi.denominator('59/72'), '59/72'::kpi.ratio OPERATOR(kpi.=) '59/72'::kpi.ratio)$q$),
 (14, $q$INSERT INTO public.security_result SELECT pg_catalog.current_setting('kpi_test.phase'), 'aggregates', pg_catalog.concat_ws(' ', kpi.share(g OPERATOR(pg_catalog.%) 3 OPERATOR(pg_catalog.=) 0), kpi.sum(kpi.ratio(g, g OPERATOR(pg_catalog.*) 2)), kpi.coverage(g OPERATOR(pg_catalog.%) 7, g OPERATOR(pg_catalog.%) 2 OPERATOR(pg_catalog.=) 0), kpi.coverage((g OPERATOR(pg_catalog.%) 5)::text, g OPERATOR(pg_catalog.>) 50)) FROM pg_catalog.generate_series(1::bigint, 100::bigint) AS g$q$);
-- and every relation of schema kpi, row by row
INSERT INTO public.security_work
SELECT 100 + pg_catalog.row_number() OVER (ORDER BY c.relname),
       pg_catalog.format($q$INSERT INTO public.security_result SELECT pg_catalog.current_setting('kpi_test.phase'), %L, t::text FROM %s AS t$q$,
                         CASE c.relkind WHEN 'v' THEN 'view ' ELSE 'table ' END || c.oid::pg_catalog.regclass::text,
                         c.oid::pg_catalog.regclass)
FROM pg_catalog.pg_class AS c
WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('r', 'v', 'm');

-- Phase "plain": the usual search_path.  (ECHO none: the statements,
-- one per relation, are not part of the expected output.)
SET kpi_test.phase = 'plain';
\set ECHO none
SELECT stmt FROM public.security_work ORDER BY n \gexec
\set ECHO all
DROP EXTENSION kpi_ext;

-- The look-alikes, each returning a wrong value.
CREATE FUNCTION public.round(numeric, integer) RETURNS numeric LANGUAGE sql AS 'SELECT -1::numeric';
CREATE FUNCTION public.round(numeric) RETURNS numeric LANGUAGE sql AS 'SELECT -1::numeric';
CREATE FUNCTION public.trunc(numeric, integer) RETURNS numeric LANGUAGE sql AS 'SELECT -1::numeric';
CREATE FUNCTION public.abs(numeric) RETURNS numeric LANGUAGE sql AS 'SELECT -1::numeric';
CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.upper(text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.btrim(text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.length(text) RETURNS integer LANGUAGE sql AS 'SELECT -1';
CREATE FUNCTION public.substr(text, integer) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.substr(text, integer, integer) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.replace(text, text, text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.regexp_replace(text, text, text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.regexp_replace(text, text, text, text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.split_part(text, text, integer) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.format(text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.format(text, text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.format(text, text, text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.format(text, numeric) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.concat(text, text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.to_char(numeric, text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.to_char(timestamptz, text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.int4(text) RETURNS integer LANGUAGE sql AS 'SELECT -1';
CREATE FUNCTION public.make_date(integer, integer, integer) RETURNS date LANGUAGE sql AS $$SELECT date '1999-01-01'$$;
CREATE FUNCTION public.date_trunc(text, timestamptz) RETURNS timestamptz LANGUAGE sql AS $$SELECT timestamptz '1999-01-01'$$;
CREATE FUNCTION public.date_part(text, date) RETURNS double precision LANGUAGE sql AS 'SELECT -1::float8';
CREATE FUNCTION public.array_to_string(anyarray, text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.string_to_array(text, text) RETURNS text[] LANGUAGE sql AS $$SELECT '{hijacked}'::text[]$$;
CREATE FUNCTION public.current_setting(text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.generate_series(integer, integer) RETURNS SETOF integer LANGUAGE sql AS 'SELECT -1';
-- aggregates
CREATE FUNCTION public.bad_int8_acc(bigint, bigint) RETURNS bigint LANGUAGE sql AS 'SELECT -1000::bigint';
CREATE FUNCTION public.bad_num_acc(numeric, numeric) RETURNS numeric LANGUAGE sql AS 'SELECT -1000::numeric';
CREATE FUNCTION public.bad_text_acc(text, text, text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.bad_text_acc1(text, text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.bad_bool_acc(boolean, boolean) RETURNS boolean LANGUAGE sql AS 'SELECT NOT $1';
CREATE AGGREGATE public.count(*) (SFUNC = pg_catalog.int8inc, STYPE = bigint, INITCOND = '1000');
CREATE FUNCTION public.bad_count_acc(bigint, text) RETURNS bigint LANGUAGE sql AS 'SELECT -1000::bigint';
CREATE AGGREGATE public.count(text) (SFUNC = public.bad_count_acc, STYPE = bigint, INITCOND = '1000');
CREATE AGGREGATE public.sum(bigint) (SFUNC = public.bad_int8_acc, STYPE = bigint);
CREATE AGGREGATE public.sum(numeric) (SFUNC = public.bad_num_acc, STYPE = numeric);
CREATE AGGREGATE public.max(text) (SFUNC = public.bad_text_acc1, STYPE = text);
CREATE AGGREGATE public.min(text) (SFUNC = public.bad_text_acc1, STYPE = text);
CREATE AGGREGATE public.string_agg(text, text) (SFUNC = public.bad_text_acc, STYPE = text);
CREATE AGGREGATE public.bool_and(boolean) (SFUNC = public.bad_bool_acc, STYPE = boolean);
CREATE AGGREGATE public.bool_or(boolean) (SFUNC = public.bad_bool_acc, STYPE = boolean);
-- operators
CREATE FUNCTION public.bad_text_eq(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT NOT pg_catalog.texteq($1, $2)';
CREATE FUNCTION public.bad_text_cat(text, text) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.bad_int8_op(bigint, bigint) RETURNS bigint LANGUAGE sql AS 'SELECT -1::bigint';
CREATE FUNCTION public.bad_int4_op(integer, integer) RETURNS integer LANGUAGE sql AS 'SELECT -1';
CREATE FUNCTION public.bad_num_op(numeric, numeric) RETURNS numeric LANGUAGE sql AS 'SELECT -1::numeric';
CREATE FUNCTION public.bad_int8_cmp(bigint, bigint) RETURNS boolean LANGUAGE sql AS 'SELECT NOT pg_catalog.int8eq($1, $2)';
CREATE FUNCTION public.bad_int4_cmp(integer, integer) RETURNS boolean LANGUAGE sql AS 'SELECT NOT pg_catalog.int4eq($1, $2)';
CREATE FUNCTION public.bad_num_cmp(numeric, numeric) RETURNS boolean LANGUAGE sql AS 'SELECT NOT pg_catalog.numeric_eq($1, $2)';
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.bad_text_eq);
CREATE OPERATOR public.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = public.bad_text_eq);
CREATE OPERATOR public.~ (LEFTARG = text, RIGHTARG = text, FUNCTION = public.bad_text_eq);
CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = public.bad_text_cat);
CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.bad_int8_cmp);
CREATE OPERATOR public.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.bad_int4_cmp);
CREATE OPERATOR public.= (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.bad_num_cmp);
CREATE OPERATOR public.< (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.bad_num_cmp);
CREATE OPERATOR public.>= (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.bad_num_cmp);
CREATE OPERATOR public.+ (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.bad_int8_op);
CREATE OPERATOR public.+ (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.bad_int4_op);
CREATE OPERATOR public.- (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.bad_int4_op);
CREATE OPERATOR public.* (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.bad_num_op);
CREATE OPERATOR public./ (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.bad_num_op);
CREATE OPERATOR public.- (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.bad_num_op);

-- Phase "hostile": public before pg_catalog, from CREATE EXTENSION on.
SET search_path = public, pg_catalog, kpi;
-- the look-alikes are in effect for unqualified names
SELECT round(81.94, 1) AS round, lower('ABC') AS lower, format('%s', 'x') AS format,
       'a' || 'b' AS concat, 1::bigint + 1::bigint AS plus, 'x' = 'x' AS equal,
       (SELECT count(*) FROM (VALUES (1), (2)) AS v (x)) AS count;
CREATE EXTENSION kpi_ext;
-- look-alikes of kpi_ext's own functions, now that kpi.ratio exists
CREATE FUNCTION public.percent(kpi.ratio, integer DEFAULT 1) RETURNS numeric LANGUAGE sql AS 'SELECT -1::numeric';
CREATE FUNCTION public.numerator(kpi.ratio) RETURNS bigint LANGUAGE sql AS 'SELECT -1::bigint';
CREATE FUNCTION public.denominator(kpi.ratio) RETURNS bigint LANGUAGE sql AS 'SELECT -1::bigint';
CREATE FUNCTION public.gap(kpi.ratio, numeric) RETURNS numeric LANGUAGE sql AS 'SELECT -1::numeric';
CREATE FUNCTION public.met(kpi.ratio, numeric) RETURNS boolean LANGUAGE sql AS 'SELECT NULL::boolean';
CREATE FUNCTION public.format_vi(numeric, integer DEFAULT 1, boolean DEFAULT false) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
CREATE FUNCTION public.bad_ratio_acc(kpi.ratio, kpi.ratio) RETURNS kpi.ratio LANGUAGE sql AS $$SELECT '0/0'::kpi.ratio$$;
CREATE AGGREGATE public.sum(kpi.ratio) (SFUNC = public.bad_ratio_acc, STYPE = kpi.ratio);
-- temporary tables named like kpi_ext's (pg_temp comes first for tables
-- unless a search_path lists it)
CREATE TEMP TABLE unit (code text, name text, level text, parent_code text, sort_order integer, aliases text[]);
INSERT INTO unit VALUES ('hijacked', 'hijacked', 'province', NULL, 1, '{}');
CREATE TEMP TABLE period (label text, year integer, starts date, ends date, name_vi text, name_en text);
INSERT INTO period VALUES ('2024-Q1', 2024, '1999-01-01', '1999-12-31', 'hijacked', 'hijacked');
CREATE TEMP TABLE indicator (code text);
CREATE TEMP TABLE indicator_count (period text);
CREATE TEMP TABLE assigned_target (period text);
CREATE TEMP TABLE dossier (dossier_code text);
CREATE TEMP TABLE note (period text);
SET kpi_test.phase = 'hostile';
\set ECHO none
SELECT stmt FROM public.security_work ORDER BY n \gexec
\set ECHO all

-- Compare, with the plain search_path again.
RESET search_path;
DROP TABLE pg_temp.unit, pg_temp.period, pg_temp.indicator, pg_temp.indicator_count,
           pg_temp.assigned_target, pg_temp.dossier, pg_temp.note;
-- every result of one phase that the other lacks (expect none)
(SELECT 'only plain' AS side, what, line FROM public.security_result WHERE phase = 'plain'
 EXCEPT ALL
 SELECT 'only plain', what, line FROM public.security_result WHERE phase = 'hostile')
UNION ALL
(SELECT 'only hostile', what, line FROM public.security_result WHERE phase = 'hostile'
 EXCEPT ALL
 SELECT 'only hostile', what, line FROM public.security_result WHERE phase = 'plain')
ORDER BY 1, 2, 3;
-- what was compared
SELECT pg_catalog.count(DISTINCT what) FILTER (WHERE what LIKE 'view %') >= 12 AS every_view,
       pg_catalog.count(DISTINCT what) FILTER (WHERE what LIKE 'table %') >= 10 AS every_table,
       pg_catalog.count(DISTINCT what) FILTER (WHERE what LIKE 'report_markdown %') >= 4 AS reports,
       pg_catalog.count(*) FILTER (WHERE what LIKE 'refresh %') = 6 AS refreshes,
       pg_catalog.count(*) FILTER (WHERE what = 'table kpi.assigned_target' AND line LIKE '%,42.5)') = 6 AS edited_targets,
       pg_catalog.count(*) FILTER (WHERE line LIKE '%hijacked%' OR line LIKE '%1999-%') AS hijacked_lines
FROM public.security_result;
SELECT what, line FROM public.security_result
WHERE phase = 'plain' AND what IN ('C functions', 'aggregates', 'period_bounds', 'load_sample')
ORDER BY 1;

DROP AGGREGATE public.sum(kpi.ratio);
DROP FUNCTION public.bad_ratio_acc(kpi.ratio, kpi.ratio), public.percent(kpi.ratio, integer),
              public.numerator(kpi.ratio), public.denominator(kpi.ratio), public.gap(kpi.ratio, numeric),
              public.met(kpi.ratio, numeric), public.format_vi(numeric, integer, boolean);

------------------------------------------------------------------------
-- 3. The read-only role (docs/install.md, "Roles")
------------------------------------------------------------------------
CREATE ROLE regress_kpi_reader NOLOGIN;
GRANT USAGE ON SCHEMA kpi TO regress_kpi_reader;
DO $$
DECLARE
    v regclass;
BEGIN
    FOR v IN SELECT c.oid FROM pg_catalog.pg_class AS c
             WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('v', 'm')
    LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON %s TO regress_kpi_reader', v);
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.err(text) TO regress_kpi_reader;
CREATE TEMP TABLE reader_check (relation text, kind "char", result text);
GRANT SELECT, INSERT ON reader_check TO regress_kpi_reader;
SELECT line AS plain_report FROM public.security_result
WHERE phase = 'plain' AND what = 'report_markdown 2024-Q1' \gset

SET ROLE regress_kpi_reader;
-- every view and table of schema kpi, read by the reader
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.oid::pg_catalog.regclass AS rel, c.relkind FROM pg_catalog.pg_class AS c
             WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind IN ('r', 'v', 'm')
    LOOP
        INSERT INTO pg_temp.reader_check
        VALUES (r.rel::text, r.relkind, pg_temp.err(pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', r.rel)));
    END LOOP;
END
$$;
-- views the reader cannot read, tables it can (expect none; the catalogue's
-- reference tables are readable by every role)
SELECT relation, kind, result FROM pg_temp.reader_check
WHERE (kind = 'v' OR pg_catalog.has_table_privilege('public', relation, 'SELECT')) <> (result = 'no error')
ORDER BY 1;
SELECT pg_catalog.count(*) FILTER (WHERE kind = 'v' AND result = 'no error') >= 12 AS reads_every_view,
       pg_catalog.count(*) FILTER (WHERE kind = 'r' AND result LIKE '42501 permission denied for table %') >= 10 AS no_table
FROM pg_temp.reader_check;
SELECT unit_name, dossiers_received, online_dossiers, online_dossier_pct
FROM kpi.appendix_province_online WHERE period = '2024-Q1' AND row_no = 1;
-- no writing, no loading, no refreshing, nothing new in schema kpi
SELECT pg_temp.err($$UPDATE kpi.assigned_target SET target = 1$$) AS update_target;
SELECT pg_temp.err($$INSERT INTO kpi.unit (code, name, level) VALUES ('x', 'x', 'province')$$) AS insert_unit;
SELECT pg_temp.err($$DELETE FROM kpi.dossier$$) AS delete_dossiers;
SELECT pg_temp.err($$SELECT kpi.load_sample()$$) AS load_sample;
SELECT pg_temp.err($$SELECT kpi.refresh('2024-Q2')$$) AS refresh;
SELECT pg_temp.err($$CREATE VIEW kpi.mine AS SELECT 1 AS x$$) AS create_in_kpi;
-- kpi.report_markdown reads the reference tables as well as the views
SELECT pg_temp.err($$SELECT kpi.report_markdown('2024-Q1')$$) AS report_markdown;
RESET ROLE;

-- The recipe's optional line: the reference tables the report reads.
GRANT SELECT ON kpi.indicator, kpi.target, kpi.unit, kpi.note, kpi.period TO regress_kpi_reader;
SET ROLE regress_kpi_reader;
SELECT kpi.report_markdown('2024-Q1') = :'plain_report' AS same_report;
SELECT pg_temp.err($$SELECT pg_catalog.count(*) FROM kpi.dossier$$) AS dossiers_still_hidden;
RESET ROLE;

-- Writing needs explicit grants: an editor of targets.
CREATE ROLE regress_kpi_editor NOLOGIN IN ROLE regress_kpi_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON kpi.assigned_target TO regress_kpi_editor;
GRANT EXECUTE ON FUNCTION pg_temp.err(text) TO regress_kpi_editor;
SET ROLE regress_kpi_editor;
UPDATE kpi.assigned_target SET target = 70
WHERE period = '2024-Q1' AND level = 'province' AND unit_code = 'ban-quan-ly-kkt' AND indicator = 'online_dossier';
SELECT online_dossier_target, online_dossier_pct FROM kpi.appendix_province_online
WHERE period = '2024-Q1' AND row_no = 1;
SELECT pg_temp.err($$UPDATE kpi.unit SET name = 'x'$$) AS update_unit;
SELECT pg_temp.err($$SELECT kpi.refresh('2024-Q2')$$) AS refresh;
RESET ROLE;

------------------------------------------------------------------------
-- Clean up: the look-alikes, the roles (they are cluster-wide)
------------------------------------------------------------------------
DROP TABLE public.security_result, public.security_work;
DROP AGGREGATE public.count(*), public.count(text), public.sum(bigint), public.sum(numeric),
               public.max(text), public.min(text), public.string_agg(text, text),
               public.bool_and(boolean), public.bool_or(boolean);
DROP OPERATOR public.= (text, text), public.<> (text, text), public.~ (text, text), public.|| (text, text),
              public.= (bigint, bigint), public.= (integer, integer), public.= (numeric, numeric),
              public.< (numeric, numeric), public.>= (numeric, numeric), public.+ (bigint, bigint),
              public.+ (integer, integer), public.- (integer, integer), public.* (numeric, numeric),
              public./ (numeric, numeric), public.- (numeric, numeric);
DROP FUNCTION public.round(numeric, integer), public.round(numeric), public.trunc(numeric, integer),
              public.abs(numeric), public.lower(text), public.upper(text), public.btrim(text),
              public.length(text), public.substr(text, integer), public.substr(text, integer, integer),
              public.replace(text, text, text), public.regexp_replace(text, text, text),
              public.regexp_replace(text, text, text, text), public.split_part(text, text, integer),
              public.format(text), public.format(text, text), public.format(text, text, text),
              public.format(text, numeric), public.concat(text, text), public.to_char(numeric, text),
              public.to_char(timestamptz, text), public.int4(text), public.make_date(integer, integer, integer),
              public.date_trunc(text, timestamptz), public.date_part(text, date),
              public.array_to_string(anyarray, text), public.string_to_array(text, text),
              public.current_setting(text), public.generate_series(integer, integer),
              public.bad_int8_acc(bigint, bigint), public.bad_num_acc(numeric, numeric),
              public.bad_text_acc(text, text, text), public.bad_text_acc1(text, text),
              public.bad_bool_acc(boolean, boolean), public.bad_count_acc(bigint, text), public.bad_text_eq(text, text),
              public.bad_text_cat(text, text), public.bad_int8_op(bigint, bigint),
              public.bad_int4_op(integer, integer), public.bad_num_op(numeric, numeric),
              public.bad_int8_cmp(bigint, bigint), public.bad_int4_cmp(integer, integer),
              public.bad_num_cmp(numeric, numeric);
DROP TABLE pg_temp.reader_check;
DROP FUNCTION pg_temp.err(text);
DROP EXTENSION kpi_ext;
-- the grant on schema kpi outlives the extension: DROP OWNED revokes it
DROP OWNED BY regress_kpi_editor, regress_kpi_reader;
DROP ROLE regress_kpi_editor;
DROP ROLE regress_kpi_reader;
