/*
 * crasher.c: the worker of bench/soak.sh. Appends one byte to LOG when it
 * starts ('S'), sleeps a random 0-200 ms, then appends one byte saying how
 * it ends and ends that way: 'E' and exit 1-3, or 'A' and abort() (one run
 * in 8). Once STOPFILE exists it appends 'O' and exits 0 at once instead,
 * so restart = on-failure leaves every instance down and tend quiet. Every
 * process that writes 'S' writes exactly one end byte, and nobody else
 * signals it, so the bytes count what tend should have counted.
 *
 * usage: crasher LOG STOPFILE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int logfd = -1;

/* One byte with O_APPEND: atomic, so no two crashers' records mix. */
static void
put(char c)
{
	while (write(logfd, &c, 1) == -1 && errno == EINTR)
		;
}

int
main(int argc, char **argv)
{
	struct rlimit nocore = { 0, 0 };
	struct timespec now, nap;
	uint64_t x;

	if (argc != 3)
		return 2;
	/* abort() must not write a core file per crash (core_pattern may
	 * be a plain "core" in the cwd); not dumpable stops a pipe too. */
	setrlimit(RLIMIT_CORE, &nocore);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if ((logfd = open(argv[1], O_WRONLY | O_APPEND | O_CLOEXEC)) == -1)
		return 2;
	if (access(argv[2], F_OK) == 0) {
		put('O');
		return 0;
	}
	put('S');

	/* splitmix64 of pid and time: a different draw for each run. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	x = ((uint64_t)getpid() << 32) ^ (uint64_t)now.tv_nsec ^
	    ((uint64_t)now.tv_sec << 20);
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;

	nap.tv_sec = 0;
	nap.tv_nsec = (long)(x % 201) * 1000000L;
	while (nanosleep(&nap, &nap) == -1 && errno == EINTR)
		;
	if ((x >> 32) % 8 == 0) {
		put('A');
		abort();
	}
	put('E');
	return 1 + (int)((x >> 40) % 3);
}
