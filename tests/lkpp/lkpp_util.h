/* SPDX-License-Identifier: GPL-2.0 */
/* lkpp_util.h: a reference patch built with the writer, and byte surgery on patch files, for the tests and seeds. */
#ifndef LKPP_UTIL_H
#define LKPP_UTIL_H

#include <elf.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "lkpp.h"

/*
 * The reference patch: every section kind, a changed function with known
 * old bytes, one without, a new function, symbols of every binding and type,
 * relocations of plain and TLS types, call sites (1.2) of both kinds. The
 * writer lays its tables out as STRTAB, SECTIONS, DATA, FUNCS, SYMBOLS,
 * RELOCS, CALLSITES.
 */
static const uint8_t ref_build_id[20] = {
	0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
	0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0xff,
};

static const struct lkpp_func ref_funcs[] = {
	{ .name = "changed", .section = 0, .old_offset = 0x1000, .old_size = 32,
	  .new_offset = 0, .new_size = 32, .old_bytes_len = 5,
	  .old_bytes = { 0xf3, 0x0f, 0x1e, 0xfa, 0x55 } },
	{ .name = "_ZN2ns5otherEv", .section = 0, .old_offset = 0x1020, .old_size = 16,
	  .new_offset = 32, .new_size = 16 },
	{ .name = "helper", .flags = LKPP_FUNC_F_NEW, .section = 0, .new_offset = 48,
	  .new_size = 16 },
};

static const struct lkpp_symbol ref_symbols[] = {
	{ .name = "target_var", .binding = LKPP_SYM_TARGET, .type = LKPP_STT_OBJECT,
	  .value = 0x4010, .size = 4 },
	{ .name = ".LC0", .binding = LKPP_SYM_PATCH, .type = LKPP_STT_NOTYPE, .section = 1 },
	{ .name = "printf", .binding = LKPP_SYM_EXTERNAL, .type = LKPP_STT_FUNC,
	  .version = "GLIBC_2.2.5", .library = "libc.so.6" },
	{ .name = "tls_var", .binding = LKPP_SYM_TARGET, .type = LKPP_STT_TLS, .value = 8,
	  .size = 4 },
	{ .name = "weak_fn", .binding = LKPP_SYM_EXTERNAL, .type = LKPP_STT_FUNC,
	  .flags = LKPP_SYM_F_WEAK },
	{ .name = "stderr", .binding = LKPP_SYM_EXTERNAL, .type = LKPP_STT_OBJECT,
	  .version = "GLIBC_2.2.5", .library = "libc.so.6", .size = 8 },
};

static const struct lkpp_reloc ref_relocs[] = {
	{ .section = 0, .offset = 4, .type = R_X86_64_PC32, .symbol = 1, .addend = -4 },
	{ .section = 0, .offset = 10, .type = R_X86_64_PLT32, .symbol = 2, .addend = -4 },
	{ .section = 0, .offset = 20, .type = R_X86_64_TPOFF32, .symbol = 3 },
	{ .section = 2, .offset = 0, .type = R_X86_64_64, .symbol = 0, .addend = 16 },
	{ .section = 0, .offset = 40, .type = R_X86_64_REX_GOTPCRELX, .symbol = 5,
	  .addend = -4 },
};

/* Added out of order: the writer sorts them by offset, as the reader wants. */
static const struct lkpp_callsite ref_callsites[] = {
	{ .offset = 0x2010, .func = 1, .kind = LKPP_CALLSITE_JMP },
	{ .offset = 0x0f00, .func = 0, .kind = LKPP_CALLSITE_CALL },
	{ .offset = 0x1010, .func = 1, .kind = LKPP_CALLSITE_CALL },
};

#define REF_NR(a) (sizeof(a) / sizeof((a)[0]))

static inline void ref_text(uint8_t *text)
{
	int i;

	for (i = 0; i < 64; i++)
		text[i] = 0x90 ^ i;
}

/* The reference patch as a new file buffer; 0 or -errno. */
static inline int ref_patch(void **buf, size_t *len, char *err)
{
	static const char rodata[16] = "hello, patch\n";
	static const uint8_t data[16] = { 1, 2, 3, 4 };
	struct lkpp_writer *w = lkpp_writer_new();
	uint8_t text[64];
	unsigned int i;
	int ret = -ENOMEM;

	if (!w)
		return ret;
	ref_text(text);
	lkpp_writer_set_target(w, ref_build_id, sizeof(ref_build_id), "libdemo.so.1", ET_DYN);
	lkpp_writer_add_section(w, LKPP_SEC_TEXT, ".text", text, sizeof(text), 16);
	lkpp_writer_add_section(w, LKPP_SEC_RODATA, ".rodata", rodata, sizeof(rodata), 8);
	lkpp_writer_add_section(w, LKPP_SEC_DATA, ".data", data, sizeof(data), 8);
	lkpp_writer_add_section(w, LKPP_SEC_BSS, ".bss", NULL, 24, 32);
	for (i = 0; i < REF_NR(ref_funcs); i++)
		lkpp_writer_add_func(w, &ref_funcs[i]);
	for (i = 0; i < REF_NR(ref_symbols); i++)
		lkpp_writer_add_symbol(w, &ref_symbols[i]);
	for (i = 0; i < REF_NR(ref_relocs); i++)
		lkpp_writer_add_reloc(w, &ref_relocs[i]);
	for (i = 0; i < REF_NR(ref_callsites); i++)
		lkpp_writer_add_callsite(w, &ref_callsites[i]);
	/* 1.3: both replaced functions may go in place, listed out of order. */
	lkpp_writer_set_movable(w, 1);
	lkpp_writer_set_movable(w, 0);
	ret = lkpp_writer_finish(w, buf, len, err);
	lkpp_writer_free(w);
	return ret;
}

static inline uint64_t get_le(const uint8_t *p, int width)
{
	uint64_t v = 0;

	while (width--)
		v = v << 8 | p[width];
	return v;
}

static inline void put_le(uint8_t *p, int width, uint64_t v)
{
	int i;

	for (i = 0; i < width; i++, v >>= 8)
		p[i] = v;
}

static inline void fix_checksum(uint8_t *buf, size_t len)
{
	put_le(buf + offsetof(struct lkpp_disk_header, checksum), 4,
	       lkpp_file_checksum(buf, len));
}

#define HDR_FIELD(f) offsetof(struct lkpp_disk_header, f)
#define DIR_OFF(buf, i) \
	(get_le((buf) + HDR_FIELD(table_offset), 8) + \
	 (uint64_t)(i) * get_le((buf) + HDR_FIELD(table_entry_size), 4))

/* Offset of the first table of a kind in a well-formed file, or 0. */
static inline uint64_t table_off(const uint8_t *buf, uint32_t kind, uint32_t *entry_size,
				 uint64_t *size)
{
	uint32_t i, n = get_le(buf + HDR_FIELD(table_count), 4);

	if (entry_size)
		*entry_size = 0;
	if (size)
		*size = 0;
	for (i = 0; i < n; i++) {
		const uint8_t *d = buf + DIR_OFF(buf, i);

		if (get_le(d + offsetof(struct lkpp_disk_table, kind), 4) != kind)
			continue;
		if (entry_size)
			*entry_size = get_le(d + offsetof(struct lkpp_disk_table, entry_size), 4);
		if (size)
			*size = get_le(d + offsetof(struct lkpp_disk_table, size), 8);
		return get_le(d + offsetof(struct lkpp_disk_table, offset), 8);
	}
	return 0;
}

#endif /* LKPP_UTIL_H */
