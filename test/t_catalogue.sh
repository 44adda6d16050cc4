#!/bin/sh
# One catalogue (src/catalogue.txt): an indicator added to it, and nothing
# else edited, appears everywhere after a rebuild.  In a scratch copy of the
# sources, a new indicator "online_digitized" (of the dossiers received
# online, those digitised) goes into the second appendix table; the scratch
# build, installed into its own directory and loaded by this server:
#   - kpi.indicator has it, computed from dossiers (basis, flags);
#   - kpi.appendix_digital and its three level views have its four columns,
#     after the existing ones, commented;
#   - kpi.refresh computes it for every appendix row, equal to plain SQL
#     over the same dossiers;
#   - kpi.report_markdown names it in the table's heading and prints its
#     figures in every row.
. "$(dirname "$0")/lib.sh"
db=kpi_t_catalogue
t_init $db

mkdir "$tmp/src" "$tmp/dest"
chmod 755 "$tmp"	# the server reads the scratch install
cp -r Makefile kpi_ext.control kpi_ext.c src data "$tmp/src"
rm -f "$tmp/src"/kpi_ext--1.1.sql "$tmp/src"/kpi_ext--1.0--1.1.sql "$tmp/src"/src/*.o "$tmp/src"/*.so
cp kpi_ext--1.0.sql "$tmp/src"
cat >>"$tmp/src/src/catalogue.txt" <<'EOF'

indicator: online_digitized
sort_order: 8
name_vi: Hồ sơ trực tuyến được số hóa
name_en: Online dossiers digitised
numerator_label_vi: HS trực tuyến được số hóa
numerator_label_en: online dossiers with digitised components
denominator_label_vi: HS tiếp nhận trực tuyến
denominator_label_en: dossiers received online
counts: dossiers
basis: received
denominator: online
numerator: digitized
table: digital
denominator_column: online_received
numerator_column: online_digitized_dossiers
EOF
make -s -C "$tmp/src" >"$tmp/make.out" 2>&1 && make -s -C "$tmp/src" install DESTDIR="$tmp/dest" >>"$tmp/make.out" 2>&1 \
	|| { cat "$tmp/make.out"; bad "the scratch build with a new indicator failed"; t_finish; }
libdir=$("${PG_CONFIG:-pg_config}" --pkglibdir)
# this session loads the scratch build (both settings are the superuser's)
export PGOPTIONS="-c extension_destdir=$tmp/dest -c dynamic_library_path=$tmp/dest$libdir"
"$bindir/createdb" $db
psql -d $db -c "CREATE EXTENSION kpi_ext" -c "SELECT kpi.load_sample()" >/dev/null
psql -d $db -v rows=20000 -f test/generate_dossiers.sql >/dev/null

since=$fail
[ "$(q $db "SELECT basis || ' ' || array_to_string(denominator_flags, ',') || ' ' || array_to_string(numerator_flags, ',') || ' ' || appendix_table FROM kpi.indicator WHERE code = 'online_digitized'")" = "received online digitized digital" ] \
	|| bad "kpi.indicator does not hold the new indicator as the catalogue says"
cols=$(q $db "SELECT string_agg(column_name, ' ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'kpi' AND table_name = 'appendix_digital' AND ordinal_position > 15")
[ "$cols" = "online_digitized_target online_received online_digitized_dossiers online_digitized_pct" ] \
	|| bad "kpi.appendix_digital's new columns are \"$cols\""
for v in appendix_province_digital appendix_district_digital appendix_commune_digital; do
	[ "$(q $db "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'kpi' AND table_name = '$v' AND column_name LIKE 'online_%' AND col_description('kpi.$v'::regclass, ordinal_position) LIKE '% / %'")" = 4 ] \
		|| bad "kpi.$v lacks the new indicator's four commented columns"
done
ok $since "the new indicator is in kpi.indicator and in the four views of its table, with comments"

since=$fail
q $db "SELECT kpi.refresh('2024-Q2')" >/dev/null
# plain SQL over the same dossiers: per appendix row (a commune counts in its
# district's row), online dossiers received in the quarter and of those the
# digitised ones; as stored, and as the view shows them
cat >"$tmp/check.sql" <<'EOF'
WITH plain AS (
    SELECT u.level, CASE WHEN u.level = 'commune' THEN u.parent_code ELSE u.code END AS code,
           count(*) FILTER (WHERE d.channel = 'online') AS d,
           count(*) FILTER (WHERE d.channel = 'online' AND d.digitized) AS n
    FROM kpi.dossier AS d JOIN kpi.unit AS u ON u.code = d.unit_code
    WHERE d.received_at >= '2024-04-01 00:00+07' AND d.received_at < '2024-07-01 00:00+07'
    GROUP BY 1, 2
), stored AS (
    SELECT c.level, c.unit_code AS code, c.denominator AS d, c.numerator AS n
    FROM kpi.indicator_count AS c
    WHERE c.period = '2024-Q2' AND c.source = 'computed' AND c.indicator = 'online_digitized'
), shown AS (
    SELECT r.level, r.unit_code AS code, a.online_received AS d, a.online_digitized_dossiers AS n
    FROM kpi.appendix_digital AS a
    JOIN (SELECT DISTINCT period, level, row_no, unit_code FROM kpi.result) AS r USING (period, level, row_no)
    WHERE a.period = '2024-Q2'
)
SELECT (SELECT count(*) FROM plain),
       (SELECT count(*) FROM (SELECT * FROM plain EXCEPT SELECT * FROM stored) AS x)
     + (SELECT count(*) FROM (SELECT * FROM stored EXCEPT SELECT * FROM plain) AS x),
       (SELECT count(*) FROM (SELECT * FROM plain EXCEPT SELECT * FROM shown) AS x)
     + (SELECT count(*) FROM (SELECT * FROM shown EXCEPT SELECT * FROM plain) AS x);
EOF
set -- $(psql -At -F ' ' -d $db -f "$tmp/check.sql")
[ "${1:-0}" -ge 40 ] || bad "only ${1:-0} appendix rows to compare (18 departments, 11 districts, 11 commune rows)"
[ "${2:-1}" = 0 ] || bad "kpi.refresh stored $2 rows of online_digitized that differ from plain SQL"
[ "${3:-1}" = 0 ] || bad "kpi.appendix_digital shows $3 rows of online_digitized that differ from plain SQL"
ok $since "kpi.refresh computes it for all $1 appendix rows of 2024-Q2, equal to plain SQL, and the view shows them"

since=$fail
q $db "SELECT kpi.report_markdown('2024-Q2')" >"$tmp/report.md"
grep -q '^#### 2\. Các chỉ tiêu: .*(iv) Hồ sơ trực tuyến được số hóa$' "$tmp/report.md" \
	|| bad "the report's second table does not name the new indicator"
grep -q '| Hồ sơ trực tuyến được số hóa | | | |$' "$tmp/report.md" || bad "the report's header has no columns for it"
grep -q 'Chỉ tiêu được giao (%) | HS tiếp nhận trực tuyến | Kết quả | Tỷ lệ (%) |$' "$tmp/report.md" \
	|| bad "the report's second header row lacks its denominator column"
# every row of the second tables has 3 + 3 + 3 + 4 + 4 cells
rows=$(awk '/^#### 2\./ { t = 1 } /^#### 1\./ { t = 0 } t && /^\| [0-9]+ \|/' "$tmp/report.md" | wc -l)
cells=$(awk '/^#### 2\./ { t = 1 } /^#### 1\./ { t = 0 } t && /^\| [0-9]+ \|/ { print NF - 2 }' FS='|' "$tmp/report.md" | sort -u)
[ "$rows" -ge 40 ] && [ "$cells" = 17 ] || bad "the report's second tables have $rows rows of \"$cells\" cells, not 17"
ok $since "kpi.report_markdown reports it: heading, columns, $rows rows"

t_finish
