/*
 * metrics.c: what tend reports, from one registry. inst_metrics[] and
 * tend_metrics[] name each figure once (Prometheus family, /status key,
 * help, getter); the Prometheus, JSON and table renderings all walk them.
 * Counters live in the structs whose events they count; this file only
 * reads them, except for the loop-lag probe, which it owns.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tend.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "program.h"
#include "util.h"

/* 100 µs to 1 s: an idle loop sits in the first, a stalled one at the end. */
const double metrics_lag_bounds[TEND_LAG_NBUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1,
};

/* The codes tend_control_requests_total counts; the last slot is the rest. */
static const int http_codes[TEND_HTTP_NCODES] = {
	200, 202, 400, 403, 404, 405, 408, 409, 413, 414, 431, 500, 501, 503,
	505, 0,
};

/* ---- instance figures ------------------------------------------------ */

static double
get_up(const struct instance *in)
{
	return in->pid > 0;
}

static double
get_ready(const struct instance *in)
{
	return inst_is_ready(in);
}

static double
get_restarts(const struct instance *in)
{
	return (double)in->restarts;
}

static double
get_last_exit(const struct instance *in)
{
	return in->ran ? in->last_status : NAN;
}

static double
get_start_time(const struct instance *in)
{
	return in->start_wall > 0 ? in->start_wall : NAN;
}

/* Seconds left before the restart, 0 when not waiting for one. */
static double
get_backoff(const struct instance *in)
{
	if (in->state != INST_BACKOFF)
		return 0;
	return ev_timer_remaining(in->prog->tend->loop,
	    (ev_timer *)(void *)&in->timer);
}

static double
get_queue(const struct instance *in)
{
	return (double)in->queue_depth;
}

static double
get_inflight(const struct instance *in)
{
	return (double)in->inflight;
}

static double
get_watchdog(const struct instance *in)
{
	return (double)in->watchdog_timeouts;
}

struct inst_metric {
	const char	*name;		/* Prometheus family */
	const char	*json;		/* key in /status */
	const char	*type;
	const char	*help;
	double		(*get)(const struct instance *);
};

static const struct inst_metric inst_metrics[] = {
	{ "tend_worker_up", "up", "gauge",
	    "1 while the instance has a main process.", get_up },
	{ "tend_worker_ready", "ready", "gauge",
	    "1 while the instance is ready (running).", get_ready },
	{ "tend_worker_restarts_total", "restarts", "counter",
	    "Restarts tend made after the instance ended.", get_restarts },
	{ "tend_worker_last_exit_code", "last_exit_code", "gauge",
	    "Exit code of the last run, 128+N when signal N ended it.",
	    get_last_exit },
	{ "tend_worker_start_time_seconds", "start_time", "gauge",
	    "Unix time of the instance's last spawn.", get_start_time },
	{ "tend_worker_backoff_seconds", "backoff", "gauge",
	    "Seconds left before a restart, 0 when none is waiting.",
	    get_backoff },
	{ "tend_worker_queue_depth", "queue_depth", "gauge",
	    "Work items waiting, as the worker reported (QUEUE_DEPTH=).",
	    get_queue },
	{ "tend_worker_inflight", "inflight", "gauge",
	    "Work items being processed, as the worker reported (INFLIGHT=).",
	    get_inflight },
	{ "tend_worker_watchdog_timeouts_total", "watchdog_timeouts",
	    "counter", "Watchdog deadlines the instance missed.",
	    get_watchdog },
};
#define NINST_METRICS (sizeof(inst_metrics) / sizeof(inst_metrics[0]))

static const char *exit_reason_names[EXIT_NREASONS] = {
	"exited", "signaled", "killed",
};

/* ---- tend's own figures ---------------------------------------------- */

static double
get_tend_start(struct tend *t)
{
	return t->start_time;
}

static double
get_lag_max(struct tend *t)
{
	return t->loop_stats.max;
}

static double
get_iterations(struct tend *t)
{
	return (double)ev_iteration(t->loop);
}

static double
get_pending(struct tend *t)
{
	return t->loop_stats.pending;
}

static double
get_restart_queue(struct tend *t)
{
	double n = 0;

	for (size_t i = 0; i < t->nprograms; i++)
		for (size_t j = 0; j < t->programs[i].ninst; j++)
			n += t->programs[i].inst[j].state == INST_BACKOFF;
	return n;
}

static double
get_shutting_down(struct tend *t)
{
	return t->state != TEND_RUNNING;
}

static double
get_orphans(struct tend *t)
{
	return (double)t->orphans_reaped;
}

/* tend's own log and the prefixed output its streams refused. */
static double
get_log_dropped(struct tend *t)
{
	double n = (double)log_dropped_bytes();

	for (size_t i = 0; i < t->nprograms; i++)
		for (size_t j = 0; j < t->programs[i].ninst; j++)
			n += (double)t->programs[i].inst[j].out_dropped;
	return n;
}

struct tend_metric {
	const char	*name;
	const char	*json;
	const char	*type;
	const char	*help;
	double		(*get)(struct tend *);
};

static const struct tend_metric tend_metrics[] = {
	{ "tend_start_time_seconds", "start_time", "gauge",
	    "Unix time tend started.", get_tend_start },
	{ "tend_loop_lag_max_seconds", "loop_lag_max", "gauge",
	    "Largest loop lag the probe has seen since tend started.",
	    get_lag_max },
	{ "tend_loop_iterations_total", "loop_iterations", "counter",
	    "Event loop iterations.", get_iterations },
	{ "tend_loop_pending_events", "loop_pending_events", "gauge",
	    "Watchers pending after the last poll: the loop's own queue.",
	    get_pending },
	{ "tend_restart_queue_depth", "restart_queue_depth", "gauge",
	    "Instances waiting out a backoff.", get_restart_queue },
	{ "tend_shutting_down", "shutting_down", "gauge",
	    "1 once a shutdown has begun.", get_shutting_down },
	{ "tend_orphans_reaped_total", "orphans_reaped", "counter",
	    "Adopted processes (not tend's own children) reaped.",
	    get_orphans },
	{ "tend_log_dropped_bytes_total", "log_dropped_bytes", "counter",
	    "Bytes of tend's log and prefixed output its stdout or stderr "
	    "could not take.", get_log_dropped },
};
#define NTEND_METRICS (sizeof(tend_metrics) / sizeof(tend_metrics[0]))

static const char *notify_result_names[NOTIFY_NRESULTS] = {
	"accepted", "malformed", "unknown_pid", "truncated",
};

static const char *tend_state_names[] = {
	"running", "stopping", "sweeping", "done",
};

/* ---- the loop-lag probe ---------------------------------------------- */

void
metrics_lag_record(struct loop_stats *ls, double lag)
{
	size_t b = 0;

	if (!(lag >= 0))
		lag = 0;
	while (b < TEND_LAG_NBUCKETS && lag > metrics_lag_bounds[b])
		b++;
	ls->buckets[b]++;
	ls->count++;
	ls->sum += lag;
	ls->last = lag;
	if (lag > ls->max)
		ls->max = lag;
}

/*
 * A one-shot timer re-armed from its callback, so each sample is how late
 * this firing was, against CLOCK_MONOTONIC read when it was armed. libev
 * schedules from its cached time, which ev_now_update makes current.
 */
static void
probe_arm(struct tend *t)
{
	struct loop_stats *ls = &t->loop_stats;
	double iv = t->cfg->lag_probe_interval;

	ev_now_update(t->loop);
	ls->due = mono_now() + iv;
	ev_timer_set(&ls->probe, iv, 0.);
	ev_timer_start(t->loop, &ls->probe);
}

static void
probe_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct loop_stats *ls = container_of(w, struct loop_stats, probe);
	struct tend *t = ev_userdata(loop);

	metrics_lag_record(ls, mono_now() - ls->due);
	probe_arm(t);
}

/* At the highest priority the check runs first of what is pending, so
 * the count is everything else this iteration will run. */
static void
check_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct loop_stats *ls = container_of(w, struct loop_stats, check);

	ls->pending = (unsigned)ev_pending_count(loop);
}

void
metrics_start(struct tend *t)
{
	struct loop_stats *ls = &t->loop_stats;

	ev_check_init(&ls->check, check_cb);
	ev_set_priority(&ls->check, EV_MAXPRI);
	ev_check_start(t->loop, &ls->check);
	ev_init(&ls->probe, probe_cb);
	if (t->cfg->lag_probe_interval > 0)
		probe_arm(t);
}

void
metrics_stop(struct tend *t)
{
	ev_check_stop(t->loop, &t->loop_stats.check);
	ev_timer_stop(t->loop, &t->loop_stats.probe);
}

void
metrics_count_request(struct tend *t, int code)
{
	size_t i;

	for (i = 0; i < TEND_HTTP_NCODES - 1; i++)
		if (http_codes[i] == code)
			break;
	t->control_requests[i]++;
}

/* ---- rendering helpers ----------------------------------------------- */

/* A number as both formats want it: integers exactly, others to 9
 * digits; NaN as nan_text (Prometheus "NaN", JSON "null"). */
static void
put_num(struct sbuf *b, double v, const char *nan_text)
{
	if (isnan(v))
		sbuf_printf(b, "%s", nan_text);
	else if (v > -1e15 && v < 1e15 && v == (double)(long long)v)
		sbuf_printf(b, "%.0f", v);
	else
		sbuf_printf(b, "%.9g", v);
}

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void
put_json_str(struct sbuf *b, const char *s)
{
	sbuf_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sbuf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sbuf_printf(b, "\\u%04x", c);
		else
			sbuf_add(b, (const char *)&c, 1);
	}
	sbuf_add(b, "\"", 1);
}

/* A Prometheus label value: backslash, quote and newline escaped. */
static void
put_label(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			sbuf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			sbuf_add(b, "\\n", 2);
		else
			sbuf_add(b, s, 1);
	}
}

static void
put_family(struct sbuf *b, const char *name, const char *type,
    const char *help)
{
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

/* name{program="p",instance="i"[,extra]} */
static void
put_inst_labels(struct sbuf *b, const char *name, const struct instance *in,
    const char *extra_key, const char *extra_val)
{
	sbuf_printf(b, "%s{program=\"", name);
	put_label(b, in->prog->cfg->name);
	sbuf_printf(b, "\",instance=\"%u\"", in->index);
	if (extra_key != NULL) {
		sbuf_printf(b, ",%s=\"", extra_key);
		put_label(b, extra_val);
		sbuf_add(b, "\"", 1);
	}
	sbuf_add(b, "} ", 2);
}

#define FOR_EACH_INSTANCE(t, p, in)					\
	for (struct program *p = (t)->programs;				\
	    p < (t)->programs + (t)->nprograms; p++)			\
		for (struct instance *in = p->inst;			\
		    in < p->inst + p->ninst; in++)

/* ---- Prometheus ------------------------------------------------------ */

static void
prom_lag(struct tend *t, struct sbuf *b)
{
	struct loop_stats *ls = &t->loop_stats;
	unsigned long long cum = 0;

	put_family(b, "tend_loop_lag_seconds", "histogram",
	    "How late the lag probe's timer fired.");
	for (size_t i = 0; i < TEND_LAG_NBUCKETS; i++) {
		cum += ls->buckets[i];
		sbuf_printf(b, "tend_loop_lag_seconds_bucket{le=\"%g\"} %llu\n",
		    metrics_lag_bounds[i], cum);
	}
	sbuf_printf(b, "tend_loop_lag_seconds_bucket{le=\"+Inf\"} %llu\n",
	    ls->count);
	sbuf_printf(b, "tend_loop_lag_seconds_sum %.9g\n", ls->sum);
	sbuf_printf(b, "tend_loop_lag_seconds_count %llu\n", ls->count);
}

/* The labelled counters of tend itself. */
static void
prom_tend_counters(struct tend *t, struct sbuf *b)
{
	put_family(b, "tend_signals_received_total", "counter",
	    "Signals tend received, by name.");
	for (int s = 1; s < NSIG; s++)
		if (t->signals_received[s] > 0 || s == SIGTERM || s == SIGINT)
			sbuf_printf(b, "tend_signals_received_total{signal=\""
			    "%s\"} %llu\n", sig_name(s), t->signals_received[s]);
	put_family(b, "tend_notify_messages_total", "counter",
	    "Worker notify messages, by what became of them.");
	for (int r = 0; r < NOTIFY_NRESULTS; r++)
		sbuf_printf(b, "tend_notify_messages_total{result=\"%s\"} "
		    "%llu\n", notify_result_names[r], t->notify_messages[r]);
	put_family(b, "tend_control_requests_total", "counter",
	    "Control requests answered, by status code.");
	for (int i = 0; i < TEND_HTTP_NCODES; i++) {
		if (t->control_requests[i] == 0 && http_codes[i] != 200)
			continue;
		if (http_codes[i] == 0)
			sbuf_printf(b, "tend_control_requests_total{code=\""
			    "other\"} %llu\n", t->control_requests[i]);
		else
			sbuf_printf(b, "tend_control_requests_total{code=\""
			    "%d\"} %llu\n", http_codes[i],
			    t->control_requests[i]);
	}
}

static void
prom_programs(struct tend *t, struct sbuf *b)
{
	put_family(b, "tend_program_instances", "gauge",
	    "Instances of each program in each state.");
	for (size_t i = 0; i < t->nprograms; i++) {
		struct program *p = &t->programs[i];
		unsigned n[INST_NSTATES] = { 0 };

		for (size_t j = 0; j < p->ninst; j++)
			n[p->inst[j].state]++;
		for (int s = 0; s < INST_NSTATES; s++) {
			sbuf_add(b, "tend_program_instances{program=\"", 32);
			put_label(b, p->cfg->name);
			sbuf_printf(b, "\",state=\"%s\"} %u\n",
			    inst_state_name((enum inst_state)s), n[s]);
		}
	}
	for (size_t m = 0; m < NINST_METRICS; m++) {
		const struct inst_metric *im = &inst_metrics[m];

		put_family(b, im->name, im->type, im->help);
		FOR_EACH_INSTANCE(t, p, in) {
			double v = im->get(in);

			if (isnan(v))
				continue;	/* no such figure yet */
			put_inst_labels(b, im->name, in, NULL, NULL);
			put_num(b, v, "NaN");
			sbuf_add(b, "\n", 1);
		}
	}
	put_family(b, "tend_worker_exits_total", "counter",
	    "Ends of the main process: exited, signaled, or killed at a "
	    "deadline.");
	FOR_EACH_INSTANCE(t, p, in)
		for (int r = 0; r < EXIT_NREASONS; r++) {
			put_inst_labels(b, "tend_worker_exits_total", in,
			    "reason", exit_reason_names[r]);
			sbuf_printf(b, "%llu\n", in->exits[r]);
		}
}

void
metrics_prometheus(struct tend *t, struct sbuf *b)
{
	put_family(b, "tend_build_info", "gauge", "tend's version; always 1.");
	sbuf_printf(b, "tend_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
	for (size_t m = 0; m < NTEND_METRICS; m++) {
		put_family(b, tend_metrics[m].name, tend_metrics[m].type,
		    tend_metrics[m].help);
		sbuf_printf(b, "%s ", tend_metrics[m].name);
		put_num(b, tend_metrics[m].get(t), "NaN");
		sbuf_add(b, "\n", 1);
	}
	prom_lag(t, b);
	prom_tend_counters(t, b);
	prom_programs(t, b);
}

/* ---- /status JSON ---------------------------------------------------- */

static double
inst_uptime(const struct instance *in)
{
	return in->pid > 0 ? ev_now(in->prog->tend->loop) - in->spawned_at :
	    NAN;
}

static void
json_instance(struct sbuf *b, const struct instance *in)
{
	sbuf_add(b, "{\"name\":", 8);
	put_json_str(b, in->name);
	sbuf_printf(b, ",\"index\":%u,\"state\":\"%s\",\"pid\":", in->index,
	    inst_state_name(in->state));
	put_num(b, in->pid > 0 ? in->pid : NAN, "null");
	sbuf_add(b, ",\"uptime\":", 10);
	put_num(b, inst_uptime(in), "null");
	for (size_t m = 0; m < NINST_METRICS; m++) {
		sbuf_printf(b, ",\"%s\":", inst_metrics[m].json);
		put_num(b, inst_metrics[m].get(in), "null");
	}
	sbuf_add(b, ",\"last_exit_signal\":", 20);
	if (in->ran && in->last_signaled)
		put_json_str(b, sig_name(in->last_status - 128));
	else
		sbuf_add(b, "null", 4);
	sbuf_add(b, ",\"exits\":{", 10);
	for (int r = 0; r < EXIT_NREASONS; r++)
		sbuf_printf(b, "%s\"%s\":%llu", r ? "," : "",
		    exit_reason_names[r], in->exits[r]);
	sbuf_add(b, "},\"status\":", 11);
	if (in->status_text[0] != '\0')
		put_json_str(b, in->status_text);
	else
		sbuf_add(b, "null", 4);
	sbuf_add(b, "}", 1);
}

static void
json_program(struct sbuf *b, const struct program *p)
{
	sbuf_add(b, "{\"name\":", 8);
	put_json_str(b, p->cfg->name);
	sbuf_printf(b, ",\"numprocs\":%zu,\"autostart\":%s,\"critical\":%s,"
	    "\"restart\":\"%s\",\"instances\":[", p->ninst,
	    p->cfg->autostart ? "true" : "false",
	    p->cfg->critical ? "true" : "false",
	    restart_policy_name(p->cfg->restart));
	for (size_t j = 0; j < p->ninst; j++) {
		if (j)
			sbuf_add(b, ",", 1);
		json_instance(b, &p->inst[j]);
	}
	sbuf_add(b, "]}", 2);
}

static void
json_tend(struct tend *t, struct sbuf *b)
{
	sbuf_printf(b, "{\"pid\":%d,\"version\":", (int)getpid());
	put_json_str(b, PACKAGE_VERSION);
	sbuf_printf(b, ",\"mode\":\"%s\",\"state\":\"%s\",\"uptime\":",
	    t->wrapper ? "wrapper" : "config", tend_state_names[t->state]);
	put_num(b, (double)time(NULL) - t->start_time, "null");
	sbuf_add(b, ",\"loop_lag\":", 12);
	put_num(b, t->loop_stats.count ? t->loop_stats.last : NAN, "null");
	for (size_t m = 0; m < NTEND_METRICS; m++) {
		sbuf_printf(b, ",\"%s\":", tend_metrics[m].json);
		put_num(b, tend_metrics[m].get(t), "null");
	}
	sbuf_add(b, "}", 1);
}

void
metrics_status_json(struct tend *t, struct sbuf *b)
{
	sbuf_add(b, "{\"tend\":", 8);
	json_tend(t, b);
	sbuf_add(b, ",\"programs\":[", 13);
	for (size_t i = 0; i < t->nprograms; i++) {
		if (i)
			sbuf_add(b, ",", 1);
		json_program(b, &t->programs[i]);
	}
	sbuf_add(b, "]}\n", 3);
}

/* ---- the table tendctl prints ---------------------------------------- */

/* "3d4h", "2h5m", "5m3s", "12.3s", "-" */
static void
fmt_age(char *buf, size_t len, double s)
{
	long n;

	/* NaN (no process) or out of long's range: casting it is UB. */
	if (!(s >= 0 && s < 1e15)) {
		snprintf(buf, len, "-");
		return;
	}
	n = (long)s;
	if (s < 60)
		snprintf(buf, len, "%.1fs", s);
	else if (n < 3600)
		snprintf(buf, len, "%ldm%lds", n / 60, n % 60);
	else if (n < 86400)
		snprintf(buf, len, "%ldh%ldm", n / 3600, n % 3600 / 60);
	else
		snprintf(buf, len, "%ldd%ldh", n / 86400, n % 86400 / 3600);
}

static void
fmt_exit(char *buf, size_t len, const struct instance *in)
{
	if (!in->ran)
		snprintf(buf, len, "-");
	else if (in->last_signaled)
		snprintf(buf, len, "signal %s", sig_name(in->last_status - 128));
	else
		snprintf(buf, len, "exit %d", in->last_status);
}

void
metrics_status_text(struct tend *t, struct sbuf *b)
{
	char up[32], ex[32], pid[16];
	int w = 8;

	fmt_age(up, sizeof(up), (double)time(NULL) - t->start_time);
	sbuf_printf(b, "tend %s, pid %d, up %s, %s, loop lag max %.3fms\n",
	    PACKAGE_VERSION, (int)getpid(), up, tend_state_names[t->state],
	    t->loop_stats.max * 1e3);
	FOR_EACH_INSTANCE(t, p, in)
		if ((int)strlen(in->name) > w)
			w = (int)strlen(in->name);
	sbuf_printf(b, "%-*s  %-8s  %7s  %8s  %8s  %-11s  %7s  %8s  %s\n", w,
	    "INSTANCE", "STATE", "PID", "UPTIME", "RESTARTS", "LAST EXIT",
	    "QUEUE", "INFLIGHT", "STATUS");
	FOR_EACH_INSTANCE(t, p, in) {
		fmt_age(up, sizeof(up), inst_uptime(in));
		fmt_exit(ex, sizeof(ex), in);
		if (in->pid > 0)
			snprintf(pid, sizeof(pid), "%d", (int)in->pid);
		else
			snprintf(pid, sizeof(pid), "-");
		sbuf_printf(b, "%-*s  %-8s  %7s  %8s  %8.0f  %-11s  %7.0f  "
		    "%8.0f  %s\n", w, in->name, inst_state_name(in->state),
		    pid, up, get_restarts(in), ex, get_queue(in),
		    get_inflight(in), in->status_text);
	}
}
