/*
 * sender.c: who sent a notify datagram. In order: the pid is an
 * instance's main process (believed whatever uid it now has: it is the
 * instance); the pid's process group is an instance's (believed only
 * from that instance's uid, or root); one of the pid's ancestors, up a
 * bounded walk of /proc, is an instance's main process (the same uid
 * rule). Root is believed because it could do directly all a message
 * can (signal the worker, ...). A sender that is none of these costs a
 * bounded walk once; a cache of the senders found unknown, keyed by pid
 * and start time, and a budget of /proc reads a second keep a flood of
 * them O(1) each.
 */
#include <errno.h>
#include <unistd.h>

#include "tend.h"
#include "program.h"
#include "sender.h"
#include "util.h"

static int
live_stat(void *arg, pid_t pid, pid_t *ppid, unsigned long long *start)
{
	return proc_stat_start(pid, ppid, start);
}

static pid_t
live_pgid(void *arg, pid_t pid)
{
	return getpgid(pid);
}

static const struct sender_proc live = { live_stat, live_pgid, NULL };

/* A group or ancestry match holds for uid: in's own, or root's. */
static int
trusted(const struct instance *in, uid_t uid)
{
	return uid == 0 || uid == in->uid;
}

/* One more /proc read within this second's budget: 1, or 0 if spent. */
static int
may_read(struct notify_guard *g, double now)
{
	if (now - g->reads_since >= 1.0 || now < g->reads_since) {
		g->reads_since = now;
		g->reads = 0;
	}
	if (g->reads >= TEND_NOTIFY_PROC_READS)
		return 0;
	g->reads++;
	return 1;
}

static size_t
slot(pid_t pid)
{
	return (size_t)pid % TEND_NOTIFY_MISS_CACHE;
}

static int
known_miss(const struct notify_guard *g, pid_t pid, unsigned long long st,
    double now)
{
	size_t i = slot(pid);

	return g->miss_pid[i] == pid && g->miss_start[i] == st &&
	    now < g->miss_until[i];
}

static void
remember_miss(struct notify_guard *g, pid_t pid, unsigned long long st,
    double now)
{
	size_t i = slot(pid);

	g->miss_pid[i] = pid;
	g->miss_start[i] = st;
	g->miss_until[i] = now + TEND_NOTIFY_MISS_TTL;
}

/*
 * Up pid's parents, at most TEND_ANCESTRY_MAX of them, to the first that
 * is a main process. The walk stops at a parent <= 1 (init, or 0: one
 * outside our pid namespace, as for nsenter or docker exec) and at tend
 * (whose children are main processes, found already, or orphans it
 * adopted). A miss is remembered unless a read failed or the budget was
 * spent; it holds while the process lives (ancestry only changes by
 * reparenting, up), and for TEND_NOTIFY_MISS_TTL in case it is
 * reparented to a main process that made itself a subreaper.
 */
static struct instance *
walk(struct tend *t, pid_t pid, uid_t uid, double now,
    const struct sender_proc *pr)
{
	struct notify_guard *g = &t->notify_guard;
	unsigned long long st0, st;
	pid_t self = getpid(), ppid;
	struct instance *in;

	if (!may_read(g, now) || pr->stat(pr->arg, pid, &ppid, &st0) == -1)
		return NULL;	/* gone, or too many reads this second */
	if (known_miss(g, pid, st0, now))
		return NULL;
	for (int d = 1; ppid > 1 && ppid != self; d++) {
		if ((in = program_find_pid(t, ppid)) != NULL) {
			if (trusted(in, uid))
				return in;
			break;
		}
		if (d == TEND_ANCESTRY_MAX)
			break;
		if (!may_read(g, now) || pr->stat(pr->arg, ppid, &ppid,
		    &st) == -1)
			return NULL;
	}
	remember_miss(g, pid, st0, now);
	return NULL;
}

struct instance *
sender_find(struct tend *t, pid_t pid, uid_t uid, double now,
    const struct sender_proc *proc)
{
	const struct sender_proc *pr = proc != NULL ? proc : &live;
	struct instance *in;
	pid_t pgid;

	if (pid <= 0)
		return NULL;	/* 0: outside our pid namespace */
	if ((in = program_find_pid(t, pid)) != NULL)
		return in;
	/* A group is joined by setpgid(2), by any process of the session:
	 * it says who the sender is only together with the uid. A group
	 * match from another uid may still be a helper by parentage. */
	if ((pgid = pr->pgid(pr->arg, pid)) > 0 &&
	    (in = program_find_group(t, pgid)) != NULL && trusted(in, uid))
		return in;
	return walk(t, pid, uid, now, pr);
}
