/* SPDX-License-Identifier: GPL-2.0 */
/* cfi.h: GCC's .cfi_* directives as DWARF call frame instructions, for the patch's .lkp.eh_frame. */
#ifndef LKP_PATCHGEN_CFI_H
#define LKP_PATCHGEN_CFI_H

#include <stdbool.h>
#include <stdio.h>

#define LKP_CFI_STACK	16

/* The CFA offset as the directives of one function leave it (for .cfi_adjust_cfa_offset). */
struct lkp_cfi {
	long cfa_offset;
	long saved[LKP_CFI_STACK];	/* .cfi_remember_state */
	int depth;
};

/* The CIE's initial state: CFA = %rsp + 8, return address at CFA - 8. */
void lkp_cfi_init(struct lkp_cfi *c);

/* Whether the statement is a CFI directive the new code's FDE needs (false: dropped). */
bool lkp_cfi_is_rule(const char *s);

/*
 * Writes the call frame instructions of one CFI directive (as ".byte",
 * ".uleb128", ".sleb128" lines) to out: 0, or -EOPNOTSUPP for a directive
 * or operand this translator does not know (nothing written).
 */
int lkp_cfi_translate(struct lkp_cfi *c, const char *s, FILE *out);

/* DW_CFA_advance_loc4 from label from to label to (both in the code's section). */
void lkp_cfi_advance(FILE *out, const char *to, const char *from);

/* The CIE every FDE of a .lkp.eh_frame refers to, at label cie. */
void lkp_cfi_write_cie(FILE *out, const char *cie);

/*
 * The operands of ".cfi_personality ENC, SYM" or ".cfi_lsda ENC, SYM":
 * 0 with *enc and sym (size bytes; empty for ENC 0xff, "omit"), or
 * -EOPNOTSUPP when the statement does not read so.
 */
int lkp_cfi_pointer(const char *s, long *enc, char *sym, size_t size);

/*
 * A CIE "zPLR" for functions with landing pads: the personality routine
 * at personality (an assembler expression, 8 bytes, absolute), read
 * through that pointer when indirect (GCC's DW.ref.* objects); LSDA and
 * FDE pointers absolute. Its FDEs carry 8 bytes of augmentation data:
 * the LSDA's address (lkp_cfi_write_fde_lsda()).
 */
void lkp_cfi_write_cie_eh(FILE *out, const char *cie, const char *personality, bool indirect);

/* The augmentation data of an FDE under lkp_cfi_write_cie_eh()'s CIE. */
void lkp_cfi_write_fde_lsda(FILE *out, const char *lsda);

#endif
