-- The six appendix tables of the seed report, cell by cell, against the
-- views.  The seed is read from the repository's copy
-- (data/seed/report-2024-Q1.txt) and its Markdown tables are parsed here.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SELECT kpi.load_sample();

\getenv abs_srcdir PG_ABS_SRCDIR
\set seed_file :abs_srcdir '/data/seed/report-2024-Q1.txt'

CREATE TEMP TABLE seed_line AS
SELECT l.line_no, l.line
FROM pg_catalog.regexp_split_to_table(pg_catalog.pg_read_file(:'seed_file'), E'\n')
     WITH ORDINALITY AS l (line, line_no);

-- Every table of the seed starts with a header line and a |---| line; the
-- data rows start with their row number.  table_no counts the |---| lines
-- above a row: 1 and 2 are appendix 1 (province), 3 and 4 appendix 2
-- (district), 5 and 6 appendix 3 (commune); odd ones the "online" table.
CREATE TEMP TABLE seed_row AS
SELECT r.table_no,
       (ARRAY['province', 'province', 'district', 'district', 'commune', 'commune'])[r.table_no] AS level,
       CASE WHEN r.table_no % 2 = 1 THEN 'online' ELSE 'digital' END AS kind,
       r.cells[2]::integer AS row_no,
       r.cells[2:pg_catalog.array_length(r.cells, 1) - 1] AS cells
FROM (SELECT (SELECT pg_catalog.count(*)::integer FROM seed_line AS sep
              WHERE sep.line ~ '^\|-' AND sep.line_no < s.line_no) AS table_no,
             pg_catalog.regexp_split_to_array(pg_catalog.btrim(s.line), '\s*\|\s*') AS cells
      FROM seed_line AS s
      WHERE s.line ~ '^\| [0-9]+ \|') AS r;

SELECT table_no, level, kind, pg_catalog.count(*) AS seed_rows,
       pg_catalog.min(pg_catalog.array_length(cells, 1)) AS cells_per_row
FROM seed_row GROUP BY 1, 2, 3 ORDER BY 1;

-- The same rows from the views, numbers in the seed's column order: the
-- views' own column order, after period, level, row_no and unit_name.  The
-- views and their table numbers come from the catalogue (kpi.level,
-- kpi.appendix_table): 1 and 2 are appendix 1, and so on.
CREATE TEMP TABLE view_row (table_no integer, row_no integer, unit_name text, vals numeric[]);
SELECT pg_catalog.format('INSERT INTO view_row SELECT %s, a.row_no, a.unit_name, ARRAY[%s]::numeric[] FROM kpi.%I AS a WHERE a.period = %L',
                         v.table_no,
                         (SELECT pg_catalog.string_agg('a.' || pg_catalog.quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position)
                          FROM information_schema.columns AS c
                          WHERE c.table_schema = 'kpi' AND c.table_name = v.view_name AND c.ordinal_position > 4),
                         v.view_name, '2024-Q1')
FROM pg_temp.appendix_views() AS v \gexec
SELECT pg_catalog.count(*) AS view_rows FROM view_row;

-- One row per seed cell: what the seed prints and what the views say.
-- Numbers: '-' is NULL, '100%' is 100, '81,9' is 81.9.  Names: the printed
-- name without its footnote mark is the unit's canonical name or one of its
-- aliases, and the mark is a footnote of that unit, level and table.
CREATE TEMP TABLE cell AS
SELECT s.table_no, s.level, s.kind, s.row_no, c.pos, c.printed,
       CASE
         WHEN c.pos = 1 THEN
           CASE WHEN v.row_no IS NOT NULL THEN 'ok' ELSE 'no such row in the view' END
         WHEN c.pos = 2 THEN
           CASE WHEN v.row_no IS NULL THEN 'no such row in the view'
                WHEN NOT EXISTS (
                    SELECT FROM kpi.unit AS u
                    WHERE u.name = v.unit_name
                      AND pg_catalog.regexp_replace(c.printed, '\s*\(\*+\)$', '') = ANY (u.name || u.aliases))
                  THEN pg_catalog.format('name %s is not %s', c.printed, v.unit_name)
                WHEN c.printed ~ '\(\*+\)$' AND NOT EXISTS (
                    SELECT FROM kpi.note AS n JOIN kpi.unit AS u ON u.code = n.unit_code
                    WHERE n.period = '2024-Q1' AND n.level = s.level AND n.applies_to = s.kind
                      AND u.name = v.unit_name
                      AND n.mark = pg_catalog.substring(c.printed, '\(\*+\)$'))
                  THEN 'footnote mark without a note'
                ELSE 'ok' END
         ELSE
           CASE WHEN v.row_no IS NULL THEN 'no such row in the view'
                WHEN v.vals[c.pos - 2] IS NOT DISTINCT FROM
                     pg_catalog.replace(pg_catalog.rtrim(NULLIF(c.printed, '-'), '%'), ',', '.')::numeric
                  THEN 'ok'
                ELSE pg_catalog.format('printed %s, view %s', c.printed, COALESCE(v.vals[c.pos - 2]::text, 'NULL'))
           END
       END AS verdict
FROM seed_row AS s
CROSS JOIN LATERAL pg_catalog.unnest(s.cells) WITH ORDINALITY AS c (printed, pos)
LEFT JOIN view_row AS v ON v.table_no = s.table_no AND v.row_no = s.row_no;

-- 1240 cells (18 rows x (18 + 13) columns + 2 x 11 rows x (18 + 13) columns)
SELECT pg_catalog.count(*) AS cells_compared,
       pg_catalog.count(*) FILTER (WHERE verdict <> 'ok') AS mismatches
FROM cell;
SELECT table_no, row_no, pos, printed, verdict FROM cell WHERE verdict <> 'ok' ORDER BY 1, 2, 3;

-- Per table: numbers compared, of which not applicable ('-') and rates.
SELECT table_no, level, kind,
       pg_catalog.count(*) FILTER (WHERE pos > 2) AS numbers,
       pg_catalog.count(*) FILTER (WHERE printed = '-') AS not_applicable,
       pg_catalog.count(*) FILTER (WHERE printed ~ ',') AS with_decimal_comma
FROM cell GROUP BY 1, 2, 3 ORDER BY 1;

-- No row in the views that the seed does not have.
SELECT v.table_no, v.row_no, v.unit_name
FROM view_row AS v
WHERE NOT EXISTS (SELECT FROM seed_row AS s WHERE s.table_no = v.table_no AND s.row_no = v.row_no);

-- Every footnote of the sample is printed as a mark in the seed.
SELECT n.level, n.applies_to, n.unit_code, n.mark,
       EXISTS (SELECT FROM cell AS c JOIN view_row AS v ON v.table_no = c.table_no AND v.row_no = c.row_no
               JOIN kpi.unit AS u ON u.name = v.unit_name
               WHERE c.pos = 2 AND c.level = n.level AND c.kind = n.applies_to
                 AND u.code = n.unit_code AND c.printed LIKE '%' || n.mark) AS printed_in_seed
FROM kpi.note AS n ORDER BY 1, 2, 3;

-- Spot checks of the rules read off the seed.
-- Rounding half away from zero: 18/32 = 56.25 and 57/80 = 71.25.
SELECT level, unit_name, payment_uptake_pct FROM kpi.appendix_district_online WHERE row_no = 6;
SELECT level, unit_name, e_result_pct FROM kpi.appendix_province_digital WHERE row_no = 6;
-- Not applicable is NULL in every column of the indicator, target included.
SELECT row_no, unit_name, payment_uptake_target, procedures_with_payment,
       procedures_with_online_payment, payment_uptake_pct, online_payment_target,
       dossiers_with_payment, dossiers_paid_online, online_payment_pct
FROM kpi.appendix_province_online
WHERE payment_uptake_target IS NULL OR online_payment_target IS NULL
ORDER BY row_no;
-- data_reuse without a denominator: the printed rate (An Lão, 70 of 1407
-- received, printed 6,7), and with one: computed (10/72 = 13,9).
SELECT level, row_no, unit_name, dossiers_received, reused_dossiers, data_reuse_pct
FROM kpi.appendix_digital WHERE row_no = 1 ORDER BY level;

-- Plain column types, for BI tools.
SELECT a.attrelid::pg_catalog.regclass AS view_name, a.attnum, a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type
FROM pg_catalog.pg_attribute AS a
WHERE a.attrelid IN ('kpi.appendix_online'::pg_catalog.regclass, 'kpi.appendix_digital'::pg_catalog.regclass)
  AND a.attnum > 0
ORDER BY 1, 2;
-- No column of a view of schema kpi has a type a BI tool cannot map
-- (kpi.ratio, arrays, numeric without precision and scale).
SELECT cl.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type
FROM pg_catalog.pg_class AS cl
JOIN pg_catalog.pg_attribute AS a ON a.attrelid = cl.oid AND a.attnum > 0
WHERE cl.relnamespace = 'kpi'::pg_catalog.regnamespace AND cl.relkind = 'v'
  AND NOT (a.atttypid IN ('text'::pg_catalog.regtype, 'integer'::pg_catalog.regtype,
                          'bigint'::pg_catalog.regtype, 'boolean'::pg_catalog.regtype,
                          'date'::pg_catalog.regtype)
           OR (a.atttypid = 'numeric'::pg_catalog.regtype AND a.atttypmod <> -1));

-- The level views have the same columns as the view they filter.
SELECT v.view_name, pg_catalog.count(*) AS columns,
       pg_catalog.bool_and(b.data_type = c.data_type AND b.ordinal_position = c.ordinal_position) AS same_as_base
FROM pg_temp.appendix_views() AS v
JOIN information_schema.columns AS c ON c.table_schema = 'kpi' AND c.table_name = v.view_name
JOIN information_schema.columns AS b ON b.table_schema = 'kpi' AND b.table_name = v.base
                                     AND b.column_name = c.column_name
GROUP BY v.view_name ORDER BY 1;
-- Every view of schema kpi (among them every appendix view of the
-- catalogue) and every column of it has a comment in Vietnamese and English
-- ("tiếng Việt / English").
SELECT v.name, a.attname,
       pg_catalog.obj_description(cl.oid, 'pg_class') AS view_comment,
       pg_catalog.col_description(cl.oid, a.attnum) AS column_comment
FROM (SELECT c.relname AS name FROM pg_catalog.pg_class AS c
      WHERE c.relnamespace = 'kpi'::pg_catalog.regnamespace AND c.relkind = 'v'
      UNION SELECT x.view_name FROM pg_temp.appendix_views() AS x
      UNION SELECT x.base FROM pg_temp.appendix_views() AS x) AS v
LEFT JOIN pg_catalog.pg_class AS cl
       ON cl.relname = v.name AND cl.relkind = 'v'
      AND cl.relnamespace = 'kpi'::pg_catalog.regnamespace
LEFT JOIN pg_catalog.pg_attribute AS a ON a.attrelid = cl.oid AND a.attnum > 0
WHERE cl.oid IS NULL
   OR pg_catalog.obj_description(cl.oid, 'pg_class') IS NULL
   OR pg_catalog.obj_description(cl.oid, 'pg_class') NOT LIKE '% / %'
   OR pg_catalog.col_description(cl.oid, a.attnum) IS NULL
   OR pg_catalog.col_description(cl.oid, a.attnum) NOT LIKE '% / %';
SELECT pg_catalog.count(DISTINCT cl.oid) AS views, pg_catalog.count(*) AS commented_columns
FROM pg_catalog.pg_class AS cl
JOIN pg_catalog.pg_attribute AS a ON a.attrelid = cl.oid AND a.attnum > 0
WHERE cl.relnamespace = 'kpi'::pg_catalog.regnamespace AND cl.relkind = 'v'
  AND pg_catalog.col_description(cl.oid, a.attnum) LIKE '% / %';

DROP TABLE cell, view_row, seed_row, seed_line;
DROP EXTENSION kpi_ext;
