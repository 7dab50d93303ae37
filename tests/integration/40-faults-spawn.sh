#!/bin/bash
# 40-faults-spawn.sh: faults in starting a program, in config mode next to
# a healthy one: a missing binary, a file without the x bit, a directory
# that does not exist, and fork failing (RLIMIT_NPROC as an unprivileged
# user). Each time tend logs a line naming the program, the call and
# strerror, retries with backoff, leaves the healthy program alone (same
# pid, running), keeps answering on its control socket and shuts down
# cleanly (exit 0).
. "$(dirname "$0")/lib.sh"

plan 32

S=$TEND_SOCKET
get() {
	curl -s -m 5 --unix-socket "$S" "http://localhost$1"
}
code() {
	curl -s -m 5 -o /dev/null -w '%{http_code}' --unix-socket "$S" \
	    "http://localhost$1"
}
# inst PROGRAM JQ: a field of the program's instance 0 in /status.
inst() {
	get /status | jq -r --arg p "$1" \
	    ".programs[] | select(.name == \$p) | .instances[0] | $2"
}
count() {
	grep -Ec -- "$2" "$1"
}
has_count() {
	[ -f "$1" ] && [ "$(count "$1" "$2")" -ge "$3" ]
}

# fault NAME ERE DESC [INI LINE...]: tend with "ok" (sleep, healthy) and
# "bad" (the INI LINEs, autostart = no). Once ok runs, bad is started over
# the socket; its failure must be logged as ERE, twice (a retry), while ok
# keeps its pid and tend answers; then SIGTERM: exit 0. TEND_AS goes
# before tend (to run it as another user). 8 tests.
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
	if ! wait_until 10 sh -c "[ \"\$(curl -s -m 5 --unix-socket '$S' \
	    http://localhost/health)\" = ok ]"; then
		diag_file "$T/$name.err"
		bail_out "$desc: tend did not come up"
	fi
	pid=$(inst ok .pid)
	is "$(curl -s -m 5 -X POST --unix-socket "$S" \
	    http://localhost/programs/bad/start)" "bad:0: starting" \
	    "$desc: bad is started over the socket"
	ok "$desc: logged with the program, the call and strerror" \
	    wait_for_log "$T/$name.err" "^tend: error: bad:0: $ere\$" 10 ||
	    diag_file "$T/$name.err"
	ok "$desc: retried with backoff, logged again" \
	    wait_until 10 has_count "$T/$name.err" "bad:0: $ere\$" 2
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

fault missing "spawn: exec\\($T/no-such-binary\\): No such file or directory" \
    "missing binary" "command = $T/no-such-binary"

printf '#!/bin/sh\nexit 0\n' >"$T/not-executable"
chmod 644 "$T/not-executable"
fault noexec "spawn: exec\\($T/not-executable\\): Permission denied" \
    "no x permission" "command = $T/not-executable"

fault nodir "spawn: chdir\\($T/no/such/dir\\): No such file or directory" \
    "missing directory" "command = /bin/true" "directory = $T/no/such/dir"

# fork failing: root is exempt from RLIMIT_NPROC, so tend runs as a uid
# of its own (no other process has it, so the count is exact and no
# parallel test disturbs it) with room for 2 processes: itself and "ok".
# "bad"'s vfork then fails with EAGAIN.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
    command -v prlimit >/dev/null; then
	uid=$((100000 + $$))
	chmod 755 "$T"
	chown "$uid" "$T"
	TEND_AS="setpriv --reuid=$uid --regid=$uid --clear-groups
	    prlimit --nproc=2"
	fault nproc 'spawn: vfork: Resource temporarily unavailable' \
	    "fork fails (RLIMIT_NPROC)" "command = sleep 100000"
	TEND_AS=
	chown 0 "$T"
else
	skip 8 "fork failure: needs root, setpriv and prlimit"
fi

done_testing
