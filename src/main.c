/*
 * main.c: options, mode choice (wrapper or config), startup order and the
 * exit status. Read it top to bottom as the script of a tend run; the work
 * is done by the modules it calls.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "tend.h"
#include "config.h"
#include "control.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "program.h"
#include "signals.h"
#include "supervise.h"
#include "util.h"

#define EXIT_USAGE 2

struct options {
	const char	*config;
	const char	*socket;	/* -s, NULL = not given */
	int		 check;
	int		 numprocs;	/* 0 = not given */
	int		 restart;	/* -1 = not given */
	int		 stop_signal;	/* 0 = not given */
	double		 stop_timeout;	/* < 0 = not given */
	int		 group;
	int		 log_level;	/* -1 = not given */
	int		 log_format;	/* -1 = not given */
	int		 verbosity;	/* -q/-v */
	char		**argv;		/* wrapper mode command, borrowed */
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: tend [OPTIONS] -- COMMAND [ARG...]   run one program (wrapper mode)\n"
"       tend [OPTIONS] -c FILE               run the programs in FILE\n"
"       tend --check -c FILE                 validate FILE, print every problem\n"
"       tend --version | --help\n"
"\n"
"Options:\n"
"  -c, --config FILE          configuration file (config mode)\n"
"      --check                parse and validate, exit 0 (fine) or 2\n"
"  -s, --socket PATH          control socket, or \"none\" (default: socket =\n"
"                             in FILE, $TEND_SOCKET, /run/tend.sock as\n"
"                             root, else $XDG_RUNTIME_DIR/tend.sock)\n"
"  -n, --numprocs N           instances of COMMAND, 1..%d (wrapper mode)\n"
"      --restart POLICY       always | on-failure | never (wrapper mode;\n"
"                             default never)\n"
"      --stop-timeout DUR     drain deadline after the stop signal\n"
"                             (wrapper mode; default 10s)\n"
"      --stop-signal SIG      signal that asks COMMAND to stop (wrapper\n"
"                             mode; default TERM)\n"
"  -g, --group                send every signal to COMMAND's whole process\n"
"                             group (kill_mode = group; default: COMMAND\n"
"                             alone, its group only killed at the end)\n"
"      --log-level LEVEL      error | warn | info | debug (default info)\n"
"      --log-format FORMAT    text | json (default text)\n"
"  -q, --quiet                one log level less (repeatable)\n"
"  -v, --verbose              one log level more (repeatable)\n"
"  -V, --version              print the version and exit\n"
"  -h, --help                 print this help and exit\n"
"\n"
"Durations take ms, s, m, h (a bare number is seconds). Signals are names\n"
"(TERM, SIGTERM) or numbers. Exit status: wrapper mode, COMMAND's status\n"
"(128+N if signal N ended it); config mode, 0 if every program drained in\n"
"time, 1 if one had to be killed; 2 for a usage or configuration error.\n",
	    TEND_NUMPROCS_MAX);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tend: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'tend --help'\n");
	exit(EXIT_USAGE);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_CHECK = 256, OPT_RESTART, OPT_STOP_TIMEOUT,
	    OPT_STOP_SIGNAL, OPT_LOG_LEVEL, OPT_LOG_FORMAT };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "socket", required_argument, NULL, 's' },
		{ "numprocs", required_argument, NULL, 'n' },
		{ "restart", required_argument, NULL, OPT_RESTART },
		{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
		{ "stop-signal", required_argument, NULL, OPT_STOP_SIGNAL },
		{ "group", no_argument, NULL, 'g' },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[UTIL_ERR_MAX];
	enum log_level lv;
	enum log_format lf;
	long l;
	int c;

	memset(o, 0, sizeof(*o));
	o->restart = o->log_level = o->log_format = -1;
	o->stop_timeout = -1;
	/* '+': stop at COMMAND, so its own options stay its own. */
	while ((c = getopt_long(argc, argv, "+c:s:n:gqvVh", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case OPT_CHECK:
			o->check = 1;
			break;
		case 's':
			if (sockpath_check(optarg, err, sizeof(err)) == -1)
				usage_error("--socket: %s", err);
			o->socket = optarg;
			break;
		case 'n':
			if (long_parse(optarg, 1, TEND_NUMPROCS_MAX, &l, err,
			    sizeof(err)) == -1)
				usage_error("--numprocs: %s", err);
			o->numprocs = (int)l;
			break;
		case OPT_RESTART:
			if (restart_policy_parse(optarg, &o->restart) == -1)
				usage_error("--restart: \"%s\" is not a restart "
				    "policy (use always, on-failure, never)",
				    optarg);
			break;
		case OPT_STOP_TIMEOUT:
			if (duration_parse(optarg, &o->stop_timeout, err,
			    sizeof(err)) == -1)
				usage_error("--stop-timeout: %s", err);
			break;
		case OPT_STOP_SIGNAL:
			if (sig_parse(optarg, &o->stop_signal, err,
			    sizeof(err)) == -1)
				usage_error("--stop-signal: %s", err);
			break;
		case 'g':
			o->group = 1;
			break;
		case OPT_LOG_LEVEL:
			if (log_level_parse(optarg, &lv) == -1)
				usage_error("--log-level: \"%s\" is not a log "
				    "level (use error, warn, info, debug)",
				    optarg);
			o->log_level = (int)lv;
			break;
		case OPT_LOG_FORMAT:
			if (log_format_parse(optarg, &lf) == -1)
				usage_error("--log-format: \"%s\" is not a log "
				    "format (use text, json)", optarg);
			o->log_format = (int)lf;
			break;
		case 'q':
			o->verbosity--;
			break;
		case 'v':
			o->verbosity++;
			break;
		case 'V':
			printf("tend %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "try 'tend --help'\n");
			exit(EXIT_USAGE);
		}
	}
	o->argv = argv + optind;
	if (o->config != NULL && *o->argv != NULL)
		usage_error("%s", "give either -c FILE or -- COMMAND, not both");
	if (o->config == NULL && *o->argv == NULL)
		usage_error("%s", "nothing to run: give -- COMMAND or -c FILE");
	if (o->check && o->config == NULL)
		usage_error("%s", "--check needs -c FILE");
	if (o->config != NULL && (o->numprocs || o->restart != -1 ||
	    o->stop_signal || o->stop_timeout >= 0 || o->group))
		usage_error("%s", "-n, --restart, --stop-timeout, --stop-signal "
		    "and -g are for wrapper mode; in FILE, set them per "
		    "[program:NAME]");
}

/* A program name from COMMAND: its basename, with what a name may not
 * hold turned into '_'. */
static void
wrapper_name(const char *cmd, char *name, size_t len)
{
	char buf[TEND_NAME_MAX + 1];
	const char *b;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", cmd);
	b = basename(buf);
	snprintf(name, len, "%s", *b != '\0' && strcmp(b, "/") != 0 ? b :
	    "command");
	for (i = 0; name[i] != '\0'; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789_.-", name[i]) == NULL)
			name[i] = '_';
}

/* Wrapper mode: one program from the command line, critical, so tend
 * ends when it does and with its status. */
static struct config *
wrapper_config(const struct options *o)
{
	struct program_config *pc;
	struct config *cfg;
	char name[TEND_NAME_MAX + 1];
	int n = 0;

	while (o->argv[n] != NULL)
		n++;
	wrapper_name(o->argv[0], name, sizeof(name));
	if ((cfg = config_new("command line")) == NULL ||
	    (pc = config_add_program(cfg, name)) == NULL ||
	    (pc->argv = calloc((size_t)n + 1, sizeof(char *))) == NULL ||
	    (pc->command = strdup(o->argv[0])) == NULL) {
		config_free(cfg);
		return NULL;
	}
	pc->argc = n;
	for (int i = 0; i < n; i++)
		if ((pc->argv[i] = strdup(o->argv[i])) == NULL) {
			config_free(cfg);
			return NULL;
		}
	pc->critical = 1;
	pc->restart = o->restart != -1 ? o->restart : RESTART_NEVER;
	pc->numprocs = o->numprocs ? o->numprocs : 1;
	if (o->stop_signal)
		pc->stop_signal = o->stop_signal;
	if (o->stop_timeout >= 0)
		pc->stop_timeout = o->stop_timeout;
	if (o->group)
		pc->kill_mode = KILL_GROUP;
	return cfg;
}

static struct config *
load_config(const struct options *o)
{
	struct errlist errs = { 0 };
	struct config *cfg;
	size_t i, n = 0;

	if (o->config == NULL) {
		if ((cfg = wrapper_config(o)) == NULL) {
			fprintf(stderr, "tend: out of memory\n");
			exit(1);
		}
		return cfg;
	}
	cfg = config_load(o->config, &errs);
	for (int e = 0; e < errs.n; e++)
		fprintf(stderr, "%s\n", errs.msg[e]);
	if (errs.dropped)
		fprintf(stderr, "%s: %d more problems not shown\n", o->config,
		    errs.dropped);
	if (cfg == NULL) {
		fprintf(stderr, "tend: %s: %d problem%s, nothing started\n",
		    o->config, errs.n + errs.dropped,
		    errs.n + errs.dropped == 1 ? "" : "s");
		errlist_free(&errs);
		exit(EXIT_USAGE);
	}
	errlist_free(&errs);
	if (o->check) {
		for (i = 0; i < cfg->nprograms; i++)
			n += (size_t)cfg->programs[i]->numprocs;
		printf("%s: OK: %zu program%s, %zu instance%s\n", o->config,
		    cfg->nprograms, cfg->nprograms == 1 ? "" : "s", n,
		    n == 1 ? "" : "s");
		config_free(cfg);
		exit(0);
	}
	return cfg;
}

static void
setup_logging(const struct options *o, const struct config *cfg)
{
	int level = o->log_level != -1 ? o->log_level : cfg->log_level;

	/* Wrapper mode stands in for tini: quiet unless something is wrong. */
	if (o->log_level == -1 && o->config == NULL)
		level = LOG_WARN;

	level += o->verbosity;
	if (level < LOG_ERROR)
		level = LOG_ERROR;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	log_init((enum log_level)level, (enum log_format)(o->log_format != -1 ?
	    o->log_format : cfg->log_format));
}

static void
syserr(const char *msg)
{
	log_error("libev: %s", msg);
	abort();
}

/*
 * Where the control socket goes: -s, then socket = in FILE, then
 * $TEND_SOCKET, then the default (/run/tend.sock for root, else
 * $XDG_RUNTIME_DIR/tend.sock). NULL for none. *chosen is 0 for the
 * default, whose failure is a warning only: two tends on one host must
 * not stop each other from starting.
 */
static const char *
socket_path(const struct options *o, const struct config *cfg, char *buf,
    size_t len, int *chosen)
{
	const char *p = o->socket, *env = getenv("TEND_SOCKET"), *xdg;

	*chosen = 1;
	if (p == NULL)
		p = cfg->socket;
	if (p == NULL && env != NULL && *env != '\0')
		p = env;
	if (p != NULL)
		return strcmp(p, "none") == 0 ? NULL : p;
	*chosen = 0;
	if (geteuid() == 0)
		return "/run/tend.sock";
	if ((xdg = getenv("XDG_RUNTIME_DIR")) == NULL || *xdg == '\0') {
		log_info("no control socket: XDG_RUNTIME_DIR is not set "
		    "(use -s PATH)");
		return NULL;
	}
	if ((size_t)snprintf(buf, len, "%s/tend.sock", xdg) >= len) {
		log_warnx("no control socket: $XDG_RUNTIME_DIR/tend.sock is "
		    "too long (use -s PATH)");
		return NULL;
	}
	return buf;
}

/* The default socket, opened in the first loop iteration after the
 * first spawns (a prepare watcher behind supervise's), so that a start
 * does not wait for a socket nobody may ever use. */
static void
late_control_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct tend *t = ev_userdata(loop);

	ev_prepare_stop(loop, w);
	if (control_open(t, w->data, t->cfg->socket_mode, NULL) == -1)
		log_warnx("running without a control socket");
}

/* An explicit socket that cannot be had stops tend before anything
 * starts; the default one only costs the socket. */
static void
open_control(struct tend *t, const struct options *o)
{
	static char buf[256];
	static ev_prepare late;
	const char *path;
	int chosen;

	path = socket_path(o, t->cfg, buf, sizeof(buf), &chosen);
	if (path == NULL && t->cfg->http_listen == NULL)
		return;
	if (!chosen && t->cfg->http_listen == NULL) {
		ev_prepare_init(&late, late_control_cb);
		late.data = (void *)path;
		ev_set_priority(&late, EV_MINPRI);
		ev_prepare_start(t->loop, &late);
		return;
	}
	if (control_open(t, path, t->cfg->socket_mode, t->cfg->http_listen)
	    == 0)
		return;
	if (chosen || path == NULL)
		exit(EXIT_USAGE);
	log_warnx("running without a control socket");
	if (t->cfg->http_listen != NULL && control_open(t, NULL, 0,
	    t->cfg->http_listen) == -1)
		exit(EXIT_USAGE);
}

/* PID 1 reaps orphans by nature; otherwise we ask to adopt our
 * descendants' orphans, so a daemonizing worker is still reaped. */
static void
become_reaper(struct tend *t)
{
	t->pid1 = getpid() == 1;
	if (!t->pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warn("prctl(PR_SET_CHILD_SUBREAPER): orphans of the "
		    "programs will not be reaped by tend");
}

/*
 * Descriptors 0-2 must be open before tend opens anything, or a pipe could
 * take number 1 and a child's stdout would land in it (a daemon started
 * with closed streams).
 */
static void
open_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			exit(1);
}

int
main(int argc, char **argv)
{
	static struct tend tend;
	struct tend *t = &tend;
	struct options o;
	int status;

	open_std_fds();
	parse_options(argc, argv, &o);
	t->cfg = load_config(&o);
	t->wrapper = o.config == NULL;
	t->pass_int = t->wrapper && o.stop_signal == 0;
	/* Wrapper mode in a terminal's foreground: the child gets the
	 * terminal, as it would without us (see spawn.c). */
	t->tty_owner = t->wrapper && isatty(STDIN_FILENO) &&
	    tcgetpgrp(STDIN_FILENO) == getpgrp();
	if ((t->devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		log_warn("open(/dev/null): programs inherit tend's stdin");
	sink_open(&t->outsink[1], STDOUT_FILENO);
	sink_open(&t->outsink[2], STDERR_FILENO);
	setup_logging(&o, t->cfg);
	log_open();

	signals_save_inherited(t);
	become_reaper(t);
	t->start_time = (double)time(NULL);
	/* Jitter exists to spread restarts across containers that started
	 * together: pid and time would be the same in each of them. */
	if (getrandom(&t->rng, sizeof(t->rng), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(t->rng))
		t->rng = ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL);
	t->rng |= 1;	/* xorshift must not start at 0 */
	ev_set_syserr_cb(syserr);
	/* Not the default loop: that one would watch SIGCHLD and reap our
	 * children itself. Signals are ours (signals.c), so libev installs
	 * no handler; NOENV keeps LIBEV_FLAGS from choosing a backend. */
	t->sigfd = -1;
	if ((t->loop = ev_loop_new(EVFLAG_NOENV)) == NULL) {
		log_errorx("cannot initialise libev");
		return 1;
	}
	ev_set_userdata(t->loop, t);
	/* Before any child exists, so no SIGCHLD is missed. */
	if (signals_start(t) == -1)
		return 1;
	open_control(t, &o);
	/* Without it the workers still run; they cannot report. */
	(void)notify_open(t);
	if (supervise_init(t) == -1) {
		log_error("setting up programs");
		return 1;
	}
	metrics_start(t);

	ev_run(t->loop, 0);

	status = supervise_exit_status(t);
	log_debug("exiting with status %d (%llu orphans reaped)", status,
	    t->orphans_reaped);
	metrics_stop(t);
	control_close(t);
	notify_close(t);
	signals_stop(t);
	supervise_free(t);
	config_free(t->cfg);
	ev_loop_destroy(t->loop);
	if (t->devnull >= 0)
		close(t->devnull);
	sink_close(&t->outsink[1]);
	sink_close(&t->outsink[2]);
	log_close();
	return status;
}
