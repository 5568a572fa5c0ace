// SPDX-License-Identifier: GPL-2.0
/* watch.c: the seam for the bpf watcher (user/lib/watch.h, branch bpf): events lkpd would act on. */
#include <errno.h>

#include "lkpd.h"

/*
 * The hold points alone make the promise: every new process of a patched
 * file parks before it can run patched code. The watcher (bpf/, exec and
 * executable-mapping events of watched (dev, ino) through a ring buffer)
 * adds two things once it is linked in:
 *
 * - counting: how many execs and mappings of watched files happened, shown
 *   by `lkpctl status` next to the holds served, so that a gap (a watched
 *   exec with no hold) is visible;
 * - a safety net: a process that mapped a watched object without reaching
 *   its hold point (a loader that skips the init function, a mapping made
 *   by hand) gets lkpd_apply_pid() at once, as a running process would.
 *
 * The daemon calls these at fixed places: start after the first store sync,
 * files_changed after every sync (the watched keys are the files' dev and
 * inode, lkpd.files), fd in its poll set, service when that fd is readable.
 * Until the watcher is merged they do nothing: start says -EOPNOTSUPP and
 * status says "not built".
 */
int lkpd_watch_start(struct lkpd *d)
{
	return -EOPNOTSUPP;
}

int lkpd_watch_fd(struct lkpd *d)
{
	return -1;
}

void lkpd_watch_service(struct lkpd *d)
{
}

void lkpd_watch_files_changed(struct lkpd *d)
{
}

void lkpd_watch_status(struct lkpd *d, FILE *f, bool json)
{
	if (json)
		fprintf(f, "\"watcher\":{\"state\":\"not built\"}");
	else
		fprintf(f, "watcher: not built (bpf watcher not linked in)\n");
}

void lkpd_watch_stop(struct lkpd *d)
{
}
