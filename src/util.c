/*
 * util.c: value parsers shared by the command line, the config file and the
 * later protocol parsers. Pure functions: they fill an error buffer and never
 * log or exit. Callers add the where (file:line, option) to the message.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "tend.h"
#include "util.h"

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	errno = EINVAL;
	return -1;
}

int
duration_parse(const char *s, double *out, char *err, size_t errlen)
{
	static const struct { const char *unit; double scale; } units[] = {
		{ "ms", 0.001 }, { "s", 1 }, { "m", 60 }, { "h", 3600 },
		{ "", 1 },
	};
	const char *p = s;
	double v = 0, frac = 0.1;
	int digits = 0;
	size_t i;

	/* Parse by hand: strtod would take "1e3", "inf", "0x10" and locales. */
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			v += (*p++ - '0') * frac;
			frac /= 10;
			digits++;
		}
	}
	if (digits == 0)
		goto bad;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) == 0) {
			v *= units[i].scale;
			if (v > TEND_DURATION_MAX)
				return fail(err, errlen, "\"%s\" is too long "
				    "(at most 100 years)", s);
			*out = v;
			return 0;
		}
	}
bad:
	return fail(err, errlen,
	    "\"%s\" is not a duration (use 10s, 500ms, 2m)", s);
}

int
bool_parse(const char *s, int *out, char *err, size_t errlen)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return fail(err, errlen,
	    "\"%s\" is not a boolean (use yes/no, true/false, on/off, 1/0)", s);
}

int
long_parse(const char *s, long min, long max, long *out, char *err,
    size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	if (*s == '\0' || isspace((unsigned char)*s))
		goto bad;
	v = strtol(s, &end, 10);
	if (*end != '\0')
		goto bad;
	if (errno == ERANGE || v < min || v > max)
		return fail(err, errlen, "%s is out of range (%ld..%ld)",
		    s, min, max);
	*out = v;
	return 0;
bad:
	return fail(err, errlen, "\"%s\" is not an integer", s);
}

int
mode_parse(const char *s, unsigned *out, char *err, size_t errlen)
{
	unsigned v = 0;
	const char *p;

	if (*s == '\0')
		goto bad;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '7')
			goto bad;
		v = v * 8 + (unsigned)(*p - '0');
		if (v > 0777)
			goto bad;
	}
	*out = v;
	return 0;
bad:
	return fail(err, errlen, "\"%s\" is not an octal mode (e.g. 0022)", s);
}

static const struct {
	const char	*name;
	int		 sig;
} signames[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },
	{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH }, { "IO", SIGIO }, { "PWR", SIGPWR },
	{ "SYS", SIGSYS }, { "IOT", SIGABRT }, { "POLL", SIGIO },
	{ "CLD", SIGCHLD },
};

const char *
sig_name(int sig)
{
	static char buf[16];
	size_t i;

	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (signames[i].sig == sig)
			return signames[i].name;
	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		if (sig == SIGRTMIN)
			return "RTMIN";
		snprintf(buf, sizeof(buf), "RTMIN+%d", sig - SIGRTMIN);
		return buf;
	}
	snprintf(buf, sizeof(buf), "SIG%d", sig);
	return buf;
}

int
sigmask_raw(int how, const void *set, void *old)
{
	return (int)syscall(SYS_rt_sigprocmask, how, set, old,
	    sizeof(uint64_t));
}

int
sig_parse(const char *s, int *out, char *err, size_t errlen)
{
	const char *n = s;
	long v;
	size_t i;

	if (strncasecmp(n, "SIG", 3) == 0)
		n += 3;
	/* "SIG42" too: sig_name() prints unnamed signals that way. */
	if (isdigit((unsigned char)*n)) {
		if (long_parse(n, 1, SIGRTMAX, &v, NULL, 0) == -1)
			goto bad;
		*out = (int)v;
		return 0;
	}
	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++) {
		if (strcasecmp(n, signames[i].name) == 0) {
			*out = signames[i].sig;
			return 0;
		}
	}
	if (strncasecmp(n, "RTMIN", 5) == 0) {
		v = 0;
		if (n[5] == '+' &&
		    long_parse(n + 6, 0, SIGRTMAX - SIGRTMIN, &v, NULL, 0) == -1)
			goto bad;
		if (n[5] != '+' && n[5] != '\0')
			goto bad;
		*out = SIGRTMIN + (int)v;
		return 0;
	}
bad:
	return fail(err, errlen,
	    "\"%s\" is not a signal (use TERM, SIGTERM or a number)", s);
}

void
argv_free(char **argv)
{
	char **p;

	if (argv == NULL)
		return;
	for (p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

/* A growing string and a growing argv, for the splitters below. */
struct wbuf {
	char	*s;
	size_t	 len, cap;
};

static int
wbuf_add(struct wbuf *b, char c);

/* Makes b an empty string, so that "" is a word of its own. */
static int
wbuf_touch(struct wbuf *b)
{
	if (b->s != NULL)
		return 0;
	if (wbuf_add(b, 'x') == -1)
		return -1;
	b->len = 0;
	b->s[0] = '\0';
	return 0;
}

static int
wbuf_add(struct wbuf *b, char c)
{
	char *n;

	if (b->len + 1 >= b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		if ((n = realloc(b->s, b->cap)) == NULL)
			return -1;
		b->s = n;
	}
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
	return 0;
}

struct vec {
	char	**v;
	int	  n, cap;
};

/* Moves the word in b into v (b is reset). */
static int
vec_push(struct vec *v, struct wbuf *b)
{
	char **n;

	if (v->n + 2 > v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		if ((n = realloc(v->v, sizeof(*n) * (size_t)v->cap)) == NULL)
			return -1;
		v->v = n;
	}
	if (wbuf_touch(b) == -1)
		return -1;
	v->v[v->n++] = b->s;
	v->v[v->n] = NULL;
	memset(b, 0, sizeof(*b));
	return 0;
}

static char **
vec_finish(struct vec *v, int *count)
{
	if (v->v == NULL && (v->v = calloc(1, sizeof(char *))) == NULL)
		return NULL;
	if (count != NULL)
		*count = v->n;
	return v->v;
}

static void *
vec_fail(struct vec *v, struct wbuf *b)
{
	v->v != NULL ? argv_free(v->v) : (void)0;
	free(b->s);
	return NULL;
}

char **
words_split(const char *s, int *argc, char *err, size_t errlen)
{
	struct vec v = { 0 };
	struct wbuf b = { 0 };
	const char *p = s;
	int inword = 0;
	char q;

	for (;;) {
		if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n') {
			if (inword) {
				if (v.n >= TEND_ARGV_MAX) {
					fail(err, errlen, "more than %d words",
					    TEND_ARGV_MAX);
					return vec_fail(&v, &b);
				}
				if (vec_push(&v, &b) == -1)
					goto nomem;
				inword = 0;
			}
			if (*p == '\0')
				break;
			p++;
			continue;
		}
		/* A backslash-newline joins lines; alone it is no word. */
		if (*p == '\\' && p[1] == '\n') {
			p += 2;
			continue;
		}
		inword = 1;
		if (*p == '\\') {
			if (p[1] == '\0') {
				fail(err, errlen, "trailing backslash");
				return vec_fail(&v, &b);
			}
			if (wbuf_add(&b, p[1]) == -1)
				goto nomem;
			p += 2;
		} else if (*p == '\'' || *p == '"') {
			q = *p++;
			if (wbuf_touch(&b) == -1)
				goto nomem;
			while (*p != q) {
				if (*p == '\0') {
					fail(err, errlen,
					    "unterminated %s quote",
					    q == '"' ? "double" : "single");
					return vec_fail(&v, &b);
				}
				if (q == '"' && *p == '\\' &&
				    strchr("\"\\$`\n", p[1]) != NULL &&
				    p[1] != '\0') {
					p++;
					if (*p == '\n') {
						p++;
						continue;
					}
				}
				if (wbuf_add(&b, *p++) == -1)
					goto nomem;
			}
			p++;
		} else if (wbuf_add(&b, *p++) == -1)
			goto nomem;
	}
	return vec_finish(&v, argc);
nomem:
	vec_fail(&v, &b);
	fail(err, errlen, "out of memory");
	errno = ENOMEM;
	return NULL;
}

char *
vars_expand(const char *s, var_getter get, void *arg, char *err,
    size_t errlen)
{
	struct wbuf b = { 0 };
	const char *p = s, *end, *val, *def;
	char name[256];
	size_t namelen;

	if (wbuf_touch(&b) == -1)
		goto nomem;
	while (*p != '\0') {
		if (p[0] == '$' && p[1] == '$') {
			if (wbuf_add(&b, '$') == -1)
				goto nomem;
			p += 2;
			continue;
		}
		if (p[0] != '$' || p[1] != '{') {
			if (wbuf_add(&b, *p++) == -1)
				goto nomem;
			continue;
		}
		if ((end = strchr(p + 2, '}')) == NULL) {
			fail(err, errlen, "unterminated ${ in \"%s\"", s);
			goto out;
		}
		def = NULL;
		namelen = (size_t)(end - (p + 2));
		val = memchr(p + 2, ':', namelen);
		if (val != NULL) {
			if (val[1] != '-') {
				fail(err, errlen, "bad ${...} in \"%s\" "
				    "(use ${VAR} or ${VAR:-default})", s);
				goto out;
			}
			def = val + 2;
			namelen = (size_t)(val - (p + 2));
		}
		if (namelen == 0 || namelen >= sizeof(name)) {
			fail(err, errlen, "bad variable name in \"%s\"", s);
			goto out;
		}
		memcpy(name, p + 2, namelen);
		name[namelen] = '\0';
		if (!isalpha((unsigned char)name[0]) && name[0] != '_')
			goto badname;
		for (size_t i = 1; i < namelen; i++)
			if (!isalnum((unsigned char)name[i]) && name[i] != '_')
				goto badname;
		val = get(name, arg);
		if (val == NULL && def == NULL) {
			fail(err, errlen, "${%s} is not set", name);
			goto out;
		}
		if (val == NULL || (def != NULL && *val == '\0')) {
			for (; def < end; def++)
				if (wbuf_add(&b, *def) == -1)
					goto nomem;
		} else {
			for (; *val != '\0'; val++)
				if (wbuf_add(&b, *val) == -1)
					goto nomem;
		}
		p = end + 1;
	}
	return b.s;
badname:
	fail(err, errlen, "bad variable name \"%s\"", name);
	goto out;
nomem:
	fail(err, errlen, "out of memory");
out:
	free(b.s);
	return NULL;
}

static int
valid_env_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || (!isalpha((unsigned char)s[0]) && s[0] != '_'))
		return 0;
	for (i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

char **
env_list_parse(const char *s, int *count, char *err, size_t errlen)
{
	struct vec v = { 0 };
	struct wbuf b = { 0 };
	const char *p = s, *name;
	size_t namelen;
	char q;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		name = p;
		while (*p != '=' && *p != ',' && *p != '\0')
			p++;
		namelen = (size_t)(p - name);
		while (namelen > 0 && (name[namelen - 1] == ' ' ||
		    name[namelen - 1] == '\t'))
			namelen--;
		if (*p != '=') {
			fail(err, errlen, "\"%.*s\" is not NAME=value",
			    (int)(p - name), name);
			return vec_fail(&v, &b);
		}
		if (!valid_env_name(name, namelen)) {
			fail(err, errlen, "\"%.*s\" is not a variable name",
			    (int)namelen, name);
			return vec_fail(&v, &b);
		}
		for (size_t i = 0; i < namelen; i++)
			if (wbuf_add(&b, name[i]) == -1)
				goto nomem;
		if (wbuf_add(&b, '=') == -1)
			goto nomem;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"' || *p == '\'') {
			q = *p++;
			while (*p != q) {
				if (*p == '\0') {
					fail(err, errlen, "unterminated quote "
					    "in value of %.*s",
					    (int)namelen, name);
					return vec_fail(&v, &b);
				}
				if (q == '"' && *p == '\\' &&
				    (p[1] == '"' || p[1] == '\\'))
					p++;
				if (wbuf_add(&b, *p++) == -1)
					goto nomem;
			}
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ',' && *p != '\0') {
				fail(err, errlen, "text after the quoted "
				    "value of %.*s", (int)namelen, name);
				return vec_fail(&v, &b);
			}
		} else {
			const char *val = p;
			size_t vlen;

			while (*p != ',' && *p != '\0')
				p++;
			vlen = (size_t)(p - val);
			while (vlen > 0 && (val[vlen - 1] == ' ' ||
			    val[vlen - 1] == '\t'))
				vlen--;
			for (size_t i = 0; i < vlen; i++)
				if (wbuf_add(&b, val[i]) == -1)
					goto nomem;
		}
		if (v.n >= TEND_ENV_MAX) {
			fail(err, errlen, "more than %d variables",
			    TEND_ENV_MAX);
			return vec_fail(&v, &b);
		}
		if (vec_push(&v, &b) == -1)
			goto nomem;
		if (*p == ',')
			p++;
	}
	return vec_finish(&v, count);
nomem:
	vec_fail(&v, &b);
	fail(err, errlen, "out of memory");
	errno = ENOMEM;
	return NULL;
}

/* Splits a comma list into trimmed items; empty items are an error. */
static char **
comma_split(const char *s, int *count, char *err, size_t errlen)
{
	struct vec v = { 0 };
	struct wbuf b = { 0 };
	const char *p = s, *item;
	size_t len;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		item = p;
		while (*p != ',' && *p != '\0')
			p++;
		len = (size_t)(p - item);
		while (len > 0 && (item[len - 1] == ' ' ||
		    item[len - 1] == '\t'))
			len--;
		if (len == 0) {
			fail(err, errlen, "empty item in list \"%s\"", s);
			return vec_fail(&v, &b);
		}
		if (v.n >= TEND_ARGV_MAX) {
			fail(err, errlen, "more than %d items", TEND_ARGV_MAX);
			return vec_fail(&v, &b);
		}
		for (size_t i = 0; i < len; i++)
			if (wbuf_add(&b, item[i]) == -1)
				goto nomem;
		if (vec_push(&v, &b) == -1)
			goto nomem;
		if (*p == ',' && *++p == '\0') {
			fail(err, errlen, "empty item in list \"%s\"", s);
			return vec_fail(&v, &b);
		}
	}
	return vec_finish(&v, count);
nomem:
	vec_fail(&v, &b);
	fail(err, errlen, "out of memory");
	errno = ENOMEM;
	return NULL;
}

int
codes_parse(const char *s, unsigned char codes[256], char *err, size_t errlen)
{
	char **items, ebuf[UTIL_ERR_MAX];
	int n, i;
	long v;

	if ((items = comma_split(s, &n, err, errlen)) == NULL)
		return -1;
	if (n == 0) {
		argv_free(items);
		return fail(err, errlen, "empty list of exit codes");
	}
	memset(codes, 0, 256);
	for (i = 0; i < n; i++) {
		if (long_parse(items[i], 0, 255, &v, ebuf, sizeof(ebuf)) == -1) {
			fail(err, errlen, "exit code %s", ebuf);
			argv_free(items);
			return -1;
		}
		codes[v] = 1;
	}
	argv_free(items);
	return 0;
}

char **
names_parse(const char *s, int *count, char *err, size_t errlen)
{
	return comma_split(s, count, err, errlen);
}

int
sockpath_check(const char *s, char *err, size_t errlen)
{
	struct sockaddr_un sun;

	if (*s == '\0') {
		snprintf(err, errlen, "empty path (use \"none\" for no "
		    "control socket)");
		return -1;
	}
	if (strlen(s) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "\"%.40s...\" is longer than the %zu "
		    "bytes a socket path may have", s,
		    sizeof(sun.sun_path) - 1);
		return -1;
	}
	return 0;
}

/* The port after the address: 1-65535, digits only. */
static int
port_parse(const char *s, in_port_t *port)
{
	long l;

	if (s[strspn(s, "0123456789")] != '\0' ||
	    long_parse(s, 1, 65535, &l, NULL, 0) == -1)
		return -1;
	*port = htons((uint16_t)l);
	return 0;
}

int
hostport_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len,
    char *err, size_t errlen)
{
	struct sockaddr_storage st;
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&st;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&st;
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *h = s;
	size_t hl;

	memset(&st, 0, sizeof(st));
	if ((colon = strrchr(s, ':')) == NULL)
		goto bad;
	hl = (size_t)(colon - s);
	if (*s == '[') {	/* [v6]:port */
		if (hl < 2 || s[hl - 1] != ']')
			goto bad;
		h = s + 1;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host))
		goto bad;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (h == s && inet_pton(AF_INET, host, &sin->sin_addr) == 1 &&
	    port_parse(colon + 1, &sin->sin_port) == 0) {
		sin->sin_family = AF_INET;
		if (len != NULL)
			*len = sizeof(*sin);
	} else if (h != s && inet_pton(AF_INET6, host, &sin6->sin6_addr) ==
	    1 && port_parse(colon + 1, &sin6->sin6_port) == 0) {
		sin6->sin6_family = AF_INET6;
		if (len != NULL)
			*len = sizeof(*sin6);
	} else
		goto bad;
	if (ss != NULL)
		*ss = st;
	return 0;
bad:
	snprintf(err, errlen, "\"%s\" is not ADDR:PORT (a numeric address "
	    "such as 127.0.0.1:9102 or [::1]:9102, port 1-65535)", s);
	return -1;
}

void
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->buf, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	char small[256], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		sbuf_add(b, small, (size_t)n);
		return;
	}
	va_start(ap, fmt);
	n = vasprintf(&big, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	sbuf_add(b, big, (size_t)n);
	free(big);
}

void
sbuf_free(struct sbuf *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

/*
 * Reads /proc/PID/stat into buf (one bounded read) and returns what
 * follows "(comm) ", the state letter on; NULL with errno.
 */
static const char *
proc_stat_read(pid_t pid, char *buf, size_t size)
{
	char path[32], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0) {
		errno = n == 0 ? ESRCH : errno;
		return NULL;
	}
	buf[n] = '\0';
	/* "pid (comm) S ppid ...": comm may hold anything, even ") ". */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ' || p[2] == '\0') {
		errno = EINVAL;
		return NULL;
	}
	return p + 2;
}

int
proc_stat(pid_t pid, char *state, pid_t *ppid)
{
	char buf[512];
	const char *p;
	int pp;

	if ((p = proc_stat_read(pid, buf, sizeof(buf))) == NULL)
		return -1;
	if (sscanf(p + 1, "%d", &pp) != 1) {
		errno = EINVAL;
		return -1;
	}
	*state = p[0];
	*ppid = (pid_t)pp;
	return 0;
}

int
proc_stat_start(pid_t pid, pid_t *ppid, unsigned long long *start)
{
	char buf[512], *end;
	const char *p;
	long pp;

	if ((p = proc_stat_read(pid, buf, sizeof(buf))) == NULL)
		return -1;
	/* Field 4 (ppid), then on to field 22 (starttime) of proc(5). */
	errno = 0;
	pp = strtol(p + 1, &end, 10);
	for (int f = 4; f < 21 && end != NULL; f++)
		end = strchr(end + 1, ' ');
	if (end == NULL || errno != 0) {
		errno = EINVAL;
		return -1;
	}
	*start = strtoull(end + 1, NULL, 10);
	*ppid = (pid_t)pp;
	return 0;
}

double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The length of the well-formed UTF-8 character at s (Unicode's table
 * 3-7: no overlongs, no surrogates, nothing above U+10FFFF), or minus
 * the length of its maximal ill-formed subpart: the bytes one U+FFFD
 * stands for, at least 1.
 */
static int
utf8_char(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4;
	else
		return -1;	/* a continuation byte, C0, C1, F5-FF */
	if (s[0] == 0xe0)
		lo = 0xa0;	/* overlong below U+0800 */
	else if (s[0] == 0xed)
		hi = 0x9f;	/* U+D800-DFFF, surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;	/* overlong below U+10000 */
	else if (s[0] == 0xf4)
		hi = 0x8f;	/* above U+10FFFF */
	for (size_t i = 1; i < need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi)
			return -(int)i;
		lo = 0x80;
		hi = 0xbf;
	}
	return (int)need;
}

size_t
utf8_copy(char *dst, size_t size, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, i = 0, k;
	int c;

	if (size == 0)
		return 0;
	while (i < n) {
		c = utf8_char(s + i, n - i);
		k = c > 0 ? (size_t)c : 3;	/* U+FFFD is 3 bytes */
		if (o + k > size - 1)
			break;		/* only whole characters */
		if (c > 0)
			memcpy(dst + o, s + i, k);
		else
			memcpy(dst + o, "\xef\xbf\xbd", 3);
		o += k;
		i += c > 0 ? (size_t)c : (size_t)-c;
	}
	dst[o] = '\0';
	return o;
}

int
utf8_valid(const char *s, size_t n)
{
	int c;

	for (size_t i = 0; i < n; i += (size_t)c)
		if ((c = utf8_char((const unsigned char *)s + i, n - i)) < 0)
			return 0;
	return 1;
}
