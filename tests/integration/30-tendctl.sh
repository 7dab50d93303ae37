#!/bin/bash
# 30-tendctl.sh: tendctl without tend. Usage errors (exit 2, usage on
# stderr); which socket it picks (-s, TEND_SOCKET, the default) and what it
# says when nothing listens there; wait-ready's deadline; and, against
# tests/helpers/fakehttp, the exact requests each command sends and how
# responses become output and exit status.
. "$(dirname "$0")/lib.sh"

plan 79

unset TEND_SOCKET
[ -x "$HELPERS/fakehttp" ] ||
    bail_out "no $HELPERS/fakehttp (make tests/helpers/fakehttp)"
VERSION=$("$TENDCTL" --version | sed 's/^tendctl //')
NOENT='No such file or directory'
HINT='(is tend running? try -s)'

# ctl NAME [ARG...]: runs tendctl to its end; stdout and stderr in
# $T/NAME.out and $T/NAME.err, its exit status in CTL_RC.
ctl() {
	local name=$1
	shift
	"$TENDCTL" "$@" >"$T/$name.out" 2>"$T/$name.err"
	CTL_RC=$?
}

# fake NAME N RESPONSE...: fakehttp on $T/NAME.sock for N connections,
# answering with $T/RESPONSE.http in turn; request lines in $T/NAME.log,
# raw heads in $T/NAME.log.head.
fake() {
	local name=$1 n=$2 r files=()
	shift 2
	for r; do
		files+=("$T/$r.http")
	done
	bg_start "$name" "$HELPERS/fakehttp" "$T/$name.sock" "$n" \
	    "$T/$name.log" "${files[@]}"
	wait_for_file "$T/$name.sock" 10 || bail_out "fakehttp $name: no socket"
}

# http NAME STATUS BODY: $T/NAME.http, a response framed by Content-Length.
http() {
	printf 'HTTP/1.1 %s\r\nContent-Type: text/plain\r\n' "$2" >"$T/$1.http"
	printf 'Content-Length: %d\r\nConnection: close\r\n\r\n%s' \
	    "${#3}" "$3" >>"$T/$1.http"
}

# --- usage errors: exit 2, the problem named, the usage text on stderr ----

usage_error() {
	local name=$1 re=$2 desc=$3
	shift 3
	ctl "$name" -s "$T/none.sock" "$@"
	is "$CTL_RC" 2 "$desc: exit status 2"
	ok "$desc: the message names the problem" grep -Eq -- "$re" \
	    "$T/$name.err" || diag_file "$T/$name.err"
	ok "$desc: usage on stderr" grep -q '^usage: tendctl' "$T/$name.err"
}

usage_error nocmd '^tendctl: no COMMAND given$' "no command"
usage_error unknown '^tendctl: unknown command "bogus"$' "an unknown command" \
    bogus
usage_error badsig '^tendctl: signal: "NOPE" is not a signal' \
    "signal with a bad SIG" signal web NOPE
usage_error noname '^tendctl: start: missing NAME$' "start without NAME" start
usage_error timeout '^tendctl: --timeout: "10x" is not a duration' \
    "wait-ready --timeout 10x" wait-ready --timeout 10x
usage_error json '^tendctl: --json is only for status$' "stop --json" \
    stop web --json
usage_error option '^tendctl: unknown option "--bogus"$' "an unknown option" \
    status --bogus

# --- the socket path and connect errors -----------------------------------

ctl none -s "$T/none.sock" status
is "$CTL_RC" 1 "-s PATH, nothing there: exit status 1"
is "$(cat "$T/none.err")" \
    "tendctl: cannot connect to $T/none.sock: $NOENT $HINT" \
    "-s PATH, nothing there: the message"
ok "-s PATH, nothing there: nothing on stdout" test ! -s "$T/none.out"

TEND_SOCKET=$T/env.sock ctl env status
is "$CTL_RC" 1 "TEND_SOCKET, nothing there: exit status 1"
is "$(cat "$T/env.err")" \
    "tendctl: cannot connect to $T/env.sock: $NOENT $HINT" \
    "TEND_SOCKET, nothing there: the message"

TEND_SOCKET=$T/env.sock ctl both status --json -s "$T/opt.sock"
like "$(cat "$T/both.err")" "connect to $T/opt\.sock:" \
    "-s (after the command) beats TEND_SOCKET"

long=$T/$(printf '%0120d' 0).sock
ctl long -s "$long" status
is "$CTL_RC" 2 "a path longer than sun_path: exit status 2"
like "$(cat "$T/long.err")" '^tendctl: socket path is too long \([0-9]+ bytes, a socket path has at most 107\)' \
    "a path longer than sun_path: the message"

# as_user CMD...: CMD as a user other than root.
as_user=yes
if [ "$(id -u)" -ne 0 ]; then
	as_user() { "$@"; }
elif command -v setpriv >/dev/null; then
	as_user() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
else
	as_user=
fi
if [ -z "$as_user" ]; then
	skip 3 "root without setpriv"
else
	as_user env -u TEND_SOCKET -u XDG_RUNTIME_DIR "$TENDCTL" \
	    status >"$T/noxdg.out" 2>"$T/noxdg.err"
	is "$?" 1 "not root, no XDG_RUNTIME_DIR: exit status 1"
	is "$(cat "$T/noxdg.err")" "tendctl: no control socket path: XDG_RUNTIME_DIR is not set (use -s PATH or TEND_SOCKET)" \
	    "not root, no XDG_RUNTIME_DIR: the message"
	as_user env -u TEND_SOCKET XDG_RUNTIME_DIR="$T/xdg" \
	    "$TENDCTL" status >"$T/xdg.out" 2>"$T/xdg.err"
	like "$(cat "$T/xdg.err")" "^tendctl: cannot connect to $T/xdg/tend\.sock: " \
	    "not root: \$XDG_RUNTIME_DIR/tend.sock"
fi
if [ "$(id -u)" -ne 0 ] || [ -e /run/tend.sock ]; then
	skip 1 "not root, or a /run/tend.sock exists"
else
	TEND_SOCKET= ctl root status
	like "$(cat "$T/root.err")" '^tendctl: cannot connect to /run/tend\.sock: ' \
	    "root, TEND_SOCKET empty: /run/tend.sock"
fi

# --- wait-ready against nothing: its deadline -------------------------------

t0=$(now_ms)
ctl wrnone -s "$T/none.sock" wait-ready --timeout 300ms
elapsed=$(( $(now_ms) - t0 ))
is "$CTL_RC" 1 "wait-ready, no socket: exit status 1"
between "$elapsed" 250 2000 "wait-ready --timeout 300ms gives up after 300 ms"
is "$(cat "$T/wrnone.err")" \
    "tendctl: wait-ready: not ready after 300ms: cannot connect to $T/none.sock: $NOENT" \
    "wait-ready, no socket: the message"

# --- requests: what each command sends --------------------------------------

http ok '200 OK' $'done\n'
S=$T/req.sock
odd=$'a b%\xc3\xa9~._-:'		# a name with bytes to encode and to keep
# Each entry: the request line, then tendctl's arguments, '|' between.
cmds=(
	"GET /status?format=text HTTP/1.1|-s|$S|status"
	"GET /status HTTP/1.1|status|--json|--socket=$S"
	"GET /metrics HTTP/1.1|metrics|-s|$S"
	"GET /health HTTP/1.1|-s|$S|health"
	"POST /programs/web/start HTTP/1.1|-s|$S|start|web"
	"POST /programs/web%2Fx/stop HTTP/1.1|-s|$S|stop|web/x"
	"POST /programs/a%20b%25%C3%A9~._-:/stop HTTP/1.1|-s|$S|stop|$odd"
	"POST /programs/web/restart HTTP/1.1|-s|$S|restart|web"
	"POST /programs/web/restart?rolling=1 HTTP/1.1|restart|--rolling|web|-s|$S"
	"POST /programs/web:1/signal/HUP HTTP/1.1|-s|$S|signal|web:1|HUP"
	"POST /programs/web/signal/RTMIN%2B2 HTTP/1.1|-s|$S|signal|web|RTMIN+2"
	"POST /reload HTTP/1.1|-s|$S|reload"
	"POST /shutdown HTTP/1.1|-s|$S|shutdown"
)
fake req ${#cmds[@]} ok
rcs='' want_rcs='' heads=''
for c in "${cmds[@]}"; do
	IFS='|' read -r -a args <<<"$c"
	line=${args[0]}
	ctl req "${args[@]:1}"
	rcs="$rcs $CTL_RC" want_rcs="$want_rcs 0"
	is "$(tail -n 1 "$T/req.log")" "$line" "${args[*]:1}: $line"
	heads+="$line"$'\r\n'"Host: localhost"$'\r\n'
	heads+="User-Agent: tendctl/$VERSION"$'\r\n'"Connection: close"$'\r\n'
	[ "${line%% *}" = POST ] && heads+="Content-Length: 0"$'\r\n'
	heads+=$'\r\n'
done
is "$rcs" "$want_rcs" "every command exits 0 on a 200"
bg_wait req 10
is "$BG_RC" 0 "one connection per command, as many as commands"
printf '%s' "$heads" >"$T/want.head"
ok "the request heads, byte for byte (POST with Content-Length: 0)" \
    cmp "$T/want.head" "$T/req.log.head"
is "$(grep -c $'^Host: localhost\r$' "$T/req.log.head")" ${#cmds[@]} \
    "every request has Host: localhost"
is "$(grep -c $'^Connection: close\r$' "$T/req.log.head")" ${#cmds[@]} \
    "every request has Connection: close"

# --- responses: output and exit status --------------------------------------

body=$'NAME   STATE\nweb:0  running\n\ttab\r\nno newline at the end'
http table '200 OK' "$body"
printf 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nline 1\nline 2\n' \
    >"$T/eof.http"
http 404 '404 Not Found' $'no program "nope"\nsecond line\n'
http 503 '503 Service Unavailable' $'not ready: web:0 starting\nweb:1 backoff\n'
fake resp 4 table eof 404 503
ctl table -s "$T/resp.sock" status
is "$CTL_RC" 0 "200: exit status 0"
printf '%s' "$body" >"$T/table.want"
ok "200: the body on stdout, verbatim" cmp "$T/table.want" "$T/table.out"
ctl eof -s "$T/resp.sock" metrics
is "$(cat "$T/eof.out")" $'line 1\nline 2' "no Content-Length: the body runs to EOF"
ctl 404 -s "$T/resp.sock" stop nope
is "$CTL_RC" 1 "404: exit status 1"
is "$(cat "$T/404.err")" 'tendctl: stop: 404 Not Found: no program "nope"' \
    "404: COMMAND: CODE REASON: the body's first line, on stderr"
ok "404: nothing on stdout" test ! -s "$T/404.out"
ctl 503 -s "$T/resp.sock" health
is "$CTL_RC" 1 "health, 503: exit status 1"
is "$(cat "$T/503.out")" $'not ready: web:0 starting\nweb:1 backoff' \
    "health, 503: the body on stdout"
ok "health, 503: nothing on stderr" test ! -s "$T/503.err"

printf 'garbage\r\n\r\n' >"$T/garbled.http"
printf 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort' >"$T/cut.http"
printf 'HTTP/1.1 200 OK\r\nContent-Length: 70000000\r\n\r\n' >"$T/huge.http"
: >"$T/empty.http"
fake bad 4 garbled cut huge empty
B=$T/bad.sock
ctl garbled -s "$B" status
is "$CTL_RC" 1 "a garbled status line: exit status 1"
is "$(cat "$T/garbled.err")" "tendctl: bad response from $B: status line \"garbage\" is not HTTP/1.x CODE REASON" \
    "a garbled status line: the message"
ctl cut -s "$B" status
is "$CTL_RC" 1 "a body cut short: exit status 1"
like "$(cat "$T/cut.err")" "^tendctl: bad response from .*: body cut short \(5 of 100 bytes\)$" \
    "a body cut short: the message"
ctl huge -s "$B" status
is "$CTL_RC" 1 "Content-Length over 64 MiB: exit status 1"
like "$(cat "$T/huge.err")" '^tendctl: bad response from .*: larger than 64 MiB$' \
    "Content-Length over 64 MiB: the message"
ctl empty -s "$B" status
is "$CTL_RC" 1 "closed without a response: exit status 1"
like "$(cat "$T/empty.err")" '^tendctl: bad response from .*: closed without a response$' \
    "closed without a response: the message"
ok "no stdout on bad responses" test ! -s "$T/garbled.out" -a ! -s "$T/cut.out" \
    -a ! -s "$T/huge.out" -a ! -s "$T/empty.out"

# --- wait-ready against a server ---------------------------------------------

fake wr 2 503 ok
ctl wr -s "$T/wr.sock" wait-ready --timeout 10s
is "$CTL_RC" 0 "wait-ready: 503, then 200: exit status 0"
ok "wait-ready: silent on success" test ! -s "$T/wr.out" -a ! -s "$T/wr.err"
is "$(cat "$T/wr.log")" $'GET /health HTTP/1.1\nGET /health HTTP/1.1' \
    "wait-ready: asked /health again after the 503"

fake wr503 1000 503
t0=$(now_ms)
# 1 s, not less: on a loaded machine the first answer must come in time.
ctl wr503 -s "$T/wr503.sock" wait-ready --timeout 1s
elapsed=$(( $(now_ms) - t0 ))
is "$CTL_RC" 1 "wait-ready, always 503: exit status 1"
is "$(cat "$T/wr503.err")" "tendctl: wait-ready: not ready after 1s: not ready: web:0 starting" \
    "wait-ready, always 503: the 503's first line as the reason"
between "$elapsed" 950 4000 "wait-ready, always 503: gives up after 1 s"
n=$(grep -c . "$T/wr503.log")
between "$n" 3 30 "wait-ready, always 503: retried every 50 ms or so ($n tries)"

done_testing
