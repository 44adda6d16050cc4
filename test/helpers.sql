\set ECHO none
-- test/helpers.sql: what the pg_regress tests share.  A test includes it
-- with \i test/helpers.sql (pg_regress runs psql at the top of the tree);
-- its statements are not echoed, so expected files show only that line.
-- Everything lives in pg_temp: gone with the session.
SET client_min_messages = warning;

-- err(q): runs q and shows the SQLSTATE, message, detail and hint it fails
-- with, or 'no error'.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE d text; h text;
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
	RETURN SQLSTATE || ' ' || SQLERRM || coalesce(' | ' || nullif(d, ''), '') || coalesce(' | ' || nullif(h, ''), '');
END $$;

-- file(name): a file name of this backend's own in the server's data
-- directory (a throw-away cluster's): parallel test runs never meet and
-- nothing is left in /tmp.
CREATE FUNCTION pg_temp.file(name text) RETURNS text LANGUAGE sql AS $$
	SELECT pg_catalog.current_setting('data_directory') || '/kpi_ext_test_' || name || '_' || pg_catalog.pg_backend_pid()
$$;

-- binary_copy(src, dst): COPY src TO a file in binary form, then COPY dst
-- FROM it (what a binary dump and restore does to every value); the number
-- of rows copied.
CREATE FUNCTION pg_temp.binary_copy(src regclass, dst regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	EXECUTE format('COPY %s TO %L (FORMAT binary)', src, pg_temp.file('binary'));
	EXECUTE format('COPY %s FROM %L (FORMAT binary)', dst, pg_temp.file('binary'));
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;

-- recv(payload, type): the bytes given to type's binary receive function (a
-- bytea field in a binary COPY file is its raw bytes, so writing one and
-- reading it back into a column of the type feeds them to receive); the
-- value as text, or the error as err() shows it.
CREATE FUNCTION pg_temp.recv(payload bytea, type regtype) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text; h text; res text;
BEGIN
	CREATE TEMP TABLE recv_raw (b bytea);
	EXECUTE format('CREATE TEMP TABLE recv_got (v %s)', type);
	BEGIN
		INSERT INTO pg_temp.recv_raw VALUES (payload);
		PERFORM pg_temp.binary_copy('pg_temp.recv_raw', 'pg_temp.recv_got');
		EXECUTE 'SELECT v::text FROM pg_temp.recv_got' INTO res;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
		res := SQLSTATE || ' ' || SQLERRM || coalesce(' | ' || nullif(d, ''), '') || coalesce(' | ' || nullif(h, ''), '');
	END;
	DROP TABLE pg_temp.recv_raw, pg_temp.recv_got;
	RETURN res;
END $$;

-- plan_has(q, node): whether running q (EXPLAIN ANALYZE) used a plan with
-- that node, such as 'Workers Launched: 2' or 'Index Scan'.
CREATE FUNCTION pg_temp.plan_has(q text, node text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
		IF line LIKE '%' || node || '%' THEN RETURN true; END IF;
	END LOOP;
	RETURN false;
END $$;

-- table_state(tables): the contents of the tables, as one hash;
-- table_versions(tables): their row versions (unchanged when nothing was
-- rewritten, even with the same contents).
CREATE FUNCTION pg_temp.table_state(tables regclass[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE t regclass; s text; all_ text := '';
BEGIN
	FOREACH t IN ARRAY tables LOOP
		EXECUTE format('SELECT pg_catalog.count(*) || '':'' || coalesce(pg_catalog.string_agg(x::text, '','' ORDER BY x::text COLLATE "C"), '''') FROM %s AS x', t) INTO s;
		all_ := all_ || t::text || '=' || s || ' / ';
	END LOOP;
	RETURN pg_catalog.md5(all_);
END $$;
CREATE FUNCTION pg_temp.table_versions(tables regclass[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE t regclass; s text; all_ text := '';
BEGIN
	FOREACH t IN ARRAY tables LOOP
		EXECUTE format('SELECT coalesce(pg_catalog.string_agg(x.ctid::text || x.xmin::text, '','' ORDER BY x.ctid), '''') FROM %s AS x', t) INTO s;
		all_ := all_ || t::text || '=' || s || ' / ';
	END LOOP;
	RETURN pg_catalog.md5(all_);
END $$;

-- refuse(): a trigger function that fails, for the failure nobody expected.
CREATE FUNCTION pg_temp.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'refused by the test';
END $$;

-- appendix_view: the appendix views the catalogue makes (src/catalogue.txt),
-- each with its level, its table and the view of every level it filters.
-- (A function, so that it reads the catalogue of the extension installed
-- when it is called.)
CREATE FUNCTION pg_temp.appendix_views()
RETURNS TABLE (view_name text, base text, level text, table_code text, table_no integer)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY
	SELECT pg_catalog.format('appendix_%s_%s', l.code, t.code), 'appendix_' || t.code, l.code, t.code,
	       ((l.position - 1) * (SELECT pg_catalog.count(*) FROM kpi.appendix_table) + t.position)::integer
	FROM kpi.level AS l CROSS JOIN kpi.appendix_table AS t
	ORDER BY 5;
END $$;

RESET client_min_messages;
\set ECHO all
