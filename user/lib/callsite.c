// SPDX-License-Identifier: GPL-2.0
/* callsite.c: retargeting a patch's call sites at the new code, in the transaction that writes its entry jumps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "callsite.h"
#include "inplace.h"

/*
 * A patched function called directly costs a second jump: the call reaches
 * the old entry, whose jmp reaches the new code. The patch lists the direct
 * calls and tail calls (e8/e9 rel32) of each replaced function in the
 * original object (CALLSITES, docs/patch-format.md); apply rewrites their
 * rel32 to reach the new code directly, in the same transaction as the
 * entry jumps, which stay for every other way in (pointers, the PLT, other
 * objects). The kernel compares the old bytes of every poke with the target
 * frozen and fails the whole transaction on a mismatch, so a site whose
 * bytes are not what we expect is left out here, before it could.
 */

unsigned int lkp_callsites_fixed_pokes(const struct lkpp_patch *p, const struct lkp_applied *old)
{
	unsigned int i, n = 0;

	for (i = 0; i < p->nr_funcs; i++)
		n += !(p->funcs[i].flags & LKPP_FUNC_F_NEW);
	/* Putting back what old wrote: a jump, or its in-place code 64 bytes a poke. */
	for (i = 0; old && i < old->hdr->nr_funcs; i++)
		n += old->inplace[i] ? lkp_txn_pokes(old->inplace[i]->len) : 1;
	if (old)
		n += old->hdr->nr_sites;
	return n;
}

int lkp_callsites_plan(struct lkp_image *img, const struct lkp_session *s,
		       const struct lkp_applied *old, unsigned int max)
{
	const struct lkpp_patch *p = img->p;
	unsigned int i, n = 0;

	img->nr_sites = 0;
	if (!p->nr_callsites || !max)
		return 0;
	img->sites = calloc(p->nr_callsites, sizeof(*img->sites));
	img->site_cur = calloc(p->nr_callsites, sizeof(*img->site_cur));
	if (!img->sites || !img->site_cur)
		return -ENOMEM;
	for (i = 0; i < p->nr_callsites && n < max; i++) {
		const struct lkpp_callsite *cs = &p->callsites[i];
		uint64_t at = img->obj->base + cs->offset;
		int64_t rel = (int64_t)(lkp_image_func_addr(img, cs->func) - (at + LKP_JMP_SIZE));
		const struct lkp_rec_site *was = lkp_rec_site_at(old, at);
		struct lkp_rec_site *site = &img->sites[n];
		uint8_t have[LKP_JMP_SIZE];
		int32_t rel32 = (int32_t)rel;

		/* A function in place is called where it always was: its sites stay. */
		if (img->entries && img->entries[cs->func].inplace)
			continue;
		/* Only within the object's mappings, and only where the new code is in reach. */
		if (at < img->obj->lo || at > img->obj->hi - LKP_JMP_SIZE || rel != rel32)
			continue;
		site->addr = at;
		lkpp_callsite_bytes(p, cs, site->old_bytes);
		site->new_bytes[0] = site->old_bytes[0];
		memcpy(site->new_bytes + 1, &rel32, 4);	/* x86-64: little endian */
		memcpy(img->site_cur[n], was ? was->new_bytes : site->old_bytes, LKP_JMP_SIZE);
		if (lkp_mem_read(s, at, have, sizeof(have)) ||
		    memcmp(have, img->site_cur[n], sizeof(have)))
			continue;
		n++;
	}
	img->nr_sites = n;
	return 0;
}

static bool taken(const struct lkp_image *img, uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < img->nr_sites; i++)
		if (img->sites[i].addr == addr)
			return true;
	return false;
}

int lkp_callsites_txn(struct lkp_txn *t, const struct lkp_image *img,
		      const struct lkp_applied *old)
{
	unsigned int i;
	int ret;

	for (i = 0; i < img->nr_sites; i++) {
		ret = lkp_txn_poke(t, img->sites[i].addr, img->site_cur[i], img->sites[i].new_bytes);
		if (ret)
			return ret;
	}
	/*
	 * The replaced patch's code goes: its sites must not reach it. A site
	 * among the bytes img writes at an old entry (a function that is
	 * nothing but a tail call, or a call inside a function img puts in
	 * place) goes with them: those bytes cover it, written once.
	 */
	for (i = 0; old && i < old->hdr->nr_sites; i++) {
		const struct lkp_rec_site *rs = &old->sites[i];

		if (!old->site_live[i] || taken(img, rs->addr) ||
		    lkp_inplace_covers(img, rs->addr))
			continue;
		ret = lkp_txn_poke(t, rs->addr, rs->new_bytes, rs->old_bytes);
		if (ret)
			return ret;
	}
	return 0;
}

int lkp_callsites_undo(struct lkp_txn *t, const struct lkp_applied *a)
{
	unsigned int i;
	int ret;

	for (i = 0; i < a->hdr->nr_sites; i++) {
		if (!a->site_live[i])
			continue;
		ret = lkp_txn_poke(t, a->sites[i].addr, a->sites[i].new_bytes, a->sites[i].old_bytes);
		if (ret)
			return ret;
	}
	return 0;
}
