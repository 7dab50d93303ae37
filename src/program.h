/*
 * program.h: programs and their instances, the instance state machine, and
 * the pure restart policy (backoff schedule, restart decision). Event
 * sources (reaper, signals, supervise) call in here; this module calls
 * spawn.c and nothing above it. It marks tend->dirty after every transition
 * so supervise.c can re-evaluate start and stop order.
 */
#ifndef PROGRAM_H
#define PROGRAM_H

#include <sys/types.h>
#include <ev.h>

#include "tend.h"
#include "config.h"
#include "output.h"
#include "policy.h"

enum inst_state {
	INST_STOPPED, INST_STARTING, INST_RUNNING, INST_BACKOFF,
	INST_STOPPING, INST_EXITED, INST_FATAL,
	INST_NSTATES
};

enum inst_event {
	IEV_START,		/* operator or start order wants it up */
	IEV_STOP,		/* graceful stop: stop_signal, deadline */
	IEV_KILL,		/* kill_signal now (second SIGINT, timeouts) */
	IEV_EXIT,		/* the main process was reaped */
	IEV_GROUP_EMPTY,	/* nothing is left of its process group */
	IEV_TIMER,		/* the current state's timer fired */
	IEV_RESTART,		/* operator: stop if up, then start again */
	IEV_READY,		/* READY=1 from the worker */
	IEV_WATCHDOG,		/* WATCHDOG=1 did not come in time */
	IEV_WATCHDOG_TRIGGER,	/* WATCHDOG=trigger from the worker */
	IEV_NEVENTS
};

enum exit_reason { EXIT_EXITED, EXIT_SIGNALED, EXIT_KILLED, EXIT_NREASONS };

/* What should become of an instance; what it is doing is its state. */
enum inst_want {
	WANT_DOWN,		/* stop it and keep it down (the operator's
				 * stop, a shutdown, autostart = no) */
	WANT_UP,		/* keep it up, restarting per its policy */
	WANT_REPLACE,		/* stop its process, then start it afresh;
				 * WANT_UP again once it has started */
};

struct program;

struct instance {
	struct program	*prog;		/* borrowed: the owner */
	unsigned	 index;
	char		 name[TEND_NAME_MAX + 8];	/* "web:0" */
	enum inst_state	 state;		/* written by inst_set_state only */
	enum inst_want	 want;		/* written by the lifecycle only */
	pid_t		 pid;		/* main process, 0 when none */
	pid_t		 pgid;		/* its group while it may have members */
	uid_t		 uid;		/* the (real) uid it was started as */
	int		 reportfd;	/* spawn report pipe, -1 when closed */
	ev_io		 reportio;
	ev_timer	 timer;		/* the current state's deadline */
	ev_tstamp	 spawned_at;	/* ev_now at spawn */
	ev_tstamp	 state_since;
	int		 kill_sent;	/* kill_signal sent in this stop */
	int		 group_signaled; /* stop_signal went to the group */
	int		 spawn_failed;	/* the last start never exec'd */
	int		 wait_status;	/* from the reaper, for IEV_EXIT */
	int		 last_status;	/* exit code as tend reports it */
	int		 last_signaled;	/* the last end was by a signal */
	int		 ran;		/* has ended at least once */
	unsigned	 failures;	/* restarts since the last reset: n */
	ev_tstamp	*restart_times;	/* owned ring of restart_limit */
	unsigned	 rt_head, rt_count;
	unsigned long long restarts;
	unsigned long long exits[EXIT_NREASONS];
	struct outpipe	 out[2];	/* prefixed stdout, stderr */
	unsigned long long out_dropped;	/* output bytes tend's streams refused */
	unsigned long long out_dropped_logged;
	double		 start_wall;	/* wall clock of the last spawn */
	struct instance	*spawnq_next;	/* borrowed: next in tend's spawn
					 * queue */
	int		 spawnq;	/* in that queue */
	/* What the worker reports (notify protocol); reset at each spawn. */
	unsigned long long queue_depth;
	unsigned long long inflight;
	char		 status_text[TEND_STATUS_TEXT_MAX];
	unsigned long long watchdog_timeouts;
	int		 reloading;	/* RELOADING=1 until READY=1 */
	int		 notify_failed;	/* not ready in time, or a watchdog
					 * miss: a failure whatever the exit */
	int		 last_errno;	/* ERRNO= */
	ev_tstamp	 stop_began;	/* the stop_signal of this stop */
	ev_timer	 watchdog;	/* WATCHDOG=1 must come within this */
};

struct program {
	struct program_config *cfg;	/* borrowed from tend->cfg */
	struct tend	*tend;		/* borrowed */
	struct instance	*inst;		/* owned array of cfg->numprocs */
	size_t		 ninst;
	struct program	**deps;		/* owned array: programs it depends on */
	size_t		 ndeps;
	struct program	**dependents;	/* owned array: programs depending on it */
	size_t		 ndependents;
	int		 started;	/* start order has released it */
	size_t		 next_start;	/* its instances below this were started */
	int		 stop_issued;	/* shutdown order has stopped it */
	int		 waiting_logged;
	int		 rolling;	/* a rolling restart is under way */
	size_t		 rolling_next;	/* its next instance to restart */
	int		 indexed;	/* has room in tend's pid index */
};

/* in's timers, set up (no callback armed) and stopped: lifecycle.c's. */
void inst_watchers_init(struct instance *in);
void inst_watchers_stop(struct instance *in);

/* Sets up p for cfg, nothing started. 0, or -1 with errno (ENOMEM). */
int program_init(struct program *p, struct tend *t, struct program_config *cfg);
/* Stops every watcher and frees; instances must have no process. */
void program_free(struct program *p);

/* Feeds one event to an instance: the whole state machine. */
void inst_handle(struct instance *in, enum inst_event ev);
void program_handle(struct program *p, enum inst_event ev);

/* The reaper found pid with wait status: 0 if it was a main process. */
int program_reaped(struct tend *t, pid_t pid, int status);
/* After any reap: instances whose main is gone check their group. */
void program_check_groups(struct tend *t);
/* Sends sig to every live instance as its kill_mode says. */
void program_forward(struct tend *t, int sig);
/* Sends sig to the whole group of every live instance. */
void program_signal_groups(struct tend *t, int sig);

/* 1 when no instance of p has a process or is waiting to restart. */
int program_is_down(const struct program *p);
/* 1 when every instance of p is running. */
int program_is_up(const struct program *p);
struct program *program_find(struct tend *t, const char *name);

const char *inst_state_name(enum inst_state s);

struct notify_msg;
/* A notify message from in's worker (or its helpers). */
void inst_notify(struct instance *in, const struct notify_msg *m);
/* The instance whose main process is pid (not yet reaped), or NULL. */
struct instance *program_find_pid(struct tend *t, pid_t pid);
/* The instance whose process group is pgid, or NULL. */
struct instance *program_find_group(struct tend *t, pid_t pgid);

/* 1 when in counts as ready: running (with ready = notify, that is after
 * READY=1), and not reloading. */
int inst_is_ready(const struct instance *in);
/* Sends sig to in as its kill_mode says; 0, or -1 if it has no process. */
int inst_signal(struct instance *in, int sig);
/* Restarts p's instances one at a time, each once the last is ready. */
void program_rolling_restart(struct program *p);
/* Moves a rolling restart on; called after any state change. */
void program_rolling_step(struct program *p);

/* Spawns the queued instances still wanted, for at most TEND_SPAWN_SLICE
 * (one always); the loop's prepare step calls it once an iteration. */
void program_spawn_queued(struct tend *t);
/* Empties the spawn queue (at exit). */
void program_spawnq_clear(struct tend *t);

#endif
