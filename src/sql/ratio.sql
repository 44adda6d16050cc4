-- src/sql/ratio.sql: the type kpi.ratio, an exact share of two counts, its
-- functions, and the aggregates that make ratios from rows (share, sum,
-- coverage).  The first part of the install script: the control file names
-- schema kpi, which CREATE EXTENSION creates before running it.
\echo Use "CREATE EXTENSION kpi_ext" to load this file. \quit

------------------------------------------------------------------------
-- kpi.ratio
------------------------------------------------------------------------

CREATE TYPE kpi.ratio;

CREATE FUNCTION kpi.ratio_in(cstring) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'ratio_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.ratio_out(kpi.ratio) RETURNS cstring
	AS 'MODULE_PATHNAME', 'ratio_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.ratio_recv(internal) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'ratio_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.ratio_send(kpi.ratio) RETURNS bytea
	AS 'MODULE_PATHNAME', 'ratio_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE kpi.ratio (
	INPUT = kpi.ratio_in,
	OUTPUT = kpi.ratio_out,
	RECEIVE = kpi.ratio_recv,
	SEND = kpi.ratio_send,
	INTERNALLENGTH = 16,
	ALIGNMENT = double,
	STORAGE = plain
);

COMMENT ON TYPE kpi.ratio IS
	'Exact share of two counts, numerator/denominator with 0 <= numerator <= denominator; 0/0 means nothing to count (tỷ lệ: tử số/mẫu số)';
COMMENT ON FUNCTION kpi.ratio_in(cstring) IS 'Text input of kpi.ratio: two decimal integers around one slash, such as 59/72';
COMMENT ON FUNCTION kpi.ratio_out(kpi.ratio) IS 'Text output of kpi.ratio';
COMMENT ON FUNCTION kpi.ratio_recv(internal) IS 'Binary input of kpi.ratio (two int8), validated like text input';
COMMENT ON FUNCTION kpi.ratio_send(kpi.ratio) IS 'Binary output of kpi.ratio (two int8)';

CREATE FUNCTION kpi.ratio(numerator bigint, denominator bigint) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'ratio_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio(bigint, bigint) IS
	'The ratio numerator/denominator; an error unless 0 <= numerator <= denominator';

CREATE FUNCTION kpi.numerator(kpi.ratio) RETURNS bigint
	AS 'MODULE_PATHNAME', 'ratio_numerator' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.numerator(kpi.ratio) IS 'Numerator (tử số) of a ratio';

CREATE FUNCTION kpi.denominator(kpi.ratio) RETURNS bigint
	AS 'MODULE_PATHNAME', 'ratio_denominator' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.denominator(kpi.ratio) IS 'Denominator (mẫu số) of a ratio';

CREATE FUNCTION kpi.ratio_eq(kpi.ratio, kpi.ratio) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ratio_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION kpi.ratio_eq(kpi.ratio, kpi.ratio) IS
	'True when both ratios have the same numerator and the same denominator (1/2 and 2/4 differ)';

CREATE FUNCTION kpi.ratio_ne(kpi.ratio, kpi.ratio) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ratio_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION kpi.ratio_ne(kpi.ratio, kpi.ratio) IS 'True when the ratios differ in numerator or denominator';

-- Order: by value, exactly (n1*d2 against n2*d1 in 128 bits); 0/0 before
-- every other ratio; equal values by denominator, smaller first (1/2 < 2/4).
-- So two ratios are equal in the order exactly when they have the same
-- counts, as kpi.= says, which btree and hash indexes need.
CREATE FUNCTION kpi.ratio_cmp(kpi.ratio, kpi.ratio) RETURNS integer
	AS 'MODULE_PATHNAME', 'ratio_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION kpi.ratio_cmp(kpi.ratio, kpi.ratio) IS
	'-1, 0 or 1: the order of kpi.ratio (by value, exactly; 0/0 first; equal values by denominator)';
CREATE FUNCTION kpi.ratio_lt(kpi.ratio, kpi.ratio) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ratio_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION kpi.ratio_lt(kpi.ratio, kpi.ratio) IS 'Less than, in the order of kpi.ratio_cmp';
CREATE FUNCTION kpi.ratio_le(kpi.ratio, kpi.ratio) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ratio_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION kpi.ratio_le(kpi.ratio, kpi.ratio) IS 'Less than or equal, in the order of kpi.ratio_cmp';
CREATE FUNCTION kpi.ratio_gt(kpi.ratio, kpi.ratio) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ratio_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION kpi.ratio_gt(kpi.ratio, kpi.ratio) IS 'Greater than, in the order of kpi.ratio_cmp';
CREATE FUNCTION kpi.ratio_ge(kpi.ratio, kpi.ratio) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ratio_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION kpi.ratio_ge(kpi.ratio, kpi.ratio) IS 'Greater than or equal, in the order of kpi.ratio_cmp';
CREATE FUNCTION kpi.ratio_hash(kpi.ratio) RETURNS integer
	AS 'MODULE_PATHNAME', 'ratio_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_hash(kpi.ratio) IS 'Hash of the two counts (hash indexes, hash joins, DISTINCT, GROUP BY)';
CREATE FUNCTION kpi.ratio_hash_extended(kpi.ratio, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'ratio_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_hash_extended(kpi.ratio, bigint) IS 'Hash of the two counts with a seed (hash partitioning)';
CREATE FUNCTION kpi.ratio_smaller(kpi.ratio, kpi.ratio) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'ratio_smaller' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_smaller(kpi.ratio, kpi.ratio) IS 'The smaller of two ratios: transition and combine function of kpi.min';
CREATE FUNCTION kpi.ratio_larger(kpi.ratio, kpi.ratio) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'ratio_larger' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_larger(kpi.ratio, kpi.ratio) IS 'The larger of two ratios: transition and combine function of kpi.max';

CREATE OPERATOR kpi.= (
	LEFTARG = kpi.ratio,
	RIGHTARG = kpi.ratio,
	FUNCTION = kpi.ratio_eq,
	COMMUTATOR = OPERATOR(kpi.=),
	NEGATOR = OPERATOR(kpi.<>),
	RESTRICT = eqsel,
	JOIN = eqjoinsel,
	HASHES,
	MERGES
);
COMMENT ON OPERATOR kpi.= (kpi.ratio, kpi.ratio) IS 'Same counts: equal numerators and equal denominators';
CREATE OPERATOR kpi.<> (
	LEFTARG = kpi.ratio, RIGHTARG = kpi.ratio, FUNCTION = kpi.ratio_ne,
	COMMUTATOR = OPERATOR(kpi.<>), NEGATOR = OPERATOR(kpi.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR kpi.<> (kpi.ratio, kpi.ratio) IS 'Other counts';
CREATE OPERATOR kpi.< (
	LEFTARG = kpi.ratio, RIGHTARG = kpi.ratio, FUNCTION = kpi.ratio_lt,
	COMMUTATOR = OPERATOR(kpi.>), NEGATOR = OPERATOR(kpi.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
COMMENT ON OPERATOR kpi.< (kpi.ratio, kpi.ratio) IS 'Smaller, by value exactly (kpi.ratio_cmp)';
CREATE OPERATOR kpi.<= (
	LEFTARG = kpi.ratio, RIGHTARG = kpi.ratio, FUNCTION = kpi.ratio_le,
	COMMUTATOR = OPERATOR(kpi.>=), NEGATOR = OPERATOR(kpi.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
COMMENT ON OPERATOR kpi.<= (kpi.ratio, kpi.ratio) IS 'Smaller or equal, by value exactly (kpi.ratio_cmp)';
CREATE OPERATOR kpi.> (
	LEFTARG = kpi.ratio, RIGHTARG = kpi.ratio, FUNCTION = kpi.ratio_gt,
	COMMUTATOR = OPERATOR(kpi.<), NEGATOR = OPERATOR(kpi.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
COMMENT ON OPERATOR kpi.> (kpi.ratio, kpi.ratio) IS 'Larger, by value exactly (kpi.ratio_cmp)';
CREATE OPERATOR kpi.>= (
	LEFTARG = kpi.ratio, RIGHTARG = kpi.ratio, FUNCTION = kpi.ratio_ge,
	COMMUTATOR = OPERATOR(kpi.<=), NEGATOR = OPERATOR(kpi.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);
COMMENT ON OPERATOR kpi.>= (kpi.ratio, kpi.ratio) IS 'Larger or equal, by value exactly (kpi.ratio_cmp)';

CREATE OPERATOR CLASS kpi.ratio_ops DEFAULT FOR TYPE kpi.ratio USING btree AS
	OPERATOR 1 kpi.< ,
	OPERATOR 2 kpi.<= ,
	OPERATOR 3 kpi.= ,
	OPERATOR 4 kpi.>= ,
	OPERATOR 5 kpi.> ,
	FUNCTION 1 kpi.ratio_cmp(kpi.ratio, kpi.ratio);
COMMENT ON OPERATOR CLASS kpi.ratio_ops USING btree IS
	'Order of kpi.ratio: by value exactly, 0/0 first, equal values by denominator (ORDER BY, indexes, min/max, merge joins)';
CREATE OPERATOR CLASS kpi.ratio_hash_ops DEFAULT FOR TYPE kpi.ratio USING hash AS
	OPERATOR 1 kpi.= ,
	FUNCTION 1 kpi.ratio_hash(kpi.ratio),
	FUNCTION 2 kpi.ratio_hash_extended(kpi.ratio, bigint);
COMMENT ON OPERATOR CLASS kpi.ratio_hash_ops USING hash IS
	'Hashing of kpi.ratio by its two counts (DISTINCT, GROUP BY, hash joins, hash indexes)';

CREATE FUNCTION kpi.percent(r kpi.ratio, digits integer DEFAULT 1) RETURNS numeric
	AS 'MODULE_PATHNAME', 'ratio_percent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.percent(kpi.ratio, integer) IS
	'100 * numerator / denominator rounded half away from zero to digits decimals (0 to 16); NULL when the denominator is 0';

CREATE FUNCTION kpi.gap(r kpi.ratio, target numeric) RETURNS numeric
	AS 'MODULE_PATHNAME', 'ratio_gap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.gap(kpi.ratio, numeric) IS
	'100 * numerator / denominator - target, in percentage points, unrounded (exact to 30 decimals); NULL when the denominator is 0 or target is NULL';

CREATE FUNCTION kpi.met(r kpi.ratio, target numeric) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ratio_met' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.met(kpi.ratio, numeric) IS
	'Whether 100 * numerator >= target * denominator, exactly; NULL when the denominator is 0 or target is NULL';

CREATE FUNCTION kpi.format_vi(value numeric, digits integer DEFAULT 1, trim_zeros boolean DEFAULT false) RETURNS text
	AS 'MODULE_PATHNAME', 'kpi_format_vi' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.format_vi(numeric, integer, boolean) IS
	'Vietnamese report number: rounded half away from zero, decimal comma, dot thousands (1.234,5); - for NULL; trim_zeros drops trailing zero decimals as the report prints them (100, 81,9)';

------------------------------------------------------------------------
-- Aggregates whose state is a kpi.ratio
------------------------------------------------------------------------

CREATE FUNCTION kpi.ratio_share_trans(kpi.ratio, boolean) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'ratio_share_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_share_trans(kpi.ratio, boolean) IS 'Transition function of kpi.share';

CREATE FUNCTION kpi.ratio_sum_trans(kpi.ratio, kpi.ratio) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'ratio_sum_trans' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_sum_trans(kpi.ratio, kpi.ratio) IS
	'Pools two ratios (sums of numerators and denominators): transition function of kpi.sum, combine function of kpi.share and kpi.sum';

CREATE AGGREGATE kpi.share(boolean) (
	SFUNC = kpi.ratio_share_trans,
	STYPE = kpi.ratio,
	COMBINEFUNC = kpi.ratio_sum_trans,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.share(boolean) IS
	'Share of true among non-NULL inputs: count(*) FILTER (WHERE b) over count(b), as a kpi.ratio; NULL for no rows';

CREATE AGGREGATE kpi.sum(kpi.ratio) (
	SFUNC = kpi.ratio_sum_trans,
	STYPE = kpi.ratio,
	COMBINEFUNC = kpi.ratio_sum_trans,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.sum(kpi.ratio) IS
	'Pooled ratio: sum of numerators over sum of denominators (not the mean of rates); NULL inputs ignored';

CREATE AGGREGATE kpi.min(kpi.ratio) (
	SFUNC = kpi.ratio_smaller,
	STYPE = kpi.ratio,
	COMBINEFUNC = kpi.ratio_smaller,
	SORTOP = OPERATOR(kpi.<),
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.min(kpi.ratio) IS 'The smallest ratio, by value exactly (kpi.ratio_cmp); NULL inputs ignored';

CREATE AGGREGATE kpi.max(kpi.ratio) (
	SFUNC = kpi.ratio_larger,
	STYPE = kpi.ratio,
	COMBINEFUNC = kpi.ratio_larger,
	SORTOP = OPERATOR(kpi.>),
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.max(kpi.ratio) IS 'The largest ratio, by value exactly (kpi.ratio_cmp); NULL inputs ignored';

------------------------------------------------------------------------
-- kpi.coverage: distinct keys, and of those the ones hit
------------------------------------------------------------------------

CREATE TYPE kpi.coverage_state;

CREATE FUNCTION kpi.coverage_state_in(cstring) RETURNS kpi.coverage_state
	AS 'MODULE_PATHNAME', 'coverage_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.coverage_state_out(kpi.coverage_state) RETURNS cstring
	AS 'MODULE_PATHNAME', 'coverage_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.coverage_state_recv(internal) RETURNS kpi.coverage_state
	AS 'MODULE_PATHNAME', 'coverage_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.coverage_state_send(kpi.coverage_state) RETURNS bytea
	AS 'MODULE_PATHNAME', 'coverage_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE kpi.coverage_state (
	INPUT = kpi.coverage_state_in,
	OUTPUT = kpi.coverage_state_out,
	RECEIVE = kpi.coverage_state_recv,
	SEND = kpi.coverage_state_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);
COMMENT ON TYPE kpi.coverage_state IS
	'State of kpi.coverage: the distinct keys seen, each marked + (hit) or - (not hit), such as {+1,-7} or {+"1.001612",-"2.000123"}';
COMMENT ON FUNCTION kpi.coverage_state_in(cstring) IS 'Text input of kpi.coverage_state';
COMMENT ON FUNCTION kpi.coverage_state_out(kpi.coverage_state) IS 'Text output of kpi.coverage_state, keys in sorted order';
COMMENT ON FUNCTION kpi.coverage_state_recv(internal) IS 'Binary input of kpi.coverage_state, validated like text input';
COMMENT ON FUNCTION kpi.coverage_state_send(kpi.coverage_state) IS 'Binary output of kpi.coverage_state, keys in sorted order';

CREATE FUNCTION kpi.coverage_trans(kpi.coverage_state, bigint, boolean) RETURNS kpi.coverage_state
	AS 'MODULE_PATHNAME', 'coverage_trans_int8' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.coverage_trans(kpi.coverage_state, bigint, boolean) IS 'Transition function of kpi.coverage(bigint, boolean)';

CREATE FUNCTION kpi.coverage_trans(kpi.coverage_state, text, boolean) RETURNS kpi.coverage_state
	AS 'MODULE_PATHNAME', 'coverage_trans_text' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.coverage_trans(kpi.coverage_state, text, boolean) IS 'Transition function of kpi.coverage(text, boolean)';

CREATE FUNCTION kpi.coverage_combine(kpi.coverage_state, kpi.coverage_state) RETURNS kpi.coverage_state
	AS 'MODULE_PATHNAME', 'coverage_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.coverage_combine(kpi.coverage_state, kpi.coverage_state) IS
	'Union of two coverage states (a key is hit if hit in either): combine function of kpi.coverage';

CREATE FUNCTION kpi.coverage_final(kpi.coverage_state) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'coverage_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.coverage_final(kpi.coverage_state) IS
	'Keys hit over distinct keys: final function of kpi.coverage';

CREATE AGGREGATE kpi.coverage(key bigint, hit boolean) (
	SFUNC = kpi.coverage_trans,
	STYPE = kpi.coverage_state,
	FINALFUNC = kpi.coverage_final,
	COMBINEFUNC = kpi.coverage_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.coverage(bigint, boolean) IS
	'count(DISTINCT key) FILTER (WHERE hit) over count(DISTINCT key), exactly, as a kpi.ratio; NULL keys ignored, a NULL hit counts as not hit';

CREATE AGGREGATE kpi.coverage(key text, hit boolean) (
	SFUNC = kpi.coverage_trans,
	STYPE = kpi.coverage_state,
	FINALFUNC = kpi.coverage_final,
	COMBINEFUNC = kpi.coverage_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.coverage(text, boolean) IS
	'count(DISTINCT key) FILTER (WHERE hit) over count(DISTINCT key), exactly, as a kpi.ratio; NULL keys ignored, a NULL hit counts as not hit';
