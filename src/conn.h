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

/* The GET answers rendered at most once per TEND_RENDER_INTERVAL. */
enum view { VIEW_METRICS, VIEW_STATUS, VIEW_STATUS_TEXT, VIEW_N };

/* A rendered answer body, shared by the connections writing it. Freed by
 * the last body_put, which also forgets it as its view's rendering. */
struct body {
	struct control	*ctl;		/* borrowed: counts its memory */
	unsigned	 refs;
	int		 view;		/* the enum view it renders, or -1 */
	struct sbuf	 sb;		/* owned */
};

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
	size_t		 need;		/* the request is whole at this inlen
					 * (Content-Length known), or 0 */
	int		 headed;	/* its head was seen: 100 Continue or
					 * an early refusal is done with */
	char		 head[TEND_HTTP_RESP_HEAD_MAX]; /* of the answer */
	size_t		 headlen;
	struct body	*body;		/* shared: the answer's, or NULL */
	size_t		 bodylen;	/* of it to send: 0 for HEAD */
	size_t		 off;		/* of head and body, written */
	int		 closing;	/* close once the answer is written */
	int		 eof;		/* the peer sent all it will */
	int		 fresh;		/* has sent nothing yet */
	ev_tstamp	 idle_since;	/* accepted, or last answer written */
	ev_io		 io;
	ev_timer	 timer;		/* TEND_CONN_IDLE_TIMEOUT while fresh,
					 * then TEND_CONN_TIMEOUT */
};

struct control {
	struct tend	*t;		/* borrowed */
	struct listener	 l[2];		/* unix, tcp */
	size_t		 out_bytes;	/* memory of every live body: at most
					 * TEND_OUTPUT_MAX, but for one */
	struct body	*view[VIEW_N];	/* borrowed from the connections still
					 * writing it: the last rendering */
	ev_tstamp	 view_at[VIEW_N]; /* ... made then */
	size_t		 view_size[VIEW_N]; /* its size, kept once it is gone */
};

/* A body holding sb's buffer (sb is left empty), one reference held by
 * the caller; NULL on ENOMEM (sb freed). */
struct body *body_new(struct control *ctl, struct sbuf *sb);
/* Drops a reference (b may be NULL); the last one frees b. */
void body_put(struct body *b);

/* Queues the answer to req (NULL: none could be parsed) with body (NULL:
 * empty), on which it takes a reference; extra is CRLF-terminated header
 * lines or NULL. */
void conn_respond_body(struct conn *c, const struct http_request *req,
    int code, const char *ctype, struct body *body, const char *extra);

/* The same with the text in sb, whose buffer it takes (sb is left
 * empty); a failed sb is a 500. */
void conn_respond(struct conn *c, const struct http_request *req, int code,
    const char *ctype, struct sbuf *sb, const char *extra);

/* An answer with a one-line text body. */
void conn_text(struct conn *c, const struct http_request *req, int code,
    const char *extra, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Answers one whole request (route.c). */
void route_request(struct conn *c, const struct http_request *req);

/* For a head whose body is yet to come: 1 if it is refused whatever the
 * body (answered at once, and the connection closes), else 0. */
int route_refuse_early(struct conn *c, const struct http_request *req);

/* Forgets every view's rendering (route.c): a change tend was asked
 * for makes the next GET render afresh. */
void route_views_drop(struct control *ctl);

#endif
