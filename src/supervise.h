/*
 * supervise.h: tend as a whole: which programs start when (depends), the
 * shutdown sequence (reverse depends, shutdown_delay, shutdown_timeout),
 * critical programs, the PID 1 sweep, and tend's exit status.
 */
#ifndef SUPERVISE_H
#define SUPERVISE_H

#include <sys/types.h>

#include "tend.h"
#include "util.h"

/* Builds the programs of t->cfg; 0 or -1 with errno. */
int supervise_init(struct tend *t);
void supervise_free(struct tend *t);

/* Graceful shutdown (SIGTERM, SIGINT, a critical program's end). */
void supervise_shutdown(struct tend *t, const char *why);
/* kill_signal to everything now (second SIGINT). */
void supervise_kill_all(struct tend *t, const char *why);
/* Called by the reaper after every reap. */
void supervise_reaped(struct tend *t);

int supervise_exit_status(const struct tend *t);

/*
 * 1 when tend is healthy: not shutting down, and every instance of every
 * autostart program ready, except those the operator stopped. Appends
 * "ok" or the reason (which instances are not ready) to why.
 */
int supervise_health(struct tend *t, struct sbuf *why);

#endif
