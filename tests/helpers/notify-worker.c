/*
 * notify-worker: a worker that talks to its supervisor through libsystemd's
 * sd_notify()/sd_notifyf(), as a real one would, following a little script
 * given as arguments. The steps run in order:
 *
 *   ready              READY=1
 *   status=TEXT        STATUS=TEXT
 *   queue=N            QUEUE_DEPTH=N
 *   inflight=N         INFLIGHT=N (also where a drain counts down from)
 *   send=TEXT          TEXT as it is, "\n" in it a newline (malformed lines)
 *   trigger            WATCHDOG=trigger
 *   sleep=DUR          wait DUR (DUR: 200ms, 3s, 1.5s, 250us; bare = ms)
 *   burst=N            N datagrams QUEUE_DEPTH=1..N as fast as they go; then
 *                      prints "burst N ok K seconds S rate R/s" on stdout
 *                      (K: how many sd_notifyf() calls succeeded)
 *   env=FILE           writes "WATCHDOG_USEC=V" and "WATCHDOG_PID=mine|other|
 *                      unset" (mine: it equals getpid()) to FILE
 *   pid=FILE           writes our pid to FILE
 *   helper             forks a child in a process group of its own; the
 *                      child runs the remaining steps, waits until the
 *                      supervisor has read them (sd_notify_barrier) and
 *                      exits; the parent waits for it, then idles
 *   exit               exits 0 at once
 * and settings, used once the script is done (the order does not matter):
 *   watchdog-every=DUR   send WATCHDOG=1 every DUR ...
 *   watchdog-count=N     ... N times only, then stop feeding (default: ever)
 *   drain=DUR            on SIGTERM: STOPPING=1, work DUR longer, sending
 *   extend=DUR           ... EXTEND_TIMEOUT_USEC=DUR (if set) and INFLIGHT
 *   extend-every=DUR     ... counting down every DUR (default 500ms); then
 *                        INFLIGHT=0 and exit 0.
 * After the script it idles until SIGTERM: exit 0 (after a drain, if set).
 * A SIGTERM during a sleep= step is handled the same way. sd_notify()
 * failing (or NOTIFY_SOCKET unset) outside a burst exits 3.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

static long long watchdog_every, extend_us, extend_every = 500000, drain_us;
static long watchdog_count = -1, inflight;
static sigset_t term;

/* A duration in microseconds: "200ms", "3s", "1.5s", "250us", "200". */
static long long
dur(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0) {
		fprintf(stderr, "notify-worker: bad duration '%s'\n", s);
		exit(2);
	}
	if (strcmp(end, "s") == 0)
		return (long long)(v * 1e6);
	if (strcmp(end, "us") == 0)
		return (long long)v;
	if (strcmp(end, "ms") == 0 || *end == '\0')
		return (long long)(v * 1e3);
	fprintf(stderr, "notify-worker: bad duration '%s'\n", s);
	exit(2);
}

static void
say(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if ((r = sd_notify(0, buf)) <= 0) {
		fprintf(stderr, "notify-worker[%d]: sd_notify(\"%s\"): %s\n",
		    (int)getpid(), buf, r == 0 ? "no NOTIFY_SOCKET" :
		    strerror(-r));
		exit(3);
	}
}

/* Waits up to us microseconds (forever if < 0); 1 if SIGTERM came. */
static int
wait_term(long long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	int r;

	do
		r = sigtimedwait(&term, NULL, us < 0 ? NULL : &ts);
	while (r == -1 && errno == EINTR);
	return r == SIGTERM;
}

/* SIGTERM: drain as told, then exit 0. */
static void
on_term(void)
{
	long ticks = extend_every > 0 ? (long)(drain_us / extend_every) : 0;
	long from = inflight > 0 ? inflight : ticks;

	if (drain_us > 0) {
		say("STOPPING=1");
		for (long k = 0; k < ticks; k++) {
			if (extend_us > 0)
				say("EXTEND_TIMEOUT_USEC=%lld\nINFLIGHT=%ld",
				    extend_us, from - from * k / ticks);
			else
				say("INFLIGHT=%ld", from - from * k / ticks);
			usleep((useconds_t)extend_every);
		}
		usleep((useconds_t)(drain_us - ticks * extend_every));
		say("INFLIGHT=0");
	}
	exit(0);
}

static void
burst(long n)
{
	struct timespec a, b;
	long ok = 0;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 1; i <= n; i++)
		if (sd_notifyf(0, "QUEUE_DEPTH=%ld", i) > 0)
			ok++;
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) /
	    1e9;
	printf("burst %ld ok %ld seconds %.6f rate %.0f/s\n", n, ok, s,
	    s > 0 ? (double)ok / s : 0.);
	fflush(stdout);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) == EOF) {
		perror(path);
		exit(4);
	}
}

static void
env(const char *path)
{
	const char *us = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	char buf[256];

	snprintf(buf, sizeof(buf), "WATCHDOG_USEC=%s\nWATCHDOG_PID=%s\n",
	    us != NULL ? us : "unset", pid == NULL ? "unset" :
	    atol(pid) == (long)getpid() ? "mine" : "other");
	write_file(path, buf);
}

/* The child of "helper": the rest of the script, then the barrier. */
static void run(int argc, char **argv, int i);

static void
helper(int argc, char **argv, int i)
{
	pid_t pid = fork();
	int st;

	if (pid == -1) {
		perror("fork");
		exit(5);
	}
	if (pid == 0) {
		setpgid(0, 0);	/* only its parentage ties it to us */
		run(argc, argv, i);
		if (sd_notify_barrier(0, 5000000) < 0)
			_exit(3);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "notify-worker: helper failed (%#x)\n", st);
}

/* Runs argv[i..]; returns at the end of the script, or after "helper". */
static void
run(int argc, char **argv, int i)
{
	char buf[4096], *o;
	const char *a, *v;

	for (; i < argc; i++) {
		a = argv[i];
		v = strchr(a, '=') != NULL ? strchr(a, '=') + 1 : "";
#define IS(k)	(strncmp(a, k "=", sizeof(k)) == 0)
		if (strcmp(a, "ready") == 0)
			say("READY=1");
		else if (strcmp(a, "trigger") == 0)
			say("WATCHDOG=trigger");
		else if (strcmp(a, "exit") == 0)
			exit(0);
		else if (strcmp(a, "helper") == 0) {
			helper(argc, argv, i + 1);
			return;
		} else if (IS("status"))
			say("STATUS=%s", v);
		else if (IS("queue"))
			say("QUEUE_DEPTH=%s", v);
		else if (IS("inflight")) {
			inflight = atol(v);
			say("INFLIGHT=%s", v);
		} else if (IS("send")) {
			for (o = buf; *v != '\0' && o < buf + sizeof(buf) - 1;
			    v++)
				if (v[0] == '\\' && v[1] == 'n')
					*o++ = '\n', v++;
				else
					*o++ = *v;
			*o = '\0';
			say("%s", buf);
		} else if (IS("sleep")) {
			if (wait_term(dur(v)))
				on_term();
		} else if (IS("burst"))
			burst(atol(v));
		else if (IS("env"))
			env(v);
		else if (IS("pid")) {
			snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
			write_file(v, buf);
		} else if (IS("watchdog-every"))
			watchdog_every = dur(v);
		else if (IS("watchdog-count"))
			watchdog_count = atol(v);
		else if (IS("drain"))
			drain_us = dur(v);
		else if (IS("extend"))
			extend_us = dur(v);
		else if (IS("extend-every"))
			extend_every = dur(v);
		else {
			fprintf(stderr, "notify-worker: unknown step '%s'\n", a);
			exit(2);
		}
#undef IS
	}
}

int
main(int argc, char **argv)
{
	/* SIGTERM is taken with sigtimedwait(), never by a handler. */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	run(argc, argv, 1);
	while (watchdog_every > 0 && watchdog_count != 0) {
		if (wait_term(watchdog_every))
			on_term();
		say("WATCHDOG=1");
		if (watchdog_count > 0)
			watchdog_count--;
	}
	wait_term(-1);
	on_term();
}
