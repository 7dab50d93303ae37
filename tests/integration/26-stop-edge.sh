#!/bin/bash
# 26-stop-edge.sh: stops at the edges. A group whose last member left it
# with setsid() (no SIGCHLD tells us) ends at its deadline without a kill,
# and a later clean shutdown still exits 0; a stopped (SIGSTOP) worker gets
# SIGCONT after its stop signal, so its stop ends at once, not at the
# deadline, while a running worker gets no SIGCONT.
. "$(dirname "$0")/lib.sh"

plan 7

ini() {
	printf '%s\n' "$2" >"$T/$1.ini"
}

daemon_pid() {
	pgrep -f 'sleep 30.777' | head -n 1
}

ini setsid "[program:d]
command = /bin/sh -c 'trap \"\" TERM; (sleep 0.3; exec setsid sleep 30.777) & exit 0'
restart = never
stop_timeout = 1s
[program:other]
command = /bin/sh -c 'echo up > $T/other.up; exec sleep 60'"
tend_start setsid -c "$T/setsid.ini"
wait_for_file "$T/other.up" 10
ok "the leftover left the group with setsid" wait_until 5 daemon_pid
D=$(daemon_pid)
[ -n "$D" ] && track_pid "$D"
ok "its instance ends at the deadline" \
    wait_for_log "$T/setsid.err" 'd:0: exited 0, restart = never' 10
kill -TERM "$TEND_PID"
tend_wait setsid 10
is "$TEND_RC" 0 "nothing was killed: clean shutdown exits 0"
ok "no kill was logged" sh -c "! grep -q 'KILL' '$T/setsid.err'"

ini stopped "[program:s]
command = /bin/sh -c 'echo \$\$\$\$ > $T/s.pid; exec sleep 60'
stop_timeout = 10s"
tend_start stopped -c "$T/stopped.ini"
S=$(read_pid "$T/s.pid")
kill -STOP "$S"
t0=$(now_ms)
kill -TERM "$TEND_PID"
tend_wait stopped 15
elapsed=$(( $(now_ms) - t0 ))
is "$TEND_RC" 0 "stopped worker: TERM + CONT end it, exit 0"
between "$elapsed" 0 3000 "stopped worker: the stop ends at once, not at the 10 s deadline"

# A running worker gets its stop signal and no SIGCONT: a blind SIGCONT
# discards a SIGSTOP in flight from a tracer attaching (LeakSanitizer's
# exit check, a crash reporter), which then waits for it forever.
ini running "[program:r]
command = $HELPERS/sigdump -l $T/r.log -p $T/r.pid -d 100"
tend_start running -c "$T/running.ini"
read_pid "$T/r.pid" >/dev/null
kill -TERM "$TEND_PID"
tend_wait running 15
is "$(tr '\n' ' ' <"$T/r.log")" "TERM " "running worker: TERM alone, no SIGCONT"

done_testing
