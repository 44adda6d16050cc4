-- src/sql/indicator.sql: what an indicator is, and its targets.
--
-- The rows of kpi.dossier_flag, kpi.appendix_table and the built-in rows of
-- kpi.indicator come from src/catalogue.txt, where each indicator is written
-- down once: its names, how the engine counts its numerator and denominator
-- (kpi.counts_from_dossiers reads that here), and where it stands in the
-- appendix (the views are generated from it, kpi.report_markdown reads it).

-- ---------------------------------------------------------------------------
-- Dossier flags
-- ---------------------------------------------------------------------------

CREATE TABLE kpi.dossier_flag (
    code text PRIMARY KEY,
    bit integer NOT NULL UNIQUE
        CONSTRAINT dossier_flag_bit_check CHECK (bit BETWEEN 0 AND 7),
    requires text[] NOT NULL DEFAULT '{}',
    name_vi text NOT NULL,
    name_en text NOT NULL
);

INSERT INTO kpi.dossier_flag (code, bit, requires, name_vi, name_en)
SELECT v.code, v.bit::integer, pg_catalog.string_to_array(coalesce(v.requires, ''), ' '), v.name_vi, v.name_en
FROM (VALUES
    -- @catalogue flag (code, bit, requires, name_vi, name_en)
) AS v (code, bit, requires, name_vi, name_en)
ON CONFLICT (code) DO UPDATE SET bit = excluded.bit, requires = excluded.requires, name_vi = excluded.name_vi, name_en = excluded.name_en;

GRANT SELECT ON kpi.dossier_flag TO PUBLIC;

COMMENT ON TABLE kpi.dossier_flag IS
    'Các cờ của một hồ sơ mà kpi.dossier_tally ghi nhận; chỉ tiêu đếm hồ sơ theo cờ / What kpi.dossier_tally records of a dossier: the flags indicators count dossiers and procedures by';
COMMENT ON COLUMN kpi.dossier_flag.code IS 'Tên cờ / Flag name';
COMMENT ON COLUMN kpi.dossier_flag.bit IS 'Vị trí bit trong các tổ hợp cờ của kpi.tally / Bit of the flag in the combinations of kpi.tally';
COMMENT ON COLUMN kpi.dossier_flag.requires IS 'Các cờ luôn đi kèm cờ này / Flags a dossier with this one always has';
COMMENT ON COLUMN kpi.dossier_flag.name_vi IS 'Ý nghĩa (tiếng Việt) / Meaning in Vietnamese';
COMMENT ON COLUMN kpi.dossier_flag.name_en IS 'Ý nghĩa (tiếng Anh) / Meaning in English';

-- The bits of a list of flag names, or an error naming the one that is not
-- a flag.  Immutable: the flags change only with the extension's version.
CREATE FUNCTION kpi.flag_mask(flags text[]) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    f text;
    b integer;
    mask integer := 0;
BEGIN
    FOREACH f IN ARRAY flags LOOP
        SELECT v.bit::integer INTO b FROM (VALUES
            -- @catalogue flag (code, bit)
        ) AS v (code, bit) WHERE v.code = f;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'unknown dossier flag "%"', f
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'The flags are the rows of kpi.dossier_flag.';
        END IF;
        mask := mask | (1 << b);
    END LOOP;
    RETURN mask;
END
$$;
COMMENT ON FUNCTION kpi.flag_mask(text[]) IS
    'Các bit của danh sách cờ / The bits of a list of dossier flag names (kpi.dossier_flag); an error for an unknown name';

-- ---------------------------------------------------------------------------
-- Appendix tables
-- ---------------------------------------------------------------------------

CREATE TABLE kpi.appendix_table (
    code text PRIMARY KEY,
    position integer NOT NULL UNIQUE,
    comment_vi text NOT NULL,
    comment_en text NOT NULL
);

INSERT INTO kpi.appendix_table (code, position, comment_vi, comment_en)
SELECT v.code, v.position::integer, v.comment_vi, v.comment_en
FROM (VALUES
    -- @catalogue table (code, position, comment_vi, comment_en)
) AS v (code, position, comment_vi, comment_en)
ON CONFLICT (code) DO UPDATE SET position = excluded.position, comment_vi = excluded.comment_vi, comment_en = excluded.comment_en;

GRANT SELECT ON kpi.appendix_table TO PUBLIC;

COMMENT ON TABLE kpi.appendix_table IS
    'Các bảng của mỗi phụ lục (bảng 1 online, bảng 2 digital) / The tables of each appendix (1 online, 2 digital)';
COMMENT ON COLUMN kpi.appendix_table.code IS 'Mã bảng; view kpi.appendix_<mã> / Table code; its view is kpi.appendix_<code>';
COMMENT ON COLUMN kpi.appendix_table.position IS 'Số thứ tự của bảng trong phụ lục / Number of the table in an appendix';
COMMENT ON COLUMN kpi.appendix_table.comment_vi IS 'Các chỉ tiêu của bảng (tiếng Việt) / What the table holds, in Vietnamese';
COMMENT ON COLUMN kpi.appendix_table.comment_en IS 'Các chỉ tiêu của bảng (tiếng Anh) / What the table holds, in English';

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
    summary_item text,
    summary_order integer UNIQUE,
    summary_title_vi text,
    builtin boolean NOT NULL DEFAULT false,
    service text
        CONSTRAINT indicator_service_check CHECK (service IN ('online_service', 'online_payment')),
    basis text
        CONSTRAINT indicator_basis_check CHECK (basis IN ('received', 'resolved')),
    denominator_flags text[]
        CONSTRAINT indicator_denominator_flags_check CHECK (kpi.flag_mask(denominator_flags) >= 0),
    numerator_flags text[]
        CONSTRAINT indicator_numerator_flags_check CHECK (kpi.flag_mask(numerator_flags) >= 0),
    appendix_table text REFERENCES kpi.appendix_table (code),
    denominator_column text
        CONSTRAINT indicator_denominator_column_check CHECK (denominator_column ~ '^[a-z][a-z0-9_]*$'),
    numerator_column text
        CONSTRAINT indicator_numerator_column_check CHECK (numerator_column ~ '^[a-z][a-z0-9_]*$'),
    -- computed from dossiers: a basis, both flag lists, and a service for procedures
    CONSTRAINT indicator_formula_check CHECK (
        (basis IS NULL AND denominator_flags IS NULL AND numerator_flags IS NULL AND service IS NULL)
        OR (basis IS NOT NULL AND denominator_flags IS NOT NULL AND numerator_flags IS NOT NULL
            AND (service IS NOT NULL) = (counts = 'procedures'))),
    CONSTRAINT indicator_appendix_check CHECK (appendix_table IS NULL
        OR (denominator_column IS NOT NULL AND numerator_column IS NOT NULL))
);

INSERT INTO kpi.indicator (code, sort_order, name_vi, name_en,
        numerator_label_vi, numerator_label_en, denominator_label_vi, denominator_label_en,
        counts, summary_item, summary_order, summary_title_vi, builtin, service, basis,
        denominator_flags, numerator_flags, appendix_table, denominator_column, numerator_column)
SELECT v.code, v.sort_order::integer, v.name_vi, v.name_en,
       v.numerator_label_vi, v.numerator_label_en, v.denominator_label_vi, v.denominator_label_en,
       v.counts, v.summary_item, v.summary_order::integer, v.summary_title_vi, true, v.service, v.basis,
       pg_catalog.string_to_array(coalesce(v.denominator, ''), ' '),
       pg_catalog.string_to_array(coalesce(v.numerator, ''), ' '),
       v.appendix_table, v.denominator_column, v.numerator_column
FROM (VALUES
    -- @catalogue indicator (code, sort_order, name_vi, name_en, numerator_label_vi, numerator_label_en, denominator_label_vi, denominator_label_en, counts, summary_item, summary_order, summary_title_vi, service, basis, denominator, numerator, table, denominator_column, numerator_column)
) AS v (code, sort_order, name_vi, name_en, numerator_label_vi, numerator_label_en,
        denominator_label_vi, denominator_label_en, counts, summary_item, summary_order,
        summary_title_vi, service, basis, denominator, numerator, appendix_table,
        denominator_column, numerator_column)
ON CONFLICT (code) DO UPDATE SET
    sort_order = excluded.sort_order, name_vi = excluded.name_vi, name_en = excluded.name_en,
    numerator_label_vi = excluded.numerator_label_vi, numerator_label_en = excluded.numerator_label_en, denominator_label_vi = excluded.denominator_label_vi,
    denominator_label_en = excluded.denominator_label_en, counts = excluded.counts, summary_item = excluded.summary_item,
    summary_order = excluded.summary_order, summary_title_vi = excluded.summary_title_vi, builtin = excluded.builtin,
    service = excluded.service, basis = excluded.basis, denominator_flags = excluded.denominator_flags,
    numerator_flags = excluded.numerator_flags, appendix_table = excluded.appendix_table, denominator_column = excluded.denominator_column,
    numerator_column = excluded.numerator_column;

SELECT pg_catalog.pg_extension_config_dump('kpi.indicator', 'WHERE NOT builtin');

COMMENT ON TABLE kpi.indicator IS
    'Chỉ tiêu: tên, nhãn, cách đếm tử số và mẫu số từ hồ sơ, vị trí trong phụ lục / Indicators: names, labels, how the engine counts numerator and denominator from dossiers, and where they stand in the appendix';
COMMENT ON COLUMN kpi.indicator.code IS 'Mã chỉ tiêu / Indicator code, e.g. online_dossier';
COMMENT ON COLUMN kpi.indicator.sort_order IS 'Thứ tự trong phụ lục / Order in the appendix tables';
COMMENT ON COLUMN kpi.indicator.name_vi IS 'Tên tiếng Việt / Vietnamese name';
COMMENT ON COLUMN kpi.indicator.name_en IS 'Tên tiếng Anh / English name';
COMMENT ON COLUMN kpi.indicator.numerator_label_vi IS 'Nhãn tử số (tiếng Việt) / Numerator label in Vietnamese';
COMMENT ON COLUMN kpi.indicator.numerator_label_en IS 'Nhãn tử số (tiếng Anh) / Numerator label in English';
COMMENT ON COLUMN kpi.indicator.denominator_label_vi IS 'Nhãn mẫu số (tiếng Việt) / Denominator label in Vietnamese';
COMMENT ON COLUMN kpi.indicator.denominator_label_en IS 'Nhãn mẫu số (tiếng Anh) / Denominator label in English';
COMMENT ON COLUMN kpi.indicator.counts IS 'Đếm hồ sơ (dossiers) hay thủ tục riêng biệt (procedures) / Counts dossiers or distinct procedures';
COMMENT ON COLUMN kpi.indicator.summary_item IS 'Mục trong phần 1 của báo cáo (a, b, c, d, đ, e, f) / Item letter in section 1 of the report';
COMMENT ON COLUMN kpi.indicator.summary_order IS 'Thứ tự trong phần 1 của báo cáo / Order in section 1 of the report';
COMMENT ON COLUMN kpi.indicator.summary_title_vi IS 'Tiêu đề trong phần 1 của báo cáo / Heading in section 1 of the report';
COMMENT ON COLUMN kpi.indicator.builtin IS 'Dòng do tiện ích cài đặt (không được pg_dump sao lưu) / Row installed by the extension (left out of pg_dump)';
COMMENT ON COLUMN kpi.indicator.service IS 'Với chỉ tiêu đếm thủ tục: cột của kpi.service chọn thủ tục (online_service, online_payment) / For procedure counts: the column of kpi.service that selects the procedures';
COMMENT ON COLUMN kpi.indicator.basis IS 'Hồ sơ được đếm: received (tiếp nhận trong kỳ), resolved (giải quyết từ 01/01 đến cuối kỳ); NULL: không tính từ hồ sơ / Dossiers counted: received in the period, or resolved from 1 January to the period''s end; NULL: not computed from dossiers';
COMMENT ON COLUMN kpi.indicator.denominator_flags IS 'Cờ hồ sơ phải có để vào mẫu số (kpi.dossier_flag) / Flags a dossier must have to count in the denominator';
COMMENT ON COLUMN kpi.indicator.numerator_flags IS 'Cờ phải có thêm để vào tử số / Flags it must have, in addition, to count in the numerator';
COMMENT ON COLUMN kpi.indicator.appendix_table IS 'Bảng phụ lục chứa chỉ tiêu (kpi.appendix_table); NULL: không in / Appendix table of the indicator; NULL: not in the appendix';
COMMENT ON COLUMN kpi.indicator.denominator_column IS 'Cột mẫu số trong phụ lục (dossiers_received: cột chung) / Appendix column of the denominator (dossiers_received: the shared column)';
COMMENT ON COLUMN kpi.indicator.numerator_column IS 'Cột tử số trong phụ lục / Appendix column of the numerator';

-- ---------------------------------------------------------------------------
-- Targets
-- ---------------------------------------------------------------------------

CREATE TABLE kpi.target (
    year integer NOT NULL
        CONSTRAINT target_year_check CHECK (year BETWEEN 2000 AND 2999),
    indicator text NOT NULL,
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

CREATE TABLE kpi.assigned_target (
    period text NOT NULL,
    level text NOT NULL
        CONSTRAINT assigned_target_level_check CHECK (level IN ('province', 'district', 'commune')),
    unit_code text NOT NULL,
    indicator text NOT NULL,
    target numeric(5,1) NOT NULL
        CONSTRAINT assigned_target_target_check CHECK (target BETWEEN 0 AND 100),
    PRIMARY KEY (period, level, unit_code, indicator)
);

COMMENT ON TABLE kpi.assigned_target IS
    'Chỉ tiêu được giao cho từng đơn vị theo kỳ / Target assigned to each unit per period and indicator';
COMMENT ON COLUMN kpi.assigned_target.period IS 'Kỳ báo cáo / Period label';
COMMENT ON COLUMN kpi.assigned_target.level IS 'Cấp của số liệu / Level of the figures';
COMMENT ON COLUMN kpi.assigned_target.unit_code IS 'Mã đơn vị / Unit code';
COMMENT ON COLUMN kpi.assigned_target.indicator IS 'Mã chỉ tiêu / Indicator code';
COMMENT ON COLUMN kpi.assigned_target.target IS 'Chỉ tiêu được giao (%) / Assigned target (percent)';

SELECT pg_catalog.pg_extension_config_dump('kpi.assigned_target', '');

