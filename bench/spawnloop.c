/*
 * spawnloop.c: the floor for any wrapper. posix_spawn()s a program (default
 * /bin/true) and waitpid()s it, N times in a row, and prints the mean cost of
 * one spawn+wait. A wrapper run (tend -- /bin/true) pays at least two of
 * these: its own exec and its child's. Used by bench/run.sh.
 *
 * usage: spawnloop N [PROGRAM]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	char *prog, *end, *cargv[2];
	long i, n;
	double secs;
	pid_t pid;
	int r, status;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: spawnloop N [PROGRAM]\n");
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
