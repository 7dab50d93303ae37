/*
 * sdnotify: a worker that speaks through libsystemd's sd_notify(), as a
 * real one would. Each argument is a step:
 *   TEXT       sd_notify(0, TEXT) (\n in TEXT is a newline)
 *   +MS        sleep MS milliseconds
 *   burst:N    N datagrams "QUEUE_DEPTH=i" as fast as they go; prints
 *              "burst N S" (seconds) on stdout
 *   env:FILE   writes WATCHDOG_USEC, and whether WATCHDOG_PID is our pid,
 *              to FILE
 * then sleeps until a signal ends it. sd_notify's result is checked: a
 * failure exits 3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

static void
say(const char *text)
{
	char buf[4096];
	size_t o = 0;

	for (const char *p = text; *p != '\0' && o < sizeof(buf) - 1; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			buf[o++] = '\n';
			p++;
		} else
			buf[o++] = *p;
	}
	buf[o] = '\0';
	if (sd_notify(0, buf) <= 0) {
		fprintf(stderr, "sdnotify: sd_notify(%s) failed\n", buf);
		exit(3);
	}
}

static void
burst(long n)
{
	struct timespec a, b;
	char msg[64];

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 1; i <= n; i++) {
		snprintf(msg, sizeof(msg), "QUEUE_DEPTH=%ld", i);
		say(msg);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("burst %ld %.6f\n", n, (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	fflush(stdout);
}

static void
env(const char *file)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	FILE *f = fopen(file, "w");

	if (f == NULL)
		exit(4);
	fprintf(f, "WATCHDOG_USEC=%s\nWATCHDOG_PID is mine: %s\n",
	    usec != NULL ? usec : "unset", pid != NULL &&
	    atol(pid) == (long)getpid() ? "yes" : "no");
	fclose(f);
}

int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '+')
			usleep((useconds_t)atol(argv[i] + 1) * 1000);
		else if (strncmp(argv[i], "burst:", 6) == 0)
			burst(atol(argv[i] + 6));
		else if (strncmp(argv[i], "env:", 4) == 0)
			env(argv[i] + 4);
		else
			say(argv[i]);
	}
	for (;;)
		pause();
}
