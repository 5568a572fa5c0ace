// SPDX-License-Identifier: GPL-2.0
/* symbolize.c: names for code addresses in a target process, from its objects' ELF symbols. */
/*
 * An address is placed in its mapping (/proc/PID/maps), the mapping in its
 * object's PT_LOAD segments (which gives the load bias), and the object's
 * virtual address in its function symbols. Symbols come from .symtab, or
 * from .dynsym when the object is stripped, read with libelf from
 * /proc/PID/map_files/START-END: the very file the target mapped, even if
 * it was replaced or deleted on disk since. The vDSO is read from the
 * target's memory. Each object is read once per symbolizer.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "procmaps.h"
#include "record.h"
#include "symbolize.h"

#define PAGE		4096ULL
#define MAX_LOADS	16

struct sym {
	uint64_t start, size;
	char *name;
	unsigned int rank;	/* lower is better, among symbols at one address */
};

/* One mapped object, and what was read of it (possibly nothing). */
struct sym_obj {
	struct lkp_vma id;	/* the mapping it was first met in: dev, inode, path */
	char *path;
	const char *name;	/* last component of path */
	GElf_Phdr loads[MAX_LOADS];
	unsigned int nr_loads;
	struct sym *syms;	/* sorted by start, one per start */
	unsigned int nr_syms;
	struct sym_obj *next;
};

struct lkp_symbolizer {
	pid_t pid;
	struct lkp_maps maps;
	int mem_fd;		/* /proc/PID/mem, read-only, opened for the vDSO */
	struct sym_obj *objs;
	/* lkp's own patches in the target, read at the first address in one. */
	bool recs_read;
	struct lkp_applied *recs;
	unsigned int nr_recs;
	char (*rec_names)[40];	/* "lkp patch ID" per record */
};

struct lkp_symbolizer *lkp_symbolizer_new(pid_t pid)
{
	struct lkp_symbolizer *sy;
	int ret;

	/* A libelf that does not know the current ELF version: */
	if (elf_version(EV_CURRENT) == EV_NONE) {
		errno = ELIBBAD;
		return NULL;
	}
	sy = calloc(1, sizeof(*sy));
	if (!sy) {
		errno = ENOMEM;
		return NULL;
	}
	sy->pid = pid;
	sy->mem_fd = -1;
	ret = lkp_maps_read(pid, &sy->maps);
	if (ret) {
		free(sy);
		errno = -ret;
		return NULL;
	}
	return sy;
}

static void obj_free(struct sym_obj *o)
{
	unsigned int i;

	for (i = 0; i < o->nr_syms; i++)
		free(o->syms[i].name);
	free(o->syms);
	free(o->path);
	free(o);
}

void lkp_symbolizer_free(struct lkp_symbolizer *sy)
{
	struct sym_obj *o, *next;

	if (!sy)
		return;
	for (o = sy->objs; o; o = next) {
		next = o->next;
		obj_free(o);
	}
	if (sy->mem_fd >= 0)
		close(sy->mem_fd);
	lkp_applied_free(sy->recs, sy->nr_recs);
	free(sy->rec_names);
	lkp_maps_free(&sy->maps);
	free(sy);
}

/*
 * Rank of a symbol among aliases at one address: sized first, then
 * global, weak, local, then fewer leading underscores (read before
 * __libc_read and __GI___libc_read).
 */
static unsigned int sym_rank(const GElf_Sym *s, const char *name)
{
	static const unsigned int bind_rank[] = { [STB_LOCAL] = 2, [STB_GLOBAL] = 0, [STB_WEAK] = 1 };
	unsigned int bind = GELF_ST_BIND(s->st_info), under = strspn(name, "_");

	return (s->st_size ? 0 : 1000) + (bind <= STB_WEAK ? bind_rank[bind] : 3) * 100 +
	       (under < 99 ? under : 99);
}

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The function symbols of the table in section scn, sorted, one per address. */
static int read_syms(Elf *elf, Elf_Scn *scn, struct sym_obj *o)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	unsigned int i, n, kept;
	GElf_Shdr sh;
	GElf_Sym s;

	if (!gelf_getshdr(scn, &sh) || !data || !sh.sh_entsize)
		return -EINVAL;
	n = sh.sh_size / sh.sh_entsize;
	o->syms = calloc(n ? n : 1, sizeof(*o->syms));
	if (!o->syms)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		int type;
		const char *name;

		if (!gelf_getsym(data, i, &s))
			break;
		type = GELF_ST_TYPE(s.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_shndx == SHN_UNDEF ||
		    !s.st_value)
			continue;
		name = elf_strptr(elf, sh.sh_link, s.st_name);
		if (!name || !*name)
			continue;
		o->syms[o->nr_syms].name = strdup(name);
		if (!o->syms[o->nr_syms].name)
			goto nomem;
		o->syms[o->nr_syms].start = s.st_value;
		o->syms[o->nr_syms].size = s.st_size;
		o->syms[o->nr_syms].rank = sym_rank(&s, name);
		o->nr_syms++;
	}
	qsort(o->syms, o->nr_syms, sizeof(*o->syms), sym_cmp);
	for (i = kept = 0; i < o->nr_syms; i++) {
		if (kept && o->syms[kept - 1].start == o->syms[i].start) {
			free(o->syms[i].name);
			continue;
		}
		o->syms[kept++] = o->syms[i];
	}
	o->nr_syms = kept;
	return 0;

nomem:
	/* None rather than some, unsorted: a lookup would name the wrong function. */
	for (i = 0; i < o->nr_syms; i++)
		free(o->syms[i].name);
	free(o->syms);
	o->syms = NULL;
	o->nr_syms = 0;
	return -ENOMEM;
}

/* The segments and symbols of an open ELF. */
static int read_elf(Elf *elf, struct sym_obj *o)
{
	Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;
	size_t i, nr_phdrs;
	GElf_Shdr sh;
	GElf_Phdr ph;

	if (elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &nr_phdrs))
		return -ENOEXEC;
	for (i = 0; i < nr_phdrs && o->nr_loads < MAX_LOADS; i++)
		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD)
			o->loads[o->nr_loads++] = ph;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			symtab = scn;
		else if (sh.sh_type == SHT_DYNSYM)
			dynsym = scn;
	}
	if (symtab || dynsym)
		return read_syms(elf, symtab ? symtab : dynsym, o);
	return 0;
}

static int open_mem(struct lkp_symbolizer *sy)
{
	char path[64];

	if (sy->mem_fd >= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)sy->pid);
	sy->mem_fd = open(path, O_RDONLY | O_CLOEXEC);
	return sy->mem_fd < 0 ? -errno : 0;
}

/* The vDSO exists only in memory: read its image from the target. */
static int load_vdso(struct lkp_symbolizer *sy, const struct lkp_vma *map, struct sym_obj *o)
{
	size_t len = map->end - map->start;
	char *buf;
	Elf *elf;
	int ret;

	ret = open_mem(sy);
	if (ret)
		return ret;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	if (pread(sy->mem_fd, buf, len, (off_t)map->start) != (ssize_t)len) {
		ret = -EIO;
		goto out;
	}
	elf = elf_memory(buf, len);
	if (!elf) {
		ret = -ENOEXEC;
		goto out;
	}
	ret = read_elf(elf, o);
	elf_end(elf);
out:
	free(buf);
	return ret;
}

static int load_file(struct lkp_symbolizer *sy, const struct lkp_vma *map, struct sym_obj *o)
{
	char path[PATH_MAX + 64];
	Elf *elf;
	int fd, ret;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)sy->pid,
		 map->start, map->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	/*
	 * Following map_files takes CAP_SYS_ADMIN (CAP_CHECKPOINT_RESTORE):
	 * without it take the path, seen from the target's root, unless the
	 * target's file is gone from it.
	 */
	if (fd < 0 && (errno == EPERM || errno == EACCES) && o->path[0] == '/' &&
	    !strstr(o->path, " (deleted)")) {
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)sy->pid, o->path);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		ret = -ENOEXEC;
		goto out;
	}
	ret = read_elf(elf, o);
	elf_end(elf);
out:
	close(fd);
	return ret;
}

/* The object mapped at map, read on first use; NULL only when out of memory. */
static struct sym_obj *obj_get(struct lkp_symbolizer *sy, const struct lkp_vma *map)
{
	struct sym_obj *o;
	const char *slash;

	for (o = sy->objs; o; o = o->next)
		if (lkp_vma_same_object(&o->id, map) && !strcmp(o->path, map->path))
			return o;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->path = strdup(map->path);
	if (!o->path) {
		free(o);
		return NULL;
	}
	o->id = *map;
	o->id.path = o->path;
	slash = strrchr(o->path, '/');
	o->name = slash ? slash + 1 : o->path;
	/* An object that cannot be read still has a name: its symbols stay unknown. */
	if (map->inode)
		load_file(sy, map, o);
	else
		load_vdso(sy, map, o);
	o->next = sy->objs;
	sy->objs = o;
	return o;
}

/* The virtual address (as in the object's ELF) of addr in map, or -ENOENT. */
static int obj_vaddr(const struct sym_obj *o, const struct lkp_vma *map, uint64_t addr,
		     uint64_t *vaddr)
{
	unsigned int i;

	for (i = 0; i < o->nr_loads; i++) {
		const GElf_Phdr *ph = &o->loads[i];

		if (map->offset < (ph->p_offset & ~(PAGE - 1)) ||
		    map->offset >= ph->p_offset + ph->p_filesz)
			continue;
		*vaddr = ph->p_vaddr - ph->p_offset + map->offset + (addr - map->start);
		return 0;
	}
	return -ENOENT;
}

static const struct sym *sym_find(const struct sym_obj *o, uint64_t vaddr)
{
	unsigned int lo = 0, hi = o->nr_syms, mid;
	const struct sym *s;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (o->syms[mid].start <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &o->syms[lo - 1];
	/* Outside its size it is some other, unnamed code (a stripped static function). */
	return vaddr < s->start + s->size ? s : NULL;
}

/*
 * Code lkp itself put in the target: a patch's X mapping holds no symbols;
 * its record (record.h), at the start of the patch's R mapping, lists the
 * X mapping and each function's new code and name. The function is the
 * one whose new code starts nearest at or below the address.
 */
static int patch_region_find(struct lkp_symbolizer *sy, const struct lkp_vma *map, uint64_t addr,
			     uint64_t lookup, struct lkp_symbol *sym)
{
	struct lkp_session s = { .pid = sy->pid, .fd = -1 };
	unsigned int i, k;
	int ret;

	if (!sy->recs_read) {
		sy->recs_read = true;
		ret = open_mem(sy);
		if (ret)
			return ret;
		s.mem_fd = sy->mem_fd;
		ret = lkp_records_read(&s, &sy->recs, &sy->nr_recs);
		if (ret)
			return ret;
		sy->rec_names = calloc(sy->nr_recs + 1, sizeof(*sy->rec_names));
		if (!sy->rec_names)
			return -ENOMEM;
		for (i = 0; i < sy->nr_recs; i++)
			snprintf(sy->rec_names[i], sizeof(sy->rec_names[i]), "lkp patch %016" PRIx64,
				 sy->recs[i].hdr->patch_id);
	}
	for (i = 0; i < sy->nr_recs; i++) {
		const struct lkp_applied *a = &sy->recs[i];
		const struct lkp_rec_func *best = NULL;
		uint64_t x = a->hdr->maps[LKP_MAP_X][0], xlen = a->hdr->maps[LKP_MAP_X][1];

		if (lookup < x || lookup >= x + xlen)
			continue;
		sym->object = sy->rec_names[i];
		for (k = 0; k < a->hdr->nr_funcs; k++)
			if (a->funcs[k].new_addr <= lookup &&
			    (!best || a->funcs[k].new_addr > best->new_addr))
				best = &a->funcs[k];
		if (best) {
			sym->name = lkp_rec_str(a, best->name_off);
			sym->offset = addr - best->new_addr;
		}
		return 0;
	}
	return -ENOENT;
}

int lkp_symbol_find(struct lkp_symbolizer *sy, uint64_t addr, unsigned int flags,
		    struct lkp_symbol *sym)
{
	uint64_t lookup = flags & LKP_SYM_RETADDR ? addr - 1 : addr, vaddr;
	const struct lkp_vma *map;
	const struct sym_obj *o;
	const struct sym *s;
	int ret;

	memset(sym, 0, sizeof(*sym));
	map = lkp_maps_find(&sy->maps, lookup);
	if (!map) {
		/* Mapped since we looked? Look once more. */
		struct lkp_maps fresh;

		if (lkp_maps_read(sy->pid, &fresh))
			return 0;
		lkp_maps_free(&sy->maps);
		sy->maps = fresh;
		map = lkp_maps_find(&sy->maps, lookup);
		if (!map)
			return 0;
	}
	if (!map->inode && strcmp(map->path, "[vdso]")) {
		ret = patch_region_find(sy, map, addr, lookup, sym);
		return ret == -ENOMEM ? ret : 0;
	}
	o = obj_get(sy, map);
	if (!o)
		return -ENOMEM;
	sym->object = o->name;
	sym->path = o->path;
	if (obj_vaddr(o, map, lookup, &vaddr))
		return 0;
	sym->vaddr = vaddr + (addr - lookup);
	s = sym_find(o, vaddr);
	if (s) {
		sym->name = s->name;
		sym->offset = vaddr + (addr - lookup) - s->start;
	}
	return 0;
}

int lkp_symbol_format(const struct lkp_symbol *sym, uint64_t addr, char *buf, size_t len)
{
	int n;

	if (sym->name && sym->object)
		n = snprintf(buf, len, "%s+0x%" PRIx64 " (%s)", sym->name, sym->offset,
			     sym->object);
	else if (sym->object)
		n = snprintf(buf, len, "0x%" PRIx64 " (%s)", addr, sym->object);
	else
		n = snprintf(buf, len, "0x%" PRIx64, addr);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int lkp_symbolize(struct lkp_symbolizer *sy, uint64_t addr, char *buf, size_t len)
{
	struct lkp_symbol sym;
	int ret;

	ret = lkp_symbol_find(sy, addr, 0, &sym);
	if (ret)
		return ret;
	return lkp_symbol_format(&sym, addr, buf, len);
}
