-- src/sql/count.sql: the figures of a period.  Numerators and denominators
-- per period, level, unit and indicator, published (from a report) or
-- computed (from dossiers by kpi.refresh), the report's own section 1 figures
-- and its footnotes; and the views that read them: which figure counts
-- (kpi.effective_count), each unit's rate against its target (kpi.result),
-- the level averages (kpi.summary), and what does not reconcile
-- (kpi.data_issue).

CREATE TABLE kpi.indicator_count (
    period text NOT NULL,
    level text NOT NULL
        CONSTRAINT indicator_count_level_check CHECK (level IN ('province', 'district', 'commune')),
    unit_code text NOT NULL,
    indicator text NOT NULL,
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
    period text NOT NULL,
    indicator text NOT NULL,
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
    period text NOT NULL,
    level text NOT NULL
        CONSTRAINT note_level_check CHECK (level IN ('province', 'district', 'commune')),
    unit_code text NOT NULL,
    mark text NOT NULL
        CONSTRAINT note_mark_check CHECK (mark ~ '^\(\*+\)$'),
    applies_to text NOT NULL REFERENCES kpi.appendix_table (code),
    text text NOT NULL,
    PRIMARY KEY (period, level, unit_code, applies_to, mark)
);

COMMENT ON TABLE kpi.note IS
    'Ghi chú (*), (**) dưới bảng phụ lục, gắn với số liệu của đơn vị / Footnotes (*), (**) under an appendix table, attached to a unit''s figures';
COMMENT ON COLUMN kpi.note.period IS 'Kỳ báo cáo / Period label';
COMMENT ON COLUMN kpi.note.level IS 'Cấp của bảng phụ lục / Level of the appendix table';
COMMENT ON COLUMN kpi.note.unit_code IS 'Mã đơn vị mang dấu chú thích / Unit that carries the mark';
COMMENT ON COLUMN kpi.note.mark IS 'Dấu chú thích: (*), (**) / Footnote mark';
COMMENT ON COLUMN kpi.note.applies_to IS 'Bảng phụ lục có ghi chú (kpi.appendix_table: online, digital) / The appendix table the note stands under';
COMMENT ON COLUMN kpi.note.text IS 'Nội dung ghi chú như in / Footnote text as printed';

SELECT pg_catalog.pg_extension_config_dump('kpi.note', '');

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
    SELECT e.period, e.level, e.unit_code, e.dossiers_received,
           pg_catalog.row_number() OVER (PARTITION BY e.period, e.level
                                         ORDER BY u.sort_order, u.code) AS row_no
    FROM (SELECT c.period, c.level, c.unit_code,
                 -- the denominator of the first indicator counted over the
                 -- dossiers received, the appendix's shared column
                 (pg_catalog.array_agg(c.denominator ORDER BY i.sort_order)
                      FILTER (WHERE c.applicable AND c.denominator IS NOT NULL
                                AND i.denominator_column = 'dossiers_received'))[1] AS dossiers_received
          FROM kpi.effective_count AS c
          JOIN kpi.indicator AS i ON i.code = c.indicator
          GROUP BY c.period, c.level, c.unit_code) AS e
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
       (f.pct - f.target)::numeric(5,1) AS gap,
       r.dossiers_received::bigint AS dossiers_received
FROM (SELECT g.*,
             CASE WHEN g.ratio IS NOT NULL THEN kpi.percent(g.ratio, 1)
                  WHEN g.applicable AND g.denominator IS NULL THEN g.printed_rate
             END AS pct
      FROM figure AS g) AS f
JOIN row_unit AS r ON r.period = f.period AND r.level = f.level AND r.unit_code = f.unit_code
JOIN kpi.unit AS u ON u.code = f.unit_code
JOIN kpi.indicator AS i ON i.code = f.indicator
JOIN kpi.level AS l ON l.code = f.level
ORDER BY f.period, l.position, r.row_no, i.sort_order;

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
COMMENT ON COLUMN kpi.result.dossiers_received IS 'Tổng số hồ sơ tiếp nhận của đơn vị trong kỳ (cột chung của phụ lục) / The unit''s dossiers received in the period (the appendix''s shared column)';
COMMENT ON COLUMN kpi.result.gap IS 'Chênh lệch: tỷ lệ (một chữ số thập phân) trừ chỉ tiêu được giao, điểm phần trăm (âm: chưa đạt) / Gap: the one-decimal rate minus the assigned target, in percentage points (negative: below target)';
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
LEFT JOIN kpi.level AS l ON l.code = b.level
ORDER BY b.period, i.sort_order, b.level = 'all', l.position;

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
    SELECT ic.*, i.sort_order, coalesce(i.denominator_column = 'dossiers_received', false) AS per_received
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
    UNION ALL
    -- units that received dossiers (computed figures) but have no service in
    -- force in kpi.service: their coverage indicators would show "-" as if
    -- nothing applied, for want of a list.  A district's row of a
    -- three-level commune appendix sums its communes' dossiers, counted with
    -- the communes' services: it is reported when one of its communes has
    -- none in force (which may be a commune that received nothing: check it)
    SELECT r.period, r.level, r.unit_code, NULL, 'computed', 0,
           'no_services',
           CASE WHEN m.communes IS NULL
                THEN pg_catalog.format('received %s dossiers in the period, but kpi.service has none of its online services in force: its coverage indicators show "-" for want of a list', r.received)
                ELSE pg_catalog.format('received %s dossiers in the period through its communes, but kpi.service has no online service in force for %s: their dossiers count in no coverage indicator', r.received, m.communes) END,
           CASE WHEN m.communes IS NULL
                THEN pg_catalog.format('có %s hồ sơ tiếp nhận trong kỳ nhưng kpi.service không có dịch vụ trực tuyến nào còn hiệu lực của đơn vị: hai chỉ tiêu đếm thủ tục ghi "-" vì thiếu danh sách', r.received)
                ELSE pg_catalog.format('có %s hồ sơ tiếp nhận trong kỳ qua các xã nhưng kpi.service không có dịch vụ trực tuyến nào còn hiệu lực của %s: hồ sơ của các xã này không được tính vào hai chỉ tiêu đếm thủ tục', r.received, m.communes) END
    FROM (SELECT c.period, c.level, c.unit_code, pg_catalog.max(c.denominator) AS received
          FROM c
          WHERE c.source = 'computed' AND c.per_received AND c.denominator > 0
          GROUP BY c.period, c.level, c.unit_code) AS r
    JOIN kpi.period AS p ON p.label = r.period
    JOIN kpi.unit AS ru ON ru.code = r.unit_code
    -- the communes of a district's row that have no service in force
    LEFT JOIN LATERAL (
        SELECT pg_catalog.string_agg(u.code, ', ' ORDER BY u.sort_order, u.code) AS communes
        FROM kpi.unit AS u
        WHERE r.level = 'commune' AND ru.level = 'district' AND u.parent_code = r.unit_code
          AND NOT EXISTS (SELECT FROM kpi.service AS s
                          WHERE s.unit_code = u.code
                            AND s.valid_from <= p.ends AND (s.valid_until IS NULL OR s.valid_until >= p.starts))
    ) AS m ON true
    WHERE CASE WHEN r.level = 'commune' AND ru.level = 'district'
               THEN m.communes IS NOT NULL
               ELSE NOT EXISTS (SELECT FROM kpi.service AS s
                                WHERE s.unit_code = r.unit_code
                                  AND s.valid_from <= p.ends AND (s.valid_until IS NULL OR s.valid_until >= p.starts)) END
)
SELECT s.period::text AS period,
       s.level::text AS level,
       s.unit_code::text AS unit_code,
       s.unit_name::text AS unit_name,
       s.indicator::text AS indicator,
       s.source::text AS source,
       s.issue::text AS issue,
       s.reason::text AS reason,
       s.reason_vi::text AS reason_vi
FROM (SELECT s.*, un.name AS unit_name, l.position AS level_position, un.sort_order AS unit_order
      FROM issue AS s
      JOIN kpi.unit AS un ON un.code = s.unit_code
      JOIN kpi.level AS l ON l.code = s.level
      UNION ALL
      -- a figure of section 1 as printed, off the figure pooled from the
      -- appendix by more than half a point (rounding explains no more)
      SELECT m.period, m.level, NULL, m.indicator, 'published', i.sort_order, 'summary_differs',
             pg_catalog.format('section 1 prints %s, and the appendix pools to %s (%s points)',
                               m.printed_pct, m.pct, m.difference),
             pg_catalog.format('phần 1 in %s, tính gộp từ phụ lục được %s (chênh %s điểm)',
                               kpi.format_vi(m.printed_pct, 1, true), kpi.format_vi(m.pct, 1, true),
                               kpi.format_vi(m.difference, 1, true)),
             NULL, coalesce(l.position, 0), 0
      FROM kpi.summary AS m
      JOIN kpi.indicator AS i ON i.code = m.indicator
      LEFT JOIN kpi.level AS l ON l.code = m.level
      WHERE abs(m.difference) > 0.5
      UNION ALL
      -- the national index: the portal's own counts, scored by the rules of
      -- kpi.metric, against what it published (a rule that changed); the
      -- office's counts against the portal's
      SELECT x.period, un.level, x.unit_code, x.metric, x.source, 1000 + x.position, x.issue, x.reason, x.reason_vi,
             un.name, coalesce(l.position, 0), un.sort_order
      FROM (SELECT s.period, s.unit_code, s.metric, s.source, m.position, 'metric_score_differs' AS issue,
                   pg_catalog.format('%s/%s scores %s under kpi.metric''s rule, and the portal published %s',
                                     s.numerator, s.denominator, coalesce(s.score::text, 'nothing'), coalesce(s.published_score::text, 'nothing')) AS reason,
                   pg_catalog.format('%s/%s được %s điểm theo quy tắc của kpi.metric, Cổng công bố %s',
                                     s.numerator, s.denominator, coalesce(kpi.format_vi(s.score, 2, false), 'không có'),
                                     coalesce(kpi.format_vi(s.published_score, 2, false), 'không có')) AS reason_vi
            FROM kpi.metric_score AS s JOIN kpi.metric AS m ON m.code = s.metric
            WHERE s.source = 'portal' AND s.score IS DISTINCT FROM s.published_score
              AND (s.published_score IS NOT NULL OR m.rule = 'linear')
              AND EXISTS (SELECT FROM kpi.portal_score AS p
                          WHERE p.period = s.period AND p.unit_code = s.unit_code AND p.metric = s.metric)
            UNION ALL
            SELECT c.period, c.unit_code, c.metric, 'computed', m.position, 'metric_count_differs',
                   pg_catalog.format('counted from dossiers %s/%s, and the portal counted %s/%s',
                                     c.numerator, c.denominator, p.numerator, p.denominator),
                   pg_catalog.format('đếm từ hồ sơ được %s/%s, Cổng đếm được %s/%s',
                                     c.numerator, c.denominator, p.numerator, p.denominator)
            FROM kpi.metric_count AS c
            JOIN kpi.metric_count AS p ON p.period = c.period AND p.unit_code = c.unit_code
                                      AND p.metric = c.metric AND p.source = 'portal'
            JOIN kpi.metric AS m ON m.code = c.metric
            WHERE c.source = 'computed' AND (c.numerator, c.denominator) IS DISTINCT FROM (p.numerator, p.denominator)
            UNION ALL
            SELECT g.period, g.unit_code, g.group_code, g.source, 0, 'group_score_differs',
                   pg_catalog.format('group %s scores %s from the counts, and the portal published %s',
                                     g.group_code, g.score, g.published_score),
                   pg_catalog.format('nhóm %s được %s điểm tính từ số liệu, Cổng công bố %s',
                                     g.group_code, kpi.format_vi(g.score, 2, false), kpi.format_vi(g.published_score, 2, false))
            FROM kpi.group_score AS g
            WHERE g.score IS NOT NULL AND g.published_score IS NOT NULL AND g.score <> g.published_score) AS x
      JOIN kpi.unit AS un ON un.code = x.unit_code
      LEFT JOIN kpi.level AS l ON l.code = un.level) AS s
ORDER BY s.period, s.level_position, s.unit_order, s.unit_code, s.sort_order, s.issue, s.source;

COMMENT ON VIEW kpi.data_issue IS
    'Số liệu cần kiểm tra: tỷ lệ in khác tử số/mẫu số quá mức làm tròn, tử số lớn hơn mẫu số, thiếu mẫu số, thiếu chỉ tiêu được giao, tổng số hồ sơ tiếp nhận không khớp, thiếu dòng số liệu, đơn vị có hồ sơ mà thiếu danh sách dịch vụ trực tuyến, số phần 1 lệch số tính gộp quá 0,5 điểm / Figures to check: printed rate off numerator/denominator beyond rounding, numerator above denominator, missing denominator, missing assigned target, dossiers received that disagree, missing rows, units with dossiers but no online services in force, section 1 figures more than half a point off the pooled appendix';
COMMENT ON COLUMN kpi.data_issue.period IS 'Kỳ báo cáo / Period label';
COMMENT ON COLUMN kpi.data_issue.level IS 'Cấp của số liệu / Level of the figures';
COMMENT ON COLUMN kpi.data_issue.unit_code IS 'Mã đơn vị (NULL với số liệu phần 1) / Unit code (NULL for a section 1 figure)';
COMMENT ON COLUMN kpi.data_issue.unit_name IS 'Tên đơn vị / Unit name';
COMMENT ON COLUMN kpi.data_issue.indicator IS 'Mã chỉ tiêu (NULL nếu vấn đề thuộc cả đơn vị) / Indicator code (NULL when the issue concerns the whole unit)';
COMMENT ON COLUMN kpi.data_issue.source IS 'Nguồn của dòng có vấn đề: published hoặc computed (NULL nếu thiếu dòng) / Source of the row at issue: published or computed (NULL for a missing row)';
COMMENT ON COLUMN kpi.data_issue.issue IS 'Loại vấn đề: rate_mismatch, numerator_above_denominator, missing_denominator, missing_target, received_differs, missing_count, no_services, summary_differs, metric_score_differs, metric_count_differs, group_score_differs / Kind of issue';
COMMENT ON COLUMN kpi.data_issue.reason IS 'Giải thích (tiếng Anh) / Reason in English';
COMMENT ON COLUMN kpi.data_issue.reason_vi IS 'Giải thích (tiếng Việt) / Reason in Vietnamese';

