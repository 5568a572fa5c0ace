// SPDX-License-Identifier: GPL-2.0
/* cfi.c: GCC's .cfi_* directives as DWARF call frame instructions, for the patch's .lkp.eh_frame. */

/*
 * lkp-gensrc cannot leave .cfi_* directives in the new code: gas would add
 * its FDEs to the object's .eh_frame and change an original section. So
 * the directives are translated here into the bytes gas would have written
 * (DWARF 4 section 6.4.2, the x86-64 psABI's register numbers, which is what
 * GCC writes: ".cfi_offset 6, -16"), and lkp-gensrc writes them, with an
 * advance to a label at each directive's place, into .lkp.eh_frame.
 *
 * The CIE is the one gas writes for x86-64 but for the FDE pointer
 * encoding: DW_EH_PE_absptr, so that pc_begin is an R_X86_64_64 relocation
 * like those of .lkp.funcs, which the patch file carries as it is. A
 * function with landing pads gets a CIE of its own that names its
 * personality routine, and an FDE that points at its LSDA (the copy of its
 * part of .gcc_except_table): both absolute too, whatever encodings GCC
 * chose (pc-relative ones would need the patch's layout here).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfi.h"

#define DW_CFA_advance_loc4		0x04
#define DW_CFA_offset_extended		0x05
#define DW_CFA_undefined		0x07
#define DW_CFA_same_value		0x08
#define DW_CFA_register			0x09
#define DW_CFA_remember_state		0x0a
#define DW_CFA_restore_state		0x0b
#define DW_CFA_def_cfa			0x0c
#define DW_CFA_def_cfa_register		0x0d
#define DW_CFA_def_cfa_offset		0x0e
#define DW_CFA_offset			0x80
#define DW_CFA_restore			0xc0

#define DW_EH_PE_absptr			0x00
#define DW_EH_PE_indirect		0x80
#define DW_EH_PE_omit			0xff

#define LKP_CFI_DATA_ALIGN		(-8)
#define LKP_CFI_RA_COLUMN		16
#define LKP_CFI_MAX_REG			32	/* %rip, GPRs, %xmm0-15 */

static bool is_directive(const char *s, const char *d)
{
	size_t n = strlen(d);

	return !strncmp(s, d, n) && (s[n] == 0 || s[n] == ' ' || s[n] == '\t');
}

/* Up to max comma-separated integer operands after the directive: how many, or -1. */
static int operands(const char *s, long *v, int max)
{
	const char *p = s + strcspn(s, " \t");
	int n = 0;
	char *e;

	while (*p == ' ' || *p == '\t')
		p++;
	while (*p && n < max) {
		v[n++] = strtol(p, &e, 0);
		if (e == p)
			return -1;
		p = e;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	return *p ? -1 : n;
}

static bool reg_ok(long r)
{
	return r >= 0 && r <= LKP_CFI_MAX_REG;
}

void lkp_cfi_init(struct lkp_cfi *c)
{
	memset(c, 0, sizeof(*c));
	c->cfa_offset = 8;
}

bool lkp_cfi_is_rule(const char *s)
{
	return !strncmp(s, ".cfi_", 5) && !is_directive(s, ".cfi_startproc") &&
	       !is_directive(s, ".cfi_endproc") && !is_directive(s, ".cfi_sections") &&
	       !is_directive(s, ".cfi_personality") && !is_directive(s, ".cfi_lsda");
}

/* A saved register at CFA + off: off must be a multiple of the data alignment. */
static int write_offset(FILE *out, long reg, long off)
{
	if (!reg_ok(reg) || off % LKP_CFI_DATA_ALIGN)
		return -EOPNOTSUPP;
	if (reg < 64)
		fprintf(out, "\t.byte 0x%x\n", DW_CFA_offset | (unsigned int)reg);
	else
		fprintf(out, "\t.byte 0x%x\n\t.uleb128 %ld\n", DW_CFA_offset_extended, reg);
	fprintf(out, "\t.uleb128 %ld\n", off / LKP_CFI_DATA_ALIGN);
	return 0;
}

int lkp_cfi_translate(struct lkp_cfi *c, const char *s, FILE *out)
{
	long v[16];
	int n = operands(s, v, 16), i;

	if (n < 0)
		return -EOPNOTSUPP;
	if (is_directive(s, ".cfi_def_cfa_offset") && n == 1) {
		c->cfa_offset = v[0];
		fprintf(out, "\t.byte 0x%x\n\t.uleb128 %ld\n", DW_CFA_def_cfa_offset, v[0]);
	} else if (is_directive(s, ".cfi_adjust_cfa_offset") && n == 1) {
		c->cfa_offset += v[0];
		fprintf(out, "\t.byte 0x%x\n\t.uleb128 %ld\n", DW_CFA_def_cfa_offset, c->cfa_offset);
	} else if (is_directive(s, ".cfi_def_cfa") && n == 2 && reg_ok(v[0])) {
		c->cfa_offset = v[1];
		fprintf(out, "\t.byte 0x%x\n\t.uleb128 %ld\n\t.uleb128 %ld\n", DW_CFA_def_cfa,
			v[0], v[1]);
	} else if (is_directive(s, ".cfi_def_cfa_register") && n == 1 && reg_ok(v[0])) {
		fprintf(out, "\t.byte 0x%x\n\t.uleb128 %ld\n", DW_CFA_def_cfa_register, v[0]);
	} else if (is_directive(s, ".cfi_offset") && n == 2) {
		return write_offset(out, v[0], v[1]);
	} else if (is_directive(s, ".cfi_restore") && n == 1 && reg_ok(v[0])) {
		fprintf(out, "\t.byte 0x%x\n", DW_CFA_restore | (unsigned int)v[0]);
	} else if (is_directive(s, ".cfi_undefined") && n == 1 && reg_ok(v[0])) {
		fprintf(out, "\t.byte 0x%x\n\t.uleb128 %ld\n", DW_CFA_undefined, v[0]);
	} else if (is_directive(s, ".cfi_same_value") && n == 1 && reg_ok(v[0])) {
		fprintf(out, "\t.byte 0x%x\n\t.uleb128 %ld\n", DW_CFA_same_value, v[0]);
	} else if (is_directive(s, ".cfi_register") && n == 2 && reg_ok(v[0]) && reg_ok(v[1])) {
		fprintf(out, "\t.byte 0x%x\n\t.uleb128 %ld\n\t.uleb128 %ld\n", DW_CFA_register,
			v[0], v[1]);
	} else if (is_directive(s, ".cfi_remember_state") && n == 0) {
		if (c->depth == LKP_CFI_STACK)
			return -EOPNOTSUPP;
		c->saved[c->depth++] = c->cfa_offset;
		fprintf(out, "\t.byte 0x%x\n", DW_CFA_remember_state);
	} else if (is_directive(s, ".cfi_restore_state") && n == 0) {
		if (!c->depth)
			return -EOPNOTSUPP;
		c->cfa_offset = c->saved[--c->depth];
		fprintf(out, "\t.byte 0x%x\n", DW_CFA_restore_state);
	} else if (is_directive(s, ".cfi_escape") && n > 0) {
		/* raw call frame instructions (GCC's DW_CFA_def_cfa_expression for realigned stacks) */
		for (i = 0; i < n; i++)
			if (v[i] < 0 || v[i] > 0xff)
				return -EOPNOTSUPP;
		for (i = 0; i < n; i++)
			fprintf(out, "\t.byte 0x%lx\n", v[i]);
	} else {
		return -EOPNOTSUPP;
	}
	return 0;
}

void lkp_cfi_advance(FILE *out, const char *to, const char *from)
{
	fprintf(out, "\t.byte 0x%x\n\t.long %s - %s\n", DW_CFA_advance_loc4, to, from);
}

/* The common part of both CIEs after the augmentation data. */
static void write_cie_rules(FILE *out, const char *cie)
{
	fprintf(out, "\t.byte 0x%x\n\t.uleb128 7\n\t.uleb128 8\n", DW_CFA_def_cfa);
	fprintf(out, "\t.byte 0x%x\n\t.uleb128 1\n", DW_CFA_offset | LKP_CFI_RA_COLUMN);
	fprintf(out, "\t.balign 8, 0\n%s.e:\n", cie);
}

void lkp_cfi_write_cie(FILE *out, const char *cie)
{
	fprintf(out, "%s:\n\t.long %s.e - %s.s\n%s.s:\n", cie, cie, cie, cie);
	fprintf(out, "\t.long 0\n\t.byte 1\n\t.string \"zR\"\n");
	fprintf(out, "\t.uleb128 1\n\t.sleb128 %d\n\t.uleb128 %d\n", LKP_CFI_DATA_ALIGN,
		LKP_CFI_RA_COLUMN);
	fprintf(out, "\t.uleb128 1\n\t.byte 0\n");	/* augmentation data: absptr FDE pointers */
	write_cie_rules(out, cie);
}

int lkp_cfi_pointer(const char *s, long *enc, char *sym, size_t size)
{
	const char *p = s + strcspn(s, " \t"), *e;
	size_t n;
	char *end;

	*enc = strtol(p, &end, 0);
	if (end == p || *enc < 0 || *enc > 0xff)
		return -EOPNOTSUPP;
	p = end + strspn(end, " \t");
	if (*enc == DW_EH_PE_omit) {
		*sym = 0;
		return *p ? -EOPNOTSUPP : 0;
	}
	if (*p++ != ',')
		return -EOPNOTSUPP;
	p += strspn(p, " \t");
	e = p + strcspn(p, " \t");
	n = e - p;
	if (!n || n >= size || e[strspn(e, " \t")])
		return -EOPNOTSUPP;
	memcpy(sym, p, n);
	sym[n] = 0;
	return 0;
}

void lkp_cfi_write_cie_eh(FILE *out, const char *cie, const char *personality, bool indirect)
{
	fprintf(out, "%s:\n\t.long %s.e - %s.s\n%s.s:\n", cie, cie, cie, cie);
	fprintf(out, "\t.long 0\n\t.byte 1\n\t.string \"zPLR\"\n");
	fprintf(out, "\t.uleb128 1\n\t.sleb128 %d\n\t.uleb128 %d\n", LKP_CFI_DATA_ALIGN,
		LKP_CFI_RA_COLUMN);
	/* augmentation data: P (encoding, pointer), L (encoding), R (encoding) */
	fprintf(out, "\t.uleb128 11\n\t.byte 0x%x\n\t.quad %s\n",
		indirect ? DW_EH_PE_indirect | DW_EH_PE_absptr : DW_EH_PE_absptr, personality);
	fprintf(out, "\t.byte 0x%x\n\t.byte 0x%x\n", DW_EH_PE_absptr, DW_EH_PE_absptr);
	write_cie_rules(out, cie);
}

void lkp_cfi_write_fde_lsda(FILE *out, const char *lsda)
{
	fprintf(out, "\t.uleb128 8\n\t.quad %s\n", lsda);
}
