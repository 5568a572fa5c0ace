// SPDX-License-Identifier: GPL-2.0
/* resolve.c: where a symbol is in a live process: versions, IFUNCs, copy relocations, static TLS. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dynsym.h"
#include "target.h"

/* The object a soname names: its DT_SONAME, else its file name. */
static struct lkp_object *by_soname(struct lkp_target *t, const char *soname)
{
	char err[LKP_ERR_SIZE];
	unsigned int i;

	for (i = 0; i < t->nr_search; i++) {
		struct lkp_object *o = t->search[i];
		const char *so;

		if (lkp_object_elf(t, o, err))
			continue;
		so = lkp_elf_soname(o->elf);
		if ((so && !strcmp(so, soname)) || !strcmp(o->name, soname))
			return o;
	}
	return NULL;
}

static int found(struct lkp_target *t, struct lkp_object *o, const char *name, const GElf_Sym *s,
		 struct lkp_addr *a, char *err)
{
	a->obj = o;
	a->addr = 0;
	a->tls_value = 0;
	switch (GELF_ST_TYPE(s->st_info)) {
	case STT_TLS:
		a->type = LKPP_STT_TLS;
		a->tls_value = s->st_value;
		return 0;
	case STT_GNU_IFUNC:
		a->type = LKPP_STT_FUNC;
		if (!lkp_target_ifunc(t, o, name, s->st_value, &a->addr))
			return 0;
		snprintf(err, LKP_ERR_SIZE, "%s: IFUNC %s is not resolved in the process yet",
			 o->name, name);
		return -ENOENT;
	case STT_FUNC:
		a->type = LKPP_STT_FUNC;
		break;
	case STT_OBJECT:
	case STT_COMMON:
		a->type = LKPP_STT_OBJECT;
		break;
	default:
		a->type = LKPP_STT_NOTYPE;
	}
	a->addr = o->base + s->st_value;
	return 0;
}

int lkp_target_resolve(struct lkp_target *t, const char *name, const char *version,
		       const char *library, bool tls, struct lkp_addr *a, char *err)
{
	struct lkp_object *first = NULL;
	unsigned int i;
	GElf_Sym s;
	int ret;

	lkp_target_linkmap(t, err);
	if (library && *library) {
		first = by_soname(t, library);
		if (first && !lkp_elf_lookup(first->elf, name, version, &s) &&
		    (GELF_ST_TYPE(s.st_info) == STT_TLS) == tls)
			return found(t, first, name, &s, a, err);
	}
	for (i = 0; i < t->nr_search; i++) {
		struct lkp_object *o = t->search[i];

		if (o == first)
			continue;
		ret = lkp_object_elf(t, o, err);
		if (ret)
			continue;
		if (!lkp_elf_lookup(o->elf, name, version, &s) &&
		    (GELF_ST_TYPE(s.st_info) == STT_TLS) == tls)
			return found(t, o, name, &s, a, err);
	}
	snprintf(err, LKP_ERR_SIZE, "%s%s%s%s%s%s: no loaded object defines it", tls ? "thread-local " : "",
		 name, version && *version ? "@" : "", version ? version : "",
		 library && *library ? " from " : "", library ? library : "");
	return -ENOENT;
}

static int read_slot(struct lkp_target *t, uint64_t at, uint64_t *val)
{
	return lkp_mem_read(t->s, at, val, sizeof(*val));
}

int lkp_target_ifunc(struct lkp_target *t, struct lkp_object *o, const char *name,
		     uint64_t resolver, uint64_t *addr)
{
	uint64_t off, val, lazy = 0;
	char err[LKP_ERR_SIZE];
	unsigned int i;

	lkp_target_linkmap(t, err);
	/* The loader applies IRELATIVE relocations at start, even with lazy binding. */
	if (!lkp_object_elf(t, o, err) &&
	    !lkp_elf_find_reloc(o->elf, R_X86_64_IRELATIVE, NULL, (int64_t)resolver, &off) &&
	    !read_slot(t, o->base + off, &val) && val) {
		*addr = val;
		return 0;
	}
	if (!name || !*name)
		return -ENOENT;
	for (i = 0; i < t->nr_search; i++) {
		struct lkp_object *u = t->search[i];
		static const uint32_t types[] = { R_X86_64_GLOB_DAT, R_X86_64_JUMP_SLOT };
		unsigned int k;

		if (lkp_object_elf(t, u, err))
			continue;
		for (k = 0; k < 2; k++) {
			if (lkp_elf_find_reloc(u->elf, types[k], name, 0, &off) ||
			    read_slot(t, u->base + off, &val) || !val)
				continue;
			/* A lazy slot still points into u's own PLT. */
			if (val >= u->lo && val < u->hi) {
				if (!lazy)
					lazy = val;
				continue;
			}
			*addr = val;
			return 0;
		}
	}
	/* Calling through u's PLT stub resolves the IFUNC as u would. */
	if (lazy) {
		*addr = lazy;
		return 0;
	}
	return -ENOENT;
}

uint64_t lkp_target_data_addr(struct lkp_target *t, struct lkp_object *o, const char *name,
			      uint64_t value)
{
	struct lkp_object *exe;
	char err[LKP_ERR_SIZE];
	uint64_t off;
	GElf_Sym s;

	lkp_target_linkmap(t, err);
	exe = t->nr_search ? t->search[0] : NULL;
	if (!name || !*name || !exe || exe == o ||
	    lkp_object_elf(t, exe, err) || lkp_object_elf(t, o, err))
		goto own;
	/* Only o's exported definition at this very address can have been copied. */
	if (lkp_elf_lookup(o->elf, name, NULL, &s) || s.st_value != value)
		goto own;
	if (!lkp_elf_find_reloc(exe->elf, R_X86_64_COPY, name, 0, &off))
		return exe->base + off;
own:
	return o->base + value;
}

int lkp_object_tpoff(struct lkp_target *t, struct lkp_object *o, int64_t *tpoff, char *err)
{
	lkp_target_linkmap(t, err);
	/* glibc: 0 is "no offset assigned yet", -1 "forced dynamic" (dlopen'ed late). */
	if (!o->has_tls || o->tls_offset == 0 || o->tls_offset == -1) {
		snprintf(err, LKP_ERR_SIZE, "%s: %s", o->name, o->has_tls ?
			 "its thread-local storage is not in the static TLS block" :
			 "has no thread-local storage");
		return -EOPNOTSUPP;
	}
	*tpoff = -o->tls_offset;
	return 0;
}
