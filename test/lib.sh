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
# Sessions, for concurrency tests with a deterministic interleaving (each
# step waits for a state of the server, never for a time):
#   s_open S DB         opens session S (A, B, C or D): a psql reading what
#                       s_send gives it, its output in $tmp/S.out
#   s_send S SQL        gives S a statement (or a psql command)
#   s_done S            waits until S has run everything sent so far
#   s_blocked S         waits until S waits for a lock (a row, a table or an
#                       advisory lock) held by another session
#   s_close S           ends S (its psql quits)
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
s_fd() { case $1 in A) echo 3 ;; B) echo 4 ;; C) echo 5 ;; D) echo 6 ;; esac; }
s_open() {
	mkfifo "$tmp/$1.in"
	# (without the other sessions' pipes: each psql must see its own end)
	PGAPPNAME="kpi_s_$1" "$bindir/psql" -X -q -d "$2" <"$tmp/$1.in" >"$tmp/$1.out" 2>&1 3>&- 4>&- 5>&- 6>&- &
	eval "s_pid_$1=\$!; s_n_$1=0"
	eval "exec $(s_fd "$1")>\"\$tmp/$1.in\""
	t_extra_cleanup="$t_extra_cleanup; s_close $1 2>/dev/null"
}
s_send() { eval "printf '%s\\n' \"\$2\" >&$(s_fd "$1")"; }
s_wait() {	# s_wait WHAT CONDITION: until CONDITION holds, for at most 60 s
	s_i=0
	until eval "$2"; do
		s_i=$((s_i + 1))
		if [ $s_i -gt 600 ]; then
			bad "gave up after 60 s waiting for $1"
			return 1
		fi
		sleep 0.1
	done
}
s_done() {
	eval "s_n_$1=\$((s_n_$1 + 1)); s_m=\$s_n_$1"
	s_send "$1" "\\echo s_mark_$s_m"
	s_wait "session $1 to run its statements" "grep -qx 's_mark_$s_m' \"\$tmp/$1.out\""
}
s_blocked() {
	s_wait "session $1 to wait for a lock" \
		"[ \"\$(q postgres \"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kpi_s_$1' AND wait_event_type = 'Lock'\")\" = 1 ]"
}
s_close() {
	eval "s_p=\${s_pid_$1:-}"
	[ -n "$s_p" ] || return 0
	eval "exec $(s_fd "$1")>&-"
	wait "$s_p" 2>/dev/null || :
	eval "s_pid_$1="
}
t_finish() {
	if [ "$fail" -ne 0 ]; then
		echo "$fail check(s) failed"
		exit 1
	fi
	exit 0
}
