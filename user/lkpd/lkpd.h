/* SPDX-License-Identifier: GPL-2.0 */
/* lkpd.h: the daemon's state (store, files held, processes, failures) and the jobs of its files. */
#ifndef LKPD_H
#define LKPD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <linux/lkp.h>

#include "apply.h"
#include "daemon.h"
#include "lkpp_format.h"
#include "patchset.h"

/* elfpoint.c: what lkpd needs to know of one ELF file on disk. */
struct lkpd_elf {
	uint16_t e_type;
	bool library;			/* held at its init function, not its entry */
	bool has_point;
	uint64_t hold_offset;		/* file offset of the instruction to hold at */
	const char *kind;		/* "entry", "DT_INIT", "DT_INIT_ARRAY[0]" */
	uint32_t build_id_size;
	uint8_t build_id[LKPP_BUILD_ID_MAX];
};

/* 0 or -errno (-ENOEXEC: not ELF); e->has_point says whether a hold point was found. */
int lkpd_elf_read(int fd, struct lkpd_elf *e);

/* A file on disk with an installed patch's build-id, and its hold point. */
struct lkpd_file {
	char *path;
	dev_t dev;
	ino_t ino;
	uint64_t offset;
	const char *kind;
	uint32_t point;			/* the channel's point id; 0: not added */
	unsigned int patch;		/* index in lkpd.ps (valid after lkpd_store_sync) */
};

/* A process lkpd patched (or found patched), while it lives. */
struct lkpd_proc {
	pid_t pid;
	unsigned long long start;	/* /proc/PID/stat starttime: pid reuse */
	char comm[32];
	uint64_t *ids;			/* patch ids live in it */
	unsigned int nr_ids;
	bool eh_warned;			/* its unwind rules could not be registered: logged once */
};

/* A process whose apply failed: retried with backoff until it works or the process goes. */
struct lkpd_failure {
	pid_t pid;
	unsigned long long start;
	char comm[32];
	int err;
	char reason[LKP_ERR_SIZE];
	unsigned int attempts;
	uint64_t next_ms;		/* CLOCK_MONOTONIC */
};

struct lkpd_opts {
	const char *store;
	const char *socket;
	unsigned int hold_timeout_ms;
	unsigned int rescan_ms;		/* how often files on disk are checked again */
	bool verbose;
};

struct lkpd {
	struct lkpd_opts o;
	int dev;			/* /dev/lkp */
	int ch;				/* the hold channel */
	int listen;			/* control socket */
	struct lkp_patchset ps;		/* the store, every patch named = false */
	struct lkpd_file *files;
	unsigned int nr_files;
	char **missing;			/* build-ids of installed patches with no file to hold in */
	unsigned int nr_missing;
	struct lkpd_proc *procs;
	unsigned int nr_procs;
	struct lkpd_failure *fails;
	unsigned int nr_fails;
	/* Counters, for status. */
	uint64_t started_ms;
	uint64_t holds, holds_patched, holds_failed, holds_late;
	uint64_t hold_us_last, hold_us_max, hold_us_sum;
	/* Held processes whose unwind rules were registered after release, or could not be. */
	uint64_t eh_registered, eh_failed;
	uint64_t applied;		/* processes patched since start */
	uint64_t next_rescan_ms;
	unsigned int held_now;
	uint64_t points_added;		/* hold points added since start */
	struct lkpd_watch *watch;	/* watch.c */
	/* fswatch.c: every path a file was held at, and their directories, watched. */
	int ifd;			/* inotify */
	char **known;
	unsigned int nr_known;
	struct lkpd_fsdir *dirs;
	unsigned int nr_dirs;
};

/* log.c: one line on stderr, with a syslog priority prefix under journald. */
enum { LKPD_ERR = 3, LKPD_WARN = 4, LKPD_INFO = 6, LKPD_DEBUG = 7 };
void lkpd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern bool lkpd_verbose;
uint64_t lkpd_now_ms(void);
uint64_t lkpd_now_us(void);

/* store.c: the patch store and the files its patches are for. */
int lkpd_store_load(const char *dir, struct lkp_patchset *ps);
/* Reload the store, find each patch's files, add and remove hold points to match: 0 or -errno. */
int lkpd_store_sync(struct lkpd *d, bool search_all);
/* The store patch that which names (patch id, build-id, or a prefix of either): index or -ENOENT. */
int lkpd_store_find(const struct lkpd *d, const char *which);

/* locate.c: every file on disk with one of the wanted build-ids. */
struct lkpd_want {
	const uint8_t *id;
	uint32_t size;
	const char *name;		/* the patch's target name */
	struct lkpd_file *found;
	unsigned int nr_found;
};
/* The paths first (files held there before), then processes' mappings and the usual places. */
int lkpd_locate(struct lkpd_want *w, unsigned int n, char *const *paths, unsigned int nr_paths);
/* Is the file at path still the one f names (same inode, or same build-id)? Updates f. */
bool lkpd_file_check(struct lkpd_file *f, const uint8_t *id, uint32_t size, bool *changed);

/* hold.c: the hold channel. */
int lkpd_hold_open(struct lkpd *d);
int lkpd_hold_add(struct lkpd *d, struct lkpd_file *f);
void lkpd_hold_del(struct lkpd *d, struct lkpd_file *f);
/* Read and answer every event waiting: 0 or -errno (the channel failed). */
int lkpd_hold_service(struct lkpd *d);

/* procs.c: applying, and what lkpd knows of the processes it patched. */
/* *eh_later (may be NULL): patches applied with their unwind rules left for later (o->eh_later). */
int lkpd_apply_pid(struct lkpd *d, pid_t pid, const struct lkp_txn_opts *o, bool quiet,
		   unsigned int *eh_later);
/* Every running process that needs a patch of the store (or of only, if not NULL). */
int lkpd_apply_running(struct lkpd *d, const struct lkp_patchset *only, unsigned int *patched,
		       unsigned int *failed);
int lkpd_undo_running(struct lkpd *d, const struct lkp_patchfile *pf, unsigned int *undone,
		      unsigned int *failed);
void lkpd_retry_due(struct lkpd *d);
uint64_t lkpd_next_retry_ms(const struct lkpd *d);
/* The process lkpd patched with that pid, if it is still the same process, or NULL. */
struct lkpd_proc *lkpd_proc_find(struct lkpd *d, pid_t pid);
void lkpd_procs_prune(struct lkpd *d);
void lkpd_procs_forget(struct lkpd *d, uint64_t id);
bool lkpd_proc_alive(pid_t pid, unsigned long long start);
/* Whether the process is gone or a zombie. */
bool lkpd_proc_exited(pid_t pid);
unsigned long long lkpd_proc_start(pid_t pid);
void lkpd_proc_comm(pid_t pid, char *buf, size_t len);

/* ctl.c: the control socket. */
int lkpd_ctl_open(struct lkpd *d);
void lkpd_ctl_accept(struct lkpd *d);

/* status.c */
void lkpd_status(struct lkpd *d, FILE *f, bool json);

/* fswatch.c: files replaced on disk at a path a file was held at, seen at once. */
int lkpd_fswatch_open(struct lkpd *d);
/* Watch the paths of d->files (and their directories) from now on. */
void lkpd_fswatch_sync(struct lkpd *d);
/* Read the events waiting: whether one was a complete file at a known path. */
bool lkpd_fswatch_service(struct lkpd *d);
void lkpd_fswatch_close(struct lkpd *d);

/* notify.c: sd_notify without libsystemd. */
int lkpd_notify(const char *state);

/* watch.c: the bpf watcher's seam (see docs/lkpd-daemon.md). */
int lkpd_watch_start(struct lkpd *d);
int lkpd_watch_fd(struct lkpd *d);
void lkpd_watch_service(struct lkpd *d);
void lkpd_watch_files_changed(struct lkpd *d);
void lkpd_watch_status(struct lkpd *d, FILE *f, bool json);
void lkpd_watch_stop(struct lkpd *d);

#endif /* LKPD_H */
