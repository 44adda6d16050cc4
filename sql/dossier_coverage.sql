-- kpi.coverage_from_tallies, the second stage for the indicators that count
-- procedures: a procedure counts where its unit offers the service in the
-- period (the latest version where it changed), once per appendix row
-- however many of the row's units received it, in the numerator when any
-- of them qualifies; and tallies that are not what kpi.dossier_tally
-- returns are refused with a reason, never half-read.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SET client_min_messages = warning;

INSERT INTO kpi.unit (code, name, level, parent_code, sort_order) VALUES
    ('A', 'Sở A', 'province', NULL, 1), ('D', 'Huyện D', 'district', NULL, 2),
    ('C1', 'Xã C1', 'commune', 'D', 3), ('C2', 'Xã C2', 'commune', 'D', 4),
    ('Z', 'Sở Z', 'province', NULL, 5);
-- A offers P1 online until August, then not; P2 online with payment; P3
-- has no service.  C1 and C2 (one appendix row, 'D') both offer P2.
INSERT INTO kpi.service (unit_code, procedure_code, online_service, online_payment, valid_from, valid_until) VALUES
    ('A', 'P1', true, false, '2024-01-01', '2024-07-31'),
    ('A', 'P1', false, false, '2024-08-01', NULL),
    ('A', 'P2', true, true, '2024-01-01', NULL),
    ('A', 'P4', true, true, '2024-10-01', NULL),      -- not yet in force in Q3
    ('C1', 'P2', true, true, '2024-01-01', NULL),
    ('C2', 'P2', true, true, '2024-01-01', NULL),
    ('C2', 'P5', true, false, '2020-01-01', '2023-12-31'), -- no longer in force
    ('Z', 'P1', true, true, '2024-01-01', NULL);      -- a unit without a tally

CREATE FUNCTION pg_temp.t(unit text, procs text[], flags integer[]) RETURNS kpi.tally
LANGUAGE sql AS $$ SELECT ROW(unit, '{}'::integer[], '{}'::bigint[], '{}'::integer[], '{}'::bigint[], procs, flags)::kpi.tally $$;

-- indicator x: offered online (2), any dossier (mask 0), numerator flag 1;
-- indicator y: offered with payment (1), denominator flag 2, numerator 2|4
CREATE VIEW pg_temp.q3 AS
SELECT * FROM kpi.coverage_from_tallies(
    ARRAY[pg_temp.t('A', '{P1,P2,P3,P4}', '{1,7,1,1}'),
          pg_temp.t('C1', '{P2,P5}', '{0,1}'),
          pg_temp.t('C2', '{P2}', '{3}')],
    '{province,commune,commune}', '{A,D,D}',
    '{x,y}', '{0,2}', '{1,6}', '{2,1}', '2024-07-01', '2024-09-30')
ORDER BY 1, 2, 3;
SELECT * FROM pg_temp.q3;

-- in Q1 P1 was still offered online
SELECT * FROM kpi.coverage_from_tallies(
    ARRAY[pg_temp.t('A', '{P1,P2,P3,P4}', '{1,7,1,1}')], '{province}', '{A}',
    '{x}', '{0}', '{1}', '{2}', '2024-01-01', '2024-03-31');

-- each commune its own row (a two-level period): P2 counted in each
SELECT * FROM kpi.coverage_from_tallies(
    ARRAY[pg_temp.t('C1', '{P2,P5}', '{0,1}'), pg_temp.t('C2', '{P2}', '{3}')],
    '{commune,commune}', '{C1,C2}', '{x}', '{0}', '{1}', '{2}', '2025-07-01', '2025-09-30')
ORDER BY 2;

-- nothing to count: no rows
SELECT count(*) FROM kpi.coverage_from_tallies('{}', '{}', '{}', '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
SELECT count(*) FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1}', '{1}')], '{province}', '{A}',
                                               '{}', '{}', '{}', '{}', '2024-07-01', '2024-09-30');
-- strict: a NULL argument gives no rows
SELECT count(*) FROM kpi.coverage_from_tallies(NULL, '{}', '{}', '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');

-- Refused
-- procedures not sorted, or repeated: a binary search would miss services
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P2,P1}', '{1,1}')], '{province}', '{A}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1,P1}', '{1,1}')], '{province}', '{A}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
-- procedures and flags of different lengths
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1,P2}', '{1}')], '{province}', '{A}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
-- a NULL procedure, a NULL flag
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1,NULL}', '{1,1}')], '{province}', '{A}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1}', '{NULL}')], '{province}', '{A}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
-- a tally without a unit, a unit with two tallies
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t(NULL, '{P1}', '{1}')], '{province}', '{A}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1}', '{1}'), pg_temp.t('A', '{P2}', '{1}')],
                                        '{province,province}', '{A,A}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
-- rows and tallies of different numbers
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1}', '{1}')], '{province,commune}', '{A}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1}', '{1}')], '{province}', '{A,B}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
-- an indicator without its masks, a NULL among them, a matrix
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1}', '{1}')], '{province}', '{A}',
                                        '{x,y}', '{0}', '{1,1}', '{2,2}', '2024-07-01', '2024-09-30');
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1}', '{1}')], '{province}', '{A}',
                                        '{x}', '{0}', '{NULL}', '{2}', '2024-07-01', '2024-09-30');
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1}', '{1}')], '{province}', '{A}',
                                        '{{x},{y}}', '{0,0}', '{1,1}', '{2,2}', '2024-07-01', '2024-09-30');
-- a NULL row
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1}', '{1}')], '{NULL}', '{A}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
-- not a period
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1}', '{1}')], '{province}', '{A}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-09-30', '2024-07-01');
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1}', '{1}')], '{province}', '{A}',
                                        '{x}', '{0}', '{1}', '{2}', '-infinity', '2024-07-01');
DROP VIEW pg_temp.q3;
DROP FUNCTION pg_temp.t(text, text[], integer[]);
DROP EXTENSION kpi_ext;
