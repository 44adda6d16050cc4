-- src/sql/period.sql: reporting periods.  One vocabulary of labels for every
-- function that takes a period: a year (2024), a half-year (2024-H1, the
-- six-month report), a quarter (2024-Q1) or a month (2024-03), from 2000 on,
-- in any letter case.  kpi.period_label is the one parser; kpi.period_bounds
-- and kpi.period_names are built on it, and so is everything that takes a
-- label (kpi.refresh, kpi.ingest_counts, kpi.report_markdown), and the
-- table kpi.period, which holds no label in another form and no dates that
-- contradict its label.

-- The label in its stored form (upper case, no surrounding blanks), or an
-- error that names it.
CREATE FUNCTION kpi.period_label(label text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    l text := upper(btrim(label));
BEGIN
    IF l !~ '^[0-9]{4}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$' OR substr(l, 1, 4)::integer < 2000 THEN
        RAISE EXCEPTION 'invalid period label "%"', label
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A period is a year (2024), a half-year (2024-H1), a quarter (2024-Q1) or a month (2024-03), from 2000 on.';
    END IF;
    RETURN l;
END
$$;
COMMENT ON FUNCTION kpi.period_label(text) IS
    'Nhãn kỳ ở dạng chuẩn (chữ hoa): 2024-q1 → 2024-Q1; lỗi với nhãn khác / A period label in its stored form (upper case): 2024-q1 gives 2024-Q1; an error for anything that is not a year, half-year, quarter or month from 2000 on';

-- The first and last day of a period.
CREATE FUNCTION kpi.period_bounds(label text, OUT starts date, OUT ends date)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    l text := kpi.period_label(label);
    y integer := substr(l, 1, 4)::integer;
    months integer;
BEGIN
    CASE substr(l, 6, 1)
        WHEN '' THEN starts := make_date(y, 1, 1); months := 12;
        WHEN 'H' THEN starts := make_date(y, substr(l, 7, 1)::integer * 6 - 5, 1); months := 6;
        WHEN 'Q' THEN starts := make_date(y, substr(l, 7, 1)::integer * 3 - 2, 1); months := 3;
        ELSE starts := make_date(y, substr(l, 6, 2)::integer, 1); months := 1;
    END CASE;
    ends := (starts + make_interval(months => months) - interval '1 day')::date;
END
$$;
COMMENT ON FUNCTION kpi.period_bounds(text) IS
    'Ngày đầu và ngày cuối của kỳ / First and last day of a period label (2024, 2024-H1, 2024-Q1, 2024-03, any letter case); an error for any other label';

-- How a report names a period: quý I năm 2024 / quarter 1 of 2024.
CREATE FUNCTION kpi.period_names(label text, OUT name_vi text, OUT name_en text)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    l text := kpi.period_label(label);
    y text := substr(l, 1, 4);
    n integer := nullif(substr(l, 7), '')::integer;
BEGIN
    CASE substr(l, 6, 1)
        WHEN '' THEN name_vi := 'năm ' || y; name_en := y;
        WHEN 'H' THEN name_vi := (ARRAY['6 tháng đầu năm ', '6 tháng cuối năm '])[n] || y;
                      name_en := (ARRAY['first', 'second'])[n] || ' half of ' || y;
        WHEN 'Q' THEN name_vi := 'quý ' || (ARRAY['I', 'II', 'III', 'IV'])[n] || ' năm ' || y;
                      name_en := (ARRAY['first', 'second', 'third', 'fourth'])[n] || ' quarter of ' || y;
        ELSE name_vi := 'tháng ' || substr(l, 6, 2)::integer || ' năm ' || y;
             name_en := (ARRAY['January', 'February', 'March', 'April', 'May', 'June', 'July',
                               'August', 'September', 'October', 'November', 'December'])
                        [substr(l, 6, 2)::integer] || ' ' || y;
    END CASE;
END
$$;
COMMENT ON FUNCTION kpi.period_names(text) IS
    'Tên kỳ trong báo cáo, tiếng Việt và tiếng Anh: 2024-Q1 là quý I năm 2024, first quarter of 2024 / How a report names a period, in Vietnamese and English; an error for a label kpi.period_label rejects';

-- The period before, of the same kind: 2026-Q2 for 2026-Q3, 2025-Q4 for
-- 2026-Q1, 2025 for 2026, 2026-H1 for 2026-H2, 2026-02 for 2026-03.
CREATE FUNCTION kpi.period_previous(label text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    l text := kpi.period_label(label);
    y integer := substr(l, 1, 4)::integer;
    n integer := nullif(substr(l, 7), '')::integer;
BEGIN
    -- checked as any label: the period before the first a label can name is an error
    RETURN kpi.period_label(CASE substr(l, 6, 1)
        WHEN '' THEN (y - 1)::text
        WHEN 'H' THEN CASE n WHEN 1 THEN (y - 1) || '-H2' ELSE y || '-H1' END
        WHEN 'Q' THEN CASE n WHEN 1 THEN (y - 1) || '-Q4' ELSE y || '-Q' || (n - 1) END
        ELSE to_char(make_date(y, substr(l, 6, 2)::integer, 1) - interval '1 month', 'YYYY-MM')
    END);
END
$$;
COMMENT ON FUNCTION kpi.period_previous(text) IS
    'Kỳ liền trước cùng loại (2026-Q3 → 2026-Q2) / The period before, of the same kind: 2026-Q2 for 2026-Q3, 2025 for 2026';

-- Since 1 July 2025 provinces have two levels of local government: their
-- departments, and communes directly under the province; districts are
-- gone.  A period starting from then has the two-level layout.
CREATE FUNCTION kpi.period_two_level(starts date) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN starts >= DATE '2025-07-01';
COMMENT ON FUNCTION kpi.period_two_level(date) IS
    'Kỳ bắt đầu từ ngày này có chính quyền địa phương hai cấp (từ 01/7/2025) / Whether a period starting on this day has two-level local government (from 1 July 2025: departments and communes, no districts)';

CREATE TABLE kpi.period (
    label text PRIMARY KEY
        CONSTRAINT period_label_check
        CHECK (label ~ '^[0-9]{4}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$'),
    year integer NOT NULL GENERATED ALWAYS AS
        (pg_catalog.int4(pg_catalog.substr(label, 1, 4))) STORED,
    starts date NOT NULL,
    ends date NOT NULL,
    name_vi text,
    name_en text,
    CONSTRAINT period_dates_check CHECK (starts <= ends
        AND EXTRACT(year FROM starts) = year AND EXTRACT(year FROM ends) = year),
    two_level boolean NOT NULL GENERATED ALWAYS AS (kpi.period_two_level(starts)) STORED,
    CONSTRAINT period_label_form_check CHECK (label = kpi.period_label(label)),
    CONSTRAINT period_bounds_check CHECK (starts = (kpi.period_bounds(label)).starts
                                          AND ends = (kpi.period_bounds(label)).ends)
);

SELECT pg_catalog.pg_extension_config_dump('kpi.period', '');

-- A period is its label: INSERT INTO kpi.period (label) VALUES ('2025-q3')
-- writes 2025-Q3 with its dates and names; given dates must agree (names
-- are the user's to choose).  A label changed by UPDATE takes its dates and
-- names with it, unless the same statement sets them.
CREATE FUNCTION kpi.fill_period() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.label := kpi.period_label(NEW.label);
    -- a new label: the dates and names not changed with it follow it
    IF TG_OP = 'UPDATE' AND NEW.label IS DISTINCT FROM OLD.label THEN
        IF NEW.starts IS NOT DISTINCT FROM OLD.starts THEN NEW.starts := NULL; END IF;
        IF NEW.ends IS NOT DISTINCT FROM OLD.ends THEN NEW.ends := NULL; END IF;
        IF NEW.name_vi IS NOT DISTINCT FROM OLD.name_vi THEN NEW.name_vi := NULL; END IF;
        IF NEW.name_en IS NOT DISTINCT FROM OLD.name_en THEN NEW.name_en := NULL; END IF;
    END IF;
    SELECT coalesce(NEW.starts, b.starts), coalesce(NEW.ends, b.ends)
      INTO NEW.starts, NEW.ends FROM kpi.period_bounds(NEW.label) AS b;
    SELECT coalesce(NEW.name_vi, n.name_vi), coalesce(NEW.name_en, n.name_en)
      INTO NEW.name_vi, NEW.name_en FROM kpi.period_names(NEW.label) AS n;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION kpi.fill_period() IS
    'Trigger: chuẩn hóa nhãn kỳ, điền ngày đầu, ngày cuối và tên kỳ khi bỏ trống / Trigger: writes the label in its one form, and fills in the dates and names when they are left out';

CREATE TRIGGER period_fill
    BEFORE INSERT OR UPDATE OF label, starts, ends, name_vi, name_en ON kpi.period
    FOR EACH ROW EXECUTE FUNCTION kpi.fill_period();

COMMENT ON TABLE kpi.period IS
    'Kỳ báo cáo (nhãn như 2024-Q1) / Reporting periods (labels like 2024-Q1)';
COMMENT ON COLUMN kpi.period.label IS 'Nhãn kỳ: 2024, 2024-H1, 2024-Q1 hoặc 2024-03 / Period label: year, half-year, quarter or month';
COMMENT ON COLUMN kpi.period.year IS 'Năm (tự tính từ nhãn) / Year (generated from the label)';
COMMENT ON COLUMN kpi.period.starts IS 'Ngày đầu kỳ / First day of the period';
COMMENT ON COLUMN kpi.period.ends IS 'Ngày cuối kỳ / Last day of the period';
COMMENT ON COLUMN kpi.period.name_vi IS 'Tên kỳ trong báo cáo, ví dụ quý I năm 2024 / Period as the report names it';
COMMENT ON COLUMN kpi.period.name_en IS 'Tên kỳ tiếng Anh / Period name in English';
COMMENT ON COLUMN kpi.period.two_level IS 'Kỳ của chính quyền địa phương hai cấp (bắt đầu từ 01/7/2025): không có cấp huyện, mỗi xã một dòng / A period of two-level local government (starting on or after 1 July 2025): no district level, every commune on its own row';

