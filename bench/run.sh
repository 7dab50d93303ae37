#!/bin/bash
# bench/run.sh [SCENARIO...]: tend against its peers, every scenario run
# against tend and each peer that can do the job, in one run on one
# machine, so the ratios mean something. No argument runs them all:
#   size          binary sizes: tend, tini, dumb-init, catatonit
#   wrapper       `X -- /bin/true` (hyperfine -N) vs tini, dumb-init,
#                 catatonit, bare /bin/true and the spawn floor
#   rss           max RSS with 1 child (own VmHWM) vs the wrappers; summed
#                 RSS of every supervisor process with 100 children vs
#                 supervisord, runsvdir + runsv, s6-svscan + s6-supervise
#   heap          valgrind: the wrappers' own heap for `X /bin/true`
#   spawn1000     start until 1000 instances run (the same runs as:)
#   shutdown1000  stop signal until all of them and their supervisors exited
#   restart       restart rate of a program that exits at once
#   idle          context switches of an idle supervisor with 10 children
#   signal        signal forwarding latency through the wrappers
#   status        status query latency with 100 instances
# Each scenario prints a markdown table with absolute figures and ratios;
# at the end a summary: scenario, tend, best peer, ratio, floor, met. The
# report and every figure also go to bench/results/DATE.{md,json}
# (gitignored).
#
# Each scenario runs in its own bash under `timeout` (time box, see
# limit()); everything it starts is noted by pid (and start time) and
# killed by pid if it is still there afterwards, and so is any process
# left running from the run's private temp dir. Peers run with private
# configs, sockets and service dirs in that dir, never the system's.
#
# Which tend: $TEND (and $TENDCTL, default: beside $TEND) if set;
# otherwise a release build (./configure defaults: -g -O2, no sanitizers)
# made from a copy of the working tree in a temp dir, because the in-tree
# build may be an ASan one and the tree is shared.
# Peers (Debian): tini dumb-init catatonit supervisor runit s6; tools:
# hyperfine valgrind curl jq perl, GNU time, binutils, $CC.
#   apt-get install -y tini dumb-init catatonit supervisor runit s6 \
#       hyperfine valgrind curl jq time
# Knobs: RUNS (hyperfine runs, wrapper: 100), RSS_RUNS (5), MANY (1000),
# REPS (spawn/shutdown runs per tool: 3), SOME (100: rss and status),
# RESTART_SECS (5), IDLE_SECS (10), IDLE_N (10), SIGNALS (50).
# sh bench/run.sh (as the README used to say) gets bash all the same.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd) || exit 2
root=$(cd "$here/.." && pwd) || exit 2
cd "$root" || exit 2

all="size wrapper rss heap spawn1000 shutdown1000 restart idle signal status"

CC=${CC:-cc}
RUNS=${RUNS:-100}
RSS_RUNS=${RSS_RUNS:-5}
MANY=${MANY:-1000}
REPS=${REPS:-3}
SOME=${SOME:-100}
RESTART_SECS=${RESTART_SECS:-5}
IDLE_SECS=${IDLE_SECS:-10}
IDLE_N=${IDLE_N:-10}
SIGNALS=${SIGNALS:-50}
SPAWNS=${SPAWNS:-1000}
export CC RUNS RSS_RUNS MANY REPS SOME RESTART_SECS IDLE_SECS IDLE_N SIGNALS \
    SPAWNS

die() { echo "bench/run.sh: $*" >&2; exit 2; }
note() { echo "bench: $*" >&2; }

# Time box of each scenario, in seconds ($BOX, if set, caps them all).
limit() {
	local l
	l=$(limit_of "$1")
	[ -n "${BOX:-}" ] && [ "$BOX" -lt "$l" ] && l=$BOX
	echo "$l"
}
limit_of() {
	case $1 in
	size)		echo 60 ;;
	wrapper)	echo 240 ;;
	rss)		echo 240 ;;
	heap)		echo 120 ;;
	spawn)		echo 480 ;;
	restart)	echo 120 ;;
	idle)		echo 120 ;;
	signal)		echo 120 ;;
	status)		echo 300 ;;
	esac
}

# ---------------------------------------------------------------------------
# Shared helpers (parent and scenario shells)
# ---------------------------------------------------------------------------

median() { sort -g | awk '{ v[NR] = $1 } END {
	if (NR == 0) print "?"; else if (NR % 2) print v[(NR + 1) / 2];
	else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
	if (a == "?" || b == "?" || a == "" || b == "" || b == 0) print "?";
	else printf "%.2f", a / b }'; }
# The smallest (or with -max, largest) "value name" pair of stdin, as
# "value name"; "? -" when none is a number.
best() { awk -v max="${1:-}" '$1 ~ /^[0-9.]+$/ && (n++ == 0 ||
	(max ? $1 > v : $1 < v)) { v = $1; w = $2 } END {
	if (n) print v, w; else print "?", "-" }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
# The start time of a pid in /proc (field 22), nothing if it has gone or
# is a zombie (orphans' zombies wait for this sandbox's pid 1 to reap them).
starttime() { sed 's/.*) //' /proc/"$1"/stat 2>/dev/null |
	awk '$1 != "Z" { print $20 }'; }

# ---------------------------------------------------------------------------
# Scenario shell: bash run.sh --scenario NAME (run by the parent only)
# ---------------------------------------------------------------------------

if [ "${1:-}" = --scenario ]; then
	SC=$2
	tmp=$BENCH_TMP
	bin=$tmp/bin
	d=$tmp/sc-$SC
	mkdir -p "$d"
	live=''

	# rec SUBJECT METRIC VALUE UNIT: one figure for the JSON file.
	rec() { printf '%s\t%s\t%s\t%s\t%s\n' "$SC" "$1" "$2" "$3" "$4" \
	    >>"$tmp/res.tsv"; }
	# summ MEASURE TEND BEST_NAME BEST RATIO FLOOR MET: a summary row.
	summ() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$SC" "$@" \
	    >>"$tmp/summary.tsv"; }
	say() { printf '%s\n' "$*" >>"$tmp/md-$SC.md"; }

	# launch CMD...: start CMD in the background; LPID is its pid, T0
	# the CLOCK_REALTIME µs just before the fork. Noted in the ledger.
	launch() {
		T0=${EPOCHREALTIME/./}
		"$@" &
		LPID=$!
		live="$live $LPID"
		echo "$LPID $(starttime "$LPID")" >>"$tmp/ledger"
	}
	# note_tree PID: every process of PID's tree into the ledger.
	note_tree() {
		"$bin/pwatch" tree "$1" 2>/dev/null |
		    awk '{ print $1, $4 }' >>"$tmp/ledger"
	}
	unlive() { live=$(echo "$live" | tr ' ' '\n' | grep -vx "$1" |
	    tr '\n' ' '); }
	kill_tree() {
		# shellcheck disable=SC2046
		kill -KILL $("$bin/pwatch" tree "$1" 2>/dev/null |
		    awk '{ print $1 }') 2>/dev/null
		wait "$1" 2>/dev/null
		unlive "$1"
	}
	# stop_tree PID SIG [SECS]: SIG to PID; prints pwatch's "MS NPROC"
	# once PID's whole tree has exited; KILLs what is left after SECS.
	stop_tree() {
		local out
		out=$("$bin/pwatch" down "$1" "$2" $((${3:-30} * 1000)))
		echo "$out"
		case $out in '?'*) kill_tree "$1" ;; esac
		wait "$1" 2>/dev/null
		unlive "$1"
	}
	cleanup() {
		for p in $live; do
			kill_tree "$p"
		done
	}
	trap cleanup EXIT
	trap 'note "$SC: time box reached, stopping"; exit 124' TERM
	trap 'exit 130' INT HUP

	signum() { kill -l "$1"; }
	# The worker's comm under each tool: runit and s6 exec ./run, a
	# symlink to sleeper.
	wcomm() { case $1 in runit|s6) echo run ;; *) echo sleeper ;; esac; }
	stopsig() { case $1 in runit) signum HUP ;; *) signum TERM ;; esac; }

	# svdirs DIR N TARGET: N service dirs w0000.. whose run is TARGET.
	svdirs() {
		rm -rf "$1" && mkdir -p "$1" &&
		perl -e 'my ($d, $n, $t) = @ARGV; for my $i (0 .. $n - 1) {
		    my $s = sprintf("%s/w%04d", $d, $i);
		    mkdir($s) or die "$s: $!\n";
		    symlink($t, "$s/run") or die "$s/run: $!\n"; }' "$@"
	}
	tend_ini() {	# DIR N PROBE [COMMAND]
		cat >"$1/tend.ini" <<-EOF
		[tend]
		socket = $1/tend.sock
		lag_probe_interval = $3

		[program:w]
		command = ${4:-$bin/sleeper}
		numprocs = $2
		start_seconds = 0
		EOF
	}
	sv_conf() {	# DIR [PROGRAM-SECTION-LINES...]
		local dir=$1
		shift
		cat >"$dir/supervisord.conf" <<-EOF
		[unix_http_server]
		file = $dir/supervisor.sock

		[supervisord]
		nodaemon = true
		logfile = $dir/supervisord.log
		pidfile = $dir/supervisord.pid
		childlogdir = $dir
		minfds = 16384
		minprocs = 4096

		[rpcinterface:supervisor]
		supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

		[supervisorctl]
		serverurl = unix://$dir/supervisor.sock

		EOF
		printf '%s\n' "$@" >>"$dir/supervisord.conf"
	}
	# start_tool TOOL DIR N [PROBE]: TOOL running N sleepers from DIR;
	# LPID and T0 as launch() sets them.
	start_tool() {
		local tool=$1 dir=$2 n=$3
		rm -rf "$dir" && mkdir -p "$dir"
		case $tool in
		floor)
			launch "$bin/spawnloop" -k "$n" "$bin/sleeper" ;;
		tend*)
			tend_ini "$dir" "$n" "${4:-1s}"
			launch "$TEND" -c "$dir/tend.ini" >/dev/null \
			    2>"$dir/tend.err" ;;
		supervisord)
			sv_conf "$dir" "[program:w]" "command = $bin/sleeper" \
			    "numprocs = $n" \
			    "process_name = %(program_name)s_%(process_num)04d" \
			    "startsecs = 0" "stdout_logfile = NONE" \
			    "stderr_logfile = NONE"
			launch supervisord -c "$dir/supervisord.conf" \
			    >"$dir/supervisord.out" 2>&1 ;;
		runit)
			svdirs "$dir/sv" "$n" "$bin/sleeper" || return 1
			launch runsvdir "$dir/sv" >/dev/null 2>&1 ;;
		s6)
			svdirs "$dir/sv" "$n" "$bin/sleeper" || return 1
			launch s6-svscan -c $((n + 10)) "$dir/sv" \
			    >/dev/null 2>&1 ;;
		esac
	}
	# wait_up TOOL N SECS: pwatch's "MS COUNT" (MS from T0).
	wait_up() {
		"$bin/pwatch" up "$LPID" "$(wcomm "$1")" "$2" \
		    $(($3 * 1000)) "$T0"
	}
	# The supervisor's own processes: its tree less the workers.
	sup_pids() {
		"$bin/pwatch" tree "$1" | awk -v w="$2" '$3 != w { print $1 }'
	}
	# hyperfine's no-shell flag
	if hyperfine --help 2>/dev/null | grep -Eq -- '^ +-N([ ,]|$)'; then
		hf_noshell=-N
	else
		hf_noshell=--shell=none
	fi
	peers_w="tini dumb-init catatonit"
	# tend as a user runs it: its default socket (root: /run/tend.sock,
	# opened after the first spawn), unless a live tend holds that path;
	# then a private one (-s, opened before the spawn: slower).
	if [ "$(id -u)" -eq 0 ] && curl -s -o /dev/null --max-time 1 \
	    --unix-socket /run/tend.sock http://localhost/health 2>/dev/null
	then
		tend_sock_arg="-s $d/w.sock "
		tend_sock_note="\`-s\` with a private socket path (/run/tend.sock is held by another tend here)"
	else
		tend_sock_arg=
		tend_sock_note="its default socket, as a user gets it"
	fi
	# The command line of each wrapper around "$@".
	wrap_cmd() {
		local w=$1
		shift
		case $w in
		tend)		echo "$TEND $tend_sock_arg-- $*" ;;
		tini)		echo "tini -s -- $*" ;;
		dumb-init)	echo "dumb-init $*" ;;
		catatonit)	echo "catatonit -- $*" ;;
		bare)		echo "$*" ;;
		esac
	}
	path_of() { case $1 in tend) echo "$TEND" ;; *) command -v "$1" ;; esac; }
fi

# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------

sc_size() {
	say "## size: binary sizes"
	say ""
	say "Debian's peers are stripped; tend is also shown stripped (a copy," \
	    "\`strip\`) so the file sizes compare like with like."
	say ""
	say "| binary | file bytes | stripped bytes | text | data | bss | text+data | vs tend | shared libs |"
	say "|---|---:|---:|---:|---:|---:|---:|---:|---|"
	local w b t s td tend_td=''
	for w in tend $peers_w; do
		b=$(path_of "$w")
		strip -o "$d/stripped-$w" "$b" 2>/dev/null ||
		    cp "$b" "$d/stripped-$w"
		# shellcheck disable=SC2046
		set -- $(size "$b" | awk 'NR == 2 { print $1, $2, $3 }')
		td=$(($1 + $2))
		[ -z "$tend_td" ] && tend_td=$td
		libs=$(ldd "$b" 2>/dev/null | awk '$1 !~ /^linux-vdso|ld-linux/ {
		    sub(/\.so.*/, "", $1); printf "%s%s", s, $1; s = " " }')
		t=$(stat -c %s "$b") s=$(stat -c %s "$d/stripped-$w")
		say "| $w | $t | $s | $1 | $2 | $3 | $td |" \
		    "$(ratio "$tend_td" "$td") | ${libs:-static} |"
		rec "$w" file_bytes "$t" B
		rec "$w" stripped_bytes "$s" B
		rec "$w" text_data_bytes "$td" B
		echo "$td $w" >>"$d/td"
	done
	say ""
	# shellcheck disable=SC2046 # "value name", split on purpose
	set -- $(grep -v ' tend$' "$d/td" | best)
	summ "text+data (bytes)" "$tend_td" "$2" "$1" \
	    "$(ratio "$tend_td" "$1")" "-" "-"
}

sc_heap() {
	say "## heap: the wrapper's own heap, \`X /bin/true\` under valgrind memcheck (children not traced)"
	say ""
	say "| wrapper | allocs | frees | bytes allocated | in use at exit (bytes) |"
	say "|---|---:|---:|---:|---:|"
	local w inuse tend_b=''
	for w in tend $peers_w; do
		# shellcheck disable=SC2046
		valgrind --log-file="$d/vg-$w.txt" $(wrap_cmd "$w" /bin/true) \
		    >/dev/null 2>&1
		# shellcheck disable=SC2046
		set -- $(sed -n 's/.*total heap usage: \([0-9,]*\) allocs, \([0-9,]*\) frees, \([0-9,]*\) bytes.*/\1 \2 \3/p' \
		    "$d/vg-$w.txt" | tr -d ,) ? ? ?
		inuse=$(sed -n 's/.*in use at exit: \([0-9,]*\) bytes.*/\1/p' \
		    "$d/vg-$w.txt" | tr -d , | head -n 1)
		say "| $w | $1 | $2 | $3 | ${inuse:-?} |"
		rec "$w" heap_allocs "$1" count
		rec "$w" heap_bytes "$3" B
		[ "$w" = tend ] && tend_b=$3
		[ "$w" = tend ] || echo "$3 $w" >>"$d/hb"
	done
	say ""
	# shellcheck disable=SC2046 # "value name", split on purpose
	set -- $(best <"$d/hb")
	summ "heap bytes allocated" "$tend_b" "$2" "$1" \
	    "$(ratio "$tend_b" "$1")" "-" "-"
}

sc_wrapper() {
	"$bin/spawnloop" "$SPAWNS" >"$d/sl.out" ||
	    { note "spawnloop failed"; return 1; }
	local fl pass w
	fl=$(sed -n 's/.*: \([0-9.]*\) us per spawn+wait/\1/p' "$d/sl.out")
	# Two passes: as users run it, and all of it pinned to CPU 0, where
	# no wake-up crosses CPUs (on this VM an idle machine was seen to
	# round every wrapper run up to ~8 ms unpinned; see the report).
	for pass in free pinned; do
		note "wrapper: hyperfine ($pass), $RUNS runs x 5"
		local pin=''
		[ $pass = pinned ] && pin="taskset -c 0"
		# shellcheck disable=SC2086
		$pin hyperfine $hf_noshell --warmup 5 --runs "$RUNS" \
		    --style basic --export-json "$d/hf-$pass.json" \
		    -n tend "$(wrap_cmd tend /bin/true)" \
		    -n tini "$(wrap_cmd tini /bin/true)" \
		    -n dumb-init "$(wrap_cmd dumb-init /bin/true)" \
		    -n catatonit "$(wrap_cmd catatonit /bin/true)" \
		    -n bare /bin/true >"$d/hf-$pass.out" 2>&1 ||
		    { tail -n 20 "$d/hf-$pass.out" >&2; return 1; }
		# "name median mean sd min max user+sys" in µs
		jq -r '.results[] | [.command, .median, .mean, .stddev, .min,
		    .max, .user + .system] | map(if type == "number"
		    then . * 1e6 else . end) | @tsv' "$d/hf-$pass.json" |
		    awk -F'\t' '{ printf "%s %.1f %.1f %.1f %.1f %.1f %.1f\n",
		    $1, $2, $3, $4, $5, $6, $7 }' >"$d/hf-$pass.txt"
	done
	# Instructions of the wrapper alone, children not traced: the one
	# figure here that the machine's load does not move.
	for w in tend $peers_w; do
		# shellcheck disable=SC2046
		valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		    --log-file="$d/cg-$w.txt" $(wrap_cmd "$w" /bin/true) \
		    >/dev/null 2>&1
		echo "$w $(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' \
		    "$d/cg-$w.txt")" >>"$d/cg.txt"
	done
	col() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$d/$3"; }
	local t_tend t_tini t_bare p_tend p_tini i_tend
	t_tend=$(col tend 2 hf-free.txt) t_tini=$(col tini 2 hf-free.txt)
	t_bare=$(col bare 2 hf-free.txt)
	p_tend=$(col tend 2 hf-pinned.txt) p_tini=$(col tini 2 hf-pinned.txt)
	i_tend=$(col tend 2 cg.txt)
	for w in $peers_w; do echo "$(col "$w" 2 hf-free.txt) $w"; done \
	    >"$d/peers"
	# shellcheck disable=SC2046 # "value name", split on purpose
	set -- $(best <"$d/peers")
	local b_val=$1 b_name=$2
	say "## wrapper: \`X /bin/true\`, hyperfine $hf_noshell, warm-up 5, $RUNS runs each"
	say ""
	say "Medians are the headline (the machine is shared; a mean takes" \
	    "every stall of another job). **free**: as a user runs it;" \
	    "**pinned**: hyperfine and all it starts on CPU 0 (\`taskset -c" \
	    "0\`), so no wake-up crosses CPUs. CPU: hyperfine's user+system" \
	    "mean, the wrapper and its child. Instructions: valgrind" \
	    "callgrind, the wrapper alone (children not traced), the figure" \
	    "the load does not move. Floor: one posix_spawn+waitpid of" \
	    "/bin/true in a loop (bench/spawnloop.c, $SPAWNS of them): $fl µs;" \
	    "a wrapper run is at least two. tend runs with $tend_sock_note;" \
	    "tini gets \`-s\` (subreaper, as tend makes itself one when not" \
	    "PID 1)."
	say ""
	say "| command | free: median (µs) | mean ± sd | min | tend vs it | pinned: median (µs) | tend vs it | CPU user+sys (µs) | instructions | tend vs it |"
	say "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	local pm ins
	for w in tend $peers_w bare; do
		# shellcheck disable=SC2046
		set -- $(awk -v n="$w" '$1 == n' "$d/hf-free.txt")
		pm=$(col "$w" 2 hf-pinned.txt)
		ins=$(col "$w" 2 cg.txt)
		say "| \`$(wrap_cmd "$w" /bin/true | sed "s|$TEND|tend|; s| -s $d/w.sock| -s SOCK|")\` |" \
		    "$2 | $3 ± $4 | $5 | $(ratio "$t_tend" "$2") |" \
		    "$pm | $(ratio "$p_tend" "$pm") | $7 | ${ins:--} |" \
		    "$(ratio "$i_tend" "${ins:-?}") |"
		rec "$w" median_us "$2" us
		rec "$w" pinned_median_us "$pm" us
		rec "$w" cpu_us "$7" us
		[ -n "$ins" ] && rec "$w" instructions "$ins" count
	done
	rec floor spawn_wait_us "$fl" us
	say ""
	say "tend/tini **$(ratio "$t_tend" "$t_tini")** free," \
	    "$(ratio "$p_tend" "$p_tini") pinned (floor: ≤ 1.05);" \
	    "tend/best peer ($b_name) $(ratio "$t_tend" "$b_val")," \
	    "tend/bare $(ratio "$t_tend" "$t_bare"); bare/spawn floor" \
	    "$(ratio "$t_bare" "$fl"). Load after: $(load)."
	say ""
	say "<details><summary>hyperfine output</summary>"
	say ""
	say '```'
	cat "$d/hf-free.out" "$d/hf-pinned.out" >>"$tmp/md-$SC.md"
	say '```'
	say "</details>"
	say ""
	summ "\`X -- /bin/true\` median (µs)" "$t_tend" "$b_name" "$b_val" \
	    "$(ratio "$t_tend" "$b_val")" "≤ 1.05 × tini" \
	    "$(awk -v a="$t_tend" -v b="$t_tini" 'BEGIN {
	    print (a <= 1.05 * b) ? "yes" : "no" }') ($(ratio "$t_tend" "$t_tini") × tini; pinned $(ratio "$p_tend" "$p_tini"); instructions $(ratio "$i_tend" "$(col tini 2 cg.txt)"))"
}

# One run of "WRAPPER sleep 1" under GNU time: "max own" in KiB. max is
# time's maximum RSS (the larger of the wrapper and its child); own is the
# wrapper's own peak, VmHWM from /proc, read once its child runs.
rss_once() {
	local tpid wpid own='?' i=0 max
	# shellcheck disable=SC2046
	/usr/bin/time -v -o "$d/time.txt" $(wrap_cmd "$1" /bin/sleep 1) \
	    2>/dev/null &
	tpid=$!
	if [ "$1" != bare ]; then
		while [ $i -lt 90 ]; do
			wpid=$(cat /proc/$tpid/task/*/children 2>/dev/null |
			    awk '{ print $1 }')
			if [ -n "$wpid" ] &&
			    [ -n "$(cat /proc/"$wpid"/task/*/children 2>/dev/null)" ]
			then
				own=$(awk '/^VmHWM:/ { print $2 }' \
				    /proc/"$wpid"/status 2>/dev/null)
				break
			fi
			sleep 0.01
			i=$((i + 1))
		done
	fi
	wait $tpid
	max=$(awk -F': ' '/Maximum resident set size/ { print $2 }' \
	    "$d/time.txt")
	echo "${max:-?} ${own:-?}"
}

sc_rss() {
	local w n own max t
	note "rss: $RSS_RUNS x 5 runs of \`X sleep 1\`"
	for w in tend $peers_w bare; do : >"$d/rss-$w"; done
	n=0
	while [ $n -lt "$RSS_RUNS" ]; do
		for w in tend $peers_w bare; do
			rss_once "$w" >>"$d/rss-$w"
		done
		n=$((n + 1))
	done
	say "## rss: memory"
	say ""
	say "### One child: \`X /bin/sleep 1\`, median of $RSS_RUNS runs"
	say ""
	say "\"own peak\" is the wrapper's VmHWM from /proc, read once its" \
	    "child runs; \`time -v\` max RSS is the larger of the wrapper and" \
	    "its child, so it can hide a wrapper smaller than \`sleep\`."
	say ""
	say "| command | own peak RSS (KiB) | tend vs it | time -v max RSS (KiB) |"
	say "|---|---:|---:|---:|"
	local own_tend own_tini
	own_tend=$(awk '{ print $2 }' "$d/rss-tend" | grep -v '?' | median)
	own_tini=$(awk '{ print $2 }' "$d/rss-tini" | grep -v '?' | median)
	: >"$d/p1"
	for w in tend $peers_w bare; do
		max=$(awk '{ print $1 }' "$d/rss-$w" | grep -v '?' | median)
		own=$(awk '{ print $2 }' "$d/rss-$w" | grep -v '?' | median)
		if [ "$w" = bare ]; then
			own=- t=-
		else
			t=$(ratio "$own_tend" "$own")
			rec "$w" own_hwm_1child_kib "$own" KiB
		fi
		[ "$w" != tend ] && [ "$w" != bare ] && echo "$own $w" >>"$d/p1"
		rec "$w" time_max_rss_1child_kib "$max" KiB
		say "| \`$(wrap_cmd "$w" /bin/sleep 1 | sed "s|$TEND|tend|; s| -s $d/w.sock| -s SOCK|")\` | $own | $t | $max |"
	done
	say ""
	# shellcheck disable=SC2046 # "value name", split on purpose
	set -- $(best <"$d/p1")
	summ "RSS, 1 child: own peak (KiB)" "$own_tend" "$2" "$1" \
	    "$(ratio "$own_tend" "$1")" "≤ 1.5 × tini" \
	    "$(awk -v a="$own_tend" -v b="$own_tini" 'BEGIN {
	    print (a <= 1.5 * b) ? "yes" : "no" }') ($(ratio "$own_tend" "$own_tini") × tini)"

	# --- SOME children ---
	note "rss: $SOME children under each supervisor"
	say "### $SOME children (\`bench/sleeper\`): every supervisor process, summed"
	say ""
	say "tend: config mode, one program, \`numprocs = $SOME\` (default" \
	    "lag probe); supervisord: \`numprocs = $SOME\`; runit: runsvdir" \
	    "over $SOME service dirs (a runsv each); s6: s6-svscan over $SOME" \
	    "(an s6-supervise each). Every \`run\` is a symlink to the same" \
	    "sleeper binary, so no shell runs. Sums of VmRSS and of Pss" \
	    "(smaps_rollup) over the supervisor's processes, not the" \
	    "children, 0.5 s after the ${SOME}th child runs."
	say ""
	say "| supervisor | processes | RSS sum (KiB) | tend vs it (RSS) | Pss sum (KiB) | largest process RSS (KiB) |"
	say "|---|---:|---:|---:|---:|---:|"
	local tool up pids rss pss big np
	: >"$d/p100"
	for tool in tend supervisord runit s6; do
		start_tool $tool "$d/$tool" "$SOME" || continue
		up=$(wait_up $tool "$SOME" 60)
		case $up in '?'*)
			note "rss: $tool: only ${up#? } of $SOME children"
			kill_tree "$LPID"; echo "? $tool" >>"$d/p100"; continue ;;
		esac
		sleep 0.5
		note_tree "$LPID"
		pids=$(sup_pids "$LPID" "$(wcomm $tool)")
		np=$(echo "$pids" | wc -w)
		rss=0 pss=0 big=0
		for p in $pids; do
			r=$(awk '/^VmRSS:/ { print $2 }' /proc/"$p"/status)
			s=$(awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup)
			rss=$((rss + ${r:-0})) pss=$((pss + ${s:-0}))
			[ "${r:-0}" -gt "$big" ] && big=$r
		done
		stop_tree "$LPID" "$(stopsig $tool)" 30 >/dev/null
		echo "$rss $tool $np $pss $big" >>"$d/p100"
		rec "$tool" "rss_sum_${SOME}_kib" "$rss" KiB
		rec "$tool" "pss_sum_${SOME}_kib" "$pss" KiB
		rec "$tool" "processes_${SOME}" "$np" count
	done
	local t_rss
	t_rss=$(awk '$2 == "tend" { print $1 }' "$d/p100")
	while read -r rss tool np pss big; do
		say "| $tool | ${np:-?} | $rss | $(ratio "$t_rss" "$rss") |" \
		    "${pss:-?} | ${big:-?} |"
	done <"$d/p100"
	say ""
	# shellcheck disable=SC2046 # "value name", split on purpose
	set -- $(grep -v ' tend ' "$d/p100" | best)
	summ "RSS, $SOME children: supervisor sum (KiB)" "$t_rss" "$2" "$1" \
	    "$(ratio "$t_rss" "$1")" "≤ 0.5 × best peer and ≤ 3 MiB" \
	    "$(awk -v a="$t_rss" -v b="$1" 'BEGIN {
	    print (a != "" && b != "?" && a <= 0.5 * b && a <= 3072) ? "yes" : "no" }')"
}

sc_spawn() {
	local tools="floor tend supervisord runit s6" tool r up down
	: >"$d/runs"
	r=1
	while [ $r -le "$REPS" ]; do
		for tool in $tools; do
			# supervisord takes tens of seconds here: one run only
			# when the first was that slow.
			if [ $r -gt 1 ] && [ -e "$d/slow-$tool" ]; then
				continue
			fi
			note "spawn: run $r, $tool, $MANY instances"
			start_tool "$tool" "$d/$tool" "$MANY" || continue
			up=$(wait_up "$tool" "$MANY" 180)
			case $up in '?'*)
				note "spawn: $tool: ${up#? } of $MANY after 180 s"
				kill_tree "$LPID"
				echo "$tool $r ? ?" >>"$d/runs"; continue ;;
			esac
			note_tree "$LPID"
			sleep 0.5
			down=$(stop_tree "$LPID" "$(stopsig "$tool")" 60)
			echo "$tool $r ${up%% *} ${down%% *}" >>"$d/runs"
			awk -v u="${up%% *}" 'BEGIN { exit !(u > 20000) }' &&
			    touch "$d/slow-$tool"
			rm -rf "${d:?}/$tool"
		done
		r=$((r + 1))
	done
	local what col
	for what in spawn shutdown; do
		[ $what = spawn ] && col=3 || col=4
		: >"$d/med-$what"
		for tool in $tools; do
			awk -v t="$tool" -v c="$col" '$1 == t { print $c }' "$d/runs" |
			    grep -v '?' | median >"$d/m"
			echo "$(cat "$d/m") $tool" >>"$d/med-$what"
			SC=$what$MANY rec "$tool" median_ms "$(cat "$d/m")" ms
		done
	done
	say "## spawn$MANY / shutdown$MANY"
	say ""
	say "$MANY instances of \`bench/sleeper\` (waits for a signal; TERM ends" \
	    "it at once). tend: \`numprocs = $MANY\`, \`start_seconds = 0\`;" \
	    "supervisord: \`numprocs = $MANY\`, \`startsecs = 0\`, no child" \
	    "logs; runit: runsvdir over $MANY service dirs; s6: \`s6-svscan" \
	    "-c $((MANY + 10))\` over $MANY; floor: bench/spawnloop -k, one" \
	    "process posix_spawn()ing them in a loop. Every \`run\` is a" \
	    "symlink to the sleeper, no shell. **spawn**: from just before the" \
	    "launch (bash \$EPOCHREALTIME) until bench/pwatch, polling /proc" \
	    "every 5 ms, counts $MANY children (or grandchildren under" \
	    "runsv/s6-supervise) named like the worker. **shutdown**: from the" \
	    "stop signal (TERM; runsvdir: HUP, its \"stop everything\")" \
	    "until every process of the tree noted before (supervisors and" \
	    "workers) has exited or is a zombie. Medians of up to $REPS runs" \
	    "(one when the first took over 20 s), tools interleaved."
	say ""
	say "| tool | runs | spawn median (ms) | tend vs it | shutdown median (ms) | tend vs it | spawn runs (ms) | shutdown runs (ms) |"
	say "|---|---:|---:|---:|---:|---:|---|---|"
	local ts td s_m d_m
	ts=$(awk '$2 == "tend" { print $1 }' "$d/med-spawn")
	td=$(awk '$2 == "tend" { print $1 }' "$d/med-shutdown")
	for tool in $tools; do
		s_m=$(awk -v t="$tool" '$2 == t { print $1 }' "$d/med-spawn")
		d_m=$(awk -v t="$tool" '$2 == t { print $1 }' "$d/med-shutdown")
		say "| $tool | $(awk -v t="$tool" '$1 == t' "$d/runs" | wc -l) |" \
		    "$s_m | $(ratio "$ts" "$s_m") | $d_m | $(ratio "$td" "$d_m") |" \
		    "$(awk -v t="$tool" '$1 == t { printf "%s ", $3 }' "$d/runs") |" \
		    "$(awk -v t="$tool" '$1 == t { printf "%s ", $4 }' "$d/runs") |"
	done
	say ""
	say "Load after: $(load)."
	say ""
	for what in spawn shutdown; do
		# shellcheck disable=SC2046 # "value name", split on purpose
		set -- $(grep -Ev ' (tend|floor)$' "$d/med-$what" | best)
		local tv fv
		tv=$(awk '$2 == "tend" { print $1 }' "$d/med-$what")
		fv=$(awk '$2 == "floor" { print $1 }' "$d/med-$what")
		SC=$what$MANY summ "$what $MANY median (ms)" "$tv" "$2" "$1" \
		    "$(ratio "$tv" "$1")" "≤ 0.5 × best peer" \
		    "$(awk -v a="$tv" -v b="$1" 'BEGIN {
		    print (a != "?" && b != "?" && a <= 0.5 * b) ? "yes" : "no" }') ($(ratio "$tv" "$fv") × floor)"
	done
}

sc_restart() {
	local tool n0 n1 t0 t1 cpu0 cpu1 tfile rate fl
	# tick writes ./ticks: in $d, not in the tree
	(cd "$d" && "$bin/spawnloop" 2000 "$bin/tick") >"$d/sl.out" 2>&1 ||
	    { note "spawnloop tick failed"; return 1; }
	fl=$(sed -n 's/.*: \([0-9.]*\) us per spawn+wait/\1/p' "$d/sl.out")
	fl=$(awk -v u="$fl" 'BEGIN { printf "%.0f", 1e6 / u }')
	rec floor spawns_per_s "$fl" 1/s
	: >"$d/rates"
	for tool in tend supervisord runit s6; do
		note "restart: $tool, 1 s + $RESTART_SECS s"
		local dir=$d/$tool
		rm -rf "$dir" && mkdir -p "$dir"
		case $tool in
		tend)
			tfile=$dir/ticks
			cat >"$dir/tend.ini" <<-EOF
			[tend]
			socket = $dir/tend.sock

			[program:t]
			command = $bin/tick
			directory = $dir
			restart = always
			start_seconds = 0
			backoff_initial = 0
			backoff_jitter = 0
			EOF
			launch "$TEND" -c "$dir/tend.ini" >/dev/null \
			    2>"$dir/tend.err" ;;
		supervisord)
			tfile=$dir/ticks
			sv_conf "$dir" "[program:t]" "command = $bin/tick" \
			    "directory = $dir" \
			    "autorestart = true" "startsecs = 0" \
			    "startretries = 1000000" "stdout_logfile = NONE" \
			    "stderr_logfile = NONE"
			launch supervisord -c "$dir/supervisord.conf" \
			    >"$dir/supervisord.out" 2>&1 ;;
		runit|s6)
			svdirs "$dir/sv" 1 "$bin/tick"
			tfile=$dir/sv/w0000/ticks
			if [ $tool = runit ]; then
				launch runsvdir "$dir/sv" >/dev/null 2>&1
			else
				launch s6-svscan "$dir/sv" >/dev/null 2>&1
			fi ;;
		esac
		sleep 1
		n0=$(stat -c %s "$tfile" 2>/dev/null || echo 0)
		t0=$EPOCHREALTIME
		cpu0=$(sed 's/.*) //' /proc/"$LPID"/stat | awk '{ print $12 + $13 }')
		sleep "$RESTART_SECS"
		n1=$(stat -c %s "$tfile" 2>/dev/null || echo 0)
		t1=$EPOCHREALTIME
		cpu1=$(sed 's/.*) //' /proc/"$LPID"/stat | awk '{ print $12 + $13 }')
		note_tree "$LPID"
		stop_tree "$LPID" "$(stopsig $tool)" 30 >/dev/null
		rate=$(awk -v a="$n0" -v b="$n1" -v s="$t0" -v e="$t1" \
		    'BEGIN { printf "%.1f", (b - a) / (e - s) }')
		# the supervisor's main process' own CPU in the window, %
		cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$t0" -v e="$t1" \
		    -v hz="$(getconf CLK_TCK)" \
		    'BEGIN { printf "%.0f", (b - a) / hz / (e - s) * 100 }')
		echo "$rate $tool $((n1 - n0)) $cpu" >>"$d/rates"
		rec "$tool" restarts_per_s "$rate" 1/s
	done
	say "## restart: a program that exits at once (\`bench/tick\`)"
	say ""
	say "Each start of \`bench/tick\` appends a byte to a file and exits 0;" \
	    "the rate is the bytes added over $RESTART_SECS s, from 1 s after" \
	    "the launch. Backoff as low as each tool allows: tend" \
	    "\`restart = always\`, \`backoff_initial = 0\`, \`backoff_jitter =" \
	    "0\`, \`start_seconds = 0\` (log at the default info level, to a" \
	    "file); supervisord \`autorestart = true\`, \`startsecs = 0\` (no" \
	    "backoff key for a clean exit; its loop ticks at 1 s); runit and" \
	    "s6: \`run\` a symlink to tick, their fixed 1 s throttle. Floor:" \
	    "bench/spawnloop, posix_spawn+waitpid of tick in a loop."
	say ""
	say "| tool | restarts/s | starts in the window | tend vs it | main process CPU (%) |"
	say "|---|---:|---:|---:|---:|"
	local tr
	tr=$(awk '$2 == "tend" { print $1 }' "$d/rates")
	say "| floor (spawnloop) | $fl | - | $(ratio "$tr" "$fl") | - |"
	while read -r rate tool n cpu; do
		say "| $tool | $rate | $n | $(ratio "$tr" "$rate") | $cpu |"
	done <"$d/rates"
	say ""
	# shellcheck disable=SC2046 # "value name", split on purpose
	set -- $(grep -v ' tend ' "$d/rates" | best -max)
	summ "restarts/s" "$tr" "$2" "$1" "$(ratio "$tr" "$1")" "≥ 500/s" \
	    "$(awk -v a="$tr" 'BEGIN { print (a >= 500) ? "yes" : "no" }') ($(ratio "$tr" "$fl") × floor)"
}

# ctx PIDS...: voluntary and nonvoluntary context switches, summed over
# every thread of every pid.
ctx() {
	local p
	for p in "$@"; do
		cat /proc/"$p"/task/*/status 2>/dev/null
	done | awk '/^voluntary_ctxt_switches:/ { v += $2 }
	    /^nonvoluntary_ctxt_switches:/ { n += $2 } END { print v + 0, n + 0 }'
}

sc_idle() {
	# name tool children probe
	local specs="tend-probe-off:tend:$IDLE_N:0 tend-probe-1s:tend:$IDLE_N:1s
	    supervisord:supervisord:$IDLE_N runit:runit:$IDLE_N s6:s6:$IDLE_N
	    tend-wrapper:tend-w:1 tini:tini:1 dumb-init:dumb-init:1
	    catatonit:catatonit:1" s name tool n probe up
	for s in $specs; do
		IFS=: read -r name tool n probe <<<"$s"
		case $tool in
		tend-w|tini|dumb-init|catatonit)
			w=${tool%-w}
			# shellcheck disable=SC2046
			launch $(wrap_cmd "$w" "$bin/sleeper" |
			    sed "s|$d/w.sock|$d/w-idle.sock|") >/dev/null 2>&1 ;;
		*)	start_tool "$tool" "$d/$name" "$n" "$probe" ;;
		esac
		echo "$name $tool $n $LPID $T0" >>"$d/started"
	done
	while read -r name tool n pid t0; do
		up=$("$bin/pwatch" up "$pid" "$(wcomm "$tool")" "$n" 30000 "$t0")
		case $up in '?'*) note "idle: $name: not up: $up" ;; esac
		note_tree "$pid"
	done <"$d/started"
	sleep 1
	note "idle: $IDLE_SECS s"
	while read -r name tool n pid _; do
		# shellcheck disable=SC2046
		echo "$name $(ctx $(sup_pids "$pid" "$(wcomm "$tool")"))"
	done <"$d/started" >"$d/c0"
	sleep "$IDLE_SECS"
	while read -r name tool n pid _; do
		local pids
		pids=$(sup_pids "$pid" "$(wcomm "$tool")")
		# shellcheck disable=SC2086
		echo "$name $(ctx $pids) $(echo $pids | wc -w)"
	done <"$d/started" >"$d/c1"
	while read -r name tool n pid _; do
		stop_tree "$pid" "$(stopsig "$tool")" 30 >/dev/null
	done <"$d/started"
	say "## idle: context switches over $IDLE_SECS s"
	say ""
	say "All started together, each with its own children (\`bench/sleeper\`," \
	    "which never wakes): the supervisors with $IDLE_N (tend in config" \
	    "mode, with \`lag_probe_interval = 0\` and with the default 1s)," \
	    "the wrappers with their one child, tend's wrapper mode (default" \
	    "probe) beside them. Counted 1 s after all were up, from" \
	    "/proc/PID/task/*/status, summed over every supervisor process" \
	    "(runsvdir + each runsv, s6-svscan + each s6-supervise), children" \
	    "not included."
	say ""
	say "| supervisor | children | processes | voluntary | nonvoluntary | wake-ups/s |"
	say "|---|---:|---:|---:|---:|---:|"
	awk 'NR == FNR { v[$1] = $2; n[$1] = $3; next }
	    { print $1, v[$1], n[$1], $2, $3, $4 }' "$d/c0" "$d/c1" |
	    while read -r name v0 n0 v1 n1 np; do
		n=$(awk -v x="$name" '$1 == x { print $3 }' "$d/started")
		say "| $name | $n | $np | $((v1 - v0)) | $((n1 - n0)) |" \
		    "$(awk -v v=$((v1 - v0)) -v s="$IDLE_SECS" 'BEGIN { printf "%.1f", v / s }') |"
		rec "$name" voluntary_ctxt_switches "$((v1 - v0))" count
		rec "$name" nonvoluntary_ctxt_switches "$((n1 - n0))" count
		echo "$((v1 - v0)) $name"
	done >"$d/vol"
	say ""
	local off on
	off=$(awk '$2 == "tend-probe-off" { print $1 }' "$d/vol")
	on=$(awk '$2 == "tend-probe-1s" { print $1 }' "$d/vol")
	# shellcheck disable=SC2046 # "value name", split on purpose
	set -- $(grep -Ev ' tend' "$d/vol" | best)
	summ "voluntary ctx switches / ${IDLE_SECS} s (probe off; 1s: $on)" \
	    "$off" "$2" "$1" "$(ratio "$off" "$1")" "probe off = 0" \
	    "$([ "$off" = 0 ] && echo yes || echo no)"
}

sc_signal() {
	local w fifo out
	say "## signal: forwarding latency, \`kill(wrapper, SIGUSR1)\` to the child's handler"
	say ""
	say "bench/siglat: the child installs a SIGUSR1 handler that reads" \
	    "CLOCK_MONOTONIC and writes it to a FIFO; the sender reads" \
	    "CLOCK_MONOTONIC, then kill()s the wrapper (bare: the child" \
	    "itself), and waits for that time before the next signal (2 ms" \
	    "apart, none coalesce). $SIGNALS signals each."
	say ""
	say "| wrapper | median (µs) | tend vs it | p90 | min | max | mean | received |"
	say "|---|---:|---:|---:|---:|---:|---:|---:|"
	for w in tend $peers_w bare; do
		fifo=$d/fifo-$w
		mkfifo "$fifo"
		# shellcheck disable=SC2046
		launch $(wrap_cmd "$w" "$bin/siglat" recv "$fifo") >/dev/null 2>&1
		out=$(timeout 60 "$bin/siglat" send "$LPID" "$fifo" "$SIGNALS" \
		    "$d/raw-$w")
		stop_tree "$LPID" "$(signum TERM)" 10 >/dev/null
		echo "$w $out" >>"$d/lat"
	done
	kv() { tr ' ' '\n' | sed -n "s/^$1=//p"; }
	local tm
	tm=$(awk '$1 == "tend"' "$d/lat" | kv median)
	: >"$d/pm"
	while read -r w rest; do
		m=$(echo "$rest" | kv median)
		say "| $w | $m | $(ratio "$tm" "$m") | $(echo "$rest" | kv p90) |" \
		    "$(echo "$rest" | kv min) | $(echo "$rest" | kv max) |" \
		    "$(echo "$rest" | kv mean) | $(echo "$rest" | kv n) |"
		rec "$w" median_us "$m" us
		rec "$w" p90_us "$(echo "$rest" | kv p90)" us
		case $w in tend|bare) ;; *) echo "$m $w" >>"$d/pm" ;; esac
	done <"$d/lat"
	say ""
	# shellcheck disable=SC2046 # "value name", split on purpose
	set -- $(best <"$d/pm")
	local bare
	bare=$(awk '$1 == "bare"' "$d/lat" | kv median)
	summ "signal latency median (µs)" "$tm" "$2" "$1" "$(ratio "$tm" "$1")" \
	    "-" "- ($(ratio "$tm" "$bare") × bare)"
}

sc_status() {
	local tool up
	for tool in tend supervisord runit s6; do
		start_tool $tool "$d/$tool" "$SOME" || return 1
		echo "$tool $LPID $T0" >>"$d/started"
	done
	while read -r tool pid t0; do
		up=$("$bin/pwatch" up "$pid" "$(wcomm "$tool")" "$SOME" 60000 "$t0")
		case $up in '?'*) note "status: $tool: not up: $up"; return 1 ;; esac
		note_tree "$pid"
	done <"$d/started"
	sleep 1
	local sock=$d/tend/tend.sock svconf=$d/supervisord/supervisord.conf
	cat >"$d/s6-status" <<-EOF
	#!/bin/sh
	for s in $d/s6/sv/*; do s6-svstat "\$s" || exit 1; done
	EOF
	chmod +x "$d/s6-status"
	local c_tctl="$TENDCTL -s $sock status"
	local c_metrics="curl -s -o /dev/null --unix-socket $sock http://localhost/metrics"
	local c_health="curl -s -o /dev/null --unix-socket $sock http://localhost/health"
	local c_thealth="$TENDCTL -s $sock health"
	local c_sv="supervisorctl -c $svconf status"
	local c_runit
	c_runit="sv status $(echo "$d"/runit/sv/*)"
	local c_s6="$d/s6-status"
	local c n
	for c in "$c_tctl" "$c_metrics" "$c_health" "$c_thealth" "$c_sv" \
	    "$c_s6"; do
		# shellcheck disable=SC2086
		timeout 30 $c >"$d/check.out" 2>&1 ||
		    { note "status: '$c' failed: $(head -c 300 "$d/check.out")"
		    return 1; }
	done
	# shellcheck disable=SC2086
	timeout 30 $c_runit >"$d/runit.out" 2>&1
	n=$(grep -c '^run: ' "$d/runit.out")
	[ "$n" -eq "$SOME" ] || { note "status: sv status: $n run"; return 1; }
	# shellcheck disable=SC2086
	n=$(timeout 30 $c_tctl | grep -c '^w:[0-9]* *running ')
	[ "$n" -eq "$SOME" ] || note "status: tendctl status lists $n running"
	# shellcheck disable=SC2086
	n=$(timeout 30 $c_sv | grep -c ' RUNNING ')
	[ "$n" -eq "$SOME" ] || note "status: supervisorctl lists $n RUNNING"
	note "status: hyperfine, 7 commands"
	# shellcheck disable=SC2086
	hyperfine $hf_noshell --warmup 5 --min-runs 30 --max-runs 300 \
	    --style basic --export-json "$d/hf.json" \
	    -n 'tendctl status' "$c_tctl" \
	    -n 'curl /metrics' "$c_metrics" \
	    -n 'supervisorctl status' "$c_sv" \
	    -n "sv status (${SOME} dirs)" "$c_runit" \
	    -n "s6-svstat x ${SOME} (sh loop)" "$c_s6" \
	    -n 'curl /health (curl floor)' "$c_health" \
	    -n 'tendctl health (tendctl floor)' "$c_thealth" \
	    >"$d/hf.out" 2>&1 ||
	    { tail -n 20 "$d/hf.out" >&2; return 1; }
	local bytes
	bytes=$(timeout 10 curl -s --unix-socket "$sock" \
	    http://localhost/metrics 2>/dev/null | wc -c)
	while read -r tool pid _; do
		stop_tree "$pid" "$(stopsig "$tool")" 30 >/dev/null
	done <"$d/started"
	jq -r '.results[] | [.command, .median * 1e3, .mean * 1e3,
	    .stddev * 1e3, .min * 1e3, (.times | length)] | @tsv' \
	    "$d/hf.json" >"$d/hf.tsv"
	local tm mm
	tm=$(awk -F'\t' '$1 == "tendctl status" { printf "%.2f", $2 }' "$d/hf.tsv")
	mm=$(awk -F'\t' '$1 == "curl /metrics" { printf "%.2f", $2 }' "$d/hf.tsv")
	awk -F'\t' '$1 ~ /^(supervisorctl|sv |s6-)/ { printf "%.2f %s\n", $2, $1 }' \
	    "$d/hf.tsv" | sed 's/ \([^ ]*\) .*/ \1/' >"$d/pm"
	say "## status: query latency with $SOME instances"
	say ""
	say "tend (\`numprocs = $SOME\`), supervisord (\`numprocs = $SOME\`)," \
	    "runsvdir and s6-svscan over $SOME service dirs, all running" \
	    "together, every worker \`bench/sleeper\`. hyperfine $hf_noshell," \
	    "warm-up 5, 30 to 300 runs (at least 3 s) each. s6 has no" \
	    "one-shot status of a scan dir: \`s6-svstat\` is run once per" \
	    "service by a sh loop, as a script would. \`sv status\` takes all" \
	    "$SOME dirs in one call. The two floors are a 3-byte answer" \
	    "(what curl's and tendctl's own start-up cost)."
	say ""
	say "| command | median (ms) | mean ± sd (ms) | min (ms) | runs | tendctl status vs it |"
	say "|---|---:|---:|---:|---:|---:|"
	while IFS=$'\t' read -r name med mean sd mn nr; do
		say "| \`$name\` | $(printf %.2f "$med") |" \
		    "$(printf '%.2f ± %.2f' "$mean" "$sd") | $(printf %.2f "$mn") |" \
		    "$nr | $(ratio "$tm" "$med") |"
		rec "$name" median_ms "$(printf %.3f "$med")" ms
	done <"$d/hf.tsv"
	say ""
	say "\`/metrics\` body: $bytes bytes. Load after: $(load)."
	say ""
	# shellcheck disable=SC2046 # "value name", split on purpose
	set -- $(best <"$d/pm")
	summ "\`tendctl status\` median (ms; curl /metrics: $mm)" "$tm" "$2" \
	    "$1" "$(ratio "$tm" "$1")" "-" "-"
}

if [ "${1:-}" = --scenario ]; then
	case $SC in
	spawn) sc_spawn ;;
	*) "sc_$SC" ;;
	esac
	exit $?
fi

# ---------------------------------------------------------------------------
# Parent
# ---------------------------------------------------------------------------

want=''
for a in "$@"; do
	case " $all " in
	*" $a "*) ;;
	*) die "unknown scenario '$a' (known: $all)" ;;
	esac
done
# shellcheck disable=SC2086
[ $# -eq 0 ] && set -- $all
# spawn1000 and shutdown1000 are the same runs.
for a in "$@"; do
	case $a in spawn*|shutdown*) a=spawn ;; esac
	case " $want " in *" $a "*) ;; *) want="$want $a" ;; esac
done

need="hyperfine /usr/bin/time valgrind size strip $CC tini dumb-init catatonit
    supervisord supervisorctl runsvdir runsv sv s6-svscan s6-supervise
    s6-svstat curl jq perl timeout getconf taskset"
for t in $need; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found (apt-get install -y tini dumb-init catatonit supervisor runit s6 hyperfine valgrind curl jq time)"
done

BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tend-bench.XXXXXX") || exit 2
export BENCH_TMP
tmp=$BENCH_TMP
: >"$tmp/ledger"
: >"$tmp/res.tsv"
: >"$tmp/summary.tsv"

# sweep: KILL, by pid, whatever this run started that is still there:
# each pid of the ledger whose start time still matches, then any process
# running from, or with a command line naming, the private temp dir.
sweep() {
	local left p
	# ledger pids whose start time still matches and that are no zombies
	left=$(awk '$2 != "" { f = "/proc/" $1 "/stat"; line = ""
	    getline line <f; close(f); sub(/.*\) /, "", line)
	    split(line, v, " ")
	    if (v[1] != "" && v[1] != "Z" && v[20] == $2) print $1 }' \
	    "$tmp/ledger" | sort -u | tr '\n' ' ')
	left="$left $({ find /proc/[0-9]*/exe /proc/[0-9]*/cwd -maxdepth 0 \
	    -lname "$tmp/*" 2>/dev/null
	    grep -alsF "$tmp/" /proc/[0-9]*/cmdline 2>/dev/null; } |
	    cut -d/ -f3 | grep -vx "$$" | sort -u | tr '\n' ' ')"
	left=$(echo "$left" | xargs)
	if [ -n "$left" ]; then
		note "sweeping leftovers: $(for p in $left; do
		    printf '%s(%s) ' "$p" "$(cat /proc/"$p"/comm 2>/dev/null)"
		    done)"
		# shellcheck disable=SC2086
		kill -KILL $left 2>/dev/null
	fi
	: >"$tmp/ledger"
}
trap 'sweep; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$tmp/bin"
for c in spawnloop pwatch sleeper tick siglat; do
	$CC -O2 -Wall -Wextra -std=gnu11 -o "$tmp/bin/$c" "bench/$c.c" ||
	    die "$c: build failed"
done

if [ -n "${TEND:-}" ]; then
	TENDCTL=${TENDCTL:-$(dirname "$TEND")/tendctl}
	tend_how="given as \$TEND"
else
	note "building a release tend in $tmp/tree ..."
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
		die "release build of tend failed (set TEND=path to skip it)"
	fi
	TEND=$tmp/tree/src/tend
	TENDCTL=$tmp/tree/src/tendctl
	tend_how="release build: ./configure defaults (CFLAGS=-g -O2), no sanitizers"
fi
export TEND TENDCTL
{ [ -x "$TEND" ] && [ -x "$TENDCTL" ]; } || die "no $TEND or $TENDCTL"
"$TEND" -s "$tmp/check.sock" -- /bin/true || die "$TEND -- /bin/true failed"

date_s=$(date '+%Y-%m-%d-%H%M%S')
load0=$(load)
t_start=$(date +%s)
for s in $want; do
	note "== $s (time box $(limit "$s") s), load $(load)"
	ts=$(date +%s)
	timeout -k 10 "$(limit "$s")" "$BASH" "$0" --scenario "$s"
	rc=$?
	sweep
	echo "$s $rc $(($(date +%s) - ts))" >>"$tmp/ran"
	if [ $rc -ne 0 ]; then
		why="failed (exit $rc)"
		[ $rc -eq 124 ] || [ $rc -eq 137 ] &&
		    why="stopped at its time box ($(limit "$s") s)"
		note "$s: $why"
		printf '## %s\n\n**%s**; figures above this line, if any, are partial.\n\n' \
		    "$s" "$why" >>"$tmp/md-$s.md"
		case $s in spawn) names="spawn$MANY shutdown$MANY" ;; *) names=$s ;; esac
		for n in $names; do
			grep -q "^$n	" "$tmp/summary.tsv" ||
			    printf '%s\t%s\t?\t-\t?\t?\t-\t%s\n' "$n" "-" \
			    "no: $why" >>"$tmp/summary.tsv"
		done
	fi
done

# --- report --------------------------------------------------------------------

out=$tmp/report.md
{
	echo "# tend benchmarks, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo ""
	echo "- tend: \`$TEND\` ($tend_how), tree at" \
	    "$(git describe --always --dirty 2>/dev/null || echo '?')"
	echo "- peers: tini $(tini --version 2>&1 | awk '{ print $3 }')," \
	    "dumb-init $(dumb-init --version 2>&1 | awk '{ print $2 }')," \
	    "catatonit $(dpkg-query -W -f '${Version}' catatonit 2>/dev/null)," \
	    "supervisord $(supervisord --version 2>&1)," \
	    "runit $(dpkg-query -W -f '${Version}' runit 2>/dev/null)," \
	    "s6 $(dpkg-query -W -f '${Version}' s6 2>/dev/null);" \
	    "$(hyperfine --version), $(valgrind --version)"
	echo "- machine: $(uname -srm), $(nproc) CPU," \
	    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1);" \
	    "load before the run: $load0, after: $(load) (the machine is" \
	    "shared; nothing here is isolated from other work)"
	echo "- scenarios (exit status, seconds): $(tr '\n' ';' <"$tmp/ran" |
	    sed 's/;$//; s/;/; /g'); whole run $(($(date +%s) - t_start)) s"
	echo ""
	for s in $want; do
		[ -e "$tmp/md-$s.md" ] && cat "$tmp/md-$s.md"
	done
	echo "## Summary"
	echo ""
	echo "| scenario | measure | tend | best peer | best peer's | tend / best peer | floor | met |"
	echo "|---|---|---:|---|---:|---:|---|---|"
	awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n",
	    $1, $2, $3, $4, $5, $6, $7, $8 }' "$tmp/summary.tsv"
} >"$out"

mkdir -p bench/results
dest=bench/results/$date_s
cp "$out" "$dest.md"
num='if test("^-?[0-9]+(\\.[0-9]+)?$") then tonumber else . end'
jq -n --rawfile res "$tmp/res.tsv" --rawfile sum "$tmp/summary.tsv" \
    --arg date "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" --arg tend "$TEND" \
    --arg how "$tend_how" --arg tree "$(git describe --always --dirty 2>/dev/null)" \
    --arg machine "$(uname -srm), $(nproc) CPU" --arg load0 "$load0" \
    --arg load1 "$(load)" --rawfile ran "$tmp/ran" "
    def lines(s): s | split(\"\n\") | map(select(length > 0) | split(\"\t\"));
    {date: \$date, tend: {path: \$tend, build: \$how, tree: \$tree},
     machine: \$machine, load_before: \$load0, load_after: \$load1,
     scenarios_run: (\$ran | split(\"\n\") | map(select(length > 0)
	| split(\" \") | {scenario: .[0], exit: (.[1] | tonumber),
	  seconds: (.[2] | tonumber)})),
     results: (lines(\$res) | map({scenario: .[0], subject: .[1],
	metric: .[2], value: (.[3] | $num), unit: .[4]})),
     summary: (lines(\$sum) | map({scenario: .[0], measure: .[1],
	tend: (.[2] | $num), best_peer: .[3], best_peer_value: (.[4] | $num),
	ratio: (.[5] | $num), floor: .[6], met: .[7]}))}" >"$dest.json" ||
    note "could not write $dest.json"
cat "$out"
note "saved $dest.md and $dest.json"

