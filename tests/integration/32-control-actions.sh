#!/bin/bash
# 32-control-actions.sh: the control socket's POST endpoints and who may
# use them. stop, start, restart (whole program, one instance, rolling),
# signal and shutdown act as asked; unknown names are 404; another user
# gets 403 and so does POST over TCP (http_listen); a stale socket file is
# replaced, a live one refused; /health is 503 while shutting down.
. "$(dirname "$0")/lib.sh"

plan 33

S=$T/c.sock
chmod 711 "$T"		# so that another user can reach the socket
post() {	# post PATH: the body; the code in $T/code
	curl -s --max-time 10 --unix-socket "$S" -o "$T/body" \
	    -w '%{http_code}' -X POST "http://localhost$1" >"$T/code"
	cat "$T/body"
}
code() { cat "$T/code"; }
json() {	# json JQ-FILTER: applied to /status
	curl -s --max-time 10 --unix-socket "$S" http://localhost/status |
	    jq -r "$1"
}
state_is() {	# state_is INDEX STATE
	[ "$(json ".programs[0].instances[$1].state")" = "$2" ]
}

cat >"$T/usr1.sh" <<EOF
trap 'echo "\$TEND_INSTANCE USR1" >>"$T/signals"' USR1
while :; do sleep 60 & wait \$!; done
EOF
# a uses (without start_seconds = 0) the default 1s start, so a rolling
# restart has something to wait for.
port=$((20000 + $$ % 20000))
cat >"$T/c.ini" <<EOF
[tend]
socket = $S
socket_mode = 0666
http_listen = 127.0.0.1:$port
shutdown_delay = 1s
[program:a]
command = /bin/sh $T/usr1.sh
numprocs = 3
stop_timeout = 5s
EOF
"$HELPERS/uconn" "$S" stale
ok "a stale socket file is there" test -S "$S"
tend_start tend -c "$T/c.ini"
ok "tend replaces it and is ready" \
    wait_until 10 sh -c "curl -s --unix-socket '$S' http://localhost/health |
    grep -qx ok"

"$TEND" -c "$T/c.ini" >"$T/second.out" 2>"$T/second.err"
is "$?" 2 "a second tend on a live socket exits 2"
like "$(cat "$T/second.err")" "$S is in use" "... saying so"
ok "... and the first one keeps its socket" \
    sh -c "curl -s --unix-socket '$S' http://localhost/health | grep -qx ok"

pids=$(json '[.programs[0].instances[].pid] | join(" ")')
like "$(post /programs/a:1/stop)" '^a:1: stopping$' "POST /programs/a:1/stop"
is "$(code)" 202 "... 202"
ok "a:1 stops" wait_until 10 state_is 1 stopped
is "$(json '[.programs[0].instances[].state] | join(" ")')" \
    "running stopped running" "... the others run on"
is "$(curl -s --unix-socket "$S" http://localhost/health)" ok "/health does not wait for what the operator stopped"
post /programs/a:1/start >/dev/null
ok "POST /programs/a:1/start starts it again" wait_until 10 state_is 1 running

post /programs/a/signal/USR1 >/dev/null
is "$(code)" 202 "POST /programs/a/signal/USR1: 202"
ok "every instance gets USR1" \
    wait_until 5 sh -c "[ \$(wc -l <'$T/signals') -eq 3 ]"
post /programs/a/signal/NOPE >/dev/null
is "$(code)" 400 "a bad signal: 400"
post /programs/nope/stop >/dev/null
is "$(code)" 404 "an unknown program: 404"
like "$(post /programs/a:3/stop)" \
    'a has 3 instances \(a:0 to a:2\)' "an instance out of range: 404"

old0=$(json '.programs[0].instances[0].pid')
post /programs/a:0/restart >/dev/null
ok "POST /programs/a:0/restart: a new pid" \
    wait_until 10 sh -c "p=\$(curl -s --unix-socket '$S' http://localhost/status |
    jq -r '.programs[0].instances[0].pid'); [ \"\$p\" != null ] && [ \"\$p\" != $old0 ]"
ok "... and it runs again" wait_until 10 state_is 0 running

before=$(json '[.programs[0].instances[].pid] | join(" ")')
like "$(post '/programs/a/restart?rolling=1')" 'rolling restart of 3 instances' "POST /programs/a/restart?rolling=1"
# One at a time: never more than one instance down.
worst=0
deadline=$(( $(now_ms) + 15000 ))
while [ "$(now_ms)" -lt "$deadline" ]; do
	st=$(json '[.programs[0].instances[].state] | join(" ")')
	down=$(printf '%s\n' $st | grep -vc running)
	[ "$down" -gt "$worst" ] && worst=$down
	after=$(json '[.programs[0].instances[].pid] | join(" ")')
	[ "$st" = "running running running" ] &&
	    [ "$(comm -12 <(printf '%s\n' $before | sort) \
	    <(printf '%s\n' $after | sort) | wc -l)" -eq 0 ] && break
	sleep 0.05
done
is "$(comm -12 <(printf '%s\n' $before | sort) <(printf '%s\n' $after | sort) | wc -l)" 0 "every instance restarted"
is "$worst" 1 "... one at a time (at most 1 not running at any sample)"

# Who may POST.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	is "$(as_nobody curl -s -o /dev/null -w '%{http_code}' --unix-socket "$S" http://localhost/health)" 200 "another user: GET is fine"
	is "$(as_nobody curl -s -o /dev/null -w '%{http_code}' -X POST --unix-socket "$S" http://localhost/programs/a/stop)" 403 "another user: POST is 403"
else
	skip 1 "not root: cannot test another uid"
	skip 1 "not root: cannot test another uid"
fi
is "$(curl -s --max-time 5 http://127.0.0.1:$port/health)" ok "http_listen: GET over TCP"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:$port/shutdown)" 403 "http_listen: POST over TCP is 403"
ok "... and nothing stopped" \
    sh -c "curl -s --unix-socket '$S' http://localhost/health | grep -qx ok"

like "$(post /shutdown)" 'shutting down' "POST /shutdown"
is "$(code)" 202 "... 202"
is "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$S" http://localhost/health)" 503 "/health is 503 while shutting down (shutdown_delay)"
like "$(curl -s --unix-socket "$S" http://localhost/health)" 'shutting down' "... with the reason"
like "$(curl -s --unix-socket "$S" http://localhost/metrics)" \
    $'tend_shutting_down 1' "tend_shutting_down is 1"
post /programs/a/start >/dev/null
is "$(code)" 503 "no start while shutting down: 503"
tend_wait tend 20
is "$TEND_RC" 0 "tend exits 0"

done_testing
