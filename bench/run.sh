#!/bin/sh
# bench/run.sh: tend against its peers (tini, dumb-init) and against the
# physical floor (bench/spawnloop.c), all measured in one run on one machine,
# so the ratios mean something. Prints a markdown report and saves it to
# bench/results/DATE.md (gitignored).
#
# Which tend: $TEND if set; otherwise a release build (./configure defaults:
# -g -O2, no sanitizers) made from a copy of the working tree in a temp dir,
# because the in-tree src/tend may be an ASan build and the tree is shared.
# Peers: $TINI (/usr/bin/tini), $DUMB_INIT (/usr/bin/dumb-init).
# Tools: hyperfine, GNU time (/usr/bin/time), valgrind, binutils size/strip.
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 2
root=$(cd "$here/.." && pwd) || exit 2
cd "$root" || exit 2

TINI=${TINI:-/usr/bin/tini}
DUMB_INIT=${DUMB_INIT:-/usr/bin/dumb-init}
CC=${CC:-cc}
RUNS=${RUNS:-50}		# hyperfine runs per wrapper
RSS_RUNS=${RSS_RUNS:-5}		# /usr/bin/time runs per wrapper (median)
SPAWNS=${SPAWNS:-1000}		# spawn+wait per spawnloop run

die() { echo "bench/run.sh: $*" >&2; exit 2; }

for t in hyperfine /usr/bin/time valgrind size strip "$CC" "$TINI" \
    "$DUMB_INIT"; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tend-bench.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# --- builds ------------------------------------------------------------------

$CC -O2 -Wall -Wextra -std=gnu11 -o "$tmp/spawnloop" bench/spawnloop.c ||
    die "spawnloop: build failed"

if [ -n "${TEND:-}" ]; then
	tend_how="given as \$TEND"
else
	echo "bench: building a release tend in $tmp/tree ..." >&2
	mkdir "$tmp/tree"
	# Tracked and new files, plus what autoreconf generated, with their
	# times kept so make does not try to regenerate them.
	{ git ls-files -co --exclude-standard; ls -d configure Makefile.in \
	    aclocal.m4 build-aux m4 2>/dev/null; } |
	    tar -cf - --no-recursion -T - build-aux/* m4/* 2>/dev/null |
	    tar -xf - -C "$tmp/tree" || die "copy of the tree failed"
	if ! (cd "$tmp/tree" && ./configure -q && make -j2 src/tend) \
	    >"$tmp/build.log" 2>&1; then
		tail -n 30 "$tmp/build.log" >&2
		die "release build of tend failed (set TEND=path to skip it)"
	fi
	TEND=$tmp/tree/src/tend
	tend_how="release build: ./configure defaults (CFLAGS=-g -O2), no sanitizers"
fi
[ -x "$TEND" ] || die "$TEND is not executable"
"$TEND" -- /bin/true || die "$TEND -- /bin/true failed"

if hyperfine --help 2>/dev/null | grep -Eq -- '^ +-N([ ,]|$)'; then
	hf_noshell=-N
else
	hf_noshell=--shell=none
fi

# The command each wrapper runs. tini gets -s because tend, when not PID 1,
# makes itself a child subreaper too (and tini warns on stderr without it).
wrap() {
	case $1 in
	tend)		echo "$TEND --" ;;
	tini)		echo "$TINI -s --" ;;
	dumb-init)	echo "$DUMB_INIT" ;;
	bare)		echo "" ;;
	esac
}
# How a command line is shown in the tables: peers by name, not path.
show() {
	case $1 in
	tend)		echo "tend --" ;;
	tini)		echo "tini -s --" ;;
	dumb-init)	echo "dumb-init" ;;
	bare)		echo "" ;;
	esac
}
bin() {
	case $1 in
	tend)		echo "$TEND" ;;
	tini)		echo "$TINI" ;;
	dumb-init)	echo "$DUMB_INIT" ;;
	esac
}

median() { sort -n | awk '{ v[NR] = $1 } END {
	if (NR == 0) print "?"; else if (NR % 2) print v[(NR + 1) / 2];
	else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
	if (a == "?" || b == "?" || b == 0) print "?"; else printf "%.2f", a / b }'; }

out=$tmp/report.md
exec 3>"$out"
say() { printf '%s\n' "$*" >&3; }

say "# tend benchmarks, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say ""
say "- tend: \`$TEND\` ($tend_how), tree at" \
    "$(git describe --always --dirty 2>/dev/null || echo '?')"
say "- tini: \`$TINI\` ($("$TINI" --version 2>&1 | head -n 1))," \
    "dumb-init: \`$DUMB_INIT\` ($("$DUMB_INIT" --version 2>&1 | head -n 1))"
say "- machine: $(uname -srm), $(nproc) CPU," \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
    "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
say "- $(hyperfine --version), $(/usr/bin/time --version 2>&1 | head -n 1)," \
    "$(valgrind --version)"
say ""

# --- (a) size ----------------------------------------------------------------

echo "bench: (a) size" >&2
say "## (a) Binary size"
say ""
say "Debian's tini and dumb-init are stripped; tend is also shown stripped (a"
say "copy, \`strip\`) so the file sizes compare like with like."
say ""
say "| binary | file bytes | stripped bytes | text | data | bss | text+data | shared libs |"
say "|---|---:|---:|---:|---:|---:|---:|---|"
for w in tend tini dumb-init; do
	b=$(bin $w)
	strip -o "$tmp/stripped-$w" "$b" 2>/dev/null ||
	    cp "$b" "$tmp/stripped-$w"
	set -- $(size "$b" | awk 'NR == 2 { print $1, $2, $3 }')
	libs=$(ldd "$b" 2>/dev/null | awk '$1 !~ /^linux-vdso|ld-linux/ {
	    sub(/\.so.*/, "", $1); printf "%s%s", s, $1; s = " " }')
	eval "size_td_$(echo $w | tr - _)=$(($1 + $2))"
	say "| $w | $(stat -c %s "$b") | $(stat -c %s "$tmp/stripped-$w") |" \
	    "$1 | $2 | $3 | $(($1 + $2)) | ${libs:-static} |"
done
say ""
say "text+data ratio: tend/tini $(ratio "$size_td_tend" "$size_td_tini")," \
    "tend/dumb-init $(ratio "$size_td_tend" "$size_td_dumb_init")"
say ""

# --- (b) memory ----------------------------------------------------------------

# One run of "WRAPPER sleep 1" under GNU time. Prints two numbers (KiB):
# time's maximum RSS, which for a wrapper is the larger of the wrapper and
# its child (rusage of a waited-for child includes its own waited-for
# children), and the wrapper's own peak (VmHWM in /proc), read while its
# child still sleeps.
rss_once() {
	/usr/bin/time -v -o "$tmp/time.txt" $(wrap "$1") /bin/sleep 1 \
	    2>/dev/null &
	tpid=$!
	own='?'
	if [ "$1" != bare ]; then
		# Wait (at most ~0.9 s) until the wrapper has started its child,
		# so its start-up is over and its peak is in.
		i=0
		while [ $i -lt 90 ]; do
			wpid=$(cat /proc/$tpid/task/*/children 2>/dev/null |
			    awk '{ print $1 }')
			if [ -n "$wpid" ] &&
			    [ -n "$(cat /proc/$wpid/task/*/children 2>/dev/null)" ]
			then
				own=$(awk '/^VmHWM:/ { print $2 }' \
				    /proc/$wpid/status 2>/dev/null)
				break
			fi
			sleep 0.01
			i=$((i + 1))
		done
	fi
	wait $tpid
	max=$(awk -F': ' '/Maximum resident set size/ { print $2 }' \
	    "$tmp/time.txt")
	echo "${max:-?} ${own:-?}"
}

echo "bench: (b) memory, $RSS_RUNS x 4 runs of 1 s" >&2
say "## (b) Memory: \`X sleep 1\`, median of $RSS_RUNS runs"
say ""
say "\`time -v\` max RSS is the larger of the wrapper and its child (rusage"
say "of a waited-for child includes its descendants), so it can hide a wrapper"
say "smaller than \`sleep\`; the \"own peak\" column is the wrapper's VmHWM from"
say "/proc, read while its child sleeps."
say ""
say "| command | time -v max RSS (KiB) | wrapper's own peak RSS (KiB) | own peak vs tend |"
say "|---|---:|---:|---:|"
for w in tend tini dumb-init bare; do
	: >"$tmp/rss-$w"
	n=0
	while [ $n -lt "$RSS_RUNS" ]; do
		rss_once $w >>"$tmp/rss-$w"
		n=$((n + 1))
	done
done
own_tend=$(awk '{ print $2 }' "$tmp/rss-tend" | grep -v '?' | median)
for w in tend tini dumb-init bare; do
	max=$(awk '{ print $1 }' "$tmp/rss-$w" | grep -v '?' | median)
	own=$(awk '{ print $2 }' "$tmp/rss-$w" | grep -v '?' | median)
	[ $w = bare ] && own=-
	cmd="$(show $w) /bin/sleep 1"
	say "| \`${cmd# }\` | $max | $own |" \
	    "$([ $w = bare ] && echo - || ratio "$own_tend" "$own") |"
done
say ""
say "raw (max own) per run: $(for w in tend tini dumb-init bare; do
	printf '%s: %s; ' $w "$(tr '\n' ',' <"$tmp/rss-$w" | sed 's/,$//')"
done)"
say ""

# --- (c) wrapper overhead, (d) spawn floor --------------------------------------

echo "bench: (c) hyperfine, $RUNS runs each" >&2
hyperfine $hf_noshell --warmup 3 --runs "$RUNS" --style basic \
    --export-csv "$tmp/c.csv" \
    -n tend "$TEND -- /bin/true" \
    -n tini "$TINI -s -- /bin/true" \
    -n dumb-init "$DUMB_INIT /bin/true" \
    -n bare /bin/true >"$tmp/hyperfine-c.txt" 2>&1 ||
    { cat "$tmp/hyperfine-c.txt" >&2; die "hyperfine (c) failed"; }

echo "bench: (d) spawnloop $SPAWNS" >&2
hyperfine $hf_noshell --warmup 1 --runs 10 --style basic \
    --export-csv "$tmp/d.csv" \
    -n spawnloop "$tmp/spawnloop $SPAWNS" >"$tmp/hyperfine-d.txt" 2>&1 ||
    { cat "$tmp/hyperfine-d.txt" >&2; die "hyperfine (d) failed"; }

# hyperfine's CSV (command,mean,stddev,median,user,system,min,max, in s)
# as one "name mean stddev median min max" line per command, in µs.
hf_stats() {
	awk -F, 'NR > 1 { printf "%s %.1f %.1f %.1f %.1f %.1f\n", $1,
	    $2 * 1e6, $3 * 1e6, $4 * 1e6, $7 * 1e6, $8 * 1e6 }' "$1"
}
hf_stats "$tmp/c.csv" >"$tmp/c.txt"
hf_stats "$tmp/d.csv" >"$tmp/d.txt"
[ "$(wc -l <"$tmp/c.txt")" -eq 4 ] && [ "$(wc -l <"$tmp/d.txt")" -eq 1 ] ||
    die "could not read hyperfine's CSV"
mean() { awk -v n="$1" '$1 == n { print $2 }' "$tmp/c.txt"; }
t_tend=$(mean tend); t_tini=$(mean tini); t_dumb=$(mean dumb-init)
t_bare=$(mean bare)
t_spawn=$(awk -v n="$SPAWNS" '{ printf "%.1f", $2 / n }' "$tmp/d.txt")

say "## (c) Wrapper overhead: \`X /bin/true\`, hyperfine $hf_noshell, warmup 3, $RUNS runs"
say ""
say "| command | mean (µs) | ± stddev | median | min | max | mean vs tend | added to bare (µs) |"
say "|---|---:|---:|---:|---:|---:|---:|---:|"
for w in tend tini dumb-init bare; do
	set -- $(awk -v n=$w '$1 == n' "$tmp/c.txt")
	cmd="$(show $w) /bin/true"
	say "| \`${cmd# }\` | $2 | $3 | $4 | $5 | $6 |" \
	    "$(ratio "$t_tend" "$2") |" \
	    "$(awk -v a="$2" -v b="$t_bare" 'BEGIN { printf "%.1f", a - b }') |"
done
over() { awk -v a="$1" -v b="$2" -v z="$t_bare" 'BEGIN {
	if (b - z <= 0) print "?"; else printf "%.2f", (a - z) / (b - z) }'; }
say ""
say "Ratios of means: tend/tini **$(ratio "$t_tend" "$t_tini")**," \
    "tend/dumb-init **$(ratio "$t_tend" "$t_dumb")**," \
    "tend/bare **$(ratio "$t_tend" "$t_bare")**."
say "Ratios of the time added to bare \`/bin/true\`: tend/tini" \
    "$(over "$t_tend" "$t_tini"), tend/dumb-init $(over "$t_tend" "$t_dumb")."
say ""

say "## (d) Against the floor: one posix_spawn+waitpid of /bin/true"
say ""
say "| measure | µs | vs spawnloop per spawn |"
say "|---|---:|---:|"
set -- $(cat "$tmp/d.txt")
say "| spawnloop $SPAWNS (hyperfine, 10 runs): whole run | $2 ± $3 | - |"
say "| spawnloop: per spawn+wait | $t_spawn | 1.00 |"
say "| \`/bin/true\` run by hyperfine (bare) | $t_bare |" \
    "$(ratio "$t_bare" "$t_spawn") |"
say "| \`tini -s -- /bin/true\` | $t_tini | $(ratio "$t_tini" "$t_spawn") |"
say "| \`dumb-init /bin/true\` | $t_dumb | $(ratio "$t_dumb" "$t_spawn") |"
say "| \`tend -- /bin/true\` | $t_tend | **$(ratio "$t_tend" "$t_spawn")** |"
say ""
say "A wrapper run is at least two spawns (the wrapper, then its child), so"
say "2.00 is the floor for the last three rows."
say ""

# --- (e) heap, wrapper only ---------------------------------------------------

echo "bench: (e) valgrind" >&2
say "## (e) Heap of the wrapper itself: \`X /bin/true\` under valgrind memcheck (children not traced)"
say ""
say "| wrapper | allocs | frees | bytes allocated | in use at exit (bytes) |"
say "|---|---:|---:|---:|---:|"
for w in tend tini dumb-init; do
	valgrind --log-file="$tmp/vg-$w.txt" $(wrap $w) /bin/true \
	    >/dev/null 2>&1
	set -- $(sed -n 's/.*total heap usage: \([0-9,]*\) allocs, \([0-9,]*\) frees, \([0-9,]*\) bytes.*/\1 \2 \3/p' \
	    "$tmp/vg-$w.txt" | tr -d ,) ? ? ?
	inuse=$(sed -n 's/.*in use at exit: \([0-9,]*\) bytes.*/\1/p' \
	    "$tmp/vg-$w.txt" | tr -d , | head -n 1)
	say "| $w | $1 | $2 | $3 | ${inuse:-?} |"
done
say ""
say "<details><summary>hyperfine output</summary>"
say ""
say '```'
cat "$tmp/hyperfine-c.txt" "$tmp/hyperfine-d.txt" >&3
say '```'
say "</details>"
exec 3>&-

mkdir -p bench/results
dest=bench/results/$(date '+%Y-%m-%d-%H%M%S').md
cp "$out" "$dest"
cat "$out"
echo "bench: saved $dest" >&2
