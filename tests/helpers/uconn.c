/*
 * uconn: raw client connections to a Unix stream socket, for what curl
 * cannot do. Every read has a 15 s deadline.
 *   uconn SOCK send FILE   send FILE's bytes, print everything read to EOF
 *   uconn SOCK slow        send half a request, print "MS first-line" when
 *                          the server answers and closes
 *   uconn SOCK many N      open N connections, then send a request on each
 *                          and print "CODE COUNT" lines of the statuses
 *   uconn SOCK stale       bind SOCK and exit, leaving a stale socket file
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_un sun;

static int
dial(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ==
	    -1) {
		perror("uconn: connect");
		exit(1);
	}
	return fd;
}

/* Reads up to len-1 bytes until EOF or the deadline; NUL-terminates. */
static size_t
slurp(int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t n = 0;
	ssize_t r;

	while (n < len - 1 && poll(&p, 1, 15000) == 1) {
		if ((r = read(fd, buf + n, len - 1 - n)) <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return n;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
cmd_send(const char *file)
{
	static char buf[1 << 20];
	FILE *f = fopen(file, "rb");
	size_t n;
	int fd = dial();

	if (f == NULL) {
		perror(file);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n > 0 && send(fd, buf, n, MSG_NOSIGNAL) == -1)
		perror("uconn: send");
	n = slurp(fd, buf, sizeof(buf));
	fwrite(buf, 1, n, stdout);
	return 0;
}

static int
cmd_slow(void)
{
	static const char half[] = "GET /health HTTP/1.1\r\nHost: x\r\n";
	char buf[4096];
	long t0;
	int fd = dial();

	t0 = now_ms();
	if (write(fd, half, sizeof(half) - 1) == -1)
		perror("uconn: write");
	slurp(fd, buf, sizeof(buf));
	buf[strcspn(buf, "\r\n")] = '\0';
	printf("%ld %s\n", now_ms() - t0, buf);
	return 0;
}

/*
 * Until the server has dealt with every connection: it accepts from its
 * backlog and refuses the ones over its limit with an answer. Waits until
 * no connection has become readable for 500 ms (at most 5 s).
 */
static void
settle(int *fds, int n)
{
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	int r;

	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	for (int rounds = 0; rounds < 10; rounds++) {
		if ((r = poll(p, (nfds_t)n, 500)) <= 0 && rounds > 0)
			break;
		for (int i = 0; i < n; i++)
			if (p[i].revents)
				p[i].fd = -1;	/* refused: seen once */
	}
	free(p);
}

static int
cmd_many(int n)
{
	static const char req[] = "GET /health HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n";
	int *fds = calloc((size_t)n, sizeof(int)), codes[1000] = { 0 };
	char buf[4096];

	for (int i = 0; i < n; i++)
		fds[i] = dial();
	settle(fds, n);
	for (int i = 0; i < n; i++)
		(void)send(fds[i], req, sizeof(req) - 1, MSG_NOSIGNAL);
	for (int i = 0; i < n; i++) {
		int code = 0;

		slurp(fds[i], buf, sizeof(buf));
		if (sscanf(buf, "HTTP/1.1 %d", &code) != 1 || code < 0 ||
		    code >= 1000)
			code = 0;
		codes[code]++;
		close(fds[i]);
	}
	for (int c = 0; c < 1000; c++)
		if (codes[c])
			printf("%d %d\n", c, codes[c]);
	free(fds);
	return 0;
}

int
main(int argc, char **argv)
{
	int fd;

	if (argc < 3 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: uconn SOCK send FILE|slow|many N|"
		    "stale\n");
		return 2;
	}
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, argv[1], strlen(argv[1]));
	if (strcmp(argv[2], "send") == 0 && argc == 4)
		return cmd_send(argv[3]);
	if (strcmp(argv[2], "slow") == 0)
		return cmd_slow();
	if (strcmp(argv[2], "many") == 0 && argc == 4)
		return cmd_many(atoi(argv[3]));
	if (strcmp(argv[2], "stale") == 0) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
			perror("uconn: bind");
			return 1;
		}
		return 0;	/* exit closes it: the file stays, stale */
	}
	fprintf(stderr, "uconn: bad command\n");
	return 2;
}
