#!/bin/bash
# 20-restart.sh: config mode restarts. Gaps between restarts follow the
# backoff schedule (measured by the workers' own start times, with
# tolerances), backoff_max caps them, backoff_reset resets them,
# restart_limit gives up (fatal) while tend keeps running, and each restart
# policy restarts exactly when it should. Wrapper mode's --restart and -n
# run on the same machinery.
. "$(dirname "$0")/lib.sh"

plan 27

# ini NAME BODY: writes $T/NAME.ini
ini() {
	printf '%s\n' "$2" >"$T/$1.ini"
}

# gaps FILE: the gaps in ms between the nanosecond stamps in FILE, one a line.
gaps() {
	awk 'NR > 1 { printf "%d\n", ($1 - prev) / 1000000 } { prev = $1 }' "$1"
}

lines() {
	if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}

has_lines() {	# has_lines FILE N
	[ "$(lines "$1")" -ge "$2" ]
}

stamp='date +%s%N >>'

# 200ms x2, no jitter: 0.2, 0.4, 0.8, 1.6 s.
ini backoff "[program:crash]
command = /bin/sh -c '$stamp $T/backoff.starts; exit 1'
start_seconds = 0
backoff_initial = 200ms
backoff_multiplier = 2
backoff_jitter = 0
backoff_max = 10s"
tend_start backoff -c "$T/backoff.ini"
wait_until 10 has_lines "$T/backoff.starts" 5
mapfile -t g < <(gaps "$T/backoff.starts")
between "${g[0]:-0}" 190 450 "1st restart after ~200 ms"
between "${g[1]:-0}" 390 700 "2nd restart after ~400 ms"
between "${g[2]:-0}" 790 1150 "3rd restart after ~800 ms"
between "${g[3]:-0}" 1590 2000 "4th restart after ~1600 ms"
kill -TERM "$TEND_PID"
tend_wait backoff 10
is "$TEND_RC" 0 "TERM during backoff: tend exits 0 at once"
ok "TERM during backoff: the pending restart is logged as cancelled" \
    grep -q 'crash:0: restart cancelled' "$T/backoff.err"

# backoff_max caps: 100ms x10, max 300ms: 0.1, 0.3, 0.3.
ini cap "[program:crash]
command = /bin/sh -c '$stamp $T/cap.starts; exit 1'
start_seconds = 0
backoff_initial = 100ms
backoff_multiplier = 10
backoff_jitter = 0
backoff_max = 300ms"
tend_start cap -c "$T/cap.ini"
wait_until 10 has_lines "$T/cap.starts" 4
mapfile -t g < <(gaps "$T/cap.starts")
between "${g[0]:-0}" 90 350 "cap: 1st restart after ~100 ms"
between "${g[1]:-0}" 290 550 "cap: 2nd restart after 300 ms, not 1 s"
between "${g[2]:-0}" 290 550 "cap: 3rd restart after 300 ms, not 10 s"
kill -TERM "$TEND_PID"
tend_wait cap 10

# Up longer than backoff_reset: every restart waits backoff_initial again
# (without the reset the gaps would be 0.7, 1.3, 2.5 s).
ini reset "[program:steady]
command = /bin/sh -c '$stamp $T/reset.starts; sleep 0.5; exit 1'
start_seconds = 0
backoff_initial = 200ms
backoff_multiplier = 3
backoff_jitter = 0
backoff_reset = 300ms"
tend_start reset -c "$T/reset.ini"
wait_until 10 has_lines "$T/reset.starts" 4
mapfile -t g < <(gaps "$T/reset.starts")
between "${g[1]:-0}" 690 1050 "reset: 2nd gap is up 0.5 s + 0.2 s again"
between "${g[2]:-0}" 690 1050 "reset: 3rd gap is up 0.5 s + 0.2 s again"
kill -TERM "$TEND_PID"
tend_wait reset 10

# restart_limit = 3: the 4th restart within the window is refused: fatal.
# backoff_initial = 0 restarts at once, through the loop.
ini limit "[program:crash]
command = /bin/sh -c '$stamp $T/limit.starts; exit 1'
backoff_initial = 0
restart_limit = 3
restart_window = 60s
[program:bystander]
command = /bin/sh -c 'echo up > $T/bystander.up; exec sleep 60'"
tend_start limit -c "$T/limit.ini"
wait_for_log "$T/limit.err" 'crash:0: more than 3 restarts within 60s: giving up \(fatal\)' 10
ok "restart_limit: fatal logged" wait_for_log "$T/limit.err" 'giving up' 1
is "$(lines "$T/limit.starts")" 4 "restart_limit 3: 1 start + 3 restarts"
ok "fatal: tend and the other program keep running" \
    test -f "$T/bystander.up" -a ! -f "$T/limit.rc"
kill -TERM "$TEND_PID"
tend_wait limit 10
is "$TEND_RC" 0 "fatal instance: graceful shutdown still exits 0"

# Restart policies.
policy() {	# policy NAME RESTART CODES EXIT WANT_STARTS DESC
	ini "$1" "[program:p]
command = /bin/sh -c '$stamp $T/$1.starts; exit $4'
restart = $2
success_exit_codes = $3
start_seconds = 0
backoff_initial = 50ms
backoff_jitter = 0"
	tend_start "$1" -c "$T/$1.ini"
	if [ "$5" = 1 ]; then
		wait_for_log "$T/$1.err" 'not restarting' 10
	else
		wait_until 10 has_lines "$T/$1.starts" "$5"
	fi
	kill -TERM "$TEND_PID"
	tend_wait "$1" 10
	if [ "$5" = 1 ]; then
		is "$(lines "$T/$1.starts")" 1 "$6"
	else
		ok "$6" has_lines "$T/$1.starts" "$5"
	fi
}
policy onfail0 on-failure 0 0 1 "on-failure, exit 0: not restarted"
policy onfail1 on-failure 0 1 3 "on-failure, exit 1: restarted"
policy onfail3 on-failure "0, 3" 3 1 "on-failure, exit 3 in success_exit_codes: not restarted"
policy always0 always 0 0 3 "always, exit 0: restarted"
policy never1 never 0 1 1 "never, exit 1: not restarted"

# start_seconds: an exit sooner is a failed start.
ini quick "[program:quick]
command = /bin/sh -c 'exit 1'
restart = never
start_seconds = 5s"
tend_start quick -c "$T/quick.ini"
wait_for_log "$T/quick.err" 'not restarting' 10
ok "exit before start_seconds: a failed start" \
    grep -q 'exited 1 after .*(failed start)' "$T/quick.err"
kill -TERM "$TEND_PID"
tend_wait quick 10

# Wrapper mode, --restart on-failure: restarted until it exits 0, then
# tend exits 0 with it.
tend_run wrap 20 --restart on-failure -- /bin/sh -c \
    "$stamp $T/wrap.starts; [ \$(wc -l < $T/wrap.starts) -ge 3 ] && exit 0; exit 1"
is "$TEND_RC" 0 "wrapper --restart on-failure: exits 0 once the child does"
is "$(lines "$T/wrap.starts")" 3 "wrapper --restart on-failure: 3 starts"

# Wrapper mode, -n 2 --restart on-failure: one instance ending for good
# (exit 0) does not end the program; the last one to end does, and tend
# exits with its status.
tend_start multi0 -n 2 --restart on-failure --log-level info -- /bin/sh -c \
    "if [ \$TEND_INSTANCE = 0 ]; then exit 0; fi; echo up > $T/multi0.up; exec sleep 60"
wait_for_file "$T/multi0.up" 10
wait_for_log "$T/multi0.err" 'sh:0: exited 0, restart = on-failure: not restarting' 10
ok "-n 2: instance 1 runs on after instance 0 ended for good" \
    pid_alive "$TEND_PID"
kill -TERM "$TEND_PID"
tend_wait multi0 10
is "$TEND_RC" 0 "-n 2: TERM then ends the rest, exit 0"

# Wrapper mode, -n 3: three instances with TEND_INSTANCE 0, 1, 2.
tend_start multi -n 3 -- /bin/sh -c \
    "echo \$TEND_PROGRAM:\$TEND_INSTANCE >> $T/multi.names; exec sleep 60"
wait_until 10 has_lines "$T/multi.names" 3
is "$(sort "$T/multi.names" | tr '\n' ' ')" "sh:0 sh:1 sh:2 " \
    "wrapper -n 3: instances sh:0 sh:1 sh:2"
kill -TERM "$TEND_PID"
tend_wait multi 10
is "$TEND_RC" 0 "wrapper -n 3: TERM stops all three, exit 0 (several instances: config-mode status)"

done_testing
