/*
 * reaper.h: the one ev_child (pid 0) that reaps every child of tend, its
 * instances' main processes and adopted orphans alike.
 */
#ifndef REAPER_H
#define REAPER_H

#include "tend.h"

void reaper_start(struct tend *t);
void reaper_stop(struct tend *t);

#endif
