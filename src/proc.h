/*
 * proc.h: the process layer under the instance lifecycle: what touches the
 * kernel for one instance (spawn with its environment, user and outputs;
 * signals; is its group alive, is it stopped; the spawn report). The
 * lifecycle calls it only through struct proc_ops, so a unit test can
 * drive the state machine against a fake (no fork, no signal).
 */
#ifndef PROC_H
#define PROC_H

#include <sys/types.h>

struct instance;

struct proc_ops {
	/* Starts in's main process in a group (or session) of its own:
	 * its pid, with the uid it runs as in *uid (and, when it took the
	 * terminal, in tend->tty_pgid); -1 when nothing ran (logged). */
	pid_t	(*spawn)(struct instance *in, uid_t *uid);
	/* kill(2): 0, or -1 with errno. */
	int	(*kill)(pid_t target, int sig);
	/* 1 while a process of group pgid exists (pgid <= 0: 0). */
	int	(*group_alive)(pid_t pgid);
	/* 1 if pid is stopped by a signal, or if that cannot be told. */
	int	(*stopped)(pid_t pid);
	/* Reads what the child reported, if anything (logged), then
	 * closes the report pipe; report_close only closes it. */
	void	(*report_read)(struct instance *in);
	void	(*report_close)(struct instance *in);
};

/* The kernel's. */
extern const struct proc_ops proc_real;

#endif
