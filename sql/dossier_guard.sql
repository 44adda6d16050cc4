-- Never silently wrong: kpi.refresh refuses a period that has not begun,
-- changes nothing (and says so) when a period has no dossier, and names the
-- units whose coverage indicators lack a list of services; kpi.data_issue
-- lists them, and a printed summary that differs from the pooled one.  A
-- two-level period gives every commune its own row.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SET client_min_messages = warning;
SET kpi.time_zone = 'Asia/Ho_Chi_Minh';

INSERT INTO kpi.unit (code, name, level, parent_code, sort_order) VALUES
    ('H44.07', 'Sở Nội vụ', 'province', NULL, 1),
    ('H44.19', 'Sở Tư pháp', 'province', NULL, 2),
    ('huyen-a', 'UBND huyện A', 'district', NULL, 1),
    ('xa-a1', 'UBND xã A1', 'commune', 'huyen-a', 1),
    ('xa-a2', 'UBND xã A2', 'commune', 'huyen-a', 2);
INSERT INTO kpi.service (unit_code, procedure_code, online_service, online_payment) VALUES
    ('H44.07', 'P1', true, true), ('xa-a1', 'P1', true, false), ('xa-a2', 'P1', true, false);
-- Q2 2025 (three levels) and Q3 2025 (two levels): H44.19 has no service list
INSERT INTO kpi.dossier (dossier_code, unit_code, procedure_code, received_at, channel, fee_required, paid_online)
SELECT format('%s-%s-%s', u, q, g), u, 'P1',
       CASE q WHEN 2 THEN timestamptz '2025-04-10 09:00+07' ELSE timestamptz '2025-07-10 09:00+07' END,
       CASE WHEN g % 2 = 0 THEN 'online' ELSE 'direct' END, g % 3 = 0, g % 6 = 0
FROM unnest(ARRAY['H44.07', 'H44.19', 'xa-a1', 'xa-a2']) AS u, generate_series(2, 3) AS q, generate_series(1, 6) AS g;

-- A period that has not begun: an error that names it.
SELECT pg_temp.err($$SELECT kpi.refresh('2099-Q1')$$) AS future_period;
SELECT count(*) AS periods FROM kpi.period;

-- A period without any dossier: 0, a warning, nothing changed (the
-- figures of another refresh stay).
SET client_min_messages = warning;
SELECT kpi.refresh('2025-Q2') AS q2_rows;
-- three levels until 30 June 2025: the communes' row is their district's
SELECT level, unit_code, numerator, denominator FROM kpi.indicator_count
WHERE period = '2025-Q2' AND indicator = 'online_dossier' ORDER BY level, unit_code;
SELECT pg_temp.table_state('{kpi.indicator_count, kpi.period}') AS state \gset
SELECT kpi.refresh('2024-Q4') AS no_dossier;
SELECT pg_temp.table_state('{kpi.indicator_count, kpi.period}') = :'state' AS nothing_changed;
-- ... also when the period had figures: they are not wiped
DELETE FROM kpi.dossier WHERE received_at >= '2025-04-01' AND received_at < '2025-07-01';
SELECT kpi.refresh('2025-Q2') AS q2_without_dossiers;
SELECT count(*) AS q2_rows_kept FROM kpi.indicator_count WHERE period = '2025-Q2';

-- The units without services: a warning from kpi.refresh, rows in
-- kpi.data_issue, coverage "-" (not applicable) for them.
SELECT kpi.refresh('2025-Q3') AS q3_rows;
SELECT period, level, unit_code, issue, reason FROM kpi.data_issue
WHERE period = '2025-Q3' AND issue = 'no_services' ORDER BY unit_code;
SELECT unit_code, indicator, applicable, numerator, denominator FROM kpi.indicator_count
WHERE period = '2025-Q3' AND indicator IN ('service_uptake', 'payment_uptake') ORDER BY unit_code, indicator;

-- Two levels from 1 July 2025: every commune has its own row (no district
-- sum), whichever district the unit list still names.
SELECT level, unit_code, numerator, denominator FROM kpi.indicator_count
WHERE period = '2025-Q3' AND indicator = 'online_dossier' ORDER BY level, unit_code;
SELECT p.label, p.two_level FROM kpi.period AS p ORDER BY p.label;

-- A printed summary that differs from the one pooled from the rows.
INSERT INTO kpi.printed_summary (period, indicator, level, printed_pct) VALUES ('2025-Q3', 'online_dossier', 'province', 90);
SELECT period, level, indicator, issue, reason FROM kpi.data_issue
WHERE period = '2025-Q3' AND issue = 'summary_differs';
-- within half a point of the pooled rate, it is the same figure, rounded
UPDATE kpi.printed_summary SET printed_pct = (SELECT round(100.0 * sum(numerator) / sum(denominator), 1)
                                             FROM kpi.indicator_count
                                             WHERE period = '2025-Q3' AND level = 'province' AND indicator = 'online_dossier');
SELECT count(*) AS summary_issues FROM kpi.data_issue WHERE period = '2025-Q3' AND issue = 'summary_differs';

-- Three levels: a district's commune row is counted with its communes'
-- services; a commune without any in force is named.
INSERT INTO kpi.unit (code, name, level, parent_code, sort_order) VALUES ('xa-a3', 'UBND xã A3', 'commune', 'huyen-a', 3);
INSERT INTO kpi.dossier (dossier_code, unit_code, procedure_code, received_at, channel)
VALUES ('A3-1', 'xa-a3', 'P1', '2025-05-05 10:00+07', 'online'), ('A1-1', 'xa-a1', 'P1', '2025-05-05 10:00+07', 'online');
SELECT kpi.refresh('2025-05') AS may_rows;
SELECT level, unit_code, issue, reason FROM kpi.data_issue WHERE period = '2025-05' AND issue = 'no_services';

DROP EXTENSION kpi_ext;
