-- kpi.report_markdown renders users' text as text: unit names, notes,
-- indicator and period names holding Markdown's markup, pipes and line
-- breaks can neither break a table, nor forge a row or a heading, nor format
-- themselves.  The report is parsed back: every table row has its table's
-- number of cells, the only headings are the report's own, and each hostile
-- string comes back from its cell, unescaped, as it was (line breaks as
-- spaces).
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SELECT kpi.load_sample() > 0 AS loaded;

-- kpi.markdown_text itself
SELECT v AS given, kpi.markdown_text(v) AS markdown
FROM unnest(ARRAY['Sở A | B', E'Sở C\n| 99 | Giả mạo | 1 | 2 |', E'x\r\n## Tiêu đề giả', '`code` *đậm* _nghiêng_ <b>b</b>',
                  '[link](http://x) ![img](y)', 'a \ b', '~~gạch~~ # không phải tiêu đề', 'TB&XH &amp; &#169; &x',
                  E'dòng\u2028tách', 'Sở Lao động – TB&XH', 'bình thường']) WITH ORDINALITY AS g (v, i)
ORDER BY i;
SELECT kpi.markdown_text(NULL) IS NULL AS null_stays_null;

-- Hostile names and notes in the sample's report.
UPDATE kpi.unit SET name = 'Sở A | B' WHERE code = 'so-tu-phap';
UPDATE kpi.unit SET name = E'Sở Y tế\n| 99 | Giả mạo | 1 | 2 |' WHERE code = 'so-y-te';
UPDATE kpi.unit SET name = '`Sở` *Nội* _vụ_ <b>đậm</b> \ [x](y)' WHERE code = 'so-noi-vu';
UPDATE kpi.unit SET name = E'UBND huyện An Lão\r\n## Tiêu đề giả' WHERE code = 'huyen-an-lao';
UPDATE kpi.note SET text = E'ghi chú\n## Tiêu đề giả\n| 1 | 2 |' WHERE unit_code = 'so-ke-hoach-dau-tu' AND applies_to = 'online';
UPDATE kpi.indicator SET name_vi = 'Tỷ lệ | giả' WHERE code = 'online_dossier';
UPDATE kpi.period SET name_vi = E'quý I\n# năm 2024' WHERE label = '2024-Q1';

CREATE TEMP TABLE md AS
SELECT l.n, l.line
FROM unnest(string_to_array(kpi.report_markdown('2024-Q1'), E'\n')) WITH ORDINALITY AS l (line, n);

-- the cells of a row: split on pipes that are not escaped
CREATE FUNCTION pg_temp.cells(line text) RETURNS text[] LANGUAGE sql AS $$
    SELECT (regexp_split_to_array(regexp_replace(line, '^\|\s?|\s?\|$', '', 'g'), '\s?(?<!\\)\|\s?'))
$$;
CREATE FUNCTION pg_temp.unescape(cell text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(cell, '\\(.)', '\1', 'g')
$$;

-- the headings are the report's own (no forged one), in order
SELECT n, line FROM md WHERE line ~ '^#' ORDER BY n;
-- every row of a table has the cells of its header row (a table is a run
-- of lines starting with a pipe)
WITH t AS (
    SELECT n, line, n - row_number() OVER (ORDER BY n) AS tbl FROM md WHERE line LIKE '|%'
), h AS (
    SELECT DISTINCT ON (tbl) tbl, array_length(pg_temp.cells(line), 1) AS width FROM t ORDER BY tbl, n
)
SELECT count(DISTINCT t.tbl) AS tables, count(*) AS rows,
       count(*) FILTER (WHERE array_length(pg_temp.cells(t.line), 1) <> h.width) AS rows_of_another_width
FROM t JOIN h USING (tbl);
-- no line of the report is a forged row or heading
SELECT count(*) AS forged FROM md WHERE line ~ '^\| 99 \|' OR line ~ '^#+ Tiêu đề giả' OR line ~ '^\| 1 \| 2 \|';
-- each hostile name comes back from its cell as it was, line breaks as spaces
SELECT u.code, count(*) AS cells_found
FROM kpi.unit AS u
JOIN md ON true
CROSS JOIN LATERAL unnest(pg_temp.cells(md.line)) AS c (cell)
WHERE u.code IN ('so-tu-phap', 'so-y-te', 'so-noi-vu', 'huyen-an-lao') AND md.line LIKE '|%'
  AND pg_temp.unescape(c.cell) = regexp_replace(u.name, '[\r\n]+', ' ', 'g')
GROUP BY u.code ORDER BY u.code;
-- the note, the indicator and the period name, as text
SELECT line FROM md WHERE line LIKE 'Ghi chú:%' AND line LIKE '%ghi chú%';
SELECT line FROM md WHERE line LIKE '#### 1.%';
SELECT line FROM md WHERE n = 1;

DROP EXTENSION kpi_ext;
