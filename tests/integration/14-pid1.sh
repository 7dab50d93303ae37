#!/bin/bash
# 14-pid1.sh: tend as PID 1 of a PID namespace (unshare): it reaps a storm
# of orphans, lets an orphan that catches TERM finish when it exits (TERM
# to everything left, KILL only later, never hanging on one that ignores
# TERM), and exits with the child's status.
. "$(dirname "$0")/lib.sh"

plan 13
ORPHANS=$HELPERS/spawn-orphans

if [ "$(id -u)" != 0 ]; then
	skip 13 "needs root for unshare --pid"
	done_testing
fi
if ! unshare --pid --fork --mount-proc true 2>/dev/null; then
	skip 13 "unshare --pid --fork --mount-proc does not work here"
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

done_testing
