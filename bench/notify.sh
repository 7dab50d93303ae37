#!/bin/sh
# bench/notify.sh [TEND] [N]: how many notify datagrams a second tend takes,
# and its loop lag meanwhile. A program (bench/notifyburst.c) sends N
# (default 100000) "QUEUE_DEPTH=i" datagrams to its NOTIFY_SOCKET with
# blocking sends: the kernel queues only a few, so the rate is tend's read
# rate. The lag probe runs every 10 ms. Prints the rate, the datagrams tend
# accepted, the last queue depth it saw, and the lag histogram's count per
# bucket during the burst. TEND defaults to build/src/tend (a release
# build: bootstrap.sh makes one).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tend=${1:-$here/../build/src/tend}
n=${2:-100000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tend-notify.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; wait; rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/notifyburst" "$here/notifyburst.c"
cat >"$tmp/b.ini" <<EOF2
[tend]
socket = $tmp/s
lag_probe_interval = 10ms
[program:burst]
command = $tmp/notifyburst $n
autostart = no
EOF2
"$tend" -c "$tmp/b.ini" >"$tmp/out" 2>"$tmp/err" &
pid=$!
m() { curl -s --max-time 5 --unix-socket "$tmp/s" http://localhost/metrics; }
i=0
until m >/dev/null 2>&1; do i=$((i + 1)); [ $i -lt 100 ] || exit 1; sleep 0.05; done
m | grep '^tend_loop_lag_seconds_bucket' >"$tmp/lag0"
curl -s -X POST --unix-socket "$tmp/s" http://localhost/programs/burst/start >/dev/null
i=0
until grep -q datagrams "$tmp/out"; do i=$((i + 1)); [ $i -lt 600 ] || exit 1; sleep 0.05; done
sleep 0.2
m >"$tmp/m1"
cat "$tmp/out"
grep -E 'notify_messages_total\{result="accepted"\}|^tend_worker_queue_depth|^tend_loop_lag_max' "$tmp/m1"
echo "lag samples during the burst, by bucket (le: count):"
grep '^tend_loop_lag_seconds_bucket' "$tmp/m1" | paste "$tmp/lag0" - |
    awk '{ split($1, a, "\""); print "  le " a[2] ": " $4 - $2 }'
