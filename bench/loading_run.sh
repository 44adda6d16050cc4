#!/bin/sh
# Runs inside scripts/pgenv; see bench/loading.sh.
#
# 1. kpi.load_sample() and test/generate_dossiers.sql make ROWS dossiers;
# 2. they are exported twice: as a dossier-handling system writes them (ISO
#    local times, English words, true/false) and in Vietnamese forms
#    (05/03/2024 08:30:15, Trực tuyến, Có/Không); kpi.dossier is emptied;
# 3. each file is timed through \copy and kpi.ingest_dossiers(), and what
#    was loaded is compared with what was exported; the ISO file is then
#    loaded a second time (every dossier already there, nothing rewritten).
set -eu
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/kpi_ext-loading.XXXXXX)
chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT
iso="$dir/dossiers-iso.csv"
vi="$dir/dossiers-vi.csv"
TZ_VN=Asia/Ho_Chi_Minh

psql -qX -v ON_ERROR_STOP=1 -c "CREATE EXTENSION kpi_ext" -c "SELECT kpi.load_sample()" >/dev/null
start=$(date +%s)
psql -qX -v ON_ERROR_STOP=1 -v rows="$ROWS" -f test/generate_dossiers.sql >/dev/null
echo "generated $ROWS dossiers in $(( $(date +%s) - start )) s"

psql -qX -v ON_ERROR_STOP=1 -c "\\copy (SELECT d.dossier_code, d.unit_code, d.procedure_code, to_char(d.received_at AT TIME ZONE '$TZ_VN', 'YYYY-MM-DD HH24:MI:SS') AS received_at, d.channel, d.fee_required, d.paid_online, d.digitized, d.reused_data, to_char(d.resolved_at AT TIME ZONE '$TZ_VN', 'YYYY-MM-DD HH24:MI:SS') AS resolved_at, d.e_result, NULL AS error FROM kpi.dossier AS d ORDER BY d.received_at) TO '$iso' WITH (FORMAT csv, HEADER)"
psql -qX -v ON_ERROR_STOP=1 -c "\\copy (SELECT d.dossier_code, d.unit_code, d.procedure_code, to_char(d.received_at AT TIME ZONE '$TZ_VN', 'DD/MM/YYYY HH24:MI:SS') AS received_at, CASE d.channel WHEN 'online' THEN 'Trực tuyến' WHEN 'direct' THEN 'Trực tiếp' ELSE 'Bưu chính' END AS channel, CASE WHEN d.fee_required THEN 'Có' ELSE 'Không' END AS fee_required, CASE WHEN d.paid_online THEN 'Có' ELSE 'Không' END AS paid_online, CASE WHEN d.digitized THEN 'Có' ELSE 'Không' END AS digitized, CASE WHEN d.reused_data THEN 'Có' ELSE 'Không' END AS reused_data, to_char(d.resolved_at AT TIME ZONE '$TZ_VN', 'DD/MM/YYYY HH24:MI:SS') AS resolved_at, CASE WHEN d.e_result THEN 'Có' ELSE 'Không' END AS e_result, NULL AS error FROM kpi.dossier AS d ORDER BY d.received_at) TO '$vi' WITH (FORMAT csv, HEADER)"
CHECK="SELECT count(*) || ' ' || sum(hashtextextended(d::text, 0)) FROM kpi.dossier AS d"
expected=$(psql -qXAt -v ON_ERROR_STOP=1 -c "$CHECK")
echo "exported: $(du -m "$iso" | cut -f1) MB (ISO), $(du -m "$vi" | cut -f1) MB (Vietnamese forms)"

empty() {
	psql -qX -v ON_ERROR_STOP=1 -c "DELETE FROM kpi.dossier" -c "VACUUM ANALYZE kpi.dossier" \
		-c "VACUUM kpi.staging_dossier" -c "CHECKPOINT" >/dev/null
}

# load FILE: prints "copy_ms ingest_ms loaded rejected"
load() {
	out=$(psql -qXAt -v ON_ERROR_STOP=1 <<SQL
\\timing on
\\copy kpi.staging_dossier FROM '$1' WITH (FORMAT csv, HEADER MATCH)
SELECT loaded || ' ' || rejected FROM kpi.ingest_dossiers();
SQL
)
	echo "$out" | awk '/^Time:/ {t[++n] = $2} /^[0-9]+ [0-9]+$/ {r = $0} END {print t[1], t[2], r}'
}

rate() { echo "$1 $2" | awk '{printf "%.0f", $1 / ($2 / 1000)}'; }
same() { [ "$(psql -qXAt -v ON_ERROR_STOP=1 -c "$CHECK")" = "$expected" ] && echo yes || echo NO; }

empty
set -- $(load "$iso"); c1=$1; i1=$2; l1=$3; r1=$4
s1=$(same)
set -- $(load "$iso"); c2=$1; i2=$2; l2=$3; r2=$4
s2=$(same)
empty
set -- $(load "$vi"); c3=$1; i3=$2; l3=$3; r3=$4
s3=$(same)

t1=$(echo "$c1 $i1" | awk '{print $1 + $2}')
t2=$(echo "$c2 $i2" | awk '{print $1 + $2}')
t3=$(echo "$c3 $i3" | awk '{print $1 + $2}')
echo "rows: $ROWS; one run each; times in ms"
printf '%-44s %10s %10s %10s %10s %9s\n' "file" "\\copy" "ingest" "total" "rows/s" "rejected"
printf '%-44s %10s %10s %10s %10s %9s\n' "ISO, into an empty kpi.dossier" "$c1" "$i1" "$t1" "$(rate "$ROWS" "$t1")" "$r1"
printf '%-44s %10s %10s %10s %10s %9s\n' "ISO again, every dossier already there" "$c2" "$i2" "$t2" "$(rate "$ROWS" "$t2")" "$r2"
printf '%-44s %10s %10s %10s %10s %9s\n' "Vietnamese forms, into an empty kpi.dossier" "$c3" "$i3" "$t3" "$(rate "$ROWS" "$t3")" "$r3"
echo "loaded equals the generated dossiers: $s1 (ISO), $s2 (ISO again), $s3 (Vietnamese forms)"
