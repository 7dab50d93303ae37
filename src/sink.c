/*
 * sink.c: a standard stream of tend's written without ever blocking the
 * loop. What a full pipe or a stopped terminal cannot take is the
 * caller's to drop and count.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink.h"

void
sink_open(struct sink *s, int fd)
{
	struct stat st, again;
	char path[32];
	int own;

	s->fd = fd;
	s->own = s->sock = 0;
	s->plen = 0;
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
	    O_CLOEXEC)) == -1)
		return;
	/* The same file, not a new one: reopening a pty master (ptmx)
	 * makes a new terminal, which nobody reads. */
	if (fstat(own, &again) == -1 || again.st_dev != st.st_dev ||
	    again.st_ino != st.st_ino || again.st_rdev != st.st_rdev) {
		close(own);
		return;
	}
	s->fd = own;
	s->own = 1;
}

void
sink_close(struct sink *s)
{
	if (s->own)
		close(s->fd);
	s->own = 0;
}

/* One write, retried on EINTR: bytes written, or -1. */
static ssize_t
write_some(struct sink *s, const char *buf, size_t len)
{
	ssize_t w;

	do
		w = s->sock ? send(s->fd, buf, len, MSG_DONTWAIT |
		    MSG_NOSIGNAL) : write(s->fd, buf, len);
	while (w == -1 && errno == EINTR);
	return w;
}

/* Finishes the record a short write left: 1 when nothing is pending. */
static int
flush_pending(struct sink *s)
{
	ssize_t w;

	if (s->plen == 0)
		return 1;
	if ((w = write_some(s, s->pend, s->plen)) <= 0)
		return 0;
	memmove(s->pend, s->pend + w, s->plen - (size_t)w);
	s->plen -= (size_t)w;
	return s->plen == 0;
}

/*
 * A pipe takes a write of up to PIPE_BUF whole or not at all; a terminal
 * or a stream socket may take part of it. The rest of such a record is
 * kept (it fits in pend) and finished before anything new, so lines are
 * never torn; while it waits, new records are dropped whole.
 */
size_t
sink_write(struct sink *s, const void *buf, size_t len)
{
	ssize_t w;

	if (!flush_pending(s))
		return len;
	if ((w = write_some(s, buf, len)) < 0)
		return len;
	if ((size_t)w == len)
		return 0;
	if (len - (size_t)w > sizeof(s->pend))
		return len - (size_t)w;
	memcpy(s->pend, (const char *)buf + w, len - (size_t)w);
	s->plen = len - (size_t)w;
	return 0;
}
