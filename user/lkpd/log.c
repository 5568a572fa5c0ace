// SPDX-License-Identifier: GPL-2.0
/* log.c: lkpd's log lines on stderr (the journal's, under systemd) and its clocks. */
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "lkpd.h"
#include "progress.h"

bool lkpd_verbose;

void lkpd_log(int prio, const char *fmt, ...)
{
	static int journal = -1;
	char line[1024];
	va_list ap;

	if (prio == LKPD_DEBUG && !lkpd_verbose)
		return;
	/* journald reads "<N>" as the line's priority (SyslogLevelPrefix=yes). */
	if (journal < 0)
		journal = getenv("JOURNAL_STREAM") != NULL;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* A progress line on the terminal moves below the log line. */
	lkp_progress_hold();
	if (journal)
		fprintf(stderr, "<%d>%s\n", prio, line);
	else
		fprintf(stderr, "lkpd: %s\n", line);
	lkp_progress_release();
}

uint64_t lkpd_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

uint64_t lkpd_now_ms(void)
{
	return lkpd_now_us() / 1000;
}
