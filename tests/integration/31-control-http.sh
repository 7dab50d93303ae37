#!/bin/bash
# 31-control-http.sh: the control socket's GET endpoints and its bounds.
# /metrics passes promtool and names every metric of the contract, /status
# is JSON that agrees with the processes, /health says 200; unknown paths
# are 404 and wrong methods 405; oversized, malformed and slow requests get
# 431, 413, 400 and 408 and the loop keeps serving; beyond 128
# connections the oldest idle one makes room, without running tend out of
# fds.
. "$(dirname "$0")/lib.sh"

plan 38

S=$T/c.sock
get() {	# get PATH [CURL-ARGS]: the body; the status code in $T/code
	local p=$1
	shift
	curl -s --max-time 10 --unix-socket "$S" -o "$T/body" \
	    -w '%{http_code}' "$@" "http://localhost$p" >"$T/code"
	cat "$T/body"
}
code() { cat "$T/code"; }

cat >"$T/c.ini" <<EOF
[tend]
socket = $S
[program:web]
command = sleep 100000
numprocs = 2
start_seconds = 0
[program:q]
command = sleep 100000
start_seconds = 0
EOF
tend_start tend -c "$T/c.ini"
ok "the socket appears" wait_for_file "$S" 10
is "$(stat -c %a "$S")" 600 "socket_mode 0600 by default"
ok "/health turns 200 once every instance runs" \
    wait_until 10 sh -c "curl -s -o /dev/null -w '%{http_code}' \
    --unix-socket '$S' http://localhost/health | grep -qx 200"
is "$(get /health)" ok "/health says ok"

get /metrics >"$T/metrics"
is "$(code)" 200 "/metrics: 200"
like "$(curl -s -D - -o /dev/null --unix-socket "$S" http://localhost/metrics)" \
    'Content-Type: text/plain; version=0.0.4' "/metrics: Prometheus text 0.0.4"
if command -v promtool >/dev/null; then
	ok "/metrics passes promtool check metrics" \
	    sh -c "promtool check metrics <'$T/metrics' >'$T/promtool' 2>&1"
	[ -s "$T/promtool" ] && diag_file "$T/promtool"
else
	skip 1 "promtool is not installed (apt-get install prometheus)"
fi
missing=
for m in tend_build_info tend_start_time_seconds tend_loop_lag_seconds \
    tend_loop_lag_max_seconds tend_loop_iterations_total \
    tend_loop_pending_events tend_restart_queue_depth tend_shutting_down \
    tend_orphans_reaped_total tend_signals_received_total \
    tend_notify_messages_total tend_control_requests_total \
    tend_log_dropped_bytes_total tend_program_instances tend_worker_up \
    tend_worker_ready tend_worker_restarts_total tend_worker_exits_total \
    tend_worker_last_exit_code tend_worker_start_time_seconds \
    tend_worker_backoff_seconds tend_worker_queue_depth \
    tend_worker_inflight tend_worker_watchdog_timeouts_total; do
	grep -q "^# TYPE $m " "$T/metrics" || missing="$missing $m"
done
is "$missing" "" "every metric of the contract has its TYPE line"
like "$(cat "$T/metrics")" \
    'tend_worker_up\{program="web",instance="1"\} 1' "tend_worker_up per instance"
like "$(cat "$T/metrics")" \
    'tend_program_instances\{program="web",state="running"\} 2' "tend_program_instances by state"
like "$(cat "$T/metrics")" \
    "tend_build_info\\{version=\"$("$TEND" --version | cut -d' ' -f2)\"\\} 1" "tend_build_info carries the version"

get /status >"$T/status.json"
is "$(code)" 200 "/status: 200"
ok "/status is JSON" sh -c "jq -e . '$T/status.json' >/dev/null"
pid1=$(jq -r '.programs[0].instances[1].pid' "$T/status.json")
is "$(cat /proc/"$pid1"/cmdline 2>/dev/null | tr '\0' ' ')" \
    "sleep 100000 " "/status: web:1's pid is its process"
is "$(jq -r '"\(.tend.pid) \(.tend.state) \(.programs|length)"' \
    "$T/status.json")" "$TEND_PID running 2" "/status: tend's pid, state"
is "$(jq -r '.programs[0].instances[0] | "\(.name) \(.state) \(.ready) \(.restarts) \(.queue_depth) \(.inflight) \(.status)"' \
    "$T/status.json")" "web:0 running 1 0 0 0 null" "/status: instance fields"
like "$(get '/status?format=text')" \
    'INSTANCE +STATE +PID +UPTIME +RESTARTS +LAST EXIT +QUEUE +INFLIGHT +STATUS' "/status?format=text is a table"
like "$(cat "$T/body")" \
    "q:0 +running +[0-9]+ " "... with a row per instance"

get /nope >/dev/null
is "$(code)" 404 "an unknown path: 404"
get /metrics -X POST >/dev/null
is "$(code)" 405 "POST /metrics: 405"
like "$(curl -s -D - -o /dev/null -X DELETE --unix-socket "$S" http://localhost/status)" \
    'Allow: GET, HEAD' "... with Allow"
get /shutdown >/dev/null
is "$(code)" 405 "GET /shutdown: 405"
is "$(curl -s -I --unix-socket "$S" http://localhost/health | head -n 1 | tr -d '\r')" \
    "HTTP/1.1 200 OK" "HEAD /health: headers only"

# Bounds, with raw requests.
{ printf 'GET /health HTTP/1.1\r\nHost: x\r\nX-Big: '
  head -c 9000 /dev/zero | tr '\0' a
  printf '\r\n\r\n'; } >"$T/big-head"
like "$("$HELPERS/uconn" "$S" send "$T/big-head")" \
    '^HTTP/1.1 431 ' "headers over 8 KiB: 431"
printf 'POST /shutdown HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n' \
    >"$T/big-body"
like "$("$HELPERS/uconn" "$S" send "$T/big-body")" '^HTTP/1.1 413 ' "a body over 64 KiB: 413, before it is sent"
printf 'GARBAGE\r\n\r\n' >"$T/garbage"
like "$("$HELPERS/uconn" "$S" send "$T/garbage")" \
    '^HTTP/1.1 400 ' "a malformed request: 400"
printf 'GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /status?format=text HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' \
    >"$T/pipelined"
"$HELPERS/uconn" "$S" send "$T/pipelined" >"$T/pipelined.out"
is "$(grep -c '^HTTP/1.1 200 OK' "$T/pipelined.out")" 2 "two pipelined requests get two answers"
printf 'POST /programs/q/signal/CONT HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n' \
    >"$T/chunked"
like "$("$HELPERS/uconn" "$S" send "$T/chunked")" '^HTTP/1.1 202 ' "a chunked POST (curl -T -) is read"

"$HELPERS/uconn" "$S" slow >"$T/slow" &
slow=$!
# Meanwhile the loop serves others.
is "$(get /health)" ok "a slow client does not hold the loop"
wait "$slow"
read -r ms line <"$T/slow"
between "$ms" 4500 8000 "a request not whole within 5 s is closed (ms)"
like "$line" '^HTTP/1.1 408 ' "... with 408"

"$HELPERS/uconn" "$S" many 200 >"$T/many"
# 128 at a time: the oldest idle ones are closed with 503 to make room.
# How many that is depends on how far tend got before the requests came
# (a loaded machine serves some before it has accepted all): each of the
# 200 gets an answer, 200 or 503, and at least 128 are served.
served=$(awk '$1 == 200 { print $2 }' "$T/many")
evicted=$(awk '$1 == 503 { n = $2 } END { print n + 0 }' "$T/many")
between "$served" 128 200 "of 200 idle connections at once, at least 128 are served"
is "$((served + evicted))" 200 "... and the others (the oldest idle) are closed with 503" ||
    diag_file "$T/many"
between "$(ls /proc/"$TEND_PID"/fd | wc -l)" 3 30 "tend holds no more fds than it needs"
is "$(get /health)" ok "and still answers"

get /metrics >"$T/metrics2"
like "$(cat "$T/metrics2")" \
    'tend_control_requests_total\{code="431"\} 1' "answers are counted by code"

kill -TERM "$TEND_PID"
tend_wait tend 20
is "$TEND_RC" 0 "tend exits 0"
ok "the socket file is removed at exit" test ! -e "$S"

done_testing
