/*
 * tend.h: the one context (struct tend), the limits every module shares, and
 * container_of. Modules get the context from ev_userdata(loop); nothing else
 * in tend is global except log.c's state.
 */
#ifndef TEND_H
#define TEND_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <ev.h>

#include "pidmap.h"
#include "sink.h"

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define TEND_NUMPROCS_MAX	10000	/* instances of one program */
#define TEND_INSTANCES_MAX	100000	/* instances of all programs together */
#define TEND_GROUPS_MAX		256	/* supplementary groups of a user */
#define TEND_SPAWN_SLICE	0.001	/* seconds of spawning a loop iteration
					 * may take (starts and restarts
					 * together); one spawn always */
#define TEND_PROGRAMS_MAX	1000	/* programs in one config */
#define TEND_CONFIG_LINE_MAX	4096	/* one config line, newline excluded */
#define TEND_CONFIG_SIZE_MAX	(1 << 20) /* whole config file */
#define TEND_ARGV_MAX		4096	/* words in one command */
#define TEND_ENV_MAX		4096	/* entries in one environment list */
#define TEND_NAME_MAX		64	/* program name */
#define TEND_RESTART_LIMIT_MAX	10000	/* restart_limit */
#define TEND_DURATION_MAX	(100.0 * 365 * 86400) /* 100 years, in seconds */
#define TEND_LOG_LINE_MAX	2048	/* one log line, truncated beyond */
#define TEND_OUTPUT_LINE_MAX	4000	/* a prefixed output line; longer ones are split
					 * (with the prefix, a record fits PIPE_BUF) */
#define TEND_SWEEP_TIMEOUT	2.0	/* PID 1: TERM to leftovers, then KILL after this */
#define TEND_KILL_GRACE		2.0	/* after kill_signal, wait this long before giving up on a group */
#define TEND_ERRORS_MAX		100	/* config problems reported before giving up */
#define TEND_HTTP_HEAD_MAX	8192	/* request line and headers, blank line included */
#define TEND_HTTP_BODY_MAX	65536	/* request body, decoded */
#define TEND_HTTP_PATH_MAX	256	/* decoded request path, NUL included */
#define TEND_HTTP_QUERY_MAX	256	/* raw query string, NUL included */
#define TEND_LAG_NBUCKETS	13	/* tend_loop_lag_seconds buckets, +Inf excluded */
#define TEND_CONN_MAX		128	/* control connections open at once, per
					 * listener (Unix socket, TCP) */
#define TEND_CONN_TIMEOUT	5.0	/* a request must arrive whole within this */
#define TEND_CONN_IDLE_TIMEOUT	1.0	/* first byte of a connection by then */
#define TEND_HTTP_RESP_HEAD_MAX	512	/* an answer's status line, headers */
#define TEND_RENDER_INTERVAL	0.5	/* /metrics and /status are rendered at
					 * most this often, shared meanwhile */
#define TEND_OUTPUT_MAX		(64 << 20) /* bytes of answers queued, all
					 * connections together */
#define TEND_CONN_BUF_MAX	(2 * (TEND_HTTP_HEAD_MAX + TEND_HTTP_BODY_MAX))
					/* input held per connection: one request
					 * with its chunk framing */
#define TEND_ACCEPT_RETRY	0.1	/* out of fds: accept again after this */
#define TEND_ACCEPT_LOG_EVERY	10.0	/* ... and say so at most this often */
#define TEND_HEALTH_NAMES	10	/* instances /health names, then "and N more" */
#define TEND_NOTIFY_DGRAM_MAX	4096	/* a notify datagram, as systemd takes them */
#define TEND_NOTIFY_FDS_MAX	64	/* descriptors read (and closed) per datagram */
#define TEND_NOTIFY_BATCH	256	/* datagrams read per loop iteration */
#define TEND_ANCESTRY_MAX	16	/* /proc parents walked to find a sender */
#define TEND_STATUS_TEXT_MAX	256	/* STATUS= text kept per instance */
#define TEND_NOTIFY_PROC_READS	4096	/* /proc reads a second to find notify
					 * senders; beyond, unknown ones drop */
#define TEND_NOTIFY_MISS_CACHE	256	/* unknown notify senders remembered */
#define TEND_NOTIFY_MISS_TTL	1.0	/* ... for this long, in seconds */
#define TEND_NOTIFY_LOG_EVERY	10.0	/* unknown senders logged this often */

struct config;
struct proc_ops;
struct program;
struct control;
struct instance;

/* The loop's own figures (metrics.c): lag probe, pending watchers. */
struct loop_stats {
	ev_timer		 probe;		/* lag_probe_interval, if nonzero */
	ev_check		 check;		/* after each poll: pending count */
	double			 due;		/* CLOCK_MONOTONIC the probe is due */
	unsigned long long	 buckets[TEND_LAG_NBUCKETS + 1]; /* not cumulative;
					 * the last is above every bound */
	unsigned long long	 count;
	double			 sum, max, last;
	unsigned		 pending;	/* ev_pending_count after the last poll */
};

/* What keeps notify senders that are none of ours cheap (sender.c). */
struct notify_guard {
	/* Senders walked and found none of ours (pid 0 = a free slot),
	 * with their start time, so a reused pid is walked again. */
	pid_t			 miss_pid[TEND_NOTIFY_MISS_CACHE];
	unsigned long long	 miss_start[TEND_NOTIFY_MISS_CACHE];
	double			 miss_until[TEND_NOTIFY_MISS_CACHE];
	double			 reads_since;	/* ev_now this second began */
	unsigned		 reads;		/* /proc reads in it */
	double			 logged_at;	/* ev_now of the last log line
						 * about unknown senders */
	unsigned long long	 logged_count;	/* unknown_pid then */
};

/* Counters of events that belong to no instance. */
enum notify_result { NOTIFY_OK, NOTIFY_MALFORMED, NOTIFY_UNKNOWN_PID,
	NOTIFY_TRUNCATED, NOTIFY_NRESULTS };
#define TEND_HTTP_NCODES	16	/* distinct status codes counted */

enum tend_state {
	TEND_RUNNING,		/* programs up, restarts happen */
	TEND_STOPPING,		/* graceful shutdown in progress */
	TEND_SWEEPING,		/* PID 1: TERM/KILL to every process left */
	TEND_DONE,		/* the loop may end */
};

struct tend {
	struct ev_loop		*loop;		/* borrowed: the default loop */
	struct config		*cfg;		/* owned */
	struct program		*programs;	/* owned array of cfg->nprograms */
	const struct proc_ops	*proc;		/* borrowed: the process layer
						 * (proc.h); a fake in tests */
	size_t			 nprograms;
	int			 wrapper;	/* started as tend -- CMD */
	int			 devnull;	/* /dev/null, O_RDWR: stdin in config mode, null */
	struct sink		 outsink[3];	/* tend's stdout [1] and stderr [2], for prefix */
	int			 pid1;		/* getpid() == 1 */
	enum tend_state		 state;
	int			 exit_status;	/* set when the shutdown is decided */
	int			 exit_status_set;
	int			 killed_any;	/* an instance was killed at a deadline */
	int			 sigint_count;
	int			 pass_int;	/* wrapper mode, no --stop-signal:
						 * a SIGINT shutdown stops with
						 * INT */
	int			 stop_override;	/* this shutdown's stop signal,
						 * not stop_signal; 0 none */
	unsigned		 shutdown_repeats; /* requests after the first */
	int			 tty_stopped;	/* job control stopped us and our children */
	int			 tty_owner;	/* wrapper mode started in the foreground */
	pid_t			 tty_pgid;	/* group we gave the terminal to, 0 = none */
	int			 dirty;		/* an instance changed state: re-plan */
	struct instance		*spawnq_head;	/* borrowed: instances waiting to
						 * be spawned, in order */
	struct instance		*spawnq_tail;
	ev_idle			 spawn_idle;	/* active while the queue holds
						 * any: the loop must not sleep */
	uint64_t		 rng;		/* xorshift state for backoff jitter */
	int			 sweep_killed;	/* PID 1 sweep: KILL sent */
	int			 shutdown_killed; /* shutdown_timeout passed: KILL sent */
	double			 start_time;	/* wall clock, for metrics */

	sigset_t		 orig_mask;	/* signal mask we inherited */
	sigset_t		 orig_ignored;	/* signals we inherited as SIG_IGN */

	int			 sigfd;		/* signalfd of every signal we handle, -1 */
	ev_io			 sigfd_io;
	ev_timer		 shutdown_timer; /* shutdown_timeout, then the PID 1 sweep */
	ev_timer		 delay_timer;	/* shutdown_delay */
	ev_timer		 sweep_poll;	/* PID 1 sweep: anyone left? */
	ev_prepare		 step;		/* re-plans start/stop order when dirty */

	struct loop_stats	 loop_stats;
	struct control		*control;	/* owned: listeners and connections,
						 * NULL when there is no socket */
	int			 notify_fd;	/* NOTIFY_SOCKET, -1 when none */
	ev_io			 notify_io;
	char			 notify_socket[64]; /* its NOTIFY_SOCKET value */
	char			*notify_env;	/* owned: "NOTIFY_SOCKET=..." */
	struct pidmap		 inst_by_pid;	/* main pid -> instance */
	struct pidmap		 inst_by_pgid;	/* process group -> instance;
						 * both written by program.c */
	struct notify_guard	 notify_guard;

	unsigned long long	 orphans_reaped;
	unsigned long long	 signals_received[NSIG];
	unsigned long long	 notify_messages[NOTIFY_NRESULTS];
	unsigned long long	 control_requests[TEND_HTTP_NCODES];
};

#endif
