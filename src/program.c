/*
 * program.c: programs and their instances: setting them up and freeing
 * them, finding them by name, pid and group, what the reaper and the
 * signals hand to all of them, and rolling restarts. Each instance's
 * state machine is lifecycle.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tend.h"
#include "log.h"
#include "pidmap.h"
#include "proc.h"
#include "program.h"

struct instance *
program_find_pid(struct tend *t, pid_t pid)
{
	return pidmap_get(&t->inst_by_pid, pid);
}

struct instance *
program_find_group(struct tend *t, pid_t pgid)
{
	return pidmap_get(&t->inst_by_pgid, pgid);
}

void
program_handle(struct program *p, enum inst_event ev)
{
	for (size_t i = 0; i < p->ninst; i++)
		inst_handle(&p->inst[i], ev);
}

int
program_reaped(struct tend *t, pid_t pid, int status)
{
	struct instance *in = program_find_pid(t, pid);

	if (in == NULL)
		return -1;
	in->wait_status = status;
	inst_handle(in, IEV_EXIT);
	return 0;
}

void
program_check_groups(struct tend *t)
{
	for (size_t i = 0; i < t->nprograms; i++)
		for (size_t j = 0; j < t->programs[i].ninst; j++) {
			struct instance *in = &t->programs[i].inst[j];

			if (in->state == INST_STOPPING && in->pid == 0)
				inst_handle(in, IEV_GROUP_EMPTY);
		}
}

void
program_forward(struct tend *t, int sig)
{
	for (size_t i = 0; i < t->nprograms; i++)
		for (size_t j = 0; j < t->programs[i].ninst; j++)
			(void)inst_signal(&t->programs[i].inst[j], sig);
}

void
program_rolling_restart(struct program *p)
{
	p->rolling = 1;
	p->rolling_next = 0;
	log_info("%s: rolling restart of %zu instance%s", p->cfg->name,
	    p->ninst, p->ninst == 1 ? "" : "s");
	program_rolling_step(p);
}

void
program_rolling_step(struct program *p)
{
	struct instance *prev;

	while (p->rolling) {
		if (p->tend->state != TEND_RUNNING) {
			p->rolling = 0;
			return;
		}
		if (p->rolling_next > 0) {
			prev = &p->inst[p->rolling_next - 1];
			if (prev->want == WANT_REPLACE || prev->spawnq ||
			    prev->state == INST_STARTING ||
			    prev->state == INST_BACKOFF)
				return;		/* not ready yet */
			if (!inst_is_ready(prev)) {
				log_warnx("%s: rolling restart stopped: %s "
				    "is %s", p->cfg->name, prev->name,
				    inst_state_name(prev->state));
				p->rolling = 0;
				return;
			}
		}
		if (p->rolling_next == p->ninst) {
			log_info("%s: rolling restart done", p->cfg->name);
			p->rolling = 0;
			return;
		}
		inst_handle(&p->inst[p->rolling_next++], IEV_RESTART);
	}
}

int
program_is_down(const struct program *p)
{
	for (size_t i = 0; i < p->ninst; i++)
		switch (p->inst[i].state) {
		case INST_STOPPED: case INST_EXITED: case INST_FATAL:
			break;
		default:
			return 0;
		}
	return 1;
}

int
program_is_up(const struct program *p)
{
	for (size_t i = 0; i < p->ninst; i++)
		if (p->inst[i].state != INST_RUNNING)
			return 0;
	return 1;
}

struct program *
program_find(struct tend *t, const char *name)
{
	for (size_t i = 0; i < t->nprograms; i++)
		if (strcmp(t->programs[i].cfg->name, name) == 0)
			return &t->programs[i];
	return NULL;
}

int
program_init(struct program *p, struct tend *t, struct program_config *cfg)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->tend = t;
	p->ninst = (size_t)cfg->numprocs;
	if ((p->inst = calloc(p->ninst, sizeof(*p->inst))) == NULL)
		return -1;
	/* Room in the pid index for a main pid and a group of each. */
	if (pidmap_reserve(&t->inst_by_pid, p->ninst) == -1)
		return -1;
	if (pidmap_reserve(&t->inst_by_pgid, p->ninst) == -1) {
		pidmap_release(&t->inst_by_pid, p->ninst);
		return -1;
	}
	p->indexed = 1;
	for (size_t i = 0; i < p->ninst; i++) {
		struct instance *in = &p->inst[i];

		in->prog = p;
		in->index = (unsigned)i;
		/* Up from the start when the start order will start it, so
		 * /health waits for it; an operator's stop sets it down. */
		in->want = cfg->autostart ? WANT_UP : WANT_DOWN;
		in->reportfd = -1;
		snprintf(in->name, sizeof(in->name), "%s:%zu", cfg->name, i);
		inst_watchers_init(in);
		for (int k = 0; k < 2; k++) {
			in->out[k].fd = -1;
			/* Line buffers only where lines are read. */
			if (cfg->out[k].kind == OUT_PREFIX && outpipe_init(
			    &in->out[k], &t->outsink[k + 1], in->name,
			    &in->out_dropped) == -1)
				return -1;
		}
		if (cfg->restart_limit > 0 && (in->restart_times = calloc(
		    (size_t)cfg->restart_limit, sizeof(ev_tstamp))) == NULL)
			return -1;
	}
	return 0;
}

void
program_free(struct program *p)
{
	if (p->inst == NULL)
		return;
	for (size_t i = 0; i < p->ninst; i++) {
		inst_watchers_stop(&p->inst[i]);
		p->tend->proc->report_close(&p->inst[i]);
		outpipe_free(p->tend->loop, &p->inst[i].out[0]);
		outpipe_free(p->tend->loop, &p->inst[i].out[1]);
		free(p->inst[i].restart_times);
	}
	if (p->indexed) {
		pidmap_release(&p->tend->inst_by_pid, p->ninst);
		pidmap_release(&p->tend->inst_by_pgid, p->ninst);
		p->indexed = 0;
	}
	free(p->deps);
	free(p->dependents);
	free(p->inst);
	p->inst = NULL;
}
