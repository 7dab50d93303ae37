/*
 * fuzz_notify.c: libFuzzer entry point for notify_parse, the reader of
 * worker datagrams. Beyond not crashing: STATUS stays NUL-terminated,
 * printable and valid UTF-8 (it goes into /status JSON as it is), and no
 * more lines are malformed than the datagram has.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notifymsg.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct notify_msg m;
	size_t lines = 1;

	notify_parse((const char *)data, size, &m);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (m.malformed > lines ||
	    memchr(m.status, '\0', sizeof(m.status)) == NULL)
		abort();
	for (const char *p = m.status; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	if (!utf8_valid(m.status, strlen(m.status)))
		abort();
	return 0;
}
