#!/bin/bash
# 24-kill-modes.sh: config mode kill_mode and kill_signal. Each worker is a
# sigdump with a grandchild in its process group; both log the signals they
# get. group: forwarded signals and the stop signal reach the whole group.
# process: every signal to the main process only; the grandchild is never
# signalled and outlives the stop. mixed (the default): forwarded signals
# to the main process only; the group's leftovers get the stop signal once
# the main process has exited. kill_signal: what the deadline sends.
. "$(dirname "$0")/lib.sh"

plan 23
SIGDUMP=$HELPERS/sigdump

ini() {
	printf '%s\n' "$2" >"$T/$1.ini"
}

# has LOG SIG: LOG has a line SIG.
has() {
	[ -f "$1" ] && grep -qx -- "$2" "$1"
}

# quiet LOG SECONDS: LOG gets no line (no signal) for that long.
quiet() {
	! wait_for_log "$1" . "$2"
}

# sigs LOG: LOG's signals on one line, without the CONT that follows each
# stop signal (tend sends it so a stopped process sees the stop).
sigs() {
	[ -f "$1" ] && grep -vx CONT "$1" | tr '\n' ' ' | sed 's/ $//'
}

# worker NAME [SIGDUMP ARG...]: a sigdump logging to $T/NAME.main, its
# grandchild to $T/NAME.gc; pids in $T/NAME.pid and $T/NAME.gpid.
worker() {
	local n=$1
	shift
	echo "$SIGDUMP -l $T/$n.main -p $T/$n.pid -g $T/$n.gc -G $T/$n.gpid $*"
}

# start NAME: tend -c $T/NAME.ini; waits for the worker NAME to be ready
# (its pid file comes after its grandchild's) and sets MAIN and GC.
start() {
	tend_start "$1" -c "$T/$1.ini" --log-level info
	MAIN=$(read_pid "$T/$1.pid") && GC=$(cat "$T/$1.gpid") || {
		diag_file "$T/$1.err"
		bail_out "$1: the worker did not start"
	}
	track_pid "$GC"
}

# group: USR1 sent to tend reaches both; the stop signal reaches both at
# once, the grandchild while the main process still drains (2 s).
ini group "[program:w]
command = $(worker group -d 2000)
kill_mode = group"
start group
kill -USR1 "$TEND_PID"
ok "group: a forwarded USR1 reaches the main process" \
    wait_for_log "$T/group.main" '^USR1$' 5
ok "group: a forwarded USR1 reaches the grandchild in its group" \
    wait_for_log "$T/group.gc" '^USR1$' 5
# term_with_main: the grandchild gets TERM while the main process drains.
term_with_main() {
	wait_for_log "$T/group.gc" '^TERM$' 1.5 && pid_alive "$MAIN"
}
kill -TERM "$TEND_PID"
wait_for_log "$T/group.main" '^TERM$' 5
ok "group: the grandchild gets TERM at once, while the main process drains" \
    term_with_main
tend_wait group 15
is "$TEND_RC" 0 "group: both exit on TERM, tend exits 0" ||
    diag_file "$T/group.err"
is "$(sigs "$T/group.main")" "USR1 TERM" "group: the main process got TERM"
is "$(sigs "$T/group.gc")" "USR1 TERM" \
    "group: the grandchild got TERM with it (the group's signal)"
ok "group: no process of the group is left" pid_gone "$GC"

# process: signals to the main process only; the grandchild (which would
# exit 0 on TERM) is never signalled, so it outlives tend.
ini process "[program:w]
command = $(worker process)
kill_mode = process
stop_timeout = 5s"
start process
kill -USR1 "$TEND_PID"
wait_for_log "$T/process.main" '^USR1$' 5
ok "process: a forwarded USR1 does not reach the grandchild" \
    quiet "$T/process.gc" 0.5
t0=$(now_ms)
kill -TERM "$TEND_PID"
tend_wait process 15
elapsed=$(( $(now_ms) - t0 ))
is "$TEND_RC" 0 "process: the main process exits on TERM, tend exits 0" ||
    diag_file "$T/process.err"
is "$(sigs "$T/process.main")" "USR1 TERM" "process: the main process got TERM"
ok "process: the grandchild got no signal at all, during the stop or at exit" \
    quiet "$T/process.gc" 0.5
ok "process: the grandchild survives the stop" pid_alive "$GC" ||
    diag "ps: $(ps -o pid=,ppid=,stat=,args= -p "$GC")"
between "$elapsed" 0 4000 \
    "process: the stop ends with the main process, not at the deadline"
kill -KILL "$GC" 2>/dev/null

# mixed, the default: USR1 to the main process only; TERM to the main
# process, which drains 2 s; only then the grandchild gets TERM.
ini mixed "[program:w]
command = $(worker mixed -d 2000)"
start mixed
kill -USR1 "$TEND_PID"
wait_for_log "$T/mixed.main" '^USR1$' 5
ok "mixed: a forwarded USR1 does not reach the grandchild" \
    quiet "$T/mixed.gc" 0.5
# quiet_while_draining: no signal reaches the grandchild for 0.5 s, and
# the main process is still draining at the end of it.
quiet_while_draining() {
	quiet "$T/mixed.gc" 0.5 && pid_alive "$MAIN"
}
kill -TERM "$TEND_PID"
wait_for_log "$T/mixed.main" '^TERM$' 5
ok "mixed: while the main process drains, the grandchild gets no TERM" \
    quiet_while_draining
ok "mixed: once the main process has exited, the grandchild gets TERM" \
    wait_for_log "$T/mixed.gc" '^TERM$' 5
tend_wait mixed 15
is "$TEND_RC" 0 "mixed: both exit in time, tend exits 0" ||
    diag_file "$T/mixed.err"
is "$(sigs "$T/mixed.gc")" "TERM" "mixed: TERM was the grandchild's only signal"

# kill_signal = INT: a worker that ignores TERM gets INT at the deadline,
# logs it and dies by it; tend records a kill at the deadline.
ini intkill "[program:w]
command = $SIGDUMP -i -k INT -l $T/intkill.main -p $T/intkill.pid
kill_signal = INT
stop_timeout = 500ms"
tend_start intkill -c "$T/intkill.ini" --log-level info
read_pid "$T/intkill.pid" >/dev/null || bail_out "intkill: no worker"
t0=$(now_ms)
kill -TERM "$TEND_PID"
tend_wait intkill 15
elapsed=$(( $(now_ms) - t0 ))
is "$(sigs "$T/intkill.main")" "TERM INT" \
    "kill_signal INT: the worker got TERM (ignored), then INT"
between "$elapsed" 450 4000 "kill_signal INT: sent at the 500 ms deadline"
ok "kill_signal INT: logged at the deadline, by name" \
    grep -Eq 'w:0: stop deadline passed: INT to (process group|pid) [0-9]+' \
    "$T/intkill.err" || diag_file "$T/intkill.err"
ok "kill_signal INT: its exit is recorded as a kill by INT" \
    grep -Eq 'w:0: pid [0-9]+ killed by INT after ' "$T/intkill.err" ||
    diag_file "$T/intkill.err"
is "$TEND_RC" 1 "kill_signal INT: killed at the deadline, tend exits 1"

done_testing
