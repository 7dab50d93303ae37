/*
 * sleeper.c: the worker every supervisor runs in bench/run.sh. It waits
 * for a signal and nothing else, so the default dispositions end it at
 * once on TERM (or HUP, INT, ...). Arguments are ignored, so runit's and
 * s6's `run` can be a symlink to it, with no shell in between: every tool
 * then execs the same small binary.
 *
 * usage: sleeper [ANYTHING...]
 */
#include <unistd.h>

int
main(void)
{
	for (;;)
		pause();
}
