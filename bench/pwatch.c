/*
 * pwatch.c: watches a supervisor's process tree through /proc for
 * bench/run.sh, cheaply enough to poll every few ms while 1000 workers
 * start or stop. It knows nothing of any supervisor: workers are the
 * processes named COMM (their /proc comm) among ROOT's children and
 * grandchildren (tend and supervisord run them directly; runsvdir and
 * s6-svscan through one runsv or s6-supervise each).
 *
 * usage: pwatch up ROOT COMM N TIMEOUT_MS T0_US
 *          wait until N workers run; print "MS COUNT", MS from T0_US
 *          (CLOCK_REALTIME in µs, as bash's EPOCHREALTIME without its
 *          dot); on timeout print "? COUNT" and exit 1
 *        pwatch down ROOT SIG TIMEOUT_MS
 *          note ROOT's tree (3 levels), send SIG to ROOT, wait until every
 *          process noted has exited (gone, or a zombie); print "MS NPROC",
 *          or "? LEFT" and exit 1 on timeout
 *        pwatch tree ROOT
 *          print "PID DEPTH COMM START" for ROOT and its tree, 3 levels
 *          (START: the start time in /proc/PID/stat, to tell a reused pid)
 * The poll interval is $PWATCH_POLL_MS (default 5).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXKIDS 32768		/* children of one process we read */
#define SETSIZE 65536		/* pid set slots, a power of two */
#define MAXTREE 32768		/* processes noted by down and tree */

static pid_t set_key[SETSIZE];
static pid_t kids[MAXKIDS], gkids[MAXKIDS];
static long poll_ms = 5;

static ssize_t
read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((size_t)len < size - 1) {
		n = read(fd, buf + len, size - 1 - (size_t)len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

/* The children of pid (of its main thread: none of our supervisors forks
 * from another) into out; their count, 0 when it has gone. */
static int
children(pid_t pid, pid_t *out)
{
	static char buf[MAXKIDS * 8];
	char path[64], *p, *end;
	long v;
	int n = 0;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid,
	    (int)pid);
	if (read_file(path, buf, sizeof buf) <= 0)
		return 0;
	for (p = buf; n < MAXKIDS; p = end) {
		v = strtol(p, &end, 10);
		if (end == p)
			break;
		out[n++] = (pid_t)v;
	}
	return n;
}

static int
comm_is(pid_t pid, const char *comm)
{
	char path[64], buf[64];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	if ((n = read_file(path, buf, sizeof buf)) <= 0)
		return 0;
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return strcmp(buf, comm) == 0;
}

/* State letter and start time (field 22) of pid; state 0 when gone. */
static char
proc_state(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p, st;
	int i;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof buf) <= 0 ||
	    (p = strrchr(buf, ')')) == NULL || p[1] == '\0')
		return 0;
	p += 2;
	st = *p;
	for (i = 3; i < 22 && p != NULL; i++)
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	*start = p != NULL ? strtoull(p, NULL, 10) : 0;
	return st;
}

/* Adds pid to the set; 1 if it was new. */
static int
set_add(pid_t pid)
{
	unsigned h = ((unsigned)pid * 2654435761u) & (SETSIZE - 1);

	while (set_key[h] != 0) {
		if (set_key[h] == pid)
			return 0;
		h = (h + 1) & (SETSIZE - 1);
	}
	set_key[h] = pid;
	return 1;
}

static int
set_has(pid_t pid)
{
	unsigned h = ((unsigned)pid * 2654435761u) & (SETSIZE - 1);

	while (set_key[h] != 0) {
		if (set_key[h] == pid)
			return 1;
		h = (h + 1) & (SETSIZE - 1);
	}
	return 0;
}

static double
now_us(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
nap(void)
{
	struct timespec ts = { poll_ms / 1000, (poll_ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Workers running now. A child of ROOT that is a worker, or has one as a
 * child, is "settled" and is not read again: the workers here do not exit
 * while we count, so each poll only reads the children still starting.
 */
static int
count_up(pid_t root, const char *comm)
{
	int i, j, nk, ng, count = 0;

	nk = children(root, kids);
	for (i = 0; i < nk; i++) {
		if (set_has(kids[i])) {
			count++;
			continue;
		}
		if (comm_is(kids[i], comm)) {
			set_add(kids[i]);
			count++;
			continue;
		}
		ng = children(kids[i], gkids);
		for (j = 0; j < ng; j++)
			if (comm_is(gkids[j], comm)) {
				set_add(kids[i]);
				count++;
				break;
			}
	}
	return count;
}

static int
do_up(pid_t root, const char *comm, long n, long timeout_ms, double t0)
{
	double end = now_us(CLOCK_MONOTONIC) + (double)timeout_ms * 1e3;
	int count;

	for (;;) {
		count = count_up(root, comm);
		if (count >= n) {
			printf("%.1f %d\n", (now_us(CLOCK_REALTIME) - t0) / 1e3,
			    count);
			return 0;
		}
		if (now_us(CLOCK_MONOTONIC) > end) {
			printf("? %d\n", count);
			return 1;
		}
		nap();
	}
}

struct node {
	pid_t pid;
	int depth;
	unsigned long long start;
};
static struct node tree[MAXTREE];

/* ROOT and its descendants down to depth 3, breadth first; their count. */
static int
note_tree(pid_t root)
{
	int i, j, nk, n = 0;

	tree[n].pid = root;
	tree[n].depth = 0;
	if (proc_state(root, &tree[n].start) == 0)
		return 0;
	n++;
	for (i = 0; i < n; i++) {
		if (tree[i].depth == 3)
			continue;
		nk = children(tree[i].pid, kids);
		for (j = 0; j < nk && n < MAXTREE; j++) {
			tree[n].pid = kids[j];
			tree[n].depth = tree[i].depth + 1;
			if (proc_state(kids[j], &tree[n].start) != 0)
				n++;
		}
	}
	return n;
}

static int
gone(const struct node *nd)
{
	unsigned long long start;
	char st = proc_state(nd->pid, &start);

	return st == 0 || st == 'Z' || st == 'X' || start != nd->start;
}

static int
do_down(pid_t root, int sig, long timeout_ms)
{
	double t0, end;
	int n, left, i = 0;

	if ((n = note_tree(root)) == 0) {
		fprintf(stderr, "pwatch: %d: no such process\n", (int)root);
		return 2;
	}
	t0 = now_us(CLOCK_MONOTONIC);
	end = t0 + (double)timeout_ms * 1e3;
	if (kill(root, sig) == -1) {
		perror("pwatch: kill");
		return 2;
	}
	for (;;) {
		/* Gone stays gone, so each poll starts at the first one
		 * still there. */
		while (i < n && gone(&tree[i]))
			i++;
		if (i == n) {
			printf("%.1f %d\n", (now_us(CLOCK_MONOTONIC) - t0) / 1e3,
			    n);
			return 0;
		}
		if (now_us(CLOCK_MONOTONIC) > end) {
			for (left = 0; i < n; i++)
				left += !gone(&tree[i]);
			printf("? %d\n", left);
			return 1;
		}
		nap();
	}
}

static int
do_tree(pid_t root)
{
	char path[64], buf[64];
	ssize_t len;
	int i, n;

	n = note_tree(root);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "/proc/%d/comm", (int)tree[i].pid);
		if ((len = read_file(path, buf, sizeof buf)) <= 0)
			continue;
		if (buf[len - 1] == '\n')
			buf[len - 1] = '\0';
		printf("%d %d %s %llu\n", (int)tree[i].pid, tree[i].depth, buf,
		    tree[i].start);
	}
	return n > 0 ? 0 : 1;
}

static long
num(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0) {
		fprintf(stderr, "pwatch: %s: not a valid %s\n", s, what);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	const char *e = getenv("PWATCH_POLL_MS");

	if (e != NULL && *e != '\0')
		poll_ms = num(e, "poll interval");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 7 && strcmp(argv[1], "up") == 0)
		return do_up((pid_t)num(argv[2], "pid"), argv[3],
		    num(argv[4], "count"), num(argv[5], "timeout"),
		    (double)num(argv[6], "start time"));
	if (argc == 5 && strcmp(argv[1], "down") == 0)
		return do_down((pid_t)num(argv[2], "pid"),
		    (int)num(argv[3], "signal"), num(argv[4], "timeout"));
	if (argc == 3 && strcmp(argv[1], "tree") == 0)
		return do_tree((pid_t)num(argv[2], "pid"));
	fprintf(stderr, "usage: pwatch up ROOT COMM N TIMEOUT_MS T0_US\n"
	    "       pwatch down ROOT SIG TIMEOUT_MS\n"
	    "       pwatch tree ROOT\n");
	return 2;
}
