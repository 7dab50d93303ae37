/*
 * route.c: what each control request is answered. GET renders from
 * metrics.c and supervise.c; POST acts through program.c and
 * supervise.c. control.c does the I/O and owns the connections.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tend.h"
#include "conn.h"
#include "http.h"
#include "metrics.h"
#include "program.h"
#include "supervise.h"
#include "util.h"

/* "a=1&rolling=1": 1 when param (as "k=v") is one of the pairs. */
static int
query_has(const char *query, const char *param)
{
	size_t n = strlen(param);

	for (const char *q = query; *q != '\0'; ) {
		if (strncmp(q, param, n) == 0 && (q[n] == '&' || q[n] == '\0'))
			return 1;
		if ((q = strchr(q, '&')) == NULL)
			break;
		q++;
	}
	return 0;
}

/* ---- routes ---------------------------------------------------------- */

static void (*const view_render[VIEW_N])(struct tend *, struct sbuf *) = {
	metrics_prometheus, metrics_status_json, metrics_status_text,
};
static const char *const view_type[VIEW_N] = {
	"text/plain; version=0.0.4; charset=utf-8", "application/json",
	"text/plain; charset=utf-8",
};

void
route_views_drop(struct control *ctl)
{
	for (int v = 0; v < VIEW_N; v++)
		ctl->view[v] = NULL;
}

/* Over TEND_OUTPUT_MAX: 503, and the client may try again shortly. */
static void
too_much(struct conn *c, const struct http_request *req, size_t size)
{
	conn_text(c, req, 503, "Retry-After: 1\r\n", "%s: its %zu KiB would "
	    "take the answers queued for all connections over %d MiB; try "
	    "again shortly", req->path, size >> 10, TEND_OUTPUT_MAX >> 20);
}

/*
 * A GET view. While a rendering is still being written to some
 * connection and is younger than TEND_RENDER_INTERVAL, a new request
 * shares it: n concurrent scrapes (or n slow readers) cost one rendering
 * and one buffer, not n. Such an answer may be that much older than its
 * request; one asked for when no other is being written is always
 * fresh, so a client asking in turn never sees an old state. A rendering
 * that would take the memory of all the answers queued over
 * TEND_OUTPUT_MAX is refused before it is made, when the last one's
 * size says so, or after.
 */
static void
get_view(struct conn *c, const struct http_request *req, enum view v)
{
	struct control *ctl = c->ctl;
	ev_tstamp now = ev_now(ctl->t->loop);
	struct sbuf b = { 0 };
	struct body *body;

	if (ctl->view[v] != NULL && now - ctl->view_at[v] <
	    TEND_RENDER_INTERVAL) {
		conn_respond_body(c, req, 200, view_type[v], ctl->view[v],
		    NULL);
		return;
	}
	if (ctl->out_bytes + ctl->view_size[v] > TEND_OUTPUT_MAX) {
		too_much(c, req, ctl->view_size[v]);
		return;
	}
	view_render[v](ctl->t, &b);
	ctl->view_size[v] = b.cap;
	if (ctl->out_bytes + b.cap > TEND_OUTPUT_MAX) {
		sbuf_free(&b);
		too_much(c, req, ctl->view_size[v]);
		return;
	}
	if (b.failed || (body = body_new(ctl, &b)) == NULL) {
		sbuf_free(&b);
		conn_text(c, req, 500, NULL, "%s: out of memory", req->path);
		return;
	}
	body->view = (int)v;
	ctl->view[v] = body;
	ctl->view_at[v] = now;
	conn_respond_body(c, req, 200, view_type[v], body, NULL);
	body_put(body);		/* the connection's reference remains */
}

static void
get_route(struct conn *c, const struct http_request *req)
{
	struct sbuf b = { 0 };
	int code = 200;

	if (strcmp(req->path, "/metrics") == 0)
		get_view(c, req, VIEW_METRICS);
	else if (strcmp(req->path, "/status") == 0)
		get_view(c, req, query_has(req->query, "format=text") ?
		    VIEW_STATUS_TEXT : VIEW_STATUS);
	else {
		if (!supervise_health(c->ctl->t, &b))
			code = 503;
		conn_respond(c, req, code, "text/plain; charset=utf-8", &b,
		    NULL);
	}
}

/* Which instances "NAME" or "NAME:INDEX" means: [*first, *end). */
static int
find_target(struct conn *c, const struct http_request *req, char *target,
    struct program **pp, size_t *first, size_t *end)
{
	struct tend *t = c->ctl->t;
	char *colon = strrchr(target, ':');
	long idx = -1;

	if (colon != NULL) {
		*colon = '\0';
		if (long_parse(colon + 1, 0, TEND_NUMPROCS_MAX - 1, &idx, NULL,
		    0) == -1) {
			conn_text(c, req, 404, NULL, "no instance \"%s:%s\"",
			    target, colon + 1);
			return -1;
		}
	}
	if ((*pp = program_find(t, target)) == NULL) {
		conn_text(c, req, 404, NULL, "no program named \"%s\"",
		    target);
		return -1;
	}
	if (idx >= (long)(*pp)->ninst) {
		conn_text(c, req, 404, NULL, "%s has %zu instance%s "
		    "(%s:0 to %s:%zu)", target, (*pp)->ninst,
		    (*pp)->ninst == 1 ? "" : "s", target, target,
		    (*pp)->ninst - 1);
		return -1;
	}
	*first = idx >= 0 ? (size_t)idx : 0;
	*end = idx >= 0 ? (size_t)idx + 1 : (*pp)->ninst;
	return 0;
}

/* One action on instances [first, end) of p; names go to b. */
static void
act(struct program *p, size_t first, size_t end, const char *action,
    int sig, struct sbuf *b, size_t *hit)
{
	for (size_t i = first; i < end; i++) {
		struct instance *in = &p->inst[i];

		if (strcmp(action, "signal") == 0) {
			if (inst_signal(in, sig) == -1)
				continue;
		} else if (strcmp(action, "stop") == 0)
			inst_handle(in, IEV_STOP);
		else
			inst_handle(in, strcmp(action, "restart") == 0 ?
			    IEV_RESTART : IEV_START);
		sbuf_printf(b, "%s%s", *hit ? " " : "", in->name);
		(*hit)++;
	}
}

/* POST /programs/NAME/(start|stop|restart) or /programs/NAME/signal/SIG */
static void
program_route(struct conn *c, const struct http_request *req, char *rest)
{
	struct tend *t = c->ctl->t;
	char *action, *sigstr = NULL, err[UTIL_ERR_MAX];
	struct sbuf b = { 0 };
	struct program *p;
	size_t first, end, hit = 0;
	int sig = 0;

	action = strchr(rest, '/');
	*action++ = '\0';		/* the caller checked there is one */
	if (strncmp(action, "signal/", 7) == 0) {
		sigstr = action + 7;
		action[6] = '\0';
		if (sig_parse(sigstr, &sig, err, sizeof(err)) == -1) {
			conn_text(c, req, 400, NULL, "%s", err);
			return;
		}
	}
	if (find_target(c, req, rest, &p, &first, &end) == -1)
		return;
	if (t->state != TEND_RUNNING && (strcmp(action, "start") == 0 ||
	    strcmp(action, "restart") == 0)) {
		conn_text(c, req, 503, NULL, "shutting down: not starting "
		    "%s", rest);
		return;
	}
	if (strcmp(action, "restart") == 0 && end - first > 1 &&
	    query_has(req->query, "rolling=1")) {
		program_rolling_restart(p);
		conn_text(c, req, 202, NULL, "%s: rolling restart of %zu "
		    "instance%s", rest, p->ninst, p->ninst == 1 ? "" : "s");
		return;
	}
	act(p, first, end, action, sig, &b, &hit);
	if (hit == 0)
		sbuf_printf(&b, "no instance of %s has a process to signal",
		    rest);
	else if (sigstr != NULL)
		sbuf_printf(&b, ": %s sent", sig_name(sig));
	else
		sbuf_printf(&b, ": %s", strcmp(action, "stop") == 0 ?
		    "stopping" : strcmp(action, "start") == 0 ? "starting" :
		    "restarting");
	sbuf_add(&b, "\n", 1);
	conn_respond(c, req, hit == 0 ? 409 : 202,
	    "text/plain; charset=utf-8", &b,
	    NULL);
	sbuf_free(&b);
}

/* Which POST a path names: 1 if known (rest points at NAME/...). */
static int
post_path(const char *path, char **rest, char *buf, size_t len)
{
	static const char *actions[] = { "start", "stop", "restart", NULL };
	const char *slash;

	*rest = NULL;
	if (strcmp(path, "/reload") == 0 || strcmp(path, "/shutdown") == 0)
		return 1;
	if (strncmp(path, "/programs/", 10) != 0 ||
	    (size_t)snprintf(buf, len, "%s", path + 10) >= len ||
	    (slash = strchr(buf, '/')) == NULL || slash == buf)
		return 0;
	*rest = buf;
	if (strncmp(slash + 1, "signal/", 7) == 0)
		return slash[8] != '\0' && strchr(slash + 8, '/') == NULL;
	for (const char **a = actions; *a != NULL; a++)
		if (strcmp(slash + 1, *a) == 0)
			return 1;
	return 0;
}

/* An allowed POST: what follows changes tend, so the next GET of a view
 * renders afresh rather than show what was before. */
static void
post_route(struct conn *c, const struct http_request *req, char *rest)
{
	route_views_drop(c->ctl);
	if (rest != NULL)
		program_route(c, req, rest);
	else if (strcmp(req->path, "/shutdown") == 0) {
		conn_text(c, req, 202, NULL, "shutting down");
		supervise_shutdown(c->ctl->t, "POST /shutdown");
	} else
		conn_text(c, req, 501, NULL, "reload is not supported yet");
}

/*
 * What the method, path and peer alone decide: -1 when req is refused
 * (answered: 404, 405, 403); 1 for a GET endpoint; 0 for an allowed
 * POST, with *rest at NAME/... in buf (NULL for /reload, /shutdown).
 */
static int
route_check(struct conn *c, const struct http_request *req, char *buf,
    size_t len, char **rest)
{
	if (strcmp(req->path, "/metrics") == 0 ||
	    strcmp(req->path, "/status") == 0 ||
	    strcmp(req->path, "/health") == 0) {
		if (req->method == HTTP_GET || req->method == HTTP_HEAD)
			return 1;
		conn_text(c, req, 405, "Allow: GET, HEAD\r\n", "%s takes GET",
		    req->path);
	} else if (!post_path(req->path, rest, buf, len))
		conn_text(c, req, 404, NULL, "no such endpoint: %s",
		    req->path);
	else if (req->method != HTTP_POST)
		conn_text(c, req, 405, "Allow: POST\r\n", "%s takes POST",
		    req->path);
	else if (!c->can_post)
		conn_text(c, req, 403, NULL, "POST is only for root and "
		    "tend's own user, and never over TCP");
	else
		return 0;
	return -1;
}

void
route_request(struct conn *c, const struct http_request *req)
{
	char buf[TEND_HTTP_PATH_MAX], *rest;

	switch (route_check(c, req, buf, sizeof(buf), &rest)) {
	case 1:
		get_route(c, req);
		break;
	case 0:
		post_route(c, req, rest);
		break;
	}
}

int
route_refuse_early(struct conn *c, const struct http_request *req)
{
	struct http_request r = *req;
	char buf[TEND_HTTP_PATH_MAX], *rest;

	r.keep_alive = 0;	/* its body is never read */
	return route_check(c, &r, buf, sizeof(buf), &rest) == -1;
}

