#!/bin/bash
# 15-isolation.sh: what the child inherits from tend: descriptors 0-2
# only; the signal dispositions and mask tend itself was started with, not
# tend's own; stdout for itself alone (tend logs to stderr).
. "$(dirname "$0")/lib.sh"

plan 16
SIGDUMP=$HELPERS/sigdump

# run_dump NAME [TEND ARGS]: tend running sigdump -s; waits for the status
# file, then stops tend.
run_dump() {
	local name=$1
	shift
	tend_start "$name" "$@" -- "$SIGDUMP" -s "$T/$name.status" \
	    -p "$T/$name.pid"
	read_pid "$T/$name.pid" >/dev/null || {
		diag_file "$T/$name.err"
		bail_out "$name: sigdump did not start"
	}
}

stop_dump() {
	kill -TERM "$TEND_PID"
	tend_wait "$1" 15
	is "$TEND_RC" 0 "$1: tend exits 0"
}

field() {
	sed -n "s/^$2:[[:space:]]*//p" "$T/$1.status"
}

# sigset NAME SigIgn: the SigIgn mask less signals 32 and 33, which glibc
# keeps for itself: sigaction() refuses them, so neither env nor tend can
# reset them (make's environment may start us with them ignored). SigBlk
# is compared whole: tend passes a blocked 32/33 on with the raw call.
sigset() {
	local v
	v=$(field "$1" "$2")
	if [ "$2" = SigBlk ]; then
		echo "${v:-ffffffffffffffff}"
		return
	fi
	printf '%016x\n' $(( 0x${v:-ffffffffffffffff} & ~0x180000000 ))
}

# Descriptors: tend inherits 3 and 7; its child must not.
exec 3>/dev/null 7</etc/hosts
run_dump fds
exec 3>&- 7<&-
fds=$(ls /proc/"$TEND_PID"/fd | sort -n | tr '\n' ' ')
diag "tend's descriptors: $fds"
like " $fds" ' 3 .* 7 ' "tend itself has the inherited descriptors 3 and 7"
is "$(field fds fds)" "0 1 2" "the child has only descriptors 0, 1 and 2"
stop_dump fds

# Started clean (every disposition default, nothing blocked): none of
# tend's own signal handling (signalfd's mask, SIGPIPE ignored) leaks.
run_dump clean
diag "child's: $(grep -E '^Sig' "$T/clean.status" | tr '\t\n' '  ')"
diag "tend's own: $(grep -E '^Sig(Blk|Ign)' /proc/"$TEND_PID"/status | tr '\t\n' '  ')"
is "$(sigset clean SigIgn)" 0000000000000000 "started clean: child SigIgn is 0"
is "$(sigset clean SigBlk)" 0000000000000000 "started clean: child SigBlk is 0"
stop_dump clean

# Started with USR2 ignored and WINCH blocked: the child inherits both, as
# it would without tend between.
if env --help 2>/dev/null | grep -q -- --block-signal; then
	BG_ENV="env --default-signal --ignore-signal=USR2 --block-signal=WINCH"
	run_dump inherit
	BG_ENV="env --default-signal"
	# USR2 is signal 12 (bit 11), WINCH 28 (bit 27).
	is "$(sigset inherit SigIgn)" 0000000000000800 \
	    "inherited SIG_IGN for USR2: the child has it ignored (and only it)"
	is "$(sigset inherit SigBlk)" 0000000008000000 \
	    "inherited blocked WINCH: the child has it blocked (and only it)"
	stop_dump inherit
else
	skip 3 "env has no --block-signal/--ignore-signal"
fi

# Started with 33 blocked (only the raw system call can), and WINCH: the
# child gets both blocked. glibc's sigprocmask would drop 33.
BG_ENV="env --default-signal $HELPERS/rawmask -b 28,33"
run_dump raw
BG_ENV="env --default-signal"
is "$(sigset raw SigBlk)" 0000000108000000 \
    "inherited blocked 33 and WINCH: the child has exactly those blocked"
stop_dump raw

# Signal 33's default action kills, and glibc will not let tend watch it:
# tend blocks it, so a stray kill -33 does not end tend.
BG_ENV="env --default-signal $HELPERS/rawmask -d 32,33"
run_dump stray
BG_ENV="env --default-signal"
kill -33 "$TEND_PID"
ok "kill -33: tend still runs (and exits 0 below, not 161)" \
    wait_until 5 pid_alive "$TEND_PID"
stop_dump stray

# tend's log goes to stderr, never stdout: with -v (and json), stdout holds
# the child's output alone.
tend_run out 15 -v -- sh -c 'echo child-out; echo child-err >&2'
is "$(cat "$T/out.out")" child-out "-v: stdout holds only the child's output"
ok "-v: tend logs to stderr" grep -q '^tend: ' "$T/out.err" ||
    diag_file "$T/out.err"
tend_run json 15 -v --log-format json -- sh -c 'echo child-out'
is "$(cat "$T/json.out")" child-out \
    "-v --log-format json: stdout holds only the child's output"

done_testing
