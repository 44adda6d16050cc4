-- src/sql/sample.sql: kpi.load_sample(), the Bình Định report for quarter
-- I/2024.  The data is the data of data/sample/*.csv: src/build.pl writes
-- their rows into the function at build time, so the files are its one
-- source (a test compares the loaded rows with the files).

CREATE FUNCTION kpi.load_sample() RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n integer;
    total integer := 0;
BEGIN
    INSERT INTO kpi.period (label, starts, ends, name_vi, name_en)
    SELECT p.label, b.starts, b.ends, m.name_vi, m.name_en
    FROM (SELECT DISTINCT v.period AS label FROM (VALUES
              -- @csv summary-2024-Q1.csv (period, indicator, level, printed_pct)
          ) AS v (period, indicator, level, printed_pct)) AS p
    CROSS JOIN LATERAL kpi.period_bounds(p.label) AS b
    CROSS JOIN LATERAL kpi.period_names(p.label) AS m
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;

    INSERT INTO kpi.unit (code, name, level, parent_code, sort_order, aliases)
    SELECT v.code, v.name, v.level, v.parent_code, v.sort_order::integer,
           ARRAY(SELECT a.alias FROM (VALUES
                     -- @csv unit-aliases.csv (unit_code, alias)
                 ) AS a (unit_code, alias)
                 WHERE a.unit_code = v.code)
    FROM (VALUES
        -- @csv units.csv (code, name, level, parent_code, sort_order)
    ) AS v (code, name, level, parent_code, sort_order)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;

    INSERT INTO kpi.target (year, indicator, central_target, province_floor, central_source, province_source)
    SELECT v.year::integer, v.indicator, v.central_target::numeric, v.province_floor::numeric,
           v.central_source, v.province_source
    FROM (VALUES
        -- @csv targets-2024.csv (year, indicator, central_target, province_floor, central_source, province_source)
    ) AS v (year, indicator, central_target, province_floor, central_source, province_source)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;

    -- One row per level, unit and indicator of the six appendix tables: the
    -- assigned target goes to kpi.assigned_target, the rest to
    -- kpi.indicator_count.  Empty target, numerator, denominator and rate:
    -- not applicable.
    WITH sample AS (
        SELECT v.period, v.level, v.unit_code, v.indicator, v.target::numeric AS target,
               v.numerator::bigint AS numerator, v.denominator::bigint AS denominator,
               v.printed_rate::numeric AS printed_rate
        FROM (VALUES
            -- @csv counts-2024-Q1.csv (period, level, unit_code, unit_name, indicator, target, numerator, denominator, printed_rate)
        ) AS v (period, level, unit_code, unit_name, indicator, target, numerator, denominator, printed_rate)
    ), target_row AS (
        INSERT INTO kpi.assigned_target (period, level, unit_code, indicator, target)
        SELECT s.period, s.level, s.unit_code, s.indicator, s.target
        FROM sample AS s
        WHERE s.target IS NOT NULL
        ON CONFLICT DO NOTHING
        RETURNING 1
    ), count_row AS (
        INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, source, applicable,
                                         numerator, denominator, printed_rate)
        SELECT s.period, s.level, s.unit_code, s.indicator, 'published',
               s.numerator IS NOT NULL OR s.printed_rate IS NOT NULL,
               s.numerator, s.denominator, s.printed_rate
        FROM sample AS s
        ON CONFLICT DO NOTHING
        RETURNING 1
    )
    SELECT (SELECT pg_catalog.count(*) FROM target_row) + (SELECT pg_catalog.count(*) FROM count_row)
      INTO n;
    total := total + n;

    INSERT INTO kpi.printed_summary (period, indicator, level, printed_pct)
    SELECT v.period, v.indicator, v.level, v.printed_pct::numeric
    FROM (VALUES
        -- @csv summary-2024-Q1.csv (period, indicator, level, printed_pct)
    ) AS v (period, indicator, level, printed_pct)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;

    INSERT INTO kpi.note (period, level, unit_code, mark, applies_to, text)
    SELECT v.period, u.level, v.unit_code, v.mark, v.applies_to, v.text
    FROM (VALUES
        -- @csv notes-2024-Q1.csv (period, unit_code, mark, applies_to, text)
    ) AS v (period, unit_code, mark, applies_to, text)
    JOIN kpi.unit AS u ON u.code = v.unit_code
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;

    RETURN total;
END
$$;

COMMENT ON FUNCTION kpi.load_sample() IS
    'Nạp số liệu mẫu: báo cáo quý I/2024 của tỉnh Bình Định (kỳ 2024-Q1); chạy lại không thay đổi gì; trả về số dòng đã thêm / Loads the sample: the Bình Định report for 2024-Q1; running it again changes nothing; returns the number of rows inserted';
