# test/lib.sh: what the shell tests share.  A test starts with
#   . "$(dirname "$0")/lib.sh"; t_init DB...
# which moves to the top of the tree, drops the databases DB... now and at
# exit, and makes $tmp, a private directory removed at exit.  Then:
#   psql ARGS...        psql, quiet, stopping at the first error
#   q DB SQL            the rows of one statement, unaligned
#   bad MESSAGE         records a failed check
#   ok SINCE MESSAGE    prints "ok: MESSAGE" if no check failed since $fail was SINCE
#   t_cleanup_also CMD  runs CMD at exit too
#   t_finish            the test's exit status
set -eu
cd "$(dirname "$0")/.."
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
fail=0
t_dbs=""
t_extra_cleanup=":"

psql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
q() { t_db=$1; shift; psql -At -d "$t_db" -c "$*"; }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
ok() { [ "$fail" -ne "$1" ] || echo "ok: $2"; }
t_dropdbs() { for d in $t_dbs; do "$bindir/dropdb" --if-exists "$d" 2>/dev/null || :; done; }
t_cleanup_also() { t_extra_cleanup="$t_extra_cleanup; $*"; }
t_cleanup() { t_dropdbs; eval "$t_extra_cleanup"; rm -rf "$tmp"; }
t_init() {
	t_dbs="$*"
	tmp=$(mktemp -d)
	trap t_cleanup EXIT
	t_dropdbs
}
t_finish() {
	if [ "$fail" -ne 0 ]; then
		echo "$fail check(s) failed"
		exit 1
	fi
	exit 0
}
