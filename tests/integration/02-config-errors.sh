#!/bin/bash
# 02-config-errors.sh: tend --check -c FILE names every problem as
# "FILE:LINE: SECTION: KEY: message" and exits 2; a good file exits 0 with
# a one-line summary; tend -c BAD refuses to start anything.
. "$(dirname "$0")/lib.sh"

plan 39

# check NAME EXPECTED-LINE CONTENT: tend --check on a file NAME.ini that
# holds CONTENT (printf format); exit 2 and EXPECTED-LINE (with FILE for
# the file's path) on stderr.
check() {
	local name=$1 want=$2 f="$T/$1.ini"
	printf "$3" >"$f"
	want=${want//FILE/$f}
	tend_run "$name" 10 --check -c "$f"
	is "$TEND_RC" 2 "$name: --check exits 2"
	ok "$name: stderr has 'FILE${want#"$f"}'" grep -Fxq -- "$want" "$T/$name.err" ||
	    diag_file "$T/$name.err"
}

P='[program:a]\ncommand = /bin/true\n'

check unknown-section \
    'FILE:3: bogus: unknown section (use [tend] or [program:NAME])' \
    "${P}[bogus]\nx = 1\n"
check unknown-key 'FILE:3: program:a: foo: unknown key' "${P}foo = 1\n"
check unknown-tend-key 'FILE:2: tend: bogus: unknown key' \
    "[tend]\nbogus = 1\n$P"
check bad-duration \
    'FILE:3: program:a: stop_timeout: "10x" is not a duration (use 10s, 500ms, 2m)' \
    "${P}stop_timeout = 10x\n"
check bad-boolean \
    'FILE:3: program:a: autostart: "maybe" is not a boolean (use yes/no, true/false, on/off, 1/0)' \
    "${P}autostart = maybe\n"
check bad-signal \
    'FILE:3: program:a: stop_signal: "NOPE" is not a signal (use TERM, SIGTERM or a number)' \
    "${P}stop_signal = NOPE\n"
check missing-command \
    'FILE:1: program:a: command: missing (every program needs one)' \
    '[program:a]\nnumprocs = 1\n'
check duplicate-program \
    'FILE:3: program:a: duplicate program (first at line 1)' "$P$P"
check numprocs-0 'FILE:3: program:a: numprocs: 0 is out of range (1..10000)' \
    "${P}numprocs = 0\n"
check numprocs-10001 \
    'FILE:3: program:a: numprocs: 10001 is out of range (1..10000)' \
    "${P}numprocs = 10001\n"
check unknown-dependency 'FILE:3: program:a: depends: unknown program "zz"' \
    "${P}depends = zz\n"
check cycle 'FILE:6: program:b: depends: dependency cycle a -> b -> a' \
    "${P}depends = b\n[program:b]\ncommand = /bin/true\ndepends = a\n"
check not-supported 'FILE:3: program:a: listen: not supported yet' \
    "${P}listen = tcp:127.0.0.1:1\n"
unset TEND_TEST_UNSET
check unset-variable \
    'FILE:3: program:a: directory: ${TEND_TEST_UNSET} is not set' \
    "${P}directory = \${TEND_TEST_UNSET}\n"

# Every problem, not only the first.
f="$T/three.ini"
printf "${P}foo = 1\nstop_timeout = 1y\n[zz]\n" >"$f"
tend_run three 10 --check -c "$f"
is "$TEND_RC" 2 "three problems: exit 2"
ok "three problems: all three printed" test "$(grep -c "^$f:[0-9]*: " \
    "$T/three.err")" -eq 3 || diag_file "$T/three.err"
ok "three problems: in file order" grep -Fxq -- "$f:3: program:a: foo: unknown key" \
    "$T/three.err"
ok "three problems: the last one too" grep -Fxq -- \
    "$f:5: zz: unknown section (use [tend] or [program:NAME])" "$T/three.err"

# A good file: exit 0, one summary line on stdout, nothing on stderr.
f="$T/good.ini"
printf '[tend]\nlog_level = info\n%bnumprocs = 2\n[program:b]\ncommand = /bin/true\ndepends = a\n' \
    "$P" >"$f"
tend_run good 10 --check -c "$f"
is "$TEND_RC" 0 "valid file: --check exits 0"
is "$(wc -l <"$T/good.out" | tr -d ' ')" 1 "valid file: one line on stdout"
like "$(cat "$T/good.out")" "^$f: .*2 programs.*3 instances" \
    "valid file: the summary counts programs and instances"

# Not --check: the same refusal, and the good program in the file never ran.
f="$T/bad.ini"
printf '[program:a]\ncommand = /usr/bin/touch %s\n[program:b]\ncommand = /bin/true\nfoo = 1\n' \
    "$T/bad.ran" >"$f"
tend_run bad 10 -c "$f"
is "$TEND_RC" 2 "tend -c BAD exits 2"
ok "tend -c BAD names the problem" grep -Fxq -- \
    "$f:5: program:b: foo: unknown key" "$T/bad.err" || diag_file "$T/bad.err"
ok "tend -c BAD started nothing" test ! -e "$T/bad.ran"

# The demo configuration (it may not exist yet).
demo=$top_srcdir/etc/tend.ini
if [ -f "$demo" ]; then
	tend_run demo 10 --check -c "$demo"
	is "$TEND_RC" 0 "etc/tend.ini passes --check" || diag_file "$T/demo.err"
else
	skip 1 "no etc/tend.ini"
fi

done_testing
