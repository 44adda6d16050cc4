-- kpi.report_markdown: the report of a period as Markdown, and its tables
-- checked cell by cell, as text, against the seed's.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SELECT kpi.load_sample();


-- The whole report, as the README's main command prints it.
\pset format unaligned
\pset tuples_only on
SELECT kpi.report_markdown('2024-Q1');
\pset format aligned
\pset tuples_only off

-- Its appendix tables against the seed's, cell by cell, as printed: numbers
-- in Vietnamese form ('81,9', '100', '-'), counts plain ('8420').  The seed
-- prints some targets as '100%'; the report prints them as '100'.  Names:
-- the report prints the canonical name, the seed one of its spellings; the
-- footnote marks must be the same.
\getenv abs_srcdir PG_ABS_SRCDIR
\set seed_file :abs_srcdir '/data/seed/report-2024-Q1.txt'

CREATE TEMP TABLE md_table_row AS
WITH line AS (
    SELECT l.line_no, l.line
    FROM pg_catalog.regexp_split_to_table(kpi.report_markdown('2024-Q1'), E'\n')
         WITH ORDINALITY AS l (line, line_no)
)
SELECT (SELECT pg_catalog.count(*)::integer FROM line AS sep
        WHERE sep.line ~ '^\|(---\|){13,}$' AND sep.line_no < s.line_no) AS table_no,
       pg_catalog.regexp_split_to_array(pg_catalog.btrim(s.line), '\s*\|\s*') AS cells
FROM line AS s
WHERE s.line ~ '^\| [0-9]+ \|';

CREATE TEMP TABLE seed_table_row AS
WITH line AS (
    SELECT l.line_no, l.line
    FROM pg_catalog.regexp_split_to_table(pg_catalog.pg_read_file(:'seed_file'), E'\n')
         WITH ORDINALITY AS l (line, line_no)
)
SELECT (SELECT pg_catalog.count(*)::integer FROM line AS sep
        WHERE sep.line ~ '^\|-' AND sep.line_no < s.line_no) AS table_no,
       pg_catalog.regexp_split_to_array(pg_catalog.btrim(s.line), '\s*\|\s*') AS cells
FROM line AS s
WHERE s.line ~ '^\| [0-9]+ \|';

CREATE TEMP TABLE md_cell AS
SELECT s.table_no, s.cells[2] AS row_no, c.pos, c.printed, m.cells[c.pos + 1] AS reported,
       CASE
         WHEN m.cells IS NULL THEN 'no such row in the report'
         WHEN c.pos = 2 THEN
           CASE WHEN pg_catalog.substring(c.printed, '\(\*+\)$') IS DISTINCT FROM
                     pg_catalog.substring(m.cells[c.pos + 1], '\(\*+\)$')
                  THEN 'footnote marks differ'
                WHEN EXISTS (SELECT FROM kpi.unit AS u
                             WHERE u.name = pg_catalog.regexp_replace(m.cells[c.pos + 1], '\s*\(\*+\)$', '')
                               AND pg_catalog.regexp_replace(c.printed, '\s*\(\*+\)$', '') = ANY (u.name || u.aliases))
                  THEN 'ok'
                ELSE 'names differ' END
         WHEN pg_catalog.rtrim(c.printed, '%') = m.cells[c.pos + 1] THEN 'ok'
         ELSE 'differ'
       END AS verdict
FROM seed_table_row AS s
CROSS JOIN LATERAL pg_catalog.unnest(s.cells[2:pg_catalog.array_length(s.cells, 1) - 1])
     WITH ORDINALITY AS c (printed, pos)
LEFT JOIN md_table_row AS m ON m.table_no = s.table_no AND m.cells[2] = s.cells[2];

SELECT pg_catalog.count(*) AS cells_compared,
       pg_catalog.count(*) FILTER (WHERE verdict <> 'ok') AS mismatches,
       pg_catalog.count(*) FILTER (WHERE printed <> reported) AS printed_otherwise,
       (SELECT pg_catalog.count(*) FROM md_table_row) AS report_rows,
       (SELECT pg_catalog.count(*) FROM seed_table_row) AS seed_rows
FROM md_cell;
SELECT table_no, row_no, pos, printed, reported, verdict FROM md_cell WHERE verdict <> 'ok';
-- The cells printed otherwise: '100%' targets, and names.
SELECT printed, reported, pg_catalog.count(*) FROM md_cell WHERE printed <> reported
GROUP BY 1, 2 ORDER BY 1, 2;

-- Section 1: one block per item a) to f), with the printed and the pooled
-- figure side by side.
SELECT pg_catalog.count(*) FILTER (WHERE l.line ~ '^### [a-fđ]\) ') AS section_1_items,
       pg_catalog.count(*) FILTER (WHERE l.line ~ '^\| (Cả tỉnh|Cấp (tỉnh|huyện|xã))( \| [^|]+){3} \|$') AS section_1_rows,
       pg_catalog.count(*) FILTER (WHERE l.line ~ '^\| Cấp (tỉnh|huyện|xã)( \| [^|]+){5} \|$') AS below_target_rows
FROM pg_catalog.regexp_split_to_table(kpi.report_markdown('2024-Q1'), E'\n') AS l (line);
-- Units below target per indicator, from kpi.result: the same counts.
SELECT indicator, pg_catalog.count(*) FILTER (WHERE NOT met) AS below_target,
       pg_catalog.count(*) FILTER (WHERE met) AS met, pg_catalog.count(*) FILTER (WHERE met IS NULL) AS not_applicable
FROM kpi.result WHERE period = '2024-Q1'
GROUP BY indicator ORDER BY pg_catalog.array_position(
    ARRAY['service_uptake', 'online_dossier', 'payment_uptake', 'online_payment', 'digitization', 'data_reuse', 'e_result'],
    indicator);

-- Errors: a malformed label and an unknown period, SQLSTATE class 22,
-- naming the value; NULL in, NULL out.
SELECT pg_temp.err($$SELECT kpi.report_markdown('2024Q1')$$);
SELECT pg_temp.err($$SELECT kpi.report_markdown('2024-Q5')$$);
SELECT pg_temp.err($$SELECT kpi.report_markdown('')$$);
SELECT pg_temp.err($$SELECT kpi.report_markdown('2024-Q2')$$);
SELECT pg_temp.err($$SELECT kpi.report_markdown('2023')$$);
SELECT kpi.report_markdown(NULL) IS NULL AS null_in_null_out;

-- A period that exists but has no figures yet: the frame of the report.
INSERT INTO kpi.period (label, starts, ends, name_vi) VALUES ('2024-Q2', '2024-04-01', '2024-06-30', 'quý II năm 2024');
\pset format unaligned
\pset tuples_only on
SELECT kpi.report_markdown('2024-Q2');
\pset format aligned
\pset tuples_only off

DROP TABLE md_cell, md_table_row, seed_table_row;
DROP EXTENSION kpi_ext;
