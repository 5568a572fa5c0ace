// SPDX-License-Identifier: GPL-2.0
/* dynsym.c: dynamic symbols, symbol versions and dynamic relocations of one ELF file, via libelf. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynsym.h"

/*
 * Everything is read from the file by lkp_elf_open: after it, only the
 * Elf_Data buffers are read, never libelf's own state, so that threads may
 * share one (target.c's file cache does).
 */
struct lkp_elf {
	unsigned int refs;		/* atomic */
	int fd;
	Elf *elf;
	Elf_Data *dynsym, *versym, *verdef;
	Elf_Data *dynstr;		/* the names */
	size_t nsyms;
	size_t verdefnum;
	const char *soname;
	Elf_Data *rela[4];		/* .rela.dyn, .rela.plt (and any other dynamic RELA) */
	size_t nrela_ent[4];
	unsigned int nrela;
	/* .gnu.hash, when well formed: lookups without a walk over every symbol. */
	const uint32_t *buckets, *chain;
	uint32_t nbuckets, symoffset;
	size_t nchain;
};

static void read_soname(struct lkp_elf *e, Elf_Scn *scn, GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	GElf_Dyn dyn;
	size_t i;

	for (i = 0; d && gelf_getdyn(d, i, &dyn) && dyn.d_tag != DT_NULL; i++)
		if (dyn.d_tag == DT_SONAME)
			e->soname = elf_strptr(e->elf, sh->sh_link, dyn.d_un.d_val);
}

/*
 * .gnu.hash: nbuckets, symoffset, bloom size (in 64-bit words), bloom
 * shift, the bloom filter, the buckets, then one chain word per symbol from
 * symoffset on, whose low bit ends a bucket's run.
 */
static void read_gnu_hash(struct lkp_elf *e, Elf_Scn *scn)
{
	Elf_Data *d = elf_rawdata(scn, NULL);
	const uint32_t *w;
	size_t words, head;

	if (!d || !d->d_buf || d->d_size < 16 || ((uintptr_t)d->d_buf & 3))
		return;
	w = d->d_buf;
	words = d->d_size / 4;
	head = 4 + (size_t)w[2] * 2 + w[0];
	if (!w[0] || head > words)
		return;
	e->nbuckets = w[0];
	e->symoffset = w[1];
	e->buckets = w + 4 + (size_t)w[2] * 2;
	e->chain = e->buckets + e->nbuckets;
	e->nchain = words - head;
}

static uint32_t gnu_hash(const char *name)
{
	uint32_t h = 5381;

	for (; *name; name++)
		h = h * 33 + (unsigned char)*name;
	return h;
}

/* The string at off of the dynamic string table, or NULL. */
static const char *dynstr(const struct lkp_elf *e, size_t off)
{
	const char *s;

	if (!e->dynstr || !e->dynstr->d_buf || off >= e->dynstr->d_size)
		return NULL;
	s = (const char *)e->dynstr->d_buf + off;
	return memchr(s, 0, e->dynstr->d_size - off) ? s : NULL;
}

int lkp_elf_read(const struct lkp_elf *e, uint64_t vaddr, void *buf, size_t len)
{
	size_t i, n;
	GElf_Phdr ph;

	if (elf_getphdrnum(e->elf, &n))
		return -ENOENT;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(e->elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    vaddr < ph.p_vaddr || vaddr - ph.p_vaddr > ph.p_filesz ||
		    len > ph.p_filesz - (vaddr - ph.p_vaddr))
			continue;
		return pread(e->fd, buf, len, (off_t)(ph.p_offset + vaddr - ph.p_vaddr)) ==
		       (ssize_t)len ? 0 : -EIO;
	}
	return -ENOENT;
}

int lkp_elf_open(int fd, struct lkp_elf **out)
{
	struct lkp_elf *e;
	Elf_Scn *scn = NULL;
	size_t strndx = 0;
	GElf_Shdr sh;

	*out = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		close(fd);
		return -ENOSYS;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		close(fd);
		return -ENOMEM;
	}
	e->fd = fd;
	e->refs = 1;
	e->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF) {
		lkp_elf_free(e);
		return -ENOEXEC;
	}
	while ((scn = elf_nextscn(e->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		switch (sh.sh_type) {
		case SHT_DYNSYM:
			e->dynsym = elf_getdata(scn, NULL);
			strndx = sh.sh_link;
			e->nsyms = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
			break;
		case SHT_GNU_versym:
			e->versym = elf_getdata(scn, NULL);
			break;
		case SHT_GNU_verdef:
			e->verdef = elf_getdata(scn, NULL);
			e->verdefnum = sh.sh_info;
			break;
		case SHT_DYNAMIC:
			read_soname(e, scn, &sh);
			break;
		case SHT_GNU_HASH:
			read_gnu_hash(e, scn);
			break;
		case SHT_RELA:
			if (!(sh.sh_flags & SHF_ALLOC) || e->nrela == 4 || !sh.sh_entsize)
				break;
			e->rela[e->nrela] = elf_getdata(scn, NULL);
			e->nrela_ent[e->nrela] = sh.sh_size / sh.sh_entsize;
			if (e->rela[e->nrela])
				e->nrela++;
			break;
		}
	}
	if (strndx)
		e->dynstr = elf_getdata(elf_getscn(e->elf, strndx), NULL);
	*out = e;
	return 0;
}

struct lkp_elf *lkp_elf_get(struct lkp_elf *e)
{
	__atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
	return e;
}

void lkp_elf_free(struct lkp_elf *e)
{
	/* Every holder's reads come before the free: release on each drop, acquire on the last. */
	if (!e || __atomic_sub_fetch(&e->refs, 1, __ATOMIC_RELEASE))
		return;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (e->elf)
		elf_end(e->elf);
	close(e->fd);
	free(e);
}

const char *lkp_elf_soname(const struct lkp_elf *e)
{
	return e->soname;
}

/* The name of version index ndx (without the hidden bit) in .gnu.version_d, or NULL. */
static const char *verdef_name(const struct lkp_elf *e, unsigned int ndx)
{
	size_t off = 0, n;
	GElf_Verdef vd;
	GElf_Verdaux va;

	if (!e->verdef)
		return NULL;
	for (n = 0; n < e->verdefnum; n++) {
		if (!gelf_getverdef(e->verdef, off, &vd))
			return NULL;
		if (vd.vd_ndx == ndx && gelf_getverdaux(e->verdef, off + vd.vd_aux, &va))
			return dynstr(e, va.vda_name);
		if (!vd.vd_next)
			break;
		off += vd.vd_next;
	}
	return NULL;
}

/* Is dynamic symbol i a definition of name with this version (see lkp_elf_lookup)? */
static bool matches(const struct lkp_elf *e, size_t i, const char *name, const char *version,
		    GElf_Sym *sym)
{
	GElf_Versym vs = 0;
	const char *n, *v;
	GElf_Sym s;

	if (!gelf_getsym(e->dynsym, i, &s) || s.st_shndx == SHN_UNDEF ||
	    GELF_ST_BIND(s.st_info) == STB_LOCAL)
		return false;
	n = dynstr(e, s.st_name);
	if (!n || strcmp(n, name))
		return false;
	if (e->versym)
		gelf_getversym(e->versym, i, &vs);
	if (version && *version) {
		/* Index 1 is the file's own name: an unversioned definition. */
		v = (vs & 0x7fff) > 1 ? verdef_name(e, vs & 0x7fff) : NULL;
		if (!v || strcmp(v, version))
			return false;
	} else if (vs & 0x8000) {
		return false;	/* hidden: reachable only by its version */
	}
	*sym = s;
	return true;
}

int lkp_elf_lookup(const struct lkp_elf *e, const char *name, const char *version, GElf_Sym *sym)
{
	uint32_t h, i, c;
	size_t k;

	if (!e->dynsym)
		return -ENOENT;
	if (e->buckets) {
		h = gnu_hash(name);
		i = e->buckets[h % e->nbuckets];
		if (i < e->symoffset)
			return -ENOENT;
		for (; (size_t)(i - e->symoffset) < e->nchain && i < e->nsyms; i++) {
			c = e->chain[i - e->symoffset];
			if ((c | 1) == (h | 1) && matches(e, i, name, version, sym))
				return 0;
			if (c & 1)
				break;
		}
		return -ENOENT;
	}
	for (k = 1; k < e->nsyms; k++)
		if (matches(e, k, name, version, sym))
			return 0;
	return -ENOENT;
}

int lkp_elf_find_reloc(const struct lkp_elf *e, uint32_t type, const char *name, int64_t addend,
		       uint64_t *offset)
{
	unsigned int k;

	for (k = 0; k < e->nrela; k++) {
		Elf_Data *d = e->rela[k];
		size_t i, n = e->nrela_ent[k];
		GElf_Rela r;

		for (i = 0; i < n && gelf_getrela(d, i, &r); i++) {
			GElf_Sym s;
			const char *sn;

			if (GELF_R_TYPE(r.r_info) != type)
				continue;
			if (!name) {
				if (r.r_addend != addend)
					continue;
			} else {
				if (!e->dynsym || !gelf_getsym(e->dynsym, GELF_R_SYM(r.r_info), &s))
					continue;
				sn = dynstr(e, s.st_name);
				if (!sn || strcmp(sn, name))
					continue;
			}
			*offset = r.r_offset;
			return 0;
		}
	}
	return -ENOENT;
}
