/*
 * fuzz_words.c: libFuzzer entry point for the string parsers in util.c that
 * take free text: words_split (command =), env_list_parse (environment =),
 * vars_expand (${VAR} in every value), and the small value parsers the
 * command line shares with the config. The input is copied and
 * NUL-terminated, as inih hands values to config.c.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Same fixed environment as fuzz_config.c. */
static const char *
getter(const char *name, void *arg)
{
	(void)arg;
	switch (name[0]) {
	case 'A':
		return "value";
	case 'E':
		return "";
	case 'Q':
		return "\"two words\" 'it''s' \\$x";
	default:
		return NULL;
	}
}

/* A NULL-terminated argv of exactly n entries, each a readable string. */
static void
check_argv(char **v, int n)
{
	size_t sum = 0;
	int i;

	assert(n >= 0);
	for (i = 0; i < n; i++) {
		assert(v[i] != NULL);
		sum += strlen(v[i]);
	}
	assert(v[n] == NULL);
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[UTIL_ERR_MAX], *s, *x, **v;
	unsigned char codes[256];
	unsigned mode;
	double d;
	long l;
	int n, b;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if ((v = words_split(s, &n, err, sizeof(err))) != NULL) {
		check_argv(v, n);
		argv_free(v);
	} else
		assert(memchr(err, '\0', sizeof(err)) != NULL);

	if ((v = env_list_parse(s, &n, err, sizeof(err))) != NULL) {
		check_argv(v, n);
		for (int i = 0; i < n; i++)
			assert(strchr(v[i], '=') != NULL);
		argv_free(v);
	}

	if ((x = vars_expand(s, getter, NULL, err, sizeof(err))) != NULL) {
		/* What config.c does next with an expanded command. */
		if ((v = words_split(x, &n, err, sizeof(err))) != NULL)
			argv_free(v);
		free(x);
	}

	if ((v = names_parse(s, &n, err, sizeof(err))) != NULL) {
		check_argv(v, n);
		argv_free(v);
	}
	(void)codes_parse(s, codes, err, sizeof(err));
	if (duration_parse(s, &d, err, sizeof(err)) == 0)
		assert(d >= 0);
	(void)bool_parse(s, &b, err, sizeof(err));
	if (sig_parse(s, &n, err, sizeof(err)) == 0)
		(void)strlen(sig_name(n));
	(void)long_parse(s, 0, 10000, &l, err, sizeof(err));
	if (mode_parse(s, &mode, err, sizeof(err)) == 0)
		assert(mode <= 0777);

	free(s);
	return 0;
}
