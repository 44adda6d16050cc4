#!/bin/sh
# The quarterly routine of docs/loading.md, as written there, for a
# two-level province with the national portal's unit codes (data/example/:
# four departments and six communes of Phú Thọ, their services changing
# between quarters 3 and 4 of 2025, 400 dossiers a quarter):
#   - every SQL block between the routine's markers in docs/loading.md runs,
#     in order, and no row is rejected;
#   - every appendix row of both quarters equals plain SQL over the same
#     dossiers and the services in force in each quarter (the procedure no
#     longer offered in quarter 4 counts no more, the new one does);
#   - the report of a two-level period has no district section, and its
#     commune appendix lists every commune on its own row;
#   - the README's example of the same (its section "From dossier rows")
#     runs in a database of its own and shows the six communes.
. "$(dirname "$0")/lib.sh"
db=kpi_t_quarterly
t_init $db
"$bindir/createdb" $db
psql -d $db -c 'CREATE EXTENSION kpi_ext'

# the routine, from the documentation itself
awk '/<!-- quarterly routine: begin -->/ { on = 1 } /<!-- quarterly routine: end -->/ { on = 0 }
     on && /^```sql$/ { code = 1; next } code && /^```$/ { code = 0; next } code' docs/loading.md >"$tmp/routine.sql"
[ "$(grep -c 'kpi.ingest' "$tmp/routine.sql")" -ge 5 ] || bad "docs/loading.md's quarterly routine has $(grep -c 'kpi.ingest' "$tmp/routine.sql") ingests, expected 5 or more"
if psql -d $db -v ON_ERROR_STOP=1 -f "$tmp/routine.sql" >"$tmp/routine.out" 2>&1; then
	echo "ok: the routine of docs/loading.md ran ($(grep -c '' "$tmp/routine.sql") lines of SQL)"
else
	bad "the routine of docs/loading.md failed:"
	cat "$tmp/routine.out"
fi
since=$fail
for t in unit service counts dossier; do
	n=$(q $db "SELECT count(*) FROM kpi.rejected_$t")
	[ "$n" = 0 ] || bad "$n rows in kpi.rejected_$t after the routine"
done
[ "$(q $db "SELECT count(*) FROM kpi.dossier")" = 800 ] || bad "kpi.dossier holds $(q $db "SELECT count(*) FROM kpi.dossier") dossiers, not 800"
[ "$(q $db "SELECT count(*) FROM kpi.unit WHERE code ~ '^H44[.]'")" = 10 ] || bad "not the 10 units of data/example/units.csv"
ok $since "nothing rejected: 10 units, two lists of services, 800 dossiers"

# plain SQL: per unit (two levels: every unit its own row) and indicator
cat >"$tmp/check.sql" <<'EOF'
CREATE TEMP TABLE expected AS
WITH p AS (
    SELECT p.label, p.starts, p.ends,
           (p.starts::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') AS t0,
           ((p.ends + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') AS t1,
           (date_trunc('year', p.starts)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') AS ty
    FROM kpi.period AS p WHERE p.label IN ('2025-Q3', '2025-Q4')
), svc AS (
    SELECT DISTINCT ON (p.label, s.unit_code, s.procedure_code) p.label, s.*
    FROM p JOIN kpi.service AS s ON s.valid_from <= p.ends AND (s.valid_until IS NULL OR s.valid_until >= p.starts)
    ORDER BY p.label, s.unit_code, s.procedure_code, s.valid_from DESC
), rec AS (
    SELECT p.label, d.* FROM p JOIN kpi.dossier AS d ON d.received_at >= p.t0 AND d.received_at < p.t1
), res AS (
    SELECT p.label, d.* FROM p JOIN kpi.dossier AS d ON d.resolved_at >= p.ty AND d.resolved_at < p.t1
)
SELECT label, unit_code, 'online_dossier' AS indicator,
       count(*) FILTER (WHERE channel = 'online') AS n, count(*) AS d FROM rec GROUP BY 1, 2
UNION ALL
SELECT label, unit_code, 'digitization', count(*) FILTER (WHERE digitized), count(*) FROM rec GROUP BY 1, 2
UNION ALL
SELECT label, unit_code, 'data_reuse', count(*) FILTER (WHERE reused_data), count(*) FROM rec GROUP BY 1, 2
UNION ALL
SELECT label, unit_code, 'online_payment', count(*) FILTER (WHERE fee_required AND paid_online),
       count(*) FILTER (WHERE fee_required) FROM rec GROUP BY 1, 2
UNION ALL
SELECT label, unit_code, 'e_result', count(*) FILTER (WHERE e_result), count(*) FROM res GROUP BY 1, 2
UNION ALL
SELECT r.label, r.unit_code, 'service_uptake',
       count(DISTINCT r.procedure_code) FILTER (WHERE r.channel = 'online'), count(DISTINCT r.procedure_code)
FROM rec AS r JOIN svc AS s ON (s.label, s.unit_code, s.procedure_code) = (r.label, r.unit_code, r.procedure_code)
WHERE s.online_service GROUP BY 1, 2
UNION ALL
SELECT r.label, r.unit_code, 'payment_uptake',
       count(DISTINCT r.procedure_code) FILTER (WHERE r.paid_online), count(DISTINCT r.procedure_code)
FROM rec AS r JOIN svc AS s ON (s.label, s.unit_code, s.procedure_code) = (r.label, r.unit_code, r.procedure_code)
WHERE s.online_payment AND r.fee_required GROUP BY 1, 2;
-- what the appendix shows, per indicator (denominator 0: not applicable)
CREATE TEMP TABLE shown AS
SELECT r.period AS label, r.unit_code, r.indicator, r.numerator AS n, r.denominator AS d
FROM kpi.result AS r WHERE r.period IN ('2025-Q3', '2025-Q4') AND r.applicable;
SELECT (SELECT count(*) FROM expected WHERE d > 0),
       (SELECT count(*) FROM (SELECT * FROM expected WHERE d > 0 EXCEPT SELECT * FROM shown) AS x),
       (SELECT count(*) FROM (SELECT * FROM shown EXCEPT SELECT * FROM expected) AS x),
       (SELECT count(DISTINCT (label, unit_code)) FROM shown),
       (SELECT count(*) FROM kpi.appendix_commune_online WHERE period IN ('2025-Q3', '2025-Q4')),
       (SELECT count(*) FROM kpi.appendix_province_digital WHERE period IN ('2025-Q3', '2025-Q4')),
       (SELECT count(*) FROM kpi.result WHERE period IN ('2025-Q3', '2025-Q4') AND level = 'district');
EOF
set -- $(psql -At -F ' ' -d $db -f "$tmp/check.sql")
since=$fail
[ "${1:-0}" -ge 100 ] || bad "only ${1:-0} figures to compare"
[ "${2:-1}" = 0 ] || bad "$2 figures of plain SQL are not in the appendix"
[ "${3:-1}" = 0 ] || bad "$3 figures of the appendix are not plain SQL's"
[ "${4:-0}" = 20 ] || bad "${4:-0} appendix rows over both quarters, not 20 (10 units)"
[ "${5:-0}" = 12 ] || bad "${5:-0} commune appendix rows, not 12 (6 communes, each its own row, in 2 quarters)"
[ "${6:-0}" = 8 ] || bad "${6:-0} department appendix rows, not 8"
[ "${7:-1}" = 0 ] || bad "${7:-1} district level rows in a two-level period"
ok $since "every figure of both quarters equals plain SQL ($1 figures; 4 departments and 6 communes each on its own row)"

since=$fail
# services changed between the quarters: procedure 1.001001 ended, 1.001050 began
[ "$(q $db "SELECT valid_until FROM kpi.service WHERE unit_code = 'H44.07' AND procedure_code = '1.001001'")" = 2025-09-30 ] \
	|| bad "the procedure dropped in quarter 4 does not end on 30 September"
[ "$(q $db "SELECT valid_from FROM kpi.service WHERE unit_code = 'H44.07' AND procedure_code = '1.001050'")" = 2025-10-01 ] \
	|| bad "the procedure added in quarter 4 does not start on 1 October"
ok $since "the quarter 4 list ended a procedure on 30 September and began one on 1 October"

since=$fail
q $db "SELECT kpi.report_markdown('2025-Q4')" >"$tmp/report.md"
grep -q '^### Phụ lục 1. CẤP TỈNH$' "$tmp/report.md" || bad "the report has no appendix for the departments"
grep -q '^### Phụ lục 2. CẤP XÃ$' "$tmp/report.md" || bad "the communes' appendix is not appendix 2"
grep -q 'CẤP HUYỆN' "$tmp/report.md" && bad "a two-level report has a district section"
grep -q '^Mỗi dòng là một xã, phường, đặc khu trực thuộc tỉnh.$' "$tmp/report.md" || bad "no two-level note under the communes' appendix"
grep -q 'UBND xã Hy Cương' "$tmp/report.md" || bad "a commune is not on its own row"
grep -q 'Cấp huyện' "$tmp/report.md" && bad "section 1 names a district level"
grep -q '^- Chưa có chỉ tiêu được giao cho đơn vị nào.$' "$tmp/report.md" || bad "the report does not say that no target is assigned"
grep -q 'đều đạt' "$tmp/report.md" && bad "the report says that all units met targets none was assigned"
ok $since "the two-level report: departments and communes, no district, no target claimed"

since=$fail
readme_db=kpi_t_quarterly_readme
t_dbs="$t_dbs $readme_db"
"$bindir/createdb" $readme_db
psql -d $readme_db -c 'CREATE EXTENSION kpi_ext'
awk '/^## From dossier rows/ { on = 1; next } /^## / { on = 0 }
     on && /^```sql$/ { code = 1; next } code && /^```$/ { code = 0; next } code' README.md >"$tmp/readme.sql"
if psql -d $readme_db -At -f "$tmp/readme.sql" >"$tmp/readme.out" 2>&1; then
	n=$(grep -cE '^2025-Q3[|]commune[|][0-9]+[|]' "$tmp/readme.out" || :)
	[ "$n" = 6 ] || bad "the README's example shows $n communes, not 6"
	grep -qx '10|0' "$tmp/readme.out" || bad "the README's example does not load 10 units"
	grep -qx '400|0' "$tmp/readme.out" || bad "the README's example does not load 400 dossiers"
else
	bad "the README's example failed:"
	cat "$tmp/readme.out"
fi
ok $since "the README's example runs and shows every commune of the quarter"

t_finish
