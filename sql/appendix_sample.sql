-- kpi.load_sample(): the data it embeds is the data of data/sample/*.csv,
-- running it twice changes nothing, and the tables refuse bad rows.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;

-- The indicators come with the extension (src/catalogue.txt); the rest
-- comes with the sample.
SELECT code, sort_order, counts, service, basis, denominator_flags, numerator_flags,
       appendix_table, denominator_column, numerator_column, summary_item, name_vi, name_en
FROM kpi.indicator ORDER BY sort_order;
SELECT (SELECT pg_catalog.count(*) FROM kpi.unit) AS units,
       (SELECT pg_catalog.count(*) FROM kpi.indicator_count) AS counts;

SELECT kpi.load_sample();

\set sample_tables '{kpi.unit, kpi.period, kpi.target, kpi.assigned_target, kpi.indicator_count, kpi.printed_summary, kpi.note}'
CREATE TEMP TABLE snapshot AS SELECT pg_temp.table_state(:'sample_tables') AS h;

-- Twice: nothing inserted, nothing changed.
SELECT kpi.load_sample() AS inserted_again;
SELECT h = pg_temp.table_state(:'sample_tables') AS unchanged FROM snapshot;

-- The CSV files of data/sample, row for row.
\getenv abs_srcdir PG_ABS_SRCDIR
\set units_csv :abs_srcdir '/data/sample/units.csv'
\set counts_csv :abs_srcdir '/data/sample/counts-2024-Q1.csv'
\set summary_csv :abs_srcdir '/data/sample/summary-2024-Q1.csv'
\set notes_csv :abs_srcdir '/data/sample/notes-2024-Q1.csv'
\set aliases_csv :abs_srcdir '/data/sample/unit-aliases.csv'
\set targets_csv :abs_srcdir '/data/sample/targets-2024.csv'
CREATE TEMP TABLE csv_unit (code text, name text, level text, parent_code text, sort_order integer);
COPY csv_unit FROM :'units_csv' WITH (FORMAT csv, HEADER true);
CREATE TEMP TABLE csv_count (period text, level text, unit_code text, unit_name text, indicator text,
                             target numeric, numerator bigint, denominator bigint, printed_rate numeric);
COPY csv_count FROM :'counts_csv' WITH (FORMAT csv, HEADER true);
CREATE TEMP TABLE csv_summary (period text, indicator text, level text, printed_pct numeric);
COPY csv_summary FROM :'summary_csv' WITH (FORMAT csv, HEADER true);
CREATE TEMP TABLE csv_note (period text, unit_code text, mark text, applies_to text, text text);
COPY csv_note FROM :'notes_csv' WITH (FORMAT csv, HEADER true);
CREATE TEMP TABLE csv_alias (unit_code text, alias text);
COPY csv_alias FROM :'aliases_csv' WITH (FORMAT csv, HEADER true);
CREATE TEMP TABLE csv_target (year integer, indicator text, central_target numeric, province_floor numeric,
                              central_source text, province_source text);
COPY csv_target FROM :'targets_csv' WITH (FORMAT csv, HEADER true);

SELECT (SELECT pg_catalog.count(*) FROM csv_unit) AS csv_units,
       (SELECT pg_catalog.count(*) FROM csv_count) AS csv_counts,
       (SELECT pg_catalog.count(*) FROM csv_summary) AS csv_summary,
       (SELECT pg_catalog.count(*) FROM csv_note) AS csv_notes,
       (SELECT pg_catalog.count(*) FROM csv_alias) AS csv_aliases,
       (SELECT pg_catalog.count(*) FROM csv_target) AS csv_targets;
-- differences either way (none expected)
(SELECT 'csv only' AS side, code, name, level, parent_code, sort_order FROM csv_unit
 EXCEPT SELECT 'csv only', code, name, level, parent_code, sort_order FROM kpi.unit)
UNION ALL
(SELECT 'table only', code, name, level, parent_code, sort_order FROM kpi.unit
 EXCEPT SELECT 'table only', code, name, level, parent_code, sort_order FROM csv_unit);
WITH t AS (
    SELECT c.period, c.level, c.unit_code, c.indicator, a.target, c.numerator, c.denominator, c.printed_rate
    FROM kpi.indicator_count AS c
    LEFT JOIN kpi.assigned_target AS a USING (period, level, unit_code, indicator)
    WHERE c.source = 'published'
)
(SELECT 'csv only' AS side, period, level, unit_code, indicator, target, numerator, denominator, printed_rate
 FROM csv_count EXCEPT SELECT 'csv only', * FROM t)
UNION ALL
(SELECT 'table only', * FROM t
 EXCEPT SELECT 'table only', period, level, unit_code, indicator, target, numerator, denominator, printed_rate FROM csv_count);
(SELECT 'csv only' AS side, * FROM csv_summary EXCEPT SELECT 'csv only', period, indicator, level, printed_pct FROM kpi.printed_summary)
UNION ALL
(SELECT 'table only', period, indicator, level, printed_pct FROM kpi.printed_summary EXCEPT SELECT 'table only', * FROM csv_summary);
(SELECT 'csv only' AS side, * FROM csv_note EXCEPT SELECT 'csv only', period, unit_code, mark, applies_to, text FROM kpi.note)
UNION ALL
(SELECT 'table only', period, unit_code, mark, applies_to, text FROM kpi.note EXCEPT SELECT 'table only', * FROM csv_note);
(SELECT 'csv only' AS side, * FROM csv_alias EXCEPT SELECT 'csv only', u.code, a.alias FROM kpi.unit AS u, unnest(u.aliases) AS a (alias))
UNION ALL
(SELECT 'table only', u.code, a.alias FROM kpi.unit AS u, unnest(u.aliases) AS a (alias) EXCEPT SELECT 'table only', * FROM csv_alias);
(SELECT 'csv only' AS side, * FROM csv_target EXCEPT SELECT 'csv only', year, indicator, central_target, province_floor, central_source, province_source FROM kpi.target)
UNION ALL
(SELECT 'table only', year, indicator, central_target, province_floor, central_source, province_source FROM kpi.target EXCEPT SELECT 'table only', * FROM csv_target);
-- the CSV's unit_name is the name as the report's first table prints it
SELECT c.level, c.unit_name AS printed, u.name AS canonical
FROM (SELECT DISTINCT level, unit_code, unit_name FROM csv_count) AS c
JOIN kpi.unit AS u ON u.code = c.unit_code
WHERE c.unit_name <> u.name ORDER BY c.level, u.sort_order;
-- every printed rate with a denominator agrees with it, rounded half away from zero
SELECT pg_catalog.count(*) AS with_denominator,
       pg_catalog.count(*) FILTER (WHERE kpi.percent(kpi.ratio(numerator, denominator), 1) <> printed_rate) AS mismatches
FROM csv_count WHERE denominator IS NOT NULL;

-- Reference data: units and the year's targets.
SELECT code, name, level, parent_code, sort_order, aliases FROM kpi.unit
ORDER BY (SELECT l.position FROM kpi.level AS l WHERE l.code = kpi.unit.level), sort_order;
SELECT year, indicator, central_target, province_floor, central_source, province_source FROM kpi.target
ORDER BY year, indicator;
SELECT label, year, starts, ends, name_vi, name_en FROM kpi.period;

-- The tables refuse what cannot be.
SELECT pg_temp.err($$INSERT INTO kpi.unit (code, name, level, parent_code) VALUES ('xa-c', 'UBND xã C', 'commune', 'huyen-xyz')$$) AS commune_under_nothing;
SELECT pg_temp.err($$INSERT INTO kpi.unit (code, name, level, parent_code) VALUES ('so-a', 'Sở A', 'province', 'huyen-an-lao')$$) AS department_with_parent;
SELECT pg_temp.err($$INSERT INTO kpi.unit (code, name, level) VALUES ('so-b', 'Sở B', 'ward')$$) AS bad_level;
SELECT pg_temp.err($$INSERT INTO kpi.unit (code, name, level) VALUES ('Sở B', 'Sở B', 'province')$$) AS bad_code;
SELECT pg_temp.err($$INSERT INTO kpi.unit (code, name, level) VALUES ('.H44', 'Sở B', 'province')$$) AS code_starts_with_dot;
SELECT pg_temp.err($$INSERT INTO kpi.unit (code, name, level) VALUES (repeat('a', 101), 'Sở B', 'province')$$) AS code_too_long;
SELECT pg_temp.err($$INSERT INTO kpi.unit (code, name, level) VALUES ('SO-Y-TE', 'Sở Y tế', 'province')$$) AS code_differs_only_in_case;
SELECT pg_temp.err($$INSERT INTO kpi.unit (code, name, level) VALUES ('so-b', '  ', 'province')$$) AS blank_name;
-- a commune's district must be a district
INSERT INTO kpi.unit (code, name, level, parent_code) VALUES ('xa-b', 'UBND xã B', 'commune', 'so-y-te');
SELECT pg_catalog.count(*) AS nothing_written FROM kpi.unit WHERE code IN ('xa-b', 'xa-c', 'so-a', 'so-b', 'SO-Y-TE');
SELECT pg_temp.err($$INSERT INTO kpi.period (label, starts, ends) VALUES ('2024Q2', '2024-04-01', '2024-06-30')$$) AS bad_label;
SELECT pg_temp.err($$INSERT INTO kpi.period (label, starts, ends) VALUES ('2024-Q2', '2024-07-01', '2024-06-30')$$) AS ends_before_start;
SELECT pg_temp.err($$INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, applicable, numerator) VALUES ('2024-Q1', 'district', 'so-y-te', 'e_result', true, 1)$$) AS department_at_district_level;
SELECT pg_temp.err($$INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, source, applicable, numerator) VALUES ('2024-Q1', 'province', 'huyen-an-lao', 'e_result', 'computed', true, 1)$$) AS district_at_province_level;
SELECT pg_temp.err($$INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, source, applicable, numerator, denominator) VALUES ('2024-Q1', 'province', 'so-y-te', 'e_result', 'computed', false, 1, 2)$$) AS not_applicable_with_figures;
SELECT pg_temp.err($$INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, source) VALUES ('2024-Q1', 'province', 'so-y-te', 'e_result', 'computed')$$) AS applicable_without_figures;
SELECT pg_temp.err($$INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, source, numerator, denominator, printed_rate) VALUES ('2024-Q1', 'province', 'so-y-te', 'e_result', 'computed', 1, 2, 50)$$) AS computed_with_printed_rate;
SELECT pg_temp.err($$INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, source, numerator, denominator) VALUES ('2024-Q1', 'province', 'so-y-te', 'e_result', 'guessed', 1, 2)$$) AS bad_source;
SELECT pg_temp.err($$INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, source, numerator, denominator) VALUES ('2024-Q1', 'province', 'so-y-te', 'e_result', 'computed', -1, 2)$$) AS negative_count;
SELECT pg_temp.err($$INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, numerator, denominator) VALUES ('2024-Q1', 'province', 'so-y-te', 'e_result', 1, 2)$$) AS duplicate_published;
SELECT pg_temp.err($$INSERT INTO kpi.assigned_target (period, level, unit_code, indicator, target) VALUES ('2024-Q1', 'province', 'so-y-te', 'e_result', 101)$$) AS target_above_100;
SELECT pg_temp.err($$INSERT INTO kpi.assigned_target (period, level, unit_code, indicator, target) VALUES ('2024-Q1', 'district', 'so-y-te', 'e_result', 90)$$) AS target_at_wrong_level;
SELECT pg_temp.err($$INSERT INTO kpi.printed_summary (period, indicator, level, printed_pct) VALUES ('2024-Q1', 'e_result', 'ward', 90)$$) AS summary_bad_level;
SELECT pg_temp.err($$INSERT INTO kpi.note (period, level, unit_code, mark, applies_to, text) VALUES ('2024-Q1', 'province', 'so-y-te', '*', 'online', 'x')$$) AS note_bad_mark;
SELECT pg_temp.err($$INSERT INTO kpi.target (year, indicator) VALUES (2025, 'e_result')$$) AS target_without_values;
SELECT pg_temp.err($$UPDATE kpi.unit SET level = 'province' WHERE code = 'huyen-an-lao'$$) AS district_with_figures_changes_level;

-- A commune under its district, with its own figures, is accepted; a code
-- change follows through every table.
BEGIN;
INSERT INTO kpi.unit (code, name, level, parent_code, sort_order)
VALUES ('xa-an-hoa', 'UBND xã An Hòa', 'commune', 'huyen-an-lao', 1);
INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, numerator, denominator)
VALUES ('2024-Q1', 'commune', 'xa-an-hoa', 'online_dossier', 10, 12);
UPDATE kpi.unit SET code = 'huyen-an-lao-2' WHERE code = 'huyen-an-lao';
SELECT (SELECT pg_catalog.count(*) FROM kpi.indicator_count WHERE unit_code = 'huyen-an-lao-2') AS counts,
       (SELECT pg_catalog.count(*) FROM kpi.assigned_target WHERE unit_code = 'huyen-an-lao-2') AS targets,
       (SELECT parent_code FROM kpi.unit WHERE code = 'xa-an-hoa') AS parent;
-- communes may come before their district in one statement
INSERT INTO kpi.unit (code, name, level, parent_code)
VALUES ('xa-moi', 'UBND xã Mới', 'commune', 'huyen-moi'), ('huyen-moi', 'UBND huyện Mới', 'district', NULL);
SELECT code, level, parent_code FROM kpi.unit WHERE code IN ('xa-moi', 'huyen-moi') ORDER BY code;
SELECT pg_temp.err($$DELETE FROM kpi.unit WHERE code = 'huyen-moi'$$) AS delete_district_with_communes;
-- since July 2025 a commune has no district, and a portal code (H44.100)
-- or a footnote mark in a name are accepted
INSERT INTO kpi.unit (code, name, level, parent_code, sort_order)
VALUES ('H44.100', 'UBND xã Hy Cương', 'commune', NULL, 2), ('H44.07', 'Sở Nội vụ (*)', 'province', NULL, 30);
SELECT code, name, level, parent_code FROM kpi.unit WHERE code LIKE 'H44.%' ORDER BY code;
COMMIT;
-- a district with communes stays a district
UPDATE kpi.unit SET level = 'province' WHERE code = 'huyen-moi';
SELECT code, level FROM kpi.unit WHERE code = 'huyen-moi';
-- ... and may change level once they have gone
DELETE FROM kpi.unit WHERE code = 'xa-moi';
UPDATE kpi.unit SET level = 'province' WHERE code = 'huyen-moi';
-- put everything back
BEGIN;
DELETE FROM kpi.indicator_count WHERE unit_code = 'xa-an-hoa';
DELETE FROM kpi.unit WHERE code IN ('xa-an-hoa', 'huyen-moi', 'H44.100', 'H44.07');
UPDATE kpi.unit SET code = 'huyen-an-lao' WHERE code = 'huyen-an-lao-2';
COMMIT;

-- The tables that users edit are extension configuration tables
-- (pg_dump keeps their rows); the indicators shipped by the extension are
-- filtered out.
SELECT c.relname, x.condition
FROM pg_catalog.pg_extension AS e,
     unnest(e.extconfig, e.extcondition) AS x (oid, condition)
JOIN pg_catalog.pg_class AS c ON c.oid = x.oid
WHERE e.extname = 'kpi_ext'
  AND c.relname IN ('indicator', 'unit', 'period', 'target', 'assigned_target',
                    'indicator_count', 'printed_summary', 'note')
ORDER BY c.relname;

-- every refused or undone change left the tables as they were
SELECT h = pg_temp.table_state(:'sample_tables') AS unchanged FROM snapshot;

DROP TABLE snapshot, csv_unit, csv_count, csv_summary, csv_note;
DROP EXTENSION kpi_ext;
