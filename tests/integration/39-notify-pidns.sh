#!/bin/bash
# 39-notify-pidns.sh: notify senders from outside tend's pid namespace
# are nobody's. tend runs as PID 1 of its own namespace (unshare) with an
# instance that never started (pid 0) and one whose main exited with its
# group left (pid 0, a group). A process that entered the namespace with
# nsenter (its parent is outside: ppid 0 in /proc) and one that never
# entered it (its credentials' pid is 0 to tend) both send STATUS= and
# QUEUE_DEPTH=: both count as unknown_pid and neither instance changes.
. "$(dirname "$0")/lib.sh"

plan 7

if [ "$(id -u)" != 0 ]; then
	skip 7 "needs root for unshare --pid and nsenter"
	done_testing
fi
if ! unshare --pid --fork --mount-proc true 2>/dev/null ||
    ! command -v nsenter >/dev/null || ! command -v python3 >/dev/null; then
	skip 7 "needs unshare --pid --mount-proc, nsenter and python3"
	done_testing
fi
TEND_WRAP="unshare --pid --fork --mount-proc"

S=$TEND_SOCKET
unknown() { metric 'tend_notify_messages_total{result="unknown_pid"}'; }
unknown_is() { [ "$(unknown)" = "$1" ]; }

cat >"$T/send.py" <<'EOF'
import os, socket, sys
a = sys.argv[1]
a = "\0" + a[1:] if a[0] == "@" else a
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    s.sendto(sys.argv[2].replace("\\n", "\n").encode(), a)
print(os.getpid(), os.getppid())
EOF
# idle never starts (pid 0); left's main exits and leaves a child that
# ignores TERM, so it stays stopping with pid 0 and its group.
cat >"$T/ns.ini" <<EOF
[program:idle]
command = sleep 100000
autostart = no
[program:left]
command = /bin/sh -c 'trap "" TERM; sleep 100000 & exit 0'
restart = never
stop_timeout = 60s
EOF
tend_start ns -c "$T/ns.ini"
ok "left: main gone, its group left" wait_until 10 inst_is left \
    '"\(.state) \(.pid)"' "stopping null"
is "$(inst idle '"\(.state) \(.pid)"')" "stopped null" "idle: never started"
# tend is the child of unshare; its NOTIFY_SOCKET is in left's leftover.
tpid=$(ps -o pid= --ppid "$TEND_PID" | tr -d ' ')
addr=
for p in $(ps -o pid= --ppid "$tpid"); do
	addr=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null |
	    sed -n 's/^NOTIFY_SOCKET=//p')
	[ -n "$addr" ] && break
done
ok "tend (pid $tpid outside) gave its children a NOTIFY_SOCKET" \
    test -n "$addr"
before=$(unknown)
in=$(nsenter --target "$tpid" --pid -- python3 "$T/send.py" "$addr" \
    'STATUS=nsenter\nQUEUE_DEPTH=99')
is "${in#* }" 0 "a sender that entered with nsenter has parent 0 inside"
out=$(python3 "$T/send.py" "$addr" 'STATUS=outside\nQUEUE_DEPTH=98')
diag "nsenter sender: pid, ppid inside: $in; outside sender: $out"
ok "both count as unknown_pid" wait_until 5 unknown_is $((before + 2))
is "$(inst idle '"\(.status) \(.queue_depth)"')" "null 0" \
    "the instance that never started is unchanged"
is "$(inst left '"\(.status) \(.queue_depth)"')" "null 0" \
    "the one with only its group left is unchanged"
# left would take its 60 s stop_timeout to drain; nothing more to see.
kill -KILL "$tpid"
tend_wait ns 10
done_testing
