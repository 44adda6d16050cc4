-- Loading published counts: kpi.staging_counts and
-- kpi.ingest_counts().  The seed's counts as the report prints them load to
-- exactly the sample's published numbers and targets; the older dot-decimal
-- file loads once its empty cells say "-"; every rejection reason, with its
-- exact text, beside good rows that load; loading twice changes nothing;
-- an empty file and a header-only file; an unexpected failure leaves
-- everything as it was.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SELECT kpi.load_sample() > 0 AS sample_loaded;
SET DateStyle = ISO;
\getenv abs_srcdir PG_ABS_SRCDIR
\getenv abs_builddir PG_ABS_BUILDDIR

-- The staging table: every column text, in the order of the CSV files,
-- each commented; registered so that pg_dump keeps rejected rows.
SELECT a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       pg_catalog.col_description(a.attrelid, a.attnum) IS NOT NULL AS commented
FROM pg_catalog.pg_attribute AS a
WHERE a.attrelid = 'kpi.staging_counts'::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;
SELECT pg_catalog.obj_description('kpi.staging_counts'::pg_catalog.regclass, 'pg_class') IS NOT NULL AS table_commented,
       pg_catalog.obj_description('kpi.ingest_counts()'::pg_catalog.regprocedure, 'pg_proc') IS NOT NULL AS function_commented,
       (SELECT 'kpi.staging_counts'::pg_catalog.regclass = ANY (e.extconfig)
        FROM pg_catalog.pg_extension AS e WHERE e.extname = 'kpi_ext') AS kept_by_pg_dump;

-- Everything the ingest may write, as one text: counts, targets, periods.
CREATE FUNCTION pg_temp.kpi_state() RETURNS text LANGUAGE sql AS $$
SELECT pg_catalog.md5(pg_catalog.concat_ws(' / ',
    (SELECT pg_catalog.string_agg(c::text, ',' ORDER BY c::text) FROM kpi.indicator_count AS c),
    (SELECT pg_catalog.string_agg(t::text, ',' ORDER BY t::text) FROM kpi.assigned_target AS t),
    (SELECT pg_catalog.string_agg(p::text, ',' ORDER BY p::text) FROM kpi.period AS p)))
$$;
-- The row versions of the same tables: unchanged when nothing was rewritten.
CREATE FUNCTION pg_temp.kpi_versions() RETURNS text LANGUAGE sql AS $$
SELECT pg_catalog.md5(pg_catalog.concat_ws(' / ',
    (SELECT pg_catalog.string_agg(c.ctid::text || c.xmin::text, ',' ORDER BY c.ctid) FROM kpi.indicator_count AS c),
    (SELECT pg_catalog.string_agg(t.ctid::text || t.xmin::text, ',' ORDER BY t.ctid) FROM kpi.assigned_target AS t),
    (SELECT pg_catalog.string_agg(p.ctid::text || p.xmin::text, ',' ORDER BY p.ctid) FROM kpi.period AS p)))
$$;

------------------------------------------------------------------------
-- 1. The seed's counts in the report's own format
------------------------------------------------------------------------
CREATE TEMP TABLE sample_count AS SELECT * FROM kpi.indicator_count;
CREATE TEMP TABLE sample_target AS SELECT * FROM kpi.assigned_target;
SELECT pg_temp.kpi_state() AS sample_state \gset
DELETE FROM kpi.indicator_count;
DELETE FROM kpi.assigned_target;

\set f :abs_srcdir '/data/sample/counts-2024-Q1-vi.csv'
COPY kpi.staging_counts FROM :'f' WITH (FORMAT csv, HEADER MATCH);
-- as staged: decimal commas, -, 100%, no published denominator, names as
-- printed (footnote marks included)
SELECT level, unit_code, unit_name, indicator, target, numerator, denominator, printed_rate, error
FROM kpi.staging_counts
WHERE (unit_code, indicator) IN (('so-giao-thong-van-tai', 'online_dossier'), ('so-ngoai-vu', 'data_reuse'),
                                 ('huyen-an-lao', 'data_reuse'), ('huyen-an-lao', 'e_result'))
ORDER BY level DESC, unit_code, indicator;
-- Vietnamese names arrive intact: each unit_name of the file, without its
-- footnote marks, is byte for byte the unit's name or one of its aliases
SELECT pg_catalog.count(*) AS staged_rows,
       pg_catalog.count(*) FILTER (WHERE pg_catalog.regexp_replace(s.unit_name, ' \(\*+\)$', '') = u.name
                                      OR pg_catalog.regexp_replace(s.unit_name, ' \(\*+\)$', '') = ANY (u.aliases)) AS name_or_alias,
       pg_catalog.count(DISTINCT s.unit_name) AS spellings
FROM kpi.staging_counts AS s JOIN kpi.unit AS u ON u.code = s.unit_code;
SELECT * FROM kpi.ingest_counts();
SELECT pg_catalog.count(*) AS left_in_staging FROM kpi.staging_counts;
-- exactly the sample's published numbers and assigned targets
SELECT (SELECT pg_catalog.count(*) FROM kpi.indicator_count) AS counts,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM kpi.indicator_count EXCEPT SELECT * FROM sample_count) AS x) AS counts_not_in_sample,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM sample_count EXCEPT SELECT * FROM kpi.indicator_count) AS x) AS sample_counts_missing,
       (SELECT pg_catalog.count(*) FROM kpi.assigned_target) AS targets,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM kpi.assigned_target EXCEPT SELECT * FROM sample_target) AS x) AS targets_not_in_sample,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM sample_target EXCEPT SELECT * FROM kpi.assigned_target) AS x) AS sample_targets_missing,
       pg_temp.kpi_state() = :'sample_state' AS same_as_load_sample;
-- the report's appendix reads them as before: the 100% target, not applicable, the printed rate kept
SELECT level, row_no, unit_name, indicator, target, numerator, denominator, pct, printed_rate, met
FROM kpi.result
WHERE period = '2024-Q1' AND (unit_code, indicator) IN (('so-ngoai-vu', 'data_reuse'), ('huyen-an-lao', 'data_reuse'),
                                                        ('huyen-an-lao', 'e_result'), ('so-ke-hoach-dau-tu', 'e_result'))
ORDER BY level DESC, row_no, indicator;

------------------------------------------------------------------------
-- 2. Loading the same file again changes nothing, not even a row version
------------------------------------------------------------------------
SELECT pg_temp.kpi_versions() AS versions \gset
COPY kpi.staging_counts FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT * FROM kpi.ingest_counts();
SELECT pg_temp.kpi_state() = :'sample_state' AS same_content, pg_temp.kpi_versions() = :'versions' AS no_row_rewritten;

------------------------------------------------------------------------
-- 3. The older file (dot decimals, empty cells for not applicable), listed
--    columns because it has no error column: the 11 rows without any number
--    are rejected, fixed where they are, and loaded
------------------------------------------------------------------------
DELETE FROM kpi.indicator_count;
DELETE FROM kpi.assigned_target;
\set f :abs_srcdir '/data/sample/counts-2024-Q1.csv'
COPY kpi.staging_counts (period, level, unit_code, unit_name, indicator, target, numerator, denominator, printed_rate) FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT * FROM kpi.ingest_counts();
SELECT unit_code, indicator, error FROM kpi.staging_counts ORDER BY unit_code, indicator;
UPDATE kpi.staging_counts SET numerator = '-', denominator = '-', printed_rate = '-'
WHERE error = 'numerator, denominator and printed_rate are all empty (write - for not applicable)';
SELECT * FROM kpi.ingest_counts();
SELECT pg_temp.kpi_state() = :'sample_state' AS same_as_load_sample;

------------------------------------------------------------------------
-- 4. A file mixing good rows and one row per rejection reason.  unit_name
--    is not checked: here it names the case.
------------------------------------------------------------------------
SELECT pg_temp.kpi_state() AS before_state \gset
COPY kpi.staging_counts (period, level, unit_code, unit_name, indicator, target, numerator, denominator, printed_rate) FROM STDIN WITH (FORMAT csv, HEADER);
period,level,unit_code,unit_name,indicator,target,numerator,denominator,printed_rate
2024-Q2,province,so-y-te,good: a new quarter,online_dossier,65,442,444,"99,5"
 2024-q2 , Province ,SO-TU-PHAP,"good: blanks, case, 8.420, 96 %, 99.5%",online_dossier,96 %,8.420,8.460,99.5%
2024-Q2,province,so-tu-phap,good: - written as an en dash,payment_uptake,–,–,–,–
2024-Q2,province,so-xay-dung,good: no denominator published,data_reuse,60,18,,"4,2"
2024-Q2,province,so-xay-dung,good: only a printed rate,digitization,,,,100
2024-Q2,commune,huyen-an-lao,good: commune level on its district,e_result,100,2444,2506,"97,5"
2024-03,district,huyen-phu-cat,good: a new month,online_payment,"55,5",2402,3181,"75,5"
,province,so-y-te,period empty,e_result,100,1,1,100
2024-Q5,province,so-y-te,period that does not exist,e_result,100,1,1,100
2024-H1,province,so-y-te,period of an unknown kind,e_result,100,1,1,100
2024-Q2,,so-y-te,level empty,e_result,100,1,1,100
2024-Q2,tỉnh,so-y-te,level unknown,e_result,100,1,1,100
2024-Q2,province,,unit_code empty,e_result,100,1,1,100
2024-Q2,province,so-khong-co,unit unknown,e_result,100,1,1,100
2024-Q2,district,so-y-te,unit of another level,e_result,100,1,1,100
2024-Q2,province,huyen-an-lao,district unit at province level,e_result,100,1,1,100
2024-Q2,province,so-y-te,indicator empty,,100,1,1,100
2024-Q2,province,so-y-te,indicator unknown,ket_qua,100,1,1,100
2024-Q2,province,so-y-te,target not a number,digitization,cao,1,1,100
2024-Q2,province,so-y-te,target above 100,data_reuse,120,1,1,100
2024-Q2,province,so-y-te,target negative,payment_uptake,-5,1,1,100
2024-Q2,province,so-y-te,target with two decimals,service_uptake,"60,25",1,1,100
2024-Q2,province,so-ngoai-vu,numerator not a number,e_result,100,abc,10,100
2024-Q2,province,so-ngoai-vu,numerator negative,digitization,100,-3,10,100
2024-Q2,province,so-ngoai-vu,numerator not a whole number,data_reuse,100,"12,5",20,"62,5"
2024-Q2,province,so-ngoai-vu,numerator too large,online_dossier,100,99999999999999999999,10,100
2024-Q2,province,so-noi-vu,denominator not a number,e_result,100,1,mười,10
2024-Q2,province,so-noi-vu,denominator negative,digitization,100,1,-10,10
2024-Q2,province,so-noi-vu,denominator not a whole number,data_reuse,100,1,10.5,10
2024-Q2,province,so-tai-chinh,printed_rate not a number,e_result,100,1,10,mười
2024-Q2,province,so-tai-chinh,printed_rate above 100,digitization,100,1,10,"100,1"
2024-Q2,province,so-tai-chinh,printed_rate negative,data_reuse,100,1,10,-10
2024-Q2,province,so-tai-chinh,"good: printed_rate 12,50 (a zero second decimal)",online_dossier,100,1,8,"12,50"
2024-Q2,province,so-tai-chinh,printed_rate with two decimals,service_uptake,100,1,8,"12,55"
2024-Q2,province,so-du-lich,- beside a number,e_result,100,-,10,-
2024-Q2,province,so-du-lich,"no number, no -",digitization,100,,,
2024-Q2,province,so-du-lich,denominator without numerator,data_reuse,100,,10,
2024-Q2,province,so-du-lich,numerator alone,online_dossier,100,10,,
2024-Q2,province,so-du-lich,numerator above denominator,online_payment,100,11,10,100
2024-Q2,province,so-cong-thuong,same key twice (first),e_result,100,5,10,50
2024-Q2,province,so-cong-thuong,same key twice (second),e_result,100,6,10,60
2024-Q2,province,so-cong-thuong,same key twice after trimming,digitization,100,5,10,50
2024-Q2, PROVINCE ,so-cong-thuong ,same key twice after trimming,digitization,100,5,10,50
2024-Q7,commune,so-khong-co,several mistakes,ket_qua,200,-1,x,"1,23"
,,,an empty row,,,,,
\.
SELECT * FROM kpi.ingest_counts();
-- every bad row stays, with its reason; good rows are gone from staging
SELECT unit_name AS "case", error FROM kpi.staging_counts ORDER BY unit_name, error;
-- the good rows, as loaded (the new periods created as kpi.refresh names them)
SELECT c.period, c.level, c.unit_code, c.indicator, t.target, c.applicable, c.numerator, c.denominator, c.printed_rate
FROM kpi.indicator_count AS c
LEFT JOIN kpi.assigned_target AS t USING (period, level, unit_code, indicator)
WHERE c.period <> '2024-Q1'
ORDER BY c.period, c.level, c.unit_code, c.indicator;
SELECT * FROM kpi.period ORDER BY label;
-- the 2024-Q1 counts are untouched
SELECT pg_catalog.count(*) = 0 AS q1_untouched
FROM (SELECT * FROM kpi.indicator_count WHERE period = '2024-Q1' EXCEPT SELECT * FROM sample_count) AS x;

-- A fixed row loads; the others stay.  Fixing one of two rows of the same
-- key is not enough: the other must go.
UPDATE kpi.staging_counts SET level = 'province' WHERE unit_name = 'level unknown';
UPDATE kpi.staging_counts SET numerator = '10' WHERE unit_name = 'numerator above denominator';
DELETE FROM kpi.staging_counts WHERE unit_name = 'same key twice (first)';
SELECT * FROM kpi.ingest_counts();
SELECT c.unit_code, c.indicator, c.numerator, c.denominator, c.printed_rate
FROM kpi.indicator_count AS c
WHERE c.period = '2024-Q2' AND c.unit_code IN ('so-y-te', 'so-du-lich', 'so-cong-thuong') AND c.level = 'province'
ORDER BY c.unit_code, c.indicator;

-- A later load replaces the published row of the same period, level, unit
-- and indicator, and its target; an empty or - target keeps the target.
DELETE FROM kpi.staging_counts;
COPY kpi.staging_counts FROM STDIN WITH (FORMAT csv, HEADER);
period,level,unit_code,unit_name,indicator,target,numerator,denominator,printed_rate,error
2024-Q2,province,so-y-te,Sở Y tế,online_dossier,70,443,444,"99,8",an old reason is ignored
2024-Q2,province,so-tu-phap,Sở Tư pháp,online_dossier,,8421,8460,"99,5",
2024-Q2,province,so-tu-phap,Sở Tư pháp,payment_uptake,-,1,2,50,
\.
SELECT * FROM kpi.ingest_counts();
SELECT c.unit_code, c.indicator, t.target, c.applicable, c.numerator, c.denominator, c.printed_rate
FROM kpi.indicator_count AS c
LEFT JOIN kpi.assigned_target AS t USING (period, level, unit_code, indicator)
WHERE c.period = '2024-Q2' AND c.unit_code IN ('so-y-te', 'so-tu-phap') AND c.indicator IN ('online_dossier', 'payment_uptake')
ORDER BY c.unit_code, c.indicator;

------------------------------------------------------------------------
-- 5. An empty file and a header-only file
------------------------------------------------------------------------
DELETE FROM kpi.staging_counts;
SELECT pg_temp.kpi_state() AS before_state, pg_temp.kpi_versions() AS versions \gset
-- (written by the server into /tmp, as the other tests do)
SELECT '/tmp/kpi_ext_test_loading_counts_' || pg_catalog.pg_backend_pid() AS tmp \gset
\set f :tmp '_empty.csv'
COPY (SELECT * FROM kpi.staging_counts) TO :'f' WITH (FORMAT csv);
SELECT pg_catalog.length(pg_catalog.pg_read_file(:'f')) AS empty_file_bytes;
COPY kpi.staging_counts FROM :'f' WITH (FORMAT csv, HEADER);
SELECT * FROM kpi.ingest_counts();
\set f :tmp '_header.csv'
COPY (SELECT * FROM kpi.staging_counts) TO :'f' WITH (FORMAT csv, HEADER);
SELECT pg_catalog.pg_read_file(:'f') AS header_only_file;
COPY kpi.staging_counts FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT * FROM kpi.ingest_counts();
SELECT pg_temp.kpi_state() = :'before_state' AS same_content, pg_temp.kpi_versions() = :'versions' AS no_row_rewritten;

------------------------------------------------------------------------
-- 6. One ingest is one transaction: a failure nobody expected (here a
--    trigger) leaves the kpi tables and staging as they were
------------------------------------------------------------------------
CREATE TRIGGER loading_test_refuse BEFORE INSERT ON kpi.assigned_target
    FOR EACH ROW WHEN (NEW.unit_code = 'so-xay-dung') EXECUTE FUNCTION pg_temp.refuse();
COPY kpi.staging_counts FROM STDIN WITH (FORMAT csv, HEADER);
period,level,unit_code,unit_name,indicator,target,numerator,denominator,printed_rate,error
2024-Q3,province,so-y-te,Sở Y tế,e_result,100,10,10,100,
2024-Q3,province,so-xay-dung,Sở Xây dựng,e_result,100,9,10,90,
2024-Q3,province,so-y-te,Sở Y tế,digitization,100,,,,
\.
\set VERBOSITY terse
SELECT * FROM kpi.ingest_counts();
\set VERBOSITY default
SELECT pg_temp.kpi_state() = :'before_state' AS same_content, pg_temp.kpi_versions() = :'versions' AS no_row_rewritten;
SELECT unit_code, indicator, error FROM kpi.staging_counts ORDER BY unit_code, indicator;
DROP TRIGGER loading_test_refuse ON kpi.assigned_target;
SELECT * FROM kpi.ingest_counts();
SELECT label, name_vi, name_en FROM kpi.period WHERE label = '2024-Q3';

DELETE FROM kpi.staging_counts;
DROP EXTENSION kpi_ext;
