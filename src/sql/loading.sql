-- src/sql/loading.sql: loading real files.
--
-- Offices load four kinds of files: their units, the services each unit
-- offers online, published per-unit counts (the appendix tables), and
-- dossier exports.  A file is copied as it is into a staging table whose
-- columns are exactly the file's, all text, so a plain
--   \copy kpi.staging_dossier FROM 'export.csv' WITH (FORMAT csv, HEADER)
-- works and never fails on content.  kpi.ingest_units(),
-- kpi.ingest_services(period), kpi.ingest_counts() and kpi.ingest_dossiers()
-- then check every staged row set-wise, load the good ones, and move every
-- bad one, with its reasons and its line in the file, to the matching
-- kpi.rejected_* table, where it can be fixed and is checked again by the
-- next ingest.  Nothing in the checks can raise an error on content: every
-- value is matched by a regular expression (or looked up) before it is cast.
-- docs/loading.md is the how-to.
--
-- Line numbers: the rows of one COPY are numbered in the order they were
-- stored, which is the file's, from 2 (line 1 is the header).  The staging
-- tables are never vacuumed automatically (a vacuum would let later rows
-- fill the space of earlier ones) and each ingest empties its staging table,
-- with TRUNCATE when nobody else is using it.
--
-- Blank rows (Excel writes rows of empty cells after the data) are dropped.

-- ---------------------------------------------------------------------------
-- Staging tables
-- ---------------------------------------------------------------------------

CREATE TABLE kpi.staging_unit (
    code text,
    name text,
    level text,
    parent_code text,
    sort_order text
) WITH (autovacuum_enabled = false, toast.autovacuum_enabled = false);

SELECT pg_catalog.pg_extension_config_dump('kpi.staging_unit', '');

COMMENT ON TABLE kpi.staging_unit IS
    'Vùng nạp tệp danh sách đơn vị (mọi cột là text); kpi.ingest_units() kiểm tra và nạp vào kpi.unit / Staging for unit lists (every column text); kpi.ingest_units() checks them and loads kpi.unit';
COMMENT ON COLUMN kpi.staging_unit.code IS 'Mã đơn vị, như H44.07 / Unit code, such as H44.07';
COMMENT ON COLUMN kpi.staging_unit.name IS 'Tên đơn vị / Unit name';
COMMENT ON COLUMN kpi.staging_unit.level IS 'Cấp: province (sở, ban, ngành), district (huyện, đến 30/6/2025), commune (xã, phường, đặc khu) / Level: province, district or commune';
COMMENT ON COLUMN kpi.staging_unit.parent_code IS 'Huyện của xã (tỉnh ba cấp); trống với xã trực thuộc tỉnh / The district of a commune; empty for a commune directly under the province';
COMMENT ON COLUMN kpi.staging_unit.sort_order IS 'Thứ tự dòng trong phụ lục (số nguyên; trống là 0) / Row order in the appendix (whole number; empty is 0)';

CREATE TABLE kpi.staging_service (
    unit_code text,
    procedure_code text,
    online_service text,
    online_payment text
) WITH (autovacuum_enabled = false, toast.autovacuum_enabled = false);

SELECT pg_catalog.pg_extension_config_dump('kpi.staging_service', '');

COMMENT ON TABLE kpi.staging_service IS
    'Vùng nạp tệp danh sách thủ tục đơn vị cung cấp trực tuyến (mọi cột là text); kpi.ingest_services(kỳ) nạp thành danh sách có hiệu lực từ đầu kỳ / Staging for the lists of procedures units offer online (every column text); kpi.ingest_services(period) loads them as the lists in force from the period''s first day';
COMMENT ON COLUMN kpi.staging_service.unit_code IS 'Mã đơn vị / Unit code';
COMMENT ON COLUMN kpi.staging_service.procedure_code IS 'Mã thủ tục hành chính / Procedure code';
COMMENT ON COLUMN kpi.staging_service.online_service IS 'Là dịch vụ công trực tuyến (có/không; trống là không) / Offered as an online public service (boolean; empty is false)';
COMMENT ON COLUMN kpi.staging_service.online_payment IS 'Có thanh toán trực tuyến (có/không; trống là không) / Offered with online payment (boolean; empty is false)';

CREATE TABLE kpi.staging_counts (
    period text,
    level text,
    unit_code text,
    unit_name text,
    indicator text,
    target text,
    numerator text,
    denominator text,
    printed_rate text
) WITH (autovacuum_enabled = false, toast.autovacuum_enabled = false);

SELECT pg_catalog.pg_extension_config_dump('kpi.staging_counts', '');

COMMENT ON TABLE kpi.staging_counts IS
    'Vùng nạp tệp số liệu công bố (mọi cột là text); kpi.ingest_counts() kiểm tra, nạp dòng hợp lệ và chuyển dòng sai sang kpi.rejected_counts kèm lý do / Staging for published counts files (every column text); kpi.ingest_counts() checks the rows, loads the valid ones and moves the invalid ones to kpi.rejected_counts with their reasons';
COMMENT ON COLUMN kpi.staging_counts.period IS 'Kỳ báo cáo, ví dụ 2024-Q1 / Period label, e.g. 2024-Q1';
COMMENT ON COLUMN kpi.staging_counts.level IS 'Cấp: province, district hoặc commune / Level: province, district or commune';
COMMENT ON COLUMN kpi.staging_counts.unit_code IS 'Mã đơn vị (kpi.unit.code, không phân biệt hoa thường) / Unit code (kpi.unit.code, in any letter case)';
COMMENT ON COLUMN kpi.staging_counts.unit_name IS 'Tên đơn vị như in trong báo cáo; chỉ để đọc, không kiểm tra, không lưu / Unit name as printed; for people, neither checked nor stored';
COMMENT ON COLUMN kpi.staging_counts.indicator IS 'Mã chỉ tiêu (kpi.indicator.code) / Indicator code (kpi.indicator.code)';
COMMENT ON COLUMN kpi.staging_counts.target IS 'Chỉ tiêu được giao (%), như 96, 96% hoặc 81,5; - hoặc để trống: không có / Assigned target (percent), such as 96, 96% or 81,5; - or empty: none';
COMMENT ON COLUMN kpi.staging_counts.numerator IS 'Tử số (số nguyên); - nếu không áp dụng / Numerator (whole number); - when not applicable';
COMMENT ON COLUMN kpi.staging_counts.denominator IS 'Mẫu số (số nguyên); - nếu không áp dụng, để trống nếu không công bố / Denominator (whole number); - when not applicable, empty when not published';
COMMENT ON COLUMN kpi.staging_counts.printed_rate IS 'Tỷ lệ (%) in trong báo cáo, như 81,9; - nếu không áp dụng / Rate (percent) as printed, such as 81,9; - when not applicable';

-- (unlogged: a scratch table of what was just copied, written to no
-- WAL; after a crash it is empty, and the file is copied again)
CREATE UNLOGGED TABLE kpi.staging_dossier (
    dossier_code text,
    unit_code text,
    procedure_code text,
    received_at text,
    channel text,
    fee_required text,
    paid_online text,
    digitized text,
    reused_data text,
    resolved_at text,
    e_result text,
    due_at text
) WITH (autovacuum_enabled = false, toast.autovacuum_enabled = false);

SELECT pg_catalog.pg_extension_config_dump('kpi.staging_dossier', '');

COMMENT ON TABLE kpi.staging_dossier IS
    'Vùng nạp tệp hồ sơ xuất từ hệ thống (mọi cột là text); kpi.ingest_dossiers() kiểm tra, nạp dòng hợp lệ vào kpi.dossier và chuyển dòng sai sang kpi.rejected_dossier kèm lý do / Staging for dossier exports (every column text); kpi.ingest_dossiers() checks the rows, loads the valid ones into kpi.dossier and moves the invalid ones to kpi.rejected_dossier with their reasons';
COMMENT ON COLUMN kpi.staging_dossier.dossier_code IS 'Mã hồ sơ / Dossier code';
COMMENT ON COLUMN kpi.staging_dossier.unit_code IS 'Mã đơn vị tiếp nhận (kpi.unit.code, không phân biệt hoa thường) / Receiving unit code (kpi.unit.code, in any letter case)';
COMMENT ON COLUMN kpi.staging_dossier.procedure_code IS 'Mã thủ tục hành chính / Procedure code';
COMMENT ON COLUMN kpi.staging_dossier.received_at IS 'Ngày giờ tiếp nhận: 2024-03-05, 05/03/2024 08:30, có thể kèm múi giờ +07:00 / Received: 2024-03-05, 05/03/2024 08:30, optionally with a zone such as +07:00';
COMMENT ON COLUMN kpi.staging_dossier.channel IS 'Kênh nộp: online/trực tuyến, direct/trực tiếp, postal/bưu chính / Channel: online, direct or postal (or the Vietnamese words)';
COMMENT ON COLUMN kpi.staging_dossier.fee_required IS 'Có phí, lệ phí: true/false, có/không...; trống là false / Fee-bearing: true/false, có/không...; empty means false';
COMMENT ON COLUMN kpi.staging_dossier.paid_online IS 'Đã thanh toán trực tuyến (boolean; trống là false) / Paid online (boolean; empty means false)';
COMMENT ON COLUMN kpi.staging_dossier.digitized IS 'Đã số hóa thành phần hồ sơ (boolean; trống là false) / Components digitised (boolean; empty means false)';
COMMENT ON COLUMN kpi.staging_dossier.reused_data IS 'Khai thác, sử dụng lại dữ liệu số hóa (boolean; trống là false) / Reused digitised data (boolean; empty means false)';
COMMENT ON COLUMN kpi.staging_dossier.resolved_at IS 'Ngày giờ giải quyết xong; trống nếu chưa giải quyết / When handling finished; empty until resolved';
COMMENT ON COLUMN kpi.staging_dossier.e_result IS 'Có kết quả điện tử (boolean; trống là false) / Electronic result (boolean; empty means false)';
COMMENT ON COLUMN kpi.staging_dossier.due_at IS 'Hạn giải quyết (ngày giờ như received_at); trống nếu không biết / When the dossier is due (a date as received_at); empty when unknown';

-- ---------------------------------------------------------------------------
-- Rejected rows: the staged row as it was, its reasons and its line
-- ---------------------------------------------------------------------------

CREATE TABLE kpi.rejected_unit (line_no bigint, error text NOT NULL, LIKE kpi.staging_unit);
CREATE TABLE kpi.rejected_service (line_no bigint, error text NOT NULL, LIKE kpi.staging_service);
CREATE TABLE kpi.rejected_counts (line_no bigint, error text NOT NULL, LIKE kpi.staging_counts);
CREATE TABLE kpi.rejected_dossier (line_no bigint, error text NOT NULL, LIKE kpi.staging_dossier);

SELECT pg_catalog.pg_extension_config_dump('kpi.rejected_unit', '');
SELECT pg_catalog.pg_extension_config_dump('kpi.rejected_service', '');
SELECT pg_catalog.pg_extension_config_dump('kpi.rejected_counts', '');
SELECT pg_catalog.pg_extension_config_dump('kpi.rejected_dossier', '');

-- Their comments: the staging table's, and the two columns of their own.
-- @name rejected_comments
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT x.kind, x.fn FROM (VALUES ('unit', 'kpi.ingest_units()'), ('service', 'kpi.ingest_services(period)'),
                                             ('counts', 'kpi.ingest_counts()'), ('dossier', 'kpi.ingest_dossiers()')) AS x (kind, fn)
    LOOP
        EXECUTE pg_catalog.format('COMMENT ON TABLE kpi.%I IS %L', 'rejected_' || t.kind,
            pg_catalog.format('Dòng bị từ chối khi nạp kpi.staging_%s, kèm lý do và số dòng trong tệp; sửa tại đây rồi gọi lại %s / Rows %s rejected, with their reasons and their line in the file; fix them here and call it again',
                              t.kind, t.fn, t.fn));
        EXECUTE pg_catalog.format('COMMENT ON COLUMN kpi.%I.line_no IS %L', 'rejected_' || t.kind,
            'Số dòng trong tệp (dòng 1 là tiêu đề); NULL nếu không biết / Line in the file (line 1 is the header); NULL when unknown');
        EXECUTE pg_catalog.format('COMMENT ON COLUMN kpi.%I.error IS %L', 'rejected_' || t.kind,
            'Lý do dòng bị từ chối, nối bằng "; " / Why the row was rejected, reasons joined by "; "');
        EXECUTE (SELECT pg_catalog.string_agg(pg_catalog.format('COMMENT ON COLUMN kpi.%I.%I IS %L', 'rejected_' || t.kind, a.attname,
                                                                pg_catalog.col_description(a.attrelid, a.attnum)), '; ')
                 FROM pg_catalog.pg_attribute AS a
                 WHERE a.attrelid = pg_catalog.format('kpi.staging_%s', t.kind)::pg_catalog.regclass
                   AND a.attnum > 0 AND NOT a.attisdropped);
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------
-- Reading the values of a file
-- ---------------------------------------------------------------------------

-- Plain SQL expressions, so that the planner puts them inline in the
-- ingest's query (no function call per row).  Vietnamese words are folded to
-- lower case and composed form (NFC) whatever the database's locale, so they
-- are recognised however they were typed.

-- A trimmed cell as a boolean: empty is false (the default of kpi.dossier
-- and kpi.service); NULL when it is not a boolean.
CREATE FUNCTION kpi.read_boolean(value text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN value IS NULL OR value = '' THEN false
            -- the common forms first, as they are; the others once folded
            WHEN value IN ('t', 'true', '1', 'TRUE', 'True', 'có', 'Có') THEN true
            WHEN value IN ('f', 'false', '0', 'FALSE', 'False', 'không', 'Không') THEN false
            ELSE CASE pg_catalog.translate(pg_catalog.lower(CASE WHEN pg_catalog.getdatabaseencoding() = 'UTF8'
                                                                THEN pg_catalog.normalize(value, 'NFC') ELSE value END),
                                           'ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ',
                                           'àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ')
                 WHEN 't' THEN true WHEN 'tr' THEN true WHEN 'tru' THEN true WHEN 'true' THEN true
                 WHEN 'y' THEN true WHEN 'ye' THEN true WHEN 'yes' THEN true WHEN 'on' THEN true
                 WHEN '1' THEN true WHEN 'có' THEN true WHEN 'co' THEN true
                 WHEN 'f' THEN false WHEN 'fa' THEN false WHEN 'fal' THEN false WHEN 'fals' THEN false
                 WHEN 'false' THEN false WHEN 'n' THEN false WHEN 'no' THEN false WHEN 'of' THEN false
                 WHEN 'off' THEN false WHEN '0' THEN false WHEN 'không' THEN false WHEN 'khong' THEN false
                 END
       END;
COMMENT ON FUNCTION kpi.read_boolean(text) IS
    'Ô (đã cắt khoảng trắng) thành boolean: true/false, t/f, yes/no, on/off, 1/0 (và phần đầu không nhập nhằng), có/không (có hoặc không dấu), mọi kiểu chữ; trống là false; NULL nếu không phải / A trimmed cell as a boolean: what PostgreSQL''s boolean input takes, and có/không with or without diacritics, in any case; empty is false; NULL when it is none of them';

-- A trimmed cell as a channel: online, direct, postal; NULL when it is not one.
CREATE FUNCTION kpi.read_channel(value text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN value IN ('online', 'direct', 'postal') THEN value
            WHEN value IN ('Trực tuyến', 'trực tuyến') THEN 'online'
            WHEN value IN ('Trực tiếp', 'trực tiếp') THEN 'direct'
            WHEN value IN ('Bưu chính', 'bưu chính') THEN 'postal'
            ELSE CASE pg_catalog.translate(pg_catalog.lower(CASE WHEN pg_catalog.getdatabaseencoding() = 'UTF8'
                                                                THEN pg_catalog.normalize(value, 'NFC') ELSE value END),
                                           'ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ',
                                           'àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ')
                 WHEN 'online' THEN 'online' WHEN 'direct' THEN 'direct' WHEN 'postal' THEN 'postal'
                 WHEN 'trực tuyến' THEN 'online' WHEN 'truc tuyen' THEN 'online'
                 WHEN 'trực tiếp' THEN 'direct' WHEN 'truc tiep' THEN 'direct'
                 WHEN 'bưu chính' THEN 'postal' WHEN 'buu chinh' THEN 'postal'
                 WHEN 'bưu chính công ích' THEN 'postal' WHEN 'buu chinh cong ich' THEN 'postal'
                 END
       END;
COMMENT ON FUNCTION kpi.read_channel(text) IS
    'Ô (đã cắt khoảng trắng) thành kênh nộp: online/trực tuyến, direct/trực tiếp, postal/bưu chính (công ích), có hoặc không dấu, mọi kiểu chữ; NULL nếu không phải / A trimmed cell as a channel: online, direct or postal, or the Vietnamese words with or without diacritics, in any case; NULL when it is none of them';

-- ---------------------------------------------------------------------------
-- What every ingest does first and last
-- ---------------------------------------------------------------------------

-- Two ingests of the same staging table run one after the other (the second
-- waits for the first to commit), and neither waits for a \copy: a load in
-- one transaction (BEGIN; \copy; ingest; COMMIT) beside another cannot
-- deadlock, and each checks only the rows it can see.
CREATE FUNCTION kpi.staging_lock(staging regclass) RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
RETURN pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('kpi_ext ingest ' || staging::text));
COMMENT ON FUNCTION kpi.staging_lock(regclass) IS
    'Khóa một loại nạp đến hết giao dịch (ingest sau chờ ingest trước) / Makes ingests of one staging table run one after the other, until the transaction ends';

-- After an ingest has taken out every row it checked: when nobody else is
-- using the staging table and it holds no other row, TRUNCATE gives the next
-- \copy a new, empty table, so that its rows are stored in the file's order.
CREATE FUNCTION kpi.staging_done(staging regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n_left bigint;
BEGIN
    IF NOT pg_catalog.has_table_privilege(staging, 'TRUNCATE') THEN
        RETURN;     -- a role that may only delete: the rows are gone, the space stays
    END IF;
    BEGIN
        EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE NOWAIT', staging);
    EXCEPTION WHEN lock_not_available THEN
        RETURN;     -- someone is copying into it: their rows stay, and the space with them
    END;
    EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM (SELECT FROM %s LIMIT 1) AS x', staging) INTO n_left;
    IF n_left = 0 THEN
        EXECUTE pg_catalog.format('TRUNCATE %s', staging);
    END IF;
END
$$;
COMMENT ON FUNCTION kpi.staging_done(regclass) IS
    'Làm rỗng vùng nạp sau khi nạp xong, nếu không ai đang dùng / Empties a staging table after an ingest, when nobody else is using it, so that the next copy is stored in the file''s order';

-- ---------------------------------------------------------------------------
-- kpi.ingest_counts
-- ---------------------------------------------------------------------------

-- One statement checks every staged row and writes everything: the new
-- periods, the counts, the targets, the reasons of the rejected rows, and
-- the deletion of the loaded ones.  The only loop runs over the distinct
-- period labels that kpi.period does not know yet (a handful), to ask
-- kpi.period_bounds whether each is a real period without letting its error
-- out.
CREATE FUNCTION kpi.ingest_counts(OUT loaded bigint, OUT rejected bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    blank text := E' \t\r\n'
        || CASE WHEN getdatabaseencoding() = 'UTF8' THEN chr(160) || chr(65279) ELSE '' END;
    v_label text;
    new_periods text[] := '{}';
BEGIN
    PERFORM kpi.staging_lock('kpi.staging_counts');

    -- a row loaded again replaces the rejected row of the same key (or,
    -- without a key, the same rejected row)
    IF EXISTS (SELECT FROM kpi.rejected_counts) THEN
        DELETE FROM kpi.rejected_counts AS r
        WHERE (upper(btrim(r.period, blank)), lower(btrim(r.level, blank)), lower(btrim(r.unit_code, blank)),
               lower(btrim(r.indicator, blank)))
              IN (SELECT upper(btrim(s.period, blank)), lower(btrim(s.level, blank)), lower(btrim(s.unit_code, blank)),
                         lower(btrim(s.indicator, blank))
                  FROM kpi.staging_counts AS s)
           -- a row without its key: the same row
           OR ROW(r.period, r.level, r.unit_code, r.unit_name, r.indicator, r.target, r.numerator,
                  r.denominator, r.printed_rate)::text
              IN (SELECT ROW(s.*)::text FROM kpi.staging_counts AS s
                  WHERE '' IN (coalesce(btrim(s.period, blank), ''), coalesce(btrim(s.level, blank), ''),
                               coalesce(btrim(s.unit_code, blank), ''), coalesce(btrim(s.indicator, blank), '')));
    END IF;

    -- the labels that are periods but not yet in kpi.period (a handful)
    FOR v_label IN
        SELECT DISTINCT btrim(x.period, blank)
        FROM (SELECT s.period FROM kpi.staging_counts AS s
              UNION ALL SELECT r.period FROM kpi.rejected_counts AS r) AS x
        WHERE btrim(x.period, blank) <> ''
    LOOP
        BEGIN
            v_label := kpi.period_label(v_label);
            IF NOT EXISTS (SELECT FROM kpi.period AS p WHERE p.label = v_label) THEN
                new_periods := new_periods || v_label;
            END IF;
        EXCEPTION WHEN invalid_parameter_value THEN
            NULL;               -- not a period: the row is rejected below
        END;
    END LOOP;

    WITH src AS (
        -- the staged rows, numbered as in the file (line 1 is the header),
        -- and the rows rejected before, with their lines
        SELECT s.ctid AS row_id, false AS was_rejected,
               pg_catalog.row_number() OVER (PARTITION BY s.xmin::text, s.cmin::text ORDER BY s.ctid) + 1 AS line_no,
               s.period, s.level, s.unit_code, s.unit_name, s.indicator, s.target,
               s.numerator, s.denominator, s.printed_rate
        FROM kpi.staging_counts AS s
        UNION ALL
        SELECT r.ctid, true, r.line_no, r.period, r.level, r.unit_code, r.unit_name, r.indicator,
               r.target, r.numerator, r.denominator, r.printed_rate
        FROM kpi.rejected_counts AS r
    ), raw AS (
        SELECT s.*,
               CASE WHEN upper(btrim(s.period, blank)) ~ '^[0-9]{4}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$'
                    THEN upper(btrim(s.period, blank)) ELSE btrim(s.period, blank) END AS per,
               lower(btrim(s.level, blank)) AS lev,
               btrim(s.unit_code, blank) AS unit,
               lower(btrim(s.indicator, blank)) AS ind,
               btrim(s.target, blank) AS tgt,
               btrim(s.numerator, blank) AS num,
               btrim(s.denominator, blank) AS den,
               btrim(s.printed_rate, blank) AS rte,
               -- Excel's blank rows: dropped
               btrim(concat(s.period, s.level, s.unit_code, s.unit_name, s.indicator, s.target,
                            s.numerator, s.denominator, s.printed_rate), blank) = '' AS blank_row,
               -- the file's header, copied as a row (without HEADER)
               (lower(btrim(s.period, blank)), lower(btrim(s.level, blank)), lower(btrim(s.unit_code, blank)),
                lower(btrim(s.indicator, blank)), lower(btrim(s.printed_rate, blank)))
                   = ('period', 'level', 'unit_code', 'indicator', 'printed_rate') AS header_row
        FROM src AS s
    ), looked_up AS (
        SELECT r.*,
               coalesce(r.per, '') = '' AS per_empty,
               (p.label IS NOT NULL OR r.per = ANY (new_periods)) AS per_ok,
               coalesce(r.lev, '') = '' AS lev_empty,
               r.lev IN ('province', 'district', 'commune') AS lev_ok,
               coalesce(r.unit, '') = '' AS unit_empty,
               u.code AS unit_code_stored,
               u.level AS unit_level,
               coalesce(r.ind, '') = '' AS ind_empty,
               i.code IS NOT NULL AS ind_ok,
               count(*) OVER (PARTITION BY r.per, r.lev, lower(r.unit), r.ind) AS n_same,
               -- a cell: empty, - (not applicable, also an en or em dash), or a value
               coalesce(r.tgt, '') = '' OR r.tgt IN ('-', '–', '—') AS tgt_none,
               coalesce(r.num, '') = '' AS num_empty,
               coalesce(r.num IN ('-', '–', '—'), false) AS num_na,
               coalesce(r.den, '') = '' AS den_empty,
               coalesce(r.den IN ('-', '–', '—'), false) AS den_na,
               coalesce(r.rte, '') = '' AS rte_empty,
               coalesce(r.rte IN ('-', '–', '—'), false) AS rte_na,
               -- counts: digits, or digits grouped by thousands with dots (8.420)
               CASE WHEN r.num ~ '^[0-9]{1,18}$' THEN r.num::bigint
                    WHEN r.num ~ '^[0-9]{1,3}(\.[0-9]{3}){1,5}$' THEN replace(r.num, '.', '')::bigint
               END AS num_v,
               CASE WHEN r.den ~ '^[0-9]{1,18}$' THEN r.den::bigint
                    WHEN r.den ~ '^[0-9]{1,3}(\.[0-9]{3}){1,5}$' THEN replace(r.den, '.', '')::bigint
               END AS den_v,
               -- percentages: decimal comma or point, optional trailing %
               regexp_match(r.tgt, '^([0-9]+)(?:[.,]([0-9]+))?[ ]*%?$') AS tgt_m,
               regexp_match(r.rte, '^([0-9]+)(?:[.,]([0-9]+))?[ ]*%?$') AS rte_m
        FROM raw AS r
        LEFT JOIN kpi.period AS p ON p.label = r.per
        LEFT JOIN kpi.unit AS u ON lower(u.code) = lower(r.unit)
        LEFT JOIN kpi.indicator AS i ON i.code = r.ind
        WHERE NOT r.blank_row
    ), typed AS (
        SELECT l.*,
               (l.tgt_m[1] || '.' || coalesce(l.tgt_m[2], '0'))::numeric AS tgt_v,
               (l.rte_m[1] || '.' || coalesce(l.rte_m[2], '0'))::numeric AS rte_v,
               -- why a count cell is not a count
               CASE WHEN l.num_empty OR l.num_na OR l.num_v IS NOT NULL THEN NULL
                    WHEN l.num ~ '^-[ ]*[0-9]+([.,][0-9]+)?$' THEN 'is negative'
                    WHEN l.num ~ '^[0-9]+$' OR l.num ~ '^[0-9]{1,3}(\.[0-9]{3})+$' THEN 'is too large'
                    WHEN l.num ~ '^[0-9]+([.,][0-9]+)+$' THEN 'is not a whole number'
                    ELSE 'is not a number'
               END AS num_bad,
               CASE WHEN l.den_empty OR l.den_na OR l.den_v IS NOT NULL THEN NULL
                    WHEN l.den ~ '^-[ ]*[0-9]+([.,][0-9]+)?$' THEN 'is negative'
                    WHEN l.den ~ '^[0-9]+$' OR l.den ~ '^[0-9]{1,3}(\.[0-9]{3})+$' THEN 'is too large'
                    WHEN l.den ~ '^[0-9]+([.,][0-9]+)+$' THEN 'is not a whole number'
                    ELSE 'is not a number'
               END AS den_bad
        FROM looked_up AS l
    ), checked AS (
        SELECT t.*,
               CASE WHEN t.tgt_none THEN NULL
                    WHEN t.tgt_m IS NULL AND t.tgt ~ '^-[ ]*[0-9]+([.,][0-9]+)?[ ]*%?$' THEN 'is outside 0–100'
                    WHEN t.tgt_m IS NULL THEN 'is not a number'
                    WHEN t.tgt_v > 100 THEN 'is outside 0–100'
                    WHEN t.tgt_v <> round(t.tgt_v, 1) THEN 'has more than one decimal'
               END AS tgt_bad,
               CASE WHEN t.rte_empty OR t.rte_na THEN NULL
                    WHEN t.rte_m IS NULL AND t.rte ~ '^-[ ]*[0-9]+([.,][0-9]+)?[ ]*%?$' THEN 'is outside 0–100'
                    WHEN t.rte_m IS NULL THEN 'is not a number'
                    WHEN t.rte_v > 100 THEN 'is outside 0–100'
                    WHEN t.rte_v <> round(t.rte_v, 1) THEN 'has more than one decimal'
               END AS rte_bad,
               -- not applicable: no number in the three cells and at least one -
               (t.num_na OR t.den_na OR t.rte_na)
                   AND (t.num_na OR t.num_empty) AND (t.den_na OR t.den_empty)
                   AND (t.rte_na OR t.rte_empty) AS not_applicable
        FROM typed AS t
    ), reasoned AS (
        SELECT c.*,
               CASE WHEN c.header_row
                    THEN 'the file''s header line, read as a row: copy the file WITH (FORMAT csv, HEADER)' ELSE
               nullif(concat_ws('; ',
                   CASE WHEN c.per_empty THEN 'period is empty'
                        WHEN NOT c.per_ok THEN format('period "%s" does not exist', c.per) END,
                   CASE WHEN c.lev_empty THEN 'level is empty'
                        WHEN NOT c.lev_ok THEN format('level "%s" is not province, district or commune', c.lev) END,
                   CASE WHEN c.unit_empty THEN 'unit_code is empty'
                        WHEN c.unit_level IS NULL THEN format('unit_code "%s" is not a known unit', c.unit)
                        WHEN c.lev_ok AND NOT (c.unit_level = c.lev OR (c.lev = 'commune' AND c.unit_level = 'district'))
                        THEN format('unit "%s" is a %s unit and cannot have %s level figures', c.unit, c.unit_level, c.lev) END,
                   CASE WHEN c.ind_empty THEN 'indicator is empty'
                        WHEN NOT c.ind_ok THEN format('indicator "%s" is not a known indicator', c.ind) END,
                   CASE WHEN c.tgt_bad IS NOT NULL THEN format('target "%s" %s', c.tgt, c.tgt_bad) END,
                   CASE WHEN c.num_bad IS NOT NULL THEN format('numerator "%s" %s', c.num, c.num_bad) END,
                   CASE WHEN c.den_bad IS NOT NULL THEN format('denominator "%s" %s', c.den, c.den_bad) END,
                   CASE WHEN c.rte_bad IS NOT NULL THEN format('printed_rate "%s" %s', c.rte, c.rte_bad) END,
                   CASE WHEN c.not_applicable THEN NULL
                        WHEN c.num_bad IS NOT NULL OR c.den_bad IS NOT NULL OR c.rte_bad IS NOT NULL THEN NULL
                        WHEN c.num_na OR c.den_na OR c.rte_na
                        THEN '- (not applicable) must be in numerator, denominator and printed_rate together, not beside a number'
                        WHEN c.num_empty AND c.den_empty AND c.rte_empty
                        THEN 'numerator, denominator and printed_rate are all empty (write - for not applicable)'
                        WHEN c.num_empty AND NOT c.den_empty
                        THEN format('denominator "%s" is given without a numerator', c.den)
                        WHEN NOT c.num_empty AND c.den_empty AND c.rte_empty
                        THEN format('numerator "%s" is given without a denominator or a printed rate', c.num)
                        WHEN c.num_v > c.den_v
                        THEN format('numerator %s is above denominator %s', c.num_v, c.den_v) END,
                   CASE WHEN c.n_same > 1 AND NOT (c.per_empty OR c.lev_empty OR c.unit_empty OR c.ind_empty)
                        THEN format('period, level, unit_code and indicator (%s, %s, %s, %s) appear in %s rows of this load',
                                    c.per, c.lev, c.unit, c.ind, c.n_same) END), '') END AS reason
        FROM checked AS c
    ), good AS (
        SELECT r.per, r.lev, r.unit_code_stored AS unit, r.ind, r.not_applicable,
               CASE WHEN NOT r.tgt_none THEN r.tgt_v END AS target,
               CASE WHEN NOT r.not_applicable THEN r.num_v END AS numerator,
               CASE WHEN NOT r.not_applicable THEN r.den_v END AS denominator,
               CASE WHEN NOT r.not_applicable THEN r.rte_v END AS printed_rate
        FROM reasoned AS r
        WHERE r.reason IS NULL
    ), period_row AS (
        INSERT INTO kpi.period AS p (label, starts, ends, name_vi, name_en)
        SELECT n.per, b.starts, b.ends, m.name_vi, m.name_en
        FROM (SELECT DISTINCT g.per FROM good AS g WHERE g.per = ANY (new_periods)) AS n
        CROSS JOIN LATERAL kpi.period_bounds(n.per) AS b
        CROSS JOIN LATERAL kpi.period_names(n.per) AS m
        ON CONFLICT (label) DO NOTHING
        RETURNING 1
    ), count_row AS (
        INSERT INTO kpi.indicator_count AS c
               (period, level, unit_code, indicator, source, applicable, numerator, denominator, printed_rate)
        SELECT g.per, g.lev, g.unit, g.ind, 'published', NOT g.not_applicable,
               g.numerator, g.denominator, g.printed_rate
        FROM good AS g
        ON CONFLICT (period, level, unit_code, indicator, source) DO UPDATE
            SET applicable = excluded.applicable, numerator = excluded.numerator,
                denominator = excluded.denominator, printed_rate = excluded.printed_rate
            WHERE (c.applicable, c.numerator, c.denominator, c.printed_rate)
                  IS DISTINCT FROM (excluded.applicable, excluded.numerator, excluded.denominator, excluded.printed_rate)
        RETURNING 1
    ), target_row AS (
        INSERT INTO kpi.assigned_target AS t (period, level, unit_code, indicator, target)
        SELECT g.per, g.lev, g.unit, g.ind, g.target
        FROM good AS g
        WHERE g.target IS NOT NULL
        ON CONFLICT (period, level, unit_code, indicator) DO UPDATE
            SET target = excluded.target
            WHERE t.target IS DISTINCT FROM excluded.target
        RETURNING 1
    ), staged_gone AS (
        DELETE FROM kpi.staging_counts AS s USING raw AS r
        WHERE NOT r.was_rejected AND s.ctid = r.row_id
        RETURNING 1
    ), rejected_gone AS (
        DELETE FROM kpi.rejected_counts AS s USING raw AS r
        WHERE r.was_rejected AND s.ctid = r.row_id
        RETURNING 1
    ), rejected_row AS (
        INSERT INTO kpi.rejected_counts (line_no, error, period, level, unit_code, unit_name, indicator,
                                         target, numerator, denominator, printed_rate)
        SELECT r.line_no, r.reason, r.period, r.level, r.unit_code, r.unit_name, r.indicator,
               r.target, r.numerator, r.denominator, r.printed_rate
        FROM reasoned AS r
        WHERE r.reason IS NOT NULL
        RETURNING 1
    )
    SELECT count(*) FILTER (WHERE r.reason IS NULL), count(*) FILTER (WHERE r.reason IS NOT NULL)
      INTO loaded, rejected
    FROM reasoned AS r;

    PERFORM kpi.staging_done('kpi.staging_counts');
END
$$;

COMMENT ON FUNCTION kpi.ingest_counts() IS
    'Kiểm tra mọi dòng của kpi.staging_counts và kpi.rejected_counts; nạp dòng hợp lệ vào kpi.indicator_count (nguồn published, thay dòng cũ cùng kỳ, cấp, đơn vị, chỉ tiêu) và kpi.assigned_target; dòng sai vào kpi.rejected_counts với lý do và số dòng; trả về số dòng đã nạp và bị từ chối / Checks every row of kpi.staging_counts and kpi.rejected_counts; loads the valid ones into kpi.indicator_count (source published, replacing the row of the same period, level, unit and indicator) and kpi.assigned_target; moves the invalid ones to kpi.rejected_counts with their reasons and lines; returns how many rows were loaded and rejected';

-- ---------------------------------------------------------------------------
-- kpi.ingest_dossiers
-- ---------------------------------------------------------------------------

-- A dossier file can have millions of rows.  Each row is read and checked
-- by one call of kpi.read_dossier (C: src/dossier_read.c), which finds its
-- unit in kpi.unit and is handed what the other rows tell: how many rows of
-- the load have its dossier code (a map of the duplicates, mostly empty).  One statement then writes the good rows, the
-- rejected ones and the reasons.  When nobody else is using the staging
-- table (a lock taken without waiting), every row it holds is this
-- ingest's, and it is emptied with TRUNCATE at the end instead of deleting
-- row by row.
CREATE TYPE kpi.dossier_read AS (
    dossier_code text,
    unit_code text,
    procedure_code text,
    received_at timestamptz,
    channel text,
    fee_required boolean,
    paid_online boolean,
    digitized boolean,
    reused_data boolean,
    resolved_at timestamptz,
    e_result boolean,
    due_at timestamptz,
    reason text,
    blank boolean
);
COMMENT ON TYPE kpi.dossier_read IS
    'Một dòng hồ sơ đã đọc: giá trị, lý do từ chối (NULL nếu hợp lệ), dòng trống / A staged dossier row as read: its values, why it is rejected (NULL when it is good), and whether it is blank';

CREATE FUNCTION kpi.read_dossier(dossier_code text, unit_code text, procedure_code text, received_at text,
                                 channel text, fee_required text, paid_online text, digitized text,
                                 reused_data text, resolved_at text, e_result text, due_at text,
                                 repeats bigint, time_zone text, strict boolean DEFAULT false)
RETURNS kpi.dossier_read
AS 'MODULE_PATHNAME', 'kpi_read_dossier' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION kpi.read_dossier(text, text, text, text, text, text, text, text, text, text, text, text, bigint, text, boolean) IS
    'Đọc và kiểm tra một dòng tệp hồ sơ (các ô dạng text) / Reads and checks one row of a dossier file (its cells as text): trims them, matches the unit to kpi.unit in any letter case, reads dates (ISO or day first, optional time and zone; local time in time_zone), booleans and channels in English or Vietnamese, and returns the typed row with every reason it cannot be loaded; repeats is how many rows of the load have the row''s dossier code (NULL: one); strict makes the first row that is not good an error (SQLSTATE KP001)';

CREATE FUNCTION kpi.ingest_dossiers(OUT loaded bigint, OUT rejected bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
-- (the statement's cost is estimated far too high for want of statistics
-- on the staging table: compiling it would take a second, and save nothing)
SET jit = off
AS $$
DECLARE
    tz text := coalesce(nullif(current_setting('kpi.time_zone', true), ''), 'Asia/Ho_Chi_Minh');
    blank text := E' \t\r\n'
        || CASE WHEN getdatabaseencoding() = 'UTF8' THEN chr(160) || chr(65279) ELSE '' END;
    alone boolean := false;
    fresh boolean;
    -- The unique index finds the dossier already there, whatever the
    -- statistics say (a join to kpi.dossier planned while it looked empty
    -- would scan it again for every row); a dossier that is already there
    -- as it is is not written again.
    on_conflict text := $c$
        ON CONFLICT {dossier key} DO UPDATE
            SET unit_code = excluded.unit_code, procedure_code = excluded.procedure_code,
                received_at = excluded.received_at, channel = excluded.channel,
                fee_required = excluded.fee_required, paid_online = excluded.paid_online,
                digitized = excluded.digitized, reused_data = excluded.reused_data,
                resolved_at = excluded.resolved_at, e_result = excluded.e_result, due_at = excluded.due_at
            WHERE (d.unit_code, d.procedure_code, d.received_at, d.channel, d.fee_required, d.paid_online,
                   d.digitized, d.reused_data, d.resolved_at, d.e_result, d.due_at)
                  IS DISTINCT FROM
                  (excluded.unit_code, excluded.procedure_code, excluded.received_at, excluded.channel,
                   excluded.fee_required, excluded.paid_online, excluded.digitized, excluded.reused_data,
                   excluded.resolved_at, excluded.e_result, excluded.due_at)$c$;
BEGIN
    PERFORM now() AT TIME ZONE tz;      -- an unknown kpi.time_zone fails here, before any work
    PERFORM kpi.staging_lock('kpi.staging_dossier');
    -- the dossier's key: its code, or on Citus its unit and code (kpi.distribute)
    on_conflict := replace(on_conflict, '{dossier key}',
                           CASE WHEN kpi.dossier_distributed() THEN '(unit_code, dossier_code)' ELSE '(dossier_code)' END);

    -- a row loaded again replaces the rejected row of the same key (or,
    -- without a key, the same rejected row)
    IF EXISTS (SELECT FROM kpi.rejected_dossier) THEN
        DELETE FROM kpi.rejected_dossier AS r
        WHERE btrim(r.dossier_code, blank) IN (SELECT btrim(s.dossier_code, blank) FROM kpi.staging_dossier AS s)
           -- a row without its key: the same row
           OR ROW(r.dossier_code, r.unit_code, r.procedure_code, r.received_at, r.channel, r.fee_required,
                  r.paid_online, r.digitized, r.reused_data, r.resolved_at, r.e_result, r.due_at)::text
              IN (SELECT ROW(s.*)::text FROM kpi.staging_dossier AS s
                  WHERE coalesce(btrim(s.dossier_code, blank), '') = '');
    END IF;

    -- nobody else copying into the staging table: its rows are all ours
    IF pg_catalog.has_table_privilege('kpi.staging_dossier', 'TRUNCATE') THEN
        BEGIN
            LOCK TABLE kpi.staging_dossier IN ACCESS EXCLUSIVE MODE NOWAIT;
            alone := true;
        EXCEPTION WHEN lock_not_available THEN
            alone := false;
        END;
    END IF;

    -- An empty kpi.dossier (a first load) takes the rows without looking for
    -- the same codes (ON CONFLICT costs a fifth more per row); otherwise a
    -- dossier already there is replaced, or left as it is when it is the same.
    --
    -- A clean load (nothing rejected waiting, every row good, no code twice)
    -- in one pass: the rows read straight into kpi.dossier.  The first row
    -- that is not good stops it (SQLSTATE KP001), as does a code read twice
    -- (the primary key's unique violation, or ON CONFLICT's second update
    -- of one row), and everything it wrote is undone; the careful way below
    -- then loads the good rows and sets the others aside with their reasons.
    fresh := NOT EXISTS (SELECT 1 FROM kpi.dossier);
    IF NOT EXISTS (SELECT FROM kpi.rejected_dossier) THEN
        BEGIN
            EXECUTE replace($q$
                INSERT INTO kpi.dossier AS d (dossier_code, unit_code, procedure_code, received_at, channel,
                                              fee_required, paid_online, digitized, reused_data, resolved_at,
                                              e_result, due_at)
                SELECT (x.r).dossier_code, (x.r).unit_code, (x.r).procedure_code, (x.r).received_at, (x.r).channel,
                       (x.r).fee_required, (x.r).paid_online, (x.r).digitized, (x.r).reused_data,
                       (x.r).resolved_at, (x.r).e_result, (x.r).due_at
                FROM (SELECT kpi.read_dossier(s.dossier_code, s.unit_code, s.procedure_code, s.received_at,
                                              s.channel, s.fee_required, s.paid_online, s.digitized,
                                              s.reused_data, s.resolved_at, s.e_result, s.due_at,
                                              NULL, $1, true) AS r
                      FROM kpi.staging_dossier AS s OFFSET 0) AS x
                WHERE NOT (x.r).blank
                {on conflict}
            $q$, '{on conflict}', CASE WHEN fresh THEN '' ELSE on_conflict END)
            USING tz;
            GET DIAGNOSTICS loaded = ROW_COUNT;
            IF NOT fresh THEN
                -- (rows already there as they are were not written again)
                SELECT count(*) INTO loaded FROM kpi.staging_dossier AS s
                WHERE btrim(concat(s.dossier_code, s.unit_code, s.procedure_code, s.received_at, s.channel,
                                   s.fee_required, s.paid_online, s.digitized, s.reused_data, s.resolved_at,
                                   s.e_result, s.due_at), blank) <> '';
            END IF;
            rejected := 0;
            IF alone THEN
                TRUNCATE kpi.staging_dossier;
            ELSE
                DELETE FROM kpi.staging_dossier;
                PERFORM kpi.staging_done('kpi.staging_dossier');
            END IF;
            RETURN;
        EXCEPTION WHEN SQLSTATE 'KP001' OR unique_violation OR cardinality_violation THEN
            NULL;               -- not clean (a row rejected, a code twice): the careful way
        END;
    END IF;

    -- every row read once, kept for the writes below (each its own
    -- statement: on Citus no statement both writes kpi.dossier and finds a
    -- local row by its ctid)
    CREATE TEMP TABLE kpi_dossier_checked ON COMMIT DROP AS
    SELECT s.row_id, s.was_rejected, s.line_no,
           kpi.read_dossier(s.dossier_code, s.unit_code, s.procedure_code, s.received_at, s.channel,
                            s.fee_required, s.paid_online, s.digitized, s.reused_data, s.resolved_at,
                            s.e_result, s.due_at, rep.n, tz, false) AS r
    FROM (SELECT s.ctid AS row_id, false AS was_rejected, NULL::bigint AS line_no,
                 s.dossier_code, s.unit_code, s.procedure_code, s.received_at, s.channel, s.fee_required,
                 s.paid_online, s.digitized, s.reused_data, s.resolved_at, s.e_result, s.due_at
          FROM kpi.staging_dossier AS s
          UNION ALL
          SELECT r.ctid, true, r.line_no, r.dossier_code, r.unit_code, r.procedure_code, r.received_at,
                 r.channel, r.fee_required, r.paid_online, r.digitized, r.reused_data, r.resolved_at,
                 r.e_result, r.due_at
          FROM kpi.rejected_dossier AS r) AS s
    -- the dossier codes more than one row of the load has, with how many:
    -- grouped and joined in SQL, which spills to disk rather than hold
    -- every code of a large file in memory
    LEFT JOIN (SELECT btrim(x.dossier_code, blank) AS code, count(*) AS n
               FROM (SELECT dossier_code FROM kpi.staging_dossier
                     UNION ALL SELECT dossier_code FROM kpi.rejected_dossier) AS x
               WHERE btrim(x.dossier_code, blank) <> ''
               GROUP BY 1 HAVING count(*) > 1) AS rep
           ON rep.code = btrim(s.dossier_code, blank);

    EXECUTE replace($q$
        INSERT INTO kpi.dossier AS d (dossier_code, unit_code, procedure_code, received_at, channel,
                                      fee_required, paid_online, digitized, reused_data, resolved_at, e_result, due_at)
        SELECT (c.r).dossier_code, (c.r).unit_code, (c.r).procedure_code, (c.r).received_at, (c.r).channel,
               (c.r).fee_required, (c.r).paid_online, (c.r).digitized, (c.r).reused_data, (c.r).resolved_at,
               (c.r).e_result, (c.r).due_at
        FROM kpi_dossier_checked AS c
        WHERE (c.r).reason IS NULL AND NOT (c.r).blank
        {on conflict}
    $q$, '{on conflict}', CASE WHEN fresh THEN '' ELSE on_conflict END);

    -- the rejected rows as they were staged (found again by their row), with
    -- their line in the file (line 1 is the header: the order of the rows of
    -- one copy, counted only when a staged row is rejected)
    INSERT INTO kpi.rejected_dossier (line_no, error, dossier_code, unit_code, procedure_code, received_at,
                                      channel, fee_required, paid_online, digitized, reused_data, resolved_at,
                                      e_result, due_at)
    SELECT coalesce(c.line_no, l.line_no), (c.r).reason, x.dossier_code, x.unit_code, x.procedure_code,
           x.received_at, x.channel, x.fee_required, x.paid_online, x.digitized, x.reused_data, x.resolved_at,
           x.e_result, x.due_at
    FROM kpi_dossier_checked AS c
    LEFT JOIN (SELECT s.ctid AS row_id,
                      row_number() OVER (PARTITION BY s.xmin::text, s.cmin::text ORDER BY s.ctid) + 1 AS line_no
               FROM kpi.staging_dossier AS s) AS l
           ON NOT c.was_rejected AND l.row_id = c.row_id
    CROSS JOIN LATERAL (
        SELECT s.* FROM kpi.staging_dossier AS s WHERE NOT c.was_rejected AND s.ctid = c.row_id
        UNION ALL
        SELECT r.dossier_code, r.unit_code, r.procedure_code, r.received_at, r.channel, r.fee_required,
               r.paid_online, r.digitized, r.reused_data, r.resolved_at, r.e_result, r.due_at
        FROM kpi.rejected_dossier AS r WHERE c.was_rejected AND r.ctid = c.row_id) AS x
    WHERE (c.r).reason IS NOT NULL AND NOT (c.r).blank;
    -- the rows rejected before, checked again, go (their new versions are in)
    DELETE FROM kpi.rejected_dossier AS r
    WHERE r.ctid = ANY (ARRAY(SELECT c.row_id FROM kpi_dossier_checked AS c WHERE c.was_rejected));
    IF NOT alone THEN
        DELETE FROM kpi.staging_dossier AS s
        WHERE s.ctid = ANY (ARRAY(SELECT c.row_id FROM kpi_dossier_checked AS c WHERE NOT c.was_rejected));
    END IF;

    SELECT count(*) FILTER (WHERE (c.r).reason IS NULL AND NOT (c.r).blank),
           count(*) FILTER (WHERE (c.r).reason IS NOT NULL AND NOT (c.r).blank)
      INTO loaded, rejected
    FROM kpi_dossier_checked AS c;
    DROP TABLE kpi_dossier_checked;

    IF alone THEN
        TRUNCATE kpi.staging_dossier;
    ELSE
        PERFORM kpi.staging_done('kpi.staging_dossier');
    END IF;
END
$$;

COMMENT ON FUNCTION kpi.ingest_dossiers() IS
    'Kiểm tra mọi dòng của kpi.staging_dossier và kpi.rejected_dossier; nạp dòng hợp lệ vào kpi.dossier (thay hồ sơ cùng mã); dòng sai vào kpi.rejected_dossier với lý do và số dòng; trả về số dòng đã nạp và bị từ chối / Checks every row of kpi.staging_dossier and kpi.rejected_dossier; loads the valid ones into kpi.dossier (replacing the dossier of the same code); moves the invalid ones to kpi.rejected_dossier with their reasons and lines; returns how many rows were loaded and rejected';

-- ---------------------------------------------------------------------------
-- kpi.ingest_units
-- ---------------------------------------------------------------------------

-- A unit list: new units are added, known ones (the same code, in any letter
-- case) take the file's name, level, parent and order.  A commune's parent
-- may come in the same file.  A unit whose level would change while figures
-- of its old level name it is rejected, as is a district that communes of
-- the database still hang from.
CREATE FUNCTION kpi.ingest_units(OUT loaded bigint, OUT rejected bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    blank text := E' \t\r\n'
        || CASE WHEN getdatabaseencoding() = 'UTF8' THEN chr(160) || chr(65279) ELSE '' END;
BEGIN
    PERFORM kpi.staging_lock('kpi.staging_unit');

    -- a row loaded again replaces the rejected row of the same key (or,
    -- without a key, the same rejected row)
    IF EXISTS (SELECT FROM kpi.rejected_unit) THEN
        DELETE FROM kpi.rejected_unit AS r
        WHERE lower(btrim(r.code, blank)) IN (SELECT lower(btrim(s.code, blank)) FROM kpi.staging_unit AS s)
           -- a row without its key: the same row
           OR ROW(r.code, r.name, r.level, r.parent_code, r.sort_order)::text
              IN (SELECT ROW(s.*)::text FROM kpi.staging_unit AS s WHERE coalesce(btrim(s.code, blank), '') = '');
    END IF;

    WITH src AS (
        SELECT s.ctid AS row_id, false AS was_rejected,
               pg_catalog.row_number() OVER (PARTITION BY s.xmin::text, s.cmin::text ORDER BY s.ctid) + 1 AS line_no,
               s.code, s.name, s.level, s.parent_code, s.sort_order
        FROM kpi.staging_unit AS s
        UNION ALL
        SELECT r.ctid, true, r.line_no, r.code, r.name, r.level, r.parent_code, r.sort_order
        FROM kpi.rejected_unit AS r
    ), raw AS (
        SELECT s.*,
               btrim(s.code, blank) AS c_code,
               btrim(s.name, blank) AS c_name,
               lower(btrim(s.level, blank)) AS c_level,
               nullif(btrim(s.parent_code, blank), '') AS c_parent,
               coalesce(btrim(s.sort_order, blank), '') AS c_sort,
               btrim(concat(s.code, s.name, s.level, s.parent_code, s.sort_order), blank) = '' AS blank_row,
               (lower(btrim(s.code, blank)), lower(btrim(s.name, blank)), lower(btrim(s.level, blank)))
                   = ('code', 'name', 'level') AS header_row
        FROM src AS s
    ), looked_up AS (
        SELECT r.*,
               u.code AS known_code,
               u.level AS known_level,
               count(*) OVER (PARTITION BY lower(r.c_code)) AS n_same,
               -- the parent: a unit of the database, or of this file
               coalesce(pu.code, (SELECT min(f.c_code) FROM raw AS f
                                  WHERE NOT f.blank_row AND lower(f.c_code) = lower(r.c_parent))) AS parent,
               coalesce((SELECT min(f.c_level) FROM raw AS f
                         WHERE NOT f.blank_row AND lower(f.c_code) = lower(r.c_parent)), pu.level) AS parent_level,
               CASE WHEN r.c_sort ~ '^-?[0-9]{1,9}$' THEN r.c_sort::integer
                    WHEN r.c_sort = '' THEN 0 END AS sort_v
        FROM raw AS r
        LEFT JOIN kpi.unit AS u ON lower(u.code) = lower(r.c_code)
        LEFT JOIN kpi.unit AS pu ON lower(pu.code) = lower(r.c_parent)
        WHERE NOT r.blank_row
    ), checked AS (
        SELECT l.*,
               CASE WHEN l.header_row
                    THEN 'the file''s header line, read as a row: copy the file WITH (FORMAT csv, HEADER)' ELSE
               nullif(concat_ws('; ',
                   CASE WHEN l.c_code = '' THEN 'code is empty'
                        WHEN length(l.c_code) > 100 THEN format('code "%s…" is longer than 100 characters', left(l.c_code, 20))
                        WHEN l.c_code !~ '^[A-Za-z0-9][A-Za-z0-9._-]*$'
                        THEN format('code "%s" has characters other than letters, digits, dots, dashes and underscores, or does not start with a letter or digit', l.c_code)
                        WHEN l.known_code IS NOT NULL AND l.known_code <> l.c_code
                        THEN format('code "%s" differs only in letter case from the unit "%s"', l.c_code, l.known_code)
                        WHEN l.n_same > 1 THEN format('code "%s" appears in %s rows of this load', l.c_code, l.n_same) END,
                   CASE WHEN l.c_name = '' THEN 'name is empty' END,
                   CASE WHEN l.c_level = '' THEN 'level is empty'
                        WHEN l.c_level NOT IN ('province', 'district', 'commune')
                        THEN format('level "%s" is not province, district or commune', l.c_level) END,
                   CASE WHEN l.c_parent IS NULL THEN NULL
                        WHEN l.c_level IN ('province', 'district')
                        THEN format('a %s unit has no parent, and parent_code is "%s"', l.c_level, l.c_parent)
                        WHEN l.parent IS NULL THEN format('parent_code "%s" is not a known unit nor one of this file', l.c_parent)
                        WHEN l.parent_level <> 'district'
                        THEN format('the parent of a commune is a district, and "%s" is a %s unit', l.c_parent, l.parent_level) END,
                   CASE WHEN l.sort_v IS NULL THEN format('sort_order "%s" is not a whole number', l.c_sort) END,
                   CASE WHEN l.known_level IS NOT NULL AND l.c_level IN ('province', 'district', 'commune')
                             AND l.known_level <> l.c_level
                             AND (EXISTS (SELECT FROM kpi.indicator_count AS c WHERE c.unit_code = l.known_code
                                          AND NOT (c.level = l.c_level OR (c.level = 'commune' AND l.c_level = 'district')))
                                  OR EXISTS (SELECT FROM kpi.assigned_target AS t WHERE t.unit_code = l.known_code
                                             AND NOT (t.level = l.c_level OR (t.level = 'commune' AND l.c_level = 'district')))
                                  OR EXISTS (SELECT FROM kpi.note AS n WHERE n.unit_code = l.known_code
                                             AND NOT (n.level = l.c_level OR (n.level = 'commune' AND l.c_level = 'district'))))
                        THEN format('unit "%s" has %s level figures and cannot become a %s unit', l.known_code, l.known_level, l.c_level)
                        WHEN l.known_level = 'district' AND l.c_level IN ('province', 'commune')
                             AND EXISTS (SELECT FROM kpi.unit AS x WHERE x.parent_code = l.known_code
                                         AND NOT EXISTS (SELECT FROM raw AS f WHERE lower(f.c_code) = lower(x.code)))
                        THEN format('district "%s" has communes and must stay a district', l.known_code) END
               ), '') END AS own_reason
        FROM looked_up AS l
    ), reasoned AS (
        -- a commune whose district of this file is rejected goes with it
        SELECT c.*,
               coalesce(c.own_reason,
                        CASE WHEN EXISTS (SELECT FROM checked AS p
                                          WHERE lower(p.c_code) = lower(c.c_parent) AND p.own_reason IS NOT NULL)
                             THEN format('parent_code "%s" is a row of this load that is rejected', c.c_parent) END) AS reason
        FROM checked AS c
    ), unit_row AS (
        INSERT INTO kpi.unit AS u (code, name, level, parent_code, sort_order)
        SELECT r.c_code, r.c_name, r.c_level, r.parent, r.sort_v
        FROM reasoned AS r
        WHERE r.reason IS NULL
        ON CONFLICT (code) DO UPDATE
            SET name = excluded.name, level = excluded.level, parent_code = excluded.parent_code,
                sort_order = excluded.sort_order
            WHERE (u.name, u.level, u.parent_code, u.sort_order)
                  IS DISTINCT FROM (excluded.name, excluded.level, excluded.parent_code, excluded.sort_order)
        RETURNING 1
    ), staged_gone AS (
        DELETE FROM kpi.staging_unit AS s USING raw AS r
        WHERE NOT r.was_rejected AND s.ctid = r.row_id
        RETURNING 1
    ), rejected_gone AS (
        DELETE FROM kpi.rejected_unit AS s USING raw AS r
        WHERE r.was_rejected AND s.ctid = r.row_id
        RETURNING 1
    ), rejected_row AS (
        INSERT INTO kpi.rejected_unit (line_no, error, code, name, level, parent_code, sort_order)
        SELECT r.line_no, r.reason, r.code, r.name, r.level, r.parent_code, r.sort_order
        FROM reasoned AS r
        WHERE r.reason IS NOT NULL
        RETURNING 1
    )
    SELECT count(*) FILTER (WHERE r.reason IS NULL), count(*) FILTER (WHERE r.reason IS NOT NULL)
      INTO loaded, rejected
    FROM reasoned AS r;

    PERFORM kpi.staging_done('kpi.staging_unit');
END
$$;

COMMENT ON FUNCTION kpi.ingest_units() IS
    'Kiểm tra mọi dòng của kpi.staging_unit và kpi.rejected_unit; thêm đơn vị mới, cập nhật tên, cấp, đơn vị cấp trên, thứ tự của đơn vị đã có; dòng sai vào kpi.rejected_unit với lý do và số dòng / Checks every row of kpi.staging_unit and kpi.rejected_unit; adds new units and updates the name, level, parent and order of known ones; moves the invalid rows to kpi.rejected_unit with their reasons and lines; returns how many rows were loaded and rejected';

-- ---------------------------------------------------------------------------
-- kpi.ingest_services
-- ---------------------------------------------------------------------------

-- The list of each unit in the file replaces, from the period's first day,
-- the list in force for that unit: a procedure it no longer has ends the day
-- before, a new one or one with other flags starts that day, one that is
-- the same goes on.  Units not in the file keep theirs.  Loading the same
-- list again for the same period changes nothing.  A list for a period
-- before one already loaded for the unit is rejected (lists are loaded in
-- order).
CREATE FUNCTION kpi.ingest_services(period text, OUT loaded bigint, OUT rejected bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    blank text := E' \t\r\n'
        || CASE WHEN getdatabaseencoding() = 'UTF8' THEN chr(160) || chr(65279) ELSE '' END;
    v_from date := (kpi.period_bounds(period)).starts;
BEGIN
    IF period IS NULL THEN
        RAISE EXCEPTION 'the period of kpi.ingest_services must not be NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'The lists are in force from the first day of that period, such as 2025-Q3.';
    END IF;
    PERFORM kpi.staging_lock('kpi.staging_service');

    -- a row loaded again replaces the rejected row of the same key (or,
    -- without a key, the same rejected row)
    IF EXISTS (SELECT FROM kpi.rejected_service) THEN
        DELETE FROM kpi.rejected_service AS r
        WHERE (lower(btrim(r.unit_code, blank)), btrim(r.procedure_code, blank))
              IN (SELECT lower(btrim(s.unit_code, blank)), btrim(s.procedure_code, blank) FROM kpi.staging_service AS s)
           -- a row without its key: the same row
           OR ROW(r.unit_code, r.procedure_code, r.online_service, r.online_payment)::text
              IN (SELECT ROW(s.*)::text FROM kpi.staging_service AS s
                  WHERE '' IN (coalesce(btrim(s.unit_code, blank), ''), coalesce(btrim(s.procedure_code, blank), '')));
    END IF;

    CREATE TEMP TABLE kpi_service_checked ON COMMIT DROP AS
    WITH src AS (
        SELECT s.ctid AS row_id, false AS was_rejected,
               pg_catalog.row_number() OVER (PARTITION BY s.xmin::text, s.cmin::text ORDER BY s.ctid) + 1 AS line_no,
               s.unit_code, s.procedure_code, s.online_service, s.online_payment
        FROM kpi.staging_service AS s
        UNION ALL
        SELECT r.ctid, true, r.line_no, r.unit_code, r.procedure_code, r.online_service, r.online_payment
        FROM kpi.rejected_service AS r
    ), raw AS (
        SELECT s.*,
               btrim(s.unit_code, blank) AS c_unit,
               btrim(s.procedure_code, blank) AS c_proc,
               kpi.read_boolean(btrim(s.online_service, blank)) AS c_service,
               kpi.read_boolean(btrim(s.online_payment, blank)) AS c_payment,
               btrim(concat(s.unit_code, s.procedure_code, s.online_service, s.online_payment), blank) = '' AS blank_row,
               (lower(btrim(s.unit_code, blank)), lower(btrim(s.procedure_code, blank)))
                   = ('unit_code', 'procedure_code') AS header_row
        FROM src AS s
    ), looked_up AS (
        SELECT r.*, u.code AS unit,
               count(*) OVER (PARTITION BY lower(r.c_unit), r.c_proc) AS n_same,
               (SELECT max(v.valid_from) FROM kpi.service AS v WHERE v.unit_code = u.code) AS latest_from
        FROM raw AS r
        LEFT JOIN kpi.unit AS u ON lower(u.code) = lower(r.c_unit)
        WHERE NOT r.blank_row
    )
    SELECT l.*,
           CASE WHEN l.header_row
                THEN 'the file''s header line, read as a row: copy the file WITH (FORMAT csv, HEADER)' ELSE
           nullif(concat_ws('; ',
               CASE WHEN l.c_unit = '' THEN 'unit_code is empty'
                    WHEN l.unit IS NULL THEN format('unit_code "%s" is not a known unit', left(l.c_unit, 100))
                    WHEN l.latest_from > v_from
                    THEN format('unit "%s" has a list from %s, after %s: load lists in order', l.unit,
                                to_char(l.latest_from, 'YYYY-MM-DD'), to_char(v_from, 'YYYY-MM-DD')) END,
               CASE WHEN l.c_proc = '' THEN 'procedure_code is empty'
                    WHEN length(l.c_proc) > 100 THEN format('procedure_code "%s…" is longer than 100 characters', left(l.c_proc, 20))
                    WHEN l.n_same > 1 THEN format('unit_code and procedure_code (%s, %s) appear in %s rows of this load', l.c_unit, l.c_proc, l.n_same) END,
               CASE WHEN l.c_service IS NULL THEN format('online_service "%s" is not a boolean', l.online_service) END,
               CASE WHEN l.c_payment IS NULL THEN format('online_payment "%s" is not a boolean', l.online_payment) END
           ), '') END AS reason
    FROM looked_up AS l;

    -- the units whose list this is (every row of theirs good, or the
    -- unit's list would be cut short by a typing mistake)
    CREATE TEMP TABLE kpi_service_unit ON COMMIT DROP AS
    SELECT c.unit FROM kpi_service_checked AS c WHERE c.unit IS NOT NULL
    GROUP BY c.unit HAVING bool_and(c.reason IS NULL);
    UPDATE kpi_service_checked AS c
    SET reason = format('another row of unit "%s" in this load is rejected, and a list is loaded whole', c.unit)
    WHERE c.reason IS NULL AND c.unit NOT IN (SELECT u.unit FROM kpi_service_unit AS u);

    -- what changes: in force on v_from and not the same in the new list ends
    -- the day before (or goes, when it starts that very day); what the list
    -- has and is not in force the same starts on v_from
    DELETE FROM kpi.service AS s
    USING kpi_service_unit AS u
    WHERE s.unit_code = u.unit AND s.valid_from = v_from
      AND NOT EXISTS (SELECT FROM kpi_service_checked AS c
                      WHERE c.unit = s.unit_code AND c.c_proc = s.procedure_code
                        AND (c.c_service, c.c_payment) = (s.online_service, s.online_payment));
    UPDATE kpi.service AS s
    SET valid_until = v_from - 1
    FROM kpi_service_unit AS u
    WHERE s.unit_code = u.unit AND s.valid_from < v_from AND (s.valid_until IS NULL OR s.valid_until >= v_from)
      AND NOT EXISTS (SELECT FROM kpi_service_checked AS c
                      WHERE c.unit = s.unit_code AND c.c_proc = s.procedure_code
                        AND (c.c_service, c.c_payment) = (s.online_service, s.online_payment));
    INSERT INTO kpi.service (unit_code, procedure_code, online_service, online_payment, valid_from)
    SELECT c.unit, c.c_proc, c.c_service, c.c_payment, v_from
    FROM kpi_service_checked AS c
    WHERE c.reason IS NULL
      AND NOT EXISTS (SELECT FROM kpi.service AS s
                      WHERE s.unit_code = c.unit AND s.procedure_code = c.c_proc
                        AND s.valid_from <= v_from AND (s.valid_until IS NULL OR s.valid_until >= v_from)
                        AND (s.online_service, s.online_payment) = (c.c_service, c.c_payment));

    DELETE FROM kpi.staging_service AS s USING kpi_service_checked AS c WHERE NOT c.was_rejected AND s.ctid = c.row_id;
    DELETE FROM kpi.staging_service AS s
    WHERE btrim(concat(s.unit_code, s.procedure_code, s.online_service, s.online_payment), blank) = '';
    DELETE FROM kpi.rejected_service AS s USING kpi_service_checked AS c WHERE c.was_rejected AND s.ctid = c.row_id;
    INSERT INTO kpi.rejected_service (line_no, error, unit_code, procedure_code, online_service, online_payment)
    SELECT c.line_no, c.reason, c.unit_code, c.procedure_code, c.online_service, c.online_payment
    FROM kpi_service_checked AS c WHERE c.reason IS NOT NULL;

    SELECT count(*) FILTER (WHERE c.reason IS NULL), count(*) FILTER (WHERE c.reason IS NOT NULL)
      INTO loaded, rejected
    FROM kpi_service_checked AS c;
    DROP TABLE kpi_service_checked, kpi_service_unit;
    PERFORM kpi.staging_done('kpi.staging_service');
END
$$;

COMMENT ON FUNCTION kpi.ingest_services(text) IS
    'Nạp danh sách thủ tục trực tuyến của các đơn vị trong kpi.staging_service, có hiệu lực từ ngày đầu kỳ: thủ tục không còn thì hết hiệu lực từ hôm trước, thủ tục mới hoặc đổi cờ thì có hiệu lực từ ngày đầu kỳ; dòng sai vào kpi.rejected_service / Loads the lists of procedures the units of kpi.staging_service offer online, in force from the period''s first day: a procedure a unit no longer has ends the day before, a new one or one with other flags starts that day; units not in the file keep theirs; invalid rows go to kpi.rejected_service with their reasons and lines; returns how many rows were loaded and rejected';
