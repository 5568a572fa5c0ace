// SPDX-License-Identifier: GPL-2.0
/* watch.c: the bpf watcher in lkpd: counts the execs and mappings of the files lkpd holds in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lkpd.h"
#include "out.h"
#include "watch.h"

/*
 * The hold points alone make the promise: every new process of a patched
 * file parks before it can run patched code. The watcher (bpf/, exec and
 * executable-mapping events of watched (dev, ino), filtered in the kernel)
 * makes it visible: `lkpctl status` shows, per file, how many execs and
 * mappings of it the kernel saw next to the holds lkpd served, so that a
 * gap (a process that mapped a patched library without reaching its hold
 * point) shows. It does not apply on a mapping event: at that moment the
 * loader has not relocated the library yet; the hold point comes later, at
 * its init function.
 */

struct lkpd_watched {
	char *path;
	struct lkp_watch_keys keys;
	bool on;			/* keys in the kernel's map */
	uint64_t execs, maps;
};

struct lkpd_watch {
	struct lkp_watch *w;
	struct lkpd_watched *ents;
	unsigned int nr;
	uint64_t events, strays;	/* strays: a cookie no file has any more */
	int err;			/* why it is off, when w is NULL */
};

int lkpd_watch_start(struct lkpd *d)
{
	struct lkpd_watch *lw = calloc(1, sizeof(*lw));
	int ret;

	if (!lw)
		return -ENOMEM;
	d->watch = lw;
	ret = lkp_watch_open(&lw->w);
	if (ret) {
		lw->w = NULL;
		lw->err = ret;
		return ret;
	}
	lkpd_watch_files_changed(d);
	return 0;
}

int lkpd_watch_fd(struct lkpd *d)
{
	return d->watch && d->watch->w ? lkp_watch_fd(d->watch->w) : -1;
}

static int lkpd_watch_event(const struct lkp_watch_event *e, void *arg)
{
	struct lkpd_watch *lw = arg;
	struct lkpd_watched *we;

	lw->events++;
	if (e->cookie >= lw->nr) {
		lw->strays++;
		return 0;
	}
	we = &lw->ents[e->cookie];
	if (e->kind == LKP_WATCH_EXEC)
		we->execs++;
	else
		we->maps++;
	if (lkpd_verbose)
		lkpd_log(LKPD_DEBUG, "%s: %s by pid %u", we->path,
			 e->kind == LKP_WATCH_EXEC ? "exec" : "mapped", e->tgid);
	return 0;
}

void lkpd_watch_service(struct lkpd *d)
{
	int ret;

	if (!d->watch || !d->watch->w)
		return;
	ret = lkp_watch_poll(d->watch->w, 0, lkpd_watch_event, d->watch);
	if (ret < 0 && ret != -EINTR)
		lkpd_log(LKPD_WARN, "bpf watcher: %s", strerror(-ret));
}

static void lkpd_watched_free(struct lkpd_watch *lw)
{
	unsigned int i;

	for (i = 0; i < lw->nr; i++) {
		if (lw->ents[i].on)
			lkp_watch_remove_keys(lw->w, &lw->ents[i].keys);
		free(lw->ents[i].path);
	}
	free(lw->ents);
	lw->ents = NULL;
	lw->nr = 0;
}

static bool lkpd_key_wanted(const struct lkpd_watched *ents, unsigned int nr,
			    const struct lkp_watch_key *key)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (ents[i].on && (lkp_watch_keys_equal(&ents[i].keys.exec, key) ||
				   lkp_watch_keys_equal(&ents[i].keys.map, key)))
			return true;
	return false;
}

/*
 * Watch exactly lkpd's files; the counts of a file still there carry over.
 * This runs on every rescan of the store, while processes exec: the new
 * keys are set first (a key kept only changes its cookie, in place), and
 * only then are the keys no file wants any more removed, so that no event
 * of a file watched before and after is lost in between.
 */
void lkpd_watch_files_changed(struct lkpd *d)
{
	struct lkpd_watch *lw = d->watch;
	struct lkpd_watched *ents, *old;
	unsigned int i, j, nr_old;
	int ret;

	if (!lw || !lw->w)
		return;
	ents = calloc(d->nr_files ?: 1, sizeof(*ents));
	if (!ents) {
		lkpd_log(LKPD_WARN, "bpf watcher: %s", strerror(ENOMEM));
		return;
	}
	old = lw->ents;
	nr_old = lw->nr;
	for (i = 0; i < d->nr_files; i++) {
		ents[i].path = strdup(d->files[i].path);
		if (!ents[i].path)
			continue;
		for (j = 0; j < nr_old; j++) {
			if (!strcmp(old[j].path, d->files[i].path)) {
				ents[i].execs = old[j].execs;
				ents[i].maps = old[j].maps;
				break;
			}
		}
		ret = lkp_watch_keys(ents[i].path, &ents[i].keys);
		if (!ret)
			ret = lkp_watch_set_keys(lw->w, &ents[i].keys, i);
		if (ret)
			lkpd_log(LKPD_WARN, "bpf watcher: %s: %s", ents[i].path, strerror(-ret));
		ents[i].on = !ret;
	}
	for (j = 0; j < nr_old; j++) {
		if (!old[j].on)
			continue;
		if (!lkpd_key_wanted(ents, d->nr_files, &old[j].keys.exec))
			lkp_watch_remove_key(lw->w, &old[j].keys.exec);
		if (!lkpd_key_wanted(ents, d->nr_files, &old[j].keys.map))
			lkp_watch_remove_key(lw->w, &old[j].keys.map);
	}
	for (j = 0; j < nr_old; j++)
		free(old[j].path);
	free(old);
	lw->ents = ents;
	lw->nr = d->nr_files;
}

void lkpd_watch_status(struct lkpd *d, FILE *f, bool json)
{
	struct lkpd_watch *lw = d->watch;
	__u64 dropped = 0;
	unsigned int i;

	if (!lw || !lw->w) {
		const char *why = lw ? strerror(-lw->err) : "not started";

		if (json) {
			fprintf(f, "\"watcher\":{\"state\":\"off\",\"reason\":");
			lkp_json_str(f, why);
			fprintf(f, "}");
		} else
			fprintf(f, "watcher: off (%s)\n", why);
		return;
	}
	lkp_watch_dropped(lw->w, &dropped);
	if (json) {
		fprintf(f, "\"watcher\":{\"state\":\"on\",\"events\":%llu,\"dropped\":%llu,\"files\":[",
			(unsigned long long)lw->events, (unsigned long long)dropped);
		for (i = 0; i < lw->nr; i++) {
			fprintf(f, "%s{\"path\":", i ? "," : "");
			lkp_json_str(f, lw->ents[i].path ?: "");
			fprintf(f, ",\"execs\":%llu,\"mappings\":%llu}",
				(unsigned long long)lw->ents[i].execs,
				(unsigned long long)lw->ents[i].maps);
		}
		fprintf(f, "]}");
		return;
	}
	fprintf(f, "watcher: on, %llu events, %llu dropped\n",
		(unsigned long long)lw->events, (unsigned long long)dropped);
	for (i = 0; i < lw->nr; i++)
		fprintf(f, "  %s: %llu execs, %llu mappings\n", lw->ents[i].path ?: "?",
			(unsigned long long)lw->ents[i].execs,
			(unsigned long long)lw->ents[i].maps);
}

void lkpd_watch_stop(struct lkpd *d)
{
	struct lkpd_watch *lw = d->watch;

	if (!lw)
		return;
	if (lw->w) {
		lkpd_watched_free(lw);
		lkp_watch_close(lw->w);
	}
	free(lw);
	d->watch = NULL;
}
