-- Periods: one parser of labels (kpi.period_label) under every function
-- that takes one; the dates and names of each kind of period; the two-level
-- periods from 1 July 2025; the table kpi.period filled from a label and
-- refusing dates that contradict it.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;

-- Every kind of label, in any letter case and with blanks around it.
SELECT l AS given, kpi.period_label(l) AS label, b.starts, b.ends, n.name_vi, n.name_en,
       kpi.period_two_level(b.starts) AS two_level
FROM unnest(ARRAY['2024', '2024-h1', '2024-H2', ' 2024-q1 ', '2024-Q4', '2024-02', '2024-12',
                  '2025-Q2', '2025-Q3', '2025-H2', '2025', '2025-06', '2025-07', '2000-01']) WITH ORDINALITY AS g (l, i)
CROSS JOIN LATERAL kpi.period_bounds(l) AS b
CROSS JOIN LATERAL kpi.period_names(l) AS n
ORDER BY i;
-- a leap year's February
SELECT (kpi.period_bounds('2024-02')).ends AS leap, (kpi.period_bounds('2100-02')).ends AS not_leap;
-- the dates do not depend on DateStyle or TimeZone
SET DateStyle = 'SQL, DMY'; SET TimeZone = 'America/Los_Angeles';
SELECT (kpi.period_bounds('2024-Q1')).starts::text AS starts_dmy;
RESET DateStyle; RESET TimeZone;

-- Everything else is refused by name, by every function that takes a label.
SELECT l AS given, pg_temp.err(format('SELECT kpi.period_label(%L)', l)) AS error
FROM unnest(ARRAY['2024Q1', '2024-Q5', '2024-Q0', '2024-H3', '2024-13', '2024-00', '2024-1', '24-Q1',
                  '1999', '1999-Q4', '2024-W01', '', ' ', 'Q1-2024', '2024-Q1-', '２０２４']) AS l;
SELECT pg_temp.err($$SELECT kpi.period_bounds('2024-Q5')$$) AS bounds,
       pg_temp.err($$SELECT kpi.period_names('2024-Q5')$$) AS names,
       pg_temp.err($$SELECT kpi.refresh('2024-Q5')$$) AS refresh,
       pg_temp.err($$SELECT kpi.report_markdown('2024-Q5')$$) AS report;
-- NULL in, NULL out
SELECT kpi.period_label(NULL) IS NULL AS label, (kpi.period_bounds(NULL)).starts IS NULL AS bounds,
       kpi.period_two_level(NULL) IS NULL AS two_level;

-- kpi.period: a label is enough; it is stored in its one form.
INSERT INTO kpi.period (label) VALUES ('2025-q3'), (' 2024-h2 '), ('2025-07');
INSERT INTO kpi.period (label, starts, ends, name_vi, name_en)
VALUES ('2024-Q2', '2024-04-01', '2024-06-30', 'quý 2/2024', 'Q2 2024');
SELECT label, year, starts, ends, name_vi, name_en, two_level FROM kpi.period ORDER BY starts, ends DESC;
-- refused: a bad label, dates that contradict the label, a second row for
-- the same period written otherwise, a year changed by hand
SELECT pg_temp.err($$INSERT INTO kpi.period (label) VALUES ('2025Q4')$$) AS bad_label;
SELECT pg_temp.err($$INSERT INTO kpi.period (label, starts, ends) VALUES ('2025-Q4', '2025-10-01', '2025-12-30')$$) AS wrong_end;
SELECT pg_temp.err($$INSERT INTO kpi.period (label, starts, ends) VALUES ('2025-Q4', '2025-10-02', NULL)$$) AS one_date;
SELECT pg_temp.err($$INSERT INTO kpi.period (label) VALUES ('2025-Q3 ')$$) AS same_period_again;
SELECT pg_temp.err($$UPDATE kpi.period SET starts = '2025-07-02' WHERE label = '2025-Q3'$$) AS moved_start;
SELECT pg_temp.err($$UPDATE kpi.period SET year = 2026 WHERE label = '2025-Q3'$$) AS year_by_hand;
SELECT pg_temp.err($$INSERT INTO kpi.period (label) VALUES (NULL)$$) AS null_label;
-- a label changed by hand takes its dates and names with it, unless the
-- statement sets them (and then they must agree)
UPDATE kpi.period SET label = '2025-q4' WHERE label = '2025-Q3';
SELECT label, starts, ends, name_vi, two_level FROM kpi.period WHERE label = '2025-Q4';
UPDATE kpi.period SET label = '2024-Q3', name_vi = 'quý 3/2024' WHERE label = '2024-Q2';
SELECT label, starts, ends, name_vi, name_en FROM kpi.period WHERE label = '2024-Q3';
SELECT pg_temp.err($$UPDATE kpi.period SET label = '2024-Q4', starts = '2024-10-02' WHERE label = '2024-Q3'$$) AS relabel_with_other_dates;
SELECT count(*) AS periods FROM kpi.period;

DROP EXTENSION kpi_ext;
