/*
 * jobctl.c: job control, all of it: a terminal's ^Z, SIGTSTP/TTIN/TTOU
 * and SIGCONT sent to tend, the wrapped child that owns the terminal's
 * foreground, and PID 1, which cannot be stopped. Called by signals.c and
 * the reaper; it signals the programs' groups through program.h.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "tend.h"
#include "jobctl.h"
#include "log.h"
#include "program.h"
#include "util.h"

/*
 * Job control, as a shell expects of a foreground job. In wrapper mode in a
 * terminal the child owns the terminal's foreground, so ^Z reaches it and
 * not us: when the reaper sees it stop, we stop too, and the shell sees
 * its job stop. A TSTP sent to tend itself stops the groups, then tend.
 */
void
jobctl_child_stopped(struct tend *t, pid_t pid, int sig)
{
	/* While tty_stopped, a stop report is one we caused before we
	 * stopped ourselves; it is read on resumption before SIGCONT is
	 * (libev's SIGCHLD watcher runs at EV_MAXPRI), so it is skipped. */
	if (t->tty_stopped || t->tty_pgid == 0 || pid != t->tty_pgid ||
	    (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU))
		return;
	if (t->pid1) {
		/* The kernel ignores SIGSTOP for a namespace's init: we
		 * cannot follow the child into the stop, and no shell
		 * would see a job to fg. It goes on instead, in the
		 * foreground, so a TTIN or TTOU does not come straight
		 * back (and is not worth a warning each time). */
		if (sig == SIGTSTP)
			log_warnx("pid %d stopped by %s: tend is PID 1 and "
			    "cannot stop with it; sending CONT", (int)pid,
			    sig_name(sig));
		else
			log_debug("pid %d stopped by %s: giving it the "
			    "terminal and CONT", (int)pid, sig_name(sig));
		if (tcgetpgrp(STDIN_FILENO) != pid &&
		    tcsetpgrp(STDIN_FILENO, pid) == -1)
			log_debug("tcsetpgrp(%d): %s", (int)pid,
			    strerror(errno));
		if (kill(-pid, SIGCONT) == -1 && errno != ESRCH)
			log_warn("kill(-%d, CONT)", (int)pid);
		return;
	}
	log_debug("pid %d stopped by %s: stopping tend", (int)pid,
	    sig_name(sig));
	t->tty_stopped = 1;
	kill(getpid(), SIGSTOP);
}

void
jobctl_tty_stop(struct tend *t, int sig)
{
	if (t->pid1) {
		/* PID 1 cannot be stopped: stopping the programs would
		 * leave them stopped with nobody to resume them. */
		log_warnx("%s: tend is PID 1 and cannot be stopped; "
		    "ignored", sig_name(sig));
		return;
	}
	/* Config mode: each program is a session of its own, whose group
	 * the kernel sees as orphaned and so discards TSTP, TTIN and TTOU
	 * (POSIX): STOP instead, as dumb-init does for its setsid child. */
	log_debug("%s: stopping the programs' groups (%s), then tend",
	    sig_name(sig), sig_name(t->wrapper ? sig : SIGSTOP));
	program_signal_groups(t, t->wrapper ? sig : SIGSTOP);
	t->tty_stopped = 1;
	kill(getpid(), SIGSTOP);
}

int
jobctl_tty_continue(struct tend *t)
{
	if (!t->tty_stopped)
		return 0;
	t->tty_stopped = 0;
	/* Back in the foreground (fg): hand the terminal to the child
	 * again. In the background (bg) the child stays there too. */
	if (t->tty_pgid != 0 && tcgetpgrp(STDIN_FILENO) == getpgrp() &&
	    tcsetpgrp(STDIN_FILENO, t->tty_pgid) == -1)
		log_warn("tcsetpgrp(%d)", (int)t->tty_pgid);
	program_signal_groups(t, SIGCONT);
	return 1;
}

/* The reaper saw pid exit: if it had the terminal, take it back, so the
 * next child can be given it; SIGTTOU is blocked (signalfd), so this
 * works from a background group. Not if someone else has it now. */
void
jobctl_child_exited(struct tend *t, pid_t pid)
{
	if (t->tty_pgid == 0 || t->tty_pgid != pid)
		return;
	if (tcgetpgrp(STDIN_FILENO) == pid &&
	    tcsetpgrp(STDIN_FILENO, getpgrp()) == -1)
		log_warn("tcsetpgrp(%d)", (int)getpgrp());
	t->tty_pgid = 0;
}
