/*
 * program.c: programs, their instances and the instance state machine.
 * inst_handle() takes every event; inst_set_state() is the only writer of
 * an instance's state, checks the move against a table, logs it and arms
 * the new state's timer. The pure restart policy it applies is policy.c's;
 * start and stop order across programs is supervise.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tend.h"
#include "log.h"
#include "program.h"
#include "notify.h"
#include "pidmap.h"
#include "spawn.h"
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

static int
group_alive(pid_t pgid)
{
	return pgid > 0 && (kill(-pgid, 0) == 0 || errno == EPERM);
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
	if (kill(target, sig) == 0)
		return;
	if (errno == ESRCH && target < 0 && in->pid > 0 &&
	    -target == in->pid) {
		if (kill(in->pid, sig) == 0 || errno == ESRCH)
			return;
		target = in->pid;
	}
	if (errno != ESRCH)
		log_warn("%s: kill(%d, %s)", in->name, (int)target,
		    sig_name(sig));
}

static void
close_report(struct instance *in)
{
	if (in->reportfd < 0)
		return;
	ev_io_stop(in->prog->tend->loop, &in->reportio);
	close(in->reportfd);
	in->reportfd = -1;
}

static const char *
file_type(int ifmt)
{
	switch (ifmt) {
	case S_IFIFO:	return "a FIFO";
	case S_IFCHR:	return "a character device";
	case S_IFBLK:	return "a block device";
	case S_IFDIR:	return "a directory";
	case S_IFSOCK:	return "a socket";
	}
	return "not a regular file";
}

/* What the child said went wrong, naming the call and what it acted on. */
static void
log_report(struct instance *in, const struct spawn_report *rep)
{
	const struct program_config *c = in->prog->cfg;
	const char *path = rep->fd == 1 || rep->fd == 2 ?
	    c->out[rep->fd - 1].path : NULL;

	if (rep->stage == SPAWN_EXEC)
		log_errorx("%s: spawn: exec(%s): %s", in->name, c->argv[0],
		    strerror(rep->err));
	else if (rep->stage == SPAWN_CHDIR)
		log_errorx("%s: spawn: chdir(%s): %s", in->name, c->directory,
		    strerror(rep->err));
	else if (rep->stage == SPAWN_OPEN || rep->stage == SPAWN_FSTAT ||
	    rep->stage == SPAWN_FCNTL)
		log_errorx("%s: spawn: %s(%s): %s%s", in->name,
		    spawn_stage_name(rep->stage), path != NULL ? path : "?",
		    strerror(rep->err), rep->stage != SPAWN_OPEN ? "" :
		    rep->err == ENXIO ? " (a FIFO with no reader)" :
		    rep->err == ELOOP ? " (a symlink: refused)" : "");
	else if (rep->stage == SPAWN_NOTFILE)
		log_errorx("%s: spawn: %s is %s: an output file must be a "
		    "regular file or /dev/null", in->name,
		    path != NULL ? path : "?", file_type(rep->err));
	else
		log_errorx("%s: spawn: %s: %s", in->name,
		    spawn_stage_name(rep->stage), strerror(rep->err));
}

/* Reads the child's spawn report if there is one; logs a failure once. */
static void
read_report(struct instance *in)
{
	struct spawn_report rep;
	int r;

	if (in->reportfd < 0)
		return;
	if ((r = spawn_read_report(in->reportfd, &rep)) == -1) {
		if (errno == EAGAIN)
			return;
		log_warn("%s: read(spawn report)", in->name);
	} else if (r == 1) {
		in->spawn_failed = 1;
		log_report(in, &rep);
	}
	close_report(in);
}

static void
report_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	read_report(container_of(w, struct instance, reportio));
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	inst_handle(container_of(w, struct instance, timer), IEV_TIMER);
}

/*
 * After the spawn: the parent's copies of the child's ends of its outputs
 * go; the read ends of prefix pipes start being read, or close if the
 * spawn failed.
 */
static void
close_outputs(struct instance *in, struct spawn_req *r, int failed)
{
	struct ev_loop *loop = in->prog->tend->loop;

	for (int k = 0; k < 2; k++) {
		int kind = in->prog->cfg->out[k].kind;

		if (kind == OUT_PREFIX && r->stdio[k + 1] >= 0)
			close(r->stdio[k + 1]);
		r->stdio[k + 1] = -1;
		if (failed)
			outpipe_close(loop, &in->out[k]);
		else
			outpipe_start(loop, &in->out[k]);
	}
}

/* Fills the child's stdin, stdout and stderr as its program says. */
static int
open_outputs(struct instance *in, struct spawn_req *r)
{
	struct program_config *c = in->prog->cfg;
	struct tend *t = in->prog->tend;
	char err[UTIL_ERR_MAX];

	/* Config mode: a terminal's input is nobody's (supervisord does
	 * the same); wrapper mode keeps tend's stdin for its child. */
	r->stdio[0] = t->wrapper ? -1 : t->devnull;
	r->stdio[1] = r->stdio[2] = -1;
	for (int k = 0; k < 2; k++) {
		/* A pipe a leftover of the last run still held. */
		outpipe_close(t->loop, &in->out[k]);
		if (c->out[k].kind == OUT_STDOUT) {
			r->stdio[2] = SPAWN_STDOUT;
			continue;
		}
		/* Opened by the child as the worker (spawn.c), never by
		 * tend as root: the worker may own the directory. Anew for
		 * every start, so a log rotated by rename is let go at the
		 * next restart. */
		if (c->out[k].kind == OUT_FILE) {
			r->files[k + 1] = c->out[k].path;
			continue;
		}
		if (output_child_fd(&c->out[k], t->devnull, &in->out[k],
		    &r->stdio[k + 1], err, sizeof(err)) == -1) {
			log_errorx("%s: spawn: %s", in->name, err);
			close_outputs(in, r, 1);
			return -1;
		}
	}
	return 0;
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
	struct spawn_req r = { 0 };
	gid_t groups[TEND_GROUPS_MAX];
	int ngroups = TEND_GROUPS_MAX, fd;
	char *own[4] = { NULL, NULL, NULL, NULL }, **envp;
	char err[UTIL_ERR_MAX];
	const char *call;
	pid_t pid = -1;

	in->spawn_failed = 0;
	in->notify_failed = 0;
	in->kill_sent = 0;
	in->group_signaled = 0;
	inst_forget_reports(in);
	r.argv = c->argv;
	r.directory = c->directory;
	r.umask_set = c->umask_set;
	r.umask = (mode_t)c->umask;
	r.mask = &t->orig_mask;
	r.ignored = &t->orig_ignored;
	/* Wrapper mode in a terminal: the child reads the terminal as it
	 * would without us, so it must be the foreground group. */
	r.tty_foreground = t->tty_owner && in->index == 0;
	/* Config mode: a session each, away from tend's terminal and from
	 * each other's groups. Wrapper mode's child stays in tend's session,
	 * where it may own the terminal as it would without tend. */
	r.new_session = !t->wrapper;
	if ((envp = spawn_env(c, in->index, t->notify_env, own)) == NULL)
		log_error("%s: spawn: building environment", in->name);
	else if (spawn_ids(c, &r, groups, &ngroups, err, sizeof(err)) == -1)
		log_errorx("%s: spawn: %s", in->name, err);
	else if (open_outputs(in, &r) == 0) {
		r.envp = envp;
		/* "WATCHDOG_PID=" then room for the digits. */
		r.pid_slot = own[3] != NULL ? own[3] + 13 : NULL;
		if ((pid = spawn_start(&r, &fd, &call)) == -1)
			log_error("%s: spawn: %s", in->name, call);
		close_outputs(in, &r, pid == -1);
	}
	free(envp);
	for (int i = 0; i < 4; i++)
		free(own[i]);
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
		in->pid = in->pgid = 0;
		inst_set_state(in, INST_STARTING, -1, "spawn failed");
		inst_handle(in, IEV_GROUP_EMPTY);
		return;
	}
	inst_set_process(in, pid, pid);
	/* The uid whose notify messages may speak for it (notify.c); the
	 * kernel's credentials carry the real uid. */
	in->uid = r.set_ids ? r.uid : getuid();
	if (r.tty_foreground)
		t->tty_pgid = pid;
	in->reportfd = fd;
	ev_io_init(&in->reportio, report_cb, fd, EV_READ);
	ev_io_start(t->loop, &in->reportio);
	log_info("%s: started pid %d", in->name, (int)pid);
	if (c->ready == READY_NOTIFY)
		inst_set_state(in, INST_STARTING, c->ready_timeout > 0 ?
		    c->ready_timeout : -1, "spawned, waiting for READY=1");
	else if (c->start_seconds > 0)
		inst_set_state(in, INST_STARTING, c->start_seconds, "spawned");
	else
		inst_set_state(in, INST_RUNNING, c->backoff_reset, "spawned");
}

/*
 * 1 if pid is stopped by a signal (state T), or if we cannot tell. A
 * bounded read of one small /proc file, on a stop only.
 */
static int
proc_stopped(pid_t pid)
{
	pid_t ppid;
	char st;

	if (proc_stat(pid, &st, &ppid) == -1)
		return errno != ENOENT && errno != ESRCH;
	return st == 'T';
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
	    (in->pid <= 0 || proc_stopped(in->pid)))
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

	if (c->kill_mode != KILL_PROCESS && group_alive(in->pgid))
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

	close_report(in);
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

	read_report(in);
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
	if (t->tty_pgid == in->pid) {
		/* Take the terminal back, so the next child can be given
		 * it; SIGTTOU is blocked (signalfd), so this works from a
		 * background group. Not if someone else has it now. */
		if (tcgetpgrp(STDIN_FILENO) == in->pid &&
		    tcsetpgrp(STDIN_FILENO, getpgrp()) == -1)
			log_warn("tcsetpgrp(%d)", (int)getpgrp());
		t->tty_pgid = 0;
	}
	inst_set_process(in, 0, in->pgid);
	if (c->kill_mode != KILL_PROCESS && group_alive(in->pgid)) {
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
	struct instance *in = container_of(w, struct instance, watchdog);
	char why[64];

	ev_timer_stop(loop, w);
	snprintf(why, sizeof(why), "no WATCHDOG=1 for %gs",
	    in->prog->cfg->watchdog);
	inst_watchdog_miss(in, why);
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
	struct program_config *c = in->prog->cfg;

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
		if (c->ready == READY_NOTIFY && in->state == INST_STARTING)
			inst_set_state(in, INST_RUNNING, c->backoff_reset,
			    "READY=1");
		in->prog->tend->dirty = 1;	/* /health, depends */
	}
	if ((m->set & NF_WATCHDOG) && ev_is_active(&in->watchdog))
		ev_timer_again(in->prog->tend->loop, &in->watchdog);
	if (m->set & NF_EXTEND)
		inst_extend(in, m->extend_usec);
	if ((m->set & NF_WATCHDOG_TRIGGER) && (in->state == INST_RUNNING ||
	    in->state == INST_STARTING))
		inst_watchdog_miss(in, "WATCHDOG=trigger");
}

struct instance *
program_find_pid(struct tend *t, pid_t pid)
{
	return pidmap_get(&t->inst_by_pid, pid);
}

struct instance *
program_find_group(struct tend *t, pid_t pgid)
{
	return pidmap_get(&t->inst_by_pgid, pgid);
}

/*
 * The operator's restart: an instance with a process stops as a stop
 * would (drain deadline and all) and starts again once it has ended; one
 * waiting out a backoff starts now; one that is down starts.
 */
static void
inst_restart(struct instance *in)
{
	switch (in->state) {
	case INST_STARTING:
	case INST_RUNNING:
		in->want = WANT_REPLACE;
		inst_stop(in);
		break;
	case INST_STOPPING:
		in->want = WANT_REPLACE;
		break;
	default:	/* stopped, backoff, exited, fatal */
		in->want = WANT_UP;
		in->failures = 0;
		in->rt_count = 0;
		inst_spawn_soon(in);
		break;
	}
}

void
inst_handle(struct instance *in, enum inst_event ev)
{
	struct program_config *c = in->prog->cfg;

	switch (ev) {
	case IEV_START:
		/* Waiting out a backoff: the operator's start is now. */
		if (in->state == INST_BACKOFF) {
			inst_restart(in);
			break;
		}
		if (in->want != WANT_REPLACE)
			in->want = WANT_UP;
		if (in->state == INST_STOPPED || in->state == INST_EXITED ||
		    in->state == INST_FATAL) {
			in->failures = 0;
			in->rt_count = 0;
			inst_spawn_soon(in);
		}
		break;
	case IEV_RESTART:
		inst_restart(in);
		break;
	case IEV_STOP:
		in->want = WANT_DOWN;
		in->prog->rolling = 0;	/* a rollout does not go on past it */
		if (in->state == INST_BACKOFF)
			inst_set_state(in, INST_STOPPED, -1, "stop");
		else if (in->state == INST_STARTING ||
		    in->state == INST_RUNNING)
			inst_stop(in);
		break;
	case IEV_KILL:
		in->want = WANT_DOWN;
		in->prog->rolling = 0;
		if (in->state == INST_BACKOFF)
			inst_set_state(in, INST_STOPPED, -1, "kill");
		else if ((in->state == INST_STARTING ||
		    in->state == INST_RUNNING || in->state == INST_STOPPING) &&
		    !in->kill_sent)
			inst_kill(in, "kill now");
		break;
	case IEV_EXIT:
		if (in->pid > 0)
			inst_exited(in, in->wait_status);
		break;
	case IEV_GROUP_EMPTY:
		if (in->pid == 0 && !group_alive(in->pgid))
			inst_finish(in);
		break;
	case IEV_TIMER:
		switch (in->state) {
		case INST_STARTING:
			if (c->ready == READY_NOTIFY) {
				log_warnx("%s: no READY=1 within %gs: a failed "
				    "start", in->name, c->ready_timeout);
				in->notify_failed = 1;
				inst_stop(in);
				break;
			}
			inst_set_state(in, INST_RUNNING,
			    dmax(0, c->backoff_reset - c->start_seconds),
			    "up start_seconds");
			break;
		case INST_RUNNING:
			in->failures = 0;	/* up backoff_reset */
			break;
		case INST_BACKOFF:
			inst_spawn_soon(in);
			break;
		case INST_STOPPING:
			if (!in->kill_sent)
				inst_kill(in, "stop deadline passed");
			else if (in->pid > 0)
				inst_kill(in, "still alive after kill");
			else {
				if (group_alive(in->pgid))
					log_warnx("%s: process group %d still "
					    "has members %gs after %s; no "
					    "longer waiting", in->name,
					    (int)in->pgid, TEND_KILL_GRACE,
					    sig_name(c->kill_signal));
				inst_finish(in);
			}
			break;
		default:
			break;
		}
		break;
	}
}

void
program_handle(struct program *p, enum inst_event ev)
{
	for (size_t i = 0; i < p->ninst; i++)
		inst_handle(&p->inst[i], ev);
}

int
program_reaped(struct tend *t, pid_t pid, int status)
{
	struct instance *in = program_find_pid(t, pid);

	if (in == NULL)
		return -1;
	in->wait_status = status;
	inst_handle(in, IEV_EXIT);
	return 0;
}

void
program_check_groups(struct tend *t)
{
	for (size_t i = 0; i < t->nprograms; i++)
		for (size_t j = 0; j < t->programs[i].ninst; j++) {
			struct instance *in = &t->programs[i].inst[j];

			if (in->state == INST_STOPPING && in->pid == 0)
				inst_handle(in, IEV_GROUP_EMPTY);
		}
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
program_forward(struct tend *t, int sig)
{
	for (size_t i = 0; i < t->nprograms; i++)
		for (size_t j = 0; j < t->programs[i].ninst; j++)
			(void)inst_signal(&t->programs[i].inst[j], sig);
}

void
program_rolling_restart(struct program *p)
{
	p->rolling = 1;
	p->rolling_next = 0;
	log_info("%s: rolling restart of %zu instance%s", p->cfg->name,
	    p->ninst, p->ninst == 1 ? "" : "s");
	program_rolling_step(p);
}

void
program_rolling_step(struct program *p)
{
	struct instance *prev;

	while (p->rolling) {
		if (p->tend->state != TEND_RUNNING) {
			p->rolling = 0;
			return;
		}
		if (p->rolling_next > 0) {
			prev = &p->inst[p->rolling_next - 1];
			if (prev->want == WANT_REPLACE || prev->spawnq ||
			    prev->state == INST_STARTING ||
			    prev->state == INST_BACKOFF)
				return;		/* not ready yet */
			if (!inst_is_ready(prev)) {
				log_warnx("%s: rolling restart stopped: %s "
				    "is %s", p->cfg->name, prev->name,
				    state_names[prev->state]);
				p->rolling = 0;
				return;
			}
		}
		if (p->rolling_next == p->ninst) {
			log_info("%s: rolling restart done", p->cfg->name);
			p->rolling = 0;
			return;
		}
		inst_handle(&p->inst[p->rolling_next++], IEV_RESTART);
	}
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

int
program_is_down(const struct program *p)
{
	for (size_t i = 0; i < p->ninst; i++)
		switch (p->inst[i].state) {
		case INST_STOPPED: case INST_EXITED: case INST_FATAL:
			break;
		default:
			return 0;
		}
	return 1;
}

int
program_is_up(const struct program *p)
{
	for (size_t i = 0; i < p->ninst; i++)
		if (p->inst[i].state != INST_RUNNING)
			return 0;
	return 1;
}

struct program *
program_find(struct tend *t, const char *name)
{
	for (size_t i = 0; i < t->nprograms; i++)
		if (strcmp(t->programs[i].cfg->name, name) == 0)
			return &t->programs[i];
	return NULL;
}

int
program_init(struct program *p, struct tend *t, struct program_config *cfg)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->tend = t;
	p->ninst = (size_t)cfg->numprocs;
	if ((p->inst = calloc(p->ninst, sizeof(*p->inst))) == NULL)
		return -1;
	/* Room in the pid index for a main pid and a group of each. */
	if (pidmap_reserve(&t->inst_by_pid, p->ninst) == -1)
		return -1;
	if (pidmap_reserve(&t->inst_by_pgid, p->ninst) == -1) {
		pidmap_release(&t->inst_by_pid, p->ninst);
		return -1;
	}
	p->indexed = 1;
	for (size_t i = 0; i < p->ninst; i++) {
		struct instance *in = &p->inst[i];

		in->prog = p;
		in->index = (unsigned)i;
		/* Up from the start when the start order will start it, so
		 * /health waits for it; an operator's stop sets it down. */
		in->want = cfg->autostart ? WANT_UP : WANT_DOWN;
		in->reportfd = -1;
		snprintf(in->name, sizeof(in->name), "%s:%zu", cfg->name, i);
		ev_init(&in->timer, timer_cb);
		ev_init(&in->watchdog, watchdog_cb);
		for (int k = 0; k < 2; k++) {
			in->out[k].fd = -1;
			/* Line buffers only where lines are read. */
			if (cfg->out[k].kind == OUT_PREFIX && outpipe_init(
			    &in->out[k], &t->outsink[k + 1], in->name,
			    &in->out_dropped) == -1)
				return -1;
		}
		if (cfg->restart_limit > 0 && (in->restart_times = calloc(
		    (size_t)cfg->restart_limit, sizeof(ev_tstamp))) == NULL)
			return -1;
	}
	return 0;
}

void
program_free(struct program *p)
{
	if (p->inst == NULL)
		return;
	for (size_t i = 0; i < p->ninst; i++) {
		ev_timer_stop(p->tend->loop, &p->inst[i].timer);
		ev_timer_stop(p->tend->loop, &p->inst[i].watchdog);
		close_report(&p->inst[i]);
		outpipe_free(p->tend->loop, &p->inst[i].out[0]);
		outpipe_free(p->tend->loop, &p->inst[i].out[1]);
		free(p->inst[i].restart_times);
	}
	if (p->indexed) {
		pidmap_release(&p->tend->inst_by_pid, p->ninst);
		pidmap_release(&p->tend->inst_by_pgid, p->ninst);
		p->indexed = 0;
	}
	free(p->deps);
	free(p->dependents);
	free(p->inst);
	p->inst = NULL;
}
