/*
 * proc.c: the real process layer (proc.h): spawn of an instance's main
 * process through spawn.c, with its environment, user and outputs; the
 * spawn report pipe read on the loop; kill, group and stop checks. What
 * those results mean for the instance is lifecycle.c's business.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tend.h"
#include "log.h"
#include "program.h"
#include "proc.h"
#include "spawn.h"
#include "util.h"

static void
close_report(struct instance *in)
{
	if (in->reportfd < 0)
		return;
	ev_io_stop(in->prog->tend->loop, &in->reportio);
	close(in->reportfd);
	in->reportfd = -1;
}

static const char *
file_type(int ifmt)
{
	switch (ifmt) {
	case S_IFIFO:	return "a FIFO";
	case S_IFCHR:	return "a character device";
	case S_IFBLK:	return "a block device";
	case S_IFDIR:	return "a directory";
	case S_IFSOCK:	return "a socket";
	}
	return "not a regular file";
}

/* What the child said went wrong, naming the call and what it acted on. */
static void
log_report(struct instance *in, const struct spawn_report *rep)
{
	const struct program_config *c = in->prog->cfg;
	const char *path = rep->fd == 1 || rep->fd == 2 ?
	    c->out[rep->fd - 1].path : NULL;

	if (rep->stage == SPAWN_EXEC)
		log_errorx("%s: spawn: exec(%s): %s", in->name, c->argv[0],
		    strerror(rep->err));
	else if (rep->stage == SPAWN_CHDIR)
		log_errorx("%s: spawn: chdir(%s): %s", in->name, c->directory,
		    strerror(rep->err));
	else if (rep->stage == SPAWN_OPEN || rep->stage == SPAWN_FSTAT ||
	    rep->stage == SPAWN_FCNTL)
		log_errorx("%s: spawn: %s(%s): %s%s", in->name,
		    spawn_stage_name(rep->stage), path != NULL ? path : "?",
		    strerror(rep->err), rep->stage != SPAWN_OPEN ? "" :
		    rep->err == ENXIO ? " (a FIFO with no reader)" :
		    rep->err == ELOOP ? " (a symlink: refused)" : "");
	else if (rep->stage == SPAWN_NOTFILE)
		log_errorx("%s: spawn: %s is %s: an output file must be a "
		    "regular file or /dev/null", in->name,
		    path != NULL ? path : "?", file_type(rep->err));
	else
		log_errorx("%s: spawn: %s: %s", in->name,
		    spawn_stage_name(rep->stage), strerror(rep->err));
}

/* Reads the child's spawn report if there is one; logs a failure once. */
static void
read_report(struct instance *in)
{
	struct spawn_report rep;
	int r;

	if (in->reportfd < 0)
		return;
	if ((r = spawn_read_report(in->reportfd, &rep)) == -1) {
		if (errno == EAGAIN)
			return;
		log_warn("%s: read(spawn report)", in->name);
	} else if (r == 1) {
		in->spawn_failed = 1;
		log_report(in, &rep);
	}
	close_report(in);
}

static void
report_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	read_report(container_of(w, struct instance, reportio));
}

/*
 * After the spawn: the parent's copies of the child's ends of its outputs
 * go; the read ends of prefix pipes start being read, or close if the
 * spawn failed.
 */
static void
close_outputs(struct instance *in, struct spawn_req *r, int failed)
{
	struct ev_loop *loop = in->prog->tend->loop;

	for (int k = 0; k < 2; k++) {
		int kind = in->prog->cfg->out[k].kind;

		if (kind == OUT_PREFIX && r->stdio[k + 1] >= 0)
			close(r->stdio[k + 1]);
		r->stdio[k + 1] = -1;
		if (failed)
			outpipe_close(loop, &in->out[k]);
		else
			outpipe_start(loop, &in->out[k]);
	}
}

/* Fills the child's stdin, stdout and stderr as its program says. */
static int
open_outputs(struct instance *in, struct spawn_req *r)
{
	struct program_config *c = in->prog->cfg;
	struct tend *t = in->prog->tend;
	char err[UTIL_ERR_MAX];

	/* Config mode: a terminal's input is nobody's (supervisord does
	 * the same); wrapper mode keeps tend's stdin for its child. */
	r->stdio[0] = t->wrapper ? -1 : t->devnull;
	r->stdio[1] = r->stdio[2] = -1;
	for (int k = 0; k < 2; k++) {
		/* A pipe a leftover of the last run still held. */
		outpipe_close(t->loop, &in->out[k]);
		if (c->out[k].kind == OUT_STDOUT) {
			r->stdio[2] = SPAWN_STDOUT;
			continue;
		}
		/* Opened by the child as the worker (spawn.c), never by
		 * tend as root: the worker may own the directory. Anew for
		 * every start, so a log rotated by rename is let go at the
		 * next restart. */
		if (c->out[k].kind == OUT_FILE) {
			r->files[k + 1] = c->out[k].path;
			continue;
		}
		if (output_child_fd(&c->out[k], t->devnull, &in->out[k],
		    &r->stdio[k + 1], err, sizeof(err)) == -1) {
			log_errorx("%s: spawn: %s", in->name, err);
			close_outputs(in, r, 1);
			return -1;
		}
	}
	return 0;
}

/* Builds the spawn request of in (environment, user, outputs) and starts
 * the child; the report pipe is then read on the loop. */
static pid_t
real_spawn(struct instance *in, uid_t *uid)
{
	struct program_config *c = in->prog->cfg;
	struct tend *t = in->prog->tend;
	struct spawn_req r = { 0 };
	gid_t groups[TEND_GROUPS_MAX];
	int ngroups = TEND_GROUPS_MAX, fd;
	char *own[4] = { NULL, NULL, NULL, NULL }, **envp;
	char err[UTIL_ERR_MAX];
	const char *call;
	pid_t pid = -1;

	r.argv = c->argv;
	r.directory = c->directory;
	r.umask_set = c->umask_set;
	r.umask = (mode_t)c->umask;
	r.mask = &t->orig_mask;
	r.ignored = &t->orig_ignored;
	/* Wrapper mode in a terminal: the child reads the terminal as it
	 * would without us, so it must be the foreground group. */
	r.tty_foreground = t->tty_owner && in->index == 0;
	/* Config mode: a session each, away from tend's terminal and from
	 * each other's groups. Wrapper mode's child stays in tend's session,
	 * where it may own the terminal as it would without tend. */
	r.new_session = !t->wrapper;
	if ((envp = spawn_env(c, in->index, t->notify_env, own)) == NULL)
		log_error("%s: spawn: building environment", in->name);
	else if (spawn_ids(c, &r, groups, &ngroups, err, sizeof(err)) == -1)
		log_errorx("%s: spawn: %s", in->name, err);
	else if (open_outputs(in, &r) == 0) {
		r.envp = envp;
		/* "WATCHDOG_PID=" then room for the digits. */
		r.pid_slot = own[3] != NULL ? own[3] + 13 : NULL;
		if ((pid = spawn_start(&r, &fd, &call)) == -1)
			log_error("%s: spawn: %s", in->name, call);
		close_outputs(in, &r, pid == -1);
	}
	free(envp);
	for (int i = 0; i < 4; i++)
		free(own[i]);
	if (pid == -1)
		return -1;
	/* The uid whose notify messages may speak for it (sender.c); the
	 * kernel's credentials carry the real uid. */
	*uid = r.set_ids ? r.uid : getuid();
	/* Job control (jobctl.c) follows the child with the terminal. */
	if (r.tty_foreground)
		t->tty_pgid = pid;
	in->reportfd = fd;
	ev_io_init(&in->reportio, report_cb, fd, EV_READ);
	ev_io_start(t->loop, &in->reportio);
	return pid;
}

static int
real_kill(pid_t target, int sig)
{
	return kill(target, sig);
}

static int
real_group_alive(pid_t pgid)
{
	return pgid > 0 && (kill(-pgid, 0) == 0 || errno == EPERM);
}


/*
 * 1 if pid is stopped by a signal (state T), or if we cannot tell. A
 * bounded read of one small /proc file, on a stop only.
 */
static int
proc_stopped(pid_t pid)
{
	pid_t ppid;
	char st;

	if (proc_stat(pid, &st, &ppid) == -1)
		return errno != ENOENT && errno != ESRCH;
	return st == 'T';
}

const struct proc_ops proc_real = {
	.spawn = real_spawn,
	.kill = real_kill,
	.group_alive = real_group_alive,
	.stopped = proc_stopped,
	.report_read = read_report,
	.report_close = close_report,
};
