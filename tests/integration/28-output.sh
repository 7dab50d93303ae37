#!/bin/bash
# 28-output.sh: where instances' output goes. prefix puts "NAME:INDEX | "
# before every line on tend's own stdout or stderr (lines longer than the
# buffer split, a last line without newline kept); null drops it; file:PATH
# appends to a file, with stderr = stdout merged into it; bad values are
# config errors; a file that cannot be opened is a failed start. A worker
# flooding a stdout nobody reads delays neither another program's
# restarts nor the shutdown, and what was dropped is counted and logged.
. "$(dirname "$0")/lib.sh"

plan 20

ini kinds "[program:p]
command = /bin/sh -c 'echo out1; echo err1 >&2; printf tail; exit 0'
stdout = prefix
stderr = prefix
restart = never
[program:f]
command = /bin/sh -c 'echo fout; echo ferr >&2; exit 0'
stdout = file:$T/f.log
stderr = stdout
restart = never
[program:n]
command = /bin/sh -c 'echo hidden; echo hidden >&2; exit 0'
stdout = null
stderr = null
restart = never
[program:long]
command = /bin/sh -c 'head -c 9000 /dev/zero | tr \"\\\\000\" x; echo; exit 0'
stdout = prefix
restart = never
[program:exact]
command = /bin/sh -c 'head -c 8000 /dev/zero | tr \"\\\\000\" y; echo; echo after; exit 0'
stdout = prefix
restart = never"
tend_start kinds -c "$T/kinds.ini"
wait_until 10 grep -q 'long:0: .*exited 0' "$T/kinds.err" &&
    wait_until 10 grep -q 'exact:0: .*exited 0' "$T/kinds.err"
kill -TERM "$TEND_PID"
tend_wait kinds 10
is "$TEND_RC" 0 "output kinds: exit 0"
ok "prefix: stdout lines carry NAME:INDEX" grep -qx 'p:0 | out1' "$T/kinds.out"
ok "prefix: stderr lines go to tend's stderr" grep -qx 'p:0 | err1' "$T/kinds.err"
ok "prefix: a last line without newline is kept" grep -qx 'p:0 | tail' "$T/kinds.out"
is "$(cat "$T/f.log" 2>/dev/null | tr '\n' ' ')" "fout ferr " \
    "file: stdout and (stderr = stdout) stderr appended, in order"
ok "null: nothing shows" sh -c "! grep -q hidden '$T/kinds.out' '$T/kinds.err'"
is "$(awk -F' [|] ' '/^long:0/ { printf "%d ", length($2) }' "$T/kinds.out")" \
    "4000 4000 1000 " "a 9000-byte line is split at the 4000-byte buffer"
is "$(awk -F' [|] ' '/^exact:0/ { printf "%d ", length($2) }' "$T/kinds.out")" \
    "4000 4000 5 " "a line of twice the buffer: two pieces, no empty third"

# Bad values are configuration errors, naming the key.
ini bad "[program:a]
command = a
stdout = journal
stderr = bogus
[program:b]
command = b
stdout = stdout
stderr = file:relative.log"
"$TEND" --check -c "$T/bad.ini" 2>"$T/bad.err"
is "$?" 2 "bad output values: exit 2"
ok "journal: not supported yet" \
    grep -qx "$T/bad.ini:3: program:a: stdout: journal: not supported yet" "$T/bad.err"
ok "bogus: named with the choices" \
    grep -q "$T/bad.ini:4: program:a: stderr: \"bogus\" is not an output (use inherit, prefix, null, file:PATH, stdout)" "$T/bad.err"
ok "stdout = stdout: refused" \
    grep -q "$T/bad.ini:7: program:b: stdout: \"stdout\" is not an output" "$T/bad.err"
ok "file: needs an absolute path" \
    grep -q "$T/bad.ini:8: program:b: stderr: \"file:relative.log\": the file needs an absolute path" "$T/bad.err"

# A file that cannot be opened: a failed start, logged with the call.
ini nofile "[program:w]
command = /bin/true
stdout = file:$T/no/such/dir/w.log
restart = never"
tend_start nofile -c "$T/nofile.ini"
ok "unopenable file: logged with open() and strerror" \
    wait_for_log "$T/nofile.err" "w:0: spawn: open\\($T/no/such/dir/w.log\\): No such file or directory" 10
kill -TERM "$TEND_PID"
tend_wait nofile 10

# A flood into a stdout nobody reads: another program's restarts keep
# their 200 ms rhythm, SIGTERM is handled at once, drops are logged.
mkfifo "$T/stuck"
exec 5<>"$T/stuck"		# held open, never read
ini flood "[program:flood]
command = /usr/bin/yes flooding
stdout = prefix
[program:tick]
command = /bin/sh -c 'date +%s%N >> $T/ticks; exit 1'
start_seconds = 0
backoff_initial = 200ms
backoff_multiplier = 1
backoff_jitter = 0"
(
	trap - EXIT HUP INT TERM
	$BG_ENV setsid "$TEND" -c "$T/flood.ini" </dev/null >"$T/stuck" \
	    2>"$T/flood.err" &
	echo $! >"$T/flood.pid"
	wait $!
	echo $? >"$T/flood.rc"
) &
track_pid $!
P=$(read_pid "$T/flood.pid")
track_pid "$P"
ticks() { [ -f "$T/ticks" ] && [ "$(wc -l <"$T/ticks")" -ge "$1" ]; }
wait_until 15 ticks 8
max_gap=$(awk 'NR > 1 { g = ($1 - p) / 1000000; if (g > m) m = g } { p = $1 } END { printf "%d", m }' "$T/ticks")
between "$max_gap" 150 600 "flood: the other program's restarts keep their 200 ms gaps"
t0=$(now_ms)
kill -TERM "$P"
wait_for_file "$T/flood.rc" 10
elapsed=$(( $(now_ms) - t0 ))
between "$elapsed" 0 3000 "flood: SIGTERM handled at once"
ok "flood: the dropped bytes are logged" \
    grep -q 'flood:0: [0-9]* bytes of its output dropped so far' "$T/flood.err"
exec 5>&-

# Whole lines go out together, as many as PIPE_BUF holds: 20000 short
# lines cost tend a few dozen write calls, not 20000 (the kernel counts
# them in /proc/PID/io, syscw).
ini batch "[program:b]
command = /bin/sh -c 'seq 20000; exec sleep 100000'
stdout = prefix"
tend_start batch -c "$T/batch.ini"
ok "batched output: every line arrives" \
    wait_until 10 grep -q '^b:0 | 20000$' "$T/batch.out"
is "$(grep -c '^b:0 | ' "$T/batch.out")" 20000 "batched output: no line lost"
writes=$(awk '$1 == "syscw:" { print $2 }' "/proc/$TEND_PID/io")
between "$writes" 1 1000 "batched output: at most 1000 writes for 20000 lines"
kill -TERM "$TEND_PID"
tend_wait batch 10

done_testing
