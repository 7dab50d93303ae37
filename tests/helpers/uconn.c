/*
 * uconn: raw client connections to a Unix stream socket (or, as
 * tcp:ADDR:PORT, to an IPv4 TCP port), for what curl cannot do. Every
 * read has a 15 s deadline.
 *   uconn SOCK send FILE   send FILE's bytes, print everything read to EOF
 *   uconn SOCK halfclose FILE  the same, with shutdown(SHUT_WR) after
 *                          sending (as nc -N does)
 *   uconn SOCK idle        connect, send nothing; print "MS first-line"
 *                          when the server closes
 *   uconn SOCK hold N S    open N connections, send GET /health on each
 *                          and read its answer (keep-alive), print
 *                          "ready OK" (how many got 200), hold them S
 *                          seconds, print "closed K" (the server's doing)
 *   uconn SOCK slowread N PATH S  open N connections, send GET PATH on
 *                          each and never read; print "ready", hold S
 *                          seconds, print "closed K"
 *   uconn SOCK slow        send half a request, print "MS first-line" when
 *                          the server answers and closes
 *   uconn SOCK many N      open N connections, then send a request on each
 *                          and print "CODE COUNT" lines of the statuses
 *                          (0: closed without an answer)
 *   uconn SOCK stale       bind SOCK and exit, leaving a stale socket file
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_un sun;
static struct sockaddr_in sin4;
static int tcp;

static int
dial(void)
{
	int fd = socket(tcp ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
	    0);
	int r;

	if (fd == -1) {
		perror("uconn: socket");
		exit(1);
	}
	r = tcp ? connect(fd, (struct sockaddr *)&sin4, sizeof(sin4)) :
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	if (r == -1) {
		perror("uconn: connect");
		exit(1);
	}
	return fd;
}

/* "tcp:127.0.0.1:9102" or a socket path. */
static int
address(const char *a)
{
	char host[64];
	const char *colon;

	if (strncmp(a, "tcp:", 4) != 0) {
		if (strlen(a) >= sizeof(sun.sun_path))
			return -1;
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, a, strlen(a));
		return 0;
	}
	a += 4;
	if ((colon = strrchr(a, ':')) == NULL ||
	    (size_t)(colon - a) >= sizeof(host))
		return -1;
	memcpy(host, a, (size_t)(colon - a));
	host[colon - a] = '\0';
	tcp = 1;
	sin4.sin_family = AF_INET;
	sin4.sin_port = htons((unsigned short)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sin4.sin_addr) == 1 ? 0 : -1;
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
cmd_send(const char *file, int half)
{
	static char buf[1 << 20];
	FILE *f = fopen(file, "rb");
	size_t n;
	int fd;

	if (f == NULL) {
		perror(file);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	/* Connect, send and shut down back to back: the server most
	 * likely sees the bytes and the EOF in one wakeup. */
	fd = dial();
	if (n > 0 && send(fd, buf, n, MSG_NOSIGNAL) == -1)
		perror("uconn: send");
	if (half && shutdown(fd, SHUT_WR) == -1)
		perror("uconn: shutdown");
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

static int
cmd_idle(void)
{
	char buf[4096];
	long t0 = now_ms();
	int fd = dial();

	slurp(fd, buf, sizeof(buf));
	buf[strcspn(buf, "\r\n")] = '\0';
	printf("%ld %s\n", now_ms() - t0, buf[0] ? buf : "EOF");
	return 0;
}

/* Holds fds for secs seconds; prints how many the server closed. */
static void
hold(int *fds, int n, int secs)
{
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	long end = now_ms() + secs * 1000L;
	int closed = 0, r;

	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = fds[i], .events = POLLRDHUP };
	while (closed < n && now_ms() < end) {
		if ((r = poll(p, (nfds_t)n, (int)(end - now_ms()))) <= 0)
			continue;
		for (int i = 0; i < n; i++)
			if (p[i].revents) {
				p[i].fd = -1;
				closed++;
			}
	}
	printf("closed %d\n", closed);
	free(p);
}

/* One keep-alive GET /health, read to the end of its answer: 1 if 200. */
static int
get_health(int fd)
{
	static const char req[] = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096], *body;
	size_t n = 0;
	ssize_t r;
	int len;

	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) == -1)
		return 0;
	while (n < sizeof(buf) - 1 && poll(&p, 1, 15000) == 1 &&
	    (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0) {
		buf[n += (size_t)r] = '\0';
		if ((body = strstr(buf, "\r\n\r\n")) != NULL &&
		    sscanf(strstr(buf, "Content-Length: ") ?
		    strstr(buf, "Content-Length: ") + 16 : "", "%d",
		    &len) == 1 && (size_t)(body + 4 - buf) + (size_t)len <= n)
			return strncmp(buf, "HTTP/1.1 200 ", 13) == 0;
	}
	return 0;
}

static int
cmd_hold(int n, int secs)
{
	int *fds = calloc((size_t)n, sizeof(int)), good = 0;

	for (int i = 0; i < n; i++) {
		fds[i] = dial();
		good += get_health(fds[i]);
	}
	printf("ready %d\n", good);
	fflush(stdout);
	hold(fds, n, secs);
	free(fds);
	return 0;
}

static int
cmd_slowread(int n, const char *path, int secs)
{
	int *fds = calloc((size_t)n, sizeof(int));
	char req[512];
	int len;

	len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n",
	    path);
	for (int i = 0; i < n; i++) {
		fds[i] = dial();
		if (send(fds[i], req, (size_t)len, MSG_NOSIGNAL) == -1)
			perror("uconn: send");
	}
	printf("ready\n");
	fflush(stdout);
	hold(fds, n, secs);
	free(fds);
	return 0;
}

/*
 * Until the server has dealt with every connection: it accepts from its
 * backlog and refuses (or evicts) the ones over its limit with an answer.
 * Waits until no connection has become readable for 150 ms (at most
 * 5 s): well within the server's deadline for a connection that has sent
 * nothing yet.
 */
static void
settle(int *fds, int n)
{
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	int r;

	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	for (int rounds = 0; rounds < 33; rounds++) {
		if ((r = poll(p, (nfds_t)n, 150)) <= 0 && rounds > 0)
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

	if (argc < 3 || address(argv[1]) == -1) {
		fprintf(stderr, "usage: uconn SOCK send FILE|halfclose FILE|"
		    "slow|idle|many N|hold N S|slowread N PATH S|stale\n");
		return 2;
	}
	if (strcmp(argv[2], "send") == 0 && argc == 4)
		return cmd_send(argv[3], 0);
	if (strcmp(argv[2], "halfclose") == 0 && argc == 4)
		return cmd_send(argv[3], 1);
	if (strcmp(argv[2], "idle") == 0)
		return cmd_idle();
	if (strcmp(argv[2], "hold") == 0 && argc == 5)
		return cmd_hold(atoi(argv[3]), atoi(argv[4]));
	if (strcmp(argv[2], "slowread") == 0 && argc == 6)
		return cmd_slowread(atoi(argv[3]), argv[4], atoi(argv[5]));
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
