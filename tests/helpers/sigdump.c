/*
 * sigdump: a worker for the integration tests. It reports what it inherited
 * (SigIgn/SigBlk of /proc/self/status, open descriptors), logs each signal
 * it gets, one name a line, and stops on TERM or INT as told.
 *
 * usage: sigdump [-s STATUS] [-l LOG] [-p PIDFILE] [-i] [-x N] [-d MS]
 *                [-g GLOG] [-G GPIDFILE] [-I] [-T SECONDS] [-k SIG]
 *   -s STATUS    write "SigIgn:\t<hex>", "SigBlk:\t<hex>" and "fds: 0 1 2"
 *                (the descriptors open at start, less sigdump's own) there,
 *                before any handler is installed
 *   -l LOG       append the name of every signal received (TERM USR1 HUP
 *                WINCH INT QUIT USR2 CONT) to LOG
 *   -p PIDFILE   write our pid there once every handler is installed (and
 *                the grandchild of -g is ready): wait for it, then signal
 *   -i           TERM and INT are logged but do not stop us
 *   -x N -d MS   on TERM or INT, exit N (default 0) after MS ms (default 0)
 *   -g GLOG      fork a grandchild in our process group that logs its own
 *                signals to GLOG and exits 0 at once on TERM or INT
 *   -G GPIDFILE  the grandchild's pid file (written before ours)
 *   -I           the grandchild logs TERM and INT but does not stop
 *   -T SECONDS   give up and die by SIGALRM after this long (default 60),
 *                so a broken test never leaves a sigdump behind for long
 *   -k SIG       once SIG (a name above, e.g. INT) is logged, die by it
 *                (its default action), as a well-behaved program does;
 *                with -i, so a worker that ignores TERM dies by INT (the
 *                -g grandchild does the same)
 * Every file is written whole under a temporary name and renamed, so a
 * reader that sees it sees all of it.
 * Built with the sanitizers, it turns LeakSanitizer off: its check at exit
 * ptrace-stops us, and a SIGCONT that came then (tend once sent one after
 * every stop signal; now only to a stopped process) would discard that
 * SIGSTOP, so the check would wait forever.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct {
	int		 sig;
	const char	*name;
} sigs[] = {
	{ SIGTERM, "TERM" }, { SIGUSR1, "USR1" }, { SIGHUP, "HUP" },
	{ SIGWINCH, "WINCH" }, { SIGINT, "INT" }, { SIGQUIT, "QUIT" },
	{ SIGUSR2, "USR2" }, { SIGCONT, "CONT" },
};
#define NSIGS	(sizeof(sigs) / sizeof(sigs[0]))

static int logfd = -1;
static int ignore_stop;
static int die_by;		/* -k: the signal we die by once logged */
static volatile sig_atomic_t stop_asked;

/* LeakSanitizer's hook (see above); without the sanitizers, unused. */
int __lsan_is_turned_off(void);

int
__lsan_is_turned_off(void)
{
	return 1;
}

static void
die(const char *what)
{
	fprintf(stderr, "sigdump[%d]: %s: %s\n", (int)getpid(), what,
	    strerror(errno));
	exit(99);
}

/* Writes buf to path through path.tmp and a rename. */
static void
write_file(const char *path, const char *buf)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		die(tmp);
	fputs(buf, f);
	if (fclose(f) != 0 || rename(tmp, path) == -1)
		die(path);
}

static void
write_pid(const char *path)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	write_file(path, buf);
}

/* The inherited state, read before we change any of it. */
static void
write_status(const char *path)
{
	char buf[4096], line[256];
	size_t len = 0;
	struct dirent *e;
	FILE *f;
	DIR *d;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		die("/proc/self/status");
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "SigIgn:", 7) == 0 ||
		    strncmp(line, "SigBlk:", 7) == 0)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
			    "%s", line);
	fclose(f);
	if ((d = opendir("/proc/self/fd")) == NULL)
		die("/proc/self/fd");
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "fds:");
	while ((e = readdir(d)) != NULL && len < sizeof(buf) - 16) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s",
		    e->d_name);
	}
	closedir(d);
	snprintf(buf + len, sizeof(buf) - len, "\n");
	write_file(path, buf);
}

static void
on_signal(int sig)
{
	int saved = errno;

	for (size_t i = 0; i < NSIGS; i++)
		if (sigs[i].sig == sig && logfd >= 0) {
			char line[16];
			size_t n = strlen(sigs[i].name);

			memcpy(line, sigs[i].name, n);
			line[n++] = '\n';
			(void)write(logfd, line, n);
		}
	if (sig == die_by) {
		/* Pending until the handler returns, then fatal. */
		struct sigaction dfl;

		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		(void)sigaction(sig, &dfl, NULL);
		(void)kill(getpid(), sig);
	}
	if ((sig == SIGTERM || sig == SIGINT) && !ignore_stop)
		stop_asked = 1;
	errno = saved;
}

static void
install(const char *log)
{
	struct sigaction sa;

	if (log != NULL && (logfd = open(log, O_WRONLY | O_CREAT | O_APPEND |
	    O_CLOEXEC, 0644)) == -1)
		die(log);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < NSIGS; i++)
		if (sigaction(sigs[i].sig, &sa, NULL) == -1)
			die("sigaction");
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Waits for a stop (TERM or INT), without losing one that comes early. */
static void
wait_stop(void)
{
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (!stop_asked)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int
main(int argc, char **argv)
{
	const char *status = NULL, *log = NULL, *pidfile = NULL;
	const char *glog = NULL, *gpidfile = NULL;
	int c, code = 0, gignore = 0, ready[2];
	long delay = 0, lifetime = 60;
	char b;
	pid_t pid;

	while ((c = getopt(argc, argv, "s:l:p:ix:d:g:G:IT:k:")) != -1)
		switch (c) {
		case 's': status = optarg; break;
		case 'l': log = optarg; break;
		case 'p': pidfile = optarg; break;
		case 'i': ignore_stop = 1; break;
		case 'x': code = atoi(optarg); break;
		case 'd': delay = atol(optarg); break;
		case 'g': glog = optarg; break;
		case 'G': gpidfile = optarg; break;
		case 'I': gignore = 1; break;
		case 'T': lifetime = atol(optarg); break;
		case 'k':
			for (size_t i = 0; i < NSIGS; i++)
				if (strcmp(optarg, sigs[i].name) == 0)
					die_by = sigs[i].sig;
			if (die_by == 0) {
				fprintf(stderr, "sigdump: -k %s: unknown\n",
				    optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "sigdump: see the comment at the top "
			    "of tests/helpers/sigdump.c\n");
			return 2;
		}
	if (status != NULL)
		write_status(status);
	alarm((unsigned)lifetime);

	if (glog != NULL) {
		if (pipe(ready) == -1)
			die("pipe");
		if ((pid = fork()) == -1)
			die("fork");
		if (pid == 0) {
			close(ready[0]);
			alarm((unsigned)lifetime);	/* not inherited */
			ignore_stop = gignore;
			install(glog);
			if (gpidfile != NULL)
				write_pid(gpidfile);
			close(ready[1]);
			wait_stop();
			return 0;
		}
		close(ready[1]);
		/* EOF: the grandchild is ready (or died, which the test
		 * sees from its missing pid file). */
		while (read(ready[0], &b, 1) == -1 && errno == EINTR)
			;
		close(ready[0]);
	}

	install(log);
	if (pidfile != NULL)
		write_pid(pidfile);
	wait_stop();
	if (delay > 0)
		sleep_ms(delay);
	return code;
}
