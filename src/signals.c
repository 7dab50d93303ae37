/*
 * signals.c: one signalfd for every signal tend handles, SIGCHLD included,
 * read on the loop; then what each signal means. TERM and INT shut down
 * (a second INT kills); TSTP/TTIN/TTOU with a terminal stop the children's
 * groups and then tend, as dumb-init does, except as PID 1, which cannot
 * stop and so ignores them; HUP is forwarded in wrapper mode;
 * the rest is forwarded as each program's kill_mode says. Synchronous
 * faults (SEGV, BUS, FPE, ILL, TRAP, ABRT, SYS) and CHLD are not ours to
 * forward; PIPE is ignored so a closed peer never kills tend; 32 and 33,
 * which glibc keeps for itself, are blocked (see block_reserved).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "tend.h"
#include "jobctl.h"
#include "log.h"
#include "program.h"
#include "reaper.h"
#include "signals.h"
#include "spawn.h"
#include "supervise.h"
#include "util.h"

static int
handled(int sig)
{
	switch (sig) {
	case SIGKILL: case SIGSTOP: case SIGCHLD: case SIGPIPE:
	case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP:
	case SIGABRT: case SIGSYS:
		return 0;
	}
	/* glibc keeps the first realtime signals for itself. */
	return sig < 32 || (sig >= SIGRTMIN && sig <= SIGRTMAX);
}

static void
dispatch(struct tend *t, int sig)
{
	t->signals_received[sig]++;
	log_debug("received signal %s", sig_name(sig));
	switch (sig) {
	case SIGTERM:
		supervise_shutdown(t, "SIGTERM");
		break;
	case SIGINT:
		/* Wrapper mode passes INT on as the stop signal, as tini
		 * does (a Python child's KeyboardInterrupt cleanup), unless
		 * --stop-signal named one. */
		if (++t->sigint_count == 1 && t->pass_int &&
		    t->state == TEND_RUNNING)
			t->stop_override = SIGINT;
		if (t->sigint_count == 1)
			supervise_shutdown(t, "SIGINT");
		else
			supervise_kill_all(t, "second SIGINT");
		break;
	case SIGTSTP: case SIGTTIN: case SIGTTOU:
		/* Config mode: the kernel discards these for a program's
		 * orphaned group (a session of its own): STOP is what
		 * was meant. */
		if (isatty(STDIN_FILENO))
			jobctl_tty_stop(t, sig);
		else
			program_forward(t, t->wrapper ? sig : SIGSTOP);
		break;
	case SIGCONT:
		if (!jobctl_tty_continue(t))
			program_forward(t, sig);
		break;
	case SIGHUP:
		if (!t->wrapper) {
			log_warnx("SIGHUP: reload is not supported yet; "
			    "configuration unchanged");
			break;
		}
		/* FALLTHROUGH */
	default:
		program_forward(t, sig);
		break;
	}
}

void
signals_save_inherited(struct tend *t)
{
	static const int reset[] = SPAWN_RESET_SIGNALS;
	struct sigaction sa;

	sigprocmask(SIG_SETMASK, NULL, &t->orig_mask);
	/* Only these: every other disposition tend leaves as it found it,
	 * and exec keeps SIG_IGN by itself. */
	sigemptyset(&t->orig_ignored);
	for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
		if (sigaction(reset[i], NULL, &sa) == 0 &&
		    sa.sa_handler == SIG_IGN)
			sigaddset(&t->orig_ignored, reset[i]);
}

/*
 * glibc keeps the signals below SIGRTMIN (32 and 33) for its threads and
 * refuses to watch or block them, yet their default action kills: one
 * stray kill -33 would end tend and orphan every program. sigmask_raw
 * blocks them; tend has no threads, so glibc never needs them here.
 */
static void
block_reserved(void)
{
	uint64_t set = 0;

	for (int sig = 32; sig < SIGRTMIN; sig++)
		set |= 1ULL << (sig - 1);
	if (sigmask_raw(SIG_BLOCK, &set, NULL) == -1)
		log_warn("rt_sigprocmask(SIG_BLOCK, 32..%d)", SIGRTMIN - 1);
}

/*
 * Reads what the signalfd holds, 16 at a time, for at most 64 a wake-up
 * (the watcher is level-triggered: the rest comes next iteration, after
 * the other watchers had their turn). SIGCHLD only says "reap": the
 * reaper takes every waiting child at once, after the other signals.
 */
static void
signalfd_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tend *t = ev_userdata(loop);
	struct signalfd_siginfo si[16];
	int chld = 0;

	for (int round = 0; round < 4; round++) {
		ssize_t n = read(w->fd, si, sizeof(si));

		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("read(signalfd)");
			break;
		}
		for (size_t i = 0; i < (size_t)n / sizeof(si[0]); i++) {
			int sig = (int)si[i].ssi_signo;

			if (sig == SIGCHLD)
				chld = 1;
			else if (sig > 0 && sig < NSIG)
				dispatch(t, sig);
		}
		if ((size_t)n < sizeof(si))
			break;
	}
	if (chld)
		reaper_reap(t);
}

int
signals_start(struct tend *t)
{
	sigset_t set;

	block_reserved();
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	for (int sig = 1; sig < NSIG; sig++)
		if (handled(sig))
			sigaddset(&set, sig);
	sigaddset(&set, SIGCHLD);
	/* Blocked, so they wait in the signalfd; children get the mask
	 * tend inherited back (spawn.c). */
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1) {
		log_error("sigprocmask(SIG_BLOCK)");
		return -1;
	}
	t->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (t->sigfd == -1) {
		log_error("signalfd");
		return -1;
	}
	ev_io_init(&t->sigfd_io, signalfd_cb, t->sigfd, EV_READ);
	ev_io_start(t->loop, &t->sigfd_io);
	return 0;
}

void
signals_stop(struct tend *t)
{
	if (t->sigfd == -1)
		return;
	ev_io_stop(t->loop, &t->sigfd_io);
	close(t->sigfd);
	t->sigfd = -1;
}
