/*
 * notifymsg.c: notify_parse(), the worker protocol's datagram parser:
 * bytes in, struct notify_msg out; no I/O, no logging, no globals. The
 * socket that reads the datagrams is notify.c's.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "notifymsg.h"
#include "util.h"

/* Decimal digits only, at most max. */
static int
number(const char *s, size_t n, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long v = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (max - (unsigned long long)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
key_is(const char *k, size_t kl, const char *want)
{
	return strlen(want) == kl && memcmp(k, want, kl) == 0;
}

/*
 * STATUS= text as one printable line of valid UTF-8 (it reaches /status
 * JSON as it is): ill-formed bytes become U+FFFD, ASCII controls spaces,
 * and a text too long is cut on a character boundary.
 */
static void
set_status(struct notify_msg *m, const char *v, size_t n)
{
	size_t len = utf8_copy(m->status, sizeof(m->status), v, n);

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)m->status[i] < 0x20 || m->status[i] == 0x7f)
			m->status[i] = ' ';
}

/* A "=1" flag. */
static int
flag(const char *v, size_t n)
{
	return n == 1 && v[0] == '1' ? 0 : -1;
}

/* One KEY=VALUE line; -1 when it is malformed. */
static int
parse_line(struct notify_msg *m, const char *k, size_t kl, const char *v,
    size_t vl)
{
	unsigned long long u;

	if (key_is(k, kl, "READY"))
		return flag(v, vl) == 0 ? (m->set |= NF_READY, 0) : -1;
	if (key_is(k, kl, "RELOADING"))
		return flag(v, vl) == 0 ? (m->set |= NF_RELOADING, 0) : -1;
	if (key_is(k, kl, "STOPPING"))
		return flag(v, vl) == 0 ? (m->set |= NF_STOPPING, 0) : -1;
	if (key_is(k, kl, "STATUS")) {
		set_status(m, v, vl);
		m->set |= NF_STATUS;
		return 0;
	}
	if (key_is(k, kl, "WATCHDOG")) {
		if (flag(v, vl) == 0)
			m->set |= NF_WATCHDOG;
		else if (vl == 7 && memcmp(v, "trigger", 7) == 0)
			m->set |= NF_WATCHDOG_TRIGGER;
		else
			return -1;
		return 0;
	}
	if (key_is(k, kl, "EXTEND_TIMEOUT_USEC")) {
		if (number(v, vl, UINT64_MAX, &u) == -1)
			return -1;
		m->extend_usec = u;
		m->set |= NF_EXTEND;
		return 0;
	}
	if (key_is(k, kl, "ERRNO")) {
		if (number(v, vl, 4095, &u) == -1)
			return -1;
		m->errnum = (int)u;
		m->set |= NF_ERRNO;
		return 0;
	}
	if (key_is(k, kl, "MAINPID")) {
		if (number(v, vl, 0x7fffffff, &u) == -1 || u == 0)
			return -1;
		m->mainpid = (pid_t)u;
		m->set |= NF_MAINPID;
		return 0;
	}
	if (key_is(k, kl, "QUEUE_DEPTH") || key_is(k, kl, "INFLIGHT")) {
		if (number(v, vl, 1ULL << 53, &u) == -1)
			return -1;
		if (kl == 8) {
			m->inflight = u;
			m->set |= NF_INFLIGHT;
		} else {
			m->queue_depth = u;
			m->set |= NF_QUEUE_DEPTH;
		}
		return 0;
	}
	return 0;	/* a key tend has no use for: ignored, as systemd */
}

/* Keys are upper-case letters, digits and '_'. */
static int
key_ok(const char *k, size_t kl)
{
	for (size_t i = 0; i < kl; i++)
		if (!((k[i] >= 'A' && k[i] <= 'Z') ||
		    (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return 0;
	return 1;
}

void
notify_parse(const char *buf, size_t len, struct notify_msg *m)
{
	const char *line = buf, *end = buf + len, *nl, *eq;
	size_t kl;

	memset(m, 0, sizeof(*m));
	for (; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		if (nl == line)
			continue;	/* empty line */
		eq = memchr(line, '=', (size_t)(nl - line));
		kl = eq != NULL ? (size_t)(eq - line) : 0;
		if (eq == NULL || kl == 0 || memchr(line, '\0',
		    (size_t)(nl - line)) != NULL ||
		    !key_ok(line, kl) ||
		    parse_line(m, line, kl, eq + 1,
		    (size_t)(nl - eq - 1)) == -1)
			m->malformed++;
	}
}
