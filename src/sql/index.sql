-- src/sql/index.sql: the national index of Decision 766/QĐ-TTg, as the
-- national portal scores it: six groups of metrics, 100 points per unit and
-- period.  The rules are rows (kpi.metric_group, kpi.metric, from
-- src/catalogue.txt); the counts come from the office's own dossiers
-- (kpi.refresh) or from the portal's responses (kpi.ingest_portal), side by
-- side; the views score them (kpi.metric_score, kpi.group_score,
-- kpi.index_score) beside what the portal published; kpi.points_to_gain
-- says what the missing points would take; kpi.index_markdown reports it.
-- docs/index.md gives every rule with its evidence.

-- ---------------------------------------------------------------------------
-- The rules
-- ---------------------------------------------------------------------------

CREATE TABLE kpi.metric_group (
    code text PRIMARY KEY,
    position integer NOT NULL UNIQUE,
    name_vi text NOT NULL,
    name_en text NOT NULL,
    max_score numeric(6,2) NOT NULL
        CONSTRAINT metric_group_max_score_check CHECK (max_score > 0)
);

INSERT INTO kpi.metric_group (code, position, name_vi, name_en, max_score)
SELECT v.code, v.position::integer, v.name_vi, v.name_en, v.max_score::numeric
FROM (VALUES
    -- @catalogue group (code, position, name_vi, name_en, max_score)
) AS v (code, position, name_vi, name_en, max_score)
ON CONFLICT (code) DO UPDATE SET position = excluded.position, name_vi = excluded.name_vi,
    name_en = excluded.name_en, max_score = excluded.max_score;

GRANT SELECT ON kpi.metric_group TO PUBLIC;

COMMENT ON TABLE kpi.metric_group IS
    'Sáu nhóm chỉ số của Quyết định 766 (tổng 100 điểm) / The six groups of the Decision 766 index (100 points in all)';
COMMENT ON COLUMN kpi.metric_group.code IS 'Mã nhóm, như Cổng DVCQG (dossier-digitized) / Group code, after the portal''s endpoints';
COMMENT ON COLUMN kpi.metric_group.position IS 'Thứ tự / Order';
COMMENT ON COLUMN kpi.metric_group.name_vi IS 'Tên nhóm / Name in Vietnamese';
COMMENT ON COLUMN kpi.metric_group.name_en IS 'Tên tiếng Anh / Name in English';
COMMENT ON COLUMN kpi.metric_group.max_score IS 'Điểm tối đa của nhóm / Maximum points of the group';

CREATE TABLE kpi.metric (
    code text PRIMARY KEY
        CONSTRAINT metric_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]*$' AND length(code) <= 100),
    group_code text NOT NULL REFERENCES kpi.metric_group (code),
    position integer NOT NULL,
    name_vi text NOT NULL,
    name_en text NOT NULL,
    max_score numeric(6,2) NOT NULL
        CONSTRAINT metric_max_score_check CHECK (max_score >= 0),
    full_at numeric
        CONSTRAINT metric_full_at_check CHECK (full_at > 0 AND full_at <= 1),
    zero_denominator text NOT NULL
        CONSTRAINT metric_zero_denominator_check CHECK (zero_denominator IN ('null', 'zero', 'max')),
    rule text NOT NULL
        CONSTRAINT metric_rule_check CHECK (rule IN ('linear', 'tracked', 'constant')),
    arithmetic text NOT NULL DEFAULT 'exact'
        CONSTRAINT metric_arithmetic_check CHECK (arithmetic IN ('exact', 'float8')),
    counts text
        CONSTRAINT metric_counts_check CHECK (counts IN ('dossiers', 'procedures')),
    basis text
        CONSTRAINT metric_basis_check CHECK (basis IN ('received')),
    denominator_flags text[]
        CONSTRAINT metric_denominator_flags_check CHECK (kpi.flag_mask(denominator_flags) >= 0),
    numerator_flags text[]
        CONSTRAINT metric_numerator_flags_check CHECK (kpi.flag_mask(numerator_flags) >= 0),
    numerator_fields text[],
    denominator_fields text[],
    builtin boolean NOT NULL DEFAULT false,
    UNIQUE (group_code, position),
    CONSTRAINT metric_linear_check CHECK (rule <> 'linear' OR full_at IS NOT NULL),
    CONSTRAINT metric_tracked_check CHECK (rule <> 'tracked' OR max_score = 0),
    CONSTRAINT metric_formula_check CHECK (
        (basis IS NULL AND counts IS NULL AND denominator_flags IS NULL AND numerator_flags IS NULL)
        OR (basis IS NOT NULL AND counts IS NOT NULL AND denominator_flags IS NOT NULL AND numerator_flags IS NOT NULL)),
    CONSTRAINT metric_fields_check CHECK ((numerator_fields IS NULL) = (denominator_fields IS NULL))
);

INSERT INTO kpi.metric (code, group_code, position, name_vi, name_en, max_score, full_at, zero_denominator,
                        rule, arithmetic, counts, basis, denominator_flags, numerator_flags,
                        numerator_fields, denominator_fields, builtin)
SELECT v.code, v.group_code, v.position::integer, v.name_vi, v.name_en, v.max_score::numeric, v.full_at::numeric,
       v.zero_denominator, v.rule, v.arithmetic, v.counts, v.basis,
       CASE WHEN v.basis IS NOT NULL THEN pg_catalog.string_to_array(coalesce(v.denominator, ''), ' ') END,
       CASE WHEN v.basis IS NOT NULL THEN pg_catalog.string_to_array(coalesce(v.numerator, ''), ' ') END,
       pg_catalog.string_to_array(v.numerator_field, ' '), pg_catalog.string_to_array(v.denominator_field, ' '), true
FROM (VALUES
    -- @catalogue metric (code, group, position, name_vi, name_en, max_score, full_at, zero_denominator, rule, arithmetic, counts, basis, denominator, numerator, numerator_field, denominator_field)
) AS v (code, group_code, position, name_vi, name_en, max_score, full_at, zero_denominator, rule, arithmetic,
        counts, basis, denominator, numerator, numerator_field, denominator_field)
ON CONFLICT (code) DO UPDATE SET
    group_code = excluded.group_code, position = excluded.position, name_vi = excluded.name_vi,
    name_en = excluded.name_en, max_score = excluded.max_score, full_at = excluded.full_at,
    zero_denominator = excluded.zero_denominator, rule = excluded.rule, arithmetic = excluded.arithmetic,
    counts = excluded.counts, basis = excluded.basis, denominator_flags = excluded.denominator_flags,
    numerator_flags = excluded.numerator_flags, numerator_fields = excluded.numerator_fields,
    denominator_fields = excluded.denominator_fields, builtin = excluded.builtin;

SELECT pg_catalog.pg_extension_config_dump('kpi.metric', 'WHERE NOT builtin');

COMMENT ON TABLE kpi.metric IS
    'Chỉ số thành phần của Quyết định 766 và quy tắc tính điểm (dữ liệu, sửa được để thử) / The metrics of the Decision 766 index and their scoring rules (data: change one in a transaction for a what-if)';
COMMENT ON COLUMN kpi.metric.code IS 'Mã chỉ số như Cổng DVCQG (ORIGINAL_RESULT_AVAILABLE) / Metric code, as the portal writes it';
COMMENT ON COLUMN kpi.metric.group_code IS 'Nhóm / Group';
COMMENT ON COLUMN kpi.metric.position IS 'Thứ tự trong nhóm / Order in the group';
COMMENT ON COLUMN kpi.metric.name_vi IS 'Tên chỉ số / Name in Vietnamese';
COMMENT ON COLUMN kpi.metric.name_en IS 'Tên tiếng Anh / Name in English';
COMMENT ON COLUMN kpi.metric.max_score IS 'Điểm tối đa / Maximum points';
COMMENT ON COLUMN kpi.metric.full_at IS 'Tỷ lệ đạt điểm tối đa (0,8 là 80%) / The share that earns full points (0.8 for 80%)';
COMMENT ON COLUMN kpi.metric.zero_denominator IS 'Mẫu số 0 được: null (không chấm), zero (0 điểm), max (điểm tối đa) / What a denominator of 0 earns: null (no score), zero, max (full points)';
COMMENT ON COLUMN kpi.metric.rule IS 'linear (tuyến tính đến ngưỡng), tracked (chỉ theo dõi, không điểm), constant (luôn đủ điểm) / linear (points in proportion up to full_at), tracked (no points), constant (always full points)';
COMMENT ON COLUMN kpi.metric.arithmetic IS 'exact (số thập phân chính xác) hoặc float8 (như Cổng DVCQG tính phần thanh toán) / exact, or float8 as the portal computes the payment parts';
COMMENT ON COLUMN kpi.metric.counts IS 'Đếm từ hồ sơ: dossiers hoặc procedures; NULL: không tính được từ hồ sơ / Counted from dossiers: dossiers or procedures; NULL: not from dossiers';
COMMENT ON COLUMN kpi.metric.basis IS 'received: hồ sơ tiếp nhận trong kỳ / received: dossiers received in the period';
COMMENT ON COLUMN kpi.metric.denominator_flags IS 'Cờ hồ sơ của mẫu số / Dossier flags of the denominator';
COMMENT ON COLUMN kpi.metric.numerator_flags IS 'Cờ thêm của tử số / Further flags of the numerator';
COMMENT ON COLUMN kpi.metric.numerator_fields IS 'Trường (cộng lại) chứa tử số trong phản hồi dạng cây của Cổng / Fields of the portal''s tree responses whose sum is the numerator';
COMMENT ON COLUMN kpi.metric.denominator_fields IS 'Trường chứa mẫu số trong phản hồi dạng cây / Fields of the tree responses whose sum is the denominator';
COMMENT ON COLUMN kpi.metric.builtin IS 'Cài cùng tiện ích / Installed with the extension (edits to these rows are not dumped)';

CREATE FUNCTION kpi.float8_round(value float8, digits integer) RETURNS numeric
    AS 'MODULE_PATHNAME', 'kpi_float8_round' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.float8_round(float8, integer) IS
    'Làm tròn số float8 theo giá trị nhị phân chính xác, nửa xa số 0 / A double rounded to decimals, half away from zero, on its exact binary value (6 * 93.25 / 100 gives 5.59, as the portal computes it)';

-- The points of a metric: max * min(1, (n / d) / full_at), rounded to two
-- decimals half away from zero, from the unrounded fraction; or, in
-- float8 arithmetic, as the portal computes its payment parts:
-- max / full_at * ratio / 100 in binary floating point, ratio being
-- 100 n / d rounded to two decimals, capped at max, then rounded.
CREATE FUNCTION kpi.metric_points(max_score numeric, full_at numeric, zero_denominator text, rule text,
                                  arithmetic text, numerator numeric, denominator numeric)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- the values kpi.metric's constraints allow, and nothing else
    IF rule IS NULL OR rule NOT IN ('linear', 'tracked', 'constant')
       OR arithmetic IS NULL OR arithmetic NOT IN ('exact', 'float8')
       OR zero_denominator IS NULL OR zero_denominator NOT IN ('null', 'zero', 'max')
       OR (rule = 'linear' AND NOT coalesce(full_at > 0 AND full_at <= 1, false)) THEN
        RAISE EXCEPTION 'invalid metric: rule %, arithmetic %, zero_denominator %, full_at %',
                        coalesce(quote_literal(rule), 'NULL'), coalesce(quote_literal(arithmetic), 'NULL'),
                        coalesce(quote_literal(zero_denominator), 'NULL'), coalesce(full_at::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'rule is linear, tracked or constant; arithmetic exact or float8; zero_denominator null, zero or max; full_at, for a linear rule, more than 0 and at most 1.';
    END IF;
    RETURN CASE
        WHEN rule = 'tracked' THEN NULL
        WHEN rule = 'constant' THEN max_score
        WHEN numerator IS NULL OR denominator IS NULL THEN NULL
        WHEN denominator = 0 THEN CASE zero_denominator WHEN 'zero' THEN 0 WHEN 'max' THEN max_score END
        WHEN arithmetic = 'float8' THEN
            kpi.float8_round(least(max_score::float8,
                                   (max_score / full_at)::float8 * round(100 * numerator / denominator, 2)::float8 / 100), 2)
        ELSE round(max_score * least(1, numerator / (denominator * full_at)), 2)
    END;
END
$$;
COMMENT ON FUNCTION kpi.metric_points(numeric, numeric, text, text, text, numeric, numeric) IS
    'Điểm của một chỉ số theo quy tắc của nó / The points of a metric under its rule: round(max * min(1, n / d / full_at), 2) half away from zero, or the portal''s float8 arithmetic; NULL where the rule gives no score';


-- Classification of a total: none is official (docs/index.md).
CREATE TABLE kpi.index_class (
    code text PRIMARY KEY,
    name_vi text NOT NULL,
    name_en text NOT NULL,
    min_total numeric(6,2) NOT NULL UNIQUE
        CONSTRAINT index_class_min_total_check CHECK (min_total BETWEEN 0 AND 100)
);
SELECT pg_catalog.pg_extension_config_dump('kpi.index_class', '');
COMMENT ON TABLE kpi.index_class IS
    'Xếp loại theo tổng điểm (không có ngưỡng chính thức: trống khi cài) / Classes of a total (no official thresholds exist: empty as installed; docs/index.md shows commonly used ones)';
COMMENT ON COLUMN kpi.index_class.code IS 'Mã xếp loại / Class code';
COMMENT ON COLUMN kpi.index_class.name_vi IS 'Tên xếp loại / Name in Vietnamese';
COMMENT ON COLUMN kpi.index_class.name_en IS 'Tên tiếng Anh / Name in English';
COMMENT ON COLUMN kpi.index_class.min_total IS 'Tổng điểm tối thiểu (trên 100) / The least total (of 100) of the class';

-- ---------------------------------------------------------------------------
-- The counts, and what the portal published
-- ---------------------------------------------------------------------------

CREATE TABLE kpi.metric_count (
    period text NOT NULL,
    unit_code text NOT NULL,
    metric text NOT NULL,
    source text NOT NULL
        CONSTRAINT metric_count_source_check CHECK (source IN ('computed', 'portal')),
    numerator bigint
        CONSTRAINT metric_count_numerator_check CHECK (numerator >= 0),
    denominator bigint
        CONSTRAINT metric_count_denominator_check CHECK (denominator >= 0),
    PRIMARY KEY (period, unit_code, metric, source),
    CONSTRAINT metric_count_pair_check CHECK ((numerator IS NULL) = (denominator IS NULL))
);
SELECT pg_catalog.pg_extension_config_dump('kpi.metric_count', '');
COMMENT ON TABLE kpi.metric_count IS
    'Tử số, mẫu số của từng chỉ số Quyết định 766 theo kỳ và đơn vị: computed (tính từ hồ sơ) hoặc portal (nạp từ Cổng DVCQG) / Numerator and denominator of each Decision 766 metric per period and unit: computed (from dossiers, by kpi.refresh) or portal (loaded by kpi.ingest_portal)';
COMMENT ON COLUMN kpi.metric_count.period IS 'Kỳ / Period';
COMMENT ON COLUMN kpi.metric_count.unit_code IS 'Đơn vị (cấp all: cả tỉnh) / Unit (level all: the whole province)';
COMMENT ON COLUMN kpi.metric_count.metric IS 'Chỉ số / Metric code';
COMMENT ON COLUMN kpi.metric_count.source IS 'computed (từ hồ sơ) hoặc portal (từ Cổng) / computed (from dossiers) or portal (from the portal)';
COMMENT ON COLUMN kpi.metric_count.numerator IS 'Tử số / Numerator';
COMMENT ON COLUMN kpi.metric_count.denominator IS 'Mẫu số / Denominator';

CREATE TABLE kpi.portal_score (
    period text NOT NULL,
    unit_code text NOT NULL,
    metric text NOT NULL,
    score numeric(6,2),
    ratio numeric(6,2),
    max_score numeric(6,2),
    PRIMARY KEY (period, unit_code, metric)
);
SELECT pg_catalog.pg_extension_config_dump('kpi.portal_score', '');
COMMENT ON TABLE kpi.portal_score IS
    'Điểm và tỷ lệ Cổng DVCQG công bố cho từng chỉ số / Score and ratio the portal published per metric, unit and period';
COMMENT ON COLUMN kpi.portal_score.period IS 'Kỳ / Period';
COMMENT ON COLUMN kpi.portal_score.unit_code IS 'Đơn vị / Unit';
COMMENT ON COLUMN kpi.portal_score.metric IS 'Chỉ số / Metric code';
COMMENT ON COLUMN kpi.portal_score.score IS 'Điểm công bố / Published score';
COMMENT ON COLUMN kpi.portal_score.ratio IS 'Tỷ lệ (%) công bố / Published ratio, percent';
COMMENT ON COLUMN kpi.portal_score.max_score IS 'Điểm tối đa công bố / Published maximum';

CREATE TABLE kpi.portal_group_score (
    period text NOT NULL,
    unit_code text NOT NULL,
    group_code text NOT NULL REFERENCES kpi.metric_group (code),
    score numeric(6,2),
    max_score numeric(6,2),
    ratio numeric(6,2),
    PRIMARY KEY (period, unit_code, group_code)
);
SELECT pg_catalog.pg_extension_config_dump('kpi.portal_group_score', '');
COMMENT ON TABLE kpi.portal_group_score IS
    'Điểm nhóm Cổng DVCQG công bố / Group score the portal published per unit and period';
COMMENT ON COLUMN kpi.portal_group_score.period IS 'Kỳ / Period';
COMMENT ON COLUMN kpi.portal_group_score.unit_code IS 'Đơn vị / Unit';
COMMENT ON COLUMN kpi.portal_group_score.group_code IS 'Nhóm / Group';
COMMENT ON COLUMN kpi.portal_group_score.score IS 'Điểm công bố / Published score';
COMMENT ON COLUMN kpi.portal_group_score.max_score IS 'Điểm tối đa công bố / Published maximum';
COMMENT ON COLUMN kpi.portal_group_score.ratio IS 'Tỷ lệ (%) công bố / Published ratio, percent';

-- ---------------------------------------------------------------------------
-- The counts from dossiers
-- ---------------------------------------------------------------------------

-- Per unit (no roll-up: the index scores every unit), each metric with a
-- basis adds up the dossiers received in the period whose flags it asks
-- for, or counts the procedures received with such dossiers, from the
-- units' tallies (kpi.dossier_tallies).  A metric whose denominator asks
-- for a due date is left out of a unit none of whose dossiers has one:
-- unknown, not zero.
CREATE FUNCTION kpi.metric_counts_from_tallies(period text, tallies kpi.tally[])
RETURNS TABLE (unit_code text, metric text, numerator bigint, denominator bigint)
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    WITH t AS (
        SELECT x.* FROM unnest(tallies) AS x JOIN kpi.unit AS u ON u.code = x.unit_code
    ), formula AS MATERIALIZED (
        -- the masks once per metric, not once per combination counted
        SELECT m.code, m.counts,
               kpi.flag_mask(m.denominator_flags) AS den_mask,
               kpi.flag_mask(m.denominator_flags || m.numerator_flags) AS num_mask,
               'due' = ANY (m.denominator_flags) AS needs_due
        FROM kpi.metric AS m
        WHERE m.basis = 'received'
    )
    SELECT t.unit_code, f.code, x.n, x.d
    FROM t
    CROSS JOIN formula AS f
    CROSS JOIN LATERAL (
        SELECT CASE f.counts WHEN 'dossiers' THEN kpi.sum_with_flags(t.received_flags, t.received, f.num_mask)
                             ELSE kpi.count_with_flags(t.procedure_flags, f.num_mask) END AS n,
               CASE f.counts WHEN 'dossiers' THEN kpi.sum_with_flags(t.received_flags, t.received, f.den_mask)
                             ELSE kpi.count_with_flags(t.procedure_flags, f.den_mask) END AS d
    ) AS x
    WHERE NOT (f.needs_due AND x.d = 0)
$$;
COMMENT ON FUNCTION kpi.metric_counts_from_tallies(text, kpi.tally[]) IS
    'Tử số, mẫu số của các chỉ số Quyết định 766 tính được từ hồ sơ, theo từng đơn vị / The numerator and denominator of every Decision 766 metric with a basis, per unit, from the units'' tallies';

CREATE FUNCTION kpi.metric_counts_from_dossiers(period text)
RETURNS TABLE (unit_code text, metric text, numerator bigint, denominator bigint)
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM kpi.metric_counts_from_tallies(period, ARRAY(SELECT t FROM kpi.dossier_tallies(period) AS t)) $$;
COMMENT ON FUNCTION kpi.metric_counts_from_dossiers(text) IS
    'Tử số, mẫu số các chỉ số Quyết định 766 của kỳ tính từ kpi.dossier, không lưu / The metrics of a period computed from kpi.dossier, without storing them: what kpi.refresh stores in kpi.metric_count';

-- ---------------------------------------------------------------------------
-- The portal's responses
-- ---------------------------------------------------------------------------

-- One response of the portal's evaluation API, of any of the six groups,
-- as it came: its units (matched by code, or by the portal's departmentId
-- for the groups whose responses carry no code), their counts and the
-- scores published.  The whole province (the response's overview or
-- parent) is a unit of level 'all'.  Loading it again changes nothing; a
-- response that is not what it should be is an error that loads nothing.
CREATE FUNCTION kpi.ingest_portal(response jsonb, period text,
                                  OUT group_code text, OUT units integer, OUT counts integer, OUT scores integer)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_label text := kpi.period_label(ingest_portal.period);
    d jsonb := response -> 'data';
    v_bad text;
    v_shape text;
BEGIN
    IF response IS NULL THEN
        RAISE EXCEPTION 'the response given to kpi.ingest_portal is NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF v_label IS NULL THEN
        RAISE EXCEPTION 'the period given to kpi.ingest_portal is NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Name the period the response is of, as the portal''s query did: ''2026-Q3'', ''2026-07'', ''2026''.';
    END IF;
    IF jsonb_typeof(response) <> 'object' OR response ->> 'code' IS DISTINCT FROM 'OK' OR jsonb_typeof(d) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'not a response of the portal''s evaluation API: % ...', left(response::text, 60)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A response is {"code":"OK","data":{...},"message":"OK"}, as the portal returns it.';
    END IF;

    -- its rows: the province, then the units, in the response's order
    IF jsonb_typeof(d -> 'evaluation') = 'array' AND jsonb_typeof(d -> 'overview') = 'object' THEN
        v_shape := 'list';
        CREATE TEMP TABLE kpi_portal_row ON COMMIT DROP AS
        SELECT 0::bigint AS pos, d -> 'overview' AS obj
        UNION ALL
        SELECT e.pos, e.obj FROM jsonb_array_elements(d -> 'evaluation') WITH ORDINALITY AS e (obj, pos);
    ELSIF jsonb_typeof(d -> 'children') = 'array' AND jsonb_typeof(d -> 'parent') = 'object' THEN
        v_shape := 'tree';
        CREATE TEMP TABLE kpi_portal_row ON COMMIT DROP AS
        SELECT 0::bigint AS pos, d -> 'parent' AS obj
        UNION ALL
        SELECT e.pos, e.obj FROM jsonb_array_elements(d -> 'children') WITH ORDINALITY AS e (obj, pos);
    ELSE
        RAISE EXCEPTION 'a response of the portal''s evaluation API has data.overview and data.evaluation (a list) or data.parent and data.children (a tree); this one has: %',
                (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(d) AS k)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- the group: the one whose metric codes the list carries, or whose
    -- count fields the tree's parent holds
    IF v_shape = 'list' THEN
        SELECT min(m.group_code), count(DISTINCT m.group_code), string_agg(DISTINCT x.code, ', ') FILTER (WHERE m.code IS NULL)
          INTO group_code, units, v_bad
        FROM (SELECT DISTINCT jsonb_array_elements(r.obj -> 'metrics') ->> 'code' AS code
              FROM kpi_portal_row AS r WHERE jsonb_typeof(r.obj -> 'metrics') = 'array') AS x
        LEFT JOIN kpi.metric AS m ON m.code = x.code;
        IF v_bad IS NOT NULL OR units <> 1 THEN
            RAISE EXCEPTION 'the metrics of this response are not those of one group of kpi.metric%',
                    coalesce(': unknown ' || v_bad, '')
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    ELSE
        SELECT min(g.group_code), count(*) INTO group_code, units
        FROM (SELECT m.group_code FROM kpi.metric AS m, kpi_portal_row AS r
              WHERE r.pos = 0 AND m.numerator_fields IS NOT NULL
              GROUP BY m.group_code
              HAVING bool_and(r.obj ?& (m.numerator_fields || m.denominator_fields))) AS g;
        IF units <> 1 THEN
            RAISE EXCEPTION 'the parent of this tree response has the counts of % groups of kpi.metric, not one: %',
                    units, (SELECT string_agg(k, ', ' ORDER BY k) FROM kpi_portal_row AS r, jsonb_object_keys(r.obj) AS k WHERE r.pos = 0)
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;

    -- every row: an id, a name, a level; a code, or an id a unit already has
    ALTER TABLE kpi_portal_row ADD COLUMN id text, ADD COLUMN name text, ADD COLUMN level text, ADD COLUMN code text;
    UPDATE kpi_portal_row AS r
    SET id = r.obj ->> 'departmentId', name = btrim(r.obj ->> 'departmentName'),
        level = CASE WHEN r.pos = 0 THEN 'all'
                     ELSE CASE upper(coalesce(r.obj ->> 'departmentLevel', r.obj ->> 'level'))
                              WHEN 'PROVINCE' THEN 'province' WHEN 'COMMUNE' THEN 'commune' END END,
        -- unit codes match whatever their case, as in every loader
        code = coalesce((SELECT u.code FROM kpi.unit AS u WHERE lower(u.code) = lower(r.obj ->> 'departmentCode')),
                        r.obj ->> 'departmentCode',
                        (SELECT u.code FROM kpi.unit AS u WHERE u.portal_id = r.obj ->> 'departmentId'));
    SELECT format('row %s (%s)', r.pos, left(r.obj::text, 80)) ||
           CASE WHEN jsonb_typeof(r.obj) <> 'object' THEN ' is not an object'
                WHEN r.id IS NULL OR r.id = '' THEN ' has no departmentId'
                WHEN r.name IS NULL OR r.name = '' THEN ' has no departmentName'
                WHEN r.level IS NULL THEN ' has no level PROVINCE or COMMUNE'
                WHEN r.code IS NULL THEN format(' has no departmentCode, and no unit has departmentId %s: load first a response that carries both (dossier-digitized or a tree group)', r.id)
                ELSE ' appears twice' END
      INTO v_bad
    FROM kpi_portal_row AS r
    WHERE jsonb_typeof(r.obj) <> 'object' OR r.id IS NULL OR r.id = '' OR r.name IS NULL OR r.name = ''
       OR r.level IS NULL OR r.code IS NULL
       OR (SELECT count(*) FROM kpi_portal_row AS x WHERE x.id = r.id OR x.code = r.code) > 1
    ORDER BY r.pos LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'response of group %: %', group_code, v_bad USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- a unit that is another in kpi.unit (another id, another level)
    SELECT format('unit %s is %s in kpi.unit, and %s in the response',
                  r.code,
                  CASE WHEN u.portal_id IS DISTINCT FROM r.id AND u.portal_id IS NOT NULL THEN 'departmentId ' || u.portal_id ELSE 'a ' || u.level || ' unit' END,
                  CASE WHEN u.portal_id IS DISTINCT FROM r.id AND u.portal_id IS NOT NULL THEN 'departmentId ' || r.id ELSE 'a ' || r.level || ' unit' END)
      INTO v_bad
    FROM kpi_portal_row AS r JOIN kpi.unit AS u ON u.code = r.code
    WHERE (u.portal_id IS NOT NULL AND u.portal_id <> r.id) OR u.level <> r.level
    ORDER BY r.pos LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'response of group %: %', group_code, v_bad USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- the counts and scores, each checked: numbers, whole and not negative
    -- for counts; one row a unit and metric
    CREATE TEMP TABLE kpi_portal_value ON COMMIT DROP AS
    SELECT r.pos, r.code, m.code AS metric, v.*
    FROM kpi_portal_row AS r
    JOIN kpi.metric AS m ON m.group_code = ingest_portal.group_code
    CROSS JOIN LATERAL (
        SELECT CASE WHEN v_shape = 'list'
                    THEN (SELECT e FROM jsonb_array_elements(r.obj -> 'metrics') AS e WHERE e ->> 'code' = m.code LIMIT 1)
               END AS item) AS i
    CROSS JOIN LATERAL (
        SELECT CASE WHEN v_shape = 'list' THEN i.item -> 'numerator'
                    WHEN r.obj ?& (m.numerator_fields || m.denominator_fields)
                    THEN (SELECT CASE WHEN bool_and(jsonb_typeof(r.obj -> f) = 'number')
                                      THEN to_jsonb(sum((r.obj ->> f)::numeric)) ELSE 'false'::jsonb END
                          FROM unnest(m.numerator_fields) AS f) END AS n,
               CASE WHEN v_shape = 'list' THEN i.item -> 'denominator'
                    WHEN r.obj ?& (m.numerator_fields || m.denominator_fields)
                    THEN (SELECT CASE WHEN bool_and(jsonb_typeof(r.obj -> f) = 'number')
                                      THEN to_jsonb(sum((r.obj ->> f)::numeric)) ELSE 'false'::jsonb END
                          FROM unnest(m.denominator_fields) AS f) END AS d,
               i.item -> 'score' AS score, i.item -> 'ratio' AS ratio, i.item -> 'maxScore' AS max_score,
               v_shape = 'list' AND i.item IS NULL AS missing) AS v
    -- a metric a user added to the group is not in the portal's responses
    WHERE m.builtin OR NOT v.missing;
    SELECT format('unit %s, metric %s: %s', x.code, x.metric,
                  CASE WHEN x.missing THEN 'not in the response''s metrics'
                       ELSE 'numerator, denominator, score, ratio and maxScore must be numbers or null, counts whole and not negative, and both counts or neither' END)
      INTO v_bad
    FROM kpi_portal_value AS x
    WHERE x.missing
       OR coalesce(jsonb_typeof(x.n), 'null') NOT IN ('number', 'null') OR coalesce(jsonb_typeof(x.d), 'null') NOT IN ('number', 'null')
       OR coalesce(jsonb_typeof(x.score), 'null') NOT IN ('number', 'null') OR coalesce(jsonb_typeof(x.ratio), 'null') NOT IN ('number', 'null')
       OR coalesce(jsonb_typeof(x.max_score), 'null') NOT IN ('number', 'null')
       OR (jsonb_typeof(x.n) = 'number' AND ((x.n::text)::numeric < 0 OR (x.n::text)::numeric <> trunc((x.n::text)::numeric) OR (x.n::text)::numeric >= 1e18))
       OR (jsonb_typeof(x.d) = 'number' AND ((x.d::text)::numeric < 0 OR (x.d::text)::numeric <> trunc((x.d::text)::numeric) OR (x.d::text)::numeric >= 1e18))
       OR (jsonb_typeof(x.n) = 'number') <> (jsonb_typeof(x.d) = 'number')
       OR abs(CASE WHEN jsonb_typeof(x.score) = 'number' THEN (x.score::text)::numeric END) >= 10000
       OR abs(CASE WHEN jsonb_typeof(x.ratio) = 'number' THEN (x.ratio::text)::numeric END) >= 10000
    ORDER BY x.pos, x.metric LIMIT 1;
    IF v_bad IS NULL THEN
        SELECT format('unit %s: %s must be a number', r.code,
                      CASE WHEN v_shape = 'tree' AND r.pos > 0 AND ingest_portal.group_code = 'dvc-progress' THEN 'score' ELSE 'totalScore' END)
          INTO v_bad
        FROM kpi_portal_row AS r
        WHERE jsonb_typeof(CASE WHEN v_shape = 'tree' AND r.pos > 0 AND r.obj ? 'score' THEN r.obj -> 'score'
                                ELSE r.obj -> 'totalScore' END) IS DISTINCT FROM 'number'
        ORDER BY r.pos LIMIT 1;
    END IF;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'response of group %: %', group_code, v_bad USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- now write: the period, the units, the counts, the scores
    INSERT INTO kpi.period (label) VALUES (v_label) ON CONFLICT (label) DO NOTHING;
    INSERT INTO kpi.unit AS u (code, name, level, sort_order, portal_id)
    SELECT r.code, r.name, r.level, r.pos::integer, r.id
    FROM kpi_portal_row AS r
    ON CONFLICT (code) DO UPDATE SET portal_id = excluded.portal_id
        WHERE u.portal_id IS NULL;
    GET DIAGNOSTICS units = ROW_COUNT;
    INSERT INTO kpi.metric_count AS c (period, unit_code, metric, source, numerator, denominator)
    SELECT v_label, x.code, x.metric, 'portal',
           CASE WHEN jsonb_typeof(x.n) = 'number' THEN (x.n::text)::numeric END,
           CASE WHEN jsonb_typeof(x.d) = 'number' THEN (x.d::text)::numeric END
    FROM kpi_portal_value AS x
    WHERE x.n IS NOT NULL OR v_shape = 'list'
    ON CONFLICT (period, unit_code, metric, source) DO UPDATE
        SET numerator = excluded.numerator, denominator = excluded.denominator
        WHERE (c.numerator, c.denominator) IS DISTINCT FROM (excluded.numerator, excluded.denominator);
    GET DIAGNOSTICS counts = ROW_COUNT;
    INSERT INTO kpi.portal_score AS s (period, unit_code, metric, score, ratio, max_score)
    SELECT v_label, x.code, x.metric,
           CASE WHEN jsonb_typeof(x.score) = 'number' THEN (x.score::text)::numeric END,
           CASE WHEN jsonb_typeof(x.ratio) = 'number' THEN (x.ratio::text)::numeric END,
           CASE WHEN jsonb_typeof(x.max_score) = 'number' THEN (x.max_score::text)::numeric END
    FROM kpi_portal_value AS x
    WHERE v_shape = 'list'
    ON CONFLICT (period, unit_code, metric) DO UPDATE
        SET score = excluded.score, ratio = excluded.ratio, max_score = excluded.max_score
        WHERE (s.score, s.ratio, s.max_score) IS DISTINCT FROM (excluded.score, excluded.ratio, excluded.max_score);
    GET DIAGNOSTICS scores = ROW_COUNT;
    INSERT INTO kpi.portal_group_score AS s (period, unit_code, group_code, score, max_score, ratio)
    SELECT v_label, r.code, ingest_portal.group_code,
           (coalesce(r.obj ->> 'totalScore', r.obj ->> 'score'))::numeric,
           (coalesce(r.obj ->> 'totalMaxScore', r.obj ->> 'maxScore'))::numeric,
           (r.obj ->> 'ratio')::numeric
    FROM kpi_portal_row AS r
    ON CONFLICT (period, unit_code, group_code) DO UPDATE
        SET score = excluded.score, max_score = excluded.max_score, ratio = excluded.ratio
        WHERE (s.score, s.max_score, s.ratio) IS DISTINCT FROM (excluded.score, excluded.max_score, excluded.ratio);
    DROP TABLE kpi_portal_row, kpi_portal_value;
    units := (SELECT count(*) FROM jsonb_array_elements(coalesce(d -> 'evaluation', d -> 'children')));
END
$$;

COMMENT ON FUNCTION kpi.ingest_portal(jsonb, text) IS
    'Nạp một phản hồi của API chấm điểm Cổng DVCQG (một trong sáu nhóm): đơn vị, tử số, mẫu số, điểm công bố; nạp lại không đổi gì; phản hồi sai là lỗi, không nạp gì / Loads one response of the portal''s evaluation API, any of the six groups, as it came: its units, their counts and the published scores; loading it again changes nothing; a malformed response is an error that loads nothing. Returns the group, the number of units in the response, and the counts and scores written';

-- ---------------------------------------------------------------------------
-- The scores
-- ---------------------------------------------------------------------------

CREATE VIEW kpi.metric_score AS
SELECT c.period::text AS period,
       c.unit_code::text AS unit_code,
       m.group_code::text AS group_code,
       c.metric::text AS metric,
       c.source::text AS source,
       c.numerator::bigint AS numerator,
       c.denominator::bigint AS denominator,
       CASE WHEN c.denominator > 0 THEN round(100 * c.numerator::numeric / c.denominator, 2) END::numeric(8,2) AS ratio,
       kpi.metric_points(m.max_score, m.full_at, m.zero_denominator, m.rule, m.arithmetic,
                         c.numerator, c.denominator)::numeric(6,2) AS score,
       m.max_score::numeric(6,2) AS max_score,
       p.score::numeric(6,2) AS published_score,
       p.ratio::numeric(6,2) AS published_ratio,
       (c.source = 'computed'
        OR NOT EXISTS (SELECT FROM kpi.metric_count AS x
                       WHERE x.period = c.period AND x.unit_code = c.unit_code AND x.metric = c.metric
                         AND x.source = 'computed'))::boolean AS effective
FROM kpi.metric_count AS c
JOIN kpi.metric AS m ON m.code = c.metric
LEFT JOIN kpi.portal_score AS p ON p.period = c.period AND p.unit_code = c.unit_code AND p.metric = c.metric;

COMMENT ON VIEW kpi.metric_score IS
    'Điểm từng chỉ số Quyết định 766 theo đơn vị, kỳ, nguồn số liệu, bên cạnh điểm Cổng công bố / Points of each Decision 766 metric per unit, period and source of counts, beside what the portal published';
COMMENT ON COLUMN kpi.metric_score.period IS 'Kỳ / Period';
COMMENT ON COLUMN kpi.metric_score.unit_code IS 'Đơn vị / Unit';
COMMENT ON COLUMN kpi.metric_score.group_code IS 'Nhóm / Group';
COMMENT ON COLUMN kpi.metric_score.metric IS 'Chỉ số / Metric';
COMMENT ON COLUMN kpi.metric_score.source IS 'computed (từ hồ sơ) hoặc portal (từ Cổng) / Source of the counts';
COMMENT ON COLUMN kpi.metric_score.numerator IS 'Tử số / Numerator';
COMMENT ON COLUMN kpi.metric_score.denominator IS 'Mẫu số / Denominator';
COMMENT ON COLUMN kpi.metric_score.ratio IS 'Tỷ lệ (%), 2 chữ số thập phân; NULL khi mẫu số 0 / Ratio, percent, two decimals; NULL for a denominator of 0';
COMMENT ON COLUMN kpi.metric_score.score IS 'Điểm theo quy tắc của chỉ số / Points under the metric''s rule';
COMMENT ON COLUMN kpi.metric_score.max_score IS 'Điểm tối đa / Maximum points';
COMMENT ON COLUMN kpi.metric_score.published_score IS 'Điểm Cổng công bố / Points the portal published';
COMMENT ON COLUMN kpi.metric_score.published_ratio IS 'Tỷ lệ Cổng công bố / Ratio the portal published';
COMMENT ON COLUMN kpi.metric_score.effective IS 'Dòng dùng để tính điểm nhóm (số liệu từ hồ sơ được ưu tiên) / The row the group score uses (counts from dossiers first)';

CREATE VIEW kpi.group_score AS
WITH unit_group AS (
    SELECT DISTINCT c.period, c.unit_code, m.group_code
    FROM kpi.metric_count AS c JOIN kpi.metric AS m ON m.code = c.metric
    UNION
    SELECT p.period, p.unit_code, p.group_code FROM kpi.portal_group_score AS p
), computed AS (
    SELECT ug.period, ug.unit_code, ug.group_code,
           sum(CASE m.rule WHEN 'constant' THEN m.max_score WHEN 'tracked' THEN 0 ELSE coalesce(s.score, 0) END) AS score,
           bool_and(m.rule <> 'linear' OR s.metric IS NOT NULL) AS complete,
           string_agg(DISTINCT s.source, '+' ORDER BY s.source) AS sources
    FROM unit_group AS ug
    JOIN kpi.metric AS m ON m.group_code = ug.group_code
    LEFT JOIN kpi.metric_score AS s
           ON s.period = ug.period AND s.unit_code = ug.unit_code AND s.metric = m.code AND s.effective
    GROUP BY ug.period, ug.unit_code, ug.group_code
)
SELECT c.period::text AS period,
       c.unit_code::text AS unit_code,
       c.group_code::text AS group_code,
       CASE WHEN c.complete THEN c.score END::numeric(6,2) AS score,
       g.max_score::numeric(6,2) AS max_score,
       p.score::numeric(6,2) AS published_score,
       CASE WHEN c.complete THEN c.sources END::text AS source
FROM computed AS c
JOIN kpi.metric_group AS g ON g.code = c.group_code
LEFT JOIN kpi.portal_group_score AS p
       ON p.period = c.period AND p.unit_code = c.unit_code AND p.group_code = c.group_code;

COMMENT ON VIEW kpi.group_score IS
    'Điểm từng nhóm theo đơn vị và kỳ: tổng điểm đã làm tròn của các chỉ số, bên cạnh điểm Cổng công bố / Points of each group per unit and period: the sum of its metrics'' rounded points, beside what the portal published';
COMMENT ON COLUMN kpi.group_score.period IS 'Kỳ / Period';
COMMENT ON COLUMN kpi.group_score.unit_code IS 'Đơn vị / Unit';
COMMENT ON COLUMN kpi.group_score.group_code IS 'Nhóm / Group';
COMMENT ON COLUMN kpi.group_score.score IS 'Điểm tính được; NULL khi thiếu số liệu của một chỉ số / Points computed; NULL when a metric of the group has no counts';
COMMENT ON COLUMN kpi.group_score.max_score IS 'Điểm tối đa của nhóm / Maximum points of the group';
COMMENT ON COLUMN kpi.group_score.published_score IS 'Điểm Cổng công bố / Points the portal published';
COMMENT ON COLUMN kpi.group_score.source IS 'Nguồn số liệu đã dùng: computed, portal hoặc computed+portal / Sources of the counts used';

CREATE VIEW kpi.index_score AS
WITH unit_total AS (
    SELECT g.period, g.unit_code,
           sum(coalesce(g.score, g.published_score)) AS total,
           sum(g.max_score) FILTER (WHERE coalesce(g.score, g.published_score) IS NOT NULL) AS max_total,
           count(coalesce(g.score, g.published_score)) AS groups
    FROM kpi.group_score AS g
    GROUP BY g.period, g.unit_code
), ranked AS (
    SELECT t.*, u.name, u.level,
           CASE WHEN u.level <> 'all' AND t.groups = (SELECT count(*) FROM kpi.metric_group)
                THEN rank() OVER (PARTITION BY t.period, u.level <> 'all' AND t.groups = (SELECT count(*) FROM kpi.metric_group)
                                  ORDER BY t.total DESC) END AS rank,
           CASE WHEN u.level <> 'all' AND t.groups = (SELECT count(*) FROM kpi.metric_group)
                THEN rank() OVER (PARTITION BY t.period, u.level, t.groups = (SELECT count(*) FROM kpi.metric_group)
                                  ORDER BY t.total DESC) END AS level_rank
    FROM unit_total AS t
    JOIN kpi.unit AS u ON u.code = t.unit_code
)
SELECT r.period::text AS period,
       r.unit_code::text AS unit_code,
       r.name::text AS unit_name,
       r.level::text AS level,
       r.total::numeric(6,2) AS total,
       r.max_total::numeric(6,2) AS max_total,
       r.rank::integer AS rank,
       r.level_rank::integer AS level_rank,
       (SELECT c.name_vi FROM kpi.index_class AS c
        WHERE r.max_total = 100 AND c.min_total <= r.total ORDER BY c.min_total DESC LIMIT 1)::text AS classification,
       (r.total - (SELECT sum(coalesce(g.score, g.published_score)) FROM kpi.group_score AS g
                   WHERE g.period = kpi.period_previous(r.period) AND g.unit_code = r.unit_code
                   HAVING count(coalesce(g.score, g.published_score)) = r.groups))::numeric(6,2) AS change_from_previous
FROM ranked AS r;

COMMENT ON VIEW kpi.index_score IS
    'Tổng điểm chỉ số Quyết định 766 (trên 100), thứ hạng, xếp loại, thay đổi so với kỳ trước / The Decision 766 total (of 100) per unit and period, its rank, class and change from the previous period';
COMMENT ON COLUMN kpi.index_score.period IS 'Kỳ / Period';
COMMENT ON COLUMN kpi.index_score.unit_code IS 'Đơn vị (cấp all: cả tỉnh) / Unit (level all: the whole province)';
COMMENT ON COLUMN kpi.index_score.unit_name IS 'Tên đơn vị / Unit name';
COMMENT ON COLUMN kpi.index_score.level IS 'Cấp: province (sở, ban, ngành), commune (xã, phường), all (cả tỉnh) / Level';
COMMENT ON COLUMN kpi.index_score.total IS 'Tổng điểm các nhóm (điểm tính được, hoặc điểm công bố) / Sum of the groups'' points (computed, or else published)';
COMMENT ON COLUMN kpi.index_score.max_total IS 'Tổng điểm tối đa của các nhóm có điểm (100 khi đủ sáu nhóm) / Maximum of the groups with points (100 with all six)';
COMMENT ON COLUMN kpi.index_score.rank IS 'Thứ hạng trong tỉnh (đơn vị đủ sáu nhóm; bằng điểm thì cùng hạng) / Rank in the province among units with all six groups (ties share a rank)';
COMMENT ON COLUMN kpi.index_score.level_rank IS 'Thứ hạng trong cấp / Rank within the level';
COMMENT ON COLUMN kpi.index_score.classification IS 'Xếp loại theo kpi.index_class (trống khi chưa có ngưỡng) / Class after kpi.index_class (none until thresholds are set)';
COMMENT ON COLUMN kpi.index_score.change_from_previous IS 'Thay đổi so với kỳ trước cùng loại / Change from the previous period of the same kind (2026-Q2 for 2026-Q3)';

-- ---------------------------------------------------------------------------
-- What the missing points would take
-- ---------------------------------------------------------------------------

-- Per unit and metric scored from counts, short of its maximum: the points
-- missing and the fewest dossiers (or procedures) more in the numerator,
-- the denominator unchanged, that would earn them all, cheapest first.
CREATE FUNCTION kpi.points_to_gain(period text)
RETURNS TABLE (period text, unit_code text, unit_name text, group_code text, metric text, counted text,
               numerator bigint, denominator bigint, score numeric, max_score numeric,
               points_missing numeric, additional bigint, points_per_additional numeric)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.period, s.unit_code, u.name, s.group_code, s.metric, coalesce(m.counts, 'items'),
           s.numerator, s.denominator, s.score, s.max_score,
           s.max_score - s.score, x.additional,
           round((s.max_score - s.score) / x.additional, 4)
    FROM kpi.metric_score AS s
    JOIN kpi.metric AS m ON m.code = s.metric
    JOIN kpi.unit AS u ON u.code = s.unit_code
    CROSS JOIN LATERAL (
        -- the fewest n' with full points: in exact arithmetic the score
        -- rounds up to max from n' / d >= full_at * (max - 0.005) / max; in
        -- the portal's float8 arithmetic, from a ratio rounded to two
        -- decimals of at least 100 * full_at * (max - 0.005) / max.  The
        -- estimate is then checked against the rule itself, around it.
        SELECT min(k.n) - s.numerator AS additional
        FROM (SELECT CASE WHEN m.arithmetic = 'float8'
                          THEN ceil(s.denominator * (ceil(10000 * m.full_at * (m.max_score - 0.005) / m.max_score) / 100 - 0.005) / 100)
                          ELSE ceil(s.denominator * m.full_at * (m.max_score - 0.005) / m.max_score) END::bigint AS n) AS y
        CROSS JOIN LATERAL generate_series(greatest(s.numerator + 1, y.n - 2), least(s.denominator, y.n + 2)) AS k (n)
        WHERE kpi.metric_points(m.max_score, m.full_at, m.zero_denominator, m.rule, m.arithmetic, k.n, s.denominator) >= m.max_score
    ) AS x
    WHERE s.period = kpi.period_label(points_to_gain.period) AND s.effective AND m.rule = 'linear'
      AND s.denominator > 0 AND s.score < s.max_score AND x.additional > 0
    ORDER BY (s.max_score - s.score) / x.additional DESC, s.max_score - s.score DESC, s.unit_code, s.metric
$$;

COMMENT ON FUNCTION kpi.points_to_gain(text) IS
    'Điểm còn thiếu của từng đơn vị, chỉ số và số hồ sơ (hoặc thủ tục) tối thiểu cần thêm vào tử số để đạt đủ, rẻ nhất trước / Per unit and metric, the points missing and the fewest dossiers (or procedures) more in the numerator, the denominator unchanged, that would earn them, cheapest (most points per dossier) first';

-- ---------------------------------------------------------------------------
-- The report
-- ---------------------------------------------------------------------------

CREATE FUNCTION kpi.index_markdown(period text, lowest integer DEFAULT 5, cheapest integer DEFAULT 10) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_label text := kpi.period_label(index_markdown.period);
    v_period record;
    v_level record;
    v_lines text[];
    md text[] := ARRAY[]::text[];
    v_groups text;
    v_section integer := 1;
BEGIN
    IF lowest IS NULL OR lowest < 0 OR cheapest IS NULL OR cheapest < 0 THEN
        RAISE EXCEPTION 'invalid list lengths: lowest % and cheapest % must be 0 or more',
                        coalesce(lowest::text, 'NULL'), coalesce(cheapest::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT p.* INTO v_period FROM kpi.period AS p WHERE p.label = v_label;
    IF NOT FOUND OR NOT EXISTS (SELECT FROM kpi.index_score AS s WHERE s.period = v_label) THEN
        RAISE EXCEPTION 'no index for period "%": kpi.metric_count and kpi.portal_group_score have no row of it', v_label
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Load the portal''s responses (kpi.ingest_portal) or refresh the period from dossiers (kpi.refresh).';
    END IF;
    SELECT string_agg(format('%s (%s)', g.name_vi, kpi.format_vi(g.max_score, 0, true)), ', ' ORDER BY g.position)
      INTO v_groups FROM kpi.metric_group AS g;
    md := md || format('# Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766) %s', kpi.markdown_text(v_period.name_vi))
             || ''::text
             || format('Sáu nhóm, 100 điểm: %s. Điểm tính theo quy tắc của Cổng Dịch vụ công quốc gia từ số liệu đã nạp; nhóm chưa có số liệu lấy điểm Cổng công bố.', v_groups);

    SELECT array_agg(format('Toàn tỉnh: %s/%s điểm.', kpi.format_vi(s.total, 2, false), kpi.format_vi(s.max_total, 0, true)))
      INTO v_lines FROM kpi.index_score AS s WHERE s.period = v_label AND s.level = 'all';
    IF v_lines IS NOT NULL THEN
        md := md || ''::text || v_lines;
    END IF;

    md := md || ''::text || '## 1. Xếp hạng'::text;
    FOR v_level IN SELECT l.* FROM kpi.level AS l
                   WHERE EXISTS (SELECT FROM kpi.index_score AS s WHERE s.period = v_label AND s.level = l.code)
                   ORDER BY l.position LOOP
        SELECT array_agg(format('| %s | %s | %s | %s | %s | %s |',
                                coalesce(s.level_rank::text, '-'), kpi.markdown_text(s.unit_code), kpi.markdown_text(s.unit_name),
                                (SELECT string_agg(kpi.format_vi(coalesce(g.score, g.published_score), 2, false), ' | '
                                                   ORDER BY mg.position)
                                 FROM kpi.metric_group AS mg
                                 LEFT JOIN kpi.group_score AS g
                                        ON g.period = s.period AND g.unit_code = s.unit_code AND g.group_code = mg.code),
                                kpi.format_vi(s.total, 2, false),
                                coalesce(s.classification, '-'))
                         ORDER BY s.level_rank NULLS LAST, s.unit_code COLLATE "C")
          INTO v_lines
        FROM kpi.index_score AS s WHERE s.period = v_label AND s.level = v_level.code;
        md := md || ''::text || format('### %s', v_level.name_vi) || ''::text
                 || ('| Hạng | Mã | Đơn vị | ' || (SELECT string_agg(g.name_vi, ' | ' ORDER BY g.position) FROM kpi.metric_group AS g)
                     || ' | Tổng | Xếp loại |')
                 || ('|---|---|---|' || repeat('---|', (SELECT count(*)::integer FROM kpi.metric_group)) || '---|---|')
                 || v_lines;
    END LOOP;

    IF lowest > 0 THEN
        v_section := v_section + 1;
        md := md || ''::text || format('## %s. Đơn vị điểm thấp nhất', v_section) || ''::text;
        SELECT array_agg(format('- %s (%s), %s: %s điểm, hạng %s/%s.', kpi.markdown_text(s.unit_name), kpi.markdown_text(s.unit_code),
                                lower(l.name_vi), kpi.format_vi(s.total, 2, false), s.level_rank,
                                (SELECT count(*) FROM kpi.index_score AS x WHERE x.period = s.period AND x.level = s.level AND x.level_rank IS NOT NULL))
                         ORDER BY l.position, s.level_rank DESC, s.unit_code COLLATE "C")
          INTO v_lines
        FROM (SELECT s.*, row_number() OVER (PARTITION BY s.level ORDER BY s.total, s.unit_code COLLATE "C") AS k
              FROM kpi.index_score AS s WHERE s.period = v_label AND s.level_rank IS NOT NULL) AS s
        JOIN kpi.level AS l ON l.code = s.level
        WHERE s.k <= lowest;
        md := md || coalesce(v_lines, ARRAY['- Chưa đơn vị nào đủ sáu nhóm điểm.']);
    END IF;

    IF cheapest > 0 THEN
        v_section := v_section + 1;
        md := md || ''::text || format('## %s. Điểm dễ tăng nhất', v_section) || ''::text
                 || 'Số mục tối thiểu (hồ sơ, thủ tục, phản ánh kiến nghị...) cần thêm vào tử số, mẫu số giữ nguyên, để chỉ số đạt điểm tối đa; nhiều điểm nhất cho mỗi mục trước.'::text
                 || ''::text;
        SELECT array_agg(format('| %s | %s | %s | %s/%s | %s | %s %s | %s |',
                                kpi.markdown_text(p.unit_name), kpi.markdown_text(p.metric), kpi.markdown_text(m.name_vi),
                                p.numerator, p.denominator, kpi.format_vi(p.points_missing, 2, false),
                                p.additional, CASE p.counted WHEN 'dossiers' THEN 'hồ sơ' WHEN 'procedures' THEN 'thủ tục' ELSE 'mục' END,
                                kpi.format_vi(p.points_per_additional, 4, false))
                         ORDER BY p.k)
          INTO v_lines
        FROM (SELECT x.*, row_number() OVER () AS k FROM kpi.points_to_gain(v_label) AS x LIMIT cheapest) AS p
        JOIN kpi.metric AS m ON m.code = p.metric;
        IF v_lines IS NULL THEN
            md := md || '- Không còn điểm nào tính được từ số liệu đã nạp.'::text;
        ELSE
            md := md || '| Đơn vị | Chỉ số | Tên | Tử số/Mẫu số | Điểm thiếu | Cần thêm | Điểm mỗi mục |'::text
                     || '|---|---|---|---|---|---|---|'::text
                     || v_lines;
        END IF;
    END IF;
    RETURN array_to_string(md, E'\n') || E'\n';
END
$$;

COMMENT ON FUNCTION kpi.index_markdown(text, integer, integer) IS
    'Báo cáo chỉ số Quyết định 766 của kỳ (Markdown, tiếng Việt): xếp hạng, đơn vị thấp nhất, điểm dễ tăng nhất / The period''s Decision 766 report in Vietnamese Markdown: the ranking by level, the lowest units, the cheapest points to gain';
