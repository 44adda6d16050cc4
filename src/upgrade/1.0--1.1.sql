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
-- The catalogue's new tables
-- ---------------------------------------------------------------------------

-- @objects src/sql/period.sql kpi.period_label
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
-- @replace src/sql/period.sql
-- @replace src/sql/unit.sql
-- @replace src/sql/indicator.sql
-- @replace src/sql/count.sql
-- @replace src/sql/appendix.sql
-- @replace src/sql/report.sql
-- @replace src/sql/sample.sql
-- @replace src/sql/dossier.sql
-- @replace src/sql/loading.sql

-- 1.0's flags of kpi.indicator, now read from its basis and columns
ALTER TABLE kpi.indicator DROP COLUMN per_received, DROP COLUMN cumulative;
