/* SPDX-License-Identifier: GPL-2.0 */
/* lkpp_format.h: the on-disk layout of an lkp patch file (.lkpp); see docs/patch-format.md. */
#ifndef LKPP_FORMAT_H
#define LKPP_FORMAT_H

#include <stdint.h>

/*
 * Every multi-byte field is little endian. The structs below give the layout
 * of version 1.0, which 1.1 keeps (it only defines a flag bit) and 1.2 too
 * (it adds a table kind, CALLSITES, that a 1.0 reader skips) and 1.3 (MOVABLE,
 * skipped the same way), 1.4 (SUPERSEDES) and 1.5 (UNWIND), the same; readers
 * copy them out of the file with memcpy and convert each field, so neither
 * the file's alignment nor the host's byte order matters. A newer minor
 * version may append fields to the header and to any table entry
 * (header_size and entry_size grow); it never moves a field.
 */

/* PNG-style: a high byte and CR LF catch 7-bit and text-mode transfers. */
#define LKPP_MAGIC		"\x89LKPP\r\n\x1a"
#define LKPP_MAGIC_SIZE		8
#define LKPP_VERSION_MAJOR	1	/* readers reject any other major */
#define LKPP_VERSION_MINOR	5	/* readers accept any minor; 1.1: LKPP_SYM_F_IFUNC, 1.2: CALLSITES, 1.3: MOVABLE, 1.4: SUPERSEDES, 1.5: UNWIND */

#define LKPP_BUILD_ID_MAX	64
#define LKPP_OLD_BYTES_MAX	16
#define LKPP_ALIGN_MAX		4096	/* a section's alignment, at most a page */
#define LKPP_MAX_FILE_SIZE	(1ULL << 30)
#define LKPP_MAX_MEM_SIZE	(1ULL << 30)	/* sum of aligned section sizes */
#define LKPP_MAX_TABLES		64

#define LKPP_ARCH_X86_64	62	/* EM_X86_64 */

struct lkpp_disk_header {
	uint8_t magic[8];		/* LKPP_MAGIC */
	uint16_t version_major;
	uint16_t version_minor;
	uint32_t header_size;		/* >= sizeof(struct lkpp_disk_header) */
	uint64_t total_size;		/* the file's exact size */
	uint32_t checksum;		/* CRC32C of the file, this field as 0 */
	uint32_t flags;			/* none defined: must be 0 */
	uint64_t table_offset;		/* the table directory */
	uint32_t table_count;
	uint32_t table_entry_size;	/* >= sizeof(struct lkpp_disk_table) */
	uint32_t target_name;		/* string: the target's file name, informational */
	uint16_t target_type;		/* ET_EXEC (2) or ET_DYN (3) */
	uint8_t build_id_size;		/* 1..LKPP_BUILD_ID_MAX */
	uint8_t reserved0;		/* 0 */
	uint8_t build_id[LKPP_BUILD_ID_MAX];	/* GNU build-id, zero padded */
	uint32_t arch;			/* ELF e_machine: LKPP_ARCH_X86_64 */
	uint32_t reserved1;		/* 0 */
};

/* Table kinds. A reader skips a kind it does not know unless it is REQUIRED. */
enum lkpp_table_kind {
	LKPP_TABLE_STRTAB = 1,		/* bytes: NUL-terminated strings */
	LKPP_TABLE_SECTIONS = 2,	/* struct lkpp_disk_section[] */
	LKPP_TABLE_DATA = 3,		/* bytes: the contents of the sections */
	LKPP_TABLE_FUNCS = 4,		/* struct lkpp_disk_func[] */
	LKPP_TABLE_SYMBOLS = 5,		/* struct lkpp_disk_symbol[] */
	LKPP_TABLE_RELOCS = 6,		/* struct lkpp_disk_reloc[] */
	LKPP_TABLE_CALLSITES = 7,	/* struct lkpp_disk_callsite[] (1.2, optional) */
	LKPP_TABLE_MOVABLE = 8,		/* struct lkpp_disk_movable[] (1.3, optional) */
	LKPP_TABLE_SUPERSEDES = 9,	/* struct lkpp_disk_supersedes[] (1.4, optional) */
	LKPP_TABLE_UNWIND = 10,		/* struct lkpp_disk_unwind[] (1.5, optional) */
};

#define LKPP_TABLE_F_REQUIRED	0x1u	/* unknown kind with this flag: reject the file */
#define LKPP_TABLE_F_ALL	LKPP_TABLE_F_REQUIRED

struct lkpp_disk_table {
	uint32_t kind;			/* enum lkpp_table_kind */
	uint32_t flags;			/* LKPP_TABLE_F_* */
	uint64_t offset;		/* from the start of the file, 8-aligned */
	uint64_t size;			/* bytes */
	uint32_t entry_size;		/* arrays: one entry's size; byte tables: 0 */
	uint32_t count;			/* arrays: entries (size == count * entry_size) */
};

enum lkpp_section_kind {
	LKPP_SEC_TEXT = 1,		/* r-x */
	LKPP_SEC_RODATA = 2,		/* r-- after relocation */
	LKPP_SEC_DATA = 3,		/* rw- */
	LKPP_SEC_BSS = 4,		/* rw-, zero filled, no bytes in the file */
};

struct lkpp_disk_section {
	uint32_t name;			/* string, informational (".text") */
	uint32_t kind;			/* enum lkpp_section_kind */
	uint32_t align;			/* power of two, 1..LKPP_ALIGN_MAX */
	uint32_t flags;			/* none defined: must be 0 */
	uint64_t data_offset;		/* in the DATA table; 0 for BSS */
	uint64_t size;			/* bytes in memory (and in DATA unless BSS) */
};

#define LKPP_FUNC_F_NEW		0x1u	/* no old version: nothing is redirected */
#define LKPP_FUNC_F_ALL		LKPP_FUNC_F_NEW
#define LKPP_JMP_SIZE		5	/* jmp rel32: the least old_size */

struct lkpp_disk_func {
	uint32_t name;			/* string, non-empty */
	uint32_t flags;			/* LKPP_FUNC_F_* */
	uint32_t section;		/* index of the TEXT section with the new code */
	uint32_t old_bytes_len;		/* 0..LKPP_OLD_BYTES_MAX; 0 if NEW */
	uint64_t old_offset;		/* from the target's load base; 0 if NEW */
	uint64_t old_size;		/* >= LKPP_JMP_SIZE; 0 if NEW */
	uint64_t new_offset;		/* in the section */
	uint64_t new_size;		/* > 0 */
	uint8_t old_bytes[LKPP_OLD_BYTES_MAX];	/* first bytes of the old code */
};

enum lkpp_sym_binding {
	LKPP_SYM_TARGET = 1,		/* value: offset from the target's load base */
	LKPP_SYM_PATCH = 2,		/* value: offset in section */
	LKPP_SYM_EXTERNAL = 3,		/* resolved at apply time by name@version */
};

enum lkpp_sym_type {
	LKPP_STT_NOTYPE = 0,
	LKPP_STT_FUNC = 1,
	LKPP_STT_OBJECT = 2,
	LKPP_STT_TLS = 3,		/* TARGET: value is the offset in its TLS block */
};

#define LKPP_SYM_F_WEAK		0x1u	/* EXTERNAL may stay unresolved (value 0) */
/*
 * 1.1, TARGET or EXTERNAL FUNC only: what the symbol resolves to is an IFUNC
 * resolver (STT_GNU_IFUNC); the function is what the resolver returns. The
 * target may be stripped at apply time, so only the patch can say this of a
 * TARGET offset; a 1.0 reader refuses the bit rather than call the resolver.
 */
#define LKPP_SYM_F_IFUNC	0x2u
#define LKPP_SYM_F_ALL		(LKPP_SYM_F_WEAK | LKPP_SYM_F_IFUNC)

struct lkpp_disk_symbol {
	uint32_t name;			/* string; non-empty for EXTERNAL */
	uint8_t binding;		/* enum lkpp_sym_binding */
	uint8_t type;			/* enum lkpp_sym_type */
	uint16_t flags;			/* LKPP_SYM_F_* */
	uint32_t section;		/* PATCH: section index; else 0 */
	uint32_t version;		/* EXTERNAL: string ("GLIBC_2.2.5"), 0 = none */
	uint32_t library;		/* EXTERNAL: string ("libc.so.6"), 0 = unknown */
	uint32_t reserved;		/* 0 */
	uint64_t value;
	uint64_t size;			/* informational */
};

struct lkpp_disk_reloc {
	uint64_t offset;		/* in section */
	uint32_t section;		/* index of the section patched (not BSS) */
	uint32_t type;			/* R_X86_64_*, ELF numbering */
	uint32_t symbol;		/* index in SYMBOLS */
	uint32_t reserved;		/* 0 */
	int64_t addend;
};

/*
 * 1.2: a direct call or tail call in the original target whose destination
 * is the entry of a function the patch replaces. Apply may rewrite its rel32
 * to reach the new code directly, saving the detour through the jump at the
 * old entry; the jump stays, so a reader that skips this table (it is not
 * REQUIRED) still applies a correct patch.
 */
enum lkpp_callsite_kind {
	LKPP_CALLSITE_CALL = 1,		/* e8 rel32: call */
	LKPP_CALLSITE_JMP = 2,		/* e9 rel32: jmp (a tail call) */
};

struct lkpp_disk_callsite {
	uint64_t offset;		/* the instruction, from the target's load base */
	uint32_t func;			/* index in FUNCS of the non-NEW function it reaches */
	uint32_t kind;			/* enum lkpp_callsite_kind */
};

/*
 * 1.3: a replaced function whose new code may be linked at its old address
 * and written over its old code (in-place replacement): every PC-relative
 * operand of the new code either stays inside the function or carries a
 * relocation, and the original target enters the old function only at its
 * entry. Apply may then do so when the new code fits in the old bytes;
 * a reader that skips this table (not REQUIRED) writes the jump instead.
 */
struct lkpp_disk_movable {
	uint32_t func;			/* index in FUNCS of a non-NEW function */
	uint32_t reserved;		/* must be 0 */
};

/*
 * 1.4: a patch this one supersedes (a cumulative patch level: its fix is in
 * this one too), for the same build-id, named by its patch id (the id
 * `lkpctl list` shows for a live patch). Apply replaces any live patch of
 * the object anyway; the table says which level this one follows, so a
 * reader that skips it (it is not REQUIRED) applies the same patch.
 */
struct lkpp_disk_supersedes {
	uint64_t patch_id;		/* lkpp_file_id() of the superseded file */
	uint32_t name;			/* string: its file name, informational */
	uint32_t reserved;		/* must be 0 */
};

/*
 * Unwind information (1.5): a RODATA section holding the new code's CIEs and
 * FDEs in the layout of .eh_frame, ended by a zero length, each FDE's
 * pc_begin absolute (DW_EH_PE_absptr, an R_X86_64_64 relocation). A reader
 * that skips this table (not REQUIRED) maps the section as any read-only
 * data: the patched code then runs as before, only unwinders do not see it.
 */
struct lkpp_disk_unwind {
	uint32_t section;		/* index in SECTIONS of a RODATA section */
	uint32_t reserved;		/* must be 0 */
};

_Static_assert(sizeof(struct lkpp_disk_header) == 128, "lkpp header layout");
_Static_assert(sizeof(struct lkpp_disk_table) == 32, "lkpp table layout");
_Static_assert(sizeof(struct lkpp_disk_section) == 32, "lkpp section layout");
_Static_assert(sizeof(struct lkpp_disk_func) == 64, "lkpp func layout");
_Static_assert(sizeof(struct lkpp_disk_symbol) == 40, "lkpp symbol layout");
_Static_assert(sizeof(struct lkpp_disk_reloc) == 32, "lkpp reloc layout");
_Static_assert(sizeof(struct lkpp_disk_callsite) == 16, "lkpp callsite layout");
_Static_assert(sizeof(struct lkpp_disk_movable) == 8, "lkpp movable layout");
_Static_assert(sizeof(struct lkpp_disk_supersedes) == 16, "lkpp supersedes layout");
_Static_assert(sizeof(struct lkpp_disk_unwind) == 8, "lkpp unwind layout");

#endif /* LKPP_FORMAT_H */
