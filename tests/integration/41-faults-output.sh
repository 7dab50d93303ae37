#!/bin/bash
# 41-faults-output.sh: faults in a program's output, in config mode next to
# a healthy one. A file: output tend may not open (EACCES), one on a full
# filesystem (no inode left: tend's open fails; no block left: the
# worker's writes fail, and its own message reaches tend's log through
# stderr = prefix), and a worker flooding a prefix stdout that nobody
# reads: /health keeps answering at once meanwhile and the bytes tend drops
# show in /metrics. Each time the healthy program keeps its pid.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.sh"

plan 32

# --- a file that cannot be written --------------------------------------------

# As root every file is writable: tend runs as a uid of its own instead.
: >"$T/not-mine.log"
if [ "$(id -u)" != 0 ]; then
	chmod 444 "$T/not-mine.log"
	TEND_AS=
elif ! unpriv; then
	TEND_AS=skip
fi
if [ "$TEND_AS" != skip ]; then
	fault unwritable \
	    "^tend: error: bad:0: spawn: open\\($T/not-mine.log\\): Permission denied$" \
	    "unwritable file" "command = sleep 100000" \
	    "stdout = file:$T/not-mine.log"
else
	skip 8 "unwritable file: as root, needs setpriv"
fi
TEND_AS=

# --- a full filesystem ----------------------------------------------------------

# A 64 KiB tmpfs with 3 inodes: its root, full.log (empty) and a file that
# takes every block.
MNT=$T/full
mkdir "$MNT"
if [ "$(id -u)" = 0 ] &&
    mount -t tmpfs -o size=64k,nr_inodes=3,mode=755 tend-test "$MNT" 2>/dev/null
then
	trap 'rc=$?; umount -l "$MNT" 2>/dev/null; (exit $rc); _cleanup' EXIT
	: >"$MNT/full.log"
	dd if=/dev/zero of="$MNT/fill" bs=4k 2>/dev/null
	fault noinode \
	    "^tend: error: bad:0: spawn: open\\($MNT/new.log\\): No space left on device$" \
	    "full filesystem, no inode" "command = sleep 100000" \
	    "stdout = file:$MNT/new.log"
	fault noblock \
	    '^bad:0 \| /bin/echo: write error: No space left on device$' \
	    "full filesystem, no block" "command = /bin/echo hello" \
	    "stdout = file:$MNT/full.log" "stderr = prefix"
else
	skip 16 "full filesystem: needs root and a tmpfs mount"
fi

# --- a flood ----------------------------------------------------------------------

# tend's stdout is a fifo nobody reads: once its 64 KiB are full, every
# prefixed line of the flood is dropped (and counted), as fast as yes
# writes them.
mkfifo "$T/stuck"
exec 5<>"$T/stuck"		# held open, never read
cat >"$T/flood.ini" <<EOF
[program:ok]
command = sleep 100000
start_seconds = 0
[program:flood]
command = /usr/bin/yes flooding
start_seconds = 0
stdout = prefix
EOF
bg_start flood sh -c 'exec "$@" >"$0"' "$T/stuck" "$TEND" -c "$T/flood.ini"
TEND_PID=$BG_PID
DROPPED=tend_log_dropped_bytes_total
dropping() {
	[ "$(metric "$DROPPED")" -gt 0 ] 2>/dev/null
}
ok "flood: tend drops what its stdout cannot take, $DROPPED > 0" \
    wait_until 10 dropping || diag_file "$T/flood.err"
pid=$(inst ok .pid)
d0=$(metric "$DROPPED")
# 20 /health requests in a row: the slowest of them.
worst=0 codes=
for i in $(seq 20); do
	r=$(curl -s -m 5 -o /dev/null -w '%{http_code} %{time_total}' \
	    --unix-socket "$TEND_SOCKET" http://localhost/health)
	codes="$codes${r%% *} "
	ms=$(awk -v t="${r#* }" 'BEGIN { printf "%d", t * 1000 }')
	[ "$ms" -gt "$worst" ] && worst=$ms
done
d1=$(metric "$DROPPED")
is "$codes" "$(printf '200 %.0s' $(seq 20))" "flood: /health answers 200, 20 times"
diag "the slowest /health during the flood: $worst ms"
between "$worst" 0 1000 "flood: ... each within 1 s (the slowest, in ms)"
ok "flood: the flood went on meanwhile, and $DROPPED with it ($d0 -> $d1)" \
    test "$d1" -gt "$d0"
is "$(inst flood .state) $(inst ok '"\(.pid) \(.state)"')" \
    "running $pid running" \
    "flood: the flooder runs, the healthy program keeps its pid"
ok "flood: ... and its process is alive" pid_alive "$pid"
like "$(get /status | jq -r .tend.log_dropped_bytes)" '^[1-9][0-9]*$' \
    "flood: /status counts the drop too"
kill -TERM "$TEND_PID"
tend_wait flood 20
is "$TEND_RC" 0 "flood: SIGTERM: clean shutdown, exit 0"
exec 5>&-

done_testing
