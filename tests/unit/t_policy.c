/*
 * t_policy.c: the pure restart policy of program.c: the backoff schedule
 * and its jitter, the restart decision, the exit code tend reports for a
 * wait status, and the SPEC names of the instance states. The configs come
 * from config_add_program, so they start from the real defaults.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "config.h"
#include "program.h"

static struct config *cfg;

/* A program with every default, then the backoff fields given. */
static struct program_config *
prog(double initial, double multiplier, double max, double jitter)
{
	struct program_config *c;
	char name[16];

	snprintf(name, sizeof(name), "p%zu", cfg->nprograms);
	if ((c = config_add_program(cfg, name)) == NULL) {
		diag("config_add_program: out of memory");
		exit(1);
	}
	c->backoff_initial = initial;
	c->backoff_multiplier = multiplier;
	c->backoff_max = max;
	c->backoff_jitter = jitter;
	return c;
}

static void
test_backoff(void)
{
	static const double doubling[] = {
		0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30,
	};
	struct program_config *c;
	double d, prev;
	unsigned n;
	int bad;

	c = prog(0.2, 2, 30, 0);
	for (n = 1; n <= 10; n++)
		is_dbl(backoff_delay(c, n, 0.5), doubling[n - 1], 1e-9,
		    "200ms x2, no jitter: delay %u = %g", n, doubling[n - 1]);
	is_dbl(backoff_delay(c, 0, 0.5), 0, 0, "n = 0: no delay");
	for (bad = 0, prev = 0, n = 1; n <= 2000; n++) {
		d = backoff_delay(c, n, 0.5);
		if (d < prev || d > 30 || !isfinite(d))
			bad++;
		prev = d;
	}
	is_int(bad, 0, "the delay never shrinks and never passes the cap");
	ok(backoff_delay(c, 100000, 0.5) == 30,
	    "n = 100000 gives backoff_max exactly");

	c = prog(0.2, 1000, 30, 0);
	is_dbl(backoff_delay(c, 1, 0.5), 0.2, 1e-9, "x1000: first is 200ms");
	ok(backoff_delay(c, 2, 0.5) == 30, "x1000: second is capped");
	d = backoff_delay(c, 100000, 0.5);
	ok(d == 30, "x1000, n = 100000: exactly backoff_max (got %g)", d);
	d = backoff_delay(c, UINT_MAX, 0.5);
	ok(d == 30, "x1000, n = UINT_MAX: exactly backoff_max (got %g)", d);
	c->backoff_jitter = 0.1;
	d = backoff_delay(c, UINT_MAX, 0.999999);
	ok(isfinite(d) && d > 30 && d <= 33,
	    "x1000, n = UINT_MAX, jittered: finite, within 1.1x (got %g)", d);
	d = backoff_delay(c, UINT_MAX, 0);
	ok(isfinite(d) && fabs(d - 27) < 1e-9,
	    "x1000, n = UINT_MAX, r = 0: 0.9x the cap (got %g)", d);

	c = prog(0.2, 1, 30, 0);
	is_dbl(backoff_delay(c, 1, 0.5), 0.2, 1e-12, "x1: delay 1 is 200ms");
	is_dbl(backoff_delay(c, 7, 0.5), 0.2, 1e-12, "x1: delay 7 is 200ms");
	is_dbl(backoff_delay(c, UINT_MAX, 0.5), 0.2, 1e-12,
	    "x1: delay UINT_MAX is 200ms");

	c = prog(0, 2, 30, 0.1);
	ok(backoff_delay(c, 1, 0.9) == 0 && backoff_delay(c, 50, 0.1) == 0 &&
	    backoff_delay(c, UINT_MAX, 0) == 0,
	    "backoff_initial = 0: never a delay, jitter or not");
	c->backoff_multiplier = 1000;
	ok(backoff_delay(c, UINT_MAX, 0.5) == 0,
	    "backoff_initial = 0, x1000, n = UINT_MAX: 0, not NaN");

	c = prog(60, 2, 30, 0);
	is_dbl(backoff_delay(c, 1, 0.5), 30, 0,
	    "backoff_initial above backoff_max: capped from the first");
	c = prog(0.1, 2, 0, 0);
	is_dbl(backoff_delay(c, 5, 0.5), 0, 0, "backoff_max = 0: no delay");

	/* Jitter scales by 1 + j * (2r - 1), r in [0, 1). */
	c = prog(0.2, 2, 30, 0.1);
	is_dbl(backoff_delay(c, 3, 0), 0.72, 1e-9, "jitter 0.1, r = 0: 0.9x");
	is_dbl(backoff_delay(c, 3, 0.5), 0.8, 1e-12,
	    "jitter 0.1, r = 0.5: 1.0x");
	is_dbl(backoff_delay(c, 3, 1 - 1e-12), 0.88, 1e-9,
	    "jitter 0.1, r -> 1: 1.1x");
	is_dbl(backoff_delay(c, 3, 0.25), 0.76, 1e-9,
	    "jitter 0.1, r = 0.25: 0.95x");
	is_dbl(backoff_delay(c, 0, 0.99), 0, 0, "jitter 0.1, n = 0: still 0");
	for (bad = 0, n = 1; n <= 40; n++) {
		double base = fmin(30, 0.2 * pow(2, n - 1));

		for (d = 0; d < 1; d += 0.125) {
			double got = backoff_delay(c, n, d);

			if (got < 0.9 * base - 1e-9 || got > 1.1 * base + 1e-9)
				bad++;
		}
	}
	is_int(bad, 0, "jittered delays stay in [0.9, 1.1] x the base");

	c = prog(0.2, 2, 30, 1);
	is_dbl(backoff_delay(c, 2, 0), 0, 1e-12, "jitter 1, r = 0: 0x");
	is_dbl(backoff_delay(c, 2, 0.75), 0.6, 1e-9, "jitter 1, r = .75: 1.5x");

	/* The defaults (100ms, x2, 30s, jitter 0.1) from the key table. */
	config_free(cfg);
	cfg = config_new("t.ini");
	c = config_add_program(cfg, "defaults");
	is_dbl(backoff_delay(c, 1, 0.5), 0.1, 1e-9, "defaults: 100ms first");
	is_dbl(backoff_delay(c, 4, 0.5), 0.8, 1e-9, "defaults: 800ms fourth");
	is_dbl(backoff_delay(c, 50, 0), 27, 1e-9,
	    "defaults: capped at 30s, jitter down to 27s");
}

static void
test_restart(void)
{
	struct program_config *c = prog(0.1, 2, 30, 0);

	/* Arguments: signaled, code, spawn_failed. */
	c->restart = RESTART_ALWAYS;
	ok(restart_wanted(c, 0, 0, 0) == 1, "always: after exit 0");
	ok(restart_wanted(c, 0, 1, 0) == 1, "always: after exit 1");
	ok(restart_wanted(c, 1, 143, 0) == 1, "always: after SIGTERM");
	ok(restart_wanted(c, 0, 127, 1) == 1, "always: after a failed spawn");

	c->restart = RESTART_NEVER;
	ok(restart_wanted(c, 0, 0, 0) == 0, "never: not after exit 0");
	ok(restart_wanted(c, 0, 1, 0) == 0, "never: not after exit 1");
	ok(restart_wanted(c, 1, 137, 0) == 0, "never: not after SIGKILL");
	ok(restart_wanted(c, 0, 127, 1) == 0,
	    "never: not after a failed spawn");

	/* on-failure with the default success_exit_codes = 0. */
	c->restart = RESTART_ON_FAILURE;
	ok(restart_wanted(c, 0, 0, 0) == 0, "on-failure {0}: not after 0");
	ok(restart_wanted(c, 0, 1, 0) == 1, "on-failure {0}: after 1");
	ok(restart_wanted(c, 0, 2, 0) == 1, "on-failure {0}: after 2");
	ok(restart_wanted(c, 0, 255, 0) == 1, "on-failure {0}: after 255");
	ok(restart_wanted(c, 1, 143, 0) == 1,
	    "on-failure {0}: after SIGTERM");
	ok(restart_wanted(c, 1, 0, 0) == 1,
	    "on-failure: a signal is a failure whatever the code");
	ok(restart_wanted(c, 0, 0, 1) == 1,
	    "on-failure: a failed spawn is a failure, even with code 0");
	ok(restart_wanted(c, 0, 127, 1) == 1,
	    "on-failure: a failed spawn (127) is a failure");
	ok(restart_wanted(c, 0, -1, 0) == 1 &&
	    restart_wanted(c, 0, 256, 0) == 1,
	    "on-failure: codes outside 0..255 are failures, not overreads");

	/* success_exit_codes = 0, 2 */
	memset(c->success_codes, 0, sizeof(c->success_codes));
	c->success_codes[0] = c->success_codes[2] = 1;
	ok(restart_wanted(c, 0, 0, 0) == 0, "on-failure {0,2}: not after 0");
	ok(restart_wanted(c, 0, 2, 0) == 0, "on-failure {0,2}: not after 2");
	ok(restart_wanted(c, 0, 1, 0) == 1, "on-failure {0,2}: after 1");
	ok(restart_wanted(c, 0, 3, 0) == 1, "on-failure {0,2}: after 3");
	ok(restart_wanted(c, 1, 2, 0) == 1,
	    "on-failure {0,2}: after a signal");
	ok(restart_wanted(c, 0, 2, 1) == 1,
	    "on-failure {0,2}: after a failed spawn");

	/* The key table's default is on-failure. */
	c = config_add_program(cfg, "dflt");
	ok(c->restart == RESTART_ON_FAILURE &&
	    restart_wanted(c, 0, 0, 0) == 0 && restart_wanted(c, 0, 1, 0) == 1,
	    "default policy: on-failure {0}");
}

/* Forks a child that ends as told, reaps it and returns its wait status. */
static int
child_status(int sig, int code)
{
	pid_t pid;
	int st;

	fflush(stdout);
	if ((pid = fork()) == -1) {
		diag("fork failed");
		return -1;
	}
	if (pid == 0) {
		sigset_t all;

		if (sig != 0) {
			signal(sig, SIG_DFL);
			sigemptyset(&all);
			sigprocmask(SIG_SETMASK, &all, NULL);
			kill(getpid(), sig);
		}
		_exit(code);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			diag("waitpid: %s", strerror(errno));
			return -1;
		}
	return st;
}

static void
test_status(void)
{
	int st;

	is_int(status_code(W_EXITCODE(0, 0)), 0, "exit 0 -> 0");
	is_int(status_code(W_EXITCODE(1, 0)), 1, "exit 1 -> 1");
	is_int(status_code(W_EXITCODE(42, 0)), 42, "exit 42 -> 42");
	is_int(status_code(W_EXITCODE(255, 0)), 255, "exit 255 -> 255");
	is_int(status_code(W_EXITCODE(0, SIGTERM)), 143, "SIGTERM -> 143");
	is_int(status_code(W_EXITCODE(0, SIGKILL)), 137, "SIGKILL -> 137");
	is_int(status_code(W_EXITCODE(0, SIGINT)), 130, "SIGINT -> 130");
	is_int(status_code(W_EXITCODE(0, SIGSEGV) | WCOREFLAG), 139,
	    "SIGSEGV with a core dump -> 139");
	is_int(status_code(W_EXITCODE(0, SIGRTMAX)), 128 + SIGRTMAX,
	    "SIGRTMAX -> 128 + SIGRTMAX");

	st = child_status(0, 3);
	is_int(status_code(st), 3, "a real child exiting 3 -> 3");
	st = child_status(0, 0);
	is_int(status_code(st), 0, "a real child exiting 0 -> 0");
	st = child_status(SIGTERM, 0);
	ok(WIFSIGNALED(st) && status_code(st) == 143,
	    "a real child killed by SIGTERM -> 143 (got %d)", status_code(st));
	st = child_status(SIGKILL, 0);
	ok(WIFSIGNALED(st) && status_code(st) == 137,
	    "a real child killed by SIGKILL -> 137 (got %d)", status_code(st));
}

static void
test_states(void)
{
	static const char *want[INST_NSTATES] = {
		"stopped", "starting", "running", "backoff", "stopping",
		"exited", "fatal",
	};
	static const enum inst_state states[INST_NSTATES] = {
		INST_STOPPED, INST_STARTING, INST_RUNNING, INST_BACKOFF,
		INST_STOPPING, INST_EXITED, INST_FATAL,
	};

	is_int(INST_NSTATES, 7, "seven states, as SPEC lists");
	for (int i = 0; i < INST_NSTATES; i++)
		is_str(inst_state_name(states[i]), want[i],
		    "state %d is \"%s\"", i, want[i]);
}

int
main(void)
{
	plan(82);
	if ((cfg = config_new("t.ini")) == NULL)
		return 1;
	test_backoff();
	test_restart();
	test_status();
	test_states();
	config_free(cfg);
	return done();
}
