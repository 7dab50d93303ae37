#!/bin/sh
# bench/restart.sh: what supervising costs tend, in one run on one machine.
# (1) 1000 sleeping instances: time to start them all, tend's own memory
# with them running (against 1 instance), and the drain on SIGTERM;
# (2) serial restarts of /bin/true with no backoff, against bench/spawnloop.c
# (the posix_spawn+waitpid floor); (3) the event loop's lag during that
# restart storm, measured from outside with bench/lagsend.c and
# bench/lagprobe.c, against tend running the probe alone; (4) 1000 instances
# restarting through per-instance ev_timers, with a perf profile of tend.
# Prints a markdown report and saves it to bench/results/restart-DATE.md
# (gitignored).
#
# Every tend is built from a copy of the working tree in a temp dir (the
# in-tree src/tend may be an ASan build and the tree is shared): the release
# build (./configure defaults, -g -O2), and a copy linked against libev.a
# for perf (Debian's libev.so.4 is stripped, so perf could not name a libev
# function in it). spawn_start() uses vfork() since 4721de7, so the fork()
# build and vfork patch this script used to compare are gone.
# Tools: cc, perl (Time::HiRes, to time the starts), perf (optional: (4)'s
# profile).
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 2
root=$(cd "$here/.." && pwd) || exit 2
cd "$root" || exit 2

CC=${CC:-cc}
MANY=${MANY:-1000}		# instances in (1) and (4)
STARTS=${STARTS:-5}		# (1) runs with MANY instances
ONES=${ONES:-5}			# (1) runs with 1 instance (memory baseline)
ROUNDS=${ROUNDS:-3}		# (2) rounds of spawnloop + tend
SERIAL_SECS=${SERIAL_SECS:-5}	# (2) length of one serial-restart run
SPAWNS=${SPAWNS:-3000}		# (2) spawn+wait per spawnloop run
LAG_COUNT=${LAG_COUNT:-200}	# (3) SIGUSR1s sent per run
LAG_MS=${LAG_MS:-10}		# (3) ms between them
LAG_WARM=${LAG_WARM:-1}		# (3) seconds of storm before the first
MANY_SECS=${MANY_SECS:-10}	# (4) length of the run
PERF_WARM=${PERF_WARM:-4}	# (4) profile: seconds before perf attaches
PERF_SECS=${PERF_SECS:-3}	# (4) profile: seconds perf records
PERF_FREQ=${PERF_FREQ:-10000}	# (4) profile: samples per second
LIBEV_A=${LIBEV_A:-/usr/lib/x86_64-linux-gnu/libev.a}

die() { echo "bench/restart.sh: $*" >&2; exit 2; }

for t in "$CC" perl getconf; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
perl -MTime::HiRes=clock_gettime,CLOCK_REALTIME -e 1 2>/dev/null ||
    die "perl's Time::HiRes has no clock_gettime"
hz=$(getconf CLK_TCK) || die "getconf CLK_TCK failed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tend-restart.XXXXXX") || exit 2
live=''			# the tend now running, if any
cleanup() {
	[ -n "$live" ] && stop_tend "$live"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stop_tend PID: TERM, wait up to 20 s for the drain, then KILL it and the
# children it still had (their pids read just before, so no guessing).
stop_tend() {
	kill -TERM "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		kids=$(cat /proc/"$1"/task/*/children 2>/dev/null)
		kill -KILL "$1" 2>/dev/null
		[ -n "$kids" ] && kill -KILL $kids 2>/dev/null
	fi
	wait "$1" 2>/dev/null
	live=''
}

median() { sort -n | awk '{ v[NR] = $1 } END {
	if (NR == 0) print "?"; else if (NR % 2) print v[(NR + 1) / 2];
	else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
	if (a == "?" || b == "?" || b == 0) print "?"; else printf "%.2f", a / b }'; }
now_ns() { date +%s%N; }
# "started pid" lines so far: one per spawn tend made.
spawns() { grep -c 'started pid' "$1"; }
# utime stime cutime cstime of a pid, in clock ticks ("comm" may hold
# spaces, so fields are counted after its closing parenthesis).
proc_times() {
	sed 's/.*) //' /proc/"$1"/stat | awk '{ print $12, $13, $14, $15 }'
}
# VmRSS VmHWM of a pid, in KiB.
proc_mem() {
	awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 }
	    END { print (r == "" ? "?" : r), (h == "" ? "?" : h) }' \
	    /proc/"$1"/status 2>/dev/null
}
# wait_started LOG N SECS: wait until LOG holds N "started pid" lines and
# print the time (CLOCK_REALTIME in ns, as date +%s%N) it saw the Nth;
# fail after SECS. Reads only what was appended, every 1 ms, so it costs
# tend little CPU and adds at most ~1 ms. Only whole lines are counted.
wait_started() {
	perl -MTime::HiRes=clock_gettime,CLOCK_REALTIME,usleep -e '
	    my ($f, $n, $secs) = @ARGV;
	    my $end = clock_gettime(CLOCK_REALTIME) + $secs;
	    my ($c, $buf) = (0, "");
	    open(my $h, "<", $f) or die "$f: $!\n";
	    for (;;) {
		my $r = sysread($h, my $chunk, 1 << 16);
		if ($r) {
			$buf .= $chunk;
			my $cut = rindex($buf, "\n");
			next if $cut < 0;
			my $lines = substr($buf, 0, $cut + 1, "");
			$c += () = $lines =~ /started pid/g;
			if ($c >= $n) {
				printf "%.0f\n",
				    clock_gettime(CLOCK_REALTIME) * 1e9;
				exit 0;
			}
			next;
		}
		exit 1 if clock_gettime(CLOCK_REALTIME) > $end;
		usleep(1000);
	    }' "$@"
}
# kv FILE KEY: the value of KEY=value in lagsend's one-line output.
kv() { tr ' ' '\n' <"$1" | sed -n "s/^$2=//p"; }
# The 1, 5 and 15 min load averages now, for each section's report: other
# work on the machine shows here.
load() { cut -d' ' -f1-3 /proc/loadavg; }

# --- builds ------------------------------------------------------------------

for c in spawnloop lagprobe lagsend; do
	$CC -O2 -Wall -Wextra -std=gnu11 -o "$tmp/$c" bench/$c.c ||
	    die "$c: build failed"
done

echo "bench: building release and libev.a copies of tend in $tmp ..." >&2
mkdir "$tmp/rel"
# Tracked and new files, plus what autoreconf generated, with their times
# kept so make does not try to regenerate them (as bench/run.sh does).
{ git ls-files -co --exclude-standard; ls -d configure Makefile.in \
    aclocal.m4 build-aux m4 2>/dev/null; } |
    tar -cf - --no-recursion -T - build-aux/* m4/* 2>/dev/null |
    tar -xf - -C "$tmp/rel" || die "copy of the tree failed"
(cd "$tmp/rel" && ./configure -q && make -j2 src/tend) \
    >"$tmp/build.log" 2>&1 ||
    { tail -n 30 "$tmp/build.log" >&2; die "release build of tend failed"; }
grep -q 'vfork()' "$tmp/rel/src/spawn.c" ||
    echo "bench: note: src/spawn.c no longer calls vfork()" >&2

perf_ok=no
if command -v perf >/dev/null 2>&1 && [ -r "$LIBEV_A" ] &&
    perf record -q -o "$tmp/probe.data" -- true >/dev/null 2>&1; then
	perf_ok=yes
	cp -a "$tmp/rel" "$tmp/prof"
	rm -f "$tmp/prof/src/tend"
	(cd "$tmp/prof" && make src/tend EV_LIBS="$LIBEV_A") \
	    >>"$tmp/build.log" 2>&1 || perf_ok=no
fi
if command -v perf >/dev/null 2>&1 &&
    perf stat -x, -e instructions true 2>&1 >/dev/null |
    grep -q '^[0-9]'; then
	hw_counters=yes
else
	hw_counters="no (perf samples on a software clock)"
fi

TEND=$tmp/rel/src/tend
PTEND=$tmp/prof/src/tend

cat >"$tmp/sleep.ini" <<EOF
[program:sleep]
command = /bin/sleep 1000
numprocs = $MANY
start_seconds = 0
EOF
sed "s/^numprocs = .*/numprocs = 1/" "$tmp/sleep.ini" >"$tmp/one.ini"
cat >"$tmp/serial.ini" <<EOF
[program:true]
command = /bin/true
restart = always
backoff_initial = 0
start_seconds = 0
backoff_jitter = 0
EOF
cat >"$tmp/calm.ini" <<EOF
[program:probe]
command = $tmp/lagprobe $tmp/probe.pid $tmp/probe.out
start_seconds = 0
EOF
cat "$tmp/serial.ini" "$tmp/calm.ini" >"$tmp/storm.ini"
cat >"$tmp/many.ini" <<EOF
[program:true]
command = /bin/true
numprocs = $MANY
restart = always
start_seconds = 0
backoff_initial = 100ms
backoff_max = 1s
backoff_jitter = 0.5
EOF
for c in sleep one serial calm storm many; do
	"$TEND" --check -c "$tmp/$c.ini" >/dev/null 2>&1 ||
	    die "$c.ini: $("$TEND" --check -c "$tmp/$c.ini" 2>&1)"
done

out=$tmp/report.md
exec 3>"$out"
say() { printf '%s\n' "$*" >&3; }

say "# tend restart benchmarks, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say ""
say "- tend: release build of the working tree (./configure defaults," \
    "CFLAGS=-g -O2, no sanitizers; spawn_start() uses vfork), tree at" \
    "$(git describe --always --dirty 2>/dev/null || echo '?');" \
    "libev $(dpkg-query -W -f '${Version}' libev4 2>/dev/null || echo '?')"
say "- machine: $(uname -srm), $(nproc) CPU," \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
    "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
say "- $(perf --version 2>/dev/null || echo 'perf: none');" \
    "hardware counters: $hw_counters; CPU times from /proc/PID/stat" \
    "($hz ticks/s)"
say ""

# --- (1) 1000 sleeping instances: start, memory, drain -----------------------

# start_tend CONFIG LOG N: launch tend and wait until N started. Sets live,
# t0 (before the launch) and t1 (when the Nth "started pid" was seen), ns.
start_tend() {
	t0=$(now_ns)
	"$TEND" -c "$1" 2>"$2" &
	live=$!
	t1=$(wait_started "$2" "$3" 30) ||
	    die "$3 instances not started in 30 s (see $2)"
}

echo "bench: (1) $MANY sleeping instances, $STARTS runs;" \
    "1 instance, $ONES runs" >&2
load1=$(load)
: >"$tmp/start.txt"
r=1
while [ $r -le "$STARTS" ]; do
	start_tend "$tmp/sleep.ini" "$tmp/start-$r.log" "$MANY"
	sleep 0.2
	mem=$(proc_mem "$live")
	# A watchdog in case the drain hangs: KILL tend and its children
	# (read just before) after 30 s. Its exit status then shows it.
	perl -e 'my ($s, $p) = @ARGV; sleep $s; my @k;
	    for my $c (glob "/proc/$p/task/*/children") {
		open(my $h, "<", $c) and push @k, split(" ", <$h> // "") }
	    kill "KILL", $p, @k' 30 "$live" &
	wd=$!
	t2=$(now_ns)
	kill -TERM "$live"
	wait "$live"
	rc=$?
	t3=$(now_ns)
	live=''
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	left=$(spawns "$tmp/start-$r.log")
	echo "$(((t1 - t0) / 1000)) $(((t3 - t2) / 1000)) $rc $mem $left" \
	    >>"$tmp/start.txt"
	r=$((r + 1))
done
: >"$tmp/one.txt"
r=1
while [ $r -le "$ONES" ]; do
	start_tend "$tmp/one.ini" "$tmp/one-$r.log" 1
	sleep 0.2
	echo "$(((t1 - t0) / 1000)) $(proc_mem "$live")" >>"$tmp/one.txt"
	stop_tend "$live"
	r=$((r + 1))
done

col() { awk -v c="$1" '{ print $c }' "$2"; }
ms() { col "$1" "$2" | awk '{ printf "%.1f\n", $1 / 1000 }'; }
s_start=$(ms 1 "$tmp/start.txt" | median)
s_drain=$(ms 2 "$tmp/start.txt" | median)
s_rss=$(col 4 "$tmp/start.txt" | median)
s_hwm=$(col 5 "$tmp/start.txt" | median)
o_start=$(ms 1 "$tmp/one.txt" | median)
o_rss=$(col 2 "$tmp/one.txt" | median)
o_hwm=$(col 3 "$tmp/one.txt" | median)
per() { awk -v a="$1" -v b="$2" -v n="$MANY" 'BEGIN {
	if (a == "?" || b == "?" || n < 2) print "?";
	else printf "%.0f", (a - b) * 1024 / (n - 1) }'; }
runs() { tr '\n' ' ' | sed 's/ *$//'; }

say "## (1) $MANY sleeping instances: start, tend's memory, drain"
say ""
say "\`numprocs = $MANY\`, \`command = /bin/sleep 1000\`," \
    "\`start_seconds = 0\` (defaults otherwise: stop_signal TERM, kill_mode" \
    "mixed, stop_timeout 10s), log_level info to a file. **Start**: from" \
    "just before the launch (\`date +%s%N\`) until the ${MANY}th" \
    "\`started pid\` line is in tend's stderr (a perl reader polling the" \
    "file every 1 ms). **Memory**: VmRSS and VmHWM of tend itself (not its" \
    "children) from /proc/PID/status, 0.2 s after the last start. **Drain**:" \
    "SIGTERM until \`wait\` returns tend's status (\`date +%s%N\` around" \
    "both). $STARTS runs with $MANY instances; $ONES with \`numprocs = 1\`" \
    "for the baseline. Medians. Load average at the start: $load1."
say ""
say "| measure | 1 instance | $MANY instances | per extra instance | runs ($MANY) |"
say "|---|---:|---:|---:|---|"
say "| **start: launch until all started (ms)** | $o_start | **$s_start** |" \
    "$(awk -v a="$s_start" -v b="$o_start" -v n="$MANY" \
    'BEGIN { printf "%.1f µs", (a - b) * 1000 / (n - 1) }') |" \
    "$(ms 1 "$tmp/start.txt" | runs) |"
say "| **drain: SIGTERM until tend exited (ms)** | - | **$s_drain** | - |" \
    "$(ms 2 "$tmp/start.txt" | runs) |"
say "| tend VmRSS (KiB) | $o_rss | $s_rss | $(per "$s_rss" "$o_rss") B |" \
    "$(col 4 "$tmp/start.txt" | runs) |"
say "| tend VmHWM (KiB) | $o_hwm | $s_hwm | $(per "$s_hwm" "$o_hwm") B |" \
    "$(col 5 "$tmp/start.txt" | runs) |"
say ""
say "tend's exit status after each drain: $(col 3 "$tmp/start.txt" | runs)" \
    "(0 = every program drained in time; 137 would be the 30 s watchdog)." \
    "\`started pid\` lines per run: $(col 6 "$tmp/start.txt" | runs)." \
    "1-instance runs (start µs, VmRSS, VmHWM):" \
    "$(tr '\n' ';' <"$tmp/one.txt" | sed 's/;$//; s/;/; /g')."
say ""

# --- (2) serial restarts -----------------------------------------------------

# serial ROUND: one run of serial.ini for SERIAL_SECS, then TERM. Appends
# "round spawns secs utime stime cutime cstime" to serial.txt; the times
# are read from /proc just before the TERM.
serial() {
	t0=$(now_ns)
	"$TEND" -c "$tmp/serial.ini" 2>"$tmp/serial-$1.log" &
	live=$!
	sleep "$SERIAL_SECS"
	times=$(proc_times "$live")
	t1=$(now_ns)
	n=$(spawns "$tmp/serial-$1.log")
	stop_tend "$live"
	echo "$1 $n $(awk -v a="$t0" -v b="$t1" \
	    'BEGIN { printf "%.3f", (b - a) / 1e9 }') $times" \
	    >>"$tmp/serial.txt"
}

echo "bench: (2) serial restarts, $ROUNDS x (spawnloop, tend)" >&2
load2=$(load)
: >"$tmp/serial.txt"
: >"$tmp/spawnloop.txt"
r=1
while [ $r -le "$ROUNDS" ]; do
	"$tmp/spawnloop" "$SPAWNS" >"$tmp/sl.out" || die "spawnloop failed"
	sed -n 's/.*: \([0-9.]*\) us per spawn+wait/\1/p' "$tmp/sl.out" \
	    >>"$tmp/spawnloop.txt"
	serial $r
	r=$((r + 1))
done
sl=$(median <"$tmp/spawnloop.txt")
sl_rate=$(awk -v s="$sl" 'BEGIN { printf "%.1f", 1e6 / s }')

# Per run: restarts/s, spawns/s, wall µs per spawn, tend's own CPU µs per
# spawn, of which user, children's CPU µs per spawn; then their medians.
awk -v hz="$hz" '$2 > 0 {
    printf "%.1f %.1f %.1f %.1f %.1f %.1f\n", ($2 - 1) / $3, $2 / $3,
    $3 / $2 * 1e6, ($4 + $5) / hz / $2 * 1e6, $4 / hz / $2 * 1e6,
    ($6 + $7) / hz / $2 * 1e6 }' "$tmp/serial.txt" >"$tmp/serial-d.txt"
set -- $(for c in 1 2 3 4 5 6; do col $c "$tmp/serial-d.txt" | median; done)
t_rrate=$1 t_rate=$2 t_wall=$3 t_own=$4 t_user=$5 t_kids=$6

say "## (2) Serial restarts: the cost of supervision"
say ""
say "One program, \`command = /bin/true\`, \`restart = always\`," \
    "\`backoff_initial = 0\`, \`start_seconds = 0\`, \`backoff_jitter = 0\`," \
    "log_level info to a file; $SERIAL_SECS s per run, then SIGTERM. Spawns" \
    "are tend's \`started pid\` lines (restarts: one fewer); CPU times are" \
    "tend's own (utime+stime) and its reaped children's (cutime+cstime)" \
    "from /proc/PID/stat just before the TERM. Medians of $ROUNDS rounds;" \
    "each round runs spawnloop, then tend. Load average at the start:" \
    "$load2."
say ""
say "| what | restarts/s | spawns/s | vs floor (rate) | µs per spawn (wall) | vs floor (µs) | tend's own CPU µs/spawn | of which user | children's CPU µs/spawn |"
say "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
say "| floor: spawnloop $SPAWNS, posix_spawn+waitpid of /bin/true | - |" \
    "$sl_rate | 1.00 | $sl | 1.00 | - | - | - |"
say "| **tend (release, vfork)** | **$t_rrate** | $t_rate |" \
    "**$(ratio "$t_rrate" "$sl_rate")** | $t_wall | $(ratio "$t_wall" "$sl") |" \
    "$t_own | $t_user | $t_kids |"
say ""
say "Wall time per spawn, tend minus the floor: $(awk -v a="$t_wall" \
    -v b="$sl" 'BEGIN { printf "%.1f", a - b }') µs (what supervising adds" \
    "to each spawn+wait; noise when near 0). Raw runs (round, spawns, seconds, utime stime" \
    "cutime cstime in ticks):" \
    "$(tr '\n' ';' <"$tmp/serial.txt" | sed 's/;$//; s/;/; /g')." \
    "spawnloop µs per spawn: $(runs <"$tmp/spawnloop.txt")"
say ""

# --- (3) loop lag during the restart storm -----------------------------------

# lag NAME: tend on NAME.ini (which holds the probe); after LAG_WARM s,
# lagsend sends LAG_COUNT USR1s LAG_MS apart. Keeps lagsend's line in
# lag-NAME.txt and "spawns-in-window seconds tend-cpu-ticks" in
# lag-NAME.win.
lag() {
	rm -f "$tmp/probe.pid" "$tmp/probe.out"
	"$TEND" -c "$tmp/$1.ini" 2>"$tmp/lag-$1.log" &
	live=$!
	sleep "$LAG_WARM"
	set -- "$1" $(proc_times "$live")
	c0=$(($2 + $3))
	n0=$(spawns "$tmp/lag-$1.log")
	ta=$(now_ns)
	"$tmp/lagsend" "$live" "$tmp/probe.pid" "$tmp/probe.out" \
	    "$LAG_COUNT" "$LAG_MS" "$tmp/lag-$1.raw" >"$tmp/lag-$1.txt" ||
	    die "lagsend failed ($1)"
	tb=$(now_ns)
	n1=$(spawns "$tmp/lag-$1.log")
	set -- "$1" $(proc_times "$live")
	c1=$(($2 + $3))
	stop_tend "$live"
	echo "$((n1 - n0)) $(awk -v a="$ta" -v b="$tb" \
	    'BEGIN { printf "%.3f", (b - a) / 1e9 }') $((c1 - c0))" \
	    >"$tmp/lag-$1.win"
}

echo "bench: (3) loop lag: $LAG_COUNT USR1 x $LAG_MS ms, calm and storm" >&2
load3=$(load)
lag calm
lag storm

lagrow() {	# label name
	set -- "$1" "$2" $(cat "$tmp/lag-$2.win")
	say "| $1 | $(kv "$tmp/lag-$2.txt" received) of" \
	    "$(kv "$tmp/lag-$2.txt" sent) | $(kv "$tmp/lag-$2.txt" median_us) |" \
	    "$(kv "$tmp/lag-$2.txt" p99_us) | $(kv "$tmp/lag-$2.txt" max_us) |" \
	    "$(kv "$tmp/lag-$2.txt" min_us) | $(kv "$tmp/lag-$2.txt" mean_us) |" \
	    "$(awk -v n="$3" -v s="$4" 'BEGIN { printf "%.0f", n / s }') |" \
	    "$(awk -v c="$5" -v s="$4" -v hz="$hz" \
	    'BEGIN { printf "%.0f", c / hz / s * 100 }') |"
}
say "## (3) Loop lag during the restart storm, from outside"
say ""
say "tend has no lag probe yet, so: \`bench/lagprobe\` runs as a program of" \
    "tend and time-stamps each SIGUSR1 in its handler (CLOCK_MONOTONIC);" \
    "\`bench/lagsend\` sends SIGUSR1 to tend $LAG_COUNT times, $LAG_MS ms" \
    "apart on an absolute schedule, reading CLOCK_MONOTONIC just before" \
    "each kill(); tend forwards each to every running instance's main" \
    "process (kill_mode mixed). Latency = receive - send: tend noticing," \
    "handling and forwarding the signal, plus the kernel waking the probe." \
    "**storm**: the probe next to (2)'s \`/bin/true\` program (restart =" \
    "always, backoff_initial = 0; a \`/bin/true\` that happens to be" \
    "running gets the USR1 too), sending from $LAG_WARM s after the launch." \
    "**calm**: tend running only the probe. Two USR1s pending at once (at" \
    "tend or the probe) would coalesce: \"arrived\" counts that. Pairing:" \
    "$(kv "$tmp/lag-calm.txt" pairing) (calm)," \
    "$(kv "$tmp/lag-storm.txt" pairing) (storm); in-order when all" \
    "arrived, else each receive to the latest send before it. p99:" \
    "nearest rank. One run each. Load average at the start: $load3."
say ""
say "| tend running | arrived | median (µs) | p99 (µs) | max (µs) | min (µs) | mean (µs) | spawns/s in the window | tend's CPU in the window (%) |"
say "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
lagrow "probe only (calm)" calm
lagrow "**probe + /bin/true storm**" storm
say ""
say "Window: from lagsend's start to its end ($LAG_COUNT x $LAG_MS ms plus" \
    "0.5 s settling and the probe's dump); tend's CPU is utime+stime over" \
    "it. lagsend: calm \`$(cat "$tmp/lag-calm.txt")\`;" \
    "storm \`$(cat "$tmp/lag-storm.txt")\`."
say ""

# --- (4) 1000 instances on per-instance timers -------------------------------

echo "bench: (4) $MANY instances, $MANY_SECS s" >&2
load4=$(load)
half=$((MANY_SECS / 2))
t0=$(now_ns)
"$TEND" -c "$tmp/many.ini" 2>"$tmp/many.log" &
live=$!
sleep "$half"
set -- $(proc_times "$live"); m_cpu1=$(($1 + $2))
tm=$(now_ns)
m_n1=$(spawns "$tmp/many.log")
sleep $((MANY_SECS - half))
set -- $(proc_times "$live"); m_cpu2=$(($1 + $2)) m_user2=$1
t1=$(now_ns)
m_n2=$(spawns "$tmp/many.log")
stop_tend "$live"

row3() {	# label spawns restarts ns cputicks
	awk -v l="$1" -v n="$2" -v r="$3" -v ns="$4" -v c="$5" -v hz="$hz" \
	    'BEGIN { printf "| %s | %.2f | %d | %d | %.1f | %.0f | %.1f |\n",
	    l, ns / 1e9, n, r, r / (ns / 1e9), c / hz * 1e3,
	    (n > 0 ? c / hz / n * 1e6 : 0) }'
}
say "## (4) $MANY instances restarting, one ev_timer each"
say ""
say "\`numprocs = $MANY\`, \`command = /bin/true\`, \`restart = always\`," \
    "\`start_seconds = 0\`, \`backoff_initial = 100ms\`," \
    "\`backoff_max = 1s\`," \
    "\`backoff_jitter = 0.5\` (multiplier 2: from the fifth restart on every" \
    "instance waits 1 s ± 50 %, so the ideal steady rate is about" \
    "$MANY/s). Release build, $MANY_SECS s, no profiler attached. Load" \
    "average at the start: $load4."
say ""
say "| window | seconds | spawns | restarts | restarts/s | tend's own CPU (ms) | tend's own CPU µs per spawn |"
say "|---|---:|---:|---:|---:|---:|---:|"
say "$(row3 "whole run (first $MANY starts included)" "$m_n2" \
    $((m_n2 - MANY)) $((t1 - t0)) "$m_cpu2")"
say "$(row3 "second half (steady state)" $((m_n2 - m_n1)) \
    $((m_n2 - m_n1)) $((t1 - tm)) $((m_cpu2 - m_cpu1)))"
say ""
say "user share of tend's CPU over the whole run (/proc):" \
    "$(awk -v u="$m_user2" -v c="$m_cpu2" \
    'BEGIN { printf "%.1f %%", c ? u / c * 100 : 0 }')."
say ""

if [ "$perf_ok" = yes ]; then
	echo "bench: (4) perf profile, $PERF_WARM s + $PERF_SECS s" >&2
	"$PTEND" -c "$tmp/many.ini" 2>"$tmp/prof.log" &
	live=$!
	sleep "$PERF_WARM"
	perf record -q -F "$PERF_FREQ" -g --no-inherit -p "$live" \
	    -o "$tmp/perf.data" -- sleep "$PERF_SECS" >"$tmp/perf.err" 2>&1
	stop_tend "$live"
	rep() { perf report -i "$tmp/perf.data" --stdio -q --comm tend \
	    --no-children -g none --percentage relative "$@" 2>/dev/null; }
	samples=$(rep -n --sort comm | awk '$1 ~ /%$/ && $NF == "tend" { print $2 }')
	# "pct dso k|u symbol" per line, every symbol of tend's process.
	rep --sort dso,sym | awk 'NF >= 4 && $1 ~ /%$/ {
	    sub(/%/, "", $1); k = $3 == "[k]" ? "k" : "u"; s = $4
	    for (i = 5; i <= NF; i++) s = s " " $i
	    print $1, $2, k, s }' >"$tmp/syms.txt"
	# libev's timer code. Debian's libev inlines upheap, downheap and
	# timers_reify (into ev_timer_start/stop and ev_run), so ev_run's
	# own time is an upper bound for the reify part.
	timers='^(ev_timer_(start|stop|again)|timers_reify|upheap|downheap)([.]cold)?$'
	shares=$(awk -v re="$timers" '
	    { t += $1 } $3 == "u" { u += $1 }
	    $3 == "u" && $4 ~ re { tm += $1 }
	    $3 == "u" && $4 ~ /^ev_run([.]cold)?$/ { run += $1 }
	    $3 == "u" && $4 ~ /^(ev_|epoll_|fd_|array_|evpipe|pipecb|childcb)/ \
	        { ev += $1 }
	    END { printf "%.2f %.2f %.2f %.2f %.2f %.1f %.1f\n", t, u, tm,
	        run, ev, u ? tm / u * 100 : 0, u ? (tm + run) / u * 100 : 0 }' \
	    "$tmp/syms.txt")
	set -- $shares
	p_user=$2 p_tm=$3 p_run=$4 p_ev=$5 p_tmu=$6 p_tmru=$7
	say "### perf profile of tend itself"
	say ""
	say "Same config, tend linked against libev.a (the same Debian build," \
	    "with symbols); after $PERF_WARM s, \`perf record -F $PERF_FREQ -g" \
	    "--no-inherit -p PID\` for $PERF_SECS s (event" \
	    "$(perf evlist -i "$tmp/perf.data" 2>/dev/null | head -n 1)," \
	    "${samples:-?} samples of tend's process, \`perf report --comm" \
	    "tend --no-children\`: self time, children not included)."
	say ""
	say "| share of tend's samples | % of all | % of user space |"
	say "|---|---:|---:|"
	say "| user space (tend, libev, libc, libm) | $p_user | 100 |"
	say "| kernel (fork/clone, exit, wait, pipes, epoll, page faults) |" \
	    "$(awk -v u="$p_user" 'BEGIN { printf "%.2f", 100 - u }') | - |"
	say "| libev timers: ev_timer_start/stop/again (heap ops inlined) |" \
	    "$p_tm | **$p_tmu** |"
	say "| ev_run self (holds the inlined timers_reify; upper bound) |" \
	    "$p_run | - |"
	say "| timers + all of ev_run (upper bound for the timer heap) |" \
	    "$(awk -v a="$p_tm" -v b="$p_run" 'BEGIN { printf "%.2f", a + b }') |" \
	    "**$p_tmru** |"
	say "| all of libev (ev_*, epoll_*, fd_*, array_*, pipecb, childcb) |" \
	    "$p_ev | $(awk -v a="$p_ev" -v u="$p_user" \
	    'BEGIN { printf "%.1f", u ? a / u * 100 : 0 }') |"
	say ""
	say "Top 10 symbols of the tend process (self, % of its samples):"
	say ""
	say "| % | dso | | symbol |"
	say "|---:|---|---|---|"
	head -n 10 "$tmp/syms.txt" | awk '{ s = $4
	    for (i = 5; i <= NF; i++) s = s " " $i
	    printf "| %s | %s | [%s] | %s |\n", $1, $2, $3 == "u" ? "." : "k", s }' >&3
	say ""
	say "Top 10 user-space symbols (% of all of tend's samples):"
	say ""
	say "| % | dso | symbol |"
	say "|---:|---|---|"
	awk '$3 == "u"' "$tmp/syms.txt" | head -n 10 | awk '{ s = $4
	    for (i = 5; i <= NF; i++) s = s " " $i
	    printf "| %s | %s | %s |\n", $1, $2, s }' >&3
	say ""
else
	say "perf: not usable here (or $LIBEV_A missing), no profile."
	say ""
fi

say "Load after the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work on" \
    "the machine shows here; the runs above are not isolated from it)."
exec 3>&-

mkdir -p bench/results
dest=bench/results/restart-$(date '+%Y-%m-%d-%H%M%S').md
cp "$out" "$dest"
cat "$out"
echo "bench: saved $dest" >&2
