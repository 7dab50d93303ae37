/*
 * sink.h: nonblocking writes to one of tend's own standard streams, which
 * tend shares with the children that inherit them. Used by log.c (tend's
 * lines on stderr) and output.c (prefixed instance output).
 */
#ifndef SINK_H
#define SINK_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

struct sink {
	int		 fd;		/* ours, or the stream itself */
	int		 own;		/* fd is a private open: close it */
	int		 sock;		/* fd is a socket: send() */
	char		 pend[PIPE_BUF]; /* the rest of a record a short
					 * write left (terminal, socket) */
	size_t		 plen;
};

/*
 * Sets s up for stream fd (1 or 2). A pipe or a terminal gets a private
 * nonblocking open of /proc/self/fd/N (a new file description, so the
 * stream stays blocking for the children); a socket is written with
 * MSG_DONTWAIT; a file is written as it is.
 */
void sink_open(struct sink *s, int fd);
void sink_close(struct sink *s);

/* One write, never waiting: the bytes it could not take (0 = all went,
 * or the rest of a short write is kept to finish first; a full pipe or
 * an error drops the record), for the caller to count. len <= PIPE_BUF
 * keeps records whole. */
size_t sink_write(struct sink *s, const void *buf, size_t len);

#endif
