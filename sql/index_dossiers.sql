-- The national index from the office's own dossiers: a generated year of
-- dossiers (with due dates for most), refreshed, gives per unit the counts
-- of every metric with a basis that plain SQL gives over the same rows, and
-- the scores its rules give; a unit whose dossiers have no due date has no
-- on-time count (unknown, not zero); computed counts win over the portal's.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SET kpi.time_zone = 'Asia/Ho_Chi_Minh';
SELECT kpi.load_sample() > 0 AS loaded;
\set rows 20000
\o /dev/null
\i test/generate_dossiers.sql
\o
-- due dates: most dossiers 0 to 15 days after receipt; none for the
-- dossiers of one unit, and for a few others
UPDATE kpi.dossier SET due_at = received_at + (abs(hashtext(dossier_code)) % 16) * interval '1 day'
WHERE unit_code <> 'so-tu-phap' AND abs(hashtext(dossier_code)) % 9 <> 0;
SELECT count(*) AS dossiers, count(due_at) AS with_due_date FROM kpi.dossier;

SELECT kpi.refresh('2024-Q2') > 0 AS refreshed;

-- plain SQL: the dossiers received in the quarter, per unit
CREATE TEMP TABLE expected AS
WITH q AS (
    SELECT d.*, timestamptz '2024-07-01 00:00+07' AS cutoff
    FROM kpi.dossier AS d
    WHERE d.received_at >= '2024-04-01 00:00+07' AND d.received_at < '2024-07-01 00:00+07'
)
SELECT unit_code, metric, n, d FROM (
    SELECT unit_code, 'ORIGINAL_RESULT_AVAILABLE' AS metric, count(*) FILTER (WHERE e_result) AS n, count(*) AS d FROM q GROUP BY 1
    UNION ALL SELECT unit_code, 'SO_HOA_GIAY_TO_GIAI_QUYET', count(*) FILTER (WHERE digitized AND e_result), count(*) FROM q GROUP BY 1
    UNION ALL SELECT unit_code, 'REUSED_DIGITIZED_DATA', count(*) FILTER (WHERE reused_data), count(*) FROM q GROUP BY 1
    UNION ALL SELECT unit_code, 'ONLINE_SUBMISSION_DOSSIER', count(*) FILTER (WHERE channel = 'online'), count(*) FROM q GROUP BY 1
    UNION ALL SELECT unit_code, 'ONLINE_PAYMENT_DOSSIER', count(*) FILTER (WHERE fee_required AND paid_online),
                     count(*) FILTER (WHERE fee_required) FROM q GROUP BY 1
    UNION ALL SELECT unit_code, 'ONLINE_PAYMENT_FORMALITY', count(DISTINCT procedure_code) FILTER (WHERE fee_required AND paid_online),
                     count(DISTINCT procedure_code) FILTER (WHERE fee_required) FROM q GROUP BY 1
    UNION ALL SELECT unit_code, 'ON_TIME_DOSSIER',
                     count(*) FILTER (WHERE CASE WHEN resolved_at < cutoff THEN resolved_at <= due_at ELSE due_at >= cutoff END),
                     count(due_at) FROM q GROUP BY 1 HAVING count(due_at) > 0
) AS x;
SELECT (SELECT count(*) FROM expected) AS expected_counts,
       (SELECT count(*) FROM kpi.metric_count WHERE period = '2024-Q2' AND source = 'computed') AS computed_counts,
       (SELECT count(*) FROM (SELECT unit_code, metric, n, d FROM expected
                              EXCEPT SELECT unit_code, metric, numerator, denominator FROM kpi.metric_count
                              WHERE period = '2024-Q2' AND source = 'computed') AS x) AS missing_or_different,
       (SELECT count(*) FROM (SELECT unit_code, metric, numerator, denominator FROM kpi.metric_count
                              WHERE period = '2024-Q2' AND source = 'computed'
                              EXCEPT SELECT unit_code, metric, n, d FROM expected) AS x) AS unexpected;
-- the unit without due dates has no on-time count
SELECT count(*) AS so_tu_phap_on_time FROM kpi.metric_count
WHERE period = '2024-Q2' AND unit_code = 'so-tu-phap' AND metric = 'ON_TIME_DOSSIER';
-- the scores, by the rules written plainly
SELECT count(*) AS scores,
       count(*) FILTER (WHERE s.score IS NOT DISTINCT FROM
           CASE WHEN e.d = 0 THEN CASE m.zero_denominator WHEN 'zero' THEN 0 WHEN 'max' THEN m.max_score END
                WHEN m.arithmetic = 'float8'
                THEN kpi.float8_round(least(m.max_score::float8, (m.max_score / m.full_at)::float8 * round(100.0 * e.n / e.d, 2)::float8 / 100), 2)
                ELSE round(m.max_score * least(1, e.n::numeric / (e.d * m.full_at)), 2) END) AS same
FROM expected AS e
JOIN kpi.metric AS m ON m.code = e.metric
JOIN kpi.metric_score AS s ON s.period = '2024-Q2' AND s.unit_code = e.unit_code AND s.metric = e.metric;
-- serial equals parallel
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS SELECT * FROM kpi.metric_counts_from_dossiers('2024-Q2');
RESET max_parallel_workers_per_gather;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SELECT count(*) AS parallel_differs FROM (
    (SELECT * FROM kpi.metric_counts_from_dossiers('2024-Q2') EXCEPT SELECT * FROM serial)
    UNION ALL (SELECT * FROM serial EXCEPT SELECT * FROM kpi.metric_counts_from_dossiers('2024-Q2'))) AS x;
RESET ALL;
SET kpi.time_zone = 'Asia/Ho_Chi_Minh';

-- The groups a unit's dossiers determine in full: payment needs the
-- portal's third part, digitisation four more metrics; so no group score
-- from dossiers alone but timeliness.
SELECT group_code, count(*) AS units, count(score) AS scored, min(source) AS source
FROM kpi.group_score WHERE period = '2024-Q2' GROUP BY group_code ORDER BY group_code;
-- Computed counts win over the portal's for the same unit and metric; the
-- difference is reported.
INSERT INTO kpi.metric_count (period, unit_code, metric, source, numerator, denominator)
VALUES ('2024-Q2', 'so-y-te', 'ONLINE_SUBMISSION_DOSSIER', 'portal', 1, 2),
       ('2024-Q2', 'so-y-te', 'FEE_FORMALITY_INTEGRATED', 'portal', 3, 4);
SELECT metric, source, effective FROM kpi.metric_score
WHERE period = '2024-Q2' AND unit_code = 'so-y-te' AND metric IN ('ONLINE_SUBMISSION_DOSSIER', 'FEE_FORMALITY_INTEGRATED')
ORDER BY metric, source;
SELECT group_code, score IS NOT NULL AS scored, source FROM kpi.group_score
WHERE period = '2024-Q2' AND unit_code = 'so-y-te' AND group_code = 'formality-online-payment';
SELECT issue, indicator, reason FROM kpi.data_issue
WHERE period = '2024-Q2' AND unit_code = 'so-y-te' AND issue = 'metric_count_differs';
-- Refreshing again replaces the computed counts and leaves the portal's.
SELECT kpi.refresh('2024-Q2') > 0 AS refreshed_again;
SELECT source, count(*) FROM kpi.metric_count WHERE period = '2024-Q2' AND unit_code = 'so-y-te' GROUP BY source ORDER BY source;

DROP TABLE expected, serial;
DROP EXTENSION kpi_ext;
