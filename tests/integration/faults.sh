# faults.sh: what the 4x-faults tests share, sourced after lib.sh. A
# healthy program next to a faulty one, and tend as an unprivileged user.

# has_count FILE ERE N: at least N lines of FILE match ERE.
has_count() {
	[ -f "$1" ] && [ "$(grep -Ec -- "$2" "$1")" -ge "$3" ]
}

healthy() {
	[ "$(get /health)" = ok ]
}

# unpriv: tend is to run as a uid of its own (root only; returns 1
# otherwise). Its own, so RLIMIT_NPROC counts tend's processes alone, and
# no file but those it creates is its to write. Sets UNPRIV_UID and
# TEND_AS (what goes before tend); $T becomes its, for the socket.
unpriv() {
	[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null || return 1
	UNPRIV_UID=$((100000 + $$))
	chmod 755 "$T"
	chown "$UNPRIV_UID" "$T"
	TEND_AS="setpriv --reuid=$UNPRIV_UID --regid=$UNPRIV_UID --clear-groups"
}

# fault NAME ERE DESC [INI LINE...]: tend with "ok" (sleep, healthy) and
# "bad" (the INI LINEs, autostart = no). Once ok runs, bad is started over
# the socket; tend's stderr must then show a line matching ERE, twice (a
# retry), while ok keeps its pid and tend answers; then SIGTERM: exit 0.
# TEND_AS goes before tend. 8 tests.
TEND_AS=
fault() {
	local name=$1 ere=$2 desc=$3 pid
	shift 3
	{
		printf '[program:ok]\ncommand = sleep 100000\n'
		printf 'start_seconds = 0\n'
		printf '[program:bad]\nautostart = no\nstart_seconds = 0\n'
		printf 'backoff_initial = 100ms\nbackoff_jitter = 0\n'
		printf '%s\n' "$@"
	} >"$T/$name.ini"
	chmod 644 "$T/$name.ini"
	# shellcheck disable=SC2086
	BG_ENV="env --default-signal $TEND_AS" tend_start "$name" \
	    -c "$T/$name.ini"
	if ! wait_until 10 healthy; then
		diag_file "$T/$name.err"
		bail_out "$desc: tend did not come up"
	fi
	pid=$(inst ok .pid)
	is "$(curl -s -m 5 -X POST --unix-socket "$TEND_SOCKET" \
	    http://localhost/programs/bad/start)" "bad:0: starting" \
	    "$desc: bad is started over the socket"
	ok "$desc: logged with the program, the call and strerror" \
	    wait_for_log "$T/$name.err" "$ere" 10 ||
	    diag_file "$T/$name.err"
	ok "$desc: retried with backoff, logged again" \
	    wait_until 10 has_count "$T/$name.err" "$ere" 2
	like "$(inst bad '"\(.state) \(.restarts)"')" \
	    '^(backoff|starting|running) [1-9][0-9]*$' \
	    "$desc: /status shows bad failing and restarted"
	is "$(inst ok '"\(.pid) \(.state)"')" "$pid running" \
	    "$desc: the healthy program keeps its pid, running"
	ok "$desc: ... and its process is alive" pid_alive "$pid"
	is "$(code /health)" 200 "$desc: /health still answers 200"
	kill -TERM "$TEND_PID"
	tend_wait "$name" 20
	is "$TEND_RC" 0 "$desc: SIGTERM: clean shutdown, exit 0"
}
