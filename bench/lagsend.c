/*
 * lagsend.c: the sending end of bench/restart.sh's loop-lag probe. Sends
 * COUNT SIGUSR1s to tend (TENDPID), INTERVAL_MS apart on an absolute
 * CLOCK_MONOTONIC schedule, reading the clock just before each kill().
 * tend forwards each to its instances, among them bench/lagprobe, whose
 * pid is in PIDFILE. After a settle time, SIGUSR2 asks the probe to write
 * its receive times to OUTFILE; each is paired with its send. Both clocks
 * are the same CLOCK_MONOTONIC, so latency = receive - send is exact: the
 * time tend took to notice, handle and forward the signal, plus the
 * kernel's delivery to the probe and the probe's wake-up.
 *
 * Pairing: when every signal arrived, the k-th receive is the k-th send
 * (one sender, one forwarder, delivered in order). When some did not (two
 * USR1s pending at tend or at the probe coalesce into one), each receive
 * is paired with the latest send before it, which is exact while the
 * latency stays under INTERVAL_MS; "pairing=by-time" then says so.
 *
 * Prints one line: sent=N received=K paired=P pairing=in-order|by-time
 * stray=S min_us= median_us= p99_us= max_us= mean_us= over the P pairs
 * (p99: nearest rank). stray: receives before the first send, or a second
 * one for the same send.
 * RAWFILE, if given, gets "index send_ns recv_ns latency_ns" per signal,
 * "-" for those that did not arrive.
 *
 * usage: lagsend TENDPID PIDFILE OUTFILE COUNT INTERVAL_MS [RAWFILE]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SETTLE_MS	500	/* after the last send, before asking */
#define WAIT_MS		10000	/* for the pid file and the output file */

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
sleep_until(int64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000), (long)(t % 1000000000) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR)
		;
}

static long
number(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v <= 0) {
		fprintf(stderr, "lagsend: %s: not a valid %s\n", s, what);
		exit(2);
	}
	return v;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	pid_t tend, probe = 0;
	long count, interval, i, j, nrecv = 0, cap = 1024, stray = 0, n;
	int64_t *sent, *recv, *got, *lat, t0, deadline, sum = 0;
	long long v;
	FILE *f;
	int inorder;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: lagsend TENDPID PIDFILE OUTFILE COUNT "
		    "INTERVAL_MS [RAWFILE]\n");
		return 2;
	}
	tend = (pid_t)number(argv[1], "pid");
	count = number(argv[4], "count");
	interval = number(argv[5], "interval");

	/* The probe is up once its pid file exists (it writes it after
	 * installing its handlers). */
	deadline = now_ns() + (int64_t)WAIT_MS * 1000000;
	for (;;) {
		if ((f = fopen(argv[2], "r")) != NULL) {
			if (fscanf(f, "%lld", &v) == 1)
				probe = (pid_t)v;
			fclose(f);
		}
		if (probe > 0 && kill(probe, 0) == 0)
			break;
		if (now_ns() > deadline) {
			fprintf(stderr, "lagsend: no live probe in %s\n",
			    argv[2]);
			return 1;
		}
		usleep(10000);
	}
	if (unlink(argv[3]) == -1 && errno != ENOENT) {
		perror("lagsend: unlink output file");
		return 1;
	}

	if ((sent = calloc((size_t)count, sizeof(*sent))) == NULL ||
	    (got = calloc((size_t)count, sizeof(*got))) == NULL ||
	    (lat = calloc((size_t)count, sizeof(*lat))) == NULL ||
	    (recv = calloc((size_t)cap, sizeof(*recv))) == NULL) {
		perror("lagsend: calloc");
		return 1;
	}
	t0 = now_ns() + 20000000;
	for (i = 0; i < count; i++) {
		sleep_until(t0 + (int64_t)i * interval * 1000000);
		sent[i] = now_ns();
		if (kill(tend, SIGUSR1) == -1) {
			perror("lagsend: kill tend");
			return 1;
		}
	}
	usleep(SETTLE_MS * 1000);

	if (kill(probe, SIGUSR2) == -1) {
		perror("lagsend: kill probe");
		return 1;
	}
	deadline = now_ns() + (int64_t)WAIT_MS * 1000000;
	while ((f = fopen(argv[3], "r")) == NULL) {
		if (now_ns() > deadline) {
			fprintf(stderr, "lagsend: no %s from the probe\n",
			    argv[3]);
			return 1;
		}
		usleep(1000);
	}
	while (fscanf(f, "%lld", &v) == 1) {
		if (v < sent[0]) {	/* before the first send: not ours */
			stray++;
			continue;
		}
		if (nrecv == cap) {
			cap *= 2;
			if ((recv = realloc(recv, (size_t)cap *
			    sizeof(*recv))) == NULL) {
				perror("lagsend: realloc");
				return 1;
			}
		}
		recv[nrecv++] = (int64_t)v;
	}
	fclose(f);

	/* got[i]: the receive paired with send i, 0 if none. */
	inorder = nrecv == count;
	if (inorder)
		for (i = 0; i < count; i++)
			got[i] = recv[i];
	else
		for (j = 0, i = 0; j < nrecv; j++) {
			while (i + 1 < count && sent[i + 1] <= recv[j])
				i++;
			if (got[i] == 0)
				got[i] = recv[j];
			else
				stray++;	/* two for one send */
		}

	if (argc == 7) {
		if ((f = fopen(argv[6], "w")) == NULL) {
			perror("lagsend: raw file");
			return 1;
		}
		for (i = 0; i < count; i++)
			if (got[i] != 0)
				fprintf(f, "%ld %lld %lld %lld\n", i,
				    (long long)sent[i], (long long)got[i],
				    (long long)(got[i] - sent[i]));
			else
				fprintf(f, "%ld %lld - -\n", i,
				    (long long)sent[i]);
		fclose(f);
	}

	for (i = 0, n = 0; i < count; i++)
		if (got[i] != 0) {
			lat[n] = got[i] - sent[i];
			sum += lat[n++];
		}
	printf("sent=%ld received=%ld paired=%ld pairing=%s stray=%ld", count,
	    nrecv, n, inorder ? "in-order" : "by-time", stray);
	if (n == 0) {
		printf(" min_us=? median_us=? p99_us=? max_us=? mean_us=?\n");
		return 0;
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp64);
	printf(" min_us=%.1f median_us=%.1f p99_us=%.1f max_us=%.1f "
	    "mean_us=%.1f\n", (double)lat[0] / 1e3,
	    (n % 2 ? (double)lat[n / 2] :
	    ((double)lat[n / 2 - 1] + (double)lat[n / 2]) / 2) / 1e3,
	    (double)lat[(99 * n + 99) / 100 - 1] / 1e3,
	    (double)lat[n - 1] / 1e3, (double)sum / (double)n / 1e3);
	return 0;
}
