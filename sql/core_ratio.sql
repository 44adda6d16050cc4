-- kpi.ratio: text and binary input and output, constructor, accessors.
\i test/helpers.sql
CREATE EXTENSION kpi_ext;


-- valid text input: boundaries, leading zeros, round trip
SELECT v::kpi.ratio AS r, kpi.numerator(v::kpi.ratio) AS n, kpi.denominator(v::kpi.ratio) AS d
FROM (VALUES ('59/72'), ('0/0'), ('0/1'), ('5/5'), ('007/010'),
             ('9223372036854775807/9223372036854775807'), ('0/9223372036854775807')) t(v);
SELECT '59/72'::kpi.ratio::text::kpi.ratio::text AS round_trip;

-- invalid text input: each names the value, SQLSTATE class 22
SELECT v, pg_temp.err(format('SELECT %L::kpi.ratio', v)) AS error
FROM (VALUES (''), ('/'), ('5'), ('5/'), ('/5'), ('5//6'), ('1/2/3'), (' 1/2'), ('1/2 '),
             ('1 /2'), ('+1/2'), ('1/+2'), ('0x1/2'), ('1.0/2'), ('1,5/2'), ('a/b'), ('½'),
             ('1/2x'), ('-1/2'), ('1/-2'), ('-0/0'), ('3/2'), ('1/0'),
             ('9223372036854775808/9223372036854775808'), ('1/9223372036854775808'),
             ('99999999999999999999999/1')) t(v);

-- constructor: same rules
SELECT kpi.ratio(59, 72), kpi.ratio(0, 0), kpi.ratio(9223372036854775807, 9223372036854775807);
SELECT pg_temp.err('SELECT kpi.ratio(-1, 5)');
SELECT pg_temp.err('SELECT kpi.ratio(1, -5)');
SELECT pg_temp.err('SELECT kpi.ratio(6, 5)');
SELECT pg_temp.err('SELECT kpi.ratio(1, 0)');
SELECT kpi.ratio(NULL, 5) IS NULL AS null_in_null_out;

-- equality compares counts, not values
SELECT '1/2'::kpi.ratio OPERATOR(kpi.=) '1/2'::kpi.ratio AS same, '1/2'::kpi.ratio OPERATOR(kpi.=) '2/4'::kpi.ratio AS scaled;

-- binary form: send gives two int8; COPY BINARY round-trips
SELECT kpi.ratio_send('59/72');
CREATE TABLE r (id int, v kpi.ratio);
INSERT INTO r VALUES (1, '59/72'), (2, '0/0'), (3, '9223372036854775807/9223372036854775807'), (4, NULL);
CREATE TABLE r2 (LIKE r);
SELECT pg_temp.binary_copy('r', 'r2');
SELECT id, v FROM r2 ORDER BY id;

-- binary receive validates exactly like text input.  A bytea field in a
-- binary COPY file is its raw bytes, so writing one and reading it back
-- into a kpi.ratio column feeds those bytes to the receive function.
SELECT label, pg_temp.recv(decode(hex, 'hex'), 'kpi.ratio') AS result
FROM (VALUES
	('59/72',          '000000000000003b0000000000000048'),
	('0/0',            '00000000000000000000000000000000'),
	('max/max',        '7fffffffffffffff7fffffffffffffff'),
	('5/3',            '00000000000000050000000000000003'),
	('-1/2',           'ffffffffffffffff0000000000000002'),
	('1/-2',           '0000000000000001fffffffffffffffe'),
	('min/min',        '80000000000000008000000000000000'),
	('8 bytes',        '0000000000000001'),
	('20 bytes',       '0000000000000001000000000000000200000000'),
	('empty',          '')) t(label, hex);

DROP TABLE r, r2;
DROP EXTENSION kpi_ext;
