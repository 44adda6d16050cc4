#!/bin/sh
# Many people at once: real sessions, interleaved step by step (each step
# waits for the server to reach a state: a statement done, a session waiting
# for a lock), never for a time.
#   1. The unit tree and the levels of the figures hold whatever two
#      transactions do: session A turns district huyen-race1 into a province,
#      deletes district huyen-race2 and turns province so-race3 into a
#      district, while session B adds communes under huyen-race1 and
#      huyen-race2 and a province level count for so-race3; in both orders,
#      the second waits for the first and is refused.
#   2. Two refreshes of one period: the second waits for the first, then
#      succeeds with the same rows; a refresh of another period does not wait.
#   3. Two loads at once, each BEGIN; \copy; ingest; COMMIT: in both orders
#      nothing deadlocks and every row of both files is loaded.
#   4. Four sessions refreshing two periods over and over: no error.
. "$(dirname "$0")/lib.sh"
db=kpi_t_concurrency
t_init $db
"$bindir/createdb" $db
psql -d $db -c 'CREATE EXTENSION kpi_ext' -c 'SELECT kpi.load_sample()' >/dev/null

invariants() {
	q $db "SELECT (SELECT count(*) FROM kpi.unit AS c LEFT JOIN kpi.unit AS p ON p.code = c.parent_code
	               WHERE c.parent_code IS NOT NULL AND (p.code IS NULL OR p.level <> 'district'))
	       || ' ' || (SELECT count(*) FROM kpi.indicator_count AS c JOIN kpi.unit AS u ON u.code = c.unit_code
	                  WHERE NOT (u.level = c.level OR (c.level = 'commune' AND u.level = 'district')))
	       || ' ' || (SELECT count(*) FROM kpi.dangling_references())"
}
race_units() {
	psql -d $db -c "DELETE FROM kpi.indicator_count WHERE unit_code LIKE '%race%'" \
		-c "DELETE FROM kpi.unit WHERE code LIKE 'xa-race%'" -c "DELETE FROM kpi.unit WHERE code LIKE '%race%'" \
		-c "INSERT INTO kpi.unit (code, name, level) VALUES ('huyen-race1', 'UBND huyện Race 1', 'district'),
		    ('huyen-race2', 'UBND huyện Race 2', 'district'), ('so-race3', 'Sở Race 3', 'province')" >/dev/null
}
b_commune1="INSERT INTO kpi.unit (code, name, level, parent_code) VALUES ('xa-race1', 'UBND xã Race 1', 'commune', 'huyen-race1');"
b_commune2="INSERT INTO kpi.unit (code, name, level, parent_code) VALUES ('xa-race2', 'UBND xã Race 2', 'commune', 'huyen-race2');"
b_count="INSERT INTO kpi.indicator_count (period, level, unit_code, indicator, numerator, denominator) VALUES ('2024-Q1', 'province', 'so-race3', 'e_result', 1, 2);"
a_level1="UPDATE kpi.unit SET level = 'province' WHERE code = 'huyen-race1';"
a_delete2="DELETE FROM kpi.unit WHERE code = 'huyen-race2';"
a_level3="UPDATE kpi.unit SET level = 'district' WHERE code = 'so-race3';"

# --- 1a. A first -------------------------------------------------------------
since=$fail
race_units
s_open A $db
s_open B $db
s_send A "BEGIN;"; s_send A "$a_level1"; s_send A "$a_delete2"; s_send A "$a_level3"; s_done A
s_send B "$b_commune1"
s_blocked B                     # B's commune names huyen-race1, which A is changing
s_send A "COMMIT;"; s_done A
s_done B
s_send B "$b_commune2"; s_send B "$b_count"; s_done B
grep -q 'the parent of commune "xa-race1" must be a district, and "huyen-race1" is a province unit' "$tmp/B.out" \
	|| bad "1a: B's commune under huyen-race1 (now a province) was not refused"
grep -q 'unit_code "huyen-race2" not found\|parent_code "huyen-race2" not found' "$tmp/B.out" \
	|| bad "1a: B's commune under the deleted huyen-race2 was not refused"
grep -q 'unit "so-race3" is a district unit and cannot have province level figures' "$tmp/B.out" \
	|| bad "1a: B's province level count for so-race3 (now a district) was not refused"
[ "$(invariants)" = "0 0 0" ] || bad "1a: invariants broken (bad tree, bad levels, dangling): $(invariants)"
[ "$(q $db "SELECT count(*) FROM kpi.unit WHERE code LIKE 'xa-race%'")" = 0 ] || bad "1a: a commune of B was written"
s_close A; s_close B
ok $since "1a: A changes the units first, B waits, then every write of B is refused; the invariants hold"

# --- 1b. B first -------------------------------------------------------------
since=$fail
race_units
mv "$tmp/A.out" "$tmp/A1.out"; mv "$tmp/B.out" "$tmp/B1.out"; rm -f "$tmp/A.in" "$tmp/B.in"
s_open A $db
s_open B $db
s_send B "BEGIN;"; s_send B "$b_commune1"; s_send B "$b_commune2"; s_send B "$b_count"; s_done B
s_send A "$a_level1"
s_blocked A                     # A's change of huyen-race1 waits for B, which names it
s_send B "COMMIT;"; s_done B
s_done A
s_send A "$a_delete2"; s_send A "$a_level3"; s_done A
grep -q 'district "huyen-race1" has communes and must stay a district' "$tmp/A.out" \
	|| bad "1b: A turned huyen-race1, which has a commune of B, into a province"
grep -q 'delete on table "unit": "huyen-race2" still named by kpi.unit.parent_code' "$tmp/A.out" \
	|| bad "1b: A deleted huyen-race2, which has a commune of B"
grep -q 'unit "so-race3" has province level figures and cannot become a district unit' "$tmp/A.out" \
	|| bad "1b: A turned so-race3, which has a province level count of B, into a district"
[ "$(invariants)" = "0 0 0" ] || bad "1b: invariants broken (bad tree, bad levels, dangling): $(invariants)"
[ "$(q $db "SELECT string_agg(code || ':' || level, ' ' ORDER BY code) FROM kpi.unit WHERE code LIKE '%race%'")" \
	= "huyen-race1:district huyen-race2:district so-race3:province xa-race1:commune xa-race2:commune" ] \
	|| bad "1b: the units are not as B left them"
s_close A; s_close B
ok $since "1b: B writes first, A waits, then every change of A is refused; the invariants hold"

# --- 2. two refreshes of one period ----------------------------------------
since=$fail
psql -d $db -v rows=20000 -f test/generate_dossiers.sql >/dev/null
mv "$tmp/A.out" "$tmp/A2.out"; mv "$tmp/B.out" "$tmp/B2.out"; rm -f "$tmp/A.in" "$tmp/B.in"
s_open A $db
s_open B $db
s_open C $db
s_send A "BEGIN;"; s_send A "SELECT kpi.refresh('2024-Q2');"; s_done A
s_send B "SELECT kpi.refresh('2024-Q2');"
s_blocked B                     # the same period: B waits for A
s_send C "SELECT kpi.refresh('2024-Q3');"; s_done C     # another period: runs beside A
s_send A "COMMIT;"; s_done A
s_done B
grep -q 'ERROR' "$tmp/B.out" && { bad "2: the second refresh of 2024-Q2 failed:"; cat "$tmp/B.out"; }
grep -q 'ERROR' "$tmp/C.out" && { bad "2: the refresh of 2024-Q3 failed:"; cat "$tmp/C.out"; }
n=$(q $db "SELECT count(*) FROM (SELECT level, unit_code, indicator, applicable, numerator, denominator
                                  FROM kpi.indicator_count WHERE period = '2024-Q2' AND source = 'computed'
                                  EXCEPT SELECT level, unit_code, indicator, applicable, numerator, denominator
                                  FROM kpi.counts_from_dossiers('2024-Q2')) AS x")
m=$(q $db "SELECT count(*) FROM kpi.indicator_count WHERE period = '2024-Q2' AND source = 'computed'")
[ "$n" = 0 ] && [ "$m" -gt 100 ] || bad "2: after both refreshes, $n of $m computed rows differ from a fresh count"
s_close A; s_close B; s_close C
ok $since "2: the second refresh of 2024-Q2 waited for the first and succeeded ($m rows, as counted afresh); 2024-Q3 ran beside"

# --- 3. two loads at once -----------------------------------------------------
since=$fail
psql -d $db >/dev/null <<'EOF'
\copy kpi.staging_unit FROM 'data/example/units.csv' WITH (FORMAT csv, HEADER)
SELECT * FROM kpi.ingest_units();
\copy kpi.staging_service FROM 'data/example/services-2025-Q3.csv' WITH (FORMAT csv, HEADER)
SELECT * FROM kpi.ingest_services('2025-Q3');
EOF
for order in 1 2; do
	psql -d $db -c "DELETE FROM kpi.dossier WHERE unit_code LIKE 'H44.%'" >/dev/null
	mv "$tmp/A.out" "$tmp/A3$order.out"; mv "$tmp/B.out" "$tmp/B3$order.out"; rm -f "$tmp/A.in" "$tmp/B.in" "$tmp/C.in"
	s_open A $db
	s_open B $db
	if [ $order = 1 ]; then
		# both copy, then A ingests, then B: B's ingest waits for A's commit
		s_send A "BEGIN;"; s_send A "\\copy kpi.staging_dossier FROM 'data/example/dossiers-2025-Q3.csv' WITH (FORMAT csv, HEADER)"; s_done A
		s_send B "BEGIN;"; s_send B "\\copy kpi.staging_dossier FROM 'data/example/dossiers-2025-Q4.csv' WITH (FORMAT csv, HEADER)"; s_done B
		s_send A "SELECT * FROM kpi.ingest_dossiers();"; s_done A
		s_send B "SELECT * FROM kpi.ingest_dossiers();"
		s_blocked B
		s_send A "COMMIT;"; s_done A
		s_done B
		s_send B "COMMIT;"; s_done B
	else
		# A copies and ingests (and empties the staging table), then B
		# copies: B's copy waits for A's commit
		s_send A "BEGIN;"; s_send A "\\copy kpi.staging_dossier FROM 'data/example/dossiers-2025-Q3.csv' WITH (FORMAT csv, HEADER)"
		s_send A "SELECT * FROM kpi.ingest_dossiers();"; s_done A
		s_send B "BEGIN;"; s_send B "\\copy kpi.staging_dossier FROM 'data/example/dossiers-2025-Q4.csv' WITH (FORMAT csv, HEADER)"
		s_blocked B
		s_send A "COMMIT;"; s_done A
		s_done B
		s_send B "SELECT * FROM kpi.ingest_dossiers();"; s_send B "COMMIT;"; s_done B
	fi
	cat "$tmp/A.out" "$tmp/B.out" | grep -q 'ERROR' && { bad "3.$order: a load failed:"; cat "$tmp/A.out" "$tmp/B.out"; }
	r=$(q $db "SELECT (SELECT count(*) FROM kpi.dossier WHERE unit_code LIKE 'H44.%') || ' ' || (SELECT count(*) FROM kpi.rejected_dossier) || ' ' || (SELECT count(*) FROM kpi.staging_dossier)")
	[ "$r" = "800 0 0" ] || bad "3.$order: after both loads, dossiers / rejected / staged are $r, not 800 0 0"
	s_close A; s_close B
done
ok $since "3: two sessions loading a file each (BEGIN, copy, ingest, COMMIT), in both orders: no deadlock, all 800 rows loaded"

# --- 4. four sessions refreshing in a loop ------------------------------------
since=$fail
for s in 1 2 3 4; do
	(for i in 1 2 3 4 5 6; do
		if [ $(((i + s) % 2)) = 0 ]; then echo "SELECT kpi.refresh('2024-Q2');"; else echo "SELECT kpi.refresh('2024-Q3');"; fi
	done) >"$tmp/loop$s.sql"
	"$bindir/psql" -X -q -d $db -f "$tmp/loop$s.sql" >"$tmp/loop$s.out" 2>&1 &
	eval "loop_pid_$s=\$!"
done
for s in 1 2 3 4; do eval "wait \$loop_pid_$s" || :; done
cat "$tmp"/loop?.out | grep -q 'ERROR' && { bad "4: a refresh failed:"; grep -h 'ERROR' "$tmp"/loop?.out | sort | uniq -c; }
ok $since "4: four sessions refreshing 2024-Q2 and 2024-Q3 six times each: no error, no deadlock"

t_finish
