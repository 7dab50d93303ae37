/*
 * http.h: the HTTP/1.1 request parser (pure: bytes in, request or status
 * code out) and the response head writer. control.c does the I/O.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

#include "tend.h"

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OTHER };
enum http_result { HTTP_DONE, HTTP_MORE, HTTP_ERROR };

struct http_request {
	enum http_method method;
	char	 method_name[16];	/* the token as sent, for logs */
	char	 path[TEND_HTTP_PATH_MAX];	/* decoded, no query */
	char	 query[TEND_HTTP_QUERY_MAX];	/* raw, after '?', or "" */
	int	 minor;			/* HTTP/1.minor: 0 or 1 */
	int	 keep_alive;		/* 1.1: no close; 1.0: keep-alive */
	int	 expect_continue;	/* 1.1 with Expect: 100-continue */
	int	 chunked;
	size_t	 content_length;	/* declared, or the decoded chunks */
	size_t	 head_len;		/* through the blank line */
	size_t	 total_len;		/* all of it, body included */
};

/*
 * Parses one request at buf[0..len). HTTP_DONE: req is complete and
 * total_len bytes long (pipelined requests follow); total_len is at most
 * TEND_HTTP_HEAD_MAX + TEND_HTTP_BODY_MAX, as the head, chunk lines and
 * trailers share the head's limit. HTTP_MORE: some further bytes could
 * still make a valid request. HTTP_ERROR: *status is 400, 413, 414, 431
 * or 505 and err a reason without newline. HTTP_MORE with req->head_len
 * > 0: the head is whole and valid and req holds its fields as on
 * HTTP_DONE (content_length: the chunks so far, if chunked), so a server
 * can answer 100 Continue or refuse before the body comes. Otherwise
 * req holds only what was read (method_name, for a log line).
 */
enum http_result http_parse_request(const char *buf, size_t len,
    struct http_request *req, int *status, char *err, size_t errlen);

/* "OK", "Not Found"...; "Unknown" for a code tend never sends. */
const char *http_reason(int code);

/*
 * Writes "HTTP/1.1 CODE REASON", Content-Type (unless NULL),
 * Content-Length, Connection, then extra (CRLF-terminated header lines, or
 * NULL) and the blank line. Returns its length, or -1 if it does not fit.
 */
int http_format_head(char *buf, size_t len, int code,
    const char *content_type, size_t body_len, int keep_alive,
    const char *extra);

#endif
