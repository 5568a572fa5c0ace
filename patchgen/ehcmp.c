// SPDX-License-Identifier: GPL-2.0
/* ehcmp.c: reading .eh_frame records, to tell whether a function's new code has its old code's unwind rules. */

/*
 * A function replaced in place (docs/apply.md) runs at its old address,
 * where every unwinder (libgcc, gdb, perf) finds the object's own FDE for
 * it: the rules of the old code. They are right for the new code only when
 * both say the same things at the same offsets; lkp-mkpatch lists a
 * function as MOVABLE only then. The comparison is of meaning, not bytes:
 * gas encodes an advance in as few bytes as it can and lkp-gensrc in four
 * (cfi.c), factored offsets depend on the CIE, and the patch's CIE has
 * another pointer encoding. So each side is read into a list of rules:
 * (code offset, what, register, value), the CIE's initial ones first.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ehcmp.h"

#define DW_EH_PE_omit		0xff
#define DW_EH_PE_pcrel		0x10

struct cursor {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t get_u(struct cursor *c, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if ((size_t)(c->end - c->p) < n) {
		c->bad = true;
		c->p = c->end;
		return 0;
	}
	for (i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

/* A LEB128 number; sign: sign-extended from its last byte. */
static uint64_t get_leb(struct cursor *c, bool sign)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	uint8_t b;

	do {
		if (c->p >= c->end || shift > 63) {
			c->bad = true;
			return 0;
		}
		b = *c->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (sign && shift < 64 && (b & 0x40))
		v |= ~0ULL << shift;
	return v;
}

static uint64_t get_uleb(struct cursor *c)
{
	return get_leb(c, false);
}

static int64_t get_sleb(struct cursor *c)
{
	return (int64_t)get_leb(c, true);
}

/* Bytes of a pointer in encoding enc: 0 for omit, -1 for one this reader does not know. */
static int enc_size(uint8_t enc)
{
	if (enc == DW_EH_PE_omit)
		return 0;
	switch (enc & 0x0f) {
	case 0x00: case 0x04: case 0x0c: return 8;	/* absptr, udata8, sdata8 */
	case 0x02: case 0x0a: return 2;
	case 0x03: case 0x0b: return 4;
	}
	return -1;
}

/* One record: where its body starts and ends, and its CIE id field's value. */
struct record {
	size_t off, body, end;
	uint32_t id;
};

static int record_at(const uint8_t *sec, size_t size, size_t off, struct record *r)
{
	struct cursor c = { sec + off, sec + size, false };
	uint64_t len;

	if (off >= size)
		return -ENOENT;
	len = get_u(&c, 4);
	if (c.bad)
		return -EINVAL;
	if (!len)
		return -ENOENT;		/* the terminator */
	if (len == 0xffffffff)
		return -ENOTSUP;	/* 64-bit DWARF: never written for x86-64 */
	if (len > size - off - 4 || len < 4)
		return -EINVAL;
	r->off = off;
	r->body = off + 8;
	r->end = off + 4 + len;
	r->id = (uint32_t)get_u(&c, 4);
	return 0;
}

struct cie {
	uint64_t code_align;
	int64_t data_align;
	uint64_t ra;
	uint8_t fde_enc, lsda_enc;
	bool aug_z;
	size_t insns, end;	/* its initial instructions */
};

static int read_cie(const uint8_t *sec, size_t size, size_t off, struct cie *ci)
{
	struct record r;
	struct cursor c;
	const char *aug;
	uint8_t version;
	uint64_t alen;
	const uint8_t *adata;
	int ret = record_at(sec, size, off, &r);

	if (ret)
		return ret == -ENOENT ? -EINVAL : ret;
	if (r.id != 0)
		return -EINVAL;
	c = (struct cursor){ sec + r.body, sec + r.end, false };
	version = (uint8_t)get_u(&c, 1);
	if (version != 1 && version != 3)
		return -ENOTSUP;
	aug = (const char *)c.p;
	while (c.p < c.end && *c.p)
		c.p++;
	if (c.p >= c.end)
		return -EINVAL;
	c.p++;
	memset(ci, 0, sizeof(*ci));
	ci->fde_enc = 0;		/* absptr */
	ci->lsda_enc = DW_EH_PE_omit;
	ci->code_align = get_uleb(&c);
	ci->data_align = get_sleb(&c);
	ci->ra = version == 1 ? get_u(&c, 1) : get_uleb(&c);
	if (*aug == 'z') {
		ci->aug_z = true;
		alen = get_uleb(&c);
		if (c.bad || alen > (uint64_t)(c.end - c.p))
			return -EINVAL;
		adata = c.p;
		c.p += alen;
		for (aug++; *aug; aug++) {
			struct cursor a = { adata, c.p, false };
			int n;

			switch (*aug) {
			case 'R':
				ci->fde_enc = (uint8_t)get_u(&a, 1);
				break;
			case 'L':
				ci->lsda_enc = (uint8_t)get_u(&a, 1);
				break;
			case 'P':
				n = enc_size((uint8_t)get_u(&a, 1));
				if (n < 0)
					return -ENOTSUP;
				get_u(&a, n);
				break;
			case 'S':
				break;
			default:
				return -ENOTSUP;
			}
			if (a.bad)
				return -EINVAL;
			adata = a.p;
		}
	} else if (*aug) {
		return -ENOTSUP;
	}
	if (c.bad || enc_size(ci->fde_enc) <= 0)
		return c.bad ? -EINVAL : -ENOTSUP;
	ci->insns = c.p - sec;
	ci->end = r.end;
	return 0;
}

static int add_rule(struct lkp_eh_rules *r, uint64_t loc, uint32_t what, uint64_t reg, int64_t val)
{
	struct lkp_eh_rule *v;

	if (r->n == r->cap) {
		v = realloc(r->v, (r->cap ? 2 * r->cap : 16) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = r->cap ? 2 * r->cap : 16;
	}
	v = &r->v[r->n++];
	memset(v, 0, sizeof(*v));
	v->loc = loc;
	v->what = what;
	v->reg = reg;
	v->val = val;
	return 0;
}

/* The instructions in [from, to) of sec as rules, from code offset 0: 0 or -errno. */
static int read_insns(const uint8_t *sec, size_t from, size_t to, const struct cie *ci,
		      struct lkp_eh_rules *r)
{
	struct cursor c = { sec + from, sec + to, false };
	uint64_t loc = 0, reg;
	int64_t v;
	int ret = 0;

	while (!ret && c.p < c.end) {
		uint8_t op = (uint8_t)get_u(&c, 1);

		switch (op >> 6) {
		case 1:
			loc += (op & 0x3f) * ci->code_align;
			continue;
		case 2:
			v = (int64_t)get_uleb(&c) * ci->data_align;
			ret = add_rule(r, loc, 0x05, op & 0x3f, v);
			continue;
		case 3:
			ret = add_rule(r, loc, 0x06, op & 0x3f, 0);
			continue;
		}
		switch (op) {
		case 0x00:	/* nop: the padding to the record's end */
			break;
		case 0x02: case 0x03: case 0x04:	/* advance_loc1, 2, 4 */
			loc += get_u(&c, op == 0x02 ? 1 : op == 0x03 ? 2 : 4) * ci->code_align;
			break;
		case 0x05:	/* offset_extended */
			reg = get_uleb(&c);
			ret = add_rule(r, loc, 0x05, reg, (int64_t)get_uleb(&c) * ci->data_align);
			break;
		case 0x11:	/* offset_extended_sf: the same rule */
			reg = get_uleb(&c);
			ret = add_rule(r, loc, 0x05, reg, get_sleb(&c) * ci->data_align);
			break;
		case 0x2f:	/* GNU_negative_offset_extended */
			reg = get_uleb(&c);
			ret = add_rule(r, loc, 0x05, reg, -(int64_t)get_uleb(&c) * ci->data_align);
			break;
		case 0x06: case 0x07: case 0x08: case 0x0d:	/* restore_extended, undefined, same_value, def_cfa_register */
			ret = add_rule(r, loc, op, get_uleb(&c), 0);
			break;
		case 0x09:	/* register */
			reg = get_uleb(&c);
			ret = add_rule(r, loc, op, reg, (int64_t)get_uleb(&c));
			break;
		case 0x0a: case 0x0b:	/* remember_state, restore_state */
			ret = add_rule(r, loc, op, 0, 0);
			break;
		case 0x0c:	/* def_cfa */
			reg = get_uleb(&c);
			ret = add_rule(r, loc, 0x0c, reg, (int64_t)get_uleb(&c));
			break;
		case 0x12:	/* def_cfa_sf */
			reg = get_uleb(&c);
			ret = add_rule(r, loc, 0x0c, reg, get_sleb(&c) * ci->data_align);
			break;
		case 0x0e:	/* def_cfa_offset */
			ret = add_rule(r, loc, 0x0e, 0, (int64_t)get_uleb(&c));
			break;
		case 0x13:	/* def_cfa_offset_sf */
			ret = add_rule(r, loc, 0x0e, 0, get_sleb(&c) * ci->data_align);
			break;
		case 0x14:	/* val_offset */
			reg = get_uleb(&c);
			ret = add_rule(r, loc, 0x14, reg, (int64_t)get_uleb(&c) * ci->data_align);
			break;
		case 0x15:	/* val_offset_sf */
			reg = get_uleb(&c);
			ret = add_rule(r, loc, 0x14, reg, get_sleb(&c) * ci->data_align);
			break;
		case 0x2e:	/* GNU_args_size */
			ret = add_rule(r, loc, op, 0, (int64_t)get_uleb(&c));
			break;
		default:	/* set_loc, the expressions: not compared */
			return -ENOTSUP;
		}
	}
	return c.bad ? -EINVAL : ret;
}

void lkp_eh_rules_free(struct lkp_eh_rules *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

bool lkp_eh_rules_equal(const struct lkp_eh_rules *a, const struct lkp_eh_rules *b)
{
	return a->n == b->n && a->ra == b->ra && !a->lsda && !b->lsda &&
	       (!a->n || !memcmp(a->v, b->v, a->n * sizeof(*a->v)));
}

int lkp_eh_fde_next(const uint8_t *sec, size_t size, size_t *off, size_t *pc_field)
{
	struct record r;
	int ret;

	for (;;) {
		ret = record_at(sec, size, *off, &r);
		if (ret)
			return ret;
		*off = r.end;
		if (r.id) {
			*pc_field = r.body;
			return 0;
		}
	}
}

int lkp_eh_fde_rules(const uint8_t *sec, size_t size, size_t pc_field, struct lkp_eh_rules *out)
{
	size_t id_field = pc_field - 4, insns;
	struct cursor c;
	struct record r;
	struct cie ci;
	uint64_t alen;
	int n, ret;

	memset(out, 0, sizeof(*out));
	ret = record_at(sec, size, pc_field - 8, &r);
	if (ret || !r.id || r.id > id_field)
		return ret ? ret : -EINVAL;
	ret = read_cie(sec, size, id_field - r.id, &ci);
	if (ret)
		return ret;
	n = enc_size(ci.fde_enc);
	c = (struct cursor){ sec + pc_field, sec + r.end, false };
	get_u(&c, 2 * n);		/* pc_begin, pc_range */
	if (ci.aug_z) {
		alen = get_uleb(&c);
		if (c.bad || alen > (uint64_t)(c.end - c.p))
			return -EINVAL;
		/*
		 * An LSDA field at all: in a patch object its pointer is 0
		 * until linked, so its value cannot say.
		 */
		out->lsda = ci.lsda_enc != DW_EH_PE_omit;
		c.p += alen;
	}
	if (c.bad)
		return -EINVAL;
	insns = c.p - sec;
	out->ra = ci.ra;
	ret = read_insns(sec, ci.insns, ci.end, &ci, out);
	/* The function's own rules start again at its first byte. */
	if (!ret)
		ret = read_insns(sec, insns, r.end, &ci, out);
	if (ret)
		lkp_eh_rules_free(out);
	return ret;
}

int lkp_eh_fde_find_linked(const uint8_t *sec, size_t size, uint64_t sec_addr, uint64_t pc,
			   size_t *pc_field)
{
	size_t off = 0, field;
	struct cie ci;
	struct record r;
	int ret;

	while (!(ret = lkp_eh_fde_next(sec, size, &off, &field))) {
		struct cursor c = { sec + field, sec + size, false };
		uint64_t v;
		int n;

		if (record_at(sec, size, field - 8, &r) || r.id > field - 4 ||
		    read_cie(sec, size, field - 4 - r.id, &ci))
			continue;
		n = enc_size(ci.fde_enc);
		v = get_u(&c, n);
		if (c.bad)
			return -EINVAL;
		if (n < 8 && (ci.fde_enc & 0x08))	/* signed */
			v = (uint64_t)((int64_t)(v << (64 - 8 * n)) >> (64 - 8 * n));
		if ((ci.fde_enc & 0x70) == DW_EH_PE_pcrel)
			v += sec_addr + field;
		else if (ci.fde_enc & 0x70)
			continue;	/* datarel, textrel...: not what gas writes */
		if (v == pc) {
			*pc_field = field;
			return 0;
		}
	}
	return ret;
}
