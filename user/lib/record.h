/* SPDX-License-Identifier: GPL-2.0 */
/* record.h: the record lkp keeps in the target, at the start of each patch's memory, for list and undo. */
#ifndef LKP_RECORD_H
#define LKP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lkpp_format.h"
#include "session.h"

/*
 * Each applied patch owns up to three mappings lkp made in the target: X
 * (r-x: code, jump stubs), R (r--: this record, read-only data, GOT) and W
 * (rw-: data, bss). The record is at the start of R, so that `lkpctl list`
 * finds every patch by scanning the target's anonymous r-- mappings for the
 * magic, whoever applied it and whatever happened to that tool since.
 *
 * The record says what the patch meant to do; whether it is live is read
 * from the code itself: a function is patched when its first bytes are the
 * jump to its new code. A record with no such jump is stale (an apply killed
 * before its transaction, or a patch replaced and not yet unmapped).
 *
 * Version 2 adds the call sites the patch retargeted (direct calls and
 * tail calls of replaced functions rewritten to reach the new code): undo
 * must put them back before the code they reach goes, whoever runs it. A
 * version 1 tool does not recognise a version 2 record at all, rather than
 * undo it half and leave calls into unmapped memory; version 1 records
 * (no sites) are still read.
 *
 * Version 3 adds the functions replaced in place (their new code, linked
 * for the old address, written over the old code instead of a jump), with
 * the original bytes undo writes back and the bytes the patch wrote, which
 * tell whether it is live. Older records are still read; a version 2 tool
 * ignores version 3 records for the reason above.
 *
 * Version 4 adds where the patch's unwind rules are registered with the
 * process's libgcc (ehreg.c): undo must deregister them before the memory
 * goes, or the next exception thrown anywhere in the process would read
 * unmapped memory; older tools therefore ignore version 4 records.
 *
 * Version 5 adds the ids of the patches this one supersedes (its SUPERSEDES
 * table, a cumulative patch level's): apply refuses to replace a live
 * patch by one of the levels it superseded, which would bring back the
 * bug the newer level fixed.
 */
#define LKP_REC_MAGIC		"LKPREC01"
#define LKP_REC_VERSION		5
#define LKP_JMP_SIZE		5	/* jmp rel32 */
#define LKP_REC_MAX		(16u << 20)

enum { LKP_MAP_X, LKP_MAP_R, LKP_MAP_W, LKP_NR_MAPS };

struct lkp_rec_hdr {
	char magic[8];
	uint32_t version;
	uint32_t size;			/* the whole record: header, funcs, strings */
	uint64_t patch_id;		/* lkp_patch_id() of the patch file */
	uint64_t applied_at;		/* CLOCK_REALTIME seconds */
	uint64_t base;			/* the object's load base */
	uint64_t maps[LKP_NR_MAPS][2];	/* address, length; 0, 0 when absent */
	uint32_t nr_funcs;
	uint32_t build_id_size;
	uint8_t build_id[LKPP_BUILD_ID_MAX];
	uint32_t funcs_off;		/* struct lkp_rec_func[nr_funcs], from the record's start */
	uint32_t object_off;		/* string: the object's path */
	uint32_t patch_off;		/* string: the patch file as given to apply */
	uint32_t applier;		/* pid of the tool that applied it */
	/* Version 2. */
	uint32_t nr_sites;
	uint32_t sites_off;		/* struct lkp_rec_site[nr_sites], from the record's start */
	/* Version 3. */
	uint32_t nr_inplace;
	uint32_t inplace_off;		/* struct lkp_rec_inplace[nr_inplace], from the record's start */
	/* Version 4. */
	uint64_t eh_area;		/* in W: struct lkp_eh_block, then nr_eh struct lkp_eh_entry; 0 none */
	uint64_t eh_stub;		/* in X: the stub LKP_IOC_CALL runs (ehreg.c) */
	uint32_t nr_eh;
	uint32_t reserved4;
	/* Version 5. */
	uint32_t nr_supersedes;
	uint32_t supersedes_off;	/* uint64_t patch ids[nr_supersedes], from the record's start */
};

/* The version 1 header: everything up to nr_sites; version 2: up to nr_inplace. */
#define LKP_REC_HDR_V1		offsetof(struct lkp_rec_hdr, nr_sites)
#define LKP_REC_HDR_V2		offsetof(struct lkp_rec_hdr, nr_inplace)
#define LKP_REC_HDR_V3		offsetof(struct lkp_rec_hdr, eh_area)
#define LKP_REC_HDR_V4		offsetof(struct lkp_rec_hdr, nr_supersedes)

struct lkp_rec_func {
	uint64_t old_addr;		/* the old function's entry */
	uint64_t old_size;
	uint64_t new_addr;		/* where the jump goes */
	uint32_t name_off;		/* string */
	uint32_t reserved;
	uint8_t old_bytes[8];		/* the LKP_JMP_SIZE bytes the jump replaced */
};

/* A call site retargeted: a call or jmp rel32 in the object, now to the new code. */
struct lkp_rec_site {
	uint64_t addr;
	uint8_t old_bytes[8];		/* the original instruction (LKP_JMP_SIZE bytes) */
	uint8_t new_bytes[8];		/* what the patch wrote: the same opcode, to the new code */
};

/*
 * A function replaced in place: len bytes at its old_addr are its new code
 * linked for that address (and, past the code, the original bytes). At most
 * one per function, len at most its old_size.
 */
struct lkp_rec_inplace {
	uint32_t func;			/* index in the record's funcs */
	uint32_t len;
	uint32_t orig_off;		/* len bytes: the original, from the record's start */
	uint32_t new_off;		/* len bytes: what the patch wrote */
};

/* The jump written at old_addr to reach new_addr (LKP_JMP_SIZE bytes). */
void lkp_rec_jmp(uint64_t old_addr, uint64_t new_addr, uint8_t *buf);

/* An applied patch as read back from the target. */
struct lkp_applied {
	uint64_t rec_addr;
	struct lkp_rec_hdr *hdr;	/* the record's bytes (hdr->size) */
	struct lkp_rec_func *funcs;
	bool *live;			/* per function: its jump (or in-place code) is in place */
	unsigned int nr_live;
	struct lkp_rec_site *sites;	/* hdr->nr_sites (0 in a version 1 record) */
	bool *site_live;		/* per site: new_bytes are in place */
	unsigned int nr_sites_live;
	const struct lkp_rec_inplace **inplace;	/* per function: its in-place entry, or NULL */
	uint64_t eh_area, eh_stub;	/* version 4 (0 in older records): see lkp_rec_hdr */
	uint32_t nr_eh;
	const uint64_t *supersedes;	/* version 5 (none in older records) */
	uint32_t nr_supersedes;
};

/* Is a live: any of its jumps, in-place code or call sites in place. */
static inline bool lkp_applied_live(const struct lkp_applied *a)
{
	return a->nr_live > 0 || a->nr_sites_live > 0;
}

/* The bytes at off in a record read back (checked to lie within it). */
static inline const uint8_t *lkp_rec_bytes(const struct lkp_applied *a, uint32_t off)
{
	return (const uint8_t *)a->hdr + off;
}

/* The pokes taking a back needs: per live function a jump or its in-place bytes; live sites. */
unsigned int lkp_applied_pokes(const struct lkp_applied *a);

/*
 * The len bytes at addr in the process as they were before a: read now,
 * with what a's live jumps, in-place code and call sites wrote replaced by
 * the original bytes the record keeps (a may be NULL). 0 or -errno.
 */
int lkp_applied_orig(const struct lkp_session *s, const struct lkp_applied *a, uint64_t addr,
		     uint32_t len, uint8_t *buf);

/* The live site of a at addr, or NULL (a may be NULL). */
const struct lkp_rec_site *lkp_rec_site_at(const struct lkp_applied *a, uint64_t addr);

/* The string at off in a record read back ("" when out of range). */
const char *lkp_rec_str(const struct lkp_applied *a, uint32_t off);

/* Every record in the target: 0 or -errno; *out an array of *n (free with lkp_applied_free). */
int lkp_records_read(const struct lkp_session *s, struct lkp_applied **out, unsigned int *n);

/* The same, among candidate mappings already known (start, length each): no /proc/PID/maps. */
int lkp_records_read_in(const struct lkp_session *s, const uint64_t (*maps)[2], unsigned int nr,
			struct lkp_applied **out, unsigned int *n);

/* Could the mapping of this /proc/PID/maps line hold a record? (start and length out) */
bool lkp_record_candidate(const char *maps_line, uint64_t *start, uint64_t *len);
/* The same, from a line's fields already parsed (path: "" for anonymous memory). */
bool lkp_record_mapping(const char *perms, uint64_t ino, const char *path);
void lkp_applied_free(struct lkp_applied *a, unsigned int n);

/* Erase a record's magic, once its memory could not be unmapped (a forked child). */
int lkp_record_forget(const struct lkp_session *s, const struct lkp_applied *a);

#endif /* LKP_RECORD_H */
