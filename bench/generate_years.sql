-- Dossiers of several years arriving in time order, for bench/refresh.sh's
-- multi-period mode (not part of the extension or the tests).
--
--   psql -v rows=10000000 -v first=2024 -v years=3 -v procs=300 -f bench/generate_years.sql
--
-- Needs kpi.load_sample() first (its 18 departments and 11 districts; 15 or
-- 16 communes are added to every district: about 200 units).  :rows dossiers
-- received at an even pace from 1 January :first over :years years, in the
-- order of their receipt (so that a period's rows lie together, as they do
-- in a table that grows day by day); every unit handles :procs procedures,
-- a few popular; 93 % resolved 0 to 45 days later; 90 % with a due date 2
-- to 16 days after receipt.  Deterministic for the same parameters.

INSERT INTO kpi.unit (code, name, level, parent_code, sort_order)
SELECT 'xa-' || substr(d.code, 7) || '-' || lpad(k::text, 2, '0'),
       'UBND xã ' || k || ', ' || substr(d.name, 6),
       'commune', d.code, k
FROM kpi.unit AS d, generate_series(1, 15 + (d.sort_order % 2)) AS k
WHERE d.level = 'district'
ON CONFLICT (code) DO NOTHING;

CREATE TEMP TABLE gen_unit AS
SELECT row_number() OVER (ORDER BY u.level, u.parent_code, u.sort_order, u.code) AS n, u.code
FROM kpi.unit AS u
WHERE u.level IN ('province', 'commune');
CREATE UNIQUE INDEX ON gen_unit (n);
ANALYZE gen_unit;
SELECT count(*) AS units FROM gen_unit \gset gen_

-- each unit's procedures: numbers n * 10000 + k, k < :procs; fee-bearing when k % 3 = 0
INSERT INTO kpi.service (unit_code, procedure_code, online_service, online_payment)
SELECT g.code, g.n || '.' || lpad(k::text, 6, '0'),
       hashint8extended(g.n * 7919 + k, 0) % 10 <> 0,
       k % 3 = 0 AND hashint8extended(g.n * 104729 + k, 0) % 4 <> 0
FROM gen_unit AS g, generate_series(0, :procs - 1) AS k
ON CONFLICT DO NOTHING;

INSERT INTO kpi.dossier (dossier_code, unit_code, procedure_code, received_at, channel,
                         fee_required, paid_online, digitized, reused_data, resolved_at, e_result, due_at)
SELECT 'HS-' || i, g.code, g.n || '.' || lpad(x.proc::text, 6, '0'), x.received,
       CASE WHEN x.h % 100 < 80 THEN 'online' WHEN x.h % 100 < 99 THEN 'direct' ELSE 'postal' END,
       x.fee, x.fee AND (x.h / 100) % 10 < 8, (x.h / 1000) % 20 <> 0, (x.h / 20000) % 10 < 3,
       CASE WHEN (x.h / 200000) % 100 < 93 THEN x.received + ((x.h / 20000000) % 46) * interval '1 day' END,
       (x.h / 200000) % 100 < 93 AND (x.h / 2000000000) % 10 <> 0,
       CASE WHEN (x.h / 7) % 10 <> 0 THEN x.received + (2 + (x.h / 70) % 15) * interval '1 day' END
FROM generate_series(1, :rows) AS i
CROSS JOIN LATERAL (SELECT 1 + (abs(hashint8extended(i, 0)) % :gen_units) AS n) AS pick
JOIN gen_unit AS g ON g.n = pick.n
CROSS JOIN LATERAL (
    SELECT floor(:procs * power((abs(hashint8extended(i * 13 + 5, 0)) % 1000000) / 1000000.0, 3))::integer AS proc,
           abs(hashint8extended(i * 31 + 7, 0))::bigint AS h,
           floor(:procs * power((abs(hashint8extended(i * 13 + 5, 0)) % 1000000) / 1000000.0, 3))::integer % 3 = 0 AS fee,
           make_timestamptz(:first, 1, 1, 0, 0, 0, 'Asia/Ho_Chi_Minh')
             + (i - 1) * ((make_timestamptz(:first + :years, 1, 1, 0, 0, 0, 'Asia/Ho_Chi_Minh')
                           - make_timestamptz(:first, 1, 1, 0, 0, 0, 'Asia/Ho_Chi_Minh')) / :rows) AS received
) AS x;

ANALYZE kpi.dossier;
ANALYZE kpi.service;
DROP TABLE gen_unit;
