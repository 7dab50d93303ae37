/*
 * spawn.c: vfork/exec of one process. The child borrows tend's memory
 * until it execs, so between vfork and exec it only makes system calls,
 * writes nothing but its own stack (and its pid's digits into the slot
 * kept for WATCHDOG_PID) and never returns from child(); everything that
 * allocates (envp, user lookup) is prepared before, by spawn_env and
 * spawn_ids at the bottom of this file. vfork over fork: tend's own CPU
 * per spawn 132 -> 68 us, restart rate 1.31x -> 1.07x the posix_spawn
 * floor (bench/restart.sh); fork only for a child that changes user (see
 * spawn_start). posix_spawn itself cannot setgroups/setuid/tcsetpgrp.
 * Which process the child belongs to and what its exit means is
 * program.c's business.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef HAVE_CLOSE_RANGE
#include <linux/close_range.h>
#endif

#include "spawn.h"
#include "util.h"

extern char **environ;

const char *
spawn_stage_name(int stage)
{
	switch (stage) {
	case SPAWN_SETPGID:	return "setpgid";
	case SPAWN_CHDIR:	return "chdir";
	case SPAWN_SETGROUPS:	return "setgroups";
	case SPAWN_SETGID:	return "setgid";
	case SPAWN_SETUID:	return "setuid";
	case SPAWN_EXEC:	return "exec";
	case SPAWN_STDIO:	return "dup2";
	case SPAWN_SETSID:	return "setsid";
	case SPAWN_OPEN:	return "open";
	case SPAWN_FSTAT:	return "fstat";
	case SPAWN_FCNTL:	return "fcntl";
	case SPAWN_NOTFILE:	return "open";
	}
	return "spawn";
}

int
spawn_exit_code(const struct spawn_report *rep)
{
	return rep->stage == SPAWN_EXEC && rep->err == ENOENT ? 127 : 126;
}

/* Marks every descriptor above 2 close-on-exec, so exec closes it. */
static void
cloexec_from(int lowfd)
{
	long max, fd;
	int fl;

#ifdef HAVE_CLOSE_RANGE
	if (close_range((unsigned)lowfd, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = lowfd; fd < max; fd++)
		if ((fl = fcntl((int)fd, F_GETFD)) != -1 && !(fl & FD_CLOEXEC))
			fcntl((int)fd, F_SETFD, fl | FD_CLOEXEC);
}

/* Decimal digits of pid into slot, NUL-terminated: no stdio, no malloc
 * (we are a vfork child). The slot holds 10 digits and the NUL. */
static void
put_pid(char *slot, pid_t pid)
{
	char d[16];
	int n = 0;
	unsigned v = (unsigned)pid;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0 && n < 10);
	for (int i = 0; i < n; i++)
		slot[i] = d[n - 1 - i];
	slot[n] = '\0';
}

static void __attribute__((noreturn))
child_fail_fd(int fd, int stage, int err, int which)
{
	struct spawn_report rep = { stage, err, which };
	ssize_t w;

	do
		w = write(fd, &rep, sizeof(rep));
	while (w == -1 && errno == EINTR);
	_exit(spawn_exit_code(&rep));
}

static void __attribute__((noreturn))
child_fail(int fd, int stage)
{
	child_fail_fd(fd, stage, errno, 0);
}

/*
 * Opens an output file for the child, which by now runs as the user it
 * will exec as, so the kernel checks that user's rights, not tend's.
 * Never follows a symlink (a worker could plant one to a file of root's)
 * and never waits: O_NONBLOCK makes a FIFO without a reader fail with
 * ENXIO instead of hanging, and anything but a regular file or /dev/null
 * (a FIFO with a reader, a terminal, a device) is refused. Returns the fd
 * (close-on-exec, blocking again), or fails the spawn. An open that the
 * file system holds (a hard NFS mount, a FUSE mount the worker serves)
 * holds only this child when it runs as another user (fork, see
 * spawn_start), but tend too for a root program (vfork).
 */
static int
open_output(const char *path, int which, int fd)
{
	struct stat st;
	int o, fl;

	o = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW |
	    O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0644);
	if (o == -1)
		child_fail_fd(fd, SPAWN_OPEN, errno, which);
	if (fstat(o, &st) == -1)
		child_fail_fd(fd, SPAWN_FSTAT, errno, which);
	if (!S_ISREG(st.st_mode) && !(S_ISCHR(st.st_mode) &&
	    st.st_rdev == makedev(1, 3)))
		child_fail_fd(fd, SPAWN_NOTFILE, (int)(st.st_mode & S_IFMT),
		    which);
	if ((fl = fcntl(o, F_GETFL)) == -1)
		child_fail_fd(fd, SPAWN_FCNTL, errno, which);
	if (fcntl(o, F_SETFL, fl & ~O_NONBLOCK) == -1)
		child_fail_fd(fd, SPAWN_FCNTL, errno, which);
	return o;
}

static void __attribute__((noreturn))
child(const struct spawn_req *r, int fd)
{
	static const int ours[] = SPAWN_RESET_SIGNALS;
	struct sigaction sa;
	int from[3];

	/* A session of its own (config mode): no controlling terminal to
	 * type into (TIOCSTI) or stop, and no way to join another
	 * instance's group, which setpgid allows only within a session. */
	if (r->new_session) {
		if (setsid() == -1)
			child_fail(fd, SPAWN_SETSID);
	} else if (setpgid(0, 0) == -1)
		child_fail(fd, SPAWN_SETPGID);
	if (r->tty_foreground) {
		/* We are a background group now: without ignoring SIGTTOU
		 * the kernel would stop us for asking. Failure only means
		 * there is no terminal to take. */
		signal(SIGTTOU, SIG_IGN);
		(void)tcsetpgrp(STDIN_FILENO, getpgrp());
	}
	/* Undo what tend did to signals, then restore the mask tend was
	 * started with. tend installs no handler (its signals arrive by
	 * signalfd) and exec resets handlers anyway; it only ignores
	 * SIGPIPE, and we ignored SIGTTOU above: back to SIG_DFL, unless
	 * tend inherited them ignored. */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		sa.sa_handler = sigismember(r->ignored, ours[i]) == 1 ?
		    SIG_IGN : SIG_DFL;
		(void)sigaction(ours[i], &sa, NULL);
	}
	/* Raw: the child must get 32 and 33 blocked if tend was started so. */
	sigmask_raw(SIG_SETMASK, r->mask, NULL);

	if (r->set_ids) {
		if (setgroups((size_t)r->ngroups, r->groups) == -1)
			child_fail(fd, SPAWN_SETGROUPS);
		if (setgid(r->gid) == -1)
			child_fail(fd, SPAWN_SETGID);
		if (setuid(r->uid) == -1)
			child_fail(fd, SPAWN_SETUID);
	}
	/* As the worker too: a directory it may not enter is an error,
	 * not a place root put it in. */
	if (r->directory != NULL && chdir(r->directory) == -1)
		child_fail(fd, SPAWN_CHDIR);
	if (r->umask_set)
		umask(r->umask);
	/* Output files after the identity switch (and its umask), so they
	 * are opened with the worker's rights and owned by it. */
	for (int i = 0; i < 3; i++)
		from[i] = r->files[i] != NULL ?
		    open_output(r->files[i], i, fd) :
		    r->stdio[i] == SPAWN_STDOUT ? 1 : r->stdio[i];
	for (int i = 0; i < 3; i++) {
		/* dup2 onto itself would keep close-on-exec: clear it. */
		if (from[i] == i && r->stdio[i] != SPAWN_STDOUT)
			(void)fcntl(i, F_SETFD, 0);
		else if (from[i] >= 0 && dup2(from[i], i) == -1)
			child_fail(fd, SPAWN_STDIO);
	}
	if (r->pid_slot != NULL)
		put_pid(r->pid_slot, getpid());
	cloexec_from(3);
	/* execvpe, not environ = envp: that would write tend's memory. The
	 * PATH search so uses tend's PATH, as supervisord's does. */
	execvpe(r->argv[0], r->argv, r->envp != NULL ? r->envp : environ);
	child_fail(fd, SPAWN_EXEC);
}

pid_t
spawn_start(const struct spawn_req *r, int *reportfd, const char **call)
{
	uint64_t all = ~(uint64_t)0, old;
	int p[2], saved;
	pid_t pid;

	*call = "pipe2";
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	/* Every signal blocked across vfork, as glibc's posix_spawn does: a
	 * handler running in the child would run on tend's memory. The
	 * child unblocks only after resetting every disposition. */
	sigmask_raw(SIG_SETMASK, &all, &old);
	/* A child that switches to another user is, from setuid on, that
	 * user's to stop (SIGSTOP) or to hold in an open or a chdir (a FUSE
	 * mount it serves, a maze of symlinks): vfork would keep tend
	 * waiting for it. fork lets tend go on; the group may then not
	 * exist for a moment (send_signal in program.c falls back to the
	 * pid). */
	pid = r->set_ids ? fork() : vfork();
	if (pid == 0)
		child(r, p[1]);
	saved = errno;
	sigmask_raw(SIG_SETMASK, &old, NULL);
	close(p[1]);
	if (pid == -1) {
		close(p[0]);
		*call = r->set_ids ? "fork" : "vfork";
		errno = saved;
		return -1;
	}
	*reportfd = p[0];
	return pid;
}

int
spawn_read_report(int fd, struct spawn_report *rep)
{
	ssize_t n;

	do
		n = read(fd, rep, sizeof(*rep));
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)sizeof(*rep))
		return 1;
	if (n == 0)
		return 0;
	if (n > 0) {
		/* Cannot happen: pipe writes under PIPE_BUF are atomic. */
		rep->stage = SPAWN_EXEC;
		rep->err = EIO;
		return 1;
	}
	return -1;
}

/* ---- what the parent prepares --------------------------------------- */

/* "NAME=value" entries of extra override those of base with that name. */
static int
env_overridden(char *const *extra, size_t n, const char *entry)
{
	const char *eq = strchr(entry, '=');
	size_t len = eq != NULL ? (size_t)(eq - entry) : strlen(entry);

	for (size_t i = 0; i < n; i++)
		if (strncmp(extra[i], entry, len) == 0 && extra[i][len] == '=')
			return 1;
	return 0;
}

/*
 * What an outer systemd gave tend itself: passed on, a worker's READY=1
 * or a socket count would reach tend's manager as if tend had said it.
 */
static int
env_outer(const char *entry)
{
	static const char *names[] = {
		"NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=",
		"LISTEN_FDS=", "LISTEN_PID=", "LISTEN_FDNAMES=",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(entry, names[i], strlen(names[i])) == 0)
			return 1;
	return 0;
}

/*
 * What tend adds for every instance: TEND_PROGRAM, TEND_INSTANCE, its
 * NOTIFY_SOCKET, and with a watchdog WATCHDOG_USEC and WATCHDOG_PID, whose
 * digits the child writes in (it alone knows its pid). Owned strings in
 * own[], NULL-terminated list in extra (borrowing them). -1 on ENOMEM.
 */
static int
tend_env(const struct program_config *c, unsigned index,
    char *notify_env, char *own[4], char **extra)
{
	int n = 0;

	if (asprintf(&own[0], "TEND_PROGRAM=%s", c->name) == -1 ||
	    asprintf(&own[1], "TEND_INSTANCE=%u", index) == -1)
		return -1;
	extra[n++] = own[0];
	extra[n++] = own[1];
	if (notify_env != NULL)
		extra[n++] = notify_env;
	if (c->watchdog > 0 && notify_env != NULL) {
		if (asprintf(&own[2], "WATCHDOG_USEC=%llu",
		    (unsigned long long)(c->watchdog * 1e6)) == -1 ||
		    asprintf(&own[3], "WATCHDOG_PID=%-10s", "") == -1)
			return -1;
		extra[n++] = own[2];
		extra[n++] = own[3];
	}
	extra[n] = NULL;
	return 0;
}

/* tend's environment (less env_outer), then the program's, then
 * tend_env's. */
char **
spawn_env(const struct program_config *c, unsigned index, char *notify_env,
    char *own[4])
{
	size_t n = 0, i, k = 0, nextra = (size_t)c->nenv;
	char **envp, **extra, *mine[6];

	if (tend_env(c, index, notify_env, own, mine) == -1)
		return NULL;
	while (mine[nextra - (size_t)c->nenv] != NULL)
		nextra++;
	while (environ[n] != NULL)
		n++;
	if ((extra = calloc(nextra, sizeof(*extra))) == NULL)
		return NULL;
	for (i = 0; i < (size_t)c->nenv; i++)
		extra[i] = c->env[i];
	for (; i < nextra; i++)
		extra[i] = mine[i - (size_t)c->nenv];
	if ((envp = calloc(n + nextra + 1, sizeof(*envp))) == NULL) {
		free(extra);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (!env_outer(environ[i]) &&
		    !env_overridden(extra, nextra, environ[i]))
			envp[k++] = environ[i];
	for (i = 0; i < nextra; i++)
		if (!env_overridden(extra + i + 1, nextra - i - 1, extra[i]))
			envp[k++] = extra[i];
	free(extra);
	return envp;
}

/*
 * getpwnam/getgrnam/getgrouplist are synchronous, but bounded: a local
 * file read, once per spawn, and only for programs with user or group set.
 */
int
spawn_ids(const struct program_config *c, struct spawn_req *r, gid_t *groups,
    int *n, char *err, size_t errlen)
{
	struct passwd *pw = NULL;
	struct group *gr;

	if (c->user == NULL && c->group == NULL)
		return 0;
	r->set_ids = 1;
	r->uid = getuid();
	r->gid = getgid();
	if (c->user != NULL) {
		errno = 0;
		if ((pw = getpwnam(c->user)) == NULL) {
			snprintf(err, errlen, "unknown user \"%s\"%s%s",
			    c->user, errno ? ": " : "",
			    errno ? strerror(errno) : "");
			return -1;
		}
		r->uid = pw->pw_uid;
		r->gid = pw->pw_gid;
	}
	if (c->group != NULL) {
		errno = 0;
		if ((gr = getgrnam(c->group)) == NULL) {
			snprintf(err, errlen, "unknown group \"%s\"%s%s",
			    c->group, errno ? ": " : "",
			    errno ? strerror(errno) : "");
			return -1;
		}
		r->gid = gr->gr_gid;
	}
	if (pw == NULL || getgrouplist(c->user, r->gid, groups, n) == -1) {
		groups[0] = r->gid;	/* too many groups: the primary only */
		*n = 1;
	}
	r->groups = groups;
	r->ngroups = *n;
	return 0;
}
