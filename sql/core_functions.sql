-- kpi.percent, kpi.gap, kpi.met, kpi.format_vi
\i test/helpers.sql
CREATE EXTENSION kpi_ext;

-- the report's own half-way cases, which binary floating point gets wrong
SELECT kpi.percent('18/32') AS tuy_phuoc, kpi.percent('57/80') AS so_khdt, kpi.percent('10/72') AS bqlkkt,
       to_char(18::float8 / 32 * 100, 'FM990.0') AS float8_tuy_phuoc,
       to_char(57::float8 / 80 * 100, 'FM990.0') AS float8_so_khdt;
-- more half-way points, rounded half away from zero
SELECT r, kpi.percent(r::kpi.ratio) AS p1, kpi.percent(r::kpi.ratio, 0) AS p0, kpi.percent(r::kpi.ratio, 3) AS p3
FROM (VALUES ('1/8'), ('1/16'), ('1/40'), ('3/80'), ('1/3'), ('2/3'), ('4999/5000'), ('1/2000'),
             ('0/5'), ('5/5'), ('0/0'),
             ('9223372036854775806/9223372036854775807'), ('1/9223372036854775807')) t(r);
SELECT kpi.percent('1/3', 16) AS sixteen_digits, kpi.percent('2/3', 16) AS rounded_up;
SELECT kpi.percent(NULL) IS NULL AS null_ratio, kpi.percent('1/2', NULL) IS NULL AS null_digits;
SELECT pg_temp.err('SELECT kpi.percent(''1/2'', -1)');
SELECT pg_temp.err('SELECT kpi.percent(''1/2'', 17)');

-- gap: exact percentage points, not rounded
SELECT r, t, kpi.gap(r::kpi.ratio, t) AS gap
FROM (VALUES ('18/32', 60), ('59/72', 60), ('57/80', 100), ('5/5', 100), ('0/7', 55.5),
             ('1/3', 0), ('2/3', 66.6), ('0/0', 60)) v(r, t);
SELECT kpi.gap('1/2', NULL) IS NULL AS null_target, kpi.gap(NULL, 50) IS NULL AS null_ratio;
-- rounding the gap is the caller's: round() is half away from zero too
SELECT round(kpi.gap('18/32', 60), 1) AS tuy_phuoc_gap;
SELECT pg_temp.err('SELECT kpi.gap(''1/2'', ''NaN'')');
SELECT pg_temp.err('SELECT kpi.gap(''1/2'', ''Infinity'')');

-- met: exact comparison, so 4999/5000 misses 100 although it prints 100,0
SELECT r, t, kpi.met(r::kpi.ratio, t) AS met, kpi.percent(r::kpi.ratio) AS printed
FROM (VALUES ('4999/5000', 100), ('5000/5000', 100), ('6/10', 60), ('599/1000', 60),
             ('1/3', 33.3), ('1/3', 33.34), ('0/1', 0), ('0/0', 0)) v(r, t);
SELECT kpi.met('1/2', NULL) IS NULL AS null_target;
SELECT pg_temp.err('SELECT kpi.met(''1/2'', ''-Infinity'')');

-- format_vi: decimal comma, dot thousands, '-' for NULL, locale independent
SELECT v, kpi.format_vi(v) AS d1, kpi.format_vi(v, 0) AS d0, kpi.format_vi(v, 2) AS d2,
       kpi.format_vi(v, 1, true) AS trimmed
FROM (VALUES (81.9), (81.94), (81.95), (-81.95), (1234.5), (1234567.891), (100), (54.0),
             (0), (-0.04), (0.05), (999.96), (-1234.5), (NULL)) t(v);
SET lc_numeric = 'C';
SELECT kpi.format_vi(1234.5) AS under_c_locale;
RESET lc_numeric;
SELECT kpi.format_vi(kpi.percent('18/32')) AS tuy_phuoc, kpi.format_vi(kpi.percent('0/0')) AS not_applicable;
SELECT pg_temp.err('SELECT kpi.format_vi(1, -1)');
SELECT pg_temp.err('SELECT kpi.format_vi(1, 17)');
SELECT pg_temp.err('SELECT kpi.format_vi(1, NULL)');
SELECT pg_temp.err('SELECT kpi.format_vi(1, 1, NULL)');
SELECT pg_temp.err('SELECT kpi.format_vi(''NaN'')');
SELECT pg_temp.err('SELECT kpi.format_vi(''-Infinity'')');

DROP EXTENSION kpi_ext;
