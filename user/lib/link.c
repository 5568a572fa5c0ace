// SPDX-License-Identifier: GPL-2.0
/* link.c: links a patch for one process: section layout, symbol resolution, relocations, stubs, GOT, record. */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ehreg.h"
#include "inplace.h"
#include "link.h"

#define PAGE		4096ULL
#define STUB_SIZE	8	/* jmp *slot(%rip) (6 bytes) and 2 bytes of int3 */
#define PATH_ROOM	4096	/* record room for each of the two paths */
#define THUNK_SIZE	160	/* lkp_ifunc_thunk's 151 bytes, 16-aligned */

/*
 * The IFUNC thunk, as gas assembles it: save the argument registers (and
 * %rax, the vector count of varargs calls, and %xmm0-7), call the resolver,
 * store its answer in the lazy slot, restore, and jump through the slot.
 * The stack is 16-aligned at the call: entered by a jump from a stub the
 * caller called, %rsp is 8 mod 16, and 7 pushes plus 0x80 make it 0.
 */
static const uint8_t ifunc_thunk[] = {
	0x57, 0x56, 0x52, 0x51, 0x41, 0x50, 0x41, 0x51, 0x50,	/* push rdi..r9, rax */
	0x48, 0x81, 0xec, 0x80, 0x00, 0x00, 0x00,		/* sub $0x80, %rsp */
	0xf3, 0x0f, 0x7f, 0x04, 0x24, 0xf3, 0x0f, 0x7f, 0x4c, 0x24, 0x10,	/* movdqu xmm0-7 */
	0xf3, 0x0f, 0x7f, 0x54, 0x24, 0x20, 0xf3, 0x0f, 0x7f, 0x5c, 0x24, 0x30,
	0xf3, 0x0f, 0x7f, 0x64, 0x24, 0x40, 0xf3, 0x0f, 0x7f, 0x6c, 0x24, 0x50,
	0xf3, 0x0f, 0x7f, 0x74, 0x24, 0x60, 0xf3, 0x0f, 0x7f, 0x7c, 0x24, 0x70,
	0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,			/* movabs $resolver, %rax */
	0xff, 0xd0,						/* call *%rax */
	0x48, 0x89, 0x05, 0, 0, 0, 0,				/* mov %rax, slot(%rip) */
	0xf3, 0x0f, 0x6f, 0x04, 0x24, 0xf3, 0x0f, 0x6f, 0x4c, 0x24, 0x10,	/* movdqu back */
	0xf3, 0x0f, 0x6f, 0x54, 0x24, 0x20, 0xf3, 0x0f, 0x6f, 0x5c, 0x24, 0x30,
	0xf3, 0x0f, 0x6f, 0x64, 0x24, 0x40, 0xf3, 0x0f, 0x6f, 0x6c, 0x24, 0x50,
	0xf3, 0x0f, 0x6f, 0x74, 0x24, 0x60, 0xf3, 0x0f, 0x6f, 0x7c, 0x24, 0x70,
	0x48, 0x81, 0xc4, 0x80, 0x00, 0x00, 0x00,		/* add $0x80, %rsp */
	0x58, 0x41, 0x59, 0x41, 0x58, 0x59, 0x5a, 0x5e, 0x5f,	/* pop rax..rdi */
	0xff, 0x25, 0, 0, 0, 0,					/* jmp *slot(%rip) */
};
#define THUNK_RESOLVER	0x41	/* imm64 */
#define THUNK_STORE	0x4e	/* rel32, from 0x52 */
#define THUNK_JMP	0x93	/* rel32, from 0x97 */

static void put_rel32(uint8_t *b, unsigned int at, uint64_t from, uint64_t to)
{
	int32_t rel = (int32_t)(to - from);

	memcpy(b + at, &rel, 4);
}

static void fill_thunk(uint8_t *b, uint64_t at, uint64_t resolver, uint64_t slot)
{
	memcpy(b, ifunc_thunk, sizeof(ifunc_thunk));
	memcpy(b + THUNK_RESOLVER, &resolver, 8);
	put_rel32(b, THUNK_STORE, at + THUNK_STORE + 4, slot);
	put_rel32(b, THUNK_JMP, at + THUNK_JMP + 4, slot);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

uint64_t lkp_patch_id(const struct lkpp_patch *p)
{
	return lkpp_file_id(p->file, p->file_size);
}

static bool is_got_type(uint32_t type)
{
	return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
	       type == R_X86_64_REX_GOTPCRELX || type == R_X86_64_GOTTPOFF;
}

static unsigned int nr_old_funcs(const struct lkpp_patch *p)
{
	unsigned int i, n = 0;

	for (i = 0; i < p->nr_funcs; i++)
		n += !(p->funcs[i].flags & LKPP_FUNC_F_NEW);
	return n;
}

int lkp_link_layout(struct lkp_image *img, const struct lkpp_patch *p, struct lkp_object *obj,
		    bool unwind)
{
	uint64_t off[LKP_NR_MAPS] = { 0 }, names = 0;
	unsigned int i;

	memset(img, 0, sizeof(*img));
	img->p = p;
	img->obj = obj;
	img->patch_id = lkp_patch_id(p);
	img->sec_map = calloc(p->nr_sections + 1, sizeof(*img->sec_map));
	img->sec_off = calloc(p->nr_sections + 1, sizeof(*img->sec_off));
	img->sym_got = calloc(p->nr_symbols + 1, sizeof(*img->sym_got));
	img->sym_got2 = calloc(p->nr_symbols + 1, sizeof(*img->sym_got2));
	img->sym_stub = calloc(p->nr_symbols + 1, sizeof(*img->sym_stub));
	img->sym_lazy = calloc(p->nr_symbols + 1, sizeof(*img->sym_lazy));
	if (!img->sec_map || !img->sec_off || !img->sym_got || !img->sym_got2 || !img->sym_stub ||
	    !img->sym_lazy)
		return -ENOMEM;

	/* A target IFUNC is called through a stub and a writable slot, whatever its reach. */
	for (i = 0; i < p->nr_symbols; i++)
		if (p->symbols[i].binding == LKPP_SYM_TARGET &&
		    (p->symbols[i].flags & LKPP_SYM_F_IFUNC)) {
			img->sym_stub[i] = ++img->nr_stubs;
			img->sym_lazy[i] = ++img->nr_lazy;
		}

	/* R starts with the record; in-place functions keep two copies of their bytes there. */
	for (i = 0; i < p->nr_funcs; i++) {
		names += strlen(p->funcs[i].name) + 1;
		if (lkp_inplace_candidate(&p->funcs[i]))
			names += 2 * p->funcs[i].old_size;
	}
	img->rec_size = sizeof(struct lkp_rec_hdr) +
			nr_old_funcs(p) * sizeof(struct lkp_rec_func) +
			(uint64_t)p->nr_callsites * sizeof(struct lkp_rec_site) + 8 + names +
			nr_old_funcs(p) * sizeof(struct lkp_rec_inplace) + 8 +
			(uint64_t)p->nr_supersedes * sizeof(uint64_t) + 8 +
			2 * PATH_ROOM;
	off[LKP_MAP_R] = align_up(img->rec_size, 64);

	for (i = 0; i < p->nr_sections; i++) {
		const struct lkpp_section *s = &p->sections[i];
		unsigned int m = s->kind == LKPP_SEC_TEXT ? LKP_MAP_X :
				 s->kind == LKPP_SEC_RODATA ? LKP_MAP_R : LKP_MAP_W;

		off[m] = align_up(off[m], s->align ? s->align : 1);
		img->sec_map[i] = m;
		img->sec_off[i] = off[m];
		off[m] += s->size;
	}

	/* One GOT slot per symbol used through the GOT, a pair per TLS GD symbol, one for LD. */
	for (i = 0; i < p->nr_relocs; i++) {
		const struct lkpp_reloc *r = &p->relocs[i];

		if (is_got_type(r->type) && !img->sym_got[r->symbol]) {
			img->sym_got[r->symbol] = ++img->nr_got;
		} else if ((r->type == R_X86_64_TLSGD || r->type == R_X86_64_TLSLD) &&
			   !img->sym_got2[r->symbol]) {
			img->sym_got2[r->symbol] = img->nr_got + 1;
			img->nr_got += 2;
		} else if ((r->type == R_X86_64_PLT32 || r->type == R_X86_64_PC32) &&
			   p->symbols[r->symbol].binding == LKPP_SYM_EXTERNAL &&
			   p->symbols[r->symbol].type != LKPP_STT_OBJECT &&
			   !img->sym_stub[r->symbol]) {
			/* Libraries may be beyond rel32 reach: a stub through a GOT slot. */
			img->sym_stub[r->symbol] = ++img->nr_stubs;
			if (!img->sym_got[r->symbol])
				img->sym_got[r->symbol] = ++img->nr_got;
		}
	}
	off[LKP_MAP_R] = align_up(off[LKP_MAP_R], 8);
	img->got_off = off[LKP_MAP_R];
	off[LKP_MAP_R] += img->nr_got * 8;
	off[LKP_MAP_X] = align_up(off[LKP_MAP_X], STUB_SIZE);
	img->stub_off = off[LKP_MAP_X];
	off[LKP_MAP_X] += img->nr_stubs * STUB_SIZE;
	off[LKP_MAP_X] = align_up(off[LKP_MAP_X], 16);
	img->thunk_off = off[LKP_MAP_X];
	off[LKP_MAP_X] += img->nr_lazy * THUNK_SIZE;
	off[LKP_MAP_W] = align_up(off[LKP_MAP_W], 8);
	img->lazy_off = off[LKP_MAP_W];
	off[LKP_MAP_W] += img->nr_lazy * 8;
	for (i = 0; i < p->nr_sections && unwind; i++)
		img->nr_eh += p->sections[i].unwind;
	if (img->nr_eh) {
		off[LKP_MAP_X] = align_up(off[LKP_MAP_X], 16);
		img->eh_stub_off = off[LKP_MAP_X];
		off[LKP_MAP_X] += LKP_EH_STUB_SIZE;
		off[LKP_MAP_W] = align_up(off[LKP_MAP_W], 64);
		img->eh_off = off[LKP_MAP_W];
		off[LKP_MAP_W] += sizeof(struct lkp_eh_block) +
				  img->nr_eh * sizeof(struct lkp_eh_entry);
	}

	for (i = 0; i < LKP_NR_MAPS; i++) {
		img->len[i] = align_up(off[i], PAGE);
		if (img->len[i]) {
			img->buf[i] = calloc(1, img->len[i]);
			if (!img->buf[i])
				return -ENOMEM;
		}
	}
	/* Code padding traps rather than slides into the next function. */
	if (img->buf[LKP_MAP_X])
		memset(img->buf[LKP_MAP_X], 0xcc, img->len[LKP_MAP_X]);
	for (i = 0; i < p->nr_sections; i++)
		if (p->sections[i].data)
			memcpy(img->buf[img->sec_map[i]] + img->sec_off[i], p->sections[i].data,
			       p->sections[i].size);
	return 0;
}

void lkp_image_free(struct lkp_image *img)
{
	unsigned int i;

	for (i = 0; i < LKP_NR_MAPS; i++)
		free(img->buf[i]);
	free(img->sec_map);
	free(img->sec_off);
	free(img->sym_got);
	free(img->sym_got2);
	free(img->sym_stub);
	free(img->sym_lazy);
	free(img->sites);
	free(img->site_cur);
	for (i = 0; img->entries && i < img->p->nr_funcs; i++) {
		free(img->entries[i].cur);
		free(img->entries[i].orig);
		free(img->entries[i].new);
	}
	free(img->entries);
	memset(img, 0, sizeof(*img));
}

static uint64_t sec_addr(const struct lkp_image *img, uint32_t sec)
{
	return img->addr[img->sec_map[sec]] + img->sec_off[sec];
}

uint64_t lkp_image_func_addr(const struct lkp_image *img, unsigned int i)
{
	const struct lkpp_func *f = &img->p->funcs[i];

	return sec_addr(img, f->section) + f->new_offset;
}

static uint64_t got_addr(const struct lkp_image *img, uint32_t slot)
{
	return img->addr[LKP_MAP_R] + img->got_off + (uint64_t)(slot - 1) * 8;
}

static void got_set(struct lkp_image *img, uint32_t slot, uint64_t v)
{
	memcpy(img->buf[LKP_MAP_R] + img->got_off + (uint64_t)(slot - 1) * 8, &v, 8);
}

static uint64_t stub_addr(const struct lkp_image *img, uint32_t sym)
{
	return img->addr[LKP_MAP_X] + img->stub_off + (uint64_t)(img->sym_stub[sym] - 1) * STUB_SIZE;
}

/* A symbol as the relocations see it. */
struct rsym {
	uint64_t s;			/* address (non-TLS) */
	struct lkp_object *tls_obj;	/* TLS: the defining object and offset in its block */
	uint64_t tls_value;
	bool tls;
	bool missing_weak;
	uint64_t resolver;		/* a target IFUNC not resolved yet: its resolver */
};

static int resolve(struct lkp_image *img, struct lkp_target *t, uint32_t i, struct rsym *r,
		   char *err)
{
	const struct lkpp_symbol *sym = &img->p->symbols[i];
	struct lkp_object *o = img->obj;
	struct lkp_addr a;
	int ret;

	memset(r, 0, sizeof(*r));
	switch (sym->binding) {
	case LKPP_SYM_PATCH:
		r->s = sec_addr(img, sym->section) + sym->value;
		return 0;
	case LKPP_SYM_TARGET:
		if (sym->type == LKPP_STT_TLS) {
			r->tls = true;
			r->tls_obj = o;
			r->tls_value = sym->value;
			return 0;
		}
		if (sym->flags & LKPP_SYM_F_IFUNC) {
			/* Resolved in the process already, or resolved on the first call. */
			if (lkp_target_ifunc(t, o, sym->name, sym->value, &r->s)) {
				r->resolver = o->base + sym->value;
				r->s = stub_addr(img, i);
			}
			return 0;
		}
		if (sym->type == LKPP_STT_OBJECT || sym->type == LKPP_STT_NOTYPE)
			r->s = lkp_target_data_addr(t, o, sym->name, sym->value);
		else
			r->s = o->base + sym->value;
		return 0;
	}
	ret = lkp_target_resolve(t, sym->name, sym->version, sym->library,
				 sym->type == LKPP_STT_TLS, &a, err);
	if (ret == -ENOENT && (sym->flags & LKPP_SYM_F_WEAK)) {
		r->missing_weak = true;
		return 0;
	}
	if (ret)
		return ret;
	r->tls = a.type == LKPP_STT_TLS;
	r->tls_obj = a.obj;
	r->tls_value = a.tls_value;
	r->s = a.addr;
	return 0;
}

static int tpoff(struct lkp_target *t, const struct rsym *r, int64_t *v, char *err)
{
	int64_t off;
	int ret = lkp_object_tpoff(t, r->tls_obj, &off, err);

	if (!ret)
		*v = off + (int64_t)r->tls_value;
	return ret;
}

static bool fits_s32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

static int put(uint8_t *at, unsigned int width, int64_t v, bool sign, bool pcrel)
{
	if (width == 4) {
		if (pcrel || sign ? !fits_s32(v) : (uint64_t)v > UINT32_MAX)
			return -ERANGE;
		memcpy(at, &v, 4);	/* little endian: the low 4 bytes */
		return 0;
	}
	memcpy(at, &v, 8);
	return 0;
}

/* Apply rl to the bytes at, which will be at address P in the process. */
static int relocate_at(struct lkp_image *img, struct lkp_target *t, const struct lkpp_reloc *rl,
		       const struct rsym *r, uint8_t *at, uint64_t P, char *err)
{
	const struct lkpp_symbol *sym = &img->p->symbols[rl->symbol];
	uint64_t got = img->addr[LKP_MAP_R] + img->got_off;
	int64_t A = rl->addend, v = 0, off;
	unsigned int width = lkpp_reloc_width(rl->type);
	bool sign = false, pcrel = false;
	uint32_t slot;
	int ret;

	if (r->tls != (sym->type == LKPP_STT_TLS) && !r->missing_weak) {
		snprintf(err, LKP_ERR_SIZE, "symbol %s: thread-local in one object, not in the other",
			 sym->name);
		return -EINVAL;
	}
	switch (rl->type) {
	case R_X86_64_64:
		v = r->s + A;
		break;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		v = r->s + A - P;
		if (!fits_s32(v) && img->sym_stub[rl->symbol])
			v = stub_addr(img, rl->symbol) + A - P;
		pcrel = true;
		break;
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
		slot = img->sym_got[rl->symbol];
		got_set(img, slot, r->s);
		v = got_addr(img, slot) + A - P;
		pcrel = true;
		break;
	case R_X86_64_32:
		v = r->s + A;
		break;
	case R_X86_64_32S:
		v = r->s + A;
		sign = true;
		break;
	case R_X86_64_PC64:
		v = r->s + A - P;
		break;
	case R_X86_64_GOTOFF64:
		v = r->s + A - got;
		break;
	case R_X86_64_GOTPC32:
		v = got + A - P;
		pcrel = true;
		break;
	case R_X86_64_SIZE32:
	case R_X86_64_SIZE64:
		v = sym->size + A;
		break;
	case R_X86_64_DTPOFF64:
	case R_X86_64_DTPOFF32:
		v = r->tls_value + A;
		sign = true;
		break;
	case R_X86_64_TPOFF64:
	case R_X86_64_TPOFF32:
		ret = tpoff(t, r, &off, err);
		if (ret)
			return ret;
		v = off + A;
		sign = true;
		break;
	case R_X86_64_GOTTPOFF:
		ret = tpoff(t, r, &off, err);
		if (ret)
			return ret;
		slot = img->sym_got[rl->symbol];
		got_set(img, slot, off);
		v = got_addr(img, slot) + A - P;
		pcrel = true;
		break;
	case R_X86_64_TLSGD:
	case R_X86_64_TLSLD:
		if (!r->tls_obj->tls_modid) {
			snprintf(err, LKP_ERR_SIZE, "%s: no TLS module id", r->tls_obj->name);
			return -EOPNOTSUPP;
		}
		slot = img->sym_got2[rl->symbol];
		got_set(img, slot, r->tls_obj->tls_modid);
		got_set(img, slot + 1, rl->type == R_X86_64_TLSGD ? r->tls_value : 0);
		v = got_addr(img, slot) + A - P;
		pcrel = true;
		break;
	default:
		snprintf(err, LKP_ERR_SIZE, "relocation type %u not supported", rl->type);
		return -EOPNOTSUPP;
	}
	if (put(at, width, v, sign, pcrel)) {
		snprintf(err, LKP_ERR_SIZE,
			 "relocation %s against %s at %s+0x%" PRIx64 " out of range (0x%" PRIx64 ")",
			 lkpp_reloc_name(rl->type), *sym->name ? sym->name : "(local)",
			 img->p->sections[rl->section].name, rl->offset, (uint64_t)v);
		return -ERANGE;
	}
	return 0;
}

static int relocate(struct lkp_image *img, struct lkp_target *t, const struct lkpp_reloc *rl,
		    const struct rsym *r, char *err)
{
	uint8_t *at = img->buf[img->sec_map[rl->section]] + img->sec_off[rl->section] + rl->offset;

	return relocate_at(img, t, rl, r, at, sec_addr(img, rl->section) + rl->offset, err);
}

/*
 * The second copy of function i, linked for its old address: its bytes
 * from the patch, each of its relocations computed for that place. The
 * first copy, in X, stays (other new code may call it, stubs may reach
 * it). 0, or -errno when a relocation does not reach from there.
 */
static int link_inplace(struct lkp_image *img, struct lkp_target *t, const struct rsym *rs,
			unsigned int i, char *err)
{
	const struct lkpp_func *f = &img->p->funcs[i];
	const struct lkpp_section *sec = &img->p->sections[f->section];
	struct lkp_entry_write *e = &img->entries[i];
	uint64_t at = img->obj->base + f->old_offset, start = f->new_offset;
	uint64_t end = start + f->new_size;
	unsigned int k;
	int ret;

	memcpy(e->new, (const uint8_t *)sec->data + start, f->new_size);
	for (k = 0; k < img->p->nr_relocs; k++) {
		const struct lkpp_reloc *rl = &img->p->relocs[k];
		uint64_t rend = rl->offset + lkpp_reloc_width(rl->type);

		if (rl->section != f->section || rend <= start || rl->offset >= end)
			continue;
		/* Straddling the function's bounds: no place for it in the copy. */
		if (rl->offset < start || rend > end)
			return -ERANGE;
		ret = relocate_at(img, t, rl, &rs[rl->symbol], e->new + (rl->offset - start),
				  at + (rl->offset - start), err);
		if (ret)
			return ret;
	}
	return 0;
}

/* Back to the jump: the original bytes with the jump over them. */
static void fall_back_to_jump(struct lkp_image *img, unsigned int i)
{
	struct lkp_entry_write *e = &img->entries[i];
	uint64_t at = img->obj->base + img->p->funcs[i].old_offset;

	memcpy(e->new, e->orig, e->max_len);
	lkp_rec_jmp(at, lkp_image_func_addr(img, i), e->new);
	e->len = e->jmp_len;
	e->inplace = false;
}

static void fill_stubs(struct lkp_image *img, const struct rsym *rs)
{
	unsigned int i;

	for (i = 0; i < img->p->nr_symbols; i++) {
		uint64_t stub_off, stub, slot, lazy, thunk_off, v = rs[i].s;
		uint8_t *b;

		if (!img->sym_stub[i])
			continue;
		stub_off = img->stub_off + (uint64_t)(img->sym_stub[i] - 1) * STUB_SIZE;
		stub = img->addr[LKP_MAP_X] + stub_off;
		if (img->sym_lazy[i]) {
			lazy = img->lazy_off + (uint64_t)(img->sym_lazy[i] - 1) * 8;
			slot = img->addr[LKP_MAP_W] + lazy;
			if (rs[i].resolver) {
				thunk_off = img->thunk_off +
					    (uint64_t)(img->sym_lazy[i] - 1) * THUNK_SIZE;
				v = img->addr[LKP_MAP_X] + thunk_off;
				fill_thunk(img->buf[LKP_MAP_X] + thunk_off, v, rs[i].resolver, slot);
			}
			memcpy(img->buf[LKP_MAP_W] + lazy, &v, 8);
		} else {
			slot = got_addr(img, img->sym_got[i]);
			got_set(img, img->sym_got[i], v);
		}
		b = img->buf[LKP_MAP_X] + stub_off;
		b[0] = 0xff;			/* jmp *rel32(%rip) */
		b[1] = 0x25;
		put_rel32(b, 2, stub + 6, slot);
	}
}

static uint32_t add_str(uint8_t *rec, uint64_t *pos, uint64_t cap, const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t at = *pos;

	if (*pos + n > cap)
		return 0;
	memcpy(rec + *pos, s, n);
	*pos += n;
	return at;
}

static void fill_record(struct lkp_image *img, const char *patch_path)
{
	uint8_t *rec = img->buf[LKP_MAP_R];
	struct lkp_rec_hdr *h = (struct lkp_rec_hdr *)rec;
	const struct lkpp_patch *p = img->p;
	struct lkp_rec_inplace *ip;
	struct lkp_rec_func *f;
	uint64_t pos;
	unsigned int i, k, n = 0;

	memcpy(h->magic, LKP_REC_MAGIC, sizeof(h->magic));
	h->version = LKP_REC_VERSION;
	h->patch_id = img->patch_id;
	h->applied_at = time(NULL);
	h->base = img->obj->base;
	for (i = 0; i < LKP_NR_MAPS; i++) {
		h->maps[i][0] = img->addr[i];
		h->maps[i][1] = img->len[i];
	}
	h->build_id_size = p->build_id_size;
	memcpy(h->build_id, p->build_id, p->build_id_size);
	h->funcs_off = sizeof(*h);
	h->applier = getpid();
	if (img->nr_eh) {
		struct lkp_eh_entry *e;

		h->eh_area = img->addr[LKP_MAP_W] + img->eh_off;
		h->eh_stub = img->addr[LKP_MAP_X] + img->eh_stub_off;
		h->nr_eh = img->nr_eh;
		lkp_eh_fill_stub(img->buf[LKP_MAP_X] + img->eh_stub_off, h->eh_area);
		e = (struct lkp_eh_entry *)(img->buf[LKP_MAP_W] + img->eh_off +
					    sizeof(struct lkp_eh_block));
		for (i = 0; i < p->nr_sections; i++)
			if (p->sections[i].unwind)
				(e++)->eh_frame = img->addr[img->sec_map[i]] + img->sec_off[i];
	}
	f = (struct lkp_rec_func *)(rec + h->funcs_off);
	pos = h->funcs_off + nr_old_funcs(p) * sizeof(*f);
	for (i = 0; i < p->nr_funcs; i++) {
		const struct lkpp_func *pf = &p->funcs[i];

		if (pf->flags & LKPP_FUNC_F_NEW)
			continue;
		f[n].old_addr = img->obj->base + pf->old_offset;
		f[n].old_size = pf->old_size;
		f[n].new_addr = lkp_image_func_addr(img, i);
		f[n].name_off = add_str(rec, &pos, img->rec_size, pf->name);
		/* The original, as the process had it before any patch of ours. */
		if (img->entries && img->entries[i].orig)
			memcpy(f[n].old_bytes, img->entries[i].orig, LKP_JMP_SIZE);
		else
			memcpy(f[n].old_bytes, pf->old_bytes, LKP_JMP_SIZE);
		n++;
	}
	h->nr_funcs = n;
	/* The functions replaced in place, and both versions of their bytes. */
	pos = align_up(pos, 8);
	h->inplace_off = pos;
	for (i = 0, n = 0; img->entries && i < p->nr_funcs; i++)
		h->nr_inplace += img->entries[i].inplace;
	ip = (struct lkp_rec_inplace *)(rec + pos);
	pos += (uint64_t)h->nr_inplace * sizeof(*ip);
	for (i = 0, k = 0; img->entries && i < p->nr_funcs; i++) {
		const struct lkp_entry_write *e = &img->entries[i];

		if (p->funcs[i].flags & LKPP_FUNC_F_NEW)
			continue;
		if (e->inplace) {
			ip[n].func = k;
			ip[n].len = e->len;
			ip[n].orig_off = pos;
			memcpy(rec + pos, e->orig, e->len);
			pos += e->len;
			ip[n].new_off = pos;
			memcpy(rec + pos, e->new, e->len);
			pos += e->len;
			n++;
		}
		k++;
	}
	/* The sites apply chose (lkp_callsites_plan), at most one per site of the patch, after the names. */
	pos = align_up(pos, 8);
	h->sites_off = pos;
	h->nr_sites = img->nr_sites;
	if (img->nr_sites)	/* img->sites is NULL without sites */
		memcpy(rec + pos, img->sites, (size_t)img->nr_sites * sizeof(*img->sites));
	pos += (uint64_t)img->nr_sites * sizeof(*img->sites);
	/* The levels this one supersedes: apply will not bring one back over it. */
	h->supersedes_off = pos;
	h->nr_supersedes = p->nr_supersedes;
	for (i = 0; i < p->nr_supersedes; i++, pos += 8)
		memcpy(rec + pos, &p->supersedes[i].patch_id, 8);
	h->object_off = add_str(rec, &pos, img->rec_size, img->obj->path);
	h->patch_off = add_str(rec, &pos, img->rec_size, patch_path ? patch_path : "");
	h->size = pos;
}

int lkp_link(struct lkp_image *img, struct lkp_target *t, const char *patch_path, char *err)
{
	const struct lkpp_patch *p = img->p;
	struct rsym *rs;
	unsigned int i;
	int ret = 0;

	rs = calloc(p->nr_symbols + 1, sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	for (i = 0; i < p->nr_symbols; i++) {
		ret = resolve(img, t, i, &rs[i], err);
		if (ret)
			goto out;
	}
	for (i = 0; i < p->nr_relocs; i++) {
		ret = relocate(img, t, &p->relocs[i], &rs[p->relocs[i].symbol], err);
		if (ret)
			goto out;
	}
	/* An in-place copy that cannot be linked at the old address: the jump, as without one. */
	for (i = 0; img->entries && i < p->nr_funcs; i++)
		if (img->entries[i].inplace && link_inplace(img, t, rs, i, err))
			fall_back_to_jump(img, i);
	err[0] = 0;
	fill_stubs(img, rs);
	fill_record(img, patch_path);
out:
	free(rs);
	return ret;
}
