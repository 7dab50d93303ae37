#!/bin/bash
# 10-exit-status.sh: wrapper mode exits with the child's status: its exit
# code, or 128+N when signal N killed it.
. "$(dirname "$0")/lib.sh"

plan 5

tend_run exit0 10 -- sh -c 'exit 0'
is "$TEND_RC" 0 "child exits 0: tend exits 0"

tend_run exit3 10 -- sh -c 'exit 3'
is "$TEND_RC" 3 "child exits 3: tend exits 3"

tend_run exit255 10 -- sh -c 'exit 255'
is "$TEND_RC" 255 "child exits 255: tend exits 255"

tend_run kill9 10 -- sh -c 'kill -KILL $$'
is "$TEND_RC" 137 "child killed by SIGKILL: tend exits 137"

tend_run kill15 10 -- sh -c 'kill -TERM $$'
is "$TEND_RC" 143 "child killed by SIGTERM: tend exits 143"

done_testing
