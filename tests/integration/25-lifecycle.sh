#!/bin/bash
# 25-lifecycle.sh: config mode lifecycle rules. autostart = no leaves a
# program alone; nothing restarts while tend is stopping; a critical
# program that goes fatal takes tend down with its status; restart_window
# lets old restarts age out of restart_limit; running out of descriptors
# is a failed start (126), never a crash.
. "$(dirname "$0")/lib.sh"

plan 25
SIGDUMP=$HELPERS/sigdump

ini() {
	printf '%s\n' "$2" >"$T/$1.ini"
}

lines() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

has_lines() {	# has_lines FILE N
	[ "$(lines "$1")" -ge "$2" ]
}

count() {	# count FILE ERE
	if [ -f "$1" ]; then grep -Ec -- "$2" "$1"; else echo 0; fi
}

has_count() {	# has_count FILE ERE N
	[ "$(count "$1" "$2")" -ge "$3" ]
}

# no_file FILE SECONDS: FILE does not appear for that long.
no_file() {
	! wait_for_file "$1" "$2"
}

# autostart = no: "off" is not started, "on" is; shutdown is clean. A
# program depending on "off" waits, and the log says why.
ini auto "[program:off]
command = $SIGDUMP -p $T/off.ran
autostart = no
[program:on]
command = $SIGDUMP -p $T/on.pid
[program:needs]
command = $SIGDUMP -p $T/needs.ran
depends = on, off"
tend_start auto -c "$T/auto.ini" --log-level info
ok "autostart: the other program starts" wait_for_file "$T/on.pid" 10
ok "a program depending on an autostart = no one says what it waits for" \
    wait_for_log "$T/auto.err" 'needs: waiting for (on, )?off \(autostart = no: it will not start by itself\)' 5
ok "autostart = no: the program is not started" no_file "$T/off.ran" 0.5
is "$(pgrep -fc -- "$T/off.ran")" 0 "autostart = no: no process of it"
is "$(count "$T/auto.err" 'off:[0-9]+: started')" 0 \
    "autostart = no: no start logged for it" || diag_file "$T/auto.err"
kill -TERM "$TEND_PID"
tend_wait auto 15
is "$TEND_RC" 0 "autostart = no: shutdown still exits 0"

# No restart while stopping. Both programs have restart = always and exit
# 1 on TERM, before any deadline. "early" gets its TERM from us during
# shutdown_delay (tend is stopping, its programs not yet told to), "late"
# from tend once the delay has passed.
ini norestart "[tend]
shutdown_delay = 1s
shutdown_timeout = 10s
[program:early]
command = $SIGDUMP -x 1 -p $T/early.pid
restart = always
start_seconds = 0
backoff_initial = 0
[program:late]
command = $SIGDUMP -x 1 -p $T/late.pid
restart = always
start_seconds = 0
backoff_initial = 0"
tend_start norestart -c "$T/norestart.ini" --log-level info
early=$(read_pid "$T/early.pid") && read_pid "$T/late.pid" >/dev/null ||
    bail_out "norestart: no workers"
kill -TERM "$TEND_PID"
wait_for_log "$T/norestart.err" 'shutting down' 5
kill -TERM "$early"
tend_wait norestart 15
is "$(count "$T/norestart.err" 'early:0: started pid')" 1 \
    "no restart while stopping: an exit during shutdown_delay is final" ||
    diag_file "$T/norestart.err"
is "$(count "$T/norestart.err" 'late:0: started pid')" 1 \
    "no restart while stopping: an exit on the stop signal is final"
is "$TEND_RC" 0 \
    "no restart while stopping: exits 1 before the deadline, tend exits 0"

# critical = yes and fatal: restart_limit 2, and the program exits 3 each
# time (once the other program is up): fatal, then tend exits 3.
L=$T/crit.starts
cat >"$T/crit.sh" <<EOF
echo >>$L
i=0
while [ ! -e $T/other.pid ] && [ \$i -lt 500 ]; do
	sleep 0.02
	i=\$((i + 1))
done
exit 3
EOF
ini crit "[program:crit]
command = /bin/sh $T/crit.sh
critical = yes
restart_limit = 2
restart_window = 60s
backoff_initial = 0
[program:other]
command = $SIGDUMP -l $T/other.log -p $T/other.pid"
tend_run crit 20 -c "$T/crit.ini" --log-level info
is "$TEND_RC" 3 "critical program gone fatal: tend exits with its status 3"
ok "critical: it went fatal (restart_limit)" \
    grep -q 'crit:0: more than 2 restarts within 60s: giving up' \
    "$T/crit.err" ||
    diag_file "$T/crit.err"
is "$(lines "$L")" 3 "critical: 1 start + 2 restarts, no more"
ok "critical: the other program was stopped (TERM)" \
    grep -qx TERM "$T/other.log"

# restart_window: 2 restarts within 1 s at most. "slow" crashes every
# ~0.6 s, so its older restarts age out of the window and it is never
# given up on; "fast" crashes at once and goes fatal after 2 restarts.
ini window "[program:slow]
command = /bin/sh -c 'echo >> $T/slow.starts; sleep 0.6; exit 1'
restart_limit = 2
restart_window = 1s
backoff_initial = 0
[program:fast]
command = /bin/sh -c 'echo >> $T/fast.starts; exit 1'
restart_limit = 2
restart_window = 1s
backoff_initial = 0"
tend_start window -c "$T/window.ini" --log-level info
ok "restart_window: 7 starts of the slow crasher (~4 s)" \
    wait_until 15 has_lines "$T/slow.starts" 7
is "$(count "$T/window.err" 'slow:0: .*giving up')" 0 \
    "restart_window: old restarts age out, the slow one never goes fatal"
ok "restart_window: the fast crasher (same limits) went fatal" \
    grep -q 'fast:0: more than 2 restarts within 1s: giving up' \
    "$T/window.err"
is "$(lines "$T/fast.starts")" 3 "restart_window: fast: 1 start + 2 restarts"
ok "restart_window: tend runs on" pid_alive "$TEND_PID"
kill -TERM "$TEND_PID"
tend_wait window 15
is "$TEND_RC" 0 "restart_window: shutdown exits 0"

# Out of descriptors. nofds runs a command with nothing above fd 2 open
# (make or the TAP driver may leave some), so the count is tend's own.
cat >"$T/nofds" <<'EOF'
#!/bin/bash
for fd in $(ls /proc/$$/fd); do
	[ "$fd" -gt 2 ] && exec {fd}>&-
done
exec "$@"
EOF
chmod +x "$T/nofds"

# limited LIMIT NAME TEND_ARG...: tend_start under RLIMIT_NOFILE = LIMIT
# (SOFT:HARD, or one number for both).
limited() {
	local lim=$1
	shift
	case $lim in *:*) ;; *) lim=$lim:$lim ;; esac
	TEND_WRAP="$NOLEAKS $T/nofds prlimit --nofile=$lim" \
	    tend_start "$@"
}

# lowest NAME TEND_ARG...: the lowest limit (4..64) at which tend runs
# one /bin/true and exits 0; empty if none.
lowest() {
	local lim=4 name=$1
	shift
	while [ "$lim" -le 64 ]; do
		limited "$lim" "$name" "$@"
		tend_wait "$name" 10
		if [ "$TEND_RC" = 0 ]; then
			echo "$lim"
			return
		fi
		lim=$((lim + 1))
	done
}

# Wrapper mode: one descriptor short of a spawn, tend exits 126 and says
# which call failed and why.
# (stderr: at the lowest limits tend may abort in libev's setup, and bash
# says so.)
lw=$(lowest wprobe -- /bin/true 2>/dev/null)
diag "wrapper mode: /bin/true runs from RLIMIT_NOFILE = ${lw:-none}"
if [ -n "$lw" ]; then
	limited $((lw - 1)) wemfile -- /bin/true
	tend_wait wemfile 10
	is "$TEND_RC" 126 "no descriptor for the spawn: tend exits 126"
	like "$(cat "$T/wemfile.err")" 'pipe2: Too many open files' \
	    "the error names the call (pipe2) and EMFILE"
else
	fail "wrapper mode: no limit at which tend runs /bin/true"
	fail "(no limit to test EMFILE with)"
fi

# Config mode with two programs: one descriptor short, both fail to start
# and are retried with backoff while tend runs on; once the limit is
# raised, both start on their next retry.
ini probe "[program:t]
command = /bin/true
restart = never
critical = yes"
lc=$(lowest cprobe -c "$T/probe.ini" 2>/dev/null)
diag "config mode: /bin/true runs from RLIMIT_NOFILE = ${lc:-none}"
ini two "[program:a]
command = $SIGDUMP -p $T/a.pid
backoff_initial = 100ms
backoff_multiplier = 1
backoff_jitter = 0
[program:b]
command = $SIGDUMP -p $T/b.pid
backoff_initial = 100ms
backoff_multiplier = 1
backoff_jitter = 0"
if [ -n "$lc" ]; then
	limited $((lc - 1)):$((lc + 8)) cemfile -c "$T/two.ini" --log-level info
	EMFILE='spawn: pipe2: Too many open files'
	wait_until 10 has_count "$T/cemfile.err" "a:0: $EMFILE" 3 &&
	    wait_until 10 has_count "$T/cemfile.err" "b:0: $EMFILE" 3
	ok "out of descriptors: both programs retried (3 failed spawns each)" \
	    has_count "$T/cemfile.err" "b:0: $EMFILE" 3 ||
	    diag_file "$T/cemfile.err"
	ok "out of descriptors: tend runs on" pid_alive "$TEND_PID"
	# Descriptors come back (prlimit raises the running tend's soft
	# limit to its hard one): the next retry of each starts it. Raising the limit, not racing two spawns
	# for the last descriptor, keeps this independent of scheduling.
	prlimit --pid "$TEND_PID" --nofile=$((lc + 8)):$((lc + 8))
	ok "descriptors back: both programs end up running" \
	    wait_until 10 test -e "$T/a.pid" -a -e "$T/b.pid" ||
	    diag_file "$T/cemfile.err"
	kill -TERM "$TEND_PID"
	tend_wait cemfile 10
	is "$TEND_RC" 0 "out of descriptors, then back: SIGTERM exits 0"
else
	fail "config mode: no limit at which tend runs /bin/true"
	skip 4 "no limit to test EMFILE with"
fi

done_testing
