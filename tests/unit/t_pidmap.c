/*
 * t_pidmap.c: the pid hash table against a plain array: puts, replaces,
 * deletes (only of the value given), growth by reservation, and a long
 * random run of the three with keys that collide.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "../tap.h"
#include "pidmap.h"

#define KEYS	4096

static char vals[KEYS];		/* addresses to store */
static void *ref[KEYS];		/* what the map should say, key - 1 */

static uint32_t rnd = 12345;

static uint32_t
next(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 17;
	rnd ^= rnd << 5;
	return rnd;
}

/* The map says exactly what ref does, for every key. */
static int
same(const struct pidmap *m)
{
	size_t n = 0;

	for (int k = 1; k <= KEYS; k++) {
		if (pidmap_get(m, k) != ref[k - 1])
			return 0;
		n += ref[k - 1] != NULL;
	}
	return n == m->n;
}

static void
random_run(struct pidmap *m, int ops)
{
	int bad = 0;

	for (int i = 0; i < ops && !bad; i++) {
		/* Keys 1..KEYS/2 in a map reserved for KEYS/2: full at
		 * times, long runs, deletes across the wrap-around. */
		pid_t k = (pid_t)(next() % (KEYS / 2)) + 1;
		void *v = &vals[next() % KEYS];

		if (next() % 3 == 0) {
			pidmap_del(m, k, ref[k - 1]);
			ref[k - 1] = NULL;
		} else if (pidmap_put(m, k, v) == 0)
			ref[k - 1] = v;
		else
			bad = 1;
		if (i % 97 == 0 && !same(m))
			bad = 1;
	}
	ok(!bad && same(m), "%d random puts and deletes match an array", ops);
}

int
main(void)
{
	struct pidmap m = { 0 };

	plan(17);
	ok(pidmap_get(&m, 1) == NULL && pidmap_put(&m, 1, vals) == -1 &&
	    errno == ENOSPC, "an empty map: nothing found, no room");
	ok(pidmap_reserve(&m, 3) == 0 && m.cap == 16, "reserve 3: 16 slots");
	ok(pidmap_put(&m, 42, &vals[0]) == 0 && pidmap_get(&m, 42) == &vals[0],
	    "put, get");
	ok(pidmap_put(&m, 42, &vals[1]) == 0 && pidmap_get(&m, 42) ==
	    &vals[1] && m.n == 1, "a second put replaces");
	pidmap_del(&m, 42, &vals[0]);
	ok(pidmap_get(&m, 42) == &vals[1], "a delete of another value is none");
	pidmap_del(&m, 42, &vals[1]);
	ok(pidmap_get(&m, 42) == NULL && m.n == 0, "a delete of its value");
	ok(pidmap_get(&m, 0) == NULL && pidmap_get(&m, -1) == NULL &&
	    pidmap_put(&m, 0, vals) == -1 && pidmap_put(&m, -5, vals) == -1,
	    "pids 0 and below are never keys");
	for (pid_t k = 1; k <= 8; k++)
		(void)pidmap_put(&m, k, &vals[k]);
	ok(pidmap_put(&m, 9, &vals[9]) == -1 && errno == ENOSPC && m.n == 8,
	    "no more than half the table");
	ok(pidmap_reserve(&m, 1000) == 0 && m.cap == 2048 &&
	    pidmap_get(&m, 5) == &vals[5] && pidmap_get(&m, 8) == &vals[8],
	    "a reservation grows it; what it held is still there");
	for (pid_t k = 1; k <= 8; k++)
		pidmap_del(&m, k, &vals[k]);
	pidmap_release(&m, 1003);
	ok(m.slot == NULL && m.cap == 0, "the last release frees the table");

	ok(pidmap_reserve(&m, KEYS / 2) == 0, "reserve for the random run");
	random_run(&m, 200000);
	for (int i = 0; i < KEYS; i++)
		if (ref[i] != NULL)
			pidmap_del(&m, i + 1, ref[i]), ref[i] = NULL;
	ok(m.n == 0, "emptied");
	{
		pid_t k[64];
		int bad = 0;

		/* Keys whose home is the last slot or the first, in turn:
		 * one run of 64 across the end of the table. */
		for (int i = 0, c = 1; i < 64; c++)
			if (((uint32_t)c * 2654435769u >> m.shift) ==
			    (i % 2 ? 0 : m.cap - 1)) {
				k[i] = c;
				bad |= pidmap_put(&m, k[i], &vals[i]) == -1;
				i++;
			}
		for (int i = 0; i < 64; i += 2)
			pidmap_del(&m, k[i], &vals[i]);
		for (int i = 0; i < 64; i++)
			bad |= pidmap_get(&m, k[i]) != (i % 2 ? &vals[i] :
			    NULL);
		ok(!bad, "colliding keys across the wrap: every other one "
		    "deleted, the rest found");
		for (int i = 1; i < 64; i += 2)
			pidmap_del(&m, k[i], &vals[i]);
		ok(m.n == 0, "... and then none");
	}
	ok(pidmap_put(&m, 0x7fffffff, vals) == 0 &&
	    pidmap_get(&m, 0x7fffffff) == vals, "the largest pid");
	pidmap_release(&m, KEYS / 2);
	ok(m.slot == NULL, "released");
	return done();
}
