/*
 * policy.c: the pure rules of restarting: the backoff schedule, whether an
 * exit calls for a restart, and the exit code tend reports for a wait
 * status. No state, no I/O: program.c applies them, t_policy tests them.
 */
#include <sys/wait.h>

#include "config.h"
#include "policy.h"
#include "util.h"

/* b to the power e by squaring, so a large e costs 32 steps at most.
 * b >= 1 (config checks it): an overflow gives inf, never NaN. */
static double
powu(double b, unsigned e)
{
	double v = 1;

	for (; e > 0; e >>= 1, b *= b)
		if (e & 1)
			v *= b;
	return v;
}

double
backoff_delay(const struct program_config *c, unsigned n, double r)
{
	double d;

	if (c->backoff_initial <= 0 || n == 0)
		return 0;
	/* initial > 0, so an inf power stays inf and dmin caps it. */
	d = dmin(c->backoff_max,
	    c->backoff_initial * powu(c->backoff_multiplier, n - 1));
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
