/*
 * control.c: the control socket's listeners and connections. Every fd is
 * nonblocking; a connection holds one bounded input buffer and its
 * pending answer, and must send a whole request within TEND_CONN_TIMEOUT.
 * Requests are parsed by http.c and answered by route.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "tend.h"
#include "control.h"
#include "conn.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

static int conn_flush(struct conn *c);

/* An answer (or part of one) is still to be written. */
static int
conn_pending(const struct conn *c)
{
	return c->off < c->headlen + c->bodylen;
}
static void conn_watch(struct conn *c, int events);

/* ---- connections ----------------------------------------------------- */

static void
conn_free(struct conn *c)
{
	struct control *ctl = c->ctl;
	struct ev_loop *loop = ctl->t->loop;

	ev_io_stop(loop, &c->io);
	ev_timer_stop(loop, &c->timer);
	close(c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->l->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->l->nconns--;
	free(c->in);
	body_put(c->body);
	free(c);
}

struct body *
body_new(struct control *ctl, struct sbuf *sb)
{
	struct body *b;

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		sbuf_free(sb);
		return NULL;
	}
	b->ctl = ctl;
	b->refs = 1;
	b->view = -1;
	b->sb = *sb;
	memset(sb, 0, sizeof(*sb));
	ctl->out_bytes += b->sb.cap;
	return b;
}

void
body_put(struct body *b)
{
	if (b == NULL || --b->refs > 0)
		return;
	if (b->view >= 0 && b->ctl->view[b->view] == b)
		b->ctl->view[b->view] = NULL;
	b->ctl->out_bytes -= b->sb.cap;
	sbuf_free(&b->sb);
	free(b);
}

/* Queues an answer. Errors and a client's "close" end the connection
 * once it is written; so does the last answer before tend exits. */
void
conn_respond_body(struct conn *c, const struct http_request *req, int code,
    const char *ctype, struct body *body, const char *extra)
{
	size_t blen = body != NULL ? body->sb.len : 0;
	int keep = req != NULL && req->keep_alive && code != 400 &&
	    code != 408 && code != 413 && code != 431;
	int n;

	n = http_format_head(c->head, sizeof(c->head), code, ctype, blen,
	    keep, extra);
	if (n < 0) {		/* our own headers do not fit: a bug */
		c->closing = 1;
		return;
	}
	c->headlen = (size_t)n;
	c->off = 0;
	if (blen > 0 && (req == NULL || req->method != HTTP_HEAD)) {
		c->body = body;
		c->bodylen = blen;
		body->refs++;
	}
	if (!keep)
		c->closing = 1;
	metrics_count_request(c->ctl->t, code);
	log_debug("control: %s %s: %d", req != NULL ? req->method_name : "-",
	    req != NULL ? req->path : "-", code);
}

void
conn_respond(struct conn *c, const struct http_request *req, int code,
    const char *ctype, struct sbuf *sb, const char *extra)
{
	struct body *body = NULL;
	int failed = sb->failed;

	if (!failed && sb->len > 0) {
		if ((body = body_new(c->ctl, sb)) == NULL) {
			log_warn("control: an answer");
			failed = 1;
		}
	} else
		sbuf_free(sb);
	if (failed) {
		code = 500;
		ctype = NULL;
	}
	conn_respond_body(c, req, code, ctype, body, extra);
	body_put(body);
}

void
conn_text(struct conn *c, const struct http_request *req, int code,
    const char *extra, const char *fmt, ...)
{
	struct sbuf b = { 0 };
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sbuf_printf(&b, "%s\n", line);
	conn_respond(c, req, code, "text/plain; charset=utf-8", &b, extra);
	sbuf_free(&b);
}

/* ---- reading and writing --------------------------------------------- */

/*
 * The head of req is whole, its body still to come. A Content-Length
 * says when it is whole, so nothing is parsed again before then. A
 * client that asked (Expect: 100-continue) and sent no body yet gets a
 * final answer at once if the head alone refuses it (and the
 * connection closes: the body is never read), else 100 Continue. 1 when
 * something was queued, 0 to wait for the body.
 */
static int
conn_headed(struct conn *c, const struct http_request *req)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

	c->headed = 1;
	if (!req->chunked)
		c->need = req->head_len + req->content_length;
	if (!req->expect_continue || c->inlen > req->head_len)
		return 0;
	if (route_refuse_early(c, req))
		return 1;
	memcpy(c->head, cont, sizeof(cont) - 1);
	c->headlen = sizeof(cont) - 1;
	c->off = 0;
	return 1;
}

/* One request from the buffer: 1 when it was answered (or refused),
 * 0 when its bytes are not all there yet. */
static int
conn_parse(struct conn *c)
{
	struct http_request req;
	char err[UTIL_ERR_MAX];
	int status;

	if (c->need > c->inlen)
		return 0;	/* the head was parsed: only body to come */
	switch (http_parse_request(c->in, c->inlen, &req, &status, err,
	    sizeof(err))) {
	case HTTP_MORE:
		if (req.head_len > 0 && !c->headed)
			return conn_headed(c, &req);
		if (c->inlen < TEND_CONN_BUF_MAX)
			return 0;
		conn_text(c, NULL, 413, NULL, "request too large");
		break;
	case HTTP_ERROR:
		log_debug("control: bad request: %d %s", status, err);
		conn_text(c, NULL, status, NULL, "%s", err);
		break;
	case HTTP_DONE:
		c->need = 0;
		c->headed = 0;
		route_request(c, &req);
		memmove(c->in, c->in + req.total_len, c->inlen - req.total_len);
		c->inlen -= req.total_len;
		/* The next request gets its own TEND_CONN_TIMEOUT. */
		ev_timer_again(c->ctl->t->loop, &c->timer);
		break;
	}
	return 1;
}

/*
 * Answers every whole request in the buffer, one at a time: the next is
 * parsed only once the last answer is written. After the peer's EOF
 * (a half-close: it may still read), what was sent whole is answered,
 * then the connection closes; a partial request can never complete.
 */
static void
conn_process(struct conn *c)
{
	while (!conn_pending(c) && !c->closing && c->inlen > 0) {
		if (conn_parse(c) == 0)
			break;
		if (conn_flush(c) == -1)
			return;
	}
	if (c->eof && !conn_pending(c))
		conn_free(c);
}

/* The first bytes of a connection: from the short deadline of one that
 * has sent nothing to TEND_CONN_TIMEOUT for the whole request. */
static void
conn_started(struct conn *c)
{
	if (!c->fresh)
		return;
	c->fresh = 0;
	c->timer.repeat = TEND_CONN_TIMEOUT;
	ev_timer_again(c->ctl->t->loop, &c->timer);
}

/* Reads what there is; 0, or -1 when the connection is gone (freed).
 * EOF only stops the reading: what came before it is still answered. */
static int
conn_read(struct conn *c)
{
	size_t cap;
	ssize_t n;
	char *p;

	for (;;) {
		if (c->inlen == c->incap) {
			if (c->incap == TEND_CONN_BUF_MAX)
				return 0;	/* conn_process answers 413 */
			cap = c->incap ? c->incap * 2 : 4096;
			if (cap > TEND_CONN_BUF_MAX)
				cap = TEND_CONN_BUF_MAX;
			if ((p = realloc(c->in, cap)) == NULL) {
				log_warn("control: reading a request");
				conn_free(c);
				return -1;
			}
			c->in = p;
			c->incap = cap;
		}
		n = read(c->fd, c->in + c->inlen, c->incap - c->inlen);
		if (n > 0) {
			c->inlen += (size_t)n;
			conn_started(c);
			continue;
		}
		if (n == 0) {
			c->eof = 1;
			conn_watch(c, 0);
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno != ECONNRESET)
			log_warn("control: read");
		conn_free(c);		/* the peer cannot read an answer */
		return -1;
	}
}

/* Watches c for events (0: for nothing). */
static void
conn_watch(struct conn *c, int events)
{
	struct ev_loop *loop = c->ctl->t->loop;

	if (ev_is_active(&c->io) && c->io.events == events)
		return;
	ev_io_stop(loop, &c->io);
	if (events == 0)
		return;
	ev_io_set(&c->io, c->fd, events);
	ev_io_start(loop, &c->io);
}

/* The answer's unwritten part as at most two pieces: head, body. */
static int
conn_iov(const struct conn *c, struct iovec *iov)
{
	size_t boff = c->off > c->headlen ? c->off - c->headlen : 0;
	int n = 0;

	if (c->off < c->headlen) {
		iov[n].iov_base = (char *)c->head + c->off;
		iov[n++].iov_len = c->headlen - c->off;
	}
	if (boff < c->bodylen) {
		iov[n].iov_base = c->body->sb.buf + boff;
		iov[n++].iov_len = c->bodylen - boff;
	}
	return n;
}

/* Writes what is queued: 0, or -1 when c is done with and freed. While
 * an answer is pending, c is not read: a client that sends without
 * reading fills its own socket buffer, not tend's memory. A body is
 * shared, not copied, so a slow reader holds a reference, not bytes. */
static int
conn_flush(struct conn *c)
{
	struct iovec iov[2];
	struct msghdr m;
	ssize_t n;

	while (conn_pending(c)) {
		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = (size_t)conn_iov(c, iov);
		n = sendmsg(c->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->off += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			conn_watch(c, EV_WRITE);
			return 0;
		}
		if (errno != EPIPE && errno != ECONNRESET)
			log_warn("control: sendmsg");
		conn_free(c);
		return -1;
	}
	if (c->closing) {
		conn_free(c);
		return -1;
	}
	body_put(c->body);
	c->body = NULL;
	c->headlen = c->bodylen = c->off = 0;
	c->idle_since = ev_now(c->ctl->t->loop);
	conn_watch(c, c->eof ? 0 : EV_READ);
	return 0;
}

static void
conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = container_of(w, struct conn, io);

	if (revents & EV_WRITE) {
		if (conn_flush(c) == 0)
			conn_process(c);	/* pipelined requests */
		return;
	}
	if (conn_read(c) == 0)
		conn_process(c);
}

/* Nothing within TEND_CONN_IDLE_TIMEOUT of connecting, nothing whole
 * within TEND_CONN_TIMEOUT, or an answer nobody reads. */
static void
conn_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct conn *c = container_of(w, struct conn, timer);

	if (conn_pending(c) || c->inlen == 0) {
		conn_free(c);		/* idle, or not reading its answer */
		return;
	}
	conn_text(c, NULL, 408, NULL, "no whole request within %gs",
	    TEND_CONN_TIMEOUT);
	(void)conn_flush(c);
}

/* ---- listeners ------------------------------------------------------- */

/* A connection accepted from l, read at once: a peer that sent its
 * request already is then no longer idle (see evict_idle). */
static void
conn_new(struct listener *l, int fd)
{
	struct ev_loop *loop = l->ctl->t->loop;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("control: accepting a connection");
		close(fd);
		return;
	}
	c->ctl = l->ctl;
	c->l = l;
	c->fd = fd;
	c->fresh = 1;
	c->idle_since = ev_now(loop);
	/* Over TCP anyone may read; a Unix peer's uid decides POST. */
	if (!l->tcp && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred,
	    &len) == 0)
		c->can_post = cred.uid == 0 || cred.uid == geteuid();
	if ((c->next = l->conns) != NULL)
		c->next->prev = c;
	l->conns = c;
	l->nconns++;
	ev_io_init(&c->io, conn_cb, fd, EV_READ);
	ev_io_start(loop, &c->io);
	ev_init(&c->timer, conn_timeout_cb);
	c->timer.repeat = TEND_CONN_IDLE_TIMEOUT;
	ev_timer_again(loop, &c->timer);
	if (conn_read(c) == 0)
		conn_process(c);
}

/* "503 too many connections" to fd, best effort; counted. */
static void
busy(struct control *ctl, int fd)
{
	char buf[256];
	int n;

	n = http_format_head(buf, sizeof(buf), 503,
	    "text/plain; charset=utf-8", 21, 0, NULL);
	if (n > 0 && (size_t)n + 21 < sizeof(buf)) {
		memcpy(buf + n, "too many connections\n", 21);
		(void)send(fd, buf, (size_t)n + 21, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	metrics_count_request(ctl->t, 503);
}

/*
 * l is full: makes room by closing its connection idle the longest (no
 * byte of a request read, no answer pending) with a 503. 0, or -1
 * when every one is busy. Each listener has its own TEND_CONN_MAX, so
 * TCP clients never take the Unix socket's places, and a full listener
 * still serves a newcomer rather than whoever holds connections open.
 */
static int
evict_idle(struct listener *l)
{
	struct conn *victim = NULL;

	for (struct conn *c = l->conns; c != NULL; c = c->next)
		if (c->inlen == 0 && !conn_pending(c) && !c->closing &&
		    !c->eof && (victim == NULL ||
		    c->idle_since < victim->idle_since))
			victim = c;
	if (victim == NULL)
		return -1;
	busy(l->ctl, victim->fd);
	conn_free(victim);
	return 0;
}

/* Out of fds (EMFILE, ENFILE, ENOBUFS, ENOMEM): the backlog keeps the
 * connections; accept again after TEND_ACCEPT_RETRY. */
static void
accept_pause(struct ev_loop *loop, struct listener *l)
{
	/* At most one line per TEND_ACCEPT_LOG_EVERY: a shortage that
	 * lasts is one fact, not a flood. */
	if (!l->paused && (l->logged_at == 0 ||
	    ev_now(loop) - l->logged_at >= TEND_ACCEPT_LOG_EVERY)) {
		log_warn("control: accept4(%s): pausing accepts", l->name);
		l->logged_at = ev_now(loop);
	}
	l->paused = 1;
	ev_io_stop(loop, &l->io);
	ev_timer_set(&l->retry, TEND_ACCEPT_RETRY, 0.);
	ev_timer_start(loop, &l->retry);
}

static void
accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct listener *l = container_of(w, struct listener, io);
	int fd;

	/* Bounded, so a connection storm cannot hold the loop. */
	for (int i = 0; i < TEND_CONN_MAX; i++) {
		fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				accept_pause(loop, l);
			return;
		}
		l->paused = 0;
		if (l->nconns < TEND_CONN_MAX || evict_idle(l) == 0) {
			conn_new(l, fd);
			continue;
		}
		busy(l->ctl, fd);
		close(fd);
	}
}

static void
retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct listener *l = container_of(w, struct listener, retry);

	ev_io_start(loop, &l->io);
}

/*
 * A socket file at path: none or stale (nobody accepts: ECONNREFUSED) is
 * fine, and a stale one is removed; a live one or another kind of file is
 * an error.
 */
static int
clear_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		log_error("control socket: lstat(%s)", path);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_errorx("control socket: %s exists and is not a socket",
		    path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_error("control socket: socket");
		return -1;
	}
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (r == 0 || errno == EAGAIN) {
		log_errorx("control socket: %s is in use: another tend is "
		    "running there (stop it, or give this one -s PATH)", path);
		return -1;
	}
	if (errno != ECONNREFUSED) {
		log_error("control socket: connect(%s)", path);
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		log_error("control socket: unlink(%s) (a stale socket)", path);
		return -1;
	}
	log_info("control socket: replaced the stale %s", path);
	return 0;
}

/*
 * The socket file is made by bind under a umask that leaves exactly mode,
 * so no chmod follows: a chmod (or stat) by path after bind would act on
 * whatever a user who can write the directory has put there meanwhile,
 * a symlink to any file included. fstat of the socket describes the
 * socket, not the file, so the file's identity comes from lstat, which
 * never follows a symlink; it is only used to recognise our own file
 * before removing it at exit.
 */
static int
bind_unix(struct listener *l, const struct sockaddr_un *sun, unsigned mode)
{
	const char *path = sun->sun_path;
	struct stat st;
	mode_t old;
	int r;

	old = umask(~(mode_t)mode & 0777);
	r = bind(l->fd, (const struct sockaddr *)sun, sizeof(*sun));
	umask(old);
	if (r == -1) {
		log_error("control socket: bind(%s)", path);
		return -1;
	}
	if (lstat(path, &st) == -1) {
		log_error("control socket: lstat(%s)", path);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_errorx("control socket: %s was replaced right after bind "
		    "(now not a socket): refusing it", path);
		return -1;
	}
	/* A default ACL on the directory beats the umask: say so. */
	if ((st.st_mode & 07777) != (mode_t)mode)
		log_warnx("control socket: %s has mode %04o, not socket_mode "
		    "%04o (a default ACL on its directory?)", path,
		    (unsigned)(st.st_mode & 07777), mode);
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	return 0;
}

static int
listen_unix(struct listener *l, const char *path, unsigned mode)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_errorx("control socket: %s: path too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	snprintf(l->name, sizeof(l->name), "%s", path);
	if (clear_stale(path, &sun) == -1)
		return -1;
	if ((l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_error("control socket: socket");
		return -1;
	}
	if ((l->path = strdup(path)) == NULL) {
		log_error("control socket: %s", path);
		return -1;
	}
	if (bind_unix(l, &sun, mode) == -1)
		return -1;
	if (listen(l->fd, SOMAXCONN) == -1) {
		log_error("control socket: listen(%s)", path);
		return -1;
	}
	return 0;
}

static int
listen_tcp(struct listener *l, const char *hostport)
{
	struct sockaddr_storage ss;
	char err[UTIL_ERR_MAX];
	socklen_t len;
	int one = 1;

	snprintf(l->name, sizeof(l->name), "%s", hostport);
	l->tcp = 1;
	if (hostport_parse(hostport, &ss, &len, err, sizeof(err)) == -1) {
		log_errorx("http_listen: %s", err);
		return -1;
	}
	if ((l->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 ||
	    bind(l->fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(l->fd, SOMAXCONN) == -1) {
		log_error("http_listen: %s", hostport);
		return -1;
	}
	return 0;
}

static void
listener_close(struct ev_loop *loop, struct listener *l)
{
	struct stat st;

	ev_io_stop(loop, &l->io);
	ev_timer_stop(loop, &l->retry);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	/* Only the file we made: another tend may have replaced it, and a
	 * symlink there is never followed (lstat; unlink removes a link,
	 * not its target). */
	if (l->path != NULL && l->ino != 0 && lstat(l->path, &st) == 0 &&
	    S_ISSOCK(st.st_mode) && st.st_dev == l->dev &&
	    st.st_ino == l->ino && unlink(l->path) == -1)
		log_warn("control socket: unlink(%s)", l->path);
	free(l->path);
	l->path = NULL;
}

int
control_open(struct tend *t, const char *path, unsigned mode,
    const char *http_listen)
{
	struct control *ctl;
	int r = 0;

	if ((ctl = calloc(1, sizeof(*ctl))) == NULL) {
		log_error("control socket");
		return -1;
	}
	ctl->t = t;
	t->control = ctl;
	for (int i = 0; i < 2; i++) {
		ctl->l[i].ctl = ctl;
		ctl->l[i].fd = -1;
		ev_init(&ctl->l[i].io, accept_cb);
		ev_init(&ctl->l[i].retry, retry_cb);
	}
	if (path != NULL)
		r = listen_unix(&ctl->l[0], path, mode);
	if (r == 0 && http_listen != NULL)
		r = listen_tcp(&ctl->l[1], http_listen);
	if (r == -1) {
		control_close(t);
		return -1;
	}
	for (int i = 0; i < 2; i++)
		if (ctl->l[i].fd >= 0) {
			ev_io_set(&ctl->l[i].io, ctl->l[i].fd, EV_READ);
			ev_io_start(t->loop, &ctl->l[i].io);
			log_info("control: listening on %s%s", ctl->l[i].name,
			    ctl->l[i].tcp ? " (GET only)" : "");
		}
	return 0;
}

void
control_close(struct tend *t)
{
	struct control *ctl = t->control;

	if (ctl == NULL)
		return;
	for (int i = 0; i < 2; i++)
		while (ctl->l[i].conns != NULL)
			conn_free(ctl->l[i].conns);
	for (int i = 0; i < 2; i++)
		listener_close(t->loop, &ctl->l[i]);
	free(ctl);
	t->control = NULL;
}
