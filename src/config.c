/*
 * config.c: INI text -> struct config. One table describes every key (its
 * section, type, field, default and bounds) and one routine per type parses
 * values, so defaults go through the same code as user input. inih splits
 * lines into key and value; our reader in front of it counts lines, rejects
 * overlong ones and checks section headers, because Debian's libinih 55 gives
 * the handler no line number.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "tend.h"
#include "config.h"
#include "util.h"

enum section { SEC_TEND, SEC_PROGRAM };

enum ktype {
	K_DURATION, K_BOOL, K_LONG, K_DOUBLE, K_SIGNAL, K_STRING, K_COMMAND,
	K_ENV, K_CODES, K_NAMES, K_MODE, K_RESTART, K_KILLMODE, K_LOGLEVEL,
	K_LOGFORMAT, K_OUTPUT, K_SOCKPATH, K_HOSTPORT, K_READY,
	K_SOON,		/* in SPEC, behaviour not built yet: refused */
};

struct key {
	const char	*name;
	enum section	 section;
	enum ktype	 type;
	size_t		 off;
	const char	*def;		/* default, as config text; NULL = none */
	double		 min, max;	/* K_LONG, K_DOUBLE */
};

#define T(f)	offsetof(struct config, f)
#define P(f)	offsetof(struct program_config, f)

static const struct key keys[] = {
	{ "socket", SEC_TEND, K_SOCKPATH, T(socket), NULL, 0, 0 },
	{ "socket_mode", SEC_TEND, K_MODE, T(socket_mode), "0600", 0, 0 },
	{ "http_listen", SEC_TEND, K_HOSTPORT, T(http_listen), NULL, 0, 0 },
	{ "shutdown_timeout", SEC_TEND, K_DURATION, T(shutdown_timeout),
	    "30s", 0, 0 },
	{ "shutdown_delay", SEC_TEND, K_DURATION, T(shutdown_delay), "0s", 0, 0 },
	{ "lag_probe_interval", SEC_TEND, K_DURATION, T(lag_probe_interval),
	    "1s", 0, 0 },
	{ "log_level", SEC_TEND, K_LOGLEVEL, T(log_level), "info", 0, 0 },
	{ "log_format", SEC_TEND, K_LOGFORMAT, T(log_format), "text", 0, 0 },
	{ "log_target", SEC_TEND, K_SOON, 0, NULL, 0, 0 },

	{ "command", SEC_PROGRAM, K_COMMAND, 0, NULL, 0, 0 },
	{ "numprocs", SEC_PROGRAM, K_LONG, P(numprocs), "1",
	    1, TEND_NUMPROCS_MAX },
	{ "directory", SEC_PROGRAM, K_STRING, P(directory), NULL, 0, 0 },
	{ "user", SEC_PROGRAM, K_STRING, P(user), NULL, 0, 0 },
	{ "group", SEC_PROGRAM, K_STRING, P(group), NULL, 0, 0 },
	{ "umask", SEC_PROGRAM, K_MODE, P(umask), NULL, 0, 0 },
	{ "environment", SEC_PROGRAM, K_ENV, 0, NULL, 0, 0 },
	{ "autostart", SEC_PROGRAM, K_BOOL, P(autostart), "yes", 0, 0 },
	{ "restart", SEC_PROGRAM, K_RESTART, P(restart), "on-failure", 0, 0 },
	{ "success_exit_codes", SEC_PROGRAM, K_CODES, P(success_codes), "0",
	    0, 0 },
	{ "start_seconds", SEC_PROGRAM, K_DURATION, P(start_seconds), "1s",
	    0, 0 },
	{ "backoff_initial", SEC_PROGRAM, K_DURATION, P(backoff_initial),
	    "100ms", 0, 0 },
	{ "backoff_multiplier", SEC_PROGRAM, K_DOUBLE, P(backoff_multiplier),
	    "2", 1, 1000 },
	{ "backoff_max", SEC_PROGRAM, K_DURATION, P(backoff_max), "30s", 0, 0 },
	{ "backoff_jitter", SEC_PROGRAM, K_DOUBLE, P(backoff_jitter), "0.1",
	    0, 1 },
	{ "backoff_reset", SEC_PROGRAM, K_DURATION, P(backoff_reset), "60s",
	    0, 0 },
	{ "restart_limit", SEC_PROGRAM, K_LONG, P(restart_limit), "0",
	    0, TEND_RESTART_LIMIT_MAX },
	{ "restart_window", SEC_PROGRAM, K_DURATION, P(restart_window), "60s",
	    0, 0 },
	{ "stop_signal", SEC_PROGRAM, K_SIGNAL, P(stop_signal), "TERM", 0, 0 },
	{ "stop_timeout", SEC_PROGRAM, K_DURATION, P(stop_timeout), "10s",
	    0, 0 },
	{ "stop_timeout_max", SEC_PROGRAM, K_DURATION, P(stop_timeout_max),
	    "5m", 0, 0 },
	{ "kill_signal", SEC_PROGRAM, K_SIGNAL, P(kill_signal), "KILL", 0, 0 },
	{ "kill_mode", SEC_PROGRAM, K_KILLMODE, P(kill_mode), "mixed", 0, 0 },
	{ "ready", SEC_PROGRAM, K_READY, P(ready), "none", 0, 0 },
	{ "ready_timeout", SEC_PROGRAM, K_DURATION, P(ready_timeout), "30s",
	    0, 0 },
	{ "watchdog", SEC_PROGRAM, K_DURATION, P(watchdog), "0", 0, 0 },
	{ "depends", SEC_PROGRAM, K_NAMES, 0, NULL, 0, 0 },
	{ "critical", SEC_PROGRAM, K_BOOL, P(critical), "no", 0, 0 },
	{ "stdout", SEC_PROGRAM, K_OUTPUT, P(out[0]), "inherit", 0, 0 },
	{ "stderr", SEC_PROGRAM, K_OUTPUT, P(out[1]), "inherit", 0, 0 },
	{ "listen", SEC_PROGRAM, K_SOON, 0, NULL, 0, 0 },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

_Static_assert(NKEYS <= 64, "seen[] is too small for the key table");

static const char *restart_names[] = { "always", "on-failure", "never" };
static const char *kill_mode_names[] = { "mixed", "group", "process" };

static int
name_index(const char *s, const char **names, int n, int *out)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

const char *
restart_policy_name(int r)
{
	return restart_names[r];
}

const char *
kill_mode_name(int m)
{
	return kill_mode_names[m];
}

int
restart_policy_parse(const char *s, int *out)
{
	return name_index(s, restart_names, 3, out);
}

int
kill_mode_parse(const char *s, int *out)
{
	return name_index(s, kill_mode_names, 3, out);
}

void
errlist_add(struct errlist *e, const char *fmt, ...)
{
	va_list ap;
	char *m, **n;

	if (e->n >= TEND_ERRORS_MAX) {
		e->dropped++;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) == -1)
		m = NULL;
	va_end(ap);
	if (m == NULL || (n = realloc(e->msg,
	    sizeof(*n) * (size_t)(e->n + 1))) == NULL) {
		free(m);
		e->dropped++;
		return;
	}
	e->msg = n;
	e->msg[e->n++] = m;
}

void
errlist_free(struct errlist *e)
{
	for (int i = 0; i < e->n; i++)
		free(e->msg[i]);
	free(e->msg);
	memset(e, 0, sizeof(*e));
}

/* Replaces the owned string at field with a copy of value. */
static int
set_string(char *field, const char *value, char *err, size_t errlen)
{
	char *copy;

	if ((copy = strdup(value)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(*(char **)(void *)field);
	*(char **)(void *)field = copy;
	return 0;
}

/*
 * Parses value for key k into the struct at base. Returns 0, or -1 with a
 * message (without the where) in err.
 */
static int
set_value(const struct key *k, void *base, const char *value, char *err,
    size_t errlen)
{
	struct program_config *pc = base;
	char *field = (char *)base + k->off;
	char **v;
	long l;
	double d;
	int i, n;

	switch (k->type) {
	case K_DURATION:
		return duration_parse(value, (double *)(void *)field, err,
		    errlen);
	case K_BOOL:
		return bool_parse(value, (int *)(void *)field, err, errlen);
	case K_LONG:
		if (long_parse(value, (long)k->min, (long)k->max, &l, err,
		    errlen) == -1)
			return -1;
		*(long *)(void *)field = l;
		return 0;
	case K_DOUBLE:
		if (duration_parse(value, &d, NULL, 0) == -1 ||
		    strpbrk(value, "hms") != NULL || d < k->min || d > k->max) {
			snprintf(err, errlen, "\"%s\" is not a number "
			    "between %g and %g", value, k->min, k->max);
			return -1;
		}
		*(double *)(void *)field = d;
		return 0;
	case K_SIGNAL:
		return sig_parse(value, (int *)(void *)field, err, errlen);
	case K_MODE:
		if (mode_parse(value, (unsigned *)(void *)field, err,
		    errlen) == -1)
			return -1;
		if (k->section == SEC_PROGRAM)
			pc->umask_set = 1;
		return 0;
	case K_SOCKPATH:
		if (sockpath_check(value, err, errlen) == -1)
			return -1;
		return set_string(field, value, err, errlen);
	case K_HOSTPORT:
		if (*value == '\0') {	/* "http_listen =": off */
			free(*(char **)(void *)field);
			*(char **)(void *)field = NULL;
			return 0;
		}
		if (hostport_parse(value, NULL, NULL, err, errlen) == -1)
			return -1;
		return set_string(field, value, err, errlen);
	case K_STRING:
		if (*value == '\0') {
			snprintf(err, errlen, "empty value");
			return -1;
		}
		return set_string(field, value, err, errlen);
	case K_COMMAND:
		if ((v = words_split(value, &n, err, errlen)) == NULL)
			return -1;
		if (n == 0) {
			argv_free(v);
			snprintf(err, errlen, "empty command");
			return -1;
		}
		argv_free(pc->argv);
		free(pc->command);
		pc->argv = v;
		pc->argc = n;
		if ((pc->command = strdup(value)) == NULL)
			goto nomem;
		return 0;
	case K_ENV:
		if ((v = env_list_parse(value, &n, err, errlen)) == NULL)
			return -1;
		argv_free(pc->env);
		pc->env = v;
		pc->nenv = n;
		return 0;
	case K_CODES:
		return codes_parse(value, (unsigned char *)field, err, errlen);
	case K_NAMES:
		if ((v = names_parse(value, &n, err, errlen)) == NULL)
			return -1;
		argv_free(pc->depends);
		pc->depends = v;
		pc->ndepends = n;
		return 0;
	case K_RESTART:
		if (restart_policy_parse(value, &i) == -1) {
			snprintf(err, errlen, "\"%s\" is not a restart policy "
			    "(use always, on-failure, never)", value);
			return -1;
		}
		*(int *)(void *)field = i;
		return 0;
	case K_KILLMODE:
		if (kill_mode_parse(value, &i) == -1) {
			snprintf(err, errlen, "\"%s\" is not a kill mode "
			    "(use mixed, group, process)", value);
			return -1;
		}
		*(int *)(void *)field = i;
		return 0;
	case K_READY:
		if (strcmp(value, "none") == 0)
			*(int *)(void *)field = READY_NONE;
		else if (strcmp(value, "notify") == 0)
			*(int *)(void *)field = READY_NOTIFY;
		else {
			snprintf(err, errlen, "\"%s\" is not a readiness "
			    "(use none, notify)", value);
			return -1;
		}
		return 0;
	case K_LOGLEVEL:
		if (log_level_parse(value, (enum log_level *)(void *)field)
		    == -1) {
			snprintf(err, errlen, "\"%s\" is not a log level "
			    "(use error, warn, info, debug)", value);
			return -1;
		}
		return 0;
	case K_LOGFORMAT:
		if (log_format_parse(value, (enum log_format *)(void *)field)
		    == -1) {
			snprintf(err, errlen, "\"%s\" is not a log format "
			    "(use text, json)", value);
			return -1;
		}
		return 0;
	case K_OUTPUT:
		return output_parse(value, k->off == P(out[1]),
		    (struct output_cfg *)(void *)field, err, errlen);
	case K_SOON:
		snprintf(err, errlen, "not supported yet");
		return -1;
	}
	return -1;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Applies every default of a section; the table's defaults must parse. */
static void
set_defaults(enum section sec, void *base)
{
	char err[UTIL_ERR_MAX];
	size_t i;
	int r;

	for (i = 0; i < NKEYS; i++) {
		if (keys[i].section != sec || keys[i].def == NULL)
			continue;
		r = set_value(&keys[i], base, keys[i].def, err, sizeof(err));
		assert(r == 0);
		(void)r;
	}
}

struct config *
config_new(const char *path)
{
	struct config *cfg;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return NULL;
	if ((cfg->path = strdup(path)) == NULL) {
		free(cfg);
		return NULL;
	}
	set_defaults(SEC_TEND, cfg);
	return cfg;
}

static void
program_config_free(struct program_config *pc)
{
	if (pc == NULL)
		return;
	free(pc->name);
	free(pc->command);
	argv_free(pc->argv);
	free(pc->directory);
	free(pc->user);
	free(pc->group);
	argv_free(pc->env);
	argv_free(pc->depends);
	output_cfg_free(&pc->out[0]);
	output_cfg_free(&pc->out[1]);
	free(pc);
}

struct program_config *
config_add_program(struct config *cfg, const char *name)
{
	struct program_config *pc, **n;

	if ((pc = calloc(1, sizeof(*pc))) == NULL)
		return NULL;
	if ((pc->name = strdup(name)) == NULL)
		goto fail;
	set_defaults(SEC_PROGRAM, pc);
	n = realloc(cfg->programs, sizeof(*n) * (cfg->nprograms + 1));
	if (n == NULL)
		goto fail;
	cfg->programs = n;
	cfg->programs[cfg->nprograms++] = pc;
	return pc;
fail:
	program_config_free(pc);
	return NULL;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nprograms; i++)
		program_config_free(cfg->programs[i]);
	free(cfg->programs);
	free(cfg->path);
	free(cfg->socket);
	free(cfg->http_listen);
	free(cfg);
}

static struct program_config *
find_program(struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nprograms; i++)
		if (strcmp(cfg->programs[i]->name, name) == 0)
			return cfg->programs[i];
	return NULL;
}

/* The state of one parse, shared by our line reader and inih's handler. */
struct parse {
	struct config		*cfg;
	struct errlist		*errs;
	config_getenv		 get;
	void			*getarg;
	const char		*buf;
	size_t			 len, pos;
	int			 line;		/* of the line inih holds */
	int			 tend_line;	/* [tend] seen at this line */
	enum section		 sec;
	int			 sec_ok;	/* 0: skip keys (bad header) */
	int			 headers;	/* a header was seen, good or bad */
	struct program_config	*prog;		/* current [program:] */
	int			 problems;
};

#define PERR(ps, ...) do {			\
	errlist_add((ps)->errs, __VA_ARGS__);	\
	(ps)->problems++;			\
} while (0)

static int
valid_program_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TEND_NAME_MAX)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == n;
}

/* Checks a "[...]" line (trimmed, at least "[") and enters its section. */
static void
enter_section(struct parse *ps, const char *l, size_t n)
{
	const char *close = memchr(l, ']', n);
	char name[TEND_CONFIG_LINE_MAX + 1];
	struct program_config *pc;
	size_t len;

	ps->sec_ok = 0;
	ps->prog = NULL;
	ps->headers = 1;
	if (close == NULL) {
		PERR(ps, "%s:%d: section header without ']'", ps->cfg->path,
		    ps->line);
		return;
	}
	len = (size_t)(close - l - 1);
	memcpy(name, l + 1, len);
	name[len] = '\0';
	if (strcmp(name, "tend") == 0) {
		if (ps->tend_line != 0) {
			PERR(ps, "%s:%d: tend: duplicate section (first at "
			    "line %d)", ps->cfg->path, ps->line, ps->tend_line);
			return;
		}
		ps->tend_line = ps->line;
		ps->sec = SEC_TEND;
		ps->sec_ok = 1;
		return;
	}
	if (strncmp(name, "program:", 8) != 0) {
		PERR(ps, "%s:%d: %s: unknown section (use [tend] or "
		    "[program:NAME])", ps->cfg->path, ps->line, name);
		return;
	}
	if (!valid_program_name(name + 8)) {
		PERR(ps, "%s:%d: %s: bad program name (1-%d of A-Z a-z 0-9 "
		    "_ . -)", ps->cfg->path, ps->line, name, TEND_NAME_MAX);
		return;
	}
	if ((pc = find_program(ps->cfg, name + 8)) != NULL) {
		PERR(ps, "%s:%d: %s: duplicate program (first at line %d)",
		    ps->cfg->path, ps->line, name, pc->line);
		return;
	}
	if (ps->cfg->nprograms >= TEND_PROGRAMS_MAX) {
		PERR(ps, "%s:%d: %s: more than %d programs", ps->cfg->path,
		    ps->line, name, TEND_PROGRAMS_MAX);
		return;
	}
	if ((pc = config_add_program(ps->cfg, name + 8)) == NULL) {
		PERR(ps, "%s:%d: %s: out of memory", ps->cfg->path, ps->line,
		    name);
		return;
	}
	pc->line = ps->line;
	ps->prog = pc;
	ps->sec = SEC_PROGRAM;
	ps->sec_ok = 1;
}

/*
 * The length of line l without its inline comment: a ';' after a blank,
 * outside quotes. inih's own rule ignores quotes and would cut
 * command = sh -c 'a ; b' in two.
 */
static size_t
uncomment(const char *l, size_t n)
{
	int blank = 0;		/* the last character was an unquoted blank */
	char q = 0;

	for (size_t i = 0; i < n; i++) {
		if (q == 0 && l[i] == ';' && blank)
			return i;
		blank = q == 0 && (l[i] == ' ' || l[i] == '\t');
		if (l[i] == '\\' && q != '\'' && i + 1 < n)
			i++;
		else if (q != 0 && l[i] == q)
			q = 0;
		else if (q == 0 && (l[i] == '\'' || l[i] == '"'))
			q = l[i];
	}
	return n;
}

/*
 * Our ini_reader: hands inih one line at a time from the buffer, counting
 * lines. Lines we find bad (too long, NUL bytes, no '=' or ':', bad section
 * header) are reported here with their number and given to inih as blank
 * lines, so inih itself never fails and never splits a line.
 */
static char *
read_line(char *str, int num, void *stream)
{
	struct parse *ps = stream;
	const char *l, *nl;
	size_t n, t;

	if (ps->pos >= ps->len)
		return NULL;
	l = ps->buf + ps->pos;
	nl = memchr(l, '\n', ps->len - ps->pos);
	n = nl != NULL ? (size_t)(nl - l) : ps->len - ps->pos;
	ps->pos += n + (nl != NULL);
	ps->line++;
	if (n > 0 && l[n - 1] == '\r')
		n--;
	str[0] = '\n';
	str[1] = '\0';
	if (n > TEND_CONFIG_LINE_MAX || n + 2 > (size_t)num) {
		PERR(ps, "%s:%d: line is longer than %d bytes", ps->cfg->path,
		    ps->line, TEND_CONFIG_LINE_MAX);
		return str;
	}
	if (memchr(l, '\0', n) != NULL) {
		PERR(ps, "%s:%d: line contains a NUL byte", ps->cfg->path,
		    ps->line);
		return str;
	}
	/* Skip a UTF-8 byte order mark on the first line, as inih would. */
	if (ps->line == 1 && n >= 3 && memcmp(l, "\xEF\xBB\xBF", 3) == 0) {
		l += 3;
		n -= 3;
	}
	for (t = 0; t < n && (l[t] == ' ' || l[t] == '\t'); t++)
		;
	if (t == n || l[t] == ';' || l[t] == '#')
		return str;
	if (l[t] == '[') {
		enter_section(ps, l + t, n - t);
		if (!ps->sec_ok)
			return str;
	} else if (memchr(l + t, '=', n - t) == NULL &&
	    memchr(l + t, ':', n - t) == NULL) {
		PERR(ps, "%s:%d: expected \"key = value\" or \"[section]\"",
		    ps->cfg->path, ps->line);
		return str;
	} else if (l[t] == '=' || l[t] == ':') {
		PERR(ps, "%s:%d: missing key before '%c'", ps->cfg->path,
		    ps->line, l[t]);
		return str;
	}
	n = uncomment(l, n);
	memcpy(str, l, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

static const char *
section_label(struct parse *ps)
{
	return ps->sec == SEC_TEND ? "tend" : ps->prog->name;
}

static int
handle_key(void *user, const char *section, const char *name,
    const char *value)
{
	struct parse *ps = user;
	char err[UTIL_ERR_MAX], label[TEND_NAME_MAX + 16], *expanded;
	const struct key *k = NULL;
	void *base;
	int *seen;
	size_t i;

	/* Under a bad header inih still holds no section: that header was
	 * reported, its keys are skipped below. */
	if (*section == '\0' && !ps->headers) {
		PERR(ps, "%s:%d: %s: key outside any section (put it under "
		    "[tend] or [program:NAME])", ps->cfg->path, ps->line, name);
		return 1;
	}
	if (!ps->sec_ok)
		return 1;
	if (ps->sec == SEC_TEND) {
		base = ps->cfg;
		seen = ps->cfg->seen;
		snprintf(label, sizeof(label), "tend");
	} else {
		base = ps->prog;
		seen = ps->prog->seen;
		snprintf(label, sizeof(label), "program:%s", section_label(ps));
	}
	for (i = 0; i < NKEYS; i++)
		if (keys[i].section == ps->sec &&
		    strcmp(keys[i].name, name) == 0) {
			k = &keys[i];
			break;
		}
	if (k == NULL) {
		PERR(ps, "%s:%d: %s: %s: unknown key", ps->cfg->path, ps->line,
		    label, name);
		return 1;
	}
	if (seen[i] != 0) {
		PERR(ps, "%s:%d: %s: %s: set twice (first at line %d)",
		    ps->cfg->path, ps->line, label, name, seen[i]);
		return 1;
	}
	seen[i] = ps->line;
	if ((expanded = vars_expand(value, ps->get, ps->getarg, err,
	    sizeof(err))) == NULL) {
		PERR(ps, "%s:%d: %s: %s: %s", ps->cfg->path, ps->line, label,
		    name, err);
		return 1;
	}
	if (set_value(k, base, expanded, err, sizeof(err)) == -1)
		PERR(ps, "%s:%d: %s: %s: %s", ps->cfg->path, ps->line, label,
		    name, err);
	free(expanded);
	return 1;
}

static int
key_index(const char *name, enum section sec)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].section == sec && strcmp(keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Depth-first search for a cycle through depends; marks: 0 new, 1 on path,
 * 2 done. Reports the cycle once, from the program where it closes. */
static int
find_cycle(struct config *cfg, size_t at, unsigned char *mark, size_t *path,
    size_t depth, struct errlist *errs)
{
	struct program_config *pc = cfg->programs[at], *dep;
	char trail[1024];
	size_t i, j, k, len;
	int found = 0;

	mark[at] = 1;
	path[depth] = at;
	for (i = 0; i < (size_t)pc->ndepends && !found; i++) {
		/* Unknown and self dependencies are reported elsewhere. */
		if ((dep = find_program(cfg, pc->depends[i])) == NULL ||
		    dep == pc)
			continue;
		for (j = 0; cfg->programs[j] != dep; j++)
			;
		if (mark[j] == 1) {
			/* The cycle is the path from dep's place to here. */
			for (k = 0; path[k] != j; k++)
				;
			for (len = 0, trail[0] = '\0'; k <= depth &&
			    len < sizeof(trail); k++)
				len += (size_t)snprintf(trail + len,
				    sizeof(trail) - len, "%s -> ",
				    cfg->programs[path[k]]->name);
			errlist_add(errs, "%s:%d: program:%s: depends: "
			    "dependency cycle %s%s", cfg->path,
			    pc->seen[key_index("depends", SEC_PROGRAM)],
			    pc->name, len < sizeof(trail) ? trail : "... -> ",
			    dep->name);
			found = 1;
		} else if (mark[j] == 0)
			found = find_cycle(cfg, j, mark, path, depth + 1, errs);
	}
	mark[at] = 2;
	return found;
}

/* watchdog and ready_timeout only mean something with ready = notify. */
static int
check_notify_keys(struct config *cfg, struct program_config *pc,
    struct errlist *errs)
{
	static const char *keys_[] = { "watchdog", "ready_timeout" };
	int problems = 0, k;

	if (pc->ready == READY_NOTIFY)
		return 0;
	for (size_t i = 0; i < 2; i++) {
		k = key_index(keys_[i], SEC_PROGRAM);
		if (pc->seen[k] == 0 || (i == 0 && pc->watchdog == 0))
			continue;
		errlist_add(errs, "%s:%d: program:%s: %s: needs ready = notify "
		    "(only a worker that speaks the notify protocol can be "
		    "ready or feed a watchdog)", cfg->path, pc->seen[k],
		    pc->name, keys_[i]);
		problems++;
	}
	return problems;
}

int
config_validate(struct config *cfg, struct errlist *errs)
{
	unsigned char *mark;
	size_t *path, i, total;
	int problems = 0, dl = key_index("depends", SEC_PROGRAM), j;
	int cl = key_index("command", SEC_PROGRAM);
	struct program_config *pc;

	for (i = 0; i < cfg->nprograms; i++) {
		pc = cfg->programs[i];
		/* A command that was set but did not parse is reported. */
		if (pc->argv == NULL && pc->seen[cl] == 0) {
			errlist_add(errs, "%s:%d: program:%s: command: missing "
			    "(every program needs one)", cfg->path, pc->line,
			    pc->name);
			problems++;
		}
		problems += check_notify_keys(cfg, pc, errs);
		for (j = 0; j < pc->ndepends; j++) {
			if (find_program(cfg, pc->depends[j]) != NULL &&
			    strcmp(pc->depends[j], pc->name) != 0)
				continue;
			errlist_add(errs, "%s:%d: program:%s: depends: %s \"%s\"",
			    cfg->path, pc->seen[dl], pc->name,
			    strcmp(pc->depends[j], pc->name) == 0 ?
			    "a program cannot depend on itself:" :
			    "unknown program", pc->depends[j]);
			problems++;
		}
	}
	for (i = 0, total = 0; i < cfg->nprograms; i++)
		total += (size_t)cfg->programs[i]->numprocs;
	if (total > TEND_INSTANCES_MAX) {
		errlist_add(errs, "%s: %zu instances in all (numprocs added up); "
		    "at most %d", cfg->path, total, TEND_INSTANCES_MAX);
		problems++;
	}
	if (cfg->nprograms == 0)
		return problems;
	mark = calloc(cfg->nprograms, 1);
	path = calloc(cfg->nprograms, sizeof(*path));
	if (mark == NULL || path == NULL) {
		errlist_add(errs, "%s: out of memory", cfg->path);
		problems++;
	} else {
		for (i = 0; i < cfg->nprograms; i++)
			if (mark[i] == 0)
				problems += find_cycle(cfg, i, mark, path, 0,
				    errs);
	}
	free(mark);
	free(path);
	return problems;
}

int
config_parse(struct config *cfg, const char *buf, size_t len,
    config_getenv get, void *arg, struct errlist *errs)
{
	struct parse ps = {
		.cfg = cfg, .errs = errs, .get = get, .getarg = arg,
		.buf = buf, .len = len,
	};

	/* Debian's libinih keeps its options in globals: set them here, the
	 * one place that parses. Multiline continuation stays off so that an
	 * indented line is a key of its own, as people expect; inline
	 * comments are ours (see uncomment). */
	ini_allow_multiline = false;
	ini_allow_inline_comments = false;	/* uncomment() does it */
	ini_stop_on_first_error = false;
	ini_use_stack = false;
	ini_allow_realloc = false;
	ini_max_line = TEND_CONFIG_LINE_MAX + 2;
	ini_initial_alloc = TEND_CONFIG_LINE_MAX + 2;

	if (ini_parse_stream(read_line, &ps, handle_key, &ps) == -2) {
		PERR(&ps, "%s: out of memory", cfg->path);
		return ps.problems;
	}
	if (ps.problems == 0 && cfg->nprograms == 0)
		PERR(&ps, "%s: no [program:NAME] section", cfg->path);
	ps.problems += config_validate(cfg, errs);
	return ps.problems;
}

static const char *
env_get(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

struct config *
config_load(const char *path, struct errlist *errs)
{
	struct config *cfg = NULL;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t r;
	int fd;

	/* A synchronous, bounded read: at start-up and on reload only. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errlist_add(errs, "%s: open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		errlist_add(errs, "%s: fstat: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		errlist_add(errs, "%s: not a regular file", path);
		goto out;
	}
	if ((buf = malloc(TEND_CONFIG_SIZE_MAX + 1)) == NULL) {
		errlist_add(errs, "%s: out of memory", path);
		goto out;
	}
	while (len <= TEND_CONFIG_SIZE_MAX) {
		r = read(fd, buf + len, TEND_CONFIG_SIZE_MAX + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			errlist_add(errs, "%s: read: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > TEND_CONFIG_SIZE_MAX) {
		errlist_add(errs, "%s: larger than %d bytes", path,
		    TEND_CONFIG_SIZE_MAX);
		goto out;
	}
	if ((cfg = config_new(path)) == NULL) {
		errlist_add(errs, "%s: out of memory", path);
		goto out;
	}
	if (config_parse(cfg, buf, len, env_get, NULL, errs) != 0) {
		config_free(cfg);
		cfg = NULL;
	}
out:
	free(buf);
	close(fd);
	return cfg;
}
