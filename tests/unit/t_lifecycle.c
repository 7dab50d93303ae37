/*
 * t_lifecycle.c: the instance state machine (lifecycle.c) against a fake
 * process layer: no fork, no signal, no sleep. Every state is reached by
 * a recipe of events, every event is then sent to it, and the state that
 * follows is checked against the table below, which restates the
 * lifecycle's: all 70 pairs. Then scenarios check what went to the
 * "kernel" (signals, spawns) on the way: a stop, a kill at the deadline,
 * a replace, the spawn queue, a failed spawn, a shutdown.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../tap.h"
#include "tend.h"
#include "config.h"
#include "log.h"
#include "proc.h"
#include "program.h"

/* ---- the fake process layer ------------------------------------------ */

#define NSENT	64

static struct {
	pid_t	 next_pid;
	int	 spawn_fails;		/* spawn returns -1 */
	int	 spawns;
	int	 group;			/* what group_alive answers */
	int	 nsent;
	pid_t	 target[NSENT];
	int	 sig[NSENT];
} fk;

static pid_t
fake_spawn(struct instance *in, uid_t *uid)
{
	if (fk.spawn_fails)
		return -1;
	*uid = 0;
	fk.spawns++;
	return fk.next_pid++;
}

static int
fake_kill(pid_t target, int sig)
{
	if (fk.nsent < NSENT) {
		fk.target[fk.nsent] = target;
		fk.sig[fk.nsent] = sig;
	}
	fk.nsent++;
	if (target < 0 && !fk.group) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

static int
fake_group_alive(pid_t pgid)
{
	return pgid > 0 && fk.group;
}

static int
fake_stopped(pid_t pid)
{
	return 0;
}

static void
fake_report(struct instance *in)
{
}

static const struct proc_ops fake = {
	fake_spawn, fake_kill, fake_group_alive, fake_stopped, fake_report,
	fake_report,
};

/* The last signal sent, and to whom. */
static int
sent(pid_t target, int sig)
{
	return fk.nsent > 0 && fk.target[fk.nsent - 1] == target &&
	    fk.sig[fk.nsent - 1] == sig;
}

/* ---- a fixture: one program of one instance ---------------------------- */

static struct tend t;
static struct config *cfg;
static struct program prog;
static struct instance *in;

/* The loop never runs here: the tests are its iterations. */
static void
idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
}

static void
setup(int restart_limit)
{
	struct program_config *pc;

	memset(&t, 0, sizeof(t));
	memset(&fk, 0, sizeof(fk));
	fk.next_pid = 100;
	t.loop = ev_default_loop(0);
	t.proc = &fake;
	t.state = TEND_RUNNING;
	t.rng = 1;
	cfg = config_new("t_lifecycle");
	pc = config_add_program(cfg, "w");
	pc->start_seconds = 1;
	pc->restart_limit = restart_limit;
	if (program_init(&prog, &t, pc) == -1)
		abort();
	t.programs = &prog;
	t.nprograms = 1;
	in = &prog.inst[0];
	ev_idle_init(&t.spawn_idle, idle_cb);
}

static void
teardown(void)
{
	program_spawnq_clear(&t);
	program_free(&prog);
	config_free(cfg);
}

/* An event, then what the loop's prepare step would spawn. */
static void
send(enum inst_event ev)
{
	inst_handle(in, ev);
	program_spawn_queued(&t);
}

/* The main process exits with code (group gone: fk.group 0). */
static void
exit_with(int code)
{
	in->wait_status = W_EXITCODE(code, 0);
	send(IEV_EXIT);
}

/* Brings the fresh instance to state s by real events. */
static void
reach(enum inst_state s)
{
	switch (s) {
	case INST_STOPPED:
		break;
	case INST_STARTING:
		send(IEV_START);
		break;
	case INST_RUNNING:
		send(IEV_START);
		send(IEV_TIMER);		/* up start_seconds */
		break;
	case INST_BACKOFF:
		reach(INST_RUNNING);
		exit_with(1);
		break;
	case INST_STOPPING:
		reach(INST_RUNNING);
		send(IEV_STOP);
		break;
	case INST_EXITED:
		reach(INST_RUNNING);
		exit_with(0);			/* on-failure: a clean exit */
		break;
	case INST_FATAL:
		reach(INST_BACKOFF);		/* one restart counted */
		send(IEV_TIMER);		/* spawned again */
		exit_with(1);			/* over restart_limit = 1 */
		break;
	default:
		abort();
	}
}

/* ---- every pair ---------------------------------------------------------- */

#define S_	INST_STOPPED
#define ST	INST_STARTING
#define R_	INST_RUNNING
#define B_	INST_BACKOFF
#define SP	INST_STOPPING
#define E_	INST_EXITED
#define F_	INST_FATAL

/*
 * The state after [state][event], with start_seconds = 1, ready = none,
 * restart = on-failure, restart_limit = 1, an exit code of 1 for EXIT and
 * nothing left of the group. Columns: START STOP KILL EXIT GROUP_EMPTY
 * TIMER RESTART READY WATCHDOG WATCHDOG_TRIGGER.
 */
static const enum inst_state after[INST_NSTATES][IEV_NEVENTS] = {
	[S_] = { ST, S_, S_, S_, S_, S_, ST, S_, S_, S_ },
	[ST] = { ST, SP, SP, B_, ST, R_, SP, ST, ST, SP },
	[R_] = { R_, SP, SP, B_, R_, R_, SP, R_, SP, SP },
	[B_] = { ST, S_, S_, B_, B_, ST, ST, B_, B_, B_ },
	[SP] = { SP, SP, SP, S_, SP, SP, SP, SP, SP, SP },
	[E_] = { ST, E_, E_, E_, E_, E_, ST, E_, E_, E_ },
	[F_] = { ST, F_, F_, F_, F_, F_, ST, F_, F_, F_ },
};

static void
every_pair(void)
{
	for (int s = 0; s < INST_NSTATES; s++)
		for (int e = 0; e < IEV_NEVENTS; e++) {
			setup(1);
			reach((enum inst_state)s);
			if (in->state != (enum inst_state)s) {
				ok(0, "reach %s", inst_state_name(
				    (enum inst_state)s));
				teardown();
				continue;
			}
			if (e == IEV_EXIT)
				exit_with(1);
			else
				send((enum inst_event)e);
			is_str(inst_state_name(in->state),
			    inst_state_name(after[s][e]),
			    "%s + event %d", inst_state_name(
			    (enum inst_state)s), e);
			teardown();
		}
}

/* ---- scenarios ----------------------------------------------------------- */

static void
stop_and_deadline(void)
{
	setup(0);
	reach(INST_RUNNING);
	is_int(in->pid, 100, "spawned: pid 100");
	fk.group = 1;			/* a leftover stays in its group */
	send(IEV_STOP);
	ok(sent(100, SIGTERM), "stop: TERM to the main process (mixed)");
	is_int(in->want, WANT_DOWN, "stop: it wants down");
	send(IEV_TIMER);		/* the drain deadline */
	ok(sent(-100, SIGKILL), "deadline: KILL to the whole group");
	ok(in->kill_sent, "deadline: kill_sent");
	in->wait_status = W_EXITCODE(0, SIGKILL);
	send(IEV_EXIT);
	is_str(inst_state_name(in->state), "stopping",
	    "main killed, group still there: stopping");
	fk.group = 0;
	send(IEV_GROUP_EMPTY);
	is_str(inst_state_name(in->state), "stopped", "group empty: stopped");
	is_int(fk.spawns, 1, "and not restarted");
	teardown();
}

static void
replace_then_start(void)
{
	setup(0);
	reach(INST_RUNNING);
	send(IEV_RESTART);
	ok(sent(100, SIGTERM), "restart: the old process is asked to stop");
	is_int(in->want, WANT_REPLACE, "restart: it wants a replacement");
	exit_with(0);
	is_int(in->pid, 101, "after its exit: a new process (pid 101)");
	is_int(in->want, WANT_UP, "which wants up again");
	is_int((int)in->failures, 0, "a replacement is no failure");
	teardown();
}

static void
spawn_queue(void)
{
	setup(0);
	inst_handle(in, IEV_START);
	is_int(fk.spawns, 0, "start: queued, not spawned in the callback");
	ok(in->spawnq, "start: in the queue");
	inst_handle(in, IEV_STOP);
	program_spawn_queued(&t);
	is_int(fk.spawns, 0, "a stop before its turn cancels the spawn");
	is_str(inst_state_name(in->state), "stopped", "and it stays stopped");
	ok(!in->spawnq, "the queue is empty");
	teardown();
}

static void
failed_spawn(void)
{
	setup(0);
	fk.spawn_fails = 1;
	send(IEV_START);
	is_str(inst_state_name(in->state), "backoff",
	    "a spawn that fails: a failed start, backoff");
	is_int(in->last_status, 126, "... with status 126");
	is_int((int)in->failures, 1, "... counted");
	fk.spawn_fails = 0;
	send(IEV_TIMER);
	is_str(inst_state_name(in->state), "starting",
	    "the backoff's end spawns again");
	teardown();
}

static void
shutdown_no_restart(void)
{
	setup(0);
	reach(INST_RUNNING);
	t.state = TEND_STOPPING;
	exit_with(1);
	is_str(inst_state_name(in->state), "stopped",
	    "shutting down: an exit is final");
	is_int(fk.spawns, 1, "... nothing spawned");
	teardown();
}

static void
watchdog(void)
{
	setup(0);
	reach(INST_RUNNING);
	send(IEV_WATCHDOG_TRIGGER);
	ok(fk.nsent >= 2 && fk.target[0] == 100 && fk.sig[0] == SIGABRT,
	    "WATCHDOG=trigger: ABRT to the main process first");
	ok(sent(100, SIGTERM), "... then the stop signal");
	ok(in->notify_failed, "... a failure whatever the exit");
	is_int((int)in->watchdog_timeouts, 1, "... counted");
	teardown();
}

int
main(void)
{
	log_init(LOG_ERROR, LOG_TEXT);
	plan(INST_NSTATES * IEV_NEVENTS + 8 + 5 + 5 + 4 + 2 + 4);
	every_pair();
	stop_and_deadline();
	replace_then_start();
	spawn_queue();
	failed_spawn();
	shutdown_no_restart();
	watchdog();
	return done();
}
