#!/bin/bash
# 17-tty.sh: job control on a terminal (a pty from tests/helpers/ptyrun).
# In wrapper mode the child owns the terminal's foreground, so ^C and ^Z
# reach it as they would without tend; when ^Z stops it, tend stops too
# (the shell must see its job stop); SIGCONT resumes both. SIGTSTP sent to
# tend itself stops the child's group, then tend (as dumb-init does).
. "$(dirname "$0")/lib.sh"

plan 23

stat_of() {
	ps -o stat= -p "$1" 2>/dev/null | tr -d ' '
}
stopped() {
	case $(stat_of "$1") in T*) return 0 ;; esac
	return 1
}
running() {
	case $(stat_of "$1") in ''|T*|Z*) return 1 ;; esac
	return 0
}

# run_pty NAME [SCRIPT [TEND ARG...]]: tend under ptyrun running
# sh -c SCRIPT (after it writes its pid to $T/NAME.pid; default: sleep),
# typing from fd 3 (a fifo). Sets CHILD and TENDP.
run_pty() {
	local name=$1 script=${2:-exec sleep 60}
	shift $(( $# < 2 ? $# : 2 ))
	mkfifo "$T/$name.in"
	(
		trap - EXIT HUP INT TERM
		$BG_ENV "$HELPERS/ptyrun" "$TEND" "$@" -- /bin/sh -c \
		    "echo \$\$ > $T/$name.pid; $script" \
		    <"$T/$name.in" >"$T/$name.out" 2>&1
		echo $? >"$T/$name.rc"
	) &
	track_pid $!
	exec 3>"$T/$name.in"
	CHILD=$(read_pid "$T/$name.pid") || bail_out "$name: no child pid"
	TENDP=$(ps -o ppid= -p "$CHILD" | tr -d ' ')
	track_pid "$TENDP"
	track_pid "$CHILD"
}

run_pty ctrlz
is "$(ps -o tpgid= -p "$CHILD" | tr -d ' ')" "$CHILD" \
    "the child owns the terminal's foreground"
printf '\032' >&3
ok "^Z stops the child" wait_until 5 stopped "$CHILD"
ok "and then tend" wait_until 5 stopped "$TENDP"
kill -CONT "$TENDP"
ok "SIGCONT resumes tend" wait_until 5 running "$TENDP"
ok "and the child" wait_until 5 running "$CHILD"
is "$(ps -o tpgid= -p "$CHILD" | tr -d ' ')" "$CHILD" \
    "the child still owns the foreground"
printf '\003' >&3
wait_for_file "$T/ctrlz.rc" 10
is "$(cat "$T/ctrlz.rc" 2>/dev/null)" 130 "^C reaches the child; tend exits 130"
exec 3>&-

run_pty tstp
kill -TSTP "$TENDP"
ok "SIGTSTP to tend stops the child's group" wait_until 5 stopped "$CHILD"
ok "and then tend" wait_until 5 stopped "$TENDP"
kill -CONT "$TENDP"
ok "SIGCONT resumes the child" wait_until 5 running "$CHILD"
ok "and tend stays running (no stale stop)" running "$TENDP"
kill -TERM "$TENDP"
wait_for_file "$T/tstp.rc" 10
is "$(cat "$T/tstp.rc" 2>/dev/null)" 143 "TERM afterwards: tend exits 143"
exec 3>&-

# A restarted child gets the terminal again: tend takes it back when the
# child exits and hands it to the next one (else the next one's read
# stops it with SIGTTIN).
run_pty again 'read x; echo "got $x" >> '"$T"'/again.got; exit 1' \
    --restart always
printf 'one\n' >&3
wait_until 5 test -s "$T/again.got"
printf 'two\n' >&3
ok "the restarted child reads the terminal too" \
    wait_until 5 grep -q 'got two' "$T/again.got"
kill -TERM "$TENDP"
wait_for_file "$T/again.rc" 10
ok "and tend stops cleanly" test -f "$T/again.rc"
exec 3>&-

# Config mode: each program is a session of its own, so the kernel would
# discard a TSTP to its (orphaned) group: tend sends STOP instead.
# run_pty_cfg NAME INI: tend -c INI under ptyrun; sets TENDP.
run_pty_cfg() {
	local name=$1
	mkfifo "$T/$name.in"
	(
		trap - EXIT HUP INT TERM
		$BG_ENV "$HELPERS/ptyrun" "$TEND" -c "$2" \
		    <"$T/$name.in" >"$T/$name.out" 2>&1
		echo $? >"$T/$name.rc"
	) &
	track_pid $!
	exec 3>"$T/$name.in"
}
ini cfgstop "[program:w]
command = /bin/sh -c 'echo \$\$\$\$ > $T/cfgstop.pid; exec sleep 60'"
run_pty_cfg cfgstop "$T/cfgstop.ini"
CHILD=$(read_pid "$T/cfgstop.pid") || bail_out "cfgstop: no child pid"
TENDP=$(ps -o ppid= -p "$CHILD" | tr -d ' ')
track_session "$TENDP"
kill -TSTP "$TENDP"
ok "config mode: SIGTSTP to tend stops the program (STOP)" \
    wait_until 5 stopped "$CHILD"
ok "config mode: and then tend" wait_until 5 stopped "$TENDP"
kill -CONT "$TENDP"
ok "config mode: SIGCONT resumes the program" wait_until 5 running "$CHILD"
kill -TERM "$TENDP"
wait_for_file "$T/cfgstop.rc" 10
is "$(cat "$T/cfgstop.rc" 2>/dev/null)" 0 "config mode: TERM then exits 0"
exec 3>&-

# A worker sharing tend's terminal stops its output (tcflow TCOOFF): tend's
# writes to it would block forever. They are dropped and counted instead,
# and tend answers and shuts down as ever.
ini tcooff "[program:stopper]
command = /usr/bin/python3 -c 'import termios; termios.tcflow(1, termios.TCOOFF); open(\"$T/tcooff.done\", \"w\"); import time; time.sleep(60)'
[program:flood]
command = /usr/bin/yes flooding
stdout = prefix
depends = stopper"
run_pty_cfg tcooff "$T/tcooff.ini"
wait_for_file "$T/tcooff.done" 10 || diag "tcooff: the stopper did not run"
# Anchored: ptyrun's own argv holds the same words.
TENDP=$(pgrep -f "^$TEND -c $T/tcooff.ini")
track_session "$TENDP"
dropped() {
	"$TENDCTL" metrics 2>/dev/null | awk '
	    $1 == "tend_log_dropped_bytes_total" && $2 > 0 { f = 1 }
	    END { exit !f }'
}
ok "output stopped (TCOOFF): the lines tend cannot write are counted" \
    wait_until 10 dropped
t0=$(now_ms)
ok "output stopped (TCOOFF): tend still answers (health 200)" \
    wait_until 5 sh -c "timeout 2 '$TENDCTL' health >/dev/null 2>&1"
between $(( $(now_ms) - t0 )) 0 3000 "output stopped: and at once"
kill -TERM "$TENDP"
ok "output stopped: SIGTERM ends tend" wait_until 10 pid_gone "$TENDP"
wait_for_file "$T/tcooff.rc" 10
is "$(cat "$T/tcooff.rc" 2>/dev/null)" 0 "output stopped: and it exits 0"
exec 3>&-

done_testing
