/*
 * fuzz_http.c: libFuzzer entry point for http_parse_request. Beyond not
 * crashing, it checks the parser's promises and abort()s on a broken one:
 * lengths inside the input and the limits, NUL-terminated path and query,
 * every prefix of a whole request wanting more, errors with a documented
 * code and a one-line reason, and pipelined requests parsing in turn.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static int
parse(const uint8_t *data, size_t size, struct http_request *r,
    int *status, char *err, size_t errlen)
{
	return http_parse_request((const char *)data, size, r, status, err,
	    errlen);
}

/* r is what data[0..size) parsed to, HTTP_DONE. */
static void
check_done(const uint8_t *data, size_t size, const struct http_request *r)
{
	struct http_request q;
	char err[128];
	size_t step;
	int status;

	if (r->head_len == 0 || r->head_len > r->total_len ||
	    r->total_len > size || r->head_len > TEND_HTTP_HEAD_MAX ||
	    r->total_len > TEND_HTTP_HEAD_MAX + TEND_HTTP_BODY_MAX ||
	    r->content_length > TEND_HTTP_BODY_MAX)
		abort();
	if (memchr(r->path, '\0', sizeof(r->path)) == NULL ||
	    memchr(r->query, '\0', sizeof(r->query)) == NULL ||
	    memchr(r->method_name, '\0', sizeof(r->method_name)) == NULL ||
	    r->path[0] != '/' || r->method_name[0] == '\0')
		abort();
	if ((r->minor != 0 && r->minor != 1) || (r->keep_alive & ~1) ||
	    (r->chunked & ~1) || (r->expect_continue & ~1) ||
	    (!r->chunked && r->total_len != r->head_len + r->content_length))
		abort();
	/* Exactly its own bytes give the same request. */
	if (parse(data, r->total_len, &q, &status, err, sizeof(err)) !=
	    HTTP_DONE || q.total_len != r->total_len ||
	    q.head_len != r->head_len || strcmp(q.path, r->path) != 0)
		abort();
	/* Every shorter prefix wants more: all of them for short requests,
	 * 64 evenly spaced ones (and the last) for long ones. */
	step = r->total_len < 512 ? 1 : r->total_len / 64;
	for (size_t k = 0; k < r->total_len; k += step)
		if (parse(data, k, &q, &status, err, sizeof(err)) != HTTP_MORE)
			abort();
	if (parse(data, r->total_len - 1, &q, &status, err, sizeof(err)) !=
	    HTTP_MORE)
		abort();
}

static void
check_error(int status, const char *err, size_t errlen)
{
	if (status != 400 && status != 413 && status != 414 &&
	    status != 431 && status != 505)
		abort();
	if (err[0] == '\0' || memchr(err, '\0', errlen) == NULL ||
	    strchr(err, '\n') != NULL || strchr(err, '\r') != NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request r;
	char err[128];
	size_t off = 0;
	int status;

	/* Pipelined requests, one after the other, as control.c reads them. */
	for (int n = 0; n < 16; n++) {
		memset(err, 'x', sizeof(err));
		switch (parse(data + off, size - off, &r, &status, err,
		    sizeof(err))) {
		case HTTP_DONE:
			check_done(data + off, size - off, &r);
			off += r.total_len;
			continue;
		case HTTP_ERROR:
			check_error(status, err, sizeof(err));
			return 0;
		case HTTP_MORE:
			/* A whole head: its fields, and a body still short. */
			if (status != 0 || r.head_len > size - off ||
			    (r.head_len > 0 && (r.path[0] != '/' ||
			    (!r.chunked && r.head_len + r.content_length <=
			    size - off))))
				abort();
			return 0;
		}
		abort();
	}
	return 0;
}
