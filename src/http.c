/*
 * http.c: a strict HTTP/1.1 request parser over a buffer, and the writer
 * of response heads. Pure: no I/O, no allocation, no globals. It reads
 * what curl and Prometheus send (keep-alive, pipelining, chunked bodies)
 * and refuses everything else with a status code and a reason.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* One parse: where to report an error. */
struct hp {
	const char	*buf;
	size_t		 len;
	struct http_request *req;
	int		*status;
	char		*err;
	size_t		 errlen;
};

/* Outcomes of the steps below, besides HTTP_DONE/MORE/ERROR. */
#define OK	(-1)

static int
fail(struct hp *p, int status, const char *why)
{
	*p->status = status;
	snprintf(p->err, p->errlen, "%s", why);
	return HTTP_ERROR;
}

/* RFC 9110 tchar. */
static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * The line at pos: *eol gets the index of its CR. Any line must end (CRLF
 * included) at or before limit, else 431; NUL, bare CR and bare LF are
 * 400.
 */
static int
next_line(struct hp *p, size_t pos, size_t limit, size_t *eol)
{
	for (size_t i = pos; ; i++) {
		if (i + 2 > limit)
			return fail(p, 431, "request head too large");
		if (i >= p->len)
			return HTTP_MORE;
		switch (p->buf[i]) {
		case '\0':
			return fail(p, 400, "NUL byte in the head");
		case '\n':
			return fail(p, 400, "line ends in LF without CR");
		case '\r':
			if (i + 1 == p->len)
				return HTTP_MORE;
			if (p->buf[i + 1] != '\n')
				return fail(p, 400, "CR without LF");
			*eol = i;
			return OK;
		}
	}
}

/* The target's path, percent-decoded, and its raw query. */
static int
parse_target(struct hp *p, const char *s, size_t n)
{
	struct http_request *r = p->req;
	size_t i, o = 0, q;
	int hi, lo;

	if (n == 0 || s[0] != '/')
		return fail(p, 400, "the target must start with '/'");
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] >= 0x7f ||
		    s[i] == '#')
			return fail(p, 400, "bad byte in the target");
	for (q = 0; q < n && s[q] != '?'; q++)
		;
	for (i = 0; i < q; i++) {
		char c = s[i];

		if (c == '%') {
			if (i + 2 >= q)
				return fail(p, 400, "bad %-escape");
			if ((hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0 ||
			    (hi | lo) == 0)
				return fail(p, 400, "bad %-escape");
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (o + 1 >= sizeof(r->path))
			return fail(p, 414, "path too long");
		r->path[o++] = c;
	}
	r->path[o] = '\0';
	if (q < n) {
		if (n - q - 1 >= sizeof(r->query))
			return fail(p, 414, "query too long");
		memcpy(r->query, s + q + 1, n - q - 1);
		r->query[n - q - 1] = '\0';
	}
	return OK;
}

/* METHOD SP TARGET SP HTTP/1.x */
static int
parse_request_line(struct hp *p, const char *s, size_t n)
{
	struct http_request *r = p->req;
	size_t m, t;
	int st;

	for (m = 0; m < n && is_tchar((unsigned char)s[m]); m++)
		;
	if (m == 0 || m == n || s[m] != ' ')
		return fail(p, 400, "bad request line");
	if (m >= sizeof(r->method_name))
		return fail(p, 400, "method too long");
	memcpy(r->method_name, s, m);
	r->method_name[m] = '\0';
	r->method = strcmp(r->method_name, "GET") == 0 ? HTTP_GET :
	    strcmp(r->method_name, "HEAD") == 0 ? HTTP_HEAD :
	    strcmp(r->method_name, "POST") == 0 ? HTTP_POST : HTTP_OTHER;
	for (t = m + 1; t < n && s[t] != ' '; t++)
		;
	if (t == n || n - t - 1 != 8 || strncmp(s + t + 1, "HTTP/", 5) != 0 ||
	    s[t + 7] != '.' || hexval((unsigned char)s[t + 6]) < 0 ||
	    s[t + 6] > '9' || s[t + 8] < '0' || s[t + 8] > '9')
		return fail(p, 400, "bad request line");
	if (s[t + 6] != '1' || (s[t + 8] != '0' && s[t + 8] != '1'))
		return fail(p, 505, "only HTTP/1.0 and HTTP/1.1");
	r->minor = s[t + 8] - '0';
	if ((st = parse_target(p, s + m + 1, t - m - 1)) != OK)
		return st;
	return OK;
}

/* What the headers said, before it is checked as a whole. */
struct heads {
	int	 hosts;
	int	 conn_close, conn_keep;
	int	 cl_seen, te_seen;
	size_t	 cl;		/* saturates above TEND_HTTP_BODY_MAX */
};

static int
value_is(const char *v, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(v, word, n) == 0;
}

/* Connection: a comma-separated list of tokens. */
static void
parse_connection(struct heads *h, const char *v, size_t n)
{
	size_t i = 0, a, b;

	while (i < n) {
		a = i;
		while (i < n && v[i] != ',')
			i++;
		b = i++;
		while (a < b && (v[a] == ' ' || v[a] == '\t'))
			a++;
		while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
			b--;
		if (value_is(v + a, b - a, "close"))
			h->conn_close = 1;
		else if (value_is(v + a, b - a, "keep-alive"))
			h->conn_keep = 1;
	}
}

static int
parse_length(struct hp *p, struct heads *h, const char *v, size_t n)
{
	size_t cl = 0;

	if (n == 0)
		return fail(p, 400, "bad Content-Length");
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return fail(p, 400, "bad Content-Length");
		if (cl <= TEND_HTTP_BODY_MAX)
			cl = cl * 10 + (size_t)(v[i] - '0');
	}
	if (h->cl_seen && h->cl != cl)
		return fail(p, 400, "conflicting Content-Length");
	h->cl_seen = 1;
	h->cl = cl;
	return OK;
}

/* NAME ":" OWS VALUE OWS, for headers and trailers alike. */
static int
split_header(struct hp *p, const char *s, size_t n, size_t *nl,
    const char **v, size_t *vl)
{
	size_t i, a;

	for (i = 0; i < n && is_tchar((unsigned char)s[i]); i++)
		;
	if (i == 0 || i == n || s[i] != ':')
		return fail(p, 400, s[0] == ' ' || s[0] == '\t' ?
		    "folded header line" : "bad header line");
	*nl = i;
	for (a = i + 1; a < n && (s[a] == ' ' || s[a] == '\t'); a++)
		;
	while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (size_t k = a; k < n; k++)
		if ((unsigned char)s[k] < 0x20 && s[k] != '\t')
			return fail(p, 400, "control byte in a header");
	*v = s + a;
	*vl = n - a;
	return OK;
}

static int
parse_header(struct hp *p, struct heads *h, const char *s, size_t n)
{
	const char *v;
	size_t nl, vl;
	int st;

	if ((st = split_header(p, s, n, &nl, &v, &vl)) != OK)
		return st;
	if (nl == 4 && strncasecmp(s, "host", 4) == 0)
		h->hosts++;
	else if (nl == 10 && strncasecmp(s, "connection", 10) == 0)
		parse_connection(h, v, vl);
	else if (nl == 6 && strncasecmp(s, "expect", 6) == 0)
		p->req->expect_continue = value_is(v, vl, "100-continue");
	else if (nl == 14 && strncasecmp(s, "content-length", 14) == 0)
		return parse_length(p, h, v, vl);
	else if (nl == 17 && strncasecmp(s, "transfer-encoding", 17) == 0) {
		if (h->te_seen || !value_is(v, vl, "chunked"))
			return fail(p, 400, "only Transfer-Encoding: chunked");
		h->te_seen = 1;
	}
	return OK;
}

/* The head as a whole: Host, framing, keep-alive. */
static int
check_heads(struct hp *p, const struct heads *h)
{
	struct http_request *r = p->req;

	if (r->minor == 1 && h->hosts == 0)
		return fail(p, 400, "no Host header");
	if (h->hosts > 1)
		return fail(p, 400, "more than one Host header");
	if (h->cl_seen && h->te_seen)
		return fail(p, 400, "both Content-Length and "
		    "Transfer-Encoding");
	if (h->cl > TEND_HTTP_BODY_MAX)
		return fail(p, 413, "body too large");
	r->chunked = h->te_seen;
	r->content_length = h->cl;
	r->keep_alive = r->minor == 1 ? !h->conn_close : h->conn_keep &&
	    !h->conn_close;
	return OK;
}

/* Trailer lines after the last chunk, up to the blank line. */
static int
parse_trailers(struct hp *p, size_t pos)
{
	size_t limit = pos + TEND_HTTP_HEAD_MAX, eol, nl, vl;
	const char *v;
	int st;

	for (;;) {
		if ((st = next_line(p, pos, limit, &eol)) != OK)
			return st;
		if (eol == pos) {
			p->req->total_len = pos + 2;
			return HTTP_DONE;
		}
		if ((st = split_header(p, p->buf + pos, eol - pos, &nl, &v,
		    &vl)) != OK)
			return st;
		pos = eol + 2;
	}
}

/* One chunk-size line: 1*HEXDIG [ ";" extensions ]. */
static int
parse_chunk_size(struct hp *p, size_t pos, size_t eol, size_t *size)
{
	size_t i = pos, sz = 0;
	int d;

	while (i < eol && (d = hexval((unsigned char)p->buf[i])) >= 0) {
		if (sz <= TEND_HTTP_BODY_MAX)
			sz = sz * 16 + (size_t)d;
		i++;
	}
	if (i == pos || (i < eol && p->buf[i] != ';'))
		return fail(p, 400, "bad chunk size");
	*size = sz;
	return OK;
}

static int
parse_chunked(struct hp *p)
{
	size_t pos = p->req->head_len, eol, size, end, total = 0;
	int st;

	for (;;) {
		if ((st = next_line(p, pos, pos + TEND_HTTP_HEAD_MAX,
		    &eol)) != OK)
			return st == HTTP_ERROR && *p->status == 431 ?
			    fail(p, 400, "chunk size line too long") : st;
		if ((st = parse_chunk_size(p, pos, eol, &size)) != OK)
			return st;
		if (size == 0)
			break;
		if (size > TEND_HTTP_BODY_MAX - total)
			return fail(p, 413, "body too large");
		total += size;
		end = eol + 2 + size;
		if (end < p->len && p->buf[end] != '\r')
			return fail(p, 400, "chunk without CRLF after it");
		if (end + 1 < p->len && p->buf[end + 1] != '\n')
			return fail(p, 400, "chunk without CRLF after it");
		if (end + 2 > p->len)
			return HTTP_MORE;
		pos = end + 2;
	}
	p->req->content_length = total;
	return parse_trailers(p, eol + 2);
}

enum http_result
http_parse_request(const char *buf, size_t len, struct http_request *req,
    int *status, char *err, size_t errlen)
{
	struct hp p = { buf, len, req, status, err, errlen };
	struct heads h = { 0 };
	size_t pos = 0, eol;
	int st, first = 1;

	memset(req, 0, sizeof(*req));
	*status = 0;
	if (errlen > 0)
		err[0] = '\0';
	/* Empty lines before a request are allowed (RFC 9112 2.2). */
	while (pos + 1 < len && buf[pos] == '\r' && buf[pos + 1] == '\n' &&
	    pos + 2 < TEND_HTTP_HEAD_MAX)
		pos += 2;
	for (;;) {
		if ((st = next_line(&p, pos, TEND_HTTP_HEAD_MAX, &eol)) != OK)
			return (enum http_result)st;
		if (!first && eol == pos)
			break;
		if (first)
			st = parse_request_line(&p, buf + pos, eol - pos);
		else
			st = parse_header(&p, &h, buf + pos, eol - pos);
		if (st != OK)
			return (enum http_result)st;
		first = 0;
		pos = eol + 2;
	}
	req->head_len = eol + 2;
	if ((st = check_heads(&p, &h)) != OK)
		return (enum http_result)st;
	if (req->chunked)
		return (enum http_result)parse_chunked(&p);
	req->total_len = req->head_len + req->content_length;
	return len >= req->total_len ? HTTP_DONE : HTTP_MORE;
}

const char *
http_reason(int code)
{
	static const struct { int code; const char *text; } reasons[] = {
		{ 100, "Continue" }, { 200, "OK" }, { 202, "Accepted" },
		{ 400, "Bad Request" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 408, "Request Timeout" }, { 409, "Conflict" },
		{ 413, "Content Too Large" }, { 414, "URI Too Long" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 503, "Service Unavailable" },
		{ 505, "HTTP Version Not Supported" },
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			return reasons[i].text;
	return "Unknown";
}

int
http_format_head(char *buf, size_t len, int code, const char *content_type,
    size_t body_len, int keep_alive, const char *extra)
{
	int n;

	n = snprintf(buf, len, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: %s\r\n%s\r\n", code,
	    http_reason(code), content_type, body_len,
	    keep_alive ? "keep-alive" : "close", extra != NULL ? extra : "");
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}
