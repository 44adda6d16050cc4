-- src/upgrade/1.0--1.1.sql: ALTER EXTENSION kpi_ext UPDATE from 1.0 to 1.1.
--
-- src/build.pl builds kpi_ext--1.0--1.1.sql from this file: the @objects
-- and @replace lines take the statements of the 1.1 parts themselves, so a
-- function or view is written once, in its part.  What stays here is what
-- an install does not do: changing the tables of a 1.0 database in place,
-- keeping every row.  test/t_upgrade.sh proves that a 1.0 database holding
-- data, updated, equals a fresh 1.1 install and keeps every row.
\echo Use "ALTER EXTENSION kpi_ext UPDATE TO '1.1'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- kpi.ratio: order and hashing.  kpi.= gains NEGATOR, HASHES and MERGES,
-- which ALTER OPERATOR cannot set in PostgreSQL 15: it is made again.
-- ---------------------------------------------------------------------------

DROP OPERATOR kpi.= (kpi.ratio, kpi.ratio);
-- @objects src/sql/ratio.sql kpi.ratio_ne kpi.ratio_cmp kpi.ratio_lt kpi.ratio_le kpi.ratio_gt kpi.ratio_ge kpi.ratio_hash kpi.ratio_hash_extended kpi.ratio_smaller kpi.ratio_larger kpi.= kpi.<> kpi.< kpi.<= kpi.> kpi.>= kpi.ratio_ops kpi.ratio_hash_ops kpi.min kpi.max

-- ---------------------------------------------------------------------------
-- Periods: one parser of labels; every label in its one form, no dates that
-- contradict it, and whether the period has two levels (1.0 wrote labels
-- in upper case already)
-- ---------------------------------------------------------------------------

-- @objects src/sql/period.sql kpi.period_label kpi.period_two_level
ALTER TABLE kpi.period
    ADD COLUMN two_level boolean NOT NULL GENERATED ALWAYS AS (kpi.period_two_level(starts)) STORED;
-- @replace src/sql/period.sql
ALTER TABLE kpi.period
    ADD CONSTRAINT period_label_form_check CHECK (label = kpi.period_label(label)),
    ADD CONSTRAINT period_bounds_check CHECK (starts = (kpi.period_bounds(label)).starts
                                              AND ends = (kpi.period_bounds(label)).ends);

-- ---------------------------------------------------------------------------
-- The catalogue's new tables
-- ---------------------------------------------------------------------------

-- @objects src/sql/unit.sql kpi.level
-- @objects src/sql/indicator.sql kpi.dossier_flag kpi.flag_mask kpi.appendix_table

-- ---------------------------------------------------------------------------
-- kpi.indicator: how the engine counts it and where the appendix shows it
-- ---------------------------------------------------------------------------

ALTER TABLE kpi.indicator
    ADD COLUMN service text
        CONSTRAINT indicator_service_check CHECK (service IN ('online_service', 'online_payment')),
    ADD COLUMN basis text
        CONSTRAINT indicator_basis_check CHECK (basis IN ('received', 'resolved')),
    ADD COLUMN denominator_flags text[]
        CONSTRAINT indicator_denominator_flags_check CHECK (kpi.flag_mask(denominator_flags) >= 0),
    ADD COLUMN numerator_flags text[]
        CONSTRAINT indicator_numerator_flags_check CHECK (kpi.flag_mask(numerator_flags) >= 0),
    ADD COLUMN appendix_table text REFERENCES kpi.appendix_table (code),
    ADD COLUMN denominator_column text
        CONSTRAINT indicator_denominator_column_check CHECK (denominator_column ~ '^[a-z][a-z0-9_]*$'),
    ADD COLUMN numerator_column text
        CONSTRAINT indicator_numerator_column_check CHECK (numerator_column ~ '^[a-z][a-z0-9_]*$'),
    ADD CONSTRAINT indicator_formula_check CHECK (
        (basis IS NULL AND denominator_flags IS NULL AND numerator_flags IS NULL AND service IS NULL)
        OR (basis IS NOT NULL AND denominator_flags IS NOT NULL AND numerator_flags IS NOT NULL
            AND (service IS NOT NULL) = (counts = 'procedures'))),
    ADD CONSTRAINT indicator_appendix_check CHECK (appendix_table IS NULL
        OR (denominator_column IS NOT NULL AND numerator_column IS NOT NULL));

-- A user's indicator whose denominator was the dossiers received keeps
-- that meaning; it is not computed from dossiers (no basis) and is not in
-- the appendix, as in 1.0.  The built-in rows take the catalogue's values.
UPDATE kpi.indicator SET denominator_column = 'dossiers_received' WHERE per_received AND NOT builtin;
-- @rows src/sql/indicator.sql kpi.indicator

-- ---------------------------------------------------------------------------
-- Footnotes stand under a table of the catalogue
-- ---------------------------------------------------------------------------

ALTER TABLE kpi.note
    DROP CONSTRAINT note_applies_to_check,
    ADD FOREIGN KEY (applies_to) REFERENCES kpi.appendix_table (code);

-- ---------------------------------------------------------------------------
-- Units: portal codes, communes directly under the province
-- ---------------------------------------------------------------------------

DROP TRIGGER unit_check ON kpi.unit;
ALTER TABLE kpi.unit
    DROP CONSTRAINT unit_code_check,
    DROP CONSTRAINT unit_name_check,
    DROP CONSTRAINT unit_parent_check,
    ADD CONSTRAINT unit_code_check CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$' AND length(code) <= 100),
    ADD CONSTRAINT unit_name_check CHECK (btrim(name) <> ''),
    ADD CONSTRAINT unit_parent_check CHECK (parent_code IS NULL OR level = 'commune'),
    DROP CONSTRAINT unit_level_check,
    ADD CONSTRAINT unit_level_check CHECK (level IN ('province', 'district', 'commune', 'all')),
    ADD COLUMN portal_id text UNIQUE;
-- @objects src/sql/unit.sql unit_code_lower_key

-- ---------------------------------------------------------------------------
-- References checked by triggers, not foreign keys (a parallel restore loads
-- the tables in any order; src/sql/reference.sql)
-- ---------------------------------------------------------------------------

DROP TRIGGER assigned_target_unit_level ON kpi.assigned_target;
DROP TRIGGER indicator_count_unit_level ON kpi.indicator_count;
DROP TRIGGER note_unit_level ON kpi.note;
DROP FUNCTION kpi.check_unit_level();
ALTER TABLE kpi.target DROP CONSTRAINT target_indicator_fkey;
ALTER TABLE kpi.assigned_target
    DROP CONSTRAINT assigned_target_period_fkey,
    DROP CONSTRAINT assigned_target_unit_code_fkey,
    DROP CONSTRAINT assigned_target_indicator_fkey;
ALTER TABLE kpi.indicator_count
    DROP CONSTRAINT indicator_count_period_fkey,
    DROP CONSTRAINT indicator_count_unit_code_fkey,
    DROP CONSTRAINT indicator_count_indicator_fkey;
ALTER TABLE kpi.printed_summary
    DROP CONSTRAINT printed_summary_period_fkey,
    DROP CONSTRAINT printed_summary_indicator_fkey;
ALTER TABLE kpi.note
    DROP CONSTRAINT note_period_fkey,
    DROP CONSTRAINT note_unit_code_fkey;
ALTER TABLE kpi.dossier DROP CONSTRAINT dossier_unit_code_fkey;
ALTER TABLE kpi.service DROP CONSTRAINT service_unit_code_fkey;

-- ---------------------------------------------------------------------------
-- Dossiers: codes of at most 100 characters, dates from 2000 to tomorrow;
-- services with a validity
-- ---------------------------------------------------------------------------

ALTER TABLE kpi.dossier
    ADD COLUMN due_at timestamptz,
    ADD CONSTRAINT dossier_due_at_check CHECK (due_at >= received_at),
    DROP CONSTRAINT dossier_code_check,
    DROP CONSTRAINT dossier_procedure_code_check,
    ADD CONSTRAINT dossier_code_check CHECK (dossier_code <> '' AND length(dossier_code) <= 100),
    ADD CONSTRAINT dossier_procedure_code_check CHECK (procedure_code <> '' AND length(procedure_code) <= 100),
    ADD CONSTRAINT dossier_dates_check CHECK (received_at >= TIMESTAMPTZ '2000-01-01 00:00:00+14'
        AND received_at <= statement_timestamp() + INTERVAL '1 day'
        AND resolved_at <= statement_timestamp() + INTERVAL '1 day');
-- @objects src/sql/dossier.sql dossier_received_at_brin dossier_resolved_at_brin
ALTER TABLE kpi.service
    DROP CONSTRAINT service_pkey,
    DROP CONSTRAINT service_procedure_code_check,
    ADD CONSTRAINT service_procedure_code_check CHECK (procedure_code <> '' AND length(procedure_code) <= 100),
    ADD COLUMN valid_from date NOT NULL DEFAULT DATE '2000-01-01',
    ADD COLUMN valid_until date,
    ADD PRIMARY KEY (unit_code, procedure_code, valid_from),
    ADD CONSTRAINT service_validity_check CHECK (valid_until >= valid_from);

-- ---------------------------------------------------------------------------
-- Loading: staging tables of exactly the files' columns; rejected rows move
-- to tables of their own (a 1.0 row rejected before keeps its reason, with
-- no line)
-- ---------------------------------------------------------------------------

-- (tables made and dropped by this script: a temporary table would become a
-- member of the extension and could not go at commit)
CREATE TABLE kpi.upgrade_rejected_counts AS SELECT * FROM kpi.staging_counts WHERE error IS NOT NULL;
CREATE TABLE kpi.upgrade_rejected_dossier AS SELECT * FROM kpi.staging_dossier WHERE error IS NOT NULL;
DELETE FROM kpi.staging_counts WHERE error IS NOT NULL;
DELETE FROM kpi.staging_dossier WHERE error IS NOT NULL;
ALTER TABLE kpi.staging_counts DROP COLUMN error,
    SET (autovacuum_enabled = false, toast.autovacuum_enabled = false);
ALTER TABLE kpi.staging_dossier DROP COLUMN error,
    ADD COLUMN due_at text,
    SET (autovacuum_enabled = false, toast.autovacuum_enabled = false);
ALTER TABLE kpi.staging_dossier SET UNLOGGED;
-- @objects src/sql/loading.sql kpi.staging_unit kpi.staging_service kpi.rejected_unit kpi.rejected_service kpi.rejected_counts kpi.rejected_dossier kpi.dossier_read
INSERT INTO kpi.rejected_counts (line_no, error, period, level, unit_code, unit_name, indicator, target,
                                 numerator, denominator, printed_rate)
SELECT NULL, r.error, r.period, r.level, r.unit_code, r.unit_name, r.indicator, r.target,
       r.numerator, r.denominator, r.printed_rate
FROM kpi.upgrade_rejected_counts AS r;
INSERT INTO kpi.rejected_dossier (line_no, error, dossier_code, unit_code, procedure_code, received_at, channel,
                                  fee_required, paid_online, digitized, reused_data, resolved_at, e_result)
SELECT NULL, r.error, r.dossier_code, r.unit_code, r.procedure_code, r.received_at, r.channel,
       r.fee_required, r.paid_online, r.digitized, r.reused_data, r.resolved_at, r.e_result
FROM kpi.upgrade_rejected_dossier AS r;
DROP TABLE kpi.upgrade_rejected_counts, kpi.upgrade_rejected_dossier;

-- ---------------------------------------------------------------------------
-- The engine counts by combination of flags: a new kpi.tally
-- ---------------------------------------------------------------------------

DROP AGGREGATE kpi.dossier_tally(text, text, text, boolean, boolean, boolean, boolean, boolean,
                                 timestamptz, timestamptz, timestamptz, timestamptz, timestamptz);
DROP FUNCTION kpi.dossier_tally_final(internal);
DROP TYPE kpi.tally;
-- @objects src/sql/dossier.sql kpi.tally

-- ---------------------------------------------------------------------------
-- Functions and views, as the 1.1 parts define them (same names and
-- columns as in 1.0, so that users' own views on them keep working;
-- kpi.result gains dossiers_received at the end)
-- ---------------------------------------------------------------------------

-- @replace src/sql/ratio.sql
-- @replace src/sql/unit.sql
-- @replace src/sql/indicator.sql
-- @replace src/sql/dossier.sql
-- @objects src/sql/index.sql kpi.metric_group kpi.metric kpi.float8_round kpi.index_class kpi.metric_count kpi.portal_score kpi.portal_group_score
-- @replace src/sql/index.sql
-- @replace src/sql/count.sql
-- @objects src/sql/reference.sql kpi.reference
-- @replace src/sql/reference.sql
-- @replace src/sql/appendix.sql
-- @replace src/sql/report.sql
-- @replace src/sql/sample.sql
-- @replace src/sql/loading.sql
-- @replace src/sql/distribute.sql
-- @objects src/sql/loading.sql rejected_comments

-- 1.0's flags of kpi.indicator, now read from its basis and columns
ALTER TABLE kpi.indicator DROP COLUMN per_received, DROP COLUMN cumulative;
