/*
 * lagprobe.c: the receiving end of bench/restart.sh's loop-lag probe. Run
 * by tend as one of its programs. Each SIGUSR1 (tend forwards the one it
 * gets to every instance's main process) is time-stamped with
 * CLOCK_MONOTONIC in the handler itself. On SIGUSR2, sent to it directly
 * by bench/lagsend, it writes the times so far, one nanosecond count a
 * line, to OUTFILE (through OUTFILE.tmp and a rename, so a reader never
 * sees half of it). It writes its pid to PIDFILE the same way, once its
 * handlers are in place. TERM or INT ends it.
 *
 * usage: lagprobe PIDFILE OUTFILE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXRECV 100000

static int64_t recv_ns[MAXRECV];
static volatile sig_atomic_t nrecv, dump, quit;

static void
on_usr1(int sig)
{
	struct timespec ts;

	(void)sig;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (nrecv < MAXRECV)
		recv_ns[nrecv] = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	nrecv++;
}

static void
on_usr2(int sig)
{
	(void)sig;
	dump = 1;
}

static void
on_quit(int sig)
{
	(void)sig;
	quit = 1;
}

/* Writes len bytes of buf to PATH.tmp, then renames it to PATH. */
static int
put_file(const char *path, const char *buf, size_t len)
{
	char tmp[4096];
	ssize_t w;
	size_t off = 0;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		return -1;
	while (off < len) {
		if ((w = write(fd, buf + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	if (close(fd) == -1)
		return -1;
	return rename(tmp, path);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t ours, old, waitmask;
	char *buf, pidbuf[32];
	size_t len, i, n;

	if (argc != 3) {
		fprintf(stderr, "usage: lagprobe PIDFILE OUTFILE\n");
		return 2;
	}
	/* Ours stay blocked outside sigsuspend, so the flags are checked
	 * without a race and the handlers never run while we dump. */
	sigemptyset(&ours);
	sigaddset(&ours, SIGUSR1);
	sigaddset(&ours, SIGUSR2);
	sigaddset(&ours, SIGTERM);
	sigaddset(&ours, SIGINT);
	sigprocmask(SIG_BLOCK, &ours, &old);
	waitmask = old;
	sigdelset(&waitmask, SIGUSR1);
	sigdelset(&waitmask, SIGUSR2);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);

	memset(&sa, 0, sizeof(sa));
	sa.sa_mask = ours;
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = on_quit;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	len = (size_t)snprintf(pidbuf, sizeof(pidbuf), "%ld\n",
	    (long)getpid());
	if (put_file(argv[1], pidbuf, len) == -1) {
		perror("lagprobe: pid file");
		return 1;
	}
	if ((buf = malloc((size_t)MAXRECV * 24)) == NULL) {
		perror("lagprobe: malloc");
		return 1;
	}
	while (!quit) {
		if (dump) {
			dump = 0;
			n = nrecv < MAXRECV ? (size_t)nrecv : MAXRECV;
			for (i = 0, len = 0; i < n; i++)
				len += (size_t)snprintf(buf + len, 24, "%lld\n",
				    (long long)recv_ns[i]);
			if (put_file(argv[2], buf, len) == -1)
				perror("lagprobe: output file");
		}
		sigsuspend(&waitmask);
	}
	return 0;
}
