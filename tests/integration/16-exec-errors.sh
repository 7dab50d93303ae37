#!/bin/bash
# 16-exec-errors.sh: a COMMAND that cannot be executed ends tend with a
# shell's status (127 not found, 126 not executable) and a message on
# stderr naming it.
. "$(dirname "$0")/lib.sh"

plan 10

# exec_error NAME WANT-STATUS PATH DESC
exec_error() {
	tend_run "$1" 15 -- "$3"
	is "$TEND_RC" "$2" "$4: tend exits $2"
	ok "$4: stderr names the path" grep -Fq -- "$3" "$T/$1.err" ||
	    diag_file "$T/$1.err"
}

exec_error missing 127 "$T/no-such-program" "missing binary"
exec_error missing-path 127 no-such-program-tend-test \
    "missing binary looked up in PATH"

printf '#!/bin/sh\nexit 0\n' >"$T/not-executable"
chmod 644 "$T/not-executable"
exec_error noexec 126 "$T/not-executable" "file without x permission"

mkdir "$T/a-directory"
exec_error directory 126 "$T/a-directory" "a directory"

tend_run ok 15 -- /bin/sh -c 'exit 0'
is "$TEND_RC" 0 "an executable file runs (exit 0)"
ok "no error for it on stderr" test ! -s "$T/ok.err" || diag_file "$T/ok.err"

done_testing
