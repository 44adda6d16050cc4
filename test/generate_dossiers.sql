-- Generated dossiers for tests and benchmarks (not part of the extension).
--
--   psql -v rows=1000000 -f test/generate_dossiers.sql
--
-- Needs kpi.load_sample() first: it uses the sample's 18 departments and 11
-- districts, and adds 15 or 16 communes to every district (about 200 units
-- in all).  Deterministic: the same rows for the same :rows.
--
-- Shape, chosen to exercise every rule:
--  * about 2,000 procedures; each unit handles a window of them, communes of
--    one district share theirs, and a skew makes a few procedures popular;
--  * kpi.service offers most of a unit's procedures online, and online
--    payment for most fee-bearing ones; four departments have no fees at all
--    (like the sample); some procedures are offered but get no dossier, and
--    some dossiers come for procedures not offered online;
--  * channels: online about 80 %, direct, and a rare postal;
--  * received over 2024; most resolved 0 to 45 days later (so some in the
--    next quarter), some unresolved.

INSERT INTO kpi.unit (code, name, level, parent_code, sort_order)
SELECT 'xa-' || substr(d.code, 7) || '-' || lpad(k::text, 2, '0'),
       'UBND xã ' || k || ', ' || substr(d.name, 6),
       'commune', d.code, k
FROM kpi.unit AS d, generate_series(1, 15 + (d.sort_order % 2)) AS k
WHERE d.level = 'district'
ON CONFLICT (code) DO NOTHING;

-- Units numbered for the generator, with their procedure window.
CREATE TEMP TABLE gen_unit AS
SELECT row_number() OVER (ORDER BY u.level, u.parent_code, u.sort_order, u.code) AS n,
       u.code, u.level,
       CASE u.level
            WHEN 'province' THEN 100 * u.sort_order                      -- a window per department
            WHEN 'district' THEN 1000                                   -- districts share one pool
            ELSE 1400 + 40 * (SELECT d.sort_order FROM kpi.unit AS d WHERE d.code = u.parent_code)
       END AS proc_base,
       CASE u.level WHEN 'province' THEN 60 WHEN 'district' THEN 300 ELSE 120 END AS proc_span,
       (u.level = 'province' AND u.sort_order IN (4, 9, 10, 12)) AS no_fees
FROM kpi.unit AS u
WHERE u.level IN ('province', 'district') OR u.code LIKE 'xa-%';
CREATE UNIQUE INDEX ON gen_unit (n);
ANALYZE gen_unit;

-- A procedure is fee-bearing when its number is divisible by 3.
INSERT INTO kpi.service (unit_code, procedure_code, online_service, online_payment)
SELECT g.code, '1.' || lpad(((g.proc_base + k) % 2000)::text, 6, '0'),
       hashint8extended(g.n * 7919 + k, 0) % 10 <> 0,                                   -- 90 % offered online
       NOT g.no_fees AND (g.proc_base + k) % 3 = 0 AND hashint8extended(g.n * 104729 + k, 0) % 4 <> 0
FROM gen_unit AS g, generate_series(0, g.proc_span - 1) AS k
ON CONFLICT DO NOTHING;

SELECT count(*) AS units FROM gen_unit \gset gen_
INSERT INTO kpi.dossier (dossier_code, unit_code, procedure_code, received_at, channel,
                         fee_required, paid_online, digitized, reused_data, resolved_at, e_result)
SELECT 'HS-' || i,
       g.code,
       '1.' || lpad(x.proc::text, 6, '0'),
       x.received,
       CASE WHEN x.h % 100 < 80 THEN 'online' WHEN x.h % 100 < 99 THEN 'direct' ELSE 'postal' END,
       x.fee,
       x.fee AND (x.h / 100) % 10 < 8,
       (x.h / 1000) % 20 <> 0,
       (x.h / 20000) % 10 < 3,
       CASE WHEN (x.h / 200000) % 100 < 93 THEN x.received + ((x.h / 20000000) % 46) * interval '1 day' END,
       (x.h / 200000) % 100 < 93 AND (x.h / 2000000000) % 10 <> 0
FROM generate_series(1, :rows) AS i
CROSS JOIN LATERAL (
    -- skewed unit choice: communes and big districts receive most dossiers
    SELECT 1 + (abs(hashint8extended(i, 0)) % :gen_units) AS n
) AS pick
JOIN gen_unit AS g ON g.n = pick.n
CROSS JOIN LATERAL (
    SELECT p.proc, abs(hashint8extended(i * 31 + 7, 0))::bigint AS h,
           NOT g.no_fees AND p.proc % 3 = 0 AS fee,
           timestamptz '2024-01-01 00:00:00+07'
             + ((abs(hashint8extended(i * 17 + 3, 0)) % (366 * 86400)) * interval '1 second') AS received
    FROM (SELECT ((g.proc_base
                   + floor(g.proc_span * power((abs(hashint8extended(i * 13 + 5, 0)) % 1000000) / 1000000.0, 3))::integer
                   + CASE WHEN abs(hashint8extended(i * 11, 0)) % 50 = 0 THEN 1000 ELSE 0 END)  -- 2 %: outside the unit's window
                  % 2000) AS proc) AS p
) AS x;

ANALYZE kpi.dossier;
ANALYZE kpi.service;
DROP TABLE gen_unit;
