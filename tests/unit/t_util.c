/*
 * t_util.c: the value parsers of util.c, one TAP line per case. Good input
 * checks the value, bad input checks the exact error text, since that text
 * is what a user reads after "file:line: section: key: ".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "util.h"

/* s with newlines and tabs escaped, for a one-line TAP description. */
static const char *
show(const char *s)
{
	static char bufs[4][256];
	static int next;
	char *b = bufs[next++ % 4];
	size_t i = 0;

	for (; *s != '\0' && i + 3 < sizeof(bufs[0]); s++) {
		if (*s == '\n' || *s == '\t') {
			b[i++] = '\\';
			b[i++] = *s == '\n' ? 'n' : 't';
		} else
			b[i++] = *s;
	}
	b[i] = '\0';
	return b;
}

/* Joins words as "[a][b]" so empty words and word counts show. */
static const char *
join(char **v, int n)
{
	static char buf[1024];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "[%s]",
		    v[i]);
	if (v != NULL && v[n] != NULL)
		snprintf(buf, sizeof(buf), "argv[%d] is not NULL", n);
	return buf;
}

static void
dur_ok(const char *s, double want)
{
	char err[UTIL_ERR_MAX] = "";
	double v = -1;

	if (!ok(duration_parse(s, &v, err, sizeof(err)) == 0 &&
	    fabs(v - want) < 1e-9, "duration \"%s\" = %g", show(s), want))
		diag("  got %.9g, err \"%s\"", v, err);
}

static void
dur_bad(const char *s, const char *want)
{
	char err[UTIL_ERR_MAX] = "";
	double v = 42;
	int r;

	r = duration_parse(s, &v, err, sizeof(err));
	if (!ok(r == -1 && errno == EINVAL && v == 42 &&
	    strcmp(err, want) == 0, "duration \"%s\" is refused", show(s)))
		diag("  got %d, %g, \"%s\", want \"%s\"", r, v, err, want);
}

static void
bool_is(const char *s, int want)
{
	char err[UTIL_ERR_MAX] = "";
	int v = -1;

	if (!ok(bool_parse(s, &v, err, sizeof(err)) == 0 && v == want,
	    "bool \"%s\" = %d", s, want))
		diag("  got %d, err \"%s\"", v, err);
}

static void
bool_bad(const char *s)
{
	char err[UTIL_ERR_MAX] = "", want[UTIL_ERR_MAX];
	int v = 42, r;

	snprintf(want, sizeof(want), "\"%s\" is not a boolean "
	    "(use yes/no, true/false, on/off, 1/0)", s);
	r = bool_parse(s, &v, err, sizeof(err));
	if (!ok(r == -1 && v == 42 && strcmp(err, want) == 0,
	    "bool \"%s\" is refused", s))
		diag("  got %d, %d, \"%s\"", r, v, err);
}

static void
sig_is(const char *s, int want)
{
	char err[UTIL_ERR_MAX] = "";
	int v = -1;

	if (!ok(sig_parse(s, &v, err, sizeof(err)) == 0 && v == want,
	    "signal \"%s\" = %d", s, want))
		diag("  got %d, err \"%s\"", v, err);
}

static void
sig_bad(const char *s)
{
	char err[UTIL_ERR_MAX] = "", want[UTIL_ERR_MAX];
	int v = 42, r;

	snprintf(want, sizeof(want), "\"%s\" is not a signal "
	    "(use TERM, SIGTERM or a number)", s);
	r = sig_parse(s, &v, err, sizeof(err));
	if (!ok(r == -1 && v == 42 && strcmp(err, want) == 0,
	    "signal \"%s\" is refused", s))
		diag("  got %d, %d, \"%s\"", r, v, err);
}

static void
long_is(const char *s, long min, long max, long want)
{
	char err[UTIL_ERR_MAX] = "";
	long v = -1;

	if (!ok(long_parse(s, min, max, &v, err, sizeof(err)) == 0 &&
	    v == want, "long \"%s\" = %ld", show(s), want))
		diag("  got %ld, err \"%s\"", v, err);
}

static void
long_bad(const char *s, long min, long max, const char *want)
{
	char err[UTIL_ERR_MAX] = "";
	long v = 42;
	int r;

	r = long_parse(s, min, max, &v, err, sizeof(err));
	if (!ok(r == -1 && v == 42 && strcmp(err, want) == 0,
	    "long \"%s\" in %ld..%ld is refused", show(s), min, max))
		diag("  got %d, %ld, \"%s\", want \"%s\"", r, v, err, want);
}

static void
mode_is(const char *s, unsigned want)
{
	char err[UTIL_ERR_MAX] = "";
	unsigned v = 1234;

	if (!ok(mode_parse(s, &v, err, sizeof(err)) == 0 && v == want,
	    "mode \"%s\" = %#o", s, want))
		diag("  got %#o, err \"%s\"", v, err);
}

static void
mode_bad(const char *s)
{
	char err[UTIL_ERR_MAX] = "", want[UTIL_ERR_MAX];
	unsigned v = 1234;
	int r;

	snprintf(want, sizeof(want), "\"%s\" is not an octal mode (e.g. 0022)",
	    s);
	r = mode_parse(s, &v, err, sizeof(err));
	if (!ok(r == -1 && v == 1234 && strcmp(err, want) == 0,
	    "mode \"%s\" is refused", show(s)))
		diag("  got %d, %#o, \"%s\"", r, v, err);
}

static void
words_is(const char *s, int n, const char *want)
{
	char err[UTIL_ERR_MAX] = "";
	char **v;
	int argc = -1;

	v = words_split(s, &argc, err, sizeof(err));
	if (!ok(v != NULL && argc == n && strcmp(join(v, argc), want) == 0,
	    "words of '%s' are %s", show(s), want))
		diag("  got %d words %s, err \"%s\"", argc,
		    v != NULL ? join(v, argc) : "(null)", err);
	argv_free(v);
}

static void
words_bad(const char *s, const char *want)
{
	char err[UTIL_ERR_MAX] = "";
	char **v;
	int argc = -1;

	errno = 0;
	v = words_split(s, &argc, err, sizeof(err));
	if (!ok(v == NULL && errno == EINVAL && strcmp(err, want) == 0,
	    "words of '%s' are refused: %s", show(s), want))
		diag("  got %s, errno %d, err \"%s\"",
		    v != NULL ? join(v, argc) : "(null)", errno, err);
	argv_free(v);
}

/* A=alpha, E= (set but empty), SP="a b"; every other name is unset. */
static const char *
getter(const char *name, void *arg)
{
	int *calls = arg;

	(*calls)++;
	if (strcmp(name, "A") == 0)
		return "alpha";
	if (strcmp(name, "E") == 0)
		return "";
	if (strcmp(name, "SP") == 0)
		return "a b";
	if (strcmp(name, "_x9") == 0)
		return "under";
	return NULL;
}

static void
vars_is(const char *s, const char *want)
{
	char err[UTIL_ERR_MAX] = "", *r;
	int calls = 0;

	r = vars_expand(s, getter, &calls, err, sizeof(err));
	is_str(r, want, "expand '%s' -> '%s'", show(s), want);
	if (r == NULL)
		diag("  err \"%s\"", err);
	free(r);
}

static void
vars_bad(const char *s, const char *want)
{
	char err[UTIL_ERR_MAX] = "", *r;
	int calls = 0;

	r = vars_expand(s, getter, &calls, err, sizeof(err));
	if (!ok(r == NULL && strcmp(err, want) == 0,
	    "expand '%s' is refused: %s", s, want))
		diag("  got \"%s\", err \"%s\"", r != NULL ? r : "(null)", err);
	free(r);
}

static void
env_is(const char *s, int n, const char *want)
{
	char err[UTIL_ERR_MAX] = "";
	char **v;
	int count = -1;

	v = env_list_parse(s, &count, err, sizeof(err));
	if (!ok(v != NULL && count == n && strcmp(join(v, count), want) == 0,
	    "env '%s' is %s", show(s), want))
		diag("  got %d %s, err \"%s\"", count,
		    v != NULL ? join(v, count) : "(null)", err);
	argv_free(v);
}

static void
env_bad(const char *s, const char *want)
{
	char err[UTIL_ERR_MAX] = "";
	char **v;
	int count = -1;

	v = env_list_parse(s, &count, err, sizeof(err));
	if (!ok(v == NULL && strcmp(err, want) == 0,
	    "env '%s' is refused: %s", show(s), want))
		diag("  got %s, err \"%s\"",
		    v != NULL ? join(v, count) : "(null)", err);
	argv_free(v);
}

static void
codes_bad(const char *s, const char *want)
{
	unsigned char codes[256];
	char err[UTIL_ERR_MAX] = "";
	int r;

	r = codes_parse(s, codes, err, sizeof(err));
	if (!ok(r == -1 && strcmp(err, want) == 0,
	    "codes '%s' are refused: %s", show(s), want))
		diag("  got %d, err \"%s\"", r, err);
}

static void
names_is(const char *s, int n, const char *want)
{
	char err[UTIL_ERR_MAX] = "";
	char **v;
	int count = -1;

	v = names_parse(s, &count, err, sizeof(err));
	if (!ok(v != NULL && count == n && strcmp(join(v, count), want) == 0,
	    "names '%s' are %s", show(s), want))
		diag("  got %d %s, err \"%s\"", count,
		    v != NULL ? join(v, count) : "(null)", err);
	argv_free(v);
}

static void
names_bad(const char *s, const char *want)
{
	char err[UTIL_ERR_MAX] = "";
	char **v;
	int count = -1;

	v = names_parse(s, &count, err, sizeof(err));
	if (!ok(v == NULL && strcmp(err, want) == 0,
	    "names '%s' are refused: %s", show(s), want))
		diag("  got %s, err \"%s\"",
		    v != NULL ? join(v, count) : "(null)", err);
	argv_free(v);
}

static void
test_duration(void)
{
	char err[8];
	double v;

	dur_ok("250ms", 0.25);
	dur_ok("1.5s", 1.5);
	dur_ok("2m", 120);
	dur_ok("1h", 3600);
	dur_ok("10", 10);
	dur_ok("0", 0);
	dur_ok("0.5", 0.5);
	dur_ok("0s", 0);
	dur_ok("1.25m", 75);
	dur_ok("007s", 7);
	dur_ok("876000h", 100.0 * 365 * 86400);	/* exactly the limit */
	dur_bad("10x", "\"10x\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("", "\"\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("s", "\"s\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("ms", "\"ms\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad(".", "\".\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("-1", "\"-1\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("+1", "\"+1\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad(" 1s", "\" 1s\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("1s ", "\"1s \" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("1 s", "\"1 s\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("1e3", "\"1e3\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("inf", "\"inf\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("nan", "\"nan\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("0x10", "\"0x10\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("1S", "\"1S\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("1sec", "\"1sec\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("1h30m", "\"1h30m\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("1.2.3", "\"1.2.3\" is not a duration (use 10s, 500ms, 2m)");
	dur_bad("99999999999999999999h",
	    "\"99999999999999999999h\" is too long (at most 100 years)");
	dur_bad("876001h", "\"876001h\" is too long (at most 100 years)");
	/* 400 digits overflow a double to inf: still "too long". */
	{
		char big[402];

		memset(big, '9', 400);
		big[400] = 's';
		big[401] = '\0';
		v = 42;
		ok(duration_parse(big, &v, NULL, 0) == -1 && v == 42,
		    "a 400-digit duration is refused, NULL err is fine");
	}
	/* A small error buffer gets a truncated, terminated message. */
	memset(err, 'x', sizeof(err));
	ok(duration_parse("bogus", &v, err, sizeof(err)) == -1 &&
	    strcmp(err, "\"bogus\"") == 0, "the message fits a short buffer");
}

static void
test_bool(void)
{
	static const char *yes[] = { "yes", "YES", "Yes", "true", "TRUE",
	    "True", "on", "ON", "oN", "1" };
	static const char *no[] = { "no", "NO", "No", "false", "FALSE",
	    "fAlSe", "off", "OFF", "Off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		bool_is(yes[i], 1);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		bool_is(no[i], 0);
	bool_bad("");
	bool_bad("2");
	bool_bad("yess");
	bool_bad(" yes");
	bool_bad("yes ");
	bool_bad("y");
	bool_bad("01");
}

static void
test_signals(void)
{
	int sig, bad;
	char err[UTIL_ERR_MAX];

	sig_is("TERM", SIGTERM);
	sig_is("SIGTERM", SIGTERM);
	sig_is("term", SIGTERM);
	sig_is("sigterm", SIGTERM);
	sig_is("SigTerm", SIGTERM);
	sig_is("15", SIGTERM);
	sig_is("KILL", SIGKILL);
	sig_is("9", SIGKILL);
	sig_is("HUP", SIGHUP);
	sig_is("USR1", SIGUSR1);
	sig_is("WINCH", SIGWINCH);
	sig_is("IOT", SIGABRT);
	sig_is("RTMIN", SIGRTMIN);
	sig_is("RTMIN+2", SIGRTMIN + 2);
	sig_is("rtmin+2", SIGRTMIN + 2);
	sig_is("SIGRTMIN+2", SIGRTMIN + 2);
	sig_is("SIG15", SIGTERM);
	sig_is("sig42", 42);
	sig_is("RTMIN+0", SIGRTMIN);
	{
		char max[32];

		snprintf(max, sizeof(max), "RTMIN+%d", SIGRTMAX - SIGRTMIN);
		sig_is(max, SIGRTMAX);
		snprintf(max, sizeof(max), "%d", SIGRTMAX);
		sig_is(max, SIGRTMAX);
		snprintf(max, sizeof(max), "%d", SIGRTMAX + 1);
		sig_bad(max);
		snprintf(max, sizeof(max), "RTMIN+%d", SIGRTMAX - SIGRTMIN + 1);
		sig_bad(max);
	}
	sig_bad("0");
	sig_bad("65");
	sig_bad("-1");
	sig_bad("");
	sig_bad("FOO");
	sig_bad("SIG");
	sig_bad("SIG0");
	sig_bad("SIGFOO");
	sig_bad("TERMX");
	sig_bad(" TERM");
	sig_bad("RTMIN+99");
	sig_bad("RTMIN+");
	sig_bad("RTMIN-1");
	sig_bad("RTMIN2");
	sig_bad("RTMIN+ 2");
	sig_bad("15x");
	sig_bad("99999999999999999999");

	is_str(sig_name(SIGTERM), "TERM", "sig_name(SIGTERM)");
	is_str(sig_name(SIGKILL), "KILL", "sig_name(SIGKILL)");
	is_str(sig_name(SIGHUP), "HUP", "sig_name(SIGHUP)");
	is_str(sig_name(SIGABRT), "ABRT", "sig_name(SIGABRT), not IOT");
	is_str(sig_name(SIGIO), "IO", "sig_name(SIGIO), not POLL");
	is_str(sig_name(SIGCHLD), "CHLD", "sig_name(SIGCHLD), not CLD");
	is_str(sig_name(SIGRTMIN), "RTMIN", "sig_name(SIGRTMIN)");
	is_str(sig_name(SIGRTMIN + 2), "RTMIN+2", "sig_name(SIGRTMIN+2)");
	is_str(sig_name(0), "SIG0", "sig_name(0) for an unnamed number");

	/* Whatever sig_name prints, sig_parse reads back (logs name
	 * signals this way, and people copy names out of logs). */
	for (bad = 0, sig = 1; sig <= SIGRTMAX; sig++) {
		int back = -1;

		if (sig_parse(sig_name(sig), &back, err, sizeof(err)) == -1 ||
		    back != sig) {
			diag("  %d -> \"%s\" -> %d", sig, sig_name(sig), back);
			bad++;
		}
	}
	is_int(bad, 0, "sig_parse(sig_name(n)) == n for 1..SIGRTMAX");
}

static void
test_long(void)
{
	char want[UTIL_ERR_MAX];

	long_is("42", 0, 100, 42);
	long_is("0", 0, 100, 0);
	long_is("100", 0, 100, 100);
	long_is("-5", -10, 10, -5);
	long_is("007", 0, 100, 7);
	long_is("9223372036854775807", LONG_MIN, LONG_MAX, LONG_MAX);
	long_is("-9223372036854775808", LONG_MIN, LONG_MAX, LONG_MIN);
	long_bad("101", 0, 100, "101 is out of range (0..100)");
	long_bad("-1", 0, 100, "-1 is out of range (0..100)");
	long_bad("9223372036854775808", LONG_MIN, LONG_MAX,
	    "9223372036854775808 is out of range "
	    "(-9223372036854775808..9223372036854775807)");
	snprintf(want, sizeof(want), "99999999999999999999999 is out of "
	    "range (1..%d)", 10000);
	long_bad("99999999999999999999999", 1, 10000, want);
	long_bad("12abc", 0, 100, "\"12abc\" is not an integer");
	long_bad("12 ", 0, 100, "\"12 \" is not an integer");
	long_bad(" 12", 0, 100, "\" 12\" is not an integer");
	long_bad("\t12", 0, 100, "\"\t12\" is not an integer");
	long_bad("", 0, 100, "\"\" is not an integer");
	long_bad("-", 0, 100, "\"-\" is not an integer");
	long_bad("0x10", 0, 100, "\"0x10\" is not an integer");
	long_bad("1.5", 0, 100, "\"1.5\" is not an integer");
}

static void
test_mode(void)
{
	mode_is("0022", 022);
	mode_is("0777", 0777);
	mode_is("0600", 0600);
	mode_is("0", 0);
	mode_is("22", 022);
	mode_is("0000000027", 027);
	mode_bad("8");
	mode_bad("0018");
	mode_bad("01000");
	mode_bad("7777");
	mode_bad("");
	mode_bad("-1");
	mode_bad(" 022");
	mode_bad("0o22");
}

static void
test_words(void)
{
	char err[UTIL_ERR_MAX];
	char **v;
	int argc = -1;

	words_is("a b c", 3, "[a][b][c]");
	words_is("  a \t b\t", 2, "[a][b]");
	words_is("/usr/bin/python3 -m http.server 8080", 4,
	    "[/usr/bin/python3][-m][http.server][8080]");
	words_is("'a b' c", 2, "[a b][c]");
	words_is("'a \"b\" \\n $x'", 1, "[a \"b\" \\n $x]");
	words_is("\"a 'b' c\"", 1, "[a 'b' c]");
	words_is("\"q\\\"q\"", 1, "[q\"q]");
	words_is("\"b\\\\s\"", 1, "[b\\s]");
	words_is("\"\\$HOME\"", 1, "[$HOME]");
	words_is("\"\\`x\\`\"", 1, "[`x`]");
	words_is("\"\\n\\a\"", 1, "[\\n\\a]");	/* other \ stay */
	words_is("\"a\\\nb\"", 1, "[ab]");	/* backslash-newline */
	words_is("a\\ b", 1, "[a b]");
	words_is("\\'x\\\"", 1, "['x\"]");
	words_is("\\\\", 1, "[\\]");
	words_is("\\n", 1, "[n]");
	words_is("\"\"", 1, "[]");
	words_is("''", 1, "[]");
	words_is("a '' b \"\"", 4, "[a][][b][]");
	words_is("a\"b\"'c'", 1, "[abc]");
	words_is("\"a\"'b'c d", 2, "[abc][d]");
	words_is("x'' y", 2, "[x][y]");
	words_is("a\nb", 2, "[a][b]");
	words_is("a \\\n b", 2, "[a][b]");	/* continuation is no word */
	words_is("a\\\nb", 1, "[ab]");
	words_is("$A ${B}", 2, "[$A][${B}]");	/* no expansion here */
	words_bad("'abc", "unterminated single quote");
	words_bad("a \"abc", "unterminated double quote");
	words_bad("\"abc\\\"", "unterminated double quote");
	words_bad("abc\\", "trailing backslash");
	words_bad("\\", "trailing backslash");

	v = words_split("", &argc, err, sizeof(err));
	ok(v != NULL && argc == 0 && v[0] == NULL,
	    "empty input: 0 words, non-NULL argv");
	argv_free(v);
	argc = -1;
	v = words_split(" \t \n ", &argc, err, sizeof(err));
	ok(v != NULL && argc == 0 && v[0] == NULL,
	    "blank input: 0 words, non-NULL argv");
	argv_free(v);
	argv_free(NULL);
	ok(1, "argv_free(NULL) is a no-op");
}

static void
test_vars(void)
{
	char err[UTIL_ERR_MAX], *r;
	int calls = 0;

	vars_is("${A}", "alpha");
	vars_is("x${A}y", "xalphay");
	vars_is("${A}${A}", "alphaalpha");
	vars_is("${_x9}", "under");
	vars_is("${A:-def}", "alpha");
	vars_is("${UNSET:-def}", "def");
	vars_is("${E:-def}", "def");
	vars_is("${E}", "");
	vars_is("[${UNSET:-}]", "[]");
	vars_is("${UNSET:-a b:c}", "a b:c");
	vars_is("${SP}", "a b");
	vars_is("$$", "$");
	vars_is("$${A}", "${A}");
	vars_is("a$$b$$", "a$b$");
	vars_is("$", "$");
	vars_is("a $ b$", "a $ b$");
	vars_is("$A", "$A");
	vars_is("$A{B}", "$A{B}");
	vars_is("{A}", "{A}");
	vars_is("", "");
	vars_is("plain text", "plain text");
	vars_bad("${UNSET}", "${UNSET} is not set");
	vars_bad("x ${UNSET} y", "${UNSET} is not set");
	vars_bad("${A", "unterminated ${ in \"${A\"");
	vars_bad("${", "unterminated ${ in \"${\"");
	vars_bad("${1A}", "bad variable name \"1A\"");
	vars_bad("${A-B}", "bad variable name \"A-B\"");
	vars_bad("${A B}", "bad variable name \"A B\"");
	vars_bad("${}", "bad variable name in \"${}\"");
	vars_bad("${:-x}", "bad variable name in \"${:-x}\"");
	vars_bad("${A:x}", "bad ${...} in \"${A:x}\" "
	    "(use ${VAR} or ${VAR:-default})");
	vars_bad("${A:}", "bad ${...} in \"${A:}\" "
	    "(use ${VAR} or ${VAR:-default})");

	/* The getter is asked once per ${...}, and never for $$ or $A. */
	r = vars_expand("$$ $A ${A} ${B:-x}", getter, &calls, err,
	    sizeof(err));
	ok(r != NULL && calls == 2, "the getter is called once per ${...}");
	free(r);
}

static void
test_env(void)
{
	env_is("A=1", 1, "[A=1]");
	env_is("A=1, B=\"two words\", C='x, y'", 3,
	    "[A=1][B=two words][C=x, y]");
	env_is("D=\"say \\\"hi\\\" \\\\ \\n\"", 1, "[D=say \"hi\" \\ \\n]");
	env_is("E='it\\'", 1, "[E=it\\]");
	env_is("  A = 1 ,\tB=2\t, C = x y  ", 3, "[A=1][B=2][C=x y]");
	env_is("A=", 1, "[A=]");
	env_is("A=\"\"", 1, "[A=]");
	env_is("A=x=y", 1, "[A=x=y]");
	env_is("_A9=1,a=2", 2, "[_A9=1][a=2]");
	env_is("A=\"x\" , B=y", 2, "[A=x][B=y]");
	env_is("A=1,", 1, "[A=1]");
	env_is("", 0, "");
	env_is("   ", 0, "");
	env_bad("A", "\"A\" is not NAME=value");
	env_bad("A=1, B", "\"B\" is not NAME=value");
	env_bad("A=1,,B=2", "\"\" is not NAME=value");
	env_bad("=1", "\"\" is not a variable name");
	env_bad("1A=x", "\"1A\" is not a variable name");
	env_bad("A-B=x", "\"A-B\" is not a variable name");
	env_bad("A B=x", "\"A B\" is not a variable name");
	env_bad("A=\"x", "unterminated quote in value of A");
	env_bad("A='x, B=y", "unterminated quote in value of A");
	env_bad("A=\"x\\\"", "unterminated quote in value of A");
	env_bad("A=\"x\"y", "text after the quoted value of A");
	env_bad("A='x' y, B=1", "text after the quoted value of A");
}

static void
test_lists(void)
{
	unsigned char codes[256];
	char err[UTIL_ERR_MAX];
	int i, n;

	memset(codes, 7, sizeof(codes));
	ok(codes_parse("0, 2,100 ,255", codes, err, sizeof(err)) == 0,
	    "codes \"0, 2,100 ,255\" parse");
	for (n = 0, i = 0; i < 256; i++)
		n += codes[i] != 0;
	ok(n == 4 && codes[0] == 1 && codes[2] == 1 && codes[100] == 1 &&
	    codes[255] == 1, "exactly codes 0, 2, 100, 255 are set");
	ok(codes_parse("3", codes, err, sizeof(err)) == 0 && codes[3] &&
	    !codes[0], "a second parse replaces the set");
	ok(codes_parse("1,1", codes, err, sizeof(err)) == 0 && codes[1],
	    "a repeated code is fine");
	codes_bad("", "empty list of exit codes");
	codes_bad("256", "exit code 256 is out of range (0..255)");
	codes_bad("0, -1", "exit code -1 is out of range (0..255)");
	codes_bad("x", "exit code \"x\" is not an integer");
	codes_bad("1 2", "exit code \"1 2\" is not an integer");
	codes_bad("0,,2", "empty item in list \"0,,2\"");
	codes_bad("0,", "empty item in list \"0,\"");
	codes_bad("0, ", "empty item in list \"0, \"");
	codes_bad(",0", "empty item in list \",0\"");

	names_is("db, cache", 2, "[db][cache]");
	names_is("db", 1, "[db]");
	names_is(" a ,\tb\t,c ", 3, "[a][b][c]");
	names_is("", 0, "");
	names_bad("db,,cache", "empty item in list \"db,,cache\"");
	names_bad("db,", "empty item in list \"db,\"");
	names_bad(",db", "empty item in list \",db\"");
	names_bad("db, ,x", "empty item in list \"db, ,x\"");
}

static void
test_hostport(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&ss;
	static const char *bad[] = { "", "9102", ":9102", "127.0.0.1",
	    "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x",
	    "localhost:80", "::1:9102", "[::1]", "[::1:80", "[127.0.0.1]:80",
	    "1.2.3.4:+80", NULL };
	char err[UTIL_ERR_MAX];
	socklen_t len = 0;
	struct sbuf b = { 0 };

	ok(hostport_parse("127.0.0.1:9102", &ss, &len, err, sizeof(err)) ==
	    0 && ss.ss_family == AF_INET && len == sizeof(*sin) &&
	    ntohs(sin->sin_port) == 9102 &&
	    ntohl(sin->sin_addr.s_addr) == 0x7f000001, "127.0.0.1:9102");
	ok(hostport_parse("[::1]:1", &ss, &len, err, sizeof(err)) == 0 &&
	    ss.ss_family == AF_INET6 && len == sizeof(*sin6) &&
	    ntohs(sin6->sin6_port) == 1 &&
	    IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr), "[::1]:1");
	for (const char **p = bad; *p != NULL; p++)
		ok(hostport_parse(*p, NULL, NULL, err, sizeof(err)) == -1 &&
		    strstr(err, "is not ADDR:PORT") != NULL,
		    "\"%s\" is refused", *p);
	ok(sockpath_check("none", err, sizeof(err)) == 0 &&
	    sockpath_check("", err, sizeof(err)) == -1,
	    "sockpath_check: none is fine, empty is not");

	for (int i = 0; i < 1000; i++)
		sbuf_printf(&b, "%04d", i);
	ok(!b.failed && b.len == 4000 && strncmp(b.buf + 3996, "0999", 4) ==
	    0 && b.buf[4000] == '\0', "sbuf grows across 4000 bytes");
	sbuf_printf(&b, "%0300d", 7);
	ok(b.len == 4300 && b.buf[4299] == '7',
	    "sbuf_printf beyond its small buffer");
	sbuf_free(&b);
	ok(b.buf == NULL && b.len == 0, "sbuf_free empties it");
}

static void
test_utf8(void)
{
	char out[8];

	ok(utf8_valid("caf\xc3\xa9 \xf0\x9f\x98\x80", 10) &&
	    utf8_valid("", 0), "utf8_valid: valid text, and the empty one");
	ok(!utf8_valid("\xc3", 1) && !utf8_valid("\xed\xa0\x80", 3) &&
	    !utf8_valid("\xc1\xbf", 2) && !utf8_valid("\x80", 1),
	    "... not a cut, a surrogate, an overlong or a continuation");
	is_int(utf8_copy(out, sizeof(out), "ab\xe2\x82\xac\xe2\x82\xac", 8),
	    5, "utf8_copy stops before a character that does not fit");
	is_str(out, "ab\xe2\x82\xac", "... and keeps the whole ones");
	is_int(utf8_copy(out, 1, "abc", 3), 0, "... size 1: only the NUL");
}

static void
test_proc(void)
{
	unsigned long long start = 0;
	pid_t ppid = 0;

	ok(proc_stat_start(getpid(), &ppid, &start) == 0 &&
	    ppid == getppid() && start > 0,
	    "proc_stat_start: our parent, and a start time");
	ok(proc_stat_start(0, &ppid, &start) == -1,
	    "... pid 0 is no process");
}

int
main(void)
{
	plan(283);
	test_duration();
	test_bool();
	test_signals();
	test_long();
	test_mode();
	test_words();
	test_vars();
	test_env();
	test_lists();
	test_hostport();
	test_utf8();
	test_proc();
	return done();
}
