/*
 * reaper.h: reaps every child of tend, its instances' main processes and
 * adopted orphans alike; signals.c calls it on SIGCHLD.
 */
#ifndef REAPER_H
#define REAPER_H

#include "tend.h"

/* Reaps until no child is waiting, then lets the state machines go on. */
void reaper_reap(struct tend *t);

#endif
