/*
 * sink.c: a standard stream of tend's written without ever blocking the
 * loop. What a full pipe or a stopped terminal cannot take is the
 * caller's to drop and count.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink.h"

void
sink_open(struct sink *s, int fd)
{
	struct stat st;
	char path[32];
	int own;

	s->fd = fd;
	s->own = s->sock = 0;
	if (fstat(fd, &st) == -1)
		return;
	if (S_ISSOCK(st.st_mode)) {
		s->sock = 1;
		return;
	}
	/* A terminal blocks too: a worker that shares it can stop its
	 * output (tcflow TCOOFF, ^S), and a write would then wait forever. */
	if (!S_ISFIFO(st.st_mode) && !(S_ISCHR(st.st_mode) && isatty(fd)))
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* Without /proc the stream stays blocking: nothing better exists.
	 * O_NOCTTY: a session leader without a terminal (PID 1) must not
	 * acquire one by this open. */
	if ((own = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) != -1) {
		s->fd = own;
		s->own = 1;
	}
}

void
sink_close(struct sink *s)
{
	if (s->own)
		close(s->fd);
	s->own = 0;
}

size_t
sink_write(struct sink *s, const void *buf, size_t len)
{
	ssize_t w;

	do
		w = s->sock ? send(s->fd, buf, len, MSG_DONTWAIT |
		    MSG_NOSIGNAL) : write(s->fd, buf, len);
	while (w == -1 && errno == EINTR);
	return w < 0 ? len : len - (size_t)w;
}
