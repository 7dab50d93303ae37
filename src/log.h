/*
 * log.h: tend's own log lines, to stderr only (never into a child's stdout),
 * as text or one JSON object a line. log_warn appends strerror(errno);
 * log_warnx does not.
 */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
enum log_format { LOG_TEXT, LOG_JSON };

/* Parses "error|warn|info|debug" / "text|json". 0 or -1. */
int log_level_parse(const char *s, enum log_level *out);
int log_format_parse(const char *s, enum log_format *out);

void log_init(enum log_level level, enum log_format format);
/* Makes writes to stderr nonblocking for tend alone (see log.c). */
void log_open(void);
void log_close(void);
enum log_level log_get_level(void);
unsigned long long log_dropped_bytes(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
