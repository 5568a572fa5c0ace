/* SPDX-License-Identifier: GPL-2.0 */
/* link.h: linking a patch for one process: layout of its memory, symbols, relocations, stubs, record. */
#ifndef LKP_LINK_H
#define LKP_LINK_H

#include <stdint.h>

#include "lkpp.h"
#include "record.h"
#include "target.h"

struct lkp_image {
	const struct lkpp_patch *p;
	struct lkp_object *obj;
	uint64_t patch_id;
	/* Sizes (page multiples) and, once mapped, addresses of X, R, W. */
	uint64_t len[LKP_NR_MAPS];
	uint64_t addr[LKP_NR_MAPS];
	uint8_t *buf[LKP_NR_MAPS];	/* the bytes to write, len[] each */
	/* Layout: where each patch section goes (map and offset in it). */
	unsigned int *sec_map;
	uint64_t *sec_off;
	uint64_t got_off, nr_got;	/* in R */
	uint64_t stub_off, nr_stubs;	/* in X */
	uint64_t rec_size;
	uint32_t *sym_got;		/* per symbol: GOT slot index + 1, 0 none */
	uint32_t *sym_got2;		/* per symbol: TLS GD pair slot index + 1 */
	uint32_t *sym_stub;		/* per symbol: stub index + 1 */
	/*
	 * IFUNCs of the target the process never resolved: calls go through
	 * the stub to a slot in W that first points to a thunk, which calls
	 * the resolver once and stores its answer there, as lazy binding does.
	 */
	uint32_t *sym_lazy;		/* per symbol: lazy slot (in W) and thunk index + 1 */
	uint64_t lazy_off, nr_lazy;	/* slots in W */
	uint64_t thunk_off;		/* thunks in X, after the stubs */
	/*
	 * The unwind sections' registration (ehreg.h): its stub in X, its
	 * block and one entry per unwind section in W; nr_eh 0 when none.
	 */
	uint64_t eh_stub_off, eh_off;
	uint32_t nr_eh;
	/*
	 * The call sites retargeted at the new code (lkp_callsites_plan, before
	 * lkp_link, which records them) and each one's bytes in the process
	 * now: the original, or what a replaced patch wrote there.
	 */
	struct lkp_rec_site *sites;
	uint8_t (*site_cur)[LKP_JMP_SIZE];
	unsigned int nr_sites;
	/*
	 * What each replaced function's old code gets (lkp_inplace_plan,
	 * before lkp_link): per function of the patch, NULL for none.
	 */
	struct lkp_entry_write *entries;
};

/*
 * The len bytes written at a function's old address: cur, what the process
 * holds there now, becomes new. In place, new is the function's code linked
 * for that address (lkp_link fills it) and then the original bytes; else
 * the jump to the new code and then the original bytes (which put back what
 * a replaced patch wrote past its jump). orig is the original code there
 * (for the record); all three have room for max_len bytes, the jump's
 * length, which is what lkp_link falls back to when the in-place code
 * cannot be linked there (a relocation out of reach).
 */
struct lkp_entry_write {
	uint32_t len, jmp_len, max_len;
	bool inplace;
	uint8_t *cur, *orig, *new;
};

/* The identity of a patch file: FNV-1a 64 of its bytes. */
uint64_t lkp_patch_id(const struct lkpp_patch *p);

/*
 * Lay out p's memory for obj: sizes in img->len. unwind: room for the
 * registration of p's unwind rules (ehreg.c), which only a process with
 * libgcc_s can use. 0 or -errno.
 */
int lkp_link_layout(struct lkp_image *img, const struct lkpp_patch *p, struct lkp_object *obj,
		    bool unwind);

/*
 * With img->addr[] set (the mappings made), resolve every symbol in the
 * target, apply every relocation and fill the stubs, the GOT and the
 * record (patch_path is recorded). 0 or -errno with err naming the symbol
 * or relocation at fault; nothing is written to the target.
 */
int lkp_link(struct lkp_image *img, struct lkp_target *t, const char *patch_path, char *err);

void lkp_image_free(struct lkp_image *img);

/* The run-time address of func i's new code (after lkp_link). */
uint64_t lkp_image_func_addr(const struct lkp_image *img, unsigned int i);

#endif /* LKP_LINK_H */
