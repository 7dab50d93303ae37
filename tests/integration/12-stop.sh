#!/bin/bash
# 12-stop.sh: the stop of the wrapper's child. It ends as soon as the child
# has exited; the deadline kills the whole group; a second SIGINT kills at
# once; what is left of the group when the child exits gets TERM (mixed).
. "$(dirname "$0")/lib.sh"

plan 18
SIGDUMP=$HELPERS/sigdump

# start NAME [TEND ARGS] -- [SIGDUMP ARGS]: tend running sigdump, which
# logs to $T/NAME.log; waits for its pid file.
start() {
	local name=$1
	shift
	tend_start "$name" "$@" -l "$T/$name.log" -p "$T/$name.pid"
	read_pid "$T/$name.pid" >/dev/null || {
		diag_file "$T/$name.err"
		bail_out "$name: sigdump did not start"
	}
}

# A child that drains for 0.3 s after TERM, then exits 0: the stop ends
# then, not at the 10 s deadline.
start drain -- "$SIGDUMP" -d 300 -x 0
t0=$(now_ms)
kill -TERM "$TEND_PID"
tend_wait drain 15
elapsed=$(( $(now_ms) - t0 ))
is "$TEND_RC" 0 "draining child: tend exits with its 0"
between "$elapsed" 250 3000 \
    "draining child: the stop ends when it exits (~0.3 s, not 10 s)"

# A child that ignores TERM: killed at --stop-timeout 0.5s.
start deadline --stop-timeout 0.5s -- "$SIGDUMP" -i
t0=$(now_ms)
kill -TERM "$TEND_PID"
tend_wait deadline 15
elapsed=$(( $(now_ms) - t0 ))
ok "TERM-ignoring child got TERM" grep -qx TERM "$T/deadline.log"
is "$TEND_RC" 137 "TERM-ignoring child: killed, tend exits 137"
between "$elapsed" 400 2500 "TERM-ignoring child: killed after ~0.5 s"

# The deadline's KILL goes to the whole group: a grandchild that ignores
# TERM does not outlive tend.
start deadgroup --stop-timeout 0.5s -- "$SIGDUMP" -i -g "$T/deadgroup.glog" \
    -G "$T/deadgroup.gpid" -I
gpid=$(cat "$T/deadgroup.gpid")
kill -TERM "$TEND_PID"
tend_wait deadgroup 15
is "$TEND_RC" 137 "group with a TERM-ignoring grandchild: tend exits 137"
ok "the TERM-ignoring grandchild is gone when tend has exited" pid_dead "$gpid"

# The child drains and exits 0 in time, but leaves a grandchild (same
# group) that ignores TERM: killed at the deadline, and tend still exits
# with the child's 0.
start leftover --stop-timeout 0.5s -- "$SIGDUMP" -g "$T/leftover.glog" \
    -G "$T/leftover.gpid" -I
gpid=$(cat "$T/leftover.gpid")
t0=$(now_ms)
kill -TERM "$TEND_PID"
tend_wait leftover 15
elapsed=$(( $(now_ms) - t0 ))
is "$TEND_RC" 0 "child exits 0, grandchild ignores TERM: tend exits 0"
ok "the grandchild left behind is killed at the deadline" pid_dead "$gpid"
between "$elapsed" 400 2500 "  ... after ~0.5 s"

# Second SIGINT: kill at once, not at the 10 s deadline.
start twice -- "$SIGDUMP" -i
kill -INT "$TEND_PID"
ok "first SIGINT: the child is asked to stop (INT, as tini passes it on)" \
    wait_for_log "$T/twice.log" '^INT$' 5
t0=$(now_ms)
kill -INT "$TEND_PID"
tend_wait twice 15
elapsed=$(( $(now_ms) - t0 ))
is "$TEND_RC" 137 "second SIGINT: the child is killed, tend exits 137"
between "$elapsed" 0 3000 "second SIGINT: tend exits at once (under 3 s)"
is "$(grep -cx INT "$T/twice.log")" 1 \
    "second SIGINT: not forwarded, the child got one INT only"

# kill_mode mixed: the child dies, its grandchild (same group) is left;
# tend sends it TERM and waits for it before exiting.
start mixed -- "$SIGDUMP" -g "$T/mixed.glog" -G "$T/mixed.gpid"
gpid=$(cat "$T/mixed.gpid")
kill -KILL "$(cat "$T/mixed.pid")"
ok "child gone, grandchild left in its group: it gets TERM" \
    wait_for_log "$T/mixed.glog" '^TERM$' 5 || diag_file "$T/mixed.err"
tend_wait mixed 15
is "$TEND_RC" 137 "tend exits with the killed child's 137"
ok "the grandchild is gone when tend has exited" pid_dead "$gpid"
ok "tend waited for the grandchild (it was reaped, not left a zombie)" \
    pid_gone "$gpid"

done_testing
