/*
 * sender.h: which instance a notify datagram speaks for, from the
 * sender's kernel credentials (SCM_CREDENTIALS): its main process, a
 * process of its group, or a descendant of its main process. notify.c
 * asks; the pid index it reads is program.c's.
 */
#ifndef SENDER_H
#define SENDER_H

#include <sys/types.h>

struct tend;
struct instance;

/* How the process tree is read: /proc and getpgid(2) for tend, a fake
 * tree in the unit test. */
struct sender_proc {
	/* pid's parent and start time: 0, or -1 when it is gone */
	int	(*stat)(void *arg, pid_t pid, pid_t *ppid,
		    unsigned long long *start);
	/* pid's process group, or -1 when it is gone */
	pid_t	(*pgid)(void *arg, pid_t pid);
	void	*arg;
};

/*
 * The instance that the process pid (as tend's pid namespace sees it: 0
 * for one outside it), running as real uid, may speak for; NULL when it
 * is none of ours. proc is NULL for the real process tree. now (seconds,
 * ev_now) paces the /proc reads an unknown sender costs.
 */
struct instance *sender_find(struct tend *t, pid_t pid, uid_t uid,
    double now, const struct sender_proc *proc);

#endif
