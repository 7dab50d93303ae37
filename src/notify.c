/*
 * notify.c: the NOTIFY_SOCKET server. It reads datagrams on the loop until
 * EAGAIN, parses them with notifymsg.c, closes every descriptor that
 * comes along (systemd-notify's BARRIER=1 waits for that), has sender.c
 * attribute the sender by SCM_CREDENTIALS and hands the message to
 * program.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tend.h"
#include "log.h"
#include "notify.h"
#include "program.h"
#include "sender.h"
#include "util.h"

/*
 * A message from a sender that is none of ours: counted, and logged at
 * most every TEND_NOTIFY_LOG_EVERY (the first at once), so a flood of
 * them costs no more than the count.
 */
static void
unknown(struct tend *t, const struct ucred *cred)
{
	struct notify_guard *g = &t->notify_guard;
	unsigned long long n = ++t->notify_messages[NOTIFY_UNKNOWN_PID];
	double now = ev_now(t->loop);

	if (g->logged_count != 0 && now - g->logged_at < TEND_NOTIFY_LOG_EVERY)
		return;
	log_warnx("notify: %llu message%s from no instance of ours, the "
	    "last from pid %d uid %d", n - g->logged_count,
	    n - g->logged_count == 1 ? "" : "s",
	    cred != NULL ? (int)cred->pid : -1,
	    cred != NULL ? (int)cred->uid : -1);
	g->logged_at = now;
	g->logged_count = n;
}

/*
 * Closes a descriptor a datagram carried. Anyone can send one, and the
 * last close of a socket with SO_LINGER on and data its peer will not
 * take blocks for the linger time (a TCP socket: up to l_linger
 * seconds), so lingering goes off first: l_onoff = 0 is the default
 * close, which returns at once and leaves the kernel to send what is
 * queued; l_onoff = 1, l_linger = 0 would also return at once, but with
 * an RST that throws away data of a connection that is not ours. For
 * anything but a socket setsockopt fails with ENOTSOCK, one cheap call.
 * Left: a sender that keeps a copy could turn lingering on again
 * between our two calls and close its copy; and a file on FUSE or NFS
 * flushes on close, a serial tty drains its output: a close there may
 * block too. Handing received descriptors to a helper process to close
 * would remove both; no one needs to pass tend anything but the pipe of
 * BARRIER=1.
 */
static void
close_received(int fd)
{
	struct linger off = { 0, 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &off, sizeof(off));
	close(fd);
}

/* Closes the descriptors a datagram carried. */
static void
close_fds(const struct msghdr *mh)
{
	struct cmsghdr *c;
	const int *fds;

	for (c = CMSG_FIRSTHDR(mh); c != NULL;
	    c = CMSG_NXTHDR((struct msghdr *)mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		fds = (const int *)(void *)CMSG_DATA(c);
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) /
		    sizeof(int); i++)
			close_received(fds[i]);
	}
}

/* One datagram: who sent it, then what it says. Descriptors sent along
 * are closed only after the sender is found: systemd-notify waits for
 * that close (BARRIER=1), so it is alive while we look it up. */
static void
handle(struct tend *t, const char *buf, ssize_t n, const struct msghdr *mh)
{
	const struct ucred *cred = NULL;
	struct instance *in = NULL;
	struct notify_msg m;
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c != NULL;
	    c = CMSG_NXTHDR((struct msghdr *)mh, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(*cred)))
			cred = (const struct ucred *)(void *)CMSG_DATA(c);
	if (mh->msg_flags & MSG_TRUNC)
		t->notify_messages[NOTIFY_TRUNCATED]++;
	else if (cred == NULL || (in = sender_find(t, cred->pid, cred->uid,
	    ev_now(t->loop), NULL)) == NULL)
		unknown(t, cred);
	else {
		notify_parse(buf, (size_t)n, &m);
		t->notify_messages[NOTIFY_OK]++;
		t->notify_messages[NOTIFY_MALFORMED] += m.malformed;
		if (m.malformed)
			log_debug("%s: notify: %u malformed line%s", in->name,
			    m.malformed, m.malformed == 1 ? "" : "s");
		inst_notify(in, &m);
	}
	close_fds(mh);
}

/* Reads until EAGAIN, at most TEND_NOTIFY_BATCH datagrams a turn so a
 * flood cannot hold the loop (the rest wake it again at once). The kernel
 * queues few datagrams: a worker in sd_notify() waits for us to read. */
static void
notify_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tend *t = container_of(w, struct tend, notify_io);
	char buf[TEND_NOTIFY_DGRAM_MAX];
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(struct ucred)) +
				    CMSG_SPACE(sizeof(int) * TEND_NOTIFY_FDS_MAX)];
	} cm;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh;
	ssize_t n;

	for (int i = 0; i < TEND_NOTIFY_BATCH; i++) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = &cm;
		mh.msg_controllen = sizeof(cm);
		n = recvmsg(t->notify_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("notify: recvmsg");
			return;
		}
		handle(t, buf, n, &mh);
	}
}

int
notify_open(struct tend *t)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	unsigned rnd = (unsigned)t->rng;
	size_t len;
	int one = 1;

	t->notify_fd = -1;
	/* Abstract: nothing in the file system to create, protect or
	 * clean up; the sender's credentials decide, not file modes. */
	snprintf(t->notify_socket, sizeof(t->notify_socket),
	    "@tend/%d/%08x", (int)getpid(), rnd);
	len = strlen(t->notify_socket);
	memcpy(sun.sun_path + 1, t->notify_socket + 1, len - 1);
	if ((t->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(t->notify_fd, SOL_SOCKET, SO_PASSCRED, &one,
	    sizeof(one)) == -1 ||
	    bind(t->notify_fd, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) == -1 ||
	    asprintf(&t->notify_env, "NOTIFY_SOCKET=%s", t->notify_socket) ==
	    -1) {
		log_error("notify: socket %s", t->notify_socket);
		notify_close(t);
		return -1;
	}
	ev_io_init(&t->notify_io, notify_cb, t->notify_fd, EV_READ);
	ev_io_start(t->loop, &t->notify_io);
	log_debug("notify: listening on %s", t->notify_socket);
	return 0;
}

void
notify_close(struct tend *t)
{
	if (t->notify_fd >= 0) {
		ev_io_stop(t->loop, &t->notify_io);
		close(t->notify_fd);
	}
	t->notify_fd = -1;
	free(t->notify_env);
	t->notify_env = NULL;
}
