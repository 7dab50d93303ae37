/*
 * fakehttp: a canned HTTP server on a Unix socket, to test tendctl's wire
 * format without tend. Accepts N connections one at a time; for each it
 * reads the request head (to CRLFCRLF), appends the request line to LOG
 * and the raw head to LOG.head, answers with the bytes of the next
 * RESPONSE file (the last one repeats) and closes. Then it exits 0.
 *
 *   fakehttp SOCKET N LOG RESPONSE...
 *
 * The socket is bound as SOCKET.tmp and renamed once listening, so a
 * client that sees SOCKET never meets a refused connect.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define HEAD_MAX 65536	/* a request head; more is an error */

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static int
listen_on(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char tmp[sizeof(sun.sun_path)];
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		die("socket path too long");
	memcpy(sun.sun_path, tmp, sizeof(tmp));
	unlink(tmp);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket");
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die("bind");
	if (listen(fd, 16) == -1)
		die("listen");
	if (rename(tmp, path) == -1)
		die("rename");
	return fd;
}

/* Reads up to CRLFCRLF into head; returns its length. */
static size_t
read_head(int fd, char *head)
{
	size_t len = 0;
	ssize_t n;

	while (len < 4 || memcmp(head + len - 4, "\r\n\r\n", 4) != 0) {
		if (len == HEAD_MAX)
			die("request head too long");
		/* A byte at a time: never read past the head. */
		if ((n = read(fd, head + len, 1)) == 0) {
			fprintf(stderr, "fakehttp: EOF inside the head\n");
			exit(1);
		}
		if (n == -1 && errno != EINTR)
			die("read");
		if (n == 1)
			len++;
	}
	return len;
}

static void
write_all(int fd, const char *buf, size_t len, const char *what)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1 && errno != EINTR)
			die(what);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		}
	}
}

static void
append(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd == -1)
		die(path);
	write_all(fd, buf, len, path);
	close(fd);
}

/* The whole of file path, malloc'd; its length in *len. */
static char *
slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1)
		die(path);
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		die("malloc");
	*len = 0;
	while (*len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + *len, (size_t)st.st_size - *len);

		if (n <= 0)
			die(path);
		*len += (size_t)n;
	}
	close(fd);
	return buf;
}

int
main(int argc, char **argv)
{
	static char head[HEAD_MAX];
	char headlog[4096];
	size_t len, rlen;
	int lfd, fd, i, n;
	char *resp;

	if (argc < 5 || (n = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: fakehttp SOCKET N LOG RESPONSE...\n");
		return 2;
	}
	if ((size_t)snprintf(headlog, sizeof(headlog), "%s.head", argv[3]) >=
	    sizeof(headlog))
		die("log path too long");
	signal(SIGPIPE, SIG_IGN);	/* a client gone early: EPIPE, exit 1 */
	lfd = listen_on(argv[1]);
	for (i = 0; i < n; i++) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
			if (errno == EINTR)
				continue;
			die("accept4");
		}
		len = read_head(fd, head);
		append(headlog, head, len);
		append(argv[3], head,
		    (size_t)((char *)memmem(head, len, "\r\n", 2) - head));
		append(argv[3], "\n", 1);
		resp = slurp(argv[4 + (i < argc - 4 ? i : argc - 5)], &rlen);
		write_all(fd, resp, rlen, "write");
		free(resp);
		close(fd);
	}
	close(lfd);
	unlink(argv[1]);
	return 0;
}
