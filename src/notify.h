/*
 * notify.h: the worker protocol's server: the NOTIFY_SOCKET datagram
 * socket, read on the loop; each datagram is parsed (notifymsg.h), its
 * sender found (sender.h) and the message handed to the lifecycle.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include "tend.h"
#include "notifymsg.h"

/* Opens the socket and sets t->notify_socket (for NOTIFY_SOCKET); -1 and
 * logged on failure. notify_close undoes it. */
int notify_open(struct tend *t);
void notify_close(struct tend *t);

#endif
