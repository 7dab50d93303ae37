#!/bin/bash
# bench/slowreaders.sh: tend's memory and loop lag while slow readers hang
# on the control socket. tend runs PROGS programs of NUMPROCS instances
# each (autostart = no: the instances exist and render in /metrics, no
# process is spawned) with lag_probe_interval = 10ms; READERS connections
# then each send `GET PATH` and never read. For HOLD seconds VmRSS is
# sampled every 100 ms; meanwhile /health is timed (curl, every 0.5 s).
# Afterwards: VmHWM, the largest VmRSS seen, the slowest /health, and
# tend_loop_lag_max_seconds from a fresh /metrics. One run, one machine.
#
#   bench/slowreaders.sh BUILD_DIR   (holding src/tend and tests/helpers/uconn)
#   env: PROGS=2 NUMPROCS=10000 READERS=127 PATH_=/metrics HOLD=6
#        UCONN=path/to/uconn (default BUILD_DIR's)
# Tools: curl. Prints one "key value" line per figure.
set -u

build=${1:?usage: bench/slowreaders.sh BUILD_DIR}
PROGS=${PROGS:-2} NUMPROCS=${NUMPROCS:-10000} READERS=${READERS:-127}
PATH_=${PATH_:-/metrics} HOLD=${HOLD:-6}
UCONN=${UCONN:-$build/tests/helpers/uconn}
tend=$build/src/tend
[ -x "$tend" ] && [ -x "$UCONN" ] || { echo "no $tend or $UCONN" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/slowreaders.XXXXXX") || exit 2
pid=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
sock=$tmp/s.sock
{
	printf '[tend]\nsocket = %s\nlag_probe_interval = 10ms\n' "$sock"
	for p in $(seq 1 "$PROGS"); do
		printf '[program:p%d]\ncommand = sleep 100000\n' "$p"
		printf 'numprocs = %d\nautostart = no\n' "$NUMPROCS"
	done
} >"$tmp/c.ini"
"$tend" -c "$tmp/c.ini" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do
	curl -s -o /dev/null --unix-socket "$sock" http://l/livez && break
	sleep 0.1
done
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
echo "instances $((PROGS * NUMPROCS))"
echo "metrics_bytes $(curl -s --unix-socket "$sock" http://l/metrics | wc -c)"
echo "rss_idle_kb $(rss)"

"$UCONN" "$sock" slowread "$READERS" "$PATH_" "$HOLD" >"$tmp/slow" &
reader=$!
max=0 worst=0 n=0
end=$(( $(date +%s%N) / 1000000 + HOLD * 1000 ))
while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
	r=$(rss)
	[ -n "$r" ] && [ "$r" -gt "$max" ] && max=$r
	if [ $((n % 5)) -eq 0 ]; then
		t=$(curl -s -o /dev/null -m 10 -w '%{time_total}' \
		    --unix-socket "$sock" http://l/health)
		ms=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')
		[ "$ms" -gt "$worst" ] && worst=$ms
	fi
	n=$((n + 1))
	sleep 0.1
done
wait "$reader"
echo "readers_closed_by_tend $(awk '/^closed/ { print $2 }' "$tmp/slow")"
echo "rss_max_kb $max"
echo "rss_hwm_kb $(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")"
echo "health_slowest_ms $worst"
echo "loop_lag_max_s $(curl -s --unix-socket "$sock" http://l/metrics |
    awk '$1 == "tend_loop_lag_max_seconds" { print $2 }')"
echo "control_503_total $(curl -s --unix-socket "$sock" http://l/metrics |
    awk '$1 == "tend_control_requests_total{code=\"503\"}" { n = $2 } END { print n + 0 }')"
kill -TERM "$pid"
wait "$pid"
echo "tend_exit $?"
