/*
 * pidmap.c: pid -> pointer, open addressing with linear probing and
 * backward-shift deletion (no tombstones, so lookups stay short however
 * many puts and deletes an instance's restarts make). The table is kept
 * at most half full by its reservations; pids hash by Fibonacci hashing,
 * as consecutive pids are the common case.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "pidmap.h"

#define PIDMAP_MIN	16	/* smallest table, in slots */

static size_t
home(const struct pidmap *m, pid_t key)
{
	return (size_t)(((uint32_t)key * 2654435769u) >> m->shift);
}

/* The slot of key, or of the empty slot where it would go. */
static size_t
find(const struct pidmap *m, pid_t key)
{
	size_t i = home(m, key), mask = m->cap - 1;

	while (m->slot[i].key != 0 && m->slot[i].key != key)
		i = (i + 1) & mask;
	return i;
}

int
pidmap_reserve(struct pidmap *m, size_t more)
{
	size_t want = m->reserved + more, cap = PIDMAP_MIN;
	struct pidmap old = *m;
	unsigned bits = 4;

	while (cap < 2 * want) {
		if (cap > SIZE_MAX / 4) {
			errno = ENOMEM;
			return -1;
		}
		cap *= 2;
		bits++;
	}
	if (cap > m->cap) {
		if ((m->slot = calloc(cap, sizeof(*m->slot))) == NULL) {
			*m = old;
			return -1;
		}
		m->cap = cap;
		m->shift = 32 - bits;
		for (size_t i = 0; i < old.cap; i++)
			if (old.slot[i].key != 0)
				m->slot[find(m, old.slot[i].key)] = old.slot[i];
		free(old.slot);
	}
	m->reserved = want;
	return 0;
}

void
pidmap_release(struct pidmap *m, size_t fewer)
{
	m->reserved = fewer < m->reserved ? m->reserved - fewer : 0;
	if (m->reserved == 0) {
		free(m->slot);
		m->slot = NULL;
		m->cap = m->n = 0;
	}
}

int
pidmap_put(struct pidmap *m, pid_t key, void *val)
{
	size_t i;

	if (key <= 0) {
		errno = EINVAL;
		return -1;
	}
	if (m->cap == 0 || (m->slot[i = find(m, key)].key == 0 &&
	    m->n >= m->cap / 2)) {
		errno = ENOSPC;
		return -1;
	}
	if (m->slot[i].key == 0)
		m->n++;
	m->slot[i].key = key;
	m->slot[i].val = val;
	return 0;
}

void
pidmap_del(struct pidmap *m, pid_t key, const void *val)
{
	size_t i, j, mask = m->cap - 1;

	if (key <= 0 || m->cap == 0 || m->slot[i = find(m, key)].key == 0 ||
	    m->slot[i].val != val)
		return;
	/* Move back every later key of the run that may sit in the hole:
	 * one whose home is no nearer to it than the hole is. */
	for (j = (i + 1) & mask; m->slot[j].key != 0; j = (j + 1) & mask) {
		size_t h = home(m, m->slot[j].key);

		if (((j - h) & mask) >= ((j - i) & mask)) {
			m->slot[i] = m->slot[j];
			i = j;
		}
	}
	m->slot[i].key = 0;
	m->slot[i].val = NULL;
	m->n--;
}

void *
pidmap_get(const struct pidmap *m, pid_t key)
{
	size_t i;

	if (key <= 0 || m->cap == 0)
		return NULL;
	i = find(m, key);
	return m->slot[i].key == key ? m->slot[i].val : NULL;
}
