-- The national index (Decision 766) from the portal's own responses: the
-- twelve real responses for Phú Thọ, 2026 (data/portal/phutho-2026: six
-- groups, quarter 3 and the year, 163 units), loaded as they came; every
-- metric score of the three metric groups and every group score of the six
-- groups equals what the portal published, where the portal published the
-- counts it scored; loading again changes nothing; malformed responses load
-- nothing.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
\getenv abs_srcdir PG_ABS_SRCDIR
\set dir :abs_srcdir '/data/portal/phutho-2026/'
CREATE TEMP TABLE response AS
SELECT g.group_dir, p.file, p.period,
       pg_read_file(:'dir' || g.group_dir || '/' || p.file)::jsonb AS body
FROM unnest(ARRAY['dossier-digitized', 'dvc-progress-tree', 'provide-online-tree', 'formality-online-payment-tree',
                  'transparency', 'handling-satisfaction']) WITH ORDINALITY AS g (group_dir, n),
     (VALUES ('quarter-all.json', '2026-Q3', 1), ('year-all.json', '2026', 2)) AS p (file, period, k)
ORDER BY g.n, p.k;

-- Malformed responses first: each an error that names what is wrong, and
-- nothing is loaded.
\set state_tables '{kpi.unit, kpi.period, kpi.metric_count, kpi.portal_score, kpi.portal_group_score}'
SELECT pg_temp.table_state(:'state_tables') AS empty_state \gset
SELECT pg_temp.err($$SELECT kpi.ingest_portal(NULL, '2026-Q3')$$) AS null_response;
SELECT pg_temp.err($$SELECT kpi.ingest_portal('[1, 2]', '2026-Q3')$$) AS not_an_object;
SELECT pg_temp.err($$SELECT kpi.ingest_portal('{"code": "ERROR", "data": {}}', '2026-Q3')$$) AS not_ok;
SELECT pg_temp.err($$SELECT kpi.ingest_portal('{"code": "OK", "data": {"rows": []}}', '2026-Q3')$$) AS unknown_shape;
SELECT pg_temp.err(format('SELECT kpi.ingest_portal(%L, %L)', body, '2026Q3')) AS bad_period
FROM response WHERE group_dir = 'dvc-progress-tree' AND period = '2026-Q3';
-- transparency carries no unit codes: it needs the ids of a response that has both
SELECT pg_temp.err(format('SELECT kpi.ingest_portal(%L, %L)', body, period)) AS codes_unknown
FROM response WHERE group_dir = 'transparency' AND period = '2026-Q3';
-- a metric no group has; a negative count; a fraction; a count as text;
-- a unit without id; a tree whose parent has no group's counts
SELECT pg_temp.err(format('SELECT kpi.ingest_portal(%L, %L)',
           jsonb_set(body, '{data,evaluation,3,metrics,0,code}', '"NO_SUCH_METRIC"'), period)) AS unknown_metric
FROM response WHERE group_dir = 'dossier-digitized' AND period = '2026-Q3';
SELECT pg_temp.err(format('SELECT kpi.ingest_portal(%L, %L)',
           jsonb_set(body, '{data,evaluation,3,metrics,1,numerator}', '-5'), period)) AS negative_count
FROM response WHERE group_dir = 'dossier-digitized' AND period = '2026-Q3';
SELECT pg_temp.err(format('SELECT kpi.ingest_portal(%L, %L)',
           jsonb_set(body, '{data,evaluation,3,metrics,1,denominator}', '12.5'), period)) AS fractional_count
FROM response WHERE group_dir = 'dossier-digitized' AND period = '2026-Q3';
SELECT pg_temp.err(format('SELECT kpi.ingest_portal(%L, %L)',
           jsonb_set(body, '{data,children,7,totalOnTime}', '"12"'), period)) AS count_as_text
FROM response WHERE group_dir = 'dvc-progress-tree' AND period = '2026-Q3';
SELECT pg_temp.err(format('SELECT kpi.ingest_portal(%L, %L)',
           body #- '{data,children,9,departmentId}', period)) AS unit_without_id
FROM response WHERE group_dir = 'dvc-progress-tree' AND period = '2026-Q3';
SELECT pg_temp.err(format('SELECT kpi.ingest_portal(%L, %L)',
           body #- '{data,parent,totalOnTime}', period)) AS parent_without_counts
FROM response WHERE group_dir = 'dvc-progress-tree' AND period = '2026-Q3';
SELECT pg_temp.err(format('SELECT kpi.ingest_portal(%L, NULL)', body)) AS null_period
FROM response WHERE group_dir = 'dvc-progress-tree' AND period = '2026-Q3';
SELECT pg_temp.table_state(:'state_tables') = :'empty_state' AS nothing_loaded;

-- The twelve responses, in an order where the groups without codes come
-- after one with them.
SELECT r.group_dir, r.period, x.*
FROM response AS r, kpi.ingest_portal(r.body, r.period) AS x;
SELECT level, count(*) AS units, count(portal_id) AS with_portal_id FROM kpi.unit GROUP BY level ORDER BY level;

-- Again: nothing written, no row version changed.
SELECT pg_temp.table_state(:'state_tables') AS state, pg_temp.table_versions(:'state_tables') AS versions \gset
SELECT r.group_dir, r.period, x.*
FROM response AS r, kpi.ingest_portal(r.body, r.period) AS x
WHERE r.group_dir IN ('transparency', 'formality-online-payment-tree');
SELECT pg_temp.table_state(:'state_tables') = :'state' AS same_rows,
       pg_temp.table_versions(:'state_tables') = :'versions' AS same_row_versions;

-- Every metric score of the metric groups equals the published one (both
-- NULL counts as equal), and every ratio where the denominator is not 0.
SELECT period, group_code, count(*) AS metrics,
       count(*) FILTER (WHERE score IS NOT DISTINCT FROM published_score) AS same_score,
       count(*) FILTER (WHERE denominator > 0) AS with_ratio,
       count(*) FILTER (WHERE denominator > 0 AND ratio = published_ratio) AS same_ratio
FROM kpi.metric_score
WHERE group_code IN ('transparency', 'handling-satisfaction', 'dossier-digitized')
GROUP BY period, group_code ORDER BY period, group_code;
-- Every group score equals the published one, for the province and all 163
-- units; except that the portal publishes no counts for the units of
-- provide-online (only a score): there the province's own is checked.
SELECT period, group_code, count(*) AS rows,
       count(*) FILTER (WHERE score = published_score) AS same,
       count(*) FILTER (WHERE score IS NULL) AS not_computable
FROM kpi.group_score GROUP BY period, group_code ORDER BY period, group_code;
SELECT g.period, g.unit_code, g.score, g.published_score, g.source
FROM kpi.group_score AS g JOIN kpi.unit AS u ON u.code = g.unit_code
WHERE g.group_code = 'provide-online' AND u.level = 'all' ORDER BY g.period;
SELECT count(*) AS differences FROM kpi.data_issue WHERE issue IN ('metric_score_differs', 'group_score_differs');

-- The rows that decide the rules: half away from zero on exact ties
-- (H44.46 3/16 gives 1.125 -> 1.13; H44.163's year 1989/2080 gives 19.125
-- -> 19.13), and the payment parts in the portal's binary floating point
-- (H44.125 and H44.158 in the year: 6 * 93.25 / 100 is 5.5949999... -> 5.59).
SELECT period, unit_code, metric, numerator, denominator, ratio, score, published_score
FROM kpi.metric_score
WHERE (period, unit_code, metric) IN (('2026-Q3', 'H44.46', 'ORIGINAL_RESULT_AVAILABLE'),
                                      ('2026', 'H44.163', 'ON_TIME_DOSSIER'),
                                      ('2026', 'H44.125', 'ONLINE_PAYMENT_DOSSIER'),
                                      ('2026', 'H44.158', 'ONLINE_PAYMENT_DOSSIER'))
ORDER BY period, unit_code;
SELECT kpi.float8_round(6 * 93.25 / 100::float8, 2) AS float8_part, round(6 * 93.25 / 100, 2) AS exact_part,
       kpi.float8_round(0.125, 2) AS exact_tie, kpi.float8_round(-2.675, 2) AS negative;
SELECT pg_temp.err('SELECT kpi.float8_round(''NaN'', 2)') AS nan, pg_temp.err('SELECT kpi.float8_round(1, 16)') AS too_many_digits;
-- in exact decimal arithmetic those two year rows would be 0.01 higher
BEGIN;
UPDATE kpi.metric SET arithmetic = 'exact' WHERE group_code = 'formality-online-payment';
SELECT period, unit_code, score, published_score FROM kpi.group_score
WHERE group_code = 'formality-online-payment' AND score <> published_score ORDER BY period, unit_code;
ROLLBACK;

-- A what-if: reuse scored at 100% instead of 80% changes these many scores.
BEGIN;
UPDATE kpi.metric SET full_at = 1 WHERE code = 'REUSED_DIGITIZED_DATA';
SELECT period, count(*) AS reuse_scores_lower FROM kpi.metric_score
WHERE metric = 'REUSED_DIGITIZED_DATA' AND score < published_score GROUP BY period ORDER BY period;
ROLLBACK;

-- The index: totals of 100 for every unit, ranks within the province and
-- the level, ties sharing a rank; no classification until thresholds are set.
SELECT period, level, count(*) AS units, count(rank) AS ranked, min(total), max(total), count(classification) AS classified
FROM kpi.index_score GROUP BY period, level ORDER BY period, level;
SELECT rank, level_rank, unit_code, unit_name, total FROM kpi.index_score
WHERE period = '2026-Q3' AND (level_rank <= 3 OR level = 'all') ORDER BY level, level_rank, unit_code COLLATE "C";
SELECT total, count(*) AS tied, min(level_rank) AS shared_rank FROM kpi.index_score
WHERE period = '2026-Q3' AND level = 'commune' GROUP BY total HAVING count(*) > 2 ORDER BY total DESC LIMIT 3;
BEGIN;
INSERT INTO kpi.index_class (code, name_vi, name_en, min_total)
VALUES ('good', 'Tốt', 'good', 70), ('fair', 'Khá', 'fair', 65), ('low', 'Trung bình', 'average', 0);
SELECT classification, count(*) FROM kpi.index_score WHERE period = '2026-Q3' AND level <> 'all'
GROUP BY classification ORDER BY classification;
ROLLBACK;
-- change from the previous period of the same kind (here, a quarter 2 made up)
BEGIN;
INSERT INTO kpi.period (label) VALUES ('2026-Q2');
INSERT INTO kpi.portal_group_score (period, unit_code, group_code, score, max_score)
SELECT '2026-Q2', unit_code, group_code, published_score - 1, max_score
FROM kpi.group_score WHERE period = '2026-Q3' AND unit_code = 'H44.20';
SELECT period, unit_code, total, change_from_previous FROM kpi.index_score WHERE unit_code = 'H44.20' ORDER BY period;
ROLLBACK;

-- A unit code in another letter case is the same unit, as in every loader;
-- a metric a user adds to a group is not expected in the portal's responses.
BEGIN;
INSERT INTO kpi.metric (code, group_code, position, name_vi, name_en, max_score, zero_denominator, rule)
VALUES ('OWN_TRACKED', 'dossier-digitized', 99, 'Chỉ số riêng', 'An own metric', 0, 'null', 'tracked');
SELECT x.* FROM response AS r,
     kpi.ingest_portal(jsonb_set(r.body, '{data,evaluation,0,departmentCode}',
                                 to_jsonb(lower(r.body #>> '{data,evaluation,0,departmentCode}'))), r.period) AS x
WHERE r.group_dir = 'dossier-digitized' AND r.period = '2026-Q3';
SELECT count(*) AS units_in_lower_case FROM kpi.unit WHERE code <> upper(code);
ROLLBACK;

-- Bad arguments of the index's functions.
SELECT pg_temp.err($$SELECT kpi.metric_points(10, 1, 'zero', 'linearr', 'exact', 1, 2)$$) AS unknown_rule;
SELECT pg_temp.err($$SELECT kpi.metric_points(10, 1, 'zero', 'linear', 'float', 1, 2)$$) AS unknown_arithmetic;
SELECT pg_temp.err($$SELECT kpi.metric_points(10, NULL, 'zero', 'linear', 'exact', 1, 2)$$) AS linear_without_full_at;
SELECT pg_temp.err($$SELECT kpi.metric_points(10, 1, NULL, 'linear', 'exact', 1, 2)$$) AS no_zero_denominator_rule;
SELECT kpi.metric_points(10, 0.8, 'max', 'linear', 'exact', 0, 0) AS zero_of_zero_max,
       kpi.metric_points(10, 0.8, 'null', 'linear', 'exact', 0, 0) AS zero_of_zero_null,
       kpi.metric_points(10, 0.8, 'zero', 'linear', 'exact', 3, 4) AS three_quarters_of_80;
SELECT kpi.period_previous('2026-Q1') AS q, kpi.period_previous('2026-h1') AS h,
       kpi.period_previous('2026-01') AS m, kpi.period_previous('2026') AS y;
SELECT pg_temp.err($$SELECT kpi.period_previous('2000-Q1')$$) AS before_2000;
SELECT pg_temp.err($$SELECT kpi.index_markdown('2026-Q3', -1)$$) AS negative_lowest;
SELECT pg_temp.err($$SELECT kpi.index_markdown('2026-Q3', 5, NULL)$$) AS null_cheapest;
-- no list asked: the ranking only
SELECT line FROM unnest(string_to_array(kpi.index_markdown('2026-Q3', 0, 0), E'\n')) AS l (line)
WHERE line LIKE '#%';

-- What the missing points would take, cheapest first.
SELECT unit_code, metric, counted, numerator, denominator, score, max_score, points_missing, additional, points_per_additional
FROM kpi.points_to_gain('2026-Q3') LIMIT 8;
-- each: the additional dossiers earn the points, one fewer does not
SELECT count(*) AS rows,
       count(*) FILTER (WHERE kpi.metric_points(m.max_score, m.full_at, m.zero_denominator, m.rule, m.arithmetic,
                                               p.numerator + p.additional, p.denominator) = p.max_score) AS enough,
       count(*) FILTER (WHERE kpi.metric_points(m.max_score, m.full_at, m.zero_denominator, m.rule, m.arithmetic,
                                               p.numerator + p.additional - 1, p.denominator) < p.max_score) AS fewest
FROM kpi.points_to_gain('2026') AS p JOIN kpi.metric AS m ON m.code = p.metric;

-- The report: headings, and the first rows of each part.
SELECT line FROM unnest(string_to_array(kpi.index_markdown('2026-Q3', 3, 3), E'\n')) WITH ORDINALITY AS l (line, n)
WHERE line LIKE '#%' OR line LIKE '- %' OR n <= 3 OR line LIKE '| 1 |%' OR line LIKE '| Hạng%' OR line LIKE '| Đơn vị%'
   OR line LIKE '| UBND%'
ORDER BY n LIMIT 40;
SELECT pg_temp.err($$SELECT kpi.index_markdown('2025-Q1')$$) AS no_index;

DROP TABLE response;
DROP EXTENSION kpi_ext;
