-- Loading published counts: kpi.staging_counts, kpi.ingest_counts() and
-- kpi.rejected_counts.  The seed's counts as the report prints them, copied
-- with a plain COPY (the staging table has exactly the file's columns), load
-- to exactly the sample's published numbers and targets; loading twice
-- changes nothing, not even a row version; the older dot-decimal file loads
-- once its rejected rows, fixed in kpi.rejected_counts, say "-"; every
-- rejection reason, with its exact text and the row's line in the file,
-- beside good rows that load (unit codes and periods in any letter case);
-- fixing rejected rows in place loads them and leaves the others as they
-- were; Excel's blank rows are dropped and a header read as a row is
-- rejected; COPY itself refuses a header that does not match, an extra
-- column and an empty line; an empty file and a header-only file; an
-- unexpected failure leaves everything as it was; two ingests of counts
-- take the same lock, to the end of the transaction.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SELECT kpi.load_sample() > 0 AS sample_loaded;
SET DateStyle = ISO;
\getenv abs_srcdir PG_ABS_SRCDIR
\getenv abs_builddir PG_ABS_BUILDDIR

-- The staging table: every column text, exactly the columns of the CSV
-- files, each commented; the rejected rows' table: line and reasons, then
-- the same columns; both registered so that pg_dump keeps their rows.
SELECT a.attrelid::pg_catalog.regclass AS "table", a.attnum, a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       pg_catalog.col_description(a.attrelid, a.attnum) IS NOT NULL AS commented
FROM pg_catalog.pg_attribute AS a
WHERE a.attrelid IN ('kpi.staging_counts'::pg_catalog.regclass, 'kpi.rejected_counts'::pg_catalog.regclass)
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, a.attnum;
SELECT t.tbl AS "table",
       pg_catalog.obj_description(t.tbl, 'pg_class') IS NOT NULL AS table_commented,
       (SELECT t.tbl = ANY (e.extconfig) FROM pg_catalog.pg_extension AS e WHERE e.extname = 'kpi_ext') AS kept_by_pg_dump
FROM pg_catalog.unnest(ARRAY['kpi.staging_counts', 'kpi.rejected_counts']::pg_catalog.regclass[]) AS t (tbl);
SELECT pg_catalog.obj_description('kpi.ingest_counts()'::pg_catalog.regprocedure, 'pg_proc') IS NOT NULL AS function_commented;

-- Everything the ingest may write: counts, targets, periods (contents with
-- pg_temp.table_state, row versions with pg_temp.table_versions).
\set kpi_tables '{kpi.indicator_count,kpi.assigned_target,kpi.period}'
-- The lines of a file, numbered from 1 (line 1 is the header).
CREATE FUNCTION pg_temp.file_lines(path text) RETURNS TABLE (n bigint, line text) LANGUAGE sql AS $$
SELECT x.n, x.line FROM pg_catalog.regexp_split_to_table(pg_catalog.pg_read_file(path), E'\r?\n') WITH ORDINALITY AS x (line, n)
$$;

------------------------------------------------------------------------
-- 1. The seed's counts in the report's own format, with a plain COPY
------------------------------------------------------------------------
CREATE TEMP TABLE sample_count AS SELECT * FROM kpi.indicator_count;
CREATE TEMP TABLE sample_target AS SELECT * FROM kpi.assigned_target;
SELECT pg_temp.table_state(:'kpi_tables') AS sample_state \gset
DELETE FROM kpi.indicator_count;
DELETE FROM kpi.assigned_target;

\set f :abs_srcdir '/data/sample/counts-2024-Q1-vi.csv'
COPY kpi.staging_counts FROM :'f' WITH (FORMAT csv, HEADER);
-- as staged: decimal commas, -, 100%, no published denominator, names as
-- printed (footnote marks included)
SELECT level, unit_code, unit_name, indicator, target, numerator, denominator, printed_rate
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
SELECT pg_catalog.count(*) AS rejected_rows FROM kpi.rejected_counts;
-- exactly the sample's published numbers and assigned targets
SELECT (SELECT pg_catalog.count(*) FROM kpi.indicator_count) AS counts,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM kpi.indicator_count EXCEPT SELECT * FROM sample_count) AS x) AS counts_not_in_sample,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM sample_count EXCEPT SELECT * FROM kpi.indicator_count) AS x) AS sample_counts_missing,
       (SELECT pg_catalog.count(*) FROM kpi.assigned_target) AS targets,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM kpi.assigned_target EXCEPT SELECT * FROM sample_target) AS x) AS targets_not_in_sample,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM sample_target EXCEPT SELECT * FROM kpi.assigned_target) AS x) AS sample_targets_missing,
       pg_temp.table_state(:'kpi_tables') = :'sample_state' AS same_as_load_sample;
-- the report's appendix reads them as before: the 100% target, not applicable, the printed rate kept
SELECT level, row_no, unit_name, indicator, target, numerator, denominator, pct, printed_rate, met
FROM kpi.result
WHERE period = '2024-Q1' AND (unit_code, indicator) IN (('so-ngoai-vu', 'data_reuse'), ('huyen-an-lao', 'data_reuse'),
                                                        ('huyen-an-lao', 'e_result'), ('so-ke-hoach-dau-tu', 'e_result'))
ORDER BY level DESC, row_no, indicator;

------------------------------------------------------------------------
-- 2. Loading the same file again changes nothing, not even a row version
------------------------------------------------------------------------
SELECT pg_temp.table_versions(:'kpi_tables') AS versions \gset
COPY kpi.staging_counts FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT * FROM kpi.ingest_counts();
SELECT pg_temp.table_state(:'kpi_tables') = :'sample_state' AS same_content,
       pg_temp.table_versions(:'kpi_tables') = :'versions' AS no_row_rewritten,
       (SELECT pg_catalog.count(*) FROM kpi.rejected_counts) AS rejected_rows;

------------------------------------------------------------------------
-- 3. The older file (dot decimals, empty cells for not applicable), with
--    a plain COPY too: the 11 rows without any number are rejected, each
--    with its line in the file, fixed in kpi.rejected_counts, and loaded
------------------------------------------------------------------------
DELETE FROM kpi.indicator_count;
DELETE FROM kpi.assigned_target;
\set f :abs_srcdir '/data/sample/counts-2024-Q1.csv'
COPY kpi.staging_counts FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT * FROM kpi.ingest_counts();
SELECT pg_catalog.count(*) AS left_in_staging FROM kpi.staging_counts;
SELECT line_no, unit_code, indicator, error FROM kpi.rejected_counts ORDER BY line_no;
-- each rejected row is the line line_no of the file: its cells, as staged
-- (untrimmed), joined by commas are that line
SELECT pg_catalog.count(*) AS rejected_rows,
       pg_catalog.count(*) FILTER (WHERE l.line = pg_catalog.concat_ws(',', coalesce(r.period, ''), coalesce(r.level, ''),
                                       coalesce(r.unit_code, ''), coalesce(r.unit_name, ''), coalesce(r.indicator, ''),
                                       coalesce(r.target, ''), coalesce(r.numerator, ''), coalesce(r.denominator, ''),
                                       coalesce(r.printed_rate, ''))) AS same_as_their_line_in_the_file
FROM kpi.rejected_counts AS r LEFT JOIN pg_temp.file_lines(:'f') AS l ON l.n = r.line_no;
UPDATE kpi.rejected_counts SET numerator = '-', denominator = '-', printed_rate = '-'
WHERE error = 'numerator, denominator and printed_rate are all empty (write - for not applicable)';
SELECT * FROM kpi.ingest_counts();
SELECT pg_catalog.count(*) AS rejected_rows FROM kpi.rejected_counts;
SELECT pg_temp.table_state(:'kpi_tables') = :'sample_state' AS same_as_load_sample;

------------------------------------------------------------------------
-- 4. A file mixing good rows and one row per rejection reason, with a
--    second header line and Excel's blank rows at the end.  unit_name is
--    not checked: here it names the case.  H44.07 is a unit code as the
--    national portal writes them.
------------------------------------------------------------------------
INSERT INTO kpi.unit (code, name, level, sort_order) VALUES ('H44.07', 'Sở Thử nghiệm', 'province', 99);
COPY kpi.staging_counts FROM STDIN WITH (FORMAT csv, HEADER);
period,level,unit_code,unit_name,indicator,target,numerator,denominator,printed_rate
2024-Q2,province,so-y-te,good: a new quarter,online_dossier,65,442,444,"99,5"
 2024-q2 , Province ,SO-TU-PHAP,"good: blanks, case, 8.420, 96 %, 99.5%",online_dossier,96 %,8.420,8.460,99.5%
2024-Q2,province,so-tu-phap,good: - written as an en dash,payment_uptake,–,–,–,–
2024-Q2,province,so-xay-dung,good: no denominator published,data_reuse,60,18,,"4,2"
2024-Q2,province,so-xay-dung,good: only a printed rate,digitization,,,,100
2024-Q2,commune,huyen-an-lao,good: commune level on its district,e_result,100,2444,2506,"97,5"
2024-03,district,huyen-phu-cat,good: a new month,online_payment,"55,5",2402,3181,"75,5"
 2024-h1 ,province,so-y-te,"good: a half-year, in lower case",e_result,100,1,1,100
2024-Q2,province,h44.07,good: a unit code in another letter case,online_dossier,50,1,2,50
,province,so-y-te,period empty,e_result,100,1,1,100
2024-Q5,province,so-y-te,period that does not exist,e_result,100,1,1,100
2024-W10,province,so-y-te,period of an unknown kind,e_result,100,1,1,100
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
2024-Q2,province,SO-CONG-THUONG,same key twice in two letter cases,payment_uptake,100,5,10,50
2024-q2,province,so-cong-thuong,same key twice in two letter cases,payment_uptake,100,5,10,50
2024-Q7,commune,so-khong-co,several mistakes,ket_qua,200,-1,x,"1,23"
,,,an empty row,,,,,
period,level,unit_code,unit_name,indicator,target,numerator,denominator,printed_rate
,,,,,,,,
,,,,,,,,
 ,"",,,,,,,
\.
-- 53 rows staged: the 3 blank rows at the end are neither loaded nor rejected
SELECT pg_catalog.count(*) AS staged_rows FROM kpi.staging_counts;
SELECT * FROM kpi.ingest_counts();
SELECT pg_catalog.count(*) AS left_in_staging FROM kpi.staging_counts;
-- every bad row is in kpi.rejected_counts with its reason and its line (the
-- header is line 1 of the data above); good rows and blank rows are not
SELECT line_no, unit_name AS "case", error FROM kpi.rejected_counts ORDER BY line_no;
-- the good rows, as loaded (the new periods created as kpi.refresh names
-- them, the unit under its own code)
SELECT c.period, c.level, c.unit_code, c.indicator, t.target, c.applicable, c.numerator, c.denominator, c.printed_rate
FROM kpi.indicator_count AS c
LEFT JOIN kpi.assigned_target AS t USING (period, level, unit_code, indicator)
WHERE c.period <> '2024-Q1'
ORDER BY c.period, c.level, c.unit_code, c.indicator;
SELECT * FROM kpi.period ORDER BY label;
-- the 2024-Q1 counts are untouched
SELECT pg_catalog.count(*) = 0 AS q1_untouched
FROM (SELECT * FROM kpi.indicator_count WHERE period = '2024-Q1' EXCEPT SELECT * FROM sample_count) AS x;

-- A row fixed in kpi.rejected_counts loads and leaves it; the others stay
-- as they were, their lines and reasons included.  Fixing one of two rows
-- of the same key is not enough: the other must go.
UPDATE kpi.rejected_counts SET level = 'province' WHERE unit_name = 'level unknown';
UPDATE kpi.rejected_counts SET numerator = '10' WHERE unit_name = 'numerator above denominator';
DELETE FROM kpi.rejected_counts WHERE unit_name = 'same key twice (first)';
CREATE TEMP TABLE rejected_before AS SELECT * FROM kpi.rejected_counts;
SELECT * FROM kpi.ingest_counts();
SELECT b.line_no, b.unit_name AS loaded_case
FROM rejected_before AS b
WHERE NOT EXISTS (SELECT FROM kpi.rejected_counts AS r WHERE r.line_no = b.line_no)
ORDER BY b.line_no;
SELECT pg_catalog.count(*) AS still_rejected,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM kpi.rejected_counts EXCEPT ALL SELECT * FROM rejected_before) AS x) AS changed
FROM kpi.rejected_counts;
SELECT c.unit_code, c.indicator, c.numerator, c.denominator, c.printed_rate
FROM kpi.indicator_count AS c
WHERE c.period = '2024-Q2' AND c.unit_code IN ('so-y-te', 'so-du-lich', 'so-cong-thuong') AND c.level = 'province'
ORDER BY c.unit_code, c.indicator;

-- A later load replaces the published row of the same period, level, unit
-- and indicator, and its target; an empty or - target keeps the target.
DELETE FROM kpi.rejected_counts;
COPY kpi.staging_counts FROM STDIN WITH (FORMAT csv, HEADER);
period,level,unit_code,unit_name,indicator,target,numerator,denominator,printed_rate
2024-Q2,province,so-y-te,Sở Y tế,online_dossier,70,443,444,"99,8"
2024-Q2,province,so-tu-phap,Sở Tư pháp,online_dossier,,8421,8460,"99,5"
2024-Q2,province,so-tu-phap,Sở Tư pháp,payment_uptake,-,1,2,50
\.
SELECT * FROM kpi.ingest_counts();
SELECT c.unit_code, c.indicator, t.target, c.applicable, c.numerator, c.denominator, c.printed_rate
FROM kpi.indicator_count AS c
LEFT JOIN kpi.assigned_target AS t USING (period, level, unit_code, indicator)
WHERE c.period = '2024-Q2' AND c.unit_code IN ('so-y-te', 'so-tu-phap') AND c.indicator IN ('online_dossier', 'payment_uptake')
ORDER BY c.unit_code, c.indicator;

------------------------------------------------------------------------
-- 5. A file copied without HEADER: its header line, read as a row, is
--    rejected with its own reason (the rows' lines, counted from 2, are
--    one more than the file's); the rest changes nothing
------------------------------------------------------------------------
SELECT pg_temp.table_state(:'kpi_tables') AS before_state, pg_temp.table_versions(:'kpi_tables') AS versions \gset
\set f :abs_srcdir '/data/sample/counts-2024-Q1-vi.csv'
COPY kpi.staging_counts FROM :'f' WITH (FORMAT csv);
SELECT * FROM kpi.ingest_counts();
SELECT line_no, period, level, unit_code, error FROM kpi.rejected_counts;
SELECT pg_temp.table_state(:'kpi_tables') = :'before_state' AS same_content,
       pg_temp.table_versions(:'kpi_tables') = :'versions' AS no_row_rewritten;
DELETE FROM kpi.rejected_counts;

------------------------------------------------------------------------
-- 6. What COPY itself refuses, before any row is staged: a header that
--    does not match (HEADER MATCH), a file with one column too many (as
--    the files with an error column were), a truly empty line
------------------------------------------------------------------------
-- numerator and denominator swapped
SELECT pg_temp.file('swapped.csv') AS f \gset
COPY (VALUES ('period,level,unit_code,unit_name,indicator,target,denominator,numerator,printed_rate'),
             ('2024-Q2,province,so-y-te,Sở Y tế,e_result,100,10,9,90')) TO :'f';
COPY kpi.staging_counts FROM :'f' WITH (FORMAT csv, HEADER MATCH);
-- an old file, with its error column
SELECT pg_temp.file('error_column.csv') AS f \gset
COPY (VALUES ('period,level,unit_code,unit_name,indicator,target,numerator,denominator,printed_rate,error'),
             ('2024-Q2,province,so-y-te,Sở Y tế,e_result,100,9,10,90,')) TO :'f';
COPY kpi.staging_counts FROM :'f' WITH (FORMAT csv, HEADER);
COPY kpi.staging_counts FROM :'f' WITH (FORMAT csv, HEADER MATCH);
-- an empty line (not Excel's row of empty cells)
COPY kpi.staging_counts FROM STDIN WITH (FORMAT csv, HEADER);
period,level,unit_code,unit_name,indicator,target,numerator,denominator,printed_rate
2024-Q2,province,so-y-te,Sở Y tế,e_result,100,9,10,90

2024-Q2,province,so-y-te,Sở Y tế,digitization,100,9,10,90
\.
SELECT (SELECT pg_catalog.count(*) FROM kpi.staging_counts) AS staged_rows,
       (SELECT pg_catalog.count(*) FROM kpi.rejected_counts) AS rejected_rows;

------------------------------------------------------------------------
-- 7. An empty file and a header-only file (written by the server with
--    pg_temp.file)
------------------------------------------------------------------------
SELECT pg_temp.table_state(:'kpi_tables') AS before_state, pg_temp.table_versions(:'kpi_tables') AS versions \gset
SELECT pg_temp.file('empty.csv') AS f \gset
COPY (SELECT * FROM kpi.staging_counts) TO :'f' WITH (FORMAT csv);
SELECT pg_catalog.length(pg_catalog.pg_read_file(:'f')) AS empty_file_bytes;
COPY kpi.staging_counts FROM :'f' WITH (FORMAT csv, HEADER);
SELECT * FROM kpi.ingest_counts();
SELECT pg_temp.file('header.csv') AS f \gset
COPY (SELECT * FROM kpi.staging_counts) TO :'f' WITH (FORMAT csv, HEADER);
SELECT pg_catalog.pg_read_file(:'f') AS header_only_file;
COPY kpi.staging_counts FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT * FROM kpi.ingest_counts();
SELECT pg_temp.table_state(:'kpi_tables') = :'before_state' AS same_content,
       pg_temp.table_versions(:'kpi_tables') = :'versions' AS no_row_rewritten;

------------------------------------------------------------------------
-- 8. One ingest is one transaction: a failure nobody expected (here a
--    trigger) leaves the kpi tables, staging and the rejected rows as
--    they were
------------------------------------------------------------------------
INSERT INTO kpi.rejected_counts (line_no, error, period, level, unit_code, unit_name, indicator, target, numerator, denominator, printed_rate)
VALUES (12, 'a reason from before', '2024-Q3', 'province', 'so-tu-phap', 'Sở Tư pháp', 'e_result', '100', '10', '10', '100');
CREATE TRIGGER loading_test_refuse BEFORE INSERT ON kpi.assigned_target
    FOR EACH ROW WHEN (NEW.unit_code = 'so-xay-dung') EXECUTE FUNCTION pg_temp.refuse();
COPY kpi.staging_counts FROM STDIN WITH (FORMAT csv, HEADER);
period,level,unit_code,unit_name,indicator,target,numerator,denominator,printed_rate
2024-Q3,province,so-y-te,Sở Y tế,e_result,100,10,10,100
2024-Q3,province,so-xay-dung,Sở Xây dựng,e_result,100,9,10,90
2024-Q3,province,so-y-te,Sở Y tế,digitization,100,,,
\.
\set all_tables '{kpi.indicator_count,kpi.assigned_target,kpi.period,kpi.staging_counts,kpi.rejected_counts}'
SELECT pg_temp.table_state(:'all_tables') AS before_state, pg_temp.table_versions(:'all_tables') AS versions \gset
\set VERBOSITY terse
SELECT * FROM kpi.ingest_counts();
\set VERBOSITY default
SELECT pg_temp.table_state(:'all_tables') = :'before_state' AS same_content,
       pg_temp.table_versions(:'all_tables') = :'versions' AS no_row_rewritten;
DROP TRIGGER loading_test_refuse ON kpi.assigned_target;
SELECT * FROM kpi.ingest_counts();
SELECT line_no, unit_code, indicator, error FROM kpi.rejected_counts ORDER BY line_no;
SELECT label, name_vi, name_en FROM kpi.period WHERE label = '2024-Q3';
SELECT unit_code, indicator, numerator, denominator FROM kpi.indicator_count WHERE period = '2024-Q3' ORDER BY 1, 2;

------------------------------------------------------------------------
-- 9. Two ingests of counts run one after the other: each holds the lock
--    kpi.staging_lock takes for kpi.staging_counts (not the dossiers' one)
--    until its transaction ends
------------------------------------------------------------------------
CREATE FUNCTION pg_temp.advisory_locks() RETURNS text LANGUAGE sql AS $$
SELECT coalesce(pg_catalog.string_agg(l.classid || '/' || l.objid || '/' || l.mode, ',' ORDER BY l.classid, l.objid), 'none')
FROM pg_catalog.pg_locks AS l
WHERE l.locktype = 'advisory' AND l.pid = pg_catalog.pg_backend_pid() AND l.granted
$$;
BEGIN;
SELECT kpi.staging_lock('kpi.staging_counts');
SELECT pg_temp.advisory_locks() AS counts_lock \gset
ROLLBACK;
BEGIN;
SELECT kpi.staging_lock('kpi.staging_dossier');
SELECT pg_temp.advisory_locks() AS dossier_lock \gset
ROLLBACK;
BEGIN;
SELECT * FROM kpi.ingest_counts();
SELECT pg_temp.advisory_locks() = :'counts_lock' AS holds_the_counts_lock,
       :'counts_lock' <> :'dossier_lock' AS not_the_dossiers_lock;
COMMIT;
SELECT pg_temp.advisory_locks() AS after_commit;

DELETE FROM kpi.rejected_counts;
DROP EXTENSION kpi_ext;
