/*
 * fuzz_config.c: libFuzzer entry point for config_parse(), the pure INI
 * parser behind -c and --check. Bytes in, struct config and problems out;
 * the environment is a fixed getter so every run is reproducible. Build and
 * run with tests/fuzz/run.sh.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"

/*
 * ${A...} is set to a plain word, ${E...} is set but empty (so ${E:-x} takes
 * its default), ${Q...} holds quotes and blanks for words_split to chew on;
 * every other name is unset.
 */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = config_new("fuzz.ini");
	struct errlist errs = { 0 };
	size_t i, sum = 0;
	int r;

	if (cfg == NULL)
		return 0;
	r = config_parse(cfg, (const char *)data, size, getter, NULL, &errs);

	/* The contract in config.h: 0 problems means a usable config. */
	assert(r >= 0);
	assert((r == 0) == (errs.n == 0 && errs.dropped == 0));
	if (r == 0) {
		assert(cfg->nprograms > 0);
		for (i = 0; i < cfg->nprograms; i++) {
			struct program_config *pc = cfg->programs[i];

			assert(pc->argv != NULL && pc->argc > 0);
			assert(pc->argv[pc->argc] == NULL);
			assert(pc->numprocs >= 1);
		}
	}
	/* Touch every message so ASan sees a bad string. */
	for (i = 0; i < (size_t)errs.n; i++)
		sum += strlen(errs.msg[i]);
	(void)sum;

	errlist_free(&errs);
	config_free(cfg);
	return 0;
}
