-- kpi.ratio as users expect a type to behave: =, <>, <, <=, >, >= compared
-- exactly (no floating point; n1*d2 against n2*d1 without overflow), 0/0
-- before every other ratio, equal values by denominator (1/2 < 2/4);
-- DISTINCT, GROUP BY, hash and merge joins, btree and hash indexes, ORDER
-- BY, kpi.min and kpi.max, serial and parallel.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;

CREATE TEMP TABLE r (id int, v kpi.ratio);
INSERT INTO r VALUES
    (1, '0/0'), (2, '0/1'), (3, '0/7'), (4, '1/3'), (5, '2/6'), (6, '1/2'), (7, '2/4'),
    (8, '3/4'), (9, '1/1'), (10, '7/7'),
    -- products beyond 64 bits: only exact 128-bit arithmetic orders these
    (11, '9223372036854775806/9223372036854775807'),
    (12, '9223372036854775805/9223372036854775806'),
    (13, '4611686018427387903/9223372036854775807'),
    (14, '1/2'), (15, NULL);

-- The operators live in schema kpi with the type: ORDER BY, DISTINCT, GROUP
-- BY, joins and indexes find them through the type's operator classes
-- whatever the search_path; writing a = b needs kpi on the search_path, as
-- docs/reference.md says (or OPERATOR(kpi.=)).
SELECT pg_temp.err($$SELECT '1/2'::kpi.ratio = '1/2'::kpi.ratio$$) AS without_search_path;
SELECT '1/2'::kpi.ratio OPERATOR(kpi.=) '1/2'::kpi.ratio AS qualified, '1/2'::kpi.ratio OPERATOR(kpi.<) '2/3' AS qualified_lt;
SET search_path = public, kpi;

-- every operator against every value: the truth table, and the order's rules
SELECT a.v AS a, b.v AS b, a.v = b.v AS eq, a.v <> b.v AS ne, a.v < b.v AS lt, a.v <= b.v AS le,
       a.v > b.v AS gt, a.v >= b.v AS ge, kpi.ratio_cmp(a.v, b.v) AS cmp
FROM r AS a, r AS b
WHERE (a.id, b.id) IN ((1, 2), (2, 1), (2, 3), (4, 5), (6, 7), (7, 6), (6, 14), (9, 10), (8, 9),
                       (11, 12), (12, 11), (13, 6), (6, 13), (1, 1), (15, 1))
ORDER BY a.id, b.id;

-- the order is a total order consistent with =: antisymmetric, transitive,
-- and cmp = 0 exactly when = (checked on every pair and triple)
SELECT count(*) FILTER (WHERE (kpi.ratio_cmp(a.v, b.v) = 0) <> (a.v = b.v)) AS cmp_zero_not_eq,
       count(*) FILTER (WHERE kpi.ratio_cmp(a.v, b.v) <> -kpi.ratio_cmp(b.v, a.v)) AS not_antisymmetric,
       count(*) FILTER (WHERE (a.v < b.v) <> (kpi.ratio_cmp(a.v, b.v) < 0)) AS lt_not_cmp
FROM r AS a, r AS b WHERE a.v IS NOT NULL AND b.v IS NOT NULL;
SELECT count(*) AS not_transitive
FROM r AS a, r AS b, r AS c
WHERE a.v < b.v AND b.v < c.v AND NOT a.v < c.v;
-- the exact value order agrees with numeric division wherever the values differ
SELECT count(*) AS disagrees_with_numeric
FROM r AS a, r AS b
WHERE kpi.denominator(a.v) > 0 AND kpi.denominator(b.v) > 0
  AND kpi.numerator(a.v)::numeric / kpi.denominator(a.v) <> kpi.numerator(b.v)::numeric / kpi.denominator(b.v)
  AND (a.v < b.v) <> (kpi.numerator(a.v)::numeric / kpi.denominator(a.v) < kpi.numerator(b.v)::numeric / kpi.denominator(b.v));

-- ORDER BY: 0/0 first, then by value, ties by denominator; NULL last
SELECT id, v FROM r ORDER BY v, id;
SELECT id, v FROM r ORDER BY v DESC NULLS LAST, id;

-- DISTINCT and GROUP BY: the same counts are one value (1/2 twice), equal
-- values with other counts are not (1/2 and 2/4)
SELECT DISTINCT v FROM r ORDER BY v;
SELECT v, count(*) FROM r GROUP BY v ORDER BY v;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT v, count(*) FROM r GROUP BY v;
SELECT count(*) AS hashed_groups FROM (SELECT v FROM r GROUP BY v) AS g;
RESET enable_sort;

-- kpi.min and kpi.max, by value exactly; over no rows, NULL
SELECT kpi.min(v) AS min, kpi.max(v) AS max FROM r;
SELECT kpi.min(v) AS min, kpi.max(v) AS max FROM r WHERE id > 100;
SELECT kpi.max(v) AS max_without_0_0 FROM r WHERE v <> '0/0';

-- joins: hash join and merge join find the same pairs as a nested loop
CREATE TEMP TABLE s AS SELECT id, v FROM r;
SET enable_nestloop = off; SET enable_mergejoin = off;
SELECT pg_temp.plan_has('SELECT * FROM r JOIN s USING (v)', 'Hash Join') AS hash_join;
SELECT count(*) AS hash_pairs FROM r JOIN s USING (v);
SET enable_hashjoin = off; SET enable_mergejoin = on;
SELECT pg_temp.plan_has('SELECT * FROM r JOIN s USING (v)', 'Merge Join') AS merge_join;
SELECT count(*) AS merge_pairs FROM r JOIN s USING (v);
RESET enable_nestloop; RESET enable_mergejoin; RESET enable_hashjoin;
SELECT count(*) AS loop_pairs FROM r AS a, s AS b WHERE a.v = b.v;

-- indexes: btree for equality, ranges and min/max; hash for equality
CREATE TABLE ix AS SELECT g AS id, kpi.ratio(g % 97, 97) AS v FROM generate_series(1, 5000) AS g;
CREATE INDEX ix_btree ON ix (v);
ANALYZE ix;
SET enable_seqscan = off;
SELECT pg_temp.plan_has($$SELECT count(*) FROM ix WHERE v BETWEEN '10/97' AND '20/97'$$, 'Index') AS btree_range;
SELECT count(*) AS in_range FROM ix WHERE v BETWEEN '10/97' AND '20/97';
SELECT pg_temp.plan_has('SELECT kpi.max(v) FROM ix', 'Index Only Scan Backward') AS max_from_index;
SELECT kpi.min(v) AS min, kpi.max(v) AS max FROM ix;
DROP INDEX ix_btree;
CREATE INDEX ix_hash ON ix USING hash (v);
SELECT pg_temp.plan_has($$SELECT count(*) FROM ix WHERE v = '5/97'$$, 'ix_hash') AS hash_index;
SELECT count(*) AS equal_to_5_97 FROM ix WHERE v = '5/97';
RESET enable_seqscan;
CREATE UNIQUE INDEX ix_unique ON s (v) WHERE id <> 14;
SELECT pg_temp.err($$INSERT INTO s VALUES (99, '1/2')$$) AS duplicate_counts;
SELECT pg_temp.err($$INSERT INTO s VALUES (99, '3/6')$$) AS equal_value_other_counts;

-- serial equals parallel
CREATE TABLE big AS SELECT g AS id, kpi.ratio(g % 1000, 1000 + g % 7) AS v FROM generate_series(1, 200000) AS g;
ANALYZE big;
SELECT kpi.min(v)::text || ' ' || kpi.max(v)::text || ' ' || count(DISTINCT v) AS serial FROM big \gset
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.plan_has('SELECT kpi.min(v), kpi.max(v) FROM big', 'Workers Launched: 2') AS parallel_workers;
SELECT kpi.min(v)::text || ' ' || kpi.max(v)::text || ' ' || count(DISTINCT v) = :'serial' AS parallel_equals_serial FROM big;
RESET ALL;

DROP TABLE ix, big, r, s;
DROP EXTENSION kpi_ext;
