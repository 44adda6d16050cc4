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
-- procedures not sorted, or repeated: a repeated one would count twice
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
-- Codes longer than 8 and 16 bytes, alike in their first 16: told apart,
-- in a unit's procedures and in a row of several units
INSERT INTO kpi.unit (code, name, level, parent_code, sort_order) VALUES
    ('district-with-a-long-code', 'Huyện dài', 'district', NULL, 6),
    ('commune-with-a-long-code-1', 'Xã dài 1', 'commune', 'district-with-a-long-code', 7),
    ('commune-with-a-long-code-2', 'Xã dài 2', 'commune', 'district-with-a-long-code', 8);
INSERT INTO kpi.service (unit_code, procedure_code, online_service, online_payment) VALUES
    ('commune-with-a-long-code-1', 'procedure-16-byte', true, false),
    ('commune-with-a-long-code-1', 'procedure-16-bytes-long-1', true, false),
    ('commune-with-a-long-code-2', 'procedure-16-bytes-long-2', true, false),
    ('commune-with-a-long-code-2', 'procedure-16-bytes-long-1', true, false),
    ('commune-with-a-long-code-2', '9-bytes.1', true, false);
SELECT * FROM kpi.coverage_from_tallies(
    ARRAY[pg_temp.t('commune-with-a-long-code-1', '{9-bytes.1,procedure-16-byte,procedure-16-bytes-long-1,procedure-16-bytes-long-2}', '{1,1,0,1}'),
          pg_temp.t('commune-with-a-long-code-2', '{9-bytes.1,9-bytes.2,procedure-16-bytes-long-1,procedure-16-bytes-long-2}', '{1,1,1,0}')],
    '{commune,commune}', '{district-with-a-long-code,district-with-a-long-code}',
    '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');

-- read with the calling statement's snapshot: a change earlier in the same
-- transaction counts (P2 no longer online, P3 online: 0 of 1), and is gone
-- with its rollback (P2 again: 1 of 1)
BEGIN;
UPDATE kpi.service SET online_service = false WHERE unit_code = 'A' AND procedure_code = 'P2';
INSERT INTO kpi.service (unit_code, procedure_code, online_service, online_payment) VALUES ('A', 'P3', true, false);
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1,P2,P3,P4}', '{1,7,0,1}')], '{province}', '{A}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
ROLLBACK;
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P1,P2,P3,P4}', '{1,7,0,1}')], '{province}', '{A}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');

-- The services are read straight from the table, or, where row-level
-- security applies to the caller or the caller may read only some columns,
-- through a query: the same figures, the policies obeyed.
CREATE ROLE regress_kpi_reader NOLOGIN;
GRANT USAGE ON SCHEMA kpi TO regress_kpi_reader;
GRANT SELECT (unit_code, procedure_code, online_service, online_payment, valid_from, valid_until)
    ON kpi.service TO regress_kpi_reader;
CREATE TEMP TABLE q3_rows AS SELECT * FROM pg_temp.q3;
GRANT SELECT ON q3_rows TO regress_kpi_reader;
SET ROLE regress_kpi_reader;
CREATE TEMP VIEW q3_reader AS SELECT * FROM kpi.coverage_from_tallies(
    ARRAY[pg_temp.t('A', '{P1,P2,P3,P4}', '{1,7,1,1}'),
          pg_temp.t('C1', '{P2,P5}', '{0,1}'),
          pg_temp.t('C2', '{P2}', '{3}')],
    '{province,commune,commune}', '{A,D,D}',
    '{x,y}', '{0,2}', '{1,6}', '{2,1}', '2024-07-01', '2024-09-30');
SELECT (SELECT count(*) FROM q3_rows) AS rows_,
       (SELECT count(*) FROM (SELECT * FROM q3_rows EXCEPT ALL SELECT * FROM q3_reader) AS x) AS missing,
       (SELECT count(*) FROM (SELECT * FROM q3_reader EXCEPT ALL SELECT * FROM q3_rows) AS x) AS extra;
DROP VIEW q3_reader;
RESET ROLE;
DROP TABLE q3_rows;
-- without the right to read valid_until: refused, as the query is
REVOKE SELECT (valid_until) ON kpi.service FROM regress_kpi_reader;
SET ROLE regress_kpi_reader;
SELECT * FROM kpi.coverage_from_tallies(ARRAY[pg_temp.t('A', '{P2}', '{1}')], '{province}', '{A}',
                                        '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
RESET ROLE;
-- a policy that shows the reader only the services of C1: A's and C2's
-- procedures have no service in force for it
GRANT SELECT ON kpi.service TO regress_kpi_reader;
ALTER TABLE kpi.service ENABLE ROW LEVEL SECURITY;
CREATE POLICY regress_c1_only ON kpi.service TO regress_kpi_reader USING (unit_code = 'C1');
SET ROLE regress_kpi_reader;
SELECT * FROM kpi.coverage_from_tallies(
    ARRAY[pg_temp.t('A', '{P1,P2,P3,P4}', '{1,7,1,1}'), pg_temp.t('C1', '{P2,P5}', '{0,1}'),
          pg_temp.t('C2', '{P2}', '{3}')],
    '{province,commune,commune}', '{A,C1,C2}', '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
RESET ROLE;
-- the table's owner is not subject to the policy: every service
SELECT * FROM kpi.coverage_from_tallies(
    ARRAY[pg_temp.t('A', '{P1,P2,P3,P4}', '{1,7,1,1}'), pg_temp.t('C1', '{P2,P5}', '{0,1}'),
          pg_temp.t('C2', '{P2}', '{3}')],
    '{province,commune,commune}', '{A,C1,C2}', '{x}', '{0}', '{1}', '{2}', '2024-07-01', '2024-09-30');
DROP POLICY regress_c1_only ON kpi.service;
ALTER TABLE kpi.service DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON kpi.service FROM regress_kpi_reader;
REVOKE USAGE ON SCHEMA kpi FROM regress_kpi_reader;
DROP ROLE regress_kpi_reader;

-- kpi.sum_with_flags and kpi.count_with_flags: what an indicator adds up
-- from a tally.  Flags 1 online, 2 fee, 4 paid (only with fee).
SELECT kpi.sum_with_flags('{0,1,2,3,7}', '{10,20,30,40,50}', 0) AS all_,
       kpi.sum_with_flags('{0,1,2,3,7}', '{10,20,30,40,50}', 1) AS online,
       kpi.sum_with_flags('{0,1,2,3,7}', '{10,20,30,40,50}', 6) AS paid,
       kpi.sum_with_flags('{}', '{}', 1) AS none,
       kpi.count_with_flags('{0,1,3,3,7}', 3) AS online_fee,
       kpi.count_with_flags('{}', 0) AS no_procedure,
       kpi.sum_with_flags(NULL, '{1}', 0) IS NULL AS strict;
-- refused: a value that is no combination (paid without fee), negative or
-- too large; NULLs; counts of another length; a matrix; an overflow
SELECT kpi.sum_with_flags('{0,4}', '{1,1}', 0);
SELECT kpi.count_with_flags('{-1}', 0);
SELECT kpi.count_with_flags('{256}', 0);
SELECT kpi.count_with_flags('{1,NULL}', 0);
SELECT kpi.sum_with_flags('{1,2}', '{1,NULL}', 0);
SELECT kpi.sum_with_flags('{1,2}', '{1}', 0);
SELECT kpi.sum_with_flags('{{1},{2}}', '{1,1}', 0);
SELECT kpi.sum_with_flags('{1,1}', '{9223372036854775807,1}', 0);

DROP VIEW pg_temp.q3;
DROP FUNCTION pg_temp.t(text, text[], integer[]);
DROP EXTENSION kpi_ext;
