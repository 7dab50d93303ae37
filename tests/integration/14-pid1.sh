#!/bin/bash
# 14-pid1.sh: tend as PID 1 of a PID namespace (unshare): it reaps a storm
# of orphans, lets an orphan that catches TERM finish when it exits (TERM
# to everything left, KILL only later, never hanging on one that ignores
# TERM), and exits with the child's status.
. "$(dirname "$0")/lib.sh"

plan 18
ORPHANS=$HELPERS/spawn-orphans

if [ "$(id -u)" != 0 ]; then
	skip 18 "needs root for unshare --pid"
	done_testing
fi
if ! unshare --pid --fork --mount-proc true 2>/dev/null; then
	skip 18 "unshare --pid --fork --mount-proc does not work here"
	done_testing
fi
TEND_WRAP="unshare --pid --fork --mount-proc"

# A storm of 100 orphans, each sleeping up to 0.2 s. The child waits (with
# a deadline) until none of them is left in /proc, even as a zombie, then
# counts the zombies in the namespace.
tend_run storm 30 -- sh -c "
	echo \$PPID >'$T/storm.ppid'
	'$ORPHANS' -n 100 -m 200 -p '$T/storm.pids' || exit 99
	i=0
	while [ \$i -lt 500 ]; do
		left=0
		for p in \$(cat '$T/storm.pids'); do
			[ -e /proc/\$p ] && left=\$((left + 1))
		done
		[ \$left -eq 0 ] && break
		sleep 0.02
		i=\$((i + 1))
	done
	echo \$left >'$T/storm.left'
	ps -eo pid,ppid,stat,args >'$T/storm.ps'
	ps -eo stat= | grep -c '^Z' >'$T/storm.zombies'
	exit 0"
is "$(cat "$T/storm.ppid" 2>/dev/null)" 1 "the child's parent is PID 1 (tend)"
is "$TEND_RC" 0 "storm: tend exits 0"
is "$(cat "$T/storm.left" 2>/dev/null)" 0 \
    "storm: all 100 orphans reaped (none left, not even as a zombie)"
is "$(cat "$T/storm.zombies" 2>/dev/null)" 0 "storm: no zombie in the namespace" ||
    diag_file "$T/storm.ps"

# An orphan (its own session, so not in the child's group) catches TERM
# and writes a marker 0.3 s later. The child exits at once; as PID 1, tend
# must send TERM to what is left and wait for it, not just exit (the kernel
# would then KILL the whole namespace).
tend_run flush 30 -- sh -c "'$ORPHANS' -n 0 -s -t '$T/flushed' -D 300 &&
    exit 0"
is "$TEND_RC" 0 "orphan flush: tend exits with the child's 0"
ok "orphan flush: the orphan got TERM and finished its work (marker written)" \
    test -e "$T/flushed" || diag_file "$T/flush.err"

# An orphan that ignores TERM (it logs the TERM with its parent, then
# carries on): TERM, a 2 s wait, then KILL; tend must not wait for it
# forever, nor skip the TERM or the wait.
t0=$(now_ms)
tend_run stubborn 30 -- sh -c "'$ORPHANS' -n 1 -w -i -s -l '$T/stubborn.term' &&
    exit 0"
elapsed=$(( $(now_ms) - t0 ))
is "$TEND_RC" 0 "TERM-ignoring orphan: tend exits with the child's 0"
is "$(cat "$T/stubborn.term" 2>/dev/null)" "TERM 1" \
    "TERM-ignoring orphan: it got TERM first, from its parent PID 1 (tend)"
between "$elapsed" 1500 5000 \
    "TERM-ignoring orphan: KILLed ~2 s later, then tend exits (1.5-5 s)" ||
    diag_file "$T/stubborn.err"
ok "TERM-ignoring orphan: tend sent the KILL (logged)" \
    grep -q 'processes left after 2s: sending KILL' "$T/stubborn.err" ||
    diag_file "$T/stubborn.err"
is "$(pgrep -fc -- "$T/stubborn.term")" 0 \
    "TERM-ignoring orphan: gone afterwards"

tend_run status7 30 -- sh -c 'exit 7'
is "$TEND_RC" 7 "as PID 1, tend exits with the child's status (7)"
tend_run status143 30 -- sh -c 'kill -TERM $$'
is "$TEND_RC" 143 "as PID 1, a child killed by TERM gives 143"

# Job control as PID 1, on a terminal: tend cannot stop (the kernel
# ignores STOP for a namespace's init), so it must not stop its programs
# either: a TSTP to tend is ignored, and a wrapped child stopped by ^Z is
# sent CONT. ptyrun gives the namespace a terminal.
# pty_pid1 NAME TEND_ARG...: tend as PID 1 under ptyrun, typing from fd 3.
pty_pid1() {
	local name=$1
	shift
	mkfifo "$T/$name.in"
	(
		trap - EXIT HUP INT TERM
		$BG_ENV "$HELPERS/ptyrun" unshare --pid --fork --mount-proc \
		    "$TEND" "$@" <"$T/$name.in" >"$T/$name.out" 2>&1
		echo $? >"$T/$name.rc"
	) &
	track_pid $!
	exec 3>"$T/$name.in"
}
stat_of() {
	ps -o stat= -p "$1" 2>/dev/null | tr -d ' '
}
printf '%s\n' "[program:w]" \
    "command = /bin/sh -c 'echo \$\$\$\$ > $T/cfg1.pid; exec sleep 60'" \
    >"$T/cfg1.ini"
pty_pid1 cfg1 -c "$T/cfg1.ini"
# The pid files hold pids of the namespace; ps wants the host's.
read_pid "$T/cfg1.pid" >/dev/null || bail_out "cfg1: no worker pid"
P1=$(pgrep -f "^$TEND -c $T/cfg1.ini")
W=$(pgrep -P "$P1")
track_pid "$W"
kill -TSTP "$P1"
wait_until 5 grep -q 'TSTP: tend is PID 1 and cannot be stopped' \
    "$T/cfg1.out"
ok "PID 1: SIGTSTP to tend is ignored (logged)" \
    grep -q 'TSTP: tend is PID 1 and cannot be stopped; ignored' \
    "$T/cfg1.out" || diag_file "$T/cfg1.out"
case $(stat_of "$W") in T*) st=stopped ;; '') st=gone ;; *) st=running ;; esac
is "$st" running "PID 1: the program was not stopped"
kill -TERM "$P1"
wait_for_file "$T/cfg1.rc" 10
is "$(cat "$T/cfg1.rc" 2>/dev/null)" 0 "PID 1: TERM still shuts down (0)"
exec 3>&-

pty_pid1 wrap1 -- /bin/sh -c "echo \$\$ > '$T/wrap1.pid'; exec sleep 60"
read_pid "$T/wrap1.pid" >/dev/null || bail_out "wrap1: no child pid"
P1=$(pgrep -f "^$TEND -- /bin/sh -c echo")
W=$(pgrep -P "$P1")
track_pid "$W"
printf '\032' >&3
ok "PID 1: a child stopped by ^Z is sent CONT" \
    wait_for_log "$T/wrap1.out" 'stopped by TSTP: tend is PID 1 and cannot stop with it; sending CONT' 5 ||
    diag_file "$T/wrap1.out"
running() { case $(stat_of "$1") in ''|T*|Z*) return 1 ;; esac; }
ok "PID 1: and runs again" wait_until 5 running "$W"
kill -TERM "$P1"
wait_for_file "$T/wrap1.rc" 10
exec 3>&-

done_testing
