/*
 * http.c: the HTTP/1.1 request parser and the response head writer. Pure:
 * no I/O, no allocation, no globals. Each call parses from buf[0] again and
 * checks even the line the bytes stop in, so a request that no further
 * bytes could make valid is refused at once. control.c owns the buffer,
 * the deadlines and the answers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "http.h"

/* One parse: the input, where errors go, and what the headers said. */
struct hp {
	const char	*buf;
	size_t		 len;
	struct http_request *req;	/* borrowed from the caller */
	int		*status;
	char		*err;
	size_t		 errlen;
	size_t		 meta;		/* head, chunk lines, trailers */
	int		 hosts;
	int		 cl_seen, te_seen;
	int		 conn_close, conn_keep, expect;
	size_t		 cl;		/* <= TEND_HTTP_BODY_MAX */
};

/*
 * A line from pos to eol (its CR, or where the bytes stop). LINE_CUT: no
 * CR yet; LINE_CR: the CR is the last byte there is; LINE_WHOLE: CRLF,
 * and the next line starts at next.
 */
enum line_state { LINE_CUT, LINE_CR, LINE_WHOLE };
struct line {
	size_t		 pos, eol, next;
	enum line_state	 state;
};

static int __attribute__((format(printf, 3, 4)))
fail(struct hp *p, int status, const char *fmt, ...)
{
	va_list ap;

	*p->status = status;
	if (p->err != NULL && p->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* RFC 9110 tchar. */
static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Bytes a field value may not hold: controls other than HT, and DEL. */
static int
is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* s[0..n) equals lit (lowercase), ASCII case-insensitively; or, when
 * prefix is set, is the start of it. Not strncasecmp: no locale here. */
static int
word_is(const char *s, size_t n, const char *lit, int prefix)
{
	size_t i, ln = strlen(lit);

	if (n > ln || (!prefix && n != ln))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		if (c != (unsigned char)lit[i])
			return 0;
	}
	return 1;
}

/* The line at pos, looked at no further than lim. Bare CR or LF: 400. */
static int
read_line(struct hp *p, size_t pos, size_t lim, struct line *l)
{
	size_t i;

	l->pos = pos;
	for (i = pos; i < lim; i++) {
		if (p->buf[i] == '\n')
			return fail(p, 400, "LF without CR");
		if (p->buf[i] != '\r')
			continue;
		l->eol = i;
		if (i + 1 == lim) {
			l->state = LINE_CR;
			return 0;
		}
		if (p->buf[i + 1] != '\n')
			return fail(p, 400, "CR without LF");
		l->next = i + 2;
		l->state = LINE_WHOLE;
		return 0;
	}
	l->eol = lim;
	l->state = LINE_CUT;
	return 0;
}

/*
 * The bytes stopped inside line l, whose content so far was fine. More may
 * come, unless even the shortest ending (this line's CRLF, then a blank
 * line if this one is not blank) would pass end: then 431.
 */
static enum http_result
want_more(struct hp *p, const struct line *l, size_t end, const char *what)
{
	size_t least = l->eol + 2 + (l->eol > l->pos ? 2 : 0);

	if (least > end) {
		fail(p, 431, "%s over %d bytes", what, TEND_HTTP_HEAD_MAX);
		return HTTP_ERROR;
	}
	return HTTP_MORE;
}

/* The path up to ' ', '?' or the end, percent-decoded into req->path;
 * *used is how many bytes of s it took. */
static int
decode_path(struct hp *p, const char *s, size_t n, int whole, size_t *used)
{
	size_t i = 0, o = 0;
	int c, hi, lo;

	while (i < n && s[i] != ' ' && s[i] != '?') {
		c = (unsigned char)s[i++];
		if (c < 0x21 || c >= 0x7f || c == '#')
			return fail(p, 400, "bad byte in the target");
		if (c == '%') {
			/* An escape the bytes cut short may still complete. */
			if (!whole && n - i < 2 &&
			    (i == n || hexval((unsigned char)s[i]) >= 0)) {
				i = n;
				break;
			}
			if (n - i < 2 ||
			    (hi = hexval((unsigned char)s[i])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 1])) < 0)
				return fail(p, 400,
				    "bad %%-escape in the path");
			if ((c = hi << 4 | lo) == 0)
				return fail(p, 400, "%%00 in the path");
			i += 2;
		}
		if (o + 1 >= sizeof(p->req->path))
			return fail(p, 414, "path over %zu bytes",
			    sizeof(p->req->path) - 1);
		p->req->path[o++] = (char)c;
	}
	p->req->path[o] = '\0';
	*used = i;
	return 0;
}

/* The raw query after '?', up to ' ' or the end, into req->query. */
static int
copy_query(struct hp *p, const char *s, size_t n, size_t *used)
{
	size_t i;

	for (i = 0; i < n && s[i] != ' '; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c >= 0x7f || c == '#')
			return fail(p, 400, "bad byte in the target");
		if (i + 1 >= sizeof(p->req->query))
			return fail(p, 414, "query over %zu bytes",
			    sizeof(p->req->query) - 1);
		p->req->query[i] = (char)c;
	}
	p->req->query[i] = '\0';
	*used = i;
	return 0;
}

/* origin-form only: "/path?query". *used: bytes up to ' ' or the end. */
static int
parse_target(struct hp *p, const char *s, size_t n, int whole, size_t *used)
{
	size_t i = 0, q = 0;

	*used = 0;
	if (n == 0)
		return 0;
	if (s[0] != '/')
		return fail(p, 400, "the target is not an absolute path");
	if (decode_path(p, s, n, whole, &i) == -1)
		return -1;
	if (i < n && s[i] == '?') {
		if (copy_query(p, s + i + 1, n - i - 1, &q) == -1)
			return -1;
		i += 1 + q;
	}
	*used = i;
	return 0;
}

/* "HTTP/1.0" or "HTTP/1.1"; another HTTP/d.d is 505, the rest 400. A cut
 * version that can only become another HTTP/d.d is 505 at once. */
static int
parse_version(struct hp *p, const char *s, size_t n, int whole)
{
	static const char shape[] = "HTTP/d.d";
	size_t i;
	int fits = n <= 8;

	for (i = 0; fits && i < n; i++)
		fits = shape[i] == 'd' ? s[i] >= '0' && s[i] <= '9' :
		    s[i] == shape[i];
	if (!fits || (whole && n < 8))
		return fail(p, 400, "bad HTTP version");
	if ((n > 5 && s[5] != '1') || (n > 7 && s[7] > '1'))
		return fail(p, 505, "only HTTP/1.0 and HTTP/1.1");
	if (n == 8)
		p->req->minor = s[7] - '0';
	return 0;
}

/* METHOD SP TARGET SP VERSION, n bytes so far; whole once the CR came. */
static int
parse_request_line(struct hp *p, const char *s, size_t n, int whole)
{
	struct http_request *r = p->req;
	size_t m, t;

	for (m = 0; m < n && is_tchar((unsigned char)s[m]); m++)
		;
	if (m >= sizeof(r->method_name))
		return fail(p, 400, "method over %zu bytes",
		    sizeof(r->method_name) - 1);
	memcpy(r->method_name, s, m);
	r->method_name[m] = '\0';
	if (m == n)
		return whole ? fail(p, 400, "request line without a target") :
		    0;
	if (m == 0 || s[m] != ' ')
		return fail(p, 400, "bad byte in the method");
	r->method = strcmp(r->method_name, "GET") == 0 ? HTTP_GET :
	    strcmp(r->method_name, "HEAD") == 0 ? HTTP_HEAD :
	    strcmp(r->method_name, "POST") == 0 ? HTTP_POST : HTTP_OTHER;
	s += m + 1;
	n -= m + 1;
	if (parse_target(p, s, n, whole, &t) == -1)
		return -1;
	if (t == n)
		return whole ? fail(p, 400, "request line without %s",
		    t == 0 ? "a target" : "a version") : 0;
	return parse_version(p, s + t + 1, n - t - 1, whole);
}

/* 1*DIGIT, the same each time it is given; over the body limit is 413. */
static int
parse_length(struct hp *p, const char *v, size_t n, int whole)
{
	size_t i, cl = 0;

	if (p->te_seen)
		return fail(p, 400, "both Content-Length and "
		    "Transfer-Encoding");
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return fail(p, 400, "Content-Length is not a number");
		if (cl <= TEND_HTTP_BODY_MAX)
			cl = cl * 10 + (size_t)(v[i] - '0');
	}
	if (cl > TEND_HTTP_BODY_MAX)
		return fail(p, 413, "body over %d bytes", TEND_HTTP_BODY_MAX);
	if (!whole)
		return 0;
	if (n == 0)
		return fail(p, 400, "empty Content-Length");
	if (p->cl_seen && p->cl != cl)
		return fail(p, 400, "two different Content-Lengths");
	p->cl_seen = 1;
	p->cl = cl;
	return 0;
}

/* Exactly "chunked", once, in HTTP/1.1, without Content-Length. */
static int
parse_te(struct hp *p, const char *v, size_t n, int whole)
{
	if (p->cl_seen)
		return fail(p, 400, "both Content-Length and "
		    "Transfer-Encoding");
	if (p->te_seen)
		return fail(p, 400, "Transfer-Encoding given twice");
	if (p->req->minor == 0)
		return fail(p, 400, "Transfer-Encoding in HTTP/1.0");
	if (!word_is(v, n, "chunked", !whole))
		return fail(p, 400, "Transfer-Encoding other than chunked");
	p->te_seen = whole;
	return 0;
}

/* Connection: comma-separated tokens; only close and keep-alive count. */
static void
parse_connection(struct hp *p, const char *v, size_t n)
{
	size_t i = 0, a, b;

	while (i < n) {
		for (a = i; i < n && v[i] != ','; i++)
			;
		b = i++;
		while (a < b && is_ows(v[a]))
			a++;
		while (b > a && is_ows(v[b - 1]))
			b--;
		if (word_is(v + a, b - a, "close", 0))
			p->conn_close = 1;
		else if (word_is(v + a, b - a, "keep-alive", 0))
			p->conn_keep = 1;
	}
}

/* The headers that matter here; a cut line is checked as far as it goes. */
static int
apply_field(struct hp *p, const char *name, size_t nl, const char *v,
    size_t vl, int whole)
{
	if (word_is(name, nl, "host", 0)) {
		if (++p->hosts > 1)
			return fail(p, 400, "more than one Host");
	} else if (word_is(name, nl, "content-length", 0))
		return parse_length(p, v, vl, whole);
	else if (word_is(name, nl, "transfer-encoding", 0))
		return parse_te(p, v, vl, whole);
	else if (!whole)
		return 0;
	else if (word_is(name, nl, "connection", 0))
		parse_connection(p, v, vl);
	else if (word_is(name, nl, "expect", 0) &&
	    word_is(v, vl, "100-continue", 0))
		p->expect = 1;
	return 0;
}

/* NAME ":" OWS VALUE OWS (n > 0), for headers and, unapplied, trailers. */
static int
parse_field(struct hp *p, const char *s, size_t n, int whole, int trailer)
{
	size_t m, a, b, i;

	if (is_ows(s[0]))
		return fail(p, 400, "folded header line");
	for (m = 0; m < n && is_tchar((unsigned char)s[m]); m++)
		;
	if (m == n)
		return whole ? fail(p, 400, "header line without ':'") : 0;
	if (s[m] != ':')
		return fail(p, 400, "%s", m > 0 && is_ows(s[m]) ?
		    "whitespace before ':'" : "bad byte in a header name");
	if (m == 0)
		return fail(p, 400, "empty header name");
	for (a = m + 1; a < n && is_ows(s[a]); a++)
		;
	for (b = n; b > a && is_ows(s[b - 1]); b--)
		;
	for (i = a; i < b; i++)
		if (is_ctl((unsigned char)s[i]))
			return fail(p, 400, "control byte in a header value");
	return trailer ? 0 : apply_field(p, s, m, s + a, b - a, whole);
}

/* At the blank line: the head as a whole. */
static int
check_head(struct hp *p)
{
	struct http_request *r = p->req;

	if (r->minor == 1 && p->hosts == 0)
		return fail(p, 400, "HTTP/1.1 request without Host");
	r->chunked = p->te_seen;
	r->content_length = p->cl;
	r->keep_alive = r->minor == 1 ? !p->conn_close :
	    p->conn_keep && !p->conn_close;
	/* RFC 9110 10.1.1: ignore 100-continue from an HTTP/1.0 client. */
	r->expect_continue = p->expect && r->minor == 1;
	return 0;
}

/* Leading CRLFs, the request line, headers, the blank line. */
static enum http_result
parse_head(struct hp *p)
{
	size_t pos = 0, n, lim;
	struct line l;
	int first = 1, r;

	lim = p->len < TEND_HTTP_HEAD_MAX ? p->len : TEND_HTTP_HEAD_MAX;
	for (;;) {
		if (read_line(p, pos, lim, &l) == -1)
			return HTTP_ERROR;
		n = l.eol - pos;
		if (first)
			r = n > 0 || l.state == LINE_CUT ? parse_request_line(p,
			    p->buf + pos, n, l.state != LINE_CUT) : 0;
		else if (n > 0)
			r = parse_field(p, p->buf + pos, n,
			    l.state != LINE_CUT, 0);
		else
			r = l.state != LINE_CUT ? check_head(p) : 0;
		if (r == -1)
			return HTTP_ERROR;
		if (l.state != LINE_WHOLE)
			return want_more(p, &l, TEND_HTTP_HEAD_MAX,
			    "request head");
		if (!first && n == 0) {
			p->req->head_len = l.next;
			return HTTP_DONE;
		}
		first = first && n == 0;
		pos = l.next;
	}
}

/* The next chunk line or trailer at pos, as far as the meta budget goes:
 * the head, chunk lines and trailers share TEND_HTTP_HEAD_MAX. */
static int
meta_line(struct hp *p, size_t pos, struct line *l, size_t *end)
{
	*end = pos + (TEND_HTTP_HEAD_MAX - p->meta);
	return read_line(p, pos, p->len < *end ? p->len : *end, l);
}

/* 1*HEXDIG [ BWS ";" extensions ]; *size is the chunk's. 413 as soon as
 * the digits so far take the body over the limit. */
static int
parse_chunk_size(struct hp *p, const char *s, size_t n, int whole,
    size_t *size)
{
	size_t i, j, sz = 0, room = TEND_HTTP_BODY_MAX -
	    p->req->content_length;
	int d;

	for (i = 0; i < n && (d = hexval((unsigned char)s[i])) >= 0; i++) {
		sz = sz * 16 + (size_t)d;
		if (sz > room)
			return fail(p, 413, "body over %d bytes",
			    TEND_HTTP_BODY_MAX);
	}
	if (i == 0 && (n > 0 || whole))
		return fail(p, 400, "bad chunk size");
	for (j = i; j < n && is_ows(s[j]); j++)
		;
	if (j < n ? s[j] != ';' : whole && j > i)
		return fail(p, 400, "bad chunk size");
	for (; j < n; j++)
		if (is_ctl((unsigned char)s[j]))
			return fail(p, 400,
			    "control byte in a chunk extension");
	*size = sz;
	return 0;
}

/* Trailer lines after the last chunk, up to the blank line. */
static enum http_result
parse_trailers(struct hp *p, size_t pos)
{
	struct line l;
	size_t end, n;

	for (;;) {
		if (meta_line(p, pos, &l, &end) == -1)
			return HTTP_ERROR;
		n = l.eol - pos;
		if (n > 0 && parse_field(p, p->buf + pos, n,
		    l.state != LINE_CUT, 1) == -1)
			return HTTP_ERROR;
		if (l.state != LINE_WHOLE)
			return want_more(p, &l, end, "head and trailers");
		p->meta += l.next - pos;
		pos = l.next;
		if (n == 0) {
			p->req->total_len = pos;
			return HTTP_DONE;
		}
	}
}

/* Chunks: size line, data, CRLF; then the last chunk and trailers. */
static enum http_result
parse_chunked(struct hp *p)
{
	struct http_request *r = p->req;
	size_t pos = r->head_len, size = 0, end;
	struct line l;

	for (p->meta = pos;; pos += 2, p->meta += 2) {
		if (meta_line(p, pos, &l, &end) == -1 ||
		    parse_chunk_size(p, p->buf + pos, l.eol - pos,
		    l.state != LINE_CUT, &size) == -1)
			return HTTP_ERROR;
		if (l.state != LINE_WHOLE)
			return want_more(p, &l, end, "head and chunk lines");
		p->meta += l.next - pos;
		pos = l.next;
		if (size == 0)
			return parse_trailers(p, pos);
		r->content_length += size;
		/* Framing still to come: CRLF, "0" CRLF, the blank line. */
		if (p->meta + 7 > TEND_HTTP_HEAD_MAX) {
			fail(p, 431, "head and chunk lines over %d bytes",
			    TEND_HTTP_HEAD_MAX);
			return HTTP_ERROR;
		}
		if (p->len - pos < size)
			return HTTP_MORE;
		pos += size;
		if ((pos < p->len && p->buf[pos] != '\r') ||
		    (pos + 1 < p->len && p->buf[pos + 1] != '\n')) {
			fail(p, 400, "chunk data without CRLF after it");
			return HTTP_ERROR;
		}
		if (p->len - pos < 2)
			return HTTP_MORE;
	}
}

enum http_result
http_parse_request(const char *buf, size_t len, struct http_request *req,
    int *status, char *err, size_t errlen)
{
	struct hp p;
	enum http_result r;

	memset(&p, 0, sizeof(p));
	p.buf = buf;
	p.len = len;
	p.req = req;
	p.status = status;
	p.err = err;
	p.errlen = errlen;
	memset(req, 0, sizeof(*req));
	*status = 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((r = parse_head(&p)) != HTTP_DONE)
		return r;
	if (req->chunked)
		return parse_chunked(&p);
	if (len - req->head_len < req->content_length)
		return HTTP_MORE;
	req->total_len = req->head_len + req->content_length;
	return HTTP_DONE;
}

const char *
http_reason(int code)
{
	switch (code) {
	case 100: return "Continue";
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

int
http_format_head(char *buf, size_t len, int code, const char *content_type,
    size_t body_len, int keep_alive, const char *extra)
{
	int n;

	if (code < 100 || code > 999)
		return -1;
	n = snprintf(buf, len, "HTTP/1.1 %d %s\r\n%s%s%sContent-Length: %zu"
	    "\r\nConnection: %s\r\n%s\r\n", code, http_reason(code),
	    content_type != NULL ? "Content-Type: " : "",
	    content_type != NULL ? content_type : "",
	    content_type != NULL ? "\r\n" : "", body_len,
	    keep_alive ? "keep-alive" : "close", extra != NULL ? extra : "");
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}
