/*
 * fuzz_http.c: libFuzzer entry point for http_parse_request. Beyond not
 * crashing, it checks the parser's promises: a whole request's prefixes
 * all want more, an error carries a documented code and a reason, the
 * lengths stay inside the input, and pipelined requests parse in turn.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static void
check_done(const uint8_t *data, size_t size, const struct http_request *r)
{
	struct http_request q;
	char err[128];
	size_t step;
	int status;

	if (r->head_len > r->total_len || r->total_len > size ||
	    memchr(r->path, '\0', sizeof(r->path)) == NULL ||
	    memchr(r->query, '\0', sizeof(r->query)) == NULL ||
	    r->path[0] != '/' || r->content_length > TEND_HTTP_BODY_MAX)
		abort();
	/* Every prefix wants more: a few dozen of them for long inputs. */
	step = r->total_len < 512 ? 1 : r->total_len / 64;
	for (size_t k = 0; k < r->total_len; k += step)
		if (http_parse_request((const char *)data, k, &q, &status, err,
		    sizeof(err)) != HTTP_MORE)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request r;
	char err[128];
	size_t off = 0;
	int status;

	for (int n = 0; n < 8 && off <= size; n++) {
		switch (http_parse_request((const char *)data + off, size - off,
		    &r, &status, err, sizeof(err))) {
		case HTTP_DONE:
			check_done(data + off, size - off, &r);
			off += r.total_len;
			continue;
		case HTTP_ERROR:
			if ((status != 400 && status != 413 && status != 414 &&
			    status != 431 && status != 505) || err[0] == '\0')
				abort();
			return 0;
		case HTTP_MORE:
			return 0;
		}
		abort();
	}
	return 0;
}
