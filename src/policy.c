/*
 * policy.c: the pure rules of restarting: the backoff schedule, whether an
 * exit calls for a restart, and the exit code tend reports for a wait
 * status. No state, no I/O: program.c applies them, t_policy tests them.
 */
#include <math.h>
#include <sys/wait.h>

#include "config.h"
#include "policy.h"

double
backoff_delay(const struct program_config *c, unsigned n, double r)
{
	double d;

	if (c->backoff_initial <= 0 || n == 0)
		return 0;
	/* pow() may overflow to inf for a large n; initial > 0, so the
	 * product stays inf (never NaN) and fmin caps it. */
	d = fmin(c->backoff_max,
	    c->backoff_initial * pow(c->backoff_multiplier, (double)(n - 1)));
	return d * (1 + c->backoff_jitter * (2 * r - 1));
}

int
restart_wanted(const struct program_config *c, int signaled, int code,
    int spawn_failed)
{
	switch (c->restart) {
	case RESTART_ALWAYS:
		return 1;
	case RESTART_NEVER:
		return 0;
	default:
		return spawn_failed || signaled || code < 0 || code > 255 ||
		    !c->success_codes[code];
	}
}

int
status_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
