/*
 * tendctl.c: the command-line client of tend's control socket. One command
 * is one HTTP/1.1 request over the Unix socket: the reply's body goes to
 * stdout and its status becomes the exit status (0 done, 1 refused or
 * unreachable, 2 usage). Routes and what they render are control.c's.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define EXIT_FAIL	1
#define EXIT_USAGE	2

#define CTL_TIMEOUT		10.0	/* one request, connect to last byte */
#define CTL_READY_TIMEOUT	60.0	/* wait-ready without --timeout */
#define CTL_READY_TEXT		"60s"	/* the same, as usage shows it */
#define CTL_RETRY_MSEC		50	/* wait-ready, full backlog: retries */
#define CTL_RESPONSE_MAX	((size_t)64 << 20) /* a whole response */
#define CTL_ERR_MAX		1024	/* one error message */
#define CTL_QUOTE_MAX		200	/* server text quoted in a message */
#define WORDS_MAX		4	/* COMMAND NAME SIG, and one too many */

/* Options a command accepts (struct command.allow). */
#define ALLOW_JSON	0x1
#define ALLOW_ROLLING	0x2
#define ALLOW_TIMEOUT	0x4

struct command {
	const char	*name;
	const char	*method;
	const char	*path;		/* the target, or the verb after NAME */
	const char	*json_path;	/* the target with --json */
	int		 nargs;		/* words after the command: NAME, SIG */
	unsigned	 allow;		/* ALLOW_* */
};

static const struct command commands[] = {
	{ "status", "GET", "/status?format=text", "/status", 0, ALLOW_JSON },
	{ "metrics", "GET", "/metrics", NULL, 0, 0 },
	{ "health", "GET", "/health", NULL, 0, 0 },
	{ "start", "POST", "start", NULL, 1, 0 },
	{ "stop", "POST", "stop", NULL, 1, 0 },
	{ "restart", "POST", "restart", NULL, 1, ALLOW_ROLLING },
	{ "signal", "POST", "signal", NULL, 2, 0 },
	{ "reload", "POST", "/reload", NULL, 0, 0 },
	{ "shutdown", "POST", "/shutdown", NULL, 0, 0 },
	{ "wait-ready", "GET", "/health", NULL, 0, ALLOW_TIMEOUT },
};

struct options {
	const char		*socket;	/* -s, borrowed from argv */
	const struct command	*cmd;
	const char		*args[2];	/* NAME, SIG: borrowed, argv */
	int			 json, rolling;
	double			 timeout;	/* wait-ready, seconds */
	const char		*timeout_text;	/* as given, for messages */
};

struct response {
	char		*buf;		/* owned: the raw bytes as received */
	size_t		 len, cap;
	size_t		 scanned;	/* searched for the header's end */
	size_t		 head_len;	/* through CRLFCRLF; 0 until seen */
	long long	 content_length; /* -1: the body runs to EOF */
	int		 code;
	const char	*reason;	/* into buf, reason_len bytes */
	int		 reason_len;
	const char	*body;		/* into buf, body_len bytes */
	size_t		 body_len;
};

enum req_result {
	REQ_OK,		/* res holds a complete response */
	REQ_CONNECT,	/* connect failed: conn_errno */
	REQ_TIMEOUT,	/* the deadline passed: err */
	REQ_ERROR,	/* anything else: err */
};

/* One request on one connection. */
struct client {
	const char	*path;		/* borrowed: the socket path */
	double		 deadline;	/* CLOCK_MONOTONIC seconds */
	int		 fd;
	int		 conn_errno;
	int		 send_errno;	/* EPIPE, ECONNRESET: told after read */
	char		 err[CTL_ERR_MAX];
	struct response	 res;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: tendctl [-s SOCKET] COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  status [--json]           programs and instances: a table, or JSON\n"
"  metrics                   Prometheus metrics\n"
"  health                    print health; exit 0 when healthy, else 1\n"
"  start NAME                start a program, or one instance as NAME:INDEX\n"
"  stop NAME                 stop a program or an instance\n"
"  restart [--rolling] NAME  restart; --rolling: one instance at a time\n"
"  signal NAME SIG           send SIG (HUP, SIGUSR1, 10) to NAME\n"
"  reload                    re-read the config file\n"
"  shutdown                  stop every program, then tend\n"
"  wait-ready [--timeout D]  wait until healthy, at most D (default %s)\n"
"\n"
"Options go before or after COMMAND; --json, --rolling and --timeout only\n"
"with the command shown.\n"
"  -s, --socket PATH   control socket; default $TEND_SOCKET, else\n"
"                      /run/tend.sock as root, $XDG_RUNTIME_DIR/tend.sock\n"
"                      for other users\n"
"  -h, --help          this text\n"
"      --version       print the version\n"
"\n"
"Exit status: 0 done, 1 refused, failed or unreachable, 2 usage error.\n",
	    CTL_READY_TEXT);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tendctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n");
	usage(stderr);
	exit(EXIT_USAGE);
}

/* The command and its words, checked against its table entry. */
static void
check_words(struct options *o, const char **words, int nwords,
    unsigned given)
{
	static const char *argnames[] = { "NAME", "SIG" };
	char err[UTIL_ERR_MAX];
	size_t i;
	int sig;

	if (nwords == 0)
		usage_error("no COMMAND given");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(words[0], commands[i].name) == 0)
			o->cmd = &commands[i];
	if (o->cmd == NULL)
		usage_error("unknown command \"%s\"", words[0]);
	if (given & ~o->cmd->allow & ALLOW_JSON)
		usage_error("--json is only for status");
	if (given & ~o->cmd->allow & ALLOW_ROLLING)
		usage_error("--rolling is only for restart");
	if (given & ~o->cmd->allow & ALLOW_TIMEOUT)
		usage_error("--timeout is only for wait-ready");
	if (nwords - 1 < o->cmd->nargs)
		usage_error("%s: missing %s", words[0], argnames[nwords - 1]);
	if (nwords - 1 > o->cmd->nargs)
		usage_error("%s: unexpected argument \"%s\"", words[0],
		    words[o->cmd->nargs + 1]);
	for (i = 0; i < (size_t)o->cmd->nargs; i++)
		if (*(o->args[i] = words[i + 1]) == '\0')
			usage_error("%s: %s is empty", words[0], argnames[i]);
	if (o->cmd->nargs == 2 &&
	    sig_parse(o->args[1], &sig, err, sizeof(err)) == -1)
		usage_error("signal: %s", err);
}

enum { OPT_JSON = 256, OPT_ROLLING, OPT_TIMEOUT, OPT_VERSION };
static const struct option longopts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "rolling", no_argument, NULL, OPT_ROLLING },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Keeps the first WORDS_MAX words, counts them all (check_words says
 * which one is too many). */
static void
add_word(const char **words, int *nwords, const char *w)
{
	if (*nwords < WORDS_MAX)
		words[*nwords] = w;
	(*nwords)++;
}

/* getopt with '-' hands words back in order as 1, so options may follow
 * COMMAND whatever POSIXLY_CORRECT says; ':' reports a missing argument. */
static void
parse_options(int argc, char **argv, struct options *o)
{
	char err[UTIL_ERR_MAX];
	const char *words[WORDS_MAX];
	unsigned given = 0;
	int c, nwords = 0;

	memset(o, 0, sizeof(*o));
	o->timeout = CTL_READY_TIMEOUT;
	o->timeout_text = CTL_READY_TEXT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "-:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 1:
			add_word(words, &nwords, optarg);
			break;
		case 's':
			if (*optarg == '\0')
				usage_error("--socket: the path is empty");
			o->socket = optarg;
			break;
		case OPT_JSON:
			o->json = 1;
			given |= ALLOW_JSON;
			break;
		case OPT_ROLLING:
			o->rolling = 1;
			given |= ALLOW_ROLLING;
			break;
		case OPT_TIMEOUT:
			if (duration_parse(optarg, &o->timeout, err,
			    sizeof(err)) == -1)
				usage_error("--timeout: %s", err);
			o->timeout_text = optarg;
			given |= ALLOW_TIMEOUT;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_VERSION:
			printf("tendctl %s\n", PACKAGE_VERSION);
			exit(0);
		case ':':
			usage_error("%s needs an argument", argv[optind - 1]);
		default:
			if (optopt != 0)
				usage_error("unknown option \"-%c\"", optopt);
			usage_error("unknown option \"%s\"", argv[optind - 1]);
		}
	}
	while (optind < argc)		/* after "--": words only */
		add_word(words, &nwords, argv[optind++]);
	check_words(o, words, nwords, given);
}

/*
 * -s, else $TEND_SOCKET, else /run/tend.sock for root and
 * $XDG_RUNTIME_DIR/tend.sock for others, as tend itself picks. *out is
 * malloc'd. Returns 0, or an exit status with the message printed.
 */
static int
socket_path(const char *opt, char **out)
{
	struct sockaddr_un sun;
	const char *env = getenv("TEND_SOCKET"), *xdg;
	int n;

	if (opt != NULL)
		n = asprintf(out, "%s", opt);
	else if (env != NULL && *env != '\0')
		n = asprintf(out, "%s", env);
	else if (geteuid() == 0)
		n = asprintf(out, "%s", "/run/tend.sock");
	else if ((xdg = getenv("XDG_RUNTIME_DIR")) != NULL && *xdg != '\0')
		n = asprintf(out, "%s/tend.sock", xdg);
	else {
		fprintf(stderr, "tendctl: no control socket path: "
		    "XDG_RUNTIME_DIR is not set (use -s PATH or "
		    "TEND_SOCKET)\n");
		return EXIT_FAIL;
	}
	if (n == -1) {
		*out = NULL;
		fprintf(stderr, "tendctl: asprintf: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	if ((size_t)n >= sizeof(sun.sun_path)) {
		fprintf(stderr, "tendctl: socket path is too long (%d bytes, "
		    "a socket path has at most %zu): %s\n", n,
		    sizeof(sun.sun_path) - 1, *out);
		free(*out);
		*out = NULL;
		return EXIT_USAGE;
	}
	return 0;
}

/* s with every byte outside [A-Za-z0-9._~:-] as %XX: malloc'd or NULL. */
static char *
path_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char ch;
	char *out, *p;

	if ((out = malloc(strlen(s) * 3 + 1)) == NULL)
		return NULL;
	for (p = out; (ch = (unsigned char)*s) != '\0'; s++) {
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || strchr("._~:-", ch) != NULL) {
			*p++ = (char)ch;
			continue;
		}
		*p++ = '%';
		*p++ = hex[ch >> 4];
		*p++ = hex[ch & 0xf];
	}
	*p = '\0';
	return out;
}

/* The request target for o->cmd: a fixed path, or /programs/NAME/VERB
 * with NAME (and SIG) percent-encoded. malloc'd, or NULL (ENOMEM). */
static char *
command_target(const struct options *o)
{
	const struct command *cmd = o->cmd;
	char *name, *sig = NULL, *t = NULL;

	if (cmd->nargs == 0)
		return strdup(o->json ? cmd->json_path : cmd->path);
	name = path_encode(o->args[0]);
	if (cmd->nargs == 2)
		sig = path_encode(o->args[1]);
	if (name != NULL && (cmd->nargs == 1 || sig != NULL) &&
	    asprintf(&t, "/programs/%s/%s%s%s%s", name, cmd->path,
	    sig != NULL ? "/" : "", sig != NULL ? sig : "",
	    o->rolling ? "?rolling=1" : "") == -1)
		t = NULL;
	free(name);
	free(sig);
	return t;
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Milliseconds until deadline, rounded up, for poll(); 0 once passed. */
static int
msec_left(double deadline)
{
	double left = deadline - now_mono();

	if (left <= 0)
		return 0;
	if (left >= INT_MAX / 1000)
		return INT_MAX;
	return (int)(left * 1000 + 0.999);
}

/* Waits msec, or until the deadline if sooner: poll's timeout is the wait
 * (a client; no loop to keep turning). */
static void
pause_msec(int msec, double deadline)
{
	int left = msec_left(deadline);

	poll(NULL, 0, left < msec ? left : msec);
}

/* Waits for events on c->fd: 0, or -1 with errno (ETIMEDOUT at the
 * deadline). EINTR resumes the wait. */
static int
wait_fd(struct client *c, short events)
{
	struct pollfd p = { .fd = c->fd, .events = events };
	int ms, n;

	for (;;) {
		if ((ms = msec_left(c->deadline)) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if ((n = poll(&p, 1, ms)) > 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return -1;
	}
}

static enum req_result __attribute__((format(printf, 3, 4)))
client_fail(struct client *c, enum req_result r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return r;
}

/* A syscall's failure: the deadline's own message for ETIMEDOUT. */
static enum req_result
client_syserr(struct client *c, const char *call)
{
	if (errno == ETIMEDOUT)
		return client_fail(c, REQ_TIMEOUT, "%s: no response in time",
		    c->path);
	return client_fail(c, REQ_ERROR, "%s: %s: %s", c->path, call,
	    strerror(errno));
}

/*
 * Connects a nonblocking socket to c->path. An AF_UNIX connect completes
 * at once or fails; EAGAIN (the listener's backlog is full) is retried
 * every CTL_RETRY_MSEC until the deadline. Returns REQ_OK, REQ_CONNECT
 * with conn_errno, or REQ_ERROR.
 */
static enum req_result
client_connect(struct client *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	/* socket_path() checked that the path fits. */
	memcpy(sun.sun_path, c->path, strlen(c->path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd == -1)
		return client_syserr(c, "socket");
	for (;;) {
		if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return REQ_OK;
		if ((errno != EAGAIN && errno != EINTR) ||
		    msec_left(c->deadline) == 0) {
			c->conn_errno = errno;
			return REQ_CONNECT;
		}
		pause_msec(CTL_RETRY_MSEC, c->deadline);
	}
}

/*
 * Sends len bytes of req. A server that closed early (EPIPE, ECONNRESET)
 * may have said why, so that is kept in send_errno for after the read.
 */
static enum req_result
client_send(struct client *c, const char *req, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		if ((n = send(c->fd, req + off, len - off, MSG_NOSIGNAL)) >= 0)
			off += (size_t)n;
		else if (errno == EPIPE || errno == ECONNRESET) {
			c->send_errno = errno;
			break;
		} else if (errno == EAGAIN) {
			if (wait_fd(c, POLLOUT) == -1)
				return client_syserr(c, "poll");
		} else if (errno != EINTR)
			return client_syserr(c, "send");
	}
	return REQ_OK;
}

/* Content-Length's value: digits between optional blanks. A value over
 * CTL_RESPONSE_MAX saturates at one more. Returns 0 or -1. */
static int
length_parse(const char *s, const char *end, long long *out)
{
	long long v = 0;
	int digits = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	for (; s < end && *s >= '0' && *s <= '9'; s++, digits++)
		if ((v = v * 10 + (*s - '0')) > (long long)CTL_RESPONSE_MAX)
			v = (long long)CTL_RESPONSE_MAX + 1;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (digits == 0 || s != end || (*out != -1 && *out != v))
		return -1;
	*out = v;
	return 0;
}

/* Copies at most CTL_QUOTE_MAX bytes of s to out, marking a cut with
 * "...": what a message quotes of server text. Returns out. */
static char *
quote(char *out, size_t outlen, const char *s, size_t n)
{
	if (n > CTL_QUOTE_MAX)
		snprintf(out, outlen, "%.*s...", CTL_QUOTE_MAX, s);
	else
		snprintf(out, outlen, "%.*s", (int)n, s);
	return out;
}

/*
 * Parses the status line and the headers in buf[0, head_len): code, reason
 * and Content-Length. Pure; returns 0, or -1 with a message in err.
 */
static int
head_parse(struct response *r, char *err, size_t errlen)
{
	const char *p = r->buf, *end = r->buf + r->head_len - 2, *eol, *colon;
	char q[CTL_QUOTE_MAX + 4];

	eol = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
	if (eol - p < 12 || memcmp(p, "HTTP/1.", 7) != 0 ||
	    p[7] < '0' || p[7] > '9' || p[8] != ' ' ||
	    strspn(p + 9, "0123456789") < 3 || (eol > p + 12 && p[12] != ' ')) {
		snprintf(err, errlen, "status line \"%s\" is not HTTP/1.x CODE "
		    "REASON", quote(q, sizeof(q), p, (size_t)(eol - p)));
		return -1;
	}
	r->code = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	r->reason = eol > p + 12 ? p + 13 : eol;
	r->reason_len = (int)(eol - r->reason);
	for (p = eol + 2; p < end; p = eol + 2) {
		eol = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
		if ((colon = memchr(p, ':', (size_t)(eol - p))) == NULL) {
			snprintf(err, errlen, "header line \"%s\" has no colon",
			    quote(q, sizeof(q), p, (size_t)(eol - p)));
			return -1;
		}
		if (colon - p == 14 &&
		    strncasecmp(p, "Content-Length", 14) == 0 &&
		    length_parse(colon + 1, eol, &r->content_length) == -1) {
			snprintf(err, errlen, "bad Content-Length \"%s\"",
			    quote(q, sizeof(q), colon + 1,
			    (size_t)(eol - colon - 1)));
			return -1;
		}
		if (r->content_length > (long long)CTL_RESPONSE_MAX) {
			snprintf(err, errlen, "larger than %zu MiB",
			    CTL_RESPONSE_MAX >> 20);
			return -1;
		}
		if (colon - p == 17 &&
		    strncasecmp(p, "Transfer-Encoding", 17) == 0) {
			snprintf(err, errlen, "Transfer-Encoding is not "
			    "supported");
			return -1;
		}
	}
	return 0;
}

/* Room for more of the response, up to one byte past CTL_RESPONSE_MAX (so
 * that a response over the limit shows). Returns 0 or -1 (errno). */
static int
response_grow(struct response *r)
{
	size_t cap;
	char *buf;

	if (r->len < r->cap)
		return 0;
	if (r->cap > CTL_RESPONSE_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	cap = r->cap == 0 ? 16384 : r->cap * 2;
	if (cap > CTL_RESPONSE_MAX + 1)
		cap = CTL_RESPONSE_MAX + 1;
	if ((buf = realloc(r->buf, cap)) == NULL)
		return -1;
	r->buf = buf;
	r->cap = cap;
	return 0;
}

/* Looks for the header's end in what arrived; parses the header there.
 * Returns 0 (found or not yet) or -1 with c->err set. */
static int
response_scan(struct client *c)
{
	struct response *r = &c->res;
	const char *hit;
	char err[CTL_ERR_MAX / 2];

	if (r->head_len != 0 || r->len < 4)
		return 0;
	/* Start 3 bytes back: CRLFCRLF may straddle two reads. */
	hit = memmem(r->buf + r->scanned, r->len - r->scanned, "\r\n\r\n", 4);
	r->scanned = r->len - 3;
	if (hit == NULL)
		return 0;
	r->head_len = (size_t)(hit - r->buf) + 4;
	if (head_parse(r, err, sizeof(err)) == -1) {
		client_fail(c, REQ_ERROR, "bad response from %s: %s", c->path,
		    err);
		return -1;
	}
	return 0;
}

/* Whether all the response is in: the header, then Content-Length
 * bytes (a body to EOF is complete at EOF only). */
static int
response_done(const struct response *r)
{
	return r->head_len != 0 && r->content_length >= 0 &&
	    r->len - r->head_len >= (size_t)r->content_length;
}

/* The response as it ended at EOF or complete: framed, or an error. */
static enum req_result
response_finish(struct client *c)
{
	struct response *r = &c->res;

	if (r->head_len == 0 && r->len == 0 && c->send_errno != 0) {
		errno = c->send_errno;
		return client_syserr(c, "send");
	}
	if (r->head_len == 0)
		return client_fail(c, REQ_ERROR, "bad response from %s: %s",
		    c->path, r->len == 0 ? "closed without a response" :
		    "closed inside the header");
	r->body = r->buf + r->head_len;
	r->body_len = r->len - r->head_len;
	if (r->content_length >= 0 && r->body_len < (size_t)r->content_length)
		return client_fail(c, REQ_ERROR, "bad response from %s: body "
		    "cut short (%zu of %lld bytes)", c->path, r->body_len,
		    r->content_length);
	if (r->content_length >= 0)
		r->body_len = (size_t)r->content_length;
	return REQ_OK;
}

/* Reads the response until it is complete, EOF or the deadline. */
static enum req_result
response_read(struct client *c)
{
	struct response *r = &c->res;
	ssize_t n;

	while (!response_done(r)) {
		if (response_grow(r) == -1) {
			if (errno == EMSGSIZE)
				return client_fail(c, REQ_ERROR, "bad response "
				    "from %s: larger than %zu MiB", c->path,
				    CTL_RESPONSE_MAX >> 20);
			return client_syserr(c, "realloc");
		}
		n = recv(c->fd, r->buf + r->len, r->cap - r->len, 0);
		if (n > 0) {
			r->len += (size_t)n;
			if (response_scan(c) == -1)
				return REQ_ERROR;
		} else if (n == 0)
			break;
		else if (errno == EAGAIN) {
			if (wait_fd(c, POLLIN) == -1)
				return client_syserr(c, "poll");
		} else if (errno != EINTR)
			return client_syserr(c, "recv");
	}
	return response_finish(c);
}

static void
client_init(struct client *c, const char *path, double deadline)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->deadline = deadline;
	c->fd = -1;
	c->res.content_length = -1;
}

static void
client_free(struct client *c)
{
	if (c->fd != -1)
		close(c->fd);
	free(c->res.buf);
}

/* One request, its response in c->res. */
static enum req_result
client_request(struct client *c, const char *method, const char *target)
{
	enum req_result rr;
	char *req;
	int n;

	if ((rr = client_connect(c)) != REQ_OK)
		return rr;
	n = asprintf(&req, "%s %s HTTP/1.1\r\nHost: localhost\r\n"
	    "User-Agent: tendctl/%s\r\nConnection: close\r\n%s\r\n", method,
	    target, PACKAGE_VERSION,
	    strcmp(method, "POST") == 0 ? "Content-Length: 0\r\n" : "");
	if (n == -1)
		return client_syserr(c, "asprintf");
	rr = client_send(c, req, (size_t)n);
	free(req);
	if (rr != REQ_OK)
		return rr;
	return response_read(c);
}

static void
connect_error(const struct client *c)
{
	int e = c->conn_errno;

	fprintf(stderr, "tendctl: cannot connect to %s: %s%s\n", c->path,
	    strerror(e), e == ENOENT || e == ECONNREFUSED ?
	    " (is tend running? try -s)" : "");
}

/* The length of the body's first line, without its CR LF. */
static size_t
first_line(const struct response *r)
{
	const char *nl = memchr(r->body, '\n', r->body_len);
	size_t n = nl != NULL ? (size_t)(nl - r->body) : r->body_len;

	return n > 0 && r->body[n - 1] == '\r' ? n - 1 : n;
}

/* "tendctl: stop: 404 Not Found: no program "x"" on stderr. */
static void
status_error(const char *name, const struct response *r)
{
	size_t n = first_line(r);

	fprintf(stderr, "tendctl: %s: %d%s%.*s%s%.*s\n", name, r->code,
	    r->reason_len > 0 ? " " : "", r->reason_len, r->reason,
	    n > 0 ? ": " : "", (int)n, r->body);
}

static int
body_write(const struct response *r)
{
	if (fwrite(r->body, 1, r->body_len, stdout) != r->body_len ||
	    fflush(stdout) == EOF) {
		fprintf(stderr, "tendctl: stdout: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

/* Every command but wait-ready: one request, body out, status in. */
static int
run_command(const char *path, const struct options *o)
{
	const struct response *r;
	struct client c;
	char *target;
	int rc = EXIT_FAIL;

	if ((target = command_target(o)) == NULL) {
		fprintf(stderr, "tendctl: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	client_init(&c, path, now_mono() + CTL_TIMEOUT);
	r = &c.res;
	switch (client_request(&c, o->cmd->method, target)) {
	case REQ_OK:
		if (strcmp(o->cmd->name, "health") == 0)
			rc = body_write(r) != 0 || r->code != 200 ?
			    EXIT_FAIL : 0;
		else if (r->code >= 200 && r->code < 300)
			rc = body_write(r);
		else
			status_error(o->cmd->name, r);
		break;
	case REQ_CONNECT:
		connect_error(&c);
		break;
	default:
		fprintf(stderr, "tendctl: %s\n", c.err);
	}
	client_free(&c);
	free(target);
	return rc;
}

/*
 * One GET /health for wait-ready: 0 when ready, -1 when not yet (why in
 * reason), or EXIT_FAIL on an error no retry mends (printed).
 */
static int
ready_attempt(struct client *c, char *reason, size_t len)
{
	char q[CTL_QUOTE_MAX + 4];
	int e;

	switch (client_request(c, "GET", "/health")) {
	case REQ_OK:
		if (c->res.code == 200)
			return 0;
		if (c->res.code != 503)
			break;
		snprintf(reason, len, "%s", first_line(&c->res) == 0 ?
		    "503 with no reason" :
		    quote(q, sizeof(q), c->res.body, first_line(&c->res)));
		return -1;
	case REQ_CONNECT:
		e = c->conn_errno;
		if (e != ENOENT && e != ECONNREFUSED && e != EAGAIN)
			break;
		snprintf(reason, len, "cannot connect to %s: %s", c->path,
		    strerror(e));
		return -1;
	case REQ_TIMEOUT:
		snprintf(reason, len, "%s", c->err);
		return -1;
	case REQ_ERROR:
		break;
	}
	if (c->conn_errno != 0)
		connect_error(c);
	else if (c->err[0] != '\0')
		fprintf(stderr, "tendctl: %s\n", c->err);
	else
		status_error("wait-ready", &c->res);
	return EXIT_FAIL;
}

/* GET /health every CTL_RETRY_MSEC until a 200 or o->timeout passes. */
static int
wait_ready(const char *path, const struct options *o)
{
	char reason[CTL_ERR_MAX] = "no answer";
	double deadline = now_mono() + o->timeout;
	struct client c;
	int rc;

	for (;;) {
		client_init(&c, path, deadline);
		rc = ready_attempt(&c, reason, sizeof(reason));
		client_free(&c);
		if (rc != -1)
			return rc;
		/* No try at the deadline: it could only time out, and the
		 * last real answer is the better reason. */
		if (msec_left(deadline) == 0)
			break;
		pause_msec(CTL_RETRY_MSEC, deadline);
		if (msec_left(deadline) == 0)
			break;
	}
	fprintf(stderr, "tendctl: wait-ready: not ready after %s: %s\n",
	    o->timeout_text, reason);
	return EXIT_FAIL;
}

int
main(int argc, char **argv)
{
	struct options o;
	char *path;
	int rc;

	parse_options(argc, argv, &o);
	if ((rc = socket_path(o.socket, &path)) != 0)
		return rc;
	if (strcmp(o.cmd->name, "wait-ready") == 0)
		rc = wait_ready(path, &o);
	else
		rc = run_command(path, &o);
	free(path);
	return rc;
}
