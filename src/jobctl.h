/*
 * jobctl.h: job control (jobctl.c): what tend does when a terminal or a
 * signal asks it, or the child that owns the terminal, to stop or go on.
 */
#ifndef JOBCTL_H
#define JOBCTL_H

#include <sys/types.h>

#include "tend.h"

/* A child was stopped by sig (the reaper saw it). */
void jobctl_child_stopped(struct tend *t, pid_t pid, int sig);
/* A child exited: the terminal comes back to tend if it had it. */
void jobctl_child_exited(struct tend *t, pid_t pid);
/* SIGTSTP/TTIN/TTOU to tend with a terminal: stop the programs' groups,
 * then tend (as PID 1: ignored). */
void jobctl_tty_stop(struct tend *t, int sig);
/* SIGCONT to tend: resume what job control stopped; 1 if it did. */
int jobctl_tty_continue(struct tend *t);

#endif
