/*
 * signals.h: one signalfd for every signal tend handles: shutdown on
 * TERM/INT, job control on TSTP/TTIN/TTOU, forwarding for the rest, and
 * SIGCHLD for the reaper.
 */
#ifndef SIGNALS_H
#define SIGNALS_H

#include "tend.h"

/* Records the mask and SIG_IGN set tend inherited, for its children. */
void signals_save_inherited(struct tend *t);
/* Blocks the signals and opens the signalfd: -1, logged, if it cannot. */
int signals_start(struct tend *t);
void signals_stop(struct tend *t);

#endif
