#!/bin/bash
# 48-harden-spawn.sh: what a hostile worker must not get from tend, which
# runs as root. A file:PATH output is opened by the child as the worker's
# user, never through a symlink, never waiting on a FIFO, and only if it is
# a regular file or /dev/null; config-mode workers are sessions of their
# own, with no controlling terminal to type into (TIOCSTI) and no way to
# join another instance's process group.
. "$(dirname "$0")/lib.sh"

plan 23

if [ "$(id -u)" != 0 ]; then
	skip 23 "needs root (user = nobody)"
	done_testing
fi
PY=/usr/bin/python3
# nobody must reach the files under $T.
chmod 755 "$T"
mkdir "$T/nb" && chown nobody "$T/nb"

# --- a symlink swapped in for the log ------------------------------------------

# A root-only file the worker wants to write into.
printf 'secret\n' >"$T/secret"
chmod 600 "$T/secret"
ini symlink "[program:w]
command = /bin/sh -c 'echo mine; rm -f $T/nb/w.log; ln -s $T/secret $T/nb/w.log; exit 1'
user = nobody
stdout = file:$T/nb/w.log
backoff_initial = 50ms
backoff_jitter = 0
[program:ok]
command = /bin/sh -c 'echo \$\$\$\$ > $T/ok.pid; exec sleep 100000'"
tend_start symlink -c "$T/symlink.ini"
ok "symlinked log: the restart's open is refused (O_NOFOLLOW)" \
    wait_for_log "$T/symlink.err" "w:0: spawn: open\\($T/nb/w.log\\): Too many levels of symbolic links \\(a symlink: refused\\)" 10 ||
    diag_file "$T/symlink.err"
is "$(cat "$T/secret")" secret "symlinked log: root's file is unchanged"
ok "symlinked log: the other program runs on" \
    pid_alive "$(cat "$T/ok.pid" 2>/dev/null)"
kill -TERM "$TEND_PID"
tend_wait symlink 10
is "$TEND_RC" 0 "symlinked log: SIGTERM exits 0"

# --- opened as the worker -------------------------------------------------------

# A directory only root may write: tend could create the file there, the
# worker cannot. And one the worker owns: the file is the worker's.
mkdir "$T/rootonly" && chmod 755 "$T/rootonly"
ini asuser "[program:deny]
command = /bin/echo hello
user = nobody
stdout = file:$T/rootonly/deny.log
restart = never
[program:mine]
command = /bin/echo hello
user = nobody
umask = 077
stdout = file:$T/nb/mine.log
restart = never"
tend_start asuser -c "$T/asuser.ini"
ok "as the worker: no right to create the file, EACCES" \
    wait_for_log "$T/asuser.err" "deny:0: spawn: open\\($T/rootonly/deny.log\\): Permission denied" 10 ||
    diag_file "$T/asuser.err"
ok "as the worker: and tend did not create it as root" \
    test ! -e "$T/rootonly/deny.log"
wait_until 10 test -s "$T/nb/mine.log"
is "$(cat "$T/nb/mine.log" 2>/dev/null)" hello "as the worker: it writes"
is "$(stat -c %U:%a "$T/nb/mine.log" 2>/dev/null)" nobody:600 \
    "as the worker: the file is the worker's, made with its umask"
kill -TERM "$TEND_PID"
tend_wait asuser 10

# --- FIFOs and other files -------------------------------------------------------

mkfifo "$T/nb/fifo"
ini fifo "[program:f]
command = /bin/echo hello
stdout = file:$T/nb/fifo
backoff_initial = 50ms
[program:ok]
command = sleep 100001"
tend_start fifo -c "$T/fifo.ini"
ok "FIFO without a reader: a failed start, not a hang" \
    wait_for_log "$T/fifo.err" "f:0: spawn: open\\($T/nb/fifo\\): No such device or address \\(a FIFO with no reader\\)" 10 ||
    diag_file "$T/fifo.err"
ok "FIFO without a reader: retried (backoff)" \
    wait_for_log "$T/fifo.err" "f:0: restarting in .* \\(restart 2\\)" 10
ok "FIFO without a reader: tend answers" \
    sh -c "timeout 5 $TENDCTL status >/dev/null"
# A reader now: the open would work, and the worker would write into
# whatever reads it. Refused: not a regular file.
exec 5<>"$T/nb/fifo"
ok "FIFO with a reader: refused as not a regular file" \
    wait_for_log "$T/fifo.err" "f:0: spawn: $T/nb/fifo is a FIFO: an output file must be a regular file or /dev/null" 10
exec 5>&-
t0=$(now_ms)
kill -TERM "$TEND_PID"
tend_wait fifo 10
is "$TEND_RC" 0 "FIFO: SIGTERM exits 0"
between $(( $(now_ms) - t0 )) 0 5000 "FIFO: and at once"

ini devnull "[program:n]
command = /bin/sh -c 'echo hello; exec sleep 100002'
stdout = file:/dev/null"
tend_start devnull -c "$T/devnull.ini"
ok "file:/dev/null is allowed" \
    wait_until 10 grep -q 'n:0: started pid' "$T/devnull.err"
kill -TERM "$TEND_PID"
tend_wait devnull 10

# --- sessions --------------------------------------------------------------------

# Under a terminal (ptyrun): the worker, as nobody, tries to push a
# command into it with TIOCSTI, and to join the other program's group.
cat >"$T/nb/evil.py" <<EOF
import fcntl, os, termios, sys
out = []
try:
    fcntl.ioctl(1, termios.TIOCSTI, b'#')
    out.append('tiocsti=ok')
except OSError as e:
    out.append('tiocsti=%d' % e.errno)
import time
for i in range(500):
    if os.path.exists('$T/victim.pid') and open('$T/victim.pid').read():
        break
    time.sleep(0.01)
try:
    os.setpgid(0, int(open('$T/victim.pid').read()))
    out.append('setpgid=ok')
except OSError as e:
    out.append('setpgid=%d' % e.errno)
out.append('sid=%d pid=%d' % (os.getsid(0), os.getpid()))
with open('$T/nb/evil.out', 'w') as f:
    f.write(' '.join(out) + '\n')
os.execv('/bin/sleep', ['sleep', '100003'])
EOF
ini tty "[program:victim]
command = /bin/sh -c 'echo \$\$\$\$ > $T/victim.pid; exec sleep 100004'
[program:evil]
command = $PY $T/nb/evil.py
user = nobody
depends = victim"
(
	trap - EXIT HUP INT TERM
	exec "$HELPERS/ptyrun" "$TEND" -c "$T/tty.ini" </dev/null \
	    >"$T/tty.out" 2>&1
) &
track_pid $!
ok "tty: the worker ran" wait_until 10 test -s "$T/nb/evil.out" ||
    diag_file "$T/tty.out"
evil=$(cat "$T/nb/evil.out" 2>/dev/null)
# EPERM; EIO where the kernel has TIOCSTI off (dev.tty.legacy_tiocsti=0).
like "$evil" 'tiocsti=(1|5)( |$)' \
    "tty: TIOCSTI into tend's terminal is refused (EPERM)"
like "$evil" 'setpgid=1( |$)' \
    "tty: joining another instance's group is refused (EPERM)"
like "$evil" 'sid=([0-9]+) pid=\1$' "tty: the worker leads a session of its own"
vpid=$(cat "$T/victim.pid" 2>/dev/null)
track_session "$(ps -o ppid= -p "$vpid" | tr -d ' ')"
is "$(ps -o tty= -p "$vpid" | tr -d ' ')" '?' \
    "tty: a worker has no controlling terminal"
tendp=$(ps -o ppid= -p "$vpid" | tr -d ' ')
kill -TERM "$tendp" 2>/dev/null
wait_until 10 pid_gone "$tendp"

# --- directory -------------------------------------------------------------------

# A directory only root may enter: the worker is not put there by root.
mkdir -m 700 "$T/private"
ini privdir "[program:d]
command = /bin/pwd
user = nobody
directory = $T/private
restart = never"
tend_start privdir -c "$T/privdir.ini"
ok "directory = one the worker may not enter: chdir fails, EACCES" \
    wait_for_log "$T/privdir.err" "d:0: spawn: chdir\\($T/private\\): Permission denied" 10 ||
    diag_file "$T/privdir.err"
kill -TERM "$TEND_PID"
tend_wait privdir 10

# --- a child stopped before exec ---------------------------------------------------

# From setuid on, the spawning child is the worker's: a process of the
# same user may SIGSTOP it before it execs, and a symlink maze in the
# working directory (40 links of 790 "x/.." each) holds it there long
# enough to be caught. With vfork tend would wait for that child forever;
# for another user it forks, and answers on.
$PY - "$T/nb/maze" <<'EOF'
import os, sys
d = sys.argv[1]
os.makedirs(d + "/x")
for i in range(39):
    os.symlink("x/../" * 790 + "c%d" % (i + 1), "%s/c%d" % (d, i))
os.symlink(".", "%s/c39" % d)
EOF
chown -R nobody "$T/nb/maze"
cat >"$T/nb/stopper.py" <<'EOF'
import os, signal, sys, time
tend, out = int(sys.argv[1]), sys.argv[2]
end = time.time() + 20
n = 0
while time.time() < end and n < 3:
    try:
        kids = open('/proc/%d/task/%d/children' % (tend, tend)).read()
    except OSError:
        break
    for k in kids.split():
        try:
            if open('/proc/%s/comm' % k).read().strip() == 'tend':
                os.kill(int(k), signal.SIGSTOP)
                n += 1
        except OSError:
            pass
open(out, 'w').write('%d\n' % n)
EOF
ini stopped "[program:m]
command = /bin/true
user = nobody
directory = $T/nb/maze/c0
restart = always
start_seconds = 0
backoff_initial = 10ms
backoff_max = 10ms
backoff_jitter = 0"
tend_start stopped -c "$T/stopped.ini"
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$PY" "$T/nb/stopper.py" "$TEND_PID" "$T/nb/stopper.out" &
track_pid $!
wait_until 25 test -s "$T/nb/stopper.out"
diag "children stopped before exec: $(cat "$T/nb/stopper.out" 2>/dev/null)"
ok "a spawning child stopped by the worker's user: tend answers" \
    sh -c "timeout 5 '$TENDCTL' status >/dev/null"
kill -TERM "$TEND_PID"
tend_wait stopped 15
is "$TEND_RC" 0 "a spawning child stopped: SIGTERM still exits 0"

done_testing
