#!/bin/sh
# The refresh engine's partial state, as another process could send it (a
# parallel worker, a Citus node): kpi.dossier_tally_deserialize takes a
# well-formed state and refuses, as corrupted data, one whose unit or
# procedure code holds a NUL byte, an invalid UTF-8 sequence or more than
# 100 characters, whose procedures are out of order or repeated, or whose
# counts or sizes are wrong.  Combined and finalised as a parallel plan's
# leader does, states give their exact sums, beyond 2^32 (the engine counts
# in 32 bits and carries), and their procedures' union with OR-ed flags; a
# sum beyond bigint is an error.  And the engine
# refuses codes of more than 100 characters from any table, so that its
# memory is bounded by units x procedures.
# The states are fed through test/probe (a module built here, never
# installed), which calls the function as the executor does.  States are
# written little-endian, as the machines this runs on store them.
. "$(dirname "$0")/lib.sh"
db=kpi_t_tally_state
t_init $db
cp test/probe/kpi_probe.c test/probe/Makefile "$tmp/"
make -s -C "$tmp" PG_CONFIG="$("${PG_CONFIG:-pg_config}" --bindir)/pg_config" >"$tmp/build.out" 2>&1 \
	|| { cat "$tmp/build.out"; bad "test/probe does not build"; t_finish; }
chmod 755 "$tmp"
"$bindir/createdb" $db
psql -d $db -c 'CREATE EXTENSION kpi_ext' \
	-c "CREATE FUNCTION kpi_probe_deserialize(bytea) RETURNS text AS '$tmp/kpi_probe.so' LANGUAGE C STRICT" \
	-c "CREATE FUNCTION kpi_probe_final(bytea[]) RETURNS kpi.tally[] AS '$tmp/kpi_probe.so' LANGUAGE C STRICT" >/dev/null

# (errors are expected: no ON_ERROR_STOP)
"$bindir/psql" -X -q -At -d $db >"$tmp/out" 2>&1 <<'EOF'
\set VERBOSITY terse
-- little-endian integers
CREATE FUNCTION le(n bigint, bytes int) RETURNS bytea LANGUAGE sql AS $$
    SELECT decode(string_agg(lpad(to_hex((n >> (8 * i)) & 255), 2, '0'), '' ORDER BY i), 'hex')
    FROM generate_series(0, bytes - 1) AS i
$$;
-- a state of one unit: its code, received dossiers of flag combination 0,
-- resolved ones (counts for every combination of the flags of
-- kpi.dossier_flag), and its procedures (one entry each: length, flags, code)
CREATE FUNCTION state(unit bytea, received bigint, resolved bigint, procs bytea[]) RETURNS bytea LANGUAGE sql AS $$
    SELECT le(1, 8) || le(length(unit), 4) || unit
           || le(received, 8) || decode(repeat('00', 8 * (combinations - 1)), 'hex')
           || le(resolved, 8) || decode(repeat('00', 8 * (combinations - 1)), 'hex')
           || le(length(ks), 8) || ks
    FROM (SELECT 1 << (max(bit) + 1) AS combinations FROM kpi.dossier_flag) AS f,
         (SELECT CASE WHEN cardinality(procs) = 0 THEN le(0, 4) || le(0, 8)
                      ELSE le(2, 4) || le(cardinality(procs), 8)
                           || (SELECT string_agg(le(length(p), 4) || '\x00'::bytea || p, ''::bytea) FROM unnest(procs) AS p)
                 END AS ks) AS x
$$;
-- the same with each procedure's flags
CREATE FUNCTION state(unit bytea, received bigint, resolved bigint, procs bytea[], flags int[]) RETURNS bytea LANGUAGE sql AS $$
    SELECT le(1, 8) || le(length(unit), 4) || unit
           || le(received, 8) || decode(repeat('00', 8 * (combinations - 1)), 'hex')
           || le(resolved, 8) || decode(repeat('00', 8 * (combinations - 1)), 'hex')
           || le(length(ks), 8) || ks
    FROM (SELECT 1 << (max(bit) + 1) AS combinations FROM kpi.dossier_flag) AS f,
         (SELECT le(2, 4) || le(cardinality(procs), 8)
                 || (SELECT string_agg(le(length(p), 4) || le(f, 1) || p, ''::bytea ORDER BY i)
                     FROM unnest(procs, flags) WITH ORDINALITY AS x(p, f, i)) AS ks) AS x
$$;
CREATE FUNCTION final(what text, s bytea[]) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN what || ': ' || (SELECT string_agg(format('%s %s %s %s %s', t.unit_code, t.received, t.resolved,
                                                     t.procedures, t.procedure_flags), '; ')
                            FROM unnest(kpi_probe_final(s)) AS t);
EXCEPTION WHEN OTHERS THEN
    RETURN what || ': ' || SQLSTATE || ' ' || SQLERRM;
END $$;
CREATE FUNCTION try(what text, s bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN what || ': ' || kpi_probe_deserialize(s);
EXCEPTION WHEN OTHERS THEN
    RETURN what || ': ' || SQLSTATE || ' ' || SQLERRM;
END $$;
SELECT try('good', state('H44.07', 3, 1, ARRAY['1.001'::bytea, '1.002']));
SELECT try('good, no procedure', state('H44.07', 0, 1, '{}'));
SELECT try('good, 100 characters', state(convert_to(repeat('đ', 100), 'UTF8'), 1, 0, ARRAY[convert_to(repeat('ư', 100), 'UTF8')]));
SELECT try('unit with NUL', state('\x610062', 1, 0, '{}'));
SELECT try('unit not UTF-8', state('\x61ff62', 1, 0, '{}'));
SELECT try('unit of 101 characters', state(convert_to(repeat('đ', 101), 'UTF8'), 1, 0, '{}'));
SELECT try('procedure with NUL', state('H44.07', 1, 0, ARRAY['\x310032'::bytea]));
SELECT try('procedure not UTF-8', state('H44.07', 1, 0, ARRAY['\xc328'::bytea]));
SELECT try('procedure of 101 characters', state('H44.07', 1, 0, ARRAY[convert_to(repeat('x', 101), 'UTF8')]));
SELECT try('more procedures than dossiers', state('H44.07', 1, 0, ARRAY['1.001'::bytea, '1.002']));
SELECT try('negative count', state('H44.07', -1, 2, '{}'));
SELECT try('a unit that counts nothing', state('H44.07', 0, 0, '{}'));
SELECT try('cut short', substr(state('H44.07', 3, 1, ARRAY['1.001'::bytea]), 1, 100));
SELECT try('bytes after the end', state('H44.07', 3, 1, '{}') || '\x00'::bytea);
SELECT try('empty', '');
SELECT try('procedures out of order', state('H44.07', 3, 0, ARRAY['1.002'::bytea, '1.001']));
SELECT try('procedure twice', state('H44.07', 3, 0, ARRAY['1.001'::bytea, '1.001']));
SELECT try('long procedures out of order', state('H44.07', 3, 0, ARRAY['1.000001-abcdefgh-2'::bytea, '1.000001-abcdefgh-1']));
-- a million procedures claimed, one written: refused before any memory is taken for them
SELECT try('procedures claimed beyond the bytes',
           (SELECT overlay(s placing le(1000000, 8) from 16 * c + 31)
            FROM (SELECT state('H44.07', 3, 0, ARRAY['1.001'::bytea]) AS s, 1 << (max(bit) + 1) AS c FROM kpi.dossier_flag) AS x));
-- combined and finalised
SELECT final('one state', ARRAY[state('H44.07', 3, 1, ARRAY['1.001'::bytea, '1.002'])]);
SELECT final('beyond 2^32', ARRAY[state('H44.07', 5000000000, 4294967296, '{}')]);
SELECT final('summed across 2^32', ARRAY[state('H44.07', 3000000000, 4294967295, '{}'), state('H44.07', 3000000000, 1, '{}')]);
SELECT final('procedures merged', ARRAY[
    state('H44.07', 4, 0, ARRAY['1.001'::bytea, '1.003', '1.003-thu-tuc-dai-hon', 'z'], ARRAY[1, 0, 2, 8]),
    state('H44.07', 4, 0, ARRAY['1.002'::bytea, '1.003', '1.003-thu-tuc-dai-hon', '1.003-thu-tuc-dai-hon-nua'], ARRAY[0, 2, 1, 6]),
    state('G01', 1, 0, ARRAY['1.003'::bytea], ARRAY[1])]);
SELECT final('sum beyond bigint', ARRAY[state('H44.07', 5000000000000000000, 0, '{}'), state('H44.07', 5000000000000000000, 0, '{}')]);
-- the engine itself, on a table of the user's: codes of more than 100
-- characters are refused, 100 are counted
CREATE TABLE d AS SELECT 'u1'::text AS unit_code, repeat('p', 100) AS procedure_code;
SELECT 'procedure of 100 characters: ' || cardinality((kpi.dossier_tally(unit_code, procedure_code, 'online', false, false, false, false, false,
        '2024-01-02', NULL, '2024-01-01', '2024-04-01', '2024-01-01'))[1].procedures) FROM d;
UPDATE d SET procedure_code = repeat('p', 101);
SELECT kpi.dossier_tally(unit_code, procedure_code, 'online', false, false, false, false, false,
       '2024-01-02', NULL, '2024-01-01', '2024-04-01', '2024-01-01') FROM d;
UPDATE d SET procedure_code = 'p', unit_code = repeat('ư', 101);
SELECT kpi.dossier_tally(unit_code, procedure_code, 'online', false, false, false, false, false,
       '2024-01-02', NULL, '2024-01-01', '2024-04-01', '2024-01-01') FROM d;
EOF
expect() {
	grep -qxF "$1" "$tmp/out" || bad "expected the line: $1"
}
expect "good: accepted"
expect "one state: H44.07 {3} {1} {1.001,1.002} {0,0}"
expect "beyond 2^32: H44.07 {5000000000} {4294967296} {} {}"
expect "summed across 2^32: H44.07 {6000000000} {4294967296} {} {}"
expect "procedures merged: G01 {1} {} {1.003} {1}; H44.07 {8} {} {1.001,1.002,1.003,1.003-thu-tuc-dai-hon,1.003-thu-tuc-dai-hon-nua,z} {1,0,2,3,6,8}"
expect "sum beyond bigint: 22003 dossier count out of range"
expect "good, no procedure: accepted"
expect "good, 100 characters: accepted"
for what in "unit with NUL" "unit not UTF-8" "unit of 101 characters" "procedure with NUL" "procedure not UTF-8" \
	"procedure of 101 characters" "more procedures than dossiers" "negative count" "a unit that counts nothing" \
	"cut short" "bytes after the end" "empty" "procedures out of order" "procedure twice" "long procedures out of order" \
	"procedures claimed beyond the bytes"; do
	grep -q "^$what: XX001 " "$tmp/out" || bad "$what: not refused as corrupted data (XX001)"
done
expect "procedure of 100 characters: 1"
grep -q 'ERROR:  kpi.dossier_tally: procedure_code "pppppppppppppppppppp..." is longer than 100 characters (101)' "$tmp/out" \
	|| bad "a procedure code of 101 characters is not refused by the engine"
grep -q 'ERROR:  kpi.dossier_tally: unit_code "ưưưưưưưưưưưưưưưưưưưư..." is longer than 100 characters (101)' "$tmp/out" \
	|| bad "a unit code of 101 characters is not refused by the engine"
[ "$fail" = 0 ] || cat "$tmp/out"
ok 0 "crafted partial states: 3 good ones accepted, 16 malformed ones refused (XX001); combined exactly beyond 2^32, procedures merged, bigint overflow refused; codes over 100 characters refused by the engine"
t_finish
