/*
 * tendctl.c: the command-line client of tend's control socket. The control
 * socket is not built yet: tendctl knows its commands and says so.
 */
#include <stdio.h>
#include <string.h>

static const char *commands[] = {
	"status", "metrics", "health", "start", "stop", "restart", "signal",
	"reload", "shutdown", "wait-ready", NULL,
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: tendctl [-s SOCKET] COMMAND [ARGS]\n"
"\n"
"Commands: status [--json], metrics, health, start NAME, stop NAME,\n"
"restart [--rolling] NAME, signal NAME SIG, reload, shutdown,\n"
"wait-ready [--timeout D]\n");
}

int
main(int argc, char **argv)
{
	int i = 1;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("tendctl %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "-s") == 0)
		i = 3;
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (const char **c = commands; *c != NULL; c++)
		if (strcmp(argv[i], *c) == 0) {
			fprintf(stderr, "tendctl: %s: not supported yet (tend "
			    "has no control socket yet)\n", argv[i]);
			return 2;
		}
	fprintf(stderr, "tendctl: unknown command \"%s\"\n", argv[i]);
	usage(stderr);
	return 2;
}
