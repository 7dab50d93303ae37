/*
 * policy.h: the pure restart policy: backoff schedule, restart decision,
 * reported exit code. No state, no I/O.
 */
#ifndef POLICY_H
#define POLICY_H

struct program_config;

/* Delay before the n-th consecutive restart (n >= 1), jitter factor from
 * r in [0, 1). */
double backoff_delay(const struct program_config *c, unsigned n, double r);
/* 1 if an instance that ended with this exit should be restarted. */
int restart_wanted(const struct program_config *c, int signaled, int code,
    int spawn_failed);
/* The exit code tend reports for a wait status: code, or 128+signal. */
int status_code(int status);

#endif
