-- src/sql/report.sql: kpi.report_markdown(period), the period's report as
-- Markdown, in the seed report's layout: section 1 (the level averages,
-- printed and pooled), section 2 (an appendix per level with a table per
-- kpi.appendix_table) and section 3 (the units below their assigned target).
-- Every heading, column and row comes from kpi.indicator, kpi.level and
-- kpi.appendix_table, so an indicator added there is reported with no edit
-- here.

-- Text of the users (unit names, notes, indicator and period names) as
-- Markdown text: what Markdown would read as markup is escaped with a
-- backslash (\ ` * _ [ ] < > | # ~, and & where it would start an
-- entity), and line breaks become spaces, so that a name can neither end a
-- table row, nor forge a row or a heading, nor format itself.
CREATE FUNCTION kpi.markdown_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.regexp_replace(
           pg_catalog.regexp_replace(
               pg_catalog.regexp_replace(value, '[\r\n\v\f\u0085\u2028\u2029]+', ' ', 'g'),
               '([\\`*_\[\]<>|#~])', '\\\1', 'g'),
           '&(?=#?[A-Za-z0-9]+;)', '\\&', 'g');
COMMENT ON FUNCTION kpi.markdown_text(text) IS
    'Văn bản người dùng nhập (tên đơn vị, ghi chú) ở dạng văn bản Markdown: thoát các ký tự đánh dấu, xuống dòng thành dấu cách / Users'' text (unit names, notes) as Markdown text: markup characters escaped with a backslash, line breaks made spaces, so that no name breaks a table or forges a row or a heading';

CREATE FUNCTION kpi.report_markdown(period text) RETURNS text
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_label text := kpi.period_label(report_markdown.period);
    v_period record;
    v_ind record;
    v_target record;
    v_level record;
    v_table record;
    v_lines text[];
    v_line text;
    v_header text;
    v_subheader text;
    v_appendix integer := 0;
    v_count bigint;
    v_roman text[] := ARRAY['i', 'ii', 'iii', 'iv', 'v', 'vi', 'vii', 'viii', 'ix', 'x'];
    md text[] := ARRAY[]::text[];
BEGIN
    SELECT p.* INTO v_period FROM kpi.period AS p WHERE p.label = v_label;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown period "%"', v_label
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'kpi.period has no row with this label.',
                  HINT = 'SELECT kpi.load_sample() loads the period 2024-Q1.';
    END IF;

    SELECT pg_catalog.count(DISTINCT r.indicator) INTO v_count FROM kpi.result AS r WHERE r.period = v_label;
    md := md || pg_catalog.format('# Kết quả thực hiện %s chỉ tiêu liên quan “Bộ chỉ số phục vụ người dân, doanh nghiệp” trong %s',
                                  CASE WHEN v_count > 0 THEN pg_catalog.lpad(v_count::text, 2, '0') ELSE 'các' END,
                                  COALESCE(kpi.markdown_text(v_period.name_vi), 'kỳ ' || v_label))
             || ''::text
             || pg_catalog.format('Kỳ báo cáo %s, từ ngày %s đến ngày %s.', v_label,
                                  pg_catalog.to_char(v_period.starts, 'DD/MM/YYYY'),
                                  pg_catalog.to_char(v_period.ends, 'DD/MM/YYYY'))
             || ''::text
             || '## 1. Kết quả thực hiện'::text
             || ''::text
             || 'Tỷ lệ bình quân theo báo cáo và tỷ lệ tính gộp từ phụ lục (tổng tử số trên tổng mẫu số của các đơn vị); chênh lệch = tính gộp − báo cáo, điểm phần trăm.'::text;

    -- ---- section 1: per indicator, the level averages -------------------
    FOR v_ind IN
        SELECT i.* FROM kpi.indicator AS i
        WHERE EXISTS (SELECT FROM kpi.summary AS s WHERE s.period = v_label AND s.indicator = i.code)
        ORDER BY i.summary_order NULLS LAST, i.sort_order
    LOOP
        md := md || ''::text
                 || pg_catalog.format('### %s%s', COALESCE(v_ind.summary_item || ') ', ''),
                                      kpi.markdown_text(COALESCE(v_ind.summary_title_vi, v_ind.name_vi)))
                 || ''::text;
        SELECT t.* INTO v_target FROM kpi.target AS t
        WHERE t.year = v_period.year AND t.indicator = v_ind.code;
        IF NOT FOUND THEN
            md := md || pg_catalog.format('- Chưa có chỉ tiêu năm %s.', v_period.year);
        ELSE
            v_line := '- Chỉ tiêu';
            IF v_target.central_target IS NOT NULL THEN
                v_line := v_line || ' do Trung ương quy định'
                          || COALESCE(' tại ' || v_target.central_source, '')
                          || ' là ' || kpi.format_vi(v_target.central_target, 1, true) || '%';
            END IF;
            IF v_target.province_floor IS NOT NULL THEN
                v_line := v_line || CASE WHEN v_target.central_target IS NOT NULL THEN ',' ELSE '' END
                          || ' UBND tỉnh giao thấp nhất ' || kpi.format_vi(v_target.province_floor, 1, true) || '%';
            END IF;
            md := md || (v_line || '.');
        END IF;
        md := md || ''::text
                 || '| Cấp | Báo cáo (%) | Tính gộp từ phụ lục (%) | Chênh lệch |'::text
                 || '|---|---|---|---|'::text;
        SELECT pg_catalog.array_agg(pg_catalog.format('| %s | %s | %s | %s |',
                   COALESCE(l.name_vi, 'Cả tỉnh'),
                   kpi.format_vi(s.printed_pct, 1, true),
                   kpi.format_vi(s.pct, 1, true),
                   kpi.format_vi(s.difference, 1, true))
                 ORDER BY l.position NULLS FIRST)
          INTO v_lines
        FROM kpi.summary AS s
        LEFT JOIN kpi.level AS l ON l.code = s.level
        WHERE s.period = v_label AND s.indicator = v_ind.code;
        md := md || v_lines;
    END LOOP;

    IF NOT EXISTS (SELECT FROM kpi.summary AS s WHERE s.period = v_label) THEN
        md := md || ''::text || 'Chưa có số liệu của kỳ này.'::text;
    END IF;

    -- ---- section 2: an appendix per level, a table per appendix table ----
    md := md || ''::text || '## 2. Phụ lục'::text;

    FOR v_level IN
        SELECT l.* FROM kpi.level AS l
        WHERE EXISTS (SELECT FROM kpi.result AS r WHERE r.period = v_label AND r.level = l.code)
        ORDER BY l.position
    LOOP
        v_appendix := v_appendix + 1;
        md := md || ''::text
                 || pg_catalog.format('### Phụ lục %s. %s', v_appendix, v_level.title_vi);
        v_line := CASE WHEN v_period.two_level THEN v_level.two_level_note_vi ELSE v_level.note_vi END;
        IF v_line IS NOT NULL THEN
            md := md || ''::text || v_line;
        END IF;

        FOR v_table IN
            SELECT t.* FROM kpi.appendix_table AS t
            WHERE EXISTS (SELECT FROM kpi.indicator AS i WHERE i.appendix_table = t.code)
            ORDER BY t.position
        LOOP
            -- heading: 1. Các chỉ tiêu: (i) ..., (ii) ...; then two header
            -- rows: each indicator's name over its columns (target, its own
            -- denominator if any, result, rate), and the columns' names
            SELECT pg_catalog.format('#### %s. Các chỉ tiêu: %s', v_table.position,
                       pg_catalog.string_agg(pg_catalog.format('(%s) %s', v_roman[x.n], kpi.markdown_text(x.name_vi)), ', ' ORDER BY x.n)),
                   '| TT | Cơ quan, đơn vị | Tổng số HS tiếp nhận | '
                       || pg_catalog.string_agg(kpi.markdown_text(x.name_vi) || pg_catalog.repeat(' |', x.ncols), ' ' ORDER BY x.n),
                   '| | | | '
                       || pg_catalog.string_agg('Chỉ tiêu được giao (%) | '
                                                || COALESCE(kpi.markdown_text(x.own_denominator) || ' | ', '')
                                                || 'Kết quả | Tỷ lệ (%) |', ' ' ORDER BY x.n),
                   3 + pg_catalog.sum(x.ncols)
              INTO v_line, v_header, v_subheader, v_count
            FROM (SELECT i.name_vi,
                         pg_catalog.row_number() OVER (ORDER BY i.sort_order) AS n,
                         CASE WHEN i.denominator_column <> 'dossiers_received' THEN i.denominator_label_vi END AS own_denominator,
                         CASE WHEN i.denominator_column <> 'dossiers_received' THEN 4 ELSE 3 END AS ncols
                  FROM kpi.indicator AS i
                  WHERE i.appendix_table = v_table.code) AS x;
            md := md || ''::text || v_line || ''::text
                     || v_header || ('|' || pg_catalog.repeat('---|', v_count::integer)) || v_subheader;

            -- the rows: the unit's figures of each indicator of the table,
            -- '-' where there are none; footnote marks after the name
            SELECT pg_catalog.array_agg(pg_catalog.format('| %s |', pg_catalog.array_to_string(u.cells, ' | '))
                                        ORDER BY u.row_no)
              INTO v_lines
            FROM (SELECT ru.row_no,
                         ARRAY[ru.row_no::text,
                               kpi.markdown_text(ru.unit_name) || COALESCE(' ' || m.marks, ''),
                               COALESCE(ru.dossiers_received::text, '-')]
                         || ARRAY(SELECT c.cell
                                  FROM kpi.indicator AS i
                                  LEFT JOIN kpi.result AS r
                                         ON r.period = v_label AND r.level = v_level.code
                                        AND r.unit_code = ru.unit_code AND r.indicator = i.code
                                  CROSS JOIN LATERAL (VALUES
                                      (1, kpi.format_vi(r.target, 1, true)),
                                      (2, CASE WHEN i.denominator_column <> 'dossiers_received'
                                               THEN COALESCE(r.denominator::text, '-') END),
                                      (3, COALESCE(r.numerator::text, '-')),
                                      (4, kpi.format_vi(r.pct, 1, true))) AS c (pos, cell)
                                  WHERE i.appendix_table = v_table.code AND c.cell IS NOT NULL
                                  ORDER BY i.sort_order, c.pos) AS cells
                  FROM (SELECT DISTINCT r.row_no, r.unit_code, r.unit_name, r.dossiers_received
                        FROM kpi.result AS r
                        WHERE r.period = v_label AND r.level = v_level.code) AS ru
                  LEFT JOIN (SELECT n.unit_code, pg_catalog.string_agg(n.mark, ' ' ORDER BY n.mark) AS marks
                             FROM kpi.note AS n
                             WHERE n.period = v_label AND n.level = v_level.code AND n.applies_to = v_table.code
                             GROUP BY n.unit_code) AS m ON m.unit_code = ru.unit_code) AS u;
            md := md || v_lines;

            -- footnotes under the table, as the report prints them
            SELECT 'Ghi chú: ' || pg_catalog.string_agg(n.mark || ' ' || kpi.markdown_text(n.text), '; '
                                                        ORDER BY n.mark DESC, u.sort_order)
              INTO v_line
            FROM kpi.note AS n
            JOIN kpi.unit AS u ON u.code = n.unit_code
            WHERE n.period = v_label AND n.level = v_level.code AND n.applies_to = v_table.code;
            IF v_line IS NOT NULL THEN
                md := md || ''::text || v_line;
            END IF;

            -- rates kept as printed, for want of a denominator
            SELECT pg_catalog.string_agg(pg_catalog.format('Tỷ lệ “%s” ghi theo báo cáo: báo cáo không công bố mẫu số.',
                                                           kpi.markdown_text(i.name_vi)), ' ' ORDER BY i.sort_order)
              INTO v_line
            FROM kpi.indicator AS i
            WHERE i.appendix_table = v_table.code
              AND EXISTS (SELECT FROM kpi.result AS r
                          WHERE r.period = v_label AND r.level = v_level.code AND r.indicator = i.code
                            AND r.applicable AND r.denominator IS NULL AND r.pct IS NOT NULL);
            IF v_line IS NOT NULL THEN
                md := md || ''::text || v_line;
            END IF;
        END LOOP;
    END LOOP;

    IF v_appendix = 0 THEN
        md := md || ''::text || 'Chưa có số liệu của kỳ này.'::text;
    END IF;

    -- ---- section 3: units below their assigned target -------------------
    md := md || ''::text
             || '## 3. Đơn vị chưa đạt chỉ tiêu được giao'::text
             || ''::text
             || 'Theo từng chỉ tiêu, các đơn vị có tỷ lệ dưới chỉ tiêu được giao, tỷ lệ thấp nhất trước; chênh lệch = tỷ lệ − chỉ tiêu được giao, điểm phần trăm.'::text;

    FOR v_ind IN
        SELECT i.* FROM kpi.indicator AS i
        WHERE EXISTS (SELECT FROM kpi.result AS r WHERE r.period = v_label AND r.indicator = i.code)
        ORDER BY i.sort_order
    LOOP
        md := md || ''::text || ('### ' || kpi.markdown_text(v_ind.name_vi)) || ''::text;
        SELECT pg_catalog.array_agg(pg_catalog.format('| %s | %s | %s | %s | %s | %s |',
                   l.name_vi, r.row_no, kpi.markdown_text(r.unit_name),
                   kpi.format_vi(r.target, 1, true),
                   kpi.format_vi(r.pct, 1, true),
                   -- the difference of the printed figures; the exact gap
                   -- only where the rate rounds up to the target
                   CASE WHEN r.gap < 0 THEN kpi.format_vi(r.gap, 1, true)
                        ELSE kpi.format_vi(kpi.gap(kpi.ratio(r.numerator, r.denominator), r.target), 6, true)
                   END)
                 ORDER BY CASE WHEN r.denominator > 0 AND r.numerator <= r.denominator
                               THEN kpi.gap(kpi.ratio(r.numerator, r.denominator), 0)
                               ELSE r.pct END,
                          l.position, r.row_no)
          INTO v_lines
        FROM kpi.result AS r
        JOIN kpi.level AS l ON l.code = r.level
        WHERE r.period = v_label AND r.indicator = v_ind.code AND NOT r.met;
        IF v_lines IS NULL AND NOT EXISTS (SELECT FROM kpi.result AS r
                                           WHERE r.period = v_label AND r.indicator = v_ind.code
                                             AND r.target IS NOT NULL) THEN
            md := md || '- Chưa có chỉ tiêu được giao cho đơn vị nào.'::text;
        ELSIF v_lines IS NULL THEN
            md := md || '- Tất cả đơn vị có chỉ tiêu được giao đều đạt.'::text;
        ELSE
            md := md || '| Cấp | TT | Cơ quan, đơn vị | Chỉ tiêu được giao (%) | Tỷ lệ (%) | Chênh lệch |'::text
                     || '|---|---|---|---|---|---|'::text
                     || v_lines;
        END IF;
    END LOOP;

    IF NOT EXISTS (SELECT FROM kpi.result AS r WHERE r.period = v_label) THEN
        md := md || ''::text || 'Chưa có số liệu của kỳ này.'::text;
    END IF;

    RETURN pg_catalog.array_to_string(md, E'\n') || E'\n';
END
$$;

COMMENT ON FUNCTION kpi.report_markdown(text) IS
    'Báo cáo của kỳ dạng Markdown: phần 1 (số báo cáo và số tính gộp), các bảng phụ lục, các đơn vị chưa đạt chỉ tiêu / The period''s report in Markdown: section 1 (printed and pooled figures), the appendix tables, the units below target';
