#!/bin/sh
# bench/restart.sh: what supervising costs tend, in one run on one machine.
# (1) serial restarts of /bin/true with no backoff, against bench/spawnloop.c
# (the posix_spawn+waitpid floor); (2) the same with spawn_start() patched to
# vfork(); (3) 1000 instances restarting through per-instance ev_timers, with
# a perf profile of tend itself; (4) the drain of 1000 running instances.
# Prints a markdown report and saves it to bench/results/restart-DATE.md
# (gitignored).
#
# Every tend is built from a copy of the working tree in a temp dir (the
# in-tree src/tend may be an ASan build and the tree is shared): the release
# build (./configure defaults, -g -O2), a copy with vfork() in spawn_start(),
# and a copy linked against libev.a for perf (Debian's libev.so.4 is
# stripped, so perf could not name a libev function in it).
# Tools: cc, perl (the vfork patch), perf (optional: (3)'s profile).
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 2
root=$(cd "$here/.." && pwd) || exit 2
cd "$root" || exit 2

CC=${CC:-cc}
ROUNDS=${ROUNDS:-3}		# rounds of (1)+(2), fork and vfork alternating
SERIAL_SECS=${SERIAL_SECS:-5}	# length of one serial-restart run
SPAWNS=${SPAWNS:-3000}		# spawn+wait per spawnloop run
MANY=${MANY:-1000}		# instances in (3) and (4)
MANY_SECS=${MANY_SECS:-10}	# length of the (3) run
PERF_WARM=${PERF_WARM:-4}	# (3) profile: seconds before perf attaches
PERF_SECS=${PERF_SECS:-3}	# (3) profile: seconds perf records
PERF_FREQ=${PERF_FREQ:-10000}	# (3) profile: samples per second
DRAINS=${DRAINS:-5}		# (4) runs
LIBEV_A=${LIBEV_A:-/usr/lib/x86_64-linux-gnu/libev.a}

die() { echo "bench/restart.sh: $*" >&2; exit 2; }

for t in "$CC" perl getconf; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
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

# --- builds ------------------------------------------------------------------

$CC -O2 -Wall -Wextra -std=gnu11 -o "$tmp/spawnloop" bench/spawnloop.c ||
    die "spawnloop: build failed"

echo "bench: building release, vfork and libev.a copies of tend in $tmp ..." >&2
mkdir "$tmp/fork"
# Tracked and new files, plus what autoreconf generated, with their times
# kept so make does not try to regenerate them (as bench/run.sh does).
{ git ls-files -co --exclude-standard; ls -d configure Makefile.in \
    aclocal.m4 build-aux m4 2>/dev/null; } |
    tar -cf - --no-recursion -T - build-aux/* m4/* 2>/dev/null |
    tar -xf - -C "$tmp/fork" || die "copy of the tree failed"
(cd "$tmp/fork" && ./configure -q && make -j2 src/tend) \
    >"$tmp/build.log" 2>&1 ||
    { tail -n 30 "$tmp/build.log" >&2; die "release build of tend failed"; }

# The vfork copy. The child writes only its own stack and the report pipe,
# with two changes that vfork needs: it must not assign environ (that is the
# parent's memory now), so it passes envp to execvpe; and every signal is
# blocked across vfork (as glibc's posix_spawn does), so no handler of
# tend's can run in the child on the shared memory before child() resets
# dispositions and restores the mask. -Wno-clobbered: gcc warns about
# locals live across vfork, which the child never returns to.
cp -a "$tmp/fork" "$tmp/vfork"
perl -0pi -e '
s/if \(\(pid = fork\(\)\) == -1\) \{/{
		sigset_t all, old;
		int e;

		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &old);
		if ((pid = vfork()) == 0) {
			close(p[0]);
			child(r, p[1]);
		}
		e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = e;
	}
	if (pid == -1) {/ or die "fork() call not found\n";
s/if \(r->envp != NULL\)\s*environ = \(char \*\*\)r->envp;\s*execvp\(r->argv\[0\], r->argv\);/execvpe(r->argv[0], r->argv,
	    r->envp != NULL ? r->envp : environ);/ or die "execvp call not found\n";
' "$tmp/vfork/src/spawn.c" ||
    die "src/spawn.c changed: update the vfork patch in bench/restart.sh"
(cd "$tmp/vfork" && make src/tend CFLAGS="-g -O2 -Wno-clobbered") \
    >>"$tmp/build.log" 2>&1 ||
    { tail -n 30 "$tmp/build.log" >&2; die "vfork build of tend failed"; }
diff -u -L src/spawn.c -L "src/spawn.c (vfork)" "$tmp/fork/src/spawn.c" \
    "$tmp/vfork/src/spawn.c" >"$tmp/vfork.diff"

perf_ok=no
if command -v perf >/dev/null 2>&1 && [ -r "$LIBEV_A" ] &&
    perf record -q -o "$tmp/probe.data" -- true >/dev/null 2>&1; then
	perf_ok=yes
	cp -a "$tmp/fork" "$tmp/prof"
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

TEND=$tmp/fork/src/tend
VTEND=$tmp/vfork/src/tend
PTEND=$tmp/prof/src/tend

cat >"$tmp/serial.ini" <<EOF
[program:true]
command = /bin/true
restart = always
backoff_initial = 0
start_seconds = 0
backoff_jitter = 0
EOF
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
cat >"$tmp/drain.ini" <<EOF
[program:sleep]
command = /bin/sleep 1000
numprocs = $MANY
EOF
for c in serial many drain; do
	"$TEND" --check -c "$tmp/$c.ini" >/dev/null 2>&1 ||
	    die "$c.ini: $("$TEND" --check -c "$tmp/$c.ini" 2>&1)"
done

out=$tmp/report.md
exec 3>"$out"
say() { printf '%s\n' "$*" >&3; }

say "# tend restart benchmarks, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say ""
say "- tend: release build of the working tree (./configure defaults," \
    "CFLAGS=-g -O2, no sanitizers), tree at" \
    "$(git describe --always --dirty 2>/dev/null || echo '?');" \
    "libev $(dpkg-query -W -f '${Version}' libev4 2>/dev/null || echo '?')"
say "- machine: $(uname -srm), $(nproc) CPU," \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
    "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
say "- $(perf --version 2>/dev/null || echo 'perf: none');" \
    "hardware counters: $hw_counters; CPU times from /proc/PID/stat" \
    "($hz ticks/s)"
say ""

# --- (1) and (2): serial restarts --------------------------------------------

# serial BIN NAME ROUND: one run of serial.ini for SERIAL_SECS, then TERM.
# Appends "name round spawns secs utime stime cutime cstime" to serial.txt;
# the times are read from /proc just before the TERM.
serial() {
	t0=$(now_ns)
	"$1" -c "$tmp/serial.ini" 2>"$tmp/serial-$2-$3.log" &
	live=$!
	sleep "$SERIAL_SECS"
	times=$(proc_times "$live")
	t1=$(now_ns)
	n=$(spawns "$tmp/serial-$2-$3.log")
	stop_tend "$live"
	echo "$2 $3 $n $(awk -v a="$t0" -v b="$t1" \
	    'BEGIN { printf "%.3f", (b - a) / 1e9 }') $times" \
	    >>"$tmp/serial.txt"
}

echo "bench: (1)(2) serial restarts, $ROUNDS x (spawnloop, fork, vfork)" >&2
: >"$tmp/serial.txt"
: >"$tmp/spawnloop.txt"
r=1
while [ $r -le "$ROUNDS" ]; do
	"$tmp/spawnloop" "$SPAWNS" >"$tmp/sl.out" || die "spawnloop failed"
	sed -n 's/.*: \([0-9.]*\) us per spawn+wait/\1/p' "$tmp/sl.out" \
	    >>"$tmp/spawnloop.txt"
	serial "$TEND" fork $r
	serial "$VTEND" vfork $r
	r=$((r + 1))
done
sl=$(median <"$tmp/spawnloop.txt")

# derived NAME: "spawns/s wall-µs own-µs user-µs children-µs" medians.
derived() {
	awk -v n="$1" -v hz="$hz" '$1 == n && $3 > 0 {
	    printf "%.1f %.1f %.1f %.1f %.1f\n", $3 / $4, $4 / $3 * 1e6,
	    ($5 + $6) / hz / $3 * 1e6, $5 / hz / $3 * 1e6,
	    ($7 + $8) / hz / $3 * 1e6 }' "$tmp/serial.txt" >"$tmp/d-$1.txt"
	for col in 1 2 3 4 5; do
		awk -v c=$col '{ print $c }' "$tmp/d-$1.txt" | median
	done | tr '\n' ' '
}
set -- $(derived fork); f_rate=$1 f_wall=$2 f_own=$3 f_user=$4 f_kids=$5
set -- $(derived vfork); v_rate=$1 v_wall=$2 v_own=$3 v_user=$4 v_kids=$5

say "## (1) Serial restarts: the cost of supervision"
say ""
say "One program, \`command = /bin/true\`, \`restart = always\`," \
    "\`backoff_initial = 0\`, \`start_seconds = 0\`, \`backoff_jitter = 0\`," \
    "log_level info to a file; $SERIAL_SECS s per run, then SIGTERM. Spawns" \
    "are tend's \`started pid\` lines; CPU times are tend's own" \
    "(utime+stime) and its reaped children's (cutime+cstime) from" \
    "/proc/PID/stat just before the TERM. Medians of $ROUNDS rounds; each" \
    "round runs spawnloop, then tend (fork), then tend (vfork)."
say ""
say "| what | spawns/s | µs per spawn (wall) | vs spawnloop | tend's own CPU µs/spawn | of which user | children's CPU µs/spawn |"
say "|---|---:|---:|---:|---:|---:|---:|"
say "| spawnloop $SPAWNS: posix_spawn+waitpid of /bin/true |" \
    "$(awk -v s="$sl" 'BEGIN { printf "%.1f", 1e6 / s }') | $sl | 1.00 |" \
    "- | - | - |"
say "| tend, fork() (release) | $f_rate | $f_wall |" \
    "**$(ratio "$f_wall" "$sl")** | $f_own | $f_user | $f_kids |"
say "| tend, vfork() (patched copy) | $v_rate | $v_wall |" \
    "$(ratio "$v_wall" "$sl") | $v_own | $v_user | $v_kids |"
say ""
say "tend/spawnloop per spawn (fork): **$(ratio "$f_wall" "$sl")**, i.e." \
    "$(awk -v a="$f_wall" -v b="$sl" 'BEGIN { printf "%.1f", a - b }') µs" \
    "of wall time added to each spawn+wait by supervising it."
say ""
say "## (2) fork() vs vfork() in spawn_start()"
say ""
say "vfork/fork: spawns/s **$(ratio "$v_rate" "$f_rate")**, tend's own CPU" \
    "per spawn **$(ratio "$v_own" "$f_own")**, children's CPU per spawn" \
    "$(ratio "$v_kids" "$f_kids")."
say ""
say "posix_spawn() is not an option for tend: its child must call setgroups," \
    "setgid, setuid, tcsetpgrp, chdir and umask and report which step failed," \
    "and posix_spawn offers none of that (only pgid, sigmask, sigdefault," \
    "file actions; chdir only as a glibc 2.29 extension)."
say ""
say "The patch measured (vfork needs the child not to write environ, and all"
say "signals blocked across the call):"
say ""
say '```diff'
cat "$tmp/vfork.diff" >&3
say '```'
say ""
say "raw runs (binary, round, spawns, seconds, utime stime cutime cstime in" \
    "ticks): $(tr '\n' ';' <"$tmp/serial.txt" | sed 's/;$//; s/;/; /g')." \
    "spawnloop µs per spawn: $(tr '\n' ' ' <"$tmp/spawnloop.txt")"
say ""

# --- (3) 1000 instances on per-instance timers -------------------------------

echo "bench: (3) $MANY instances, $MANY_SECS s" >&2
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
say "## (3) $MANY instances restarting, one ev_timer each"
say ""
say "\`numprocs = $MANY\`, \`command = /bin/true\`, \`restart = always\`," \
    "\`start_seconds = 0\`, \`backoff_initial = 100ms\`," \
    "\`backoff_max = 1s\`," \
    "\`backoff_jitter = 0.5\` (multiplier 2: from the fifth restart on every" \
    "instance waits 1 s ± 50 %, so the ideal steady rate is about" \
    "$MANY/s). Release build, $MANY_SECS s, no profiler attached."
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
	echo "bench: (3) perf profile, $PERF_WARM s + $PERF_SECS s" >&2
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

# --- (4) drain of 1000 instances ---------------------------------------------

echo "bench: (4) drain of $MANY instances, $DRAINS runs" >&2
: >"$tmp/drain.txt"
r=1
while [ $r -le "$DRAINS" ]; do
	t0=$(now_ns)
	"$TEND" -c "$tmp/drain.ini" 2>"$tmp/drain-$r.log" &
	live=$!
	i=0
	while [ "$(spawns "$tmp/drain-$r.log")" -lt "$MANY" ]; do
		[ $i -ge 1500 ] && die "(4): $MANY instances not started in 30 s"
		sleep 0.02
		i=$((i + 1))
	done
	t1=$(now_ns)
	kill -TERM "$live"
	wait "$live"
	rc=$?
	t2=$(now_ns)
	live=''
	echo "$(((t1 - t0) / 1000)) $(((t2 - t1) / 1000)) $rc" >>"$tmp/drain.txt"
	r=$((r + 1))
done
say "## (4) Drain of $MANY instances"
say ""
say "\`numprocs = $MANY\`, \`command = /bin/sleep 1000\` (defaults:" \
    "stop_signal TERM, kill_mode mixed, stop_timeout 10s). Wait until" \
    "$MANY \`started pid\` lines (polled every 20 ms), SIGTERM, time until" \
    "tend has exited (\`date +%s%N\` around kill and wait). $DRAINS runs."
say ""
say "| measure | median (ms) | runs (ms) |"
say "|---|---:|---|"
say "| start: launch until $MANY started (20 ms polling) |" \
    "$(awk '{ printf "%.1f\n", $1 / 1000 }' "$tmp/drain.txt" | median) |" \
    "$(awk '{ printf "%.1f ", $1 / 1000 }' "$tmp/drain.txt")|"
say "| **drain: SIGTERM until tend exited** |" \
    "**$(awk '{ printf "%.1f\n", $2 / 1000 }' "$tmp/drain.txt" | median)** |" \
    "$(awk '{ printf "%.1f ", $2 / 1000 }' "$tmp/drain.txt")|"
say ""
say "tend's exit status per run: $(awk '{ printf "%s ", $3 }' \
    "$tmp/drain.txt")(0 = every program drained in time)."
say ""
say "Load after the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work on" \
    "the machine shows here; the runs above are not isolated from it)."
exec 3>&-

mkdir -p bench/results
dest=bench/results/restart-$(date '+%Y-%m-%d-%H%M%S').md
cp "$out" "$dest"
cat "$out"
echo "bench: saved $dest" >&2
