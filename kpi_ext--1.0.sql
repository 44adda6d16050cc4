-- kpi_ext 1.0: the core.  kpi.ratio, its functions and aggregates.
\echo Use "CREATE EXTENSION kpi_ext" to load this file. \quit

-- The control file names schema kpi; CREATE EXTENSION creates it.

------------------------------------------------------------------------
-- kpi.ratio
------------------------------------------------------------------------

CREATE TYPE kpi.ratio;

CREATE FUNCTION kpi.ratio_in(cstring) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'ratio_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.ratio_out(kpi.ratio) RETURNS cstring
	AS 'MODULE_PATHNAME', 'ratio_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.ratio_recv(internal) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'ratio_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.ratio_send(kpi.ratio) RETURNS bytea
	AS 'MODULE_PATHNAME', 'ratio_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE kpi.ratio (
	INPUT = kpi.ratio_in,
	OUTPUT = kpi.ratio_out,
	RECEIVE = kpi.ratio_recv,
	SEND = kpi.ratio_send,
	INTERNALLENGTH = 16,
	ALIGNMENT = double,
	STORAGE = plain
);

COMMENT ON TYPE kpi.ratio IS
	'Exact share of two counts, numerator/denominator with 0 <= numerator <= denominator; 0/0 means nothing to count (tỷ lệ: tử số/mẫu số)';
COMMENT ON FUNCTION kpi.ratio_in(cstring) IS 'Text input of kpi.ratio: two decimal integers around one slash, such as 59/72';
COMMENT ON FUNCTION kpi.ratio_out(kpi.ratio) IS 'Text output of kpi.ratio';
COMMENT ON FUNCTION kpi.ratio_recv(internal) IS 'Binary input of kpi.ratio (two int8), validated like text input';
COMMENT ON FUNCTION kpi.ratio_send(kpi.ratio) IS 'Binary output of kpi.ratio (two int8)';

CREATE FUNCTION kpi.ratio(numerator bigint, denominator bigint) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'ratio_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio(bigint, bigint) IS
	'The ratio numerator/denominator; an error unless 0 <= numerator <= denominator';

CREATE FUNCTION kpi.numerator(kpi.ratio) RETURNS bigint
	AS 'MODULE_PATHNAME', 'ratio_numerator' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.numerator(kpi.ratio) IS 'Numerator (tử số) of a ratio';

CREATE FUNCTION kpi.denominator(kpi.ratio) RETURNS bigint
	AS 'MODULE_PATHNAME', 'ratio_denominator' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.denominator(kpi.ratio) IS 'Denominator (mẫu số) of a ratio';

CREATE FUNCTION kpi.ratio_eq(kpi.ratio, kpi.ratio) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ratio_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION kpi.ratio_eq(kpi.ratio, kpi.ratio) IS
	'True when both ratios have the same numerator and the same denominator (1/2 and 2/4 differ)';

CREATE OPERATOR kpi.= (
	LEFTARG = kpi.ratio,
	RIGHTARG = kpi.ratio,
	FUNCTION = kpi.ratio_eq,
	COMMUTATOR = OPERATOR(kpi.=),
	RESTRICT = eqsel,
	JOIN = eqjoinsel
);
COMMENT ON OPERATOR kpi.= (kpi.ratio, kpi.ratio) IS 'Same counts: equal numerators and equal denominators';

CREATE FUNCTION kpi.percent(r kpi.ratio, digits integer DEFAULT 1) RETURNS numeric
	AS 'MODULE_PATHNAME', 'ratio_percent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.percent(kpi.ratio, integer) IS
	'100 * numerator / denominator rounded half away from zero to digits decimals (0 to 16); NULL when the denominator is 0';

CREATE FUNCTION kpi.gap(r kpi.ratio, target numeric) RETURNS numeric
	AS 'MODULE_PATHNAME', 'ratio_gap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.gap(kpi.ratio, numeric) IS
	'100 * numerator / denominator - target, in percentage points, unrounded (exact to 30 decimals); NULL when the denominator is 0 or target is NULL';

CREATE FUNCTION kpi.met(r kpi.ratio, target numeric) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ratio_met' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.met(kpi.ratio, numeric) IS
	'Whether 100 * numerator >= target * denominator, exactly; NULL when the denominator is 0 or target is NULL';

CREATE FUNCTION kpi.format_vi(value numeric, digits integer DEFAULT 1, trim_zeros boolean DEFAULT false) RETURNS text
	AS 'MODULE_PATHNAME', 'kpi_format_vi' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.format_vi(numeric, integer, boolean) IS
	'Vietnamese report number: rounded half away from zero, decimal comma, dot thousands (1.234,5); - for NULL; trim_zeros drops trailing zero decimals as the report prints them (100, 81,9)';

------------------------------------------------------------------------
-- Aggregates whose state is a kpi.ratio
------------------------------------------------------------------------

CREATE FUNCTION kpi.ratio_share_trans(kpi.ratio, boolean) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'ratio_share_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_share_trans(kpi.ratio, boolean) IS 'Transition function of kpi.share';

CREATE FUNCTION kpi.ratio_sum_trans(kpi.ratio, kpi.ratio) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'ratio_sum_trans' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_sum_trans(kpi.ratio, kpi.ratio) IS
	'Pools two ratios (sums of numerators and denominators): transition function of kpi.sum, combine function of kpi.share and kpi.sum';

CREATE AGGREGATE kpi.share(boolean) (
	SFUNC = kpi.ratio_share_trans,
	STYPE = kpi.ratio,
	COMBINEFUNC = kpi.ratio_sum_trans,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.share(boolean) IS
	'Share of true among non-NULL inputs: count(*) FILTER (WHERE b) over count(b), as a kpi.ratio; NULL for no rows';

CREATE AGGREGATE kpi.sum(kpi.ratio) (
	SFUNC = kpi.ratio_sum_trans,
	STYPE = kpi.ratio,
	COMBINEFUNC = kpi.ratio_sum_trans,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.sum(kpi.ratio) IS
	'Pooled ratio: sum of numerators over sum of denominators (not the mean of rates); NULL inputs ignored';

------------------------------------------------------------------------
-- kpi.coverage: distinct keys, and of those the ones hit
------------------------------------------------------------------------

CREATE TYPE kpi.coverage_state;

CREATE FUNCTION kpi.coverage_state_in(cstring) RETURNS kpi.coverage_state
	AS 'MODULE_PATHNAME', 'coverage_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.coverage_state_out(kpi.coverage_state) RETURNS cstring
	AS 'MODULE_PATHNAME', 'coverage_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.coverage_state_recv(internal) RETURNS kpi.coverage_state
	AS 'MODULE_PATHNAME', 'coverage_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.coverage_state_send(kpi.coverage_state) RETURNS bytea
	AS 'MODULE_PATHNAME', 'coverage_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE kpi.coverage_state (
	INPUT = kpi.coverage_state_in,
	OUTPUT = kpi.coverage_state_out,
	RECEIVE = kpi.coverage_state_recv,
	SEND = kpi.coverage_state_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);
COMMENT ON TYPE kpi.coverage_state IS
	'State of kpi.coverage: the distinct keys seen, each marked + (hit) or - (not hit), such as {+1,-7} or {+"1.001612",-"2.000123"}';
COMMENT ON FUNCTION kpi.coverage_state_in(cstring) IS 'Text input of kpi.coverage_state';
COMMENT ON FUNCTION kpi.coverage_state_out(kpi.coverage_state) IS 'Text output of kpi.coverage_state, keys in sorted order';
COMMENT ON FUNCTION kpi.coverage_state_recv(internal) IS 'Binary input of kpi.coverage_state, validated like text input';
COMMENT ON FUNCTION kpi.coverage_state_send(kpi.coverage_state) IS 'Binary output of kpi.coverage_state, keys in sorted order';

CREATE FUNCTION kpi.coverage_trans(kpi.coverage_state, bigint, boolean) RETURNS kpi.coverage_state
	AS 'MODULE_PATHNAME', 'coverage_trans_int8' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.coverage_trans(kpi.coverage_state, bigint, boolean) IS 'Transition function of kpi.coverage(bigint, boolean)';

CREATE FUNCTION kpi.coverage_trans(kpi.coverage_state, text, boolean) RETURNS kpi.coverage_state
	AS 'MODULE_PATHNAME', 'coverage_trans_text' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.coverage_trans(kpi.coverage_state, text, boolean) IS 'Transition function of kpi.coverage(text, boolean)';

CREATE FUNCTION kpi.coverage_combine(kpi.coverage_state, kpi.coverage_state) RETURNS kpi.coverage_state
	AS 'MODULE_PATHNAME', 'coverage_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.coverage_combine(kpi.coverage_state, kpi.coverage_state) IS
	'Union of two coverage states (a key is hit if hit in either): combine function of kpi.coverage';

CREATE FUNCTION kpi.coverage_final(kpi.coverage_state) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'coverage_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.coverage_final(kpi.coverage_state) IS
	'Keys hit over distinct keys: final function of kpi.coverage';

CREATE AGGREGATE kpi.coverage(key bigint, hit boolean) (
	SFUNC = kpi.coverage_trans,
	STYPE = kpi.coverage_state,
	FINALFUNC = kpi.coverage_final,
	COMBINEFUNC = kpi.coverage_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.coverage(bigint, boolean) IS
	'count(DISTINCT key) FILTER (WHERE hit) over count(DISTINCT key), exactly, as a kpi.ratio; NULL keys ignored, a NULL hit counts as not hit';

CREATE AGGREGATE kpi.coverage(key text, hit boolean) (
	SFUNC = kpi.coverage_trans,
	STYPE = kpi.coverage_state,
	FINALFUNC = kpi.coverage_final,
	COMBINEFUNC = kpi.coverage_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.coverage(text, boolean) IS
	'count(DISTINCT key) FILTER (WHERE hit) over count(DISTINCT key), exactly, as a kpi.ratio; NULL keys ignored, a NULL hit counts as not hit';
-- src/sql/report.sql: the quarterly report inside the database (issue 3).
--
-- Continues src/sql/core.sql in the install script kpi_ext--1.0.sql: the
-- schema kpi and the type kpi.ratio with its functions already exist.
--
-- Contents: reference tables (indicators, units, periods, targets),
-- published and computed counts, section 1 figures and footnotes;
-- kpi.load_sample(); the views kpi.effective_count, kpi.result, the eight
-- appendix views, kpi.summary and kpi.data_issue; kpi.report_markdown().
--
-- Every name is qualified; functions run with search_path = pg_catalog,
-- pg_temp.  Tables that users edit are extension configuration tables, so
-- pg_dump keeps their rows; the only rows this script inserts itself
-- (kpi.indicator with builtin = true) are left out of the dump by a filter,
-- because CREATE EXTENSION recreates them before a restore loads the rest.

-- ---------------------------------------------------------------------------
-- Indicators
-- ---------------------------------------------------------------------------

CREATE TABLE kpi.indicator (
    code text PRIMARY KEY
        CONSTRAINT indicator_code_check CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    sort_order integer NOT NULL UNIQUE,
    name_vi text NOT NULL,
    name_en text NOT NULL,
    numerator_label_vi text NOT NULL,
    numerator_label_en text NOT NULL,
    denominator_label_vi text NOT NULL,
    denominator_label_en text NOT NULL,
    counts text NOT NULL
        CONSTRAINT indicator_counts_check CHECK (counts IN ('dossiers', 'procedures')),
    per_received boolean NOT NULL DEFAULT false,
    cumulative boolean NOT NULL DEFAULT false,
    summary_item text,
    summary_order integer UNIQUE,
    summary_title_vi text,
    builtin boolean NOT NULL DEFAULT false
);

COMMENT ON TABLE kpi.indicator IS
    'Chỉ tiêu: tên, nhãn tử số và mẫu số, đếm hồ sơ hay thủ tục / Indicators: names, numerator and denominator labels, whether they count dossiers or distinct procedures';
COMMENT ON COLUMN kpi.indicator.code IS 'Mã chỉ tiêu / Indicator code, e.g. online_dossier';
COMMENT ON COLUMN kpi.indicator.sort_order IS 'Thứ tự trong phụ lục / Order in the appendix tables';
COMMENT ON COLUMN kpi.indicator.name_vi IS 'Tên tiếng Việt / Vietnamese name';
COMMENT ON COLUMN kpi.indicator.name_en IS 'Tên tiếng Anh / English name';
COMMENT ON COLUMN kpi.indicator.numerator_label_vi IS 'Nhãn tử số (tiếng Việt) / Numerator label in Vietnamese';
COMMENT ON COLUMN kpi.indicator.numerator_label_en IS 'Nhãn tử số (tiếng Anh) / Numerator label in English';
COMMENT ON COLUMN kpi.indicator.denominator_label_vi IS 'Nhãn mẫu số (tiếng Việt) / Denominator label in Vietnamese';
COMMENT ON COLUMN kpi.indicator.denominator_label_en IS 'Nhãn mẫu số (tiếng Anh) / Denominator label in English';
COMMENT ON COLUMN kpi.indicator.counts IS 'Đếm hồ sơ (dossiers) hay thủ tục riêng biệt (procedures) / Counts dossiers or distinct procedures';
COMMENT ON COLUMN kpi.indicator.per_received IS 'Mẫu số là số hồ sơ tiếp nhận trong kỳ / The denominator is the dossiers received in the period';
COMMENT ON COLUMN kpi.indicator.cumulative IS 'Mẫu số tính lũy kế từ 01/01 / The denominator is cumulative from 1 January';
COMMENT ON COLUMN kpi.indicator.summary_item IS 'Mục trong phần 1 của báo cáo (a, b, c, d, đ, e, f) / Item letter in section 1 of the report';
COMMENT ON COLUMN kpi.indicator.summary_order IS 'Thứ tự trong phần 1 của báo cáo / Order in section 1 of the report';
COMMENT ON COLUMN kpi.indicator.summary_title_vi IS 'Tiêu đề trong phần 1 của báo cáo / Heading in section 1 of the report';
COMMENT ON COLUMN kpi.indicator.builtin IS 'Dòng do tiện ích cài đặt (không được pg_dump sao lưu) / Row installed by the extension (left out of pg_dump)';

INSERT INTO kpi.indicator (code, sort_order, name_vi, name_en,
        numerator_label_vi, numerator_label_en, denominator_label_vi, denominator_label_en,
        counts, per_received, cumulative, summary_item, summary_order, summary_title_vi, builtin)
VALUES
    ('service_uptake', 1,
     'Tỷ lệ DVC trực tuyến có phát sinh hồ sơ trực tuyến',
     'Online services with online dossiers',
     'DVCTT có phát sinh HS trực tuyến', 'online services that received an online dossier',
     'DVCTT có phát sinh HS', 'online services that received any dossier',
     'procedures', false, false, 'e', 6,
     'Tỷ lệ DVC trực tuyến có phát sinh hồ sơ trực tuyến', true),
    ('online_dossier', 2,
     'Hồ sơ trực tuyến',
     'Online dossiers',
     'HS tiếp nhận trực tuyến', 'dossiers received online',
     'Tổng số HS tiếp nhận', 'dossiers received',
     'dossiers', true, false, 'a', 1,
     'Hồ sơ dịch vụ công trực tuyến', true),
    ('payment_uptake', 3,
     'Tỷ lệ TTHC cung cấp thanh toán trực tuyến có phát sinh thanh toán trực tuyến',
     'Payment procedures with online payments',
     'TTHC có phát sinh thanh toán trực tuyến', 'procedures with at least one online payment',
     'TTHC phát sinh thanh toán', 'procedures offering online payment that had fee-bearing dossiers',
     'procedures', false, false, 'f', 7,
     'Tỷ lệ TTHC cung cấp thanh toán trực tuyến có phát sinh thanh toán trực tuyến', true),
    ('online_payment', 4,
     'Thanh toán trực tuyến',
     'Online payment',
     'HS thanh toán trực tuyến', 'fee-bearing dossiers paid online',
     'Tổng số HS có thanh toán', 'fee-bearing dossiers',
     'dossiers', false, false, 'b', 2,
     'Thanh toán trực tuyến phí, lệ phí thực hiện TTHC', true),
    ('digitization', 5,
     'Số hóa thành phần hồ sơ',
     'Digitisation of dossier components',
     'HS được số hóa thành phần', 'dossiers with digitised components',
     'Tổng số HS tiếp nhận', 'dossiers received',
     'dossiers', true, false, 'c', 3,
     'Số hóa thành phần hồ sơ', true),
    ('data_reuse', 6,
     'Khai thác, sử dụng lại thông tin số hóa',
     'Reuse of digitised data',
     'HS khai thác, sử dụng lại thông tin số hóa', 'dossiers that reused digitised data',
     'Tổng số HS tiếp nhận', 'dossiers received',
     'dossiers', true, false, 'đ', 5,
     'Khai thác sử dụng lại thông tin số hóa', true),
    ('e_result', 7,
     'Cấp kết quả điện tử',
     'Electronic results',
     'HS có kết quả điện tử', 'resolved dossiers with an electronic result',
     'Tổng số hồ sơ đã giải quyết (tính lũy kế)', 'dossiers resolved, cumulative from 1 January',
     'dossiers', false, true, 'd', 4,
     'Cấp kết quả điện tử', true);

SELECT pg_catalog.pg_extension_config_dump('kpi.indicator', 'WHERE NOT builtin');

-- ---------------------------------------------------------------------------
-- Units
-- ---------------------------------------------------------------------------

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

-- ---------------------------------------------------------------------------
-- Periods and targets
-- ---------------------------------------------------------------------------

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
        AND EXTRACT(year FROM starts) = year AND EXTRACT(year FROM ends) = year)
);

COMMENT ON TABLE kpi.period IS
    'Kỳ báo cáo (nhãn như 2024-Q1) / Reporting periods (labels like 2024-Q1)';
COMMENT ON COLUMN kpi.period.label IS 'Nhãn kỳ: 2024, 2024-Q1, 2024-H1 hoặc 2024-03 / Period label: year, quarter, half-year or month';
COMMENT ON COLUMN kpi.period.year IS 'Năm (tự tính từ nhãn) / Year (generated from the label)';
COMMENT ON COLUMN kpi.period.starts IS 'Ngày đầu kỳ / First day of the period';
COMMENT ON COLUMN kpi.period.ends IS 'Ngày cuối kỳ / Last day of the period';
COMMENT ON COLUMN kpi.period.name_vi IS 'Tên kỳ trong báo cáo, ví dụ quý I năm 2024 / Period as the report names it';
COMMENT ON COLUMN kpi.period.name_en IS 'Tên kỳ tiếng Anh / Period name in English';

SELECT pg_catalog.pg_extension_config_dump('kpi.period', '');

CREATE TABLE kpi.target (
    year integer NOT NULL
        CONSTRAINT target_year_check CHECK (year BETWEEN 2000 AND 2999),
    indicator text NOT NULL REFERENCES kpi.indicator (code) ON UPDATE CASCADE,
    central_target numeric(5,1)
        CONSTRAINT target_central_check CHECK (central_target BETWEEN 0 AND 100),
    province_floor numeric(5,1)
        CONSTRAINT target_floor_check CHECK (province_floor BETWEEN 0 AND 100),
    central_source text,
    province_source text,
    PRIMARY KEY (year, indicator),
    CONSTRAINT target_some_check CHECK (central_target IS NOT NULL OR province_floor IS NOT NULL)
);

COMMENT ON TABLE kpi.target IS
    'Chỉ tiêu theo năm: mức Trung ương quy định và mức thấp nhất UBND tỉnh giao / Targets per year: the central target and the province floor';
COMMENT ON COLUMN kpi.target.year IS 'Năm / Year';
COMMENT ON COLUMN kpi.target.indicator IS 'Mã chỉ tiêu / Indicator code';
COMMENT ON COLUMN kpi.target.central_target IS 'Chỉ tiêu Trung ương quy định (%) / Central target (percent)';
COMMENT ON COLUMN kpi.target.province_floor IS 'Mức thấp nhất UBND tỉnh giao (%), NULL nếu không quy định / Province floor (percent), NULL when not stated';
COMMENT ON COLUMN kpi.target.central_source IS 'Văn bản quy định chỉ tiêu Trung ương / Document that sets the central target';
COMMENT ON COLUMN kpi.target.province_source IS 'Văn bản của tỉnh giao chỉ tiêu / Document that sets the province floor';

SELECT pg_catalog.pg_extension_config_dump('kpi.target', '');

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

CREATE TABLE kpi.assigned_target (
    period text NOT NULL REFERENCES kpi.period (label) ON UPDATE CASCADE,
    level text NOT NULL
        CONSTRAINT assigned_target_level_check CHECK (level IN ('province', 'district', 'commune')),
    unit_code text NOT NULL REFERENCES kpi.unit (code) ON UPDATE CASCADE,
    indicator text NOT NULL REFERENCES kpi.indicator (code) ON UPDATE CASCADE,
    target numeric(5,1) NOT NULL
        CONSTRAINT assigned_target_target_check CHECK (target BETWEEN 0 AND 100),
    PRIMARY KEY (period, level, unit_code, indicator)
);

CREATE TRIGGER assigned_target_unit_level
    BEFORE INSERT OR UPDATE ON kpi.assigned_target
    FOR EACH ROW EXECUTE FUNCTION kpi.check_unit_level();

COMMENT ON TABLE kpi.assigned_target IS
    'Chỉ tiêu được giao cho từng đơn vị theo kỳ / Target assigned to each unit per period and indicator';
COMMENT ON COLUMN kpi.assigned_target.period IS 'Kỳ báo cáo / Period label';
COMMENT ON COLUMN kpi.assigned_target.level IS 'Cấp của số liệu / Level of the figures';
COMMENT ON COLUMN kpi.assigned_target.unit_code IS 'Mã đơn vị / Unit code';
COMMENT ON COLUMN kpi.assigned_target.indicator IS 'Mã chỉ tiêu / Indicator code';
COMMENT ON COLUMN kpi.assigned_target.target IS 'Chỉ tiêu được giao (%) / Assigned target (percent)';

SELECT pg_catalog.pg_extension_config_dump('kpi.assigned_target', '');

-- ---------------------------------------------------------------------------
-- Counts, section 1 figures, footnotes
-- ---------------------------------------------------------------------------

CREATE TABLE kpi.indicator_count (
    period text NOT NULL REFERENCES kpi.period (label) ON UPDATE CASCADE,
    level text NOT NULL
        CONSTRAINT indicator_count_level_check CHECK (level IN ('province', 'district', 'commune')),
    unit_code text NOT NULL REFERENCES kpi.unit (code) ON UPDATE CASCADE,
    indicator text NOT NULL REFERENCES kpi.indicator (code) ON UPDATE CASCADE,
    source text NOT NULL DEFAULT 'published'
        CONSTRAINT indicator_count_source_check CHECK (source IN ('published', 'computed')),
    applicable boolean NOT NULL DEFAULT true,
    numerator bigint
        CONSTRAINT indicator_count_numerator_check CHECK (numerator >= 0),
    denominator bigint
        CONSTRAINT indicator_count_denominator_check CHECK (denominator >= 0),
    printed_rate numeric(5,1)
        CONSTRAINT indicator_count_printed_rate_check CHECK (printed_rate BETWEEN 0 AND 100),
    PRIMARY KEY (period, level, unit_code, indicator, source),
    CONSTRAINT indicator_count_not_applicable_check CHECK (applicable
        OR (numerator IS NULL AND denominator IS NULL AND printed_rate IS NULL)),
    CONSTRAINT indicator_count_value_check CHECK (NOT applicable
        OR numerator IS NOT NULL OR printed_rate IS NOT NULL),
    CONSTRAINT indicator_count_denominator_alone_check CHECK (denominator IS NULL
        OR numerator IS NOT NULL),
    CONSTRAINT indicator_count_computed_check CHECK (source = 'published'
        OR printed_rate IS NULL)
);

CREATE TRIGGER indicator_count_unit_level
    BEFORE INSERT OR UPDATE ON kpi.indicator_count
    FOR EACH ROW EXECUTE FUNCTION kpi.check_unit_level();

COMMENT ON TABLE kpi.indicator_count IS
    'Tử số, mẫu số và tỷ lệ theo báo cáo của từng đơn vị, chỉ tiêu, kỳ; nguồn published (công bố) hoặc computed (tính từ hồ sơ) / Numerator, denominator and printed rate per period, level, unit and indicator; source published (from a report) or computed (from dossiers)';
COMMENT ON COLUMN kpi.indicator_count.period IS 'Kỳ báo cáo / Period label';
COMMENT ON COLUMN kpi.indicator_count.level IS 'Cấp của số liệu; cấp xã ghi theo huyện là tổng các xã của huyện / Level of the figures; a commune level row for a district is the sum over its communes';
COMMENT ON COLUMN kpi.indicator_count.unit_code IS 'Mã đơn vị / Unit code';
COMMENT ON COLUMN kpi.indicator_count.indicator IS 'Mã chỉ tiêu / Indicator code';
COMMENT ON COLUMN kpi.indicator_count.source IS 'Nguồn: published (báo cáo công bố) hoặc computed (tính từ hồ sơ) / Source: published (a report) or computed (from dossiers)';
COMMENT ON COLUMN kpi.indicator_count.applicable IS 'false khi báo cáo ghi ''-'' (không áp dụng) / false where the report prints ''-'' (not applicable)';
COMMENT ON COLUMN kpi.indicator_count.numerator IS 'Tử số / Numerator';
COMMENT ON COLUMN kpi.indicator_count.denominator IS 'Mẫu số, NULL nếu báo cáo không công bố / Denominator, NULL where the report does not publish it';
COMMENT ON COLUMN kpi.indicator_count.printed_rate IS 'Tỷ lệ (%) in trong báo cáo / Rate (percent) as printed in the report';

SELECT pg_catalog.pg_extension_config_dump('kpi.indicator_count', '');

CREATE TABLE kpi.printed_summary (
    period text NOT NULL REFERENCES kpi.period (label) ON UPDATE CASCADE,
    indicator text NOT NULL REFERENCES kpi.indicator (code) ON UPDATE CASCADE,
    level text NOT NULL
        CONSTRAINT printed_summary_level_check CHECK (level IN ('province', 'district', 'commune', 'all')),
    printed_pct numeric(5,1) NOT NULL
        CONSTRAINT printed_summary_pct_check CHECK (printed_pct BETWEEN 0 AND 100),
    PRIMARY KEY (period, indicator, level)
);

COMMENT ON TABLE kpi.printed_summary IS
    'Tỷ lệ bình quân theo cấp và cả tỉnh in ở phần 1 của báo cáo / Level and province averages as printed in section 1 of the report';
COMMENT ON COLUMN kpi.printed_summary.period IS 'Kỳ báo cáo / Period label';
COMMENT ON COLUMN kpi.printed_summary.indicator IS 'Mã chỉ tiêu / Indicator code';
COMMENT ON COLUMN kpi.printed_summary.level IS 'Cấp: province, district, commune hoặc all (cả tỉnh) / Level, or all for the whole province';
COMMENT ON COLUMN kpi.printed_summary.printed_pct IS 'Tỷ lệ (%) in trong báo cáo / Rate (percent) as printed';

SELECT pg_catalog.pg_extension_config_dump('kpi.printed_summary', '');

CREATE TABLE kpi.note (
    period text NOT NULL REFERENCES kpi.period (label) ON UPDATE CASCADE,
    level text NOT NULL
        CONSTRAINT note_level_check CHECK (level IN ('province', 'district', 'commune')),
    unit_code text NOT NULL REFERENCES kpi.unit (code) ON UPDATE CASCADE,
    mark text NOT NULL
        CONSTRAINT note_mark_check CHECK (mark ~ '^\(\*+\)$'),
    applies_to text NOT NULL
        CONSTRAINT note_applies_to_check CHECK (applies_to IN ('online', 'digital')),
    text text NOT NULL,
    PRIMARY KEY (period, level, unit_code, applies_to, mark)
);

CREATE TRIGGER note_unit_level
    BEFORE INSERT OR UPDATE ON kpi.note
    FOR EACH ROW EXECUTE FUNCTION kpi.check_unit_level();

COMMENT ON TABLE kpi.note IS
    'Ghi chú (*), (**) dưới bảng phụ lục, gắn với số liệu của đơn vị / Footnotes (*), (**) under an appendix table, attached to a unit''s figures';
COMMENT ON COLUMN kpi.note.period IS 'Kỳ báo cáo / Period label';
COMMENT ON COLUMN kpi.note.level IS 'Cấp của bảng phụ lục / Level of the appendix table';
COMMENT ON COLUMN kpi.note.unit_code IS 'Mã đơn vị mang dấu chú thích / Unit that carries the mark';
COMMENT ON COLUMN kpi.note.mark IS 'Dấu chú thích: (*), (**) / Footnote mark';
COMMENT ON COLUMN kpi.note.applies_to IS 'Bảng: online (bảng 1) hoặc digital (bảng 2) / Table: online (first) or digital (second)';
COMMENT ON COLUMN kpi.note.text IS 'Nội dung ghi chú như in / Footnote text as printed';

SELECT pg_catalog.pg_extension_config_dump('kpi.note', '');

-- ---------------------------------------------------------------------------
-- Sample data: the Bình Định quarter I/2024 report
-- ---------------------------------------------------------------------------

CREATE FUNCTION kpi.load_sample() RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n integer;
    total integer := 0;
BEGIN
    INSERT INTO kpi.period (label, starts, ends, name_vi, name_en)
    VALUES ('2024-Q1', DATE '2024-01-01', DATE '2024-03-31', 'quý I năm 2024', 'first quarter of 2024')
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;

    INSERT INTO kpi.unit (code, name, level, parent_code, sort_order, aliases)
    SELECT v.code, v.name, v.level, v.parent_code, v.sort_order, v.aliases::text[]
    FROM (VALUES
            ('ban-quan-ly-kkt', 'Ban Quản lý Khu kinh tế tỉnh', 'province', NULL, 1, '{"Ban Quản lý KKT tỉnh"}'),
            ('so-cong-thuong', 'Sở Công Thương', 'province', NULL, 2, '{}'),
            ('so-du-lich', 'Sở Du lịch', 'province', NULL, 3, '{}'),
            ('so-giao-duc-dao-tao', 'Sở Giáo dục và Đào tạo', 'province', NULL, 4, '{}'),
            ('so-giao-thong-van-tai', 'Sở Giao thông vận tải', 'province', NULL, 5, '{}'),
            ('so-ke-hoach-dau-tu', 'Sở Kế hoạch và Đầu tư', 'province', NULL, 6, '{"Sở Kế hoạch và ĐT"}'),
            ('so-khoa-hoc-cong-nghe', 'Sở Khoa học và Công nghệ', 'province', NULL, 7, '{"Sở Khoa học và CN"}'),
            ('so-lao-dong-tbxh', 'Sở Lao động – TB&XH', 'province', NULL, 8, '{}'),
            ('so-ngoai-vu', 'Sở Ngoại vụ', 'province', NULL, 9, '{}'),
            ('so-noi-vu', 'Sở Nội vụ', 'province', NULL, 10, '{}'),
            ('so-nong-nghiep-ptnt', 'Sở Nông nghiệp và PTNT', 'province', NULL, 11, '{}'),
            ('so-tai-chinh', 'Sở Tài chính', 'province', NULL, 12, '{}'),
            ('so-tai-nguyen-moi-truong', 'Sở Tài nguyên và Môi trường', 'province', NULL, 13, '{"Sở Tài nguyên và MT"}'),
            ('so-thong-tin-truyen-thong', 'Sở Thông tin và Truyền thông', 'province', NULL, 14, '{"Sở Thông tin và TT"}'),
            ('so-tu-phap', 'Sở Tư pháp', 'province', NULL, 15, '{}'),
            ('so-van-hoa-the-thao', 'Sở Văn hóa và Thể thao', 'province', NULL, 16, '{}'),
            ('so-xay-dung', 'Sở Xây dựng', 'province', NULL, 17, '{}'),
            ('so-y-te', 'Sở Y tế', 'province', NULL, 18, '{}'),
            ('huyen-an-lao', 'UBND huyện An Lão', 'district', NULL, 1, '{"UBND Huyện An Lão"}'),
            ('huyen-hoai-an', 'UBND huyện Hoài Ân', 'district', NULL, 2, '{"UBND Huyện Hoài Ân"}'),
            ('huyen-phu-cat', 'UBND huyện Phù Cát', 'district', NULL, 3, '{"UBND Huyện Phù Cát"}'),
            ('huyen-phu-my', 'UBND huyện Phù Mỹ', 'district', NULL, 4, '{"UBND Huyện Phù Mỹ"}'),
            ('huyen-tay-son', 'UBND huyện Tây Sơn', 'district', NULL, 5, '{"UBND Huyện Tây Sơn"}'),
            ('huyen-tuy-phuoc', 'UBND huyện Tuy Phước', 'district', NULL, 6, '{"UBND Huyện Tuy Phước"}'),
            ('huyen-van-canh', 'UBND huyện Vân Canh', 'district', NULL, 7, '{"UBND Huyện Vân Canh"}'),
            ('huyen-vinh-thanh', 'UBND huyện Vĩnh Thạnh', 'district', NULL, 8, '{"UBND Huyện Vĩnh Thạnh"}'),
            ('tp-quy-nhon', 'UBND TP. Quy Nhơn', 'district', NULL, 9, '{"UBND TP.Quy Nhơn"}'),
            ('tx-an-nhon', 'UBND Thị xã An Nhơn', 'district', NULL, 10, '{}'),
            ('tx-hoai-nhon', 'UBND Thị xã Hoài Nhơn', 'district', NULL, 11, '{}')
        ) AS v (code, name, level, parent_code, sort_order, aliases)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;

    INSERT INTO kpi.target (year, indicator, central_target, province_floor, central_source, province_source)
    SELECT 2024, v.indicator, v.central_target, v.province_floor, v.central_source,
           CASE WHEN v.province_floor IS NOT NULL
                THEN 'Quyết định số 235/QĐ-UBND ngày 18/01/2024 của Chủ tịch UBND tỉnh Bình Định' END
    FROM (VALUES
            ('service_uptake', 100, NULL, 'Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ'),
            ('online_dossier', 50, 60, 'Nghị quyết số 02/NQ-CP ngày 05/01/2024 của Chính phủ'),
            ('payment_uptake', 100, NULL, 'Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ'),
            ('online_payment', 45, 55, 'Nghị quyết số 02/NQ-CP ngày 05/01/2024 của Chính phủ'),
            ('digitization', 80, 90, 'Nghị quyết số 02/NQ-CP ngày 05/01/2024 của Chính phủ'),
            ('data_reuse', 50, 60, 'Nghị quyết số 02/NQ-CP ngày 05/01/2024 của Chính phủ'),
            ('e_result', 100, NULL, 'Nghị quyết số 02/NQ-CP ngày 05/01/2024 của Chính phủ')
        ) AS v (indicator, central_target, province_floor, central_source)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;

    -- One row per level, unit and indicator of the six appendix tables:
    -- the assigned target goes to kpi.assigned_target, the rest to
    -- kpi.indicator_count.  Empty (NULL) target, numerator, denominator and
    -- rate: not applicable.
    WITH sample (level, unit_code, indicator, target, numerator, denominator, printed_rate) AS (
        SELECT v.level::text, v.unit_code::text, v.indicator::text, v.target::numeric,
               v.numerator::bigint, v.denominator::bigint, v.printed_rate::numeric
        FROM (VALUES
            ('province', 'ban-quan-ly-kkt', 'service_uptake', 100, 13, 13, 100),
            ('province', 'ban-quan-ly-kkt', 'online_dossier', 61, 59, 72, 81.9),
            ('province', 'ban-quan-ly-kkt', 'payment_uptake', 100, 6, 10, 60),
            ('province', 'ban-quan-ly-kkt', 'online_payment', 56, 25, 43, 58.1),
            ('province', 'ban-quan-ly-kkt', 'digitization', 89, 72, 72, 100),
            ('province', 'ban-quan-ly-kkt', 'data_reuse', 60, 10, 72, 13.9),
            ('province', 'ban-quan-ly-kkt', 'e_result', 100, 63, 65, 96.9),
            ('province', 'so-cong-thuong', 'service_uptake', 100, 20, 20, 100),
            ('province', 'so-cong-thuong', 'online_dossier', 99, 8420, 8420, 100),
            ('province', 'so-cong-thuong', 'payment_uptake', 100, 9, 9, 100),
            ('province', 'so-cong-thuong', 'online_payment', 55, 42, 58, 72.4),
            ('province', 'so-cong-thuong', 'digitization', 100, 8420, 8420, 100),
            ('province', 'so-cong-thuong', 'data_reuse', 60, 187, 8420, 2.2),
            ('province', 'so-cong-thuong', 'e_result', 100, 99, 100, 99),
            ('province', 'so-du-lich', 'service_uptake', 100, 8, 8, 100),
            ('province', 'so-du-lich', 'online_dossier', 98, 63, 63, 100),
            ('province', 'so-du-lich', 'payment_uptake', 100, 7, 7, 100),
            ('province', 'so-du-lich', 'online_payment', 86, 57, 57, 100),
            ('province', 'so-du-lich', 'digitization', 98, 63, 63, 100),
            ('province', 'so-du-lich', 'data_reuse', 60, 5, 63, 7.9),
            ('province', 'so-du-lich', 'e_result', 100, 63, 63, 100),
            ('province', 'so-giao-duc-dao-tao', 'service_uptake', 100, 13, 13, 100),
            ('province', 'so-giao-duc-dao-tao', 'online_dossier', 98, 254, 254, 100),
            ('province', 'so-giao-duc-dao-tao', 'payment_uptake', NULL, NULL, NULL, NULL),
            ('province', 'so-giao-duc-dao-tao', 'online_payment', NULL, NULL, NULL, NULL),
            ('province', 'so-giao-duc-dao-tao', 'digitization', 98, 254, 254, 100),
            ('province', 'so-giao-duc-dao-tao', 'data_reuse', 60, 1, 254, 0.4),
            ('province', 'so-giao-duc-dao-tao', 'e_result', 100, 246, 251, 98),
            ('province', 'so-giao-thong-van-tai', 'service_uptake', 100, 20, 20, 100),
            ('province', 'so-giao-thong-van-tai', 'online_dossier', 60, 5052, 5074, 99.6),
            ('province', 'so-giao-thong-van-tai', 'payment_uptake', 100, 9, 12, 75),
            ('province', 'so-giao-thong-van-tai', 'online_payment', 55, 4248, 4912, 86.5),
            ('province', 'so-giao-thong-van-tai', 'digitization', 90, 5052, 5074, 99.6),
            ('province', 'so-giao-thong-van-tai', 'data_reuse', 60, 4081, 5074, 80.4),
            ('province', 'so-giao-thong-van-tai', 'e_result', 100, 4882, 5161, 94.6),
            ('province', 'so-ke-hoach-dau-tu', 'service_uptake', 100, 7, 7, 100),
            ('province', 'so-ke-hoach-dau-tu', 'online_dossier', 60, 58, 61, 95.1),
            ('province', 'so-ke-hoach-dau-tu', 'payment_uptake', 100, 1, 1, 100),
            ('province', 'so-ke-hoach-dau-tu', 'online_payment', 55, 7, 7, 100),
            ('province', 'so-ke-hoach-dau-tu', 'digitization', 90, 58, 61, 95.1),
            ('province', 'so-ke-hoach-dau-tu', 'data_reuse', 60, 2, 61, 3.3),
            ('province', 'so-ke-hoach-dau-tu', 'e_result', 100, 57, 80, 71.3),
            ('province', 'so-khoa-hoc-cong-nghe', 'service_uptake', 100, 7, 7, 100),
            ('province', 'so-khoa-hoc-cong-nghe', 'online_dossier', 91, 41, 41, 100),
            ('province', 'so-khoa-hoc-cong-nghe', 'payment_uptake', 100, 3, 3, 100),
            ('province', 'so-khoa-hoc-cong-nghe', 'online_payment', 55, 28, 29, 96.6),
            ('province', 'so-khoa-hoc-cong-nghe', 'digitization', 93, 41, 41, 100),
            ('province', 'so-khoa-hoc-cong-nghe', 'data_reuse', 60, 3, 41, 7.3),
            ('province', 'so-khoa-hoc-cong-nghe', 'e_result', 100, 38, 41, 92.7),
            ('province', 'so-lao-dong-tbxh', 'service_uptake', 100, 11, 11, 100),
            ('province', 'so-lao-dong-tbxh', 'online_dossier', 60, 119, 165, 72.1),
            ('province', 'so-lao-dong-tbxh', 'payment_uptake', 100, 4, 4, 100),
            ('province', 'so-lao-dong-tbxh', 'online_payment', 55, 56, 57, 98.2),
            ('province', 'so-lao-dong-tbxh', 'digitization', 90, 165, 165, 100),
            ('province', 'so-lao-dong-tbxh', 'data_reuse', 60, 24, 165, 14.5),
            ('province', 'so-lao-dong-tbxh', 'e_result', 100, 169, 169, 100),
            ('province', 'so-ngoai-vu', 'service_uptake', 100, 3, 3, 100),
            ('province', 'so-ngoai-vu', 'online_dossier', 100, 13, 13, 100),
            ('province', 'so-ngoai-vu', 'payment_uptake', NULL, NULL, NULL, NULL),
            ('province', 'so-ngoai-vu', 'online_payment', NULL, NULL, NULL, NULL),
            ('province', 'so-ngoai-vu', 'digitization', 100, 13, 13, 100),
            ('province', 'so-ngoai-vu', 'data_reuse', NULL, NULL, NULL, NULL),
            ('province', 'so-ngoai-vu', 'e_result', 100, 10, 10, 100),
            ('province', 'so-noi-vu', 'service_uptake', 100, 19, 19, 100),
            ('province', 'so-noi-vu', 'online_dossier', 96, 175, 175, 100),
            ('province', 'so-noi-vu', 'payment_uptake', NULL, NULL, NULL, NULL),
            ('province', 'so-noi-vu', 'online_payment', NULL, NULL, NULL, NULL),
            ('province', 'so-noi-vu', 'digitization', 97, 175, 175, 100),
            ('province', 'so-noi-vu', 'data_reuse', NULL, NULL, NULL, NULL),
            ('province', 'so-noi-vu', 'e_result', 100, 338, 340, 99.4),
            ('province', 'so-nong-nghiep-ptnt', 'service_uptake', 100, 31, 31, 100),
            ('province', 'so-nong-nghiep-ptnt', 'online_dossier', 60, 1816, 1822, 99.7),
            ('province', 'so-nong-nghiep-ptnt', 'payment_uptake', 100, 13, 15, 86.7),
            ('province', 'so-nong-nghiep-ptnt', 'online_payment', 57, 1255, 1288, 97.4),
            ('province', 'so-nong-nghiep-ptnt', 'digitization', 90, 1822, 1822, 100),
            ('province', 'so-nong-nghiep-ptnt', 'data_reuse', 60, 78, 1822, 4.3),
            ('province', 'so-nong-nghiep-ptnt', 'e_result', 100, 1760, 1828, 96.3),
            ('province', 'so-tai-chinh', 'service_uptake', 100, 2, 2, 100),
            ('province', 'so-tai-chinh', 'online_dossier', 100, 15, 15, 100),
            ('province', 'so-tai-chinh', 'payment_uptake', NULL, NULL, NULL, NULL),
            ('province', 'so-tai-chinh', 'online_payment', NULL, NULL, NULL, NULL),
            ('province', 'so-tai-chinh', 'digitization', 100, 15, 15, 100),
            ('province', 'so-tai-chinh', 'data_reuse', NULL, NULL, NULL, NULL),
            ('province', 'so-tai-chinh', 'e_result', 100, 15, 15, 100),
            ('province', 'so-tai-nguyen-moi-truong', 'service_uptake', 100, 24, 30, 80),
            ('province', 'so-tai-nguyen-moi-truong', 'online_dossier', 60, 550, 806, 68.2),
            ('province', 'so-tai-nguyen-moi-truong', 'payment_uptake', 100, 19, 21, 90.5),
            ('province', 'so-tai-nguyen-moi-truong', 'online_payment', 55, 552, 704, 78.4),
            ('province', 'so-tai-nguyen-moi-truong', 'digitization', 87, 796, 806, 98.8),
            ('province', 'so-tai-nguyen-moi-truong', 'data_reuse', 60, 29, 806, 3.6),
            ('province', 'so-tai-nguyen-moi-truong', 'e_result', 100, 1202, 1248, 96.3),
            ('province', 'so-thong-tin-truyen-thong', 'service_uptake', 100, 8, 8, 100),
            ('province', 'so-thong-tin-truyen-thong', 'online_dossier', 100, 25, 25, 100),
            ('province', 'so-thong-tin-truyen-thong', 'payment_uptake', 100, 1, 1, 100),
            ('province', 'so-thong-tin-truyen-thong', 'online_payment', 94, 3, 5, 60),
            ('province', 'so-thong-tin-truyen-thong', 'digitization', 100, 25, 25, 100),
            ('province', 'so-thong-tin-truyen-thong', 'data_reuse', 60, 2, 25, 8),
            ('province', 'so-thong-tin-truyen-thong', 'e_result', 100, 25, 25, 100),
            ('province', 'so-tu-phap', 'service_uptake', 100, 13, 13, 100),
            ('province', 'so-tu-phap', 'online_dossier', 100, 2850, 2864, 99.5),
            ('province', 'so-tu-phap', 'payment_uptake', 100, 9, 12, 75),
            ('province', 'so-tu-phap', 'online_payment', 59, 2787, 2853, 97.7),
            ('province', 'so-tu-phap', 'digitization', 100, 2864, 2864, 100),
            ('province', 'so-tu-phap', 'data_reuse', 60, 410, 2864, 14.3),
            ('province', 'so-tu-phap', 'e_result', 100, 2560, 2560, 100),
            ('province', 'so-van-hoa-the-thao', 'service_uptake', 100, 7, 7, 100),
            ('province', 'so-van-hoa-the-thao', 'online_dossier', 100, 83, 83, 100),
            ('province', 'so-van-hoa-the-thao', 'payment_uptake', 100, 2, 2, 100),
            ('province', 'so-van-hoa-the-thao', 'online_payment', 55, 11, 15, 73.3),
            ('province', 'so-van-hoa-the-thao', 'digitization', 100, 83, 83, 100),
            ('province', 'so-van-hoa-the-thao', 'data_reuse', 60, 2, 83, 2.4),
            ('province', 'so-van-hoa-the-thao', 'e_result', 100, 79, 79, 100),
            ('province', 'so-xay-dung', 'service_uptake', 100, 25, 25, 100),
            ('province', 'so-xay-dung', 'online_dossier', 60, 427, 427, 100),
            ('province', 'so-xay-dung', 'payment_uptake', 100, 17, 21, 81),
            ('province', 'so-xay-dung', 'online_payment', 55, 235, 363, 64.7),
            ('province', 'so-xay-dung', 'digitization', 93, 427, 427, 100),
            ('province', 'so-xay-dung', 'data_reuse', 60, 18, 427, 4.2),
            ('province', 'so-xay-dung', 'e_result', 100, 444, 446, 99.6),
            ('province', 'so-y-te', 'service_uptake', 100, 29, 29, 100),
            ('province', 'so-y-te', 'online_dossier', 65, 442, 444, 99.5),
            ('province', 'so-y-te', 'payment_uptake', 100, 17, 17, 100),
            ('province', 'so-y-te', 'online_payment', 84, 344, 352, 97.7),
            ('province', 'so-y-te', 'digitization', 98, 444, 444, 100),
            ('province', 'so-y-te', 'data_reuse', 60, 105, 444, 23.6),
            ('province', 'so-y-te', 'e_result', 100, 417, 418, 99.8),
            ('district', 'huyen-an-lao', 'service_uptake', 100, 33, 35, 94.3),
            ('district', 'huyen-an-lao', 'online_dossier', 60, 1351, 1407, 96),
            ('district', 'huyen-an-lao', 'payment_uptake', 100, 19, 24, 79.2),
            ('district', 'huyen-an-lao', 'online_payment', 55, 615, 1311, 46.9),
            ('district', 'huyen-an-lao', 'digitization', 90, 1405, 1407, 99.9),
            ('district', 'huyen-an-lao', 'data_reuse', 60, 70, NULL, 6.7),
            ('district', 'huyen-an-lao', 'e_result', 100, 1514, 1699, 89.1),
            ('district', 'huyen-hoai-an', 'service_uptake', 100, 35, 36, 97.2),
            ('district', 'huyen-hoai-an', 'online_dossier', 60, 1012, 1049, 96.5),
            ('district', 'huyen-hoai-an', 'payment_uptake', 100, 18, 25, 72),
            ('district', 'huyen-hoai-an', 'online_payment', 55, 601, 929, 64.7),
            ('district', 'huyen-hoai-an', 'digitization', 90, 1017, 1049, 96.9),
            ('district', 'huyen-hoai-an', 'data_reuse', 60, 2, NULL, 0.2),
            ('district', 'huyen-hoai-an', 'e_result', 100, 1253, 1340, 93.5),
            ('district', 'huyen-phu-cat', 'service_uptake', 100, 47, 50, 94),
            ('district', 'huyen-phu-cat', 'online_dossier', 60, 3553, 3684, 96.4),
            ('district', 'huyen-phu-cat', 'payment_uptake', 100, 22, 30, 73.3),
            ('district', 'huyen-phu-cat', 'online_payment', 63, 2402, 3181, 75.5),
            ('district', 'huyen-phu-cat', 'digitization', 90, 3672, 3684, 99.7),
            ('district', 'huyen-phu-cat', 'data_reuse', 60, 152, NULL, 4.1),
            ('district', 'huyen-phu-cat', 'e_result', 100, 3419, 3692, 92.6),
            ('district', 'huyen-phu-my', 'service_uptake', 100, 35, 36, 97.2),
            ('district', 'huyen-phu-my', 'online_dossier', 60, 2651, 2882, 92),
            ('district', 'huyen-phu-my', 'payment_uptake', 100, 16, 24, 66.7),
            ('district', 'huyen-phu-my', 'online_payment', 63, 1744, 2521, 69.2),
            ('district', 'huyen-phu-my', 'digitization', 90, 2864, 2882, 99.4),
            ('district', 'huyen-phu-my', 'data_reuse', 60, 11, NULL, 0.4),
            ('district', 'huyen-phu-my', 'e_result', 100, 2355, 2937, 80.2),
            ('district', 'huyen-tay-son', 'service_uptake', 100, 33, 33, 100),
            ('district', 'huyen-tay-son', 'online_dossier', 60, 3243, 3243, 100),
            ('district', 'huyen-tay-son', 'payment_uptake', 100, 21, 23, 91.3),
            ('district', 'huyen-tay-son', 'online_payment', 55, 2157, 3070, 70.3),
            ('district', 'huyen-tay-son', 'digitization', 90, 3243, 3243, 100),
            ('district', 'huyen-tay-son', 'data_reuse', 60, 20, NULL, 0.6),
            ('district', 'huyen-tay-son', 'e_result', 100, 3544, 3701, 95.8),
            ('district', 'huyen-tuy-phuoc', 'service_uptake', 100, 47, 47, 100),
            ('district', 'huyen-tuy-phuoc', 'online_dossier', 60, 3765, 3766, 100),
            ('district', 'huyen-tuy-phuoc', 'payment_uptake', 100, 18, 32, 56.3),
            ('district', 'huyen-tuy-phuoc', 'online_payment', 55, 1844, 3413, 54),
            ('district', 'huyen-tuy-phuoc', 'digitization', 90, 3766, 3766, 100),
            ('district', 'huyen-tuy-phuoc', 'data_reuse', 60, 54, NULL, 1.5),
            ('district', 'huyen-tuy-phuoc', 'e_result', 100, 2981, 3517, 84.8),
            ('district', 'huyen-van-canh', 'service_uptake', 100, 42, 43, 97.7),
            ('district', 'huyen-van-canh', 'online_dossier', 60, 587, 616, 95.3),
            ('district', 'huyen-van-canh', 'payment_uptake', 100, 18, 27, 66.7),
            ('district', 'huyen-van-canh', 'online_payment', 73, 402, 515, 78.1),
            ('district', 'huyen-van-canh', 'digitization', 90, 602, 616, 97.7),
            ('district', 'huyen-van-canh', 'data_reuse', 60, 47, NULL, 8),
            ('district', 'huyen-van-canh', 'e_result', 100, 618, 748, 82.6),
            ('district', 'huyen-vinh-thanh', 'service_uptake', 100, 30, 30, 100),
            ('district', 'huyen-vinh-thanh', 'online_dossier', 60, 571, 576, 99.1),
            ('district', 'huyen-vinh-thanh', 'payment_uptake', 100, 17, 17, 100),
            ('district', 'huyen-vinh-thanh', 'online_payment', 55, 254, 411, 61.8),
            ('district', 'huyen-vinh-thanh', 'digitization', 90, 575, 576, 99.8),
            ('district', 'huyen-vinh-thanh', 'data_reuse', 60, 264, NULL, 51.3),
            ('district', 'huyen-vinh-thanh', 'e_result', 100, 634, 682, 93),
            ('district', 'tp-quy-nhon', 'service_uptake', 100, 64, 64, 100),
            ('district', 'tp-quy-nhon', 'online_dossier', 60, 6354, 6692, 94.9),
            ('district', 'tp-quy-nhon', 'payment_uptake', 100, 35, 43, 81.4),
            ('district', 'tp-quy-nhon', 'online_payment', 68, 4946, 6070, 81.5),
            ('district', 'tp-quy-nhon', 'digitization', 90, 6687, 6692, 99.9),
            ('district', 'tp-quy-nhon', 'data_reuse', 60, 912, NULL, 14.1),
            ('district', 'tp-quy-nhon', 'e_result', 100, 6542, 6660, 98.2),
            ('district', 'tx-an-nhon', 'service_uptake', 100, 55, 55, 100),
            ('district', 'tx-an-nhon', 'online_dossier', 60, 4335, 4670, 92.8),
            ('district', 'tx-an-nhon', 'payment_uptake', 100, 31, 38, 81.6),
            ('district', 'tx-an-nhon', 'online_payment', 79, 3244, 3963, 81.9),
            ('district', 'tx-an-nhon', 'digitization', 90, 4668, 4670, 100),
            ('district', 'tx-an-nhon', 'data_reuse', 60, 1445, NULL, 32),
            ('district', 'tx-an-nhon', 'e_result', 100, 4774, 4873, 98),
            ('district', 'tx-hoai-nhon', 'service_uptake', 100, 54, 54, 100),
            ('district', 'tx-hoai-nhon', 'online_dossier', 60, 6459, 6559, 98.5),
            ('district', 'tx-hoai-nhon', 'payment_uptake', 100, 27, 37, 73),
            ('district', 'tx-hoai-nhon', 'online_payment', 70, 4030, 5509, 73.2),
            ('district', 'tx-hoai-nhon', 'digitization', 90, 6558, 6559, 100),
            ('district', 'tx-hoai-nhon', 'data_reuse', 60, 2688, NULL, 41),
            ('district', 'tx-hoai-nhon', 'e_result', 100, 6729, 6772, 99.4),
            ('commune', 'huyen-an-lao', 'service_uptake', 100, 17, 17, 100),
            ('commune', 'huyen-an-lao', 'online_dossier', 60, 2128, 2499, 85.2),
            ('commune', 'huyen-an-lao', 'payment_uptake', 100, 32, 39, 82.1),
            ('commune', 'huyen-an-lao', 'online_payment', 55, 1993, 2277, 87.5),
            ('commune', 'huyen-an-lao', 'digitization', 90, 2262, 2499, 90.5),
            ('commune', 'huyen-an-lao', 'data_reuse', 60, 124, NULL, 15.8),
            ('commune', 'huyen-an-lao', 'e_result', 100, 2444, 2506, 97.5),
            ('commune', 'huyen-hoai-an', 'service_uptake', 100, 20, 24, 83.3),
            ('commune', 'huyen-hoai-an', 'online_dossier', 60, 2257, 2788, 81),
            ('commune', 'huyen-hoai-an', 'payment_uptake', 100, 33, 45, 73.3),
            ('commune', 'huyen-hoai-an', 'online_payment', 55, 1949, 2191, 89),
            ('commune', 'huyen-hoai-an', 'digitization', 90, 2659, 2788, 95.4),
            ('commune', 'huyen-hoai-an', 'data_reuse', 60, 655, NULL, 41.4),
            ('commune', 'huyen-hoai-an', 'e_result', 100, 2636, 2768, 95.2),
            ('commune', 'huyen-phu-cat', 'service_uptake', 100, 27, 30, 90),
            ('commune', 'huyen-phu-cat', 'online_dossier', 60, 6349, 7740, 82),
            ('commune', 'huyen-phu-cat', 'payment_uptake', 100, 39, 49, 79.6),
            ('commune', 'huyen-phu-cat', 'online_payment', 55, 6407, 6549, 97.8),
            ('commune', 'huyen-phu-cat', 'digitization', 90, 7375, 7740, 95.3),
            ('commune', 'huyen-phu-cat', 'data_reuse', 60, 1434, NULL, 36.1),
            ('commune', 'huyen-phu-cat', 'e_result', 100, 7374, 7732, 95.4),
            ('commune', 'huyen-phu-my', 'service_uptake', 100, 24, 25, 96),
            ('commune', 'huyen-phu-my', 'online_dossier', 60, 4818, 5118, 94.1),
            ('commune', 'huyen-phu-my', 'payment_uptake', 100, 28, 40, 70),
            ('commune', 'huyen-phu-my', 'online_payment', 55, 3798, 3874, 98),
            ('commune', 'huyen-phu-my', 'digitization', 90, 4836, 5118, 94.5),
            ('commune', 'huyen-phu-my', 'data_reuse', 60, 1520, NULL, 55.5),
            ('commune', 'huyen-phu-my', 'e_result', 100, 4856, 5019, 96.8),
            ('commune', 'huyen-tay-son', 'service_uptake', 100, 22, 23, 95.7),
            ('commune', 'huyen-tay-son', 'online_dossier', 60, 3919, 4623, 84.8),
            ('commune', 'huyen-tay-son', 'payment_uptake', 100, 38, 41, 92.7),
            ('commune', 'huyen-tay-son', 'online_payment', 55, 3740, 3854, 97),
            ('commune', 'huyen-tay-son', 'digitization', 90, 4339, 4623, 93.9),
            ('commune', 'huyen-tay-son', 'data_reuse', 60, 1244, NULL, 42.5),
            ('commune', 'huyen-tay-son', 'e_result', 100, 4347, 4590, 94.7),
            ('commune', 'huyen-tuy-phuoc', 'service_uptake', 100, 29, 29, 100),
            ('commune', 'huyen-tuy-phuoc', 'online_dossier', 60, 6232, 6797, 91.7),
            ('commune', 'huyen-tuy-phuoc', 'payment_uptake', 100, 32, 49, 65.3),
            ('commune', 'huyen-tuy-phuoc', 'online_payment', 55, 5532, 5559, 99.5),
            ('commune', 'huyen-tuy-phuoc', 'digitization', 90, 6779, 6797, 99.7),
            ('commune', 'huyen-tuy-phuoc', 'data_reuse', 60, 3174, NULL, 81.1),
            ('commune', 'huyen-tuy-phuoc', 'e_result', 100, 6698, 6754, 99.2),
            ('commune', 'huyen-van-canh', 'service_uptake', 100, 15, 15, 100),
            ('commune', 'huyen-van-canh', 'online_dossier', 60, 1502, 2004, 75),
            ('commune', 'huyen-van-canh', 'payment_uptake', 100, 29, 39, 74.4),
            ('commune', 'huyen-van-canh', 'online_payment', 55, 1662, 1670, 99.5),
            ('commune', 'huyen-van-canh', 'digitization', 90, 1739, 2004, 86.8),
            ('commune', 'huyen-van-canh', 'data_reuse', 60, 211, NULL, 20.9),
            ('commune', 'huyen-van-canh', 'e_result', 100, 1990, 2043, 97.4),
            ('commune', 'huyen-vinh-thanh', 'service_uptake', 100, 19, 20, 95),
            ('commune', 'huyen-vinh-thanh', 'online_dossier', 60, 2265, 2822, 80.3),
            ('commune', 'huyen-vinh-thanh', 'payment_uptake', 100, 32, 32, 100),
            ('commune', 'huyen-vinh-thanh', 'online_payment', 55, 2569, 2622, 98),
            ('commune', 'huyen-vinh-thanh', 'digitization', 90, 2797, 2822, 99.1),
            ('commune', 'huyen-vinh-thanh', 'data_reuse', 60, 335, NULL, 29.9),
            ('commune', 'huyen-vinh-thanh', 'e_result', 100, 2740, 2824, 97),
            ('commune', 'tp-quy-nhon', 'service_uptake', 100, 27, 27, 100),
            ('commune', 'tp-quy-nhon', 'online_dossier', 60, 7514, 7636, 98.4),
            ('commune', 'tp-quy-nhon', 'payment_uptake', 100, 45, 57, 78.9),
            ('commune', 'tp-quy-nhon', 'online_payment', 55, 5871, 6205, 94.6),
            ('commune', 'tp-quy-nhon', 'digitization', 90, 7615, 7636, 99.7),
            ('commune', 'tp-quy-nhon', 'data_reuse', 60, 3938, NULL, 85.9),
            ('commune', 'tp-quy-nhon', 'e_result', 100, 7493, 7565, 99),
            ('commune', 'tx-an-nhon', 'service_uptake', 100, 22, 22, 100),
            ('commune', 'tx-an-nhon', 'online_dossier', 60, 2790, 2947, 94.7),
            ('commune', 'tx-an-nhon', 'payment_uptake', 100, 43, 52, 82.7),
            ('commune', 'tx-an-nhon', 'online_payment', 55, 1973, 2013, 98),
            ('commune', 'tx-an-nhon', 'digitization', 90, 2893, 2947, 98.2),
            ('commune', 'tx-an-nhon', 'data_reuse', 60, 1152, NULL, 49.3),
            ('commune', 'tx-an-nhon', 'e_result', 100, 2882, 2949, 97.7),
            ('commune', 'tx-hoai-nhon', 'service_uptake', 100, 30, 31, 96.8),
            ('commune', 'tx-hoai-nhon', 'online_dossier', 60, 7013, 7164, 97.9),
            ('commune', 'tx-hoai-nhon', 'payment_uptake', 100, 37, 49, 75.5),
            ('commune', 'tx-hoai-nhon', 'online_payment', 55, 5559, 5589, 99.5),
            ('commune', 'tx-hoai-nhon', 'digitization', 90, 7162, 7164, 100),
            ('commune', 'tx-hoai-nhon', 'data_reuse', 60, 3654, NULL, 85.7),
            ('commune', 'tx-hoai-nhon', 'e_result', 100, 7118, 7138, 99.7)
            ) AS v (level, unit_code, indicator, target, numerator, denominator, printed_rate)
    ), target_row AS (
        INSERT INTO kpi.assigned_target (period, level, unit_code, indicator, target)
        SELECT '2024-Q1', s.level, s.unit_code, s.indicator, s.target
        FROM sample AS s
        WHERE s.target IS NOT NULL
        ON CONFLICT DO NOTHING
        RETURNING 1
    ), count_row AS (
        INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, source, applicable,
                                         numerator, denominator, printed_rate)
        SELECT '2024-Q1', s.level, s.unit_code, s.indicator, 'published',
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
    SELECT '2024-Q1', v.indicator, v.level, v.printed_pct
    FROM (VALUES
            ('service_uptake', 'province', 97.7),
            ('service_uptake', 'district', 98.3),
            ('service_uptake', 'commune', 95.8),
            ('service_uptake', 'all', 97.2),
            ('online_dossier', 'province', 98.7),
            ('online_dossier', 'district', 96.8),
            ('online_dossier', 'commune', 89),
            ('online_dossier', 'all', 92.6),
            ('payment_uptake', 'province', 80.7),
            ('payment_uptake', 'district', 71),
            ('payment_uptake', 'commune', 78.8),
            ('payment_uptake', 'all', 76.8),
            ('online_payment', 'province', 87.3),
            ('online_payment', 'district', 65.4),
            ('online_payment', 'commune', 96.8),
            ('online_payment', 'all', 82.9),
            ('digitization', 'province', 99.8),
            ('digitization', 'district', 99.7),
            ('digitization', 'commune', 96.5),
            ('digitization', 'all', 97.7),
            ('data_reuse', 'province', 23.8),
            ('data_reuse', 'district', 16.5),
            ('data_reuse', 'commune', 59.6),
            ('data_reuse', 'all', 33.3),
            ('e_result', 'province', 75.1),
            ('e_result', 'district', 93.1),
            ('e_result', 'commune', 97.3),
            ('e_result', 'all', 94.4)
        ) AS v (indicator, level, printed_pct)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;

    INSERT INTO kpi.note (period, level, unit_code, mark, applies_to, text)
    SELECT '2024-Q1', u.level, v.unit_code, v.mark, v.applies_to, v.text
    FROM (VALUES
            ('so-ke-hoach-dau-tu', '(**)', 'online', 'chưa tính số liệu trên phần mềm chuyên ngành'),
            ('so-giao-thong-van-tai', '(*)', 'online', 'Theo Bộ chỉ số phục vụ người dân, doanh nghiệp trên Cổng DVC quốc gia: Hồ sơ trực tuyến đạt 18,8%.'),
            ('so-ke-hoach-dau-tu', '(**)', 'digital', 'chưa tính số liệu trên phần mềm chuyên ngành'),
            ('so-giao-thong-van-tai', '(*)', 'digital', 'Theo Bộ chỉ số phục vụ người dân, doanh nghiệp trên Cổng DVC quốc gia: Cấp kết quả điện tử đạt: 19,6%.')
        ) AS v (unit_code, mark, applies_to, text)
    JOIN kpi.unit AS u ON u.code = v.unit_code
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;

    RETURN total;
END
$$;

COMMENT ON FUNCTION kpi.load_sample() IS
    'Nạp số liệu mẫu: báo cáo quý I/2024 của tỉnh Bình Định (kỳ 2024-Q1); chạy lại không thay đổi gì; trả về số dòng đã thêm / Loads the sample: the Bình Định report for 2024-Q1; running it again changes nothing; returns the number of rows inserted';

-- ---------------------------------------------------------------------------
-- Views
-- ---------------------------------------------------------------------------

-- Which figure counts: per period, level, unit and indicator, a computed row
-- (from dossiers) when there is one, else the published row.
CREATE VIEW kpi.effective_count AS
SELECT DISTINCT ON (c.period, c.level, c.unit_code, c.indicator)
       c.period, c.level, c.unit_code, c.indicator, c.source, c.applicable,
       c.numerator, c.denominator, c.printed_rate
FROM kpi.indicator_count AS c
ORDER BY c.period, c.level, c.unit_code, c.indicator, (c.source = 'computed') DESC;

COMMENT ON VIEW kpi.effective_count IS
    'Số liệu được dùng: mỗi kỳ, cấp, đơn vị, chỉ tiêu một dòng; dòng computed (tính từ hồ sơ) được ưu tiên hơn dòng published / The figures in use: one row per period, level, unit and indicator; a computed row wins over a published one';
COMMENT ON COLUMN kpi.effective_count.period IS 'Kỳ báo cáo / Period label';
COMMENT ON COLUMN kpi.effective_count.level IS 'Cấp của số liệu / Level of the figures';
COMMENT ON COLUMN kpi.effective_count.unit_code IS 'Mã đơn vị / Unit code';
COMMENT ON COLUMN kpi.effective_count.indicator IS 'Mã chỉ tiêu / Indicator code';
COMMENT ON COLUMN kpi.effective_count.source IS 'Nguồn của dòng được dùng: computed hoặc published / Source of the row in use';
COMMENT ON COLUMN kpi.effective_count.applicable IS 'false: không áp dụng (''-'') / false: not applicable (''-'')';
COMMENT ON COLUMN kpi.effective_count.numerator IS 'Tử số / Numerator';
COMMENT ON COLUMN kpi.effective_count.denominator IS 'Mẫu số (NULL nếu không công bố) / Denominator (NULL where not published)';
COMMENT ON COLUMN kpi.effective_count.printed_rate IS 'Tỷ lệ (%) in trong báo cáo / Rate (percent) as printed';

-- One row per period, level, unit and indicator with the rate and the
-- assigned target.  The rate is computed from the counts where there is a
-- usable denominator, else it is the printed rate.
CREATE VIEW kpi.result AS
WITH row_unit AS (
    SELECT e.period, e.level, e.unit_code,
           pg_catalog.row_number() OVER (PARTITION BY e.period, e.level
                                         ORDER BY u.sort_order, u.code) AS row_no
    FROM (SELECT DISTINCT c.period, c.level, c.unit_code FROM kpi.effective_count AS c) AS e
    JOIN kpi.unit AS u ON u.code = e.unit_code
), figure AS (
    SELECT c.*,
           CASE WHEN c.applicable AND c.denominator IS NOT NULL AND c.numerator <= c.denominator
                THEN kpi.ratio(c.numerator, c.denominator) END AS ratio,
           CASE WHEN c.applicable THEN t.target END AS target
    FROM kpi.effective_count AS c
    LEFT JOIN kpi.assigned_target AS t
           ON t.period = c.period AND t.level = c.level
          AND t.unit_code = c.unit_code AND t.indicator = c.indicator
)
SELECT f.period::text AS period,
       f.level::text AS level,
       r.row_no::integer AS row_no,
       f.unit_code::text AS unit_code,
       u.name::text AS unit_name,
       f.indicator::text AS indicator,
       f.source::text AS source,
       f.applicable AS applicable,
       f.target::numeric(5,1) AS target,
       CASE WHEN f.applicable THEN f.numerator END::bigint AS numerator,
       CASE WHEN f.applicable THEN f.denominator END::bigint AS denominator,
       f.pct::numeric(5,1) AS pct,
       f.printed_rate::numeric(5,1) AS printed_rate,
       (CASE WHEN f.ratio IS NOT NULL THEN kpi.met(f.ratio, f.target)
             WHEN f.applicable AND f.denominator IS NULL THEN f.printed_rate >= f.target
        END) AS met,
       (f.pct - f.target)::numeric(5,1) AS gap
FROM (SELECT g.*,
             CASE WHEN g.ratio IS NOT NULL THEN kpi.percent(g.ratio, 1)
                  WHEN g.applicable AND g.denominator IS NULL THEN g.printed_rate
             END AS pct
      FROM figure AS g) AS f
JOIN row_unit AS r ON r.period = f.period AND r.level = f.level AND r.unit_code = f.unit_code
JOIN kpi.unit AS u ON u.code = f.unit_code
JOIN kpi.indicator AS i ON i.code = f.indicator
ORDER BY f.period, pg_catalog.array_position(ARRAY['province', 'district', 'commune'], f.level::text),
         r.row_no, i.sort_order;

COMMENT ON VIEW kpi.result IS
    'Kết quả từng đơn vị, từng chỉ tiêu: chỉ tiêu được giao, tử số, mẫu số, tỷ lệ, đạt hay chưa, chênh lệch / Each unit''s result per indicator: assigned target, counts, rate, met or not, gap';
COMMENT ON COLUMN kpi.result.period IS 'Kỳ báo cáo / Period label';
COMMENT ON COLUMN kpi.result.level IS 'Cấp của số liệu / Level of the figures';
COMMENT ON COLUMN kpi.result.row_no IS 'Số thứ tự (TT) trong phụ lục của cấp / Row number (TT) in the level''s appendix';
COMMENT ON COLUMN kpi.result.unit_code IS 'Mã đơn vị / Unit code';
COMMENT ON COLUMN kpi.result.unit_name IS 'Tên đơn vị / Unit name';
COMMENT ON COLUMN kpi.result.indicator IS 'Mã chỉ tiêu / Indicator code';
COMMENT ON COLUMN kpi.result.source IS 'Nguồn số liệu: published hoặc computed / Source of the figures: published or computed';
COMMENT ON COLUMN kpi.result.applicable IS 'false: không áp dụng (''-''), mọi cột số liệu NULL / false: not applicable (''-''), every figure NULL';
COMMENT ON COLUMN kpi.result.target IS 'Chỉ tiêu được giao (%) / Assigned target (percent)';
COMMENT ON COLUMN kpi.result.numerator IS 'Tử số / Numerator';
COMMENT ON COLUMN kpi.result.denominator IS 'Mẫu số (NULL nếu không công bố) / Denominator (NULL where not published)';
COMMENT ON COLUMN kpi.result.pct IS 'Tỷ lệ (%): tính từ tử số, mẫu số (làm tròn một chữ số thập phân, nửa ra xa số 0); tỷ lệ theo báo cáo khi không có mẫu số / Rate (percent): from the counts, rounded half away from zero to one decimal; the printed rate where there is no denominator';
COMMENT ON COLUMN kpi.result.printed_rate IS 'Tỷ lệ (%) in trong báo cáo / Rate (percent) as printed';
COMMENT ON COLUMN kpi.result.met IS 'Đạt chỉ tiêu được giao: tử số/mẫu số so với chỉ tiêu, chính xác (không làm tròn) / Assigned target met: numerator/denominator against the target, exactly (unrounded)';
COMMENT ON COLUMN kpi.result.gap IS 'Chênh lệch: tỷ lệ (một chữ số thập phân) trừ chỉ tiêu được giao, điểm phần trăm (âm: chưa đạt) / Gap: the one-decimal rate minus the assigned target, in percentage points (negative: below target)';

CREATE VIEW kpi.appendix_online AS
SELECT r.period,
       r.level,
       r.row_no,
       r.unit_name,
       (pg_catalog.array_agg(r.denominator ORDER BY i.sort_order)
            FILTER (WHERE i.per_received AND r.denominator IS NOT NULL))[1]::bigint AS dossiers_received,
       pg_catalog.max(r.target) FILTER (WHERE r.indicator = 'service_uptake')::numeric(5,1) AS service_uptake_target,
       pg_catalog.max(r.denominator) FILTER (WHERE r.indicator = 'service_uptake')::bigint AS services_with_dossiers,
       pg_catalog.max(r.numerator) FILTER (WHERE r.indicator = 'service_uptake')::bigint AS services_with_online_dossiers,
       pg_catalog.max(r.pct) FILTER (WHERE r.indicator = 'service_uptake')::numeric(5,1) AS service_uptake_pct,
       pg_catalog.max(r.target) FILTER (WHERE r.indicator = 'online_dossier')::numeric(5,1) AS online_dossier_target,
       pg_catalog.max(r.numerator) FILTER (WHERE r.indicator = 'online_dossier')::bigint AS online_dossiers,
       pg_catalog.max(r.pct) FILTER (WHERE r.indicator = 'online_dossier')::numeric(5,1) AS online_dossier_pct,
       pg_catalog.max(r.target) FILTER (WHERE r.indicator = 'payment_uptake')::numeric(5,1) AS payment_uptake_target,
       pg_catalog.max(r.denominator) FILTER (WHERE r.indicator = 'payment_uptake')::bigint AS procedures_with_payment,
       pg_catalog.max(r.numerator) FILTER (WHERE r.indicator = 'payment_uptake')::bigint AS procedures_with_online_payment,
       pg_catalog.max(r.pct) FILTER (WHERE r.indicator = 'payment_uptake')::numeric(5,1) AS payment_uptake_pct,
       pg_catalog.max(r.target) FILTER (WHERE r.indicator = 'online_payment')::numeric(5,1) AS online_payment_target,
       pg_catalog.max(r.denominator) FILTER (WHERE r.indicator = 'online_payment')::bigint AS dossiers_with_payment,
       pg_catalog.max(r.numerator) FILTER (WHERE r.indicator = 'online_payment')::bigint AS dossiers_paid_online,
       pg_catalog.max(r.pct) FILTER (WHERE r.indicator = 'online_payment')::numeric(5,1) AS online_payment_pct
FROM kpi.result AS r
JOIN kpi.indicator AS i ON i.code = r.indicator
GROUP BY r.period, r.level, r.row_no, r.unit_code, r.unit_name
ORDER BY r.period, pg_catalog.array_position(ARRAY['province', 'district', 'commune'], r.level), r.row_no;

COMMENT ON VIEW kpi.appendix_online IS
    'Bảng 1 của các phụ lục: DVC trực tuyến có phát sinh hồ sơ trực tuyến, hồ sơ trực tuyến, TTHC có phát sinh thanh toán trực tuyến, thanh toán trực tuyến; NULL nơi báo cáo ghi ''-'' / First appendix table at every level: online services with online dossiers, online dossiers, payment procedures with online payments, online payment; NULL where the report prints ''-''';
COMMENT ON COLUMN kpi.appendix_online.period IS 'Kỳ báo cáo / Period label';
COMMENT ON COLUMN kpi.appendix_online.level IS 'Cấp: province (Phụ lục 1), district (Phụ lục 2), commune (Phụ lục 3) / Level: province (appendix 1), district (appendix 2), commune (appendix 3)';
COMMENT ON COLUMN kpi.appendix_online.row_no IS 'Số thứ tự (TT) như trong báo cáo / Row number (TT) as in the report';
COMMENT ON COLUMN kpi.appendix_online.unit_name IS 'Cơ quan, đơn vị; ở cấp xã là huyện, số liệu là tổng các xã của huyện / Unit; at commune level the district, figures summed over its communes';
COMMENT ON COLUMN kpi.appendix_online.dossiers_received IS 'Tổng số hồ sơ tiếp nhận / Dossiers received';
COMMENT ON COLUMN kpi.appendix_online.service_uptake_target IS 'DVC trực tuyến có phát sinh hồ sơ trực tuyến: chỉ tiêu được giao (%) / Online services with online dossiers: assigned target (percent)';
COMMENT ON COLUMN kpi.appendix_online.services_with_dossiers IS 'DVCTT có phát sinh hồ sơ / Online services that received any dossier';
COMMENT ON COLUMN kpi.appendix_online.services_with_online_dossiers IS 'DVCTT có phát sinh hồ sơ trực tuyến (kết quả) / Online services that received an online dossier (result)';
COMMENT ON COLUMN kpi.appendix_online.service_uptake_pct IS 'DVC trực tuyến có phát sinh hồ sơ trực tuyến: tỷ lệ (%) / Online services with online dossiers: rate (percent)';
COMMENT ON COLUMN kpi.appendix_online.online_dossier_target IS 'Hồ sơ trực tuyến: chỉ tiêu được giao (%) / Online dossiers: assigned target (percent)';
COMMENT ON COLUMN kpi.appendix_online.online_dossiers IS 'Hồ sơ tiếp nhận trực tuyến (kết quả) / Dossiers received online (result)';
COMMENT ON COLUMN kpi.appendix_online.online_dossier_pct IS 'Hồ sơ trực tuyến: tỷ lệ (%) / Online dossiers: rate (percent)';
COMMENT ON COLUMN kpi.appendix_online.payment_uptake_target IS 'TTHC có phát sinh thanh toán trực tuyến: chỉ tiêu được giao (%) / Payment procedures with online payments: assigned target (percent)';
COMMENT ON COLUMN kpi.appendix_online.procedures_with_payment IS 'TTHC phát sinh thanh toán / Procedures offering online payment that had fee-bearing dossiers';
COMMENT ON COLUMN kpi.appendix_online.procedures_with_online_payment IS 'TTHC có phát sinh thanh toán trực tuyến (kết quả) / Procedures with at least one online payment (result)';
COMMENT ON COLUMN kpi.appendix_online.payment_uptake_pct IS 'TTHC có phát sinh thanh toán trực tuyến: tỷ lệ (%) / Payment procedures with online payments: rate (percent)';
COMMENT ON COLUMN kpi.appendix_online.online_payment_target IS 'Thanh toán trực tuyến: chỉ tiêu được giao (%) / Online payment: assigned target (percent)';
COMMENT ON COLUMN kpi.appendix_online.dossiers_with_payment IS 'Tổng số hồ sơ có thanh toán / Fee-bearing dossiers';
COMMENT ON COLUMN kpi.appendix_online.dossiers_paid_online IS 'Hồ sơ thanh toán trực tuyến (kết quả) / Fee-bearing dossiers paid online (result)';
COMMENT ON COLUMN kpi.appendix_online.online_payment_pct IS 'Thanh toán trực tuyến: tỷ lệ (%) / Online payment: rate (percent)';

CREATE VIEW kpi.appendix_digital AS
SELECT r.period,
       r.level,
       r.row_no,
       r.unit_name,
       (pg_catalog.array_agg(r.denominator ORDER BY i.sort_order)
            FILTER (WHERE i.per_received AND r.denominator IS NOT NULL))[1]::bigint AS dossiers_received,
       pg_catalog.max(r.target) FILTER (WHERE r.indicator = 'digitization')::numeric(5,1) AS digitization_target,
       pg_catalog.max(r.numerator) FILTER (WHERE r.indicator = 'digitization')::bigint AS digitized_dossiers,
       pg_catalog.max(r.pct) FILTER (WHERE r.indicator = 'digitization')::numeric(5,1) AS digitization_pct,
       pg_catalog.max(r.target) FILTER (WHERE r.indicator = 'data_reuse')::numeric(5,1) AS data_reuse_target,
       pg_catalog.max(r.numerator) FILTER (WHERE r.indicator = 'data_reuse')::bigint AS reused_dossiers,
       pg_catalog.max(r.pct) FILTER (WHERE r.indicator = 'data_reuse')::numeric(5,1) AS data_reuse_pct,
       pg_catalog.max(r.target) FILTER (WHERE r.indicator = 'e_result')::numeric(5,1) AS e_result_target,
       pg_catalog.max(r.denominator) FILTER (WHERE r.indicator = 'e_result')::bigint AS dossiers_resolved,
       pg_catalog.max(r.numerator) FILTER (WHERE r.indicator = 'e_result')::bigint AS e_result_dossiers,
       pg_catalog.max(r.pct) FILTER (WHERE r.indicator = 'e_result')::numeric(5,1) AS e_result_pct
FROM kpi.result AS r
JOIN kpi.indicator AS i ON i.code = r.indicator
GROUP BY r.period, r.level, r.row_no, r.unit_code, r.unit_name
ORDER BY r.period, pg_catalog.array_position(ARRAY['province', 'district', 'commune'], r.level), r.row_no;

COMMENT ON VIEW kpi.appendix_digital IS
    'Bảng 2 của các phụ lục: số hóa thành phần hồ sơ, khai thác, sử dụng lại thông tin số hóa, cấp kết quả điện tử; NULL nơi báo cáo ghi ''-'' / Second appendix table at every level: digitisation, reuse of digitised data, electronic results; NULL where the report prints ''-''';
COMMENT ON COLUMN kpi.appendix_digital.period IS 'Kỳ báo cáo / Period label';
COMMENT ON COLUMN kpi.appendix_digital.level IS 'Cấp: province (Phụ lục 1), district (Phụ lục 2), commune (Phụ lục 3) / Level: province (appendix 1), district (appendix 2), commune (appendix 3)';
COMMENT ON COLUMN kpi.appendix_digital.row_no IS 'Số thứ tự (TT) như trong báo cáo / Row number (TT) as in the report';
COMMENT ON COLUMN kpi.appendix_digital.unit_name IS 'Cơ quan, đơn vị; ở cấp xã là huyện, số liệu là tổng các xã của huyện / Unit; at commune level the district, figures summed over its communes';
COMMENT ON COLUMN kpi.appendix_digital.dossiers_received IS 'Tổng số hồ sơ tiếp nhận / Dossiers received';
COMMENT ON COLUMN kpi.appendix_digital.digitization_target IS 'Số hóa thành phần hồ sơ: chỉ tiêu được giao (%) / Digitisation: assigned target (percent)';
COMMENT ON COLUMN kpi.appendix_digital.digitized_dossiers IS 'Hồ sơ được số hóa thành phần (kết quả) / Dossiers with digitised components (result)';
COMMENT ON COLUMN kpi.appendix_digital.digitization_pct IS 'Số hóa thành phần hồ sơ: tỷ lệ (%) / Digitisation: rate (percent)';
COMMENT ON COLUMN kpi.appendix_digital.data_reuse_target IS 'Khai thác, sử dụng lại thông tin số hóa: chỉ tiêu được giao (%) / Reuse of digitised data: assigned target (percent)';
COMMENT ON COLUMN kpi.appendix_digital.reused_dossiers IS 'Hồ sơ khai thác, sử dụng lại thông tin số hóa (kết quả) / Dossiers that reused digitised data (result)';
COMMENT ON COLUMN kpi.appendix_digital.data_reuse_pct IS 'Khai thác, sử dụng lại thông tin số hóa: tỷ lệ (%); ở cấp huyện, xã là tỷ lệ theo báo cáo vì mẫu số không được công bố / Reuse of digitised data: rate (percent); at district and commune level the printed rate, the denominator being unpublished';
COMMENT ON COLUMN kpi.appendix_digital.e_result_target IS 'Cấp kết quả điện tử: chỉ tiêu được giao (%) / Electronic results: assigned target (percent)';
COMMENT ON COLUMN kpi.appendix_digital.dossiers_resolved IS 'Tổng số hồ sơ đã giải quyết (tính lũy kế từ 01/01) / Dossiers resolved, cumulative from 1 January';
COMMENT ON COLUMN kpi.appendix_digital.e_result_dossiers IS 'Hồ sơ có kết quả điện tử (kết quả) / Resolved dossiers with an electronic result (result)';
COMMENT ON COLUMN kpi.appendix_digital.e_result_pct IS 'Cấp kết quả điện tử: tỷ lệ (%) / Electronic results: rate (percent)';

-- The six appendix tables, one view each; same columns as the two above.
CREATE VIEW kpi.appendix_province_online AS
SELECT * FROM kpi.appendix_online AS a WHERE a.level = 'province' ORDER BY a.period, a.row_no;
CREATE VIEW kpi.appendix_province_digital AS
SELECT * FROM kpi.appendix_digital AS a WHERE a.level = 'province' ORDER BY a.period, a.row_no;
CREATE VIEW kpi.appendix_district_online AS
SELECT * FROM kpi.appendix_online AS a WHERE a.level = 'district' ORDER BY a.period, a.row_no;
CREATE VIEW kpi.appendix_district_digital AS
SELECT * FROM kpi.appendix_digital AS a WHERE a.level = 'district' ORDER BY a.period, a.row_no;
CREATE VIEW kpi.appendix_commune_online AS
SELECT * FROM kpi.appendix_online AS a WHERE a.level = 'commune' ORDER BY a.period, a.row_no;
CREATE VIEW kpi.appendix_commune_digital AS
SELECT * FROM kpi.appendix_digital AS a WHERE a.level = 'commune' ORDER BY a.period, a.row_no;

COMMENT ON VIEW kpi.appendix_province_online IS
    'Phụ lục 1, bảng 1 (cấp tỉnh): DVC trực tuyến có phát sinh hồ sơ trực tuyến, hồ sơ trực tuyến, TTHC có phát sinh thanh toán trực tuyến, thanh toán trực tuyến / Appendix 1, first table (province departments): online services, online dossiers, payment procedures, online payment';
COMMENT ON VIEW kpi.appendix_province_digital IS
    'Phụ lục 1, bảng 2 (cấp tỉnh): số hóa, khai thác sử dụng lại thông tin số hóa, cấp kết quả điện tử / Appendix 1, second table (province departments): digitisation, reuse of digitised data, electronic results';
COMMENT ON VIEW kpi.appendix_district_online IS
    'Phụ lục 2, bảng 1 (cấp huyện): DVC trực tuyến có phát sinh hồ sơ trực tuyến, hồ sơ trực tuyến, TTHC có phát sinh thanh toán trực tuyến, thanh toán trực tuyến / Appendix 2, first table (districts): online services, online dossiers, payment procedures, online payment';
COMMENT ON VIEW kpi.appendix_district_digital IS
    'Phụ lục 2, bảng 2 (cấp huyện): số hóa, khai thác sử dụng lại thông tin số hóa, cấp kết quả điện tử / Appendix 2, second table (districts): digitisation, reuse of digitised data, electronic results';
COMMENT ON VIEW kpi.appendix_commune_online IS
    'Phụ lục 3, bảng 1 (cấp xã, mỗi dòng là tổng các xã của một huyện): DVC trực tuyến có phát sinh hồ sơ trực tuyến, hồ sơ trực tuyến, TTHC có phát sinh thanh toán trực tuyến, thanh toán trực tuyến / Appendix 3, first table (communes, one row per district summing its communes): online services, online dossiers, payment procedures, online payment';
COMMENT ON VIEW kpi.appendix_commune_digital IS
    'Phụ lục 3, bảng 2 (cấp xã, mỗi dòng là tổng các xã của một huyện): số hóa, khai thác sử dụng lại thông tin số hóa, cấp kết quả điện tử / Appendix 3, second table (communes, one row per district summing its communes): digitisation, reuse of digitised data, electronic results';

-- Their columns mean what they mean in the two views they select from.
DO $$
DECLARE
    v record;
    c record;
BEGIN
    FOR v IN
        SELECT x.view_name, x.base
        FROM (VALUES ('appendix_province_online', 'appendix_online'),
                     ('appendix_district_online', 'appendix_online'),
                     ('appendix_commune_online', 'appendix_online'),
                     ('appendix_province_digital', 'appendix_digital'),
                     ('appendix_district_digital', 'appendix_digital'),
                     ('appendix_commune_digital', 'appendix_digital')) AS x (view_name, base)
    LOOP
        FOR c IN
            SELECT a.attname, pg_catalog.col_description(a.attrelid, a.attnum) AS description
            FROM pg_catalog.pg_attribute AS a
            WHERE a.attrelid = pg_catalog.format('kpi.%I', v.base)::pg_catalog.regclass
              AND a.attnum > 0 AND NOT a.attisdropped
        LOOP
            EXECUTE pg_catalog.format('COMMENT ON COLUMN kpi.%I.%I IS %L',
                                      v.view_name, c.attname, c.description);
        END LOOP;
    END LOOP;
END
$$;

-- Section 1 of the report: per period, indicator and level (and 'all', the
-- whole province) the pooled rate, sum of numerators over sum of
-- denominators, beside the printed figure.  The pooled rate is NULL when
-- some applicable unit of the group has no usable denominator.
CREATE VIEW kpi.summary AS
WITH pooled AS (
    SELECT c.period, c.indicator, COALESCE(c.level, 'all') AS level,
           kpi.sum(CASE WHEN c.denominator IS NOT NULL AND c.numerator <= c.denominator
                        THEN kpi.ratio(c.numerator, c.denominator) END)
               FILTER (WHERE c.denominator IS NOT NULL AND c.numerator <= c.denominator) AS total,
           pg_catalog.count(*) FILTER (WHERE c.denominator IS NULL OR c.numerator > c.denominator) AS unusable
    FROM kpi.effective_count AS c
    WHERE c.applicable
    GROUP BY GROUPING SETS ((c.period, c.indicator, c.level), (c.period, c.indicator))
), figure AS (
    SELECT p.period, p.indicator, p.level FROM pooled AS p
    UNION
    SELECT s.period, s.indicator, s.level FROM kpi.printed_summary AS s
), side_by_side AS (
    SELECT f.period, f.indicator, f.level,
           CASE WHEN p.unusable = 0 THEN kpi.percent(p.total, 1) END AS pct,
           s.printed_pct
    FROM figure AS f
    LEFT JOIN pooled AS p ON p.period = f.period AND p.indicator = f.indicator AND p.level = f.level
    LEFT JOIN kpi.printed_summary AS s
           ON s.period = f.period AND s.indicator = f.indicator AND s.level = f.level
)
SELECT b.period::text AS period,
       b.indicator::text AS indicator,
       b.level::text AS level,
       t.central_target::numeric(5,1) AS central_target,
       t.province_floor::numeric(5,1) AS province_target,
       b.pct::numeric(5,1) AS pct,
       b.printed_pct::numeric(5,1) AS printed_pct,
       (b.pct - b.printed_pct)::numeric(5,1) AS difference
FROM side_by_side AS b
JOIN kpi.indicator AS i ON i.code = b.indicator
LEFT JOIN kpi.period AS pe ON pe.label = b.period
LEFT JOIN kpi.target AS t ON t.year = pe.year AND t.indicator = b.indicator
ORDER BY b.period, i.sort_order,
         pg_catalog.array_position(ARRAY['province', 'district', 'commune', 'all'], b.level::text);

COMMENT ON VIEW kpi.summary IS
    'Phần 1 của báo cáo: tỷ lệ bình quân theo cấp và cả tỉnh, tính gộp từ phụ lục (tổng tử số / tổng mẫu số) bên cạnh số in trong báo cáo / Section 1 of the report: level and province averages pooled from the appendix (sum of numerators over sum of denominators) beside the printed figures';
COMMENT ON COLUMN kpi.summary.period IS 'Kỳ báo cáo / Period label';
COMMENT ON COLUMN kpi.summary.indicator IS 'Mã chỉ tiêu / Indicator code';
COMMENT ON COLUMN kpi.summary.level IS 'Cấp: province, district, commune hoặc all (cả tỉnh) / Level, or all for the whole province';
COMMENT ON COLUMN kpi.summary.central_target IS 'Chỉ tiêu Trung ương quy định (%) / Central target (percent)';
COMMENT ON COLUMN kpi.summary.province_target IS 'Mức thấp nhất UBND tỉnh giao (%) / Province floor (percent)';
COMMENT ON COLUMN kpi.summary.pct IS 'Tỷ lệ tính gộp từ phụ lục (%); NULL nếu có đơn vị thiếu mẫu số / Rate pooled from the appendix (percent); NULL when a unit has no usable denominator';
COMMENT ON COLUMN kpi.summary.printed_pct IS 'Tỷ lệ in trong báo cáo (%) / Rate as printed in the report (percent)';
COMMENT ON COLUMN kpi.summary.difference IS 'Chênh lệch: tính gộp trừ số in (điểm %) / Pooled minus printed (percentage points)';

-- Rows that need a look before anyone relies on them.
CREATE VIEW kpi.data_issue AS
WITH c AS (
    SELECT ic.*, i.sort_order, i.per_received, i.name_en AS indicator_name
    FROM kpi.indicator_count AS ic
    JOIN kpi.indicator AS i ON i.code = ic.indicator
), received AS (
    SELECT c.period, c.level, c.unit_code, c.source,
           pg_catalog.min(c.denominator) AS low,
           pg_catalog.max(c.denominator) AS high,
           pg_catalog.string_agg(pg_catalog.format('%s %s', c.indicator, c.denominator), ', '
                                 ORDER BY c.sort_order) AS detail
    FROM c
    WHERE c.per_received AND c.denominator IS NOT NULL
    GROUP BY c.period, c.level, c.unit_code, c.source
), issue AS (
    SELECT c.period, c.level, c.unit_code, c.indicator, c.source, c.sort_order,
           'rate_mismatch'::text AS issue,
           pg_catalog.format('printed rate %s differs from %s/%s = %s',
                             c.printed_rate, c.numerator, c.denominator,
                             kpi.percent(kpi.ratio(c.numerator, c.denominator), 1)) AS reason,
           pg_catalog.format('tỷ lệ in %s khác %s/%s = %s',
                             kpi.format_vi(c.printed_rate, 1, true), c.numerator, c.denominator,
                             kpi.format_vi(kpi.percent(kpi.ratio(c.numerator, c.denominator), 1), 1, true)) AS reason_vi
    FROM c
    WHERE c.printed_rate IS NOT NULL AND c.denominator > 0 AND c.numerator <= c.denominator
      AND c.printed_rate <> kpi.percent(kpi.ratio(c.numerator, c.denominator), 1)
    UNION ALL
    SELECT c.period, c.level, c.unit_code, c.indicator, c.source, c.sort_order,
           'numerator_above_denominator',
           pg_catalog.format('numerator %s is above denominator %s', c.numerator, c.denominator),
           pg_catalog.format('tử số %s lớn hơn mẫu số %s', c.numerator, c.denominator)
    FROM c
    WHERE c.numerator > c.denominator
    UNION ALL
    SELECT c.period, c.level, c.unit_code, c.indicator, c.source, c.sort_order,
           'missing_denominator',
           pg_catalog.format('no denominator published; the printed rate %s is kept as reported', c.printed_rate)
           || CASE WHEN c.per_received AND r.low = r.high AND r.low > 0 AND c.numerator <= r.low
                   THEN pg_catalog.format('; %s over dossiers received would be %s/%s = %s',
                                          c.indicator, c.numerator, r.low,
                                          kpi.percent(kpi.ratio(c.numerator, r.low), 1))
                   ELSE '' END,
           pg_catalog.format('không công bố mẫu số; giữ tỷ lệ in %s', kpi.format_vi(c.printed_rate, 1, true))
           || CASE WHEN c.per_received AND r.low = r.high AND r.low > 0 AND c.numerator <= r.low
                   THEN pg_catalog.format('; tính trên tổng số hồ sơ tiếp nhận sẽ là %s/%s = %s',
                                          c.numerator, r.low,
                                          kpi.format_vi(kpi.percent(kpi.ratio(c.numerator, r.low), 1), 1, true))
                   ELSE '' END
    FROM c
    LEFT JOIN received AS r
           ON r.period = c.period AND r.level = c.level AND r.unit_code = c.unit_code AND r.source = c.source
    WHERE c.applicable AND c.numerator IS NOT NULL AND c.denominator IS NULL
    UNION ALL
    SELECT c.period, c.level, c.unit_code, c.indicator, c.source, c.sort_order,
           'missing_target',
           'no assigned target for this unit, period and indicator',
           'chưa có chỉ tiêu được giao'
    FROM c
    WHERE c.applicable
      AND NOT EXISTS (SELECT FROM kpi.assigned_target AS t
                      WHERE t.period = c.period AND t.level = c.level
                        AND t.unit_code = c.unit_code AND t.indicator = c.indicator)
    UNION ALL
    SELECT r.period, r.level, r.unit_code, NULL, r.source, 0,
           'received_differs',
           pg_catalog.format('dossiers received differ between indicators: %s', r.detail),
           pg_catalog.format('tổng số hồ sơ tiếp nhận khác nhau giữa các chỉ tiêu: %s', r.detail)
    FROM received AS r
    WHERE r.low <> r.high
    UNION ALL
    SELECT u.period, u.level, u.unit_code, i.code, NULL, i.sort_order,
           'missing_count',
           'no row for this indicator, from any source, while the unit has rows for others',
           'thiếu số liệu chỉ tiêu này trong khi đơn vị có số liệu các chỉ tiêu khác'
    FROM (SELECT DISTINCT c.period, c.level, c.unit_code FROM c) AS u
    CROSS JOIN kpi.indicator AS i
    WHERE i.builtin
      AND NOT EXISTS (SELECT FROM kpi.indicator_count AS x
                      WHERE x.period = u.period AND x.level = u.level AND x.unit_code = u.unit_code
                        AND x.indicator = i.code)
)
SELECT s.period::text AS period,
       s.level::text AS level,
       s.unit_code::text AS unit_code,
       un.name::text AS unit_name,
       s.indicator::text AS indicator,
       s.source::text AS source,
       s.issue::text AS issue,
       s.reason::text AS reason,
       s.reason_vi::text AS reason_vi
FROM issue AS s
JOIN kpi.unit AS un ON un.code = s.unit_code
ORDER BY s.period, pg_catalog.array_position(ARRAY['province', 'district', 'commune'], s.level::text),
         un.sort_order, s.unit_code, s.sort_order, s.issue, s.source;

COMMENT ON VIEW kpi.data_issue IS
    'Số liệu cần kiểm tra: tỷ lệ in khác tử số/mẫu số quá mức làm tròn, tử số lớn hơn mẫu số, thiếu mẫu số, thiếu chỉ tiêu được giao, tổng số hồ sơ tiếp nhận không khớp, thiếu dòng số liệu / Figures to check: printed rate off numerator/denominator beyond rounding, numerator above denominator, missing denominator, missing assigned target, dossiers received that disagree, missing rows';
COMMENT ON COLUMN kpi.data_issue.period IS 'Kỳ báo cáo / Period label';
COMMENT ON COLUMN kpi.data_issue.level IS 'Cấp của số liệu / Level of the figures';
COMMENT ON COLUMN kpi.data_issue.unit_code IS 'Mã đơn vị / Unit code';
COMMENT ON COLUMN kpi.data_issue.unit_name IS 'Tên đơn vị / Unit name';
COMMENT ON COLUMN kpi.data_issue.indicator IS 'Mã chỉ tiêu (NULL nếu vấn đề thuộc cả đơn vị) / Indicator code (NULL when the issue concerns the whole unit)';
COMMENT ON COLUMN kpi.data_issue.source IS 'Nguồn của dòng có vấn đề: published hoặc computed (NULL nếu thiếu dòng) / Source of the row at issue: published or computed (NULL for a missing row)';
COMMENT ON COLUMN kpi.data_issue.issue IS 'Loại vấn đề: rate_mismatch, numerator_above_denominator, missing_denominator, missing_target, received_differs, missing_count / Kind of issue';
COMMENT ON COLUMN kpi.data_issue.reason IS 'Giải thích (tiếng Anh) / Reason in English';
COMMENT ON COLUMN kpi.data_issue.reason_vi IS 'Giải thích (tiếng Việt) / Reason in Vietnamese';

-- ---------------------------------------------------------------------------
-- The report as Markdown
-- ---------------------------------------------------------------------------

CREATE FUNCTION kpi.report_markdown(period text) RETURNS text
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_label text := report_markdown.period;
    v_period record;
    v_ind record;
    v_target record;
    v_level record;
    v_table record;
    v_lines text[];
    v_line text;
    v_subheader text;
    v_appendix integer := 0;
    v_count bigint;
    v_roman text[] := ARRAY['i', 'ii', 'iii', 'iv', 'v', 'vi', 'vii', 'viii', 'ix', 'x'];
    md text[] := ARRAY[]::text[];
BEGIN
    IF v_label !~ '^[0-9]{4}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$' THEN
        RAISE EXCEPTION 'invalid period label: "%"', v_label
            USING ERRCODE = 'invalid_datetime_format',
                  HINT = 'Period labels look like 2024-Q1, 2024-H1, 2024-03 or 2024.';
    END IF;
    SELECT p.* INTO v_period FROM kpi.period AS p WHERE p.label = v_label;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown period "%"', v_label
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'kpi.period has no row with this label.',
                  HINT = 'SELECT kpi.load_sample() loads the period 2024-Q1.';
    END IF;

    SELECT pg_catalog.count(DISTINCT r.indicator) INTO v_count FROM kpi.result AS r WHERE r.period = v_label;
    md := md || pg_catalog.format('# Kết quả thực hiện %s chỉ tiêu liên quan “Bộ chỉ số phục vụ người dân, doanh nghiệp” trong %s',
                                  CASE WHEN v_count > 0 THEN pg_catalog.lpad(v_count::text, 2, '0') ELSE 'các' END,
                                  COALESCE(v_period.name_vi, 'kỳ ' || v_label))
             || ''::text
             || pg_catalog.format('Kỳ báo cáo %s, từ ngày %s đến ngày %s.', v_label,
                                  pg_catalog.to_char(v_period.starts, 'DD/MM/YYYY'),
                                  pg_catalog.to_char(v_period.ends, 'DD/MM/YYYY'))
             || ''::text
             || '## 1. Kết quả thực hiện'::text
             || ''::text
             || 'Tỷ lệ bình quân theo báo cáo và tỷ lệ tính gộp từ phụ lục (tổng tử số trên tổng mẫu số của các đơn vị); chênh lệch = tính gộp − báo cáo, điểm phần trăm.'::text;

    FOR v_ind IN
        SELECT i.* FROM kpi.indicator AS i
        WHERE EXISTS (SELECT FROM kpi.summary AS s WHERE s.period = v_label AND s.indicator = i.code)
        ORDER BY i.summary_order NULLS LAST, i.sort_order
    LOOP
        md := md || ''::text
                 || pg_catalog.format('### %s%s', COALESCE(v_ind.summary_item || ') ', ''),
                                      COALESCE(v_ind.summary_title_vi, v_ind.name_vi))
                 || ''::text;
        SELECT t.* INTO v_target FROM kpi.target AS t
        WHERE t.year = v_period.year AND t.indicator = v_ind.code;
        IF NOT FOUND THEN
            md := md || pg_catalog.format('- Chưa có chỉ tiêu năm %s.', v_period.year);
        ELSE
            v_line := '- Chỉ tiêu';
            IF v_target.central_target IS NOT NULL THEN
                v_line := v_line || ' do Trung ương quy định'
                          || COALESCE(' tại ' || v_target.central_source, '')
                          || ' là ' || kpi.format_vi(v_target.central_target, 1, true) || '%';
            END IF;
            IF v_target.province_floor IS NOT NULL THEN
                v_line := v_line || CASE WHEN v_target.central_target IS NOT NULL THEN ',' ELSE '' END
                          || ' UBND tỉnh giao thấp nhất ' || kpi.format_vi(v_target.province_floor, 1, true) || '%';
            END IF;
            md := md || (v_line || '.');
        END IF;
        md := md || ''::text
                 || '| Cấp | Báo cáo (%) | Tính gộp từ phụ lục (%) | Chênh lệch |'::text
                 || '|---|---|---|---|'::text;
        SELECT pg_catalog.array_agg(pg_catalog.format('| %s | %s | %s | %s |',
                   CASE s.level WHEN 'all' THEN 'Cả tỉnh' WHEN 'province' THEN 'Cấp tỉnh'
                                WHEN 'district' THEN 'Cấp huyện' ELSE 'Cấp xã' END,
                   kpi.format_vi(s.printed_pct, 1, true),
                   kpi.format_vi(s.pct, 1, true),
                   kpi.format_vi(s.difference, 1, true))
                 ORDER BY pg_catalog.array_position(ARRAY['all', 'province', 'district', 'commune'], s.level))
          INTO v_lines
        FROM kpi.summary AS s
        WHERE s.period = v_label AND s.indicator = v_ind.code;
        md := md || v_lines;
    END LOOP;

    IF NOT EXISTS (SELECT FROM kpi.summary AS s WHERE s.period = v_label) THEN
        md := md || ''::text || 'Chưa có số liệu của kỳ này.'::text;
    END IF;

    md := md || ''::text || '## 2. Phụ lục'::text;

    FOR v_level IN
        SELECT l.level, l.title
        FROM (VALUES (1, 'province', 'CẤP TỈNH'), (2, 'district', 'CẤP HUYỆN'), (3, 'commune', 'CẤP XÃ'))
             AS l (pos, level, title)
        WHERE EXISTS (SELECT FROM kpi.result AS r WHERE r.period = v_label AND r.level = l.level)
        ORDER BY l.pos
    LOOP
        v_appendix := v_appendix + 1;
        md := md || ''::text
                 || pg_catalog.format('### Phụ lục %s. %s', v_appendix, v_level.title);
        IF v_level.level = 'commune' THEN
            md := md || ''::text
                     || 'Mỗi dòng là tổng số liệu của các xã, phường, thị trấn thuộc huyện, thị xã, thành phố.'::text;
        END IF;

        FOR v_table IN
            SELECT t.pos, t.applies_to, t.indicators
            FROM (VALUES (1, 'online', ARRAY['service_uptake', 'online_dossier', 'payment_uptake', 'online_payment']),
                         (2, 'digital', ARRAY['digitization', 'data_reuse', 'e_result']))
                 AS t (pos, applies_to, indicators)
            ORDER BY t.pos
        LOOP
            -- heading: 1. Các chỉ tiêu: (i) ..., (ii) ...
            SELECT pg_catalog.format('#### %s. Các chỉ tiêu: %s', v_table.pos,
                       pg_catalog.string_agg(pg_catalog.format('(%s) %s', v_roman[x.n], i.name_vi), ', ' ORDER BY x.n))
              INTO v_line
            FROM pg_catalog.unnest(v_table.indicators) WITH ORDINALITY AS x (code, n)
            JOIN kpi.indicator AS i ON i.code = x.code;
            md := md || ''::text || v_line || ''::text;

            IF v_table.applies_to = 'online' THEN
                SELECT '| TT | Cơ quan, đơn vị | Tổng số HS tiếp nhận | '
                       || pg_catalog.max(i.name_vi) FILTER (WHERE i.code = 'service_uptake') || ' | | | | '
                       || pg_catalog.max(i.name_vi) FILTER (WHERE i.code = 'online_dossier') || ' | | | '
                       || pg_catalog.max(i.name_vi) FILTER (WHERE i.code = 'payment_uptake') || ' | | | | '
                       || pg_catalog.max(i.name_vi) FILTER (WHERE i.code = 'online_payment') || ' | | | |',
                       '| | | | Chỉ tiêu được giao (%) | '
                       || pg_catalog.max(i.denominator_label_vi) FILTER (WHERE i.code = 'service_uptake')
                       || ' | Kết quả | Tỷ lệ (%) | Chỉ tiêu được giao (%) | Kết quả | Tỷ lệ (%) | Chỉ tiêu được giao (%) | '
                       || pg_catalog.max(i.denominator_label_vi) FILTER (WHERE i.code = 'payment_uptake')
                       || ' | Kết quả | Tỷ lệ (%) | Chỉ tiêu được giao (%) | '
                       || pg_catalog.max(i.denominator_label_vi) FILTER (WHERE i.code = 'online_payment')
                       || ' | Kết quả | Tỷ lệ (%) |'
                  INTO v_line, v_subheader
                FROM kpi.indicator AS i;
                md := md || v_line || ('|' || pg_catalog.repeat('---|', 18)) || v_subheader;
                SELECT pg_catalog.array_agg(pg_catalog.format('| %s |', pg_catalog.array_to_string(ARRAY[
                           a.row_no::text,
                           a.unit_name || COALESCE(' ' || m.marks, ''),
                           COALESCE(a.dossiers_received::text, '-'),
                           kpi.format_vi(a.service_uptake_target, 1, true),
                           COALESCE(a.services_with_dossiers::text, '-'),
                           COALESCE(a.services_with_online_dossiers::text, '-'),
                           kpi.format_vi(a.service_uptake_pct, 1, true),
                           kpi.format_vi(a.online_dossier_target, 1, true),
                           COALESCE(a.online_dossiers::text, '-'),
                           kpi.format_vi(a.online_dossier_pct, 1, true),
                           kpi.format_vi(a.payment_uptake_target, 1, true),
                           COALESCE(a.procedures_with_payment::text, '-'),
                           COALESCE(a.procedures_with_online_payment::text, '-'),
                           kpi.format_vi(a.payment_uptake_pct, 1, true),
                           kpi.format_vi(a.online_payment_target, 1, true),
                           COALESCE(a.dossiers_with_payment::text, '-'),
                           COALESCE(a.dossiers_paid_online::text, '-'),
                           kpi.format_vi(a.online_payment_pct, 1, true)], ' | '))
                         ORDER BY a.row_no)
                  INTO v_lines
                FROM kpi.appendix_online AS a
                LEFT JOIN (SELECT ur.row_no, pg_catalog.string_agg(n.mark, ' ' ORDER BY n.mark) AS marks
                           FROM (SELECT DISTINCT r.row_no, r.unit_code FROM kpi.result AS r
                                 WHERE r.period = v_label AND r.level = v_level.level) AS ur
                           JOIN kpi.note AS n
                             ON n.period = v_label AND n.level = v_level.level
                            AND n.unit_code = ur.unit_code AND n.applies_to = 'online'
                           GROUP BY ur.row_no) AS m ON m.row_no = a.row_no
                WHERE a.period = v_label AND a.level = v_level.level;
            ELSE
                SELECT '| TT | Cơ quan, đơn vị | Tổng số HS tiếp nhận | '
                       || pg_catalog.max(i.name_vi) FILTER (WHERE i.code = 'digitization') || ' | | | '
                       || pg_catalog.max(i.name_vi) FILTER (WHERE i.code = 'data_reuse') || ' | | | '
                       || pg_catalog.max(i.name_vi) FILTER (WHERE i.code = 'e_result') || ' | | | |',
                       '| | | | Chỉ tiêu được giao (%) | Kết quả | Tỷ lệ (%) | Chỉ tiêu được giao (%) | Kết quả | Tỷ lệ (%) | Chỉ tiêu được giao (%) | '
                       || pg_catalog.max(i.denominator_label_vi) FILTER (WHERE i.code = 'e_result')
                       || ' | Kết quả | Tỷ lệ (%) |'
                  INTO v_line, v_subheader
                FROM kpi.indicator AS i;
                md := md || v_line || ('|' || pg_catalog.repeat('---|', 13)) || v_subheader;
                SELECT pg_catalog.array_agg(pg_catalog.format('| %s |', pg_catalog.array_to_string(ARRAY[
                           a.row_no::text,
                           a.unit_name || COALESCE(' ' || m.marks, ''),
                           COALESCE(a.dossiers_received::text, '-'),
                           kpi.format_vi(a.digitization_target, 1, true),
                           COALESCE(a.digitized_dossiers::text, '-'),
                           kpi.format_vi(a.digitization_pct, 1, true),
                           kpi.format_vi(a.data_reuse_target, 1, true),
                           COALESCE(a.reused_dossiers::text, '-'),
                           kpi.format_vi(a.data_reuse_pct, 1, true),
                           kpi.format_vi(a.e_result_target, 1, true),
                           COALESCE(a.dossiers_resolved::text, '-'),
                           COALESCE(a.e_result_dossiers::text, '-'),
                           kpi.format_vi(a.e_result_pct, 1, true)], ' | '))
                         ORDER BY a.row_no)
                  INTO v_lines
                FROM kpi.appendix_digital AS a
                LEFT JOIN (SELECT ur.row_no, pg_catalog.string_agg(n.mark, ' ' ORDER BY n.mark) AS marks
                           FROM (SELECT DISTINCT r.row_no, r.unit_code FROM kpi.result AS r
                                 WHERE r.period = v_label AND r.level = v_level.level) AS ur
                           JOIN kpi.note AS n
                             ON n.period = v_label AND n.level = v_level.level
                            AND n.unit_code = ur.unit_code AND n.applies_to = 'digital'
                           GROUP BY ur.row_no) AS m ON m.row_no = a.row_no
                WHERE a.period = v_label AND a.level = v_level.level;
            END IF;
            md := md || v_lines;

            -- footnotes under the table, as the report prints them
            SELECT 'Ghi chú: ' || pg_catalog.string_agg(n.mark || ' ' || n.text, '; '
                                                        ORDER BY n.mark DESC, u.sort_order)
              INTO v_line
            FROM kpi.note AS n
            JOIN kpi.unit AS u ON u.code = n.unit_code
            WHERE n.period = v_label AND n.level = v_level.level AND n.applies_to = v_table.applies_to;
            IF v_line IS NOT NULL THEN
                md := md || ''::text || v_line;
            END IF;

            -- rates kept as printed, for want of a denominator
            SELECT pg_catalog.string_agg(pg_catalog.format('Tỷ lệ “%s” ghi theo báo cáo: báo cáo không công bố mẫu số.',
                                                           i.name_vi), ' ' ORDER BY i.sort_order)
              INTO v_line
            FROM kpi.indicator AS i
            WHERE i.code = ANY (v_table.indicators)
              AND EXISTS (SELECT FROM kpi.result AS r
                          WHERE r.period = v_label AND r.level = v_level.level AND r.indicator = i.code
                            AND r.applicable AND r.denominator IS NULL AND r.pct IS NOT NULL);
            IF v_line IS NOT NULL THEN
                md := md || ''::text || v_line;
            END IF;
        END LOOP;
    END LOOP;

    IF v_appendix = 0 THEN
        md := md || ''::text || 'Chưa có số liệu của kỳ này.'::text;
    END IF;

    md := md || ''::text
             || '## 3. Đơn vị chưa đạt chỉ tiêu được giao'::text
             || ''::text
             || 'Theo từng chỉ tiêu, các đơn vị có tỷ lệ dưới chỉ tiêu được giao, tỷ lệ thấp nhất trước; chênh lệch = tỷ lệ − chỉ tiêu được giao, điểm phần trăm.'::text;

    FOR v_ind IN
        SELECT i.* FROM kpi.indicator AS i
        WHERE EXISTS (SELECT FROM kpi.result AS r WHERE r.period = v_label AND r.indicator = i.code)
        ORDER BY i.sort_order
    LOOP
        md := md || ''::text || ('### ' || v_ind.name_vi) || ''::text;
        SELECT pg_catalog.array_agg(pg_catalog.format('| %s | %s | %s | %s | %s | %s |',
                   CASE r.level WHEN 'province' THEN 'Cấp tỉnh' WHEN 'district' THEN 'Cấp huyện' ELSE 'Cấp xã' END,
                   r.row_no, r.unit_name,
                   kpi.format_vi(r.target, 1, true),
                   kpi.format_vi(r.pct, 1, true),
                   -- the difference of the printed figures; the exact gap
                   -- only where the rate rounds up to the target
                   CASE WHEN r.gap < 0 THEN kpi.format_vi(r.gap, 1, true)
                        ELSE kpi.format_vi(kpi.gap(kpi.ratio(r.numerator, r.denominator), r.target), 6, true)
                   END)
                 ORDER BY CASE WHEN r.denominator > 0 AND r.numerator <= r.denominator
                               THEN kpi.gap(kpi.ratio(r.numerator, r.denominator), 0)
                               ELSE r.pct END,
                          pg_catalog.array_position(ARRAY['province', 'district', 'commune'], r.level),
                          r.row_no)
          INTO v_lines
        FROM kpi.result AS r
        WHERE r.period = v_label AND r.indicator = v_ind.code AND NOT r.met;
        IF v_lines IS NULL THEN
            md := md || '- Tất cả đơn vị có chỉ tiêu được giao đều đạt.'::text;
        ELSE
            md := md || '| Cấp | TT | Cơ quan, đơn vị | Chỉ tiêu được giao (%) | Tỷ lệ (%) | Chênh lệch |'::text
                     || '|---|---|---|---|---|---|'::text
                     || v_lines;
        END IF;
    END LOOP;

    IF NOT EXISTS (SELECT FROM kpi.result AS r WHERE r.period = v_label) THEN
        md := md || ''::text || 'Chưa có số liệu của kỳ này.'::text;
    END IF;

    RETURN pg_catalog.array_to_string(md, E'\n') || E'\n';
END
$$;

COMMENT ON FUNCTION kpi.report_markdown(text) IS
    'Báo cáo của kỳ dạng Markdown: phần 1 (số báo cáo và số tính gộp), sáu bảng phụ lục, các đơn vị chưa đạt chỉ tiêu / The period''s report in Markdown: section 1 (printed and pooled figures), the six appendix tables, the units below target';

-- src/sql/dossier.sql: from dossier rows to the indicators (issue 4).
--
-- Continues src/sql/report.sql in the install script.  An office's input is
-- its dossier export, one row per dossier (kpi.dossier), and the list of the
-- procedures each unit offers online (kpi.service).  kpi.refresh(period)
-- computes the seven indicators of every appendix row in one pass with the
-- C aggregate kpi.dossier_tally and stores them in kpi.indicator_count as
-- source 'computed', where the appendix views, kpi.summary and the report
-- read them (a computed row wins over a published one of the same period,
-- level, unit and indicator; published rows are never touched).

-- ---------------------------------------------------------------------------
-- Dossiers and services
-- ---------------------------------------------------------------------------

CREATE TABLE kpi.dossier (
    dossier_code text PRIMARY KEY
        CONSTRAINT dossier_code_check CHECK (dossier_code <> ''),
    unit_code text NOT NULL REFERENCES kpi.unit (code) ON UPDATE CASCADE,
    procedure_code text NOT NULL
        CONSTRAINT dossier_procedure_code_check CHECK (procedure_code <> ''),
    received_at timestamptz NOT NULL,
    channel text NOT NULL
        CONSTRAINT dossier_channel_check CHECK (channel IN ('online', 'direct', 'postal')),
    fee_required boolean NOT NULL DEFAULT false,
    paid_online boolean NOT NULL DEFAULT false,
    digitized boolean NOT NULL DEFAULT false,
    reused_data boolean NOT NULL DEFAULT false,
    resolved_at timestamptz,
    e_result boolean NOT NULL DEFAULT false,
    CONSTRAINT dossier_paid_online_check CHECK (NOT paid_online OR fee_required),
    CONSTRAINT dossier_resolved_at_check CHECK (resolved_at >= received_at),
    CONSTRAINT dossier_e_result_check CHECK (NOT e_result OR resolved_at IS NOT NULL)
);

COMMENT ON TABLE kpi.dossier IS
    'Hồ sơ: mỗi dòng một hồ sơ xuất từ hệ thống giải quyết TTHC / Dossiers: one row per dossier, as exported from the dossier-handling system';
COMMENT ON COLUMN kpi.dossier.dossier_code IS 'Mã hồ sơ (duy nhất) / Dossier code (unique)';
COMMENT ON COLUMN kpi.dossier.unit_code IS 'Đơn vị tiếp nhận / Receiving unit';
COMMENT ON COLUMN kpi.dossier.procedure_code IS 'Mã thủ tục hành chính, ví dụ 1.001612 / Administrative procedure code, e.g. 1.001612';
COMMENT ON COLUMN kpi.dossier.received_at IS 'Thời điểm tiếp nhận; kỳ của hồ sơ là ngày tiếp nhận / When the dossier was received; its period is the receipt date';
COMMENT ON COLUMN kpi.dossier.channel IS 'Kênh nộp: online, direct (trực tiếp) hoặc postal (bưu chính) / Channel: online, direct or postal';
COMMENT ON COLUMN kpi.dossier.fee_required IS 'Có phí, lệ phí / Fee-bearing';
COMMENT ON COLUMN kpi.dossier.paid_online IS 'Đã thanh toán trực tuyến (chỉ khi có phí) / Paid online (fee-bearing dossiers only)';
COMMENT ON COLUMN kpi.dossier.digitized IS 'Thành phần hồ sơ đã số hóa / Components digitised';
COMMENT ON COLUMN kpi.dossier.reused_data IS 'Khai thác, sử dụng lại dữ liệu đã số hóa / Filled from already digitised data';
COMMENT ON COLUMN kpi.dossier.resolved_at IS 'Thời điểm giải quyết xong; NULL khi chưa giải quyết / When handling finished; NULL until resolved';
COMMENT ON COLUMN kpi.dossier.e_result IS 'Kết quả được cấp dưới dạng điện tử / The decision was issued as an electronic document';

SELECT pg_catalog.pg_extension_config_dump('kpi.dossier', '');

CREATE TABLE kpi.service (
    unit_code text NOT NULL REFERENCES kpi.unit (code) ON UPDATE CASCADE ON DELETE CASCADE,
    procedure_code text NOT NULL
        CONSTRAINT service_procedure_code_check CHECK (procedure_code <> ''),
    online_service boolean NOT NULL DEFAULT false,
    online_payment boolean NOT NULL DEFAULT false,
    PRIMARY KEY (unit_code, procedure_code)
);

COMMENT ON TABLE kpi.service IS
    'Thủ tục đơn vị cung cấp dưới dạng dịch vụ công trực tuyến và có thanh toán trực tuyến / Procedures a unit offers as an online public service and with online payment';
COMMENT ON COLUMN kpi.service.unit_code IS 'Đơn vị / Unit';
COMMENT ON COLUMN kpi.service.procedure_code IS 'Mã thủ tục hành chính / Procedure code';
COMMENT ON COLUMN kpi.service.online_service IS 'Là dịch vụ công trực tuyến tại đơn vị / Offered as an online public service at the unit';
COMMENT ON COLUMN kpi.service.online_payment IS 'Cung cấp thanh toán trực tuyến tại đơn vị / Offered with online payment at the unit';

SELECT pg_catalog.pg_extension_config_dump('kpi.service', '');

-- ---------------------------------------------------------------------------
-- The one-pass engine
-- ---------------------------------------------------------------------------

CREATE TYPE kpi.tally AS (
    unit_code text,
    received bigint,
    online bigint,
    digitized bigint,
    reused bigint,
    fee_bearing bigint,
    paid_online bigint,
    resolved bigint,
    e_result bigint,
    procedures text[],
    procedure_flags integer[]
);
COMMENT ON TYPE kpi.tally IS
    'What kpi.dossier_tally counts for one unit: eight dossier counts, and the procedures received in the period with flags (1 received, 2 online, 4 fee-bearing, 8 paid online)';
COMMENT ON COLUMN kpi.tally.unit_code IS 'Đơn vị / Unit';
COMMENT ON COLUMN kpi.tally.received IS 'Hồ sơ tiếp nhận trong kỳ / Dossiers received in the period';
COMMENT ON COLUMN kpi.tally.online IS 'Tiếp nhận trực tuyến / Received online';
COMMENT ON COLUMN kpi.tally.digitized IS 'Được số hóa / Digitised';
COMMENT ON COLUMN kpi.tally.reused IS 'Sử dụng lại dữ liệu số hóa / Reused digitised data';
COMMENT ON COLUMN kpi.tally.fee_bearing IS 'Có phí, lệ phí / Fee-bearing';
COMMENT ON COLUMN kpi.tally.paid_online IS 'Có phí và thanh toán trực tuyến / Fee-bearing and paid online';
COMMENT ON COLUMN kpi.tally.resolved IS 'Giải quyết từ 01/01 đến cuối kỳ / Resolved from 1 January to the period''s end';
COMMENT ON COLUMN kpi.tally.e_result IS 'Trong đó có kết quả điện tử / Of those, with an electronic result';
COMMENT ON COLUMN kpi.tally.procedures IS 'Thủ tục có hồ sơ tiếp nhận trong kỳ (sắp xếp) / Procedures with a dossier received in the period (sorted)';
COMMENT ON COLUMN kpi.tally.procedure_flags IS 'Cờ của từng thủ tục: 1 có hồ sơ, 2 có hồ sơ trực tuyến, 4 có hồ sơ có phí, 8 có thanh toán trực tuyến / Flags per procedure: 1 received, 2 received online, 4 fee-bearing, 8 paid online';

CREATE FUNCTION kpi.dossier_tally_trans(internal, text, text, text, boolean, boolean, boolean, boolean,
        boolean, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'dossier_tally_trans' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION kpi.dossier_tally_trans(internal, text, text, text, boolean, boolean, boolean, boolean,
        boolean, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz)
    IS 'Transition function of kpi.dossier_tally';

CREATE FUNCTION kpi.dossier_tally_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'dossier_tally_combine' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION kpi.dossier_tally_combine(internal, internal) IS 'Combine function of kpi.dossier_tally';

CREATE FUNCTION kpi.dossier_tally_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'dossier_tally_serialize' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.dossier_tally_serialize(internal) IS 'Serialisation function of kpi.dossier_tally (partial states of parallel workers)';

CREATE FUNCTION kpi.dossier_tally_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'dossier_tally_deserialize' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.dossier_tally_deserialize(bytea, internal) IS 'Deserialisation function of kpi.dossier_tally; checks every size, flag and count';

CREATE FUNCTION kpi.dossier_tally_final(internal) RETURNS kpi.tally[]
    AS 'MODULE_PATHNAME', 'dossier_tally_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION kpi.dossier_tally_final(internal) IS 'Final function of kpi.dossier_tally';

CREATE AGGREGATE kpi.dossier_tally(unit_code text, procedure_code text, channel text, fee_required boolean,
        paid_online boolean, digitized boolean, reused_data boolean, e_result boolean,
        received_at timestamptz, resolved_at timestamptz,
        period_start timestamptz, period_end timestamptz, year_start timestamptz) (
    SFUNC = kpi.dossier_tally_trans,
    STYPE = internal,
    FINALFUNC = kpi.dossier_tally_final,
    COMBINEFUNC = kpi.dossier_tally_combine,
    SERIALFUNC = kpi.dossier_tally_serialize,
    DESERIALFUNC = kpi.dossier_tally_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.dossier_tally(text, text, text, boolean, boolean, boolean, boolean, boolean,
        timestamptz, timestamptz, timestamptz, timestamptz, timestamptz) IS
    'One pass over dossiers: a kpi.tally per unit, sorted by unit code, from which the seven indicators follow.  A dossier is received when period_start <= received_at < period_end and resolved when year_start <= resolved_at < period_end; other dossiers are skipped';

-- ---------------------------------------------------------------------------
-- Periods
-- ---------------------------------------------------------------------------

-- The first and last day of a period label: 2024, 2024-Q1 or 2024-03.
CREATE FUNCTION kpi.period_bounds(label text, OUT starts date, OUT ends date)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    y integer;
    m integer;
BEGIN
    IF label !~ '^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$' OR substr(label, 1, 4)::integer < 2000 THEN
        RAISE EXCEPTION 'invalid period label "%"', label
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A period is a year (2024), a quarter (2024-Q1) or a month (2024-03), from 2000 on.';
    END IF;
    y := substr(label, 1, 4)::integer;
    IF length(label) = 4 THEN
        starts := make_date(y, 1, 1);
        ends := make_date(y, 12, 31);
    ELSIF substr(label, 6, 1) = 'Q' THEN
        m := (substr(label, 7, 1)::integer - 1) * 3 + 1;
        starts := make_date(y, m, 1);
        ends := (starts + interval '3 months' - interval '1 day')::date;
    ELSE
        starts := make_date(y, substr(label, 6, 2)::integer, 1);
        ends := (starts + interval '1 month' - interval '1 day')::date;
    END IF;
END
$$;
COMMENT ON FUNCTION kpi.period_bounds(text) IS
    'First and last day of a period label (2024, 2024-Q1, 2024-03); an error for any other label';

-- How a report names a period: quý I năm 2024 / quarter 1 of 2024.
CREATE FUNCTION kpi.period_names(label text, OUT name_vi text, OUT name_en text)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN ROW(
    CASE WHEN length(label) = 4 THEN 'năm ' || substr(label, 1, 4)
         WHEN substr(label, 6, 1) = 'Q'
         THEN 'quý ' || (ARRAY['I', 'II', 'III', 'IV'])[substr(label, 7, 1)::integer]
              || ' năm ' || substr(label, 1, 4)
         ELSE 'tháng ' || substr(label, 6, 2)::integer || ' năm ' || substr(label, 1, 4) END,
    CASE WHEN length(label) = 4 THEN substr(label, 1, 4)
         WHEN substr(label, 6, 1) = 'Q'
         THEN 'quarter ' || substr(label, 7, 1) || ' of ' || substr(label, 1, 4)
         ELSE to_char((kpi.period_bounds(label)).starts, 'FMMonth YYYY') END);
COMMENT ON FUNCTION kpi.period_names(text) IS
    'How a report names a period label, in Vietnamese and English: 2024-Q1 is quý I năm 2024, quarter 1 of 2024; an error for a label kpi.period_bounds rejects';

-- ---------------------------------------------------------------------------
-- kpi.refresh
-- ---------------------------------------------------------------------------

-- The counts of a period, not stored.  PL/pgSQL's RETURN QUERY may run in
-- parallel workers; an INSERT ... SELECT may not, so kpi.refresh inserts
-- what this function returns.
-- JIT is off: the pass evaluates no expression but the aggregate's
-- arguments, and compiling them took longer (about 0.1 s, in every worker)
-- than it saved (docs/benchmarks.md).  DateStyle is ISO so that the bounds
-- written into the query carry a numeric UTC offset whatever the session's
-- DateStyle and TimeZone (with DateStyle Postgres a zone abbreviation such
-- as IST would be read back as another zone).
CREATE FUNCTION kpi.counts_from_dossiers(period text)
RETURNS TABLE (level text, unit_code text, indicator text, applicable boolean,
               numerator bigint, denominator bigint)
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
SET jit = off
SET DateStyle = 'ISO, YMD'
AS $$
DECLARE
    b record;
    tz text := coalesce(nullif(current_setting('kpi.time_zone', true), ''), 'Asia/Ho_Chi_Minh');
    t_start timestamptz;
    t_end timestamptz;
    t_year timestamptz;
    window_clause text := '';
BEGIN
    b := kpi.period_bounds(period);
    -- Periods are calendar days where the units are (kpi.time_zone).
    t_start := b.starts::timestamp AT TIME ZONE tz;
    t_end := (b.ends + 1)::timestamp AT TIME ZONE tz;
    t_year := make_date(extract(year FROM b.starts)::integer, 1, 1)::timestamp AT TIME ZONE tz;

    -- One pass over the dossiers, a tally per unit (no join per dossier).
    -- Then, on the few rows that come out: the units' online services
    -- decide which procedures count, and communes roll up into their
    -- district.  Not applicable (denominator 0) is NULL.
    --
    -- kpi.dossier_tally dismisses a dossier outside the period and its
    -- cumulative window with two comparisons in C, and groups by unit
    -- itself: both cost less than a WHERE clause and a GROUP BY evaluated
    -- per row (docs/benchmarks.md).  The window goes into the query as a
    -- WHERE clause only when indexes on received_at and resolved_at let the
    -- planner read less than the whole table.  Either way the result is the
    -- same.  The bounds go in as constants (EXECUTE): compared per row,
    -- constants cost less than PL/pgSQL parameters.
    -- Indexes that can serve a range: valid, not partial, btree or BRIN,
    -- with the date as their first column.
    IF (SELECT count(DISTINCT a.attname) = 2
        FROM pg_index AS i
        JOIN pg_class AS c ON c.oid = i.indexrelid
        JOIN pg_am AS am ON am.oid = c.relam
        JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = 'kpi.dossier'::regclass AND i.indisvalid AND i.indpred IS NULL
          AND am.amname IN ('btree', 'brin') AND a.attname IN ('received_at', 'resolved_at')) THEN
        window_clause := format('WHERE (d.received_at >= %1$L AND d.received_at < %2$L)'
                                ' OR (d.resolved_at >= %3$L AND d.resolved_at < %2$L)',
                                t_start, t_end, t_year);
    END IF;

    RETURN QUERY EXECUTE format($q$
    WITH t AS (
        SELECT x.*
        FROM (SELECT kpi.dossier_tally(d.unit_code, d.procedure_code, d.channel, d.fee_required,
                                       d.paid_online, d.digitized, d.reused_data, d.e_result,
                                       d.received_at, d.resolved_at, %1$L, %2$L, %3$L) AS a
              FROM kpi.dossier AS d
              %4$s) AS s
        CROSS JOIN LATERAL unnest(s.a) AS x
    ), row_unit AS (
        SELECT t.*, u.level,
               CASE WHEN u.level = 'commune' THEN u.parent_code ELSE u.code END AS code
        FROM t JOIN kpi.unit AS u ON u.code = t.unit_code
    ), counts AS (
        SELECT r.level, r.code,
               sum(r.received)::bigint AS received, sum(r.online)::bigint AS online,
               sum(r.digitized)::bigint AS digitized, sum(r.reused)::bigint AS reused,
               sum(r.fee_bearing)::bigint AS fee, sum(r.paid_online)::bigint AS paid,
               sum(r.resolved)::bigint AS resolved, sum(r.e_result)::bigint AS e_result
        FROM row_unit AS r
        GROUP BY 1, 2
    ), procs AS (
        SELECT r.level, r.code,
               kpi.coverage(p.code, p.flags & 2 <> 0) FILTER (WHERE s.online_service) AS service_uptake,
               kpi.coverage(p.code, p.flags & 8 <> 0) FILTER (WHERE s.online_payment AND p.flags & 4 <> 0) AS payment_uptake
        FROM row_unit AS r
        CROSS JOIN LATERAL unnest(r.procedures, r.procedure_flags) AS p(code, flags)
        JOIN kpi.service AS s ON s.unit_code = r.unit_code AND s.procedure_code = p.code
        GROUP BY 1, 2
    )
    SELECT c.level, c.code, x.indicator,
           x.d > 0,
           CASE WHEN x.d > 0 THEN x.n END,
           CASE WHEN x.d > 0 THEN x.d END
    FROM counts AS c
    LEFT JOIN procs AS p ON p.level = c.level AND p.code = c.code
    CROSS JOIN LATERAL (VALUES
        ('service_uptake', coalesce(kpi.numerator(p.service_uptake), 0), coalesce(kpi.denominator(p.service_uptake), 0)),
        ('online_dossier', c.online, c.received),
        ('payment_uptake', coalesce(kpi.numerator(p.payment_uptake), 0), coalesce(kpi.denominator(p.payment_uptake), 0)),
        ('online_payment', c.paid, c.fee),
        ('digitization', c.digitized, c.received),
        ('data_reuse', c.reused, c.received),
        ('e_result', c.e_result, c.resolved)) AS x(indicator, n, d)
    $q$, t_start, t_end, t_year, window_clause);
END
$$;
COMMENT ON FUNCTION kpi.counts_from_dossiers(text) IS
    'The seven indicators of every appendix row of a period computed from kpi.dossier and kpi.service, without storing them: what kpi.refresh stores';

CREATE FUNCTION kpi.refresh(period text) RETURNS bigint
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b record;
    n bigint;
BEGIN
    b := kpi.period_bounds(period);
    INSERT INTO kpi.period AS p (label, starts, ends, name_vi, name_en)
    SELECT period, b.starts, b.ends, n.name_vi, n.name_en FROM kpi.period_names(period) AS n
    ON CONFLICT (label) DO NOTHING;
    IF EXISTS (SELECT FROM kpi.period AS p
               WHERE p.label = period AND (p.starts, p.ends) <> (b.starts, b.ends)) THEN
        RAISE EXCEPTION 'period "%" is stored with other dates', period
            USING ERRCODE = 'data_exception';
    END IF;

    DELETE FROM kpi.indicator_count AS c WHERE c.period = refresh.period AND c.source = 'computed';
    INSERT INTO kpi.indicator_count AS c
           (period, level, unit_code, indicator, source, applicable, numerator, denominator)
    SELECT refresh.period, f.level, f.unit_code, f.indicator, 'computed', f.applicable, f.numerator, f.denominator
    FROM kpi.counts_from_dossiers(refresh.period) AS f;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION kpi.refresh(text) IS
    'Computes the seven indicators of every appendix row of a period (2024, 2024-Q1, 2024-03) from kpi.dossier and kpi.service in one pass, replaces the period''s computed rows in kpi.indicator_count and returns how many it wrote; published rows are kept';

-- src/sql/loading.sql: loading real files (issue 5).
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
