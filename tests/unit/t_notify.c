/*
 * t_notify.c: notify_parse, the datagram reader of the worker protocol:
 * every accepted key, later lines winning, keys tend ignores, and
 * malformed lines counted while the rest of the datagram applies.
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "notify.h"

static struct notify_msg m;

static void
parse(const char *s)
{
	notify_parse(s, strlen(s), &m);
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

	plan(32);
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
	return done();
}
