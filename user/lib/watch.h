/* SPDX-License-Identifier: GPL-2.0 */
/* watch.h: the exec/mmap watcher (bpf/lkp_watch.bpf.c): load it, choose the watched objects, read its events. */
#ifndef LKP_WATCH_LIB_H
#define LKP_WATCH_LIB_H

#include <linux/types.h>
#include <stdbool.h>

#include "lkp_watch.h"

struct lkp_watch;

/*
 * Called once per event, in order. A negative return (-errno) stops the
 * poll, which then returns it; return 0 to go on.
 */
typedef int (*lkp_watch_cb)(const struct lkp_watch_event *e, void *arg);

/* Loads and attaches the program (root, or CAP_BPF + CAP_PERFMON); 0 or -errno. */
int lkp_watch_open(struct lkp_watch **wp);
void lkp_watch_close(struct lkp_watch *w);

/*
 * How the kernel names one object (symlinks followed). An exec is keyed on
 * the inode of the file opened, a mapping on the inode of the VMA's file;
 * the two differ on overlayfs, where the VMA holds the layer's file. Both
 * come from what the kernel itself prints: the device of the file's mount
 * in /proc/self/mountinfo (not st_dev, which names the layer on overlayfs
 * and the subvolume on btrfs) and, for the mapping, the dev and inode that
 * /proc/self/maps shows for a PROT_READ mapping of the file. See
 * docs/lkpd.md.
 */
struct lkp_watch_keys {
	struct lkp_watch_key exec;
	struct lkp_watch_key map;
};

/* 0 or -errno. */
int lkp_watch_keys(const char *path, struct lkp_watch_keys *keys);

/*
 * Start reporting one key; cookie comes back in its events. -EEXIST if it
 * is watched already, -E2BIG when the map is full (LKP_WATCH_MAX_OBJECTS).
 */
int lkp_watch_add_key(struct lkp_watch *w, const struct lkp_watch_key *key, __u64 cookie);
/* Stop reporting it; -ENOENT if it was not watched. */
int lkp_watch_remove_key(struct lkp_watch *w, const struct lkp_watch_key *key);

/*
 * Watch the object at PATH: both its keys, or neither. Fills *keys if not
 * NULL. -EEXIST if it is watched already.
 */
int lkp_watch_add(struct lkp_watch *w, const char *path, __u64 cookie, struct lkp_watch_keys *keys);
/* Both keys of PATH; -ENOENT if it was not watched. */
int lkp_watch_remove(struct lkp_watch *w, const char *path);
int lkp_watch_remove_keys(struct lkp_watch *w, const struct lkp_watch_keys *keys);
/*
 * Watch both keys with this cookie, whether or not they are watched already:
 * a key that is replaces its cookie in place, so no event falls in a gap.
 */
int lkp_watch_set_keys(struct lkp_watch *w, const struct lkp_watch_keys *keys, __u64 cookie);
/* The two keys are the same (dev, ino): one map entry, not two. */
bool lkp_watch_keys_equal(const struct lkp_watch_key *a, const struct lkp_watch_key *b);

/*
 * Waits up to timeout_ms (-1: forever, 0: not at all) for events and hands
 * each pending one to cb. Returns the number of events handled, the
 * callback's negative return, or -errno (-EINTR on a signal).
 */
int lkp_watch_poll(struct lkp_watch *w, int timeout_ms, lkp_watch_cb cb, void *arg);

/* An epoll fd that is readable when events are pending, for an event loop. */
int lkp_watch_fd(const struct lkp_watch *w);

/* Events lost so far because the ring buffer was full; 0 or -errno. */
int lkp_watch_dropped(const struct lkp_watch *w, __u64 *count);

/*
 * What the hooks cost since they were loaded: runs and nanoseconds spent,
 * counted by the kernel only while kernel.bpf_stats_enabled is 1.
 */
struct lkp_watch_stats {
	__u64 exec_runs, exec_ns;	/* sched_process_exec */
	__u64 mmap_runs, mmap_ns;	/* ma_write */
};

int lkp_watch_stats(const struct lkp_watch *w, struct lkp_watch_stats *st);

#endif /* LKP_WATCH_LIB_H */
