-- src/sql/unit.sql: the units that receive dossiers, and the levels of the
-- appendix they belong to.

-- The levels, in report order; rows from src/catalogue.txt.
CREATE TABLE kpi.level (
    code text PRIMARY KEY,
    position integer NOT NULL UNIQUE,
    name_vi text NOT NULL,
    name_en text NOT NULL,
    title_vi text NOT NULL,
    note_vi text
);

INSERT INTO kpi.level (code, position, name_vi, name_en, title_vi, note_vi)
SELECT v.code, v.position::integer, v.name_vi, v.name_en, v.title_vi, v.note_vi
FROM (VALUES
    -- @catalogue level (code, position, name_vi, name_en, title_vi, note_vi)
) AS v (code, position, name_vi, name_en, title_vi, note_vi)
ON CONFLICT (code) DO UPDATE SET position = excluded.position, name_vi = excluded.name_vi, name_en = excluded.name_en, title_vi = excluded.title_vi, note_vi = excluded.note_vi;

-- the catalogue's tables are reference data, readable by every role
GRANT SELECT ON kpi.level TO PUBLIC;

COMMENT ON TABLE kpi.level IS
    'Các cấp của phụ lục, theo thứ tự trong báo cáo / The levels of the appendix, in report order';
COMMENT ON COLUMN kpi.level.code IS 'Mã cấp: province, district, commune / Level code';
COMMENT ON COLUMN kpi.level.position IS 'Thứ tự (số của phụ lục) / Order (the appendix number)';
COMMENT ON COLUMN kpi.level.name_vi IS 'Tên cấp, ví dụ Cấp tỉnh / Name of the level in Vietnamese';
COMMENT ON COLUMN kpi.level.name_en IS 'Tên tiếng Anh / Name in English';
COMMENT ON COLUMN kpi.level.title_vi IS 'Tiêu đề phụ lục, ví dụ CẤP TỈNH / Appendix heading';
COMMENT ON COLUMN kpi.level.note_vi IS 'Ghi chú dưới tiêu đề phụ lục / Note under the appendix heading';

CREATE TABLE kpi.unit (
    code text PRIMARY KEY
        CONSTRAINT unit_code_check CHECK (code ~ '^[a-z0-9][a-z0-9-]*$'),
    name text NOT NULL
        CONSTRAINT unit_name_check CHECK (name !~ '\(\*+\)'),
    level text NOT NULL
        CONSTRAINT unit_level_check CHECK (level IN ('province', 'district', 'commune')),
    parent_code text,
    sort_order integer NOT NULL DEFAULT 0,
    aliases text[] NOT NULL DEFAULT '{}',
    CONSTRAINT unit_parent_check CHECK ((level = 'commune') = (parent_code IS NOT NULL))
);

-- A commune's parent is an existing district; a unit keeps its level while
-- communes hang from it or figures of its level name it; a district's new
-- code follows to its communes.  A trigger rather than a self-referencing
-- foreign key, which pg_dump reports as a circular dependency of the
-- table's data.  AFTER ROW triggers run at the end of the statement, so a
-- single COPY or INSERT may bring communes before their district.
CREATE FUNCTION kpi.check_unit() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    parent_level text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT FROM kpi.unit AS u WHERE u.parent_code = OLD.code) THEN
            RAISE EXCEPTION 'district "%" still has communes', OLD.code
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = 'Delete its communes or give them another district first.',
                      TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
        END IF;
        RETURN OLD;
    END IF;

    IF TG_OP = 'UPDATE' AND NEW.code <> OLD.code THEN
        UPDATE kpi.unit AS u SET parent_code = NEW.code WHERE u.parent_code = OLD.code;
    END IF;

    IF NEW.parent_code IS NOT NULL THEN
        SELECT u.level INTO parent_level FROM kpi.unit AS u WHERE u.code = NEW.parent_code;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'the district "%" of commune "%" does not exist', NEW.parent_code, NEW.code
                USING ERRCODE = 'foreign_key_violation',
                      TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
        END IF;
        IF parent_level <> 'district' THEN
            RAISE EXCEPTION 'the parent of commune "%" must be a district, and "%" is a % unit',
                    NEW.code, NEW.parent_code, parent_level
                USING ERRCODE = 'check_violation',
                      TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
        END IF;
    END IF;

    IF TG_OP = 'UPDATE' AND NEW.level <> OLD.level THEN
        IF OLD.level = 'district'
           AND EXISTS (SELECT FROM kpi.unit AS u WHERE u.parent_code = NEW.code) THEN
            RAISE EXCEPTION 'district "%" has communes and must stay a district', NEW.code
                USING ERRCODE = 'check_violation',
                      TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
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
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION kpi.check_unit() IS
    'Trigger: đơn vị cấp trên của xã là một huyện có trong bảng; không đổi cấp của đơn vị đã có số liệu; mã mới của huyện chuyển sang các xã / Trigger: the parent of a commune is an existing district; a unit with figures keeps its level; a district''s new code follows to its communes';

CREATE TRIGGER unit_check
    AFTER INSERT OR UPDATE OR DELETE ON kpi.unit
    FOR EACH ROW EXECUTE FUNCTION kpi.check_unit();

COMMENT ON TABLE kpi.unit IS
    'Cơ quan, đơn vị tiếp nhận hồ sơ: sở, ban (cấp tỉnh), UBND huyện, thị xã, thành phố (cấp huyện), UBND xã (cấp xã) / Units that receive dossiers: departments (province), district and commune people''s committees';
COMMENT ON COLUMN kpi.unit.code IS 'Mã đơn vị (chữ thường ASCII, dấu gạch nối) / Unit code (lower-case ASCII and hyphens)';
COMMENT ON COLUMN kpi.unit.name IS 'Tên chuẩn của đơn vị, không kèm dấu chú thích (*) / Canonical name, without footnote marks';
COMMENT ON COLUMN kpi.unit.level IS 'Cấp: province, district hoặc commune / Level: province, district or commune';
COMMENT ON COLUMN kpi.unit.parent_code IS 'Huyện quản lý (chỉ với đơn vị cấp xã) / The district of a commune (communes only)';
COMMENT ON COLUMN kpi.unit.sort_order IS 'Thứ tự dòng trong phụ lục của cấp / Row order in the level''s appendix';
COMMENT ON COLUMN kpi.unit.aliases IS 'Các cách viết khác của tên trong báo cáo / Other spellings of the name found in reports';

SELECT pg_catalog.pg_extension_config_dump('kpi.unit', '');

-- A figure at level L belongs to a unit at level L, except that a commune
-- level figure may name a district: the sum over that district's communes,
-- which is how the report publishes its commune appendix.
CREATE FUNCTION kpi.check_unit_level() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    unit_level text;
BEGIN
    SELECT u.level INTO unit_level FROM kpi.unit AS u WHERE u.code = NEW.unit_code;
    IF NOT FOUND THEN
        RETURN NEW;             -- the foreign key reports a missing unit
    END IF;
    IF unit_level = NEW.level OR (NEW.level = 'commune' AND unit_level = 'district') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'unit "%" is a % unit and cannot have % level figures',
            NEW.unit_code, unit_level, NEW.level
        USING ERRCODE = 'check_violation',
              DETAIL = 'Figures at a level belong to units of that level; commune level figures may also name a district, meaning the sum over its communes.',
              TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
END
$$;

COMMENT ON FUNCTION kpi.check_unit_level() IS
    'Trigger: số liệu cấp L thuộc đơn vị cấp L (cấp xã có thể ghi theo huyện) / Trigger: figures at level L belong to a unit of level L (commune figures may name a district)';
