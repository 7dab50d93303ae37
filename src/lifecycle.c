/*
 * lifecycle.c: the instance state machine. inst_handle() takes every
 * event; inst_set_state() is the only writer of an instance's state,
 * checks the move against a table, logs it and arms the new state's
 * timer; nothing outside this file writes an instance's lifecycle fields.
 * The kernel is reached only through tend->proc (proc.h), the restart
 * policy is policy.c's, start and stop order across programs supervise.c's,
 * and every spawn waits in one queue for the loop's prepare step.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tend.h"
#include "log.h"
#include "notifymsg.h"
#include "pidmap.h"
#include "proc.h"
#include "program.h"
#include "util.h"

static const char *state_names[INST_NSTATES] = {
	"stopped", "starting", "running", "backoff", "stopping", "exited",
	"fatal",
};

const char *
inst_state_name(enum inst_state s)
{
	return state_names[s];
}

#define B(s)	(1u << (s))
/*
 * Which states each state may move to: exactly the moves the handlers
 * make, so inst_set_state's check catches any other as the bug it is.
 */
static const unsigned allowed[INST_NSTATES] = {
	[INST_STOPPED] = B(INST_STARTING) | B(INST_RUNNING),
	[INST_STARTING] = B(INST_RUNNING) | B(INST_STOPPING) | B(INST_BACKOFF) |
	    B(INST_STOPPED) | B(INST_EXITED) | B(INST_FATAL),
	[INST_RUNNING] = B(INST_STOPPING) | B(INST_BACKOFF) | B(INST_STOPPED) |
	    B(INST_EXITED) | B(INST_FATAL),
	[INST_BACKOFF] = B(INST_STARTING) | B(INST_RUNNING) | B(INST_STOPPED),
	[INST_STOPPING] = B(INST_STOPPING) | B(INST_STOPPED) | B(INST_BACKOFF) |
	    B(INST_EXITED) | B(INST_FATAL),
	[INST_EXITED] = B(INST_STARTING) | B(INST_RUNNING),
	[INST_FATAL] = B(INST_STARTING) | B(INST_RUNNING),
};

/*
 * The one writer of in->state. Stops the old state's timer and, when
 * timeout >= 0, arms the new one's. Marks tend dirty for supervise.c.
 */
static void
inst_set_state(struct instance *in, enum inst_state to, ev_tstamp timeout,
    const char *why)
{
	struct tend *t = in->prog->tend;

	if (!(allowed[in->state] & B(to))) {
		log_errorx("%s: bug: no move %s -> %s (%s)", in->name,
		    state_names[in->state], state_names[to], why);
		abort();
	}
	ev_timer_stop(t->loop, &in->timer);
	if (timeout >= 0) {
		ev_timer_set(&in->timer, timeout, 0.);
		ev_timer_start(t->loop, &in->timer);
	}
	/* The watchdog runs while the instance is running, from the
	 * moment it is (after READY=1). */
	if (to != INST_RUNNING)
		ev_timer_stop(t->loop, &in->watchdog);
	else if (in->state != INST_RUNNING && in->prog->cfg->watchdog > 0) {
		in->watchdog.repeat = in->prog->cfg->watchdog;
		ev_timer_again(t->loop, &in->watchdog);
	}
	if (in->state != to)
		log_debug("%s: %s -> %s (%s)", in->name,
		    state_names[in->state], state_names[to], why);
	in->state = to;
	in->state_since = ev_now(t->loop);
	t->dirty = 1;
}

static void inst_finish(struct instance *in);
static void inst_spawn_soon(struct instance *in);

/* Whether anything is left of in's process group. */
static int
group_alive(const struct instance *in)
{
	return in->prog->tend->proc->group_alive(in->pgid);
}

/*
 * Sets in's main pid and group and keeps the pid index (main pid and
 * process group -> instance) in step, for the reaper and notify; every
 * change of either comes here (a failed spawn only leaves both 0). The
 * puts cannot fail: program_init reserved a key of each per instance.
 */
static void
inst_set_process(struct instance *in, pid_t pid, pid_t pgid)
{
	struct tend *t = in->prog->tend;

	pidmap_del(&t->inst_by_pid, in->pid, in);
	pidmap_del(&t->inst_by_pgid, in->pgid, in);
	in->pid = pid;
	in->pgid = pgid;
	if (pid > 0)
		(void)pidmap_put(&t->inst_by_pid, pid, in);
	if (pgid > 0)
		(void)pidmap_put(&t->inst_by_pgid, pgid, in);
}

/*
 * kill(2) that treats "already gone" as success. A group that is not
 * there while its main process is: a child forked for another user
 * (spawn.c) may not have called setsid yet; the signal goes to it.
 */
static void
send_signal(struct instance *in, pid_t target, int sig)
{
	const struct proc_ops *proc = in->prog->tend->proc;

	if (proc->kill(target, sig) == 0)
		return;
	if (errno == ESRCH && target < 0 && in->pid > 0 &&
	    -target == in->pid) {
		if (proc->kill(in->pid, sig) == 0 || errno == ESRCH)
			return;
		target = in->pid;
	}
	if (errno != ESRCH)
		log_warn("%s: kill(%d, %s)", in->name, (int)target,
		    sig_name(sig));
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	inst_handle(container_of(w, struct instance, timer), IEV_TIMER);
}

/* What the last run's worker said about itself no longer holds. */
static void
inst_forget_reports(struct instance *in)
{
	in->queue_depth = 0;
	in->inflight = 0;
	in->status_text[0] = '\0';
	in->reloading = 0;
	in->last_errno = 0;
}

/* Starts the main process; a failure is a failed start, not a crash. */
static void
inst_spawn(struct instance *in)
{
	struct program_config *c = in->prog->cfg;
	struct tend *t = in->prog->tend;
	uid_t uid = 0;
	pid_t pid;

	in->spawn_failed = 0;
	in->notify_failed = 0;
	in->kill_sent = 0;
	in->group_signaled = 0;
	inst_forget_reports(in);
	pid = t->proc->spawn(in, &uid);
	/* Starting many instances in one callback takes a while: timers
	 * armed below must count from now, not from the iteration's start. */
	ev_now_update(t->loop);
	in->spawned_at = ev_now(t->loop);
	in->start_wall = (double)time(NULL);
	if (pid == -1) {
		/* Nothing ran: report it as a failed start with the exit
		 * code a shell gives for "cannot execute". */
		in->spawn_failed = 1;
		in->last_status = 126;
		in->last_signaled = 0;
		in->ran = 1;
		inst_set_state(in, INST_STARTING, -1, "spawn failed");
		inst_handle(in, IEV_GROUP_EMPTY);
		return;
	}
	inst_set_process(in, pid, pid);
	in->uid = uid;
	log_info("%s: started pid %d", in->name, (int)pid);
	if (c->ready == READY_NOTIFY)
		inst_set_state(in, INST_STARTING, c->ready_timeout > 0 ?
		    c->ready_timeout : -1, "spawned, waiting for READY=1");
	else if (c->start_seconds > 0)
		inst_set_state(in, INST_STARTING, c->start_seconds, "spawned");
	else
		inst_set_state(in, INST_RUNNING, c->backoff_reset, "spawned");
}

/* stop_signal, or the one this shutdown passes on (signals.c). */
static int
stop_sig(const struct instance *in)
{
	const struct tend *t = in->prog->tend;

	return t->stop_override != 0 ? t->stop_override :
	    in->prog->cfg->stop_signal;
}

/*
 * stop_signal, then SIGCONT if the main process is stopped (SIGSTOP, ^Z),
 * which would otherwise keep the signal pending and wait out the
 * deadline. Never blindly, as systemd does: SIGCONT discards a SIGSTOP in
 * flight, and a tracer attaching then (a crash reporter, LeakSanitizer's
 * exit check) would wait for that stop forever.
 */
static void
send_stop(struct instance *in, pid_t target)
{
	int sig = stop_sig(in);

	send_signal(in, target, sig);
	if (sig != SIGCONT && sig != SIGKILL &&
	    (in->pid <= 0 || in->prog->tend->proc->stopped(in->pid)))
		send_signal(in, target, SIGCONT);
}

/* Sends stop_signal as kill_mode says and waits stop_timeout. */
static void
inst_stop(struct instance *in)
{
	struct program_config *c = in->prog->cfg;

	if (c->kill_mode == KILL_GROUP) {
		send_stop(in, -in->pgid);
		in->group_signaled = 1;
	} else
		send_stop(in, in->pid);
	in->stop_began = ev_now(in->prog->tend->loop);
	log_info("%s: stopping: %s sent, deadline %gs", in->name,
	    sig_name(stop_sig(in)), c->stop_timeout);
	inst_set_state(in, INST_STOPPING, c->stop_timeout, "stop");
}

/*
 * Sends kill_signal to what is left and waits TEND_KILL_GRACE. Only a
 * kill during a shutdown makes tend exit 1: the cleanup of a crashed
 * instance's leftovers loses no work the operator asked to drain.
 */
static void
inst_kill(struct instance *in, const char *why)
{
	struct program_config *c = in->prog->cfg;
	struct tend *t = in->prog->tend;
	pid_t target = 0;

	if (c->kill_mode != KILL_PROCESS && group_alive(in))
		target = -in->pgid;
	else if (in->pid > 0)
		target = in->pid;
	if (target == 0) {
		/* Its last process left the group (setsid) unseen. */
		inst_finish(in);
		return;
	}
	log_warnx("%s: %s: %s to %s %d", in->name, why,
	    sig_name(c->kill_signal), target < 0 ? "process group" : "pid",
	    (int)(target < 0 ? -target : target));
	send_signal(in, target, c->kill_signal);
	in->kill_sent = 1;
	if (t->state != TEND_RUNNING)
		t->killed_any = 1;
	inst_set_state(in, INST_STOPPING, TEND_KILL_GRACE, why);
}

/* Records one restart at now; 0 if allowed, -1 if over restart_limit. */
static int
count_restart(struct instance *in, ev_tstamp now)
{
	struct program_config *c = in->prog->cfg;
	unsigned limit = (unsigned)c->restart_limit, oldest;

	if (limit == 0)
		return 0;
	oldest = (in->rt_head + limit - in->rt_count) % limit;
	if (in->rt_count == limit &&
	    in->restart_times[oldest] > now - c->restart_window)
		return -1;
	in->restart_times[in->rt_head] = now;
	in->rt_head = (in->rt_head + 1) % limit;
	if (in->rt_count < limit)
		in->rt_count++;
	return 0;
}

static double
rng_next(struct tend *t)
{
	/* xorshift64*: jitter needs spread, not cryptography. */
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return (double)((t->rng * 2685821657736338717ULL) >> 11) /
	    9007199254740992.0;
}

/* The main process and its group are gone: decide what comes next. */
static void
inst_finish(struct instance *in)
{
	struct program_config *c = in->prog->cfg;
	struct tend *t = in->prog->tend;
	ev_tstamp now = ev_now(t->loop);
	char why[128];
	double delay;
	int code = in->last_status;

	t->proc->report_close(in);
	inst_set_process(in, 0, 0);
	if (in->want == WANT_REPLACE && t->state == TEND_RUNNING) {
		/* The operator's restart: a fresh start, not a crash. */
		in->want = WANT_UP;
		inst_set_state(in, INST_STOPPED, -1, "restart");
		in->failures = 0;
		in->rt_count = 0;
		inst_spawn_soon(in);
		return;
	}
	if (in->want != WANT_UP || t->state != TEND_RUNNING) {
		inst_set_state(in, INST_STOPPED, -1, "stopped");
		return;
	}
	if (!restart_wanted(c, in->last_signaled, code, in->spawn_failed ||
	    in->notify_failed)) {
		log_info("%s: exited %d, restart = %s: not restarting",
		    in->name, code, restart_policy_name(c->restart));
		inst_set_state(in, INST_EXITED, -1, "no restart");
		return;
	}
	if (count_restart(in, now) == -1) {
		log_errorx("%s: more than %ld restarts within %gs: giving up "
		    "(fatal)", in->name, c->restart_limit, c->restart_window);
		inst_set_state(in, INST_FATAL, -1, "restart_limit");
		return;
	}
	in->failures++;
	in->restarts++;
	delay = backoff_delay(c, in->failures, rng_next(t));
	log_info("%s: restarting in %.3fs (restart %u)", in->name, delay,
	    in->failures);
	snprintf(why, sizeof(why), "exit %d, wait %.3fs", code, delay);
	inst_set_state(in, INST_BACKOFF, delay, why);
}

/* The main process ended with wait status st. */
static void
inst_exited(struct instance *in, int st)
{
	struct program_config *c = in->prog->cfg;
	struct tend *t = in->prog->tend;
	ev_tstamp up = ev_now(t->loop) - in->spawned_at;
	enum exit_reason reason;

	t->proc->report_read(in);
	in->last_status = status_code(st);
	in->last_signaled = WIFSIGNALED(st);
	in->ran = 1;
	if (WIFSIGNALED(st)) {
		reason = in->kill_sent && WTERMSIG(st) == c->kill_signal ?
		    EXIT_KILLED : EXIT_SIGNALED;
		log_info("%s: pid %d %s by %s after %.3fs", in->name,
		    (int)in->pid, reason == EXIT_KILLED ? "killed" : "ended",
		    sig_name(WTERMSIG(st)), up);
	} else {
		reason = EXIT_EXITED;
		log_info("%s: pid %d exited %d after %.3fs%s", in->name,
		    (int)in->pid, WEXITSTATUS(st), up,
		    in->state == INST_STARTING ? " (failed start)" : "");
	}
	in->exits[reason]++;
	inst_forget_reports(in);
	if (in->out_dropped != in->out_dropped_logged) {
		log_warnx("%s: %llu bytes of its output dropped so far: "
		    "tend's stdout or stderr is full", in->name,
		    in->out_dropped);
		in->out_dropped_logged = in->out_dropped;
	}
	inst_set_process(in, 0, in->pgid);
	if (c->kill_mode != KILL_PROCESS && group_alive(in)) {
		/* mixed and group: nothing of it may outlive it. What is
		 * left gets stop_signal now and kill_signal at the
		 * deadline (the stop's, if one is running). */
		if (in->kill_sent)
			send_signal(in, -in->pgid, c->kill_signal);
		else if (!in->group_signaled)
			send_stop(in, -in->pgid);
		in->group_signaled = 1;
		if (in->state != INST_STOPPING)
			inst_set_state(in, INST_STOPPING, c->stop_timeout,
			    "main exited, group left");
		return;
	}
	inst_finish(in);
}

/* A watchdog deadline missed (or WATCHDOG=trigger): SIGABRT, so the
 * worker can dump its state, then the normal stop; a failure. */
static void
inst_watchdog_miss(struct instance *in, const char *why)
{
	in->watchdog_timeouts++;
	log_warnx("%s: watchdog: %s; sending ABRT, then stopping", in->name,
	    why);
	if (in->pid > 0)
		send_signal(in, in->pid, SIGABRT);
	in->notify_failed = 1;
	inst_stop(in);
}

static void
watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_timer_stop(loop, w);
	inst_handle(container_of(w, struct instance, watchdog), IEV_WATCHDOG);
}

/*
 * EXTEND_TIMEOUT_USEC: the deadline of a start (ready = notify) or of a
 * stop moves to now + usec, never earlier than it was, and never past
 * stop_timeout_max from the start of the stop (or from the spawn, for a
 * start: one cap on how long a worker can keep tend waiting).
 */
static void
inst_extend(struct instance *in, uint64_t usec)
{
	struct program_config *c = in->prog->cfg;
	struct ev_loop *loop = in->prog->tend->loop;
	ev_tstamp now = ev_now(loop), want, cap;

	if (in->state == INST_STOPPING && !in->kill_sent)
		cap = in->stop_began + dmax(c->stop_timeout,
		    c->stop_timeout_max);
	else if (in->state == INST_STARTING && c->ready == READY_NOTIFY &&
	    c->ready_timeout > 0)
		cap = in->spawned_at + dmax(c->ready_timeout,
		    c->stop_timeout_max);
	else
		return;		/* no deadline to move */
	want = dmin(now + (double)usec / 1e6, cap);
	if (want <= now + ev_timer_remaining(loop, &in->timer))
		return;
	ev_timer_stop(loop, &in->timer);
	ev_timer_set(&in->timer, want - now, 0.);
	ev_timer_start(loop, &in->timer);
	log_info("%s: EXTEND_TIMEOUT_USEC=%llu: deadline in %.3fs%s", in->name,
	    (unsigned long long)usec, want - now, want == cap ?
	    " (stop_timeout_max)" : "");
}

void
inst_notify(struct instance *in, const struct notify_msg *m)
{
	if (m->set & NF_STATUS)
		snprintf(in->status_text, sizeof(in->status_text), "%s",
		    m->status);
	if (m->set & NF_QUEUE_DEPTH)
		in->queue_depth = m->queue_depth;
	if (m->set & NF_INFLIGHT)
		in->inflight = m->inflight;
	if (m->set & NF_ERRNO) {
		in->last_errno = m->errnum;
		log_info("%s: ERRNO=%d (%s)", in->name, m->errnum,
		    strerror(m->errnum));
	}
	if (m->set & NF_RELOADING)
		in->reloading = 1;
	if (m->set & NF_READY) {
		in->reloading = 0;
		inst_handle(in, IEV_READY);
		in->prog->tend->dirty = 1;	/* /health, depends */
	}
	if ((m->set & NF_WATCHDOG) && ev_is_active(&in->watchdog))
		ev_timer_again(in->prog->tend->loop, &in->watchdog);
	if (m->set & NF_EXTEND)
		inst_extend(in, m->extend_usec);
	if (m->set & NF_WATCHDOG_TRIGGER)
		inst_handle(in, IEV_WATCHDOG_TRIGGER);
}

/* ---- the state x event table ----------------------------------------- */

typedef void (*inst_action)(struct instance *);

/* The event is not for this state: nothing to do, by design. */
static void
ignore(struct instance *in)
{
}

/* Start from down (stopped, exited, fatal): a fresh start. */
static void
start_fresh(struct instance *in)
{
	in->want = WANT_UP;
	in->failures = 0;
	in->rt_count = 0;
	inst_spawn_soon(in);
}

/* Start while it has a process, or one is coming: keep it up. */
static void
keep_up(struct instance *in)
{
	if (in->want != WANT_REPLACE)
		in->want = WANT_UP;
}

/* Restart with a process: drain it, then a fresh start. */
static void
replace(struct instance *in)
{
	in->want = WANT_REPLACE;
	inst_stop(in);
}

/* Restart while stopping: start afresh once it has ended. */
static void
replace_after(struct instance *in)
{
	in->want = WANT_REPLACE;
}

static void
want_down(struct instance *in)
{
	in->want = WANT_DOWN;
	in->prog->rolling = 0;	/* a rollout does not go on past it */
}

static void
stop(struct instance *in)
{
	want_down(in);
	inst_stop(in);
}

/* Stop or kill while waiting out a backoff: no restart. */
static void
cancel_backoff(struct instance *in)
{
	want_down(in);
	inst_set_state(in, INST_STOPPED, -1, "stop");
}

static void
kill_now(struct instance *in)
{
	want_down(in);
	if (!in->kill_sent)
		inst_kill(in, "kill now");
}

static void
exited(struct instance *in)
{
	if (in->pid > 0)
		inst_exited(in, in->wait_status);
}

static void
group_empty(struct instance *in)
{
	if (in->pid == 0 && !group_alive(in))
		inst_finish(in);
}

/* starting's deadline: ready_timeout (notify), else start_seconds. */
static void
start_deadline(struct instance *in)
{
	struct program_config *c = in->prog->cfg;

	if (c->ready == READY_NOTIFY) {
		log_warnx("%s: no READY=1 within %gs: a failed start",
		    in->name, c->ready_timeout);
		in->notify_failed = 1;
		inst_stop(in);
		return;
	}
	inst_set_state(in, INST_RUNNING, dmax(0, c->backoff_reset -
	    c->start_seconds), "up start_seconds");
}

/* Up backoff_reset: the next failure starts the backoff over. */
static void
backoff_reset(struct instance *in)
{
	in->failures = 0;
}

/* The drain deadline, then TEND_KILL_GRACE after kill_signal. */
static void
stop_deadline(struct instance *in)
{
	struct program_config *c = in->prog->cfg;

	if (!in->kill_sent)
		inst_kill(in, "stop deadline passed");
	else if (in->pid > 0)
		inst_kill(in, "still alive after kill");
	else {
		if (group_alive(in))
			log_warnx("%s: process group %d still has members %gs "
			    "after %s; no longer waiting", in->name,
			    (int)in->pgid, TEND_KILL_GRACE,
			    sig_name(c->kill_signal));
		inst_finish(in);
	}
}

/* READY=1 (ready = notify): started. */
static void
ready(struct instance *in)
{
	struct program_config *c = in->prog->cfg;

	if (c->ready == READY_NOTIFY)
		inst_set_state(in, INST_RUNNING, c->backoff_reset, "READY=1");
}

static void
watchdog_miss(struct instance *in)
{
	char why[64];

	snprintf(why, sizeof(why), "no WATCHDOG=1 for %gs",
	    in->prog->cfg->watchdog);
	inst_watchdog_miss(in, why);
}

static void
watchdog_trigger(struct instance *in)
{
	inst_watchdog_miss(in, "WATCHDOG=trigger");
}

/*
 * What each event does in each state: the lifecycle, every pair written
 * out (-: ignore, nothing to do there, by design). Drawn with events as
 * rows, states as columns; the array below is [state][event]:
 *
 *              stopped  starting running  backoff  stopping exited, fatal
 * START        fresh    keep_up  keep_up  fresh    keep_up  fresh
 * STOP         down     stop     stop     cancel   down     down
 * KILL         down     kill_now kill_now cancel   kill_now down
 * EXIT         -        exited   exited   -        exited   -
 * GROUP_EMPTY  -        g_empty  -        -        g_empty  -
 * TIMER        -        start_dl bo_reset spawn    stop_dl  -
 * RESTART      fresh    replace  replace  fresh    rep_aft  fresh
 * READY        -        ready    -        -        -        -
 * WATCHDOG     -        -        miss     -        -        -
 * WD_TRIGGER   -        trigger  trigger  -        -        -
 *
 * Short names: fresh start_fresh, down want_down, cancel cancel_backoff,
 * g_empty group_empty, start_dl start_deadline, bo_reset backoff_reset,
 * spawn inst_spawn_soon, stop_dl stop_deadline, rep_aft replace_after,
 * miss watchdog_miss, trigger watchdog_trigger.
 */
static const inst_action actions[INST_NSTATES][IEV_NEVENTS] = {
	[INST_STOPPED] = {
		start_fresh, want_down, want_down, ignore, ignore, ignore,
		start_fresh, ignore, ignore, ignore },
	[INST_STARTING] = {
		keep_up, stop, kill_now, exited, group_empty, start_deadline,
		replace, ready, ignore, watchdog_trigger },
	[INST_RUNNING] = {
		keep_up, stop, kill_now, exited, ignore, backoff_reset,
		replace, ignore, watchdog_miss, watchdog_trigger },
	[INST_BACKOFF] = {
		start_fresh, cancel_backoff, cancel_backoff, ignore, ignore,
		inst_spawn_soon, start_fresh, ignore, ignore, ignore },
	[INST_STOPPING] = {
		keep_up, want_down, kill_now, exited, group_empty,
		stop_deadline, replace_after, ignore, ignore, ignore },
	[INST_EXITED] = {
		start_fresh, want_down, want_down, ignore, ignore, ignore,
		start_fresh, ignore, ignore, ignore },
	[INST_FATAL] = {
		start_fresh, want_down, want_down, ignore, ignore, ignore,
		start_fresh, ignore, ignore, ignore },
};

void
inst_handle(struct instance *in, enum inst_event ev)
{
	actions[in->state][ev](in);
}

/*
 * Every spawn waits in one queue, in order, for the loop's prepare step
 * (program_spawn_queued): a spawn blocks tend until the child has exec'd
 * (vfork), 0.1 to 0.5 ms, so a thousand of them in one callback would
 * leave signals and the control socket waiting for a second. While the
 * queue holds work, an idle watcher keeps the loop from sleeping.
 */
static void
inst_spawn_soon(struct instance *in)
{
	struct tend *t = in->prog->tend;

	if (in->spawnq)
		return;
	in->spawnq = 1;
	in->spawnq_next = NULL;
	if (t->spawnq_tail != NULL)
		t->spawnq_tail->spawnq_next = in;
	else
		t->spawnq_head = in;
	t->spawnq_tail = in;
	ev_idle_start(t->loop, &t->spawn_idle);
}

static struct instance *
spawnq_pop(struct tend *t)
{
	struct instance *in = t->spawnq_head;

	if (in == NULL)
		return NULL;
	if ((t->spawnq_head = in->spawnq_next) == NULL)
		t->spawnq_tail = NULL;
	in->spawnq_next = NULL;
	in->spawnq = 0;
	return in;
}

/* Whether a queued instance is still to be spawned: a stop, a shutdown
 * or a spawn by another way since it was queued cancel it. */
static int
spawn_still_wanted(const struct instance *in)
{
	if (in->want == WANT_DOWN || in->prog->tend->state != TEND_RUNNING ||
	    in->pid > 0)
		return 0;
	switch (in->state) {
	case INST_STOPPED: case INST_BACKOFF: case INST_EXITED:
	case INST_FATAL:
		return 1;
	default:
		return 0;
	}
}

void
program_spawn_queued(struct tend *t)
{
	double start = mono_now();
	struct instance *in;
	int spawned = 0;

	/* The first spawn always, then more while TEND_SPAWN_SLICE lasts. */
	while ((spawned == 0 || mono_now() - start < TEND_SPAWN_SLICE) &&
	    (in = spawnq_pop(t)) != NULL)
		if (spawn_still_wanted(in)) {
			inst_spawn(in);
			spawned++;
		}
	if (t->spawnq_head == NULL)
		ev_idle_stop(t->loop, &t->spawn_idle);
}

void
program_spawnq_clear(struct tend *t)
{
	while (spawnq_pop(t) != NULL)
		;
	ev_idle_stop(t->loop, &t->spawn_idle);
}

int
inst_signal(struct instance *in, int sig)
{
	if (in->pid <= 0)
		return -1;
	send_signal(in, in->prog->cfg->kill_mode == KILL_GROUP ? -in->pgid :
	    in->pid, sig);
	return 0;
}

int
inst_is_ready(const struct instance *in)
{
	return in->state == INST_RUNNING && !in->reloading;
}

void
inst_watchers_init(struct instance *in)
{
	ev_init(&in->timer, timer_cb);
	ev_init(&in->watchdog, watchdog_cb);
}

void
inst_watchers_stop(struct instance *in)
{
	struct ev_loop *loop = in->prog->tend->loop;

	ev_timer_stop(loop, &in->timer);
	ev_timer_stop(loop, &in->watchdog);
}

void
program_signal_groups(struct tend *t, int sig)
{
	for (size_t i = 0; i < t->nprograms; i++)
		for (size_t j = 0; j < t->programs[i].ninst; j++)
			if (t->programs[i].inst[j].pgid > 0)
				send_signal(&t->programs[i].inst[j],
				    -t->programs[i].inst[j].pgid, sig);
}
