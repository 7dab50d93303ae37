#!/bin/bash
# 13-reaping.sh: tend not PID 1 is a child subreaper: a daemon its child
# leaves behind (double fork + setsid) is re-parented to tend and, when it
# exits, reaped (no zombie) while tend runs on.
. "$(dirname "$0")/lib.sh"

plan 8
ORPHANS=$HELPERS/spawn-orphans
SIGDUMP=$HELPERS/sigdump

# The child makes one daemon that waits for a signal (and logs its parent
# when TERM comes) and 20 that sleep up to 0.1 s, then stays up (sigdump)
# so tend keeps running.
tend_start reap -- sh -c "'$ORPHANS' -n 1 -w -s -p '$T/daemon.pids' \
    -l '$T/daemon.term' &&
    '$ORPHANS' -n 20 -m 100 -s -p '$T/short.pids' &&
    exec '$SIGDUMP' -p '$T/child.pid'"
read_pid "$T/child.pid" >/dev/null || {
	diag_file "$T/reap.err"
	bail_out "the child did not start"
}
daemon=$(cat "$T/daemon.pids")
track_pid "$daemon"
for pid in $(cat "$T/short.pids"); do
	track_pid "$pid"
done

is "$(ps -o ppid= -p "$daemon" | tr -d ' ')" "$TEND_PID" \
    "the daemonized grandchild is re-parented to tend (subreaper)"
kill -TERM "$daemon"
ok "the grandchild is reaped once it exits" wait_until 5 pid_gone "$daemon" ||
    diag "ps: $(ps -o pid=,ppid=,stat= -p "$daemon")"
# Its parent at its last moment is the process that reaps it.
is "$(cat "$T/daemon.term" 2>/dev/null)" "TERM $TEND_PID" \
    "its parent was still tend when it got TERM and exited"
ok "tend still runs" pid_alive "$TEND_PID"

all_gone() {
	local pid
	for pid in $(cat "$T/short.pids"); do
		pid_gone "$pid" || return 1
	done
}
ok "20 short-lived daemons are all reaped" wait_until 5 all_gone ||
    diag "left: $(ps -o pid=,ppid=,stat= -p "$(tr '\n' , <"$T/short.pids")0")"
is "$(ps -o stat= --ppid "$TEND_PID" | grep -c '^Z')" 0 \
    "no zombie child of tend"

kill -TERM "$TEND_PID"
tend_wait reap 15
is "$TEND_RC" 0 "tend exits with the child's status"
ok "tend's log names no problem" test ! -s "$T/reap.err" ||
    diag_file "$T/reap.err"

done_testing
