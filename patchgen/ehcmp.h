/* SPDX-License-Identifier: GPL-2.0 */
/* ehcmp.h: reading .eh_frame records, to tell whether a function's new code has its old code's unwind rules. */
#ifndef LKP_PATCHGEN_EHCMP_H
#define LKP_PATCHGEN_EHCMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One rule: from code offset loc on, what (a DW_CFA_* opcode, the plain form) says of reg. */
struct lkp_eh_rule {
	uint64_t loc;
	uint32_t what;
	uint32_t zero;
	uint64_t reg;
	int64_t val;		/* a byte offset, a register, a size: unfactored */
};

/* A function's unwind rules, its CIE's initial ones first. */
struct lkp_eh_rules {
	struct lkp_eh_rule *v;
	size_t n, cap;
	uint64_t ra;		/* the return address column */
	bool lsda;		/* its CIE gives FDEs an LSDA: landing pads of its own */
};

/*
 * The next FDE of a .eh_frame section image at or after *off: *pc_field is
 * the offset of its pc_begin field, *off moves past it. 0, -ENOENT at the
 * end (or the terminator), -EINVAL, -ENOTSUP.
 */
int lkp_eh_fde_next(const uint8_t *sec, size_t size, size_t *off, size_t *pc_field);

/* The FDE of a linked .eh_frame (at address sec_addr) whose pc_begin is pc: 0 or -ENOENT. */
int lkp_eh_fde_find_linked(const uint8_t *sec, size_t size, uint64_t sec_addr, uint64_t pc,
			   size_t *pc_field);

/*
 * The rules of the FDE whose pc_begin field is at pc_field: 0, or -ENOTSUP
 * for an instruction or augmentation not compared (an expression, say),
 * -EINVAL for a malformed record, -ENOMEM.
 */
int lkp_eh_fde_rules(const uint8_t *sec, size_t size, size_t pc_field, struct lkp_eh_rules *out);

/* Same rules at the same offsets, and neither has landing pads. */
bool lkp_eh_rules_equal(const struct lkp_eh_rules *a, const struct lkp_eh_rules *b);

void lkp_eh_rules_free(struct lkp_eh_rules *r);

#endif
