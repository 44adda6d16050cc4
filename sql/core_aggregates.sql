-- kpi.share, kpi.sum, kpi.coverage: results against plain SQL, NULLs,
-- empty groups, overflow, and the coverage state's text and binary forms.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SET search_path = public, kpi;


-- kpi.share(b) = count(*) FILTER (WHERE b) / count(b)
SELECT kpi.share(b) FROM (VALUES (true), (false), (NULL), (true)) t(b);
SELECT kpi.share(b) FROM (VALUES (NULL::boolean), (NULL)) t(b);   -- rows, none counted: 0/0
SELECT kpi.share(b) IS NULL AS no_rows FROM (SELECT true WHERE false) t(b);
SELECT g, kpi.share(b) FROM (VALUES (1, true), (2, NULL::boolean), (3, false)) t(g, b) GROUP BY g ORDER BY g;

-- kpi.sum pools: sums of numerators and denominators, not the mean of rates
SELECT kpi.sum(r::kpi.ratio) FROM (VALUES ('1/2'), ('0/0'), (NULL), ('9/10')) t(r);
SELECT kpi.percent(kpi.sum(r::kpi.ratio)) AS pooled, round(avg(kpi.percent(r::kpi.ratio)), 1) AS mean_of_rates
FROM (VALUES ('1/2'), ('90/100')) t(r);
SELECT kpi.sum(r) IS NULL AS no_rows FROM (SELECT '1/2'::kpi.ratio WHERE false) t(r);
SELECT kpi.sum(NULL::kpi.ratio) IS NULL AS only_nulls;
SELECT pg_temp.err($$SELECT kpi.sum(r::kpi.ratio) FROM (VALUES ('1/9223372036854775807'), ('1/1')) t(r)$$);
SELECT pg_temp.err($$SELECT kpi.sum(r::kpi.ratio) FROM (VALUES ('9223372036854775807/9223372036854775807'), ('1/1')) t(r)$$);
SELECT pg_temp.err($$SELECT kpi.share(true) FROM (SELECT 1) t$$);  -- fine

-- kpi.coverage(key, hit) = count(DISTINCT key) FILTER (WHERE hit) / count(DISTINCT key)
SELECT kpi.coverage(k, h) FROM (VALUES ('a', true), ('a', false), ('b', false), (NULL, true), ('c', NULL)) t(k, h);
SELECT kpi.coverage(k, h) FROM (VALUES (1::bigint, false), (1, true), (2, false), (NULL, true)) t(k, h);
SELECT kpi.coverage(k, h) FROM (VALUES (NULL::text, true)) t(k, h);      -- rows, no key: 0/0
SELECT kpi.coverage(k, h) IS NULL AS no_rows FROM (SELECT 'a'::text, true WHERE false) t(k, h);
SELECT kpi.coverage(k, true) FROM (VALUES (''), (' '), ('Thủ tục'), ('thủ tục'), ('Thủ tục')) t(k);
SELECT kpi.coverage(k, k > 0) FROM (VALUES (-9223372036854775808), (0), (9223372036854775807)) t(k);

-- against plain SQL on a few thousand rows with many groups
CREATE TABLE d AS
SELECT i, (i % 37) AS g, (i * 7919 % 501)::bigint AS ik, 'p' || (i * 7919 % 501) AS tk,
       CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 31 % 7) < 3 END AS hit
FROM generate_series(1, 20000) i;
SELECT count(*) AS groups_that_differ FROM (
	SELECT g, kpi.coverage(ik, hit) AS ci, kpi.coverage(tk, hit) AS ct, kpi.share(hit) AS s
	FROM d GROUP BY g) a
JOIN (
	SELECT g, kpi.ratio(count(DISTINCT ik) FILTER (WHERE hit), count(DISTINCT ik)) AS ci,
	          kpi.ratio(count(DISTINCT tk) FILTER (WHERE hit), count(DISTINCT tk)) AS ct,
	          kpi.ratio(count(*) FILTER (WHERE hit), count(hit)) AS s
	FROM d GROUP BY g) b USING (g)
WHERE NOT (a.ci = b.ci AND a.ct = b.ct AND a.s = b.s);
SELECT kpi.coverage(ik, hit), kpi.coverage(tk, hit), kpi.share(hit) FROM d;

-- the state type: text form round-trips exactly, keys sorted, + for hit
SELECT kpi.coverage_trans(kpi.coverage_trans(NULL, 5::bigint, true), 2::bigint, false) AS direct_call;
SELECT s::kpi.coverage_state AS state, s::kpi.coverage_state::text::kpi.coverage_state::text = s::kpi.coverage_state::text AS round_trip,
       kpi.coverage_final(s::kpi.coverage_state) AS ratio
FROM (VALUES ('{}'), ('{+1}'), ('{-3,+1,-2}'), ('{+-9223372036854775808,-9223372036854775807}'),
             ('{+"b",-"a"}'), ('{+""}'), ('{-"quo\"te",+"back\\slash",-"Sở Tư pháp"}')) t(s);
SELECT v, pg_temp.err(format('SELECT %L::kpi.coverage_state', v)) AS error
FROM (VALUES (''), ('{'), ('}'), ('{,}'), ('{1}'), ('{+}'), ('{+1,}'), ('{+1 ,-2}'), ('{ +1}'),
             ('{+1}x'), ('{+1,+1}'), ('{+1,-1}'), ('{+"a",+"a"}'), ('{+1,+"a"}'), ('{+"a",+1}'),
             ('{+"a}'), ('{+"a\b"}'), ('{*1}'), ('{+9223372036854775808}'),
             ('{+-9223372036854775809}'), ('{+1.5}'), ('{+a}')) t(v);

-- combine: union of keys, hit if hit in either; kinds must match
SELECT kpi.coverage_combine('{+1,-2}', '{-1,-3}') AS combined,
       kpi.coverage_combine(NULL, '{+"x"}') AS left_null,
       kpi.coverage_combine('{}', '{+"x"}') AS left_empty,
       kpi.coverage_combine('{-"x"}', NULL) AS right_null;
SELECT pg_temp.err($$SELECT kpi.coverage_combine('{+1}', '{+"a"}')$$);
SELECT pg_temp.err($$SELECT kpi.coverage_trans('{+"a"}', 1::bigint, true)$$);

-- binary form round-trips through COPY BINARY; receive validates
CREATE TABLE st (id int, s kpi.coverage_state);
INSERT INTO st VALUES (1, '{}'), (2, '{-3,+1}'), (3, '{+"Sở Y tế",-"a\"b"}'), (4, NULL);
INSERT INTO st SELECT 5, kpi.coverage_trans(NULL, 7::bigint, true);
CREATE TABLE st2 (LIKE st);
SELECT pg_temp.binary_copy('st', 'st2');
SELECT id, s FROM st2 ORDER BY id;
SELECT kpi.coverage_state_send('{-3,+1}');
SELECT kpi.coverage_state_send('{+"ab"}');

SELECT label, pg_temp.recv(decode(hex, 'hex'), 'kpi.coverage_state') AS result
FROM (VALUES
	('empty',            '00000000' || '0000000000000000'),
	('two ints',         '00000001' || '0000000000000002' || '000000000000000301' || '000000000000000100'),
	('one text',         '00000002' || '0000000000000001' || '01' || '00000002' || '6162'),
	('kind 3',           '00000003' || '0000000000000000'),
	('kind -1',          'ffffffff' || '0000000000000000'),
	('empty with keys',  '00000000' || '0000000000000001'),
	('ints, no keys',    '00000001' || '0000000000000000'),
	('negative count',   '00000001' || 'ffffffffffffffff'),
	('count too big',    '00000001' || '0000000000000002' || '000000000000000301'),
	('hit flag 2',       '00000001' || '0000000000000001' || '000000000000000302'),
	('duplicate int',    '00000001' || '0000000000000002' || '000000000000000301' || '000000000000000300'),
	('duplicate text',   '00000002' || '0000000000000002' || '01000000016101000000016' || '1'),
	('text len -1',      '00000002' || '0000000000000001' || '01' || 'ffffffff'),
	('text len 5 of 2',  '00000002' || '0000000000000001' || '01' || '00000005' || '6162'),
	('bad utf8',         '00000002' || '0000000000000001' || '01' || '00000001' || 'ff'),
	('trailing byte',    '00000000' || '0000000000000000' || '00'),
	('truncated',        '000000')) t(label, hex);

-- as window aggregates: a state updated in place must not change the rows
-- already returned (running and moving frames)
SELECT x, kpi.sum(kpi.ratio(x % 2, 1)) OVER w AS s, kpi.share(x % 3 = 0) OVER w AS sh,
       kpi.coverage((x % 4)::text, x > 5) OVER w AS c,
       kpi.coverage(x % 4, x > 5) OVER (ORDER BY x ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS cmov,
       kpi.sum(kpi.ratio(1, 2)) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS smov
FROM generate_series(1, 8) x WINDOW w AS (ORDER BY x);

DROP TABLE d, st, st2;
DROP EXTENSION kpi_ext;
