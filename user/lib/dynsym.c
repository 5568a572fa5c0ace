// SPDX-License-Identifier: GPL-2.0
/* dynsym.c: dynamic symbols, symbol versions and dynamic relocations of one ELF file, via libelf. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynsym.h"

struct lkp_elf {
	int fd;
	Elf *elf;
	Elf_Data *dynsym, *versym, *verdef;
	size_t dynstr;			/* section index of the names */
	size_t nsyms;
	size_t verdefnum;
	const char *soname;
	Elf_Scn *rela[4];		/* .rela.dyn, .rela.plt (and any other dynamic RELA) */
	unsigned int nrela;
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

int lkp_elf_open(int fd, struct lkp_elf **out)
{
	struct lkp_elf *e;
	Elf_Scn *scn = NULL;
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
			e->dynstr = sh.sh_link;
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
		case SHT_RELA:
			if ((sh.sh_flags & SHF_ALLOC) && e->nrela < 4)
				e->rela[e->nrela++] = scn;
			break;
		}
	}
	*out = e;
	return 0;
}

void lkp_elf_free(struct lkp_elf *e)
{
	if (!e)
		return;
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
			return elf_strptr(e->elf, e->dynstr, va.vda_name);
		if (!vd.vd_next)
			break;
		off += vd.vd_next;
	}
	return NULL;
}

int lkp_elf_lookup(const struct lkp_elf *e, const char *name, const char *version, GElf_Sym *sym)
{
	size_t i;

	for (i = 1; e->dynsym && i < e->nsyms; i++) {
		GElf_Versym vs = 0;
		const char *n, *v;
		GElf_Sym s;

		if (!gelf_getsym(e->dynsym, i, &s) || s.st_shndx == SHN_UNDEF ||
		    GELF_ST_BIND(s.st_info) == STB_LOCAL)
			continue;
		n = elf_strptr(e->elf, e->dynstr, s.st_name);
		if (!n || strcmp(n, name))
			continue;
		if (e->versym)
			gelf_getversym(e->versym, i, &vs);
		if (version && *version) {
			/* Index 1 is the file's own name: an unversioned definition. */
			v = (vs & 0x7fff) > 1 ? verdef_name(e, vs & 0x7fff) : NULL;
			if (!v || strcmp(v, version))
				continue;
		} else if (vs & 0x8000) {
			continue;	/* hidden: reachable only by its version */
		}
		*sym = s;
		return 0;
	}
	return -ENOENT;
}

int lkp_elf_find_reloc(const struct lkp_elf *e, uint32_t type, const char *name, int64_t addend,
		       uint64_t *offset)
{
	unsigned int k;

	for (k = 0; k < e->nrela; k++) {
		Elf_Data *d = elf_getdata(e->rela[k], NULL);
		GElf_Shdr sh;
		GElf_Rela r;
		size_t i, n;

		if (!d || !gelf_getshdr(e->rela[k], &sh) || !sh.sh_entsize)
			continue;
		n = sh.sh_size / sh.sh_entsize;
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
				sn = elf_strptr(e->elf, e->dynstr, s.st_name);
				if (!sn || strcmp(sn, name))
					continue;
			}
			*offset = r.r_offset;
			return 0;
		}
	}
	return -ENOENT;
}
