-- kpi.ingest_units and kpi.ingest_services: unit lists with the national
-- portal's codes, two-level provinces, every reason a row is refused, and
-- loading the same file twice changing nothing.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
\set unit_tables '{kpi.unit, kpi.staging_unit, kpi.rejected_unit}'
\set service_tables '{kpi.service, kpi.staging_service, kpi.rejected_service}'

-- A two-level province: departments and communes directly under it, with
-- the portal's codes; a three-level district with its commune, listed
-- after it; blanks around cells, a blank line.
INSERT INTO kpi.staging_unit (code, name, level, parent_code, sort_order) VALUES
    ('H44.07', 'Sở Nội vụ', 'province', NULL, '1'),
    (' H44.19 ', ' Sở Tư pháp ', 'Province', '', '2'),
    ('H44.100', 'UBND xã Hy Cương', 'commune', NULL, '1'),
    ('xa-an-hoa', 'UBND xã An Hòa', 'commune', 'HUYEN-AN-LAO', '2'),
    ('huyen-an-lao', 'UBND huyện An Lão', 'district', NULL, NULL),
    (NULL, NULL, ' ', NULL, NULL);
SELECT * FROM kpi.ingest_units();
SELECT code, name, level, parent_code, sort_order FROM kpi.unit ORDER BY level, sort_order, code;
SELECT count(*) AS staged_left, (SELECT count(*) FROM kpi.rejected_unit) AS rejected_left FROM kpi.staging_unit;

-- The same file again: nothing changes, not even a row version.
SELECT pg_temp.table_state(:'unit_tables') AS state, pg_temp.table_versions('{kpi.unit}') AS versions \gset
INSERT INTO kpi.staging_unit (code, name, level, parent_code, sort_order) VALUES
    ('H44.07', 'Sở Nội vụ', 'province', NULL, '1'),
    ('H44.19', 'Sở Tư pháp', 'province', NULL, '2'),
    ('H44.100', 'UBND xã Hy Cương', 'commune', NULL, '1'),
    ('xa-an-hoa', 'UBND xã An Hòa', 'commune', 'huyen-an-lao', '2'),
    ('huyen-an-lao', 'UBND huyện An Lão', 'district', NULL, '0');
SELECT * FROM kpi.ingest_units();
SELECT pg_temp.table_state(:'unit_tables') = :'state' AS same_rows,
       pg_temp.table_versions('{kpi.unit}') = :'versions' AS same_row_versions;

-- A renamed unit takes the file's name and order.
INSERT INTO kpi.staging_unit (code, name, level, sort_order) VALUES ('H44.07', 'Sở Nội vụ tỉnh Phú Thọ', 'province', '5');
SELECT * FROM kpi.ingest_units();
SELECT code, name, sort_order FROM kpi.unit WHERE code = 'H44.07';
UPDATE kpi.unit SET name = 'Sở Nội vụ', sort_order = 1 WHERE code = 'H44.07';

-- Every reason a row is refused; the good rows of the same file load.
SELECT pg_temp.table_state('{kpi.unit}') AS state \gset
INSERT INTO kpi.staging_unit (code, name, level, parent_code, sort_order) VALUES
    ('code', 'name', 'level', 'parent_code', 'sort_order'),
    ('', 'Sở A', 'province', NULL, '1'),
    ('Sở A', 'Sở A', 'province', NULL, '1'),
    ('.H44', 'Sở A', 'province', NULL, '1'),
    (repeat('x', 101), 'Sở A', 'province', NULL, '1'),
    ('h44.100', 'UBND xã Hy Cương', 'commune', NULL, '1'),
    ('so-a', '', 'province', NULL, '1'),
    ('so-b', 'Sở B', '', NULL, '1'),
    ('so-c', 'Sở C', 'ward', NULL, '1'),
    ('so-d', 'Sở D', 'province', 'huyen-an-lao', '1'),
    ('xa-b', 'UBND xã B', 'commune', 'huyen-xyz', '1'),
    ('xa-c', 'UBND xã C', 'commune', 'H44.07', '1'),
    ('so-e', 'Sở E', 'province', NULL, '1.5'),
    ('so-f', 'Sở F', 'province', NULL, '1'),
    ('SO-F', 'Sở F', 'province', NULL, '2'),
    ('huyen-moi', 'UBND huyện Mới', 'district', NULL, 'x'),
    ('xa-moi', 'UBND xã Mới', 'commune', 'huyen-moi', '1'),
    ('so-g', 'Sở G', 'province', NULL, '7');
SELECT * FROM kpi.ingest_units();
SELECT line_no, error, code, name, level, parent_code, sort_order FROM kpi.rejected_unit ORDER BY line_no;
SELECT code, name FROM kpi.unit WHERE code = 'so-g';
DELETE FROM kpi.unit WHERE code = 'so-g';
SELECT pg_temp.table_state('{kpi.unit}') = :'state' AS nothing_else_written;

-- Fixed where they were rejected, they load on the next call (with a new
-- file's rows); a row of the new file replaces the rejected row of the same
-- code (the corrected file loaded again); the rest stay rejected.
UPDATE kpi.rejected_unit SET sort_order = '3' WHERE code = 'huyen-moi';
INSERT INTO kpi.staging_unit (code, name, level, sort_order) VALUES
    ('H44.22', 'Sở Y tế', 'province', '3'),
    ('so-e', 'Sở E', 'province', '15');
SELECT * FROM kpi.ingest_units();
SELECT code, level, parent_code, sort_order FROM kpi.unit WHERE code IN ('huyen-moi', 'xa-moi', 'H44.22', 'so-e') ORDER BY code;
SELECT line_no, code FROM kpi.rejected_unit ORDER BY line_no, code;
DELETE FROM kpi.rejected_unit;

-- Levels: a unit with figures keeps a level that may have them; a district
-- keeps its level while communes hang from it, unless they move in the same
-- file; July 2025: the district goes, its communes come directly under the
-- province.
INSERT INTO kpi.period (label) VALUES ('2025-q2');
INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, numerator, denominator)
VALUES ('2025-Q2', 'district', 'huyen-an-lao', 'online_dossier', 5, 10),
       ('2025-Q2', 'commune', 'xa-an-hoa', 'online_dossier', 1, 2);
INSERT INTO kpi.staging_unit (code, name, level, parent_code, sort_order) VALUES
    ('huyen-an-lao', 'UBND huyện An Lão', 'province', NULL, '0'),
    ('huyen-moi', 'UBND huyện Mới', 'commune', NULL, '0'),
    ('H44.07', 'Sở Nội vụ', 'commune', NULL, '0');
SELECT * FROM kpi.ingest_units();
SELECT line_no, error FROM kpi.rejected_unit ORDER BY line_no;
DELETE FROM kpi.rejected_unit;
INSERT INTO kpi.staging_unit (code, name, level, parent_code, sort_order) VALUES
    ('xa-an-hoa', 'UBND xã An Hòa', 'commune', NULL, '2'),
    ('xa-moi', 'UBND xã Mới', 'commune', NULL, '3'),
    ('huyen-moi', 'UBND huyện Mới (cũ)', 'province', NULL, '9');
SELECT * FROM kpi.ingest_units();
SELECT code, name, level, parent_code FROM kpi.unit WHERE code IN ('xa-an-hoa', 'xa-moi', 'huyen-moi') ORDER BY code;
-- a commune whose new district is rejected in the same file is rejected too
INSERT INTO kpi.staging_unit (code, name, level, parent_code, sort_order) VALUES
    ('huyen-xuan', 'UBND huyện Xuân', 'district', NULL, 'not a number'),
    ('xa-xuan', 'UBND xã Xuân', 'commune', 'huyen-xuan', '1');
SELECT * FROM kpi.ingest_units();
SELECT line_no, error FROM kpi.rejected_unit ORDER BY line_no;
DELETE FROM kpi.rejected_unit;

-- Services: each unit's list, in force from the period's first day.
INSERT INTO kpi.staging_service (unit_code, procedure_code, online_service, online_payment) VALUES
    ('H44.07', '1.001', 'true', 'false'),
    ('h44.07', '1.002', 'có', 'có'),
    ('H44.07', '1.003', '', ''),
    ('H44.100', '2.001', 'Yes', 'no'),
    ('', '', '', '');
SELECT * FROM kpi.ingest_services('2025-Q3');
SELECT unit_code, procedure_code, online_service, online_payment, valid_from, valid_until
FROM kpi.service ORDER BY unit_code, procedure_code, valid_from;

-- The same list again for the same period: nothing changes.
SELECT pg_temp.table_state(:'service_tables') AS state, pg_temp.table_versions('{kpi.service}') AS versions \gset
INSERT INTO kpi.staging_service (unit_code, procedure_code, online_service, online_payment) VALUES
    ('H44.07', '1.001', 't', 'f'), ('H44.07', '1.002', 'true', 'true'), ('H44.07', '1.003', 'false', 'false'),
    ('H44.100', '2.001', 'true', 'false');
SELECT * FROM kpi.ingest_services('2025-Q3');
SELECT pg_temp.table_state(:'service_tables') = :'state' AS same_rows,
       pg_temp.table_versions('{kpi.service}') = :'versions' AS same_row_versions;

-- The next quarter: 1.001 goes, 1.003 gains online service, 1.004 comes;
-- H44.100 is not in the file and keeps its list.
INSERT INTO kpi.staging_service (unit_code, procedure_code, online_service, online_payment) VALUES
    ('H44.07', '1.002', 'true', 'true'), ('H44.07', '1.003', 'true', 'false'), ('H44.07', '1.004', 'true', 'true');
SELECT * FROM kpi.ingest_services('2025-Q4');
SELECT unit_code, procedure_code, online_service, online_payment, valid_from, valid_until
FROM kpi.service ORDER BY unit_code, procedure_code, valid_from;
-- loaded again for the same quarter with a change: the quarter's rows are
-- replaced, the earlier ones stay as they ended
INSERT INTO kpi.staging_service (unit_code, procedure_code, online_service, online_payment) VALUES
    ('H44.07', '1.002', 'true', 'true'), ('H44.07', '1.003', 'true', 'true');
SELECT * FROM kpi.ingest_services('2025-Q4');
SELECT unit_code, procedure_code, online_service, online_payment, valid_from, valid_until
FROM kpi.service WHERE unit_code = 'H44.07' ORDER BY procedure_code, valid_from;

-- Every reason a row is refused; a unit's list is loaded whole or not at
-- all; lists are loaded in order.
SELECT pg_temp.table_state('{kpi.service}') AS state \gset
INSERT INTO kpi.staging_service (unit_code, procedure_code, online_service, online_payment) VALUES
    ('unit_code', 'procedure_code', 'online_service', 'online_payment'),
    ('', '3.001', 'true', 'true'),
    ('so-khong-co', '3.001', 'true', 'true'),
    ('H44.19', '', 'true', 'true'),
    ('H44.19', repeat('9', 101), 'true', 'true'),
    ('H44.19', '3.002', 'maybe', 'true'),
    ('H44.19', '3.003', 'true', 'perhaps'),
    ('H44.19', '3.004', 'true', 'true'),
    ('H44.22', '3.005', 'true', 'true'),
    ('h44.22', '3.005', 'true', 'false'),
    ('H44.07', '1.009', 'true', 'true');
SELECT * FROM kpi.ingest_services('2025-Q3');
SELECT line_no, error FROM kpi.rejected_service ORDER BY line_no;
SELECT pg_temp.table_state('{kpi.service}') = :'state' AS nothing_written;
SELECT pg_temp.err($$SELECT kpi.ingest_services('2025Q4')$$) AS bad_period;
SELECT pg_temp.err($$SELECT kpi.ingest_services(NULL)$$) AS null_period;

-- Fixed in place, the rejected rows load with the next call.
DELETE FROM kpi.rejected_service WHERE unit_code IN ('unit_code', '', 'so-khong-co', 'h44.22') OR unit_code = 'H44.07'
    OR procedure_code = '' OR length(procedure_code) > 100;
UPDATE kpi.rejected_service SET online_service = 'false' WHERE procedure_code = '3.002';
UPDATE kpi.rejected_service SET online_payment = 'false' WHERE procedure_code = '3.003';
SELECT * FROM kpi.ingest_services('2025-Q4');
SELECT unit_code, procedure_code, online_service, online_payment, valid_from
FROM kpi.service WHERE unit_code IN ('H44.19', 'H44.22') ORDER BY unit_code, procedure_code;
SELECT count(*) AS still_rejected FROM kpi.rejected_service;

-- A unit's code changes: its services follow; it goes: they go.
UPDATE kpi.unit SET code = 'H44.19a' WHERE code = 'H44.19';
SELECT DISTINCT unit_code FROM kpi.service WHERE unit_code LIKE 'H44.19%';
DELETE FROM kpi.unit WHERE code = 'H44.19a';
SELECT count(*) AS services_left FROM kpi.service WHERE unit_code LIKE 'H44.19%';

DROP EXTENSION kpi_ext;
