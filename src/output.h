/*
 * output.h: where an instance's stdout and stderr go: inherit, null,
 * file:PATH, or prefix (each line as "NAME:INDEX | line" on tend's own
 * stream, read from a pipe on the loop with a bounded buffer). The value
 * parser is pure; the pipe reader never blocks and drops what tend's
 * stream cannot take, counting it.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stddef.h>
#include <ev.h>

#include "sink.h"

enum output_kind {
	OUT_INHERIT, OUT_PREFIX, OUT_NULL, OUT_FILE,
	OUT_STDOUT,		/* stderr only: wherever stdout goes */
};

struct output_cfg {
	int		 kind;		/* enum output_kind */
	char		*path;		/* owned: OUT_FILE's */
};

/* Parses "inherit|prefix|null|file:PATH" (and "stdout" for stderr) into
 * out, freeing its old path. Returns 0, or -1 with err set. */
int output_parse(const char *s, int is_stderr, struct output_cfg *out,
    char *err, size_t errlen);
void output_cfg_free(struct output_cfg *out);

/* One prefixed stream of one instance. */
struct outpipe {
	int		 fd;		/* pipe's read end, -1 when closed */
	ev_io		 io;
	struct sink	*dest;		/* borrowed: tend's stdout or stderr */
	const char	*prefix;	/* borrowed: the instance's name */
	char		*buf;		/* owned: TEND_OUTPUT_LINE_MAX bytes */
	size_t		 len;		/* bytes of a line held in buf */
	int		 split;		/* the last piece was a full buf */
	unsigned long long *dropped;	/* borrowed: the instance's counter */
};

/* Sets op up (closed); 0 or -1 (ENOMEM). */
int outpipe_init(struct outpipe *op, struct sink *dest, const char *prefix,
    unsigned long long *dropped);
void outpipe_free(struct ev_loop *loop, struct outpipe *op);

/*
 * What the child gets for one stream of cfg: an fd to dup2 (stored in
 * *childfd, the parent closes it after the spawn), or -1 to inherit (and
 * for file:PATH, which the child opens itself, as its own user). For
 * prefix, opens a pipe whose read end op keeps. devnull is an O_RDWR fd.
 * Returns 0, or -1 with a message in err (naming the call and path).
 */
int output_child_fd(const struct output_cfg *cfg, int devnull,
    struct outpipe *op, int *childfd, char *err, size_t errlen);

/* Starts reading op's pipe on loop (after the spawn). */
void outpipe_start(struct ev_loop *loop, struct outpipe *op);
/* Reads what is there now, writes out a last partial line, closes. */
void outpipe_close(struct ev_loop *loop, struct outpipe *op);

#endif
