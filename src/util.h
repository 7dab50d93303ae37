/*
 * util.h: parsers for the value types the command line, the config file and
 * (later) HTTP paths and notify messages share. All are pure: bytes in,
 * value or an error message out; no logging, no globals.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* The smaller and the larger of two doubles that are not NaN: fmin and
 * fmax are calls into libm, which tend does not link (it costs a shared
 * library's load time and RSS for three one-line functions). */
static inline double
dmin(double a, double b)
{
	return a < b ? a : b;
}

static inline double
dmax(double a, double b)
{
	return a > b ? a : b;
}

/* CLOCK_MONOTONIC in seconds. */
double mono_now(void);

/* Error buffer size every parser here accepts. */
#define UTIL_ERR_MAX 256

/*
 * "250ms", "1.5s", "2m", "1h", bare number = seconds. Non-negative, at most
 * TEND_DURATION_MAX. Returns 0, or -1 with a message in err.
 */
int duration_parse(const char *s, double *out, char *err, size_t errlen);

/* yes/no/true/false/on/off/1/0, any case. Returns 0 or -1. */
int bool_parse(const char *s, int *out, char *err, size_t errlen);

/* "TERM", "SIGTERM", "term", "15", "RTMIN+2". Returns 0 or -1. */
int sig_parse(const char *s, int *out, char *err, size_t errlen);

/* "TERM" for SIGTERM, "RTMIN+2", or "SIG42" for unnamed: static storage. */
const char *sig_name(int sig);

/*
 * The signal mask through the raw rt_sigprocmask: glibc's sigprocmask and
 * sigfillset leave out 32 and 33, which tend keeps blocked and passes on
 * as inherited. set and old are the kernel's 64-bit sets (the first 8
 * bytes of a sigset_t); either may be NULL. Async-signal-safe. 0 or -1.
 */
int sigmask_raw(int how, const void *set, void *old);

/* Decimal integer in [min, max], nothing else around it. Returns 0 or -1. */
int long_parse(const char *s, long min, long max, long *out, char *err,
    size_t errlen);

/* Octal mode such as 0022 or 0600, at most 0777. Returns 0 or -1. */
int mode_parse(const char *s, unsigned *out, char *err, size_t errlen);

/*
 * Splits s into words as a POSIX shell does, without running one: blanks
 * separate words; 'single quotes' keep everything; "double quotes" keep all
 * but \" \\ \$ \` and backslash-newline; a backslash outside quotes keeps the
 * next character. Returns a NULL-terminated, malloc'd argv (free with
 * argv_free) with its count in *argc, or NULL with a message in err (and
 * errno EINVAL, or ENOMEM). An empty or blank s gives zero words.
 */
char **words_split(const char *s, int *argc, char *err, size_t errlen);
void argv_free(char **argv);

/*
 * Expands ${VAR} and ${VAR:-default} from the environment getter; $$ is a
 * literal $; any other $ stays as it is. An unset variable without a default
 * is an error. Returns a malloc'd string or NULL with err set.
 */
typedef const char *(*var_getter)(const char *name, void *arg);
char *vars_expand(const char *s, var_getter get, void *arg, char *err,
    size_t errlen);

/*
 * An environment list: A=1, B="two words", C='x, y'. Items are separated by
 * commas outside quotes; a value may be quoted in single or double quotes
 * (backslash escapes " and \ inside double quotes). Names are
 * [A-Za-z_][A-Za-z0-9_]*. Returns a NULL-terminated malloc'd array of
 * "NAME=value" strings (free with argv_free), or NULL with err set.
 */
char **env_list_parse(const char *s, int *count, char *err, size_t errlen);

/* Exit codes list: "0, 2, 100" each in 0..255 -> 256-entry flag array. */
int codes_parse(const char *s, unsigned char codes[256], char *err,
    size_t errlen);

/* Comma-separated names list ("db, cache"): malloc'd argv or NULL. */
char **names_parse(const char *s, int *count, char *err, size_t errlen);

/*
 * A control socket path: "none", or a path that fits sun_path. Returns 0
 * or -1 with err set.
 */
int sockpath_check(const char *s, char *err, size_t errlen);

/*
 * "127.0.0.1:9102" or "[::1]:9102": a numeric address and a port 1-65535
 * (names are not resolved). Fills *ss and *len when they are not NULL.
 * Returns 0 or -1 with err set.
 */
int hostport_parse(const char *s, struct sockaddr_storage *ss,
    socklen_t *len, char *err, size_t errlen);

/*
 * The state letter and parent of pid from /proc/PID/stat (one bounded
 * read). 0, or -1 with errno (ENOENT: no such process).
 */
int proc_stat(pid_t pid, char *state, pid_t *ppid);
/* The parent of pid and its start time (clock ticks after boot, which
 * tells a process from a later one with its pid), as proc_stat does. */
int proc_stat_start(pid_t pid, pid_t *ppid, unsigned long long *start);

/*
 * Copies src[0..n) to dst as valid UTF-8 and NUL-terminates it: each
 * ill-formed sequence (a stray continuation byte, an overlong form, a
 * surrogate, a code point above U+10FFFF, a cut-off character) becomes
 * U+FFFD, and the copy ends on a character boundary where the next one
 * would not fit in size - 1 bytes. NUL bytes in src are copied (they end
 * the string). Returns the length written; size 0 writes nothing.
 */
size_t utf8_copy(char *dst, size_t size, const char *src, size_t n);
/* 1 when s[0..n) is valid UTF-8 as utf8_copy writes it, else 0. */
int utf8_valid(const char *s, size_t n);

/*
 * A growing string. After a failed allocation every later append is a
 * no-op and failed stays set, so callers check once at the end.
 */
struct sbuf {
	char	*buf;		/* owned, NUL-terminated when len > 0 */
	size_t	 len, cap;
	int	 failed;
};
void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sbuf_free(struct sbuf *b);

#endif
