-- kpi.distribute() on a server without Citus: a clear error that changes
-- nothing (the scale-out itself is tested by scripts/test-citus, which
-- needs Citus).
\i test/helpers.sql
CREATE EXTENSION kpi_ext;
SELECT kpi.dossier_distributed();
SELECT kpi.distribute();
SELECT kpi.distribute(8);
-- nothing changed: the primary key and the reference triggers are there
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = 'kpi.dossier'::regclass AND contype = 'p';
SELECT tgname FROM pg_trigger WHERE tgrelid = 'kpi.dossier'::regclass AND tgname LIKE 'dossier_references%' ORDER BY 1;
SELECT kpi.dossier_distributed();
DROP EXTENSION kpi_ext;
