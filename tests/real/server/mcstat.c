// SPDX-License-Identifier: GPL-2.0
/* mcstat: requests, failures and latency percentiles of mcload's records, per window of time. */
/*
 *   mcstat FILE [NAME=FROM,TO]...
 *
 * FROM and TO are CLOCK_REALTIME in nanoseconds (date +%s%N). A request
 * belongs to the window it was sent in, FROM <= t < TO; the line "all"
 * covers the whole run. Per window, one line:
 *
 *   NAME REQUESTS FAILED REQ_PER_S P50_MS P99_MS MAX_MS ME_OLD ME_NEW
 *
 * P50 and P99 are nearest-rank percentiles of the latencies (of failed
 * requests too: a request that failed slowly was slow). ME_OLD and ME_NEW
 * count the "me probe" answers with the bug and with the fix among the
 * requests both sent and answered inside the window, so that a request in
 * flight across the window's edge counts for neither side.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcload.h"

struct mc_win {
	const char *name;
	unsigned long long from, to;
};

static int mc_cmp_u64(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static int mc_read(const char *path, struct mc_rec **recs, size_t *n)
{
	struct mc_rec *r = NULL, *nr;
	size_t cap = 0, len = 0, got;
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			nr = realloc(r, cap * sizeof(*r));
			if (!nr) {
				free(r);
				fclose(f);
				return -ENOMEM;
			}
			r = nr;
		}
		got = fread(r + len, sizeof(*r), cap - len, f);
		len += got;
		if (len < cap)
			break;
	}
	if (ferror(f)) {
		free(r);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*recs = r;
	*n = len;
	return 0;
}

static double mc_ms(uint64_t ns)
{
	return ns / 1e6;
}

static uint64_t mc_pct(const uint64_t *sorted, size_t n, int pct)
{
	size_t rank = (n * pct + 99) / 100;

	return n ? sorted[rank ? rank - 1 : 0] : 0;
}

static int mc_window(const struct mc_rec *recs, size_t n, const struct mc_win *w)
{
	unsigned long failed = 0, old = 0, new = 0;
	size_t i, m = 0;
	uint64_t *lat;
	double secs;

	lat = malloc((n ? n : 1) * sizeof(*lat));
	if (!lat)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct mc_rec *r = &recs[i];

		if (r->t_ns < w->from || r->t_ns >= w->to)
			continue;
		lat[m++] = r->lat_ns;
		failed += !r->ok;
		if (r->t_ns + r->lat_ns >= w->to)
			continue;
		old += r->kind == MC_ME_OLD;
		new += r->kind == MC_ME_NEW;
	}
	qsort(lat, m, sizeof(*lat), mc_cmp_u64);
	secs = (w->to - w->from) / 1e9;
	printf("%s %zu %lu %.0f %.3f %.3f %.3f %lu %lu\n", w->name, m, failed,
	       secs > 0 ? m / secs : 0.0, mc_ms(mc_pct(lat, m, 50)), mc_ms(mc_pct(lat, m, 99)),
	       mc_ms(m ? lat[m - 1] : 0), old, new);
	free(lat);
	return 0;
}

static int mc_parse_win(const char *arg, struct mc_win *w)
{
	const char *eq = strchr(arg, '=');
	char *comma, *end;

	if (!eq)
		return -EINVAL;
	w->name = strndup(arg, eq - arg);
	if (!w->name)
		return -ENOMEM;
	w->from = strtoull(eq + 1, &comma, 10);
	if (*comma != ',')
		return -EINVAL;
	w->to = strtoull(comma + 1, &end, 10);
	if (*end || w->to <= w->from)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct mc_win all = { .name = "all", .from = ~0ULL, .to = 0 };
	struct mc_rec *recs = NULL;
	struct mc_win w;
	size_t n = 0, i;
	int err = 0, a;

	if (argc < 2) {
		fprintf(stderr, "usage: mcstat FILE [NAME=FROM,TO]...\n");
		return 2;
	}
	err = mc_read(argv[1], &recs, &n);
	if (err) {
		fprintf(stderr, "mcstat: %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (recs[i].t_ns < all.from)
			all.from = recs[i].t_ns;
		if (recs[i].t_ns + recs[i].lat_ns + 1 > all.to)
			all.to = recs[i].t_ns + recs[i].lat_ns + 1;
	}
	if (!n)
		all.from = 0;
	for (a = 2; a < argc; a++) {
		err = mc_parse_win(argv[a], &w);
		if (err) {
			fprintf(stderr, "mcstat: %s: not NAME=FROM,TO with FROM < TO\n", argv[a]);
			return 2;
		}
		err = mc_window(recs, n, &w);
		if (err)
			break;
	}
	if (!err)
		err = mc_window(recs, n, &all);
	if (err) {
		fprintf(stderr, "mcstat: %s\n", strerror(-err));
		return 1;
	}
	free(recs);
	return 0;
}
