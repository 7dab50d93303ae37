#!/bin/bash
# 33-loop-lag.sh: the loop-lag probe and the loop's own counters. A tend
# stopped for 300 ms shows it in tend_loop_lag_seconds and its max; with
# lag_probe_interval = 0 an idle tend makes no wake-up at all (0 voluntary
# context switches in 10 s), while with the probe on it wakes each
# interval; signals and orphans are counted.
. "$(dirname "$0")/lib.sh"

plan 11

metric() {	# metric SOCK NAME-WITH-LABELS: its value
	curl -s --max-time 5 --unix-socket "$1" http://localhost/metrics |
	    awk -v n="$2" '$1 == n { print $2 }'
}
ready() {	# ready SOCK
	[ "$(curl -s --max-time 5 --unix-socket "$1" http://localhost/health)" = ok ]
}

cat >"$T/lag.ini" <<EOF
[tend]
socket = $T/lag.sock
lag_probe_interval = 50ms
[program:w]
command = sleep 100000
start_seconds = 0
[program:orphans]
command = $HELPERS/spawn-orphans -n 5 -m 50
autostart = no
restart = never
EOF
tend_start lag -c "$T/lag.ini"
LAG=$TEND_PID
wait_until 10 ready "$T/lag.sock"
ok "the probe samples every 50ms" wait_until 5 sh -c \
    "[ \"\$(curl -s --unix-socket '$T/lag.sock' http://localhost/metrics |
    awk '\$1 == \"tend_loop_lag_seconds_count\" { print \$2 }')\" -ge 5 ]"
below=$(metric "$T/lag.sock" 'tend_loop_lag_seconds_bucket{le="0.1"}')
kill -STOP "$LAG"
sleep 0.3	# the stall under test
kill -CONT "$LAG"
count=$(metric "$T/lag.sock" tend_loop_lag_seconds_count)
ok "a sample comes after the stall" wait_until 5 sh -c \
    "[ \"\$(curl -s --unix-socket '$T/lag.sock' http://localhost/metrics |
    awk '\$1 == \"tend_loop_lag_seconds_count\" { print \$2 }')\" -gt $count ]"
max=$(metric "$T/lag.sock" tend_loop_lag_max_seconds)
ok "tend_loop_lag_max_seconds shows the 300 ms stall ($max)" \
    awk -v m="$max" 'BEGIN { exit !(m >= 0.2 && m < 2) }'
ok "a sample landed above the 0.1 s bucket" \
    awk -v a="$(metric "$T/lag.sock" 'tend_loop_lag_seconds_bucket{le="0.1"}')" \
    -v b="$(metric "$T/lag.sock" 'tend_loop_lag_seconds_bucket{le="+Inf"}')" \
    -v p="$below" 'BEGIN { exit !(b - a >= 1 && a >= p) }'

kill -USR1 "$LAG"
ok "signals are counted by name" wait_until 5 sh -c \
    "curl -s --unix-socket '$T/lag.sock' http://localhost/metrics |
    grep -qx 'tend_signals_received_total{signal=\"USR1\"} 1'"
# A program that leaves 5 orphans behind (tend is their subreaper).
curl -s -X POST --unix-socket "$T/lag.sock" \
    http://localhost/programs/orphans/start >/dev/null
ok "orphans are counted as they are reaped" wait_until 5 sh -c \
    "curl -s --unix-socket '$T/lag.sock' http://localhost/metrics |
    grep -qx 'tend_orphans_reaped_total 5'"
iters=$(metric "$T/lag.sock" tend_loop_iterations_total)
between "$iters" 5 100000 "tend_loop_iterations_total counts iterations"

# Idle wake-ups: one tend with the probe off, one with it at 1s, measured
# over the same 10 s.
sed -e "s|lag.sock|idle.sock|" -e 's/= 50ms/= 0/' "$T/lag.ini" >"$T/idle.ini"
sed -e "s|lag.sock|busy.sock|" -e 's/= 50ms/= 1s/' "$T/lag.ini" >"$T/busy.ini"
kill -TERM "$LAG"
tend_wait lag 20
tend_start idle -c "$T/idle.ini"
IDLE=$TEND_PID
tend_start busy -c "$T/busy.ini"
BUSY=$TEND_PID
wait_until 10 ready "$T/idle.sock"
wait_until 10 ready "$T/busy.sock"
csw() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"; }
i0=$(csw "$IDLE") b0=$(csw "$BUSY")
sleep 10	# the idle window under test
i1=$(csw "$IDLE") b1=$(csw "$BUSY")
is "$((i1 - i0))" 0 "lag_probe_interval = 0: no wake-up in 10 s of idle"
between "$((b1 - b0))" 8 14 "lag_probe_interval = 1s: about 10 wake-ups"
is "$(metric "$T/idle.sock" tend_loop_lag_seconds_count)" 0 "no lag sample with the probe off"
kill -TERM "$IDLE" "$BUSY"
tend_wait idle 20
tend_wait busy 20
is "$TEND_RC" 0 "both exit 0"

done_testing
