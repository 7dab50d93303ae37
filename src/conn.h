/*
 * conn.h: the control socket's insides, shared by control.c (listeners,
 * connections, their buffers and deadlines) and route.c (what each
 * request is answered). Nothing else includes it.
 */
#ifndef CONN_H
#define CONN_H

#include <sys/types.h>

#include "tend.h"
#include "http.h"
#include "util.h"

struct control;

struct listener {
	struct control	*ctl;		/* borrowed: the owner */
	int		 fd;		/* -1 when closed */
	int		 tcp;		/* http_listen: GET only */
	char		*path;		/* owned: the socket file we made */
	dev_t		 dev;		/* ... and its identity, so we only */
	ino_t		 ino;		/* ever remove our own */
	char		 name[128];	/* for messages */
	int		 paused;	/* out of fds: waiting on retry */
	ev_tstamp	 logged_at;	/* when that was last logged */
	struct conn	*conns;		/* owned list, newest first */
	unsigned	 nconns;	/* at most TEND_CONN_MAX */
	ev_io		 io;
	ev_timer	 retry;
};

struct conn {
	struct control	*ctl;		/* borrowed */
	struct listener	*l;		/* borrowed: it came from there */
	struct conn	*prev, *next;	/* in l's list */
	int		 fd;
	int		 can_post;	/* peer is root or tend's own user */
	char		*in;		/* owned, incap <= TEND_CONN_BUF_MAX */
	size_t		 inlen, incap;
	struct sbuf	 out;		/* the answer being written */
	size_t		 outoff;
	int		 closing;	/* close once out is written */
	int		 eof;		/* the peer sent all it will */
	int		 fresh;		/* has sent nothing yet */
	ev_tstamp	 idle_since;	/* accepted, or its last answer written */
	ev_io		 io;
	ev_timer	 timer;		/* TEND_CONN_IDLE_TIMEOUT while fresh,
					 * then TEND_CONN_TIMEOUT */
};

struct control {
	struct tend	*t;		/* borrowed */
	struct listener	 l[2];		/* unix, tcp */
};

/* Queues the answer to req (NULL: none could be parsed), with body
 * (NULL: empty) copied; extra is CRLF-terminated header lines or NULL. */
void conn_respond(struct conn *c, const struct http_request *req, int code,
    const char *ctype, const struct sbuf *body, const char *extra);

/* An answer with a one-line text body. */
void conn_text(struct conn *c, const struct http_request *req, int code,
    const char *extra, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Answers one whole request (route.c). */
void route_request(struct conn *c, const struct http_request *req);

#endif
