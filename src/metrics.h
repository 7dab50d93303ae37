/*
 * metrics.h: the one registry of what tend reports. A table of instance
 * figures and a table of tend's own figures, each with its Prometheus
 * name, its /status key and one getter, feed all three renderings
 * (Prometheus text, /status JSON, tendctl's table), so they cannot drift.
 * It also owns the loop-lag probe.
 */
#ifndef METRICS_H
#define METRICS_H

#include "tend.h"
#include "util.h"

/* Starts the ev_check (pending watchers) and, when its interval is not
 * 0, the lag probe. metrics_stop stops both. */
void metrics_start(struct tend *t);
void metrics_stop(struct tend *t);

/* Records one lag sample (seconds late) in the histogram. */
void metrics_lag_record(struct loop_stats *ls, double lag);

/* Counts one control response with this status code. */
void metrics_count_request(struct tend *t, int code);

/* Appends the rendering to b (b->failed on ENOMEM). */
void metrics_prometheus(struct tend *t, struct sbuf *b);
void metrics_status_json(struct tend *t, struct sbuf *b);
void metrics_status_text(struct tend *t, struct sbuf *b);

/* The histogram's upper bounds, in seconds, ascending. */
extern const double metrics_lag_bounds[TEND_LAG_NBUCKETS];

#endif
