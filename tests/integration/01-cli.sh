#!/bin/bash
# 01-cli.sh: the command line: --version, --help naming every option SPEC
# lists, tendctl --help, and usage errors (exit 2, a message naming the
# option, nothing started).
. "$(dirname "$0")/lib.sh"

OPTIONS="-c --config -s --socket -n --numprocs --restart --stop-timeout
--stop-signal --log-level --log-format -g --group -q -v --check"
set -- $OPTIONS
plan $((2 + 2 + $# + 6 * 3 + 2))

tend_run version 10 --version
is "$TEND_RC" 0 "--version exits 0"
like "$(cat "$T/version.out")" '^tend [0-9]+\.[0-9]+' \
    "--version prints 'tend VERSION' on stdout"

tend_run help 10 --help
is "$TEND_RC" 0 "--help exits 0"
like "$(head -n 1 "$T/help.out")" '^usage: tend ' "--help prints usage on stdout"
for opt in $OPTIONS; do
	# An option stands alone: "-c," or "--config FILE", not "-cx".
	ok "--help lists $opt" grep -Eq -- "(^|[[:space:],/])$opt([[:space:],=/]|\$)" \
	    "$T/help.out" || diag_file "$T/help.out"
done

# usage_error NAME ERE DESC TEND-ARGS...: exit 2, stderr matches ERE, and
# the command (which would touch $T/NAME.ran) did not run.
usage_error() {
	local name=$1 re=$2 desc=$3
	shift 3
	tend_run "$name" 10 "$@"
	is "$TEND_RC" 2 "$desc: exit status 2"
	ok "$desc: the message names the problem" grep -Eq -- "$re" \
	    "$T/$name.err" || diag_file "$T/$name.err"
	ok "$desc: nothing started" test ! -e "$T/$name.ran"
}

usage_error nocmd 'COMMAND' "no command"
usage_error timeout '--stop-timeout.*10x' "--stop-timeout 10x" \
    --stop-timeout 10x -- touch "$T/timeout.ran"
usage_error signal '--stop-signal.*NOPE' "--stop-signal NOPE" \
    --stop-signal NOPE -- touch "$T/signal.ran"
usage_error numprocs '(--numprocs|-n).*0' "-n 0" \
    -n 0 -- touch "$T/numprocs.ran"
printf '[program:a]\ncommand = /bin/true\n' >"$T/ok.ini"
usage_error both '-c|--config' "-c together with a command" \
    -c "$T/ok.ini" -- touch "$T/both.ran"
usage_error unknown 'bogus' "an unknown option" \
    --bogus -- touch "$T/unknown.ran"

bg_start ctlhelp "$TENDCTL" --help
bg_wait ctlhelp 10
is "$BG_RC" 0 "tendctl --help exits 0"
like "$(cat "$T/ctlhelp.out")" 'usage: tendctl' "tendctl --help prints usage"

done_testing
