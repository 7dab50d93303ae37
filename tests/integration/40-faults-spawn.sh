#!/bin/bash
# 40-faults-spawn.sh: faults in starting a program, in config mode next to
# a healthy one: a missing binary, a file without the x bit, a directory
# that does not exist, and fork failing (RLIMIT_NPROC as an unprivileged
# user). Each time tend logs a line naming the program, the call and
# strerror, retries with backoff, leaves the healthy program alone (same
# pid, running), keeps answering on its control socket and shuts down
# cleanly (exit 0).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.sh"

plan 32

fault missing "^tend: error: bad:0: spawn: exec\\($T/no-such-binary\\): No such file or directory$" \
    "missing binary" "command = $T/no-such-binary"

printf '#!/bin/sh\nexit 0\n' >"$T/not-executable"
chmod 644 "$T/not-executable"
fault noexec \
    "^tend: error: bad:0: spawn: exec\\($T/not-executable\\): Permission denied$" \
    "no x permission" "command = $T/not-executable"

fault nodir \
    "^tend: error: bad:0: spawn: chdir\\($T/no/such/dir\\): No such file or directory$" \
    "missing directory" "command = /bin/true" "directory = $T/no/such/dir"

# fork failing: root is exempt from RLIMIT_NPROC, so tend runs as a uid
# of its own (no other process has it: the count is exact and no parallel
# test disturbs it) with room for 2 processes, itself and "ok". "bad"'s
# vfork then fails with EAGAIN.
if unpriv && command -v prlimit >/dev/null; then
	TEND_AS="$TEND_AS prlimit --nproc=2"
	fault nproc \
	    '^tend: error: bad:0: spawn: vfork: Resource temporarily unavailable$' \
	    "fork fails (RLIMIT_NPROC)" "command = sleep 100000"
else
	skip 8 "fork failure: needs root, setpriv and prlimit"
fi

done_testing
