/* SPDX-License-Identifier: GPL-2.0 */
/* dynsym.h: what apply needs of one mapped ELF file: dynamic symbols with versions, dynamic relocations. */
#ifndef LKP_DYNSYM_H
#define LKP_DYNSYM_H

#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>

struct lkp_elf;

/*
 * Read the ELF file open on fd, which it takes over (closed by
 * lkp_elf_free, or at once on failure). Needs only what a stripped
 * file keeps: the section headers of .dynsym, its versions and the dynamic
 * relocation sections. 0 or -errno (-ENOEXEC: not ELF).
 */
int lkp_elf_open(int fd, struct lkp_elf **out);
/* Drop a reference: the file is closed with the last one (lkp_elf_get takes another). */
void lkp_elf_free(struct lkp_elf *e);
struct lkp_elf *lkp_elf_get(struct lkp_elf *e);

/*
 * len bytes of the file at ELF address vaddr, through the PT_LOAD that
 * holds them: 0, or -ENOENT (in no segment's file bytes) or -EIO.
 */
int lkp_elf_read(const struct lkp_elf *e, uint64_t vaddr, void *buf, size_t len);

/* DT_SONAME, or NULL. */
const char *lkp_elf_soname(const struct lkp_elf *e);

/*
 * A symbol this object defines, by name and version: with a version, the
 * definition of that version (default or hidden); without, the default
 * version or an unversioned one. 0 with *sym filled, or -ENOENT.
 */
int lkp_elf_lookup(const struct lkp_elf *e, const char *name, const char *version, GElf_Sym *sym);

/*
 * The first dynamic relocation of this type whose symbol is named name
 * (name NULL: whose addend is addend, for IRELATIVE): 0 with *offset (its
 * ELF address), or -ENOENT.
 */
int lkp_elf_find_reloc(const struct lkp_elf *e, uint32_t type, const char *name, int64_t addend,
		       uint64_t *offset);

#endif /* LKP_DYNSYM_H */
