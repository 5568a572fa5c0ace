// SPDX-License-Identifier: GPL-2.0
/* fswatch.c: the directories of held files, watched so that a file replaced on disk is seen at once. */

/*
 * A hold point is a uprobe on an inode. A package upgrade or reinstall
 * renames a new file over the path (dpkg, rpm), or unlinks and writes it
 * (install(1)): new processes then exec an inode with no point, and would
 * run unpatched until the next rescan (--rescan, 10 s by default). So lkpd
 * watches the directory of every path it ever held a file at, and a file
 * that lands complete at one of those paths (renamed over it, or closed
 * after writing) makes the main loop sync the store at once. A file being
 * created is not a reason: it is not complete yet, and a sync would find it
 * without its build-id. The paths are kept for lkpd's lifetime, so that the
 * first build coming back after another one (a downgrade) is found by its
 * path too (store.c hands them to lkpd_locate()).
 */

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>

#include "lkpd.h"

#define FSWATCH_MASK	(IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR)

struct lkpd_fsdir {
	int wd;
	char *dir;
};

int lkpd_fswatch_open(struct lkpd *d)
{
	d->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	return d->ifd < 0 ? -errno : 0;
}

void lkpd_fswatch_close(struct lkpd *d)
{
	unsigned int i;

	if (d->ifd >= 0)
		close(d->ifd);
	d->ifd = -1;
	for (i = 0; i < d->nr_dirs; i++)
		free(d->dirs[i].dir);
	free(d->dirs);
	d->dirs = NULL;
	d->nr_dirs = 0;
	for (i = 0; i < d->nr_known; i++)
		free(d->known[i]);
	free(d->known);
	d->known = NULL;
	d->nr_known = 0;
}

static bool known(const struct lkpd *d, const char *path)
{
	unsigned int i;

	for (i = 0; i < d->nr_known; i++)
		if (!strcmp(d->known[i], path))
			return true;
	return false;
}

/* Watch the directory of path: 0 or -errno. */
static int watch_dir(struct lkpd *d, const char *path)
{
	const char *slash = strrchr(path, '/');
	struct lkpd_fsdir *v;
	unsigned int i;
	char *dir;
	int wd;

	if (!slash)
		return -EINVAL;
	dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	for (i = 0; i < d->nr_dirs; i++)
		if (!strcmp(d->dirs[i].dir, dir)) {
			free(dir);
			return 0;
		}
	wd = inotify_add_watch(d->ifd, dir, FSWATCH_MASK);
	if (wd < 0) {
		wd = -errno;
		lkpd_log(LKPD_WARN, "%s: cannot watch it for files replaced (%s): rescans only",
			 dir, strerror(-wd));
		free(dir);
		return wd;
	}
	v = reallocarray(d->dirs, d->nr_dirs + 1, sizeof(*v));
	if (!v) {
		inotify_rm_watch(d->ifd, wd);
		free(dir);
		return -ENOMEM;
	}
	d->dirs = v;
	d->dirs[d->nr_dirs++] = (struct lkpd_fsdir){ .wd = wd, .dir = dir };
	return 0;
}

void lkpd_fswatch_sync(struct lkpd *d)
{
	unsigned int i;
	char **v;

	if (d->ifd < 0)
		return;
	for (i = 0; i < d->nr_files; i++) {
		if (known(d, d->files[i].path))
			continue;
		v = reallocarray(d->known, d->nr_known + 1, sizeof(*v));
		if (!v)
			return;
		d->known = v;
		d->known[d->nr_known] = strdup(d->files[i].path);
		if (!d->known[d->nr_known])
			return;
		d->nr_known++;
		watch_dir(d, d->files[i].path);
	}
}

static const char *dir_of(const struct lkpd *d, int wd)
{
	unsigned int i;

	for (i = 0; i < d->nr_dirs; i++)
		if (d->dirs[i].wd == wd)
			return d->dirs[i].dir;
	return NULL;
}

bool lkpd_fswatch_service(struct lkpd *d)
{
	char buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	char path[PATH_MAX];
	const struct inotify_event *ev;
	const char *dir;
	bool hit = false;
	ssize_t len;
	char *p;

	while ((len = read(d->ifd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + len; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			/* Events were lost: any of them may have been ours. */
			if (ev->mask & IN_Q_OVERFLOW) {
				hit = true;
				continue;
			}
			dir = dir_of(d, ev->wd);
			if (!dir || !ev->len)
				continue;
			snprintf(path, sizeof(path), "%s%s%s", dir, strcmp(dir, "/") ? "/" : "",
				 ev->name);
			if (known(d, path)) {
				lkpd_log(LKPD_DEBUG, "%s: %s", path, ev->mask & IN_MOVED_TO ?
					 "renamed over" : "written");
				hit = true;
			}
		}
	}
	return hit;
}
