/*
 * output.c: instance output. For prefix, the child writes into a pipe;
 * tend reads one buffer per callback (so a flooding worker gets its turn
 * like every other watcher, never the whole loop) and writes its lines,
 * prefixed, to its own stream through a sink that never waits, as many
 * whole lines a write as fit PIPE_BUF. A line longer than the buffer is
 * split; a write is at most PIPE_BUF bytes, so a pipe takes it whole or
 * not at all, and what is not taken is counted.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tend.h"
#include "output.h"

int
output_parse(const char *s, int is_stderr, struct output_cfg *out,
    char *err, size_t errlen)
{
	static const char *names[] = { "inherit", "prefix", "null" };
	char *path;

	for (int i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			output_cfg_free(out);
			out->kind = i;
			return 0;
		}
	if (is_stderr && strcmp(s, "stdout") == 0) {
		output_cfg_free(out);
		out->kind = OUT_STDOUT;
		return 0;
	}
	if (strcmp(s, "journal") == 0) {
		snprintf(err, errlen, "journal: not supported yet");
		return -1;
	}
	if (strncmp(s, "file:", 5) == 0) {
		if (s[5] != '/') {
			snprintf(err, errlen, "\"%s\": the file needs an "
			    "absolute path (file:/var/log/x.log)", s);
			return -1;
		}
		if ((path = strdup(s + 5)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		output_cfg_free(out);
		out->kind = OUT_FILE;
		out->path = path;
		return 0;
	}
	snprintf(err, errlen, "\"%s\" is not an output (use inherit, prefix, "
	    "null, file:PATH%s)", s, is_stderr ? ", stdout" : "");
	return -1;
}

void
output_cfg_free(struct output_cfg *out)
{
	free(out->path);
	out->path = NULL;
	out->kind = OUT_INHERIT;
}

int
outpipe_init(struct outpipe *op, struct sink *dest, const char *prefix,
    unsigned long long *dropped)
{
	memset(op, 0, sizeof(*op));
	op->fd = -1;
	op->dest = dest;
	op->prefix = prefix;
	op->dropped = dropped;
	if ((op->buf = malloc(TEND_OUTPUT_LINE_MAX)) == NULL)
		return -1;
	return 0;
}

void
outpipe_free(struct ev_loop *loop, struct outpipe *op)
{
	outpipe_close(loop, op);
	free(op->buf);
	op->buf = NULL;
}

/* Whole records, written together: one write(2) per batch, not per line
 * (a `yes` worker would otherwise keep tend at a write a line). A batch
 * is at most PIPE_BUF, so a pipe takes it whole or not at all. */
struct batch {
	char		 buf[PIPE_BUF];
	size_t		 len;
};

/* The prefix is an instance name (struct instance's name[], NUL and all),
 * then " | ", the line and its newline. */
_Static_assert(TEND_NAME_MAX + 8 + 3 + TEND_OUTPUT_LINE_MAX + 1 <= PIPE_BUF,
    "a prefixed record must fit one batch");

static void
flush(struct outpipe *op, struct batch *b)
{
	if (b->len > 0)
		*op->dropped += sink_write(op->dest, b->buf, b->len);
	b->len = 0;
}

/* Adds "prefix | line\n" to the batch, writing the batch first if the
 * record would not fit. */
static void
emit(struct outpipe *op, struct batch *b, const char *line, size_t len)
{
	size_t plen = strlen(op->prefix), need = plen + 3 + len + 1;

	assert(need <= sizeof(b->buf));	/* see the _Static_assert */
	if (b->len + need > sizeof(b->buf))
		flush(op, b);
	memcpy(b->buf + b->len, op->prefix, plen);
	memcpy(b->buf + b->len + plen, " | ", 3);
	memcpy(b->buf + b->len + plen + 3, line, len);
	b->buf[b->len + need - 1] = '\n';
	b->len += need;
}

/* Emits every complete line in op->buf and keeps the rest; a full
 * buffer with no newline is emitted as one piece of a split line. */
static void
emit_lines(struct outpipe *op, int at_eof)
{
	char *start = op->buf, *nl;
	size_t left = op->len;
	struct batch b;

	b.len = 0;
	/* The newline that ends a line split at a full buffer ends its last
	 * piece; it is not an empty line of its own. */
	if (op->split && left > 0) {
		op->split = 0;
		if (*start == '\n') {
			start++;
			left--;
		}
	}
	while ((nl = memchr(start, '\n', left)) != NULL) {
		emit(op, &b, start, (size_t)(nl - start));
		left -= (size_t)(nl - start) + 1;
		start = nl + 1;
	}
	if (left > 0 && (at_eof || left == TEND_OUTPUT_LINE_MAX)) {
		emit(op, &b, start, left);
		op->split = !at_eof;
		left = 0;
	}
	flush(op, &b);
	memmove(op->buf, start, left);
	op->len = left;
}

enum { READ_END, READ_AGAIN, READ_DATA };

/* One read: READ_DATA, READ_AGAIN (nothing now), READ_END (EOF, error). */
static int
read_once(struct outpipe *op)
{
	ssize_t n;

	do
		n = read(op->fd, op->buf + op->len,
		    TEND_OUTPUT_LINE_MAX - op->len);
	while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN)
		return READ_AGAIN;
	if (n <= 0)
		return READ_END;
	op->len += (size_t)n;
	emit_lines(op, 0);
	return READ_DATA;
}

static void
read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct outpipe *op = container_of(w, struct outpipe, io);

	if (read_once(op) == READ_END)
		outpipe_close(loop, op);
}

int
output_child_fd(const struct output_cfg *cfg, int devnull,
    struct outpipe *op, int *childfd, char *err, size_t errlen)
{
	int p[2];

	*childfd = -1;
	switch (cfg->kind) {
	case OUT_NULL:
		*childfd = devnull;
		return 0;
	case OUT_PREFIX:
		if (pipe2(p, O_CLOEXEC) == -1) {
			snprintf(err, errlen, "pipe2: %s", strerror(errno));
			return -1;
		}
		if (fcntl(p[0], F_SETFL, O_NONBLOCK) == -1) {
			snprintf(err, errlen, "fcntl(O_NONBLOCK): %s",
			    strerror(errno));
			close(p[0]);
			close(p[1]);
			return -1;
		}
		op->fd = p[0];
		op->len = 0;
		op->split = 0;
		*childfd = p[1];
		return 0;
	default:
		return 0;
	}
}

void
outpipe_start(struct ev_loop *loop, struct outpipe *op)
{
	if (op->fd < 0)
		return;
	ev_io_init(&op->io, read_cb, op->fd, EV_READ);
	ev_io_start(loop, &op->io);
}

void
outpipe_close(struct ev_loop *loop, struct outpipe *op)
{
	if (op->fd < 0)
		return;
	/* What is already in the pipe, bounded: a writer still alive (a
	 * leftover of kill_mode = process) must not keep us here. */
	for (int i = 0; i < 16 && read_once(op) == READ_DATA; i++)
		;
	emit_lines(op, 1);
	ev_io_stop(loop, &op->io);
	close(op->fd);
	op->fd = -1;
}
