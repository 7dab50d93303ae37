#!/bin/bash
# 37-notify.sh: the worker protocol end to end, with the clients people
# use: systemd-notify, libsystemd's sd_notify() (helpers/sdnotify) and
# Python's socket module. READY gates starting -> running, /health and
# depends; ready_timeout is a failed start; a watchdog miss or trigger
# restarts and counts; EXTEND_TIMEOUT_USEC keeps a drain alive past
# stop_timeout but not past stop_timeout_max; spoofed and malformed
# messages are counted; a helper process may speak for its worker; a burst
# of 10000 datagrams loses nothing and leaves the loop responsive.
. "$(dirname "$0")/lib.sh"

plan 32

S=$TEND_SOCKET
SDN=$HELPERS/sdnotify
metrics() { get /metrics; }
json() { curl -s --max-time 5 --unix-socket "$S" http://localhost/status | jq -r "$1"; }
health() { curl -s --max-time 5 -o /dev/null -w '%{http_code}' --unix-socket "$S" http://localhost/health; }
up() { [ "$(health)" = 200 ]; }
stop_tend() { kill -TERM "$TEND_PID"; tend_wait "$1" 30; }
have_sdn=1; [ -x "$SDN" ] || have_sdn=0
have_sn=1; command -v systemd-notify >/dev/null || have_sn=0
have_py=1; command -v python3 >/dev/null || have_py=0

# --- systemd-notify and depends ----------------------------------------
if [ $have_sn = 1 ]; then
	touch "$T/gate"
	cat >"$T/a.ini" <<EOF
[program:a]
command = /bin/sh -c 'while [ -e $T/gate ]; do sleep 0.05; done; systemd-notify --ready --status="warm"; exec sleep 100000'
ready = notify
[program:b]
command = sleep 100000
start_seconds = 0
depends = a
EOF
	tend_start sn -c "$T/a.ini"
	wait_until 10 sh -c "[ \"\$(curl -s --unix-socket '$S' http://localhost/status | jq -r '.programs[0].instances[0].state')\" = starting ]"
	is "$(json '[.programs[].instances[0].state] | join(" ")')" "starting stopped" \
	    "ready = notify: starting until READY=1, and its dependent waits"
	is "$(health)" 503 "... /health is 503 meanwhile"
	rm -f "$T/gate"
	ok "systemd-notify --ready: /health turns 200" wait_until 10 up
	is "$(json '[.programs[].instances[0].state] | join(" ")') $(json '.programs[0].instances[0].status')" \
	    "running running warm" "... both run, with its STATUS"
	stop_tend sn
else
	skip 4 "systemd-notify is not installed (apt-get install systemd)"
fi

# --- libsystemd's sd_notify ----------------------------------------------
if [ $have_sdn = 1 ]; then
	cat >"$T/c.ini" <<EOF
[program:c]
command = $SDN +300 "READY=1\\nSTATUS=serving\\nQUEUE_DEPTH=5\\nINFLIGHT=2" env:$T/c.env
ready = notify
watchdog = 10s
EOF
	tend_start sd -c "$T/c.ini"
	is "$(health)" 503 "sd_notify: not ready before READY=1"
	ok "... ready after it" wait_until 10 up
	like "$(metrics)" 'tend_worker_queue_depth\{program="c",instance="0"\} 5' \
	    "QUEUE_DEPTH in /metrics"
	like "$(metrics)" 'tend_worker_inflight\{program="c",instance="0"\} 2' \
	    "INFLIGHT in /metrics"
	like "$(curl -s --unix-socket "$S" 'http://localhost/status?format=text')" \
	    'c:0 +running .* 5 +2 +serving' "... and in the table"
	wait_for_file "$T/c.env" 5
	is "$(cat "$T/c.env")" "WATCHDOG_USEC=10000000
WATCHDOG_PID is mine: yes" "WATCHDOG_USEC and WATCHDOG_PID as systemd sets them"
	stop_tend sd
else
	skip 6 "no libsystemd: helpers/sdnotify is not built"
fi

# --- Python, the socket module only ----------------------------------------
if [ $have_py = 1 ]; then
	cat >"$T/notify.py" <<'EOF'
import os, socket, sys, time
addr = os.environ["NOTIFY_SOCKET"]
if addr[0] == "@":
    addr = "\0" + addr[1:]
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    s.sendto(sys.argv[1].replace("\\n", "\n").encode(), addr)
time.sleep(100000)
EOF
	cat >"$T/p.ini" <<EOF
[program:p]
command = python3 $T/notify.py 'READY=1\\nNOEQUALS\\nREADY=2\\nSTATUS=py'
ready = notify
EOF
	tend_start py -c "$T/p.ini"
	ok "Python's socket module: READY=1 works" wait_until 10 up
	is "$(metric 'tend_notify_messages_total{result="malformed"}')" 2 \
	    "two malformed lines are counted..."
	is "$(json '.programs[0].instances[0].status')" py \
	    "... and the rest of the datagram applies"
	stop_tend py
else
	skip 3 "python3 is not installed"
fi

# --- ready_timeout ---------------------------------------------------------
cat >"$T/t.ini" <<EOF
[program:t]
command = sleep 100000
ready = notify
ready_timeout = 300ms
backoff_initial = 100ms
backoff_jitter = 0
EOF
tend_start rt -c "$T/t.ini"
ok "ready_timeout: a start without READY=1 fails and is retried" \
    wait_until 10 sh -c "[ \"\$(curl -s --unix-socket '$S' http://localhost/status | jq -r '.programs[0].instances[0].restarts')\" -ge 2 ]"
like "$(cat "$T/rt.err")" 't:0: no READY=1 within 0.3s: a failed start' \
    "... and says so"
stop_tend rt

# --- watchdog --------------------------------------------------------------
if [ $have_sdn = 1 ]; then
	cat >"$T/w.ini" <<EOF
[program:w]
command = $SDN READY=1 +100 WATCHDOG=1 +100 WATCHDOG=1
ready = notify
watchdog = 300ms
backoff_initial = 5s
[program:x]
command = $SDN READY=1 +200 WATCHDOG=trigger
ready = notify
watchdog = 10s
backoff_initial = 5s
EOF
	tend_start wd -c "$T/w.ini"
	ok "a missed watchdog is counted" wait_until 10 sh -c \
	    "curl -s --unix-socket '$S' http://localhost/metrics |
	    grep -qx 'tend_worker_watchdog_timeouts_total{program=\"w\",instance=\"0\"} 1'"
	ok "WATCHDOG=trigger is a miss at once" wait_until 10 sh -c \
	    "curl -s --unix-socket '$S' http://localhost/metrics |
	    grep -qx 'tend_worker_watchdog_timeouts_total{program=\"x\",instance=\"0\"} 1'"
	like "$(cat "$T/wd.err")" 'w:0: watchdog: no WATCHDOG=1 for 0.3s; sending ABRT' \
	    "... logged"
	ok "... and the instance waits to restart" wait_until 10 sh -c \
	    "[ \"\$(curl -s --unix-socket '$S' http://localhost/status | jq -r '.programs[0].instances[0] | \"\(.state) \(.restarts)\"')\" = 'backoff 1' ]"
	stop_tend wd
else
	skip 4 "no libsystemd: helpers/sdnotify is not built"
fi

# --- EXTEND_TIMEOUT_USEC ---------------------------------------------------
if [ $have_sn = 1 ]; then
	# On TERM: drain 3 s, asking for 2 s more every half second.
	cat >"$T/drain.sh" <<EOF
trap 'i=0; while [ \$i -lt 6 ]; do systemd-notify EXTEND_TIMEOUT_USEC=2000000 INFLIGHT=1; sleep 0.5; i=\$((i + 1)); done; exit 0' TERM
systemd-notify --ready
while :; do sleep 60 & wait \$!; done
EOF
	for max in 10s 1500ms; do
		cat >"$T/e.ini" <<EOF
[program:e]
command = /bin/sh $T/drain.sh
ready = notify
stop_timeout = 1s
stop_timeout_max = $max
EOF
		tend_start "ext$max" -c "$T/e.ini"
		wait_until 10 up
		t0=$(now_ms)
		kill -TERM "$TEND_PID"
		tend_wait "ext$max" 30
		eval "rc_$max=\$TEND_RC ms_$max=\$(( \$(now_ms) - t0 ))"
	done
	is "$rc_10s" 0 "EXTEND_TIMEOUT_USEC: a 3 s drain past stop_timeout = 1s exits 0"
	between "$ms_10s" 2700 6000 "... after the drain (ms)"
	is "$rc_1500ms" 1 "never past stop_timeout_max = 1500ms: killed, exit 1"
	between "$ms_1500ms" 1300 2900 "... at about 1.5 s (ms)"
else
	skip 4 "systemd-notify is not installed"
fi

# --- who may speak: spoofs, helpers ----------------------------------------
if [ $have_sdn = 1 ] && [ $have_py = 1 ]; then
	cat >"$T/h.ini" <<EOF
[program:h]
command = /bin/sh -c '$SDN READY=1 & exec sleep 100000'
ready = notify
EOF
	tend_start helper -c "$T/h.ini"
	ok "a helper process (the worker's child) may say READY=1" \
	    wait_until 10 up
	pid=$(json '.programs[0].instances[0].pid')
	addr=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^NOTIFY_SOCKET=//p')
	before=$(metric 'tend_notify_messages_total{result="unknown_pid"}')
	python3 -c '
import socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"STATUS=spoofed\nQUEUE_DEPTH=666", "\0" + a[1:])' "$addr"
	ok "a message from an unrelated process is counted as unknown_pid" \
	    wait_until 5 sh -c "[ \"\$(curl -s --unix-socket '$S' http://localhost/metrics |
	    awk '\$1 == \"tend_notify_messages_total{result=\\\"unknown_pid\\\"}\" { print \$2 }')\" -gt $before ]"
	is "$(json '.programs[0].instances[0] | "\(.status) \(.queue_depth)"')" \
	    "null 0" "... and changes nothing"
	# 5000 bytes: more than a datagram may hold, whoever sends it.
	python3 -c '
import socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"STATUS=" + b"x" * 5000, "\0" + a[1:])' "$addr"
	ok "a datagram over 4096 bytes is dropped and counted as truncated" \
	    wait_until 5 sh -c "curl -s --unix-socket '$S' http://localhost/metrics |
	    grep -qx 'tend_notify_messages_total{result=\"truncated\"} 1'"
	stop_tend helper
else
	skip 4 "needs libsystemd and python3"
fi

# --- systemd-notify as another user: it sends from its own pid ---------
if [ $have_sn = 1 ] && [ "$(id -u)" = 0 ]; then
	cat >"$T/u.ini" <<EOF
[program:u]
command = /bin/sh -c 'systemd-notify --ready; exec sleep 100000'
user = nobody
ready = notify
EOF
	tend_start user -c "$T/u.ini"
	ok "systemd-notify as nobody (its own short-lived pid) is attributed" \
	    wait_until 10 up
	stop_tend user
else
	skip 1 "needs root and systemd-notify"
fi

# --- a burst ---------------------------------------------------------------
if [ $have_sdn = 1 ]; then
	cat >"$T/b.ini" <<EOF
[tend]
lag_probe_interval = 20ms
[program:b]
command = $SDN READY=1 burst:10000
ready = notify
EOF
	tend_start burst -c "$T/b.ini"
	ok "10000 datagrams in a burst" wait_until 30 sh -c \
	    "grep -q '^burst 10000 ' '$T/burst.out'"
	ok "... all accepted (with READY=1: 10001)" wait_until 5 sh -c \
	    "[ \"\$(curl -s --unix-socket '$S' http://localhost/metrics |
	    awk '\$1 == \"tend_notify_messages_total{result=\\\"accepted\\\"}\" { print \$2 }')\" = 10001 ]"
	is "$(metric 'tend_worker_queue_depth{program="b",instance="0"}')" 10000 \
	    "... in order: the last QUEUE_DEPTH wins"
	max=$(metric tend_loop_lag_max_seconds)
	ok "the loop stays responsive: lag max $max s < 0.2 s (sanitizer build)" \
	    awk -v m="$max" 'BEGIN { exit !(m < 0.2) }'
	diag "burst: $(cat "$T/burst.out")"
	stop_tend burst
else
	skip 4 "no libsystemd: helpers/sdnotify is not built"
fi

done_testing
