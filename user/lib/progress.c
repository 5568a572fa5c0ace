// SPDX-License-Identifier: GPL-2.0
/* progress.c: the progress line of long operations, on stderr when it is a terminal. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "out.h"
#include "progress.h"

/* Redrawing more often than this only costs the terminal: nobody reads it. */
#define LKP_PROGRESS_GAP_NS	100000000ULL

static struct {
	pthread_mutex_t lock;	/* protects everything below */
	bool on;		/* between begin and end, on a terminal */
	const char *what, *unit;
	unsigned int done, total;
	uint64_t start_ns, drawn_ns;
	unsigned int width;	/* of the line on the terminal now; 0: none */
} pg = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Best effort: a terminal that refuses a write loses a progress line, nothing else. */
static void put(const char *s, size_t len)
{
	ssize_t w;

	while (len) {
		w = write(STDERR_FILENO, s, len);
		if (w <= 0)
			return;
		s += w;
		len -= w;
	}
}

/* Caller holds pg.lock. The padding covers a longer line drawn before. */
static void __draw(uint64_t now, const char *end)
{
	char line[256];
	int n;

	n = snprintf(line, sizeof(line), "\r%s: %u/%u %s, %.1f s", pg.what, pg.done, pg.total,
		     pg.unit, (now - pg.start_ns) / 1e9);
	if (n < 0 || n >= (int)sizeof(line) - 64)
		return;
	while ((unsigned int)n - 1 < pg.width)
		line[n++] = ' ';
	pg.width = n - 1;
	n += snprintf(line + n, sizeof(line) - n, "%s", end);
	put(line, n);
	pg.drawn_ns = now;
}

/* Caller holds pg.lock. */
static void __erase(void)
{
	char line[256];
	unsigned int n = pg.width < sizeof(line) - 2 ? pg.width : sizeof(line) - 2;

	if (!pg.width)
		return;
	line[0] = '\r';
	memset(line + 1, ' ', n);
	line[n + 1] = '\r';
	put(line, n + 2);
	pg.width = 0;
}

void lkp_progress_begin(const char *what, const char *unit, unsigned int total)
{
	pthread_mutex_lock(&pg.lock);
	pg.on = total && !lkp_json && isatty(STDERR_FILENO);
	pg.what = what;
	pg.unit = unit;
	pg.done = 0;
	pg.total = total;
	pg.start_ns = now_ns();
	pg.width = 0;
	if (pg.on) {
		/* What was written with stdio so far goes first. */
		fflush(stdout);
		fflush(stderr);
		__draw(pg.start_ns, "");
	}
	pthread_mutex_unlock(&pg.lock);
}

void lkp_progress_add(unsigned int n)
{
	uint64_t now;

	pthread_mutex_lock(&pg.lock);
	pg.done += n;
	if (pg.on) {
		now = now_ns();
		if (now - pg.drawn_ns >= LKP_PROGRESS_GAP_NS)
			__draw(now, "");
	}
	pthread_mutex_unlock(&pg.lock);
}

void lkp_progress_end(void)
{
	pthread_mutex_lock(&pg.lock);
	if (pg.on) {
		fflush(stdout);
		fflush(stderr);
		/* The final count always, on a line of its own. */
		__draw(now_ns(), "\n");
		pg.width = 0;
	}
	pg.on = false;
	pthread_mutex_unlock(&pg.lock);
}

void lkp_progress_hold(void)
{
	pthread_mutex_lock(&pg.lock);
	if (pg.on)
		__erase();
}

void lkp_progress_release(void)
{
	uint64_t now;

	if (pg.on) {
		fflush(stdout);
		fflush(stderr);
		/* Within the rate, the next count or the end draws it again. */
		now = now_ns();
		if (now - pg.drawn_ns >= LKP_PROGRESS_GAP_NS)
			__draw(now, "");
	}
	pthread_mutex_unlock(&pg.lock);
}
