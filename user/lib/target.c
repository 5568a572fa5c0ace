// SPDX-License-Identifier: GPL-2.0
/* target.c: the ELF objects a target maps, found through /proc/PID/maps and identified by GNU build-id. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "buildid.h"
#include "dynsym.h"
#include "procmaps.h"
#include "record.h"
#include "target.h"

/*
 * Open what the target maps at [start, end): the mapped file itself, even
 * if replaced on disk. *mapped: it was opened through map_files (not by its
 * path, which may name another file by now).
 */
static int open_mapped(const struct lkp_target *t, const struct lkp_object *o, bool *mapped)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)t->pid,
		 o->first_start, o->first_end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	*mapped = fd >= 0;
	/* map_files needs CAP_SYS_ADMIN; the path is the next best thing. */
	if (fd < 0 && (errno == EPERM || errno == EACCES))
		fd = open(o->path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * What was learnt of a mapped file, kept for the next process that maps it
 * (apply --all, lkpd). The cache holds the file open: while it does, no
 * other file can have its device and inode number, so a mapping that
 * /proc/PID/maps shows with them is this very file, and a hit costs one
 * fstat() of the held file, no look-up in /proc. Size and modification time
 * must still be what they were: a file rewritten in place is read again.
 * The price: a file deleted on disk (a package upgrade) keeps its blocks
 * until its entry is evicted, or the program ends.
 */
struct file_info {
	int fd;				/* the file, held open; -1: an empty slot */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int err;			/* probe_object's result */
	uint16_t e_type;
	uint64_t load_vaddr;		/* first PT_LOAD's address, page aligned */
	uint64_t dynamic;
	bool has_tls;
	uint32_t build_id_size;
	uint8_t build_id[LKPP_BUILD_ID_MAX];
	struct lkp_elf *elf;		/* a reference, or NULL */
};

#define FILE_CACHE_SIZE	64
/* Protects file_cache and file_cache_next: lkp_apply_many's workers share them. */
static pthread_mutex_t file_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct file_info file_cache[FILE_CACHE_SIZE] = {
	[0 ... FILE_CACHE_SIZE - 1] = { .fd = -1 },
};
static unsigned int file_cache_next;

static void file_info_drop(struct file_info *f)
{
	lkp_elf_free(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	*f = (struct file_info){ .fd = -1 };
}

/*
 * The entry of the file o maps, still as it was when cached, or NULL. Caller
 * holds the lock. The check asks for the attributes the kernel has at hand
 * (AT_STATX_DONT_SYNC): the same answer as fstat() on a local filesystem,
 * but no round trip to the server on a network one (NFS, 9p), where fstat()
 * costs one per process and was most of `apply --all`'s time per process in
 * the test VM, whose tree is shared by 9p. What the kernel has at hand is
 * also what it maps: a change made on the server that this machine has not
 * seen yet is not in the process either.
 */
static struct file_info *__cached(const struct lkp_object *o)
{
	struct statx stx;
	unsigned int i;

	for (i = 0; i < FILE_CACHE_SIZE; i++) {
		struct file_info *f = &file_cache[i];

		if (f->fd < 0 || f->ino != o->ino || f->dev != o->dev)
			continue;
		if (!statx(f->fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_SIZE | STATX_MTIME,
			   &stx) && (stx.stx_mask & (STATX_SIZE | STATX_MTIME)) ==
			   (STATX_SIZE | STATX_MTIME) && f->size == (off_t)stx.stx_size &&
		    f->mtime.tv_sec == stx.stx_mtime.tv_sec &&
		    f->mtime.tv_nsec == (long)stx.stx_mtime.tv_nsec)
			return f;
		/* Rewritten in place since: what the process maps now is read again. */
		file_info_drop(f);
		return NULL;
	}
	return NULL;
}

static void from_info(struct lkp_object *o, const struct file_info *f)
{
	o->e_type = f->e_type;
	o->base = o->first_start - f->load_vaddr;
	o->dynamic = f->dynamic;
	o->has_tls = f->has_tls;
	o->build_id_size = f->build_id_size;
	memcpy(o->build_id, f->build_id, sizeof(o->build_id));
	if (f->elf)
		o->elf = lkp_elf_get(f->elf);
}

/*
 * Keep what probe_file learnt, and fd with it, when fd is the file o maps:
 * opened through map_files, or by a path that still has o's device and
 * inode. Takes fd either way. Entries are keyed by the device and inode
 * /proc/PID/maps shows, those of the inode the kernel maps: on overlayfs,
 * the layer's, while fstat() shows overlayfs's own device (the inode
 * number is the same). The overlayfs file held keeps that layer's inode.
 */
static void remember(const struct lkp_object *o, int fd, bool mapped, int err)
{
	struct file_info *f;
	struct stat st;

	if (fstat(fd, &st) || st.st_ino != o->ino || (!mapped && st.st_dev != o->dev)) {
		close(fd);
		return;
	}
	pthread_mutex_lock(&file_cache_lock);
	/* Another worker may have cached it meanwhile. */
	if (__cached(o)) {
		pthread_mutex_unlock(&file_cache_lock);
		close(fd);
		return;
	}
	f = &file_cache[file_cache_next++ % FILE_CACHE_SIZE];
	file_info_drop(f);
	*f = (struct file_info){
		.fd = fd, .dev = o->dev, .ino = o->ino, .size = st.st_size,
		.mtime = st.st_mtim, .err = err, .e_type = o->e_type,
		.load_vaddr = o->first_start - o->base, .dynamic = o->dynamic,
		.has_tls = o->has_tls, .build_id_size = o->build_id_size,
	};
	memcpy(f->build_id, o->build_id, sizeof(f->build_id));
	pthread_mutex_unlock(&file_cache_lock);
}

/* Keep an object's opened ELF file for the next process that maps the same file. */
static void remember_elf(const struct lkp_object *o)
{
	struct file_info *f;

	pthread_mutex_lock(&file_cache_lock);
	f = __cached(o);
	if (f && !f->elf && !f->err)
		f->elf = lkp_elf_get(o->elf);
	pthread_mutex_unlock(&file_cache_lock);
}

/* A new descriptor of the cached file o maps, or -1. */
static int cached_fd(const struct lkp_object *o)
{
	struct file_info *f;
	int fd = -1;

	pthread_mutex_lock(&file_cache_lock);
	f = __cached(o);
	if (f && !f->err)
		fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&file_cache_lock);
	return fd;
}

/*
 * ELF header and program headers: type, load base, build-id, PT_DYNAMIC,
 * PT_TLS. -ENOEXEC: not ELF. *fd: the file, left open for the cache, or -1.
 */
static int probe_file(struct lkp_target *t, struct lkp_object *o, int *fd, bool *mapped);

static int probe_object(struct lkp_target *t, struct lkp_object *o)
{
	struct file_info *f;
	bool mapped;
	int ret, fd;

	pthread_mutex_lock(&file_cache_lock);
	f = __cached(o);
	if (f) {
		ret = f->err;
		if (!ret)
			from_info(o, f);
		pthread_mutex_unlock(&file_cache_lock);
		return ret;
	}
	pthread_mutex_unlock(&file_cache_lock);
	ret = probe_file(t, o, &fd, &mapped);
	if (fd >= 0 && (!ret || ret == -ENOEXEC))
		remember(o, fd, mapped, ret);
	else if (fd >= 0)
		close(fd);
	return ret;
}

static int probe_file(struct lkp_target *t, struct lkp_object *o, int *fdp, bool *mapped)
{
	bool have_load = false;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	size_t i, n;
	Elf *elf;
	int fd, ret = -ENOEXEC;

	*fdp = -1;
	fd = open_mapped(t, o, mapped);
	if (fd < 0)
		return fd;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) || elf_getphdrnum(elf, &n))
		goto out;
	o->e_type = eh.e_type;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &ph))
			continue;
		if (ph.p_type == PT_LOAD && !have_load) {
			/* The first PT_LOAD is the mapping of file offset 0. */
			o->base = o->first_start - (ph.p_vaddr & ~(uint64_t)(getpagesize() - 1));
			have_load = true;
		} else if (ph.p_type == PT_NOTE && !o->build_id_size) {
			o->build_id_size = lkp_note_build_id(elf, &ph, o->build_id);
		} else if (ph.p_type == PT_DYNAMIC) {
			o->dynamic = ph.p_vaddr;
		} else if (ph.p_type == PT_TLS) {
			o->has_tls = true;
		}
	}
	if (have_load)
		ret = 0;
out:
	if (elf)
		elf_end(elf);
	*fdp = fd;
	return ret;
}

static int add_object(struct lkp_target *t, const char *path, uint64_t start, uint64_t end,
		      dev_t dev, ino_t ino)
{
	struct lkp_object *o, *objs;
	const char *slash;

	objs = reallocarray(t->objs, t->nr_objs + 1, sizeof(*objs));
	if (!objs)
		return -ENOMEM;
	t->objs = objs;
	o = &objs[t->nr_objs];
	memset(o, 0, sizeof(*o));
	o->path = strdup(path);
	if (!o->path)
		return -ENOMEM;
	slash = strrchr(o->path, '/');
	o->name = slash ? slash + 1 : o->path;
	o->lo = o->first_start = start;
	o->hi = o->first_end = end;
	o->dev = dev;
	o->ino = ino;
	o->order = -1;
	t->nr_objs++;
	return 0;
}

static void read_comm(struct lkp_target *t)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)t->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, t->comm, sizeof(t->comm) - 1);
	close(fd);
	t->comm[n > 0 ? n : 0] = 0;
	t->comm[strcspn(t->comm, "\n")] = 0;
}

/*
 * What the rest of the apply needs of the maps besides the objects, from
 * the same read: the private writable mappings (the only ones a suspended
 * coroutine's stack or a saved context can be in; [heap] and [stack] count,
 * the kernel's other special mappings do not) and the XOL area.
 */
static int note_special(struct lkp_target *t, const struct lkp_vma *v)
{
	struct lkp_range *nr;

	if (!v->inode && !strcmp(v->path, "[uprobes]")) {
		t->xol = (struct lkp_range){ v->start, v->end };
		return 0;
	}
	if ((v->prot & (PROT_READ | PROT_WRITE)) != (PROT_READ | PROT_WRITE) || v->shared ||
	    (v->path[0] == '[' && strcmp(v->path, "[heap]") && strcmp(v->path, "[stack]")))
		return 0;
	nr = reallocarray(t->rw, t->nr_rw + 1, sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	t->rw = nr;
	t->rw[t->nr_rw++] = (struct lkp_range){ v->start, v->end };
	return 0;
}
int lkp_target_open(const struct lkp_session *s, struct lkp_target **out, char *err)
{
	unsigned int i, kept;
	struct lkp_target *t;
	char line[4352], fbuf[16384];
	dev_t dev;
	FILE *f;
	int ret = 0;

	*out = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->pid = s->pid;
	t->s = s;
	read_comm(t);
	snprintf(line, sizeof(line), "/proc/%d/maps", (int)t->pid);
	f = fopen(line, "re");
	if (!f) {
		ret = errno == ENOENT ? -ESRCH : -errno;
		snprintf(err, LKP_ERR_SIZE, "cannot read /proc/%d/maps", (int)t->pid);
		goto fail;
	}
	/* stdio's buffer for /proc is 1 KiB: a read per 8 lines, each taking the mmap lock. */
	setvbuf(f, fbuf, _IOFBF, sizeof(fbuf));
	while (fgets(line, sizeof(line), f)) {
		struct lkp_object *last = t->nr_objs ? &t->objs[t->nr_objs - 1] : NULL;
		struct lkp_vma v;

		line[strcspn(line, "\n")] = '\0';
		if (lkp_maps_parse_line(line, &v))
			continue;
		/* And saved.c's look, and the call's thread choice (ehreg.c). */
		ret = note_special(t, &v);
		if (ret)
			break;
		/* The same read of maps serves lkp's records. */
		if (lkp_record_mapping(v.perms, v.inode, v.path)) {
			uint64_t (*na)[2] = reallocarray(t->anon, t->nr_anon + 1, sizeof(*na));

			if (!na) {
				ret = -ENOMEM;
				break;
			}
			t->anon = na;
			t->anon[t->nr_anon][0] = v.start;
			t->anon[t->nr_anon][1] = v.end - v.start;
			t->nr_anon++;
			continue;
		}
		if (!v.inode || v.path[0] != '/')
			continue;
		dev = makedev(v.dev_major, v.dev_minor);
		if (last && last->ino == v.inode && last->dev == dev &&
		    !strcmp(last->path, v.path)) {
			if (v.end > last->hi)
				last->hi = v.end;
			continue;
		}
		/* An ELF object starts with the mapping of its file offset 0. */
		if (v.offset)
			continue;
		ret = add_object(t, v.path, v.start, v.end, dev, v.inode);
		if (ret)
			break;
	}
	fclose(f);
	if (ret) {
		snprintf(err, LKP_ERR_SIZE, "out of memory");
		goto fail;
	}
	if (!t->nr_objs) {
		/* A zombie or kernel thread maps nothing. */
		ret = -ESRCH;
		snprintf(err, LKP_ERR_SIZE, "process %d maps no file", (int)t->pid);
		goto fail;
	}
	/* Keep the ELF objects; data files (locale archives, fonts) go. */
	for (i = kept = 0; i < t->nr_objs; i++) {
		if (probe_object(t, &t->objs[i])) {
			free(t->objs[i].path);
			continue;
		}
		t->objs[kept++] = t->objs[i];
	}
	t->nr_objs = kept;
	*out = t;
	return 0;
fail:
	lkp_target_free(t);
	return ret;
}

void lkp_target_free(struct lkp_target *t)
{
	unsigned int i;

	if (!t)
		return;
	free(t->search);
	free(t->anon);
	free(t->rw);
	for (i = 0; i < t->nr_objs; i++) {
		free(t->objs[i].path);
		lkp_elf_free(t->objs[i].elf);
	}
	free(t->objs);
	free(t);
}

struct lkp_object *lkp_target_find(struct lkp_target *t, const uint8_t *id, size_t size)
{
	unsigned int i;

	for (i = 0; i < t->nr_objs; i++)
		if (t->objs[i].build_id_size == size && !memcmp(t->objs[i].build_id, id, size))
			return &t->objs[i];
	return NULL;
}

int lkp_object_elf(struct lkp_target *t, struct lkp_object *o, char *err)
{
	bool mapped;
	char buf[64];
	int fd, ret;

	if (o->elf)
		return 0;
	if (o->elf_err) {
		ret = o->elf_err;
		goto fail;
	}
	fd = cached_fd(o);
	if (fd < 0)
		fd = open_mapped(t, o, &mapped);
	if (fd < 0) {
		ret = fd;
		goto fail;
	}
	ret = lkp_elf_open(fd, &o->elf);
	if (!ret) {
		remember_elf(o);
		return 0;
	}
fail:
	o->elf_err = ret;
	snprintf(err, LKP_ERR_SIZE, "%s: cannot read its ELF file: %s", o->path,
		 strerror_r(-ret, buf, sizeof(buf)));
	return ret;
}
