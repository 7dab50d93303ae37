/*
 * signals.c: what each signal sent to tend means. TERM and INT shut down
 * (a second INT kills); TSTP/TTIN/TTOU with a terminal stop the children's
 * groups and then tend, as dumb-init does; HUP is forwarded in wrapper mode;
 * the rest is forwarded as each program's kill_mode says. Synchronous
 * faults (SEGV, BUS, FPE, ILL, TRAP, ABRT, SYS) and CHLD are not ours to
 * forward; PIPE is ignored so a closed peer never kills tend; 32 and 33,
 * which glibc keeps for itself, are blocked (see block_reserved).
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "tend.h"
#include "log.h"
#include "program.h"
#include "signals.h"
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
signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct tend *t = ev_userdata(loop);
	int sig = w->signum;

	t->signals_received[sig]++;
	log_debug("received signal %s", sig_name(sig));
	switch (sig) {
	case SIGTERM:
		supervise_shutdown(t, "SIGTERM");
		break;
	case SIGINT:
		if (++t->sigint_count == 1)
			supervise_shutdown(t, "SIGINT");
		else
			supervise_kill_all(t, "second SIGINT");
		break;
	case SIGTSTP: case SIGTTIN: case SIGTTOU:
		if (isatty(STDIN_FILENO))
			supervise_tty_stop(t, sig);
		else
			program_forward(t, sig);
		break;
	case SIGCONT:
		if (!supervise_tty_continue(t))
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
	struct sigaction sa;

	sigprocmask(SIG_SETMASK, NULL, &t->orig_mask);
	sigemptyset(&t->orig_ignored);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			sigaddset(&t->orig_ignored, sig);
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

void
signals_start(struct tend *t)
{
	block_reserved();
	signal(SIGPIPE, SIG_IGN);
	for (int sig = 1; sig < NSIG; sig++) {
		if (!handled(sig))
			continue;
		ev_signal_init(&t->sig[sig], signal_cb, sig);
		ev_signal_start(t->loop, &t->sig[sig]);
	}
}

void
signals_stop(struct tend *t)
{
	for (int sig = 1; sig < NSIG; sig++)
		if (handled(sig))
			ev_signal_stop(t->loop, &t->sig[sig]);
}
