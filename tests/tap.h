/*
 * tap.h: the smallest TAP producer that serves our unit tests. plan(),
 * ok(), is_int(), is_str(), is_dbl(), diag(), skip(), done(). done()
 * returns the exit status: 0 when every test passed and the plan held.
 */
#ifndef TAP_H
#define TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_planned, tap_run, tap_failed;

static inline void
plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline void __attribute__((format(printf, 1, 2)))
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline int __attribute__((format(printf, 4, 5)))
ok_at(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		printf("#   failed at %s:%d\n", file, line);
	fflush(stdout);
	return cond;
}

#define ok(cond, ...)	ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (!ok(g_ == w_, __VA_ARGS__))					\
		diag("  got %lld, want %lld", g_, w_);			\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (!ok(g_ != NULL && w_ != NULL ? strcmp(g_, w_) == 0 :	\
	    g_ == w_, __VA_ARGS__))					\
		diag("  got \"%s\", want \"%s\"", g_ ? g_ : "(null)",	\
		    w_ ? w_ : "(null)");				\
} while (0)

/* Doubles compare within an absolute tolerance. */
#define is_dbl(got, want, tol, ...) do {				\
	double g_ = (got), w_ = (want);					\
	if (!ok(fabs(g_ - w_) <= (tol), __VA_ARGS__))			\
		diag("  got %.9g, want %.9g (+-%g)", g_, w_,		\
		    (double)(tol));					\
} while (0)

static inline void
skip(int n, const char *why)
{
	while (n-- > 0)
		printf("ok %d # SKIP %s\n", ++tap_run, why);
}

static inline int
done(void)
{
	if (tap_run != tap_planned)
		diag("planned %d tests, ran %d", tap_planned, tap_run);
	return tap_failed || tap_run != tap_planned ? 1 : 0;
}

#endif
