/*
 * siglat.c: signal forwarding latency for bench/run.sh's signal scenario.
 *
 * siglat recv FIFO: runs under the wrapper measured (tend, tini, ...). It
 * installs a SIGUSR1 handler, then opens FIFO for writing (so the sender's
 * open returns only once the handler is in place). The handler reads
 * CLOCK_MONOTONIC and writes it to the FIFO (clock_gettime and write are
 * async-signal-safe; 16 bytes is one atomic pipe write). TERM ends it.
 *
 * siglat send PID FIFO N [RAWFILE]: opens FIFO for reading, then N times:
 * reads CLOCK_MONOTONIC, kill(PID, SIGUSR1), waits (at most 2 s) for the
 * receiver's time; latency = receipt - send. One signal at a time, so none
 * coalesce. Prints "median=.. p90=.. min=.. max=.. mean=.. n=.." in µs and
 * the raw latencies (ns, a line each) to RAWFILE; exits 1 if one was lost.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXN 100000

static int fifo_fd = -1;

static void
on_usr1(int sig)
{
	struct timespec ts;
	int saved = errno;

	(void)sig;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (write(fifo_fd, &ts, sizeof ts) != (ssize_t)sizeof ts)
		_exit(3);
	errno = saved;
}

static int
recv_main(const char *fifo)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) == -1) {
		perror("siglat: sigaction");
		return 2;
	}
	/* Blocks until the sender opens its end. */
	if ((fifo_fd = open(fifo, O_WRONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "siglat: open %s: %s\n", fifo, strerror(errno));
		return 2;
	}
	for (;;)
		pause();
}

static int
cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t
ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static int
send_main(pid_t pid, const char *fifo, long n, const char *raw)
{
	static int64_t lat[MAXN];
	struct timespec t0, t1, gap = { 0, 2000000 };
	struct pollfd pfd;
	double sum = 0;
	long i, got = 0;
	ssize_t r;
	FILE *f;
	int fd;

	if ((fd = open(fifo, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "siglat: open %s: %s\n", fifo, strerror(errno));
		return 2;
	}
	for (i = 0; i < n; i++) {
		nanosleep(&gap, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (kill(pid, SIGUSR1) == -1) {
			perror("siglat: kill");
			return 2;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 2000) != 1)
			continue;
		r = read(fd, &t1, sizeof t1);
		if (r != (ssize_t)sizeof t1)
			break;
		lat[got++] = ns(&t1) - ns(&t0);
	}
	if (raw != NULL && (f = fopen(raw, "w")) != NULL) {
		for (i = 0; i < got; i++)
			fprintf(f, "%lld\n", (long long)lat[i]);
		fclose(f);
	}
	if (got == 0) {
		printf("median=? p90=? min=? max=? mean=? n=0\n");
		return 1;
	}
	for (i = 0; i < got; i++)
		sum += (double)lat[i];
	qsort(lat, (size_t)got, sizeof lat[0], cmp);
	printf("median=%.1f p90=%.1f min=%.1f max=%.1f mean=%.1f n=%ld\n",
	    (got % 2 ? (double)lat[got / 2] :
	    ((double)lat[got / 2 - 1] + (double)lat[got / 2]) / 2) / 1e3,
	    (double)lat[(got * 9 + 9) / 10 - 1] / 1e3, (double)lat[0] / 1e3,
	    (double)lat[got - 1] / 1e3, sum / (double)got / 1e3, got);
	return got == n ? 0 : 1;
}

int
main(int argc, char **argv)
{
	char *end;
	long n;

	if (argc == 3 && strcmp(argv[1], "recv") == 0)
		return recv_main(argv[2]);
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "send") == 0) {
		n = strtol(argv[4], &end, 10);
		if (*end != '\0' || n < 1 || n > MAXN) {
			fprintf(stderr, "siglat: %s: not a count\n", argv[4]);
			return 2;
		}
		return send_main((pid_t)atoi(argv[2]), argv[3], n,
		    argc == 6 ? argv[5] : NULL);
	}
	fprintf(stderr, "usage: siglat recv FIFO\n"
	    "       siglat send PID FIFO N [RAWFILE]\n");
	return 2;
}
