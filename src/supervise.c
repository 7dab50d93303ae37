/*
 * supervise.c: the order of things across programs. A prepare watcher runs
 * step() once per loop iteration when some instance changed state (tend->
 * dirty), so start order, stop order, critical programs and the end of a
 * shutdown are decided in one place, never from deep inside a transition.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tend.h"
#include "config.h"
#include "log.h"
#include "proc.h"
#include "program.h"
#include "supervise.h"
#include "util.h"

/*
 * The one writer of t->state: running -> stopping -> (PID 1: sweeping ->)
 * done, logged at debug. Any other move is a bug.
 */
static void
tend_set_state(struct tend *t, enum tend_state to, const char *why)
{
	static const char *names[] = { "running", "stopping", "sweeping",
	    "done" };
	static const unsigned allowed[] = {
		[TEND_RUNNING] = 1u << TEND_STOPPING,
		[TEND_STOPPING] = 1u << TEND_SWEEPING | 1u << TEND_DONE,
		[TEND_SWEEPING] = 1u << TEND_DONE,
		[TEND_DONE] = 0,
	};

	if (!(allowed[t->state] & 1u << to)) {
		log_errorx("bug: tend: no move %s -> %s (%s)", names[t->state],
		    names[to], why);
		abort();
	}
	log_debug("tend: %s -> %s (%s)", names[t->state], names[to], why);
	t->state = to;
}

static void
finish(struct tend *t)
{
	tend_set_state(t, TEND_DONE, "finished");
	ev_timer_stop(t->loop, &t->shutdown_timer);
	ev_timer_stop(t->loop, &t->sweep_poll);
	ev_break(t->loop, EVBREAK_ALL);
}

/*
 * 1 while a process other than us is left in our PID namespace: a child
 * (reaped or not), or one that entered it from outside (docker exec).
 */
static int
others_left(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
		return 1;
	return kill(-1, 0) == 0 || errno != ESRCH;
}

static void
sweep_poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tend *t = container_of(w, struct tend, sweep_poll);

	supervise_reaped(t);
}

/*
 * PID 1 and every program is down: TERM to every process left in our
 * namespace (orphans that may want to flush), KILL after a short wait.
 * Our children's exits wake us; a process that is not our child cannot,
 * so a short poll (at exit only, for at most the sweep) watches for it.
 */
static void
sweep(struct tend *t)
{
	tend_set_state(t, TEND_SWEEPING, "PID 1: the programs are down");
	ev_timer_stop(t->loop, &t->shutdown_timer);
	if (kill(-1, SIGTERM) == -1 && errno != ESRCH)
		log_warn("kill(-1, TERM)");
	if (!others_left()) {
		finish(t);
		return;
	}
	log_info("sent TERM to the processes left, KILL in %gs",
	    TEND_SWEEP_TIMEOUT);
	ev_timer_set(&t->shutdown_timer, TEND_SWEEP_TIMEOUT, 0.);
	ev_timer_start(t->loop, &t->shutdown_timer);
	ev_timer_set(&t->sweep_poll, 0.05, 0.05);
	ev_timer_start(t->loop, &t->sweep_poll);
}

/* The programs are done with: PID 1 sweeps what is left, others exit. */
static void
wind_up(struct tend *t)
{
	if (t->pid1)
		sweep(t);
	else
		finish(t);
}

void
supervise_reaped(struct tend *t)
{
	if (t->state == TEND_SWEEPING && !others_left())
		finish(t);
}

static int
all_down(struct tend *t)
{
	for (size_t i = 0; i < t->nprograms; i++)
		if (!program_is_down(&t->programs[i]))
			return 0;
	return 1;
}

static int
deps_up(struct program *p)
{
	for (size_t i = 0; i < p->ndeps; i++)
		if (!p->deps[i]->started || !program_is_up(p->deps[i]))
			return 0;
	return 1;
}

static int
dependents_down(struct program *p)
{
	for (size_t i = 0; i < p->ndependents; i++)
		if (!program_is_down(p->dependents[i]))
			return 0;
	return 1;
}

/*
 * A critical program that has ended for good (every instance exited or
 * fatal: no restart coming) takes tend down with the status of the
 * instance that ended last.
 */
static void
check_critical(struct tend *t, struct program *p)
{
	struct instance *last = NULL;

	for (size_t i = 0; i < p->ninst; i++) {
		struct instance *in = &p->inst[i];

		if (in->state != INST_EXITED && in->state != INST_FATAL)
			return;
		if (last == NULL || in->state_since >= last->state_since)
			last = in;
	}
	if (last == NULL)
		return;
	if (!t->exit_status_set) {
		t->exit_status = last->last_status;
		t->exit_status_set = 1;
	}
	log_info("%s: critical program ended (%s, status %d)",
	    p->cfg->name, inst_state_name(last->state), last->last_status);
	supervise_shutdown(t, "critical program ended");
}

/* Names what p waits for; one that will not start by itself is said so. */
static void
log_waiting(struct program *p)
{
	char buf[512];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->ndeps && len < sizeof(buf); i++) {
		struct program *d = p->deps[i];

		if (d->started && program_is_up(d))
			continue;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s%s",
		    len ? ", " : "", d->cfg->name, d->cfg->autostart ? "" :
		    " (autostart = no: it will not start by itself)");
	}
	log_info("%s: waiting for %s", p->cfg->name, buf);
}

/* Starts the released programs' instances: each is queued, and spawned
 * from the queue as the iterations' spawn slices allow (program.c). */
static void
start_some(struct tend *t)
{
	for (size_t i = 0; i < t->nprograms; i++) {
		struct program *p = &t->programs[i];

		while (p->started && p->next_start < p->ninst &&
		    t->state == TEND_RUNNING)
			inst_handle(&p->inst[p->next_start++], IEV_START);
	}
}

static void
step_running(struct tend *t)
{
	for (size_t i = 0; i < t->nprograms && t->state == TEND_RUNNING;
	    i++) {
		struct program *p = &t->programs[i];

		if (p->cfg->critical && p->started)
			check_critical(t, p);
		if (p->started || !p->cfg->autostart ||
		    t->state != TEND_RUNNING)
			continue;
		if (!deps_up(p)) {
			if (!p->waiting_logged)
				log_waiting(p);
			p->waiting_logged = 1;
			continue;
		}
		p->started = 1;
	}
	start_some(t);
}

static void
step_stopping(struct tend *t)
{
	/* shutdown_delay: programs keep running until it passes; none is
	 * restarted any more (inst_finish sees tend stopping). */
	if (ev_is_active(&t->delay_timer))
		return;
	for (size_t i = 0; i < t->nprograms; i++) {
		struct program *p = &t->programs[i];

		if (!p->stop_issued && dependents_down(p)) {
			p->stop_issued = 1;
			program_handle(p, IEV_STOP);
		}
	}
	if (all_down(t)) {
		log_info("all programs stopped");
		wind_up(t);
	}
}

/* Each pass may change states again; bounded by the instances. */
static void
plan(struct tend *t)
{
	while (t->dirty) {
		t->dirty = 0;
		if (t->state == TEND_RUNNING) {
			step_running(t);
			for (size_t i = 0; i < t->nprograms; i++)
				program_rolling_step(&t->programs[i]);
		} else if (t->state == TEND_STOPPING)
			step_stopping(t);
	}
}

static void
spawn_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	/* Nothing: being active keeps the poll from sleeping, and the
	 * prepare step spawns. */
}

static void
step_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct tend *t = container_of(w, struct tend, step);

	/* A prepare watcher runs once an iteration, before the poll: plan,
	 * spawn what the plan and the iteration's timers queued (one slice
	 * an iteration), and plan again for what the spawns changed. */
	plan(t);
	program_spawn_queued(t);
	plan(t);
}

static void
shutdown_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tend *t = container_of(w, struct tend, shutdown_timer);

	if (t->state == TEND_STOPPING && !t->shutdown_killed) {
		log_warnx("shutdown_timeout (%gs) passed: killing what is "
		    "left", t->cfg->shutdown_timeout);
		supervise_kill_all(t, "shutdown_timeout passed");
		/* A hard cap: what KILL cannot end (a process stuck in
		 * the kernel) is given up on after a short grace. */
		t->shutdown_killed = 1;
		ev_timer_set(w, TEND_KILL_GRACE, 0.);
		ev_timer_start(loop, w);
	} else if (t->state == TEND_STOPPING) {
		log_errorx("processes still alive %gs after KILL; exiting "
		    "without them", TEND_KILL_GRACE);
		t->killed_any = 1;
		wind_up(t);
	} else if (t->state == TEND_SWEEPING && !t->sweep_killed) {
		log_warnx("processes left after %gs: sending KILL",
		    TEND_SWEEP_TIMEOUT);
		t->sweep_killed = 1;
		if (kill(-1, SIGKILL) == -1 && errno != ESRCH)
			log_warn("kill(-1, KILL)");
		ev_timer_set(w, TEND_KILL_GRACE, 0.);
		ev_timer_start(loop, w);
	} else if (t->state == TEND_SWEEPING) {
		log_warnx("processes still left after KILL; exiting anyway");
		finish(t);
	}
}

static void
delay_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tend *t = container_of(w, struct tend, delay_timer);

	log_info("shutdown_delay passed: stopping programs");
	t->dirty = 1;
}

void
supervise_shutdown(struct tend *t, const char *why)
{
	if (t->state != TEND_RUNNING) {
		/* Said once: a storm of them is only a count, which
		 * tend_signals_received_total has. */
		if (t->shutdown_repeats++ == 0)
			log_info("%s: already shutting down (not said again)",
			    why);
		return;
	}
	log_info("shutting down: %s", why);
	tend_set_state(t, TEND_STOPPING, why);
	/* No restarts from here on: instances waiting out a backoff stop
	 * now; the others stop in dependency order. */
	for (size_t i = 0; i < t->nprograms; i++)
		for (size_t j = 0; j < t->programs[i].ninst; j++) {
			struct instance *in = &t->programs[i].inst[j];

			if (in->state != INST_BACKOFF)
				continue;
			log_info("%s: restart cancelled", in->name);
			inst_handle(in, IEV_STOP);
		}
	ev_timer_set(&t->shutdown_timer, t->cfg->shutdown_timeout, 0.);
	ev_timer_start(t->loop, &t->shutdown_timer);
	if (t->cfg->shutdown_delay > 0) {
		ev_timer_set(&t->delay_timer, t->cfg->shutdown_delay, 0.);
		ev_timer_start(t->loop, &t->delay_timer);
	}
	t->dirty = 1;
}

void
supervise_kill_all(struct tend *t, const char *why)
{
	if (t->state == TEND_RUNNING)
		supervise_shutdown(t, why);
	if (t->state != TEND_STOPPING)
		return;
	ev_timer_stop(t->loop, &t->delay_timer);
	for (size_t i = 0; i < t->nprograms; i++) {
		t->programs[i].stop_issued = 1;
		program_handle(&t->programs[i], IEV_KILL);
	}
	t->dirty = 1;
}

/* Resolves depends names into pointers both ways. */
static int
link_depends(struct tend *t)
{
	for (size_t i = 0; i < t->nprograms; i++) {
		struct program *p = &t->programs[i];

		p->ndeps = (size_t)p->cfg->ndepends;
		if (p->ndeps == 0)
			continue;
		if ((p->deps = calloc(p->ndeps, sizeof(*p->deps))) == NULL)
			return -1;
		for (size_t d = 0; d < p->ndeps; d++) {
			struct program *q = program_find(t,
			    p->cfg->depends[d]);
			struct program **n;

			/* config_validate guarantees q exists. */
			p->deps[d] = q;
			n = realloc(q->dependents,
			    sizeof(*n) * (q->ndependents + 1));
			if (n == NULL)
				return -1;
			q->dependents = n;
			q->dependents[q->ndependents++] = p;
		}
	}
	return 0;
}

int
supervise_init(struct tend *t)
{
	if (t->proc == NULL)
		t->proc = &proc_real;
	t->nprograms = t->cfg->nprograms;
	if ((t->programs = calloc(t->nprograms, sizeof(*t->programs))) == NULL)
		return -1;
	for (size_t i = 0; i < t->nprograms; i++)
		if (program_init(&t->programs[i], t, t->cfg->programs[i]) == -1)
			return -1;
	if (link_depends(t) == -1)
		return -1;
	ev_init(&t->shutdown_timer, shutdown_timer_cb);
	ev_init(&t->delay_timer, delay_timer_cb);
	ev_init(&t->sweep_poll, sweep_poll_cb);
	ev_idle_init(&t->spawn_idle, spawn_idle_cb);
	ev_prepare_init(&t->step, step_cb);
	ev_prepare_start(t->loop, &t->step);
	t->state = TEND_RUNNING;	/* the first state: no move to check */
	t->dirty = 1;
	return 0;
}

void
supervise_free(struct tend *t)
{
	ev_prepare_stop(t->loop, &t->step);
	ev_timer_stop(t->loop, &t->shutdown_timer);
	ev_timer_stop(t->loop, &t->delay_timer);
	ev_timer_stop(t->loop, &t->sweep_poll);
	program_spawnq_clear(t);
	for (size_t i = 0; i < t->nprograms; i++)
		program_free(&t->programs[i]);
	free(t->programs);
	t->programs = NULL;
	t->nprograms = 0;
}

int
supervise_exit_status(const struct tend *t)
{
	const struct program *p = t->nprograms == 1 ? &t->programs[0] : NULL;

	if (t->exit_status_set)
		return t->exit_status;
	/* Wrapper mode keeps its one child's status, as tini does. */
	if (t->wrapper && p != NULL && p->ninst == 1 && p->inst[0].ran)
		return p->inst[0].last_status;
	return t->killed_any ? 1 : 0;
}

int
supervise_health(struct tend *t, struct sbuf *why)
{
	size_t bad = 0;

	if (t->state != TEND_RUNNING) {
		sbuf_printf(why, "shutting down\n");
		return 0;
	}
	for (size_t i = 0; i < t->nprograms; i++) {
		struct program *p = &t->programs[i];

		if (!p->cfg->autostart)
			continue;
		for (size_t j = 0; j < p->ninst; j++) {
			struct instance *in = &p->inst[j];

			/* An operator's stop: not waited for. */
			if (in->want == WANT_DOWN || inst_is_ready(in))
				continue;
			if (bad < TEND_HEALTH_NAMES)
				sbuf_printf(why, "%s%s (%s)", bad ?
				    ", " : "not ready: ", in->name,
				    inst_state_name(in->state));
			bad++;
		}
	}
	if (bad > TEND_HEALTH_NAMES)
		sbuf_printf(why, " and %zu more", bad - TEND_HEALTH_NAMES);
	if (bad > 0)
		sbuf_add(why, "\n", 1);
	else
		sbuf_printf(why, "ok\n");
	return bad == 0;
}
