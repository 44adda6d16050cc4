-- Loading dossier exports: kpi.staging_dossier, kpi.ingest_dossiers() and
-- kpi.rejected_dossier.  The sample export (Vietnamese words, day-first
-- dates in local time), copied with a plain COPY (the staging table has
-- exactly the file's columns), loads and reads exactly as an independent
-- reading of the same file; loading twice changes nothing, not even a row
-- version; the bad sample file: its rejected rows carry their lines in the
-- file, and fixed in kpi.rejected_dossier they load while the others stay
-- as they were; Excel's blank rows are dropped, a header read as a row is
-- rejected, and COPY itself refuses a header that does not match and an
-- extra column; one row per rejection reason, with the exact reasons,
-- beside good rows that load (unit codes in any letter case); dates in the
-- future; kpi.time_zone; an unexpected failure leaves everything as it
-- was; empty and header-only files; then kpi.refresh; the grants a loading
-- role needs.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SELECT kpi.load_sample() > 0 AS sample_loaded;
-- Instants are shown in UTC.  Dates without a zone are read in
-- kpi.time_zone (Asia/Ho_Chi_Minh unless set), whatever the session's
-- TimeZone; and 05/03/2024 is 5 March whatever DateStyle says.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, MDY';
\getenv abs_srcdir PG_ABS_SRCDIR

-- The staging table: every column text, exactly the columns of kpi.dossier
-- and of the files, each commented; the rejected rows' table: line and
-- reasons, then the same columns; both registered so that pg_dump keeps
-- their rows.
SELECT a.attrelid::pg_catalog.regclass AS "table", a.attnum, a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       pg_catalog.col_description(a.attrelid, a.attnum) IS NOT NULL AS commented
FROM pg_catalog.pg_attribute AS a
WHERE a.attrelid IN ('kpi.staging_dossier'::pg_catalog.regclass, 'kpi.rejected_dossier'::pg_catalog.regclass)
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, a.attnum;
SELECT t.tbl AS "table",
       pg_catalog.obj_description(t.tbl, 'pg_class') IS NOT NULL AS table_commented,
       (SELECT t.tbl = ANY (e.extconfig) FROM pg_catalog.pg_extension AS e WHERE e.extname = 'kpi_ext') AS kept_by_pg_dump
FROM pg_catalog.unnest(ARRAY['kpi.staging_dossier', 'kpi.rejected_dossier']::pg_catalog.regclass[]) AS t (tbl);
SELECT pg_catalog.obj_description('kpi.ingest_dossiers()'::pg_catalog.regprocedure, 'pg_proc') IS NOT NULL AS function_commented;
-- same names, same order as kpi.dossier
SELECT pg_catalog.array_agg(a.attname ORDER BY a.attnum) FILTER (WHERE a.attrelid = 'kpi.dossier'::pg_catalog.regclass)
       = (pg_catalog.array_agg(a.attname ORDER BY a.attnum) FILTER (WHERE a.attrelid = 'kpi.staging_dossier'::pg_catalog.regclass)) AS same_columns
FROM pg_catalog.pg_attribute AS a
WHERE a.attrelid IN ('kpi.dossier'::pg_catalog.regclass, 'kpi.staging_dossier'::pg_catalog.regclass)
  AND a.attnum > 0 AND NOT a.attisdropped;

-- What the ingest writes (contents with pg_temp.table_state, row versions
-- with pg_temp.table_versions).
\set kpi_tables '{kpi.dossier}'
-- The lines of a file, numbered from 1 (line 1 is the header).
CREATE FUNCTION pg_temp.file_lines(path text) RETURNS TABLE (n bigint, line text) LANGUAGE sql AS $$
SELECT x.n, x.line FROM pg_catalog.regexp_split_to_table(pg_catalog.pg_read_file(path), E'\r?\n') WITH ORDINALITY AS x (line, n)
$$;
-- A rejected row's cells, as staged, joined by commas: the line of a CSV
-- file without quotes.
CREATE FUNCTION pg_temp.as_line(r kpi.rejected_dossier) RETURNS text LANGUAGE sql AS $$
SELECT pg_catalog.concat_ws(',', coalesce(r.dossier_code, ''), coalesce(r.unit_code, ''), coalesce(r.procedure_code, ''),
                            coalesce(r.received_at, ''), coalesce(r.channel, ''), coalesce(r.fee_required, ''),
                            coalesce(r.paid_online, ''), coalesce(r.digitized, ''), coalesce(r.reused_data, ''),
                            coalesce(r.resolved_at, ''), coalesce(r.e_result, ''), coalesce(r.due_at, ''))
$$;

------------------------------------------------------------------------
-- 1. The sample export, with a plain COPY
------------------------------------------------------------------------
-- the procedures the units offer online, in force from the quarter's first day
\set f :abs_srcdir '/data/sample/dossiers-services.csv'
COPY kpi.staging_service FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT * FROM kpi.ingest_services('2024-Q1');
\set f :abs_srcdir '/data/sample/dossiers-sample.csv'
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER);
SELECT * FROM kpi.staging_dossier WHERE dossier_code IN ('ALA-240102-0001', 'QNH-240104-0001', 'STP-240329-0001')
ORDER BY dossier_code;
SELECT * FROM kpi.ingest_dossiers();
SELECT pg_catalog.count(*) AS left_in_staging FROM kpi.staging_dossier;
SELECT pg_catalog.count(*) AS rejected_rows FROM kpi.rejected_dossier;
SELECT * FROM kpi.dossier WHERE dossier_code IN ('ALA-240102-0001', 'QNH-240104-0001', 'STP-240329-0001')
ORDER BY dossier_code;
-- An independent reading of the same file: to_timestamp with the export's
-- format and the +07 of Bình Định, the words mapped by hand.
CREATE TEMP TABLE sample_file (LIKE kpi.staging_dossier);
COPY sample_file FROM :'f' WITH (FORMAT csv, HEADER);
CREATE TEMP TABLE sample_expected AS
SELECT r.dossier_code, r.unit_code, r.procedure_code,
       pg_catalog.to_timestamp(r.received_at || ' +07', 'DD/MM/YYYY HH24:MI:SS TZH') AS received_at,
       CASE r.channel WHEN 'Trực tuyến' THEN 'online' WHEN 'Trực tiếp' THEN 'direct' WHEN 'Bưu chính' THEN 'postal' END AS channel,
       r.fee_required = 'Có' AS fee_required, r.paid_online = 'Có' AS paid_online,
       r.digitized = 'Có' AS digitized, r.reused_data = 'Có' AS reused_data,
       pg_catalog.to_timestamp(r.resolved_at || ' +07', 'DD/MM/YYYY HH24:MI:SS TZH') AS resolved_at,
       r.e_result = 'Có' AS e_result,
       pg_catalog.to_timestamp(r.due_at || ' +07', 'DD/MM/YYYY HH24:MI:SS TZH') AS due_at
FROM sample_file AS r;
SELECT (SELECT pg_catalog.count(*) FROM sample_expected) AS rows_in_file,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM kpi.dossier EXCEPT SELECT * FROM sample_expected) AS x) AS loaded_not_in_file,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM sample_expected EXCEPT SELECT * FROM kpi.dossier) AS x) AS file_not_loaded;
SELECT d.unit_code, u.name AS unit_name, pg_catalog.count(*) AS dossiers,
       pg_catalog.count(*) FILTER (WHERE d.channel = 'online') AS online,
       pg_catalog.count(*) FILTER (WHERE d.channel = 'direct') AS direct,
       pg_catalog.count(*) FILTER (WHERE d.channel = 'postal') AS postal,
       pg_catalog.count(*) FILTER (WHERE d.paid_online) AS paid_online,
       pg_catalog.count(d.resolved_at) AS resolved,
       pg_catalog.count(*) FILTER (WHERE d.e_result) AS e_result,
       pg_catalog.min(d.received_at) AS first_received, pg_catalog.max(d.received_at) AS last_received
FROM kpi.dossier AS d JOIN kpi.unit AS u ON u.code = d.unit_code
GROUP BY 1, 2 ORDER BY 1;

------------------------------------------------------------------------
-- 2. Loading the same file again changes nothing, not even a row version
------------------------------------------------------------------------
SELECT pg_temp.table_state(:'kpi_tables') AS state, pg_temp.table_versions(:'kpi_tables') AS versions \gset
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT * FROM kpi.ingest_dossiers();
SELECT pg_temp.table_state(:'kpi_tables') = :'state' AS same_content,
       pg_temp.table_versions(:'kpi_tables') = :'versions' AS no_row_rewritten,
       (SELECT pg_catalog.count(*) FROM kpi.rejected_dossier) AS rejected_rows;

------------------------------------------------------------------------
-- 3. The bad sample file: three good rows load, every other row goes to
--    kpi.rejected_dossier with its reason and its line in the file; fixed
--    there, a row loads and the others stay as they were
------------------------------------------------------------------------
SELECT pg_catalog.count(*) AS dossiers_before FROM kpi.dossier \gset
\set f :abs_srcdir '/data/sample/dossiers-bad.csv'
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER);
SELECT * FROM kpi.ingest_dossiers();
SELECT pg_catalog.count(*) AS left_in_staging FROM kpi.staging_dossier;
-- (checked by hand against the file: the row without a code is line 5, the
-- two rows of QNH-240402-0001 lines 6 and 7, the two bad due dates lines
-- 18 and 19)
SELECT line_no, dossier_code, error FROM kpi.rejected_dossier ORDER BY line_no;
-- each rejected row is the line line_no of the file: its cells, as staged
-- (untrimmed), joined by commas are that line
SELECT pg_catalog.count(*) AS rejected_rows,
       pg_catalog.count(*) FILTER (WHERE l.line = pg_temp.as_line(r)) AS same_as_their_line_in_the_file
FROM kpi.rejected_dossier AS r LEFT JOIN pg_temp.file_lines(:'f') AS l ON l.n = r.line_no;
SELECT dossier_code, unit_code, received_at, channel, resolved_at, e_result
FROM kpi.dossier WHERE received_at >= '2024-04-01' ORDER BY dossier_code;
-- The same file copied again: its rows replace their rejected versions
-- (same dossier code, or the same row where the code is missing), so the
-- rejected rows are the same, not doubled, and what loaded is unchanged.
CREATE TEMP TABLE rejected_first AS SELECT * FROM kpi.rejected_dossier;
SELECT pg_temp.table_state('{kpi.dossier}') AS dossiers_state \gset
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER);
SELECT * FROM kpi.ingest_dossiers();
SELECT (SELECT pg_catalog.count(*) FROM (SELECT * FROM kpi.rejected_dossier EXCEPT ALL SELECT * FROM rejected_first) AS x) AS new_rejected,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM rejected_first EXCEPT ALL SELECT * FROM kpi.rejected_dossier) AS x) AS gone_rejected,
       pg_temp.table_state('{kpi.dossier}') = :'dossiers_state' AS same_dossiers;
DROP TABLE rejected_first;
-- One row fixed in place: it loads and leaves kpi.rejected_dossier; the
-- others are checked again and stay exactly as they were, line included.
UPDATE kpi.rejected_dossier SET unit_code = 'huyen-an-lao' WHERE dossier_code = 'ALA-240402-0001';
CREATE TEMP TABLE rejected_before AS SELECT * FROM kpi.rejected_dossier WHERE dossier_code IS DISTINCT FROM 'ALA-240402-0001';
SELECT * FROM kpi.ingest_dossiers();
SELECT dossier_code, unit_code, received_at FROM kpi.dossier WHERE dossier_code = 'ALA-240402-0001';
SELECT (SELECT pg_catalog.count(*) FROM kpi.rejected_dossier WHERE dossier_code = 'ALA-240402-0001') AS fixed_row_still_rejected,
       (SELECT pg_catalog.count(*) FROM kpi.rejected_dossier) AS still_rejected,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM kpi.rejected_dossier EXCEPT ALL SELECT * FROM rejected_before) AS x) AS changed,
       (SELECT pg_catalog.count(*) FROM (SELECT * FROM rejected_before EXCEPT ALL SELECT * FROM kpi.rejected_dossier) AS x) AS gone;
-- The others fixed: they all load.
-- (an empty cell of a CSV file is NULL)
UPDATE kpi.rejected_dossier SET dossier_code = 'STP-240402-0001' WHERE dossier_code IS NULL;
UPDATE kpi.rejected_dossier SET dossier_code = 'QNH-240402-0002' WHERE dossier_code = 'QNH-240402-0001' AND procedure_code = '1.001193';
UPDATE kpi.rejected_dossier SET procedure_code = '1.001193' WHERE dossier_code = 'ALA-240402-0002';
UPDATE kpi.rejected_dossier SET received_at = '02/04/2024 09:45:00' WHERE dossier_code = 'ALA-240402-0003';
UPDATE kpi.rejected_dossier SET received_at = '15/04/2024' WHERE dossier_code = 'ALA-240402-0004';
UPDATE kpi.rejected_dossier SET received_at = '29/02/2024 08:00:00' WHERE dossier_code = 'ALA-240402-0005';
UPDATE kpi.rejected_dossier SET channel = 'Trực tuyến' WHERE dossier_code = 'SYT-240403-0001';
UPDATE kpi.rejected_dossier SET paid_online = 'Không' WHERE dossier_code = 'SYT-240403-0002';
UPDATE kpi.rejected_dossier SET resolved_at = '03/04/2024 16:00:00' WHERE dossier_code = 'STP-240403-0001';
UPDATE kpi.rejected_dossier SET fee_required = 'Có' WHERE dossier_code = 'STP-240403-0002';
UPDATE kpi.rejected_dossier SET resolved_at = '05/04/2024 10:00:00' WHERE dossier_code = 'QNH-240403-0001';
UPDATE kpi.rejected_dossier SET due_at = '09/04/2024 17:00' WHERE dossier_code = 'SYT-240404-0001';
UPDATE kpi.rejected_dossier SET due_at = '05/04/2024 17:00:00' WHERE dossier_code = 'SYT-240404-0002';
SELECT * FROM kpi.ingest_dossiers();
SELECT line_no, dossier_code, error FROM kpi.rejected_dossier ORDER BY line_no;
SELECT pg_catalog.count(*) - :dossiers_before AS loaded_from_the_bad_file FROM kpi.dossier;

------------------------------------------------------------------------
-- 4. Excel's blank rows (every cell empty after trimming) are dropped:
--    neither loaded nor rejected, and still counted in the lines of the
--    rows after them.  A file copied without HEADER: its header line,
--    read as a row, is rejected with its own reason (the rows' lines,
--    counted from 2, are one more than the file's).
------------------------------------------------------------------------
SELECT pg_temp.file('excel.csv') AS f \gset
COPY (VALUES ('dossier_code,unit_code,procedure_code,received_at,channel,fee_required,paid_online,digitized,reused_data,resolved_at,e_result,due_at'),
             ('XL-1,so-y-te,1.002167,06/05/2024 08:00,Trực tuyến,Không,Không,Có,Không,,Không,'),
             (',,,,,,,,,,,'),
             ('XL-2,so-y-te,1.002167,06/05/2024 09:00,Fax,Không,Không,Có,Không,,Không,'),
             ('XL-3,so-y-te,1.002167,06/05/2024 10:00,Trực tiếp,Không,Không,Có,Không,,Không,'),
             (',,,,,,,,,,,'), (',,,,,,,,,,,'), (' ,"", ,,,,,,,,,')) TO :'f';
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER);
SELECT * FROM kpi.ingest_dossiers();
SELECT pg_catalog.count(*) AS left_in_staging FROM kpi.staging_dossier;
SELECT line_no, dossier_code, error, pg_temp.as_line(r) = l.line AS same_as_the_line_in_the_file
FROM kpi.rejected_dossier AS r LEFT JOIN pg_temp.file_lines(:'f') AS l ON l.n = r.line_no;
SELECT dossier_code, received_at, channel FROM kpi.dossier WHERE dossier_code LIKE 'XL-%' ORDER BY 1;
DELETE FROM kpi.rejected_dossier;

SELECT pg_temp.table_state(:'kpi_tables') AS state, pg_temp.table_versions(:'kpi_tables') AS versions \gset
\set f :abs_srcdir '/data/sample/dossiers-sample.csv'
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv);
SELECT * FROM kpi.ingest_dossiers();
SELECT line_no, dossier_code, unit_code, received_at, error FROM kpi.rejected_dossier;
SELECT pg_temp.table_state(:'kpi_tables') = :'state' AS same_content,
       pg_temp.table_versions(:'kpi_tables') = :'versions' AS no_row_rewritten;
DELETE FROM kpi.rejected_dossier;

-- What COPY itself refuses, before any row is staged: a header that does
-- not match (HEADER MATCH), and a file of version 1.0, whose error column
-- stands where due_at now does (without MATCH its empty cells are read as
-- no due date; a file of before 1.0's error column fails in any case).
SELECT pg_temp.file('swapped.csv') AS f \gset
COPY (VALUES ('dossier_code,unit_code,procedure_code,resolved_at,channel,fee_required,paid_online,digitized,reused_data,received_at,e_result,due_at'),
             ('SW-1,so-y-te,1.002167,07/05/2024 16:00,Trực tuyến,Không,Không,Có,Không,07/05/2024 08:00,Có,')) TO :'f';
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT pg_temp.file('error_column.csv') AS f \gset
COPY (VALUES ('dossier_code,unit_code,procedure_code,received_at,channel,fee_required,paid_online,digitized,reused_data,resolved_at,e_result,error'),
             ('EC-1,so-y-te,1.002167,07/05/2024 08:00,Trực tuyến,Không,Không,Có,Không,,Không,')) TO :'f';
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER MATCH);
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER);
SELECT pg_catalog.count(*) AS staged_rows, pg_catalog.count(due_at) AS with_due_at FROM kpi.staging_dossier;
TRUNCATE kpi.staging_dossier;
SELECT pg_temp.file('eleven_columns.csv') AS f \gset
COPY (VALUES ('dossier_code,unit_code,procedure_code,received_at,channel,fee_required,paid_online,digitized,reused_data,resolved_at,e_result'),
             ('EL-1,so-y-te,1.002167,07/05/2024 08:00,Trực tuyến,Không,Không,Có,Không,,Không')) TO :'f';
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER);
-- (a file without due dates: name its columns)
COPY kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel, fee_required, paid_online,
                          digitized, reused_data, resolved_at, e_result) FROM :'f' WITH (FORMAT csv, HEADER);
SELECT pg_catalog.count(*) AS staged_rows FROM kpi.staging_dossier;
TRUNCATE kpi.staging_dossier;

------------------------------------------------------------------------
-- 5. Good rows in every accepted form, and one row per rejection reason
--    (the code names the case; line 56 is a second header line, as when
--    two files are pasted together, and the last three rows are Excel's
--    blank rows).  H44.07 is a unit code as the national portal writes them.
------------------------------------------------------------------------
INSERT INTO kpi.unit (code, name, level, sort_order) VALUES ('H44.07', 'Sở Thử nghiệm', 'province', 99);
COPY kpi.staging_dossier FROM STDIN WITH (FORMAT csv, HEADER);
dossier_code,unit_code,procedure_code,received_at,channel,fee_required,paid_online,digitized,reused_data,resolved_at,e_result,due_at
OK-01 iso date only,so-y-te,1.002167,2024-05-02,online,false,false,true,false,,false,
OK-02 iso T and offset,so-y-te,1.002167,2024-05-02T08:30:00+07:00,online,true,true,true,false,2024-05-02T01:30:00Z,true,
OK-03 day first with seconds,so-y-te,1.002167,02/05/2024 08:30:15.25,Trực tuyến,Có,Có,Không,Có,3/5/2024 9:05,có,
OK-04 offset without colon,so-y-te,1.002167,2024-05-02 08:30 -0530,TRỰC TIẾP,YES,no,ON,off,2024-05-02 14:00 UTC,T,
OK-05 one-digit parts,SO-Y-TE,1.002167,2024-5-2 8:05,Bưu chính công ích,1,0,y,n,,f,
OK-06 blanks around	, so-y-te ,	1.002167 , 2024-05-02 08:30 ,  online , true , false ,  , , 2024-05-03 , true ,
OK-07 ascii vietnamese,so-y-te,1.002167,02/05/2024,truc tuyen,co,khong,KHONG,Khong,02/05/2024,Co,
OK-08 empty booleans are false,so-y-te,1.002167,2024-05-02,direct,,,,,,,
OK-09 leap day and zone +14,so-y-te,1.002167,29/02/2024 23:59:59.999999 +14:00,postal,f,f,f,f,,f,
OK-10 a unit code in another letter case,h44.07,1.002167,2024-05-02,online,,,,,,,
OK-11 with a due date,so-y-te,1.002167,02/05/2024 08:00,online,false,false,true,false,03/05/2024,false,07/05/2024 17:00
,so-y-te,1.002167,2024-05-02,online,false,false,true,false,,false,
R-02 twice,so-y-te,1.002167,2024-05-02,online,false,false,true,false,,false,
R-02 twice,so-y-te,1.002167,2024-05-03,online,false,false,true,false,,false,
R-03 twice after trimming,so-y-te,1.002167,2024-05-02,online,false,false,true,false,,false,
 R-03 twice after trimming ,so-y-te,1.002167,2024-05-02,online,false,false,true,false,,false,
R-04 unit empty,,1.002167,2024-05-02,online,false,false,true,false,,false,
R-05 unit unknown,so-khong-co,1.002167,2024-05-02,online,false,false,true,false,,false,
R-06 procedure empty,so-y-te,,2024-05-02,online,false,false,true,false,,false,
R-07 received empty,so-y-te,1.002167,,online,false,false,true,false,,false,
R-08 received in words,so-y-te,1.002167,hôm qua,online,false,false,true,false,,false,
R-09 received day-month-year with dashes,so-y-te,1.002167,02-05-2024,online,false,false,true,false,,false,
R-10 received two-digit year,so-y-te,1.002167,02/05/24,online,false,false,true,false,,false,
R-11 received month first,so-y-te,1.002167,05/31/2024,online,false,false,true,false,,false,
R-12 received 30 February,so-y-te,1.002167,2024-02-30,online,false,false,true,false,,false,
R-13 received 29 February 2023,so-y-te,1.002167,29/02/2023 10:00,online,false,false,true,false,,false,
R-14 received hour 24,so-y-te,1.002167,2024-05-02 24:00,online,false,false,true,false,,false,
R-15 received minute 60,so-y-te,1.002167,2024-05-02 08:60,online,false,false,true,false,,false,
R-16 received second 60,so-y-te,1.002167,2024-05-02 08:59:60,online,false,false,true,false,,false,
R-17 received zone +15,so-y-te,1.002167,2024-05-02 08:30+15:00,online,false,false,true,false,,false,
R-18 received zone name,so-y-te,1.002167,2024-05-02 08:30 Asia/Ho_Chi_Minh,online,false,false,true,false,,false,
R-19 received before 2000,so-y-te,1.002167,31/12/1999 23:59,online,false,false,true,false,,false,
R-20 channel empty,so-y-te,1.002167,2024-05-02,,false,false,true,false,,false,
R-21 channel unknown,so-y-te,1.002167,2024-05-02,bưu điện,false,false,true,false,,false,
R-22 fee_required not a boolean,so-y-te,1.002167,2024-05-02,online,chưa,false,true,false,,false,
R-23 paid_online not a boolean,so-y-te,1.002167,2024-05-02,online,true,maybe,true,false,,false,
R-24 digitized not a boolean,so-y-te,1.002167,2024-05-02,online,false,false,2,false,,false,
R-25 reused_data not a boolean,so-y-te,1.002167,2024-05-02,online,false,false,true,x,,false,
R-26 e_result not a boolean,so-y-te,1.002167,2024-05-02,online,false,false,true,false,2024-05-03,o,
R-27 resolved in words,so-y-te,1.002167,2024-05-02,online,false,false,true,false,ngày mai,false,
R-28 resolved 31 April,so-y-te,1.002167,2024-05-02,online,false,false,true,false,31/04/2024,false,
R-29 resolved before 2000,so-y-te,1.002167,2024-05-02,online,false,false,true,false,1999-05-03,false,
R-30 resolved before received,so-y-te,1.002167,02/05/2024 08:00,online,false,false,true,false,01/05/2024 17:00,false,
R-31 resolved before received by the zones,so-y-te,1.002167,2024-05-02 08:00 +07:00,online,false,false,true,false,2024-05-02 00:30Z,false,
R-32 paid online without a fee,so-y-te,1.002167,2024-05-02,online,false,true,true,false,,false,
R-33 paid online with an empty fee,so-y-te,1.002167,2024-05-02,online,,có,true,false,,false,
R-34 electronic result not resolved,so-y-te,1.002167,2024-05-02,online,false,false,true,false,,true,
R-35 several mistakes,huyen-khong-co,,2024-13-01,fax,có?,true,true,false,2024-01-01 25:00,1,
R-36 dossier_code longer than 100 characters xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,so-y-te,1.002167,2024-05-02,online,false,false,true,false,,false,
R-37 procedure_code longer than 100 characters,so-y-te,1.002167.99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999,2024-05-02,online,false,false,true,false,,false,
R-38 received in the future,so-y-te,1.002167,2999-01-01,online,false,false,true,false,,false,
R-39 resolved in the future,so-y-te,1.002167,2024-05-02,online,false,false,true,false,01/01/2999 08:00,false,
R-40 due in words,so-y-te,1.002167,2024-05-02,online,false,false,true,false,,false,trong 5 ngày
R-41 due before received,so-y-te,1.002167,02/05/2024 08:00,online,false,false,true,false,,false,01/05/2024 17:00
dossier_code,unit_code,procedure_code,received_at,channel,fee_required,paid_online,digitized,reused_data,resolved_at,e_result,due_at
,,,,,,,,,,,
,,,,,,,,,,,
 , ,,,,,,,,,,
\.
SELECT pg_catalog.count(*) AS staged_rows FROM kpi.staging_dossier;
SELECT * FROM kpi.ingest_dossiers();
SELECT line_no, pg_catalog.left(dossier_code, 46) AS dossier_code, error FROM kpi.rejected_dossier ORDER BY line_no;
SELECT * FROM kpi.dossier WHERE dossier_code LIKE 'OK-%' ORDER BY dossier_code;
DELETE FROM kpi.rejected_dossier;

-- The future is counted from the ingest's statement: up to a day ahead is
-- accepted (clocks differ), more is not.
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel, resolved_at)
SELECT x.code, 'so-y-te', '1.002167',
       pg_catalog.to_char(pg_catalog.statement_timestamp() + x.received_in, 'YYYY-MM-DD HH24:MI:SS') || 'Z', 'online',
       pg_catalog.to_char(pg_catalog.statement_timestamp() + x.resolved_in, 'YYYY-MM-DD HH24:MI:SS') || 'Z'
FROM (VALUES ('FUT-1 received in 20 hours', interval '20 hours', NULL::interval),
             ('FUT-2 received in 26 hours', interval '26 hours', NULL),
             ('FUT-3 resolved in 20 hours', interval '-1 hour', interval '20 hours'),
             ('FUT-4 resolved in 26 hours', interval '-1 hour', interval '26 hours')) AS x (code, received_in, resolved_in);
SELECT * FROM kpi.ingest_dossiers();
SELECT dossier_code, pg_catalog.regexp_replace(error, '"[^"]*"', '"…"', 'g') AS error FROM kpi.rejected_dossier ORDER BY 1;
SELECT dossier_code FROM kpi.dossier WHERE dossier_code LIKE 'FUT-%' ORDER BY 1;
DELETE FROM kpi.rejected_dossier;
DELETE FROM kpi.dossier WHERE dossier_code LIKE 'FUT-%' OR unit_code = 'H44.07';
DELETE FROM kpi.unit WHERE code = 'H44.07';

------------------------------------------------------------------------
-- 6. kpi.time_zone: where dates without a zone are
------------------------------------------------------------------------
SET kpi.time_zone = 'UTC';
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel)
VALUES ('TZ-1', 'so-y-te', '1.002167', '2024-06-01 08:00', 'online'),
       ('TZ-2', 'so-y-te', '1.002167', '2024-06-01 08:00 +07', 'online');
SELECT * FROM kpi.ingest_dossiers();
SET kpi.time_zone = 'Asia/Bangkok';
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel)
VALUES ('TZ-3', 'so-y-te', '1.002167', '2024-06-01 08:00', 'online');
SELECT * FROM kpi.ingest_dossiers();
SELECT dossier_code, received_at FROM kpi.dossier WHERE dossier_code LIKE 'TZ-%' ORDER BY 1;
-- a zone PostgreSQL does not know: an error before anything is checked or written
SET kpi.time_zone = 'Asia/Bình_Định';
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel)
VALUES ('TZ-4', 'so-y-te', '1.002167', '2024-06-01 08:00', 'online');
\set VERBOSITY terse
SELECT * FROM kpi.ingest_dossiers();
\set VERBOSITY default
SELECT dossier_code FROM kpi.staging_dossier;
SELECT pg_catalog.count(*) AS rejected_rows FROM kpi.rejected_dossier;
RESET kpi.time_zone;
SELECT * FROM kpi.ingest_dossiers();
SELECT dossier_code, received_at FROM kpi.dossier WHERE dossier_code = 'TZ-4';

------------------------------------------------------------------------
-- 7. One ingest is one transaction: a failure nobody expected (here a
--    trigger) leaves kpi.dossier, staging and the rejected rows as they
--    were.  (The row rejected before, fixed since, sends a loaded dossier
--    again with other values: it will replace it.)
------------------------------------------------------------------------
INSERT INTO kpi.rejected_dossier (line_no, error, dossier_code, unit_code, procedure_code, received_at, channel)
VALUES (7, 'a reason from before', 'STP-240102-0001', 'so-tu-phap', '2.000908', '2024-06-02', 'online');
CREATE TRIGGER loading_test_refuse BEFORE INSERT ON kpi.dossier
    FOR EACH ROW WHEN (NEW.dossier_code = 'AT-3') EXECUTE FUNCTION pg_temp.refuse();
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel)
VALUES ('AT-1', 'so-y-te', '1.002167', '2024-06-02', 'online'),
       ('AT-2', 'so-y-te', '1.002167', '2024-06-02', 'fax'),
       ('AT-3', 'so-y-te', '1.002167', '2024-06-02', 'online');
\set all_tables '{kpi.dossier,kpi.staging_dossier,kpi.rejected_dossier}'
SELECT pg_temp.table_state(:'all_tables') AS state, pg_temp.table_versions(:'all_tables') AS versions \gset
\set VERBOSITY terse
SELECT * FROM kpi.ingest_dossiers();
\set VERBOSITY default
SELECT pg_temp.table_state(:'all_tables') = :'state' AS same_content,
       pg_temp.table_versions(:'all_tables') = :'versions' AS no_row_rewritten;
DROP TRIGGER loading_test_refuse ON kpi.dossier;
SELECT * FROM kpi.ingest_dossiers();
SELECT dossier_code, received_at, channel FROM kpi.dossier WHERE dossier_code IN ('AT-1', 'AT-3', 'STP-240102-0001') ORDER BY 1;
SELECT dossier_code, error FROM kpi.rejected_dossier;
DELETE FROM kpi.rejected_dossier;

------------------------------------------------------------------------
-- 8. An empty file and a header-only file (written by the server with
--    pg_temp.file)
------------------------------------------------------------------------
SELECT pg_temp.table_state(:'kpi_tables') AS state, pg_temp.table_versions(:'kpi_tables') AS versions \gset
SELECT pg_temp.file('empty.csv') AS f \gset
COPY (SELECT * FROM kpi.staging_dossier) TO :'f' WITH (FORMAT csv);
SELECT pg_catalog.length(pg_catalog.pg_read_file(:'f')) AS empty_file_bytes;
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER);
SELECT * FROM kpi.ingest_dossiers();
SELECT pg_temp.file('header.csv') AS f \gset
COPY (SELECT * FROM kpi.staging_dossier) TO :'f' WITH (FORMAT csv, HEADER);
SELECT pg_catalog.pg_read_file(:'f') AS header_only_file;
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT * FROM kpi.ingest_dossiers();
SELECT pg_temp.table_state(:'kpi_tables') = :'state' AS same_content,
       pg_temp.table_versions(:'kpi_tables') = :'versions' AS no_row_rewritten;

------------------------------------------------------------------------
-- 9. Then the quarter's indicators: kpi.refresh over what was loaded
------------------------------------------------------------------------
SELECT kpi.refresh('2024-Q1') AS rows_written;
SELECT r.level, r.unit_name, r.indicator, r.numerator, r.denominator, r.pct
FROM kpi.result AS r
WHERE r.period = '2024-Q1' AND r.source = 'computed'
  AND r.unit_code IN ('so-tu-phap', 'so-y-te', 'huyen-an-lao', 'tp-quy-nhon')
  AND r.indicator IN ('service_uptake', 'online_dossier', 'online_payment', 'e_result')
ORDER BY r.level DESC, r.row_no, r.indicator;

------------------------------------------------------------------------
-- 10. A role with these grants loads both kinds of file and fixes the
--     rejected rows; a role that may only stage rows cannot ingest them.
--     (TRUNCATE on the staging tables: each ingest empties its own with
--     it when nobody else is using it.)
------------------------------------------------------------------------
CREATE ROLE regress_kpi_loader NOLOGIN;
GRANT USAGE ON SCHEMA kpi TO regress_kpi_loader;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON kpi.staging_counts, kpi.staging_dossier TO regress_kpi_loader;
GRANT SELECT, INSERT, UPDATE, DELETE ON kpi.rejected_counts, kpi.rejected_dossier TO regress_kpi_loader;
GRANT SELECT ON kpi.unit, kpi.indicator TO regress_kpi_loader;
GRANT SELECT, INSERT ON kpi.period TO regress_kpi_loader;
GRANT SELECT, INSERT, UPDATE ON kpi.indicator_count, kpi.assigned_target, kpi.dossier TO regress_kpi_loader;
CREATE ROLE regress_kpi_stager NOLOGIN;
GRANT USAGE ON SCHEMA kpi TO regress_kpi_stager;
GRANT SELECT, INSERT ON kpi.staging_counts, kpi.staging_dossier TO regress_kpi_stager;

SET ROLE regress_kpi_loader;
INSERT INTO kpi.staging_counts VALUES
    ('2024-Q4', 'province', 'so-y-te', 'Sở Y tế', 'e_result', '100', '9', '10', '90'),
    ('2024-Q4', 'province', 'so-y-te', 'Sở Y tế', 'digitization', '100', 'chín', '10', '90');
SELECT * FROM kpi.ingest_counts();
UPDATE kpi.rejected_counts SET numerator = '9';
SELECT * FROM kpi.ingest_counts();
INSERT INTO kpi.staging_counts VALUES
    ('2024-Q4', 'province', 'so-y-te', 'Sở Y tế', 'e_result', '99', '10', '10', '100');
SELECT * FROM kpi.ingest_counts();
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel) VALUES
    ('ROLE-1', 'so-y-te', '1.002167', '01/10/2024 08:00', 'Trực tuyến'),
    ('ROLE-2', 'so-y-te', '1.002167', '31/09/2024 08:00', 'Trực tuyến');
SELECT * FROM kpi.ingest_dossiers();
UPDATE kpi.rejected_dossier SET received_at = '30/09/2024 08:00';
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel) VALUES
    ('ROLE-1', 'so-y-te', '1.002167', '01/10/2024 08:00', 'Trực tiếp');
SELECT * FROM kpi.ingest_dossiers();
RESET ROLE;
SELECT period, unit_code, indicator, numerator, denominator, printed_rate, t.target
FROM kpi.indicator_count AS c LEFT JOIN kpi.assigned_target AS t USING (period, level, unit_code, indicator)
WHERE period = '2024-Q4' ORDER BY indicator;
SELECT dossier_code, received_at, channel FROM kpi.dossier WHERE dossier_code LIKE 'ROLE-%' ORDER BY 1;
SELECT (SELECT pg_catalog.count(*) FROM kpi.rejected_counts) + (SELECT pg_catalog.count(*) FROM kpi.rejected_dossier) AS rejected_rows;

SET ROLE regress_kpi_stager;
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel) VALUES
    ('ROLE-3', 'so-y-te', '1.002167', '01/10/2024 09:00', 'online');
\set VERBOSITY terse
SELECT * FROM kpi.ingest_dossiers();
\set VERBOSITY default
RESET ROLE;
SELECT dossier_code FROM kpi.staging_dossier;
SELECT pg_catalog.count(*) AS rejected_rows FROM kpi.rejected_dossier;
DROP OWNED BY regress_kpi_loader, regress_kpi_stager;
DROP ROLE regress_kpi_loader, regress_kpi_stager;

DELETE FROM kpi.staging_dossier;
DROP FUNCTION pg_temp.as_line(kpi.rejected_dossier);
DROP EXTENSION kpi_ext;
