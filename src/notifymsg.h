/*
 * notifymsg.h: one worker protocol datagram, parsed: which sd_notify keys
 * it carried and their values. The parser is pure (notifymsg.c); the
 * socket is notify.h's; the lifecycle applies a message (inst_notify).
 */
#ifndef NOTIFYMSG_H
#define NOTIFYMSG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tend.h"

enum notify_field {
	NF_READY = 1 << 0, NF_RELOADING = 1 << 1, NF_STOPPING = 1 << 2,
	NF_STATUS = 1 << 3, NF_WATCHDOG = 1 << 4, NF_WATCHDOG_TRIGGER = 1 << 5,
	NF_EXTEND = 1 << 6, NF_ERRNO = 1 << 7, NF_MAINPID = 1 << 8,
	NF_QUEUE_DEPTH = 1 << 9, NF_INFLIGHT = 1 << 10,
};

struct notify_msg {
	unsigned		 set;		/* NF_* the datagram carried */
	char			 status[TEND_STATUS_TEXT_MAX];
	uint64_t		 extend_usec;
	int			 errnum;
	pid_t			 mainpid;
	unsigned long long	 queue_depth;
	unsigned long long	 inflight;
	unsigned		 malformed;	/* lines not understood */
};

/*
 * Parses one datagram buf[0..len) into m. Lines are "KEY=VALUE"; a later
 * line wins; keys tend does not use (BARRIER=1, FDSTORE=1, ...) are
 * ignored; a line without '=', with a bad key or a bad value for a key
 * tend uses is counted in m->malformed and the rest still applies.
 */
void notify_parse(const char *buf, size_t len, struct notify_msg *m);

#endif
