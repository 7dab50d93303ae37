/*
 * reaper.c: libev's SIGCHLD handling reaps with waitpid(-1) and hands each
 * pid to our one ev_child. A main process goes to its instance; anything
 * else is an orphan we adopted (as PID 1 or as a subreaper) and is counted.
 * Stops are reported too, for job control. Nobody else calls waitpid.
 */
#include <sys/wait.h>

#include "tend.h"
#include "log.h"
#include "program.h"
#include "reaper.h"
#include "supervise.h"

static void
child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct tend *t = container_of(w, struct tend, reaper);

	/* We trace stops for job control: the terminal's child stopped by
	 * ^Z must stop tend too, or the shell never sees its job stop. */
	if (WIFSTOPPED(w->rstatus)) {
		supervise_child_stopped(t, w->rpid, WSTOPSIG(w->rstatus));
		return;
	}
	if (WIFCONTINUED(w->rstatus))
		return;
	if (program_reaped(t, w->rpid, w->rstatus) == -1) {
		t->orphans_reaped++;
		log_debug("reaped orphan pid %d (status %d)", w->rpid,
		    status_code(w->rstatus));
	}
	/* An orphan may have been the last of an instance's group. */
	program_check_groups(t);
	supervise_reaped(t);
}

void
reaper_start(struct tend *t)
{
	ev_child_init(&t->reaper, child_cb, 0, 1);
	ev_child_start(t->loop, &t->reaper);
}

void
reaper_stop(struct tend *t)
{
	ev_child_stop(t->loop, &t->reaper);
}
