#!/bin/bash
# 21-shutdown.sh: config mode start and stop order. Programs start after
# what they depend on is up and stop before it; everything else drains in
# parallel (the stop takes the slowest drain, not the sum); deadlines and
# shutdown_timeout kill what does not drain and make tend exit 1; a second
# SIGINT kills at once; shutdown_delay holds the stop; a critical program
# takes tend down with its status; a program that cannot start disturbs
# nobody.
. "$(dirname "$0")/lib.sh"

plan 25

# worker.sh NAME DRAIN_SECONDS LOG: logs "NAME start|stop|end NANOS";
# on TERM drains DRAIN_SECONDS, then exits 0.
cat >"$T/worker.sh" <<'EOF'
n=$1 d=$2 log=$3
trap 'echo "$n stop $(date +%s%N)" >>"$log"; sleep "$d"; echo "$n end $(date +%s%N)" >>"$log"; exit 0' TERM
echo "$n start $(date +%s%N)" >>"$log"
while :; do sleep 60 & wait $!; done
EOF
W="/bin/sh $T/worker.sh"

ini() {
	printf '%s\n' "$2" >"$T/$1.ini"
}

# at LOG NAME EVENT: the nanosecond stamp of that event (empty if none).
at() {
	awk -v n="$2" -v e="$3" '$1 == n && $2 == e { print $3; exit }' "$1"
}

# ms_between LOG NAME1 EVENT1 NAME2 EVENT2: ms from the first to the second.
ms_between() {
	local a b
	a=$(at "$1" "$2" "$3")
	b=$(at "$1" "$4" "$5")
	[ -n "$a" ] && [ -n "$b" ] || { echo -999999; return; }
	echo $(( (b - a) / 1000000 ))
}

count() {
	if [ -f "$1" ]; then grep -c "$2" "$1"; else echo 0; fi
}

has_count() {	# has_count FILE ERE N
	[ "$(count "$1" "$2")" -ge "$3" ]
}

# Start order: b and d after a is up (start_seconds), c after b is up.
# Stop order: c and d first, b after c has ended, a after b and d.
L=$T/order.log
ini order "[program:a]
command = $W a 0.2 $L
start_seconds = 300ms
[program:b]
command = $W b 0.2 $L
depends = a
start_seconds = 300ms
[program:c]
command = $W c 0.2 $L
depends = b
[program:d]
command = $W d 0.2 $L
depends = a"
tend_start order -c "$T/order.ini"
wait_until 10 has_count "$L" ' start ' 4
between "$(ms_between "$L" a start b start)" 280 2000 "b starts once a is up (>= 300 ms)"
between "$(ms_between "$L" b start c start)" 280 2000 "c starts once b is up"
between "$(ms_between "$L" a start d start)" 280 2000 "d starts once a is up"
kill -TERM "$TEND_PID"
tend_wait order 15
is "$TEND_RC" 0 "all drained in time: exit 0"
between "$(ms_between "$L" c end b stop)" 0 2000 "b is stopped after c has ended"
between "$(ms_between "$L" b end a stop)" 0 2000 "a is stopped after b has ended"
between "$(ms_between "$L" d end a stop)" 0 2000 "a is stopped after d has ended"
between "$(ms_between "$L" c stop d stop)" -150 150 "c and d (unordered) stop together"

# Parallel drain: 4 programs and 3 instances of a fifth, each draining 1 s,
# stop in about 1 s, not 7 s.
L=$T/par.log
body=""
for p in p1 p2 p3 p4; do
	body="$body
[program:$p]
command = $W $p 1 $L"
done
ini par "$body
[program:many]
command = $W many 1 $L
numprocs = 3"
tend_start par -c "$T/par.ini"
wait_until 10 has_count "$L" ' start ' 7
t0=$(now_ms)
kill -TERM "$TEND_PID"
tend_wait par 20
elapsed=$(( $(now_ms) - t0 ))
is "$TEND_RC" 0 "parallel drain: exit 0"
is "$(count "$L" ' end ')" 7 "parallel drain: all 7 instances drained"
between "$elapsed" 900 3000 "parallel drain: ~1 s (the slowest), not 7 s (the sum)"

# stop_timeout: a program that ignores TERM is killed at its deadline, and
# tend exits 1 (work may have been lost).
ini deadline "[program:stubborn]
command = /bin/sh -c 'trap \"\" TERM; echo up > $T/deadline.up; while :; do sleep 1; done'
stop_timeout = 500ms
[program:fine]
command = $W fine 0 $T/deadline.log"
tend_start deadline -c "$T/deadline.ini"
wait_for_file "$T/deadline.up" 10
wait_until 10 has_count "$T/deadline.log" ' start ' 1
t0=$(now_ms)
kill -TERM "$TEND_PID"
tend_wait deadline 15
elapsed=$(( $(now_ms) - t0 ))
is "$TEND_RC" 1 "killed at stop_timeout: tend exits 1"
between "$elapsed" 450 2500 "killed at the 500 ms deadline"
ok "the kill is logged" grep -q 'stubborn:0: stop deadline passed: KILL' "$T/deadline.err"

# shutdown_timeout caps the whole shutdown, whatever stop_timeout says.
ini cap "[tend]
shutdown_timeout = 1s
[program:stubborn]
command = /bin/sh -c 'trap \"\" TERM; echo up > $T/cap.up; while :; do sleep 1; done'
stop_timeout = 60s"
tend_start cap -c "$T/cap.ini"
wait_for_file "$T/cap.up" 10
t0=$(now_ms)
kill -TERM "$TEND_PID"
tend_wait cap 15
elapsed=$(( $(now_ms) - t0 ))
is "$TEND_RC" 1 "shutdown_timeout: tend exits 1"
between "$elapsed" 900 3000 "shutdown_timeout 1s wins over stop_timeout 60s"

# A second SIGINT kills at once.
ini twice "[program:stubborn]
command = /bin/sh -c 'trap \"\" TERM; echo up > $T/twice.up; while :; do sleep 1; done'
stop_timeout = 60s"
tend_start twice -c "$T/twice.ini"
wait_for_file "$T/twice.up" 10
kill -INT "$TEND_PID"
wait_for_log "$T/twice.err" 'stubborn:0: stopping' 5
t0=$(now_ms)
kill -INT "$TEND_PID"
tend_wait twice 15
elapsed=$(( $(now_ms) - t0 ))
is "$TEND_RC" 1 "second SIGINT: killed, exit 1"
between "$elapsed" 0 1500 "second SIGINT: at once"

# shutdown_delay: programs keep running that long after SIGTERM.
L=$T/delay.log
ini delay "[tend]
shutdown_delay = 500ms
[program:w]
command = $W w 0 $L"
tend_start delay -c "$T/delay.ini"
wait_until 10 has_count "$L" ' start ' 1
t0=$(date +%s%N)
kill -TERM "$TEND_PID"
tend_wait delay 10
is "$TEND_RC" 0 "shutdown_delay: exit 0"
between "$(( ($(at "$L" w stop) - t0) / 1000000 ))" 450 2000 \
    "shutdown_delay 500ms: the stop signal comes ~0.5 s after SIGTERM"

# critical: when it ends for good, everything stops and tend exits with
# its status.
L=$T/crit.log
ini crit "[program:crit]
command = /bin/sh -c 'while [ ! -s $L ]; do sleep 0.02; done; exit 5'
critical = yes
restart = on-failure
restart_limit = 0
success_exit_codes = 5
[program:other]
command = $W other 0 $L"
tend_run crit 15 -c "$T/crit.ini"
is "$TEND_RC" 5 "critical program exits 5 for good: tend exits 5"
ok "critical end: the other program was stopped" grep -q '^other stop ' "$L"

# A program that cannot start is retried with backoff and logged each
# time; the other program is not disturbed.
L=$T/iso.log
ini iso "[program:broken]
command = $T/no/such/binary
backoff_initial = 100ms
backoff_jitter = 0
[program:good]
command = $W good 0 $L"
tend_start iso -c "$T/iso.ini"
wait_until 10 has_count "$T/iso.err" "broken:0: spawn: exec($T/no/such/binary): No such file or directory" 3
ok "missing binary: logged once per attempt, with the path" \
    has_count "$T/iso.err" "broken:0: spawn: exec($T/no/such/binary): No such file or directory" 3
kill -TERM "$TEND_PID"
tend_wait iso 10
is "$(grep -c '^good ' "$L")" 3 "the good program ran undisturbed (one start, one stop, one end)"
is "$TEND_RC" 0 "missing binary: tend still drains and exits 0"

done_testing
