/*
 * log.c: formats and writes tend's log lines to stderr. One write per line,
 * so tend's lines never interleave. stderr is shared with the children, so
 * its file description stays blocking for them: tend writes through a
 * sink (sink.c) that never waits. A line that does not fit is dropped and
 * counted, never waited for: nothing blocks the loop.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tend.h"
#include "log.h"
#include "sink.h"

static struct {
	enum log_level		level;
	enum log_format		format;
	unsigned long long	dropped;
	struct sink		sink;	/* stderr, never blocking */
} logstate = { LOG_INFO, LOG_TEXT, 0, { .fd = STDERR_FILENO } };

static const char *level_names[] = { "error", "warn", "info", "debug" };

int
log_level_parse(const char *s, enum log_level *out)
{
	for (int i = LOG_ERROR; i <= LOG_DEBUG; i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

int
log_format_parse(const char *s, enum log_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = LOG_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = LOG_JSON;
	else
		return -1;
	return 0;
}

void
log_init(enum log_level level, enum log_format format)
{
	logstate.level = level;
	logstate.format = format;
}

void
log_open(void)
{
	sink_open(&logstate.sink, STDERR_FILENO);
}

void
log_close(void)
{
	sink_close(&logstate.sink);
	logstate.sink.fd = STDERR_FILENO;
}

enum log_level
log_get_level(void)
{
	return logstate.level;
}

unsigned long long
log_dropped_bytes(void)
{
	return logstate.dropped;
}

/* Appends s to buf as the inside of a JSON string. */
static size_t
json_escape(char *buf, size_t len, size_t cap, const char *s)
{
	for (; *s != '\0' && len + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[len++] = '\\';
			buf[len++] = (char)c;
		} else if (c < 0x20) {
			len += (size_t)snprintf(buf + len, cap - len,
			    "\\u%04x", c);
		} else
			buf[len++] = (char)c;
	}
	return len;
}

/*
 * Appends s to buf as text: a control byte (ESC, CR, LF...) or DEL
 * becomes \xNN. Messages carry what clients and workers sent (a request
 * path, a STATUS= text): escaped here, once for every caller, none of it
 * can forge a log line or drive the terminal that shows the log.
 */
static size_t
text_escape(char *buf, size_t len, size_t cap, const char *s)
{
	for (; *s != '\0' && len + 5 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			len += (size_t)snprintf(buf + len, cap - len,
			    "\\x%02x", c);
		else
			buf[len++] = (char)c;
	}
	return len;
}

static void
vlog(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	char msg[TEND_LOG_LINE_MAX], line[TEND_LOG_LINE_MAX * 2];
	int saved = errno, n;
	size_t len;
	struct timespec ts;

	if (level > logstate.level)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n >= 0 && with_errno && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
		    strerror(saved));
	if (logstate.format == LOG_JSON) {
		clock_gettime(CLOCK_REALTIME, &ts);
		len = (size_t)snprintf(line, sizeof(line),
		    "{\"ts\":%lld.%03ld,\"level\":\"%s\",\"msg\":\"",
		    (long long)ts.tv_sec, ts.tv_nsec / 1000000,
		    level_names[level]);
		len = json_escape(line, len, sizeof(line) - 3, msg);
		line[len++] = '"';
		line[len++] = '}';
		line[len++] = '\n';
	} else {
		len = (size_t)snprintf(line, sizeof(line), "tend: %s: ",
		    level_names[level]);
		len = text_escape(line, len, sizeof(line) - 1, msg);
		line[len++] = '\n';
	}
	logstate.dropped += sink_write(&logstate.sink, line, len);
	errno = saved;
}

#define LOGFN(fn, level, with_errno)				\
void								\
fn(const char *fmt, ...)					\
{								\
	va_list ap;						\
								\
	va_start(ap, fmt);					\
	vlog(level, with_errno, fmt, ap);			\
	va_end(ap);						\
}

LOGFN(log_error, LOG_ERROR, 1)
LOGFN(log_errorx, LOG_ERROR, 0)
LOGFN(log_warn, LOG_WARN, 1)
LOGFN(log_warnx, LOG_WARN, 0)
LOGFN(log_info, LOG_INFO, 0)
LOGFN(log_debug, LOG_DEBUG, 0)
