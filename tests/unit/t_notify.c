/*
 * t_notify.c: notify_parse, the datagram reader of the worker protocol:
 * every accepted key, later lines winning, keys tend ignores, and
 * malformed lines counted while the rest of the datagram applies, and
 * STATUS= kept as valid UTF-8 cut on a character boundary.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "notifymsg.h"
#include "util.h"

static struct notify_msg m;

static void
parse(const char *s)
{
	notify_parse(s, strlen(s), &m);
}

/* STATUS= of fill bytes 'a' then tail (tl bytes): the text kept. */
static const char *
status_of(size_t fill, const char *tail, size_t tl)
{
	char buf[TEND_STATUS_TEXT_MAX + 64];

	memcpy(buf, "STATUS=", 7);
	memset(buf + 7, 'a', fill);
	memcpy(buf + 7 + fill, tail, tl);
	notify_parse(buf, 7 + fill + tl, &m);
	return m.status;
}

/* STATUS=in keeps exactly want, which is valid UTF-8. */
static void
status_is(const char *what, const char *in, const char *want)
{
	char buf[TEND_STATUS_TEXT_MAX + 16];

	snprintf(buf, sizeof(buf), "STATUS=%s", in);
	parse(buf);
	if (!ok(strcmp(m.status, want) == 0 &&
	    utf8_valid(m.status, strlen(m.status)), "%s", what)) {
		diag("  got:");
		for (const char *p = m.status; *p != '\0'; p++)
			diag("   %02x", (unsigned char)*p);
	}
}

/* A STATUS= of fill 'a's and a tail cut at the limit: fill 'a's, valid. */
static void
cut_at(const char *what, size_t fill, const char *tail)
{
	const char *s = status_of(fill, tail, strlen(tail));
	size_t n = strlen(s);

	if (!ok(n == fill && strspn(s, "a") == fill && utf8_valid(s, n),
	    "%s", what))
		diag("  kept %zu bytes, want %zu", n, fill);
}

/* s must set exactly the fields in set, with malformed lines bad. */
static void
sets(const char *what, const char *s, unsigned set, unsigned bad)
{
	parse(s);
	if (!ok(m.set == set && m.malformed == bad, "%s", what))
		diag("  set %#x (want %#x), malformed %u (want %u)", m.set,
		    set, m.malformed, bad);
}

int
main(void)
{
	char big[TEND_STATUS_TEXT_MAX + 100];
	const char *s;

	plan(50);
	sets("READY=1", "READY=1", NF_READY, 0);
	sets("READY=1 with a newline", "READY=1\n", NF_READY, 0);
	sets("several lines", "READY=1\nSTATUS=up\nQUEUE_DEPTH=5\nINFLIGHT=2",
	    NF_READY | NF_STATUS | NF_QUEUE_DEPTH | NF_INFLIGHT, 0);
	ok(strcmp(m.status, "up") == 0 && m.queue_depth == 5 &&
	    m.inflight == 2, "... with their values");
	sets("RELOADING and STOPPING", "RELOADING=1\nSTOPPING=1",
	    NF_RELOADING | NF_STOPPING, 0);
	sets("WATCHDOG=1", "WATCHDOG=1", NF_WATCHDOG, 0);
	sets("WATCHDOG=trigger", "WATCHDOG=trigger", NF_WATCHDOG_TRIGGER, 0);
	sets("EXTEND_TIMEOUT_USEC", "EXTEND_TIMEOUT_USEC=2000000", NF_EXTEND,
	    0);
	ok(m.extend_usec == 2000000, "... 2000000");
	sets("EXTEND_TIMEOUT_USEC at UINT64_MAX",
	    "EXTEND_TIMEOUT_USEC=18446744073709551615", NF_EXTEND, 0);
	sets("EXTEND_TIMEOUT_USEC over UINT64_MAX",
	    "EXTEND_TIMEOUT_USEC=18446744073709551616", 0, 1);
	sets("ERRNO", "ERRNO=2", NF_ERRNO, 0);
	ok(m.errnum == 2, "... 2");
	sets("MAINPID", "MAINPID=4242", NF_MAINPID, 0);
	sets("MAINPID=0", "MAINPID=0", 0, 1);
	sets("a later line wins", "QUEUE_DEPTH=1\nQUEUE_DEPTH=9",
	    NF_QUEUE_DEPTH, 0);
	ok(m.queue_depth == 9, "... 9");
	sets("systemd-notify's BARRIER=1 is ignored, not malformed",
	    "BARRIER=1", 0, 0);
	sets("other keys are ignored", "FDSTORE=1\nX_CUSTOM=ok\nREADY=1",
	    NF_READY, 0);
	sets("empty lines are skipped", "\n\nREADY=1\n\n", NF_READY, 0);
	sets("a line without '='", "NOEQUALS\nREADY=1", NF_READY, 1);
	sets("READY=2", "READY=2\nSTATUS=x", NF_STATUS, 1);
	sets("a lower-case key", "ready=1", 0, 1);
	sets("an empty key", "=1", 0, 1);
	sets("a bad number", "QUEUE_DEPTH=-1\nINFLIGHT=1x\nINFLIGHT=", 0, 3);
	notify_parse("READY=1\nSTATUS=a\0b", 17, &m);
	ok(m.set == NF_READY && m.malformed == 1,
	    "a line with a NUL byte is malformed");
	sets("WATCHDOG=2", "WATCHDOG=2", 0, 1);
	sets("ERRNO out of range", "ERRNO=5000", 0, 1);
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "STATUS=", 7);
	big[sizeof(big) - 1] = '\0';
	parse(big);
	ok(m.set == NF_STATUS && strlen(m.status) ==
	    TEND_STATUS_TEXT_MAX - 1, "a long STATUS is truncated");
	parse("STATUS=a\tb\x01" "c");
	ok(strcmp(m.status, "a b c") == 0,
	    "control bytes in STATUS become spaces");
	parse("STATUS=");
	ok(m.set == NF_STATUS && m.status[0] == '\0', "STATUS= clears it");
	parse("");
	ok(m.set == 0 && m.malformed == 0, "an empty datagram says nothing");

	/* UTF-8: cut on a character boundary, ill-formed bytes as U+FFFD. */
	cut_at("a 2-byte character across the limit is left out", 254,
	    "\xc3\xa9");
	cut_at("... a 3-byte one", 253, "\xe4\xb8\xad");
	cut_at("... a 4-byte one", 252, "\xf0\x9f\x98\x80");
	cut_at("... a U+FFFD that would not fit", 253, "\x80");
	s = status_of(251, "\xf0\x9f\x98\x80zz", 6);
	ok(strlen(s) == 255 && memcmp(s + 251, "\xf0\x9f\x98\x80", 4) == 0,
	    "a 4-byte character that ends at the limit is kept");
	status_is("a lone continuation byte is U+FFFD", "a\x80" "b",
	    "a\xef\xbf\xbd" "b");
	status_is("... each of two", "\x80\xbf", "\xef\xbf\xbd\xef\xbf\xbd");
	status_is("a character cut off at the end of the text is one U+FFFD",
	    "ab\xe4\xb8", "ab\xef\xbf\xbd");
	status_is("... and in the middle", "\xe4\xb8" "c", "\xef\xbf\xbd" "c");
	status_is("an overlong 2-byte '/' (C0 AF) is two U+FFFD", "\xc0\xaf",
	    "\xef\xbf\xbd\xef\xbf\xbd");
	status_is("an overlong 3-byte form (E0 80 AF) is three",
	    "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	status_is("an overlong 4-byte form (F0 80 80 AF) is four",
	    "\xf0\x80\x80\xaf",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	status_is("a surrogate (ED A0 80) is three U+FFFD", "\xed\xa0\x80",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	status_is("above U+10FFFF (F4 90 80 80) is four",
	    "\xf4\x90\x80\x80",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	status_is("F5-FF are never UTF-8", "\xf5\xff",
	    "\xef\xbf\xbd\xef\xbf\xbd");
	status_is("U+10FFFF, U+FFFD and U+D7FF are kept",
	    "\xf4\x8f\xbf\xbf\xef\xbf\xbd\xed\x9f\xbf",
	    "\xf4\x8f\xbf\xbf\xef\xbf\xbd\xed\x9f\xbf");
	status_is("CJK and an emoji are kept",
	    "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 ok",
	    "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 ok");
	status_is("a control byte after a multi-byte character is a space",
	    "\xc3\xa9\x1b[0m", "\xc3\xa9 [0m");
	return done();
}
