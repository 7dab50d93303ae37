/*
 * config.h: the INI file as structs. config_parse() is pure (bytes in,
 * struct and problems out); config_load() reads the file. Every problem is
 * collected as "file:line: section: key: what is wrong", never only the first.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#include "log.h"
#include "output.h"

enum restart_policy { RESTART_ALWAYS, RESTART_ON_FAILURE, RESTART_NEVER };
enum kill_mode { KILL_MIXED, KILL_GROUP, KILL_PROCESS };
enum ready_mode { READY_NONE, READY_NOTIFY };

struct program_config {
	char		*name;		/* owned */
	int		 line;		/* of its [program:NAME] header */
	char		*command;	/* owned: the raw value, expanded */
	char		**argv;		/* owned, NULL-terminated */
	int		 argc;
	long		 numprocs;
	char		*directory;	/* owned, NULL = inherit */
	char		*user;		/* owned, NULL = tend's */
	char		*group;		/* owned, NULL = user's */
	unsigned	 umask;
	int		 umask_set;
	char		**env;		/* owned "NAME=value" list */
	int		 nenv;
	int		 autostart;
	int		 restart;	/* enum restart_policy */
	unsigned char	 success_codes[256];
	double		 start_seconds;
	double		 backoff_initial;
	double		 backoff_multiplier;
	double		 backoff_max;
	double		 backoff_jitter;
	double		 backoff_reset;
	long		 restart_limit;
	double		 restart_window;
	int		 stop_signal;
	double		 stop_timeout;
	double		 stop_timeout_max; /* EXTEND_TIMEOUT_USEC's cap */
	int		 ready;		/* enum ready_mode */
	double		 ready_timeout;	/* notify: 0 = wait for ever */
	double		 watchdog;	/* notify: 0 = none */
	int		 kill_signal;
	int		 kill_mode;	/* enum kill_mode */
	char		**depends;	/* owned program names */
	int		 ndepends;
	int		 critical;
	struct output_cfg out[2];	/* [0] stdout, [1] stderr */
	int		 seen[64];	/* line each key was set on, 0 = unset */
};

struct config {
	char		*path;		/* owned: as given, for messages */
	char		*socket;	/* owned: control socket, NULL = the
					 * default, "none" = no socket */
	unsigned	 socket_mode;
	char		*http_listen;	/* owned: "ADDR:PORT", NULL = off */
	double		 lag_probe_interval; /* 0 = no probe */
	double		 shutdown_timeout;
	double		 shutdown_delay;
	int		 log_level;	/* enum log_level */
	int		 log_format;	/* enum log_format */
	int		 seen[64];
	struct program_config **programs; /* owned array of owned */
	size_t		 nprograms;
};

/* Problems found while parsing, each one full line of text. */
struct errlist {
	char		**msg;		/* owned */
	int		 n;
	int		 dropped;	/* beyond TEND_ERRORS_MAX */
};

void errlist_add(struct errlist *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void errlist_free(struct errlist *e);

/* Looks up an environment variable for ${VAR}; getenv-like. */
typedef const char *(*config_getenv)(const char *name, void *arg);

/* A config with every [tend] default; NULL on ENOMEM. */
struct config *config_new(const char *path);

/*
 * Parses the INI text buf[0..len) into cfg (made by config_new) and
 * validates the result. Returns the number of problems added to errs (0 =
 * cfg is complete and usable).
 */
int config_parse(struct config *cfg, const char *buf, size_t len,
    config_getenv get, void *arg, struct errlist *errs);

/* Reads path (bounded) and parses it with the process environment. */
struct config *config_load(const char *path, struct errlist *errs);

/* A new program with every default, appended to cfg; NULL on ENOMEM. */
struct program_config *config_add_program(struct config *cfg,
    const char *name);

/* Checks names, commands and the depends graph. Returns problems added. */
int config_validate(struct config *cfg, struct errlist *errs);

void config_free(struct config *cfg);

/* The string SPEC uses for a value. */
const char *restart_policy_name(int r);
const char *kill_mode_name(int m);
int restart_policy_parse(const char *s, int *out);
int kill_mode_parse(const char *s, int *out);

#endif
