/*
 * pidmap.h: a hash table from a process id (or process group id) to a
 * pointer, open addressing with linear probing, for finding an instance
 * by pid in O(1): the reaper's lookup and notify's sender attribution.
 * It holds borrowed pointers and knows nothing of what they point to.
 */
#ifndef PIDMAP_H
#define PIDMAP_H

#include <stddef.h>
#include <sys/types.h>

struct pidmap_slot {
	pid_t		 key;		/* 0 = empty */
	void		*val;		/* borrowed */
};

/* All zeroes is an empty map. */
struct pidmap {
	struct pidmap_slot *slot;	/* owned array of cap */
	size_t		 cap;		/* a power of two, or 0 */
	unsigned	 shift;		/* 32 - log2(cap): hash to slot */
	size_t		 n;		/* keys held */
	size_t		 reserved;	/* keys promised room (reserve) */
};

/*
 * Promises room for more keys: the table grows to at least twice what is
 * reserved, so a put within the reservation never allocates or fails.
 * 0, or -1 with errno ENOMEM (the map is unchanged).
 */
int pidmap_reserve(struct pidmap *m, size_t more);
/* Takes back a reservation; the table is freed when none is left. */
void pidmap_release(struct pidmap *m, size_t fewer);

/* key (> 0) now maps to val, replacing what it did. 0, or -1 with errno
 * ENOSPC when more keys are held than were reserved. */
int pidmap_put(struct pidmap *m, pid_t key, void *val);
/* Removes key if it maps to val (a later put for the same key wins). */
void pidmap_del(struct pidmap *m, pid_t key, const void *val);
/* What key maps to, or NULL (also for key <= 0). */
void *pidmap_get(const struct pidmap *m, pid_t key);

#endif
