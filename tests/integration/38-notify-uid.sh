#!/bin/bash
# 38-notify-uid.sh: a worker cannot speak for another program's worker by
# joining its process group. A user = nobody worker's helper leaves its
# parent (so no main process is its ancestor) and does setpgid(0, the
# victim's group); where that fails (each instance its own session) it
# calls setsid() instead, so it is in no instance's group either way. Its
# STATUS=, QUEUE_DEPTH= and WATCHDOG=trigger for the root victim count as
# unknown_pid and change nothing: the victim is not signalled.
. "$(dirname "$0")/lib.sh"

plan 7

S=$TEND_SOCKET
unknown() { metric 'tend_notify_messages_total{result="unknown_pid"}'; }
unknown_is() { [ "$(unknown)" = "$1" ]; }

if [ "$(id -u)" != 0 ]; then
	skip 7 "needs root, to run a worker as nobody"
	done_testing
	exit 0
fi
# A python3 that nobody can run (not one under root's home).
PY=
for p in /usr/bin/python3 /usr/local/bin/python3; do
	[ -x "$p" ] && PY=$p && break
done
if [ -z "$PY" ] || ! id nobody >/dev/null 2>&1; then
	skip 7 "needs /usr/bin/python3 and a user nobody"
	done_testing
	exit 0
fi

# nobody must reach its script and write its report.
chmod 711 "$T"
P=$T/pub
mkdir "$P" && chmod 755 "$P"
: >"$P/report" && chmod 666 "$P/report"
cat >"$P/notify.py" <<'EOF'
import os, socket, sys, time

def send(text):
    a = os.environ["NOTIFY_SOCKET"]
    a = "\0" + a[1:] if a[0] == "@" else a
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(text.encode(), a)

if sys.argv[1] == "victim":
    send("READY=1\nSTATUS=victim")
    time.sleep(100000)

# The spoofer: a grandchild that tend adopts (it is a subreaper), so no
# main process is its ancestor, in the victim's group if it can join it.
report, pgid = sys.argv[2], int(sys.argv[3])
if os.fork() == 0:
    mid = os.getpid()
    if os.fork() != 0:
        os._exit(0)
    while os.getppid() == mid:
        time.sleep(0.01)
    try:
        os.setpgid(0, pgid)
        how = "setpgid"
    except PermissionError:
        os.setsid()
        how = "setsid"
    with open(report, "w") as f:
        f.write("%d %s %d %d\n" % (os.getpid(), how, os.getpgrp(),
            os.getuid()))
    send("STATUS=spoofed\nQUEUE_DEPTH=666")
    send("WATCHDOG=trigger")
    time.sleep(100000)
os.wait()
time.sleep(100000)
EOF

# The spoofer starts once the victim runs, and reads its group from a file.
cat >"$T/u.ini" <<EOF
[program:victim]
command = $PY $P/notify.py victim
ready = notify
[program:spoof]
command = /bin/sh -c 'exec $PY $P/notify.py spoof $P/report \$(cat $P/pgid)'
user = nobody
autostart = no
EOF
tend_start u -c "$T/u.ini"
ok "the victim is ready" wait_until 10 inst_is victim .status victim
vpid=$(inst victim .pid)
echo "$vpid" >"$P/pgid" && chmod 644 "$P/pgid"
before=$(unknown)
"$TENDCTL" start spoof >/dev/null
ok "the spoofer's helper is about to send its two datagrams" \
    wait_until 10 test -s "$P/report"
read -r spid how sgid suid <"$P/report"
track_pid "$spid"
diag "spoofer: pid $spid uid $suid, $how, now in group $sgid" \
    "(the victim's: $vpid)"
ok "... both counted as unknown_pid" wait_until 5 unknown_is $((before + 2))
is "$(inst victim '"\(.pid) \(.state) \(.restarts)"')" "$vpid running 0" \
    "the victim was not signalled: same pid, running, no restart"
wd='tend_worker_watchdog_timeouts_total{program="victim",instance="0"}'
is "$(metric "$wd")" 0 "... no watchdog miss counted"
is "$(inst victim '"\(.status) \(.queue_depth)"')" "victim 0" \
    "... its STATUS and QUEUE_DEPTH are its own"
ok "... and the spoofer's own instance got nothing either" \
    inst_is spoof .status null
kill -TERM "$TEND_PID"
tend_wait u 30
done_testing
