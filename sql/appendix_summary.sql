-- kpi.summary (section 1: pooled beside printed), kpi.data_issue, and which
-- figure wins when a computed one joins a published one.
CREATE EXTENSION kpi_ext;
SELECT kpi.load_sample();

-- All 28 printed figures, each beside the figure pooled from the appendix.
SELECT * FROM kpi.summary WHERE period = '2024-Q1';

-- 5 of the 28 come out as printed (service_uptake at every level,
-- digitization at province level, online_payment at commune level); 3
-- cannot be pooled (data_reuse below province level has no denominator).
SELECT pg_catalog.count(*) FILTER (WHERE pct = printed_pct) AS reconciled,
       pg_catalog.count(*) FILTER (WHERE pct <> printed_pct) AS differ,
       pg_catalog.count(*) FILTER (WHERE pct IS NULL) AS not_poolable,
       pg_catalog.count(*) AS printed
FROM kpi.summary WHERE period = '2024-Q1' AND printed_pct IS NOT NULL;
SELECT indicator, level, pct, printed_pct FROM kpi.summary
WHERE period = '2024-Q1' AND pct = printed_pct;

-- Pooled means sum of numerators over sum of denominators, not the mean
-- of the unit rates: province online_dossier is 20462/20824 = 98,3.
SELECT kpi.sum(kpi.ratio(numerator, denominator)) AS pooled,
       kpi.percent(kpi.sum(kpi.ratio(numerator, denominator))) AS pooled_pct,
       pg_catalog.round(pg_catalog.avg(pct), 1) AS mean_of_rates
FROM kpi.result
WHERE period = '2024-Q1' AND level = 'province' AND indicator = 'online_dossier';
-- The whole province, e_result: printed 94,4, pooled 97408/101408.
SELECT kpi.sum(kpi.ratio(numerator, denominator)) AS pooled, s.pct, s.printed_pct, s.difference
FROM kpi.result AS r, kpi.summary AS s
WHERE r.period = '2024-Q1' AND r.indicator = 'e_result'
  AND s.period = '2024-Q1' AND s.indicator = 'e_result' AND s.level = 'all'
GROUP BY s.pct, s.printed_pct, s.difference;

-- Data issues of the sample: only the 22 data_reuse rates at district and
-- commune level, which the report prints without their denominator.
SELECT issue, level, pg_catalog.count(*) FROM kpi.data_issue WHERE period = '2024-Q1'
GROUP BY 1, 2 ORDER BY 1, 2;
SELECT level, unit_code, indicator, source, issue, reason, reason_vi
FROM kpi.data_issue WHERE period = '2024-Q1';

-- Each kind of issue, on a spoiled copy of the sample.
BEGIN;
-- printed 81,9 for 59/72 becomes 81,8
UPDATE kpi.indicator_count SET printed_rate = 81.8
WHERE period = '2024-Q1' AND level = 'province' AND unit_code = 'ban-quan-ly-kkt' AND indicator = 'online_dossier';
-- 80 digitised of 72 received
UPDATE kpi.indicator_count SET numerator = 80
WHERE period = '2024-Q1' AND level = 'province' AND unit_code = 'ban-quan-ly-kkt' AND indicator = 'digitization';
-- no target
DELETE FROM kpi.assigned_target
WHERE period = '2024-Q1' AND level = 'province' AND unit_code = 'so-y-te' AND indicator = 'e_result';
-- received 445 for digitization, 444 elsewhere
UPDATE kpi.indicator_count SET denominator = 445
WHERE period = '2024-Q1' AND level = 'province' AND unit_code = 'so-y-te' AND indicator = 'digitization';
-- no e_result row
DELETE FROM kpi.indicator_count
WHERE period = '2024-Q1' AND level = 'province' AND unit_code = 'so-du-lich' AND indicator = 'e_result';
SELECT unit_code, indicator, issue, reason, reason_vi
FROM kpi.data_issue WHERE period = '2024-Q1' AND level = 'province';
-- What the views make of it: a numerator above its denominator gives no
-- rate (the printed rate stands in only where there is no denominator) and
-- makes the pooled figures of its level NULL; a missing target or row is
-- NULL.
SELECT row_no, unit_name, dossiers_received, digitized_dossiers, digitization_pct,
       e_result_target, dossiers_resolved, e_result_pct
FROM kpi.appendix_province_digital WHERE row_no IN (1, 3, 18) ORDER BY row_no;
SELECT indicator, level, pct, printed_pct FROM kpi.summary
WHERE period = '2024-Q1' AND indicator = 'digitization' AND level IN ('province', 'all');
ROLLBACK;

-- A computed figure (from dossiers) wins over the published one for the
-- same period, level, unit and indicator; the others stay published.
BEGIN;
INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, source, numerator, denominator)
VALUES ('2024-Q1', 'district', 'huyen-an-lao', 'data_reuse', 'computed', 70, 1407);
SELECT source, numerator, denominator, printed_rate FROM kpi.effective_count
WHERE period = '2024-Q1' AND level = 'district' AND unit_code = 'huyen-an-lao' AND indicator = 'data_reuse';
SELECT row_no, unit_name, reused_dossiers, data_reuse_pct
FROM kpi.appendix_district_digital WHERE row_no IN (1, 2) ORDER BY row_no;
SELECT unit_code, indicator, source, issue FROM kpi.data_issue
WHERE period = '2024-Q1' AND level = 'district' AND unit_code = 'huyen-an-lao';
-- still not poolable at district level: ten districts lack the denominator
SELECT indicator, level, pct, printed_pct FROM kpi.summary
WHERE period = '2024-Q1' AND indicator = 'data_reuse';
ROLLBACK;

DROP EXTENSION kpi_ext;
