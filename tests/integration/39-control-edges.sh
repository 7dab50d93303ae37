#!/bin/bash
# 39-control-edges.sh: the control socket at the edges of HTTP. A request
# followed by a half-close (nc -N, socat) is answered before the close;
# a partial one is just closed.
. "$(dirname "$0")/lib.sh"

plan 6

S=$T/c.sock
cat >"$T/c.ini" <<EOF2
[tend]
socket = $S
[program:a]
command = sleep 100000
start_seconds = 0
EOF2
tend_start tend -c "$T/c.ini"
ok "tend is up" wait_until 10 sh -c \
    "curl -s --unix-socket '$S' http://localhost/health | grep -qx ok"

# Half-close: the request, then shutdown(SHUT_WR), then read to EOF.
printf 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n' >"$T/get"
# (Five times: the EOF may come in the same wakeup as the bytes, or not.)
n=0
for i in 1 2 3 4 5; do
	"$HELPERS/uconn" "$S" halfclose "$T/get" | head -n 1 |
	    grep -q '^HTTP/1.1 200 ' && n=$((n + 1))
done
is "$n" 5 "GET then half-close: answered, 5 times of 5"
printf 'GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /status HTTP/1.1\r\nHost: x\r\n\r\nGET /hea' \
    >"$T/two"
"$HELPERS/uconn" "$S" halfclose "$T/two" >"$T/two.out"
is "$(grep -c '^HTTP/1.1 ' "$T/two.out")" 2 \
    "two whole requests and a partial one, then half-close: two answers"
printf 'POST /shutdown HTTP/1.1\r\nHost: x\r\n\r\n' >"$T/post"
like "$("$HELPERS/uconn" "$S" halfclose "$T/post" | head -n 1)" \
    '^HTTP/1.1 202 ' "POST /shutdown then half-close: 202"
tend_wait tend 20
is "$TEND_RC" 0 "... and tend shuts down, exit 0"
ok "... having said why" grep -q 'POST /shutdown' "$T/tend.err"

done_testing
