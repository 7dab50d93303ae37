#!/bin/bash
# bench/soak.sh: N instances (default 1000) of bench/crasher.c, each
# crashing after a random 0-200 ms, restarted by tend for DURATION seconds
# (default 60) with backoff_initial = 10ms. Sampled every second: zombies
# left by tend, its RSS, its descriptors. At the end: loop lag from the
# tend_loop_lag_seconds histogram, and every exit and restart in tend's
# metrics checked against the crashers' own record. Not part of make check.
# Prints a markdown report with PASS/FAIL per criterion, saves it to
# bench/results/soak-DATE[-LABEL].md (gitignored), exits 1 if a criterion
# fails, 2 if the run itself could not be made.
#
# usage: TEND=/path/to/tend [DURATION=60] [LABEL=release] bench/soak.sh
#
# How each figure is measured (also said in the report):
# - Exits. Each crasher appends one byte to a shared file (O_APPEND, so
#   records never mix): 'S' when it starts, then exactly one of 'E' (exits
#   1-3), 'A' (abort(), one run in 8). Nothing else signals it. At the
#   end the script creates a stop file: a crasher that finds it appends
#   'O' and exits 0, and restart = on-failure leaves that instance exited.
#   So the run ends quiescent, with no instance in flight or in backoff,
#   and the counts are exact: restarts == E + A, exits{exited} == E + O,
#   exits{signaled} == A, spawns (S + O) == N + restarts. No tolerance.
# - Zombies. Every second, /proc/*/stat lines in state Z whose ppid is
#   tend. A zombie is normal for the moment between a crasher's exit and
#   tend's waitpid; one seen again >= 1 s after its first sight (same
#   pid and start time, so a recycled pid is not mistaken for it) was
#   left at least 1 s: that fails (reaped late). Time between sights,
#   not sample numbers: a starved sampler takes late samples in a bunch.
#   One still there once the run is quiescent is leaked: that fails too.
#   The largest count at one sample is reported.
# - RSS: VmRSS every second; the mean of the first 10 samples against the
#   mean of the last 10, within RSS_TOL percent (10).
# - Loop lag: lag_probe_interval = 10ms; the tend_loop_lag_seconds bucket
#   deltas between a scrape 1 s into the run (after the start-up burst)
#   and one at its end. p99 is the upper bound of the bucket holding the
#   99th percentile; it must be <= 5 ms. tend_loop_lag_max_seconds is
#   since tend started (start-up included) and is reported only.
# - Descriptors: a first tend with the same config and the stop file
#   already present starts N instances that all exit 0 at once; its
#   descriptor count when quiescent is the baseline. The soak's tend,
#   quiescent after the run, must hold no more. Counts during the run
#   (spawn report pipes in flight) are reported only.
# - Exit status: SIGTERM after the final scrape; tend must exit 0 within
#   STOP_WAIT seconds.
# - Sanitizers: ASAN_OPTIONS and UBSAN_OPTIONS get log_path=...; any file
#   there at the end fails the run. For an ASan build (seen in ldd), RSS
#   and lag are reported but do not decide the exit status: the
#   allocator's quarantine grows RSS and instrumentation slows the loop.
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 2
root=$(cd "$here/.." && pwd) || exit 2
cd "$root" || exit 2

TEND=${TEND:-$root/src/tend}
CC=${CC:-cc}
DURATION=${DURATION:-60}	# seconds of crashing
N=${N:-1000}			# instances
BACKOFF_INITIAL=${BACKOFF_INITIAL:-10ms}
BACKOFF_MAX=${BACKOFF_MAX:-100ms}
LAG_PROBE=${LAG_PROBE:-10ms}	# lag_probe_interval
LAG_P99_MAX=${LAG_P99_MAX:-0.005}	# seconds
RSS_TOL=${RSS_TOL:-10}		# percent
STOP_WAIT=${STOP_WAIT:-30}	# seconds for quiescence, and for the exit
LABEL=${LABEL:-}
NICE=${NICE:-}			# e.g. -10: run tend (and so its workers) at
				# that niceness, to tell tend's own lag from a
				# busy machine's (needs root for < 0)

die() { echo "bench/soak.sh: $*" >&2; exit 2; }

for t in "$CC" curl getconf; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
[ -x "$TEND" ] || die "$TEND: no tend there (set TEND=)"
case $DURATION in ''|*[!0-9]*) die "DURATION=$DURATION: not seconds";; esac
[ "$DURATION" -ge 20 ] ||
    die "DURATION=$DURATION: at least 20 s (10 s of RSS at each end)"
hz=$(getconf CLK_TCK) || die "getconf CLK_TCK failed"
if ldd "$TEND" 2>/dev/null | grep -q libasan; then
	asan=yes
else
	asan=no
fi
[ -n "$LABEL" ] || { [ $asan = yes ] && LABEL=asan || LABEL=release; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tend-soak.XXXXXX") || exit 2
tpid=''			# the tend now running, if any
cleanup() {
	# The stop file ends any crasher within 200 ms, whoever its parent.
	: >"$tmp/stop" 2>/dev/null
	[ -n "$tpid" ] && stop_tend "$tpid" 10
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stop_tend PID SECS: TERM, wait up to SECS, then KILL it and the children
# it still had (their pids read just before). Sets stopped_status to
# tend's exit status, or "none" if it had to be killed. Not in a $(...):
# only this shell can wait for tend.
stop_tend() {
	local i=0 kids
	kill -TERM "$1" 2>/dev/null
	while kill -0 "$1" 2>/dev/null && [ $i -lt $(($2 * 10)) ]; do
		# A zombie tend (exited, not yet waited for) counts as gone.
		[ "$(proc_state "$1")" = Z ] && break
		sleep 0.1
		i=$((i + 1))
	done
	if [ "$(proc_state "$1")" != Z ] && kill -0 "$1" 2>/dev/null; then
		kids=$(cat /proc/"$1"/task/*/children 2>/dev/null)
		kill -KILL "$1" 2>/dev/null
		[ -n "$kids" ] && kill -KILL $kids 2>/dev/null
		wait "$1" 2>/dev/null
		stopped_status=none
	else
		wait "$1" 2>/dev/null
		stopped_status=$?
	fi
	tpid=''
}

proc_state() { sed 's/.*) //' /proc/"$1"/stat 2>/dev/null | cut -d' ' -f1; }
# utime + stime of a pid, in clock ticks.
proc_cpu() { sed 's/.*) //' /proc/"$1"/stat | awk '{ print $12 + $13 }'; }
# ns on a CPU and ns runnable but waiting for one (schedstat).
proc_sched() { cut -d' ' -f1-2 /proc/"$1"/schedstat 2>/dev/null; }
proc_rss() { awk '/^VmRSS:/ { print $2 }' /proc/"$1"/status 2>/dev/null; }
proc_fds() {
	local f=(/proc/"$1"/fd/*)
	echo ${#f[@]}
}
# Descriptors of an idle tend: the count once two reads 0.2 s apart agree
# (a control connection curl just closed may not be closed in tend yet).
settled_fds() {
	local a b i=0
	a=$(proc_fds "$1")
	while [ $i -lt 20 ]; do
		sleep 0.2
		b=$(proc_fds "$1")
		[ "$a" = "$b" ] && break
		a=$b
		i=$((i + 1))
	done
	echo "$b"
}
# "pid:starttime" of every zombie whose parent is $1. comm may hold spaces
# and parentheses, so fields are counted after the last ") ".
zombies() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '{
		pid = $1; s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
		if (f[1] == "Z" && f[2] == p) print pid ":" f[20] }'
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
# CPU pressure: the share of the last 60 s in which some runnable task
# waited for a CPU ("?" without PSI).
psi() { sed -n 's/^some .*avg60=\([0-9.]*\).*/\1%/p' /proc/pressure/cpu \
    2>/dev/null | grep . || echo '?'; }
now_us() { echo "${EPOCHREALTIME/./}"; }

# scrape FILE: GET /metrics into FILE; its time in seconds goes to
# FILE.time (the control socket's latency under the storm is a figure).
scrape() {
	curl -sf --max-time 60 -w '%{time_total}' -o "$1" \
	    --unix-socket "$tmp/tend.sock" http://localhost/metrics \
	    >"$1.time"
}
# msum FILE REGEX: the sum of the samples whose name{labels} match REGEX.
msum() {
	awk -v re="$2" '$1 ~ re { s += $2 } END { printf "%.0f\n", s }' "$1"
}
mval() { awk -v n="$2" '$1 == n { print $2; exit }' "$1"; }
# count BYTE: how many times the crashers wrote it.
count() { tr -cd "$1" <"$tmp/events" | wc -c; }
# wait_for SECS CMD...: until CMD succeeds; 1 after SECS.
wait_for() {
	local secs=$1 i=0
	shift
	until "$@"; do
		[ $i -ge $((secs * 10)) ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}
sock_up() { curl -sf --max-time 2 --unix-socket "$tmp/tend.sock" \
    -o /dev/null http://localhost/status; }
all_out() { [ "$(count O)" -ge "$N" ]; }
# start_tend: in the background, stderr to tend.log; sets tpid.
start_tend() {
	ASAN_OPTIONS="log_path=$tmp/san/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
	UBSAN_OPTIONS="log_path=$tmp/san/ubsan:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
	    ${NICE:+nice -n "$NICE"} "$TEND" -c "$tmp/soak.ini" \
	    2>>"$tmp/tend.log" &
	tpid=$!
	wait_for 10 sock_up || die "tend did not open its socket; log:
$(tail -n 20 "$tmp/tend.log")"
}

# --- set-up ------------------------------------------------------------------

mkdir "$tmp/san" || exit 2
if ! $CC -O2 -static -Wall -Wextra -std=gnu11 -o "$tmp/crasher" \
    bench/crasher.c 2>/dev/null; then
	# A static crasher execs faster; a dynamic one will do.
	$CC -O2 -Wall -Wextra -std=gnu11 -o "$tmp/crasher" bench/crasher.c ||
	    die "crasher: build failed"
fi
: >"$tmp/events"
cat >"$tmp/soak.ini" <<EOF
[tend]
socket = $tmp/tend.sock
lag_probe_interval = $LAG_PROBE
log_level = warn
shutdown_timeout = ${STOP_WAIT}s

[program:crash]
command = $tmp/crasher $tmp/events $tmp/stop
numprocs = $N
directory = $tmp
restart = on-failure
start_seconds = 0
backoff_initial = $BACKOFF_INITIAL
backoff_max = $BACKOFF_MAX
stdout = null
stderr = null
EOF
"$TEND" --check -c "$tmp/soak.ini" >"$tmp/check.log" 2>&1 ||
    die "tend --check refused the config: $(cat "$tmp/check.log")"

# --- the descriptor baseline: same config, every instance exits 0 -------------

echo "soak: baseline tend (stop file present) ..." >&2
: >"$tmp/stop"
start_tend
wait_for "$STOP_WAIT" all_out || die "baseline: instances did not all exit"
fds_base=$(settled_fds "$tpid")
stop_tend "$tpid" "$STOP_WAIT"
[ "$stopped_status" = 0 ] || die "baseline tend exited $stopped_status"
rm -f "$tmp/stop"
: >"$tmp/events"
: >"$tmp/tend.log"

# --- the soak -------------------------------------------------------------------

echo "soak: $N crashers for ${DURATION}s under $TEND ..." >&2
date_start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_start=$(load)
psi_start=$(psi)
start_tend
t0=$(now_us)
cpu0=$(proc_cpu "$tpid")
sched0=$(proc_sched "$tpid")
# One line a second: elapsed s, VmRSS KiB, fds, zombies, zombies also seen
# at the sample before, load1.
: >"$tmp/samples"
declare -A zfirst=()	# pid:starttime -> when first seen (µs)
z_age_max=0		# the longest time between first and last sight, µs
stuck_list=''
tend_died=no
# sample K: one line of samples. The sampler itself may be starved of CPU
# and take its samples late and then in a bunch, so a zombie's age is
# measured in time between sights, not in samples.
sample() {
	local z z_now=0 z_stuck=0 id t age
	declare -A seen=()
	z=$(zombies "$tpid")
	t=$(now_us)
	for id in $z; do
		z_now=$((z_now + 1))
		if [ -n "${zfirst[$id]:-}" ]; then
			age=$((t - zfirst[$id]))
			seen[$id]=${zfirst[$id]}
			[ $age -gt $z_age_max ] && z_age_max=$age
			if [ $age -ge 1000000 ]; then
				z_stuck=$((z_stuck + 1))
				case " $stuck_list " in
				*" $id "*) ;;
				*) stuck_list="$stuck_list $id";;
				esac
			fi
		else
			seen[$id]=$t
		fi
	done
	# Forget the reaped, so a recycled pid:starttime could not match.
	zfirst=()
	for id in "${!seen[@]}"; do
		zfirst[$id]=${seen[$id]}
	done
	echo "$1 $(proc_rss "$tpid") $(proc_fds "$tpid") $z_now $z_stuck" \
	    "$(cut -d' ' -f1 /proc/loadavg) $(((t - t0) / 1000))" \
	    >>"$tmp/samples"
}
k=0
while [ $k -lt "$DURATION" ]; do
	k=$((k + 1))
	# Sleep to the k-th second after t0, so samples do not drift.
	wait_us=$((t0 + k * 1000000 - $(now_us)))
	[ $wait_us -gt 0 ] && sleep "$(printf '%d.%06d' \
	    $((wait_us / 1000000)) $((wait_us % 1000000)))"
	if ! kill -0 "$tpid" 2>/dev/null || [ "$(proc_state "$tpid")" = Z ]
	then
		tend_died=yes
		break
	fi
	sample "$k"
	if [ $k -eq 1 ]; then
		scrape "$tmp/m0" || die "scrape at 1 s failed"
		tm0=$(now_us)
		fds_run0=$(proc_fds "$tpid")
	fi
done
[ $tend_died = yes ] && die "tend died ${k}s into the run; log:
$(tail -n 20 "$tmp/tend.log")"
scrape "$tmp/m1" || die "scrape at the end failed"
tm1=$(now_us)
cpu1=$(proc_cpu "$tpid")
sched1=$(proc_sched "$tpid")
t1=$(now_us)
fds_run1=$(proc_fds "$tpid")
load_end=$(load)
psi_end=$(psi)

# --- quiescence, final figures, SIGTERM ---------------------------------------------

: >"$tmp/stop"
k2=$k
quiet=yes
until all_out; do
	k2=$((k2 + 1))
	[ $k2 -gt $((k + STOP_WAIT)) ] && { quiet=no; break; }
	sleep 1
	sample "$k2"
done
# The last 'O' is written just before its exit: wait for tend to have
# seen every instance exit.
exited_all() {
	scrape "$tmp/m2" && [ "$(msum "$tmp/m2" \
	    '^tend_program_instances\{.*state="exited"')" -ge "$N" ]
}
wait_for 5 exited_all || quiet=no
sample "$((k2 + 1))"
cpu2=$(proc_cpu "$tpid")
rss_end=$(proc_rss "$tpid")
fds_end=$(settled_fds "$tpid")
stop_tend "$tpid" "$STOP_WAIT"
exit_status=$stopped_status

# --- figures ------------------------------------------------------------------

nS=$(count S) nE=$(count E) nA=$(count A) nO=$(count O)
restarts=$(msum "$tmp/m2" '^tend_worker_restarts_total\{')
ex_exited=$(msum "$tmp/m2" '^tend_worker_exits_total\{.*reason="exited"')
ex_signaled=$(msum "$tmp/m2" '^tend_worker_exits_total\{.*reason="signaled"')
ex_killed=$(msum "$tmp/m2" '^tend_worker_exits_total\{.*reason="killed"')
n_exited=$(msum "$tmp/m2" '^tend_program_instances\{.*state="exited"')
restarts_run=$(($(msum "$tmp/m1" '^tend_worker_restarts_total\{') -
    $(msum "$tmp/m0" '^tend_worker_restarts_total\{')))
run_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')
win_s=$(awk -v a="$tm0" -v b="$tm1" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')
rate=$(awk -v r="$restarts_run" -v d="$win_s" 'BEGIN { printf "%.0f", r / d }')
cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$hz" \
    'BEGIN { printf "%.2f", (b - a) / hz }')
# Where tend's wall time went: on a CPU, waiting in a run queue, and the
# rest blocked (epoll_wait, and vfork until the child has exec'd).
sched_split=$(echo "$sched0 $sched1" | awk -v d="$run_s" '
    NF == 4 { on = ($3 - $1) / 1e9; rq = ($4 - $2) / 1e9
	printf "%.1f%% / %.1f%% / %.1f%%", 100 * on / d, 100 * rq / d,
	    100 * (d - on - rq) / d; ok = 1 }
    END { if (!ok) print "?" }')
cpu_pct=$(awk -v c="$cpu_s" -v d="$run_s" \
    'BEGIN { printf "%.1f", 100 * c / d }')
cpu_us_per=$(awk -v c="$cpu_s" -v r="$rate" -v d="$run_s" \
    'BEGIN { if (r == 0) print "?"; else printf "%.1f", 1e6 * c / (r * d) }')

# Lag: bucket deltas m1 - m0, cumulative as Prometheus gives them.
lag_rows=$(awk '
    FNR == NR && /^tend_loop_lag_seconds_bucket/ { a[$1] = $2; next }
    /^tend_loop_lag_seconds_bucket/ {
	le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le)
	print le, $2 - a[$1] }' "$tmp/m0" "$tmp/m1")
lag_count=$(echo "$lag_rows" | awk '$1 == "+Inf" { print $2 }')
lag_sum=$(awk '
    FNR == NR && $1 == "tend_loop_lag_seconds_sum" { a = $2; next }
    $1 == "tend_loop_lag_seconds_sum" { printf "%.6f", $2 - a }' \
    "$tmp/m0" "$tmp/m1")
lag_p99=$(echo "$lag_rows" | awk -v n="$lag_count" '
    !done && $2 >= 0.99 * n { print $1; done = 1 }')
lag_p50=$(echo "$lag_rows" | awk -v n="$lag_count" '
    !done && $2 >= 0.5 * n { print $1; done = 1 }')
lag_mean_ms=$(awk -v s="$lag_sum" -v n="$lag_count" \
    'BEGIN { if (n > 0) printf "%.3f", 1000 * s / n; else print "?" }')
lag_max=$(mval "$tmp/m1" tend_loop_lag_max_seconds)
iters=$(awk -v a="$(mval "$tmp/m0" tend_loop_iterations_total)" \
    -v b="$(mval "$tmp/m1" tend_loop_iterations_total)" \
    'BEGIN { printf "%.0f", b - a }')
lag_over=$(echo "$lag_rows" | awk -v n="$lag_count" -v b="$LAG_P99_MAX" '
    $1 != "+Inf" && $1 + 0 == b + 0 { printf "%d", n - $2 }')

# Samples: RSS first 10 / last 10 of the run (not the quiescent tail).
rss_first=$(awk 'NR <= 10 { s += $2; n++ } END { printf "%.0f", s / n }' \
    "$tmp/samples")
rss_last=$(awk -v d="$DURATION" '$1 > d - 10 && $1 <= d { s += $2; n++ }
    END { printf "%.0f", s / n }' "$tmp/samples")
rss_max=$(awk '$2 > m { m = $2 } END { print m }' "$tmp/samples")
rss_drift=$(awk -v a="$rss_first" -v b="$rss_last" \
    'BEGIN { printf "%+.1f", 100 * (b - a) / a }')
z_max=$(awk '$4 > m { m = $4 } END { print m + 0 }' "$tmp/samples")
z_seen=$(awk '{ s += $4 } END { print s + 0 }' "$tmp/samples")
z_stuck=$(echo $stuck_list | wc -w)
z_samples=$(wc -l <"$tmp/samples")
z_end=$(tail -n 1 "$tmp/samples" | cut -d' ' -f4)
fds_min=$(awk '$1 <= '"$DURATION"' { if (m == "" || $3 < m) m = $3 }
    END { print m }' "$tmp/samples")
fds_max=$(awk '$1 <= '"$DURATION"' && $3 > m { m = $3 } END { print m }' \
    "$tmp/samples")
san_files=$(ls "$tmp/san" 2>/dev/null)
log_lines=$(wc -l <"$tmp/tend.log")

# --- verdicts -----------------------------------------------------------------

failed=0
advisory=0
# verdict VAR GATING CMD...: VAR becomes PASS or FAIL as CMD succeeds;
# a failure counts when GATING is yes. Not in a $(...), so failed sticks.
verdict() {
	local var=$1 gate=$2
	shift 2
	if "$@"; then
		printf -v "$var" PASS
	elif [ "$gate" = yes ]; then
		printf -v "$var" FAIL
		failed=1
	else
		printf -v "$var" 'FAIL (reported, not gating: ASan build)'
		advisory=1
	fi
}
gate_perf=yes
[ $asan = yes ] && gate_perf=no
is() { [ "$1" = "$2" ]; }
verdict v_quiet yes is "$quiet" yes
verdict v_zomb yes is "$z_stuck" 0
verdict v_zend yes is "$z_end" 0
verdict v_rss $gate_perf awk -v d="$rss_drift" -v t="$RSS_TOL" \
    'BEGIN { exit !(d <= t && d >= -t) }'
verdict v_lag $gate_perf awk -v p="$lag_p99" -v m="$LAG_P99_MAX" \
    'BEGIN { exit !(p != "+Inf" && p != "" && p + 0 <= m + 0) }'
verdict v_restarts yes is "$restarts" $((nE + nA))
verdict v_exited yes is "$ex_exited" $((nE + nO))
verdict v_signaled yes is "$ex_signaled" "$nA"
verdict v_killed yes is "$ex_killed" 0
verdict v_spawns yes is $((nS + nO)) $((N + restarts))
verdict v_fds yes awk -v a="$fds_end" -v b="$fds_base" \
    'BEGIN { exit !(a <= b) }'
verdict v_exit yes is "$exit_status" 0
verdict v_san yes is "$san_files" ""
[ "$restarts_run" -gt 0 ] || { echo "soak: no restarts at all" >&2; failed=1; }

# --- report -------------------------------------------------------------------

report() {
	cat <<EOF
# tend soak: $N crashers, ${DURATION} s ($LABEL)

- Date: $date_start; host $(uname -n), $(nproc) CPUs, $(uname -r)
- tend: \`$TEND\` ($("$TEND" --version 2>/dev/null | head -n 1)), ASan: $asan, niceness ${NICE:-0 (inherited)}
- Tree: $(git describe --always --dirty 2>/dev/null) on $(git rev-parse --abbrev-ref HEAD 2>/dev/null)
- Config: numprocs = $N, restart = on-failure, start_seconds = 0,
  backoff_initial = $BACKOFF_INITIAL, backoff_max = $BACKOFF_MAX (multiplier
  2, jitter 0.1), lag_probe_interval = $LAG_PROBE, log_level = warn
- Worker: bench/crasher.c, sleeps 0-200 ms (uniform), then exits 1-3, or
  abort()s one run in 8
- Load average (1 5 15 min): $load_start at the start, $load_end at the end
  of the run; other work shares these $(nproc) CPUs. CPU pressure (PSI
  some avg60): $psi_start at the start, $psi_end at the end

## Criteria

| criterion | measured | verdict |
|---|---|---|
| run ends quiescent (all $N instances exited after the stop file) | $n_exited exited | $v_quiet |
| no zombie child of tend left once quiescent (leaked) | $z_end | $v_zend |
| no zombie child of tend seen again >= 1 s after its first sight (reaped late) | $(echo $stuck_list | wc -w) zombies; longest seen $(awk -v a="$z_age_max" 'BEGIN { printf "%.2f", a / 1e6 }') s; max $z_max at one sample | $v_zomb |
| RSS flat: mean of last 10 s within ±${RSS_TOL}% of first 10 s | $rss_first → $rss_last KiB ($rss_drift%) | $v_rss |
| loop lag p99 <= $(awk -v m="$LAG_P99_MAX" 'BEGIN { print m * 1000 }') ms | p99 bucket le=$lag_p99 s | $v_lag |
| restarts_total == crashes observed (E + A) | $restarts vs $((nE + nA)) | $v_restarts |
| exits_total{exited} == E + O | $ex_exited vs $((nE + nO)) | $v_exited |
| exits_total{signaled} == A | $ex_signaled vs $nA | $v_signaled |
| exits_total{killed} == 0 | $ex_killed | $v_killed |
| spawns observed (S + O) == N + restarts_total | $((nS + nO)) vs $((N + restarts)) | $v_spawns |
| descriptors, quiescent after the run <= baseline | $fds_end vs $fds_base | $v_fds |
| exit status after SIGTERM == 0 | $exit_status | $v_exit |
| no sanitizer report | ${san_files:-none} | $v_san |

## Figures

| figure | value |
|---|---|
| run length (start to the end-of-run scrape) | ${run_s} s |
| restarts in the window (scrape at 1 s to scrape at the end, ${win_s} s) | $restarts_run |
| restarts/s | $rate |
| restarts in all (final metrics) | $restarts |
| crasher records S / E / A / O | $nS / $nE / $nA / $nO |
| exits by reason exited / signaled / killed | $ex_exited / $ex_signaled / $ex_killed |
| tend CPU (utime+stime) over the run | ${cpu_s} s (${cpu_pct}% of one CPU) |
| tend CPU per restart | ${cpu_us_per} µs |
| tend wall time on a CPU / waiting for a CPU / blocked (schedstat) | $sched_split |
| loop lag samples in the window | $lag_count |
| loop lag p50 bucket / p99 bucket | le=$lag_p50 / le=$lag_p99 s |
| loop lag mean | $lag_mean_ms ms |
| samples above $(awk -v m="$LAG_P99_MAX" 'BEGIN { print m * 1000 }') ms | ${lag_over:-?} |
| tend_loop_lag_max_seconds (since tend started) | $lag_max |
| RSS first 10 s / last 10 s / max / quiescent end | $rss_first / $rss_last / $rss_max / $rss_end KiB |
| zombie sightings (sum over $z_samples samples) / max at one sample | $z_seen / $z_max |
| fds: baseline / at 1 s / min-max in the run / end of run / quiescent end | $fds_base / ${fds_run0:-?} / $fds_min-$fds_max / $fds_run1 / $fds_end |
| GET /metrics time at 1 s / end of run / quiescent | $(cat "$tmp/m0.time") / $(cat "$tmp/m1.time") / $(cat "$tmp/m2.time") s |
| tend_loop_iterations_total in the window | $iters |
| tend log lines (log_level = warn) | $log_lines |

## Loop lag histogram (deltas over the window)

| le (s) | cumulative |
|---|---|
$(echo "$lag_rows" | awk '{ printf "| %s | %s |\n", $1, $2 }')

## Samples (every 10th; columns: n, RSS KiB, fds, zombies, of which >= 1 s old, load1, ms since start)

\`\`\`
$(awk 'NR == 1 || $1 % 10 == 0' "$tmp/samples")
\`\`\`
EOF
	if [ "$log_lines" -gt 0 ]; then
		printf '\n## tend log (first 20 lines)\n\n```\n'
		head -n 20 "$tmp/tend.log"
		printf '```\n'
	fi
	if [ -n "$stuck_list" ]; then
		printf '\nZombies seen >= 1 s apart (pid:starttime, first 20 of %d):' \
		    "$(echo $stuck_list | wc -w)"
		echo $stuck_list | tr ' ' '\n' | head -n 20 | tr '\n' ' '
		echo
	fi
	if [ -n "$san_files" ]; then
		printf '\n## Sanitizer reports\n\n```\n'
		head -n 60 "$tmp/san"/*
		printf '```\n'
	fi
	echo
	if [ $failed -ne 0 ]; then
		echo "Result: FAIL"
	elif [ $advisory -ne 0 ]; then
		echo "Result: PASS (gating criteria; see the reported ones)"
	else
		echo "Result: PASS"
	fi
}

mkdir -p bench/results || die "cannot create bench/results"
out=bench/results/soak-$(date -u +%Y%m%dT%H%M%SZ)-$LABEL.md
report | tee "$out"
echo "soak: report saved to $out" >&2
exit $failed
