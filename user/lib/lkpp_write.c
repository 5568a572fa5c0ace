// SPDX-License-Identifier: GPL-2.0
/* lkpp_write.c: the patch file writer used by lkp-mkpatch and the tests. */
#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lkpp.h"

/* A growable array of fixed-size elements. */
struct lkpp_vec {
	void *v;
	size_t n, cap, elem;
};

static void *vec_push(struct lkpp_vec *a)
{
	void *nv;
	size_t cap;

	if (a->n == a->cap) {
		cap = a->cap ? 2 * a->cap : 16;
		nv = reallocarray(a->v, cap, a->elem);
		if (!nv)
			return NULL;
		a->v = nv;
		a->cap = cap;
	}
	return memset((char *)a->v + a->n++ * a->elem, 0, a->elem);
}

struct lkpp_wsection {
	struct lkpp_disk_section d;	/* host byte order until finish */
	void *data;
};

struct lkpp_writer {
	int error;			/* first failed add, sticky */
	bool have_target;
	uint8_t build_id[LKPP_BUILD_ID_MAX];
	uint32_t build_id_size;
	uint32_t target_name;
	uint16_t target_type;
	struct lkpp_vec strtab;		/* bytes */
	uint32_t *str_hash;		/* open addressing: strtab offsets, 0 = empty */
	size_t str_hash_cap, str_count;
	struct lkpp_vec sections, funcs, symbols, relocs, callsites, movable;	/* disk structs */
	struct lkpp_vec supersedes;	/* struct lkpp_disk_supersedes, 1.4 */
	struct lkpp_vec unwind;		/* struct lkpp_disk_unwind, 1.5 */
};

struct lkpp_writer *lkpp_writer_new(void)
{
	struct lkpp_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->strtab.elem = 1;
	w->sections.elem = sizeof(struct lkpp_wsection);
	w->funcs.elem = sizeof(struct lkpp_disk_func);
	w->symbols.elem = sizeof(struct lkpp_disk_symbol);
	w->relocs.elem = sizeof(struct lkpp_disk_reloc);
	w->callsites.elem = sizeof(struct lkpp_disk_callsite);
	w->movable.elem = sizeof(struct lkpp_disk_movable);
	w->supersedes.elem = sizeof(struct lkpp_disk_supersedes);
	w->unwind.elem = sizeof(struct lkpp_disk_unwind);
	/* Offset 0 is the empty string. */
	if (!vec_push(&w->strtab)) {
		free(w);
		return NULL;
	}
	return w;
}

void lkpp_writer_free(struct lkpp_writer *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->sections.n; i++)
		free(((struct lkpp_wsection *)w->sections.v)[i].data);
	free(w->sections.v);
	free(w->funcs.v);
	free(w->symbols.v);
	free(w->relocs.v);
	free(w->callsites.v);
	free(w->movable.v);
	free(w->supersedes.v);
	free(w->unwind.v);
	free(w->strtab.v);
	free(w->str_hash);
	free(w);
}

static int set_error(struct lkpp_writer *w, int err)
{
	if (!w->error)
		w->error = err;
	return err;
}

static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static int str_hash_grow(struct lkpp_writer *w)
{
	size_t cap = w->str_hash_cap ? 2 * w->str_hash_cap : 256, i, j;
	uint32_t *nh = calloc(cap, sizeof(*nh));

	if (!nh)
		return -ENOMEM;
	for (i = 0; i < w->str_hash_cap; i++) {
		uint32_t off = w->str_hash[i];

		if (!off)
			continue;
		j = str_hash((char *)w->strtab.v + off) & (cap - 1);
		while (nh[j])
			j = (j + 1) & (cap - 1);
		nh[j] = off;
	}
	free(w->str_hash);
	w->str_hash = nh;
	w->str_hash_cap = cap;
	return 0;
}

/* Offset of s in the string table, added once; 0 for NULL or "". */
static int add_str(struct lkpp_writer *w, const char *s, uint32_t *off)
{
	size_t len, j;
	char *dst;

	*off = 0;
	if (!s || !*s)
		return 0;
	len = strlen(s);
	if (len > UINT32_MAX - 1 - w->strtab.n)
		return set_error(w, -E2BIG);
	if (2 * (w->str_count + 1) > w->str_hash_cap && str_hash_grow(w))
		return set_error(w, -ENOMEM);
	j = str_hash(s) & (w->str_hash_cap - 1);
	for (; w->str_hash[j]; j = (j + 1) & (w->str_hash_cap - 1)) {
		if (!strcmp((char *)w->strtab.v + w->str_hash[j], s)) {
			*off = w->str_hash[j];
			return 0;
		}
	}
	*off = w->strtab.n;
	if (w->strtab.cap - w->strtab.n < len + 1) {
		size_t cap = w->strtab.cap;

		while (cap - w->strtab.n < len + 1)
			cap *= 2;
		dst = realloc(w->strtab.v, cap);
		if (!dst)
			return set_error(w, -ENOMEM);
		w->strtab.v = dst;
		w->strtab.cap = cap;
	}
	memcpy((char *)w->strtab.v + w->strtab.n, s, len + 1);
	w->strtab.n += len + 1;
	w->str_hash[j] = *off;
	w->str_count++;
	return 0;
}

int lkpp_writer_set_target(struct lkpp_writer *w, const void *build_id, size_t build_id_size,
			   const char *name, uint16_t target_type)
{
	int ret;

	if (!build_id_size || build_id_size > LKPP_BUILD_ID_MAX)
		return set_error(w, -EINVAL);
	ret = add_str(w, name, &w->target_name);
	if (ret)
		return ret;
	memset(w->build_id, 0, sizeof(w->build_id));
	memcpy(w->build_id, build_id, build_id_size);
	w->build_id_size = build_id_size;
	w->target_type = target_type;
	w->have_target = true;
	return 0;
}

int lkpp_writer_add_section(struct lkpp_writer *w, uint32_t kind, const char *name,
			    const void *data, uint64_t size, uint32_t align)
{
	struct lkpp_wsection *s;
	uint32_t name_off;
	int ret;

	if ((kind == LKPP_SEC_BSS && data) || (kind != LKPP_SEC_BSS && !data && size) ||
	    size > LKPP_MAX_MEM_SIZE || w->sections.n >= INT32_MAX)
		return set_error(w, -EINVAL);
	ret = add_str(w, name, &name_off);
	if (ret)
		return ret;
	s = vec_push(&w->sections);
	if (!s)
		return set_error(w, -ENOMEM);
	/* Every section but BSS gets a buffer, even an empty one: it marks "has bytes". */
	if (kind != LKPP_SEC_BSS) {
		s->data = malloc(size ? size : 1);
		if (!s->data) {
			w->sections.n--;
			return set_error(w, -ENOMEM);
		}
		if (size)
			memcpy(s->data, data, size);
	}
	s->d.name = name_off;
	s->d.kind = kind;
	s->d.align = align;
	s->d.size = size;
	return w->sections.n - 1;
}

int lkpp_writer_add_func(struct lkpp_writer *w, const struct lkpp_func *f)
{
	struct lkpp_disk_func *d;
	uint32_t name_off;
	int ret;

	if (f->old_bytes_len > LKPP_OLD_BYTES_MAX || w->funcs.n >= INT32_MAX)
		return set_error(w, -EINVAL);
	ret = add_str(w, f->name, &name_off);
	if (ret)
		return ret;
	d = vec_push(&w->funcs);
	if (!d)
		return set_error(w, -ENOMEM);
	d->name = name_off;
	d->flags = f->flags;
	d->section = f->section;
	d->old_bytes_len = f->old_bytes_len;
	d->old_offset = f->old_offset;
	d->old_size = f->old_size;
	d->new_offset = f->new_offset;
	d->new_size = f->new_size;
	memcpy(d->old_bytes, f->old_bytes, f->old_bytes_len);
	return w->funcs.n - 1;
}

int lkpp_writer_add_symbol(struct lkpp_writer *w, const struct lkpp_symbol *s)
{
	uint32_t name_off, ver_off, lib_off;
	struct lkpp_disk_symbol *d;
	int ret;

	if (w->symbols.n >= INT32_MAX)
		return set_error(w, -E2BIG);
	ret = add_str(w, s->name, &name_off);
	if (!ret)
		ret = add_str(w, s->version, &ver_off);
	if (!ret)
		ret = add_str(w, s->library, &lib_off);
	if (ret)
		return ret;
	d = vec_push(&w->symbols);
	if (!d)
		return set_error(w, -ENOMEM);
	d->name = name_off;
	d->binding = s->binding;
	d->type = s->type;
	d->flags = s->flags;
	d->section = s->section;
	d->version = ver_off;
	d->library = lib_off;
	d->value = s->value;
	d->size = s->size;
	return w->symbols.n - 1;
}

int lkpp_writer_add_reloc(struct lkpp_writer *w, const struct lkpp_reloc *r)
{
	struct lkpp_disk_reloc *d;

	if (w->relocs.n >= INT32_MAX)
		return set_error(w, -E2BIG);
	d = vec_push(&w->relocs);
	if (!d)
		return set_error(w, -ENOMEM);
	d->offset = r->offset;
	d->section = r->section;
	d->type = r->type;
	d->symbol = r->symbol;
	d->addend = r->addend;
	return w->relocs.n - 1;
}

int lkpp_writer_add_callsite(struct lkpp_writer *w, const struct lkpp_callsite *cs)
{
	struct lkpp_disk_callsite *d;

	if (w->callsites.n >= INT32_MAX)
		return set_error(w, -E2BIG);
	d = vec_push(&w->callsites);
	if (!d)
		return set_error(w, -ENOMEM);
	d->offset = cs->offset;
	d->func = cs->func;
	d->kind = cs->kind;
	return w->callsites.n - 1;
}

int lkpp_writer_set_movable(struct lkpp_writer *w, uint32_t func)
{
	struct lkpp_disk_movable *d;

	if (func >= w->funcs.n)
		return set_error(w, -EINVAL);
	d = vec_push(&w->movable);
	if (!d)
		return set_error(w, -ENOMEM);
	d->func = func;
	d->reserved = 0;
	return 0;
}

int lkpp_writer_add_supersedes(struct lkpp_writer *w, uint64_t patch_id, const char *name)
{
	struct lkpp_disk_supersedes *d;
	uint32_t s;
	size_t i;
	int ret;

	for (i = 0; i < w->supersedes.n; i++)
		if (((struct lkpp_disk_supersedes *)w->supersedes.v)[i].patch_id == patch_id)
			return set_error(w, -EINVAL);
	ret = add_str(w, name, &s);
	if (ret)
		return ret;
	d = vec_push(&w->supersedes);
	if (!d)
		return set_error(w, -ENOMEM);
	d->patch_id = patch_id;
	d->name = s;
	d->reserved = 0;
	return 0;
}

int lkpp_writer_set_unwind(struct lkpp_writer *w, uint32_t section)
{
	struct lkpp_disk_unwind *d;

	if (section >= w->sections.n)
		return set_error(w, -EINVAL);
	d = vec_push(&w->unwind);
	if (!d)
		return set_error(w, -ENOMEM);
	d->section = section;
	d->reserved = 0;
	return 0;
}

static int supersedes_cmp(const void *a, const void *b)
{
	const struct lkpp_disk_supersedes *x = a, *y = b;

	return x->patch_id < y->patch_id ? -1 : x->patch_id > y->patch_id;
}

static int movable_cmp(const void *a, const void *b)
{
	const struct lkpp_disk_movable *x = a, *y = b;

	return x->func < y->func ? -1 : x->func > y->func;
}

static int unwind_cmp(const void *a, const void *b)
{
	const struct lkpp_disk_unwind *x = a, *y = b;

	return x->section < y->section ? -1 : x->section > y->section;
}

/* The reader wants call sites sorted by offset (to find overlaps in one pass). */
static int callsite_cmp(const void *a, const void *b)
{
	const struct lkpp_disk_callsite *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static uint64_t align8(uint64_t x)
{
	return (x + 7) & ~7ULL;
}

/* One directory entry plus its payload's place, in file order. */
struct lkpp_wtable {
	uint32_t kind, entry_size, flags;
	uint64_t count, size, offset;
};

/* Arrays: size from entry_size and count; byte tables: size given. */
static unsigned int add_table(struct lkpp_wtable *t, unsigned int nt, uint32_t kind,
			      uint32_t entry_size, uint64_t count, uint64_t size)
{
	t[nt].kind = kind;
	/* What only makes apply faster is not required: an older reader skips it. */
	t[nt].flags = kind == LKPP_TABLE_CALLSITES || kind == LKPP_TABLE_MOVABLE ||
		      kind == LKPP_TABLE_SUPERSEDES || kind == LKPP_TABLE_UNWIND ? 0 :
		      LKPP_TABLE_F_REQUIRED;
	t[nt].entry_size = entry_size;
	t[nt].count = count;
	t[nt].size = entry_size ? count * entry_size : size;
	t[nt].offset = 0;
	return nt + 1;
}

/* Entry i of an array at p, from host order (src is not changed). */
static void put_entry(uint8_t *p, size_t i, const void *src, size_t size, const int8_t *layout)
{
	memcpy(p + i * size, src, size);
	lkpp_le_fields(p + i * size, layout);
}

/* An array of disk structs kept in host order, written out in file order. */
static void put_array(uint8_t *p, const struct lkpp_vec *a, const int8_t *layout)
{
	size_t k;

	for (k = 0; k < a->n; k++)
		put_entry(p, k, (const char *)a->v + k * a->elem, a->elem, layout);
}

static void put_table(uint8_t *f, uint64_t dir, unsigned int i, const struct lkpp_wtable *t)
{
	struct lkpp_disk_table d = {
		.kind = t->kind,
		.flags = t->flags,
		.offset = t->offset,
		.size = t->size,
		.entry_size = t->entry_size,
		.count = t->count,
	};

	put_entry(f + dir, i, &d, sizeof(d), lkpp_layout_table);
}

int lkpp_writer_finish(struct lkpp_writer *w, void **bufp, size_t *lenp, char *err)
{
	struct lkpp_wsection *secs = w->sections.v;
	struct lkpp_wtable t[LKPP_TABLE_UNWIND];
	struct lkpp_disk_header h = { 0 };
	struct lkpp_patch *check;
	uint64_t off, data_size = 0, dir;
	unsigned int nt = 0, i;
	size_t k;
	uint8_t *f;
	int ret;

	*bufp = NULL;
	*lenp = 0;
	if (err)
		err[0] = '\0';
	if (w->error) {
		if (err)
			snprintf(err, LKPP_ERR_SIZE, "an earlier writer call failed: %s",
				 strerror(-w->error));
		return w->error;
	}
	if (!w->have_target) {
		if (err)
			snprintf(err, LKPP_ERR_SIZE, "no target: call lkpp_writer_set_target");
		return -EINVAL;
	}
	for (k = 0; k < w->sections.n; k++)
		if (secs[k].data)
			data_size = align8(data_size) + secs[k].d.size;

	nt = add_table(t, nt, LKPP_TABLE_STRTAB, 0, 0, w->strtab.n);
	nt = add_table(t, nt, LKPP_TABLE_SECTIONS, sizeof(struct lkpp_disk_section),
		       w->sections.n, 0);
	if (data_size)
		nt = add_table(t, nt, LKPP_TABLE_DATA, 0, 0, data_size);
	nt = add_table(t, nt, LKPP_TABLE_FUNCS, sizeof(struct lkpp_disk_func), w->funcs.n, 0);
	if (w->symbols.n)
		nt = add_table(t, nt, LKPP_TABLE_SYMBOLS, sizeof(struct lkpp_disk_symbol),
			       w->symbols.n, 0);
	if (w->relocs.n)
		nt = add_table(t, nt, LKPP_TABLE_RELOCS, sizeof(struct lkpp_disk_reloc),
			       w->relocs.n, 0);
	if (w->callsites.n) {
		qsort(w->callsites.v, w->callsites.n, w->callsites.elem, callsite_cmp);
		nt = add_table(t, nt, LKPP_TABLE_CALLSITES, sizeof(struct lkpp_disk_callsite),
			       w->callsites.n, 0);
	}
	if (w->movable.n) {
		qsort(w->movable.v, w->movable.n, w->movable.elem, movable_cmp);
		nt = add_table(t, nt, LKPP_TABLE_MOVABLE, sizeof(struct lkpp_disk_movable),
			       w->movable.n, 0);
	}
	if (w->supersedes.n) {
		qsort(w->supersedes.v, w->supersedes.n, w->supersedes.elem, supersedes_cmp);
		nt = add_table(t, nt, LKPP_TABLE_SUPERSEDES, sizeof(struct lkpp_disk_supersedes),
			       w->supersedes.n, 0);
	}
	if (w->unwind.n) {
		qsort(w->unwind.v, w->unwind.n, w->unwind.elem, unwind_cmp);
		nt = add_table(t, nt, LKPP_TABLE_UNWIND, sizeof(struct lkpp_disk_unwind),
			       w->unwind.n, 0);
	}
	dir = sizeof(h);
	off = dir + nt * sizeof(struct lkpp_disk_table);
	for (i = 0; i < nt; i++) {
		t[i].offset = align8(off);
		off = t[i].offset + t[i].size;
	}
	off = align8(off);
	if (off > LKPP_MAX_FILE_SIZE) {
		if (err)
			snprintf(err, LKPP_ERR_SIZE, "patch of %llu bytes exceeds %llu",
				 (unsigned long long)off, LKPP_MAX_FILE_SIZE);
		return -EFBIG;
	}
	f = calloc(1, off);
	if (!f) {
		if (err)
			snprintf(err, LKPP_ERR_SIZE, "out of memory for %llu bytes",
				 (unsigned long long)off);
		return -ENOMEM;
	}

	memcpy(h.magic, LKPP_MAGIC, LKPP_MAGIC_SIZE);
	h.version_major = LKPP_VERSION_MAJOR;
	h.version_minor = LKPP_VERSION_MINOR;
	h.header_size = sizeof(h);
	h.total_size = off;
	h.table_offset = dir;
	h.table_count = nt;
	h.table_entry_size = sizeof(struct lkpp_disk_table);
	h.target_name = w->target_name;
	h.target_type = w->target_type;
	h.build_id_size = w->build_id_size;
	memcpy(h.build_id, w->build_id, sizeof(h.build_id));
	h.arch = LKPP_ARCH_X86_64;
	lkpp_le_fields(&h, lkpp_layout_header);

	for (i = 0; i < nt; i++) {
		uint8_t *p = f + t[i].offset;
		uint64_t d = 0;

		put_table(f, dir, i, &t[i]);
		switch (t[i].kind) {
		case LKPP_TABLE_STRTAB:
			memcpy(p, w->strtab.v, w->strtab.n);
			break;
		case LKPP_TABLE_SECTIONS:
			for (k = 0; k < w->sections.n; k++) {
				struct lkpp_disk_section s = secs[k].d;

				if (secs[k].data) {
					d = align8(d);
					s.data_offset = d;
					d += s.size;
				}
				put_entry(p, k, &s, sizeof(s), lkpp_layout_section);
			}
			break;
		case LKPP_TABLE_DATA:
			for (k = 0; k < w->sections.n; k++) {
				if (!secs[k].data)
					continue;
				d = align8(d);
				memcpy(p + d, secs[k].data, secs[k].d.size);
				d += secs[k].d.size;
			}
			break;
		case LKPP_TABLE_FUNCS:
			put_array(p, &w->funcs, lkpp_layout_func);
			break;
		case LKPP_TABLE_SYMBOLS:
			put_array(p, &w->symbols, lkpp_layout_symbol);
			break;
		case LKPP_TABLE_RELOCS:
			put_array(p, &w->relocs, lkpp_layout_reloc);
			break;
		case LKPP_TABLE_CALLSITES:
			put_array(p, &w->callsites, lkpp_layout_callsite);
			break;
		case LKPP_TABLE_MOVABLE:
			put_array(p, &w->movable, lkpp_layout_movable);
			break;
		case LKPP_TABLE_SUPERSEDES:
			put_array(p, &w->supersedes, lkpp_layout_supersedes);
			break;
		case LKPP_TABLE_UNWIND:
			put_array(p, &w->unwind, lkpp_layout_unwind);
			break;
		}
	}
	memcpy(f, &h, sizeof(h));
	h.checksum = htole32(lkpp_file_checksum(f, off));
	memcpy(f + offsetof(struct lkpp_disk_header, checksum), &h.checksum, sizeof(h.checksum));

	/* Never emit what the reader refuses: the same rules, one implementation. */
	ret = lkpp_parse(f, off, &check, err);
	if (ret) {
		free(f);
		return ret;
	}
	lkpp_free(check);
	*bufp = f;
	*lenp = off;
	return 0;
}

/*
 * A new file next to path, so that rename() replaces path atomically. O_EXCL:
 * a file or symlink someone put at the name is never written through; on a
 * name taken, the next one. *tmp is the name tried last (NULL if none).
 */
static int create_temp(const char *path, char **tmp)
{
	static unsigned int seq;
	unsigned int i;
	int fd = -EEXIST;

	for (i = 0; i < 100 && fd == -EEXIST; i++) {
		free(*tmp);
		if (asprintf(tmp, "%s.tmp.%d.%u", path, (int)getpid(),
			     __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED)) < 0) {
			*tmp = NULL;
			return -ENOMEM;
		}
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			fd = -errno;
	}
	return fd;
}

int lkpp_writer_write_file(struct lkpp_writer *w, const char *path, char *err)
{
	size_t len, done = 0;
	char *tmp = NULL;
	void *buf;
	ssize_t n;
	int fd, ret;

	ret = lkpp_writer_finish(w, &buf, &len, err);
	if (ret)
		return ret;
	fd = create_temp(path, &tmp);
	if (fd < 0) {
		ret = fd;
		if (err && tmp)
			snprintf(err, LKPP_ERR_SIZE, "cannot create %s: %s", tmp, strerror(-ret));
		goto out;
	}
	while (done < len) {
		n = write(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		done += n;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		if (err)
			snprintf(err, LKPP_ERR_SIZE, "cannot write %s: %s", path, strerror(-ret));
		unlink(tmp);
	}
out:
	free(tmp);
	free(buf);
	return ret;
}
