#!/bin/bash
# 43-notify-flood.sh: a flood of notify datagrams from a sender that is
# no one's worker, 16 processes below the test, while tend holds 10000
# configured instances (autostart = no, nothing spawned) and one running
# one: /health keeps answering within 0.2 s, every datagram is counted as
# unknown_pid, and the running instance's own messages still land. The
# /health latencies and the flood's rate are printed (diag).
. "$(dirname "$0")/lib.sh"

plan 5

if ! command -v python3 >/dev/null; then
	skip 5 "needs python3"
	done_testing
fi
S=$TEND_SOCKET
FLOOD=$T/flood.py
cat >"$FLOOD" <<'EOF'
# flood.py ADDR DEPTH SECONDS [TEXT]: forks a chain of DEPTH processes,
# each the child of the one before; the deepest sends TEXT (default
# "STATUS=flood") to the notify socket ADDR ("@name" is abstract) as fast
# as it goes for SECONDS, then prints "sent N in S s" and the chain exits.
# A sender that is no one's worker, as far from init as it gets: the
# costliest kind for tend to look up.
import os, socket, sys, time

addr, depth, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
text = (sys.argv[4] if len(sys.argv) > 4 else "STATUS=flood").encode()
if addr[0] == "@":
    addr = "\0" + addr[1:]
for _ in range(depth):
    pid = os.fork()
    if pid != 0:
        _, st = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(st))
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(addr)
n, t0 = 0, time.monotonic()
while time.monotonic() - t0 < secs:
    for _ in range(100):
        s.send(text)
    n += 100
print("sent %d in %.2f s" % (n, time.monotonic() - t0), flush=True)
EOF
health_time() {
	curl -s --max-time 10 -o /dev/null -w '%{http_code} %{time_total}\n' \
	    --unix-socket "$S" http://localhost/health
}
up() { [ "$(health_time | cut -d' ' -f1)" = 200 ]; }

cat >"$T/ready.py" <<'EOF'
import os, socket, time
a = os.environ["NOTIFY_SOCKET"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("\0" + a[1:] if a[0] == "@" else a)
s.send(b"READY=1")
time.sleep(1e6)
EOF
cat >"$T/f.ini" <<EOF
[program:run]
command = python3 $T/ready.py
ready = notify
[program:idle1]
command = sleep 100000
numprocs = 5000
autostart = no
[program:idle2]
command = sleep 100000
numprocs = 5000
autostart = no
EOF
tend_start f -c "$T/f.ini"
ok "10000 idle instances and one ready" wait_until 30 up
pid=$(curl -s --unix-socket "$S" http://localhost/status |
    jq -r '.programs[] | select(.name == "run") | .instances[0].pid')
addr=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^NOTIFY_SOCKET=//p')
base=$(health_time | cut -d' ' -f2)
python3 "$FLOOD" "$addr" 16 3 >"$T/flood.out" &
fpid=$!
: >"$T/times"
# Wait for the chain to be sending: the first unknown_pid.
wait_until 10 sh -c "curl -s --unix-socket '$S' http://localhost/metrics |
    grep -q '^tend_notify_messages_total{result=\"unknown_pid\"} [1-9]'"
while kill -0 "$fpid" 2>/dev/null && [ "$(wc -l <"$T/times")" -lt 50 ]; do
	health_time >>"$T/times"
done
wait "$fpid"
n=$(wc -l <"$T/times")
max=$(awk '{ if ($2 > m) m = $2 } END { print m + 0 }' "$T/times")
med=$(cut -d' ' -f2 "$T/times" | sort -n | awk '{ v[NR] = $1 }
    END { print v[int((NR + 1) / 2)] + 0 }')
diag "idle /health ${base}s; during the flood: $n requests, median ${med}s," \
    "max ${max}s; flood: $(cat "$T/flood.out")"
ok "/health during the flood: $n answers, each within 0.2 s (max ${max}s)" \
    awk -v n="$n" -v m="$max" 'BEGIN { exit !(n >= 3 && m < 0.2) }'
ok "... and every one 200" test "$(cut -d' ' -f1 "$T/times" | sort -u)" = 200
sent=$(sed -n 's/^sent \([0-9]*\) .*/\1/p' "$T/flood.out")
unknown_is() {
	[ "$(metric 'tend_notify_messages_total{result="unknown_pid"}')" = "$1" ]
}
ok "every datagram is counted as unknown_pid ($sent)" \
    wait_until 10 unknown_is "$sent"
is "$(metric 'tend_notify_messages_total{result="accepted"}')" 1 \
    "... and none accepted but the worker's READY=1"
kill -TERM "$TEND_PID"
tend_wait f 30
done_testing
