-- src/sql/distribute.sql: kpi_ext on Citus, PostgreSQL's distributed engine
-- (docs/scaling.md).  kpi.distribute() spreads kpi.dossier over the
-- workers by unit_code; every other table stays on the coordinator, where
-- the few rows per unit that come out of the engine are joined with them.
-- kpi.refresh then runs the engine on the workers, a tally per unit (GROUP
-- BY unit_code goes down to the shards whole), so no dossier row crosses
-- the network.

-- Whether kpi.dossier is a distributed table (Citus's catalogue, read only
-- when Citus is there).
CREATE FUNCTION kpi.dossier_distributed() RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result boolean := false;
BEGIN
    IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition WHERE logicalrelid = ''kpi.dossier''::regclass)'
            INTO result;
    END IF;
    RETURN result;
END
$$;
COMMENT ON FUNCTION kpi.dossier_distributed() IS
    'kpi.dossier có phân tán trên Citus không / Whether kpi.dossier is distributed by Citus (kpi.distribute)';

-- Distributes kpi.dossier by unit_code.  What changes, because Citus needs
-- it: the primary key becomes (unit_code, dossier_code) (a unique key of a
-- distributed table includes its distribution column: a dossier code is
-- then unique within its unit), and the statement triggers that check the
-- dossiers' units go (they would run on the workers, where kpi.unit is
-- not; kpi.ingest_dossiers checks every unit itself, and
-- kpi.dangling_references() finds what came another way).  Idempotent.
CREATE FUNCTION kpi.distribute(shard_count integer DEFAULT NULL) RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $$
DECLARE
    local_rows bigint;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'kpi.distribute() needs Citus, and the extension citus is not installed in database "%"',
                current_database()
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Install Citus, add it to shared_preload_libraries, CREATE EXTENSION citus, add the workers; docs/scaling.md.';
    END IF;
    IF shard_count IS NOT NULL AND shard_count NOT BETWEEN 1 AND 64000 THEN
        RAISE EXCEPTION 'shard_count % is not between 1 and 64000', shard_count
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF kpi.dossier_distributed() THEN
        RETURN 'kpi.dossier is already distributed';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_constraint
               WHERE conrelid = 'kpi.dossier'::regclass AND conname = 'dossier_pkey'
                 AND conkey <> (SELECT ARRAY[a.attnum, b.attnum]::int2[] FROM pg_catalog.pg_attribute AS a, pg_catalog.pg_attribute AS b
                                WHERE a.attrelid = 'kpi.dossier'::regclass AND a.attname = 'unit_code'
                                  AND b.attrelid = 'kpi.dossier'::regclass AND b.attname = 'dossier_code')) THEN
        ALTER TABLE kpi.dossier DROP CONSTRAINT dossier_pkey;
        ALTER TABLE kpi.dossier ADD CONSTRAINT dossier_pkey PRIMARY KEY (unit_code, dossier_code);
    END IF;
    -- rows already here (a restored dump): Citus copies them to the shards;
    -- their copy on the coordinator is then removed, not left on disk
    SELECT count(*) INTO local_rows FROM kpi.dossier;
    DROP TRIGGER IF EXISTS dossier_references_insert ON kpi.dossier;
    DROP TRIGGER IF EXISTS dossier_references_update ON kpi.dossier;
    IF shard_count IS NULL THEN
        EXECUTE 'SELECT create_distributed_table(''kpi.dossier'', ''unit_code'')';
    ELSE
        EXECUTE format('SELECT create_distributed_table(''kpi.dossier'', ''unit_code'', shard_count => %s)', shard_count);
    END IF;
    IF local_rows > 0 THEN
        EXECUTE 'SELECT truncate_local_data_after_distributing_table(''kpi.dossier'')';
    END IF;
    RETURN format('kpi.dossier is distributed by unit_code over %s shards on %s workers%s',
                  (SELECT count(*) FROM pg_catalog.pg_dist_shard WHERE logicalrelid = 'kpi.dossier'::regclass),
                  (SELECT count(*) FROM pg_catalog.pg_dist_node WHERE noderole = 'primary' AND groupid > 0),
                  CASE WHEN local_rows > 0 THEN format('; its %s dossiers moved there', local_rows) ELSE '' END);
END
$$;
COMMENT ON FUNCTION kpi.distribute(integer) IS
    'Phân tán kpi.dossier trên các máy Citus theo unit_code / Distributes kpi.dossier over the Citus workers by unit_code (primary key (unit_code, dossier_code); the other tables stay on the coordinator); an error on a server without Citus; docs/scaling.md';
