/*
 * spawn-orphans: makes orphans for the reaping tests. Each orphan is made
 * by a double fork (the middle process exits at once and we reap it), so
 * it is re-parented to the nearest subreaper, or to PID 1: tend.
 *
 * usage: spawn-orphans [-n N] [-m MS] [-w] [-i] [-s] [-p PIDFILE]
 *                      [-t MARKER] [-D MS] [-T SECONDS] [-l LOG]
 *   -n N        N orphans (default 1) that each sleep a random 0..MS ms
 *   -m MS       (default 100) and exit 0
 *   -w          the orphans wait for a signal instead of sleeping
 *   -i          the orphans ignore TERM (SIG_IGN)
 *   -s          every orphan calls setsid(), leaving our session and group
 *   -p PIDFILE  write the orphans' pids there, one a line
 *   -t MARKER   one more orphan (also in PIDFILE, last) that catches TERM,
 *               then writes MARKER MS ms later (-D, default 300) and exits
 *   -T SECONDS  every orphan dies by SIGALRM after this long (default 60)
 *   -l LOG      the orphans catch TERM (not for -t's) and append a line
 *               "TERM PPID" to LOG, PPID being their parent at that moment;
 *               then they exit 0, or with -i carry on as if it were ignored
 * We exit 0 once every orphan exists (and the TERM catcher has its handler
 * in place) and PIDFILE is written whole (through a rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_term;
static int termlog = -1;	/* -l: the orphan's TERM log */
static int term_ignored;	/* -l with -i: log TERM, then carry on */

static void
die(const char *what)
{
	fprintf(stderr, "spawn-orphans: %s: %s\n", what, strerror(errno));
	exit(99);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
on_term(int sig)
{
	got_term = 1;
}

/* -l: "TERM PPID\n" to the log, with async-signal-safe calls only. */
static void
log_term(int sig)
{
	char line[32], digits[16];
	size_t n = 0, k = 0;
	long ppid = (long)getppid();
	int saved = errno;

	memcpy(line, "TERM ", 5);
	n = 5;
	do
		digits[k++] = (char)('0' + ppid % 10);
	while ((ppid /= 10) > 0 && k < sizeof(digits));
	while (k > 0)
		line[n++] = digits[--k];
	line[n++] = '\n';
	(void)write(termlog, line, n);
	if (!term_ignored)
		_exit(0);
	errno = saved;
}

/* The TERM catcher: tells readyfd it is ready, then flushes on TERM. */
static void __attribute__((noreturn))
catcher(const char *marker, long delay_ms, int readyfd)
{
	struct sigaction sa;
	sigset_t block, old;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigdelset(&old, SIGTERM);
	if (sigaction(SIGTERM, &sa, NULL) == -1)
		_exit(98);
	close(readyfd);
	while (!got_term)
		sigsuspend(&old);
	sleep_ms(delay_ms);
	if ((fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		_exit(97);
	(void)write(fd, "flushed\n", 8);
	close(fd);
	_exit(0);
}

/*
 * Double fork. The orphan's pid comes back through a pipe, and the pipe's
 * EOF also says the orphan is ready (the catcher closes its end only once
 * its handler is in place). Returns the orphan's pid.
 */
static pid_t
spawn_one(long max_ms, int wait_sig, int ignore_term, int new_session,
    const char *marker, long delay_ms, long lifetime, int pidfd,
    const char *log)
{
	int p[2], st, nul;
	pid_t mid, orphan;
	char b;

	if (pipe(p) == -1)
		die("pipe");
	if ((mid = fork()) == -1)
		die("fork");
	if (mid == 0) {
		close(p[0]);
		if ((orphan = fork()) == -1)
			_exit(99);
		if (orphan > 0) {
			(void)write(p[1], &orphan, sizeof(orphan));
			_exit(0);
		}
		alarm((unsigned)lifetime);
		/* Like a daemon: hold no one's pipe open (a test reading our
		 * caller's output through one would wait for us). */
		if (pidfd >= 0)
			close(pidfd);
		if ((nul = open("/dev/null", O_RDWR)) != -1) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
			if (nul > 2)
				close(nul);
		}
		if (new_session)
			(void)setsid();
		if (log != NULL && marker == NULL) {
			struct sigaction sa;

			if ((termlog = open(log, O_WRONLY | O_CREAT |
			    O_APPEND, 0644)) == -1)
				_exit(96);
			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = log_term;
			sa.sa_flags = SA_RESTART;
			sigfillset(&sa.sa_mask);
			term_ignored = ignore_term;
			if (sigaction(SIGTERM, &sa, NULL) == -1)
				_exit(98);
		} else if (ignore_term)
			signal(SIGTERM, SIG_IGN);
		if (marker != NULL)
			catcher(marker, delay_ms, p[1]);
		close(p[1]);
		if (wait_sig)
			for (;;)
				pause();
		srand((unsigned)getpid() ^ (unsigned)time(NULL));
		sleep_ms(max_ms > 0 ? rand() % (max_ms + 1) : 0);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &orphan, sizeof(orphan)) != sizeof(orphan))
		die("read orphan pid");
	while (read(p[0], &b, 1) == -1 && errno == EINTR)
		;
	close(p[0]);
	while (waitpid(mid, &st, 0) == -1)
		if (errno != EINTR)
			die("waitpid");
	return orphan;
}

int
main(int argc, char **argv)
{
	const char *pidfile = NULL, *marker = NULL, *log = NULL;
	long n = 1, max_ms = 100, delay_ms = 300, lifetime = 60;
	int c, wait_sig = 0, ignore_term = 0, new_session = 0;
	char tmp[4096];
	FILE *f = NULL;
	pid_t pid;

	while ((c = getopt(argc, argv, "n:m:wisp:t:D:T:l:")) != -1)
		switch (c) {
		case 'n': n = atol(optarg); break;
		case 'm': max_ms = atol(optarg); break;
		case 'w': wait_sig = 1; break;
		case 'i': ignore_term = 1; break;
		case 's': new_session = 1; break;
		case 'p': pidfile = optarg; break;
		case 't': marker = optarg; break;
		case 'D': delay_ms = atol(optarg); break;
		case 'T': lifetime = atol(optarg); break;
		case 'l': log = optarg; break;
		default:
			fprintf(stderr, "spawn-orphans: see the comment at the "
			    "top of tests/helpers/spawn-orphans.c\n");
			return 2;
		}
	if (pidfile != NULL) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", pidfile);
		if ((f = fopen(tmp, "w")) == NULL)
			die(tmp);
	}
	for (long i = 0; i < n + (marker != NULL); i++) {
		pid = spawn_one(max_ms, wait_sig, ignore_term, new_session,
		    i == n ? marker : NULL, delay_ms, lifetime,
		    f != NULL ? fileno(f) : -1, log);
		if (f != NULL)
			fprintf(f, "%d\n", (int)pid);
	}
	if (f != NULL && (fclose(f) != 0 || rename(tmp, pidfile) == -1))
		die(pidfile);
	return 0;
}
