#!/bin/bash
# 35-control-fds.sh: tend out of file descriptors while connections
# arrive. accept4 fails with EMFILE; tend says so once, stops accepting for
# a moment instead of spinning, and serves every waiting connection as
# descriptors free up. Its workers are not disturbed, /health answers
# afterwards and SIGTERM still ends it cleanly. Started with too few
# descriptors to set up at all, tend says which call failed and exits 1,
# never aborts.
. "$(dirname "$0")/lib.sh"

plan 10

cat >"$T/c.ini" <<EOF2
[program:a]
command = sleep 100000
start_seconds = 0
[program:b]
command = sleep 100000
start_seconds = 0
EOF2
# 16 descriptors: tend's own (std, libev, signalfd, socket...) leave room
# for only a few connections at a time.
BG_ENV="env --default-signal prlimit --nofile=16" tend_start tend -c "$T/c.ini"
ok "tend is up" wait_until 10 sh -c \
    "curl -s --unix-socket '$TEND_SOCKET' http://localhost/health | grep -qx ok"
pids() {
	curl -s --unix-socket "$TEND_SOCKET" http://localhost/status |
	    jq -r '[.programs[].instances[0] | "\(.pid) \(.state)"] | join(" ")'
}
before=$(pids)
"$HELPERS/uconn" "$TEND_SOCKET" many 40 >"$T/many"
is "$(cat "$T/many")" "200 40" "all 40 connections are served in the end"
like "$(cat "$T/tend.err")" 'accept4\(.*\): pausing accepts: Too many open files' \
    "running out of descriptors is logged"
is "$(grep -c 'pausing accepts' "$T/tend.err")" 1 "... once"
like "$before" '^[0-9]+ running [0-9]+ running$' "both workers ran before"
is "$(pids)" "$before" "the workers were not disturbed (same pids, running)"
is "$(curl -s -m 5 --unix-socket "$TEND_SOCKET" http://localhost/health)" ok \
    "/health answers ok afterwards"
kill -TERM "$TEND_PID"
tend_wait tend 20
is "$TEND_RC" 0 "SIGTERM: clean shutdown, exit 0"
# From 3 descriptors up: every limit either runs the command (0), or ends
# with 1 (set-up failed) or 126 (the command could not be started, as a
# shell says it) and the failing call on stderr; the lowest limit that runs
# is reached, so the walk covers every set-up step that opens something.
# Below some limit the dynamic loader itself fails (127, before tend runs).
bad= first_ok=
for n in 3 4 5 6 7 8 9 10 11 12 13 14 15 16 20 24 32; do
	$NOLEAKS prlimit --nofile=$n "$TEND" -s none -- true \
	    2>"$T/nofile-$n.err"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		[ -n "$first_ok" ] || first_ok=$n
	elif [ "$rc" -eq 127 ] &&
	    grep -q 'error while loading shared libraries' "$T/nofile-$n.err"
	then
		:
	elif { [ "$rc" -ne 1 ] && [ "$rc" -ne 126 ]; } ||
	    ! grep -Eq '^tend: error: .*[a-z0-9_]+: Too many open files' \
	    "$T/nofile-$n.err"; then
		bad="$bad $n:$rc"
		diag_file "$T/nofile-$n.err"
	fi
done
is "${bad:-none}" none "few fds: exit 1 naming the call, never a crash"
ok "... and tend runs from some limit on (first: ${first_ok:-none})" \
    test -n "$first_ok"

done_testing
