#!/bin/bash
# 34-control-socket.sh: where the control socket goes and what happens when
# it cannot be had. -s beats socket = beats $TEND_SOCKET beats the default
# ($XDG_RUNTIME_DIR/tend.sock for a user); -s none has no socket; a path
# that cannot be bound stops tend (exit 2) when it was chosen, while a taken
# default path only costs the socket.
. "$(dirname "$0")/lib.sh"

plan 13

health() {	# health SOCK: succeeds when it answers ok
	[ "$(curl -s --max-time 5 --unix-socket "$1" http://localhost/health)" = ok ]
}

cat >"$T/a.ini" <<EOF
[tend]
socket = $T/cfg.sock
socket_mode = 0660
[program:a]
command = sleep 100000
start_seconds = 0
EOF
tend_start one -s "$T/opt.sock" -c "$T/a.ini"
ok "-s beats socket =" wait_until 10 health "$T/opt.sock"
ok "... and no socket = file is made" test ! -e "$T/cfg.sock"
kill -TERM "$TEND_PID"
tend_wait one 20

tend_start two -c "$T/a.ini"
ok "socket = beats \$TEND_SOCKET" wait_until 10 health "$T/cfg.sock"
is "$(stat -c %a "$T/cfg.sock")" 660 "socket_mode is applied"
ok "\$TEND_SOCKET is not made" test ! -e "$TEND_SOCKET"
kill -TERM "$TEND_PID"
tend_wait two 20

tend_start three -- sleep 100000
ok "wrapper mode listens on \$TEND_SOCKET" wait_until 10 health "$TEND_SOCKET"
kill -TERM "$TEND_PID"
tend_wait three 20

"$TEND" -s "$T/no/such/dir/x.sock" -- true 2>"$T/nodir.err"
is "$?" 2 "a chosen socket that cannot be bound: exit 2"
like "$(cat "$T/nodir.err")" "bind\\($T/no/such/dir/x.sock\\): No such file" \
    "... naming the call and the path"

"$TEND" -s none -- true
is "$?" 0 "-s none: no socket, runs"

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	chmod 711 "$T"
	mkdir "$T/xdg" && chown nobody "$T/xdg"
	as_nobody() {
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    env -u TEND_SOCKET "$@"
	}
	BG_ENV="env --default-signal XDG_RUNTIME_DIR=$T/xdg" bg_start four \
	    setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env -u TEND_SOCKET "$TEND" -- sleep 100000
	FOUR=$BG_PID
	ok "a user's default: \$XDG_RUNTIME_DIR/tend.sock" \
	    wait_until 10 health "$T/xdg/tend.sock"
	XDG_RUNTIME_DIR=$T/xdg as_nobody "$TEND" -v -- true 2>"$T/taken.err"
	is "$?" 0 "a taken default path: tend runs anyway"
	like "$(tr '\n' ' ' <"$T/taken.err")" "$T/xdg/tend.sock is in use.*running without a control socket" \
	    "... and says it has no socket"
	env -u XDG_RUNTIME_DIR setpriv --reuid=nobody --regid=nogroup \
	    --clear-groups env -u TEND_SOCKET "$TEND" -v -- true \
	    2>"$T/noxdg.err"
	like "$(cat "$T/noxdg.err")" 'no control socket: XDG_RUNTIME_DIR is not set' \
	    "no XDG_RUNTIME_DIR: no socket, said at info"
	kill -TERM "$FOUR"
	tend_wait four 20
else
	skip 3 "not root: cannot test another user's default path"
fi

done_testing
