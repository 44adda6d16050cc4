-- kpi.refresh: computed counts equal a plain-SQL computation of the same
-- definitions (docs/reference.md, "kpi.refresh") for every appendix row
-- and indicator, for quarters, months and years; serial equals parallel.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SELECT kpi.load_sample() > 0 AS sample_loaded;

\getenv abs_srcdir PG_ABS_SRCDIR
\set gen :abs_srcdir '/test/generate_dossiers.sql'
\set rows 40000
\set ECHO none
\i :gen
\set ECHO all

-- special cases on top of the generated rows
INSERT INTO kpi.unit (code, name, level, sort_order)
VALUES ('ban-mot-ho-so', 'Ban Một Hồ Sơ', 'province', 99);
INSERT INTO kpi.service VALUES ('ban-mot-ho-so', '9.000001', true, true);
-- a unit with a single dossier, online, fee-bearing, paid online
INSERT INTO kpi.dossier VALUES ('ONE-1', 'ban-mot-ho-so', '9.000001', '2024-05-02 10:00+07', 'online',
                                true, true, true, false, '2024-05-03 10:00+07', true);
-- received at the end of Q1 (local time) and resolved in Q2
INSERT INTO kpi.dossier VALUES ('EDGE-1', 'so-tu-phap', '1.001500', '2024-03-31 23:59:59+07', 'postal',
                                false, false, false, false, '2024-04-01 00:00:01+07', true);
-- received at the first instant of Q2 local time, which is still March in UTC
INSERT INTO kpi.dossier VALUES ('EDGE-2', 'so-tu-phap', '1.001500', '2024-04-01 00:00:00+07', 'direct',
                                false, false, true, true, NULL, false);

-- The reference: the definitions written as plainly as SQL allows.
CREATE FUNCTION pg_temp.reference(p text)
RETURNS TABLE (level text, unit_code text, indicator text, numerator bigint, denominator bigint)
LANGUAGE sql AS $$
WITH b AS (
    SELECT s::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh' AS t0,
           (e + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh' AS t1,
           make_date(extract(year FROM s)::integer, 1, 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh' AS ty
    FROM kpi.period_bounds(p) AS pb(s, e)
), d AS (
    SELECT d.procedure_code, d.channel, d.fee_required, d.paid_online, d.digitized, d.reused_data, d.e_result,
           u.level, CASE WHEN u.level = 'commune' THEN u.parent_code ELSE u.code END AS row_unit,
           d.received_at >= b.t0 AND d.received_at < b.t1 AS rec,
           d.resolved_at >= b.ty AND d.resolved_at < b.t1 AS res,
           coalesce(s.online_service, false) AS offers_online,
           coalesce(s.online_payment, false) AS offers_payment
    FROM kpi.dossier AS d
    JOIN kpi.unit AS u ON u.code = d.unit_code
    LEFT JOIN kpi.service AS s ON s.unit_code = d.unit_code AND s.procedure_code = d.procedure_code
    CROSS JOIN b
), a AS (
    SELECT level, row_unit,
           count(DISTINCT procedure_code) FILTER (WHERE rec AND offers_online AND channel = 'online') AS su_n,
           count(DISTINCT procedure_code) FILTER (WHERE rec AND offers_online) AS su_d,
           count(*) FILTER (WHERE rec AND channel = 'online') AS od_n,
           count(*) FILTER (WHERE rec) AS received,
           count(DISTINCT procedure_code) FILTER (WHERE rec AND offers_payment AND fee_required AND paid_online) AS pu_n,
           count(DISTINCT procedure_code) FILTER (WHERE rec AND offers_payment AND fee_required) AS pu_d,
           count(*) FILTER (WHERE rec AND fee_required AND paid_online) AS op_n,
           count(*) FILTER (WHERE rec AND fee_required) AS op_d,
           count(*) FILTER (WHERE rec AND digitized) AS dg_n,
           count(*) FILTER (WHERE rec AND reused_data) AS dr_n,
           count(*) FILTER (WHERE res AND e_result) AS er_n,
           count(*) FILTER (WHERE res) AS er_d
    FROM d WHERE rec OR res
    GROUP BY 1, 2
)
SELECT a.level, a.row_unit, x.indicator, x.n, x.d
FROM a, LATERAL (VALUES ('service_uptake', su_n, su_d), ('online_dossier', od_n, received),
                        ('payment_uptake', pu_n, pu_d), ('online_payment', op_n, op_d),
                        ('digitization', dg_n, received), ('data_reuse', dr_n, received),
                        ('e_result', er_n, er_d)) AS x(indicator, n, d)
$$;

-- compare(p): rows compared and rows that differ between kpi.refresh's
-- stored counts and the reference.  Not applicable (denominator 0) must be
-- stored as applicable = false with NULL counts.
CREATE FUNCTION pg_temp.compare(p text)
RETURNS TABLE (period text, written bigint, compared bigint, differ bigint, not_applicable bigint)
LANGUAGE plpgsql AS $$
DECLARE w bigint;
BEGIN
    w := kpi.refresh(p);
    RETURN QUERY
    SELECT p, w, count(*),
           count(*) FILTER (WHERE c.unit_code IS NULL OR r.unit_code IS NULL
                              OR c.applicable <> (r.denominator > 0)
                              OR (r.denominator > 0 AND (c.numerator, c.denominator) IS DISTINCT FROM (r.numerator, r.denominator))
                              OR (r.denominator = 0 AND (c.numerator IS NOT NULL OR c.denominator IS NOT NULL))),
           count(*) FILTER (WHERE NOT c.applicable)
    FROM (SELECT * FROM kpi.indicator_count AS ic WHERE ic.period = p AND ic.source = 'computed') AS c
    FULL JOIN pg_temp.reference(p) AS r
           ON r.level = c.level AND r.unit_code = c.unit_code AND r.indicator = c.indicator;
END $$;

SELECT count(*) AS published_rows_before FROM kpi.indicator_count WHERE source = 'published' \gset
SELECT * FROM pg_temp.compare('2024-Q1');
SELECT * FROM pg_temp.compare('2024-Q2');
SELECT * FROM pg_temp.compare('2024-03');
SELECT * FROM pg_temp.compare('2024-12');
SELECT * FROM pg_temp.compare('2024');
-- published figures of the sample are kept, and told apart
SELECT count(*) = :published_rows_before AS published_kept FROM kpi.indicator_count WHERE source = 'published';
SELECT source, count(*) FROM kpi.indicator_count WHERE period = '2024-Q1' GROUP BY 1 ORDER BY 1;

-- the cases above, by name
SELECT indicator, applicable, numerator, denominator FROM kpi.indicator_count
WHERE period = '2024-Q2' AND source = 'computed' AND unit_code = 'ban-mot-ho-so' ORDER BY indicator;
SELECT count(*) AS rows_for_single_dossier_unit_in_q1 FROM kpi.indicator_count
WHERE period = '2024-Q1' AND unit_code = 'ban-mot-ho-so';
SELECT c.indicator, c.numerator, c.denominator FROM kpi.indicator_count AS c
WHERE c.period IN ('2024-03') AND c.source = 'computed' AND c.unit_code = 'so-tu-phap'
  AND c.indicator IN ('online_dossier', 'e_result') ORDER BY 1;
-- departments without fees: both payment indicators not applicable, not 0
SELECT u.code, c.indicator, c.applicable, c.numerator, c.denominator
FROM kpi.indicator_count AS c JOIN kpi.unit AS u ON u.code = c.unit_code
WHERE c.period = '2024-Q2' AND c.source = 'computed' AND u.sort_order IN (4, 9) AND u.level = 'province'
  AND c.indicator IN ('payment_uptake', 'online_payment') ORDER BY 1, 2;
SELECT unit_name, dossiers_received, procedures_with_payment, payment_uptake_pct, dossiers_with_payment, online_payment_pct
FROM kpi.appendix_province_online WHERE period = '2024-Q2' AND row_no IN (4, 9) ORDER BY row_no;
-- a generated period reads like the sample: the report has the sample's
-- headings (but the period's name), and the six appendix tables a row per
-- unit: the sample's units, and at province level the extra unit above
SELECT (SELECT array_agg(replace(l, 'quý I năm', 'quý ? năm') ORDER BY n)
        FROM regexp_split_to_table(kpi.report_markdown('2024-Q1'), E'\n') WITH ORDINALITY AS t(l, n) WHERE l LIKE '#%')
     = (SELECT array_agg(replace(l, 'quý II năm', 'quý ? năm') ORDER BY n)
        FROM regexp_split_to_table(kpi.report_markdown('2024-Q2'), E'\n') WITH ORDINALITY AS t(l, n) WHERE l LIKE '#%')
       AS same_headings_as_sample;
SELECT v.name, v.q1_rows, v.q2_rows
FROM (VALUES ('province_online', (SELECT count(*) FROM kpi.appendix_province_online WHERE period = '2024-Q1'),
                                 (SELECT count(*) FROM kpi.appendix_province_online WHERE period = '2024-Q2')),
             ('province_digital', (SELECT count(*) FROM kpi.appendix_province_digital WHERE period = '2024-Q1'),
                                  (SELECT count(*) FROM kpi.appendix_province_digital WHERE period = '2024-Q2')),
             ('district_online', (SELECT count(*) FROM kpi.appendix_district_online WHERE period = '2024-Q1'),
                                 (SELECT count(*) FROM kpi.appendix_district_online WHERE period = '2024-Q2')),
             ('district_digital', (SELECT count(*) FROM kpi.appendix_district_digital WHERE period = '2024-Q1'),
                                  (SELECT count(*) FROM kpi.appendix_district_digital WHERE period = '2024-Q2')),
             ('commune_online', (SELECT count(*) FROM kpi.appendix_commune_online WHERE period = '2024-Q1'),
                                (SELECT count(*) FROM kpi.appendix_commune_online WHERE period = '2024-Q2')),
             ('commune_digital', (SELECT count(*) FROM kpi.appendix_commune_digital WHERE period = '2024-Q1'),
                                 (SELECT count(*) FROM kpi.appendix_commune_digital WHERE period = '2024-Q2')))
     AS v(name, q1_rows, q2_rows);

-- new dossiers arrive; a second refresh replaces the period's computed rows
INSERT INTO kpi.dossier (dossier_code, unit_code, procedure_code, received_at, channel, fee_required, paid_online)
SELECT 'LATE-' || i, 'so-y-te', '1.00' || (1700 + i % 7), '2024-06-15 09:00+07', 'online', true, i % 2 = 0
FROM generate_series(1, 500) i;
SELECT * FROM pg_temp.compare('2024-Q2');
SELECT count(*) AS computed_rows_q2 FROM kpi.indicator_count WHERE period = '2024-Q2' AND source = 'computed';

-- serial equals parallel; the engine's query really runs in workers
SELECT kpi.refresh('2024') > 0 AS refreshed_serially;
CREATE TEMP TABLE serial_counts AS SELECT * FROM kpi.indicator_count WHERE period = '2024' AND source = 'computed';
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SELECT kpi.refresh('2024') > 0 AS refreshed_in_parallel;
SELECT pg_temp.plan_has($$SELECT kpi.dossier_tally(d.unit_code, d.procedure_code, d.channel,
        d.fee_required, d.paid_online, d.digitized, d.reused_data, d.e_result, d.received_at, d.resolved_at,
        '2024-01-01', '2025-01-01', '2024-01-01')
    FROM kpi.dossier AS d$$, 'Workers Launched: 2') AS engine_in_parallel_workers;
-- and gives the same tallies there as serially
CREATE TEMP TABLE parallel_tally AS
SELECT kpi.dossier_tally(d.unit_code, d.procedure_code, d.channel, d.fee_required, d.paid_online, d.digitized,
       d.reused_data, d.e_result, d.received_at, d.resolved_at, '2024-04-01', '2024-07-01', '2024-01-01') AS a
FROM kpi.dossier AS d;
SELECT count(*) AS differ_serial_parallel
FROM serial_counts AS s FULL JOIN (SELECT * FROM kpi.indicator_count WHERE period = '2024' AND source = 'computed') AS p
  USING (level, unit_code, indicator)
WHERE (s.numerator, s.denominator, s.applicable) IS DISTINCT FROM (p.numerator, p.denominator, p.applicable);
RESET ALL;
SELECT cardinality(p.a) AS units, p.a::text = s.a::text AS same_tallies
FROM parallel_tally AS p, (
    SELECT kpi.dossier_tally(d.unit_code, d.procedure_code, d.channel, d.fee_required, d.paid_online, d.digitized,
           d.reused_data, d.e_result, d.received_at, d.resolved_at, '2024-04-01', '2024-07-01', '2024-01-01') AS a
    FROM kpi.dossier AS d) AS s;
SELECT t.received_flags, t.received, t.resolved_flags, t.resolved, t.procedures, t.procedure_flags
FROM parallel_tally, unnest(a) AS t WHERE t.unit_code = 'ban-mot-ho-so';
-- the units come sorted by code, each once; GROUP BY unit_code gives each
-- unit's tally alone, the same as in the one array
SELECT (SELECT array_agg(t.unit_code) FROM parallel_tally, unnest(a) AS t)
     = (SELECT array_agg(code ORDER BY code COLLATE "C") FROM (SELECT DISTINCT unit_code AS code FROM kpi.dossier
         WHERE received_at >= '2024-04-01' AND received_at < '2024-07-01'
            OR resolved_at >= '2024-01-01' AND resolved_at < '2024-07-01') AS x) AS units_sorted_and_complete;
SELECT count(*) AS grouped_units, count(*) FILTER (WHERE g.t::text IS DISTINCT FROM p.t::text) AS grouped_differ
FROM (SELECT d.unit_code, (kpi.dossier_tally(d.unit_code, d.procedure_code, d.channel, d.fee_required,
             d.paid_online, d.digitized, d.reused_data, d.e_result, d.received_at, d.resolved_at,
             '2024-04-01', '2024-07-01', '2024-01-01'))[1] AS t
      FROM kpi.dossier AS d GROUP BY 1) AS g
FULL JOIN (SELECT t.unit_code, t FROM parallel_tally, unnest(a) AS t) AS p USING (unit_code);

-- The BRIN indexes shipped on both dates (src/sql/dossier.sql) let the
-- planner read only the period's block ranges (kpi.refresh's window becomes
-- a WHERE clause); the counts are the same.
-- (index scans counted within one transaction, where counts are not flushed;
-- pg_temp.compare runs kpi.refresh and checks what it wrote)
BEGIN;
SET LOCAL enable_seqscan = off;
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT pg_stat_get_xact_numscans('kpi.dossier_received_at_brin'::regclass) AS rec0,
       pg_stat_get_xact_numscans('kpi.dossier_resolved_at_brin'::regclass) AS res0 \gset
SELECT * FROM pg_temp.compare('2024-Q2');
SELECT pg_stat_get_xact_numscans('kpi.dossier_received_at_brin'::regclass) - :rec0 > 0 AS received_at_index_used,
       pg_stat_get_xact_numscans('kpi.dossier_resolved_at_brin'::regclass) - :res0 > 0 AS resolved_at_index_used;
COMMIT;
-- the same in parallel workers
BEGIN;
SET LOCAL enable_seqscan = off;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT * FROM pg_temp.compare('2024');
COMMIT;
-- a DBA's btree serves as well
DROP INDEX kpi.dossier_received_at_brin;
CREATE INDEX dossier_received_at ON kpi.dossier (received_at);
BEGIN;
SET LOCAL enable_seqscan = off;
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT pg_stat_get_xact_numscans('kpi.dossier_received_at'::regclass) AS rec0 \gset
SELECT * FROM pg_temp.compare('2024-Q2');
SELECT pg_stat_get_xact_numscans('kpi.dossier_received_at'::regclass) - :rec0 > 0 AS btree_used;
COMMIT;
-- an index that cannot serve a range (hash, partial, or on one date only)
-- does not make a WHERE clause: the whole table is read, once
DROP INDEX kpi.dossier_resolved_at_brin;
CREATE INDEX dossier_resolved_at_hash ON kpi.dossier USING hash (resolved_at);
CREATE INDEX dossier_resolved_at_partial ON kpi.dossier (resolved_at) WHERE resolved_at IS NULL;
BEGIN;
SET LOCAL enable_seqscan = off;
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT pg_stat_get_xact_numscans('kpi.dossier_received_at'::regclass)
       + pg_stat_get_xact_numscans('kpi.dossier_resolved_at_hash'::regclass)
       + pg_stat_get_xact_numscans('kpi.dossier_resolved_at_partial'::regclass) AS n0 \gset
SELECT kpi.refresh('2024-Q2') AS rows_written_without_usable_indexes;
SELECT pg_stat_get_xact_numscans('kpi.dossier_received_at'::regclass)
       + pg_stat_get_xact_numscans('kpi.dossier_resolved_at_hash'::regclass)
       + pg_stat_get_xact_numscans('kpi.dossier_resolved_at_partial'::regclass) - :n0 AS index_scans;
COMMIT;
SELECT * FROM pg_temp.compare('2024-Q2');
DROP INDEX kpi.dossier_received_at, kpi.dossier_resolved_at_hash, kpi.dossier_resolved_at_partial;
CREATE INDEX dossier_received_at_brin ON kpi.dossier USING brin (received_at) WITH (autosummarize = on);
CREATE INDEX dossier_resolved_at_brin ON kpi.dossier USING brin (resolved_at) WITH (autosummarize = on);

-- the period's bounds do not depend on the session's DateStyle or TimeZone
-- (IST is +05:30 here, but +02 when read back as a zone abbreviation)
SET TimeZone = 'Asia/Kolkata';
SET DateStyle = 'Postgres, DMY';
SELECT * FROM pg_temp.compare('2024-Q2');
SET TimeZone = 'America/Los_Angeles';
SET DateStyle = 'SQL, MDY';
SELECT * FROM pg_temp.compare('2024-03');
RESET TimeZone;
RESET DateStyle;

-- kpi.dossier_tally on its own
CREATE TEMP TABLE td (unit text, proc text, channel text, fee boolean, paid boolean, received timestamptz, resolved timestamptz);
-- no rows, or none in the window: no units
SELECT kpi.dossier_tally(unit, proc, channel, fee, paid, false, false, false, received, resolved,
       '2024-04-01', '2024-07-01', '2024-01-01') AS no_rows FROM td;
INSERT INTO td VALUES ('u', 'p', 'online', true, true, '2023-05-01', '2023-12-31'),
                      ('u', 'p', 'online', true, true, '2024-07-01', NULL),
                      (NULL, 'p', 'online', true, true, '2024-08-01', '2024-08-02');
SELECT kpi.dossier_tally(unit, proc, channel, fee, paid, false, false, false, received, resolved,
       '2024-04-01', '2024-07-01', '2024-01-01') AS none_in_window FROM td;
-- unit codes that share their first or last 8 bytes, or both, stay apart
TRUNCATE td;
INSERT INTO td
SELECT u, 'p' || (i % 3), CASE WHEN i % 2 = 0 THEN 'online' ELSE 'direct' END, i % 4 = 0, i % 8 = 0,
       '2024-04-10'::timestamptz + i * interval '1 hour', NULL
FROM unnest(ARRAY['', 'a', 'abcdefgh', 'abcdefghi', 'abcdefghj', 'xbcdefghi', 'abcdefgh-1-12345678',
                  'abcdefgh-2-12345678', 'abcdefgh-22-12345678', 'Sở Tư pháp']) AS u, generate_series(1, 9) AS i;
SELECT t.unit_code, t.received_flags, t.received, t.procedures, t.procedure_flags
FROM unnest((SELECT kpi.dossier_tally(unit, proc, channel, fee, paid, false, false, false, received, resolved,
                    '2024-04-01', '2024-07-01', '2024-01-01') FROM td)) AS t;
-- procedure codes alike in their first 8 or 16 bytes, of 8, 9, 16 and 17
-- bytes, stay apart, and come back sorted bytewise, each once, with the
-- union of their flags (1 online, 2 fee)
CREATE TEMP TABLE td_procedures (LIKE td);
INSERT INTO td_procedures
SELECT 'u', p, CASE WHEN i = 1 THEN 'online' ELSE 'direct' END, i = 2, false,
       '2024-04-10'::timestamptz + i * interval '1 hour', NULL
FROM unnest(ARRAY['1.000001', '1.0000011', '1.0000012', '1.000001-abcdefg', '1.000001-abcdefgh',
                  '1.000001-abcdefgi', '1.000001-abcdefg-x', 'Thủ tục cấp phép', 'p']) AS p,
     generate_series(1, 3) AS i;
SELECT t.procedures, t.procedure_flags
FROM unnest((SELECT kpi.dossier_tally(unit, proc, channel, fee, paid, false, false, false, received, resolved,
                    '2024-04-01', '2024-07-01', '2024-01-01') FROM td_procedures)) AS t;
DROP TABLE td_procedures;
-- many dossiers of many procedures: each unit's procedures go through
-- several compactions (src/procset.c), long codes among short ones, and
-- still equal the distinct codes received, sorted bytewise, each with the
-- union of its dossiers' flags; serially and in parallel workers (a table
-- of its own: temporary tables are not read by workers)
CREATE TABLE public.td_many AS
SELECT 'u' || (i % 3) AS unit,
       CASE WHEN i % 5 = 0 THEN 'thu-tuc-dai-hon-16-byte-' ELSE '1.' END || lpad((i * 7919 % 1500)::text, 6, '0') AS proc,
       CASE WHEN i % 3 = 1 THEN 'online' ELSE 'direct' END AS channel, i % 4 = 0 AS fee, i % 8 = 0 AS paid,
       '2024-04-01'::timestamptz + (i % 2000) * interval '1 hour' AS received
FROM generate_series(1, 30000) AS i;
-- the tallies, then compared with what SQL says
CREATE FUNCTION pg_temp.many_differ(a kpi.tally[]) RETURNS TABLE (units bigint, procedures bigint, differ bigint) LANGUAGE sql AS $$
    WITH e AS (
        SELECT unit, array_agg(proc ORDER BY proc COLLATE "C") AS procedures,
               array_agg(flags ORDER BY proc COLLATE "C") AS procedure_flags
        FROM (SELECT unit, proc, bit_or((channel = 'online')::int | 2 * fee::int | 4 * (fee AND paid)::int) AS flags
              FROM public.td_many GROUP BY 1, 2) AS x
        GROUP BY 1
    )
    SELECT count(*), sum(cardinality(e.procedures)),
           count(*) FILTER (WHERE (t.procedures, t.procedure_flags) IS DISTINCT FROM (e.procedures, e.procedure_flags))
    FROM unnest(a) AS t FULL JOIN e ON e.unit = t.unit_code
$$;
CREATE TEMP TABLE many_serial AS
SELECT kpi.dossier_tally(unit, proc, channel, fee, paid, false, false, false, received, NULL,
                         '2024-04-01', '2024-07-01', '2024-01-01') AS a
FROM public.td_many;
SELECT d.* FROM many_serial, pg_temp.many_differ(a) AS d;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.plan_has($$CREATE TEMP TABLE many_parallel AS
    SELECT kpi.dossier_tally(unit, proc, channel, fee, paid, false, false, false, received, NULL,
                             '2024-04-01', '2024-07-01', '2024-01-01') AS a
    FROM public.td_many$$, 'Workers Launched: 2') AS many_made_by_parallel_workers;
RESET ALL;
SELECT d.* FROM many_parallel, pg_temp.many_differ(a) AS d;
SELECT p.a::text = s.a::text AS many_same_serial_parallel FROM many_serial AS s, many_parallel AS p;
DROP TABLE many_serial, many_parallel;
DROP TABLE public.td_many;
DROP FUNCTION pg_temp.many_differ(kpi.tally[]);
-- as a window function: a running tally, row by row, and a moving frame
SELECT i, cardinality(a) AS units, (a[1]).received AS first_received, (a[2]).unit_code AS second_unit,
       (a[2]).received AS second_received, (a[2]).procedures AS second_procedures
FROM (SELECT row_number() OVER w AS i,
             kpi.dossier_tally(unit, proc, channel, fee, paid, false, false, false, received, resolved,
                               '2024-04-01', '2024-07-01', '2024-01-01') OVER w AS a
      FROM td WHERE unit IN ('a', 'abcdefgh') WINDOW w AS (ORDER BY unit, received)) AS x
WHERE i IN (1, 9, 10, 11, 18);
SELECT i, array_agg(t.unit_code || ':' || (SELECT sum(n) FROM unnest(t.received) AS n) ORDER BY t.unit_code) AS frame
FROM (SELECT row_number() OVER w AS i,
             kpi.dossier_tally(unit, proc, channel, fee, paid, false, false, false, received, resolved,
                               '2024-04-01', '2024-07-01', '2024-01-01')
                 OVER (w ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS a
      FROM td WHERE unit IN ('a', 'abcdefgh') WINDOW w AS (ORDER BY unit, received)) AS x,
     unnest(x.a) AS t
WHERE i IN (1, 2, 3, 9, 10, 11, 12)
GROUP BY i ORDER BY i;
-- a unit of NULL, or bounds of NULL, are errors
INSERT INTO td VALUES (NULL, 'p', 'online', false, false, '2024-05-01', NULL);
SELECT kpi.dossier_tally(unit, proc, channel, fee, paid, false, false, false, received, resolved,
       '2024-04-01', '2024-07-01', '2024-01-01') FROM td;
SELECT kpi.dossier_tally(unit, proc, channel, fee, paid, false, false, false, received, resolved,
       NULL, '2024-07-01', '2024-01-01') FROM td;
SELECT kpi.dossier_tally(unit, proc, channel, fee, paid, false, false, false, received, resolved,
       '2024-04-01', '2024-07-01', NULL) FROM td;
DROP TABLE td;

-- bad period labels: an error naming the label, nothing written
SELECT count(*) AS rows_before FROM kpi.indicator_count \gset
\set VERBOSITY terse
SELECT kpi.refresh('2024-Q5');
SELECT kpi.refresh('2024-13');
SELECT kpi.refresh('2024-H3');
SELECT kpi.refresh('24-Q1');
SELECT kpi.refresh('2024 Q1');
SELECT kpi.refresh('1999-Q4');
SELECT kpi.refresh('');
\set VERBOSITY default
SELECT kpi.refresh(NULL) IS NULL AS null_period;
SELECT count(*) = :rows_before AS nothing_written FROM kpi.indicator_count;
-- every form of a label, in any letter case and with blanks around: stored
-- under the label's one form
SELECT kpi.refresh(' 2024-q2 ') = kpi.refresh('2024-Q2') AS same_rows,
       (SELECT count(*) FROM kpi.period WHERE upper(label) <> label OR label <> btrim(label)) AS labels_not_normal;
SELECT v.given, kpi.refresh(v.given) AS written
FROM (VALUES ('2024-h1'), ('2024-H2'), ('2024-12'), ('2024')) AS v (given);
SELECT p.label, to_char(p.starts, 'YYYY-MM-DD') AS starts, to_char(p.ends, 'YYYY-MM-DD') AS ends,
       p.name_vi, p.name_en,
       (SELECT count(*) FROM kpi.indicator_count AS c WHERE c.period = p.label AND c.source = 'computed') AS computed
FROM kpi.period AS p
WHERE p.label IN ('2024-H1', '2024-H2', '2024-12', '2024')
ORDER BY p.starts, p.ends;

-- the dossier table rejects nonsense
\set VERBOSITY terse
INSERT INTO kpi.dossier (dossier_code, unit_code, procedure_code, received_at, channel) VALUES ('X1', 'no-such-unit', '1.1', now(), 'online');
INSERT INTO kpi.dossier (dossier_code, unit_code, procedure_code, received_at, channel) VALUES ('X2', 'so-y-te', '1.1', now(), 'fax');
INSERT INTO kpi.dossier (dossier_code, unit_code, procedure_code, received_at, channel, fee_required, paid_online) VALUES ('X3', 'so-y-te', '1.1', now(), 'online', false, true);
INSERT INTO kpi.dossier (dossier_code, unit_code, procedure_code, received_at, channel, resolved_at) VALUES ('X4', 'so-y-te', '1.1', '2024-02-02', 'online', '2024-02-01');
INSERT INTO kpi.dossier (dossier_code, unit_code, procedure_code, received_at, channel, e_result) VALUES ('X5', 'so-y-te', '1.1', now(), 'online', true);
INSERT INTO kpi.dossier (dossier_code, unit_code, procedure_code, received_at, channel) VALUES ('ONE-1', 'so-y-te', '1.1', now(), 'online');
\set VERBOSITY default

DROP TABLE parallel_tally;
DROP EXTENSION kpi_ext;
