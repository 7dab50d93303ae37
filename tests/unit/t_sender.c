/*
 * t_sender.c: sender_find, the attribution of notify datagrams, against a
 * fake process tree (no fork, no /proc): main pid, group and ancestry
 * matches and the uid each needs, pids 0 and below, walks that stop at
 * a parent outside the namespace, at tend and at the depth limit, and
 * the cache and /proc budget that keep unknown senders cheap.
 */
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "program.h"
#include "sender.h"

#define NPIDS	4096

/* The fake tree: pid -> parent, start time, group; 0 parent = none. */
static struct {
	pid_t			 ppid[NPIDS], pgid[NPIDS];
	unsigned long long	 start[NPIDS];
	int			 alive[NPIDS];
	unsigned		 reads;
} tree;

static int
fake_stat(void *arg, pid_t pid, pid_t *ppid, unsigned long long *start)
{
	tree.reads++;
	if (pid <= 0 || pid >= NPIDS || !tree.alive[pid])
		return -1;
	*ppid = tree.ppid[pid];
	*start = tree.start[pid];
	return 0;
}

static pid_t
fake_pgid(void *arg, pid_t pid)
{
	return pid > 0 && pid < NPIDS && tree.alive[pid] ? tree.pgid[pid] : -1;
}

static const struct sender_proc fake = { fake_stat, fake_pgid, NULL };

static void
proc(pid_t pid, pid_t ppid, pid_t pgid)
{
	tree.alive[pid] = 1;
	tree.ppid[pid] = ppid;
	tree.pgid[pid] = pgid;
	tree.start[pid] = 1000 + (unsigned long long)pid;
}

static struct tend t;
static struct program prog[3];
static struct instance inst[3];
static struct program_config cfg[3];

/* Instance i: main pid (its group too; 0 = none) running as uid. */
static void
instance(int i, pid_t pid, uid_t uid)
{
	inst[i].prog = &prog[i];
	inst[i].pid = inst[i].pgid = pid;
	inst[i].uid = uid;
	snprintf(inst[i].name, sizeof(inst[i].name), "p%d:0", i);
	if (pid > 0) {
		(void)pidmap_put(&t.inst_by_pid, pid, &inst[i]);
		(void)pidmap_put(&t.inst_by_pgid, pid, &inst[i]);
		proc(pid, getpid(), pid);
	}
}

static struct instance *
find(pid_t pid, uid_t uid, double now)
{
	return sender_find(&t, pid, uid, now, &fake);
}

int
main(void)
{
	struct instance *got;
	unsigned r;

	plan(24);
	for (int i = 0; i < 3; i++) {
		prog[i].cfg = &cfg[i];
		prog[i].tend = &t;
		prog[i].inst = &inst[i];
		prog[i].ninst = 1;
	}
	t.programs = prog;
	t.nprograms = 3;
	(void)pidmap_reserve(&t.inst_by_pid, 3);
	(void)pidmap_reserve(&t.inst_by_pgid, 3);
	instance(0, 100, 0);		/* victim: root */
	instance(1, 200, 65534);	/* nobody */
	instance(2, 0, 0);		/* stopped: no process */

	ok(find(100, 0, 1) == &inst[0] && find(100, 65534, 1) == &inst[0],
	    "the main pid is its instance, whatever the uid");
	ok(find(0, 0, 1) == NULL && find(-1, 0, 1) == NULL &&
	    find(-100, 0, 1) == NULL, "pids 0 and below are nobody's");
	proc(101, 100, 100);
	ok(find(101, 0, 1) == &inst[0], "a process of its group, same uid");
	proc(201, 200, 200);
	ok(find(201, 65534, 1) == &inst[1], "... of nobody's group, as nobody");
	ok(find(201, 0, 1) == &inst[1], "... and as root");

	/* The spoof: nobody's helper joins the root victim's group. */
	proc(202, 1, 100);
	tree.reads = 0;
	got = find(202, 65534, 1);
	ok(got == NULL, "nobody in root's group, not its descendant: nobody's");
	ok(tree.reads == 1, "... one /proc read (%u): its parent is init",
	    tree.reads);
	proc(203, 200, 100);
	ok(find(203, 65534, 1) == &inst[1],
	    "nobody in root's group, but nobody's child: nobody's instance");
	proc(102, 1, 200);
	ok(find(102, 0, 1) == &inst[1], "root in nobody's group: believed");

	/* Ancestry. */
	proc(110, 100, 110);
	proc(111, 110, 111);
	ok(find(111, 0, 1) == &inst[0], "a grandchild in a group of its own");
	ok(find(111, 1000, 1) == NULL,
	    "... not from another uid (setuid helper of a root worker)");
	proc(210, 200, 210);
	ok(find(210, 65534, 1) == &inst[1] && find(210, 1000, 1) == NULL,
	    "nobody's child: as nobody yes, as uid 1000 no");

	/* Outsiders: parent 0 (nsenter, docker exec) and stopped ones. */
	proc(300, 0, 300);
	tree.reads = 0;
	got = find(300, 0, 1);
	ok(got == NULL && tree.reads == 1,
	    "parent 0 (outside the pid namespace): nobody's, not the "
	    "stopped instance's");
	proc(301, getpid(), 301);
	tree.reads = 0;
	got = find(301, 0, 1);
	ok(got == NULL && tree.reads == 1,
	    "tend's own child that is no main (an orphan): the walk stops");
	ok(find(999, 0, 1) == NULL, "a pid that is gone");

	/* Depth: a chain under the victim's main. */
	proc(400, 100, 400);
	for (pid_t p = 401; p < 420; p++)
		proc(p, p - 1, 400);	/* 419 is 20 below main 100 */
	tree.reads = 0;
	got = find(415, 0, 1);
	ok(got == &inst[0], "16 levels below a main: found");
	ok(tree.reads == 16, "... in 16 /proc reads (%u)", tree.reads);
	tree.reads = 0;
	got = find(419, 0, 2);
	ok(got == NULL && tree.reads == 16,
	    "20 levels below: not, after 16 reads (%u)", tree.reads);

	/* The cache: the same unknown sender again costs one read. */
	tree.reads = 0;
	got = find(419, 0, 2.5);
	ok(got == NULL && tree.reads == 1,
	    "an unknown sender again: one read (%u)", tree.reads);
	tree.start[419]++;
	tree.reads = 0;
	got = find(419, 0, 2.5);
	ok(got == NULL && tree.reads == 16,
	    "a new process with its pid: walked again (%u)", tree.reads);
	tree.reads = 0;
	got = find(419, 0, 4);
	ok(got == NULL && tree.reads == 16,
	    "... and once the cache entry is %gs old", TEND_NOTIFY_MISS_TTL);

	/* The budget: unknown senders past it cost no read. */
	tree.reads = 0;
	for (int i = 0; i < 2 * TEND_NOTIFY_PROC_READS; i++) {
		tree.start[419]++;
		(void)find(419, 0, 10);
	}
	ok(tree.reads == TEND_NOTIFY_PROC_READS,
	    "a flood of new senders: %u /proc reads in a second, no more",
	    tree.reads);
	got = find(100, 0, 10.5);
	r = tree.reads;
	ok(got == &inst[0] && find(101, 0, 10.5) == &inst[0] &&
	    tree.reads == r, "... main pid and group matches still work");
	ok(find(111, 0, 11) == &inst[0], "a new second, a new budget");
	pidmap_release(&t.inst_by_pid, 3);
	pidmap_release(&t.inst_by_pgid, 3);
	return done();
}
