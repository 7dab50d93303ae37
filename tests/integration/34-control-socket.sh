#!/bin/bash
# 34-control-socket.sh: where the control socket goes and what happens when
# it cannot be had. -s beats socket = beats $TEND_SOCKET beats the default
# ($XDG_RUNTIME_DIR/tend.sock for a user); -s none has no socket; a path
# that cannot be bound stops tend (exit 2) when it was chosen, while a taken
# default path only costs the socket. The socket file gets exactly
# socket_mode from bind, and nothing tend does to it by path (at start or
# at exit) follows a symlink that a user who can write the directory
# plants there.
. "$(dirname "$0")/lib.sh"

plan 21

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

# Modes: exactly socket_mode, whatever umask tend inherited.
cat >"$T/m.ini" <<EOF
[tend]
socket = $T/m.sock
socket_mode = 0666
[program:a]
command = sleep 100000
autostart = no
EOF
umask_start() {	# umask_start NAME MASK ARGS: tend_start under umask MASK
	local name=$1 mask=$2
	shift 2
	(umask "$mask" && tend_start "$name" "$@" && echo "$TEND_PID" \
	    >"$T/$name.tpid")
	TEND_PID=$(cat "$T/$name.tpid")
	_sessions="$_sessions $TEND_PID"
}
umask_start five 077 -c "$T/m.ini"
ok "socket_mode 0666 under umask 077" wait_until 10 health "$T/m.sock"
is "$(stat -c %a "$T/m.sock")" 666 "... is exactly 0666"
# At exit: our socket moved aside and a symlink to it left in its place.
# The link is not ours (lstat), so it stays, and so does the socket.
mv "$T/m.sock" "$T/moved.sock"
ln -s "$T/moved.sock" "$T/m.sock"
kill -TERM "$TEND_PID"
tend_wait five 20
ok "a symlink planted at the socket path is not removed at exit" \
    test -L "$T/m.sock"
ok "... nor what it points to" test -S "$T/moved.sock"
rm -f "$T/m.sock" "$T/moved.sock"

# Between bind and what follows it, the socket file is swapped for a
# symlink to a root-owned 0600 file (strace holds bind's return for a
# moment): tend must not chmod that file, and refuses the socket.
if command -v strace >/dev/null; then
	printf 'secret\n' >"$T/target"
	chmod 600 "$T/target"
	BG_ENV="env --default-signal $NOLEAKS strace -o /dev/null \
	    -e trace=bind -e inject=bind:delay_exit=1500000:when=1" \
	    tend_start six -c "$T/m.ini"
	if wait_for_file "$T/m.sock" 10; then
		rm -f "$T/m.sock"
		ln -s "$T/target" "$T/m.sock"
	fi
	tend_wait six 20
	is "$TEND_RC" 2 "socket swapped for a symlink after bind: exit 2"
	like "$(cat "$T/six.err")" 'm.sock was replaced right after bind' \
	    "... saying why"
	is "$(stat -c %a "$T/target")" 600 \
	    "... and the symlink's target keeps mode 0600"
	is "$(cat "$T/target")" secret "... and its content"
	rm -f "$T/m.sock"
else
	skip 4 "strace is not installed"
fi

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
