
-- src/sql/loading.sql: loading real files.
--
-- Continues src/sql/dossier.sql in the install script.  Offices load two
-- kinds of files: published per-unit counts (the appendix tables) and dossier
-- exports.  A file is copied as it is into a staging table whose columns are
-- all text, so \copy never fails on content; kpi.ingest_counts() and
-- kpi.ingest_dossiers() then check every staged row in one set-based
-- statement, load the good rows into kpi.indicator_count / kpi.assigned_target
-- and kpi.dossier, delete them from staging, and leave every bad row in
-- staging with its reasons in the column error.  Nothing in the checks can
-- raise an error on content: every value is matched by a regular expression
-- (or looked up) before it is cast.  docs/loading.md is the how-to.

-- ---------------------------------------------------------------------------
-- Staging tables
-- ---------------------------------------------------------------------------

CREATE TABLE kpi.staging_counts (
    period text,
    level text,
    unit_code text,
    unit_name text,
    indicator text,
    target text,
    numerator text,
    denominator text,
    printed_rate text,
    error text
);

COMMENT ON TABLE kpi.staging_counts IS
    'Vùng nạp tệp số liệu công bố (mọi cột là text); kpi.ingest_counts() kiểm tra, nạp dòng hợp lệ và để lại dòng sai kèm lý do / Staging for published counts files (every column text); kpi.ingest_counts() checks the rows, loads the valid ones and leaves the invalid ones here with their reasons';
COMMENT ON COLUMN kpi.staging_counts.period IS 'Kỳ báo cáo, ví dụ 2024-Q1 / Period label, e.g. 2024-Q1';
COMMENT ON COLUMN kpi.staging_counts.level IS 'Cấp: province, district hoặc commune / Level: province, district or commune';
COMMENT ON COLUMN kpi.staging_counts.unit_code IS 'Mã đơn vị (kpi.unit.code) / Unit code (kpi.unit.code)';
COMMENT ON COLUMN kpi.staging_counts.unit_name IS 'Tên đơn vị như in trong báo cáo; chỉ để đọc, không kiểm tra, không lưu / Unit name as printed; for people, neither checked nor stored';
COMMENT ON COLUMN kpi.staging_counts.indicator IS 'Mã chỉ tiêu (kpi.indicator.code) / Indicator code (kpi.indicator.code)';
COMMENT ON COLUMN kpi.staging_counts.target IS 'Chỉ tiêu được giao (%), như 96, 96% hoặc 81,5; - hoặc để trống: không có / Assigned target (percent), such as 96, 96% or 81,5; - or empty: none';
COMMENT ON COLUMN kpi.staging_counts.numerator IS 'Tử số (số nguyên); - nếu không áp dụng / Numerator (whole number); - when not applicable';
COMMENT ON COLUMN kpi.staging_counts.denominator IS 'Mẫu số (số nguyên); - nếu không áp dụng, để trống nếu không công bố / Denominator (whole number); - when not applicable, empty when not published';
COMMENT ON COLUMN kpi.staging_counts.printed_rate IS 'Tỷ lệ (%) in trong báo cáo, như 81,9; - nếu không áp dụng / Rate (percent) as printed, such as 81,9; - when not applicable';
COMMENT ON COLUMN kpi.staging_counts.error IS 'Lý do dòng bị từ chối, do kpi.ingest_counts() ghi (NULL: chưa kiểm tra) / Why the row was rejected, written by kpi.ingest_counts() (NULL: not checked yet)';

SELECT pg_catalog.pg_extension_config_dump('kpi.staging_counts', '');

CREATE TABLE kpi.staging_dossier (
    dossier_code text,
    unit_code text,
    procedure_code text,
    received_at text,
    channel text,
    fee_required text,
    paid_online text,
    digitized text,
    reused_data text,
    resolved_at text,
    e_result text,
    error text
);

COMMENT ON TABLE kpi.staging_dossier IS
    'Vùng nạp tệp hồ sơ xuất từ hệ thống (mọi cột là text); kpi.ingest_dossiers() kiểm tra, nạp dòng hợp lệ vào kpi.dossier và để lại dòng sai kèm lý do / Staging for dossier exports (every column text); kpi.ingest_dossiers() checks the rows, loads the valid ones into kpi.dossier and leaves the invalid ones here with their reasons';
COMMENT ON COLUMN kpi.staging_dossier.dossier_code IS 'Mã hồ sơ / Dossier code';
COMMENT ON COLUMN kpi.staging_dossier.unit_code IS 'Mã đơn vị tiếp nhận (kpi.unit.code) / Receiving unit code (kpi.unit.code)';
COMMENT ON COLUMN kpi.staging_dossier.procedure_code IS 'Mã thủ tục hành chính / Procedure code';
COMMENT ON COLUMN kpi.staging_dossier.received_at IS 'Ngày giờ tiếp nhận: 2024-03-05, 05/03/2024 08:30, có thể kèm múi giờ +07:00 / Received: 2024-03-05, 05/03/2024 08:30, optionally with a zone such as +07:00';
COMMENT ON COLUMN kpi.staging_dossier.channel IS 'Kênh nộp: online/trực tuyến, direct/trực tiếp, postal/bưu chính / Channel: online, direct or postal (or the Vietnamese words)';
COMMENT ON COLUMN kpi.staging_dossier.fee_required IS 'Có phí, lệ phí: true/false, có/không...; trống là false / Fee-bearing: true/false, có/không...; empty means false';
COMMENT ON COLUMN kpi.staging_dossier.paid_online IS 'Đã thanh toán trực tuyến (boolean; trống là false) / Paid online (boolean; empty means false)';
COMMENT ON COLUMN kpi.staging_dossier.digitized IS 'Đã số hóa thành phần hồ sơ (boolean; trống là false) / Components digitised (boolean; empty means false)';
COMMENT ON COLUMN kpi.staging_dossier.reused_data IS 'Khai thác, sử dụng lại dữ liệu số hóa (boolean; trống là false) / Reused digitised data (boolean; empty means false)';
COMMENT ON COLUMN kpi.staging_dossier.resolved_at IS 'Ngày giờ giải quyết xong; trống nếu chưa giải quyết / When handling finished; empty until resolved';
COMMENT ON COLUMN kpi.staging_dossier.e_result IS 'Có kết quả điện tử (boolean; trống là false) / Electronic result (boolean; empty means false)';
COMMENT ON COLUMN kpi.staging_dossier.error IS 'Lý do dòng bị từ chối, do kpi.ingest_dossiers() ghi (NULL: chưa kiểm tra) / Why the row was rejected, written by kpi.ingest_dossiers() (NULL: not checked yet)';

SELECT pg_catalog.pg_extension_config_dump('kpi.staging_dossier', '');

-- ---------------------------------------------------------------------------
-- kpi.ingest_counts
-- ---------------------------------------------------------------------------

-- One statement checks every staged row and writes everything: the new
-- periods, the counts, the targets, the reasons of the rejected rows, and
-- the deletion of the loaded ones.  The only loop runs over the distinct
-- period labels that kpi.period does not know yet (a handful), to ask
-- kpi.period_bounds whether each is a real period without letting its error
-- out.
CREATE FUNCTION kpi.ingest_counts(OUT loaded bigint, OUT rejected bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    blank text := E' \t\r\n'
        || CASE WHEN getdatabaseencoding() = 'UTF8' THEN chr(160) || chr(65279) ELSE '' END;
    v_label text;
    new_periods text[] := '{}';
BEGIN
    -- Copies into staging wait until this ingest commits, and two ingests
    -- run one after the other: the rows checked are the rows written.
    LOCK TABLE kpi.staging_counts IN SHARE ROW EXCLUSIVE MODE;

    FOR v_label IN
        SELECT DISTINCT upper(btrim(s.period, blank))
        FROM kpi.staging_counts AS s
        WHERE NOT EXISTS (SELECT FROM kpi.period AS p WHERE p.label = upper(btrim(s.period, blank)))
          AND btrim(s.period, blank) <> ''
    LOOP
        BEGIN
            PERFORM kpi.period_bounds(v_label);
            new_periods := new_periods || v_label;
        EXCEPTION WHEN data_exception THEN
            NULL;               -- not a period: the row is rejected below
        END;
    END LOOP;

    WITH raw AS (
        SELECT s.ctid AS row_id,
               upper(btrim(s.period, blank)) AS per,
               lower(btrim(s.level, blank)) AS lev,
               lower(btrim(s.unit_code, blank)) AS unit,
               lower(btrim(s.indicator, blank)) AS ind,
               btrim(s.target, blank) AS tgt,
               btrim(s.numerator, blank) AS num,
               btrim(s.denominator, blank) AS den,
               btrim(s.printed_rate, blank) AS rte,
               s.error AS old_error
        FROM kpi.staging_counts AS s
    ), looked_up AS (
        SELECT r.*,
               coalesce(r.per, '') = '' AS per_empty,
               (p.label IS NOT NULL OR r.per = ANY (new_periods)) AS per_ok,
               coalesce(r.lev, '') = '' AS lev_empty,
               r.lev IN ('province', 'district', 'commune') AS lev_ok,
               coalesce(r.unit, '') = '' AS unit_empty,
               u.level AS unit_level,
               coalesce(r.ind, '') = '' AS ind_empty,
               i.code IS NOT NULL AS ind_ok,
               count(*) OVER (PARTITION BY r.per, r.lev, r.unit, r.ind) AS n_same,
               -- a cell: empty, - (not applicable, also an en or em dash), or a value
               coalesce(r.tgt, '') = '' OR r.tgt IN ('-', '–', '—') AS tgt_none,
               coalesce(r.num, '') = '' AS num_empty,
               coalesce(r.num IN ('-', '–', '—'), false) AS num_na,
               coalesce(r.den, '') = '' AS den_empty,
               coalesce(r.den IN ('-', '–', '—'), false) AS den_na,
               coalesce(r.rte, '') = '' AS rte_empty,
               coalesce(r.rte IN ('-', '–', '—'), false) AS rte_na,
               -- counts: digits, or digits grouped by thousands with dots (8.420)
               CASE WHEN r.num ~ '^[0-9]{1,18}$' THEN r.num::bigint
                    WHEN r.num ~ '^[0-9]{1,3}(\.[0-9]{3}){1,5}$' THEN replace(r.num, '.', '')::bigint
               END AS num_v,
               CASE WHEN r.den ~ '^[0-9]{1,18}$' THEN r.den::bigint
                    WHEN r.den ~ '^[0-9]{1,3}(\.[0-9]{3}){1,5}$' THEN replace(r.den, '.', '')::bigint
               END AS den_v,
               -- percentages: decimal comma or point, optional trailing %
               regexp_match(r.tgt, '^([0-9]+)(?:[.,]([0-9]+))?[ ]*%?$') AS tgt_m,
               regexp_match(r.rte, '^([0-9]+)(?:[.,]([0-9]+))?[ ]*%?$') AS rte_m
        FROM raw AS r
        LEFT JOIN kpi.period AS p ON p.label = r.per
        LEFT JOIN kpi.unit AS u ON u.code = r.unit
        LEFT JOIN kpi.indicator AS i ON i.code = r.ind
    ), typed AS (
        SELECT l.*,
               (l.tgt_m[1] || '.' || coalesce(l.tgt_m[2], '0'))::numeric AS tgt_v,
               (l.rte_m[1] || '.' || coalesce(l.rte_m[2], '0'))::numeric AS rte_v,
               -- why a count cell is not a count
               CASE WHEN l.num_empty OR l.num_na OR l.num_v IS NOT NULL THEN NULL
                    WHEN l.num ~ '^-[ ]*[0-9]+([.,][0-9]+)?$' THEN 'is negative'
                    WHEN l.num ~ '^[0-9]+$' OR l.num ~ '^[0-9]{1,3}(\.[0-9]{3})+$' THEN 'is too large'
                    WHEN l.num ~ '^[0-9]+([.,][0-9]+)+$' THEN 'is not a whole number'
                    ELSE 'is not a number'
               END AS num_bad,
               CASE WHEN l.den_empty OR l.den_na OR l.den_v IS NOT NULL THEN NULL
                    WHEN l.den ~ '^-[ ]*[0-9]+([.,][0-9]+)?$' THEN 'is negative'
                    WHEN l.den ~ '^[0-9]+$' OR l.den ~ '^[0-9]{1,3}(\.[0-9]{3})+$' THEN 'is too large'
                    WHEN l.den ~ '^[0-9]+([.,][0-9]+)+$' THEN 'is not a whole number'
                    ELSE 'is not a number'
               END AS den_bad
        FROM looked_up AS l
    ), checked AS (
        SELECT t.*,
               CASE WHEN t.tgt_none THEN NULL
                    WHEN t.tgt_m IS NULL AND t.tgt ~ '^-[ ]*[0-9]+([.,][0-9]+)?[ ]*%?$' THEN 'is outside 0–100'
                    WHEN t.tgt_m IS NULL THEN 'is not a number'
                    WHEN t.tgt_v > 100 THEN 'is outside 0–100'
                    WHEN t.tgt_v <> round(t.tgt_v, 1) THEN 'has more than one decimal'
               END AS tgt_bad,
               CASE WHEN t.rte_empty OR t.rte_na THEN NULL
                    WHEN t.rte_m IS NULL AND t.rte ~ '^-[ ]*[0-9]+([.,][0-9]+)?[ ]*%?$' THEN 'is outside 0–100'
                    WHEN t.rte_m IS NULL THEN 'is not a number'
                    WHEN t.rte_v > 100 THEN 'is outside 0–100'
                    WHEN t.rte_v <> round(t.rte_v, 1) THEN 'has more than one decimal'
               END AS rte_bad,
               -- not applicable: no number in the three cells and at least one -
               (t.num_na OR t.den_na OR t.rte_na)
                   AND (t.num_na OR t.num_empty) AND (t.den_na OR t.den_empty)
                   AND (t.rte_na OR t.rte_empty) AS not_applicable
        FROM typed AS t
    ), reasoned AS (
        SELECT c.*,
               nullif(concat_ws('; ',
                   CASE WHEN c.per_empty THEN 'period is empty'
                        WHEN NOT c.per_ok THEN format('period "%s" does not exist', c.per) END,
                   CASE WHEN c.lev_empty THEN 'level is empty'
                        WHEN NOT c.lev_ok THEN format('level "%s" is not province, district or commune', c.lev) END,
                   CASE WHEN c.unit_empty THEN 'unit_code is empty'
                        WHEN c.unit_level IS NULL THEN format('unit_code "%s" is not a known unit', c.unit)
                        WHEN c.lev_ok AND NOT (c.unit_level = c.lev OR (c.lev = 'commune' AND c.unit_level = 'district'))
                        THEN format('unit "%s" is a %s unit and cannot have %s level figures', c.unit, c.unit_level, c.lev) END,
                   CASE WHEN c.ind_empty THEN 'indicator is empty'
                        WHEN NOT c.ind_ok THEN format('indicator "%s" is not a known indicator', c.ind) END,
                   CASE WHEN c.tgt_bad IS NOT NULL THEN format('target "%s" %s', c.tgt, c.tgt_bad) END,
                   CASE WHEN c.num_bad IS NOT NULL THEN format('numerator "%s" %s', c.num, c.num_bad) END,
                   CASE WHEN c.den_bad IS NOT NULL THEN format('denominator "%s" %s', c.den, c.den_bad) END,
                   CASE WHEN c.rte_bad IS NOT NULL THEN format('printed_rate "%s" %s', c.rte, c.rte_bad) END,
                   CASE WHEN c.not_applicable THEN NULL
                        WHEN c.num_bad IS NOT NULL OR c.den_bad IS NOT NULL OR c.rte_bad IS NOT NULL THEN NULL
                        WHEN c.num_na OR c.den_na OR c.rte_na
                        THEN '- (not applicable) must be in numerator, denominator and printed_rate together, not beside a number'
                        WHEN c.num_empty AND c.den_empty AND c.rte_empty
                        THEN 'numerator, denominator and printed_rate are all empty (write - for not applicable)'
                        WHEN c.num_empty AND NOT c.den_empty
                        THEN format('denominator "%s" is given without a numerator', c.den)
                        WHEN NOT c.num_empty AND c.den_empty AND c.rte_empty
                        THEN format('numerator "%s" is given without a denominator or a printed rate', c.num)
                        WHEN c.num_v > c.den_v
                        THEN format('numerator %s is above denominator %s', c.num_v, c.den_v) END,
                   CASE WHEN c.n_same > 1 AND NOT (c.per_empty OR c.lev_empty OR c.unit_empty OR c.ind_empty)
                        THEN format('period, level, unit_code and indicator (%s, %s, %s, %s) appear in %s rows of this load',
                                    c.per, c.lev, c.unit, c.ind, c.n_same) END), '') AS reason
        FROM checked AS c
    ), good AS (
        SELECT r.per, r.lev, r.unit, r.ind, r.not_applicable,
               CASE WHEN NOT r.tgt_none THEN r.tgt_v END AS target,
               CASE WHEN NOT r.not_applicable THEN r.num_v END AS numerator,
               CASE WHEN NOT r.not_applicable THEN r.den_v END AS denominator,
               CASE WHEN NOT r.not_applicable THEN r.rte_v END AS printed_rate
        FROM reasoned AS r
        WHERE r.reason IS NULL
    ), period_row AS (
        INSERT INTO kpi.period AS p (label, starts, ends, name_vi, name_en)
        SELECT n.per, b.starts, b.ends, m.name_vi, m.name_en
        FROM (SELECT DISTINCT g.per FROM good AS g WHERE g.per = ANY (new_periods)) AS n
        CROSS JOIN LATERAL kpi.period_bounds(n.per) AS b
        CROSS JOIN LATERAL kpi.period_names(n.per) AS m
        ON CONFLICT (label) DO NOTHING
        RETURNING 1
    ), count_row AS (
        INSERT INTO kpi.indicator_count AS c
               (period, level, unit_code, indicator, source, applicable, numerator, denominator, printed_rate)
        SELECT g.per, g.lev, g.unit, g.ind, 'published', NOT g.not_applicable,
               g.numerator, g.denominator, g.printed_rate
        FROM good AS g
        ON CONFLICT (period, level, unit_code, indicator, source) DO UPDATE
            SET applicable = excluded.applicable, numerator = excluded.numerator,
                denominator = excluded.denominator, printed_rate = excluded.printed_rate
            WHERE (c.applicable, c.numerator, c.denominator, c.printed_rate)
                  IS DISTINCT FROM (excluded.applicable, excluded.numerator, excluded.denominator, excluded.printed_rate)
        RETURNING 1
    ), target_row AS (
        INSERT INTO kpi.assigned_target AS t (period, level, unit_code, indicator, target)
        SELECT g.per, g.lev, g.unit, g.ind, g.target
        FROM good AS g
        WHERE g.target IS NOT NULL
        ON CONFLICT (period, level, unit_code, indicator) DO UPDATE
            SET target = excluded.target
            WHERE t.target IS DISTINCT FROM excluded.target
        RETURNING 1
    ), rejected_row AS (
        UPDATE kpi.staging_counts AS s
        SET error = r.reason
        FROM reasoned AS r
        WHERE s.ctid = r.row_id AND r.reason IS NOT NULL AND r.old_error IS DISTINCT FROM r.reason
        RETURNING 1
    ), loaded_row AS (
        DELETE FROM kpi.staging_counts AS s
        USING reasoned AS r
        WHERE s.ctid = r.row_id AND r.reason IS NULL
        RETURNING 1
    )
    SELECT count(*) FILTER (WHERE r.reason IS NULL), count(*) FILTER (WHERE r.reason IS NOT NULL)
      INTO loaded, rejected
    FROM reasoned AS r;
END
$$;

COMMENT ON FUNCTION kpi.ingest_counts() IS
    'Kiểm tra mọi dòng của kpi.staging_counts; nạp dòng hợp lệ vào kpi.indicator_count (nguồn published, thay dòng cũ cùng kỳ, cấp, đơn vị, chỉ tiêu) và kpi.assigned_target, xóa chúng khỏi vùng nạp; dòng sai ở lại với lý do trong cột error; trả về số dòng đã nạp và bị từ chối / Checks every row of kpi.staging_counts; loads the valid ones into kpi.indicator_count (source published, replacing the row of the same period, level, unit and indicator) and kpi.assigned_target and deletes them from staging; invalid rows stay with their reasons in error; returns how many rows were loaded and rejected';

-- ---------------------------------------------------------------------------
-- kpi.ingest_dossiers
-- ---------------------------------------------------------------------------

-- A dossier file can have millions of rows, so every check is a plain
-- expression evaluated once per row.  Dates: one regular expression without
-- counted repetitions checks both dates of a row at once (each call of the
-- regular expression engine has a fixed cost, and capture groups cost a
-- hundred times more, so there are none); split_part cuts them into their
-- parts, whose lengths are checked before any cast.  Each step is a
-- subquery kept apart by OFFSET 0, so that what it computes is computed once
-- and not copied into every expression of the next step.  The statement is
-- assembled here once: the same steps for received_at and resolved_at, the
-- same parsing for the five booleans, and the constants (blanks to trim,
-- time zone of dates without one) written in.
CREATE FUNCTION kpi.ingest_dossiers(OUT loaded bigint, OUT rejected bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tz text := coalesce(nullif(current_setting('kpi.time_zone', true), ''), 'Asia/Ho_Chi_Minh');
    utf8 boolean := getdatabaseencoding() = 'UTF8';
    blank text := E' \t\r\n'
        || CASE WHEN getdatabaseencoding() = 'UTF8' THEN chr(160) || chr(65279) ELSE '' END;
    -- The shape of a date: 2024-03-05 or 05/03/2024 (day first); then
    -- optionally a time after a blank or T: 08:30, 08:30:15 or
    -- 08:30:15.123456; then optionally a zone, with or without a blank
    -- before it: Z, UTC, +07, +0700 or +07:00.  The lengths of the numbers
    -- are checked afterwards.
    date_re text := '(?:[0-9]+-[0-9]+-[0-9]+|[0-9]+/[0-9]+/[0-9]+)'
                    '(?:[ T][0-9]+:[0-9]+(?::[0-9]+(?:\.[0-9]+)?)?'
                    '(?: ?(?:Z|UTC|[+-][0-9]+(?::?[0-9]+)?))?)?';
    -- {x}: a trimmed cell; the Vietnamese words in lower case whatever the
    -- database's locale (and in composed form, however they were typed)
    vi text;
    -- {x}: a trimmed cell; true, false, or NULL when it is not a boolean
    -- (empty is false, the default of kpi.dossier)
    bool text;
    -- {x}: a trimmed cell, {p}: prefix of the columns; the steps of a date
    date1 text;
    date2 text;
    date3 text;
    date4 text;
    date5 text;
    date6 text;
    stamp text;
    q text;
    dup jsonb;
BEGIN
    PERFORM now() AT TIME ZONE tz;      -- an unknown kpi.time_zone fails here, before any work
    LOCK TABLE kpi.staging_dossier IN SHARE ROW EXCLUSIVE MODE;

    vi := 'translate(lower(' || CASE WHEN utf8 THEN 'normalize({x}, NFC)' ELSE '{x}' END || '), '
          || quote_literal('ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ') || ', '
          || quote_literal('àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ') || ')';
    -- the common forms first, as they are; the others once in lower case
    -- (a simple CASE computes its operand once)
    bool := 'CASE WHEN {x} IS NULL OR {x} = '''' THEN false '
            'WHEN {x} IN (''t'', ''true'', ''1'', ''TRUE'', ''True'', ''có'', ''Có'') THEN true '
            'WHEN {x} IN (''f'', ''false'', ''0'', ''FALSE'', ''False'', ''không'', ''Không'') THEN false '
            'ELSE CASE ' || vi || ' '
            'WHEN ''t'' THEN true WHEN ''tr'' THEN true WHEN ''tru'' THEN true WHEN ''true'' THEN true '
            'WHEN ''y'' THEN true WHEN ''ye'' THEN true WHEN ''yes'' THEN true WHEN ''on'' THEN true '
            'WHEN ''1'' THEN true WHEN ''có'' THEN true WHEN ''co'' THEN true '
            'WHEN ''f'' THEN false WHEN ''fa'' THEN false WHEN ''fal'' THEN false WHEN ''fals'' THEN false '
            'WHEN ''false'' THEN false WHEN ''n'' THEN false WHEN ''no'' THEN false WHEN ''of'' THEN false '
            'WHEN ''off'' THEN false WHEN ''0'' THEN false WHEN ''không'' THEN false WHEN ''khong'' THEN false '
            'END END';
    -- 1: the shape (both_ok: both dates of the row have it, one call for
    -- the common case); the date part; the rest (time and zone)
    date1 := '(CASE WHEN both_ok THEN {x} <> '''' ELSE {x} ~ ' || quote_literal('^' || date_re || '$') || ' END) AS {p}_shape, '
             'split_part(split_part({x}, '' '', 1), ''T'', 1) AS {p}_ds, '
             'substr({x}, length(split_part(split_part({x}, '' '', 1), ''T'', 1)) + 2) AS {p}_rest';
    -- 2: year, month, day, time and zone, as text
    date2 := 'CASE WHEN {p}_shape THEN CASE WHEN strpos({p}_ds, ''/'') > 0 THEN split_part({p}_ds, ''/'', 3) '
             'ELSE split_part({p}_ds, ''-'', 1) END END AS {p}_ys, '
             'CASE WHEN {p}_shape THEN CASE WHEN strpos({p}_ds, ''/'') > 0 THEN split_part({p}_ds, ''/'', 2) '
             'ELSE split_part({p}_ds, ''-'', 2) END END AS {p}_mos, '
             'CASE WHEN {p}_shape THEN CASE WHEN strpos({p}_ds, ''/'') > 0 THEN split_part({p}_ds, ''/'', 1) '
             'ELSE split_part({p}_ds, ''-'', 3) END END AS {p}_dds, '
             'CASE WHEN {p}_shape THEN btrim(CASE WHEN strpos({p}_rest, ''+'') + strpos({p}_rest, ''-'') > 0 '
             'THEN left({p}_rest, greatest(strpos({p}_rest, ''+''), strpos({p}_rest, ''-'')) - 1) '
             'WHEN right({p}_rest, 1) = ''Z'' THEN left({p}_rest, -1) '
             'WHEN right({p}_rest, 3) = ''UTC'' THEN left({p}_rest, -3) ELSE {p}_rest END) END AS {p}_time, '
             'CASE WHEN {p}_shape AND strpos({p}_rest, ''+'') + strpos({p}_rest, ''-'') > 0 '
             'THEN substr({p}_rest, greatest(strpos({p}_rest, ''+''), strpos({p}_rest, ''-''))) END AS {p}_zone, '
             'coalesce({p}_shape AND (right({p}_rest, 1) = ''Z'' OR right({p}_rest, 3) = ''UTC''), false) AS {p}_utc';
    -- 3: hour, minute, second, fraction, and the offset's hours and minutes, as text
    date3 := 'split_part({p}_time, '':'', 1) AS {p}_hs, '
             'split_part({p}_time, '':'', 2) AS {p}_mis, '
             'split_part(split_part({p}_time, '':'', 3), ''.'', 1) AS {p}_ss, '
             'split_part(split_part({p}_time, '':'', 3), ''.'', 2) AS {p}_fs, '
             'substr({p}_zone, 2, 2) AS {p}_zhs, '
             'replace(substr({p}_zone, 4), '':'', '''') AS {p}_zms';
    -- 4: the shape with the lengths of its numbers
    date4 := 'coalesce({p}_shape AND length({p}_ys) = 4 AND length({p}_mos) <= 2 AND length({p}_dds) <= 2 '
             'AND ({p}_time = '''' OR (length({p}_hs) <= 2 AND length({p}_mis) = 2 '
             'AND length({p}_ss) IN (0, 2) AND length({p}_fs) <= 6)) '
             'AND ({p}_zone IS NULL OR (length({p}_zone) IN (3, 5) AND strpos({p}_zone, '':'') = 0) '
             'OR (length({p}_zone) = 6 AND strpos({p}_zone, '':'') = 4)), false) AS {p}_ok';
    -- 5: the numbers (cast only where the lengths were checked)
    date5 := 'CASE WHEN {p}_ok THEN {p}_ys::integer END AS {p}_y, '
             'CASE WHEN {p}_ok THEN {p}_mos::integer END AS {p}_mo, '
             'CASE WHEN {p}_ok THEN {p}_dds::integer END AS {p}_d, '
             'CASE WHEN {p}_ok THEN coalesce(nullif({p}_hs, ''''), ''0'')::integer END AS {p}_h, '
             'CASE WHEN {p}_ok THEN coalesce(nullif({p}_mis, ''''), ''0'')::integer END AS {p}_mi, '
             'CASE WHEN {p}_ok THEN coalesce(nullif({p}_ss, ''''), ''0'')::integer END AS {p}_s, '
             'CASE WHEN {p}_ok THEN (coalesce(nullif({p}_ss, ''''), ''0'') || ''.'' '
             '|| coalesce(nullif({p}_fs, ''''), ''0''))::float8 END AS {p}_sec, '
             'CASE WHEN {p}_ok AND {p}_zone IS NOT NULL THEN coalesce(nullif({p}_zms, ''''), ''0'')::integer END AS {p}_zmi, '
             'CASE WHEN {p}_ok AND {p}_zone IS NOT NULL THEN (CASE WHEN left({p}_zone, 1) = ''-'' THEN -1 ELSE 1 END) '
             '* ({p}_zhs::integer * 60 + coalesce(nullif({p}_zms, ''''), ''0'')::integer) END AS {p}_off';
    -- 6: the instant, where the numbers make a real one (from the year 2000)
    stamp := 'make_timestamp({p}_y, {p}_mo, {p}_d, {p}_h, {p}_mi, {p}_sec)';
    date6 := 'CASE WHEN {p}_y >= 2000 AND {p}_mo BETWEEN 1 AND 12 AND {p}_d >= 1 '
             'AND {p}_d <= CASE WHEN {p}_mo = 2 THEN CASE WHEN ({p}_y % 4 = 0 AND {p}_y % 100 <> 0) OR {p}_y % 400 = 0 '
             'THEN 29 ELSE 28 END WHEN {p}_mo IN (4, 6, 9, 11) THEN 30 ELSE 31 END '
             'AND {p}_h <= 23 AND {p}_mi <= 59 AND {p}_s <= 59 '
             'AND coalesce({p}_zmi, 0) <= 59 AND abs(coalesce({p}_off, 0)) <= 14 * 60 '
             'THEN CASE WHEN {p}_utc THEN ' || stamp || ' AT TIME ZONE ''UTC'' '
             'WHEN {p}_off IS NOT NULL THEN (' || stamp || ' - make_interval(mins => {p}_off)) AT TIME ZONE ''UTC'' '
             'ELSE ' || stamp || ' AT TIME ZONE ' || quote_literal(tz) || ' END END AS {p}_at';

    q := $q$
    WITH checked AS (
        SELECT x.row_id, x.old_error, x.code, x.unit_code, x.proc, x.rec_at, x.channel,
               x.fee_required, x.paid_online, x.digitized, x.reused_data, x.res_at, x.e_result,
               nullif(concat_ws('; ',
                   CASE WHEN coalesce(x.code, '') = '' THEN 'dossier_code is empty'
                        WHEN x.n_same > 1 THEN format('dossier_code "%s" appears in %s rows of this load', x.code, x.n_same) END,
                   CASE WHEN coalesce(x.unit, '') = '' THEN 'unit_code is empty'
                        WHEN x.unit_code IS NULL THEN format('unit_code "%s" is not a known unit', x.unit) END,
                   CASE WHEN coalesce(x.proc, '') = '' THEN 'procedure_code is empty' END,
                   CASE WHEN coalesce(x.rec, '') = '' THEN 'received_at is empty'
                        WHEN NOT x.rec_ok THEN format('received_at "%s" is not a date', x.rec)
                        WHEN x.rec_y < 2000 THEN format('received_at "%s" is before 2000', x.rec)
                        WHEN x.rec_at IS NULL THEN format('received_at "%s" is an impossible date or time', x.rec) END,
                   CASE WHEN coalesce(x.chan, '') = '' THEN 'channel is empty'
                        WHEN x.channel IS NULL THEN format('channel "%s" is not online, direct or postal', x.chan) END,
                   CASE WHEN x.fee_required IS NULL THEN format('fee_required "%s" is not a boolean', x.fee) END,
                   CASE WHEN x.paid_online IS NULL THEN format('paid_online "%s" is not a boolean', x.paid) END,
                   CASE WHEN x.digitized IS NULL THEN format('digitized "%s" is not a boolean', x.dig) END,
                   CASE WHEN x.reused_data IS NULL THEN format('reused_data "%s" is not a boolean', x.reu) END,
                   CASE WHEN coalesce(x.res, '') = '' THEN NULL
                        WHEN NOT x.res_ok THEN format('resolved_at "%s" is not a date', x.res)
                        WHEN x.res_y < 2000 THEN format('resolved_at "%s" is before 2000', x.res)
                        WHEN x.res_at IS NULL THEN format('resolved_at "%s" is an impossible date or time', x.res) END,
                   CASE WHEN x.e_result IS NULL THEN format('e_result "%s" is not a boolean', x.eres) END,
                   CASE WHEN x.res_at < x.rec_at
                        THEN format('resolved_at "%s" is before received_at "%s"', x.res, x.rec) END,
                   CASE WHEN x.paid_online AND NOT x.fee_required
                        THEN format('paid_online "%s" without a fee (fee_required "%s")', x.paid, coalesce(x.fee, '')) END,
                   CASE WHEN x.e_result AND coalesce(x.res, '') = ''
                        THEN format('e_result "%s" but resolved_at is empty (an electronic result needs a resolved dossier)', x.eres) END
               ), '') AS reason
        FROM (SELECT g.*, {date6 rec}, {date6 res}
        FROM (SELECT f.*, {date5 rec}, {date5 res}
        FROM (SELECT e.*, {date4 rec}, {date4 res}
        FROM (SELECT d.*, {date3 rec}, {date3 res}
        FROM (SELECT c.*, {date2 rec}, {date2 res}
        FROM (SELECT b.*,
                     CASE WHEN b.chan IN ('online', 'direct', 'postal') THEN b.chan
                          WHEN b.chan IN ('Trực tuyến', 'trực tuyến') THEN 'online'
                          WHEN b.chan IN ('Trực tiếp', 'trực tiếp') THEN 'direct'
                          WHEN b.chan IN ('Bưu chính', 'bưu chính') THEN 'postal'
                          ELSE CASE {vi chan}
                               WHEN 'online' THEN 'online' WHEN 'direct' THEN 'direct' WHEN 'postal' THEN 'postal'
                               WHEN 'trực tuyến' THEN 'online' WHEN 'truc tuyen' THEN 'online'
                               WHEN 'trực tiếp' THEN 'direct' WHEN 'truc tiep' THEN 'direct'
                               WHEN 'bưu chính' THEN 'postal' WHEN 'buu chinh' THEN 'postal'
                               WHEN 'bưu chính công ích' THEN 'postal' WHEN 'buu chinh cong ich' THEN 'postal' END
                     END AS channel,
                     {bool fee} AS fee_required,
                     {bool paid} AS paid_online,
                     {bool dig} AS digitized,
                     {bool reu} AS reused_data,
                     {bool eres} AS e_result,
                     {date1 rec}, {date1 res}
        FROM (SELECT t.*, u.code AS unit_code, ($1 ->> t.code)::bigint AS n_same,
                     (t.rec || '|' || coalesce(t.res, '')) ~ {both re} AS both_ok
        FROM (SELECT s.ctid AS row_id, s.error AS old_error,
                     btrim(s.dossier_code, {blank}) AS code,
                     btrim(s.unit_code, {blank}) AS unit,
                     btrim(s.procedure_code, {blank}) AS proc,
                     btrim(s.received_at, {blank}) AS rec,
                     btrim(s.channel, {blank}) AS chan,
                     btrim(s.fee_required, {blank}) AS fee,
                     btrim(s.paid_online, {blank}) AS paid,
                     btrim(s.digitized, {blank}) AS dig,
                     btrim(s.reused_data, {blank}) AS reu,
                     btrim(s.resolved_at, {blank}) AS res,
                     btrim(s.e_result, {blank}) AS eres
              FROM kpi.staging_dossier AS s
              OFFSET 0) AS t
        LEFT JOIN kpi.unit AS u ON u.code = lower(t.unit)
        OFFSET 0) AS b OFFSET 0) AS c OFFSET 0) AS d OFFSET 0) AS e OFFSET 0) AS f OFFSET 0) AS g OFFSET 0) AS x
    ), dossier_row AS (
        INSERT INTO kpi.dossier AS d (dossier_code, unit_code, procedure_code, received_at, channel,
                                      fee_required, paid_online, digitized, reused_data, resolved_at, e_result)
        SELECT c.code, c.unit_code, c.proc, c.rec_at, c.channel,
               c.fee_required, c.paid_online, c.digitized, c.reused_data, c.res_at, c.e_result
        FROM checked AS c
        WHERE c.reason IS NULL
        -- The unique index finds the dossier already there, whatever the
        -- statistics say (a join to kpi.dossier planned while it looked
        -- empty would scan it again for every row); a dossier that is
        -- already there as it is is not written again.
        ON CONFLICT (dossier_code) DO UPDATE
            SET unit_code = excluded.unit_code, procedure_code = excluded.procedure_code,
                received_at = excluded.received_at, channel = excluded.channel,
                fee_required = excluded.fee_required, paid_online = excluded.paid_online,
                digitized = excluded.digitized, reused_data = excluded.reused_data,
                resolved_at = excluded.resolved_at, e_result = excluded.e_result
            WHERE (d.unit_code, d.procedure_code, d.received_at, d.channel, d.fee_required, d.paid_online,
                   d.digitized, d.reused_data, d.resolved_at, d.e_result)
                  IS DISTINCT FROM
                  (excluded.unit_code, excluded.procedure_code, excluded.received_at, excluded.channel,
                   excluded.fee_required, excluded.paid_online, excluded.digitized, excluded.reused_data,
                   excluded.resolved_at, excluded.e_result)
        RETURNING 1
    ), rejected_row AS (
        UPDATE kpi.staging_dossier AS s
        SET error = c.reason
        FROM checked AS c
        WHERE c.reason IS NOT NULL AND s.ctid = c.row_id AND c.old_error IS DISTINCT FROM c.reason
        RETURNING 1
    ), loaded_row AS (
        DELETE FROM kpi.staging_dossier AS s
        WHERE NOT EXISTS (SELECT FROM checked AS c WHERE c.reason IS NOT NULL AND c.row_id = s.ctid)
        RETURNING 1
    )
    SELECT count(*) FILTER (WHERE c.reason IS NULL), count(*) FILTER (WHERE c.reason IS NOT NULL)
    FROM checked AS c
    $q$;

    q := replace(q, '{date6 rec}', replace(date6, '{p}', 'rec'));
    q := replace(q, '{date6 res}', replace(date6, '{p}', 'res'));
    q := replace(q, '{date5 rec}', replace(date5, '{p}', 'rec'));
    q := replace(q, '{date5 res}', replace(date5, '{p}', 'res'));
    q := replace(q, '{date4 rec}', replace(date4, '{p}', 'rec'));
    q := replace(q, '{date4 res}', replace(date4, '{p}', 'res'));
    q := replace(q, '{date3 rec}', replace(date3, '{p}', 'rec'));
    q := replace(q, '{date3 res}', replace(date3, '{p}', 'res'));
    q := replace(q, '{date2 rec}', replace(date2, '{p}', 'rec'));
    q := replace(q, '{date2 res}', replace(date2, '{p}', 'res'));
    q := replace(q, '{date1 rec}', replace(replace(date1, '{p}', 'rec'), '{x}', 'b.rec'));
    q := replace(q, '{date1 res}', replace(replace(date1, '{p}', 'res'), '{x}', 'b.res'));
    q := replace(q, '{both re}', quote_literal('^' || date_re || '\|(?:' || date_re || ')?$'));
    q := replace(q, '{vi chan}', replace(vi, '{x}', 'b.chan'));
    q := replace(q, '{bool fee}', replace(bool, '{x}', 'b.fee'));
    q := replace(q, '{bool paid}', replace(bool, '{x}', 'b.paid'));
    q := replace(q, '{bool dig}', replace(bool, '{x}', 'b.dig'));
    q := replace(q, '{bool reu}', replace(bool, '{x}', 'b.reu'));
    q := replace(q, '{bool eres}', replace(bool, '{x}', 'b.eres'));
    q := replace(q, '{blank}', quote_literal(blank));

    -- Dossier codes that appear more than once, with how many times: a
    -- lookup per row in a (mostly empty) map rather than a join, whose
    -- estimate would mislead the planner about the whole statement.
    EXECUTE format('SELECT coalesce(jsonb_object_agg(x.code, x.n), ''{}'') FROM ('
                   'SELECT btrim(s.dossier_code, %L) AS code, count(*) AS n FROM kpi.staging_dossier AS s '
                   'GROUP BY 1 HAVING count(*) > 1) AS x WHERE x.code <> ''''', blank)
        INTO dup;
    EXECUTE q INTO loaded, rejected USING dup;
END
$$;

COMMENT ON FUNCTION kpi.ingest_dossiers() IS
    'Kiểm tra mọi dòng của kpi.staging_dossier; nạp dòng hợp lệ vào kpi.dossier (thay hồ sơ cùng mã), xóa chúng khỏi vùng nạp; dòng sai ở lại với lý do trong cột error; trả về số dòng đã nạp và bị từ chối / Checks every row of kpi.staging_dossier; loads the valid ones into kpi.dossier (replacing the dossier of the same code) and deletes them from staging; invalid rows stay with their reasons in error; returns how many rows were loaded and rejected';
