#!/bin/bash
# 46-control-edges.sh: the control socket at the edges of HTTP. A request
# followed by a half-close (nc -N, socat) is answered before the close;
# a partial one is just closed. Expect: 100-continue is answered. A
# client's control bytes never reach the log raw.
. "$(dirname "$0")/lib.sh"

plan 16

S=$T/c.sock
cat >"$T/c.ini" <<EOF2
[tend]
socket = $S
[program:a]
command = sleep 100000
start_seconds = 0
EOF2
tend_start tend --log-level debug -c "$T/c.ini"
ok "tend is up" wait_until 10 sh -c \
    "curl -s --unix-socket '$S' http://localhost/health | grep -qx ok"

# Expect: 100-continue (curl sends it for big bodies, or when told): the
# 100 comes as soon as the head is read, not after curl's 1 s wait; a
# head that is refused anyway is answered at once.
head -c 4000 /dev/zero | tr '\0' x >"$T/big"
expect_post() {	# expect_post PATH: "CODE MS", curl -v's output in $T/v
	curl -s -v -o /dev/null -w '%{http_code} %{time_total}\n' \
	    -H 'Expect: 100-continue' --data-binary @"$T/big" \
	    --unix-socket "$S" "http://localhost$1" 2>"$T/v" |
	    awk '{ printf "%s %d\n", $1, $2 * 1000 }'
}
read -r code ms < <(expect_post /programs/a/signal/CONT)
is "$code" 202 "POST with Expect: 100-continue: 202"
between "$ms" 0 700 "... without waiting out curl's 1 s (ms)"
ok "... after a 100 Continue" grep -q '^< HTTP/1.1 100 Continue' "$T/v"
read -r code ms < <(expect_post /no/such)
is "$code" 404 "Expect: 100-continue to an unknown path: 404"
between "$ms" 0 700 "... at once (ms)"
ok "... with no 100 first" sh -c "! grep -q '100 Continue' '$T/v'"

# A client's bytes in a log line: a path with ESC, CR and LF (as
# %-escapes) is logged at debug with them escaped, never raw.
curl -s -o /dev/null --unix-socket "$S" \
    'http://localhost/x%1b%5b31mRED%0d%0aFAKE:%7f'
ok "a path with control bytes is logged" \
    wait_for_log "$T/tend.err" 'control: GET /x.*: 404' 5
ok "... with no raw ESC, CR or DEL in tend's stderr" \
    sh -c "! LC_ALL=C grep -q \"\$(printf '[\\033\\r\\177]')\" '$T/tend.err'"
ok "... no forged line" sh -c "! grep -q '^FAKE' '$T/tend.err'"
like "$(grep 'control: GET /x' "$T/tend.err")" \
    '/x\\x1b\[31mRED\\x0d\\x0aFAKE:\\x7f: 404' "... but \\xNN escapes"

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
