/*
 * control.h: the control socket. HTTP/1.1 over a Unix stream socket (and,
 * read-only, over TCP for http_listen), served on the loop: listeners,
 * connections with bounded buffers and deadlines, routes, SO_PEERCRED.
 * Requests are parsed by http.c; answers come from metrics.c and act
 * through program.c and supervise.c.
 */
#ifndef CONTROL_H
#define CONTROL_H

#include "tend.h"

/*
 * Listens on path (NULL: none) with mode, and on http_listen (NULL:
 * none). A stale socket file left by a dead tend is replaced; a live one
 * is refused. Logs what failed and returns -1; 0 when listening.
 */
int control_open(struct tend *t, const char *path, unsigned mode,
    const char *http_listen);

/* Closes every connection and listener and removes the socket file. */
void control_close(struct tend *t);

#endif
