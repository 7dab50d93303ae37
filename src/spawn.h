/*
 * spawn.h: vfork (fork, for another user) and exec of one process in its
 * own process group (or session), with its environment, directory, user
 * and umask, its output files opened as that user, and the signal state
 * tend inherited. Failures in the child after fork come back through a
 * close-on-exec pipe as a struct spawn_report; the caller reads it from its
 * event loop.
 */
#ifndef SPAWN_H
#define SPAWN_H

#include <signal.h>
#include <sys/types.h>

#include "config.h"

enum spawn_stage {
	SPAWN_SETPGID = 1, SPAWN_CHDIR, SPAWN_SETGROUPS, SPAWN_SETGID,
	SPAWN_SETUID, SPAWN_EXEC, SPAWN_STDIO, SPAWN_SETSID,
	SPAWN_OPEN,		/* an output file: open failed (err) */
	SPAWN_FSTAT,		/* ... fstat of it failed */
	SPAWN_FCNTL,		/* ... clearing O_NONBLOCK failed */
	SPAWN_NOTFILE,		/* an output file is not a regular file or
				 * /dev/null (err = its S_IFMT bits) */
};

/* The only signals whose disposition tend (or the child, for tcsetpgrp)
 * changes; the child puts them back as tend inherited them. */
#define SPAWN_RESET_SIGNALS	{ SIGPIPE, SIGTTOU }

struct spawn_req {
	char		*const *argv;	/* borrowed */
	char		*const *envp;	/* borrowed, NULL = tend's environ */
	const char	*directory;	/* borrowed, NULL = stay */
	int		 set_ids;	/* switch to uid/gid */
	uid_t		 uid;
	gid_t		 gid;
	const gid_t	*groups;	/* supplementary groups, with gid */
	int		 ngroups;
	int		 umask_set;
	mode_t		 umask;
	int		 tty_foreground; /* take the terminal's foreground */
	int		 new_session;	/* setsid: its own session, no
					 * controlling terminal */
	int		 stdio[3];	/* dup2'd to 0, 1, 2; -1 inherit; for 2,
					 * SPAWN_STDOUT = wherever 1 goes */
	const char	*files[3];	/* borrowed: [1], [2] opened for append
					 * by the child, as the user it runs
					 * as (instead of stdio[k]); NULL none */
	const sigset_t	*mask;		/* restored before exec */
	const sigset_t	*ignored;	/* of SPAWN_RESET_SIGNALS: SIG_IGN
					 * before exec, the others SIG_DFL */
	char		*pid_slot;	/* borrowed, in an envp string with room
					 * for 10 digits: the child writes its
					 * pid there; NULL = none */
};

#define SPAWN_STDOUT	(-2)

struct spawn_report {
	int		 stage;		/* enum spawn_stage */
	int		 err;		/* errno in the child */
	int		 fd;		/* SPAWN_OPEN, SPAWN_NOTFILE: 1 or 2 */
};

/*
 * Starts the child. Returns its pid and stores the read end of the report
 * pipe (nonblocking, close-on-exec) in *reportfd; -1 with errno if pipe2
 * or vfork failed (no child then), with that call's name in *call.
 */
pid_t spawn_start(const struct spawn_req *r, int *reportfd,
    const char **call);

/*
 * Reads the child's report without blocking: 1 = a failure report is in
 * *rep, 0 = the pipe closed (exec worked), -1 = nothing yet (EAGAIN) or a
 * read error (errno set).
 */
int spawn_read_report(int fd, struct spawn_report *rep);

/*
 * The environment of instance index of c: tend's own less what an outer
 * systemd gave tend (NOTIFY_SOCKET, LISTEN_*, WATCHDOG_*), then c's, then
 * TEND_PROGRAM, TEND_INSTANCE, notify_env (borrowed, may be NULL) and,
 * with a watchdog, WATCHDOG_USEC and a WATCHDOG_PID whose digits the child
 * writes (own[3] + 13 is the slot for spawn_req.pid_slot). The strings it
 * made are in own[] (free each); free the array itself, not its strings.
 * NULL on ENOMEM.
 */
char **spawn_env(const struct program_config *c, unsigned index,
    char *notify_env, char *own[4]);

/* The user part of r from c->user and c->group; -1 with err set. */
int spawn_ids(const struct program_config *c, struct spawn_req *r,
    gid_t *groups, int *n, char *err, size_t errlen);

/* "chdir", "setuid", "exec" ... for messages. */
const char *spawn_stage_name(int stage);

/* The exit code a shell would give: 127 not found, 126 otherwise. */
int spawn_exit_code(const struct spawn_report *rep);

#endif
