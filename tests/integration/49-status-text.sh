#!/bin/bash
# 49-status-text.sh: tendctl status (GET /status?format=text) with
# instances in every kind of state, with no process among them. The
# uptime of an instance with no process is NaN inside; casting it to an
# integer was undefined behaviour that a clang (or GCC with
# float-cast-overflow) UBSan build dies of: the sanitizer build fails this
# test through lib.sh if any report is written.
. "$(dirname "$0")/lib.sh"

plan 6

ini st "[program:idle]
command = sleep 100000
autostart = no
[program:up]
command = sleep 100001
[program:done]
command = /bin/true
restart = never"
tend_start st -c "$T/st.ini"
wait_until 10 sh -c "'$TENDCTL' status 2>/dev/null | grep -q '^done:0 *exited'"
out=$("$TENDCTL" status 2>&1)
ok "tendctl status answers" test -n "$out"
like "$out" '^idle:0 +stopped +- +- ' \
    "a never-started instance: no pid, uptime '-'" || diag "$out"
like "$out" '^done:0 +exited +- +- ' "an exited one: no pid, uptime '-'"
like "$out" '^up:0 +(starting|running) +[0-9]+ +[0-9.]+s ' "a started one: pid and uptime"
json=$(curl -sf --unix-socket "$TEND_SOCKET" http://localhost/status)
ok "/status is valid JSON" sh -c "printf '%s' '$json' | jq -e . >/dev/null"
kill -TERM "$TEND_PID"
tend_wait st 10
is "$TEND_RC" 0 "SIGTERM exits 0"

done_testing
