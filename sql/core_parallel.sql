-- Serial results equal parallel results for every aggregate; the combine
-- functions also run through partitionwise aggregation and hash
-- aggregation that spills to disk.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SET search_path = public, kpi;

CREATE TABLE big AS
SELECT i, (i % 200) AS unit, (i::bigint * 7919 % 2003) AS proc_id, 'TT-' || (i::bigint * 7919 % 2003) AS proc_code,
       CASE WHEN i % 97 = 0 THEN NULL ELSE (i::bigint * 31 % 10) < 7 END AS online,
       ((i % 200) || '/' || (i % 200 + i % 3))::kpi.ratio AS r
FROM generate_series(1, 300000) i;
ANALYZE big;


CREATE TEMP TABLE q(sql text);
INSERT INTO q VALUES ($$
SELECT unit, kpi.share(online) AS share, kpi.sum(r) AS sum,
       kpi.coverage(proc_id, online) AS cov_int, kpi.coverage(proc_code, online) AS cov_text
FROM big GROUP BY unit$$);

-- serial
SET max_parallel_workers_per_gather = 0;
SELECT pg_temp.plan_has((SELECT sql FROM q), 'Workers Launched') AS serial_uses_workers;
DO $$ BEGIN EXECUTE 'CREATE TEMP TABLE serial_result AS ' || (SELECT sql FROM q); END $$;

-- parallel, costs zeroed so the planner picks it
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.plan_has((SELECT sql FROM q), 'Partial') AS parallel_partial,
       pg_temp.plan_has((SELECT sql FROM q), 'Workers Launched: 2') AS parallel_workers;
DO $$ BEGIN EXECUTE 'CREATE TEMP TABLE parallel_result AS ' || (SELECT sql FROM q); END $$;

SELECT count(*) AS groups, count(*) FILTER (WHERE p.unit IS NULL OR s.unit IS NULL) AS unmatched,
       count(*) FILTER (WHERE NOT (s.share = p.share AND s.sum = p.sum AND s.cov_int = p.cov_int AND s.cov_text = p.cov_text)) AS differ
FROM serial_result s FULL JOIN parallel_result p USING (unit);
-- and both equal plain SQL
SELECT count(*) AS differ_from_plain_sql FROM serial_result s JOIN (
	SELECT unit, kpi.ratio(count(*) FILTER (WHERE online), count(online)) AS share,
	       kpi.ratio(count(DISTINCT proc_id) FILTER (WHERE online), count(DISTINCT proc_id)) AS cov_int,
	       kpi.ratio(count(DISTINCT proc_code) FILTER (WHERE online), count(DISTINCT proc_code)) AS cov_text,
	       kpi.ratio(sum(kpi.numerator(r))::bigint, sum(kpi.denominator(r))::bigint) AS sum
	FROM big GROUP BY unit) x USING (unit)
WHERE NOT (s.share = x.share AND s.sum = x.sum AND s.cov_int = x.cov_int AND s.cov_text = x.cov_text);
-- whole-table aggregates, parallel
SELECT kpi.share(online), kpi.sum(r), kpi.coverage(proc_id, online), kpi.coverage(proc_code, online) FROM big;
RESET ALL;
SET search_path = public, kpi;
SELECT kpi.share(online), kpi.sum(r), kpi.coverage(proc_id, online), kpi.coverage(proc_code, online) FROM big;

-- partitionwise aggregation: partial states per partition, combined above
CREATE TABLE part (unit int, proc_code text, online boolean) PARTITION BY HASH (proc_code);
CREATE TABLE part0 PARTITION OF part FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE part1 PARTITION OF part FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE part2 PARTITION OF part FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO part SELECT unit, proc_code, online FROM big;
ANALYZE part;
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
SELECT pg_temp.plan_has('SELECT unit % 7, kpi.coverage(proc_code, online), kpi.share(online) FROM part GROUP BY 1', 'Partial') AS partitionwise_partial;
SELECT count(*) AS differ FROM (
	SELECT unit % 7 AS g, kpi.coverage(proc_code, online) AS c, kpi.share(online) AS s FROM part GROUP BY 1) a
JOIN (
	SELECT unit % 7 AS g, kpi.ratio(count(DISTINCT proc_code) FILTER (WHERE online), count(DISTINCT proc_code)) AS c,
	       kpi.ratio(count(*) FILTER (WHERE online), count(online)) AS s
	FROM part GROUP BY 1) b USING (g)
WHERE NOT (a.c = b.c AND a.s = b.s);
RESET ALL;
SET search_path = public, kpi;

-- hash aggregation over many groups with little memory: groups spill to
-- disk and are aggregated in batches; results stay exact
SET work_mem = '64kB';
SET enable_sort = off;
SELECT pg_temp.plan_has('SELECT i % 20000, kpi.coverage(proc_code, online) FROM big GROUP BY 1', 'Disk Usage') AS hash_agg_spilled;
SELECT count(*) AS differ FROM (
	SELECT i % 20000 AS g, kpi.coverage(proc_code, online) AS c FROM big GROUP BY 1) a
JOIN (
	SELECT i % 20000 AS g, kpi.ratio(count(DISTINCT proc_code) FILTER (WHERE online), count(DISTINCT proc_code)) AS c
	FROM big GROUP BY 1) b USING (g)
WHERE NOT a.c = b.c;
RESET ALL;
SET search_path = public, kpi;

DROP TABLE big, part, serial_result, parallel_result;
DROP EXTENSION kpi_ext;
