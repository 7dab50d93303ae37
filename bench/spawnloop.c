/*
 * spawnloop.c: the floor for any wrapper. posix_spawn()s a program (default
 * /bin/true) and waitpid()s it, N times in a row, and prints the mean cost of
 * one spawn+wait. A wrapper run (tend -- /bin/true) pays at least two of
 * these: its own exec and its child's. Used by bench/run.sh.
 *
 * With -k it is the floor for a supervisor instead: it spawns PROGRAM N
 * times without waiting, keeps them running until it gets TERM or INT,
 * then sends each TERM and reaps them all. bench/run.sh times both ends
 * from outside, as it times the supervisors (bench/pwatch.c).
 *
 * usage: spawnloop N [PROGRAM]
 *        spawnloop -k N PROGRAM
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int
keep(long n, char *prog)
{
	char *cargv[2] = { prog, NULL };
	pid_t *pids;
	sigset_t set;
	long i, got = 0;
	int r, sig;

	if ((pids = calloc((size_t)n, sizeof *pids)) == NULL) {
		perror("spawnloop: calloc");
		return 1;
	}
	/* Blocked before the first spawn, so a TERM that comes early still
	 * ends in the clean-up below; posix_spawn's child gets the default
	 * mask back through its attributes. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < n; i++) {
		posix_spawnattr_t attr;
		sigset_t none;

		sigemptyset(&none);
		posix_spawnattr_init(&attr);
		posix_spawnattr_setsigmask(&attr, &none);
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
		r = posix_spawn(&pids[got], prog, NULL, &attr, cargv, environ);
		posix_spawnattr_destroy(&attr);
		if (r != 0) {
			fprintf(stderr, "spawnloop: posix_spawn %s: %s\n",
			    prog, strerror(r));
			break;
		}
		got++;
	}
	if (got == n)
		sigwait(&set, &sig);
	for (i = 0; i < got; i++)
		kill(pids[i], SIGTERM);
	for (i = 0; i < got; i++)
		while (waitpid(pids[i], NULL, 0) == -1 && errno == EINTR)
			;
	free(pids);
	return got == n ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	char *prog, *end, *cargv[2];
	long i, n;
	double secs;
	pid_t pid;
	int r, status;

	if (argc == 4 && strcmp(argv[1], "-k") == 0) {
		n = strtol(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0' || n < 1) {
			fprintf(stderr, "spawnloop: %s: not a count\n", argv[2]);
			return 2;
		}
		return keep(n, argv[3]);
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: spawnloop N [PROGRAM]\n"
		    "       spawnloop -k N PROGRAM\n");
		return 2;
	}
	n = strtol(argv[1], &end, 10);
	if (*argv[1] == '\0' || *end != '\0' || n < 0) {
		fprintf(stderr, "spawnloop: %s: not a count\n", argv[1]);
		return 2;
	}
	prog = argc == 3 ? argv[2] : "/bin/true";
	cargv[0] = prog;
	cargv[1] = NULL;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		if ((r = posix_spawn(&pid, prog, NULL, NULL, cargv,
		    environ)) != 0) {
			fprintf(stderr, "spawnloop: posix_spawn %s: %s\n",
			    prog, strerror(r));
			return 1;
		}
		while (waitpid(pid, &status, 0) == -1)
			if (errno != EINTR) {
				perror("spawnloop: waitpid");
				return 1;
			}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "spawnloop: %s failed (status %#x)\n",
			    prog, status);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%ld spawns in %.6f s: %.1f us per spawn+wait\n", n, secs,
	    n > 0 ? secs / (double)n * 1e6 : 0.0);
	return 0;
}
