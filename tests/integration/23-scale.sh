#!/bin/bash
# 23-scale.sh: one program with numprocs = 1000. All 1000 instances start
# and run as tend's children, SIGTERM drains them all at once (tend reaps
# every one of them itself and exits 0), and nothing of them is left, not
# even a zombie. The start time, the drain time and tend's memory while the
# 1000 run are printed as diagnostics (figures for the README and the
# benchmarks, not pass/fail criteria beyond generous bounds).
. "$(dirname "$0")/lib.sh"

plan 18
N=1000

# A sleep argument no other test or process uses, to find our sleeps by.
ARG=1000.$$
ini="$T/scale.ini"
printf '%s\n' "[program:s]
command = /bin/sleep $ARG
numprocs = $N
start_seconds = 0
stop_timeout = 20s" >"$ini"

count() {	# count FILE ERE: matching lines (0 when FILE is missing)
	if [ -f "$1" ]; then grep -Ec -- "$2" "$1"; else echo 0; fi
}

has_count() {	# has_count FILE ERE N
	[ "$(count "$1" "$2")" -ge "$3" ]
}

# live_children: tend's children that are our sleeps and not zombies.
live_children() {
	ps --ppid "$TEND_PID" -o stat=,args= |
	    awk -v a="$ARG" '$1 !~ /^Z/ && $3 == a' | wc -l
}

has_live_children() {
	[ "$(live_children)" -ge "$1" ]
}

# leftovers: any process whose parent is tend, or that is one of our sleeps.
leftovers() {
	ps -eo pid=,ppid=,stat=,args= |
	    awk -v p="$TEND_PID" -v a="$ARG" '$2 == p || $5 == a'
}

t0=$(now_ms)
tend_start scale -c "$ini" --log-level info
wait_until 25 has_count "$T/scale.err" ': started pid [0-9]+$' "$N" &&
    wait_until 10 has_live_children "$N"
started_ms=$(( $(now_ms) - t0 ))
is "$(count "$T/scale.err" ': started pid [0-9]+$')" "$N" \
    "all $N instances logged as started" ||
    diag "$(tail -n 5 "$T/scale.err")"
is "$(live_children)" "$N" "$N live sleeps are tend's children"
is "$(ps --ppid "$TEND_PID" -o stat= | grep -c '^Z')" 0 \
    "no zombie among tend's children while they run"
diag "start: $started_ms ms from tend's start to all $N up"
mem=$(awk '/^Vm(HWM|RSS):/ { printf "%s %s %s  ", $1, $2, $3 }' \
    "/proc/$TEND_PID/status")
diag "tend's memory with $N instances: $mem"

t0=$(now_ms)
kill -TERM "$TEND_PID"
tend_wait scale 25
stop_ms=$(( $(now_ms) - t0 ))
diag "drain stop: $stop_ms ms from SIGTERM to tend's exit"
is "$TEND_RC" 0 "SIGTERM: tend exits 0 once all $N have drained"
# stop_timeout is 20 s: a stop that waited out a deadline takes longer.
between "$stop_ms" 0 10000 \
    "the drain ends when the last instance exits, not at a deadline"
is "$(count "$T/scale.err" ': pid [0-9]+ ended by TERM after ')" "$N" \
    "tend reaped every one of the $N itself (an exit line for each)"
ok "no leftover: no process of them, no zombie child of tend" \
    test -z "$(leftovers)" || diag "left: $(leftovers | head -n 5)"
ok "all programs stopped, logged" \
    grep -q 'all programs stopped' "$T/scale.err"
is "$(count "$T/scale.err" '^tend: (warn|error)')" 0 \
    "tend's log names no problem (no descriptor or process exhaustion)" ||
    diag "$(grep -E '^tend: (warn|error)' "$T/scale.err" | head -n 5)"

# Instances start in batches (1 ms of spawning a loop iteration), so a SIGTERM that
# comes during a large start is read after the current batch, not after
# all of them: 2000 instances, TERM at the first start line.
printf '%s\n' "[program:s]
command = /bin/sleep $ARG
numprocs = 2000
start_seconds = 0" >"$T/early.ini"
tend_start early -c "$T/early.ini" --log-level info
wait_for_log "$T/early.err" ': started pid [0-9]+$' 10
kill -TERM "$TEND_PID"
tend_wait early 30
is "$TEND_RC" 0 "TERM during a 2000-instance start: exit 0"
started=$(count "$T/early.err" ': started pid [0-9]+$')
diag "started before the TERM was read: $started of 2000"
between "$started" 1 1999 "TERM is read between start batches, not after all 2000"
is "$(leftovers | wc -l)" 0 "TERM during a large start: nothing left behind"

# Restarts share the iteration's 1 ms spawn slice: 1000 instances killed
# together end their backoff in the same iteration, and a SIGTERM sent at
# the first restart is read after a batch, not after all 1000 restarts.
printf '%s\n' "[program:s]
command = /bin/sleep $ARG
numprocs = $N
start_seconds = 0
restart = always
backoff_initial = 1s
backoff_jitter = 0" >"$T/storm.ini"
tend_start storm -c "$T/storm.ini" --log-level info
wait_until 60 has_live_children "$N"
curl -s -o /dev/null --max-time 10 --unix-socket "$TEND_SOCKET" \
    -X POST http://localhost/programs/s/signal/KILL
# The first restart's line, after the N start lines.
ok "the 1000 killed instances restart" \
    wait_until 30 has_count "$T/storm.err" ': started pid [0-9]+$' $((N + 1))
kill -TERM "$TEND_PID"
tend_wait storm 60
is "$TEND_RC" 0 "TERM during 1000 restarts: exit 0"
restarted=$(( $(count "$T/storm.err" ': started pid [0-9]+$') - N ))
diag "restarted before the TERM was read: $restarted of $N"
between "$restarted" 1 $((N - 1)) \
    "TERM is read between restart batches, not after all $N"

# So do starts asked for on the control socket: POST start of 1000
# instances returns at once and they start slice by slice.
printf '%s\n' "[program:s]
command = /bin/sleep $ARG
numprocs = $N
start_seconds = 0
autostart = no" >"$T/ctl.ini"
tend_start ctl -c "$T/ctl.ini" --log-level info
wait_for_file "$TEND_SOCKET" 10
curl -s -o /dev/null --max-time 10 --unix-socket "$TEND_SOCKET" \
    -X POST http://localhost/programs/s/start
ok "POST start of 1000: they start" \
    wait_until 30 has_count "$T/ctl.err" ': started pid [0-9]+$' 1
kill -TERM "$TEND_PID"
tend_wait ctl 60
is "$TEND_RC" 0 "TERM during a POSTed start of 1000: exit 0"
started=$(count "$T/ctl.err" ': started pid [0-9]+$')
diag "started before the TERM was read: $started of $N"
between "$started" 1 $((N - 1)) \
    "TERM is read between the POSTed start's batches, not after all $N"

done_testing
