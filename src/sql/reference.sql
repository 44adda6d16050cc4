-- src/sql/reference.sql: how the tables refer to each other.  A figure
-- names its period, unit and indicator; a dossier and a service name their
-- unit; a commune names its district; a metric's counts and the portal's
-- scores name their period, unit and metric.  These references are checked by the
-- triggers below rather than by foreign keys, for two reasons:
--   - a parallel restore (pg_restore -j) loads the tables' rows in any
--     order, each table in its own transaction, and a foreign key between
--     two tables of an extension refuses the rows that arrive before those
--     they name; the triggers check nothing while a dump is loaded
--     (check_function_bodies = off, which pg_dump and pg_restore set so that
--     a dump may refer forward), and kpi.dangling_references() lists what a
--     load left unresolved;
--   - they check a whole statement at once (a load of millions of dossiers
--     looks up each unit once, not once a row), and add the rules of the
--     levels: figures at level L belong to a unit of level L (commune level
--     figures may name a district: the sum over its communes), a commune's
--     parent is a district.
-- Two transactions cannot break a reference together: a statement that
-- names a row locks it (FOR SHARE) until it commits, and a change of that
-- row (code, level, deletion) waits for it, then checks what it committed.
-- Like a foreign key's, the checks and cascades run with the privileges of
-- the tables' owner (SECURITY DEFINER): a role that may insert figures need
-- not be allowed to lock units.

CREATE TABLE kpi.reference (
    child text NOT NULL,
    child_column text NOT NULL,
    parent text NOT NULL,
    parent_column text NOT NULL,
    on_delete text NOT NULL
        CONSTRAINT reference_on_delete_check CHECK (on_delete IN ('restrict', 'cascade')),
    rule text
        CONSTRAINT reference_rule_check CHECK (rule IN ('same_level', 'district')),
    PRIMARY KEY (child, child_column)
);

INSERT INTO kpi.reference (child, child_column, parent, parent_column, on_delete, rule) VALUES
    ('kpi.unit', 'parent_code', 'kpi.unit', 'code', 'restrict', 'district'),
    ('kpi.target', 'indicator', 'kpi.indicator', 'code', 'restrict', NULL),
    ('kpi.assigned_target', 'period', 'kpi.period', 'label', 'restrict', NULL),
    ('kpi.assigned_target', 'unit_code', 'kpi.unit', 'code', 'restrict', 'same_level'),
    ('kpi.assigned_target', 'indicator', 'kpi.indicator', 'code', 'restrict', NULL),
    ('kpi.indicator_count', 'period', 'kpi.period', 'label', 'restrict', NULL),
    ('kpi.indicator_count', 'unit_code', 'kpi.unit', 'code', 'restrict', 'same_level'),
    ('kpi.indicator_count', 'indicator', 'kpi.indicator', 'code', 'restrict', NULL),
    ('kpi.printed_summary', 'period', 'kpi.period', 'label', 'restrict', NULL),
    ('kpi.printed_summary', 'indicator', 'kpi.indicator', 'code', 'restrict', NULL),
    ('kpi.note', 'period', 'kpi.period', 'label', 'restrict', NULL),
    ('kpi.note', 'unit_code', 'kpi.unit', 'code', 'restrict', 'same_level'),
    ('kpi.dossier', 'unit_code', 'kpi.unit', 'code', 'restrict', NULL),
    ('kpi.service', 'unit_code', 'kpi.unit', 'code', 'cascade', NULL),
    ('kpi.metric_count', 'period', 'kpi.period', 'label', 'restrict', NULL),
    ('kpi.metric_count', 'unit_code', 'kpi.unit', 'code', 'restrict', NULL),
    ('kpi.metric_count', 'metric', 'kpi.metric', 'code', 'restrict', NULL),
    ('kpi.portal_score', 'period', 'kpi.period', 'label', 'restrict', NULL),
    ('kpi.portal_score', 'unit_code', 'kpi.unit', 'code', 'restrict', NULL),
    ('kpi.portal_score', 'metric', 'kpi.metric', 'code', 'restrict', NULL),
    ('kpi.portal_group_score', 'period', 'kpi.period', 'label', 'restrict', NULL),
    ('kpi.portal_group_score', 'unit_code', 'kpi.unit', 'code', 'restrict', NULL);

GRANT SELECT ON kpi.reference TO PUBLIC;

COMMENT ON TABLE kpi.reference IS
    'Các tham chiếu giữa các bảng, do trigger kiểm tra / The references between the tables, checked by triggers: a row of child names a row of parent';
COMMENT ON COLUMN kpi.reference.child IS 'Bảng tham chiếu / The table whose rows name another''s';
COMMENT ON COLUMN kpi.reference.child_column IS 'Cột tham chiếu / Its column that names them';
COMMENT ON COLUMN kpi.reference.parent IS 'Bảng được tham chiếu / The table named';
COMMENT ON COLUMN kpi.reference.parent_column IS 'Khóa của bảng được tham chiếu / Its key';
COMMENT ON COLUMN kpi.reference.on_delete IS 'Khi xóa dòng được tham chiếu: restrict (từ chối) hoặc cascade (xóa theo) / When a named row is deleted: restrict (refused) or cascade (the rows naming it go too); a new key always follows to them';
COMMENT ON COLUMN kpi.reference.rule IS 'Quy tắc thêm: same_level (số liệu cấp L thuộc đơn vị cấp L, cấp xã có thể ghi theo huyện), district (đơn vị cấp trên là huyện) / Further rule: same_level (figures at level L belong to a unit of level L; commune level figures may name a district), district (the parent is a district)';

-- The new rows of a statement name existing rows, and keep them (FOR SHARE)
-- until the transaction ends; with the rules of the levels.
CREATE FUNCTION kpi.check_references() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    v_missing text;
    v_bad text;
BEGIN
    IF current_setting('check_function_bodies') = 'off' THEN
        RETURN NULL;            -- a dump being loaded: kpi.dangling_references() checks afterwards
    END IF;
    FOR r IN SELECT x.* FROM kpi.reference AS x
             WHERE x.child = TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME ORDER BY x.child_column
    LOOP
        EXECUTE format($q$
            WITH k AS (SELECT DISTINCT n.%1$I AS key FROM new_rows AS n WHERE n.%1$I IS NOT NULL),
                 p AS (SELECT p.%3$I AS key FROM %2$s AS p WHERE p.%3$I IN (SELECT k.key FROM k) FOR SHARE)
            SELECT string_agg(format('"%%s"', k.key), ', ' ORDER BY k.key)
            FROM (SELECT k.key FROM k WHERE k.key NOT IN (SELECT p.key FROM p) ORDER BY k.key LIMIT 5) AS k$q$,
            r.child_column, r.parent, r.parent_column)
        INTO v_missing;
        IF v_missing IS NOT NULL THEN
            RAISE EXCEPTION 'insert or update on table "%": % % not found in %',
                    TG_TABLE_NAME, r.child_column, v_missing, r.parent
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('Every %s of %s.%s is a %s of %s.', r.child_column, TG_TABLE_SCHEMA,
                                      TG_TABLE_NAME, r.parent_column, r.parent),
                      TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
        END IF;
        IF r.rule = 'same_level' THEN
            SELECT format('unit "%s" is a %s unit and cannot have %s level figures', u.code, u.level, n.level)
              INTO v_bad
            FROM new_rows AS n JOIN kpi.unit AS u ON u.code = n.unit_code
            WHERE NOT (u.level = n.level OR (n.level = 'commune' AND u.level = 'district'))
            ORDER BY u.code LIMIT 1;
            IF v_bad IS NOT NULL THEN
                RAISE EXCEPTION '%', v_bad
                    USING ERRCODE = 'check_violation',
                          DETAIL = 'Figures at a level belong to units of that level; commune level figures may also name a district, meaning the sum over its communes.',
                          TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
            END IF;
        ELSIF r.rule = 'district' THEN
            SELECT format('the parent of commune "%s" must be a district, and "%s" is a %s unit', n.code, p.code, p.level)
              INTO v_bad
            FROM new_rows AS n JOIN kpi.unit AS p ON p.code = n.parent_code
            WHERE p.level <> 'district'
            ORDER BY n.code LIMIT 1;
            IF v_bad IS NOT NULL THEN
                RAISE EXCEPTION '%', v_bad
                    USING ERRCODE = 'check_violation',
                          TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION kpi.check_references() IS
    'Trigger: các dòng mới của câu lệnh tham chiếu dòng có thật (khóa FOR SHARE đến hết giao dịch), theo kpi.reference / Trigger: the new rows of a statement name rows that exist (locked FOR SHARE until the transaction ends), with the rules of the levels, as kpi.reference says; nothing is checked while a dump is loaded (check_function_bodies = off)';

-- A named row that changes its key: the rows naming it follow.  Run once a
-- row, after the change; the rows' own statement triggers check them.
CREATE FUNCTION kpi.cascade_key() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    v_old text;
    v_new text;
BEGIN
    FOR r IN SELECT x.* FROM kpi.reference AS x
             WHERE x.parent = TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME ORDER BY x.child, x.child_column
    LOOP
        v_old := to_jsonb(OLD) ->> r.parent_column;
        v_new := to_jsonb(NEW) ->> r.parent_column;
        IF v_old IS DISTINCT FROM v_new THEN
            EXECUTE format('UPDATE %s SET %I = $1 WHERE %I = $2', r.child, r.child_column, r.child_column)
                USING v_new, v_old;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION kpi.cascade_key() IS
    'Trigger: khi mã của dòng được tham chiếu đổi, các dòng tham chiếu đổi theo / Trigger: when the key of a named row changes, the rows naming it follow';

-- Named rows deleted: the rows naming them go too (cascade) or the deletion
-- is refused (restrict).  The deletion has waited for every transaction that
-- named them; what they committed is seen here.
CREATE FUNCTION kpi.check_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    v_named text;
BEGIN
    IF current_setting('transaction_isolation') = 'repeatable read' THEN
        -- its snapshot would not see rows naming them committed since it began
        RAISE EXCEPTION 'rows of %.% cannot be deleted in a REPEATABLE READ transaction', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'serialization_failure',
                  HINT = 'Delete them in a READ COMMITTED (the default) or SERIALIZABLE transaction.';
    END IF;
    FOR r IN SELECT x.* FROM kpi.reference AS x
             WHERE x.parent = TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME ORDER BY x.child, x.child_column
    LOOP
        IF r.on_delete = 'cascade' THEN
            EXECUTE format('DELETE FROM %s AS c WHERE c.%I IN (SELECT o.%I FROM old_rows AS o)',
                           r.child, r.child_column, r.parent_column);
        ELSE
            EXECUTE format($q$
                SELECT string_agg(format('"%%s"', x.key), ', ' ORDER BY x.key)
                FROM (SELECT DISTINCT c.%2$I AS key FROM %1$s AS c
                      WHERE c.%2$I IN (SELECT o.%3$I FROM old_rows AS o)
                      ORDER BY 1 LIMIT 5) AS x$q$, r.child, r.child_column, r.parent_column)
            INTO v_named;
            IF v_named IS NOT NULL THEN
                RAISE EXCEPTION 'delete on table "%": % still named by %.%',
                        TG_TABLE_NAME, v_named, r.child, r.child_column
                    USING ERRCODE = 'foreign_key_violation',
                          DETAIL = format('%s.%s names %s.%s.', r.child, r.child_column, r.parent, r.parent_column),
                          HINT = format('Delete or change the rows of %s first.', r.child),
                          TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION kpi.check_deleted() IS
    'Trigger: dòng bị xóa không còn được tham chiếu, hoặc các dòng tham chiếu bị xóa theo / Trigger: deleted rows are named no more (restrict), or the rows naming them go too (cascade), as kpi.reference says';

-- What a load with check_function_bodies = off (a restore) left unresolved:
-- every value of a child column that names no row.
CREATE FUNCTION kpi.dangling_references()
RETURNS TABLE (child text, child_column text, value text, rows bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT x.* FROM kpi.reference AS x ORDER BY x.child, x.child_column LOOP
        RETURN QUERY EXECUTE format($q$
            SELECT %1$L::text, %2$L::text, c.%2$I::text, count(*)
            FROM %1$s AS c
            WHERE c.%2$I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %3$s AS p WHERE p.%4$I = c.%2$I)
            GROUP BY c.%2$I ORDER BY c.%2$I$q$, r.child, r.child_column, r.parent, r.parent_column);
    END LOOP;
END
$$;

COMMENT ON FUNCTION kpi.dangling_references() IS
    'Các giá trị tham chiếu đến dòng không tồn tại (sau khi nạp bản sao lưu) / The values of a child column that name no row, as a load with check_function_bodies = off (a restore) may leave them: empty after a restore of a consistent dump';

-- The triggers: one pair a child (transition tables take one event a
-- trigger), one set a parent.
CREATE TRIGGER unit_references_insert AFTER INSERT ON kpi.unit
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER unit_references_update AFTER UPDATE ON kpi.unit
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER target_references_insert AFTER INSERT ON kpi.target
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER target_references_update AFTER UPDATE ON kpi.target
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER assigned_target_references_insert AFTER INSERT ON kpi.assigned_target
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER assigned_target_references_update AFTER UPDATE ON kpi.assigned_target
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER indicator_count_references_insert AFTER INSERT ON kpi.indicator_count
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER indicator_count_references_update AFTER UPDATE ON kpi.indicator_count
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER printed_summary_references_insert AFTER INSERT ON kpi.printed_summary
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER printed_summary_references_update AFTER UPDATE ON kpi.printed_summary
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER note_references_insert AFTER INSERT ON kpi.note
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER note_references_update AFTER UPDATE ON kpi.note
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER dossier_references_insert AFTER INSERT ON kpi.dossier
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER dossier_references_update AFTER UPDATE ON kpi.dossier
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER service_references_insert AFTER INSERT ON kpi.service
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER service_references_update AFTER UPDATE ON kpi.service
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();

CREATE TRIGGER metric_count_references_insert AFTER INSERT ON kpi.metric_count
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER metric_count_references_update AFTER UPDATE ON kpi.metric_count
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER portal_score_references_insert AFTER INSERT ON kpi.portal_score
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER portal_score_references_update AFTER UPDATE ON kpi.portal_score
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER portal_group_score_references_insert AFTER INSERT ON kpi.portal_group_score
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();
CREATE TRIGGER portal_group_score_references_update AFTER UPDATE ON kpi.portal_group_score
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_references();

CREATE TRIGGER unit_cascade_key AFTER UPDATE OF code ON kpi.unit
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code) EXECUTE FUNCTION kpi.cascade_key();
CREATE TRIGGER unit_check_deleted AFTER DELETE ON kpi.unit
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_deleted();
CREATE TRIGGER period_cascade_key AFTER UPDATE OF label ON kpi.period
    FOR EACH ROW WHEN (OLD.label IS DISTINCT FROM NEW.label) EXECUTE FUNCTION kpi.cascade_key();
CREATE TRIGGER period_check_deleted AFTER DELETE ON kpi.period
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_deleted();
CREATE TRIGGER indicator_cascade_key AFTER UPDATE OF code ON kpi.indicator
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code) EXECUTE FUNCTION kpi.cascade_key();
CREATE TRIGGER indicator_check_deleted AFTER DELETE ON kpi.indicator
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_deleted();
CREATE TRIGGER metric_cascade_key AFTER UPDATE OF code ON kpi.metric
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code) EXECUTE FUNCTION kpi.cascade_key();
CREATE TRIGGER metric_check_deleted AFTER DELETE ON kpi.metric
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi.check_deleted();
