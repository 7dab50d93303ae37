#!/bin/bash
# 36-notify.sh: the worker protocol (NOTIFY_SOCKET) from the worker's side,
# driven by helpers/notify-worker (libsystemd's sd_notify), systemd-notify
# and a Python worker with only the socket module. READY=1 gates
# starting -> running, /health and depends; ready_timeout is a failed start;
# STATUS, QUEUE_DEPTH and INFLIGHT reach /status, the table and /metrics; a
# watchdog miss and WATCHDOG=trigger count, log and restart, with
# WATCHDOG_USEC and WATCHDOG_PID set; EXTEND_TIMEOUT_USEC keeps a drain
# alive past stop_timeout but not past stop_timeout_max; a spoof from an
# unrelated process is unknown_pid, malformed lines are counted while the
# rest of the datagram applies, a helper child speaks for its worker; a
# burst of 10000 datagrams is all accepted with the loop responsive.
. "$(dirname "$0")/lib.sh"

plan 51

S=$TEND_SOCKET
NW=$HELPERS/notify-worker
metrics() { get /metrics; }
notes() { metric "tend_notify_messages_total{result=\"$1\"}"; }
health() {
	curl -s --max-time 5 -o /dev/null -w '%{http_code}' --unix-socket "$S" \
	    http://localhost/health
}
up() { [ "$(health)" = 200 ]; }
inst_isnt() { [ "$(inst "$1" "$2")" != "$3" ]; }
metric_is() { [ "$(metric "$1")" = "$2" ]; }		# metric_is NAME WANT
stop_tend() { kill -TERM "$TEND_PID"; tend_wait "$1" 30; }
have_nw=1; [ -x "$NW" ] || have_nw=0
have_sn=1; command -v systemd-notify >/dev/null || have_sn=0
have_py=1; command -v python3 >/dev/null || have_py=0
# Every ready = notify program below has start_seconds = 0: were ready =
# notify ignored, it would be running at once, and the tests would see it.

# --- systemd-notify from a shell ---------------------------------------------
if [ $have_sn = 1 ]; then
	touch "$T/gate1"
	cat >"$T/sn.ini" <<EOF
[program:a]
command = /bin/sh -c 'while [ -e $T/gate1 ]; do sleep 0.05; done; systemd-notify --ready --status=warm; exec sleep 100000'
ready = notify
start_seconds = 0
EOF
	tend_start sn -c "$T/sn.ini"
	wait_until 10 inst_is a .state starting
	is "$(inst a .state) $(inst a .ready)" "starting 0" \
	    "systemd-notify: starting, not ready, before READY=1"
	is "$(health)" 503 "... /health is 503"
	rm -f "$T/gate1"
	ok "systemd-notify --ready: /health turns 200" wait_until 10 up
	is "$(inst a '"\(.state) \(.ready) \(.status)"')" "running 1 warm" \
	    "... running, ready, with its --status"
	stop_tend sn
else
	skip 4 "systemd-notify is not installed (apt-get install systemd)"
fi

# --- libsystemd's sd_notify: READY, STATUS, QUEUE_DEPTH, INFLIGHT -----------
if [ $have_nw = 1 ]; then
	touch "$T/gate2"
	cat >"$T/c.ini" <<EOF
[program:c]
command = /bin/sh -c 'while [ -e $T/gate2 ]; do sleep 0.05; done; exec $NW ready status=hello queue=5 inflight=2 env=$T/c.env'
ready = notify
start_seconds = 0
EOF
	tend_start sd -c "$T/c.ini"
	wait_until 10 inst_is c .state starting
	is "$(health) $(metric 'tend_worker_ready{program="c",instance="0"}')" \
	    "503 0" "sd_notify: /health 503, tend_worker_ready 0 before READY=1"
	rm -f "$T/gate2"
	ok "... /health 200 after it" wait_until 10 up
	is "$(metric 'tend_worker_ready{program="c",instance="0"}')" 1 \
	    "... tend_worker_ready 1"
	is "$(inst c .status)" hello "STATUS= in /status"
	like "$(curl -s --unix-socket "$S" 'http://localhost/status?format=text')" \
	    '^c:0 +running +[0-9]+ .* 5 +2 +hello$' \
	    "STATUS, QUEUE_DEPTH and INFLIGHT in /status?format=text"
	is "$(metric 'tend_worker_queue_depth{program="c",instance="0"}')" 5 \
	    "QUEUE_DEPTH=5 in /metrics"
	is "$(metric 'tend_worker_inflight{program="c",instance="0"}')" 2 \
	    "INFLIGHT=2 in /metrics"
	wait_for_file "$T/c.env" 5
	is "$(tr '\n' ' ' <"$T/c.env")" \
	    "WATCHDOG_USEC=unset WATCHDOG_PID=unset " \
	    "no watchdog: WATCHDOG_USEC and WATCHDOG_PID unset"
	stop_tend sd
else
	skip 8 "no libsystemd: helpers/notify-worker is not built"
fi

# --- Python, the socket module only ------------------------------------------
if [ $have_py = 1 ]; then
	cat >"$T/py.ini" <<EOF
[program:p]
command = python3 -c 'import os, socket, time; a = os.environ["NOTIFY_SOCKET"]; a = "\\0" + a[1:] if a[0] == "@" else a; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"READY=1\\nSTATUS=python", a); time.sleep(100000)'
ready = notify
start_seconds = 0
EOF
	tend_start py -c "$T/py.ini"
	ok "Python with the socket module: READY=1 works" wait_until 10 up
	is "$(inst p .status)" python "... and its STATUS"
	stop_tend py
else
	skip 2 "python3 is not installed"
fi

# --- who may speak: malformed lines, a helper child, a spoof -----------------
if [ $have_nw = 1 ]; then
	cat >"$T/who.ini" <<EOF
[program:m]
command = $NW 'send=NOEQUALS\\nREADY=2\\nREADY=1\\nQUEUE_DEPTH=7'
ready = notify
start_seconds = 0
[program:h]
command = $NW helper ready status=from-helper
ready = notify
start_seconds = 0
EOF
	tend_start who -c "$T/who.ini"
	ok "READY=1 applies in a datagram with malformed lines" \
	    wait_until 10 inst_is m .ready 1
	is "$(notes malformed) $(inst m .queue_depth)" "2 7" \
	    "... NOEQUALS and READY=2 count as malformed, QUEUE_DEPTH=7 applies"
	ok "a helper child (own process group) may say READY=1 for it" \
	    wait_until 10 inst_is h .ready 1
	is "$(inst h .status) $(notes unknown_pid)" "from-helper 0" \
	    "... its STATUS applies, nothing counted as unknown_pid"
	pid=$(inst m .pid)
	addr=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^NOTIFY_SOCKET=//p')
	like "$addr" "^@tend/$TEND_PID/" "NOTIFY_SOCKET is tend's abstract socket"
	acc=$(notes accepted)
	NOTIFY_SOCKET=$addr "$NW" 'send=STATUS=spoofed\nQUEUE_DEPTH=666\nREADY=1' exit
	is "$?" 0 "an unrelated process can send a datagram to it..."
	ok "... but is counted as unknown_pid" \
	    wait_until 5 metric_is 'tend_notify_messages_total{result="unknown_pid"}' 1
	is "$(inst m '"\(.status) \(.queue_depth)"') $(notes accepted)" \
	    "null 7 $acc" "... and changes nothing"
	stop_tend who
else
	skip 8 "no libsystemd: helpers/notify-worker is not built"
fi

# --- ready_timeout -------------------------------------------------------------
cat >"$T/rt.ini" <<EOF
[program:t]
command = sleep 100000
ready = notify
start_seconds = 0
ready_timeout = 300ms
backoff_initial = 100ms
backoff_jitter = 0
EOF
tend_start rt -c "$T/rt.ini"
ok "ready_timeout = 300ms: no READY=1, stopped and started again" \
    wait_until 10 inst_is t '.restarts >= 2' true
like "$(cat "$T/rt.err")" 't:0: no READY=1 within 0\.3s' "... and logged"
like "$(cat "$T/rt.err")" 't:0: pid [0-9]+ ended by TERM' \
    "... stopped with stop_signal"
is "$(health) $(metric 'tend_worker_ready{program="t",instance="0"}')" \
    "503 0" "... never ready"
stop_tend rt

# --- depends waits for READY=1 -------------------------------------------------
if [ $have_nw = 1 ]; then
	touch "$T/gate3"
	cat >"$T/dep.ini" <<EOF
[program:a]
command = /bin/sh -c 'while [ -e $T/gate3 ]; do sleep 0.05; done; exec $NW ready'
ready = notify
start_seconds = 0
[program:b]
command = $NW ready
ready = notify
start_seconds = 0
depends = a
EOF
	tend_start dep -c "$T/dep.ini"
	wait_until 10 inst_is a .state starting
	is "$(inst b .state)" stopped "depends: b waits while a is starting"
	ok "... and is not started within 0.5 s" \
	    eval '! wait_until 0.5 inst_isnt b .state stopped'
	t_ready=$(now_ms)
	rm -f "$T/gate3"
	ok "... both ready once a says READY=1" wait_until 10 up
	# b's start, from its uptime, against when a could first be ready.
	# The uptime first, then the clock: the other way round the request's
	# latency counts against b (tens of ms on a busy machine).
	b_up=$(inst b '.uptime * 1000 | floor')
	b_start=$(( $(now_ms) - b_up ))
	ok "... b started after a's READY ($((b_start - t_ready)) ms after the gate)" \
	    test "$b_start" -ge "$((t_ready - 20))"
	stop_tend dep
else
	skip 4 "no libsystemd: helpers/notify-worker is not built"
fi

# --- watchdog --------------------------------------------------------------------
if [ $have_nw = 1 ]; then
	cat >"$T/wd.ini" <<EOF
[program:w]
command = $NW env=$T/w.env ready watchdog-every=100ms watchdog-count=10
ready = notify
start_seconds = 0
watchdog = 300ms
backoff_initial = 1s
backoff_jitter = 0
[program:x]
command = $NW env=$T/x.env ready sleep=200ms trigger
ready = notify
start_seconds = 0
watchdog = 10s
restart = never
EOF
	tend_start wd -c "$T/wd.ini"
	wait_until 10 inst_is w .state running
	# t0 is when we saw it running, which a loaded machine may see
	# late: 1 s of pings and the 300 ms after them, less that delay.
	# A watchdog that ignored the pings would fire 300 ms after READY.
	t0=$(now_ms)
	wpid=$(inst w .pid)
	ok "watchdog = 300ms: a miss is counted" \
	    wait_until 10 metric_is 'tend_worker_watchdog_timeouts_total{program="w",instance="0"}' 1
	between "$(( $(now_ms) - t0 ))" 600 5000 \
	    "... only once 1 s of WATCHDOG=1 every 100ms has stopped (ms)"
	like "$(cat "$T/wd.err")" 'w:0: watchdog: no WATCHDOG=1 for 0\.3s; sending ABRT' \
	    "... logged"
	ok "... and the instance is restarted (a new pid)" \
	    wait_until 10 inst_is w "\"\\(.state) \\(.restarts) \\(.pid != $wpid)\"" \
	    "running 1 true"
	is "$(tr '\n' ' ' <"$T/w.env")" \
	    "WATCHDOG_USEC=300000 WATCHDOG_PID=mine " \
	    "WATCHDOG_USEC=300000, WATCHDOG_PID is the worker's pid"
	ok "WATCHDOG=trigger: a miss at once, not after watchdog = 10s" \
	    wait_until 4 metric_is 'tend_worker_watchdog_timeouts_total{program="x",instance="0"}' 1
	like "$(cat "$T/wd.err")" 'x:0: watchdog: WATCHDOG=trigger; sending ABRT' \
	    "... logged"
	is "$(tr '\n' ' ' <"$T/x.env")" \
	    "WATCHDOG_USEC=10000000 WATCHDOG_PID=mine " \
	    "... WATCHDOG_USEC=10000000 there"
	stop_tend wd
else
	skip 8 "no libsystemd: helpers/notify-worker is not built"
fi

# --- EXTEND_TIMEOUT_USEC ---------------------------------------------------------
if [ $have_nw = 1 ]; then
	# On TERM: STOPPING=1, then 3 s of work, EXTEND_TIMEOUT_USEC=2000000
	# and INFLIGHT 3 2 1 every 500ms, then INFLIGHT=0 and exit 0.
	declare -A rc ms
	for max in 10s 2s; do
		cat >"$T/e.ini" <<EOF
[program:e]
command = $NW ready inflight=3 drain=3s extend=2s extend-every=500ms
ready = notify
start_seconds = 0
stop_timeout = 1s
stop_timeout_max = $max
EOF
		tend_start "ext$max" -c "$T/e.ini"
		wait_until 10 up
		t0=$(now_ms)
		kill -TERM "$TEND_PID"
		if [ $max = 10s ]; then
			ok "EXTEND_TIMEOUT_USEC: INFLIGHT counts down during the drain" \
			    wait_until 5 inst_is e .inflight 1
		fi
		tend_wait "ext$max" 30
		rc[$max]=$TEND_RC ms[$max]=$(( $(now_ms) - t0 ))
	done
	is "${rc[10s]}" 0 "a 3 s drain past stop_timeout = 1s: tend exits 0"
	between "${ms[10s]}" 2800 6000 "... after the drain (ms)"
	like "$(tr '\n' ' ' <"$T/ext10s.err")" \
	    'e:0: EXTEND_TIMEOUT_USEC=2000000: deadline in .*e:0: pid [0-9]+ exited 0 ' \
	    "... the deadline moved and the worker exited by itself"
	is "${rc[2s]}" 1 "stop_timeout_max = 2s: killed, tend exits 1"
	between "${ms[2s]}" 1800 2900 "... at about 2 s (ms)"
	like "$(tr '\n' ' ' <"$T/ext2s.err")" \
	    'e:0: EXTEND_TIMEOUT_USEC=2000000: deadline in [0-9.]+s \(stop_timeout_max\).*e:0: pid [0-9]+ killed by KILL' \
	    "... capped at stop_timeout_max, then KILL"
else
	skip 7 "no libsystemd: helpers/notify-worker is not built"
fi

# --- a burst of 10000 ------------------------------------------------------------
if [ $have_nw = 1 ]; then
	cat >"$T/b.ini" <<EOF
[tend]
lag_probe_interval = 50ms
[program:b]
command = $NW ready burst=10000
ready = notify
start_seconds = 0
EOF
	tend_start burst -c "$T/b.ini"
	ok "a burst of 10000 datagrams is sent" \
	    wait_for_log "$T/burst.out" '^burst 10000 ' 60
	like "$(cat "$T/burst.out")" '^burst 10000 ok 10000 ' \
	    "... every sd_notify() call succeeded"
	ok "... all accepted: READY=1 and 10000 more" \
	    wait_until 10 metric_is 'tend_notify_messages_total{result="accepted"}' 10001
	is "$(notes unknown_pid) $(notes truncated) $(notes malformed)" "0 0 0" \
	    "... none dropped"
	is "$(metric 'tend_worker_queue_depth{program="b",instance="0"}')" 10000 \
	    "... in order: the last QUEUE_DEPTH=10000 holds"
	metrics >"$T/b.metrics"
	max=$(awk '$1 == "tend_loop_lag_max_seconds" { print $2 }' "$T/b.metrics")
	p99=$(awk 'BEGIN { n = 0 }
		/^tend_loop_lag_seconds_bucket/ {
		    match($0, /le="[^"]*"/); le[n] = substr($0, RSTART + 4,
		    RLENGTH - 5); c[n++] = $2 }
		$1 == "tend_loop_lag_seconds_count" { total = $2 }
		END { for (i = 0; i < n; i++) if (c[i] >= 0.99 * total) {
		    print "<= " le[i] " s (" total " samples)"; exit } }' \
	    "$T/b.metrics")
	ok "the loop stays responsive: tend_loop_lag_max_seconds $max < 0.1" \
	    awk -v m="$max" 'BEGIN { exit !(m != "" && m < 0.1) }'
	diag "$(cat "$T/burst.out")" "loop lag: max $max s, p99 $p99"
	stop_tend burst
else
	skip 6 "no libsystemd: helpers/notify-worker is not built"
fi

done_testing
