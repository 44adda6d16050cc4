-- test/compare_objects.sql: prints, one fact a line and in a stable order,
-- everything that CREATE EXTENSION kpi_ext or ALTER EXTENSION kpi_ext UPDATE
-- leaves in a database, so that two databases can be compared with diff:
--   - the extension: version, schema, configuration tables and their dump
--     filters (pg_extension.extconfig and extcondition, by name);
--   - its schema kpi: owner, privileges, comment;
--   - every member object (pg_depend deptype 'e'): its owner, comment,
--     privileges (NULL shown as the default they stand for) and initial
--     privileges (pg_init_privs, what pg_dump compares against), and its
--     definition:
--       functions and procedures: pg_get_functiondef;
--       aggregates: signature and every pg_aggregate field;
--       types: every pg_type field, domain constraints, enum labels, range
--         and composite details;
--       tables, views, sequences: columns (type, NOT NULL, default,
--         generated, identity, collation, comment, privileges), constraints,
--         indexes, triggers, rules, policies, view definitions, options,
--         and the rows of member tables;
--       operators, operator classes and families (with their members),
--         casts, event triggers, schemas;
--     a member of any other kind prints an UNHANDLED line, which
--     test/t_upgrade.sh treats as a failure: extend this file for it.
-- Usage: psql -X -At -v ON_ERROR_STOP=1 [-v ext=NAME] -f test/compare_objects.sql DB
-- Object identities come from pg_identify_object, names are printed with
-- search_path = pg_catalog so that every other name is schema-qualified,
-- and no OID is printed.
\set QUIET on
\if :{?ext}
\else
\set ext kpi_ext
\endif
SET search_path = pg_catalog;
SET lc_messages = 'C';
SET extra_float_digits = 3;
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET TimeZone = 'UTC';

SELECT NOT EXISTS (SELECT FROM pg_extension WHERE extname = :'ext') AS no_extension \gset
\if :no_extension
\echo 'compare_objects.sql: extension' :ext 'is not installed'
\quit
\endif

CREATE TEMP TABLE cmp_member AS
SELECT d.classid, d.objid, d.objsubid, i.type, i.identity,
       d.classid::regclass::text AS catalog
FROM pg_depend AS d
CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, d.objsubid) AS i
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = :'ext')
  AND d.deptype = 'e';

-- (object, key, line number, text); printed as "object :: key = text", or
-- for multi-line values "object :: key |" followed by one "| line" each.
CREATE TEMP TABLE cmp_out (obj text, key text, n integer, line text);

-- esc(text): one line
CREATE FUNCTION pg_temp.esc(t text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT replace(replace(coalesce(t, '<NULL>'), E'\\', E'\\\\'), E'\n', E'\\n') $$;
-- acl(aclitem[]): sorted, as text
CREATE FUNCTION pg_temp.acl(a aclitem[]) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT coalesce((SELECT string_agg(x::text, ' ' ORDER BY x::text COLLATE "C") FROM unnest(a) AS x), '<none>') $$;

-- the extension itself
INSERT INTO cmp_out
SELECT 'extension ' || e.extname, k, 0, v
FROM pg_extension AS e
CROSS JOIN LATERAL (VALUES
    ('version', e.extversion),
    ('schema', e.extnamespace::regnamespace::text),
    ('relocatable', e.extrelocatable::text),
    ('owner', pg_get_userbyid(e.extowner)),
    ('comment', obj_description(e.oid, 'pg_extension'))) AS kv (k, v)
WHERE e.extname = :'ext';

INSERT INTO cmp_out
SELECT 'extension ' || e.extname, 'configuration table ' || c.cfg::regclass::text, 0,
       'dump filter ' || quote_literal(e.extcondition[c.i])
FROM pg_extension AS e
CROSS JOIN LATERAL unnest(e.extconfig) WITH ORDINALITY AS c (cfg, i)
WHERE e.extname = :'ext';

-- its schema, member or not (CREATE EXTENSION creates it from the control
-- file's schema, and then it is not a member)
INSERT INTO cmp_out
SELECT 'extension schema ' || quote_ident(n.nspname), k, 0, v
FROM pg_extension AS e
JOIN pg_namespace AS n ON n.oid = e.extnamespace
CROSS JOIN LATERAL (VALUES
    ('owner', pg_get_userbyid(n.nspowner)),
    ('privileges', pg_temp.acl(coalesce(n.nspacl, acldefault('n', n.nspowner)))),
    ('comment', obj_description(n.oid, 'pg_namespace'))) AS kv (k, v)
WHERE e.extname = :'ext';

-- every member: that it is one, and its comment and initial privileges
INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, 'member', 0, m.catalog FROM cmp_member AS m;

INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity,
       CASE WHEN d.objsubid = 0 THEN 'comment'
            ELSE 'comment on column ' || quote_ident(a.attname) END,
       0, d.description
FROM cmp_member AS m
JOIN pg_description AS d ON d.classoid = m.classid AND d.objoid = m.objid
LEFT JOIN pg_attribute AS a ON m.classid = 'pg_class'::regclass AND a.attrelid = m.objid AND a.attnum = d.objsubid;

INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity,
       CASE WHEN p.objsubid = 0 THEN 'initial privileges'
            ELSE 'initial privileges of column ' || quote_ident(a.attname) END,
       0, p.privtype::text || ' ' || pg_temp.acl(p.initprivs)
FROM cmp_member AS m
JOIN pg_init_privs AS p ON p.classoid = m.classid AND p.objoid = m.objid
LEFT JOIN pg_attribute AS a ON m.classid = 'pg_class'::regclass AND a.attrelid = m.objid AND a.attnum = p.objsubid;

-- functions, procedures, aggregates
INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, k, 0, v
FROM cmp_member AS m
JOIN pg_proc AS p ON p.oid = m.objid
CROSS JOIN LATERAL (VALUES
    ('owner', pg_get_userbyid(p.proowner)),
    ('privileges', pg_temp.acl(coalesce(p.proacl, acldefault('f', p.proowner))))) AS kv (k, v)
WHERE m.classid = 'pg_proc'::regclass;

INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, 'definition', l.n, l.line
FROM cmp_member AS m
JOIN pg_proc AS p ON p.oid = m.objid
CROSS JOIN LATERAL regexp_split_to_table(rtrim(pg_get_functiondef(p.oid), E'\n'), E'\n') WITH ORDINALITY AS l (line, n)
WHERE m.classid = 'pg_proc'::regclass AND p.prokind <> 'a';

INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, k, 0, v
FROM cmp_member AS m
JOIN pg_proc AS p ON p.oid = m.objid
JOIN pg_aggregate AS g ON g.aggfnoid = p.oid
CROSS JOIN LATERAL (VALUES
    ('arguments', pg_get_function_arguments(p.oid)),
    ('result', pg_get_function_result(p.oid)),
    ('properties', format('parallel=%s volatile=%s strict=%s leakproof=%s security_definer=%s cost=%s',
        p.proparallel, p.provolatile, p.proisstrict, p.proleakproof, p.prosecdef, p.procost)),
    ('aggregate', format('kind=%s direct_args=%s sfunc=%s stype=%s sspace=%s finalfunc=%s finalextra=%s finalmodify=%s '
        'combinefunc=%s serialfunc=%s deserialfunc=%s initcond=%s sortop=%s',
        g.aggkind, g.aggnumdirectargs, g.aggtransfn::regprocedure, g.aggtranstype::regtype, g.aggtransspace,
        nullif(g.aggfinalfn, 0)::regprocedure, g.aggfinalextra, g.aggfinalmodify,
        nullif(g.aggcombinefn, 0)::regprocedure, nullif(g.aggserialfn, 0)::regprocedure,
        nullif(g.aggdeserialfn, 0)::regprocedure, quote_nullable(g.agginitval),
        nullif(g.aggsortop, 0)::regoperator)),
    ('moving aggregate', format('msfunc=%s minvfunc=%s mstype=%s msspace=%s mfinalfunc=%s mfinalextra=%s mfinalmodify=%s minitcond=%s',
        nullif(g.aggmtransfn, 0)::regprocedure, nullif(g.aggminvtransfn, 0)::regprocedure,
        nullif(g.aggmtranstype, 0)::regtype, g.aggmtransspace, nullif(g.aggmfinalfn, 0)::regprocedure,
        g.aggmfinalextra, g.aggmfinalmodify, quote_nullable(g.aggminitval)))) AS kv (k, v)
WHERE m.classid = 'pg_proc'::regclass;

-- types
INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, k, 0, v
FROM cmp_member AS m
JOIN pg_type AS t ON t.oid = m.objid
CROSS JOIN LATERAL (VALUES
    ('owner', pg_get_userbyid(t.typowner)),
    ('privileges', pg_temp.acl(coalesce(t.typacl, acldefault('T', t.typowner)))),
    ('definition', format('type=%s len=%s byval=%s align=%s storage=%s category=%s preferred=%s delim=%s '
        'input=%s output=%s receive=%s send=%s typmod_in=%s typmod_out=%s analyze=%s subscript=%s '
        'element=%s array=%s base=%s typmod=%s ndims=%s notnull=%s collation=%s default=%s',
        t.typtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typcategory, t.typispreferred,
        t.typdelim, t.typinput::regprocedure, t.typoutput::regprocedure,
        nullif(t.typreceive, 0)::regprocedure, nullif(t.typsend, 0)::regprocedure,
        nullif(t.typmodin, 0)::regprocedure, nullif(t.typmodout, 0)::regprocedure,
        nullif(t.typanalyze, 0)::regprocedure, nullif(t.typsubscript, 0)::regprocedure,
        nullif(t.typelem, 0)::regtype, nullif(t.typarray, 0)::regtype, nullif(t.typbasetype, 0)::regtype,
        t.typtypmod, t.typndims, t.typnotnull,
        (SELECT quote_ident(c.collname) FROM pg_collation AS c WHERE c.oid = t.typcollation),
        quote_nullable(t.typdefault)))) AS kv (k, v)
WHERE m.classid = 'pg_type'::regclass;

INSERT INTO cmp_out   -- domain constraints
SELECT m.type || ' ' || m.identity, 'constraint ' || quote_ident(c.conname), 0,
       pg_get_constraintdef(c.oid) || coalesce(' -- comment: ' || obj_description(c.oid, 'pg_constraint'), '')
FROM cmp_member AS m
JOIN pg_constraint AS c ON c.contypid = m.objid
WHERE m.classid = 'pg_type'::regclass;

INSERT INTO cmp_out   -- enum labels
SELECT m.type || ' ' || m.identity, 'labels', 0,
       string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
FROM cmp_member AS m
JOIN pg_enum AS e ON e.enumtypid = m.objid
WHERE m.classid = 'pg_type'::regclass
GROUP BY 1;

INSERT INTO cmp_out   -- ranges
SELECT m.type || ' ' || m.identity, 'range', 0,
       format('subtype=%s multirange=%s collation=%s opclass=%s canonical=%s diff=%s',
              r.rngsubtype::regtype, r.rngmultitypid::regtype, r.rngcollation,
              (SELECT quote_ident(o.opcname) FROM pg_opclass AS o WHERE o.oid = r.rngsubopc),
              nullif(r.rngcanonical, 0)::regprocedure, nullif(r.rngsubdiff, 0)::regprocedure)
FROM cmp_member AS m
JOIN pg_range AS r ON r.rngtypid = m.objid
WHERE m.classid = 'pg_type'::regclass;

INSERT INTO cmp_out   -- attributes of composite types
SELECT m.type || ' ' || m.identity, 'attribute ' || lpad(row_number() OVER w::text, 4, '0'), 0,
       quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
       || coalesce(' collate ' || (SELECT quote_ident(c.collname) FROM pg_collation AS c
                                   WHERE c.oid = a.attcollation AND a.attcollation <> t2.typcollation), '')
       || coalesce(' -- comment: ' || col_description(t.typrelid, a.attnum), '')
FROM cmp_member AS m
JOIN pg_type AS t ON t.oid = m.objid AND t.typtype = 'c'
JOIN pg_attribute AS a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type AS t2 ON t2.oid = a.atttypid
WHERE m.classid = 'pg_type'::regclass
WINDOW w AS (PARTITION BY m.objid ORDER BY a.attnum);

-- relations: tables, views, materialized views, sequences, ...
INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, k, 0, v
FROM cmp_member AS m
JOIN pg_class AS c ON c.oid = m.objid
CROSS JOIN LATERAL (VALUES
    ('owner', pg_get_userbyid(c.relowner)),
    ('privileges', pg_temp.acl(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)))),
    ('properties', format('kind=%s persistence=%s options=%s row_security=%s force_row_security=%s replica_identity=%s '
        'partitioned_by=%s access_method=%s',
        c.relkind, c.relpersistence, coalesce(array_to_string(c.reloptions, ','), ''),
        c.relrowsecurity, c.relforcerowsecurity, c.relreplident,
        CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
        (SELECT a.amname FROM pg_am AS a WHERE a.oid = c.relam)))) AS kv (k, v)
WHERE m.classid = 'pg_class'::regclass AND m.objsubid = 0;

-- columns, in order (attnum may differ after ALTER TABLE, the order may
-- not); the option pg_attver=N that Debian's PostgreSQL 15.20 stores for
-- every column differs between any two databases and is left out
INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, 'column ' || lpad(row_number() OVER w::text, 4, '0'), 0,
       quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || CASE a.attgenerated WHEN 's' THEN ' generated always as (' || pg_get_expr(ad.adbin, ad.adrelid) || ') stored'
               ELSE coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '') END
       || CASE a.attidentity WHEN 'a' THEN ' generated always as identity'
                             WHEN 'd' THEN ' generated by default as identity' ELSE '' END
       || coalesce(' collate ' || (SELECT quote_ident(co.collname) FROM pg_collation AS co
                                   WHERE co.oid = a.attcollation AND a.attcollation <> t.typcollation), '')
       || CASE WHEN a.attstorage <> t.typstorage THEN ' storage ' || a.attstorage::text ELSE '' END
       || CASE WHEN a.attstattarget <> -1 THEN ' statistics ' || a.attstattarget ELSE '' END
       || coalesce(' options ' || (SELECT string_agg(o, ',' ORDER BY o COLLATE "C")
                                   FROM unnest(a.attoptions) AS o WHERE o !~ '^pg_attver='), '')
       || coalesce(' privileges ' || pg_temp.acl(a.attacl), '')
FROM cmp_member AS m
JOIN pg_class AS c ON c.oid = m.objid
JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type AS t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE m.classid = 'pg_class'::regclass AND m.objsubid = 0
WINDOW w AS (PARTITION BY c.oid ORDER BY a.attnum);

INSERT INTO cmp_out   -- constraints of tables
SELECT m.type || ' ' || m.identity, 'constraint ' || quote_ident(co.conname), 0,
       pg_get_constraintdef(co.oid)
       || CASE WHEN NOT co.convalidated THEN ' not valid' ELSE '' END
       || coalesce(' -- comment: ' || obj_description(co.oid, 'pg_constraint'), '')
FROM cmp_member AS m
JOIN pg_constraint AS co ON co.conrelid = m.objid
WHERE m.classid = 'pg_class'::regclass AND m.objsubid = 0;

INSERT INTO cmp_out   -- indexes (those of constraints included)
SELECT m.type || ' ' || m.identity, 'index ' || quote_ident(ic.relname), 0,
       pg_get_indexdef(i.indexrelid)
       || CASE WHEN i.indisclustered THEN ' (clustered)' ELSE '' END
       || CASE WHEN i.indisreplident THEN ' (replica identity)' ELSE '' END
       || coalesce(' -- comment: ' || obj_description(i.indexrelid, 'pg_class'), '')
FROM cmp_member AS m
JOIN pg_index AS i ON i.indrelid = m.objid
JOIN pg_class AS ic ON ic.oid = i.indexrelid
WHERE m.classid = 'pg_class'::regclass AND m.objsubid = 0;

INSERT INTO cmp_out   -- triggers (not those of foreign keys)
SELECT m.type || ' ' || m.identity, 'trigger ' || quote_ident(tg.tgname), 0,
       pg_get_triggerdef(tg.oid) || ' (enabled ' || tg.tgenabled::text || ')'
       || coalesce(' -- comment: ' || obj_description(tg.oid, 'pg_trigger'), '')
FROM cmp_member AS m
JOIN pg_trigger AS tg ON tg.tgrelid = m.objid AND NOT tg.tgisinternal
WHERE m.classid = 'pg_class'::regclass AND m.objsubid = 0;

INSERT INTO cmp_out   -- rules other than views' _RETURN
SELECT m.type || ' ' || m.identity, 'rule ' || quote_ident(r.rulename), 0,
       pg_get_ruledef(r.oid) || ' (enabled ' || r.ev_enabled::text || ')'
       || coalesce(' -- comment: ' || obj_description(r.oid, 'pg_rewrite'), '')
FROM cmp_member AS m
JOIN pg_rewrite AS r ON r.ev_class = m.objid AND r.rulename <> '_RETURN'
WHERE m.classid = 'pg_class'::regclass AND m.objsubid = 0;

INSERT INTO cmp_out   -- row security policies
SELECT m.type || ' ' || m.identity, 'policy ' || quote_ident(p.polname), 0,
       format('command=%s permissive=%s roles=%s using=%s with_check=%s',
              p.polcmd, p.polpermissive,
              (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r) END, ',' ORDER BY 1)
               FROM unnest(p.polroles) AS r),
              pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
       || coalesce(' -- comment: ' || obj_description(p.oid, 'pg_policy'), '')
FROM cmp_member AS m
JOIN pg_policy AS p ON p.polrelid = m.objid
WHERE m.classid = 'pg_class'::regclass AND m.objsubid = 0;

INSERT INTO cmp_out   -- view and materialized view definitions
SELECT m.type || ' ' || m.identity, 'definition', l.n, l.line
FROM cmp_member AS m
JOIN pg_class AS c ON c.oid = m.objid AND c.relkind IN ('v', 'm')
CROSS JOIN LATERAL regexp_split_to_table(pg_get_viewdef(c.oid), E'\n') WITH ORDINALITY AS l (line, n)
WHERE m.classid = 'pg_class'::regclass AND m.objsubid = 0;

INSERT INTO cmp_out   -- sequences
SELECT m.type || ' ' || m.identity, 'sequence', 0,
       format('type=%s start=%s increment=%s min=%s max=%s cache=%s cycle=%s owned_by=%s',
              s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
              (SELECT d.refobjid::regclass::text || '.' || quote_ident(a.attname)
               FROM pg_depend AS d
               JOIN pg_attribute AS a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
               WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid
                 AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
FROM cmp_member AS m
JOIN pg_sequence AS s ON s.seqrelid = m.objid
WHERE m.classid = 'pg_class'::regclass;

-- operators
INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, k, 0, v
FROM cmp_member AS m
JOIN pg_operator AS o ON o.oid = m.objid
CROSS JOIN LATERAL (VALUES
    ('owner', pg_get_userbyid(o.oprowner)),
    ('definition', format('kind=%s left=%s right=%s result=%s function=%s commutator=%s negator=%s '
        'restrict=%s join=%s merges=%s hashes=%s',
        o.oprkind, nullif(o.oprleft, 0)::regtype, nullif(o.oprright, 0)::regtype, o.oprresult::regtype,
        o.oprcode::regprocedure, nullif(o.oprcom, 0)::regoperator, nullif(o.oprnegate, 0)::regoperator,
        nullif(o.oprrest, 0)::regprocedure, nullif(o.oprjoin, 0)::regprocedure, o.oprcanmerge, o.oprcanhash))) AS kv (k, v)
WHERE m.classid = 'pg_operator'::regclass;

-- operator families and classes, with their operators and support functions
INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, k, 0, v
FROM cmp_member AS m
JOIN pg_opfamily AS f ON f.oid = m.objid
CROSS JOIN LATERAL (VALUES
    ('owner', pg_get_userbyid(f.opfowner))) AS kv (k, v)
WHERE m.classid = 'pg_opfamily'::regclass;

INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, k, 0, v
FROM cmp_member AS m
JOIN pg_opclass AS c ON c.oid = m.objid
CROSS JOIN LATERAL (VALUES
    ('owner', pg_get_userbyid(c.opcowner)),
    ('definition', format('family=%s type=%s default=%s storage=%s',
        (SELECT i.identity FROM pg_identify_object('pg_opfamily'::regclass, c.opcfamily, 0) AS i),
        c.opcintype::regtype, c.opcdefault, nullif(c.opckeytype, 0)::regtype))) AS kv (k, v)
WHERE m.classid = 'pg_opclass'::regclass;

INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, 'operator ' || o.amopstrategy || ' (' || o.amoplefttype::regtype || ', ' || o.amoprighttype::regtype || ')', 0,
       o.amopopr::regoperator::text || ' purpose=' || o.amoppurpose::text
       || coalesce(' sort family ' || (SELECT i.identity FROM pg_identify_object('pg_opfamily'::regclass, nullif(o.amopsortfamily, 0), 0) AS i), '')
FROM cmp_member AS m
JOIN pg_amop AS o ON o.amopfamily = m.objid
WHERE m.classid = 'pg_opfamily'::regclass;

INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, 'function ' || p.amprocnum || ' (' || p.amproclefttype::regtype || ', ' || p.amprocrighttype::regtype || ')', 0,
       p.amproc::regprocedure::text
FROM cmp_member AS m
JOIN pg_amproc AS p ON p.amprocfamily = m.objid
WHERE m.classid = 'pg_opfamily'::regclass;

-- casts
INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, 'definition', 0,
       format('function=%s context=%s method=%s', nullif(c.castfunc, 0)::regprocedure, c.castcontext, c.castmethod)
FROM cmp_member AS m
JOIN pg_cast AS c ON c.oid = m.objid
WHERE m.classid = 'pg_cast'::regclass;

-- schemas created by the script (members)
INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, k, 0, v
FROM cmp_member AS m
JOIN pg_namespace AS n ON n.oid = m.objid
CROSS JOIN LATERAL (VALUES
    ('owner', pg_get_userbyid(n.nspowner)),
    ('privileges', pg_temp.acl(coalesce(n.nspacl, acldefault('n', n.nspowner))))) AS kv (k, v)
WHERE m.classid = 'pg_namespace'::regclass;

-- event triggers
INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, 'definition', 0,
       format('owner=%s event=%s function=%s enabled=%s tags=%s',
              pg_get_userbyid(e.evtowner), e.evtevent, e.evtfoid::regprocedure, e.evtenabled, e.evttags)
FROM cmp_member AS m
JOIN pg_event_trigger AS e ON e.oid = m.objid
WHERE m.classid = 'pg_event_trigger'::regclass;

-- any other kind of member
INSERT INTO cmp_out
SELECT m.type || ' ' || m.identity, 'UNHANDLED', 0,
       'compare_objects.sql does not compare members of ' || m.catalog || ' yet'
FROM cmp_member AS m
WHERE m.catalog NOT IN ('pg_proc', 'pg_type', 'pg_class', 'pg_operator', 'pg_opfamily', 'pg_opclass',
                        'pg_cast', 'pg_namespace', 'pg_event_trigger');

-- the rows of member tables that the extension itself puts there: all of a
-- member table's, and of a configuration table the rows its dump filter
-- leaves out (none when it dumps them all): a database holding the user's
-- rows compares equal to a fresh install
CREATE TEMP TABLE cmp_config AS
SELECT x.cfg, e.extcondition[x.i] AS cond
FROM pg_extension AS e
CROSS JOIN LATERAL unnest(e.extconfig) WITH ORDINALITY AS x (cfg, i)
WHERE e.extname = :'ext';
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT m.type || ' ' || m.identity AS obj, c.oid::regclass AS rel,
               CASE WHEN cfg.cond IS NULL THEN 'true'
                    WHEN cfg.cond = '' THEN 'false'
                    ELSE 'NOT (' || regexp_replace(cfg.cond, '^\s*WHERE\s+', '', 'i') || ')' END AS own
        FROM cmp_member AS m
        JOIN pg_class AS c ON c.oid = m.objid AND c.relkind IN ('r', 'p')
        LEFT JOIN cmp_config AS cfg ON cfg.cfg = c.oid
        WHERE m.classid = 'pg_class'::regclass
    LOOP
        EXECUTE format(
            'INSERT INTO cmp_out SELECT %L, %L, row_number() OVER (ORDER BY t::text COLLATE "C"), t::text FROM %s AS t WHERE %s',
            r.obj, 'row', r.rel, r.own);
        EXECUTE format('INSERT INTO cmp_out SELECT %L, %L, 0, count(*) FROM %s AS t WHERE %s', r.obj, 'rows', r.rel, r.own);
    END LOOP;
END
$$;

SELECT CASE WHEN n = 0 THEN obj || ' :: ' || key || ' = ' || pg_temp.esc(line)
            ELSE obj || ' :: ' || key || ' | ' || pg_temp.esc(line) END
FROM cmp_out
ORDER BY obj COLLATE "C", key COLLATE "C", n, line COLLATE "C";

DROP TABLE cmp_out, cmp_member, cmp_config;
