# lib.sh: what every integration test sources. TAP output (plan, ok, is,
# like, between, skip, diag, done_testing), a temp dir removed on exit,
# background runs of tend in their own session with stdout, stderr and the
# exit status captured to files, a trap that kills every process a test
# started, and waits for events with a deadline (never a bare sleep).
#
# make check sets TEND, TENDCTL, HELPERS, top_srcdir and top_builddir; by
# hand they default from the tree, e.g.
#   TEND=src/tend bash tests/integration/11-signals.sh

# --- environment -----------------------------------------------------------

# The tests are bash (local, ${v//}, EPOCHREALTIME); make's $(SHELL) may be
# another sh, which runs no further than this.
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${TEND:=$top_builddir/src/tend}"
: "${TENDCTL:=$top_builddir/src/tendctl}"
: "${HELPERS:=$top_builddir/tests/helpers}"
abspath() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$PWD/$1" ;;
	esac
}
TEND=$(abspath "$TEND")
TENDCTL=$(abspath "$TENDCTL")
HELPERS=$(abspath "$HELPERS")
export LC_ALL=C

T=$(mktemp -d "${TMPDIR:-/tmp}/tend-test.XXXXXX") || {
	echo "Bail out! mktemp -d failed"
	exit 1
}
# Every tend a test starts gets its own control socket (tests run in
# parallel, and /run/tend.sock may belong to a real tend); tendctl finds it
# the same way. A test about the default path unsets it.
TEND_SOCKET=$T/tend.sock
export TEND_SOCKET

# A sanitizer build's tend, tendctl and helpers write their reports (ASan,
# LeakSanitizer at exit, UBSan) to files here, not to a stderr the test
# may never read; done_testing fails the test on any of them. A test that
# makes LeakSanitizer itself fail (too few fds, ptrace) sets
# ASAN_OPTIONS=detect_leaks=0 for that command.
SAN_DIR=$T/san
mkdir "$SAN_DIR" && chmod 1777 "$SAN_DIR"
export ASAN_OPTIONS="log_path=$SAN_DIR/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$SAN_DIR/ubsan:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# A prefix for a command run with too few fds: LeakSanitizer needs some at
# exit and, writing to log_path, spins forever when it has none.
NOLEAKS="env ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0"

# --- TAP -------------------------------------------------------------------

_tap_plan='' _tap_n=0 _tap_failed=0

plan() {
	_tap_plan=$1
	echo "1..$1"
}

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# diag_file FILE: a file's contents as diagnostics (on a failure).
diag_file() {
	if [ -s "$1" ]; then
		diag "--- $1:"
		sed 's/^/#   /' "$1" | head -n 40
	else
		diag "--- $1: (empty or missing)"
	fi
}

pass() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1"
}

fail() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $1"
}

# ok DESC CMD [ARG...]: passes when CMD succeeds.
ok() {
	local desc=$1
	shift
	if "$@"; then
		pass "$desc"
	else
		fail "$desc"
		diag "  failed: $*"
		return 1
	fi
}

# is GOT WANT DESC: string equality.
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3"
		diag "  got:  '$1'" "  want: '$2'"
		return 1
	fi
}

# like GOT ERE DESC: GOT matches the extended regex ERE.
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3"
		diag "  got:  '$1'" "  want a match for: $2"
		return 1
	fi
}

# between GOT LO HI DESC: integer LO <= GOT <= HI (timings, in ms).
between() {
	if [ -n "$1" ] && [ "$1" -ge "$2" ] 2>/dev/null && [ "$1" -le "$3" ]
	then
		pass "$4"
	else
		fail "$4"
		diag "  got $1, want $2..$3"
		return 1
	fi
}

# skip N REASON: N skipped tests.
skip() {
	local i=0
	while [ "$i" -lt "$1" ]; do
		_tap_n=$((_tap_n + 1))
		echo "ok $_tap_n # SKIP $2"
		i=$((i + 1))
	done
}

bail_out() {
	echo "Bail out! $*"
	exit 1
}

# done_testing: the exit status the TAP driver expects. ("done" is a
# shell keyword, hence the name.)
done_testing() {
	local f
	for f in "$SAN_DIR"/*; do
		[ -e "$f" ] || continue
		diag_file "$f"
		echo "Bail out! sanitizer report: $(basename "$f")"
		exit 1
	done
	if [ -n "$_tap_plan" ] && [ "$_tap_n" -ne "$_tap_plan" ]; then
		diag "planned $_tap_plan tests but ran $_tap_n"
		exit 1
	fi
	[ "$_tap_failed" -eq 0 ] || exit 1
	exit 0
}

# --- cleanup -----------------------------------------------------------------

_sessions='' _pids='' _subshells=''

# track_pid PID: kill PID at exit (for processes that left our sessions,
# such as a daemon that called setsid()).
track_pid() {
	_pids="$_pids $1"
}

# track_session SID: kill session SID (and its descendants) at exit, for a
# session started by something else than bg_start (ptyrun's child).
track_session() {
	_sessions="$_sessions $1"
}

# The members of the sessions SID... (each run started by bg_start has its
# own) and their descendants: config-mode workers are sessions of their
# own, children of a member, and so are their children's sessions.
session_members() {
	ps -eo pid=,ppid=,sid= | awk -v s="$*" '
	BEGIN { n = split(s, a, " "); for (i = 1; i <= n; i++) in_s[a[i]] = 1 }
	{ pid[NR] = $1; pp[NR] = $2; sid[NR] = $3 }
	END {
		for (i = 1; i <= NR; i++)
			if (sid[i] in in_s)
				k[pid[i]] = 1
		do {
			more = 0
			for (i = 1; i <= NR; i++)
				if (!(pid[i] in k) && (pp[i] in k || sid[i] in k)) {
					k[pid[i]] = 1
					more = 1
				}
		} while (more)
		for (p in k)
			print p
	}'
}

_cleanup() {
	local rc=$? pid pids
	trap - EXIT
	# One snapshot, all stopped first: once tend is gone its workers'
	# parent is someone else, and a tend still running could start more.
	pids=$(session_members $_sessions)
	for pid in $pids; do
		kill -STOP "$pid" 2>/dev/null
	done
	for pid in $pids; do
		kill -KILL "$pid" 2>/dev/null
	done
	for pid in $_pids $_subshells; do
		kill -KILL "$pid" 2>/dev/null
	done
	rm -rf "$T"
	exit "$rc"
}
trap _cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# --- time and waiting --------------------------------------------------------

if [ -n "${EPOCHREALTIME:-}" ]; then
	now_ms() {
		local t=${EPOCHREALTIME//[!0-9]/}
		echo $((10#$t / 1000))
	}
else
	now_ms() {
		date +%s%3N
	}
fi

# to_ms SECONDS: "2", "0.5", "1.25" -> milliseconds.
to_ms() {
	local i f
	case $1 in
	*.*)
		i=${1%%.*} f=${1#*.}000
		f=${f:0:3}
		echo $(( ${i:-0} * 1000 + 10#$f ))
		;;
	*) echo $(($1 * 1000)) ;;
	esac
}

# wait_until TIMEOUT CMD [ARG...]: polls CMD every 20 ms until it succeeds
# (0) or TIMEOUT seconds pass (1).
wait_until() {
	local deadline
	deadline=$(( $(now_ms) + $(to_ms "$1") ))
	shift
	while ! "$@"; do
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		sleep 0.02
	done
	return 0
}

# pid_alive PID: PID exists and is not a zombie.
pid_alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $st in
	Z*|'') return 1 ;;
	esac
	return 0
}

pid_dead() {
	! pid_alive "$1"
}

# pid_gone PID: no such process at all, not even a zombie (reaped).
pid_gone() {
	! [ -e "/proc/$1" ]
}

wait_for_file() {
	wait_until "$2" test -e "$1"
}

# wait_for_exit PID TIMEOUT: PID has exited (gone, or a zombie).
wait_for_exit() {
	wait_until "$2" pid_dead "$1"
}

_log_has() {
	[ -f "$1" ] && grep -Eq -- "$2" "$1"
}

# wait_for_log FILE ERE TIMEOUT: a line of FILE matches ERE.
wait_for_log() {
	wait_until "$3" _log_has "$1" "$2"
}

# ini NAME TEXT: writes TEXT to $T/NAME.ini.
ini() {
	printf '%s\n' "$2" >"$T/$1.ini"
}

# --- the control socket ------------------------------------------------------

# get PATH, code PATH: a GET on $TEND_SOCKET, its body or its status code.
get() {
	curl -s -m 5 --unix-socket "$TEND_SOCKET" "http://localhost$1"
}
code() {
	curl -s -m 5 -o /dev/null -w '%{http_code}' \
	    --unix-socket "$TEND_SOCKET" "http://localhost$1"
}
# metric NAME: its value in /metrics (NAME with its labels, if any).
metric() {
	get /metrics | awk -v m="$1" '$1 == m { print $2 }'
}
# inst PROGRAM JQ: a field of the program's instance 0 in /status;
# inst_is PROGRAM JQ WANT.
inst() {
	get /status | jq -r --arg p "$1" \
	    ".programs[] | select(.name == \$p) | .instances[0] | $2"
}
inst_is() { [ "$(inst "$1" "$2")" = "$3" ]; }

# --- background runs -----------------------------------------------------------

# What bg_start runs its command under: every signal disposition back to
# the default, as a container runtime or a login shell would start tend
# (a non-interactive shell starts background jobs with INT and QUIT
# ignored). A test may add --ignore-signal=... or --block-signal=....
BG_ENV="env --default-signal"

# bg_start NAME CMD [ARG...]: runs CMD in its own session (setsid), stdin
# from /dev/null, stdout to $T/NAME.out, stderr to $T/NAME.err; its exit
# status lands in $T/NAME.rc when it ends, its pid in $T/NAME.bgpid. Sets
# BG_PID (CMD's pid). A test keeps its own files off those names.
bg_start() {
	local name=$1
	shift
	rm -f "$T/$name.bgpid" "$T/$name.rc" "$T/$name.out" "$T/$name.err"
	(
		trap - EXIT HUP INT TERM
		# shellcheck disable=SC2086
		$BG_ENV setsid "$@" <"/dev/null" >"$T/$name.out" \
		    2>"$T/$name.err" &
		echo $! >"$T/$name.bgpid.tmp"
		mv "$T/$name.bgpid.tmp" "$T/$name.bgpid"
		wait $!
		echo $? >"$T/$name.rc.tmp"
		mv "$T/$name.rc.tmp" "$T/$name.rc"
	) &
	_subshells="$_subshells $!"
	wait_for_file "$T/$name.bgpid" 10 || bail_out "bg_start $name: no pid"
	BG_PID=$(cat "$T/$name.bgpid")
	# setsid() makes the process a session of its own: sid == pid.
	_sessions="$_sessions $BG_PID"
}

# bg_wait NAME TIMEOUT: waits for NAME to end; sets BG_RC to its exit status
# ("timeout" if it is still running at the deadline, and returns 1).
bg_wait() {
	if wait_for_file "$T/$1.rc" "$2"; then
		BG_RC=$(cat "$T/$1.rc")
		return 0
	fi
	BG_RC=timeout
	return 1
}

# tend_start NAME [TEND ARG...]: bg_start of $TEND; sets TEND_PID.
# TEND_WRAP, when set, goes before $TEND (e.g. "unshare --pid --fork").
TEND_WRAP=
tend_start() {
	local name=$1
	shift
	# shellcheck disable=SC2086
	bg_start "$name" $TEND_WRAP "$TEND" "$@"
	TEND_PID=$BG_PID
}

# tend_wait NAME TIMEOUT: bg_wait, with TEND_RC set.
tend_wait() {
	bg_wait "$@"
	local r=$?
	TEND_RC=$BG_RC
	return $r
}

# tend_run NAME TIMEOUT [TEND ARG...]: runs tend to its end (in its own
# session, killed at TIMEOUT); sets TEND_RC, stdout and stderr in
# $T/NAME.out and $T/NAME.err.
tend_run() {
	local name=$1 timeout=$2
	shift 2
	tend_start "$name" "$@"
	tend_wait "$name" "$timeout"
}

# read_pid FILE: the pid a helper wrote, waiting up to 5 s for the file.
read_pid() {
	wait_for_file "$1" 15 && cat "$1"
}

[ -x "$TEND" ] || bail_out "TEND=$TEND is not executable (make src/tend)"
[ -x "$HELPERS/sigdump" ] && [ -x "$HELPERS/spawn-orphans" ] ||
    bail_out "no helpers in HELPERS=$HELPERS (make tests/helpers/sigdump" \
    "tests/helpers/spawn-orphans)"
