#!/bin/sh
# Runs inside scripts/pgenv; see bench/refresh_stages.sh.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
RUNS=${RUNS:-5}
multi_year_quarter

start=$(date +%s)
generate_years 2023 3 "$ROWS"
echo "generated $ROWS dossiers over 2023-2025, $PROCS procedures per unit, in $(( $(date +%s) - start )) s; $(psql -qXAt -c "SELECT count(*) FROM kpi.service") services"

# Every stage timed in one PL/pgSQL call (so that the tallies pass from one
# stage to the next as kpi.refresh passes them, in memory), the stages
# taking turns within each round, after a warm-up round; best of $RUNS.
stages() {
	psql -qXAt -F '|' -v ON_ERROR_STOP=1 <<SQL
CREATE FUNCTION pg_temp.stages(p text, runs integer) RETURNS TABLE (stage text, ms numeric) LANGUAGE plpgsql AS \$\$
DECLARE
    b record := kpi.period_bounds(p);
    v kpi.tally[];
    levels text[];
    codes text[];
    ind text[];
    den integer[];
    num integer[];
    offer integer[];
    best numeric[] := array_fill(1e9, ARRAY[6]);
    t0 timestamptz;
    r integer;
    n bigint;
BEGIN
    -- the coverage stage's arguments, as kpi.counts_from_tallies makes them
    SELECT array_agg(i.code ORDER BY i.code), array_agg(kpi.flag_mask(i.denominator_flags) ORDER BY i.code),
           array_agg(kpi.flag_mask(i.denominator_flags || i.numerator_flags) ORDER BY i.code),
           array_agg(CASE i.service WHEN 'online_service' THEN 2 WHEN 'online_payment' THEN 1 ELSE 0 END ORDER BY i.code)
      INTO ind, den, num, offer
      FROM kpi.indicator AS i WHERE i.counts = 'procedures' AND i.basis = 'received';
    FOR r IN 0 .. runs LOOP
        t0 := clock_timestamp();
        PERFORM d.unit_code, count(*) FROM kpi.dossier AS d WHERE $WINDOW GROUP BY 1;
        IF r > 0 THEN best[1] := least(best[1], extract(epoch FROM clock_timestamp() - t0) * 1000); END IF;

        t0 := clock_timestamp();
        v := ARRAY(SELECT t FROM kpi.dossier_tallies(p) AS t);
        IF r > 0 THEN best[2] := least(best[2], extract(epoch FROM clock_timestamp() - t0) * 1000); END IF;

        t0 := clock_timestamp();
        SELECT count(*) INTO n FROM kpi.counts_from_tallies(p, v);
        IF r > 0 THEN best[3] := least(best[3], extract(epoch FROM clock_timestamp() - t0) * 1000); END IF;

        SELECT array_agg(u.level ORDER BY x.ord),
               array_agg(CASE WHEN u.level = 'commune' AND u.parent_code IS NOT NULL AND NOT kpi.period_two_level(b.starts)
                              THEN u.parent_code ELSE u.code END ORDER BY x.ord)
          INTO levels, codes
          FROM unnest(v) WITH ORDINALITY AS x(unit_code, rf, rc, sf, sc, pr, pf, ord)
          JOIN kpi.unit AS u ON u.code = x.unit_code;
        t0 := clock_timestamp();
        SELECT count(*) INTO n FROM kpi.coverage_from_tallies(v, levels, codes, ind, den, num, offer, b.starts, b.ends);
        IF r > 0 THEN best[4] := least(best[4], extract(epoch FROM clock_timestamp() - t0) * 1000); END IF;

        t0 := clock_timestamp();
        SELECT count(*) INTO n FROM kpi.metric_counts_from_tallies(p, v);
        IF r > 0 THEN best[5] := least(best[5], extract(epoch FROM clock_timestamp() - t0) * 1000); END IF;

        t0 := clock_timestamp();
        PERFORM kpi.refresh(p);
        IF r > 0 THEN best[6] := least(best[6], extract(epoch FROM clock_timestamp() - t0) * 1000); END IF;
    END LOOP;
    RETURN QUERY VALUES
        ('floor', round(best[1])),
        ('pass: kpi.dossier_tallies', round(best[2])),
        ('kpi.counts_from_tallies', round(best[3])),
        ('  of which kpi.coverage_from_tallies', round(best[4])),
        ('kpi.metric_counts_from_tallies', round(best[5])),
        ('kpi.refresh', round(best[6])),
        ('  the rest (writes, checks)', round(best[6] - best[2] - best[3] - best[5]));
END
\$\$;
SELECT s.stage, s.ms, round(s.ms / first_value(s.ms) OVER (ORDER BY s.ord), 2)
FROM pg_temp.stages('$P', $RUNS) WITH ORDINALITY AS s(stage, ms, ord)
ORDER BY s.ord;
SQL
}

show() {	# show LABEL: the stages with the current PGOPTIONS
	printf '%-40s %8s %8s\n' "$1" ms "/ floor"
	stages | awk -F '|' '{printf "%-40s %8s %8s\n", $1, $2, $3}'
	echo
}

echo
echo "refresh of $P in stages; best of $RUNS rounds in one session, the stages in turn"
show "parallel (up to $(psql -qXAt -c 'SHOW max_parallel_workers_per_gather') workers)"
PGOPTIONS="${PGOPTIONS:-} -c max_parallel_workers_per_gather=0" show "serial"

# how the procedures received divide between parallel participants: a
# parallel bitmap heap scan hands out pages one at a time, so each of three
# processes sees about a third of the pages
echo "distinct (unit, procedure) received in $P: $(psql -qXAt -c "SET max_parallel_workers_per_gather = 0" -c "
WITH r AS (SELECT d.unit_code, d.procedure_code, (d.ctid::text::point)[0]::bigint % 3 AS third
           FROM kpi.dossier AS d WHERE $REC)
SELECT (SELECT count(*) FROM (SELECT DISTINCT unit_code, procedure_code FROM r) AS x) || ' in all; '
    || string_agg(n::text, ', ' ORDER BY third) || ' in each third of the pages'
FROM (SELECT third, count(*) AS n FROM (SELECT DISTINCT third, unit_code, procedure_code FROM r) AS y GROUP BY third) AS z")"
