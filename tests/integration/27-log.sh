#!/bin/bash
# 27-log.sh: tend's own logging never blocks its loop. With stderr a pipe
# that nobody reads, a flood of log lines (a restart storm at debug level)
# fills the pipe; tend drops what does not fit and still handles SIGTERM
# at once. The children's stderr (the same pipe) stays blocking for them.
. "$(dirname "$0")/lib.sh"

plan 3

mkfifo "$T/stuck"
exec 5<>"$T/stuck"		# held open, never read
printf '[program:storm]\ncommand = /bin/true\nrestart = always\nstart_seconds = 0\nbackoff_initial = 0\n' >"$T/storm.ini"
(
	trap - EXIT HUP INT TERM
	$BG_ENV setsid "$TEND" --log-level debug -c "$T/storm.ini" \
	    </dev/null >/dev/null 2>"$T/stuck" &
	echo $! >"$T/storm.pid"
	wait $!
	echo $? >"$T/storm.rc"
) &
track_pid $!
P=$(read_pid "$T/storm.pid")
track_pid "$P"
# The pipe holds 64 KiB: the storm (several lines a restart) fills it.
queued() {
	[ "$("$HELPERS/fionread" "$T/stuck")" -ge 60000 ]
}
ok "the log pipe fills up (~64 KiB unread)" wait_until 10 queued
t0=$(now_ms)
kill -TERM "$P"
wait_for_file "$T/storm.rc" 10
elapsed=$(( $(now_ms) - t0 ))
is "$(cat "$T/storm.rc" 2>/dev/null)" 0 "stuck log pipe: SIGTERM still handled, exit 0"
between "$elapsed" 0 3000 "stuck log pipe: tend exits at once"
exec 5>&-

done_testing
