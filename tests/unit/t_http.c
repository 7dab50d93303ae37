/*
 * t_http.c: the request parser, one rule at a time: what curl and
 * Prometheus send, pipelining, chunked bodies, every refusal with its
 * status code, and that no prefix of a valid request is ever refused.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "http.h"

static struct http_request req;
static int status;
static char err[256];

static enum http_result
parse(const char *s)
{
	return http_parse_request(s, strlen(s), &req, &status, err,
	    sizeof(err));
}

/* s[0..n) must be refused with code. */
static void
refused_n(const char *what, const char *s, size_t n, int code)
{
	enum http_result r = http_parse_request(s, n, &req, &status, err,
	    sizeof(err));

	if (!ok(r == HTTP_ERROR && status == code && err[0] != '\0',
	    "%s: %d", what, code))
		diag("  got result %d, status %d, \"%s\"", r, status, err);
}

static void
refused(const char *what, const char *s, int code)
{
	refused_n(what, s, strlen(s), code);
}

/* s must be one whole request of its full length. */
static void
whole(const char *what, const char *s)
{
	enum http_result r = parse(s);

	if (!ok(r == HTTP_DONE && req.total_len == strlen(s), "%s", what))
		diag("  got result %d, status %d, \"%s\", total %zu", r,
		    status, err, req.total_len);
}

/* Every proper prefix of s gives HTTP_MORE. */
static void
prefixes_more(const char *what, const char *s)
{
	size_t n = strlen(s), bad = n;

	for (size_t k = 0; k < n; k++)
		if (http_parse_request(s, k, &req, &status, err,
		    sizeof(err)) != HTTP_MORE) {
			bad = k;
			break;
		}
	if (!ok(bad == n, "%s: every prefix wants more", what))
		diag("  prefix of %zu bytes: status %d \"%s\"", bad, status,
		    err);
}

static const char curl_get[] =
    "GET /metrics HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n\r\n";
static const char prom_get[] =
    "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9102\r\n"
    "User-Agent: Prometheus/2.42.0\r\n"
    "Accept: application/openmetrics-text;version=1.0.0,"
    "application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n"
    "Accept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n";
static const char chunked_post[] =
    "POST /programs/web/restart HTTP/1.1\r\nHost: localhost\r\n"
    "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
    "5;ext=1\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n"
    "X-Trailer: yes\r\n\r\n";

static void
test_good(void)
{
	char two[512];
	size_t first;

	whole("curl's GET", curl_get);
	ok(req.method == HTTP_GET && strcmp(req.path, "/metrics") == 0 &&
	    req.query[0] == '\0' && req.minor == 1 && req.keep_alive &&
	    !req.chunked && req.content_length == 0,
	    "... GET /metrics, 1.1, keep-alive, no body");
	whole("Prometheus' scrape", prom_get);
	prefixes_more("curl's GET", curl_get);
	prefixes_more("a chunked POST", chunked_post);
	whole("a chunked POST with an extension and a trailer", chunked_post);
	ok(req.method == HTTP_POST && req.chunked &&
	    req.content_length == 31 && req.expect_continue,
	    "... 31 body bytes, Expect: 100-continue seen");
	snprintf(two, sizeof(two), "%s%s", curl_get, prom_get);
	ok(parse(two) == HTTP_DONE && req.total_len == strlen(curl_get),
	    "pipelined: the first request ends where the second begins");
	first = req.total_len;
	ok(http_parse_request(two + first, strlen(two) - first, &req, &status,
	    err, sizeof(err)) == HTTP_DONE &&
	    req.total_len == strlen(prom_get), "... and the second parses");
	whole("a body by Content-Length",
	    "POST /shutdown HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
	ok(parse("POST /shutdown HTTP/1.1\r\nHost: x\r\nContent-Length: 3"
	    "\r\n\r\nab") == HTTP_MORE, "... short of its body: more");
	whole("leading empty lines are skipped",
	    "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
	whole("HTTP/1.0 without Host", "GET /health HTTP/1.0\r\n\r\n");
	ok(!req.keep_alive && req.minor == 0, "... 1.0 closes by default");
	whole("1.0 keep-alive",
	    "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
	ok(req.keep_alive, "... keeps the connection");
	whole("1.1 close", "GET / HTTP/1.1\r\nHost: x\r\nConnection: "
	    "foo, close\r\n\r\n");
	ok(!req.keep_alive, "... closes it");
	whole("percent-escapes and a query",
	    "GET /programs/web%3A1/stop?rolling=1&x HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(strcmp(req.path, "/programs/web:1/stop") == 0 &&
	    strcmp(req.query, "rolling=1&x") == 0, "... decoded path, raw query");
	whole("an unknown method is parsed",
	    "DELETE /status HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(req.method == HTTP_OTHER && strcmp(req.method_name, "DELETE") == 0,
	    "... as HTTP_OTHER, named");
	whole("equal Content-Length twice",
	    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
	    "content-length: 1\r\n\r\nz");
	whole("header value whitespace is trimmed",
	    "GET / HTTP/1.1\r\nHost:x\r\nConnection: \t close \t\r\n\r\n");
	ok(!req.keep_alive, "... and read");
}

static void
test_limits(void)
{
	static char buf[TEND_HTTP_HEAD_MAX + 600];
	size_t n;

	/* A head of exactly TEND_HTTP_HEAD_MAX bytes, then one more. */
	n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: x\r\n"
	    "X-Pad: ");
	memset(buf + n, 'a', TEND_HTTP_HEAD_MAX - n - 4);
	n = TEND_HTTP_HEAD_MAX - 4;
	memcpy(buf + n, "\r\n\r\n", 5);
	whole("a head of exactly 8192 bytes", buf);
	memmove(buf + 20, buf + 19, strlen(buf + 19) + 1);
	buf[19] = 'x';
	refused("a head of 8193 bytes", buf, 431);
	memset(buf, 'A', TEND_HTTP_HEAD_MAX + 1);
	buf[TEND_HTTP_HEAD_MAX + 1] = '\0';
	refused("8193 bytes without a line end", buf, 431);
	ok(http_parse_request(buf, TEND_HTTP_HEAD_MAX - 2, &req, &status, err,
	    sizeof(err)) == HTTP_MORE, "... 8190 of them still want more");

	n = (size_t)snprintf(buf, sizeof(buf), "GET /");
	memset(buf + n, 'p', TEND_HTTP_PATH_MAX);
	snprintf(buf + n + TEND_HTTP_PATH_MAX, sizeof(buf) - n -
	    TEND_HTTP_PATH_MAX, " HTTP/1.1\r\nHost: x\r\n\r\n");
	refused("a path over 255 bytes", buf, 414);
	n = (size_t)snprintf(buf, sizeof(buf), "GET /?");
	memset(buf + n, 'q', TEND_HTTP_QUERY_MAX);
	snprintf(buf + n + TEND_HTTP_QUERY_MAX, sizeof(buf) - n -
	    TEND_HTTP_QUERY_MAX, " HTTP/1.1\r\nHost: x\r\n\r\n");
	refused("a query over 255 bytes", buf, 414);

	refused("Content-Length over 64 KiB, before the body",
	    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65537\r\n\r\n", 413);
	refused("a huge Content-Length does not overflow",
	    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "
	    "99999999999999999999999999\r\n\r\n", 413);
	ok(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n"
	    "\r\n") == HTTP_MORE, "Content-Length of exactly 64 KiB: "
	    "waits for the body");
	refused("chunks over 64 KiB",
	    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "10001\r\n", 413);
	refused("a huge chunk size does not overflow",
	    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "fffffffffffffffffffffffffff\r\n", 413);
}

static void
test_bad(void)
{
	refused("a bare LF", "GET / HTTP/1.1\nHost: x\r\n\r\n", 400);
	refused("a bare CR", "GET / HTTP/1.1\rHost: x\r\n\r\n", 400);
	refused_n("a NUL byte", "GET / HTTP/1.1\r\nHost: x\0\r\n\r\n",
	    sizeof("GET / HTTP/1.1\r\nHost: x\0\r\n\r\n") - 1, 400);
	refused("no Host in 1.1", "GET / HTTP/1.1\r\n\r\n", 400);
	refused("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	    400);
	refused("HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);
	refused("HTTP/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505);
	refused("a garbled version", "GET / HTTQ/1.1\r\nHost: x\r\n\r\n", 400);
	refused("two spaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("no version", "GET /\r\nHost: x\r\n\r\n", 400);
	refused("garbage", "GARBAGE\r\n\r\n", 400);
	refused("a method of 16 bytes",
	    "ABCDEFGHIJKLMNOP / HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("an absolute target",
	    "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("a fragment", "GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("a non-ASCII target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n",
	    400);
	refused("%00", "GET /a%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("a bad escape", "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("a cut escape", "GET /a%4 HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("space before ':'", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400);
	refused("a folded header",
	    "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400);
	refused("a header without ':'", "GET / HTTP/1.1\r\nHost x\r\n\r\n",
	    400);
	refused("a control byte in a value",
	    "GET / HTTP/1.1\r\nHost: x\x01y\r\n\r\n", 400);
	refused("conflicting Content-Length",
	    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
	    "Content-Length: 2\r\n\r\n", 400);
	refused("a signed Content-Length",
	    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n", 400);
	refused("Transfer-Encoding gzip",
	    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
	    400);
	refused("both framings",
	    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400);
	refused("a bad chunk size",
	    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "zz\r\n", 400);
	refused("a chunk size with a leading space",
	    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	    " 5\r\n", 400);
	refused("a chunk without CRLF after it",
	    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "1\r\nabc", 400);
	refused("a bad trailer",
	    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "0\r\nbad trailer\r\n\r\n", 400);
}

static void
test_head(void)
{
	char buf[256];
	int n;

	n = http_format_head(buf, sizeof(buf), 405, "text/plain", 12, 1,
	    "Allow: POST\r\n");
	ok(n > 0 && strcmp(buf, "HTTP/1.1 405 Method Not Allowed\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 12\r\n"
	    "Connection: keep-alive\r\nAllow: POST\r\n\r\n") == 0 &&
	    (size_t)n == strlen(buf), "a response head");
	ok(http_format_head(buf, 40, 200, "text/plain", 1, 0, NULL) == -1,
	    "a head that does not fit: -1");
	is_str(http_reason(431), "Request Header Fields Too Large",
	    "reason of 431");
	is_str(http_reason(299), "Unknown", "reason of a code never sent");
}

int
main(void)
{
	plan(70);
	test_good();
	test_limits();
	test_bad();
	test_head();
	return done();
}
