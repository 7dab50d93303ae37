#!/bin/bash
# bench/status.sh [TEND_BUILD_DIR]: how long a status query takes with 100
# instances: tendctl status, curl /metrics and /status against tend, and
# supervisorctl status against supervisord with 100 programs, in the same
# run (hyperfine, 10 warm-ups, 200 runs, no shell). curl /health, a
# 3-byte answer, shows what curl itself costs. Needs hyperfine, curl
# and supervisor (apt-get install hyperfine curl supervisor). The default
# build is build/ (a release build, as bootstrap.sh makes it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
tend=$build/src/tend
tendctl=$build/src/tendctl
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tend-status.XXXXXX")
pids=
cleanup() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null || :; done
	for p in $pids; do
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/tend.ini" <<EOF2
[tend]
socket = $tmp/tend.sock
[program:w]
command = sleep 100000
numprocs = 100
start_seconds = 0
EOF2
"$tend" -c "$tmp/tend.ini" 2>"$tmp/tend.err" &
pids="$pids $!"
timeout 30 "$tendctl" -s "$tmp/tend.sock" wait-ready --timeout 30s

cat >"$tmp/sv.conf" <<EOF2
[unix_http_server]
file = $tmp/sv.sock
[supervisord]
logfile = $tmp/sv.log
pidfile = $tmp/sv.pid
nodaemon = true
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl = unix://$tmp/sv.sock
[program:w]
command = sleep 100000
numprocs = 100
process_name = %(program_name)s_%(process_num)02d
startsecs = 0
EOF2
supervisord -c "$tmp/sv.conf" >/dev/null 2>&1 &
pids="$pids $!"
for _ in $(seq 300); do
	n=$(supervisorctl -c "$tmp/sv.conf" status 2>/dev/null | grep -c RUNNING || :)
	[ "$n" -eq 100 ] && break
	sleep 0.1
done
echo "supervisord: $n of 100 RUNNING"
echo "/metrics: $(curl -s --unix-socket "$tmp/tend.sock" http://localhost/metrics | wc -c) bytes," \
    "/status: $(curl -s --unix-socket "$tmp/tend.sock" http://localhost/status | wc -c) bytes"

mkdir -p "$here/results"
out=$here/results/status-$(date +%Y-%m-%d-%H%M%S)
hyperfine -N --warmup 10 --runs 200 -i --export-json "$out.json" \
    --export-markdown "$out.md" \
    -n 'tendctl status' "$tendctl -s $tmp/tend.sock status" \
    -n 'curl /metrics' "curl -s -o /dev/null --unix-socket $tmp/tend.sock http://localhost/metrics" \
    -n 'curl /status' "curl -s -o /dev/null --unix-socket $tmp/tend.sock http://localhost/status" \
    -n 'curl /health (curl itself)' "curl -s -o /dev/null --unix-socket $tmp/tend.sock http://localhost/health" \
    -n 'supervisorctl status' "supervisorctl -c $tmp/sv.conf status" >"$tmp/hf.out"
cat "$out.md"
# The ratio of each mean to supervisorctl's.
python3 - "$out.json" <<'EOF2' 2>/dev/null || :
import json, sys
r = json.load(open(sys.argv[1]))["results"]
sv = [x for x in r if x["command"] == "supervisorctl status"][0]["mean"]
for x in r:
    print(f'{x["command"]}: {x["mean"]*1e3:.2f} ms mean, {x["median"]*1e3:.2f} ms median, {x["mean"]/sv:.3f}x supervisorctl')
EOF2
