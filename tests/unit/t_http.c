/*
 * t_http.c: the request parser, one rule at a time: what curl and
 * Prometheus send, pipelining, chunked bodies, every refusal with its
 * status code, the limits at their edges, and that no prefix of a valid
 * request is refused while a prefix that cannot become valid is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "http.h"

static struct http_request req;
static int status;
static char err[256];
static char big[4 * TEND_HTTP_HEAD_MAX + TEND_HTTP_BODY_MAX];

static enum http_result
parse_n(const char *s, size_t n)
{
	return http_parse_request(s, n, &req, &status, err, sizeof(err));
}

static enum http_result
parse(const char *s)
{
	return parse_n(s, strlen(s));
}

/* s[0..n) must be refused with code. */
static void
refused_n(const char *what, const char *s, size_t n, int code)
{
	enum http_result r = parse_n(s, n);

	if (!ok(r == HTTP_ERROR && status == code && err[0] != '\0' &&
	    strchr(err, '\n') == NULL, "%s: %d", what, code))
		diag("  got result %d, status %d, \"%s\"", r, status, err);
}

static void
refused(const char *what, const char *s, int code)
{
	refused_n(what, s, strlen(s), code);
}

/* s must be refused with code, for the reason why. */
static void
refused_why(const char *what, const char *s, int code, const char *why)
{
	enum http_result r = parse(s);

	if (!ok(r == HTTP_ERROR && status == code && strcmp(err, why) == 0,
	    "%s: %d \"%s\"", what, code, why))
		diag("  got result %d, status %d, \"%s\"", r, status, err);
}

/* s[0..n) is valid so far. */
static void
more_n(const char *what, const char *s, size_t n)
{
	enum http_result r = parse_n(s, n);

	if (!ok(r == HTTP_MORE, "%s: wants more", what))
		diag("  got result %d, status %d, \"%s\"", r, status, err);
}

static void
more(const char *what, const char *s)
{
	more_n(what, s, strlen(s));
}

/* The first proper prefix of s[0..n) that does not give HTTP_MORE, or n. */
static size_t
first_bad_prefix(const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (parse_n(s, k) != HTTP_MORE)
			return k;
	return n;
}

/*
 * s[0..n) is one whole request: HTTP_DONE with total_len n, the same with
 * another request after it, and every proper prefix is HTTP_MORE. req is
 * left as the whole parse filled it.
 */
static void
whole_n(const char *what, const char *s, size_t n)
{
	static char two[sizeof(big) + 64];
	static const char next[] = "GET / HTTP/1.1\r\nHost: n\r\n\r\n";
	size_t bad = first_bad_prefix(s, n), total = 0;
	enum http_result r;

	if (n + sizeof(next) <= sizeof(two)) {
		memcpy(two, s, n);
		memcpy(two + n, next, sizeof(next));
		if (parse_n(two, n + sizeof(next) - 1) == HTTP_DONE)
			total = req.total_len;
	}
	r = parse_n(s, n);
	if (!ok(r == HTTP_DONE && req.total_len == n && total == n &&
	    bad == n && status == 0 && err[0] == '\0', "%s", what))
		diag("  got result %d, status %d, \"%s\", total %zu, "
		    "followed %zu, prefix %zu refused", r, status, err,
		    req.total_len, total, bad);
}

static void
whole(const char *what, const char *s)
{
	whole_n(what, s, strlen(s));
}

/* What curl 7.88.1 and Prometheus 2.42.0 send, byte for byte. */
static const char curl_get[] =
    "GET /metrics HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n\r\n";
static const char curl_post[] =
    "POST /programs/web/restart?rolling=1 HTTP/1.1\r\nHost: localhost\r\n"
    "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
static const char curl_post_d[] =
    "POST /programs/web%3A1/signal/HUP HTTP/1.1\r\nHost: localhost\r\n"
    "User-Agent: curl/7.88.1\r\nAccept: */*\r\nContent-Length: 3\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\n\r\nx=1";
static const char curl_upload[] =
    "POST /reload HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\nTransfer-Encoding: chunked\r\n"
    "Expect: 100-continue\r\n\r\n"
    "6\r\nhello\n\r\n0\r\n\r\n";
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

#define H11	"GET / HTTP/1.1\r\nHost: x\r\n"
#define POST11	"POST / HTTP/1.1\r\nHost: x\r\n"
#define CHUNKED	POST11 "Transfer-Encoding: chunked\r\n\r\n"

static void
test_clients(void)
{
	whole("curl's GET", curl_get);
	ok(req.method == HTTP_GET && strcmp(req.method_name, "GET") == 0 &&
	    strcmp(req.path, "/metrics") == 0 && req.query[0] == '\0' &&
	    req.minor == 1 && req.keep_alive && !req.chunked &&
	    !req.expect_continue && req.content_length == 0 &&
	    req.head_len == strlen(curl_get),
	    "... GET /metrics, 1.1, keep-alive, no body");
	whole("curl -X POST", curl_post);
	ok(req.method == HTTP_POST && strcmp(req.path,
	    "/programs/web/restart") == 0 && strcmp(req.query, "rolling=1") ==
	    0, "... POST, path and query apart");
	whole("curl -d x=1", curl_post_d);
	ok(req.content_length == 3 && req.head_len + 3 == req.total_len &&
	    strcmp(req.path, "/programs/web:1/signal/HUP") == 0,
	    "... a 3-byte body after the head, %%3A decoded");
	whole("curl -T - -X POST (chunked, Expect)", curl_upload);
	ok(req.chunked && req.content_length == 6 && req.expect_continue &&
	    req.head_len == strlen(curl_upload) - 16,
	    "... chunked, 6 bytes decoded, Expect: 100-continue");
	whole("Prometheus' scrape", prom_get);
	ok(req.keep_alive && req.minor == 1 && strcmp(req.path,
	    "/metrics") == 0, "... keep-alive GET /metrics");
	whole("a chunked POST with an extension and a trailer", chunked_post);
	ok(req.method == HTTP_POST && req.chunked &&
	    req.content_length == 31 && req.expect_continue,
	    "... 31 body bytes, Expect: 100-continue seen");
}

static void
test_pipelining(void)
{
	static char two[1024];
	size_t first, n;

	n = (size_t)snprintf(two, sizeof(two), "%s%s", curl_get, prom_get);
	ok(parse(two) == HTTP_DONE && req.total_len == strlen(curl_get),
	    "pipelined: the first request ends where the second begins");
	first = req.total_len;
	ok(parse_n(two + first, n - first) == HTTP_DONE &&
	    req.total_len == strlen(prom_get) && strcmp(req.path,
	    "/metrics") == 0, "... and the second parses at buf+total_len");
	n = (size_t)snprintf(two, sizeof(two), "%s%s", prom_get, prom_get);
	ok(parse(two) == HTTP_DONE && parse_n(two + req.total_len, n -
	    req.total_len) == HTTP_DONE && req.total_len == n / 2,
	    "two keep-alive scrapes in one read");
	n = (size_t)snprintf(two, sizeof(two), "%s\r\n%s", curl_post_d,
	    curl_get);
	ok(parse(two) == HTTP_DONE && req.total_len == strlen(curl_post_d),
	    "a POST's body ends at Content-Length");
	first = req.total_len;
	ok(parse_n(two + first, n - first) == HTTP_DONE && req.head_len ==
	    strlen(curl_get) + 2 && req.total_len == n - first,
	    "... a stray CRLF before the next is skipped and counted");
	n = (size_t)snprintf(two, sizeof(two), "%s%s", curl_upload, curl_get);
	ok(parse(two) == HTTP_DONE && req.total_len == strlen(curl_upload) &&
	    parse_n(two + req.total_len, n - req.total_len) == HTTP_DONE,
	    "a chunked request, then a GET");
}

static void
test_feeding(void)
{
	size_t n = strlen(curl_upload), k;

	ok(first_bad_prefix(prom_get, strlen(prom_get)) == strlen(prom_get),
	    "Prometheus' scrape fed byte by byte: more until the last byte");
	ok(first_bad_prefix(curl_upload, n) == n,
	    "curl's chunked upload fed byte by byte: more until the last");
	k = n - 16;
	ok(parse_n(curl_upload, k) == HTTP_MORE && req.head_len == k &&
	    req.expect_continue && req.chunked,
	    "the head alone: more, with the head's fields for 100 Continue");
	more("Content-Length body short by one",
	    POST11 "Content-Length: 3\r\n\r\nab");
	ok(parse(POST11 "Content-Length: 3\r\n\r\nab") == HTTP_MORE &&
	    req.head_len > 0 && req.content_length == 3,
	    "... the head is known meanwhile");
	more("nothing yet", "");
	more("a leading CR", "\r");
	more("a cut percent-escape", "GET /a%");
	more("... one hex digit of it", "GET /a%4");
	more("a cut version", "GET / HTTP/1.");
	more("a request line waiting for its LF", "GET / HTTP/1.1\r");
	more("a cut header name", H11 "Content-Le");
	more("a cut Transfer-Encoding", POST11 "Transfer-Encoding: Chun");
	more("a cut Content-Length of 65536", POST11 "Content-Length: 6553");
	more("a cut chunk size", CHUNKED "1");
	more("a chunk short of its data", CHUNKED "5\r\nhel");
	more("a chunk waiting for its LF", CHUNKED "5\r\nhello\r");
	more("a cut trailer", CHUNKED "0\r\nX-T: 1");
}

static void
test_request_line(void)
{
	whole("leading empty lines are skipped",
	    "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(req.head_len == 31, "... and counted in head_len");
	whole("HEAD", "HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(req.method == HTTP_HEAD, "... is HTTP_HEAD");
	whole("an unknown method",
	    "DELETE /status HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(req.method == HTTP_OTHER && strcmp(req.method_name, "DELETE") == 0,
	    "... is HTTP_OTHER, named");
	whole("a lowercase get", "get / HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(req.method == HTTP_OTHER, "... is not GET (methods are "
	    "case-sensitive)");
	whole("a method of 15 bytes",
	    "ABCDEFGHIJKLMNO / HTTP/1.1\r\nHost: x\r\n\r\n");
	refused("a method of 16 bytes",
	    "ABCDEFGHIJKLMNOP / HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("... seen before the line ends", "ABCDEFGHIJKLMNOP", 400);
	refused("a method with a non-token byte", "GE@T / HTTP/1.1\r\n", 400);
	refused("... seen at once", "G@", 400);
	refused("garbage", "GARBAGE\r\n\r\n", 400);
	refused("two spaces after the method",
	    "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("two spaces before the version",
	    "GET /  HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("a space after the version",
	    "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400);
	refused("no version", "GET /\r\nHost: x\r\n\r\n", 400);
	refused("no target", "GET \r\n\r\n", 400);
	whole("HTTP/1.0", "GET /health HTTP/1.0\r\n\r\n");
	ok(req.minor == 0, "... minor 0");
	refused("HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);
	refused("HTTP/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505);
	refused("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505);
	refused("HTTP/2 cut short: 505 at once", "GET / HTTP/2", 505);
	refused("HTTP/2 as the whole version", "GET / HTTP/2\r\n", 400);
	refused("HTTP/10.0", "GET / HTTP/10.0\r\n\r\n", 400);
	refused("a lowercase version", "GET / http/1.1\r\nHost: x\r\n\r\n",
	    400);
	refused("a garbled version", "GET / HTTQ/1.1\r\nHost: x\r\n\r\n", 400);
	refused("HTTP/1.1x", "GET / HTTP/1.1x\r\n", 400);
}

static void
test_target(void)
{
	whole("percent-escapes and a query",
	    "GET /programs/web%3a1/stop?rolling=1&x%zz HTTP/1.1\r\nHost: x\r\n"
	    "\r\n");
	ok(strcmp(req.path, "/programs/web:1/stop") == 0 &&
	    strcmp(req.query, "rolling=1&x%zz") == 0,
	    "... decoded path (either case of hex), raw query");
	whole("an empty query", "GET /status? HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(strcmp(req.path, "/status") == 0 && req.query[0] == '\0',
	    "... is \"\"");
	whole("%2F and %3F are decoded, not split on",
	    "GET /a%2Fb%3Fc HTTP/1.1\r\nHost: x\r\n\r\n");
	ok(strcmp(req.path, "/a/b?c") == 0 && req.query[0] == '\0',
	    "... path \"/a/b?c\"");
	refused("an absolute-form target",
	    "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("... seen at its first byte", "GET h", 400);
	refused("an asterisk-form target", "OPTIONS * HTTP/1.1\r\n", 400);
	refused("a fragment", "GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("a fragment in the query", "GET /a?b#c HTTP/1.1\r\n", 400);
	refused("a non-ASCII target", "GET /\xc3\xa9 HTTP/1.1\r\n", 400);
	refused("DEL in the target", "GET /a\x7f HTTP/1.1\r\n", 400);
	refused("a tab in the target", "GET /a\tb HTTP/1.1\r\n", 400);
	refused("a control byte in the query", "GET /?a\x01 HTTP/1.1\r\n", 400);
	refused("%00", "GET /a%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("a bad escape", "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused("... seen at its first bad digit", "GET /a%z", 400);
	refused("a cut escape", "GET /a%4 HTTP/1.1\r\nHost: x\r\n\r\n", 400);
	refused_why("an escape cut by the line's end", "GET /a%4\r\n", 400,
	    "bad %-escape in the path");
}

/* GET PREFIX + fill * c + SUFFIX HTTP/1.1, Host: x. */
static const char *
long_target(const char *prefix, char c, size_t fill, const char *suffix)
{
	size_t n = (size_t)snprintf(big, sizeof(big), "GET %s", prefix);

	memset(big + n, c, fill);
	snprintf(big + n + fill, sizeof(big) - n - fill, "%s HTTP/1.1\r\n"
	    "Host: x\r\n\r\n", suffix);
	return big;
}

static void
test_uri_limits(void)
{
	static char esc[3 * TEND_HTTP_PATH_MAX + 64];
	size_t n;

	whole("a path of 255 bytes", long_target("/", 'p',
	    TEND_HTTP_PATH_MAX - 2, ""));
	ok(strlen(req.path) == TEND_HTTP_PATH_MAX - 1, "... all kept");
	refused("a path of 256 bytes: 414", long_target("/", 'p',
	    TEND_HTTP_PATH_MAX - 1, ""), 414);
	refused_n("... seen before the line ends", big, 5 +
	    TEND_HTTP_PATH_MAX, 414);
	n = (size_t)snprintf(esc, sizeof(esc), "/");
	for (int i = 0; i < TEND_HTTP_PATH_MAX - 2; i++)
		n += (size_t)snprintf(esc + n, sizeof(esc) - n, "%%41");
	whole("255 decoded bytes from 763 escaped ones", long_target(esc,
	    'x', 0, ""));
	refused("256 decoded from escapes: 414", long_target(esc, 'x', 0,
	    "%41"), 414);
	whole("a query of 255 bytes", long_target("/?", 'q',
	    TEND_HTTP_QUERY_MAX - 1, ""));
	ok(strlen(req.query) == TEND_HTTP_QUERY_MAX - 1, "... all kept");
	refused("a query of 256 bytes: 414", long_target("/?", 'q',
	    TEND_HTTP_QUERY_MAX, ""), 414);
}

static void
test_line_ends(void)
{
	refused_why("a bare LF", "GET / HTTP/1.1\nHost: x\r\n\r\n", 400,
	    "LF without CR");
	refused("a bare LF before the request", "\nGET / HTTP/1.1\r\n", 400);
	refused_why("a bare CR", "GET / HTTP/1.1\rHost: x\r\n\r\n", 400,
	    "CR without LF");
	refused("a bare CR before the request", "\rGET", 400);
	refused_why("a bare LF ending the head", H11 "\n", 400,
	    "LF without CR");
	refused("a bare CR in a value", H11 "X-A: a\rb\r\n\r\n", 400);
	refused_n("a NUL in a header value", H11 "X: a\0\r\n\r\n",
	    sizeof(H11 "X: a\0\r\n\r\n") - 1, 400);
	refused_n("a NUL in the method", "GE\0 / HTTP/1.1\r\n",
	    sizeof("GE\0 / HTTP/1.1\r\n") - 1, 400);
	refused_n("a NUL in the target", "GET /\0 HTTP/1.1\r\n",
	    sizeof("GET /\0 HTTP/1.1\r\n") - 1, 400);
	refused_n("a NUL in a header name", H11 "X\0: a\r\n\r\n",
	    sizeof(H11 "X\0: a\r\n\r\n") - 1, 400);
	refused_n("a NUL as the first byte", "\0", 1, 400);
}

static void
test_headers(void)
{
	whole("header names are case-insensitive",
	    "GET / HTTP/1.1\r\nhOST: x\r\nCONNECTION: CLOSE\r\n\r\n");
	ok(!req.keep_alive, "... CONNECTION: CLOSE closes");
	whole("values lose their OWS",
	    "GET / HTTP/1.1\r\nHost:x\r\nConnection: \t close \t\r\n\r\n");
	ok(!req.keep_alive, "... and are read");
	whole("an empty Host value is a Host",
	    "GET / HTTP/1.1\r\nHost:\r\n\r\n");
	whole("obs-text in a value", H11 "X-A: caf\xc3\xa9\r\n\r\n");
	refused("space before ':'", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400);
	refused("... seen before the line ends", "GET / HTTP/1.1\r\nHost ",
	    400);
	refused_why("a folded header",
	    "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400,
	    "folded header line");
	refused("a header folded with a tab", H11 "X: a\r\n\tb\r\n\r\n", 400);
	refused("a header without ':'", "GET / HTTP/1.1\r\nHost x\r\n\r\n",
	    400);
	refused("a header of one word", H11 "Foo\r\n\r\n", 400);
	refused("an empty header name", H11 ": x\r\n\r\n", 400);
	refused("a bad byte in a name", H11 "X(a): x\r\n", 400);
	refused("a control byte in a value", H11 "X: x\x01y\r\n\r\n", 400);
	refused("DEL in a value", H11 "X: \x7f\r\n\r\n", 400);
	refused("no Host in 1.1", "GET / HTTP/1.1\r\n\r\n", 400);
	refused("... seen at the blank line's CR", "GET / HTTP/1.1\r\n\r", 400);
	whole("no Host in 1.0", "GET /health HTTP/1.0\r\n\r\n");
	refused("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	    400);
	refused("... seen at the second name", H11 "host:", 400);
	refused("two Hosts in 1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n"
	    "\r\n", 400);
}

static void
test_keep_alive(void)
{
	whole("1.1 keeps alive by default", H11 "\r\n");
	ok(req.keep_alive, "... keep_alive 1");
	whole("1.1 close", H11 "Connection: foo, close\r\n\r\n");
	ok(!req.keep_alive, "... closes");
	whole("1.1 keep-alive, close", H11 "Connection: keep-alive,"
	    "close\r\n\r\n");
	ok(!req.keep_alive, "... close wins");
	whole("1.1 with an unrelated token", H11 "Connection: closed\r\n\r\n");
	ok(req.keep_alive, "... \"closed\" is not close");
	whole("1.0 closes by default", "GET / HTTP/1.0\r\n\r\n");
	ok(!req.keep_alive, "... keep_alive 0");
	whole("1.0 Keep-Alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n"
	    "\r\n");
	ok(req.keep_alive, "... keeps the connection");
	whole("1.0 over two Connection headers", "GET / HTTP/1.0\r\n"
	    "Connection: te\r\nConnection: x , keep-alive\r\n\r\n");
	ok(req.keep_alive, "... the tokens of both count");
	whole("1.0 keep-alive and close", "GET / HTTP/1.0\r\n"
	    "Connection: keep-alive, close\r\n\r\n");
	ok(!req.keep_alive, "... closes");
}

static void
test_expect(void)
{
	whole("Expect in 1.1", POST11 "Expect: 100-Continue\r\n"
	    "Content-Length: 0\r\n\r\n");
	ok(req.expect_continue, "... seen (case-insensitive)");
	whole("Expect in 1.0", "POST / HTTP/1.0\r\nExpect: 100-continue\r\n"
	    "\r\n");
	ok(!req.expect_continue, "... ignored, as RFC 9110 asks");
	whole("another expectation", H11 "Expect: 200-ok\r\n\r\n");
	ok(!req.expect_continue, "... is not 100-continue");
}

static void
test_length(void)
{
	static const char max[] = POST11 "Content-Length: 65536\r\n\r\n";
	size_t n = strlen(max);

	whole("equal Content-Length twice", POST11 "Content-Length: 1\r\n"
	    "content-length: 01\r\n\r\nz");
	refused("conflicting Content-Length", POST11 "Content-Length: 1\r\n"
	    "Content-Length: 2\r\n\r\n", 400);
	refused("a signed Content-Length", POST11 "Content-Length: +1\r\n\r\n",
	    400);
	refused("a hex Content-Length", POST11 "Content-Length: 0x1\r\n",
	    400);
	refused("a list as Content-Length", POST11 "Content-Length: 1, 1\r\n"
	    "\r\n", 400);
	refused("an empty Content-Length", POST11 "Content-Length:\r\n\r\n",
	    400);
	refused("Content-Length over 64 KiB, before the body",
	    POST11 "Content-Length: 65537\r\n\r\n", 413);
	refused("... seen before the head ends", POST11
	    "Content-Length: 70000\r\n", 413);
	refused("... seen before the line ends", POST11
	    "Content-Length: 70000", 413);
	refused("a huge Content-Length does not overflow", POST11
	    "Content-Length: 99999999999999999999999999999999\r\n\r\n", 413);
	ok(parse(max) == HTTP_MORE,
	    "Content-Length of exactly 64 KiB waits for the body");
	memcpy(big, max, n);
	memset(big + n, 'b', TEND_HTTP_BODY_MAX);
	whole_n("... and takes it", big, n + TEND_HTTP_BODY_MAX);
}

static void
test_transfer_encoding(void)
{
	whole("Transfer-Encoding: Chunked, any case", POST11
	    "Transfer-Encoding: Chunked \r\n\r\n0\r\n\r\n");
	ok(req.chunked && req.content_length == 0, "... an empty body");
	refused("Transfer-Encoding gzip",
	    POST11 "Transfer-Encoding: gzip\r\n\r\n", 400);
	refused("... seen at its first byte", POST11 "Transfer-Encoding: g",
	    400);
	refused("a whole \"chunk\"", POST11 "Transfer-Encoding: chunk\r\n",
	    400);
	refused("gzip, chunked", POST11 "Transfer-Encoding: gzip, chunked\r\n"
	    "\r\n", 400);
	refused("chunked twice", POST11 "Transfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400);
	refused("Content-Length, then Transfer-Encoding",
	    POST11 "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
	    400);
	refused("Transfer-Encoding, then Content-Length",
	    POST11 "Transfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
	    400);
	refused("Transfer-Encoding in 1.0", "POST / HTTP/1.0\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
}

static void
test_chunks(void)
{
	whole("hex in either case, leading zeros, BWS before ';'",
	    CHUNKED "0001A ; a=b;c\r\nabcdefghijklmnopqrstuvwxyz\r\n"
	    "a\r\n0123456789\r\n0\r\n\r\n");
	ok(req.content_length == 36, "... 36 bytes decoded");
	whole("trailers are read, not applied",
	    CHUNKED "0\r\nHost: y\r\nContent-Length: 5\r\n\r\n");
	ok(req.content_length == 0, "... no second Host, no length");
	refused("a bad chunk size", CHUNKED "zz\r\n", 400);
	refused("a chunk size with a leading space", CHUNKED " 5\r\n", 400);
	refused("a chunk size with trailing space only", CHUNKED "5 \r\n", 400);
	refused("an empty chunk size line", CHUNKED "\r\n", 400);
	refused("a control byte in an extension", CHUNKED "5;\x01\r\n", 400);
	refused("a chunk without CRLF after it", CHUNKED "1\r\nabc", 400);
	refused("a chunk with CR, no LF after it", CHUNKED "1\r\na\rb", 400);
	refused("a bad trailer", CHUNKED "0\r\nbad trailer\r\n\r\n", 400);
	refused("a folded trailer", CHUNKED "0\r\nA: b\r\n c\r\n\r\n", 400);
	refused("chunks over 64 KiB", CHUNKED "10001\r\n", 413);
	refused("... seen from the digits so far", CHUNKED "10001", 413);
	refused("a huge chunk size does not overflow",
	    CHUNKED "fffffffffffffffffffffffffffffffff\r\n", 413);
}

static void
test_chunk_limits(void)
{
	size_t n, head = strlen(CHUNKED);

	/* 64 KiB in two chunks, with the second's size over by one. */
	n = (size_t)snprintf(big, sizeof(big), CHUNKED "8000\r\n");
	memset(big + n, 'a', 0x8000);
	n += 0x8000;
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\n8001\r\n");
	refused_n("the second chunk takes it over 64 KiB: 413 before its data",
	    big, n, 413);
	memcpy(big + n - 3, "0\r\n", 3);
	memset(big + n, 'b', 0x8000);
	n += 0x8000;
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\n0\r\n\r\n");
	whole_n("exactly 64 KiB in two chunks", big, n);
	ok(req.content_length == TEND_HTTP_BODY_MAX, "... all counted");

	/* The head, chunk lines and trailers share the head's 8 KiB. */
	memcpy(big, CHUNKED, head);
	for (n = head; n + 6 <= 3 * TEND_HTTP_HEAD_MAX; n += 6)
		memcpy(big + n, "1\r\nX\r\n", 6);
	refused_n("one-byte chunks past 8 KiB of framing: 431", big, n, 431);
	n = head + (size_t)snprintf(big + head, sizeof(big) - head, "1;");
	memset(big + n, 'e', TEND_HTTP_HEAD_MAX - 5 - n);
	memcpy(big + TEND_HTTP_HEAD_MAX - 5, "\r\n", 2);
	refused_n("a chunk whose framing cannot end in time: 431 before its "
	    "data", big, TEND_HTTP_HEAD_MAX - 3, 431);
	memcpy(big + TEND_HTTP_HEAD_MAX - 9, "\r\n", 2);
	more_n("... with 7 bytes to spare it waits", big,
	    TEND_HTTP_HEAD_MAX - 7);
	n = head + (size_t)snprintf(big + head, sizeof(big) - head,
	    "0\r\nX: ");
	memset(big + n, 't', TEND_HTTP_HEAD_MAX);
	refused_n("trailers past the limit: 431", big, n + TEND_HTTP_HEAD_MAX,
	    431);
	n = TEND_HTTP_HEAD_MAX - 4;
	memcpy(big + n, "\r\n\r\n", 4);
	whole_n("head and trailers of exactly 8 KiB", big, TEND_HTTP_HEAD_MAX);
	memmove(big + n + 1, big + n, 4);
	big[n] = 't';
	refused_n("... one byte more: 431", big, TEND_HTTP_HEAD_MAX + 1, 431);
}

static void
test_head_limit(void)
{
	size_t n;

	/* A head of exactly TEND_HTTP_HEAD_MAX bytes, then one more. */
	n = (size_t)snprintf(big, sizeof(big), H11 "X-Pad: ");
	memset(big + n, 'a', TEND_HTTP_HEAD_MAX - n - 4);
	memcpy(big + TEND_HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
	whole_n("a head of exactly 8192 bytes", big, TEND_HTTP_HEAD_MAX);
	ok(req.head_len == TEND_HTTP_HEAD_MAX, "... head_len 8192");
	memmove(big + n + 1, big + n, TEND_HTTP_HEAD_MAX - n);
	refused_n("a head of 8193 bytes", big, TEND_HTTP_HEAD_MAX + 1, 431);
	refused_n("... seen once 8192 bytes lack the end", big,
	    TEND_HTTP_HEAD_MAX, 431);
	more_n("... 8188 bytes could still end in time", big,
	    TEND_HTTP_HEAD_MAX - 4);
	n = (size_t)snprintf(big, sizeof(big), H11 "X-Pad: ");
	memset(big + n, 'a', sizeof(big) - n);
	refused_n("8193 bytes of one header line", big, TEND_HTTP_HEAD_MAX + 1,
	    431);
	more_n("... 8188 of them still want more", big, TEND_HTTP_HEAD_MAX - 4);
	refused_n("... 8189 cannot end in time", big, TEND_HTTP_HEAD_MAX - 3,
	    431);
	for (n = 0; n < TEND_HTTP_HEAD_MAX - 64; n += 2)
		memcpy(big + n, "\r\n", 2);
	memcpy(big + n, "GET /", 5);
	memset(big + n + 5, 'p', 200);
	refused_n("a request line across the limit (after CRLFs): 431", big,
	    TEND_HTTP_HEAD_MAX + 100, 431);
	more_n("... a valid prefix of it wants more", big, n + 60);
}

static void
test_errors(void)
{
	char small[8];

	ok(http_parse_request("GET / HTTP/3.0\r\n", 16, &req, &status, small,
	    sizeof(small)) == HTTP_ERROR && status == 505 &&
	    strlen(small) == sizeof(small) - 1, "a reason is cut to errlen");
	ok(http_parse_request("GET / HTTP/3.0\r\n", 16, &req, &status, NULL,
	    0) == HTTP_ERROR && status == 505, "errlen 0 is allowed");
	ok(parse(curl_get) == HTTP_DONE && status == 0 && err[0] == '\0',
	    "after an error, a good parse clears status and err");
}

static void
test_format(void)
{
	static const int codes[] = { 100, 200, 202, 400, 403, 404, 405, 408,
	    413, 414, 431, 500, 501, 503, 505 };
	char buf[256];
	size_t i;
	int n, named = 0;

	n = http_format_head(buf, sizeof(buf), 405, "text/plain", 12, 1,
	    "Allow: POST\r\n");
	ok(n > 0 && strcmp(buf, "HTTP/1.1 405 Method Not Allowed\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 12\r\n"
	    "Connection: keep-alive\r\nAllow: POST\r\n\r\n") == 0 &&
	    (size_t)n == strlen(buf), "a response head with extra");
	n = http_format_head(buf, sizeof(buf), 200, "application/json", 0, 0,
	    NULL);
	ok(n > 0 && strcmp(buf, "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/json\r\nContent-Length: 0\r\nConnection: close\r\n"
	    "\r\n") == 0, "... without extra, Connection: close");
	n = http_format_head(buf, sizeof(buf), 503, NULL, 5, 0, NULL);
	ok(n > 0 && strstr(buf, "Content-Type") == NULL,
	    "... a NULL content type leaves the line out");
	ok(http_format_head(buf, 40, 200, "text/plain", 1, 0, NULL) == -1,
	    "a head that does not fit: -1");
	n = http_format_head(buf, sizeof(buf), 404, "text/plain", 9, 1, NULL);
	ok(http_format_head(buf, (size_t)n, 404, "text/plain", 9, 1, NULL) ==
	    -1 && http_format_head(buf, (size_t)n + 1, 404, "text/plain", 9,
	    1, NULL) == n, "... fits with room for the NUL, not without");
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		named += strcmp(http_reason(codes[i]), "Unknown") != 0;
	is_int(named, 15, "every code control.c sends has a reason");
	is_str(http_reason(431), "Request Header Fields Too Large",
	    "reason of 431");
	is_str(http_reason(413), "Content Too Large", "reason of 413");
	is_str(http_reason(299), "Unknown", "reason of a code never sent");
}

int
main(void)
{
	plan(219);
	test_clients();
	test_pipelining();
	test_feeding();
	test_request_line();
	test_target();
	test_uri_limits();
	test_line_ends();
	test_headers();
	test_keep_alive();
	test_expect();
	test_length();
	test_transfer_encoding();
	test_chunks();
	test_chunk_limits();
	test_head_limit();
	test_errors();
	test_format();
	return done();
}
