// SPDX-License-Identifier: GPL-2.0
/* linkmap.c: the dynamic loader's view of a target: its link_map chain (search order) and TLS layout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynsym.h"
#include "target.h"

/* The public head of glibc's struct link_map (<link.h>), as 64-bit words. */
struct lm_head {
	uint64_t l_addr, l_name, l_ld, l_next, l_prev;
};

#define LM_MAX	65536	/* a chain longer than this is a loop or garbage */

/* A symbol any loaded object defines: its run-time address, or 0. */
static uint64_t find_symbol(struct lkp_target *t, const char *name)
{
	char err[LKP_ERR_SIZE];
	unsigned int i;
	GElf_Sym s;

	for (i = 0; i < t->nr_objs; i++) {
		struct lkp_object *o = &t->objs[i];

		if (lkp_object_elf(t, o, err))
			continue;
		if (!lkp_elf_lookup(o->elf, name, NULL, &s))
			return o->base + s.st_value;
	}
	return 0;
}

/*
 * The offset of a private field of struct link_map: libc exports, for
 * libthread_db, a descriptor { size in bits, count, offset } per field it
 * needs, which follows glibc's layout whatever its version.
 */
static int field_offset(struct lkp_target *t, const char *desc, uint32_t *off)
{
	uint64_t at = find_symbol(t, desc);
	uint32_t d[3];

	if (!at || lkp_mem_read(t->s, at, d, sizeof(d)))
		return -ENOENT;
	if (d[0] != 64 || d[1] != 1)
		return -EOPNOTSUPP;
	*off = d[2];
	return 0;
}

static struct lkp_object *object_of_map(struct lkp_target *t, const struct lm_head *lm)
{
	unsigned int i;

	for (i = 0; i < t->nr_objs; i++) {
		struct lkp_object *o = &t->objs[i];

		if (o->dynamic && o->order < 0 && o->base == lm->l_addr &&
		    o->base + o->dynamic == lm->l_ld)
			return o;
	}
	return NULL;
}

int lkp_target_linkmap(struct lkp_target *t, char *err)
{
	uint32_t tls_off_at = 0, tls_modid_at = 0;
	uint64_t r_debug, lm_at;
	struct lkp_object *o;
	bool have_tls;
	unsigned int i, n = 0;
	int ret = 0;

	if (t->linkmap_done)
		return t->linkmap_err;
	t->linkmap_done = true;
	t->search = calloc(t->nr_objs ? t->nr_objs : 1, sizeof(*t->search));
	if (!t->search)
		return t->linkmap_err = -ENOMEM;

	r_debug = find_symbol(t, "_r_debug");
	if (!r_debug) {
		ret = -ENOENT;
		snprintf(err, LKP_ERR_SIZE, "no dynamic loader (_r_debug) in process %d", (int)t->pid);
		goto rest;
	}
	/* struct r_debug: int r_version; struct link_map *r_map; ... */
	ret = lkp_mem_read(t->s, r_debug + 8, &lm_at, sizeof(lm_at));
	if (ret) {
		snprintf(err, LKP_ERR_SIZE, "cannot read _r_debug of process %d", (int)t->pid);
		goto rest;
	}
	have_tls = !field_offset(t, "_thread_db_link_map_l_tls_offset", &tls_off_at) &&
		   !field_offset(t, "_thread_db_link_map_l_tls_modid", &tls_modid_at);
	for (i = 0; lm_at && i < LM_MAX; i++) {
		struct lm_head lm;

		ret = lkp_mem_read(t->s, lm_at, &lm, sizeof(lm));
		if (ret) {
			snprintf(err, LKP_ERR_SIZE, "cannot read the link_map of process %d",
				 (int)t->pid);
			goto rest;
		}
		o = object_of_map(t, &lm);
		if (o) {
			o->order = n;
			o->link_map = lm_at;
			t->search[n++] = o;
			if (have_tls && o->has_tls) {
				lkp_mem_read(t->s, lm_at + tls_off_at, &o->tls_offset,
					     sizeof(o->tls_offset));
				lkp_mem_read(t->s, lm_at + tls_modid_at, &o->tls_modid,
					     sizeof(o->tls_modid));
			}
		}
		lm_at = lm.l_next;
	}
rest:
	/* Objects the loader does not list (or all of them, without a loader) come last. */
	for (i = 0; i < t->nr_objs; i++)
		if (t->objs[i].order < 0)
			t->search[n++] = &t->objs[i];
	t->nr_search = n;
	return t->linkmap_err = ret;
}
