// SPDX-License-Identifier: GPL-2.0
/* watch.c: the exec/mmap watcher's userspace half: the skeleton, the watched map keyed by (dev, ino), the ring buffer. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lkp_watch.skel.h"
#include "procmaps.h"
#include "watch.h"

struct lkp_watch {
	struct lkp_watch_bpf *skel;
	struct ring_buffer *rb;
	/* The callback of the lkp_watch_poll() in progress. */
	lkp_watch_cb cb;
	void *arg;
	int handled;
};

static int lkp_watch_sample(void *ctx, void *data, size_t size)
{
	struct lkp_watch *w = ctx;
	int ret;

	if (size < sizeof(struct lkp_watch_event))
		return -EPROTO;
	ret = w->cb(data, w->arg);
	if (ret < 0)
		return ret;
	w->handled++;
	return 0;
}

int lkp_watch_open(struct lkp_watch **wp)
{
	struct lkp_watch *w;
	int err;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->skel = lkp_watch_bpf__open_and_load();
	if (!w->skel) {
		err = -errno;
		goto free_w;
	}
	err = lkp_watch_bpf__attach(w->skel);
	if (err)
		goto destroy_skel;
	w->rb = ring_buffer__new(bpf_map__fd(w->skel->maps.events), lkp_watch_sample, w, NULL);
	if (!w->rb) {
		err = -errno;
		goto destroy_skel;
	}
	*wp = w;
	return 0;

destroy_skel:
	lkp_watch_bpf__destroy(w->skel);
free_w:
	free(w);
	return err;
}

void lkp_watch_close(struct lkp_watch *w)
{
	if (!w)
		return;
	ring_buffer__free(w->rb);
	lkp_watch_bpf__destroy(w->skel);
	free(w);
}

/*
 * The kernel's s_dev of the mount with this id, from the "major:minor" of
 * /proc/self/mountinfo (which prints sb->s_dev).
 */
static int lkp_mount_dev(__u64 mnt_id, __u32 *dev)
{
	unsigned int major, minor;
	unsigned long long id;
	char line[4096];
	int ret = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llu %*u %u:%u", &id, &major, &minor) != 3)
			continue;
		if (id == mnt_id) {
			*dev = LKP_KDEV(major, minor);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * The dev and inode /proc/self/maps prints for the mapping at addr: those of
 * file_inode(vma->vm_file), which is what the mmap hook reads.
 */
static int lkp_mapped_key(unsigned long addr, struct lkp_watch_key *key)
{
	const struct lkp_vma *v;
	struct lkp_maps maps;
	int ret;

	ret = lkp_maps_read(getpid(), &maps);
	if (ret)
		return ret;
	v = lkp_maps_find(&maps, addr);
	if (v) {
		key->dev = LKP_KDEV(v->dev_major, v->dev_minor);
		key->ino = v->inode;
	}
	lkp_maps_free(&maps);
	return v ? 0 : -ENOENT;
}

int lkp_watch_keys(const char *path, struct lkp_watch_keys *keys)
{
	struct statx stx;
	int fd, ret;
	void *p;

	memset(keys, 0, sizeof(*keys));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &stx)) {
		ret = -errno;
		goto close_fd;
	}
	keys->exec.ino = stx.stx_ino;
	/* Without a mount id (before 5.8) st_dev is the best there is. */
	ret = 0;
	if (stx.stx_mask & STATX_MNT_ID)
		ret = lkp_mount_dev(stx.stx_mnt_id, &keys->exec.dev);
	else
		keys->exec.dev = LKP_KDEV(stx.stx_dev_major, stx.stx_dev_minor);
	if (ret)
		goto close_fd;
	/* Not PROT_EXEC: this mapping must not be reported itself. */
	p = mmap(NULL, 1, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto close_fd;
	}
	ret = lkp_mapped_key((unsigned long)p, &keys->map);
	munmap(p, 1);
close_fd:
	close(fd);
	return ret;
}

int lkp_watch_add_key(struct lkp_watch *w, const struct lkp_watch_key *key, __u64 cookie)
{
	struct lkp_watch_value val = { .cookie = cookie };

	return bpf_map__update_elem(w->skel->maps.watched, key, sizeof(*key),
				    &val, sizeof(val), BPF_NOEXIST);
}

int lkp_watch_remove_key(struct lkp_watch *w, const struct lkp_watch_key *key)
{
	return bpf_map__delete_elem(w->skel->maps.watched, key, sizeof(*key), 0);
}

bool lkp_watch_keys_equal(const struct lkp_watch_key *a, const struct lkp_watch_key *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

static bool lkp_keys_differ(const struct lkp_watch_keys *keys)
{
	return !lkp_watch_keys_equal(&keys->exec, &keys->map);
}

static int lkp_watch_set_key(struct lkp_watch *w, const struct lkp_watch_key *key, __u64 cookie)
{
	struct lkp_watch_value val = { .cookie = cookie };

	return bpf_map__update_elem(w->skel->maps.watched, key, sizeof(*key),
				    &val, sizeof(val), BPF_ANY);
}

int lkp_watch_set_keys(struct lkp_watch *w, const struct lkp_watch_keys *keys, __u64 cookie)
{
	int ret = lkp_watch_set_key(w, &keys->exec, cookie);

	if (!ret && lkp_keys_differ(keys))
		ret = lkp_watch_set_key(w, &keys->map, cookie);
	return ret;
}

int lkp_watch_add(struct lkp_watch *w, const char *path, __u64 cookie, struct lkp_watch_keys *keys)
{
	struct lkp_watch_keys k;
	int ret;

	ret = lkp_watch_keys(path, &k);
	if (ret)
		return ret;
	ret = lkp_watch_add_key(w, &k.exec, cookie);
	if (ret)
		return ret;
	if (lkp_keys_differ(&k)) {
		ret = lkp_watch_add_key(w, &k.map, cookie);
		if (ret) {
			lkp_watch_remove_key(w, &k.exec);
			return ret;
		}
	}
	if (keys)
		*keys = k;
	return 0;
}

int lkp_watch_remove_keys(struct lkp_watch *w, const struct lkp_watch_keys *keys)
{
	int ret = lkp_watch_remove_key(w, &keys->exec);

	if (lkp_keys_differ(keys)) {
		int ret2 = lkp_watch_remove_key(w, &keys->map);

		if (!ret)
			ret = ret2;
	}
	return ret;
}

int lkp_watch_remove(struct lkp_watch *w, const char *path)
{
	struct lkp_watch_keys k;
	int ret;

	ret = lkp_watch_keys(path, &k);
	return ret ? ret : lkp_watch_remove_keys(w, &k);
}

int lkp_watch_poll(struct lkp_watch *w, int timeout_ms, lkp_watch_cb cb, void *arg)
{
	int ret;

	w->cb = cb;
	w->arg = arg;
	w->handled = 0;
	ret = ring_buffer__poll(w->rb, timeout_ms);
	return ret < 0 ? ret : w->handled;
}

int lkp_watch_fd(const struct lkp_watch *w)
{
	return ring_buffer__epoll_fd(w->rb);
}

int lkp_watch_dropped(const struct lkp_watch *w, __u64 *count)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 zero = 0;
	__u64 *vals;
	int i, ret;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	ret = bpf_map__lookup_elem(w->skel->maps.dropped, &zero, sizeof(zero),
				   vals, ncpu * sizeof(*vals), 0);
	if (!ret) {
		*count = 0;
		for (i = 0; i < ncpu; i++)
			*count += vals[i];
	}
	free(vals);
	return ret;
}

static int lkp_prog_stats(const struct bpf_program *prog, __u64 *runs, __u64 *ns)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int ret;

	ret = bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len);
	if (ret)
		return ret;
	*runs = info.run_cnt;
	*ns = info.run_time_ns;
	return 0;
}

int lkp_watch_stats(const struct lkp_watch *w, struct lkp_watch_stats *st)
{
	int ret;

	ret = lkp_prog_stats(w->skel->progs.lkp_watch_exec, &st->exec_runs, &st->exec_ns);
	if (ret)
		return ret;
	return lkp_prog_stats(w->skel->progs.lkp_watch_mmap, &st->mmap_runs, &st->mmap_ns);
}
