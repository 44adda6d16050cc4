
-- src/sql/dossier.sql: from dossier rows to the indicators.
--
-- An office's input is its dossier export, one row per dossier
-- (kpi.dossier), and the list of the procedures each unit offers online
-- (kpi.service).  kpi.refresh(period) computes every indicator of
-- kpi.indicator that has a basis, for every appendix row, in one pass of the
-- C aggregate kpi.dossier_tally, and stores them in kpi.indicator_count as
-- source 'computed', where the appendix views, kpi.summary and the report
-- read them (a computed row wins over a published one of the same period,
-- level, unit and indicator; published rows are never touched).

-- ---------------------------------------------------------------------------
-- Dossiers and services
-- ---------------------------------------------------------------------------

CREATE TABLE kpi.dossier (
    dossier_code text PRIMARY KEY
        CONSTRAINT dossier_code_check CHECK (dossier_code <> '' AND length(dossier_code) <= 100),
    unit_code text NOT NULL,
    procedure_code text NOT NULL
        CONSTRAINT dossier_procedure_code_check CHECK (procedure_code <> '' AND length(procedure_code) <= 100),
    received_at timestamptz NOT NULL,
    channel text NOT NULL
        CONSTRAINT dossier_channel_check CHECK (channel IN ('online', 'direct', 'postal')),
    fee_required boolean NOT NULL DEFAULT false,
    paid_online boolean NOT NULL DEFAULT false,
    digitized boolean NOT NULL DEFAULT false,
    reused_data boolean NOT NULL DEFAULT false,
    resolved_at timestamptz,
    e_result boolean NOT NULL DEFAULT false,
    due_at timestamptz,
    CONSTRAINT dossier_paid_online_check CHECK (NOT paid_online OR fee_required),
    CONSTRAINT dossier_resolved_at_check CHECK (resolved_at >= received_at),
    CONSTRAINT dossier_e_result_check CHECK (NOT e_result OR resolved_at IS NOT NULL),
    CONSTRAINT dossier_due_at_check CHECK (due_at >= received_at),
    -- no date before 2000 (anywhere on Earth) nor more than a day ahead of
    -- the clock, whatever the path a dossier comes by
    CONSTRAINT dossier_dates_check CHECK (received_at >= TIMESTAMPTZ '2000-01-01 00:00:00+14'
        AND received_at <= statement_timestamp() + INTERVAL '1 day'
        AND resolved_at <= statement_timestamp() + INTERVAL '1 day')
);

COMMENT ON TABLE kpi.dossier IS
    'Hồ sơ: mỗi dòng một hồ sơ xuất từ hệ thống giải quyết TTHC / Dossiers: one row per dossier, as exported from the dossier-handling system';
COMMENT ON COLUMN kpi.dossier.dossier_code IS 'Mã hồ sơ (duy nhất) / Dossier code (unique)';
COMMENT ON COLUMN kpi.dossier.unit_code IS 'Đơn vị tiếp nhận / Receiving unit';
COMMENT ON COLUMN kpi.dossier.procedure_code IS 'Mã thủ tục hành chính, ví dụ 1.001612 / Administrative procedure code, e.g. 1.001612';
COMMENT ON COLUMN kpi.dossier.received_at IS 'Thời điểm tiếp nhận; kỳ của hồ sơ là ngày tiếp nhận / When the dossier was received; its period is the receipt date';
COMMENT ON COLUMN kpi.dossier.channel IS 'Kênh nộp: online, direct (trực tiếp) hoặc postal (bưu chính) / Channel: online, direct or postal';
COMMENT ON COLUMN kpi.dossier.fee_required IS 'Có phí, lệ phí / Fee-bearing';
COMMENT ON COLUMN kpi.dossier.paid_online IS 'Đã thanh toán trực tuyến (chỉ khi có phí) / Paid online (fee-bearing dossiers only)';
COMMENT ON COLUMN kpi.dossier.digitized IS 'Thành phần hồ sơ đã số hóa / Components digitised';
COMMENT ON COLUMN kpi.dossier.reused_data IS 'Khai thác, sử dụng lại dữ liệu đã số hóa / Filled from already digitised data';
COMMENT ON COLUMN kpi.dossier.resolved_at IS 'Thời điểm giải quyết xong; NULL khi chưa giải quyết / When handling finished; NULL until resolved';
COMMENT ON COLUMN kpi.dossier.e_result IS 'Kết quả được cấp dưới dạng điện tử / The decision was issued as an electronic document';
COMMENT ON COLUMN kpi.dossier.due_at IS 'Hạn giải quyết; NULL khi không biết (hồ sơ không được tính vào tỷ lệ đúng hạn) / When the dossier is due; NULL when unknown (it then counts in no on-time rate)';

SELECT pg_catalog.pg_extension_config_dump('kpi.dossier', '');

-- A period's dossiers cheap to find in a table of many years: dossiers
-- arrive day by day, so the receipt and resolution dates follow the order
-- of the rows, and a BRIN index (a few pages for millions of rows, next to
-- nothing to keep up) lets kpi.refresh read only the blocks of the
-- period's received and the year's resolved dossiers.  Where rows are not
-- in date order the planner sees it (the columns' correlation) and reads
-- the whole table, as without them.  Block ranges filled since the last
-- vacuum are read whatever their dates (never missed), and autosummarize
-- has autovacuum summarize them soon after a load.
CREATE INDEX dossier_received_at_brin ON kpi.dossier USING brin (received_at) WITH (autosummarize = on);
CREATE INDEX dossier_resolved_at_brin ON kpi.dossier USING brin (resolved_at) WITH (autosummarize = on);

CREATE TABLE kpi.service (
    unit_code text NOT NULL,
    procedure_code text NOT NULL
        CONSTRAINT service_procedure_code_check CHECK (procedure_code <> '' AND length(procedure_code) <= 100),
    online_service boolean NOT NULL DEFAULT false,
    online_payment boolean NOT NULL DEFAULT false,
    valid_from date NOT NULL DEFAULT DATE '2000-01-01',
    valid_until date,
    PRIMARY KEY (unit_code, procedure_code, valid_from),
    CONSTRAINT service_validity_check CHECK (valid_until >= valid_from)
);

COMMENT ON TABLE kpi.service IS
    'Thủ tục đơn vị cung cấp dưới dạng dịch vụ công trực tuyến và có thanh toán trực tuyến, theo thời gian hiệu lực; kpi.refresh dùng danh sách có hiệu lực trong kỳ / Procedures a unit offers as an online public service and with online payment, with their validity; kpi.refresh uses those in force during the period (the latest, where a procedure changed within it)';
COMMENT ON COLUMN kpi.service.unit_code IS 'Đơn vị / Unit';
COMMENT ON COLUMN kpi.service.procedure_code IS 'Mã thủ tục hành chính / Procedure code';
COMMENT ON COLUMN kpi.service.online_service IS 'Là dịch vụ công trực tuyến tại đơn vị / Offered as an online public service at the unit';
COMMENT ON COLUMN kpi.service.online_payment IS 'Cung cấp thanh toán trực tuyến tại đơn vị / Offered with online payment at the unit';
COMMENT ON COLUMN kpi.service.valid_from IS 'Có hiệu lực từ ngày / In force from this day';
COMMENT ON COLUMN kpi.service.valid_until IS 'Có hiệu lực đến hết ngày; NULL: còn hiệu lực / In force until the end of this day; NULL: still in force';

SELECT pg_catalog.pg_extension_config_dump('kpi.service', '');


-- ---------------------------------------------------------------------------
-- The one-pass engine
-- ---------------------------------------------------------------------------

CREATE TYPE kpi.tally AS (
    unit_code text,
    received_flags integer[],
    received bigint[],
    resolved_flags integer[],
    resolved bigint[],
    procedures text[],
    procedure_flags integer[]
);
COMMENT ON TYPE kpi.tally IS
    'Những gì kpi.dossier_tally đếm cho một đơn vị: số hồ sơ theo tổ hợp cờ (kpi.dossier_flag), tiếp nhận trong kỳ và giải quyết lũy kế, và các thủ tục có hồ sơ tiếp nhận / What kpi.dossier_tally counts for one unit: dossiers by combination of flags (kpi.dossier_flag), received in the period and resolved from 1 January, and the procedures received';
COMMENT ON COLUMN kpi.tally.unit_code IS 'Đơn vị / Unit';
COMMENT ON COLUMN kpi.tally.received_flags IS 'Các tổ hợp cờ của hồ sơ tiếp nhận trong kỳ (tăng dần) / The flag combinations of the dossiers received in the period (ascending)';
COMMENT ON COLUMN kpi.tally.received IS 'Số hồ sơ tiếp nhận của từng tổ hợp / Dossiers received with each combination';
COMMENT ON COLUMN kpi.tally.resolved_flags IS 'Các tổ hợp cờ của hồ sơ giải quyết từ 01/01 đến cuối kỳ / The flag combinations of the dossiers resolved from 1 January to the period''s end';
COMMENT ON COLUMN kpi.tally.resolved IS 'Số hồ sơ giải quyết của từng tổ hợp / Dossiers resolved with each combination';
COMMENT ON COLUMN kpi.tally.procedures IS 'Thủ tục có hồ sơ tiếp nhận trong kỳ (sắp xếp) / Procedures with a dossier received in the period (sorted)';
COMMENT ON COLUMN kpi.tally.procedure_flags IS 'Hợp (OR) các cờ của hồ sơ tiếp nhận của từng thủ tục / Per procedure, the union (OR) of the flags of its dossiers received';

-- What an indicator or a metric adds up from a tally: the dossiers of the
-- combinations of flags that have every flag of its mask, or the procedures
-- whose flags have them (src/dossier_tally.c).
CREATE FUNCTION kpi.sum_with_flags(flags integer[], counts bigint[], mask integer) RETURNS bigint
AS 'MODULE_PATHNAME', 'sum_with_flags'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.sum_with_flags(integer[], bigint[], integer) IS
    'Tổng số đếm của các tổ hợp cờ có mọi cờ của mặt nạ / The sum of the counts whose combination of flags (kpi.dossier_flag) has every flag of the mask; an error for a value that is not a combination';
CREATE FUNCTION kpi.count_with_flags(flags integer[], mask integer) RETURNS bigint
AS 'MODULE_PATHNAME', 'count_with_flags'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.count_with_flags(integer[], integer) IS
    'Số phần tử có mọi cờ của mặt nạ / How many elements (combinations of flags, kpi.dossier_flag) have every flag of the mask; an error for a value that is not a combination';

CREATE FUNCTION kpi.dossier_tally_trans(internal, text, text, text, boolean, boolean, boolean, boolean,
        boolean, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'dossier_tally_trans' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION kpi.dossier_tally_trans(internal, text, text, text, boolean, boolean, boolean, boolean,
        boolean, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz)
    IS 'Transition function of kpi.dossier_tally';

CREATE FUNCTION kpi.dossier_tally_trans(internal, text, text, text, boolean, boolean, boolean, boolean,
        boolean, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'dossier_tally_trans' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION kpi.dossier_tally_trans(internal, text, text, text, boolean, boolean, boolean, boolean,
        boolean, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz)
    IS 'Transition function of kpi.dossier_tally with due dates';

CREATE FUNCTION kpi.dossier_tally_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'dossier_tally_combine' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION kpi.dossier_tally_combine(internal, internal) IS 'Combine function of kpi.dossier_tally';

CREATE FUNCTION kpi.dossier_tally_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'dossier_tally_serialize' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.dossier_tally_serialize(internal) IS 'Serialisation function of kpi.dossier_tally (partial states of parallel workers)';

CREATE FUNCTION kpi.dossier_tally_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'dossier_tally_deserialize' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.dossier_tally_deserialize(bytea, internal) IS 'Deserialisation function of kpi.dossier_tally; checks every size, flag and count';

CREATE FUNCTION kpi.dossier_tally_final(internal) RETURNS kpi.tally[]
    AS 'MODULE_PATHNAME', 'dossier_tally_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION kpi.dossier_tally_final(internal) IS 'Final function of kpi.dossier_tally';

CREATE AGGREGATE kpi.dossier_tally(unit_code text, procedure_code text, channel text, fee_required boolean,
        paid_online boolean, digitized boolean, reused_data boolean, e_result boolean,
        received_at timestamptz, resolved_at timestamptz,
        period_start timestamptz, period_end timestamptz, year_start timestamptz) (
    SFUNC = kpi.dossier_tally_trans,
    STYPE = internal,
    FINALFUNC = kpi.dossier_tally_final,
    COMBINEFUNC = kpi.dossier_tally_combine,
    SERIALFUNC = kpi.dossier_tally_serialize,
    DESERIALFUNC = kpi.dossier_tally_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.dossier_tally(text, text, text, boolean, boolean, boolean, boolean, boolean,
        timestamptz, timestamptz, timestamptz, timestamptz, timestamptz) IS
    'One pass over dossiers: a kpi.tally per unit, sorted by unit code, from which every indicator and metric follows.  A dossier is received when period_start <= received_at < period_end and resolved when year_start <= resolved_at < period_end; other dossiers are skipped.  Without due dates (see the form with due_at)';

CREATE AGGREGATE kpi.dossier_tally(unit_code text, procedure_code text, channel text, fee_required boolean,
        paid_online boolean, digitized boolean, reused_data boolean, e_result boolean,
        received_at timestamptz, resolved_at timestamptz,
        period_start timestamptz, period_end timestamptz, year_start timestamptz, due_at timestamptz) (
    SFUNC = kpi.dossier_tally_trans,
    STYPE = internal,
    FINALFUNC = kpi.dossier_tally_final,
    COMBINEFUNC = kpi.dossier_tally_combine,
    SERIALFUNC = kpi.dossier_tally_serialize,
    DESERIALFUNC = kpi.dossier_tally_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.dossier_tally(text, text, text, boolean, boolean, boolean, boolean, boolean,
        timestamptz, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz) IS
    'One pass over dossiers: a kpi.tally per unit, sorted by unit code, from which every indicator and metric follows.  A dossier is received when period_start <= received_at < period_end and resolved when year_start <= resolved_at < period_end; other dossiers are skipped.  With a due date, it is on time when resolved by it, or not yet due at the period''s end (or now, while the period runs)';

-- ---------------------------------------------------------------------------
-- kpi.refresh
-- ---------------------------------------------------------------------------

-- The one pass over the dossiers of a period: a tally per unit.
-- JIT is off: the pass evaluates no expression but the aggregate's
-- arguments, and compiling them took longer (about 0.1 s, in every worker)
-- than it saved (docs/benchmarks.md).  Nested loops stay allowed here: the
-- unnest of the result is one, and with them disabled the planner saw the
-- parallel and the serial plan as equally costly (both carry the penalty)
-- and read the table serially, at twice the time.  DateStyle is ISO so that the bounds
-- written into the query carry a numeric UTC offset whatever the session's
-- DateStyle and TimeZone (with DateStyle Postgres a zone abbreviation such
-- as IST would be read back as another zone).  Volatile only because it
-- asks the planner (EXPLAIN) how it would read the window; it writes
-- nothing.
CREATE FUNCTION kpi.dossier_tallies(period text) RETURNS SETOF kpi.tally
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
SET jit = off
SET DateStyle = 'ISO, YMD'
AS $$
DECLARE
    b record;
    tz text := coalesce(nullif(current_setting('kpi.time_zone', true), ''), 'Asia/Ho_Chi_Minh');
    t_start timestamptz;
    t_end timestamptz;
    t_year timestamptz;
    window_clause text := '';
    q text;
    plan json;
BEGIN
    b := kpi.period_bounds(period);
    -- Periods are calendar days where the units are (kpi.time_zone).
    t_start := b.starts::timestamp AT TIME ZONE tz;
    t_end := (b.ends + 1)::timestamp AT TIME ZONE tz;
    t_year := make_date(extract(year FROM b.starts)::integer, 1, 1)::timestamp AT TIME ZONE tz;

    -- One pass over the dossiers, a tally per unit (no join per dossier).
    -- Then, on the few rows that come out: communes roll up into their
    -- district; each indicator of kpi.indicator with a basis adds up the
    -- dossiers whose flags it asks for, or counts the procedures with such
    -- dossiers among those the units offer as its service.  Not applicable
    -- (denominator 0) is NULL.
    --
    -- kpi.dossier_tally dismisses a dossier outside the period and its
    -- cumulative window with two comparisons in C, and groups by unit
    -- itself: both cost less than a WHERE clause and a GROUP BY evaluated
    -- per row (docs/benchmarks.md).  The window goes into the query as a
    -- WHERE clause only when the planner would then read the table through
    -- indexes on received_at and resolved_at (the shipped BRIN indexes when
    -- rows lie in date order, or a DBA's btrees), that is, read less than
    -- the whole table; where it would still scan it all, the WHERE clause
    -- would only cost, and is left out.  Either way the result is the
    -- same.  The bounds go in as constants (EXECUTE): compared per row,
    -- constants cost less than PL/pgSQL parameters.  On Citus
    -- (kpi.distribute) the tally is grouped by unit_code, the distribution
    -- column: each shard computes its units' tallies whole, and only they
    -- come back to the coordinator.
    q := format($q$
        SELECT x.*
        FROM (SELECT kpi.dossier_tally(d.unit_code, d.procedure_code, d.channel, d.fee_required,
                                       d.paid_online, d.digitized, d.reused_data, d.e_result,
                                       d.received_at, d.resolved_at, %1$L, %2$L, %3$L, d.due_at) AS a
              FROM kpi.dossier AS d
              %%s %4$s) AS s
        CROSS JOIN LATERAL unnest(s.a) AS x
    $q$, t_start, t_end, t_year,
         CASE WHEN kpi.dossier_distributed() THEN 'GROUP BY d.unit_code' ELSE '' END);
    -- Indexes that can serve a range: valid, not partial, btree or BRIN,
    -- with the date as their first column.
    IF (SELECT count(DISTINCT a.attname) = 2
        FROM pg_index AS i
        JOIN pg_class AS c ON c.oid = i.indexrelid
        JOIN pg_am AS am ON am.oid = c.relam
        JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = 'kpi.dossier'::regclass AND i.indisvalid AND i.indpred IS NULL
          AND am.amname IN ('btree', 'brin') AND a.attname IN ('received_at', 'resolved_at')) THEN
        window_clause := format('WHERE (d.received_at >= %1$L AND d.received_at < %2$L)'
                                ' OR (d.resolved_at >= %3$L AND d.resolved_at < %2$L)',
                                t_start, t_end, t_year);
        EXECUTE 'EXPLAIN (FORMAT JSON) ' || format(q, window_clause) INTO plan;
        IF strpos(plan::text, '"Node Type": "Seq Scan"') > 0 THEN
            window_clause := '';
        END IF;
    END IF;

    -- RETURN QUERY, which may run in parallel workers (EXECUTE ... INTO may
    -- not).
    RETURN QUERY EXECUTE format(q, window_clause);
END
$$;
COMMENT ON FUNCTION kpi.dossier_tallies(text) IS
    'Một lượt đọc hồ sơ của kỳ: kpi.tally của từng đơn vị / One pass over the dossiers of a period: a kpi.tally per unit, from which kpi.counts_from_tallies and kpi.metric_counts_from_tallies compute the indicators and the metrics';

-- The indicators that count procedures, per appendix row, from the units'
-- tallies and the services in force during the period (src/tally_coverage.c).
CREATE FUNCTION kpi.coverage_from_tallies(tallies kpi.tally[], row_levels text[], row_codes text[],
                                          indicators text[], den_masks integer[], num_masks integer[],
                                          offer_bits integer[], period_start date, period_end date)
RETURNS TABLE (level text, code text, indicator text, numerator bigint, denominator bigint)
AS 'MODULE_PATHNAME', 'coverage_from_tallies'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION kpi.coverage_from_tallies(kpi.tally[], text[], text[], text[], integer[], integer[], integer[], date, date) IS
    'Second stage of kpi.refresh for the indicators that count procedures: per appendix row (row_levels, row_codes, one per tally) and indicator (its denominator and numerator flag masks and offer bit: 2 online service, 1 online payment), the distinct procedures received that the unit offers as that service in kpi.service during the period (the latest version where it changed), and those of them whose dossiers meet the numerator';

-- The indicators of a period from the units' tallies: on the few rows that
-- come out of the engine, communes roll up into their district (in a
-- three-level period); each indicator of kpi.indicator with a basis adds up
-- the dossiers whose flags it asks for, or counts the procedures with such
-- dossiers among those the units offer as its service.  Not applicable
-- (denominator 0) is NULL.
CREATE FUNCTION kpi.counts_from_tallies(period text, tallies kpi.tally[])
RETURNS TABLE (level text, unit_code text, indicator text, applicable boolean,
               numerator bigint, denominator bigint)
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
    b record := kpi.period_bounds(period);
BEGIN
    RETURN QUERY EXECUTE format($q$
    WITH t AS (
        SELECT x.*, x AS tally FROM unnest($1) AS x
    ), row_unit AS (
        -- in a three-level period a commune's figures go to its district's
        -- row of the commune appendix; in a two-level one each its own
        SELECT t.*, u.level,
               CASE WHEN u.level = 'commune' AND u.parent_code IS NOT NULL AND NOT %5$L::boolean
                    THEN u.parent_code ELSE u.code END AS code
        FROM t JOIN kpi.unit AS u ON u.code = t.unit_code
    ), formula AS MATERIALIZED (
        -- the masks once per indicator, not once per combination counted
        SELECT i.code, i.counts, i.service, i.basis,
               kpi.flag_mask(i.denominator_flags) AS den_mask,
               kpi.flag_mask(i.denominator_flags || i.numerator_flags) AS num_mask
        FROM kpi.indicator AS i
        WHERE i.basis IS NOT NULL
    ), dossier_count AS (
        -- per unit, each indicator adds up the combinations of flags it
        -- asks for (a few dozen per unit); then per appendix row
        SELECT r.level, r.code, f.code AS indicator, sum(x.n)::bigint AS n, sum(x.d)::bigint AS d
        FROM row_unit AS r
        JOIN formula AS f ON f.counts = 'dossiers'
        CROSS JOIN LATERAL (
            SELECT CASE f.basis WHEN 'received' THEN r.received_flags ELSE r.resolved_flags END AS flags,
                   CASE f.basis WHEN 'received' THEN r.received ELSE r.resolved END AS counts) AS c
        CROSS JOIN LATERAL (
            SELECT kpi.sum_with_flags(c.flags, c.counts, f.num_mask) AS n,
                   kpi.sum_with_flags(c.flags, c.counts, f.den_mask) AS d) AS x
        GROUP BY 1, 2, 3
    ), procedure_count AS (
        -- the indicators that count procedures: matched with the services
        -- in force in C, once per unit and procedure (src/tally_coverage.c)
        SELECT c.level, c.code, c.indicator, c.numerator AS n, c.denominator AS d
        FROM (SELECT array_agg(f.code ORDER BY f.code) AS codes,
                     array_agg(f.den_mask ORDER BY f.code) AS den,
                     array_agg(f.num_mask ORDER BY f.code) AS num,
                     array_agg(CASE f.service WHEN 'online_service' THEN 2 WHEN 'online_payment' THEN 1 ELSE 0 END
                               ORDER BY f.code) AS offer
              FROM formula AS f
              WHERE f.counts = 'procedures' AND f.basis = 'received') AS fs,
             (SELECT array_agg(r.tally) AS tallies, array_agg(r.level) AS levels, array_agg(r.code) AS codes
              FROM row_unit AS r) AS ts
        CROSS JOIN LATERAL kpi.coverage_from_tallies(ts.tallies, ts.levels, ts.codes, fs.codes,
                                                      fs.den, fs.num, fs.offer, %7$L, %6$L) AS c
        WHERE fs.codes IS NOT NULL AND ts.tallies IS NOT NULL
    ), row_indicator AS (
        -- the rows first (a row_unit carries its unit's whole tally)
        SELECT r.level, r.code, f.code AS indicator
        FROM (SELECT DISTINCT r.level, r.code FROM row_unit AS r) AS r CROSS JOIN formula AS f
    )
    SELECT x.level, x.code, x.indicator, y.d > 0,
           CASE WHEN y.d > 0 THEN y.n END,
           CASE WHEN y.d > 0 THEN y.d END
    FROM row_indicator AS x
    LEFT JOIN dossier_count AS dc USING (level, code, indicator)
    LEFT JOIN procedure_count AS pc USING (level, code, indicator)
    CROSS JOIN LATERAL (SELECT coalesce(dc.n, pc.n, 0) AS n,
                               coalesce(dc.d, pc.d, 0) AS d) AS y
    $q$, NULL, NULL, NULL, NULL, kpi.period_two_level(b.starts), b.ends, b.starts) USING tallies;
END
$$;
COMMENT ON FUNCTION kpi.counts_from_tallies(text, kpi.tally[]) IS
    'Every indicator with a basis, for every appendix row of a period, from the units'' tallies (kpi.dossier_tallies) and kpi.service';

-- The indicators of a period, computed from kpi.dossier, not stored.
-- PL/pgSQL's RETURN QUERY may run in parallel workers; an INSERT ... SELECT
-- may not, so kpi.refresh inserts what these functions return.
CREATE FUNCTION kpi.counts_from_dossiers(period text)
RETURNS TABLE (level text, unit_code text, indicator text, applicable boolean,
               numerator bigint, denominator bigint)
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM kpi.counts_from_tallies(period, ARRAY(SELECT t FROM kpi.dossier_tallies(period) AS t)) $$;
COMMENT ON FUNCTION kpi.counts_from_dossiers(text) IS
    'Every indicator with a basis, for every appendix row of a period, computed from kpi.dossier and kpi.service, without storing them: what kpi.refresh stores';

CREATE FUNCTION kpi.refresh(period text) RETURNS bigint
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_label text := kpi.period_label(period);
    b record;
    tz text := coalesce(nullif(current_setting('kpi.time_zone', true), ''), 'Asia/Ho_Chi_Minh');
    n bigint;
    v_units text;
    v_tallies kpi.tally[];
BEGIN
    b := kpi.period_bounds(v_label);
    IF b.starts > (now() AT TIME ZONE tz)::date THEN
        RAISE EXCEPTION 'period "%" has not started: it starts on %', v_label, to_char(b.starts, 'YYYY-MM-DD')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A period is refreshed once it has begun; its figures grow until it ends.';
    END IF;

    -- two refreshes of one period run one after the other: the second
    -- waits for the first to commit, then counts again, rows included
    -- that the first could not see (its statements see the first's rows)
    PERFORM pg_advisory_xact_lock(hashtext('kpi_ext refresh ' || v_label));

    v_tallies := ARRAY(SELECT t FROM kpi.dossier_tallies(v_label) AS t);
    CREATE TEMP TABLE kpi_refresh_count ON COMMIT DROP AS
    SELECT * FROM kpi.counts_from_tallies(v_label, v_tallies);
    IF NOT EXISTS (SELECT FROM kpi_refresh_count) THEN
        DROP TABLE kpi_refresh_count;
        RAISE WARNING 'no dossier of kpi.dossier was received or resolved in period "%": nothing computed, nothing changed', v_label
            USING HINT = 'Load the period''s dossiers first (kpi.staging_dossier, kpi.ingest_dossiers).';
        RETURN 0;
    END IF;

    INSERT INTO kpi.period AS p (label, starts, ends, name_vi, name_en)
    SELECT v_label, b.starts, b.ends, n.name_vi, n.name_en FROM kpi.period_names(v_label) AS n
    ON CONFLICT (label) DO NOTHING;

    DELETE FROM kpi.indicator_count AS c WHERE c.period = v_label AND c.source = 'computed';
    INSERT INTO kpi.indicator_count AS c
           (period, level, unit_code, indicator, source, applicable, numerator, denominator)
    SELECT v_label, f.level, f.unit_code, f.indicator, 'computed', f.applicable, f.numerator, f.denominator
    FROM kpi_refresh_count AS f;
    GET DIAGNOSTICS n = ROW_COUNT;
    DROP TABLE kpi_refresh_count;

    -- the metrics of the national index these dossiers determine, per unit
    DELETE FROM kpi.metric_count AS c WHERE c.period = v_label AND c.source = 'computed';
    INSERT INTO kpi.metric_count (period, unit_code, metric, source, numerator, denominator)
    SELECT v_label, m.unit_code, m.metric, 'computed', m.numerator, m.denominator
    FROM kpi.metric_counts_from_tallies(v_label, v_tallies) AS m;

    -- units that received dossiers but have no online service in force: their
    -- coverage indicators show "-" for want of a list, not because nothing
    -- applies (kpi.data_issue lists them too)
    SELECT string_agg(i.unit_code, ', ' ORDER BY i.unit_code) INTO v_units
    FROM kpi.data_issue AS i
    WHERE i.period = v_label AND i.issue = 'no_services';
    IF v_units IS NOT NULL THEN
        RAISE WARNING 'units that received dossiers in period "%" lack services in force in kpi.service: %', v_label, v_units
            USING DETAIL = 'For want of a list of online services, their coverage indicators show "-" (not applicable), or leave out the dossiers of their communes without one; kpi.data_issue (issue no_services) says which.',
                  HINT = 'Load the units'' services (kpi.staging_service, kpi.ingest_services) and refresh again.';
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION kpi.refresh(text) IS
    'Computes every indicator with a basis, for every appendix row of a period (2024, 2024-H1, 2024-Q1, 2024-03), from kpi.dossier and kpi.service in one pass, replaces the period''s computed rows in kpi.indicator_count (and the metrics of the national index it determines, per unit, in kpi.metric_count) and returns how many indicator rows it wrote; published rows are kept.  An error for a period that has not started; 0 and a WARNING, and nothing changed, when no dossier was received or resolved in it; a WARNING for units without services in force';
