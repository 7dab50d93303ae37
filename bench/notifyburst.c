/*
 * notifyburst: run by tend as a program; sends N datagrams
 * "QUEUE_DEPTH=i" to $NOTIFY_SOCKET as fast as the socket takes them
 * (blocking sends: the kernel queues few, so this is tend's read rate),
 * then prints "N datagrams in S s = R/s" on stdout and sleeps.
 *   notifyburst N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <stddef.h>

int
main(int argc, char **argv)
{
	const char *addr = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timespec a, b;
	long n = argc > 1 ? atol(argv[1]) : 10000;
	socklen_t len;
	char msg[64];
	double s;
	int fd;

	if (addr == NULL || strlen(addr) >= sizeof(sun.sun_path))
		return 2;
	memcpy(sun.sun_path, addr, strlen(addr));
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(addr));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 1; i <= n; i++) {
		int m = snprintf(msg, sizeof(msg), "QUEUE_DEPTH=%ld", i);

		if (sendto(fd, msg, (size_t)m, 0, (struct sockaddr *)&sun,
		    len) == -1) {
			perror("sendto");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%ld datagrams in %.3f s = %.0f/s\n", n, s, (double)n / s);
	fflush(stdout);
	pause();
	return 0;
}
