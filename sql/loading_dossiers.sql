-- Loading dossier exports: kpi.staging_dossier and
-- kpi.ingest_dossiers().  The sample export (Vietnamese words, day-first
-- dates in local time) loads and reads exactly as an independent reading of
-- the same file; loading twice changes nothing; the bad sample file and one
-- row per rejection reason, with the exact reasons, beside good rows that
-- load; fixing rejected rows; kpi.time_zone; an unexpected failure leaves
-- everything as it was; empty and header-only files; then kpi.refresh.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SELECT kpi.load_sample() > 0 AS sample_loaded;
-- Instants are shown in UTC.  Dates without a zone are read in
-- kpi.time_zone (Asia/Ho_Chi_Minh unless set), whatever the session's
-- TimeZone; and 05/03/2024 is 5 March whatever DateStyle says.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, MDY';
\getenv abs_srcdir PG_ABS_SRCDIR

-- The staging table: every column text, in the order of kpi.dossier, then
-- error; each commented; registered so that pg_dump keeps rejected rows.
SELECT a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       pg_catalog.col_description(a.attrelid, a.attnum) IS NOT NULL AS commented
FROM pg_catalog.pg_attribute AS a
WHERE a.attrelid = 'kpi.staging_dossier'::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;
SELECT pg_catalog.obj_description('kpi.staging_dossier'::pg_catalog.regclass, 'pg_class') IS NOT NULL AS table_commented,
       pg_catalog.obj_description('kpi.ingest_dossiers()'::pg_catalog.regprocedure, 'pg_proc') IS NOT NULL AS function_commented,
       (SELECT 'kpi.staging_dossier'::pg_catalog.regclass = ANY (e.extconfig)
        FROM pg_catalog.pg_extension AS e WHERE e.extname = 'kpi_ext') AS kept_by_pg_dump;
-- same names, same order as kpi.dossier
SELECT pg_catalog.array_agg(a.attname ORDER BY a.attnum) FILTER (WHERE a.attrelid = 'kpi.dossier'::pg_catalog.regclass)
       = (pg_catalog.array_agg(a.attname ORDER BY a.attnum) FILTER (WHERE a.attrelid = 'kpi.staging_dossier'::pg_catalog.regclass
                                                                    AND a.attname <> 'error')) AS same_columns
FROM pg_catalog.pg_attribute AS a
WHERE a.attrelid IN ('kpi.dossier'::pg_catalog.regclass, 'kpi.staging_dossier'::pg_catalog.regclass)
  AND a.attnum > 0 AND NOT a.attisdropped;

CREATE FUNCTION pg_temp.kpi_state() RETURNS text LANGUAGE sql AS $$
SELECT pg_catalog.md5(pg_catalog.concat_ws(' / ', pg_catalog.count(*)::text,
       pg_catalog.string_agg(d::text, ',' ORDER BY d.dossier_code)))
FROM kpi.dossier AS d
$$;
CREATE FUNCTION pg_temp.kpi_versions() RETURNS text LANGUAGE sql AS $$
SELECT pg_catalog.md5(pg_catalog.string_agg(d.ctid::text || d.xmin::text, ',' ORDER BY d.ctid))
FROM kpi.dossier AS d
$$;

------------------------------------------------------------------------
-- 1. The sample export
------------------------------------------------------------------------
\set f :abs_srcdir '/data/sample/dossiers-services.csv'
COPY kpi.service FROM :'f' WITH (FORMAT csv, HEADER MATCH);
\set f :abs_srcdir '/data/sample/dossiers-sample.csv'
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT * FROM kpi.staging_dossier WHERE dossier_code IN ('ALA-240102-0001', 'QNH-240104-0001', 'STP-240329-0001')
ORDER BY dossier_code;
SELECT * FROM kpi.ingest_dossiers();
SELECT pg_catalog.count(*) AS left_in_staging FROM kpi.staging_dossier;
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
       r.e_result = 'Có' AS e_result
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
SELECT pg_temp.kpi_state() AS state, pg_temp.kpi_versions() AS versions \gset
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT * FROM kpi.ingest_dossiers();
SELECT pg_temp.kpi_state() = :'state' AS same_content, pg_temp.kpi_versions() = :'versions' AS no_row_rewritten;

------------------------------------------------------------------------
-- 3. The bad sample file: three good rows load, every other row stays with
--    its reason; fixed in place, they load
------------------------------------------------------------------------
\set f :abs_srcdir '/data/sample/dossiers-bad.csv'
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT * FROM kpi.ingest_dossiers();
SELECT dossier_code, error FROM kpi.staging_dossier ORDER BY dossier_code, procedure_code;
SELECT dossier_code, unit_code, received_at, channel, resolved_at, e_result
FROM kpi.dossier WHERE received_at >= '2024-04-01' ORDER BY dossier_code;
-- (an empty cell of a CSV file is NULL)
UPDATE kpi.staging_dossier SET dossier_code = 'STP-240402-0001' WHERE dossier_code IS NULL;
UPDATE kpi.staging_dossier SET dossier_code = 'QNH-240402-0002' WHERE dossier_code = 'QNH-240402-0001' AND procedure_code = '1.001193';
UPDATE kpi.staging_dossier SET unit_code = 'huyen-an-lao' WHERE dossier_code = 'ALA-240402-0001';
UPDATE kpi.staging_dossier SET procedure_code = '1.001193' WHERE dossier_code = 'ALA-240402-0002';
UPDATE kpi.staging_dossier SET received_at = '02/04/2024 09:45:00' WHERE dossier_code = 'ALA-240402-0003';
UPDATE kpi.staging_dossier SET received_at = '15/04/2024' WHERE dossier_code = 'ALA-240402-0004';
UPDATE kpi.staging_dossier SET received_at = '29/02/2024 08:00:00' WHERE dossier_code = 'ALA-240402-0005';
UPDATE kpi.staging_dossier SET channel = 'Trực tuyến' WHERE dossier_code = 'SYT-240403-0001';
UPDATE kpi.staging_dossier SET paid_online = 'Không' WHERE dossier_code = 'SYT-240403-0002';
UPDATE kpi.staging_dossier SET resolved_at = '03/04/2024 16:00:00' WHERE dossier_code = 'STP-240403-0001';
UPDATE kpi.staging_dossier SET fee_required = 'Có' WHERE dossier_code = 'STP-240403-0002';
UPDATE kpi.staging_dossier SET resolved_at = '05/04/2024 10:00:00' WHERE dossier_code = 'QNH-240403-0001';
SELECT * FROM kpi.ingest_dossiers();
SELECT dossier_code, error FROM kpi.staging_dossier ORDER BY dossier_code;

------------------------------------------------------------------------
-- 4. Good rows in every accepted form, and one row per rejection reason
--    (the code names the case)
------------------------------------------------------------------------
DELETE FROM kpi.staging_dossier;
COPY kpi.staging_dossier FROM STDIN WITH (FORMAT csv, HEADER);
dossier_code,unit_code,procedure_code,received_at,channel,fee_required,paid_online,digitized,reused_data,resolved_at,e_result,error
OK-01 iso date only,so-y-te,1.002167,2024-05-02,online,false,false,true,false,,false,
OK-02 iso T and offset,so-y-te,1.002167,2024-05-02T08:30:00+07:00,online,true,true,true,false,2024-05-02T01:30:00Z,true,
OK-03 day first with seconds,so-y-te,1.002167,02/05/2024 08:30:15.25,Trực tuyến,Có,Có,Không,Có,3/5/2024 9:05,có,
OK-04 offset without colon,so-y-te,1.002167,2024-05-02 08:30 -0530,TRỰC TIẾP,YES,no,ON,off,2024-05-02 14:00 UTC,T,
OK-05 one-digit parts,SO-Y-TE,1.002167,2024-5-2 8:05,Bưu chính công ích,1,0,y,n,,f,
OK-06 blanks around	, so-y-te ,	1.002167 , 2024-05-02 08:30 ,  online , true , false ,  , , 2024-05-03 , true ,
OK-07 ascii vietnamese,so-y-te,1.002167,02/05/2024,truc tuyen,co,khong,KHONG,Khong,02/05/2024,Co,
OK-08 an old reason is ignored,so-y-te,1.002167,2024-05-02,direct,,,,,,,"channel ""fax"" is not online, direct or postal"
OK-09 leap day and zone +14,so-y-te,1.002167,29/02/2024 23:59:59.999999 +14:00,postal,f,f,f,f,,f,
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
,,,,,,,,,,,
\.
SELECT * FROM kpi.ingest_dossiers();
SELECT dossier_code, error FROM kpi.staging_dossier ORDER BY dossier_code, received_at;
SELECT * FROM kpi.dossier WHERE dossier_code LIKE 'OK-%' ORDER BY dossier_code;

------------------------------------------------------------------------
-- 5. kpi.time_zone: where dates without a zone are
------------------------------------------------------------------------
DELETE FROM kpi.staging_dossier;
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
SELECT dossier_code, error FROM kpi.staging_dossier;
RESET kpi.time_zone;
SELECT * FROM kpi.ingest_dossiers();
SELECT dossier_code, received_at FROM kpi.dossier WHERE dossier_code = 'TZ-4';

------------------------------------------------------------------------
-- 6. One ingest is one transaction: a failure nobody expected (here a
--    trigger) leaves kpi.dossier and staging as they were.  (The last row
--    sends a loaded dossier again with other values: it will replace it.)
------------------------------------------------------------------------
SELECT pg_temp.kpi_state() AS state, pg_temp.kpi_versions() AS versions \gset
CREATE TRIGGER loading_test_refuse BEFORE INSERT ON kpi.dossier
    FOR EACH ROW WHEN (NEW.dossier_code = 'AT-3') EXECUTE FUNCTION pg_temp.refuse();
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel, error)
VALUES ('AT-1', 'so-y-te', '1.002167', '2024-06-02', 'online', NULL),
       ('AT-2', 'so-y-te', '1.002167', '2024-06-02', 'fax', NULL),
       ('AT-3', 'so-y-te', '1.002167', '2024-06-02', 'online', NULL),
       ('STP-240102-0001', 'so-tu-phap', '2.000908', '2024-06-02', 'online', 'a reason from before');
\set VERBOSITY terse
SELECT * FROM kpi.ingest_dossiers();
\set VERBOSITY default
SELECT pg_temp.kpi_state() = :'state' AS same_content, pg_temp.kpi_versions() = :'versions' AS no_row_rewritten;
SELECT dossier_code, channel, error FROM kpi.staging_dossier ORDER BY dossier_code;
DROP TRIGGER loading_test_refuse ON kpi.dossier;
SELECT * FROM kpi.ingest_dossiers();
SELECT dossier_code, received_at, channel FROM kpi.dossier WHERE dossier_code IN ('AT-1', 'AT-3', 'STP-240102-0001') ORDER BY 1;
SELECT dossier_code, error FROM kpi.staging_dossier;

------------------------------------------------------------------------
-- 7. An empty file and a header-only file
------------------------------------------------------------------------
DELETE FROM kpi.staging_dossier;
SELECT pg_temp.kpi_state() AS state, pg_temp.kpi_versions() AS versions \gset
SELECT '/tmp/kpi_ext_test_loading_dossiers_' || pg_catalog.pg_backend_pid() AS tmp \gset
\set f :tmp '_empty.csv'
COPY (SELECT * FROM kpi.staging_dossier) TO :'f' WITH (FORMAT csv);
SELECT pg_catalog.length(pg_catalog.pg_read_file(:'f')) AS empty_file_bytes;
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER);
SELECT * FROM kpi.ingest_dossiers();
\set f :tmp '_header.csv'
COPY (SELECT * FROM kpi.staging_dossier) TO :'f' WITH (FORMAT csv, HEADER);
SELECT pg_catalog.pg_read_file(:'f') AS header_only_file;
COPY kpi.staging_dossier FROM :'f' WITH (FORMAT csv, HEADER MATCH);
SELECT * FROM kpi.ingest_dossiers();
SELECT pg_temp.kpi_state() = :'state' AS same_content, pg_temp.kpi_versions() = :'versions' AS no_row_rewritten;

------------------------------------------------------------------------
-- 8. Then the quarter's indicators: kpi.refresh over what was loaded
------------------------------------------------------------------------
SELECT kpi.refresh('2024-Q1') AS rows_written;
SELECT r.level, r.unit_name, r.indicator, r.numerator, r.denominator, r.pct
FROM kpi.result AS r
WHERE r.period = '2024-Q1' AND r.source = 'computed'
  AND r.unit_code IN ('so-tu-phap', 'so-y-te', 'huyen-an-lao', 'tp-quy-nhon')
  AND r.indicator IN ('service_uptake', 'online_dossier', 'online_payment', 'e_result')
ORDER BY r.level DESC, r.row_no, r.indicator;

------------------------------------------------------------------------
-- 9. A role with the grants docs/loading.md lists loads both kinds of
--    file; a role that may only stage rows cannot ingest them
------------------------------------------------------------------------
DELETE FROM kpi.staging_dossier;
CREATE ROLE regress_kpi_loader NOLOGIN;
GRANT USAGE ON SCHEMA kpi TO regress_kpi_loader;
GRANT SELECT, INSERT, UPDATE, DELETE ON kpi.staging_counts, kpi.staging_dossier TO regress_kpi_loader;
GRANT SELECT ON kpi.unit, kpi.indicator TO regress_kpi_loader;
GRANT SELECT, INSERT ON kpi.period TO regress_kpi_loader;
GRANT SELECT, INSERT, UPDATE ON kpi.indicator_count, kpi.assigned_target, kpi.dossier TO regress_kpi_loader;
CREATE ROLE regress_kpi_stager NOLOGIN;
GRANT USAGE ON SCHEMA kpi TO regress_kpi_stager;
GRANT SELECT, INSERT ON kpi.staging_counts, kpi.staging_dossier TO regress_kpi_stager;

SET ROLE regress_kpi_loader;
INSERT INTO kpi.staging_counts VALUES
    ('2024-Q4', 'province', 'so-y-te', 'Sở Y tế', 'e_result', '100', '9', '10', '90', NULL),
    ('2024-Q4', 'province', 'so-y-te', 'Sở Y tế', 'digitization', '100', 'chín', '10', '90', NULL);
SELECT * FROM kpi.ingest_counts();
UPDATE kpi.staging_counts SET numerator = '9';
SELECT * FROM kpi.ingest_counts();
INSERT INTO kpi.staging_counts VALUES
    ('2024-Q4', 'province', 'so-y-te', 'Sở Y tế', 'e_result', '99', '10', '10', '100', NULL);
SELECT * FROM kpi.ingest_counts();
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel) VALUES
    ('ROLE-1', 'so-y-te', '1.002167', '01/10/2024 08:00', 'Trực tuyến'),
    ('ROLE-2', 'so-y-te', '1.002167', '31/09/2024 08:00', 'Trực tuyến');
SELECT * FROM kpi.ingest_dossiers();
UPDATE kpi.staging_dossier SET received_at = '30/09/2024 08:00';
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel) VALUES
    ('ROLE-1', 'so-y-te', '1.002167', '01/10/2024 08:00', 'Trực tiếp');
SELECT * FROM kpi.ingest_dossiers();
RESET ROLE;
SELECT period, unit_code, indicator, numerator, denominator, printed_rate, t.target
FROM kpi.indicator_count AS c LEFT JOIN kpi.assigned_target AS t USING (period, level, unit_code, indicator)
WHERE period = '2024-Q4' ORDER BY indicator;
SELECT dossier_code, received_at, channel FROM kpi.dossier WHERE dossier_code LIKE 'ROLE-%' ORDER BY 1;

SET ROLE regress_kpi_stager;
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel) VALUES
    ('ROLE-3', 'so-y-te', '1.002167', '01/10/2024 09:00', 'online');
\set VERBOSITY terse
SELECT * FROM kpi.ingest_dossiers();
\set VERBOSITY default
RESET ROLE;
SELECT dossier_code, error FROM kpi.staging_dossier;
DROP OWNED BY regress_kpi_loader, regress_kpi_stager;
DROP ROLE regress_kpi_loader, regress_kpi_stager;

DELETE FROM kpi.staging_dossier;
DROP EXTENSION kpi_ext;
