/*
 * t_config.c: config_parse() on INI text held in memory, with a fake
 * environment, and config_load() on temp files. Errors are compared as the
 * exact lines a user reads, "PATH:LINE: SECTION: KEY: problem".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "config.h"
#include "log.h"
#include "tend.h"

/* PORT=8080, APP=/srv/app, EMPTY= (set, empty); the rest are unset. */
static const char *
getter(const char *name, void *arg)
{
	int *calls = arg;

	if (calls != NULL)
		(*calls)++;
	if (strcmp(name, "PORT") == 0)
		return "8080";
	if (strcmp(name, "APP") == 0)
		return "/srv/app";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	return NULL;
}

/* Every problem as one string, one message a line. */
static char *
joined(const struct errlist *e)
{
	static char buf[16384];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < e->n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    i > 0 ? "\n" : "", e->msg[i]);
	return buf;
}

static struct config *
parse_len(const char *text, size_t len, struct errlist *errs, int *r)
{
	struct config *cfg = config_new("x.ini");

	if (cfg == NULL) {
		diag("config_new: out of memory");
		exit(1);
	}
	*r = config_parse(cfg, text, len, getter, NULL, errs);
	return cfg;
}

/*
 * Parses text and checks that the problems are exactly want (messages
 * joined by newlines), and that the count returned agrees.
 */
static void
errors_are_len(const char *what, const char *text, size_t len,
    const char *want)
{
	struct errlist errs = { 0 };
	struct config *cfg;
	const char *p;
	int r, n;

	for (n = 1, p = want; *p != '\0'; p++)
		n += *p == '\n';
	cfg = parse_len(text, len, &errs, &r);
	if (!ok(r == n && errs.n == n && errs.dropped == 0 &&
	    strcmp(joined(&errs), want) == 0, "%s", what)) {
		diag("  returned %d, %d messages:", r, errs.n);
		for (int i = 0; i < errs.n; i++)
			diag("  | %s", errs.msg[i]);
		diag("  want %d:", n);
		for (p = want; *p != '\0'; p += *p == '\n') {
			n = (int)strcspn(p, "\n");
			diag("  | %.*s", n, p);
			p += n;
		}
	}
	errlist_free(&errs);
	config_free(cfg);
}

static void
errors_are(const char *what, const char *text, const char *want)
{
	errors_are_len(what, text, strlen(text), want);
}

/* Parses text that must be valid; the caller frees. */
static struct config *
parse_ok(const char *what, const char *text)
{
	struct errlist errs = { 0 };
	struct config *cfg;
	int r;

	cfg = parse_len(text, strlen(text), &errs, &r);
	if (!ok(r == 0 && errs.n == 0, "%s: parses", what))
		for (int i = 0; i < errs.n; i++)
			diag("  | %s", errs.msg[i]);
	errlist_free(&errs);
	return cfg;
}

static const char *
words(char **v, int n)
{
	static char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "[%s]",
		    v[i]);
	if (v == NULL || v[n] != NULL)
		snprintf(buf, sizeof(buf), "(not NULL-terminated)");
	return buf;
}

static const char full[] =
    "; A file with every key that tend supports today.\n"	/* 1 */
    "[tend]\n"
    "shutdown_timeout = 45s\n"
    "shutdown_delay = 1500ms\n"
    "log_level = debug\n"					/* 5 */
    "log_format = json\n"
    "\n"
    "# The web server.\n"
    "[program:web]\n"
    "command = /usr/bin/python3 -m http.server ${PORT}\n"	/* 10 */
    "numprocs = 2\n"
    "directory = ${APP}\n"
    "user = www-data\n"
    "group = www\n"
    "umask = 0027\n"						/* 15 */
    "environment = A=1, B=\"two words\", C='x, y'\n"
    "autostart = no\n"
    "restart = always\n"
    "success_exit_codes = 0, 2\n"
    "start_seconds = 3s\n"					/* 20 */
    "backoff_initial = 250ms\n"
    "backoff_multiplier = 1.5\n"
    "backoff_max = 2m\n"
    "backoff_jitter = 0.25\n"
    "backoff_reset = 1h\n"					/* 25 */
    "restart_limit = 5\n"
    "restart_window = 30s\n"
    "stop_signal = INT\n"
    "stop_timeout = 20s\n"
    "kill_signal = SIGQUIT\n"					/* 30 */
    "kill_mode = group\n"
    "depends = db, cache\n"
    "critical = yes\n"
    "\n"
    "[program:db]\n"						/* 35 */
    "command = postgres -D \"/var/lib/pg data\"   ; inline comment\n"
    "\n"
    "[program:cache]\n"
    "command = redis-server\n"
    "numprocs = 10000\n"					/* 40 */
    "kill_mode = process\n"
    "restart = never\n";

static void
test_full(void)
{
	struct config *cfg;
	struct program_config *w, *d, *c;

	cfg = parse_ok("a file with every supported key", full);
	is_dbl(cfg->shutdown_timeout, 45, 1e-9, "tend: shutdown_timeout");
	is_dbl(cfg->shutdown_delay, 1.5, 1e-9, "tend: shutdown_delay");
	is_int(cfg->log_level, LOG_DEBUG, "tend: log_level");
	is_int(cfg->log_format, LOG_JSON, "tend: log_format");
	is_str(cfg->path, "x.ini", "the path is kept for messages");
	is_int(cfg->nprograms, 3, "three programs, in file order");
	if (cfg->nprograms != 3) {
		skip(55, "the programs did not parse");
		goto out;
	}
	w = cfg->programs[0];
	d = cfg->programs[1];
	c = cfg->programs[2];
	is_str(w->name, "web", "web: name");
	is_int(w->line, 9, "web: line of its header");
	is_str(w->command, "/usr/bin/python3 -m http.server 8080",
	    "web: command is kept, with ${PORT} expanded");
	is_int(w->argc, 4, "web: argc");
	is_str(words(w->argv, w->argc),
	    "[/usr/bin/python3][-m][http.server][8080]", "web: argv");
	is_int(w->numprocs, 2, "web: numprocs");
	is_str(w->directory, "/srv/app", "web: directory, from ${APP}");
	is_str(w->user, "www-data", "web: user");
	is_str(w->group, "www", "web: group");
	ok(w->umask == 027 && w->umask_set, "web: umask 0027, set");
	is_str(words(w->env, w->nenv), "[A=1][B=two words][C=x, y]",
	    "web: environment");
	is_int(w->nenv, 3, "web: nenv");
	is_int(w->autostart, 0, "web: autostart");
	is_int(w->restart, RESTART_ALWAYS, "web: restart");
	ok(w->success_codes[0] && w->success_codes[2] &&
	    !w->success_codes[1] && !w->success_codes[255],
	    "web: success_exit_codes 0 and 2 only");
	is_dbl(w->start_seconds, 3, 1e-9, "web: start_seconds");
	is_dbl(w->backoff_initial, 0.25, 1e-9, "web: backoff_initial");
	is_dbl(w->backoff_multiplier, 1.5, 1e-9, "web: backoff_multiplier");
	is_dbl(w->backoff_max, 120, 1e-9, "web: backoff_max");
	is_dbl(w->backoff_jitter, 0.25, 1e-9, "web: backoff_jitter");
	is_dbl(w->backoff_reset, 3600, 1e-9, "web: backoff_reset");
	is_int(w->restart_limit, 5, "web: restart_limit");
	is_dbl(w->restart_window, 30, 1e-9, "web: restart_window");
	is_int(w->stop_signal, SIGINT, "web: stop_signal");
	is_dbl(w->stop_timeout, 20, 1e-9, "web: stop_timeout");
	is_int(w->kill_signal, SIGQUIT, "web: kill_signal");
	is_int(w->kill_mode, KILL_GROUP, "web: kill_mode");
	is_str(words(w->depends, w->ndepends), "[db][cache]", "web: depends");
	is_int(w->critical, 1, "web: critical");

	/* db sets only its command: everything else is the table default. */
	is_int(d->line, 35, "db: line of its header");
	is_str(words(d->argv, d->argc), "[postgres][-D][/var/lib/pg data]",
	    "db: argv, quotes kept together, inline comment dropped");
	is_int(d->numprocs, 1, "db: numprocs defaults to 1");
	ok(d->directory == NULL && d->user == NULL && d->group == NULL,
	    "db: directory, user, group default to none");
	ok(d->umask == 0 && !d->umask_set, "db: umask is not set");
	ok(d->env == NULL && d->nenv == 0, "db: no environment");
	is_int(d->autostart, 1, "db: autostart defaults to yes");
	is_int(d->restart, RESTART_ON_FAILURE,
	    "db: restart defaults to on-failure");
	{
		int n = 0;

		for (int i = 0; i < 256; i++)
			n += d->success_codes[i] != 0;
		ok(n == 1 && d->success_codes[0],
		    "db: success_exit_codes defaults to 0 alone");
	}
	is_dbl(d->start_seconds, 1, 1e-9, "db: start_seconds defaults to 1s");
	is_dbl(d->backoff_initial, 0.1, 1e-9,
	    "db: backoff_initial defaults to 100ms");
	is_dbl(d->backoff_multiplier, 2, 1e-9,
	    "db: backoff_multiplier defaults to 2");
	is_dbl(d->backoff_max, 30, 1e-9, "db: backoff_max defaults to 30s");
	is_dbl(d->backoff_jitter, 0.1, 1e-9,
	    "db: backoff_jitter defaults to 0.1");
	is_dbl(d->backoff_reset, 60, 1e-9,
	    "db: backoff_reset defaults to 60s");
	is_int(d->restart_limit, 0, "db: restart_limit defaults to 0");
	is_dbl(d->restart_window, 60, 1e-9,
	    "db: restart_window defaults to 60s");
	is_int(d->stop_signal, SIGTERM, "db: stop_signal defaults to TERM");
	is_dbl(d->stop_timeout, 10, 1e-9, "db: stop_timeout defaults to 10s");
	is_int(d->kill_signal, SIGKILL, "db: kill_signal defaults to KILL");
	is_int(d->kill_mode, KILL_MIXED, "db: kill_mode defaults to mixed");
	ok(d->depends == NULL && d->ndepends == 0, "db: no depends");
	is_int(d->critical, 0, "db: critical defaults to no");

	is_int(c->numprocs, 10000, "cache: numprocs 10000 is the maximum");
	is_int(c->kill_mode, KILL_PROCESS, "cache: kill_mode process");
	is_int(c->restart, RESTART_NEVER, "cache: restart never");
out:
	config_free(cfg);

	/* A file without [tend] has every [tend] default. */
	cfg = parse_ok("a file without [tend]", "[program:a]\ncommand = a\n");
	ok(cfg->shutdown_timeout == 30 && cfg->shutdown_delay == 0 &&
	    cfg->log_level == LOG_INFO && cfg->log_format == LOG_TEXT,
	    "[tend] defaults: 30s, 0s, info, text");
	config_free(cfg);
}

static void
test_errors(void)
{
	static const char nul[] =
	    "[program:a]\ncommand = a\nuser = a\0b\nfoo = 1\n";
	char buf[8192];
	size_t n;

	errors_are("a bad value names file, line, section and key",
	    "[tend]\n"
	    "log_level = debug\n"
	    "\n"
	    "[program:web]\n"
	    "command = /bin/true\n"
	    "; a comment\n"
	    "stop_timeout = 10x\n",
	    "x.ini:7: program:web: stop_timeout: \"10x\" is not a duration "
	    "(use 10s, 500ms, 2m)");
	{
		char big[1024];
		size_t len = 0;

		/* 11 x 10000 instances: each program is fine, the sum is
		 * not. */
		for (int i = 0; i < 11; i++)
			len += (size_t)snprintf(big + len, sizeof(big) - len,
			    "[program:p%d]\ncommand = a\nnumprocs = 10000\n",
			    i);
		errors_are("too many instances in all",
		    big, "x.ini: 110000 instances in all (numprocs added "
		    "up); at most 100000");
	}
	errors_are("an unknown section, its keys skipped",
	    "[program:a]\ncommand = a\n[bogus]\nfoo = 1\n",
	    "x.ini:3: bogus: unknown section (use [tend] or [program:NAME])");
	errors_are("an unknown first section, its keys skipped",
	    "[supervisord]\nfoo = 1\n[program:a]\ncommand = a\n",
	    "x.ini:1: supervisord: unknown section (use [tend] or "
	    "[program:NAME])");
	errors_are("a section header without ']'",
	    "[program:a]\ncommand = a\n[program:b\nx = 1\n",
	    "x.ini:3: section header without ']'");
	errors_are("bad program names",
	    "[program:a b]\ncommand = a\n[program:]\n[program:ok]\n"
	    "command = b\n",
	    "x.ini:1: program:a b: bad program name (1-64 of A-Z a-z 0-9 _ "
	    ". -)\n"
	    "x.ini:3: program:: bad program name (1-64 of A-Z a-z 0-9 _ "
	    ". -)");
	errors_are("an unknown key",
	    "[program:a]\ncommand = a\nfoo = 1\n",
	    "x.ini:3: program:a: foo: unknown key");
	errors_are("a program key under [tend] is unknown there",
	    "[tend]\nnumprocs = 2\n[program:a]\ncommand = a\n"
	    "log_level = info\n",
	    "x.ini:2: tend: numprocs: unknown key\n"
	    "x.ini:5: program:a: log_level: unknown key");
	errors_are("a missing command, at the section header",
	    "[program:a]\ncommand = a\n\n[program:b]\nnumprocs = 2\n",
	    "x.ini:4: program:b: command: missing (every program needs one)");
	errors_are("an empty command",
	    "[program:a]\ncommand =   \n",
	    "x.ini:2: program:a: command: empty command");
	errors_are("a bad command is reported once, not also as missing",
	    "[program:a]\ncommand = echo 'oops\n",
	    "x.ini:2: program:a: command: unterminated single quote");
	errors_are("a duplicate program",
	    "[program:a]\ncommand = a\n\n[program:a]\ncommand = b\n",
	    "x.ini:4: program:a: duplicate program (first at line 1)");
	errors_are("a duplicate [tend]",
	    "[tend]\nlog_level = warn\n[tend]\nlog_level = info\n"
	    "[program:a]\ncommand = a\n",
	    "x.ini:3: tend: duplicate section (first at line 1)");
	errors_are("numprocs 0",
	    "[program:a]\ncommand = a\nnumprocs = 0\n",
	    "x.ini:3: program:a: numprocs: 0 is out of range (1..10000)");
	errors_are("numprocs 10001",
	    "[program:a]\ncommand = a\nnumprocs = 10001\n",
	    "x.ini:3: program:a: numprocs: 10001 is out of range (1..10000)");
	errors_are("depends on an unknown program",
	    "[program:a]\ncommand = a\ndepends = zz\n",
	    "x.ini:3: program:a: depends: unknown program \"zz\"");
	errors_are("depends on itself, reported once",
	    "[program:a]\ncommand = a\ndepends = a\n",
	    "x.ini:3: program:a: depends: a program cannot depend on itself: "
	    "\"a\"");
	errors_are("a dependency cycle a -> b -> a",
	    "[program:a]\ncommand = a\ndepends = b\n"
	    "[program:b]\ncommand = b\ndepends = a\n",
	    "x.ini:6: program:b: depends: dependency cycle a -> b -> a");
	errors_are("a longer cycle, behind a program outside it",
	    "[program:a]\ncommand = a\ndepends = b\n"
	    "[program:b]\ncommand = b\ndepends = c\n"
	    "[program:c]\ncommand = c\ndepends = d\n"
	    "[program:d]\ncommand = d\ndepends = b\n",
	    "x.ini:12: program:d: depends: dependency cycle b -> c -> d -> b");
	errors_are("a key set twice",
	    "[program:a]\ncommand = a\nnumprocs = 2\ncommand = b\n",
	    "x.ini:4: program:a: command: set twice (first at line 2)");
	errors_are("a [tend] key set twice",
	    "[tend]\nshutdown_delay = 1s\nshutdown_delay = 2s\n"
	    "[program:a]\ncommand = a\n",
	    "x.ini:3: tend: shutdown_delay: set twice (first at line 2)");
	errors_are("a key outside any section",
	    "command = a\n[program:a]\ncommand = a\n",
	    "x.ini:1: command: key outside any section (put it under [tend] "
	    "or [program:NAME])");
	errors_are("a line without '='",
	    "[program:a]\ncommand = a\njust some words\n",
	    "x.ini:3: expected \"key = value\" or \"[section]\"");
	errors_are("a line with no key before '='",
	    "[program:a]\ncommand = a\n  = 1\n",
	    "x.ini:3: missing key before '='");
	errors_are("watchdog and ready_timeout need ready = notify",
	    "[program:a]\ncommand = a\nwatchdog = 5s\nready_timeout = 1s\n"
	    "[program:b]\ncommand = b\nready = notify\nwatchdog = 5s\n"
	    "[program:c]\ncommand = c\nready = maybe\n",
	    "x.ini:11: program:c: ready: \"maybe\" is not a readiness (use "
	    "none, notify)\n"
	    "x.ini:3: program:a: watchdog: needs ready = notify (only a "
	    "worker that speaks the notify protocol can be ready or feed a "
	    "watchdog)\n"
	    "x.ini:4: program:a: ready_timeout: needs ready = notify (only a "
	    "worker that speaks the notify protocol can be ready or feed a "
	    "watchdog)");
	errors_are("[tend] log_target is not supported yet",
	    "[tend]\nlog_target = journal\n[program:a]\ncommand = a\n",
	    "x.ini:2: tend: log_target: not supported yet");
	errors_are("${UNSET} in a value",
	    "[program:a]\ncommand = run ${UNSET}\n",
	    "x.ini:2: program:a: command: ${UNSET} is not set");
	errors_are("a file with no program",
	    "[tend]\nlog_level = debug\n",
	    "x.ini: no [program:NAME] section");
	errors_are("an empty file", "", "x.ini: no [program:NAME] section");

	/* A line of exactly TEND_CONFIG_LINE_MAX bytes is fine, one more
	 * is not; either way the line numbers after it stay right. */
	n = (size_t)snprintf(buf, sizeof(buf), "[program:a]\ncommand = a\n"
	    "directory = /");
	memset(buf + n, 'x', TEND_CONFIG_LINE_MAX - 13);
	n += TEND_CONFIG_LINE_MAX - 13;
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\nfoo = 1\n");
	errors_are_len("a line of 4096 bytes is accepted", buf, n,
	    "x.ini:4: program:a: foo: unknown key");
	n = (size_t)snprintf(buf, sizeof(buf), "[program:a]\ncommand = a\n"
	    "directory = /");
	memset(buf + n, 'x', TEND_CONFIG_LINE_MAX - 12);
	n += TEND_CONFIG_LINE_MAX - 12;
	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
	    "\nfoo = 1\nnumprocs = x\n");
	errors_are_len("a line of 4097 bytes is refused, line numbers hold",
	    buf, n,
	    "x.ini:3: line is longer than 4096 bytes\n"
	    "x.ini:4: program:a: foo: unknown key\n"
	    "x.ini:5: program:a: numprocs: \"x\" is not an integer");

	errors_are_len("a NUL byte in a line", nul, sizeof(nul) - 1,
	    "x.ini:3: line contains a NUL byte\n"
	    "x.ini:4: program:a: foo: unknown key");
	errors_are("CRLF line endings keep the line numbers",
	    "[tend]\r\nlog_level = info\r\n\r\n[program:a]\r\ncommand = a\r\n"
	    "numprocs = x\r\n",
	    "x.ini:6: program:a: numprocs: \"x\" is not an integer");
	errors_are("a bad value of every type, all reported",
	    "[tend]\n"
	    "shutdown_timeout = soon\n"
	    "log_level = loud\n"
	    "log_format = xml\n"
	    "[program:a]\n"					/* 5 */
	    "command = a\n"
	    "numprocs = two\n"
	    "autostart = maybe\n"
	    "restart = sometimes\n"
	    "kill_mode = all\n"					/* 10 */
	    "stop_signal = FOO\n"
	    "backoff_multiplier = 0.5\n"
	    "backoff_jitter = 2\n"
	    "umask = 0999\n"
	    "environment = 1A=x\n"				/* 15 */
	    "success_exit_codes = 0, 300\n"
	    "directory = ${EMPTY}\n"
	    "depends = a,,b\n"
	    "restart_limit = 10001\n"
	    "backoff_max = 1s\n",
	    "x.ini:2: tend: shutdown_timeout: \"soon\" is not a duration "
	    "(use 10s, 500ms, 2m)\n"
	    "x.ini:3: tend: log_level: \"loud\" is not a log level "
	    "(use error, warn, info, debug)\n"
	    "x.ini:4: tend: log_format: \"xml\" is not a log format "
	    "(use text, json)\n"
	    "x.ini:7: program:a: numprocs: \"two\" is not an integer\n"
	    "x.ini:8: program:a: autostart: \"maybe\" is not a boolean "
	    "(use yes/no, true/false, on/off, 1/0)\n"
	    "x.ini:9: program:a: restart: \"sometimes\" is not a restart "
	    "policy (use always, on-failure, never)\n"
	    "x.ini:10: program:a: kill_mode: \"all\" is not a kill mode "
	    "(use mixed, group, process)\n"
	    "x.ini:11: program:a: stop_signal: \"FOO\" is not a signal "
	    "(use TERM, SIGTERM or a number)\n"
	    "x.ini:12: program:a: backoff_multiplier: \"0.5\" is not a "
	    "number between 1 and 1000\n"
	    "x.ini:13: program:a: backoff_jitter: \"2\" is not a number "
	    "between 0 and 1\n"
	    "x.ini:14: program:a: umask: \"0999\" is not an octal mode "
	    "(e.g. 0022)\n"
	    "x.ini:15: program:a: environment: \"1A\" is not a variable name\n"
	    "x.ini:16: program:a: success_exit_codes: exit code 300 is out "
	    "of range (0..255)\n"
	    "x.ini:17: program:a: directory: empty value\n"
	    "x.ini:18: program:a: depends: empty item in list \"a,,b\"\n"
	    "x.ini:19: program:a: restart_limit: 10001 is out of range "
	    "(0..10000)");
	errors_are("a multiplier with a unit is not a number",
	    "[program:a]\ncommand = a\nbackoff_multiplier = 2s\n",
	    "x.ini:3: program:a: backoff_multiplier: \"2s\" is not a number "
	    "between 1 and 1000");
}

/* socket, socket_mode, http_listen, lag_probe_interval. */
static void
test_control_keys(void)
{
	struct config *cfg;
	char buf[512];

	cfg = parse_ok("defaults", "[program:a]\ncommand = a\n");
	ok(cfg != NULL && cfg->socket == NULL && cfg->socket_mode == 0600 &&
	    cfg->http_listen == NULL && cfg->lag_probe_interval == 1.0,
	    "socket unset, socket_mode 0600, no http_listen, probe 1s");
	config_free(cfg);
	cfg = parse_ok("control keys", "[tend]\nsocket = /tmp/t.sock\n"
	    "socket_mode = 0660\nhttp_listen = [::1]:9102\n"
	    "lag_probe_interval = 0\n[program:a]\ncommand = a\n");
	ok(cfg != NULL && strcmp(cfg->socket, "/tmp/t.sock") == 0 &&
	    cfg->socket_mode == 0660 &&
	    strcmp(cfg->http_listen, "[::1]:9102") == 0 &&
	    cfg->lag_probe_interval == 0, "each is kept as given");
	config_free(cfg);
	cfg = parse_ok("socket = none", "[tend]\nsocket = none\n"
	    "http_listen =\n[program:a]\ncommand = a\n");
	ok(cfg != NULL && strcmp(cfg->socket, "none") == 0 &&
	    cfg->http_listen == NULL, "socket = none, empty http_listen");
	config_free(cfg);
	errors_are("a socket path longer than sun_path",
	    "[tend]\nsocket = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
	    "[program:a]\ncommand = a\n",
	    "x.ini:2: tend: socket: \"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..."
	    "\" is longer than the 107 bytes a socket path may have");
	errors_are("an empty socket",
	    "[tend]\nsocket =\n[program:a]\ncommand = a\n",
	    "x.ini:2: tend: socket: empty path (use \"none\" for no control "
	    "socket)");
	snprintf(buf, sizeof(buf), "x.ini:2: tend: http_listen: \"%s\" is not "
	    "ADDR:PORT (a numeric address such as 127.0.0.1:9102 or "
	    "[::1]:9102, port 1-65535)", "localhost:9102");
	errors_are("http_listen with a host name",
	    "[tend]\nhttp_listen = localhost:9102\n[program:a]\ncommand = a\n",
	    buf);
	errors_are("a bad socket_mode and a bad lag_probe_interval",
	    "[tend]\nsocket_mode = 0999\nlag_probe_interval = -1\n"
	    "[program:a]\ncommand = a\n",
	    "x.ini:2: tend: socket_mode: \"0999\" is not an octal mode "
	    "(e.g. 0022)\nx.ini:3: tend: lag_probe_interval: \"-1\" is not "
	    "a duration (use 10s, 500ms, 2m)");
}

static void
test_syntax(void)
{
	struct config *cfg;
	struct errlist errs = { 0 };
	char buf[512];
	size_t n;
	const char *text;
	int r, calls = 0;

	cfg = parse_ok("comments, blank lines, odd spacing, a BOM",
	    "\xEF\xBB\xBF; leading comment\n"
	    "# hash comment\n"
	    "   ; indented comment\n"
	    "\t# indented hash comment\n"
	    "\n"
	    "   \t \n"
	    "[program:a]   ; comment after a header\n"
	    "command=echo a;b   ; the ; in a;b is no comment\n"
	    "  numprocs   =   3   ; three\n"
	    "[program:b]\n"
	    "command: b --flag=1\n");
	if (cfg->nprograms == 2) {
		is_int(cfg->programs[0]->line, 7, "a's header at line 7");
		is_str(words(cfg->programs[0]->argv, cfg->programs[0]->argc),
		    "[echo][a;b]", "';' without a blank before it stays");
		is_int(cfg->programs[0]->numprocs, 3,
		    "blanks around key and value are trimmed");
		is_str(words(cfg->programs[1]->argv, cfg->programs[1]->argc),
		    "[b][--flag=1]", "'key: value' works as inih allows");
	} else
		skip(4, "the programs did not parse");
	config_free(cfg);

	cfg = parse_ok("a ';' inside quotes is no comment",
	    "[program:a]\n"
	    "command = sh -c 'echo a ; echo b' \"x ; y\" z\\ ;w ; gone\n"
	    "environment = A=\"1 ; 2\", B='3 ; 4'  ; comment\n");
	if (cfg->nprograms == 1) {
		is_str(words(cfg->programs[0]->argv, cfg->programs[0]->argc),
		    "[sh][-c][echo a ; echo b][x ; y][z ;w]",
		    "quoted and escaped ';' stay, the comment goes");
		is_str(cfg->programs[0]->env[0], "A=1 ; 2",
		    "';' in a double-quoted environment value stays");
		is_str(cfg->programs[0]->env[1], "B=3 ; 4",
		    "';' in a single-quoted environment value stays");
	} else
		skip(3, "the program did not parse");
	config_free(cfg);

	errors_are("'TERM;x' is not a signal",
	    "[program:a]\ncommand = a\nstop_signal = TERM;x\n",
	    "x.ini:3: program:a: stop_signal: \"TERM;x\" is not a signal "
	    "(use TERM, SIGTERM or a number)");

	/* The header line of a program after CRLF lines and a long line. */
	n = (size_t)snprintf(buf, sizeof(buf), "; x\r\n\r\n[program:a]\r\n"
	    "command = a\r\n[program:b]\r\n");
	cfg = parse_len(buf, n, &errs, &r);
	ok(r == 1 && errs.n == 1 && strcmp(errs.msg[0], "x.ini:5: program:b: "
	    "command: missing (every program needs one)") == 0,
	    "CRLF: header lines count right (%s)",
	    errs.n > 0 ? errs.msg[0] : "no error");
	errlist_free(&errs);
	config_free(cfg);

	/* No trailing newline on the last line. */
	cfg = parse_ok("no newline at the end", "[program:a]\ncommand = a b");
	ok(cfg->nprograms == 1 && cfg->programs[0]->argc == 2,
	    "the last line counts without its newline");
	config_free(cfg);

	/* ${VAR} forms in values. */
	cfg = parse_ok("${...} forms", "[program:a]\n"
	    "command = run $$HOME ${EMPTY:-dflt} ${NOPE:-x y} $PORT\n"
	    "environment = P=${PORT}, Q=\"${APP} dir\"\n");
	is_str(words(cfg->programs[0]->argv, cfg->programs[0]->argc),
	    "[run][$HOME][dflt][x][y][$PORT]",
	    "$$, ${:-} and a bare $VAR in a command");
	is_str(words(cfg->programs[0]->env, cfg->programs[0]->nenv),
	    "[P=8080][Q=/srv/app dir]", "${VAR} in an environment list");
	config_free(cfg);

	/* The getter is given the caller's argument. */
	cfg = config_new("x.ini");
	text = "[program:a]\ncommand = ${PORT} ${APP}\n";
	r = config_parse(cfg, text, strlen(text), getter, &calls, &errs);
	ok(r == 0 && calls == 2, "the getter gets its arg, once per ${}");
	errlist_free(&errs);
	config_free(cfg);

	/* More problems than TEND_ERRORS_MAX: counted, the rest dropped. */
	{
		static char many[8192];
		size_t len;
		int i;

		len = (size_t)snprintf(many, sizeof(many), "[program:a]\n"
		    "command = a\n");
		for (i = 0; i < TEND_ERRORS_MAX + 50; i++)
			len += (size_t)snprintf(many + len, sizeof(many) - len,
			    "k%d = 1\n", i);
		cfg = parse_len(many, len, &errs, &r);
		ok(r == TEND_ERRORS_MAX + 50 && errs.n == TEND_ERRORS_MAX &&
		    errs.dropped == 50, "%d problems: %d kept, %d dropped",
		    TEND_ERRORS_MAX + 50, TEND_ERRORS_MAX, 50);
		if (errs.n > 0)
			is_str(errs.msg[errs.n - 1], "x.ini:102: program:a: "
			    "k99: unknown key",
			    "the last one kept is the 100th");
		else
			skip(1, "no message kept");
		errlist_free(&errs);
		config_free(cfg);
	}
}

static char tmpdir[] = "/tmp/t_config.XXXXXX";

static char *
tmp_path(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static char *
write_file(const char *name, const char *text, size_t len)
{
	char *path = tmp_path(name);
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, text, len) != (ssize_t)len || close(fd) == -1) {
		diag("%s: %s", path, strerror(errno));
		exit(1);
	}
	return path;
}

static void
test_load(void)
{
	struct errlist errs = { 0 };
	struct config *cfg;
	char want[512], *path, *big;
	const char *text;

	if (mkdtemp(tmpdir) == NULL) {
		diag("mkdtemp: %s", strerror(errno));
		exit(1);
	}
	setenv("T_CONFIG_PORT", "9999", 1);
	text = "[program:web]\ncommand = serve ${T_CONFIG_PORT}\n";
	path = write_file("ok.ini", text, strlen(text));
	cfg = config_load(path, &errs);
	ok(cfg != NULL && errs.n == 0 && cfg->nprograms == 1,
	    "config_load reads a valid file");
	if (cfg != NULL && cfg->nprograms == 1) {
		is_str(words(cfg->programs[0]->argv, cfg->programs[0]->argc),
		    "[serve][9999]",
		    "config_load expands from the environment");
		is_str(cfg->path, path, "config_load keeps the path");
	} else
		skip(2, "no config");
	config_free(cfg);
	errlist_free(&errs);

	text = "[program:web]\ncommand = a\nnumprocs = 0\n";
	path = write_file("bad.ini", text, strlen(text));
	cfg = config_load(path, &errs);
	snprintf(want, sizeof(want), "%s:3: program:web: numprocs: 0 is out "
	    "of range (1..10000)", path);
	ok(cfg == NULL && errs.n == 1 && strcmp(errs.msg[0], want) == 0,
	    "config_load of a bad file: NULL and the problem with its path");
	errlist_free(&errs);

	cfg = config_load(tmp_path("nope.ini"), &errs);
	snprintf(want, sizeof(want), "%s/nope.ini: open: No such file or "
	    "directory", tmpdir);
	if (!ok(cfg == NULL && errs.n == 1 && strcmp(errs.msg[0], want) == 0,
	    "a missing file: PATH: open: No such file or directory") &&
	    errs.n > 0)
		diag("  got %s", errs.msg[0]);
	errlist_free(&errs);

	cfg = config_load(tmpdir, &errs);
	snprintf(want, sizeof(want), "%s: not a regular file", tmpdir);
	ok(cfg == NULL && errs.n == 1 && strcmp(errs.msg[0], want) == 0,
	    "a directory: PATH: not a regular file");
	errlist_free(&errs);

	if ((big = malloc(TEND_CONFIG_SIZE_MAX + 1)) == NULL)
		exit(1);
	memset(big, '\n', TEND_CONFIG_SIZE_MAX + 1);
	path = write_file("big.ini", big, TEND_CONFIG_SIZE_MAX + 1);
	cfg = config_load(path, &errs);
	snprintf(want, sizeof(want), "%s: larger than %d bytes", path,
	    TEND_CONFIG_SIZE_MAX);
	ok(cfg == NULL && errs.n == 1 && strcmp(errs.msg[0], want) == 0,
	    "a file over the size limit is refused");
	errlist_free(&errs);
	unlink(path);
	free(big);

	unlink(tmp_path("ok.ini"));
	unlink(tmp_path("bad.ini"));
	rmdir(tmpdir);
	unsetenv("T_CONFIG_PORT");
}

static void
test_free(void)
{
	struct config *cfg;
	struct errlist errs = { 0 };
	const char *text;
	int r;

	/* Every owned field set, some of them twice through a bad key, and
	 * a failed parse: the sanitizer build finds what is not freed. */
	cfg = parse_len(full, strlen(full), &errs, &r);
	text = "[program:z]\ncommand = a\ndirectory = /a\n"
	    "directory = /b\ncommand = b\n";
	config_parse(cfg, text, strlen(text), getter, NULL, &errs);
	ok(errs.n == 2, "a second parse into the same config adds problems");
	config_free(cfg);
	errlist_free(&errs);
	ok(errs.n == 0 && errs.msg == NULL, "errlist_free empties the list");
	config_free(NULL);
	ok(1, "config_free(NULL) is a no-op");
}

int
main(void)
{
	plan(138);
	test_full();
	test_errors();
	test_control_keys();
	test_syntax();
	test_load();
	test_free();
	return done();
}
