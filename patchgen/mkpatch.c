// SPDX-License-Identifier: GPL-2.0
/* lkp-mkpatch: turns the patch sections of a patched build's objects into a patch file for the original binary. */

/*
 * lkp-mkpatch [-C DIR] -m MAP [-a PATCHED-MAP] (-d OUTDIR | -o FILE) [-n NAME]
 *             [-K BUILD-ID] TARGET
 *
 * TARGET is the original executable or shared library, as linked in the
 * original build (unstripped); MAP is the linker map of that link (lkp-cc
 * writes OUT.orig.map) and DIR the directory the link ran in, against which
 * the map's input paths are relative. PATCHED-MAP, the map of the patched
 * link, adds the objects the fix created (a new source file): they are not
 * in MAP, and every function in them is new. By the time lkp-mkpatch runs, the
 * patched build has replaced the objects at those paths with lkp-gensrc
 * output: the original sections, unchanged, plus .lkp.* sections
 * (docs/patchgen.md).
 *
 * -K keys the patch to another build-id than TARGET's: that of a binary
 * whose loaded sections and program headers are TARGET's, which only its
 * stripped debug information (hashed into the build-id) tells apart.
 * lkp-patch-make and lkp-patch-deb check that before they pass it; every
 * byte this tool reads from TARGET is then also that binary's.
 *
 * Phases:
 *  1. target: build-id, type, symbol tables, versions of imported symbols.
 *  2. map: the address the original link gave each input section of each
 *     object (archive members included).
 *  3. objects: open every input object; those with .lkp.funcs are patch
 *     objects. Their .lkp.text/.lkp.rodata/.lkp.data/.lkp.bss become patch
 *     sections; their .lkp.funcs entries become functions.
 *  4. symbols: each relocation of a patch section is resolved. A symbol in
 *     a .lkp section is PATCH; a symbol in an original section of the object
 *     is TARGET at that section's address from the map (exact even for
 *     static symbols whose names repeat across files); an undefined symbol
 *     is a new function or global variable of another patch object (its
 *     .lkp.vars), or TARGET when the target
 *     defines it, or else EXTERNAL with the version the target imports it
 *     with. An IFUNC gets LKPP_SYM_F_IFUNC: its value is its resolver's.
 *  5. functions: old address from the map, first bytes from TARGET, checked
 *     against the object's own bytes (outside relocated ones): a mismatch
 *     means the map and the binary disagree, and no patch is written.
 *  6. call sites: every direct call and tail call (e8/e9 rel32) in the
 *     target's code whose destination is the entry of a replaced function,
 *     found in one objdump run over the executable sections and checked
 *     against the file's bytes; apply may retarget them at the new code.
 *  6b. movable: a replaced function whose new code apply may link at its
 *     old address and write over the old code (docs/apply.md, in-place
 *     replacement): in one objdump run over each patch object's .lkp.text,
 *     every PC-relative operand of its code (a branch, a RIP-relative
 *     operand) either stays inside the function or carries a relocation
 *     (gas resolves a call to a local label of the same section itself),
 *     and phase 6's objdump of the target found no branch into the middle
 *     of its old code (a .cold part jumping back, say), and its unwind
 *     rules (.lkp.eh_frame) say what the old code's FDE in the target's
 *     .eh_frame says, at the same offsets, with no LSDA on either side
 *     (ehcmp.c): in place, unwinders find that FDE, and its LSDA would be
 *     the old code's, not the patch's.
 *  7. write: PATCHROOT/<build-id>.lkpp through the lkpp writer, which
 *     validates the file with the reader before it is renamed into place.
 *
 * Exit status: 0 written, 3 no object of TARGET carries patch sections,
 * 1 error (one line naming the object and the reason), 2 usage.
 */

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ehcmp.h"
#include "lkpp.h"

#define LKP_GENSRC_VERSION	1
#define LKP_FUNC_ENTSIZE	40
#define LKP_FUNC_NEW		0x1
#define LKP_VAR_ENTSIZE		24

static const char *prog = "lkp-mkpatch";

static __attribute__((format(printf, 2, 3)))
int fail(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return err;
}

/* Make room for n entries of size bytes in the array *v: 0 or -ENOMEM (*v kept). */
static int grow(void *v, size_t n, size_t size)
{
	void *p = reallocarray(*(void **)v, n ? n : 1, size);

	if (!p)
		return -ENOMEM;
	*(void **)v = p;
	return 0;
}

/* ---- phase 1: the target -------------------------------------------- */

struct target {
	const char *path;
	int fd;
	Elf *elf;
	GElf_Ehdr eh;
	uint8_t build_id[LKPP_BUILD_ID_MAX];
	size_t build_id_size;
	uint64_t tls_vaddr;
	bool has_tls;
	Elf_Scn *symtab, *dynsym, *versym, *verneed;
};

static int target_open(struct target *t)
{
	Elf_Scn *scn = NULL;
	size_t i, n;

	t->fd = open(t->path, O_RDONLY);
	if (t->fd < 0)
		return fail(-errno, "%s: %s", t->path, strerror(errno));
	t->elf = elf_begin(t->fd, ELF_C_READ, NULL);
	if (!t->elf || elf_kind(t->elf) != ELF_K_ELF || !gelf_getehdr(t->elf, &t->eh))
		return fail(-ENOEXEC, "%s: not an ELF file", t->path);
	if (t->eh.e_machine != EM_X86_64 || (t->eh.e_type != ET_EXEC && t->eh.e_type != ET_DYN))
		return fail(-ENOEXEC, "%s: not an x86-64 executable or shared library", t->path);
	if (elf_getphdrnum(t->elf, &n))
		return fail(-ENOEXEC, "%s: no program headers", t->path);
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(t->elf, i, &ph) && ph.p_type == PT_TLS) {
			t->tls_vaddr = ph.p_vaddr;
			t->has_tls = true;
		}
	}
	while ((scn = elf_nextscn(t->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		switch (sh.sh_type) {
		case SHT_SYMTAB:
			t->symtab = scn;
			break;
		case SHT_DYNSYM:
			t->dynsym = scn;
			break;
		case SHT_GNU_versym:
			t->versym = scn;
			break;
		case SHT_GNU_verneed:
			t->verneed = scn;
			break;
		case SHT_NOTE:
			d = elf_getdata(scn, NULL);
			while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
				if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
				    !memcmp((char *)d->d_buf + name_off, "GNU", 4) &&
				    nh.n_descsz && nh.n_descsz <= LKPP_BUILD_ID_MAX) {
					memcpy(t->build_id, (char *)d->d_buf + desc_off, nh.n_descsz);
					t->build_id_size = nh.n_descsz;
				}
			}
			break;
		}
	}
	if (!t->build_id_size)
		return fail(-ENOEXEC, "%s: no GNU build-id note (link with --build-id)", t->path);
	if (!t->symtab && !t->dynsym)
		return fail(-ENOEXEC, "%s: no symbol table", t->path);
	return 0;
}

/* A defined symbol of the target by name: .symtab first, then .dynsym. */
static bool target_lookup(struct target *t, const char *name, GElf_Sym *out)
{
	Elf_Scn *tabs[2] = { t->symtab, t->dynsym };
	int k;

	for (k = 0; k < 2; k++) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t i;

		if (!tabs[k] || !gelf_getshdr(tabs[k], &sh) || !sh.sh_entsize)
			continue;
		d = elf_getdata(tabs[k], NULL);
		for (i = 1; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			if (!gelf_getsym(d, i, &s) || s.st_shndx == SHN_UNDEF)
				continue;
			n = elf_strptr(t->elf, sh.sh_link, s.st_name);
			if (n && !strcmp(n, name) && GELF_ST_BIND(s.st_info) != STB_LOCAL) {
				*out = s;
				return true;
			}
		}
	}
	return false;
}

/*
 * The version and library the target imports NAME with, from .dynsym,
 * .gnu.version and .gnu.version_r; "" when it does not import it.
 */
static void target_import_version(struct target *t, const char *name,
				  const char **version, const char **library)
{
	GElf_Shdr sh, vsh;
	Elf_Data *d, *vd, *nd;
	size_t i;

	*version = "";
	*library = "";
	if (!t->dynsym || !t->versym || !t->verneed || !gelf_getshdr(t->dynsym, &sh) ||
	    !sh.sh_entsize || !gelf_getshdr(t->verneed, &vsh))
		return;
	d = elf_getdata(t->dynsym, NULL);
	vd = elf_getdata(t->versym, NULL);
	nd = elf_getdata(t->verneed, NULL);
	for (i = 1; d && vd && nd && i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym s;
		GElf_Versym vs;
		GElf_Verneed vn;
		size_t off = 0;
		const char *n;

		if (!gelf_getsym(d, i, &s) || s.st_shndx != SHN_UNDEF ||
		    !gelf_getversym(vd, i, &vs))
			continue;
		n = elf_strptr(t->elf, sh.sh_link, s.st_name);
		if (!n || strcmp(n, name) || (vs & 0x7fff) < 2)
			continue;
		while (gelf_getverneed(nd, off, &vn)) {
			size_t aoff = off + vn.vn_aux;
			GElf_Vernaux va;
			unsigned int k;

			for (k = 0; k < vn.vn_cnt && gelf_getvernaux(nd, aoff, &va); k++) {
				if (va.vna_other == (vs & 0x7fff)) {
					*version = elf_strptr(t->elf, vsh.sh_link, va.vna_name);
					*library = elf_strptr(t->elf, vsh.sh_link, vn.vn_file);
					if (!*version)
						*version = "";
					if (!*library)
						*library = "";
					return;
				}
				aoff += va.vna_next;
			}
			if (!vn.vn_next)
				break;
			off += vn.vn_next;
		}
	}
}

/* Up to len bytes of the target's file image at vaddr. */
static int target_read(struct target *t, uint64_t vaddr, void *buf, size_t len)
{
	size_t i, n;

	if (elf_getphdrnum(t->elf, &n))
		return -ENOEXEC;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(t->elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr + len <= ph.p_vaddr + ph.p_filesz) {
			if (pread(t->fd, buf, len, ph.p_offset + vaddr - ph.p_vaddr) != (ssize_t)len)
				return -EIO;
			return 0;
		}
	}
	return -ERANGE;
}

/* ---- phase 2: the link map ------------------------------------------ */

struct mapent {
	char *file;		/* as the map names it: "x.o" or "lib.a(x.o)" */
	char *section;
	uint64_t addr;
	uint64_t size;
};

struct linkmap {
	struct mapent *v;
	size_t n;
};

static int map_add(struct linkmap *m, const char *sec, uint64_t addr, uint64_t size,
		   const char *file)
{
	struct mapent *e;

	if (grow(&m->v, m->n + 1, sizeof(*m->v)))
		return -ENOMEM;
	e = &m->v[m->n];
	e->file = strdup(file);
	e->section = strdup(sec);
	e->addr = addr;
	e->size = size;
	if (!e->file || !e->section) {
		free(e->file);
		free(e->section);
		return -ENOMEM;
	}
	m->n++;
	return 0;
}

/*
 * Input section lines of GNU ld's map, after "Linker script and memory map":
 *
 *	 .text          0x0000000000001180       0x14 lib.o
 *	 .text.unlikely
 *	                0x0000000000001040        0x5 lib.o
 */
static int map_read(const char *path, struct linkmap *m)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL, pending[4096] = "";
	size_t cap = 0;
	bool body = false;
	int ret = 0;

	if (!fp)
		return fail(-errno, "%s: %s", path, strerror(errno));
	while (getline(&line, &cap, fp) > 0) {
		char sec[4096], file[4096];
		unsigned long long addr, size;

		line[strcspn(line, "\n")] = 0;
		if (!body) {
			body = !strcmp(line, "Linker script and memory map");
			continue;
		}
		if (line[0] == ' ' && line[1] != ' ' && line[1] != '*' &&
		    sscanf(line, " %4095s 0x%llx 0x%llx %4095[^\n]", sec, &addr, &size, file) == 4) {
			ret = map_add(m, sec, addr, size, file);
			if (ret)
				break;
			pending[0] = 0;
			continue;
		}
		if (pending[0] && sscanf(line, " 0x%llx 0x%llx %4095[^\n]", &addr, &size, file) == 3 &&
		    strncmp(file, "(size before", 12)) {
			ret = map_add(m, pending, addr, size, file);
			if (ret)
				break;
			pending[0] = 0;
			continue;
		}
		pending[0] = 0;
		if (line[0] == ' ' && line[1] != ' ' && line[1] != '*' && !strchr(line + 1, ' '))
			snprintf(pending, sizeof(pending), "%s", line + 1);
	}
	free(line);
	fclose(fp);
	if (ret)
		return fail(ret, "%s: %s", path, strerror(-ret));
	if (!body)
		return fail(-EINVAL, "%s: not a GNU ld map", path);
	return 0;
}

/* ---- phase 3: the objects ------------------------------------------- */

struct lkpsec {
	size_t shndx;		/* in the object */
	int out;		/* index in the patch file */
};

struct object {
	char *mapname;		/* the name in the map */
	char *path;		/* the file: for objdump; NULL for an archive member */
	int fd;
	Elf *ar, *elf;
	size_t shnum, shstrndx;
	uint64_t *addr;		/* per section: its address in the target, or ~0 */
	Elf_Scn *symtab;
	struct lkpsec lkp[8];
	int nlkp;
	Elf_Scn *funcs, *strtab, *vars;
};

static const char *sec_name(struct object *o, size_t i)
{
	Elf_Scn *s = elf_getscn(o->elf, i);
	GElf_Shdr sh;
	const char *n;

	if (!s || !gelf_getshdr(s, &sh))
		return "";
	n = elf_strptr(o->elf, o->shstrndx, sh.sh_name);
	return n ? n : "";
}

static int object_open(struct object *o, const char *dir)
{
	char path[8192], member[4096] = "";
	const char *paren = strrchr(o->mapname, '(');
	size_t len = strlen(o->mapname);

	if (paren && len && o->mapname[len - 1] == ')') {
		snprintf(member, sizeof(member), "%.*s", (int)(len - (paren - o->mapname) - 2), paren + 1);
		snprintf(path, sizeof(path), "%s%s%.*s", o->mapname[0] == '/' ? "" : dir,
			 o->mapname[0] == '/' ? "" : "/", (int)(paren - o->mapname), o->mapname);
	} else {
		snprintf(path, sizeof(path), "%s%s%s", o->mapname[0] == '/' ? "" : dir,
			 o->mapname[0] == '/' ? "" : "/", o->mapname);
	}
	o->fd = open(path, O_RDONLY);
	if (o->fd < 0)
		return -errno;
	if (!member[0] && !(o->path = strdup(path)))
		return -ENOMEM;
	if (member[0]) {
		Elf_Cmd cmd = ELF_C_READ;
		Elf *e;

		o->ar = elf_begin(o->fd, ELF_C_READ, NULL);
		if (!o->ar || elf_kind(o->ar) != ELF_K_AR)
			return -ENOEXEC;
		while ((e = elf_begin(o->fd, cmd, o->ar))) {
			Elf_Arhdr *h = elf_getarhdr(e);

			if (h && h->ar_name && !strcmp(h->ar_name, member)) {
				o->elf = e;
				break;
			}
			cmd = elf_next(e);
			elf_end(e);
		}
	} else {
		o->elf = elf_begin(o->fd, ELF_C_READ, NULL);
	}
	if (!o->elf || elf_kind(o->elf) != ELF_K_ELF)
		return -ENOEXEC;
	if (elf_getshdrnum(o->elf, &o->shnum) || elf_getshdrstrndx(o->elf, &o->shstrndx))
		return -ENOEXEC;
	return 0;
}

static int lkp_kind(const char *name)
{
	if (!strcmp(name, ".lkp.text"))
		return LKPP_SEC_TEXT;
	if (!strcmp(name, ".lkp.rodata") || !strcmp(name, ".lkp.eh_frame"))
		return LKPP_SEC_RODATA;
	if (!strcmp(name, ".lkp.data"))
		return LKPP_SEC_DATA;
	if (!strcmp(name, ".lkp.bss"))
		return LKPP_SEC_BSS;
	return 0;
}

/*
 * The later phases index the object's sections by its symbols' st_shndx:
 * a patch object whose symbol names a section it does not have is corrupt.
 */
static int check_symbols(struct object *o)
{
	Elf_Data *d;
	GElf_Sym s;
	size_t i;

	if (!o->symtab || !(d = elf_getdata(o->symtab, NULL)))
		return 0;	/* no symbols: main() says so */
	for (i = 0; gelf_getsym(d, i, &s); i++)
		if (s.st_shndx < SHN_LORESERVE && s.st_shndx >= o->shnum)
			return fail(-ENOEXEC, "%s: symbol %zu: section index %u, but the object has %zu sections",
				    o->mapname, i, s.st_shndx, o->shnum);
	return 0;
}

/* Sections, their map addresses and the .lkp sections of a patch object. */
static int object_scan(struct object *o, struct linkmap *m)
{
	size_t i, k;

	o->addr = calloc(o->shnum ? o->shnum : 1, sizeof(uint64_t));
	if (!o->addr)
		return fail(-ENOMEM, "%s: %s", o->mapname, strerror(ENOMEM));
	for (i = 0; i < o->shnum; i++) {
		Elf_Scn *s = elf_getscn(o->elf, i);
		GElf_Shdr sh;
		const char *n = sec_name(o, i);
		size_t same = 0, seen = 0;

		o->addr[i] = ~0ULL;
		if (!s || !gelf_getshdr(s, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			o->symtab = s;
		if (!strcmp(n, ".lkp.funcs"))
			o->funcs = s;
		if (!strcmp(n, ".lkp.strtab"))
			o->strtab = s;
		if (!strcmp(n, ".lkp.vars"))
			o->vars = s;
		if (lkp_kind(n) && o->nlkp < 8) {
			o->lkp[o->nlkp].shndx = i;
			o->lkp[o->nlkp].out = -1;
			o->nlkp++;
		}
		if (!(sh.sh_flags & SHF_ALLOC))
			continue;
		/* the k-th section of this name in the object is its k-th map line */
		for (k = 1; k < i; k++)
			if (!strcmp(sec_name(o, k), n))
				same++;
		for (k = 0; k < m->n; k++) {
			if (strcmp(m->v[k].file, o->mapname) || strcmp(m->v[k].section, n))
				continue;
			if (seen++ == same) {
				o->addr[i] = m->v[k].addr;
				break;
			}
		}
	}
	return o->funcs ? check_symbols(o) : 0;
}

/* ---- phases 4-6 ----------------------------------------------------- */

/* A new function, or a new global variable, that other patch objects may use. */
struct newfunc {
	const char *name;
	int type;		/* LKPP_STT_FUNC or LKPP_STT_OBJECT */
	int section;
	uint64_t offset, size;
};

struct symkey {
	const char *name;
	int binding, type, section;
	uint64_t value;
	unsigned int flags;	/* LKPP_SYM_F_* */
	int index;
};

struct oldfunc {
	uint64_t addr, size;
	int index;		/* in the patch's FUNCS */
	/* Its new code: in which object and section, where. */
	struct object *o;
	size_t shndx;
	uint64_t new_off, new_size;
	bool entered;		/* the target branches into its old code past the entry */
};

struct build {
	struct target *t;
	struct symkey *syms;
	size_t nsyms;
	struct lkpp_writer *w;
	struct newfunc *newf;
	size_t nnewf;
	struct oldfunc *olds;	/* old functions already in the patch */
	size_t nolds;
	int nfuncs;
};

static int add_symbol(struct build *b, const char *name, int binding, int type, int section,
		      uint64_t value, uint64_t size, const char *version, const char *library,
		      unsigned int flags)
{
	struct symkey *k;
	size_t i;
	int idx;
	struct lkpp_symbol s = {
		.name = name ? name : "",
		.binding = binding,
		.type = type,
		.flags = flags,
		.section = binding == LKPP_SYM_PATCH ? section : 0,
		.version = version,
		.library = library,
		.value = value,
		.size = size,
	};

	/* one entry per distinct symbol, however many relocations use it */
	for (i = 0; i < b->nsyms; i++) {
		k = &b->syms[i];
		if (!strcmp(k->name, s.name) && k->binding == binding && k->type == type &&
		    k->section == (int)s.section && k->value == value && k->flags == flags)
			return k->index;
	}
	idx = lkpp_writer_add_symbol(b->w, &s);
	if (idx < 0)
		return idx;
	if (grow(&b->syms, b->nsyms + 1, sizeof(*b->syms)))
		return -ENOMEM;
	b->syms[b->nsyms++] = (struct symkey){ s.name, binding, type, s.section, value, flags,
					       idx };
	return idx;
}

/*
 * An IFUNC (STT_GNU_IFUNC) is a FUNC whose value is its resolver's
 * address: ifunc_flag() says so in the patch, since the target may be
 * stripped when the patch is applied.
 */
static int elf_type_to_lkpp(int t)
{
	switch (t) {
	case STT_FUNC:
	case STT_GNU_IFUNC:
		return LKPP_STT_FUNC;
	case STT_OBJECT:
	case STT_COMMON:
		return LKPP_STT_OBJECT;
	case STT_TLS:
		return LKPP_STT_TLS;
	}
	return LKPP_STT_NOTYPE;
}

static unsigned int ifunc_flag(const GElf_Sym *s)
{
	return GELF_ST_TYPE(s->st_info) == STT_GNU_IFUNC ? LKPP_SYM_F_IFUNC : 0;
}

static int out_section_of(struct object *o, size_t shndx)
{
	int k;

	for (k = 0; k < o->nlkp; k++)
		if (o->lkp[k].shndx == shndx)
			return o->lkp[k].out;
	return -1;
}

/* A relocation's symbol as a patch-file symbol index. */
static int resolve_symbol(struct build *b, struct object *o, size_t symi, const char **why)
{
	GElf_Shdr symsh, sh;
	GElf_Sym s;
	Elf_Data *d;
	const char *name;
	int type, out;

	*why = NULL;
	if (!gelf_getshdr(o->symtab, &symsh) || !(d = elf_getdata(o->symtab, NULL)) ||
	    !gelf_getsym(d, symi, &s))
		return -EINVAL;
	name = elf_strptr(o->elf, symsh.sh_link, s.st_name);
	if (!name)
		name = "";
	type = elf_type_to_lkpp(GELF_ST_TYPE(s.st_info));

	if (s.st_shndx != SHN_UNDEF && s.st_shndx != SHN_COMMON && s.st_shndx != SHN_ABS &&
	    s.st_shndx < SHN_LORESERVE) {
		out = out_section_of(o, s.st_shndx);
		/*
		 * The patch's code is called directly: calling an IFUNC it
		 * defined would run its resolver as the function.
		 */
		if (out >= 0 && ifunc_flag(&s)) {
			*why = "an IFUNC defined by the patch: apply would call its resolver";
			return -EOPNOTSUPP;
		}
		if (out >= 0)
			return add_symbol(b, name, LKPP_SYM_PATCH, type == LKPP_STT_TLS ?
					  LKPP_STT_NOTYPE : type, out, s.st_value, s.st_size,
					  NULL, NULL, 0);
		if (o->addr[s.st_shndx] == ~0ULL) {
			GElf_Sym ts;

			/* a COMDAT copy the link dropped for another object's */
			if (GELF_ST_BIND(s.st_info) != STB_LOCAL && *name &&
			    target_lookup(b->t, name, &ts))
				return add_symbol(b, name, LKPP_SYM_TARGET,
						  elf_type_to_lkpp(GELF_ST_TYPE(ts.st_info)), 0,
						  ts.st_value, ts.st_size, NULL, NULL,
						  ifunc_flag(&ts));
			*why = "its section is not in the original link (garbage collected?)";
			return -ENOENT;
		}
		if (!gelf_getshdr(elf_getscn(o->elf, s.st_shndx), &sh))
			return -EINVAL;
		if (sh.sh_flags & SHF_MERGE) {
			*why = "it is in a merged section, whose layout the link changed";
			return -EOPNOTSUPP;
		}
		if (sh.sh_flags & SHF_TLS) {
			if (!b->t->has_tls) {
				*why = "thread-local, but the target has no TLS segment";
				return -ENOENT;
			}
			return add_symbol(b, name, LKPP_SYM_TARGET, LKPP_STT_TLS, 0,
					  o->addr[s.st_shndx] + s.st_value - b->t->tls_vaddr,
					  s.st_size, NULL, NULL, 0);
		}
		/* the object's own definition: an IFUNC of the same file */
		return add_symbol(b, name, LKPP_SYM_TARGET, type, 0,
				  o->addr[s.st_shndx] + s.st_value, s.st_size, NULL, NULL,
				  ifunc_flag(&s));
	}
	if (s.st_shndx == SHN_ABS) {
		*why = "absolute symbols are not supported";
		return -EOPNOTSUPP;
	}
	/* undefined (or common): another patch object's new function or global, the target, a library */
	{
		GElf_Sym ts;
		const char *version, *library;
		size_t k;

		for (k = 0; k < b->nnewf; k++)
			if (!strcmp(b->newf[k].name, name))
				return add_symbol(b, name, LKPP_SYM_PATCH, b->newf[k].type,
						  b->newf[k].section, b->newf[k].offset,
						  b->newf[k].size, NULL, NULL, 0);
		if (target_lookup(b->t, name, &ts))
			return add_symbol(b, name, LKPP_SYM_TARGET,
					  elf_type_to_lkpp(GELF_ST_TYPE(ts.st_info)), 0,
					  ts.st_value, ts.st_size, NULL, NULL, ifunc_flag(&ts));
		/*
		 * A library's IFUNC (glibc's strlen) is found by apply in the
		 * library's .dynsym, which stripping keeps and which says
		 * STT_GNU_IFUNC: the flag is needed only when the object
		 * itself declares the undefined symbol an IFUNC.
		 */
		target_import_version(b->t, name, &version, &library);
		return add_symbol(b, name, LKPP_SYM_EXTERNAL, type == LKPP_STT_TLS ? LKPP_STT_TLS :
				  type, 0, 0, 0, version, library,
				  (GELF_ST_BIND(s.st_info) == STB_WEAK ? LKPP_SYM_F_WEAK : 0) |
				  ifunc_flag(&s));
	}
}

static Elf_Scn *rela_for(struct object *o, size_t shndx)
{
	size_t i;

	for (i = 1; i < o->shnum; i++) {
		Elf_Scn *s = elf_getscn(o->elf, i);
		GElf_Shdr sh;

		if (s && gelf_getshdr(s, &sh) && sh.sh_type == SHT_RELA && sh.sh_info == shndx)
			return s;
	}
	return NULL;
}

static int add_sections(struct build *b, struct object *o)
{
	int k;

	for (k = 0; k < o->nlkp; k++) {
		Elf_Scn *s = elf_getscn(o->elf, o->lkp[k].shndx);
		GElf_Shdr sh;
		Elf_Data *d;
		const char *n = sec_name(o, o->lkp[k].shndx);
		int kind = lkp_kind(n), r;

		if (!gelf_getshdr(s, &sh))
			return -EINVAL;
		d = kind == LKPP_SEC_BSS ? NULL : elf_getdata(s, NULL);
		if (kind != LKPP_SEC_BSS && sh.sh_size && (!d || d->d_size != sh.sh_size))
			return fail(-EINVAL, "%s: %s: cannot read", o->mapname, n);
		r = lkpp_writer_add_section(b->w, kind, n + 4, d ? d->d_buf : NULL, sh.sh_size,
					    sh.sh_addralign ? sh.sh_addralign : 1);
		if (r < 0)
			return fail(r, "%s: %s: %s", o->mapname, n, strerror(-r));
		o->lkp[k].out = r;
		/* the new code's unwind rules (lkp-gensrc's .lkp.eh_frame) */
		if (!strcmp(n, ".lkp.eh_frame")) {
			r = lkpp_writer_set_unwind(b->w, r);
			if (r < 0)
				return fail(r, "%s: %s: %s", o->mapname, n, strerror(-r));
		}
	}
	return 0;
}

static int add_relocs(struct build *b, struct object *o)
{
	int k;

	for (k = 0; k < o->nlkp; k++) {
		Elf_Scn *rs = rela_for(o, o->lkp[k].shndx);
		GElf_Shdr rsh;
		Elf_Data *d;
		size_t i;

		if (!rs)
			continue;
		if (!gelf_getshdr(rs, &rsh) || !rsh.sh_entsize || !(d = elf_getdata(rs, NULL)))
			return fail(-EINVAL, "%s: bad relocation section", o->mapname);
		for (i = 0; i < rsh.sh_size / rsh.sh_entsize; i++) {
			GElf_Rela r;
			const char *why;
			int sym, ret;

			if (!gelf_getrela(d, i, &r))
				return fail(-EINVAL, "%s: bad relocation %zu", o->mapname, i);
			sym = resolve_symbol(b, o, GELF_R_SYM(r.r_info), &why);
			if (sym < 0) {
				GElf_Shdr ssh;
				GElf_Sym s;
				const char *n = "?";

				if (gelf_getshdr(o->symtab, &ssh) &&
				    gelf_getsym(elf_getdata(o->symtab, NULL), GELF_R_SYM(r.r_info), &s))
					n = elf_strptr(o->elf, ssh.sh_link, s.st_name);
				if (n && !*n && GELF_ST_TYPE(s.st_info) == STT_SECTION)
					n = sec_name(o, s.st_shndx);
				return fail(sym, "%s: symbol '%s': %s", o->mapname, n ? n : "?",
					    why ? why : strerror(-sym));
			}
			ret = lkpp_writer_add_reloc(b->w, &(struct lkpp_reloc){
				.offset = r.r_offset, .section = o->lkp[k].out,
				.type = GELF_R_TYPE(r.r_info), .symbol = sym, .addend = r.r_addend });
			if (ret < 0)
				return fail(ret, "%s: relocation %zu (type %u): %s", o->mapname, i,
					    (unsigned int)GELF_R_TYPE(r.r_info), strerror(-ret));
		}
	}
	return 0;
}

/* The R_X86_64_64 relocation at offset off of table section tab: its symbol and addend. */
static bool funcs_reloc_in(struct object *o, Elf_Scn *tab, size_t off, GElf_Sym *sym,
			   int64_t *addend)
{
	Elf_Scn *rs = rela_for(o, elf_ndxscn(tab));
	GElf_Shdr rsh;
	Elf_Data *d, *sd;
	size_t i;

	if (!rs || !gelf_getshdr(rs, &rsh) || !rsh.sh_entsize || !(d = elf_getdata(rs, NULL)) ||
	    !(sd = elf_getdata(o->symtab, NULL)))
		return false;
	for (i = 0; i < rsh.sh_size / rsh.sh_entsize; i++) {
		GElf_Rela r;

		if (gelf_getrela(d, i, &r) && r.r_offset == off &&
		    GELF_R_TYPE(r.r_info) == R_X86_64_64 &&
		    gelf_getsym(sd, GELF_R_SYM(r.r_info), sym)) {
			*addend = r.r_addend;
			return true;
		}
	}
	return false;
}

/* The .lkp.funcs relocation at offset off. */
static bool funcs_reloc(struct object *o, size_t off, GElf_Sym *sym, int64_t *addend)
{
	return funcs_reloc_in(o, o->funcs, off, sym, addend);
}

/*
 * Compares the first bytes of the old function in the target with the
 * object's bytes at the same place, skipping relocated bytes: the proof that
 * the map gave the right address.
 */
static bool bytes_agree(struct object *o, size_t shndx, uint64_t off, const uint8_t *tb,
			size_t len)
{
	Elf_Data *d = elf_getdata(elf_getscn(o->elf, shndx), NULL);
	Elf_Scn *rs = rela_for(o, shndx);
	bool mask[LKPP_OLD_BYTES_MAX] = { 0 };
	size_t i;

	if (!d || off + len > d->d_size)
		return false;
	if (rs) {
		GElf_Shdr rsh;
		Elf_Data *rd = elf_getdata(rs, NULL);

		if (gelf_getshdr(rs, &rsh) && rsh.sh_entsize && rd) {
			for (i = 0; i < rsh.sh_size / rsh.sh_entsize; i++) {
				GElf_Rela r;
				uint64_t k;

				if (!gelf_getrela(rd, i, &r))
					continue;
				for (k = r.r_offset; k < r.r_offset + 8; k++)
					if (k >= off && k < off + len)
						mask[k - off] = true;
			}
		}
	}
	for (i = 0; i < len; i++)
		if (!mask[i] && ((uint8_t *)d->d_buf)[off + i] != tb[i])
			return false;
	return true;
}

static bool old_seen(struct build *b, uint64_t addr)
{
	size_t i;

	for (i = 0; i < b->nolds; i++)
		if (b->olds[i].addr == addr)
			return true;
	return false;
}

/* The 8-byte header of lkp-gensrc's table (.lkp.funcs, .lkp.vars): version 1, entry size. */
static int table_header(struct object *o, const char *name, Elf_Data *d, Elf_Data *strtab,
			uint32_t min_entsize, uint32_t *entsize)
{
	uint32_t ver;

	if (!d || d->d_size < 8 || !strtab)
		return fail(-EINVAL, "%s: bad %s", o->mapname, name);
	memcpy(&ver, d->d_buf, 4);
	memcpy(entsize, (uint8_t *)d->d_buf + 4, 4);
	if (ver != LKP_GENSRC_VERSION || *entsize < min_entsize)
		return fail(-EOPNOTSUPP, "%s: %s version %u, entry size %u: not supported",
			    o->mapname, name, ver, *entsize);
	return 0;
}

struct func_entry {
	uint64_t old_size, new_size;
	uint32_t name, flags;
};

static int read_funcs(struct build *b, struct object *o, bool add)
{
	Elf_Data *fd = elf_getdata(o->funcs, NULL), *sd = o->strtab ? elf_getdata(o->strtab, NULL) : NULL;
	const uint8_t *p;
	size_t i, n;
	uint32_t entsize;
	int ret;

	ret = table_header(o, ".lkp.funcs", fd, sd, LKP_FUNC_ENTSIZE, &entsize);
	if (ret)
		return ret;
	p = fd->d_buf;
	n = (fd->d_size - 8) / entsize;
	for (i = 0; i < n; i++) {
		size_t off = 8 + i * entsize;
		struct func_entry e;
		GElf_Sym nsym, osym;
		int64_t nadd, oadd = 0;
		const char *name;
		struct lkpp_func f = { 0 };

		memcpy(&e.old_size, p + off + 16, 8);
		memcpy(&e.new_size, p + off + 24, 8);
		memcpy(&e.name, p + off + 32, 4);
		memcpy(&e.flags, p + off + 36, 4);
		if (e.name >= sd->d_size || !memchr((char *)sd->d_buf + e.name, 0, sd->d_size - e.name))
			return fail(-EINVAL, "%s: .lkp.funcs entry %zu: bad name", o->mapname, i);
		name = (char *)sd->d_buf + e.name;
		if (!funcs_reloc(o, off + 8, &nsym, &nadd) || out_section_of(o, nsym.st_shndx) < 0)
			return fail(-EINVAL, "%s: %s: no new code in .lkp.text", o->mapname, name);
		f.name = name;
		f.section = out_section_of(o, nsym.st_shndx);
		f.new_offset = nsym.st_value + nadd;
		f.new_size = e.new_size;
		if (e.flags & LKP_FUNC_NEW) {
			f.flags = LKPP_FUNC_F_NEW;
			if (!add) {
				if (grow(&b->newf, b->nnewf + 1, sizeof(*b->newf)))
					return fail(-ENOMEM, "%s: %s", o->mapname,
						    strerror(ENOMEM));
				b->newf[b->nnewf++] = (struct newfunc){ name, LKPP_STT_FUNC, f.section,
									f.new_offset, 0 };
				continue;
			}
		} else {
			uint64_t addr;

			if (!add)
				continue;
			if (!funcs_reloc(o, off, &osym, &oadd))
				return fail(-EINVAL, "%s: %s: no old function", o->mapname, name);
			if (osym.st_shndx == SHN_UNDEF || osym.st_shndx >= SHN_LORESERVE)
				return fail(-ENOENT, "%s: %s: the old function is not in the object",
					    o->mapname, name);
			if (o->addr[osym.st_shndx] != ~0ULL) {
				addr = o->addr[osym.st_shndx] + osym.st_value + oadd;
			} else {
				GElf_Sym ts;

				/*
				 * A COMDAT function (C++ inline, template) whose
				 * copy in this object the link dropped: the kept
				 * copy is the one to patch, found by name. Every
				 * object with the function patches it: one entry.
				 */
				if (GELF_ST_BIND(osym.st_info) == STB_LOCAL ||
				    !target_lookup(b->t, name, &ts))
					return fail(-ENOENT, "%s: %s: the old function is not in the original link",
						    o->mapname, name);
				addr = ts.st_value;
			}
			if (old_seen(b, addr))
				continue;
			f.old_offset = addr;
			f.old_size = e.old_size;
			f.old_bytes_len = e.old_size < LKPP_OLD_BYTES_MAX ? e.old_size : LKPP_OLD_BYTES_MAX;
			ret = target_read(b->t, addr, f.old_bytes, f.old_bytes_len);
			if (ret)
				return fail(ret, "%s: %s: cannot read its old bytes at 0x%llx in %s",
					    o->mapname, name, (unsigned long long)addr, b->t->path);
			if (!bytes_agree(o, osym.st_shndx, osym.st_value + oadd, f.old_bytes,
					 f.old_bytes_len))
				return fail(-EINVAL, "%s: %s: the link map places it at 0x%llx, but %s has other bytes there",
					    o->mapname, name, (unsigned long long)addr, b->t->path);
		}
		ret = lkpp_writer_add_func(b->w, &f);
		if (ret < 0)
			return fail(ret, "%s: %s: %s", o->mapname, name, strerror(-ret));
		b->nfuncs++;
		if (!(f.flags & LKPP_FUNC_F_NEW)) {
			if (grow(&b->olds, b->nolds + 1, sizeof(*b->olds)))
				return fail(-ENOMEM, "%s: %s", o->mapname, strerror(ENOMEM));
			b->olds[b->nolds++] = (struct oldfunc){ f.old_offset, f.old_size, ret, o,
				nsym.st_shndx, f.new_offset, f.new_size, false };
		}
	}
	return 0;
}

/*
 * .lkp.vars: the new global variables of a patch object (lkp-gensrc writes
 * them under a local label, so no symbol names them). Another object's new
 * code refers to such a variable by name, an undefined symbol that
 * resolve_symbol() finds here: both use the one copy in this object's
 * .lkp.data or .lkp.bss. Entries of 24 bytes after an 8-byte header
 * (version, entry size): R_X86_64_64 to the variable, its size, the name's
 * offset in .lkp.strtab, flags (none).
 */
static int read_vars(struct build *b, struct object *o)
{
	Elf_Data *vd = elf_getdata(o->vars, NULL), *sd = o->strtab ? elf_getdata(o->strtab, NULL) : NULL;
	const uint8_t *p;
	uint32_t entsize;
	size_t i, k;

	int ret = table_header(o, ".lkp.vars", vd, sd, LKP_VAR_ENTSIZE, &entsize);

	if (ret)
		return ret;
	p = vd->d_buf;
	for (i = 0; i < (vd->d_size - 8) / entsize; i++) {
		size_t off = 8 + i * entsize;
		uint64_t size;
		uint32_t noff;
		int64_t add;
		GElf_Sym sym;
		const char *name;
		int sec;

		memcpy(&size, p + off + 8, 8);
		memcpy(&noff, p + off + 16, 4);
		if (noff >= sd->d_size || !memchr((char *)sd->d_buf + noff, 0, sd->d_size - noff))
			return fail(-EINVAL, "%s: .lkp.vars entry %zu: bad name", o->mapname, i);
		name = (char *)sd->d_buf + noff;
		if (!funcs_reloc_in(o, o->vars, off, &sym, &add) ||
		    (sec = out_section_of(o, sym.st_shndx)) < 0)
			return fail(-EINVAL, "%s: new variable %s: not in a patch section",
				    o->mapname, name);
		for (k = 0; k < b->nnewf; k++)
			if (!strcmp(b->newf[k].name, name))
				return fail(-EEXIST, "%s: new variable %s: another patch object defines it too",
					    o->mapname, name);
		if (grow(&b->newf, b->nnewf + 1, sizeof(*b->newf)))
			return fail(-ENOMEM, "%s: %s", o->mapname, strerror(ENOMEM));
		b->newf[b->nnewf++] = (struct newfunc){ name, LKPP_STT_OBJECT, sec,
							sym.st_value + add, size };
	}
	return 0;
}

/* ---- phase 6: call sites ------------------------------------------- */

static int oldfunc_cmp(const void *a, const void *b)
{
	const struct oldfunc *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The replaced function whose old code holds addr (olds sorted), or NULL. */
static const struct oldfunc *old_containing(const struct build *b, uint64_t addr)
{
	size_t lo = 0, hi = b->nolds;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->olds[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && addr - b->olds[lo - 1].addr < b->olds[lo - 1].size)
		return &b->olds[lo - 1];
	return NULL;
}

/* One instruction of an objdump listing, as far as the PC-relative analyses need it. */
struct insn {
	uint64_t at;
	uint64_t dest;		/* branch or riprel: where it goes (~0: unknown) */
	bool branch;		/* a direct branch: call, jmp, jcc, loop, jrcxz, xbegin */
	bool riprel;		/* a RIP-relative memory operand */
	bool bad;		/* objdump could not decode it */
	int kind;		/* LKPP_CALLSITE_CALL or _JMP for a direct call or jmp, else 0 */
};

/*
 * One line of objdump -d -w --no-show-raw-insn:
 *	"  1139:\tcall   1100 <f>"
 *	"    53:\tlea    0x0(%rip),%rdi        # 5a <.lkp.text+0x5a>"
 * false for any other line (headers, labels, "...").
 */
static bool parse_insn(const char *line, struct insn *in)
{
	static const char *const prefixes[] = { "bnd ", "notrack ", "cs ", "ds ", "data16 ",
						"addr32 ", "rex.W ", "lock " };
	const char *p, *ops, *c;
	size_t k, len;
	char *end;

	memset(in, 0, sizeof(*in));
	in->at = strtoull(line, &end, 16);
	if (end == line || *end != ':' || end[1] != '\t')
		return false;
	p = end + 2;
	for (k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++)
		if (!strncmp(p, prefixes[k], strlen(prefixes[k]))) {
			p += strlen(prefixes[k]);
			k = -1;
		}
	len = strcspn(p, " \n");
	ops = p + len;
	while (*ops == ' ')
		ops++;
	in->bad = !strncmp(p, "(bad)", 5);
	if ((len == 4 && !strncmp(p, "call", 4)) || (len == 5 && !strncmp(p, "callq", 5)))
		in->kind = LKPP_CALLSITE_CALL;
	else if ((len == 3 && !strncmp(p, "jmp", 3)) || (len == 4 && !strncmp(p, "jmpq", 4)))
		in->kind = LKPP_CALLSITE_JMP;
	if (in->kind || p[0] == 'j' || !strncmp(p, "loop", 4) || !strncmp(p, "xbegin", 6)) {
		/* "*%rax", "*0x8(%rip)": indirect. */
		in->dest = strtoull(ops, &end, 16);
		in->branch = end != ops && (!*end || *end == ' ' || *end == '\n');
		if (!in->branch)
			in->kind = 0;
	}
	if (strstr(ops, "(%rip)")) {
		in->riprel = true;
		c = strstr(ops, "# ");
		in->dest = c ? strtoull(c + 2, &end, 16) : ~0ULL;
		if (!c || end == c + 2)
			in->dest = ~0ULL;
	}
	return true;
}

/* Run argv (objdump) with its stdout as a stream; *pid is the child to reap. */
static FILE *popen_argv(char **argv, pid_t *pid)
{
	int fds[2];
	FILE *f;

	if (pipe(fds))
		return NULL;
	*pid = fork();
	if (*pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	if (*pid < 0) {
		close(fds[0]);
		return NULL;
	}
	f = fdopen(fds[0], "r");
	if (!f)
		close(fds[0]);
	return f;
}

static char *objdump_cmd(void)
{
	const char *objdump = getenv("OBJDUMP");

	return (char *)(objdump && *objdump ? objdump : "objdump");
}

/*
 * objdump -d of the target's executable sections but the PLT (whose jumps
 * go through the GOT), as a stream: a big binary's listing is never held
 * in memory. *pid is the child to reap.
 */
static FILE *objdump_open(struct target *t, pid_t *pid)
{
	size_t n = 0, shstrndx, nscn;
	Elf_Scn *scn = NULL;
	char **argv;
	FILE *f;

	if (elf_getshdrstrndx(t->elf, &shstrndx) || elf_getshdrnum(t->elf, &nscn))
		return NULL;
	argv = calloc(6 + 2 * nscn, sizeof(*argv));
	if (!argv)
		return NULL;
	argv[n++] = objdump_cmd();
	argv[n++] = "-d";
	argv[n++] = "-w";
	argv[n++] = "--no-show-raw-insn";
	while ((scn = elf_nextscn(t->elf, scn))) {
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		name = elf_strptr(t->elf, shstrndx, sh.sh_name);
		if (!name || !strncmp(name, ".plt", 4))
			continue;
		argv[n++] = "-j";
		argv[n++] = (char *)name;
	}
	argv[n++] = (char *)t->path;
	f = popen_argv(argv, pid);
	free(argv);
	return f;
}

/*
 * Every e8/e9 rel32 whose destination is a replaced function's entry. A
 * site is kept only when the file holds exactly that instruction (an
 * opcode and the rel32 to the entry, so a prefixed or misdecoded one never
 * is), and only outside the replaced functions' old code: that code is
 * dead once the entry jumps are in place, and every site costs a write in
 * apply's pause. Returns the number of sites, or -errno.
 */
static int add_callsites(struct build *b)
{
	uint64_t at, dest;
	size_t cap = 0;
	char *line = NULL;
	int kind, status, n = 0, ret = 0;
	pid_t pid = -1;
	FILE *f;

	if (!b->nolds)
		return 0;
	qsort(b->olds, b->nolds, sizeof(*b->olds), oldfunc_cmp);
	f = objdump_open(b->t, &pid);
	if (!f)
		return fail(-errno ? -errno : -ENOMEM, "%s: cannot run objdump: %s", b->t->path,
			    strerror(errno ? errno : ENOMEM));
	while (getline(&line, &cap, f) > 0) {
		struct oldfunc *callee;
		uint8_t bytes[LKPP_JMP_SIZE], want[LKPP_JMP_SIZE];
		struct insn in;
		int32_t rel;

		if (!parse_insn(line, &in) || !in.branch)
			continue;
		at = in.at;
		dest = in.dest;
		kind = in.kind;
		callee = (struct oldfunc *)old_containing(b, dest);
		/* A way into the old code past its entry: it must stay as it is (no in-place). */
		if (callee && callee->addr != dest && old_containing(b, at) != callee)
			callee->entered = true;
		if (!kind || !callee || callee->addr != dest || old_containing(b, at) ||
		    old_containing(b, at + LKPP_JMP_SIZE - 1))
			continue;
		rel = (int32_t)(dest - (at + LKPP_JMP_SIZE));
		want[0] = kind == LKPP_CALLSITE_CALL ? 0xe8 : 0xe9;
		memcpy(want + 1, &rel, 4);	/* x86-64: little endian */
		if (target_read(b->t, at, bytes, sizeof(bytes)) || memcmp(bytes, want, sizeof(want)))
			continue;
		ret = lkpp_writer_add_callsite(b->w, &(struct lkpp_callsite){ .offset = at,
			.func = callee->index, .kind = kind });
		if (ret < 0)
			break;
		n++;
	}
	free(line);
	fclose(f);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return fail(-EIO, "%s: objdump failed (status 0x%x)", b->t->path, status);
	if (ret < 0)
		return fail(ret, "%s: call sites: %s", b->t->path, strerror(-ret));
	return n;
}

/* ---- phase 6b: movable functions ----------------------------------- */

/* Does a PC-relative relocation of section shndx patch a byte of [start, end)? */
static bool pcrel_reloc_in(struct object *o, size_t shndx, uint64_t start, uint64_t end)
{
	Elf_Scn *rs = rela_for(o, shndx);
	GElf_Shdr rsh;
	Elf_Data *d;
	size_t i;

	if (!rs || !gelf_getshdr(rs, &rsh) || !rsh.sh_entsize || !(d = elf_getdata(rs, NULL)))
		return false;
	for (i = 0; i < rsh.sh_size / rsh.sh_entsize; i++) {
		GElf_Rela r;

		if (!gelf_getrela(d, i, &r) || r.r_offset < start || r.r_offset >= end)
			continue;
		switch (GELF_R_TYPE(r.r_info)) {
		case R_X86_64_PC32:
		case R_X86_64_PLT32:
		case R_X86_64_GOTPCREL:
		case R_X86_64_GOTPCRELX:
		case R_X86_64_REX_GOTPCRELX:
		case R_X86_64_GOTPC32:
		case R_X86_64_GOTTPOFF:
		case R_X86_64_TLSGD:
		case R_X86_64_TLSLD:
			return true;
		}
	}
	return false;
}

/*
 * Clear movable[] for every function of object o whose new code has a
 * PC-relative operand that neither stays inside the function nor carries
 * a relocation: linked elsewhere, it would reach the wrong place. The
 * listing is of o's .lkp.text, addresses are offsets in it. 0 or -errno.
 */
static int check_movable(struct build *b, struct object *o, bool *movable)
{
	char *argv[] = { objdump_cmd(), "-d", "-w", "--no-show-raw-insn", "-j", ".lkp.text",
			 o->path, NULL };
	struct insn cur = { 0 }, next;
	bool have = false, more;
	size_t cap = 0, i;
	char *line = NULL;
	int status;
	pid_t pid = -1;
	FILE *f;

	f = popen_argv(argv, &pid);
	if (!f)
		return fail(-errno ? -errno : -ENOMEM, "%s: cannot run objdump: %s", o->path,
			    strerror(errno ? errno : ENOMEM));
	do {
		more = false;
		while (getline(&line, &cap, f) > 0)
			if (parse_insn(line, &next)) {
				more = true;
				break;
			}
		if (have) {
			/* cur ends where the next instruction starts (or the section ends). */
			uint64_t end = more ? next.at : ~0ULL;

			for (i = 0; i < b->nolds; i++) {
				const struct oldfunc *of = &b->olds[i];
				uint64_t lo = of->new_off, hi = of->new_off + of->new_size;

				if (of->o != o || !movable[i] || cur.at < lo || cur.at >= hi)
					continue;
				if (cur.bad)
					movable[i] = false;
				else if ((cur.branch || cur.riprel) &&
					 (cur.dest < lo || cur.dest >= hi) &&
					 !pcrel_reloc_in(o, of->shndx, cur.at, end))
					movable[i] = false;
			}
		}
		cur = next;
		have = more;
	} while (more);
	free(line);
	fclose(f);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return fail(-EIO, "%s: objdump failed (status 0x%x)", o->path, status);
	return 0;
}

/* The section of e named name, with its data: NULL when there is none. */
static Elf_Scn *named_section(Elf *e, const char *name, GElf_Shdr *sh, Elf_Data **d)
{
	Elf_Scn *s = NULL;
	size_t strndx;
	const char *n;

	if (elf_getshdrstrndx(e, &strndx))
		return NULL;
	while ((s = elf_nextscn(e, s))) {
		if (!gelf_getshdr(s, sh) || sh->sh_type == SHT_NOBITS)
			continue;
		n = elf_strptr(e, strndx, sh->sh_name);
		if (n && !strcmp(n, name)) {
			*d = elf_getdata(s, NULL);
			return *d && (*d)->d_size == sh->sh_size ? s : NULL;
		}
	}
	return NULL;
}

/* The old function's rules, from the target's .eh_frame: 0, -ENOENT (none), -errno. */
static int old_rules(struct build *b, const struct oldfunc *of, struct lkp_eh_rules *r)
{
	GElf_Shdr sh;
	Elf_Data *d;
	size_t at;
	int ret;

	if (!named_section(b->t->elf, ".eh_frame", &sh, &d))
		return -ENOENT;
	ret = lkp_eh_fde_find_linked(d->d_buf, d->d_size, sh.sh_addr, of->addr, &at);
	return ret ? ret : lkp_eh_fde_rules(d->d_buf, d->d_size, at, r);
}

/* Is the R_X86_64_64 at off of section shndx in o for of's new code? */
static bool pc_begin_of(struct object *o, size_t shndx, uint64_t off, const struct oldfunc *of)
{
	Elf_Scn *rs = rela_for(o, shndx);
	Elf_Data *d, *sd;
	GElf_Shdr rsh;
	GElf_Rela r;
	GElf_Sym s;
	size_t i;

	if (!rs || !gelf_getshdr(rs, &rsh) || !rsh.sh_entsize || !(d = elf_getdata(rs, NULL)) ||
	    !(sd = elf_getdata(o->symtab, NULL)))
		return false;
	for (i = 0; i < rsh.sh_size / rsh.sh_entsize; i++)
		if (gelf_getrela(d, i, &r) && r.r_offset == off)
			return GELF_R_TYPE(r.r_info) == R_X86_64_64 &&
			       gelf_getsym(sd, GELF_R_SYM(r.r_info), &s) &&
			       s.st_shndx == of->shndx &&
			       s.st_value + r.r_addend == of->new_off;
	return false;
}

/* The new code's rules, from its object's .lkp.eh_frame: 0, -ENOENT (none), -errno. */
static int new_rules(const struct oldfunc *of, struct lkp_eh_rules *r)
{
	struct object *o = of->o;
	size_t off = 0, at, shndx;
	Elf_Data *d;
	int k, ret;

	for (k = 0; k < o->nlkp && strcmp(sec_name(o, o->lkp[k].shndx), ".lkp.eh_frame"); k++)
		;
	if (k == o->nlkp)
		return -ENOENT;
	shndx = o->lkp[k].shndx;
	d = elf_getdata(elf_getscn(o->elf, shndx), NULL);
	if (!d)
		return -EINVAL;
	while (!(ret = lkp_eh_fde_next(d->d_buf, d->d_size, &off, &at)))
		if (pc_begin_of(o, shndx, at, of))
			return lkp_eh_fde_rules(d->d_buf, d->d_size, at, r);
	return ret;
}

/*
 * In place, the new code is unwound with the old code's FDE, the one the
 * object's .eh_frame has for that address (ehcmp.c): fine only when both
 * say the same. Functions without rules on both sides are alike too.
 */
static bool same_unwind(struct build *b, const struct oldfunc *of)
{
	struct lkp_eh_rules a, c;
	int ra, rc;
	bool same;

	memset(&a, 0, sizeof(a));
	memset(&c, 0, sizeof(c));
	ra = old_rules(b, of, &a);
	rc = new_rules(of, &c);
	same = ra == -ENOENT && rc == -ENOENT ? true :
	       !ra && !rc && lkp_eh_rules_equal(&a, &c);
	lkp_eh_rules_free(&a);
	lkp_eh_rules_free(&c);
	return same;
}

/*
 * List in MOVABLE every replaced function whose code is movable, whose
 * unwind rules are its old code's, and whose
 * old code the target enters only at its entry (after add_callsites).
 * Returns how many, or -errno.
 */
static int add_movable(struct build *b)
{
	bool *movable = calloc(b->nolds + 1, sizeof(*movable));
	size_t i, k;
	int n = 0, ret = 0;

	if (!movable)
		return fail(-ENOMEM, "%s", strerror(ENOMEM));
	/* An archive member has no file of its own for objdump: never movable. */
	for (i = 0; i < b->nolds; i++)
		movable[i] = b->olds[i].o->path && !b->olds[i].entered;
	for (i = 0; i < b->nolds && !ret; i++) {
		for (k = 0; k < i && b->olds[k].o != b->olds[i].o; k++)
			;
		if (k == i && movable[i])
			ret = check_movable(b, b->olds[i].o, movable);
	}
	for (i = 0; i < b->nolds && !ret; i++) {
		if (!movable[i] || !same_unwind(b, &b->olds[i]))
			continue;
		ret = lkpp_writer_set_movable(b->w, b->olds[i].index);
		n++;
	}
	free(movable);
	if (ret < 0)
		return ret == -EIO ? ret : fail(ret, "movable functions: %s", strerror(-ret));
	return n;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* -K HEX: the build-id the patch is keyed to, instead of the target's */
static int parse_build_id(struct target *t, const char *hex)
{
	size_t n = strlen(hex), i;

	if (!n || n % 2 || n / 2 > LKPP_BUILD_ID_MAX ||
	    strspn(hex, "0123456789abcdefABCDEF") != n)
		return fail(-EINVAL, "%s: not a build-id (-K: 2 to %d hex digits)", hex,
			    2 * LKPP_BUILD_ID_MAX);
	for (i = 0; i < n / 2; i++)
		t->build_id[i] = hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]);
	memset(t->build_id + n / 2, 0, LKPP_BUILD_ID_MAX - n / 2);
	t->build_id_size = n / 2;
	return 0;
}

/*
 * -S PATCH: the new patch supersedes PATCH, an earlier patch level for the
 * same build-id (its fix is in this one), and every patch PATCH superseded.
 */
static int add_superseded(struct lkpp_writer *w, const struct target *t, const char *path,
			  uint64_t **ids, size_t *nids)
{
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	uint64_t id;
	size_t i, k;
	int ret;

	ret = lkpp_load(path, &p, err);
	if (ret)
		return fail(1, "%s: %s", path, *err ? err : strerror(-ret));
	if (p->build_id_size != t->build_id_size ||
	    memcmp(p->build_id, t->build_id, t->build_id_size)) {
		lkpp_free(p);
		return fail(1, "%s: a patch for another build-id than %s's: it cannot be superseded",
			    path, t->path);
	}
	for (i = 0; i <= p->nr_supersedes; i++) {
		id = i < p->nr_supersedes ? p->supersedes[i].patch_id :
		     lkpp_file_id(p->file, p->file_size);
		for (k = 0; k < *nids && (*ids)[k] != id; k++)
			;
		if (k < *nids)
			continue;
		if (grow(ids, *nids + 1, sizeof(**ids))) {
			lkpp_free(p);
			return fail(1, "%s", strerror(ENOMEM));
		}
		(*ids)[(*nids)++] = id;
		ret = lkpp_writer_add_supersedes(w, id, i < p->nr_supersedes ?
						 p->supersedes[i].name : basename(path));
		if (ret < 0) {
			lkpp_free(p);
			return fail(1, "%s: %s", path, strerror(-ret));
		}
	}
	lkpp_free(p);
	return 0;
}

static void usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-C DIR] -m MAP [-a PATCHED-MAP] (-d OUTDIR | -o FILE) [-n NAME]\n"
		"       [-S SUPERSEDED.lkpp]... [-K BUILD-ID] TARGET\n"
		"  Writes the patch for TARGET (the original binary) from the .lkp sections of\n"
		"  the objects MAP (its link map, paths relative to DIR) names, and of the\n"
		"  objects only PATCHED-MAP (the patched link's map) names. Exit status 3:\n"
		"  none of them carries patch sections. -S names an earlier patch for the\n"
		"  same build-id that this one supersedes (repeatable). -K keys the patch to\n"
		"  BUILD-ID (hex) instead of TARGET's: a binary that differs from TARGET only\n"
		"  in its stripped debug information (the caller checked it).\n", prog);
}

int main(int argc, char **argv)
{
	const char *dir = ".", *mappath = NULL, *outdir = NULL, *outfile = NULL, *name = NULL;
	const char *addedpath = NULL, **superseded = NULL, *key = NULL;
	uint64_t *superseded_ids = NULL;
	size_t nsuperseded = 0, nids = 0;
	struct target t = { 0 };
	struct linkmap m = { 0 }, added = { 0 };
	struct object *objs = NULL;
	struct build b = { 0 };
	size_t nobjs = 0, i, k;
	char path[8192], hex[2 * LKPP_BUILD_ID_MAX + 1], err[LKPP_ERR_SIZE];
	int opt, ret, nsites, nmovable;

	while ((opt = getopt(argc, argv, "hC:m:a:d:o:n:S:K:")) != -1) {
		switch (opt) {
		case 'C': dir = optarg; break;
		case 'm': mappath = optarg; break;
		case 'a': addedpath = optarg; break;
		case 'd': outdir = optarg; break;
		case 'o': outfile = optarg; break;
		case 'n': name = optarg; break;
		case 'K': key = optarg; break;
		case 'S':
			if (grow(&superseded, nsuperseded + 1, sizeof(*superseded)))
				return fail(1, "%s", strerror(ENOMEM));
			superseded[nsuperseded++] = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 1 || !mappath || !(outdir || outfile)) {
		usage(stderr);
		return 2;
	}
	t.path = argv[optind];
	elf_version(EV_CURRENT);

	/* phase 1: the target */
	if (target_open(&t))
		return 1;
	if (key && parse_build_id(&t, key))
		return 1;

	/* phase 2: the map */
	if (map_read(mappath, &m))
		return 1;

	if (addedpath && map_read(addedpath, &added))
		return 1;

	/*
	 * phase 3: the objects with patch sections: those of the original
	 * link, then those only the patched link has (from the fix's new
	 * source files). A new object has no address in the original map, so
	 * only its patch sections, all new functions, can go into the patch.
	 */
	for (i = 0; i < m.n + added.n; i++) {
		const char *file = i < m.n ? m.v[i].file : added.v[i - m.n].file;
		struct object o = { 0 };

		for (k = 0; k < nobjs; k++)
			if (!strcmp(objs[k].mapname, file))
				break;
		if (k < nobjs)
			continue;
		o.mapname = (char *)file;
		if (object_open(&o, dir) || !elf_getscn(o.elf, 0)) {
			if (o.elf)
				elf_end(o.elf);
			if (o.fd > 0)
				close(o.fd);
			/* remember it as seen, without patch sections */
			o.funcs = NULL;
			o.elf = NULL;
		} else {
			if (object_scan(&o, &m))
				return 1;
			/*
			 * Only patch objects stay open: a big link would
			 * otherwise run out of file descriptors.
			 */
			if (!o.funcs) {
				elf_end(o.elf);
				if (o.ar)
					elf_end(o.ar);
				close(o.fd);
				free(o.addr);
				free(o.path);
				o.path = NULL;
				o.elf = NULL;
				o.ar = NULL;
				o.addr = NULL;
				o.symtab = NULL;
				o.nlkp = 0;
			}
		}
		if (grow(&objs, nobjs + 1, sizeof(*objs)))
			return fail(1, "%s: %s", file, strerror(ENOMEM));
		objs[nobjs++] = o;
	}
	b.t = &t;
	b.w = lkpp_writer_new();
	if (!b.w)
		return fail(1, "out of memory");
	ret = lkpp_writer_set_target(b.w, t.build_id, t.build_id_size,
				     name ? name : basename(t.path), t.eh.e_type);
	if (ret < 0)
		return fail(1, "%s: %s", t.path, strerror(-ret));
	for (i = 0; i < nsuperseded; i++)
		if (add_superseded(b.w, &t, superseded[i], &superseded_ids, &nids))
			return 1;
	for (i = 0; i < nobjs; i++)
		if (objs[i].elf && objs[i].funcs && add_sections(&b, &objs[i]))
			return 1;
	/* new functions and global variables first: other objects' patches may use them */
	for (i = 0; i < nobjs; i++)
		if (objs[i].elf && objs[i].funcs && (read_funcs(&b, &objs[i], false) ||
						     (objs[i].vars && read_vars(&b, &objs[i]))))
			return 1;

	/* phases 4 and 5: relocations and functions */
	for (i = 0; i < nobjs; i++) {
		if (!objs[i].elf || !objs[i].funcs)
			continue;
		if (!objs[i].symtab)
			return fail(1, "%s: no symbol table", objs[i].mapname);
		if (add_relocs(&b, &objs[i]) || read_funcs(&b, &objs[i], true))
			return 1;
	}
	if (!b.nfuncs) {
		fprintf(stderr, "%s: %s: no object of it carries patch sections\n", prog, t.path);
		return 3;
	}

	/* phase 6: call sites */
	nsites = add_callsites(&b);
	if (nsites < 0)
		return 1;

	/* phase 6b: movable functions */
	nmovable = add_movable(&b);
	if (nmovable < 0)
		return 1;

	/* phase 7: write */
	lkpp_build_id_hex(t.build_id, t.build_id_size, hex);
	if (outfile)
		ret = snprintf(path, sizeof(path), "%s", outfile);
	else
		ret = snprintf(path, sizeof(path), "%s/%s.lkpp", outdir, hex);
	if (ret < 0 || (size_t)ret >= sizeof(path))
		return fail(1, "%s: output path too long", outfile ? outfile : outdir);
	ret = lkpp_writer_write_file(b.w, path, err);
	if (ret)
		return fail(1, "%s: %s (%s)", path, err, strerror(-ret));
	printf("%s: %s: %d function(s), %d call site(s), %d movable\n", path,
	       name ? name : basename(t.path), b.nfuncs, nsites, nmovable);
	lkpp_writer_free(b.w);
	return 0;
}
