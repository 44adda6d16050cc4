#!/bin/sh
# Runs inside scripts/pgenv; see bench/loading.sh.
#
# 1. kpi.load_sample() and test/generate_dossiers.sql make ROWS dossiers,
#    most with a due date;
# 2. they are exported twice: as a dossier-handling system writes them (ISO
#    local times, English words, t/f), which is also what a plain COPY into
#    kpi.dossier reads, and in Vietnamese forms (05/03/2024 08:30:15,
#    Trực tuyến, Có/Không);
# 3. into an empty kpi.dossier each time: the ISO file with a plain COPY
#    straight into kpi.dossier (the floor: its constraints and checks
#    only), then each file through \copy into kpi.staging_dossier and
#    kpi.ingest_dossiers(); the ratio of each to the plain COPY; and
#    whether what was loaded equals what was exported.
set -eu
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/kpi_ext-loading.XXXXXX)
chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT
iso="$dir/dossiers-iso.csv"
vi="$dir/dossiers-vi.csv"
TZ_VN=Asia/Ho_Chi_Minh
RUNS=${RUNS:-1}

psql -qX -v ON_ERROR_STOP=1 -c "CREATE EXTENSION kpi_ext" -c "SELECT kpi.load_sample()" >/dev/null
start=$(date +%s)
psql -qX -v ON_ERROR_STOP=1 -v rows="$ROWS" -f test/generate_dossiers.sql >/dev/null
psql -qX -v ON_ERROR_STOP=1 -c "UPDATE kpi.dossier SET due_at = received_at + (abs(hashtext(dossier_code)) % 16) * interval '1 day' WHERE abs(hashtext(dossier_code)) % 9 <> 0" >/dev/null
echo "generated $ROWS dossiers in $(( $(date +%s) - start )) s"

cols="d.dossier_code, d.unit_code, d.procedure_code"
psql -qX -v ON_ERROR_STOP=1 -c "\\copy (SELECT $cols, to_char(d.received_at AT TIME ZONE '$TZ_VN', 'YYYY-MM-DD HH24:MI:SS') AS received_at, d.channel, d.fee_required, d.paid_online, d.digitized, d.reused_data, to_char(d.resolved_at AT TIME ZONE '$TZ_VN', 'YYYY-MM-DD HH24:MI:SS') AS resolved_at, d.e_result, to_char(d.due_at AT TIME ZONE '$TZ_VN', 'YYYY-MM-DD HH24:MI:SS') AS due_at FROM kpi.dossier AS d ORDER BY d.received_at) TO '$iso' WITH (FORMAT csv, HEADER)"
psql -qX -v ON_ERROR_STOP=1 -c "\\copy (SELECT $cols, to_char(d.received_at AT TIME ZONE '$TZ_VN', 'DD/MM/YYYY HH24:MI:SS') AS received_at, CASE d.channel WHEN 'online' THEN 'Trực tuyến' WHEN 'direct' THEN 'Trực tiếp' ELSE 'Bưu chính' END AS channel, CASE WHEN d.fee_required THEN 'Có' ELSE 'Không' END AS fee_required, CASE WHEN d.paid_online THEN 'Có' ELSE 'Không' END AS paid_online, CASE WHEN d.digitized THEN 'Có' ELSE 'Không' END AS digitized, CASE WHEN d.reused_data THEN 'Có' ELSE 'Không' END AS reused_data, to_char(d.resolved_at AT TIME ZONE '$TZ_VN', 'DD/MM/YYYY HH24:MI:SS') AS resolved_at, CASE WHEN d.e_result THEN 'Có' ELSE 'Không' END AS e_result, to_char(d.due_at AT TIME ZONE '$TZ_VN', 'DD/MM/YYYY HH24:MI:SS') AS due_at FROM kpi.dossier AS d ORDER BY d.received_at) TO '$vi' WITH (FORMAT csv, HEADER)"
CHECK="SELECT count(*) || ' ' || sum(hashtextextended(d::text, 0)) FROM kpi.dossier AS d"
expected=$(psql -qXAt -v ON_ERROR_STOP=1 -c "$CHECK")
echo "exported: $(du -m "$iso" | cut -f1) MB (ISO), $(du -m "$vi" | cut -f1) MB (Vietnamese forms)"

empty() {
	psql -qX -v ON_ERROR_STOP=1 -c "TRUNCATE kpi.dossier" -c "TRUNCATE kpi.staging_dossier" \
		-c "VACUUM ANALYZE kpi.dossier" -c "CHECKPOINT" >/dev/null
}
ms() { awk '/^Time:/ {s += $2} END {printf "%.0f", s}'; }

# direct: a plain COPY of the ISO file into kpi.dossier (local times in the zone of the file)
direct() {
	empty
	PGTZ=$TZ_VN psql -qXAt -v ON_ERROR_STOP=1 <<SQL | ms
\\timing on
\\copy kpi.dossier FROM '$iso' WITH (FORMAT csv, HEADER)
SQL
}
# staged FILE: \copy into staging, then ingest; prints "copy_ms ingest_ms loaded rejected"
staged() {
	empty
	out=$(psql -qXAt -v ON_ERROR_STOP=1 <<SQL
\\timing on
\\copy kpi.staging_dossier FROM '$1' WITH (FORMAT csv, HEADER MATCH)
SELECT loaded || ' ' || rejected FROM kpi.ingest_dossiers();
SQL
)
	echo "$out" | awk '/^Time:/ {t[++n] = $2} /^[0-9]+ [0-9]+$/ {r = $0} END {printf "%.0f %.0f %s\n", t[1], t[2], r}'
}
same() { [ "$(psql -qXAt -v ON_ERROR_STOP=1 -c "$CHECK")" = "$expected" ] && echo yes || echo NO; }

# each path's best run, with its parts: "total copy_ms ingest_ms"
d=; b1=; b2=
i=0
keep() { # keep BEST TOTAL COPY INGEST: the new run if it is faster
	if [ -z "$1" ] || [ "$(echo "$1" | cut -d' ' -f1)" -gt "$2" ]; then echo "$2 $3 $4"; else echo "$1"; fi
}
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	d="$d $(direct)"
	set -- $(staged "$iso"); b1=$(keep "$b1" $(($1 + $2)) "$1" "$2"); r1=$4; same1=$(same)
	set -- $(staged "$vi"); b2=$(keep "$b2" $(($1 + $2)) "$1" "$2"); r2=$4; same2=$(same)
done
dt=$(echo $d | tr ' ' '\n' | sort -n | head -1)
set -- $b1; t1=$1; c1=$2; i1=$3
set -- $b2; t2=$1; c2=$2; i2=$3
ratio() { echo "$1 $2" | awk '{printf "%.2f", $1 / $2}'; }
echo "rows: $ROWS; best of $RUNS run(s); times in ms"
printf '%-58s %10s %8s\n' "path" "ms" "ratio"
printf '%-58s %10s %8s\n' "COPY of the ISO file straight into kpi.dossier (floor)" "$dt" "1.00"
printf '%-58s %10s %8s\n' "ISO file: \\copy to staging ($c1) + ingest ($i1)" "$t1" "$(ratio "$t1" "$dt")"
printf '%-58s %10s %8s\n' "Vietnamese forms: \\copy to staging ($c2) + ingest ($i2)" "$t2" "$(ratio "$t2" "$dt")"
echo "rejected: $r1 (ISO), $r2 (Vietnamese forms); loaded equals the generated dossiers: $same1 (ISO), $same2 (Vietnamese forms)"
