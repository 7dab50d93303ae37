#!/bin/bash
# 22-spawn.sh: what an instance is started with: directory, environment
# over tend's own, TEND_PROGRAM and TEND_INSTANCE, umask, user and group
# (as root), its own process group; and the errors for a bad directory or
# an unknown user, which are failed starts logged with the program's name.
. "$(dirname "$0")/lib.sh"

plan 15

ini() {
	printf '%s\n' "$2" >"$T/$1.ini"
}

mkdir -p "$T/work dir"
export TEND_TEST_OUTER=outer TEND_TEST_OVER=tend
export NOTIFY_SOCKET=/run/outer.sock LISTEN_FDS=2 LISTEN_PID=1 WATCHDOG_USEC=1000
ini env "[program:probe]
command = /bin/sh -c 'pwd > $T/pwd; tr \"\\000\" \"\\012\" < /proc/\$\$\$\$/environ > $T/env; umask > $T/umask; readlink /proc/\$\$\$\$/fd/0 > $T/stdin; ps -o pgid= -p \$\$\$\$ > $T/pgid; echo \$\$\$\$ > $T/pid; exec sleep 60'
directory = $T/work dir
environment = A=1, B=\"two words\", TEND_TEST_OVER=program
umask = 0027"
tend_start env -c "$T/env.ini"
wait_for_file "$T/pid" 10
wait_until 5 test -s "$T/pgid"
is "$(cat "$T/pwd")" "$T/work dir" "directory"
ok "environment: A=1" grep -qx 'A=1' "$T/env"
ok "environment: quoted value with a blank" grep -qx 'B=two words' "$T/env"
ok "tend's own environment is passed on" grep -qx 'TEND_TEST_OUTER=outer' "$T/env"
ok "the program's environment wins over tend's" grep -qx 'TEND_TEST_OVER=program' "$T/env"
is "$(grep -c '^TEND_TEST_OVER=' "$T/env")" 1 "an overridden variable appears once"
is "$(grep -aE '^TEND_(PROGRAM|INSTANCE)=' "$T/env" | sort | tr '\n' ' ')" \
    "TEND_INSTANCE=0 TEND_PROGRAM=probe " "TEND_PROGRAM and TEND_INSTANCE"
is "$(grep -acE '^(NOTIFY_SOCKET=/run/outer.sock|LISTEN_FDS|LISTEN_PID|WATCHDOG_USEC)' "$T/env")" 0 \
    "an outer systemd's NOTIFY_SOCKET, LISTEN_* and WATCHDOG_* are not passed on"
unset NOTIFY_SOCKET LISTEN_FDS LISTEN_PID WATCHDOG_USEC
is "$(cat "$T/umask")" 0027 "umask"
is "$(cat "$T/stdin")" /dev/null "config mode: stdin is /dev/null, not tend's"
is "$(tr -d ' ' <"$T/pgid")" "$(cat "$T/pid")" "its own process group"
kill -TERM "$TEND_PID"
tend_wait env 10

if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	ini user "[program:probe]
command = /bin/sh -c 'id -u > $T/uid.tmp; id -g >> $T/uid.tmp; mv $T/uid.tmp $T/uid; exec sleep 60'
user = nobody
group = nogroup"
	chmod 777 "$T"
	tend_start user -c "$T/user.ini"
	wait_for_file "$T/uid" 10
	is "$(tr '\n' ' ' <"$T/uid")" "$(id -u nobody) $(getent group nogroup | cut -d: -f3) " \
	    "user = nobody, group = nogroup"
	kill -TERM "$TEND_PID"
	tend_wait user 10
else
	skip 1 "user: needs root and a 'nobody' user"
fi

ini baddir "[program:lost]
command = /bin/true
directory = $T/no/such/dir
restart = never"
tend_start baddir -c "$T/baddir.ini"
wait_for_log "$T/baddir.err" 'not restarting' 10
ok "bad directory: named with chdir and strerror" \
    grep -q "lost:0: spawn: chdir($T/no/such/dir): No such file or directory" "$T/baddir.err"
kill -TERM "$TEND_PID"
tend_wait baddir 10
is "$TEND_RC" 0 "bad directory: tend keeps running, then exits 0"

ini baduser "[program:who]
command = /bin/true
user = no-such-user-tend
restart = never"
tend_start baduser -c "$T/baduser.ini"
wait_for_log "$T/baduser.err" 'not restarting' 10
ok "unknown user: named" \
    grep -q 'who:0: spawn: unknown user "no-such-user-tend"' "$T/baduser.err"
kill -TERM "$TEND_PID"
tend_wait baduser 10

done_testing
