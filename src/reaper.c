/*
 * reaper.c: on SIGCHLD (signals.c), every waiting child is reaped with
 * waitpid(-1) in one go. A main process goes to its instance; anything
 * else is an orphan we adopted (as PID 1 or as a subreaper) and is counted.
 * Stops are reported too, for job control. Nobody else calls waitpid.
 */
#include <errno.h>
#include <sys/wait.h>

#include "tend.h"
#include "jobctl.h"
#include "log.h"
#include "program.h"
#include "reaper.h"
#include "supervise.h"

void
reaper_reap(struct tend *t)
{
	int status, any = 0;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG | WUNTRACED | WCONTINUED);
		if (pid == 0)
			break;
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				log_warn("waitpid");
			break;
		}
		/* We trace stops for job control: the terminal's child
		 * stopped by ^Z must stop tend too, or the shell never sees
		 * its job stop. */
		if (WIFSTOPPED(status)) {
			jobctl_child_stopped(t, pid, WSTOPSIG(status));
			continue;
		}
		if (WIFCONTINUED(status))
			continue;
		any = 1;
		if (program_reaped(t, pid, status) == -1) {
			t->orphans_reaped++;
			log_debug("reaped orphan pid %d (status %d)", pid,
			    status_code(status));
		} else
			jobctl_child_exited(t, pid);
	}
	if (!any)
		return;
	/* An orphan may have been the last of an instance's group. */
	program_check_groups(t);
	supervise_reaped(t);
}
