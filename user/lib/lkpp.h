/* SPDX-License-Identifier: GPL-2.0 */
/* lkpp.h: reading (validated) and writing lkp patch files. */
#ifndef LKPP_H
#define LKPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lkpp_format.h"

/*
 * The decoded form of a patch, shared by the reader and the writer. Every
 * string is NUL-terminated ("" when absent); every index and range has been
 * checked against the file by the reader (see docs/patch-format.md).
 */
struct lkpp_section {
	const char *name;
	uint32_t kind;			/* enum lkpp_section_kind */
	uint32_t align;
	uint64_t size;
	const void *data;		/* size bytes; NULL for BSS */
	bool unwind;			/* 1.5: listed in UNWIND: .eh_frame of the new code (read only) */
};

struct lkpp_func {
	const char *name;
	uint32_t flags;			/* LKPP_FUNC_F_NEW */
	uint32_t section;
	uint64_t old_offset;
	uint64_t old_size;
	uint64_t new_offset;
	uint64_t new_size;
	uint32_t old_bytes_len;
	uint8_t old_bytes[LKPP_OLD_BYTES_MAX];
	bool movable;			/* 1.3: listed in MOVABLE (read only: see lkpp_writer_set_movable) */
};

struct lkpp_symbol {
	const char *name;
	uint8_t binding;		/* enum lkpp_sym_binding */
	uint8_t type;			/* enum lkpp_sym_type */
	uint16_t flags;			/* LKPP_SYM_F_WEAK, LKPP_SYM_F_IFUNC */
	uint32_t section;		/* PATCH only */
	const char *version;		/* EXTERNAL only; "" = none */
	const char *library;		/* EXTERNAL only; "" = unknown */
	uint64_t value;
	uint64_t size;
};

struct lkpp_reloc {
	uint64_t offset;
	uint32_t section;
	uint32_t type;			/* R_X86_64_* */
	uint32_t symbol;
	int64_t addend;
};

struct lkpp_callsite {
	uint64_t offset;		/* from the target's load base */
	uint32_t func;			/* a non-NEW function */
	uint32_t kind;			/* enum lkpp_callsite_kind */
};

struct lkpp_supersedes {
	uint64_t patch_id;		/* lkpp_file_id() of the superseded patch */
	const char *name;		/* its file name, informational; "" if none */
};

struct lkpp_patch {
	uint16_t version_major;
	uint16_t version_minor;
	uint16_t target_type;		/* ET_EXEC or ET_DYN */
	uint32_t arch;
	uint32_t build_id_size;
	uint8_t build_id[LKPP_BUILD_ID_MAX];
	const char *target_name;
	uint32_t nr_sections, nr_funcs, nr_symbols, nr_relocs, nr_callsites;
	struct lkpp_section *sections;
	struct lkpp_func *funcs;
	struct lkpp_symbol *symbols;
	struct lkpp_reloc *relocs;
	struct lkpp_callsite *callsites;	/* sorted by offset */
	uint32_t nr_supersedes;		/* 1.4 */
	struct lkpp_supersedes *supersedes;	/* sorted by patch_id */
	uint64_t file_size;
	void *file;			/* private: the file's bytes, strings point here */
};

/* Room for a validation message such as "func 3: old range overlaps func 1". */
#define LKPP_ERR_SIZE 256

/*
 * Decode and validate len bytes. On success *out is a new patch (free it
 * with lkpp_free) and 0 is returned; the buffer is copied and may be freed.
 * On failure, -errno and err (if not NULL) says what is wrong:
 *   -ENOEXEC     not a patch file (no magic)
 *   -EOPNOTSUPP  valid but beyond this reader (major version, arch, a
 *                required table kind, flag bits or a relocation type it
 *                does not know)
 *   -EBADMSG     corrupted: total size or checksum does not match
 *   -EFBIG       larger than LKPP_MAX_FILE_SIZE
 *   -EINVAL      any field out of range or inconsistent
 *   -ENOMEM
 */
int lkpp_parse(const void *buf, size_t len, struct lkpp_patch **out, char *err);

/* lkpp_parse on a file's contents; also -errno from open/read. */
int lkpp_load(const char *path, struct lkpp_patch **out, char *err);

void lkpp_free(struct lkpp_patch *p);

/* CRC32C (Castagnoli) of buf, as stored in the header's checksum field. */
uint32_t lkpp_crc32c(uint32_t crc, const void *buf, size_t len);

/* The checksum a file of len bytes must carry (its checksum field read as 0). */
uint32_t lkpp_file_checksum(const void *buf, size_t len);

/*
 * A patch's id: FNV-1a (64 bit) of the whole file. What apply records for a
 * live patch (`lkpctl list`) and what SUPERSEDES names.
 */
uint64_t lkpp_file_id(const void *buf, size_t len);

/*
 * Field widths of each on-disk struct, in order: 1, 2, 4 or 8 for an
 * integer, -n for n bytes kept as they are; 0 ends the list.
 */
extern const int8_t lkpp_layout_header[], lkpp_layout_table[], lkpp_layout_section[],
	lkpp_layout_func[], lkpp_layout_symbol[], lkpp_layout_reloc[], lkpp_layout_callsite[],
	lkpp_layout_movable[], lkpp_layout_supersedes[], lkpp_layout_unwind[];

/* Reverse the bytes of every integer field of s (exposed for the tests). */
void lkpp_bswap_fields(void *s, const int8_t *layout);

/* Convert s between file (little endian) and host order: the same both ways. */
static inline void lkpp_le_fields(void *s, const int8_t *layout)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	lkpp_bswap_fields(s, layout);
#endif
}

/* The 5 bytes of call site cs as the original target has them (call or jmp to its function). */
void lkpp_callsite_bytes(const struct lkpp_patch *p, const struct lkpp_callsite *cs, uint8_t *buf);

/* Byte width a relocation type patches, or 0 if the format does not allow it. */
unsigned int lkpp_reloc_width(uint32_t type);

/* A relocation type's name without "R_X86_64_" ("PC32"), or "?" if not allowed. */
const char *lkpp_reloc_name(uint32_t type);

/*
 * Lower-case hex of a build-id of size bytes (at most LKPP_BUILD_ID_MAX are
 * used) into buf (2 * LKPP_BUILD_ID_MAX + 1 bytes): the name patches go by.
 */
void lkpp_build_id_hex(const uint8_t *id, size_t size, char *buf);

/*
 * The writer: collect sections, functions, symbols and relocations, then
 * lkpp_writer_finish() lays out the file, checksums it and runs it through
 * lkpp_parse(), so a writer never emits a file the reader refuses. Strings
 * and section bytes are copied at the call. Every add returns the new
 * entry's index (>= 0, what relocations and functions refer to) or -errno;
 * errors are sticky: once an add failed, finish returns that error.
 */
struct lkpp_writer;

struct lkpp_writer *lkpp_writer_new(void);
void lkpp_writer_free(struct lkpp_writer *w);

/* build_id: 1..LKPP_BUILD_ID_MAX bytes; name informational; type ET_EXEC/ET_DYN. */
int lkpp_writer_set_target(struct lkpp_writer *w, const void *build_id, size_t build_id_size,
			   const char *name, uint16_t target_type);
/* data: size bytes (NULL allowed when size is 0), NULL for LKPP_SEC_BSS; name may be NULL. */
int lkpp_writer_add_section(struct lkpp_writer *w, uint32_t kind, const char *name,
			    const void *data, uint64_t size, uint32_t align);
int lkpp_writer_add_func(struct lkpp_writer *w, const struct lkpp_func *f);
/* version and library may be NULL. */
int lkpp_writer_add_symbol(struct lkpp_writer *w, const struct lkpp_symbol *s);
int lkpp_writer_add_reloc(struct lkpp_writer *w, const struct lkpp_reloc *r);
int lkpp_writer_add_callsite(struct lkpp_writer *w, const struct lkpp_callsite *cs);
/* 1.3: list function func (an index add_func returned, not NEW) in MOVABLE. 0 or -errno. */
int lkpp_writer_set_movable(struct lkpp_writer *w, uint32_t func);
/*
 * 1.4: this patch supersedes the one with id patch_id (lkpp_file_id() of
 * its file), name its file name (may be NULL). Listing one twice is -EINVAL.
 */
int lkpp_writer_add_supersedes(struct lkpp_writer *w, uint64_t patch_id, const char *name);
/* 1.5: list section (an index add_section returned, RODATA) in UNWIND. 0 or -errno. */
int lkpp_writer_set_unwind(struct lkpp_writer *w, uint32_t section);

/* The file in a new malloc'ed buffer (*buf, *len); err as for lkpp_parse. */
int lkpp_writer_finish(struct lkpp_writer *w, void **buf, size_t *len, char *err);
/* finish, then write path atomically (a temporary file renamed over it). */
int lkpp_writer_write_file(struct lkpp_writer *w, const char *path, char *err);

#endif /* LKPP_H */
