-- Random strings against the input functions: every one is either accepted
-- (and then round-trips) or rejected with a class 22 error; the server stays up.
CREATE EXTENSION kpi_ext;

SELECT setseed(0.42);
CREATE TEMP TABLE fuzz AS
SELECT i, string_agg(substr('0123456789/-+{}",\ a9/0ẞ', 1 + floor(random() * 25)::int, 1), '') AS s
FROM generate_series(1, 4000) i, LATERAL generate_series(1, 1 + (i % 24)) j
GROUP BY i;
-- plus mutations of valid values
INSERT INTO fuzz
SELECT 10000 + i, overlay(v PLACING substr('0/9-+{"\', 1 + (i % 9), 1) FROM 1 + (i % length(v)) FOR i % 2)
FROM generate_series(1, 2000) i,
     LATERAL (SELECT (ARRAY['59/72', '0/0', '9223372036854775807/9223372036854775807', '{+1,-2}', '{+"a\"b",-"c"}'])[1 + i % 5] AS v) x;

CREATE TEMP TABLE outcome (i int, typ text, ok boolean, sqlstate text, round_trip boolean);
DO $$
DECLARE f record; t text; res text;
BEGIN
	FOR f IN SELECT * FROM fuzz LOOP
		FOREACH t IN ARRAY ARRAY['kpi.ratio', 'kpi.coverage_state'] LOOP
			BEGIN
				EXECUTE format('SELECT %L::%s::text', f.s, t) INTO res;
				EXECUTE format('SELECT %L::%s::text = %L', res, t, res) INTO STRICT res;
				INSERT INTO outcome VALUES (f.i, t, true, NULL, res::boolean);
			EXCEPTION WHEN OTHERS THEN
				INSERT INTO outcome VALUES (f.i, t, false, SQLSTATE, NULL);
			END;
		END LOOP;
	END LOOP;
END $$;

SELECT typ, count(*) AS tried, count(*) FILTER (WHERE ok) > 0 AS some_accepted,
       count(*) FILTER (WHERE NOT ok) > 0 AS some_rejected,
       count(*) FILTER (WHERE ok AND NOT round_trip) AS accepted_without_round_trip,
       count(*) FILTER (WHERE NOT ok AND sqlstate NOT LIKE '22%') AS errors_outside_class_22
FROM outcome GROUP BY typ ORDER BY typ;
SELECT 'server still up' AS status;

DROP EXTENSION kpi_ext;
