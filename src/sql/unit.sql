-- src/sql/unit.sql: the units that receive dossiers, and the levels of the
-- appendix they belong to.

-- The levels, in report order; rows from src/catalogue.txt.
CREATE TABLE kpi.level (
    code text PRIMARY KEY,
    position integer NOT NULL UNIQUE,
    name_vi text NOT NULL,
    name_en text NOT NULL,
    title_vi text NOT NULL,
    note_vi text,
    two_level_note_vi text
);

INSERT INTO kpi.level (code, position, name_vi, name_en, title_vi, note_vi, two_level_note_vi)
SELECT v.code, v.position::integer, v.name_vi, v.name_en, v.title_vi, v.note_vi, v.two_level_note_vi
FROM (VALUES
    -- @catalogue level (code, position, name_vi, name_en, title_vi, note_vi, two_level_note_vi)
) AS v (code, position, name_vi, name_en, title_vi, note_vi, two_level_note_vi)
ON CONFLICT (code) DO UPDATE SET position = excluded.position, name_vi = excluded.name_vi, name_en = excluded.name_en,
    title_vi = excluded.title_vi, note_vi = excluded.note_vi, two_level_note_vi = excluded.two_level_note_vi;

-- the catalogue's tables are reference data, readable by every role
GRANT SELECT ON kpi.level TO PUBLIC;

COMMENT ON TABLE kpi.level IS
    'Các cấp của phụ lục, theo thứ tự trong báo cáo / The levels of the appendix, in report order';
COMMENT ON COLUMN kpi.level.code IS 'Mã cấp: province, district, commune / Level code';
COMMENT ON COLUMN kpi.level.position IS 'Thứ tự (số của phụ lục) / Order (the appendix number)';
COMMENT ON COLUMN kpi.level.name_vi IS 'Tên cấp, ví dụ Cấp tỉnh / Name of the level in Vietnamese';
COMMENT ON COLUMN kpi.level.name_en IS 'Tên tiếng Anh / Name in English';
COMMENT ON COLUMN kpi.level.title_vi IS 'Tiêu đề phụ lục, ví dụ CẤP TỈNH / Appendix heading';
COMMENT ON COLUMN kpi.level.note_vi IS 'Ghi chú dưới tiêu đề phụ lục, kỳ ba cấp / Note under the appendix heading, in a three-level period';
COMMENT ON COLUMN kpi.level.two_level_note_vi IS 'Ghi chú dưới tiêu đề phụ lục, kỳ hai cấp / Note under the appendix heading, in a two-level period';

CREATE TABLE kpi.unit (
    code text PRIMARY KEY
        CONSTRAINT unit_code_check CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$' AND length(code) <= 100),
    name text NOT NULL
        CONSTRAINT unit_name_check CHECK (btrim(name) <> ''),
    level text NOT NULL
        CONSTRAINT unit_level_check CHECK (level IN ('province', 'district', 'commune', 'all')),
    parent_code text,
    sort_order integer NOT NULL DEFAULT 0,
    aliases text[] NOT NULL DEFAULT '{}',
    portal_id text UNIQUE,
    CONSTRAINT unit_parent_check CHECK (parent_code IS NULL OR level = 'commune')
);

-- Codes as the national portal writes them (H44.07), with no two that
-- differ only in letter case: loading matches codes in any case.
CREATE UNIQUE INDEX unit_code_lower_key ON kpi.unit (lower(code));

-- A unit keeps a level its figures allow (a figure at level L belongs to a
-- unit of level L; a commune level figure may name a district, the sum over
-- its communes), and a district keeps its level while communes name it.  A
-- statement writing figures or communes holds the unit's row FOR SHARE
-- (kpi.check_references) until it commits; this change of level has waited
-- for it and sees what it wrote.
CREATE FUNCTION kpi.check_unit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF current_setting('transaction_isolation') = 'repeatable read' THEN
        RAISE EXCEPTION 'the level of unit "%" cannot change in a REPEATABLE READ transaction', NEW.code
            USING ERRCODE = 'serialization_failure',
                  HINT = 'Change it in a READ COMMITTED (the default) or SERIALIZABLE transaction.';
    END IF;
    IF EXISTS (SELECT FROM kpi.indicator_count AS c
               WHERE c.unit_code = NEW.code
                 AND NOT (c.level = NEW.level OR (c.level = 'commune' AND NEW.level = 'district')))
       OR EXISTS (SELECT FROM kpi.assigned_target AS t
                  WHERE t.unit_code = NEW.code
                    AND NOT (t.level = NEW.level OR (t.level = 'commune' AND NEW.level = 'district')))
       OR EXISTS (SELECT FROM kpi.note AS n
                  WHERE n.unit_code = NEW.code
                    AND NOT (n.level = NEW.level OR (n.level = 'commune' AND NEW.level = 'district'))) THEN
        RAISE EXCEPTION 'unit "%" has % level figures and cannot become a % unit',
                NEW.code, OLD.level, NEW.level
            USING ERRCODE = 'check_violation',
                  TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    IF OLD.level = 'district' AND EXISTS (SELECT FROM kpi.unit AS c WHERE c.parent_code = NEW.code) THEN
        RAISE EXCEPTION 'district "%" has communes and must stay a district', NEW.code
            USING ERRCODE = 'check_violation',
                  HINT = 'Give its communes another district, or none, first.',
                  TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION kpi.check_unit() IS
    'Trigger: đơn vị đã có số liệu của một cấp thì không đổi sang cấp không được có số liệu đó; huyện còn xã thì vẫn là huyện / Trigger: a unit with figures of a level keeps a level that may have them; a district with communes stays a district';

CREATE TRIGGER unit_check
    AFTER UPDATE OF level ON kpi.unit
    FOR EACH ROW WHEN (NEW.level IS DISTINCT FROM OLD.level) EXECUTE FUNCTION kpi.check_unit();

COMMENT ON TABLE kpi.unit IS
    'Cơ quan, đơn vị tiếp nhận hồ sơ: sở, ban, ngành (cấp tỉnh), UBND huyện, thị xã, thành phố (cấp huyện, đến 30/6/2025), UBND xã, phường, đặc khu (cấp xã) / Units that receive dossiers: departments (province level), district people''s committees (until 30 June 2025), commune people''s committees';
COMMENT ON COLUMN kpi.unit.code IS 'Mã đơn vị như Cổng DVC quốc gia ghi (H44.07) hoặc tự đặt: chữ, số, dấu chấm, gạch nối, gạch dưới; tối đa 100 ký tự; không phân biệt hoa thường khi nạp / Unit code as the national portal writes it (H44.07) or one''s own: letters, digits, dots, dashes, underscores; at most 100 characters; unique in any letter case';
COMMENT ON COLUMN kpi.unit.name IS 'Tên chuẩn của đơn vị (văn bản bất kỳ, không rỗng) / Canonical name (any text, not blank)';
COMMENT ON COLUMN kpi.unit.level IS 'Cấp: province, district, commune; all là cả tỉnh (dòng tổng của Cổng DVCQG) / Level: province, district or commune; all for the whole province (the portal''s overview row)';
COMMENT ON COLUMN kpi.unit.parent_code IS 'Huyện quản lý (chỉ với xã của tỉnh ba cấp); NULL với xã trực thuộc tỉnh (từ 01/7/2025) / The district of a commune (three-level provinces); NULL for a commune directly under the province (from 1 July 2025)';
COMMENT ON COLUMN kpi.unit.sort_order IS 'Thứ tự dòng trong phụ lục của cấp / Row order in the level''s appendix';
COMMENT ON COLUMN kpi.unit.portal_id IS 'departmentId của đơn vị trên Cổng DVCQG (nạp từ phản hồi của Cổng) / The unit''s departmentId on the national portal, kept from its responses (kpi.ingest_portal)';
COMMENT ON COLUMN kpi.unit.aliases IS 'Các cách viết khác của tên trong báo cáo / Other spellings of the name found in reports';

SELECT pg_catalog.pg_extension_config_dump('kpi.unit', '');

