#!/bin/bash
# 38-control-budgets.sh: what one kind of client can take from another.
# The Unix socket and http_listen have their own TEND_CONN_MAX: TCP
# clients holding every TCP connection cannot lock local tendctl out,
# and a full listener closes its oldest idle connection to serve a
# newcomer. A connection that sends nothing is closed after 1 s.
. "$(dirname "$0")/lib.sh"

plan 8

S=$T/c.sock
port=$((20000 + $$ % 20000))
cat >"$T/c.ini" <<EOF2
[tend]
socket = $S
http_listen = 127.0.0.1:$port
[program:a]
command = sleep 100000
start_seconds = 0
EOF2
tend_start tend -c "$T/c.ini"
ok "tend is up" wait_until 10 sh -c \
    "curl -s --unix-socket '$S' http://localhost/health | grep -qx ok"

# 130 keep-alive TCP connections, each served once and then left idle.
"$HELPERS/uconn" "tcp:127.0.0.1:$port" hold 130 3 >"$T/hold" &
holder=$!
wait_for_log "$T/hold" '^ready' 20
is "$(head -n 1 "$T/hold")" "ready 130" \
    "130 TCP connections in a row are all served (the oldest idle make room)"
t0=$(now_ms)
ok "tendctl health over the Unix socket meanwhile: 200" \
    sh -c "'$TENDCTL' -s '$S' health >/dev/null"
between $(( $(now_ms) - t0 )) 0 1000 "... at once (ms)"
is "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" \
    200 "a new TCP client is served too"
wait "$holder"
is "$(tail -n 1 "$T/hold")" "closed 3" \
    "... each newcomer past 128 closed one idle connection, no more"

# A connection that sends nothing.
read -r ms line < <("$HELPERS/uconn" "$S" idle)
between "$ms" 800 2500 "a connection that sends nothing is closed after ~1 s (ms)"
is "$line" EOF "... without an answer"

done_testing
