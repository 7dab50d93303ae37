/*
 * rawmask: runs a command with signals blocked, or reset to their default
 * action, through the raw system calls, which (unlike glibc's sigprocmask
 * and sigaction) also reach 32 and 33.
 *
 *   rawmask [-b SIG,...] [-d SIG,...] COMMAND [ARG...]
 *     -b  block these signals      -d  reset these to SIG_DFL
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's struct sigaction on x86-64 and most 64-bit ports. */
struct ksigaction {
	void		*handler;
	unsigned long	 flags;
	void		*restorer;
	uint64_t	 mask;
};

static uint64_t
parse(const char *list)
{
	uint64_t set = 0;
	const char *p;
	char *end;
	long sig;

	for (p = list; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		sig = strtol(p, &end, 10);
		if (end == p || sig < 1 || sig > 64 || (*end && *end != ',')) {
			fprintf(stderr, "rawmask: bad signal list %s\n", list);
			exit(2);
		}
		set |= 1ULL << (sig - 1);
	}
	return set;
}

int
main(int argc, char **argv)
{
	uint64_t block = 0, dfl = 0;
	struct ksigaction ksa;
	int i = 1;

	while (i + 1 < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-b") == 0)
			block = parse(argv[i + 1]);
		else if (strcmp(argv[i], "-d") == 0)
			dfl = parse(argv[i + 1]);
		else
			break;
		i += 2;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: rawmask [-b SIG,...] [-d SIG,...] "
		    "COMMAND [ARG...]\n");
		return 2;
	}
	memset(&ksa, 0, sizeof(ksa));	/* SIG_DFL */
	for (int sig = 1; sig <= 64; sig++)
		if ((dfl & (1ULL << (sig - 1))) &&
		    syscall(SYS_rt_sigaction, sig, &ksa, NULL, 8) == -1) {
			perror("rawmask: rt_sigaction");
			return 2;
		}
	if (block && syscall(SYS_rt_sigprocmask, SIG_BLOCK, &block, NULL, 8)) {
		perror("rawmask: rt_sigprocmask");
		return 2;
	}
	execvp(argv[i], argv + i);
	perror("rawmask: exec");
	return 127;
}
