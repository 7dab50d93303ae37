#!/bin/sh
# bench/status.sh: how long a status query takes with 100 instances, in one
# run on one machine: `tendctl status`, `curl /metrics` and `curl /status`
# against tend, and `supervisorctl status` against supervisord running the
# same 100 `sleep`s. hyperfine -N (no shell), 10 warm-ups, 200 runs each.
# Two floors are measured with them: `curl /health` (a 3-byte answer: what
# curl's own start-up costs) and `tendctl health` (the same for tendctl).
# Prints a markdown report (table: mean ± sd, median, min, ratio to
# supervisorctl; body sizes; tend's errors if any) and saves it with
# hyperfine's raw JSON to bench/results/status-DATE.{md,json} (gitignored).
#
# Which tend: $TEND_BUILD if set (a build dir holding src/tend and
# src/tendctl); otherwise a release build (./configure defaults: -g -O2, no
# sanitizers) made from a copy of the working tree in a temp dir. Not a
# VPATH build from the tree itself: configure refuses one while the tree is
# configured in place (the shared in-tree build, which may be an ASan one).
# Tools: hyperfine, curl, jq, supervisord + supervisorctl
# (apt-get install -y hyperfine curl jq supervisor).
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 2
root=$(cd "$here/.." && pwd) || exit 2
cd "$root" || exit 2

N=${N:-100}			# instances / programs
RUNS=${RUNS:-200}		# hyperfine runs per command
WARMUP=${WARMUP:-10}		# hyperfine warm-up runs per command

die() { echo "bench/status.sh: $*" >&2; exit 2; }

for t in hyperfine curl jq supervisord supervisorctl timeout; do
	command -v "$t" >/dev/null 2>&1 ||
	    die "$t not found (apt-get install -y hyperfine curl jq supervisor)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tend-status.XXXXXX") || exit 2
tend_pid='' sv_pid=''

# stop PID NAME: TERM, wait up to 20 s (tend and supervisord both stop their
# children first), then KILL it and the children it still had.
stop() {
	kill -TERM "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "bench: $2 (pid $1) still there after 20 s: KILL" >&2
		kids=$(cat /proc/"$1"/task/*/children 2>/dev/null)
		kill -KILL "$1" 2>/dev/null
		[ -n "$kids" ] && kill -KILL $kids 2>/dev/null
	fi
	wait "$1" 2>/dev/null
}
cleanup() {
	[ -n "$tend_pid" ] && stop "$tend_pid" tend
	[ -n "$sv_pid" ] && stop "$sv_pid" supervisord
	tend_pid='' sv_pid=''
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- build -------------------------------------------------------------------

if [ -n "${TEND_BUILD:-}" ]; then
	build=$TEND_BUILD
	tend_how="given as \$TEND_BUILD"
else
	echo "bench: building a release tend in $tmp/tree ..." >&2
	mkdir "$tmp/tree"
	# Tracked and new files, plus what autoreconf generated, with their
	# times kept so make does not try to regenerate them.
	{ git ls-files -co --exclude-standard; ls -d configure Makefile.in \
	    aclocal.m4 build-aux m4 2>/dev/null; } |
	    tar -cf - --no-recursion -T - build-aux/* m4/* 2>/dev/null |
	    tar -xf - -C "$tmp/tree" || die "copy of the tree failed"
	if ! (cd "$tmp/tree" && timeout 300 ./configure -q &&
	    timeout 600 make -s -j2 src/tend src/tendctl) \
	    >"$tmp/build.log" 2>&1; then
		tail -n 30 "$tmp/build.log" >&2
		die "release build failed (set TEND_BUILD=dir to skip it)"
	fi
	build=$tmp/tree
	tend_how="release build: ./configure defaults (CFLAGS=-g -O2), no sanitizers"
fi
TEND=$build/src/tend
TENDCTL=$build/src/tendctl
[ -x "$TEND" ] && [ -x "$TENDCTL" ] || die "no $TEND or $TENDCTL"

# --- tend with N instances ---------------------------------------------------

sock=$tmp/tend.sock
cat >"$tmp/tend.ini" <<EOF
[tend]
socket = $sock

[program:w]
command = sleep 100000
numprocs = $N
start_seconds = 0
EOF

echo "bench: tend with $N instances" >&2
"$TEND" -c "$tmp/tend.ini" 2>"$tmp/tend.err" &
tend_pid=$!
if ! timeout 40 "$TENDCTL" -s "$sock" wait-ready --timeout 30s \
    >"$tmp/wait-ready.out" 2>&1; then
	echo "bench: tendctl wait-ready failed ($(head -c 300 \
	    "$tmp/wait-ready.out")); polling /health" >&2
	i=0
	until [ "$(timeout 5 curl -s -o /dev/null -w '%{http_code}' \
	    --unix-socket "$sock" http://localhost/health)" = 200 ]; do
		kill -0 "$tend_pid" 2>/dev/null || {
			tail -n 20 "$tmp/tend.err" >&2; die "tend exited"; }
		[ $i -lt 300 ] || die "tend not healthy after 30 s"
		sleep 0.1
		i=$((i + 1))
	done
fi

# --- supervisord with N programs ---------------------------------------------

svconf=$tmp/supervisord.conf
cat >"$svconf" <<EOF
[unix_http_server]
file = $tmp/supervisor.sock

[supervisord]
nodaemon = true
logfile = $tmp/supervisord.log
pidfile = $tmp/supervisord.pid
childlogdir = $tmp

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl = unix://$tmp/supervisor.sock

[program:w]
command = sleep 100000
numprocs = $N
process_name = %(program_name)s_%(process_num)02d
startsecs = 0
stdout_logfile = NONE
stderr_logfile = NONE
EOF

echo "bench: supervisord with $N programs" >&2
supervisord -c "$svconf" >"$tmp/supervisord.out" 2>&1 &
sv_pid=$!
i=0
while :; do
	up=$(timeout 10 supervisorctl -c "$svconf" status 2>/dev/null |
	    grep -c ' RUNNING ')
	[ "$up" -eq "$N" ] && break
	kill -0 "$sv_pid" 2>/dev/null || {
		tail -n 20 "$tmp/supervisord.out" "$tmp/supervisord.log" >&2
		die "supervisord exited"; }
	[ $i -lt 120 ] || die "supervisord: $up of $N RUNNING after 60 s"
	sleep 0.5
	i=$((i + 1))
done

# --- check each command once -------------------------------------------------

curl_q() { echo "curl -s -o /dev/null --unix-socket $sock http://localhost$1"; }
c_tstatus="$TENDCTL -s $sock status"
c_metrics=$(curl_q /metrics)
c_status=$(curl_q /status)
c_health=$(curl_q /health)
c_thealth="$TENDCTL -s $sock health"
c_sv="supervisorctl -c $svconf status"

# Each must exit 0 (no hyperfine -i, so a failing command stops the run
# instead of being timed), and the two status tables must list N instances.
for c in "$c_tstatus" "$c_metrics" "$c_status" "$c_health" "$c_thealth" \
    "$c_sv"; do
	timeout 30 $c >"$tmp/check.out" 2>&1 ||
	    die "'$c' failed ($?): $(head -c 300 "$tmp/check.out")"
done
n=$(timeout 30 $c_tstatus | grep -c '^w:[0-9]* *running ')
[ "$n" -eq "$N" ] || die "tendctl status lists $n running instances, not $N"
n=$(timeout 30 $c_sv | grep -c ' RUNNING ')
[ "$n" -eq "$N" ] || die "supervisorctl status lists $n RUNNING, not $N"

# code and bytes of one body
body() {
	timeout 10 curl -s -o /dev/null -w '%{http_code} %{size_download}' \
	    --unix-socket "$sock" "http://localhost$1"
}
b_metrics=$(body /metrics) b_status=$(body /status)
b_text=$(body '/status?format=text') b_health=$(body /health)
b_tctl=$(timeout 30 $c_tstatus | wc -c)
b_sv=$(timeout 30 $c_sv | wc -c)

# --- hyperfine ---------------------------------------------------------------

if hyperfine --help 2>/dev/null | grep -Eq -- '^ +-N([ ,]|$)'; then
	hf_noshell=-N
else
	hf_noshell=--shell=none
fi
load=$(cut -d' ' -f1-3 /proc/loadavg)
# --foreground: in the terminal's process group, so Ctrl-C stops it too.
echo "bench: hyperfine, $WARMUP warm-ups + $RUNS runs x 6 commands" >&2
timeout --foreground 1200 hyperfine $hf_noshell --warmup "$WARMUP" --runs "$RUNS" \
    --style basic --export-json "$tmp/hf.json" \
    -n 'tendctl status' "$c_tstatus" \
    -n 'curl /metrics' "$c_metrics" \
    -n 'curl /status' "$c_status" \
    -n 'supervisorctl status' "$c_sv" \
    -n 'curl /health (curl floor)' "$c_health" \
    -n 'tendctl health (tendctl floor)' "$c_thealth" \
    >"$tmp/hf.out" 2>&1 ||
    { tail -n 30 "$tmp/hf.out" >&2; die "hyperfine failed"; }
kill -0 "$tend_pid" 2>/dev/null || die "tend died during the run"
kill -0 "$sv_pid" 2>/dev/null || die "supervisord died during the run"

# tend's count of control requests by code, and its warnings and errors
codes=$(timeout 10 curl -s --unix-socket "$sock" http://localhost/metrics |
    sed -n 's/^tend_control_requests_total{code="\([0-9]*\)"} \([0-9]*\)$/\1: \2/p' |
    tr '\n' ',' | sed 's/,$//; s/,/, /g')
grep -Ev '^tend: info: ' "$tmp/tend.err" >"$tmp/tend.bad"

# --- report ------------------------------------------------------------------

out=$tmp/report.md
exec 3>"$out"
say() { printf '%s\n' "$*" >&3; }

say "# tend status queries with $N instances, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say ""
say "- tend: $tend_how, tree at" \
    "$(git describe --always --dirty 2>/dev/null || echo '?')"
say "- supervisord $(supervisord --version 2>&1), $(curl --version | head -n 1 |
    cut -d' ' -f1-2), $(hyperfine --version)"
say "- machine: $(uname -srm), $(nproc) CPU," \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
    "load before hyperfine: $load"
say "- tend: \`numprocs = $N\`, \`command = sleep 100000\`, control socket;" \
    "supervisord: \`[program:w]\` \`numprocs = $N\`, same command, unix" \
    "socket, all $N RUNNING before the first run"
say "- hyperfine $hf_noshell --warmup $WARMUP --runs $RUNS, commands in the" \
    "order below, each exited 0 every time (no -i)"
say ""
say "| command | mean ± sd (ms) | median (ms) | min (ms) | vs supervisorctl status (mean) |"
say "|---|---:|---:|---:|---:|"
# "name mean sd median min ratio" per command (tab-separated, seconds), then
# formatted in ms.
jq -r '(.results[] | select(.command == "supervisorctl status") | .mean) as $sv
    | .results[] | [.command, .mean, .stddev, .median, .min, .mean / $sv]
    | @tsv' "$tmp/hf.json" >"$tmp/hf.tsv" && [ -s "$tmp/hf.tsv" ] ||
    die "could not read hyperfine's JSON"
awk -F '\t' '{ printf "| `%s` | %.2f ± %.2f | %.2f | %.2f | %.4f |\n",
    $1, $2 * 1e3, $3 * 1e3, $4 * 1e3, $5 * 1e3, $6 }' "$tmp/hf.tsv" >&3
say ""
say "Bodies (HTTP code, bytes): \`/metrics\` $b_metrics, \`/status\` (JSON)" \
    "$b_status, \`/status?format=text\` (what tendctl status fetches)" \
    "$b_text, \`/health\` $b_health. Output: \`tendctl status\` $b_tctl" \
    "bytes, \`supervisorctl status\` $b_sv bytes."
say ""
say "tend's tend_control_requests_total after the run: ${codes:-?}." \
    "tend's stderr: $(wc -l <"$tmp/tend.err") lines, $(wc -l \
    <"$tmp/tend.bad") not at info level."
if [ -s "$tmp/tend.bad" ]; then
	say ""
	say '```'
	head -n 20 "$tmp/tend.bad" >&3
	say '```'
fi
say ""
say "<details><summary>hyperfine output</summary>"
say ""
say '```'
cat "$tmp/hf.out" >&3
say '```'
say "</details>"
exec 3>&-

mkdir -p bench/results
dest=bench/results/status-$(date '+%Y-%m-%d-%H%M%S')
cp "$tmp/hf.json" "$dest.json"
cp "$out" "$dest.md"
cat "$out"
echo "bench: saved $dest.json and $dest.md" >&2
