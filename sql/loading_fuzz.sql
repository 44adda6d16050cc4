-- No invalid value reaches the kpi tables through staging.
-- Thousands of values in accepted and rejected forms go through
-- kpi.ingest_dossiers() and kpi.ingest_counts() and are compared with a
-- reference written independently here, which leaves the calendar, the
-- offsets and the booleans to PostgreSQL's own input functions: every value
-- loaded is exactly what the reference reads, every value rejected the
-- reference rejects (a date more than a day after the ingest's statement
-- included, and only those are rejected as in the future).  Then random
-- text in every column: no ingest fails, nothing is lost (loaded + rejected
-- = staged), every row in kpi.rejected_dossier and kpi.rejected_counts says
-- why.  Output that depends on the day the test runs is never shown.
CREATE EXTENSION kpi_ext;
SELECT kpi.load_sample() > 0 AS sample_loaded;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, MDY';

------------------------------------------------------------------------
-- 1. Dates
------------------------------------------------------------------------
-- The reference: the documented grammar with counted repetitions, then
-- PostgreSQL's timestamp input for the calendar and the offset; a date
-- without a zone is local time in Asia/Ho_Chi_Minh.  NULL: rejected.
CREATE FUNCTION pg_temp.ref_instant(x text) RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
    m text[];
    zone text;
    zone_minutes integer;
    local_time text;
BEGIN
    x := pg_catalog.btrim(x, E' \t\r\n\u00a0\ufeff');     -- the blanks the ingest trims
    IF x !~ '^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?: ?(?:Z|UTC|[+-]\d{2}(?::?\d{2})?))?)?$' THEN
        RETURN NULL;
    END IF;
    m := pg_catalog.regexp_match(x, '^(?:(\d{4})-(\d+)-(\d+)|(\d+)/(\d+)/(\d{4}))(?:[ T](\d+):(\d+)(?::(\d+)(\.\d+)?)?)?');
    zone := pg_catalog.substring(x, '[0-9]:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)? ?(Z|UTC|[+-][0-9:]+)$');
    IF pg_catalog.int4(coalesce(m[1], m[6])) < 2000 OR pg_catalog.int4(coalesce(m[7], '0')) > 23
       OR pg_catalog.int4(coalesce(m[9], '0')) > 59 THEN
        RETURN NULL;     -- before 2000; hour 24 and second 60, which PostgreSQL would take
    END IF;
    IF zone IN ('Z', 'UTC') THEN
        zone := '+00';
    ELSIF zone IS NOT NULL THEN
        zone_minutes := pg_catalog.int4(pg_catalog.substr(zone, 2, 2)) * 60
                        + coalesce(pg_catalog.int4(nullif(pg_catalog.replace(pg_catalog.substr(zone, 4), ':', ''), '')), 0);
        IF zone_minutes > 14 * 60 OR pg_catalog.int4(nullif(pg_catalog.replace(pg_catalog.substr(zone, 4), ':', ''), '')) > 59 THEN
            RETURN NULL;
        END IF;
    END IF;
    local_time := pg_catalog.format('%s-%s-%s %s:%s:%s%s', coalesce(m[1], m[6]), coalesce(m[2], m[5]), coalesce(m[3], m[4]),
                                    coalesce(m[7], '0'), coalesce(m[8], '0'), coalesce(m[9], '0'), coalesce(m[10], ''));
    BEGIN
        IF zone IS NULL THEN
            RETURN local_time::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh';
        END IF;
        RETURN (local_time || zone)::timestamptz;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
        RETURN NULL;
    END;
END
$$;

-- Accepted: read by the reference, and not more than a day after now.
CREATE FUNCTION pg_temp.ref_accepted(x text) RETURNS boolean LANGUAGE sql AS $$
SELECT coalesce(pg_temp.ref_instant(x) <= pg_catalog.statement_timestamp() + interval '1 day', false)
$$;

CREATE TEMP TABLE date_case AS
SELECT pg_catalog.row_number() OVER (ORDER BY d.n, t.n, z.n) AS n, d.v || t.v || z.v AS v
FROM pg_catalog.unnest(ARRAY['2024-03-05', '2024-3-5', '2024-02-29', '2023-02-29', '2024-02-30', '2024-04-31',
                             '2024-12-31', '2024-13-01', '2024-00-10', '2024-01-00', '1999-12-31', '2000-01-01',
                             '05/03/2024', '5/3/2024', '29/02/2023', '31/12/2024', '32/01/2024', '05/13/2024',
                             '20240-03-05', '24-03-05', '2024/03/05', '2024-03-05x', '', 'hôm nay'])
         WITH ORDINALITY AS d (v, n),
     pg_catalog.unnest(ARRAY['', ' 08:30', 'T08:30', ' 8:30:15', ' 23:59:59.999999', ' 23:59:59.9999999',
                             ' 00:00:00', ' 24:00', ' 12:60', ' 12:30:60', ' 1:2', '  08:30', ' 08:30:5', 'T8:5:59.5'])
         WITH ORDINALITY AS t (v, n),
     pg_catalog.unnest(ARRAY['', 'Z', ' UTC', '+07', '+0700', '+07:00', ' -05:30', '+14:00', '+14:01', '+15',
                             '+7', '+07:0', ' Asia/Ho_Chi_Minh', 'z'])
         WITH ORDINALITY AS z (v, n);
SELECT pg_catalog.count(*) AS date_cases FROM date_case;

-- each case as received_at, and as resolved_at of a dossier received at
-- the first instant of 2000 anywhere
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel, resolved_at)
SELECT 'D-' || c.n, 'so-y-te', '1.1', c.v, 'online', NULL FROM date_case AS c
UNION ALL
SELECT 'R-' || c.n, 'so-y-te', '1.1', '2000-01-01 00:00+14:00', 'online', c.v FROM date_case AS c;
SELECT * FROM kpi.ingest_dossiers();

CREATE TEMP TABLE date_result AS
SELECT c.n, c.v, pg_temp.ref_instant(c.v) AS expected, pg_temp.ref_accepted(c.v) AS accepted,
       rd.dossier_code IS NOT NULL AS received_loaded, rd.received_at,
       sd.dossier_code IS NOT NULL AS resolved_loaded, sd.resolved_at
FROM date_case AS c
LEFT JOIN kpi.dossier AS rd ON rd.dossier_code = 'D-' || c.n
LEFT JOIN kpi.dossier AS sd ON sd.dossier_code = 'R-' || c.n;
SELECT pg_catalog.count(*) FILTER (WHERE expected IS NOT NULL) AS read_by_reference,
       pg_catalog.count(*) FILTER (WHERE received_loaded) AS loaded_as_received,
       pg_catalog.count(*) FILTER (WHERE resolved_loaded AND resolved_at IS NOT NULL) AS loaded_as_resolved,
       pg_catalog.count(*) FILTER (WHERE received_loaded IS DISTINCT FROM accepted
                                      OR received_at IS DISTINCT FROM CASE WHEN accepted THEN expected END) AS received_mismatches,
       pg_catalog.count(*) FILTER (WHERE resolved_loaded IS DISTINCT FROM (accepted OR pg_catalog.btrim(v) = '')
                                      OR resolved_at IS DISTINCT FROM CASE WHEN accepted THEN expected END) AS resolved_mismatches
FROM date_result;
-- the mismatches, if any
SELECT n, v, expected, received_at, resolved_at FROM date_result
WHERE received_loaded IS DISTINCT FROM accepted OR received_at IS DISTINCT FROM CASE WHEN accepted THEN expected END
   OR resolved_loaded IS DISTINCT FROM (accepted OR pg_catalog.btrim(v) = '')
   OR resolved_at IS DISTINCT FROM CASE WHEN accepted THEN expected END
ORDER BY n;
-- a few of them, read
SELECT v, expected FROM date_result
WHERE v IN ('2024-03-05', '5/3/2024 8:30:15', '2024-02-29T23:59:59.999999+14:00', '31/12/2024 08:30 -05:30',
            '2024-3-5T8:5:59.5Z', '2024-02-30', '2024-03-05 24:00', '2024-03-05 08:30+15', '1999-12-31 23:59:59.999999 UTC')
ORDER BY n;
-- One-character mutants of valid dates (each character replaced, a
-- character inserted before it, or deleted), read the same way.
CREATE TEMP TABLE mutant AS
SELECT pg_catalog.row_number() OVER (ORDER BY y.v) AS n, y.v
FROM (SELECT DISTINCT x.v
FROM pg_catalog.unnest(ARRAY['2024-03-05 08:30:15.5+07:00', '05/03/2024 08:30:15', '2024-02-29T23:59:59Z',
                             '29/02/2024 8:5 UTC', '2000-01-01 00:00 -05:30', '2024-3-5 8:30+0700',
                             '5/3/2024 08:30:15.123456 +07']) AS b (v),
     pg_catalog.generate_series(1, pg_catalog.length(b.v) + 1) AS i,
     pg_catalog.unnest(pg_catalog.string_to_array('0 1 2 3 5 9 - / : . T Z + _', ' ') || ARRAY[' ', '']) AS c (ch),
     LATERAL (VALUES (pg_catalog.overlay(b.v, c.ch, i, 1)),
                     (pg_catalog.overlay(b.v, c.ch, i, 0))) AS x (v)
WHERE c.ch <> '_') AS y;
-- Some mutants are years ahead (2029, 2124...): how many of them are more
-- than a day in the future depends on the day the test runs, so the
-- ingest's counts are not shown, only that every row was checked (the rows
-- of the cases above, still rejected, included).
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel)
SELECT 'M-' || m.n, 'so-y-te', '1.1', m.v, 'online' FROM mutant AS m;
SELECT loaded + rejected AS rows_checked FROM kpi.ingest_dossiers();
-- Each mutant: not read by the reference, not loaded and not said to be in
-- the future; more than a day ahead for the reference, rejected as in the
-- future; otherwise loaded as the reference reads it.
CREATE TEMP TABLE mutant_result AS
SELECT m.n, m.v, pg_temp.ref_instant(m.v) AS expected, d.received_at, r.error,
       CASE WHEN pg_temp.ref_instant(m.v) IS NULL
            THEN d.dossier_code IS NULL AND r.error !~ 'in the future'
            WHEN NOT pg_temp.ref_accepted(m.v)
            THEN d.dossier_code IS NULL
                 AND r.error = pg_catalog.format('received_at "%s" is more than a day in the future', pg_catalog.btrim(m.v))
            ELSE d.received_at = pg_temp.ref_instant(m.v) AND r.error IS NULL
       END AS as_expected
FROM mutant AS m
LEFT JOIN kpi.dossier AS d ON d.dossier_code = 'M-' || m.n
LEFT JOIN kpi.rejected_dossier AS r ON r.dossier_code = 'M-' || m.n;
SELECT pg_catalog.count(*) AS mutants,
       pg_catalog.count(*) FILTER (WHERE expected IS NOT NULL) AS read_by_reference,
       pg_catalog.count(*) FILTER (WHERE received_at IS NOT NULL OR error ~ 'in the future') AS loaded_or_in_the_future,
       pg_catalog.count(*) FILTER (WHERE as_expected IS NOT TRUE) AS mismatches
FROM mutant_result;
SELECT v, expected, received_at, error FROM mutant_result WHERE as_expected IS NOT TRUE ORDER BY 1;
-- every rejected row says why, in words about its column (those in the
-- future: above)
SELECT pg_catalog.regexp_replace(error, '"[^"]*"', '"…"', 'g') AS reason, pg_catalog.count(*)
FROM kpi.rejected_dossier WHERE error !~ 'in the future' GROUP BY 1 ORDER BY 1;
SELECT pg_catalog.count(*) AS left_in_staging FROM kpi.staging_dossier;
DELETE FROM kpi.rejected_dossier;
DELETE FROM kpi.dossier;

------------------------------------------------------------------------
-- 2. Booleans, in each of the five columns
------------------------------------------------------------------------
-- The reference: empty is false; có/co, không/khong in any case and
-- Unicode form; the rest is PostgreSQL's boolean input.
CREATE FUNCTION pg_temp.ref_bool(x text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    x := pg_catalog.normalize(pg_catalog.btrim(x, E' \t\r\n\u00a0\ufeff'), 'NFC');
    IF x IS NULL OR x = '' THEN
        RETURN false;
    ELSIF x IN ('có', 'Có', 'CÓ', 'cÓ', 'co', 'Co', 'CO', 'cO') THEN
        RETURN true;
    ELSIF pg_catalog.upper(pg_catalog.translate(x, 'ôÔ', 'oO')) IN ('KHONG') THEN
        RETURN false;
    END IF;
    RETURN x::boolean;
EXCEPTION WHEN invalid_text_representation THEN
    RETURN NULL;
END
$$;
CREATE TEMP TABLE bool_case AS
SELECT c.n, c.v
FROM pg_catalog.unnest(ARRAY['', ' ', 't', 'T', 'true', 'TRUE', 'True', 'tRuE', 'tr', 'tru', 'truee', 'y', 'Y', 'ye',
                             'yes', 'YES', 'yess', 'on', 'ON', 'o', 'of', 'off', 'OFF', 'offf', '1', '0', '01', '2',
                             '-1', 'f', 'F', 'fa', 'fal', 'fals', 'false', 'FALSE', 'n', 'N', 'no', 'NO', 'non',
                             'có', 'Có', 'CÓ', 'cÓ', 'co', 'CO', 'Co', 'không', 'Không', 'KHÔNG', 'khÔng', 'khong',
                             'KHONG', 'Khong', 'kh', 'c', 'k', 'x', 'X', '✓', 'null', 'NULL', 'có ', ' không',
                             pg_catalog.normalize('có', 'NFD'), pg_catalog.normalize('Không', 'NFD'), 'có?', 'true false',
                             'yes/no', 'ja', 'đúng', 'sai'])
     WITH ORDINALITY AS c (v, n);
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel,
                                 fee_required, paid_online, digitized, reused_data, resolved_at, e_result)
SELECT 'B-' || k.col || '-' || c.n, 'so-y-te', '1.1', '2024-01-01', 'online',
       CASE WHEN k.col = 'fee_required' THEN c.v ELSE 'true' END,
       CASE WHEN k.col = 'paid_online' THEN c.v ELSE 'false' END,
       CASE WHEN k.col = 'digitized' THEN c.v END,
       CASE WHEN k.col = 'reused_data' THEN c.v END,
       '2024-01-02',
       CASE WHEN k.col = 'e_result' THEN c.v END
FROM bool_case AS c
CROSS JOIN pg_catalog.unnest(ARRAY['fee_required', 'paid_online', 'digitized', 'reused_data', 'e_result']) AS k (col);
SELECT * FROM kpi.ingest_dossiers();
CREATE TEMP TABLE bool_result AS
SELECT k.col, c.n, c.v, pg_temp.ref_bool(c.v) AS expected, d.dossier_code IS NOT NULL AS loaded,
       CASE k.col WHEN 'fee_required' THEN d.fee_required WHEN 'paid_online' THEN d.paid_online
                  WHEN 'digitized' THEN d.digitized WHEN 'reused_data' THEN d.reused_data
                  ELSE d.e_result END AS got
FROM bool_case AS c
CROSS JOIN pg_catalog.unnest(ARRAY['fee_required', 'paid_online', 'digitized', 'reused_data', 'e_result']) AS k (col)
LEFT JOIN kpi.dossier AS d ON d.dossier_code = 'B-' || k.col || '-' || c.n;
SELECT col, pg_catalog.count(*) FILTER (WHERE expected) AS read_true, pg_catalog.count(*) FILTER (WHERE NOT expected) AS read_false,
       pg_catalog.count(*) FILTER (WHERE expected IS NULL) AS not_boolean,
       pg_catalog.count(*) FILTER (WHERE loaded IS DISTINCT FROM (expected IS NOT NULL) OR got IS DISTINCT FROM expected) AS mismatches
FROM bool_result GROUP BY col ORDER BY col;
SELECT col, n, v, expected, loaded, got FROM bool_result
WHERE loaded IS DISTINCT FROM (expected IS NOT NULL) OR got IS DISTINCT FROM expected ORDER BY col, n;
SELECT pg_catalog.string_agg(pg_catalog.quote_literal(v), ' ' ORDER BY n) FILTER (WHERE expected) AS "true",
       pg_catalog.string_agg(pg_catalog.quote_literal(v), ' ' ORDER BY n) FILTER (WHERE NOT expected) AS "false",
       pg_catalog.string_agg(pg_catalog.quote_literal(v), ' ' ORDER BY n) FILTER (WHERE expected IS NULL) AS "not a boolean"
FROM bool_result WHERE col = 'digitized' \gx
DELETE FROM kpi.rejected_dossier;
DELETE FROM kpi.dossier;

------------------------------------------------------------------------
-- 3. Channels
------------------------------------------------------------------------
CREATE TEMP TABLE channel_case (n integer, v text, expected text);
INSERT INTO channel_case
SELECT c.n, c.v, c.expected
FROM unnest(
        ARRAY['online', 'Online', 'ONLINE', ' online ', 'direct', 'Direct', 'postal', 'POSTAL',
              'trực tuyến', 'Trực tuyến', 'TRỰC TUYẾN', 'Trực Tuyến', 'truc tuyen', 'TRUC TUYEN',
              'trực tiếp', 'Trực tiếp', 'TRỰC TIẾP', 'truc tiep', 'bưu chính', 'Bưu chính', 'BƯU CHÍNH',
              'buu chinh', 'bưu chính công ích', 'Bưu chính công ích', 'buu chinh cong ich',
              pg_catalog.normalize('Trực tuyến', 'NFD'), pg_catalog.normalize('bưu chính', 'NFD'),
              'trực  tuyến', 'on line', 'online.', 'web', 'qua mạng', 'bưu điện', 'email', '', '-', 'o'],
        ARRAY['online', 'online', 'online', 'online', 'direct', 'direct', 'postal', 'postal',
              'online', 'online', 'online', 'online', 'online', 'online',
              'direct', 'direct', 'direct', 'direct', 'postal', 'postal', 'postal',
              'postal', 'postal', 'postal', 'postal',
              'online', 'postal',
              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL])
     WITH ORDINALITY AS c (v, expected, n);
INSERT INTO kpi.staging_dossier (dossier_code, unit_code, procedure_code, received_at, channel)
SELECT 'C-' || c.n, 'so-y-te', '1.1', '2024-01-01', c.v FROM channel_case AS c;
SELECT * FROM kpi.ingest_dossiers();
SELECT c.n, c.v, c.expected, d.channel AS got
FROM channel_case AS c LEFT JOIN kpi.dossier AS d ON d.dossier_code = 'C-' || c.n
WHERE d.channel IS DISTINCT FROM c.expected ORDER BY c.n;
SELECT pg_catalog.count(*) AS loaded_as_expected
FROM channel_case AS c JOIN kpi.dossier AS d ON d.dossier_code = 'C-' || c.n AND d.channel = c.expected;
DELETE FROM kpi.rejected_dossier;
DELETE FROM kpi.dossier;

------------------------------------------------------------------------
-- 4. Counts and percentages
------------------------------------------------------------------------
CREATE TEMP TABLE count_case (n integer, v text, expected bigint);
INSERT INTO count_case
SELECT c.n, c.v, c.expected
FROM unnest(
        ARRAY['0', '7', '007', '8420', '8.420', '1.234.567', ' 42 ', '999999999999999999', '999.999.999.999.999.999',
              '1.000.000.000.000.000', '1000000000000000000', '1.000.000.000.000.000.000', '8.42', '8.4200', '84.20', '8,420', '12,5', '12.0',
              '-3', '- 3', '+3', '1e3', '42 %', '4 2', '٤٢', '４２', '0x10', 'mười', '.5', '5.', ''],
        ARRAY[0, 7, 7, 8420, 8420, 1234567, 42, 999999999999999999, 999999999999999999,
              1000000000000000, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL]::bigint[])
     WITH ORDINALITY AS c (v, expected, n);
CREATE TEMP TABLE rate_case (n integer, v text, expected numeric);
INSERT INTO rate_case
SELECT c.n, c.v, c.expected
FROM unnest(
        ARRAY['81,9', '81.9', '96%', '96 %', '96,0%', '100', '100,0', '100,00', '0', '0,0', '00081,9', '81,90',
              '100,05', '100,1', '101', '0,05', '81,95', '-1', '-0', 'abc', '81,9%%', '%', ',5', '5,', '81,9 phần trăm'],
        ARRAY[81.9, 81.9, 96, 96, 96.0, 100, 100.0, 100.0, 0, 0.0, 81.9, 81.9,
              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL]::numeric[])
     WITH ORDINALITY AS c (v, expected, n);
-- counts as numerator (over a large denominator) and as denominator (over
-- numerator 0); percentages as target and as printed rate; one row per
-- unit so that keys do not repeat
CREATE TEMP TABLE fuzz_unit AS
SELECT 'fuzz-' || g AS code FROM pg_catalog.generate_series(1, 120) AS g;
INSERT INTO kpi.unit (code, name, level, sort_order)
SELECT u.code, 'Đơn vị thử ' || u.code, 'province', 100 FROM fuzz_unit AS u;
INSERT INTO kpi.staging_counts (period, level, unit_code, unit_name, indicator, target, numerator, denominator, printed_rate)
SELECT '2024-Q2', 'province', 'fuzz-' || c.n, 'numerator', 'online_dossier', NULL, c.v, '999999999999999999', NULL FROM count_case AS c
UNION ALL
SELECT '2024-Q2', 'province', 'fuzz-' || c.n, 'denominator', 'digitization', NULL, '0', c.v, NULL FROM count_case AS c
UNION ALL
SELECT '2024-Q2', 'province', 'fuzz-' || c.n, 'target', 'data_reuse', c.v, '1', '1', NULL FROM rate_case AS c
UNION ALL
SELECT '2024-Q2', 'province', 'fuzz-' || c.n, 'printed_rate', 'e_result', NULL, '1', NULL, c.v FROM rate_case AS c;
SELECT * FROM kpi.ingest_counts();
SELECT 'numerator' AS "column", c.v, c.expected, x.numerator AS got
FROM count_case AS c LEFT JOIN kpi.indicator_count AS x
  ON x.unit_code = 'fuzz-' || c.n AND x.indicator = 'online_dossier' AND x.period = '2024-Q2'
WHERE x.numerator IS DISTINCT FROM c.expected AND c.v <> ''
UNION ALL
SELECT 'denominator', c.v, c.expected, x.denominator
FROM count_case AS c LEFT JOIN kpi.indicator_count AS x
  ON x.unit_code = 'fuzz-' || c.n AND x.indicator = 'digitization' AND x.period = '2024-Q2'
WHERE x.denominator IS DISTINCT FROM c.expected AND c.v <> ''
UNION ALL
SELECT 'target', c.v, c.expected, x.target
FROM rate_case AS c LEFT JOIN kpi.assigned_target AS x
  ON x.unit_code = 'fuzz-' || c.n AND x.indicator = 'data_reuse' AND x.period = '2024-Q2'
WHERE x.target IS DISTINCT FROM c.expected
UNION ALL
SELECT 'printed_rate', c.v, c.expected, x.printed_rate
FROM rate_case AS c LEFT JOIN kpi.indicator_count AS x
  ON x.unit_code = 'fuzz-' || c.n AND x.indicator = 'e_result' AND x.period = '2024-Q2'
WHERE x.printed_rate IS DISTINCT FROM c.expected;
SELECT unit_name AS "column", pg_catalog.regexp_replace(error, '"[^"]*"', '"…"', 'g') AS reason, pg_catalog.count(*)
FROM kpi.rejected_counts GROUP BY 1, 2 ORDER BY 1, 2;
DELETE FROM kpi.rejected_counts;

-- One-character mutants of counts and percentages: no ingest fails, and
-- what loads is what was written, read with PostgreSQL's numeric input.
CREATE TEMP TABLE number_mutant AS
SELECT pg_catalog.row_number() OVER (ORDER BY y.v) AS n, y.v
FROM (SELECT DISTINCT x.v
      FROM pg_catalog.unnest(ARRAY['8.420', '1.234.567', '81,9%', '100', '0,5']) AS b (v),
           pg_catalog.generate_series(1, pg_catalog.length(b.v) + 1) AS i,
           pg_catalog.unnest(pg_catalog.string_to_array('0 1 5 9 - . , % _', ' ') || ARRAY[' ', '']) AS c (ch),
           LATERAL (VALUES (pg_catalog.overlay(b.v, c.ch, i, 1)), (pg_catalog.overlay(b.v, c.ch, i, 0))) AS x (v)
      WHERE c.ch <> '_') AS y;
INSERT INTO kpi.unit (code, name, level, sort_order)
SELECT 'fuzz-m' || m.n, 'Đơn vị thử ' || m.n, 'province', 100 FROM number_mutant AS m;
INSERT INTO kpi.staging_counts (period, level, unit_code, indicator, target, numerator, denominator, printed_rate)
SELECT '2024-Q2', 'province', 'fuzz-m' || m.n, 'online_dossier', m.v, m.v, '999999999', NULL FROM number_mutant AS m
UNION ALL
SELECT '2024-Q2', 'province', 'fuzz-m' || m.n, 'digitization', NULL, '0', m.v, m.v FROM number_mutant AS m;
SELECT pg_catalog.count(*) AS staged FROM kpi.staging_counts;
SELECT * FROM kpi.ingest_counts();
-- (in a count, dots between groups of three digits separate thousands; in
-- a percentage the dot or comma is the decimal separator)
CREATE FUNCTION pg_temp.as_written(x text, is_count boolean) RETURNS numeric LANGUAGE plpgsql AS $$
BEGIN
    x := pg_catalog.btrim(x);
    IF is_count AND x ~ '^[0-9]{1,3}(\.[0-9]{3})+$' THEN
        x := pg_catalog.replace(x, '.', '');
    END IF;
    IF x ~ '[^0-9.,% ]' OR x ~ '[.,].*[.,]' THEN
        RETURN NULL;
    END IF;
    RETURN pg_catalog.replace(pg_catalog.replace(pg_catalog.rtrim(x, '% '), ',', '.'), ' ', '')::numeric;
EXCEPTION WHEN invalid_text_representation THEN
    RETURN NULL;
END
$$;
SELECT pg_catalog.count(*) FILTER (WHERE c.numerator IS NOT NULL) AS numerators_loaded,
       pg_catalog.count(*) FILTER (WHERE c.numerator IS DISTINCT FROM pg_temp.as_written(m.v, true) AND c.numerator IS NOT NULL) AS numerators_differ,
       pg_catalog.count(*) FILTER (WHERE t.target IS NOT NULL) AS targets_loaded,
       pg_catalog.count(*) FILTER (WHERE t.target IS DISTINCT FROM pg_temp.as_written(m.v, false) AND t.target IS NOT NULL) AS targets_differ
FROM number_mutant AS m
LEFT JOIN kpi.indicator_count AS c ON c.unit_code = 'fuzz-m' || m.n AND c.indicator = 'online_dossier'
LEFT JOIN kpi.assigned_target AS t ON t.unit_code = 'fuzz-m' || m.n AND t.indicator = 'online_dossier';
SELECT pg_catalog.count(*) FILTER (WHERE c.denominator IS NOT NULL) AS denominators_loaded,
       pg_catalog.count(*) FILTER (WHERE c.denominator IS DISTINCT FROM pg_temp.as_written(m.v, true) AND c.denominator IS NOT NULL) AS denominators_differ,
       pg_catalog.count(*) FILTER (WHERE c.printed_rate IS NOT NULL) AS rates_loaded,
       pg_catalog.count(*) FILTER (WHERE c.printed_rate IS DISTINCT FROM pg_temp.as_written(m.v, false) AND c.printed_rate IS NOT NULL) AS rates_differ
FROM number_mutant AS m
LEFT JOIN kpi.indicator_count AS c ON c.unit_code = 'fuzz-m' || m.n AND c.indicator = 'digitization';
SELECT (SELECT pg_catalog.count(*) FROM kpi.staging_counts) AS left_in_staging,
       pg_catalog.count(*) AS rejected, pg_catalog.count(*) FILTER (WHERE coalesce(error, '') = '') AS without_reason
FROM kpi.rejected_counts;
DELETE FROM kpi.rejected_counts;
DELETE FROM kpi.indicator_count WHERE unit_code LIKE 'fuzz-m%';
DELETE FROM kpi.assigned_target WHERE unit_code LIKE 'fuzz-m%';
DELETE FROM kpi.unit WHERE code LIKE 'fuzz-m%';

------------------------------------------------------------------------
-- 5. Random text in every column
------------------------------------------------------------------------
-- Deterministic: each cell is 0 to 40 characters drawn by md5 from a
-- palette of digits, separators, letters, Vietnamese letters, quotes,
-- blanks, line breaks and symbols.
CREATE FUNCTION pg_temp.noise(seed text) RETURNS text LANGUAGE sql AS $$
SELECT pg_catalog.string_agg(pg_catalog.substr(p.palette,
           1 + pg_catalog.get_byte(pg_catalog.decode(pg_catalog.md5(seed || ':' || k), 'hex'), 0) % pg_catalog.length(p.palette), 1),
       '' ORDER BY k)
FROM (SELECT E'0123456789012345678901234567890123456789-/:., %+TZUC-/:.,tTfFyYnNoOcóKhôngđĐưƯ"''\\;|\t\r\n\u00a0\ufeff😀–—' AS palette) AS p,
     pg_catalog.generate_series(1, pg_catalog.get_byte(pg_catalog.decode(pg_catalog.md5(seed), 'hex'), 1) % 41) AS k
$$;
INSERT INTO kpi.staging_dossier
SELECT pg_temp.noise(g || 'a'), pg_temp.noise(g || 'b'), pg_temp.noise(g || 'c'), pg_temp.noise(g || 'd'),
       pg_temp.noise(g || 'e'), pg_temp.noise(g || 'f'), pg_temp.noise(g || 'g'), pg_temp.noise(g || 'h'),
       pg_temp.noise(g || 'i'), pg_temp.noise(g || 'j'), pg_temp.noise(g || 'k')
FROM pg_catalog.generate_series(1, 1000) AS g;
-- and the same with valid cells where they can be, so that each column's
-- noise is the only fault of its row
INSERT INTO kpi.staging_dossier
SELECT 'N-' || g || '-' || k,
       CASE WHEN k = 1 THEN pg_temp.noise(g || 'b') ELSE 'so-y-te' END,
       CASE WHEN k = 2 THEN pg_temp.noise(g || 'c') ELSE '1.1' END,
       CASE WHEN k = 3 THEN pg_temp.noise(g || 'd') ELSE '2024-01-01' END,
       CASE WHEN k = 4 THEN pg_temp.noise(g || 'e') ELSE 'online' END,
       CASE WHEN k = 5 THEN pg_temp.noise(g || 'f') ELSE 'true' END,
       CASE WHEN k = 6 THEN pg_temp.noise(g || 'g') ELSE 'false' END,
       CASE WHEN k = 7 THEN pg_temp.noise(g || 'h') END,
       CASE WHEN k = 8 THEN pg_temp.noise(g || 'i') END,
       CASE WHEN k = 9 THEN pg_temp.noise(g || 'j') END,
       CASE WHEN k = 10 THEN pg_temp.noise(g || 'k') END
FROM pg_catalog.generate_series(1, 300) AS g, pg_catalog.generate_series(1, 10) AS k;
SELECT pg_catalog.count(*) AS staged FROM kpi.staging_dossier \gset
SELECT :staged AS staged, loaded, rejected, loaded + rejected = :staged AS nothing_lost FROM kpi.ingest_dossiers();
SELECT (SELECT pg_catalog.count(*) FROM kpi.staging_dossier) AS left_in_staging,
       pg_catalog.count(*) AS rejected, pg_catalog.count(*) FILTER (WHERE coalesce(error, '') = '') AS without_reason
FROM kpi.rejected_dossier;
-- Rows with one noisy cell: loaded exactly when the reference reads the
-- cell (and the row then holds: a resolution not before the receipt, an
-- electronic result only when resolved), with the reference's value.
CREATE TEMP TABLE noise_row AS
SELECT 'N-' || g || '-' || k AS code, k,
       CASE k WHEN 3 THEN 'received_at' WHEN 5 THEN 'fee_required' WHEN 6 THEN 'paid_online' WHEN 7 THEN 'digitized'
              WHEN 8 THEN 'reused_data' WHEN 9 THEN 'resolved_at' ELSE 'e_result' END AS "column",
       pg_temp.noise(g || pg_catalog.substr('abcdefghijk', k + 1, 1)) AS cell
FROM pg_catalog.generate_series(1, 300) AS g, pg_catalog.unnest(ARRAY[3, 5, 6, 7, 8, 9, 10]) AS k;
CREATE TEMP TABLE noise_result AS
SELECT r.code, r."column", r.cell, d.dossier_code IS NOT NULL AS loaded,
       CASE r.k WHEN 3 THEN pg_temp.ref_accepted(r.cell)
                WHEN 5 THEN pg_temp.ref_bool(r.cell) IS NOT NULL
                WHEN 6 THEN pg_temp.ref_bool(r.cell) IS NOT NULL
                WHEN 7 THEN pg_temp.ref_bool(r.cell) IS NOT NULL
                WHEN 8 THEN pg_temp.ref_bool(r.cell) IS NOT NULL
                WHEN 9 THEN pg_catalog.btrim(r.cell, E' \t\r\n\u00a0\ufeff') = ''
                            OR (pg_temp.ref_accepted(r.cell) AND pg_temp.ref_instant(r.cell) >= '2024-01-01 00:00+07')
                ELSE pg_temp.ref_bool(r.cell) = false END AS expected_loaded,
       CASE r.k WHEN 3 THEN d.received_at IS NOT DISTINCT FROM pg_temp.ref_instant(r.cell)
                WHEN 5 THEN d.fee_required IS NOT DISTINCT FROM pg_temp.ref_bool(r.cell)
                WHEN 6 THEN d.paid_online IS NOT DISTINCT FROM pg_temp.ref_bool(r.cell)
                WHEN 7 THEN d.digitized IS NOT DISTINCT FROM pg_temp.ref_bool(r.cell)
                WHEN 8 THEN d.reused_data IS NOT DISTINCT FROM pg_temp.ref_bool(r.cell)
                WHEN 9 THEN d.resolved_at IS NOT DISTINCT FROM pg_temp.ref_instant(r.cell)
                ELSE d.e_result IS NOT DISTINCT FROM pg_temp.ref_bool(r.cell) END AS same_value
FROM noise_row AS r
LEFT JOIN kpi.dossier AS d ON d.dossier_code = r.code;
SELECT "column", pg_catalog.count(*) FILTER (WHERE loaded) AS loaded,
       pg_catalog.count(*) FILTER (WHERE loaded <> expected_loaded OR (loaded AND NOT same_value)) AS mismatches
FROM noise_result GROUP BY 1 ORDER BY 1;
SELECT code, "column", cell, loaded, expected_loaded, same_value FROM noise_result
WHERE loaded <> expected_loaded OR (loaded AND NOT same_value) ORDER BY code;
SELECT pg_catalog.count(*) AS loaded_not_from_noise_rows FROM kpi.dossier WHERE dossier_code !~ '^N-';
DELETE FROM kpi.rejected_dossier;
DELETE FROM kpi.dossier;

INSERT INTO kpi.staging_counts
SELECT pg_temp.noise(g || 'a'), pg_temp.noise(g || 'b'), pg_temp.noise(g || 'c'), pg_temp.noise(g || 'd'),
       pg_temp.noise(g || 'e'), pg_temp.noise(g || 'f'), pg_temp.noise(g || 'g'), pg_temp.noise(g || 'h'),
       pg_temp.noise(g || 'i')
FROM pg_catalog.generate_series(1, 1000) AS g;
-- (the fifth row of each unit: noise in unit_name, which is neither
-- checked nor stored)
INSERT INTO kpi.staging_counts
SELECT '2024-Q3', 'province', 'fuzz-' || g,
       CASE WHEN k = 5 THEN pg_temp.noise(g || 'j') END, (ARRAY['service_uptake', 'online_dossier', 'payment_uptake', 'online_payment', 'digitization'])[k],
       CASE WHEN k = 1 THEN pg_temp.noise(g || 'f') ELSE '50' END,
       CASE WHEN k = 2 THEN pg_temp.noise(g || 'g') ELSE '1' END,
       CASE WHEN k = 3 THEN pg_temp.noise(g || 'h') ELSE '2' END,
       CASE WHEN k = 4 THEN pg_temp.noise(g || 'i') ELSE '50' END
FROM pg_catalog.generate_series(1, 120) AS g, pg_catalog.generate_series(1, 5) AS k;
SELECT pg_catalog.count(*) AS staged FROM kpi.staging_counts \gset
SELECT pg_temp.noise('x') IS NOT NULL AS noise_works;
SELECT :staged AS staged, loaded, rejected, loaded + rejected = :staged AS nothing_lost FROM kpi.ingest_counts();
SELECT (SELECT pg_catalog.count(*) FROM kpi.staging_counts) AS left_in_staging,
       pg_catalog.count(*) AS rejected, pg_catalog.count(*) FILTER (WHERE coalesce(error, '') = '') AS without_reason
FROM kpi.rejected_counts;
SELECT pg_catalog.count(*) AS loaded_with_noise_in_unit_name
FROM kpi.indicator_count WHERE period = '2024-Q3' AND indicator = 'digitization';
SELECT pg_catalog.count(*) AS loaded_from_noise FROM kpi.indicator_count WHERE period = '2024-Q3';
SELECT pg_catalog.count(*) AS periods FROM kpi.period;

DELETE FROM kpi.rejected_counts;
DELETE FROM kpi.indicator_count WHERE unit_code LIKE 'fuzz-%';
DELETE FROM kpi.assigned_target WHERE unit_code LIKE 'fuzz-%';
DELETE FROM kpi.unit WHERE code LIKE 'fuzz-%';
DROP EXTENSION kpi_ext;
