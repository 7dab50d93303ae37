#!/bin/sh
# tests/fuzz/run.sh [SECONDS]: builds every tests/fuzz/fuzz_*.c with libFuzzer,
# ASan and UBSan into a temp dir and runs each target for SECONDS (default
# 60), $FUZZ_JOBS of them at a time (default: the number of CPUs), on a
# temp copy of its seed corpus (tests/fuzz/corpus/NAME/, plus etc/*.ini for
# config, plus any saved reproducers in tests/fuzz/crashes/NAME/). Prints
# one summary line per target. Exits 1 if any target found a crash, leak,
# timeout or OOM; the reproducers are then copied to
# tests/fuzz/crashes/NAME/ and the report is printed. With FUZZ_KEEP=DIR the
# grown corpora are kept in DIR/NAME. Needs clang and its fuzzer runtime
# (Debian: clang libclang-rt-14-dev); installs nothing.
set -u

each=${1:-60}
case $each in
''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd) || exit 2
cd "$here/../.." || exit 2

CC=${CC:-clang}
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "run.sh: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tend-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# The parsers and what they pull in (config.c needs output.c, which uses
# libev); never libsystemd.
# The quotes around fuzz stay in the word, as PACKAGE_VERSION must be a string.
# Every module of the library (what Makefile.am puts in libtend.a), so a
# new module the parsers need is never missing here.
srcs=$(ls src/*.c | grep -v -e '^src/main\.c$' -e '^src/tendctl\.c$')
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
    -std=gnu11 -D_GNU_SOURCE -DPACKAGE_VERSION=\"fuzz\" -Isrc"

targets=
for f in tests/fuzz/fuzz_*.c; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .c)
	name=${name#fuzz_}
	# shellcheck disable=SC2086 # word splitting of the flags is wanted
	if ! $CC $cflags -o "$tmp/fuzz_$name" "$f" $srcs -linih -lev -lm \
	    2>"$tmp/build-$name.log"; then
		cat "$tmp/build-$name.log" >&2
		echo "run.sh: fuzz_$name: build failed" >&2
		exit 2
	fi
	targets="$targets $name"
done
if [ -z "$targets" ]; then
	echo "run.sh: no tests/fuzz/fuzz_*.c" >&2
	exit 2
fi
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}

# fuzz_one NAME: runs one target; its summary goes to $tmp/NAME.sum, its
# exit status (0 clean, 1 found something) to $tmp/NAME.rc.
fuzz_one() {
	name=$1
	corpus=$tmp/corpus-$name
	art=$tmp/artifacts-$name
	mkdir -p "$corpus" "$art"
	for d in "tests/fuzz/corpus/$name" "tests/fuzz/crashes/$name"; do
		[ -d "$d" ] && cp -p "$d"/* "$corpus"/ 2>/dev/null
	done
	if [ "$name" = config ]; then
		for f in etc/*.ini; do
			[ -e "$f" ] && cp "$f" "$corpus/etc-$(basename "$f")"
		done
	fi
	seeds=$(ls "$corpus" | wc -l)

	start=$(date +%s)
	# A dictionary where there is one; the HTTP parser needs inputs
	# past its 8 KiB head limit.
	extra=
	[ -f "tests/fuzz/$name.dict" ] && extra="-dict=tests/fuzz/$name.dict"
	maxlen=8192
	[ "$name" = http ] && maxlen=20000
	# shellcheck disable=SC2086 # $extra is one word or none
	"$tmp/fuzz_$name" -max_total_time="$each" -max_len=$maxlen -timeout=5 \
	    $extra \
	    -print_final_stats=1 -artifact_prefix="$art/" "$corpus" \
	    >"$tmp/$name.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$tmp/$name.log" | tail -n 1)
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' \
	    "$tmp/$name.log" | tail -n 1)
	units=$(ls "$corpus" | wc -l)
	cov=$(sed -n 's/^#[0-9].* cov: \([0-9]*\).*/\1/p' "$tmp/$name.log" |
	    tail -n 1)
	found=$(ls "$art" | wc -l)
	crashes=$(ls "$art" | grep -c '^crash-')
	leaks=$(ls "$art" | grep -c '^leak-')
	timeouts=$(ls "$art" | grep -c '^timeout-')
	ooms=$(ls "$art" | grep -c '^oom-')

	{
	echo "fuzz_$name: ${execs:-0} execs in ${secs}s," \
	    "corpus $seeds -> $units, cov ${cov:-?}," \
	    "crashes $crashes, leaks $leaks, timeouts $timeouts, ooms $ooms" \
	    "(exit $rc)"
	st=0
	if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
		st=1
		mkdir -p "tests/fuzz/crashes/$name"
		[ "$found" -ne 0 ] && cp "$art"/* "tests/fuzz/crashes/$name/"
		echo "fuzz_$name: FAILED; reproducers in tests/fuzz/crashes/$name/:"
		ls "$art" | sed 's/^/  /'
		echo "fuzz_$name: the next run.sh replays them first;" \
		    "the report:"
		# The sanitizer report, without libFuzzer's progress lines.
		grep -v '^#[0-9]' "$tmp/$name.log" | tail -n 80
	fi
	} >"$tmp/$name.sum"
	if [ -n "${FUZZ_KEEP:-}" ]; then
		mkdir -p "$FUZZ_KEEP/$name" && cp -p "$corpus"/* "$FUZZ_KEEP/$name"/
	fi
	echo "$st" >"$tmp/$name.rc"
}

running=0
for name in $targets; do
	fuzz_one "$name" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

status=0
for name in $targets; do
	cat "$tmp/$name.sum" 2>/dev/null ||
	    echo "fuzz_$name: FAILED; no summary (killed?)"
	[ "$(cat "$tmp/$name.rc" 2>/dev/null)" = 0 ] || status=1
done
exit $status
