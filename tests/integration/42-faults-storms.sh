#!/bin/bash
# 42-faults-storms.sh: storms, in config mode with two programs. 1000
# SIGTERMs to tend while its shutdown drains: the drain is neither cut
# short nor repeated (each worker gets one TERM), tend answers meanwhile
# and exits 0, or 1 when a worker had to be killed at its deadline. A
# program that leaves 100 orphans and dies: every one is reaped and
# counted, no zombie stays, tend and the other program run on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.sh"

plan 25
SIGDUMP=$HELPERS/sigdump

# storm NAME DESC WANT-RC SIGDUMP-ARGS: programs a (sigdump with
# SIGDUMP-ARGS, stop_timeout 1s) and b (sigdump draining 3 s, stop_timeout
# 10s: long enough for the storm and the checks that follow it, even on a
# busy machine); SIGTERM, then 1000 more while they drain. 7 tests.
storm() {
	local name=$1 desc=$2 want=$3 t0 elapsed n terms
	shift 3
	cat >"$T/$name.ini" <<EOF
[program:a]
command = $SIGDUMP -l $T/$name.a.log -p $T/$name.a.pid $*
start_seconds = 0
stop_timeout = 1s
[program:b]
command = $SIGDUMP -l $T/$name.b.log -p $T/$name.b.pid -d 3000 -x 0
start_seconds = 0
stop_timeout = 10s
EOF
	tend_start "$name" -c "$T/$name.ini"
	read_pid "$T/$name.a.pid" >/dev/null && read_pid "$T/$name.b.pid" \
	    >/dev/null && wait_until 10 healthy || {
		diag_file "$T/$name.err"
		bail_out "$desc: tend did not come up"
	}
	t0=$(now_ms)
	kill -TERM "$TEND_PID"
	wait_for_log "$T/$name.err" 'shutting down: SIGTERM' 5
	n=0
	while [ "$n" -lt 1000 ] && kill -TERM "$TEND_PID" 2>/dev/null; do
		n=$((n + 1))
	done
	terms=$(metric 'tend_signals_received_total{signal="TERM"}')
	is "$n $(code /health)" "1000 503" \
	    "$desc: 1000 SIGTERMs sent while draining; /health answers 503"
	between "$terms" 2 1001 \
	    "$desc: ... and /metrics counts them (signals coalesce)"
	tend_wait "$name" 20
	is "$(grep -c "already shutting down" "$T/$name.err")" 1 \
	    "$desc: \"already shutting down\" is logged once, not per signal"
	elapsed=$(( $(now_ms) - t0 ))
	is "$TEND_RC" "$want" "$desc: tend exits $want"
	between "$elapsed" 2900 10000 \
	    "$desc: the shutdown waited for b's 3 s drain, not more"
	is "$(cat "$T/$name.a.log" 2>/dev/null)" TERM "$desc: a got one TERM"
	is "$(cat "$T/$name.b.log" 2>/dev/null)" TERM "$desc: b got one TERM"
	ok "$desc: b drained and exited 0, not killed" grep -Eq \
	    "b:0: pid [0-9]+ exited 0 after" "$T/$name.err" ||
	    diag_file "$T/$name.err"
}

storm drain "SIGTERM storm" 0 -x 0
# a ignores TERM: KILL at its 1 s deadline (the storm must not make that
# sooner, nor forget it), while b drains; tend then exits 1.
storm deadline "SIGTERM storm, a deadline passes" 1 -i
ok "SIGTERM storm, a deadline passes: a was killed at its deadline" \
    grep -Eq 'a:0: pid [0-9]+ killed by KILL after' "$T/deadline.err" ||
    diag_file "$T/deadline.err"

# --- 100 orphans ------------------------------------------------------------

# orphans: leaves 100 daemons (double fork, setsid) that live 0..300 ms,
# and exits 0 as soon as they exist.
cat >"$T/orphans.ini" <<EOF
[program:ok]
command = sleep 100000
start_seconds = 0
[program:orphans]
command = $HELPERS/spawn-orphans -n 100 -m 300 -s -p $T/orphans.pids
autostart = no
restart = never
EOF
tend_start orphans -c "$T/orphans.ini"
wait_until 10 healthy || {
	diag_file "$T/orphans.err"
	bail_out "orphans: tend did not come up"
}
pid=$(inst ok .pid)
curl -s -m 5 -X POST --unix-socket "$TEND_SOCKET" \
    http://localhost/programs/orphans/start >/dev/null
ok "orphans: the program made 100 and exited 0" \
    wait_for_log "$T/orphans.err" 'orphans:0: pid [0-9]+ exited 0 after' 10
for p in $(cat "$T/orphans.pids" 2>/dev/null); do
	track_pid "$p"
done
is "$(wc -l <"$T/orphans.pids")" 100 "orphans: 100 pids"
all_gone() {
	local p
	for p in $(cat "$T/orphans.pids"); do
		pid_gone "$p" || return 1
	done
}
ok "orphans: every one is reaped (gone, not a zombie)" wait_until 10 all_gone
is "$(metric tend_orphans_reaped_total)" 100 \
    "orphans: tend_orphans_reaped_total counts 100"
is "$(ps -o stat= --ppid "$TEND_PID" | grep -c '^Z')" 0 \
    "orphans: no zombie child of tend"
is "$(inst ok '"\(.pid) \(.state)"') $(code /health)" "$pid running 200" \
    "orphans: the other program keeps its pid; /health 200"
ok "orphans: tend runs on" pid_alive "$TEND_PID"
kill -TERM "$TEND_PID"
tend_wait orphans 20
is "$TEND_RC" 0 "orphans: SIGTERM: clean shutdown, exit 0"

done_testing
