#!/bin/bash
# 44-notify-fds.sh: descriptors passed to the notify socket (SCM_RIGHTS)
# cannot hold tend's loop. Anyone may send some; tend closes each on the
# loop. A TCP socket with SO_LINGER {1, 30} and unsent data (its peer
# never reads) would make that close block for 30 s: tend turns
# lingering off first. The datagram also carries a pipe's write end, as
# sd_notify_barrier does: its reader sees the hang-up at once.
. "$(dirname "$0")/lib.sh"

plan 5

if ! command -v python3 >/dev/null; then
	skip 5 "needs python3"
	done_testing
fi
S=$TEND_SOCKET
health_time() {
	curl -s --max-time 5 -o /dev/null -w '%{http_code} %{time_total}\n' \
	    --unix-socket "$S" http://localhost/health
}
up() { [ "$(health_time | cut -d' ' -f1)" = 200 ]; }
unknown() {
	curl -s --max-time 5 --unix-socket "$S" http://localhost/metrics |
	    awk '$1 == "tend_notify_messages_total{result=\"unknown_pid\"}" {
	    print $2 }'
}
unknown_is() { [ "$(unknown)" = "$1" ]; }

# lingering.py ADDR TENDPID: a listener that never accepts, a connection
# to it whose send buffer is full, SO_LINGER {1, 30} on it. With tend
# stopped, that socket and a pipe's write end go to ADDR and our copies
# are closed, so tend's close is the last one; then tend goes on and we
# wait up to 3 s for the pipe's hang-up. Prints "queued N", then
# "barrier OK" or "barrier timeout", and sleeps: the listener stays open.
cat >"$T/lingering.py" <<'EOF'
import array, os, select, signal, socket, struct, sys, time

addr, tend = sys.argv[1], int(sys.argv[2])
addr = "\0" + addr[1:] if addr[0] == "@" else addr
lst = socket.socket()
lst.bind(("127.0.0.1", 0))
lst.listen(1)
c = socket.create_connection(lst.getsockname())
c.setblocking(False)
n = 0
try:
    while True:
        n += c.send(b"x" * 65536)
except BlockingIOError:
    pass
print("queued", n, flush=True)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 30))
r, w = os.pipe()
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
os.kill(tend, signal.SIGSTOP)
try:
    u.sendmsg([b"STATUS=fds"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
        array.array("i", [c.fileno(), w]))], 0, addr)
    c.close()
    os.close(w)
finally:
    os.kill(tend, signal.SIGCONT)
p = select.poll()
p.register(r, select.POLLIN)
print("barrier", "OK" if p.poll(3000) else "timeout", flush=True)
time.sleep(100000)
EOF

cat >"$T/f.ini" <<EOF
[program:w]
command = sleep 100000
EOF
tend_start f -c "$T/f.ini"
ok "tend is up" wait_until 10 up
pid=$(curl -s --unix-socket "$S" http://localhost/status |
    jq -r '.programs[0].instances[0].pid')
addr=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^NOTIFY_SOCKET=//p')
before=$(unknown)
python3 "$T/lingering.py" "$addr" "$TEND_PID" >"$T/l.out" &
lpid=$!
track_pid $lpid
wait_for_log "$T/l.out" '^barrier ' 10
t=$(health_time)
diag "lingering socket: $(head -n 1 "$T/l.out") bytes unsent; /health" \
    "after it: $t"
is "$(sed -n 's/^barrier //p' "$T/l.out")" OK \
    "the pipe passed along is closed at once (a barrier returns)"
ok "/health answers within 1 s after tend closed the lingering socket" \
    awk -v t="$t" 'BEGIN { split(t, a, " "); exit !(a[1] == 200 &&
    a[2] < 1) }'
ok "the message counts as unknown_pid" wait_until 5 unknown_is $((before + 1))
kill -TERM "$TEND_PID"
tend_wait f 10
is "$TEND_RC" 0 "tend then stops at once, with status 0"
kill "$lpid"
wait "$lpid" 2>/dev/null
done_testing
