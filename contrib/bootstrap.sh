#!/bin/sh
# contrib/bootstrap.sh demo|test
#
# On a fresh Debian 12 machine, as root: installs what is missing, builds
# tend, then either runs it on the demo configuration (demo) or runs the
# whole test suite (test): make check in a plain build and in an
# AddressSanitizer + UndefinedBehaviorSanitizer build, and a bounded fuzz
# run of every parser. Ends with "N passed, N failed, N skipped".
set -eu

mode="${1:-}"
case "$mode" in
demo|test) ;;
*) echo "usage: sh contrib/bootstrap.sh demo|test" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

# systemd: for systemd-notify, which the demo's workers speak to tend with.
pkgs="gcc make autoconf automake libtool pkg-config libev-dev libinih-dev
libsystemd-dev procps systemd"
# The tests read the control socket with curl and jq and check /metrics
# with promtool (in the prometheus package); one holds a syscall with
# strace; a notify test worker is
# written in Python with only its standard library.
[ "$mode" = test ] && pkgs="$pkgs util-linux psmisc strace clang libclang-rt-14-dev
curl jq prometheus python3"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "bootstrap: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# Install only: a package's service (prometheus) is not started.
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=/usr/sbin/policy-rc.d
	fi
	rc=0
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing || rc=$?
	[ -z "$policy" ] || rm -f "$policy"
	[ "$rc" -eq 0 ] || exit "$rc"
fi

build() {	# build DIR [CONFIGURE-ARGS]: an out-of-tree build in DIR
	dir=$1; shift
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q --enable-werror "$@" &&
	    make -s -j"$jobs")
}

[ -x configure ] || autoreconf -fi
if [ -f Makefile ]; then
	echo "bootstrap: the source tree is configured in place;" \
	    "run 'make distclean' first" >&2
	exit 2
fi

if [ "$mode" = demo ]; then
	build build
	echo "bootstrap: running build/src/tend -c etc/tend.ini (Ctrl-C drains" \
	    "and stops)"
	TEND_DEMO_DIR="$top/contrib" exec build/src/tend -c etc/tend.ini
fi

status=0
summary=""
check() {	# check NAME DIR: make check, keep the TAP counts
	name=$1 dir=$2
	if ! (cd "$dir" && make -s -j"$jobs" check >"$dir/check.out" 2>&1); then
		status=1
		cat "$dir/test-suite.log" 2>/dev/null | tail -n 80 || true
	fi
	grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' "$dir/check.out" |
	    sed "s/^/$name: /"
	summary="$summary $(grep -E '^# (PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' \
	    "$dir/check.out" | tr -d '# ' | tr '\n' ' ')"
}

# A build that fails counts as one failure and its checks are not run, so
# the summary line below is printed whatever happens.
build_failed=0
build_check() {	# build_check NAME DIR [CONFIGURE-ARGS]
	name=$1 dir=$2; shift 2
	if build "$dir" "$@"; then
		check "$name" "$dir"
	else
		echo "FAILED: the $name build in $dir" >&2
		build_failed=$((build_failed + 1)); status=1
	fi
}
build_check plain "$top/build"
build_check sanitizers "$top/build-san" --enable-sanitizers

# Extra checks outside make check, each one pass or fail.
extra_pass=0 extra_fail=0
extra() {	# extra NAME COMMAND...
	name=$1; shift
	if "$@"; then
		extra_pass=$((extra_pass + 1)); echo "ok: $name"
	else
		extra_fail=$((extra_fail + 1)); status=1; echo "FAILED: $name"
	fi
}
no_libsystemd() {
	build "$top/build-nosd" --without-libsystemd >"$top/build-nosd.out" 2>&1 &&
	    ! ldd "$top/build-nosd/src/tend" | grep -q libsystemd
}
extra "--without-libsystemd links no libsystemd" no_libsystemd
extra "fuzz every parser" sh tests/fuzz/run.sh "${TEND_FUZZ_SECONDS:-60}"

echo "$summary" | tr ' ' '\n' | awk -F: -v fp="$extra_pass" -v ff="$((extra_fail + build_failed))" '
	$1 == "PASS" || $1 == "XFAIL" { pass += $2 }
	$1 == "FAIL" || $1 == "XPASS" || $1 == "ERROR" { fail += $2 }
	$1 == "SKIP" { skip += $2 }
	END { printf "%d passed, %d failed, %d skipped\n", pass + fp, fail + ff, skip }'
exit $status
