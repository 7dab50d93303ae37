#!/bin/bash
# 11-signals.sh: signals sent to tend reach the child: TERM (as the stop
# signal), and USR1 HUP WINCH QUIT USR2 CONT forwarded; to the child alone
# by default, to its whole group with -g; --stop-signal changes TERM; INT
# is passed on as INT.
. "$(dirname "$0")/lib.sh"

plan 22
SIGDUMP=$HELPERS/sigdump

# A child that logs its signals; tend forwards the lot.
tend_start fwd -- "$SIGDUMP" -l "$T/fwd.log" -p "$T/fwd.pid"
if ! read_pid "$T/fwd.pid" >/dev/null; then
	diag_file "$T/fwd.err"
	bail_out "sigdump did not start under tend"
fi
for sig in USR1 HUP WINCH QUIT USR2 CONT; do
	kill -"$sig" "$TEND_PID"
	ok "SIG$sig sent to tend reaches the child" \
	    wait_for_log "$T/fwd.log" "^$sig\$" 5 || diag_file "$T/fwd.log"
done
kill -TERM "$TEND_PID"
ok "SIGTERM sent to tend reaches the child" \
    wait_for_log "$T/fwd.log" '^TERM$' 5 || diag_file "$T/fwd.log"
tend_wait fwd 10
is "$TEND_RC" 0 "the child exits 0 on TERM: tend exits 0"

# grandchild_gets_usr1 NAME [TEND ARGS]: USR1 to tend; waits for the
# child to log it, then sends WINCH straight to the grandchild and waits for
# that. A USR1 sent to the group before is pending by then, and a pending
# USR1 (10) is delivered before WINCH (28): the grandchild's log is final.
grandchild_gets_usr1() {
	local name=$1 gpid
	shift
	tend_start "$name" "$@" -- "$SIGDUMP" -l "$T/$name.log" \
	    -p "$T/$name.pid" -g "$T/$name.glog" -G "$T/$name.gpid"
	read_pid "$T/$name.pid" >/dev/null || bail_out "$name: no sigdump"
	gpid=$(cat "$T/$name.gpid")
	kill -USR1 "$TEND_PID"
	ok "$name: the child gets USR1" \
	    wait_for_log "$T/$name.log" '^USR1$' 5
	kill -WINCH "$gpid"
	wait_for_log "$T/$name.glog" '^WINCH$' 5 ||
	    bail_out "$name: the grandchild does not log signals"
	kill -TERM "$TEND_PID"
	tend_wait "$name" 10 || diag "$name: tend did not exit"
	grep -q '^USR1$' "$T/$name.glog"
}

if grandchild_gets_usr1 nogroup; then
	fail "without -g, the grandchild in the child's group does not get USR1"
else
	pass "without -g, the grandchild in the child's group does not get USR1"
fi
ok "with -g, the grandchild in the child's group gets USR1" \
    grandchild_gets_usr1 group -g
ok "with -g, the stop signal (TERM) reaches the grandchild too" \
    grep -qx TERM "$T/group.glog"

# --stop-signal INT: the child is asked to stop with INT, not TERM.
tend_start stopint --stop-signal INT -- "$SIGDUMP" -l "$T/stopint.log" \
    -p "$T/stopint.pid"
read_pid "$T/stopint.pid" >/dev/null || bail_out "stopint: no sigdump"
kill -TERM "$TEND_PID"
ok "--stop-signal INT: the child gets INT" \
    wait_for_log "$T/stopint.log" '^INT$' 5 || diag_file "$T/stopint.log"
tend_wait stopint 10
is "$TEND_RC" 0 "--stop-signal INT: tend exits with the child's 0"
ok "--stop-signal INT: the child never got TERM" \
    test -z "$(grep -x TERM "$T/stopint.log")"

# SIGINT to tend in wrapper mode reaches the child as INT (as tini passes
# it on), not as TERM; with --stop-signal given, that one is used.
tend_start passint -- "$SIGDUMP" -l "$T/passint.log" -p "$T/passint.pid"
read_pid "$T/passint.pid" >/dev/null || bail_out "passint: no sigdump"
kill -INT "$TEND_PID"
ok "wrapper mode: SIGINT reaches the child as INT" \
    wait_for_log "$T/passint.log" '^INT$' 5 || diag_file "$T/passint.log"
tend_wait passint 10
ok "wrapper mode: and the child never got TERM" \
    test -z "$(grep -x TERM "$T/passint.log")"
tend_start intquit --stop-signal QUIT -- "$SIGDUMP" -l "$T/intquit.log" \
    -p "$T/intquit.pid"
read_pid "$T/intquit.pid" >/dev/null || bail_out "intquit: no sigdump"
kill -INT "$TEND_PID"
ok "wrapper mode, --stop-signal QUIT: SIGINT stops the child with QUIT" \
    wait_for_log "$T/intquit.log" '^QUIT$' 5 || diag_file "$T/intquit.log"
tend_wait intquit 10

# Config mode without a terminal: a program is a session of its own, whose
# group the kernel sees as orphaned and so would discard a forwarded TSTP;
# tend sends STOP, and CONT resumes.
ini cfgtstp "[program:w]
command = /bin/sh -c 'echo \$\$\$\$ > $T/cfgtstp.pid; exec sleep 100000'"
tend_start cfgtstp -c "$T/cfgtstp.ini"
W=$(read_pid "$T/cfgtstp.pid") || bail_out "cfgtstp: no worker"
stopped() { case $(ps -o stat= -p "$1" 2>/dev/null) in T*) return 0 ;; esac; return 1; }
kill -TSTP "$TEND_PID"
ok "config mode, no terminal: TSTP to tend stops the program" \
    wait_until 5 stopped "$W"
kill -CONT "$TEND_PID"
ok "config mode, no terminal: CONT resumes it" \
    wait_until 5 sh -c "! ps -o stat= -p $W | grep -q '^T'"
kill -TERM "$TEND_PID"
tend_wait cfgtstp 10
is "$TEND_RC" 0 "config mode, no terminal: then TERM exits 0"

done_testing
