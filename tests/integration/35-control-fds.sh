#!/bin/bash
# 35-control-fds.sh: tend out of file descriptors while connections
# arrive. accept4 fails with EMFILE; tend says so once, stops accepting for
# a moment instead of spinning, and serves every waiting connection as
# descriptors free up. Its workers are not disturbed.
. "$(dirname "$0")/lib.sh"

plan 5

cat >"$T/c.ini" <<EOF2
[program:a]
command = sleep 100000
start_seconds = 0
EOF2
# 16 descriptors: tend's own (std, libev, signalfd, socket...) leave room
# for only a few connections at a time.
BG_ENV="env --default-signal prlimit --nofile=16" tend_start tend -c "$T/c.ini"
ok "tend is up" wait_until 10 sh -c \
    "curl -s --unix-socket '$TEND_SOCKET' http://localhost/health | grep -qx ok"
pid=$(curl -s --unix-socket "$TEND_SOCKET" http://localhost/status |
    jq -r '.programs[0].instances[0].pid')
"$HELPERS/uconn" "$TEND_SOCKET" many 40 >"$T/many"
is "$(cat "$T/many")" "200 40" "all 40 connections are served in the end"
like "$(cat "$T/tend.err")" 'accept4\(.*\): pausing accepts: Too many open files' \
    "running out of descriptors is logged"
is "$(grep -c 'pausing accepts' "$T/tend.err")" 1 "... once"
is "$(curl -s --unix-socket "$TEND_SOCKET" http://localhost/status |
    jq -r '.programs[0].instances[0] | "\(.pid) \(.state)"')" "$pid running" \
    "the worker was not disturbed"
kill -TERM "$TEND_PID"
tend_wait tend 20
done_testing
