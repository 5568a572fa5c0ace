// SPDX-License-Identifier: GPL-2.0
/* inplace.c: what each replaced function's old code gets, a jump or the new code in place, and its pokes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inplace.h"

/*
 * The jump at an old entry costs one more jump per call: under QEMU TCG,
 * where a jump to another page is a block lookup, a patched call cost 1.5
 * times the original. When the new code fits in the old function's bytes
 * and can run at any address (the patch lists it as MOVABLE: every
 * PC-relative operand stays inside it or has a relocation, and the target
 * enters the old code only at its entry), apply links a second copy of it
 * for the old address and writes that over the old code, in the same
 * transaction and under the same condition as the jump: no thread in the
 * old function or returning into it. Callers then run the new code where
 * they always called: no cost at all. The copy in X stays, for the
 * patch's own references to the function.
 *
 * A replaced patch may have written at the entry (its jump or its own
 * in-place code, or a call site when the function is only a tail call)
 * and, in place, a call site further inside: the bytes written cover all
 * of that, so that the old patch's writes go in one stroke, and the record
 * keeps the original bytes beneath them (lkp_applied_orig), so that undo
 * restores the code the object had before any patch.
 */

bool lkp_inplace_candidate(const struct lkpp_func *f)
{
	return f->movable && !(f->flags & LKPP_FUNC_F_NEW) && f->new_size <= f->old_size &&
	       f->old_size <= LKP_INPLACE_MAX;
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* How far from at the replaced patch's writes at the entry reach (0: none). */
static uint32_t old_extent(const struct lkp_applied *old, uint64_t at)
{
	unsigned int k;

	for (k = 0; old && k < old->hdr->nr_funcs; k++)
		if (old->live[k] && old->funcs[k].old_addr == at)
			return old->inplace[k] ? old->inplace[k]->len : LKP_JMP_SIZE;
	return lkp_rec_site_at(old, at) ? LKP_JMP_SIZE : 0;
}

/* len, grown to cover every live site of old that starts inside [at, at + len). */
static uint32_t cover_sites(const struct lkp_applied *old, uint64_t at, uint32_t len)
{
	unsigned int k;
	bool grown = true;

	while (grown) {
		grown = false;
		for (k = 0; old && k < old->hdr->nr_sites; k++) {
			uint64_t a = old->sites[k].addr;

			if (old->site_live[k] && a >= at && a < at + len &&
			    a + LKP_JMP_SIZE > at + len) {
				len = a + LKP_JMP_SIZE - at;
				grown = true;
			}
		}
	}
	return len;
}

static int plan_one(struct lkp_image *img, const struct lkp_session *s,
		    const struct lkp_applied *old, bool pinned, unsigned int i, unsigned int *room)
{
	const struct lkpp_func *f = &img->p->funcs[i];
	struct lkp_entry_write *e = &img->entries[i];
	uint64_t at = img->obj->base + f->old_offset;
	uint32_t ext = old_extent(old, at), len = 0, extra;
	int ret;

	e->jmp_len = cover_sites(old, at, max_u32(LKP_JMP_SIZE, ext));
	/* Test hook LKP_TEST_NO_INPLACE: the jump, to test what else serves (call sites). */
	if (lkp_inplace_candidate(f) && !pinned && !getenv("LKP_TEST_NO_INPLACE")) {
		len = cover_sites(old, at, max_u32(f->new_size, ext));
		extra = lkp_txn_pokes(len) - 1;
		if (len <= f->old_size && extra <= *room) {
			e->inplace = true;
			*room -= extra;
		}
	}
	e->len = e->inplace ? len : e->jmp_len;
	e->max_len = max_u32(len, e->jmp_len);
	e->cur = malloc(e->max_len);
	e->orig = malloc(e->max_len);
	e->new = malloc(e->max_len);
	if (!e->cur || !e->orig || !e->new)
		return -ENOMEM;
	/* Read before the freeze; the kernel compares them again with the process frozen. */
	ret = lkp_mem_read(s, at, e->cur, e->max_len);
	if (!ret)
		ret = lkp_applied_orig(s, old, at, e->max_len, e->orig);
	if (ret)
		return ret;
	memcpy(e->new, e->orig, e->max_len);
	if (!e->inplace)
		lkp_rec_jmp(at, lkp_image_func_addr(img, i), e->new);
	return 0;
}

int lkp_inplace_plan(struct lkp_image *img, const struct lkp_session *s,
		     const struct lkp_applied *old, const bool *pinned, unsigned int max,
		     unsigned int *used)
{
	const struct lkpp_patch *p = img->p;
	unsigned int i, room = max;
	int ret;

	*used = 0;
	img->entries = calloc(p->nr_funcs + 1, sizeof(*img->entries));
	if (!img->entries)
		return -ENOMEM;
	for (i = 0; i < p->nr_funcs; i++) {
		if (p->funcs[i].flags & LKPP_FUNC_F_NEW)
			continue;
		ret = plan_one(img, s, old, pinned && pinned[i], i, &room);
		if (ret)
			return ret;
	}
	*used = max - room;
	return 0;
}

bool lkp_inplace_covers(const struct lkp_image *img, uint64_t addr)
{
	const struct lkpp_patch *p = img->p;
	unsigned int i;

	for (i = 0; img->entries && i < p->nr_funcs; i++) {
		uint64_t at = img->obj->base + p->funcs[i].old_offset;

		if (img->entries[i].len && addr >= at && addr < at + img->entries[i].len)
			return true;
	}
	return false;
}

int lkp_inplace_txn(struct lkp_txn *t, const struct lkp_image *img, unsigned int i)
{
	const struct lkpp_func *f = &img->p->funcs[i];
	const struct lkp_entry_write *e = &img->entries[i];
	uint64_t at = img->obj->base + f->old_offset;
	int ret;

	ret = lkp_txn_poke_bytes(t, at, e->cur, e->new, e->len);
	if (!ret)
		ret = lkp_txn_range(t, at, at + f->old_size);
	return ret;
}

int lkp_inplace_undo(struct lkp_txn *t, const struct lkp_applied *a, unsigned int k)
{
	const struct lkp_rec_func *rf = &a->funcs[k];
	const struct lkp_rec_inplace *ip = a->inplace[k];
	uint8_t jmp[LKP_JMP_SIZE];
	int ret;

	if (!ip) {
		lkp_rec_jmp(rf->old_addr, rf->new_addr, jmp);
		return lkp_txn_poke(t, rf->old_addr, jmp, rf->old_bytes);
	}
	ret = lkp_txn_poke_bytes(t, rf->old_addr, lkp_rec_bytes(a, ip->new_off),
				 lkp_rec_bytes(a, ip->orig_off), ip->len);
	if (!ret)
		ret = lkp_txn_range(t, rf->old_addr, rf->old_addr + rf->old_size);
	return ret;
}

int lkp_inplace_opaque(struct lkp_txn *t, const struct lkp_applied *a)
{
	unsigned int k;
	int ret = 0;

	for (k = 0; k < a->hdr->nr_funcs && !ret; k++)
		if (a->live[k] && a->inplace[k])
			ret = lkp_txn_opaque_range(t, a->funcs[k].old_addr,
						   a->funcs[k].old_addr + a->funcs[k].old_size);
	return ret;
}
