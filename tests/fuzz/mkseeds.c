// SPDX-License-Identifier: GPL-2.0
/* mkseeds.c: write seed patch files for the fuzzer, built with the writer: mkseeds DIR. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../lkpp/lkpp_util.h"

static int save(const char *dir, const char *name, struct lkpp_writer *w)
{
	char path[4096], err[LKPP_ERR_SIZE];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = lkpp_writer_write_file(w, path, err);
	if (ret)
		fprintf(stderr, "mkseeds: %s: %s (%s)\n", path, strerror(-ret), err);
	lkpp_writer_free(w);
	return ret;
}

int main(int argc, char **argv)
{
	struct lkpp_func f = { .name = "f", .old_offset = 0x1139, .old_size = 11, .new_size = 1 };
	char err[LKPP_ERR_SIZE], path[4096];
	struct lkpp_writer *w;
	size_t len;
	FILE *out;
	void *buf;

	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds DIR\n");
		return 2;
	}
	/* The reference: every table, every section kind and binding. */
	if (ref_patch(&buf, &len, err)) {
		fprintf(stderr, "mkseeds: reference patch: %s\n", err);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/reference.lkpp", argv[1]);
	out = fopen(path, "wb");
	if (!out || fwrite(buf, 1, len, out) != len || fclose(out)) {
		fprintf(stderr, "mkseeds: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* The smallest patch: one function, one byte of code, no symbols. */
	w = lkpp_writer_new();
	lkpp_writer_set_target(w, "\xab", 1, NULL, ET_EXEC);
	lkpp_writer_add_section(w, LKPP_SEC_TEXT, NULL, "\xc3", 1, 1);
	lkpp_writer_add_func(w, &f);
	if (save(argv[1], "minimal.lkpp", w))
		return 1;
	/* An empty BSS, an empty text section without DATA, a new function only. */
	w = lkpp_writer_new();
	lkpp_writer_set_target(w, "0123456789abcdef0123", 20, "a.out", ET_DYN);
	lkpp_writer_add_section(w, LKPP_SEC_TEXT, ".text.unused", "", 0, 4096);
	lkpp_writer_add_section(w, LKPP_SEC_TEXT, ".text", "\x55\x48\x89\xe5\xc3", 5, 16);
	lkpp_writer_add_section(w, LKPP_SEC_BSS, ".bss", NULL, 0, 1);
	f = (struct lkpp_func){ .name = "added", .flags = LKPP_FUNC_F_NEW, .section = 1,
				.new_offset = 1, .new_size = 4 };
	lkpp_writer_add_func(w, &f);
	if (save(argv[1], "new-only.lkpp", w))
		return 1;
	/* 1.1: a call to an IFUNC of the target, and a weak IFUNC of a library. */
	w = lkpp_writer_new();
	lkpp_writer_set_target(w, "\xcd\xef", 2, "prog", ET_DYN);
	lkpp_writer_add_section(w, LKPP_SEC_TEXT, ".text", "\xe8\0\0\0\0\xe9\0\0\0\0", 10, 16);
	f = (struct lkpp_func){ .name = "weigh", .old_offset = 0x24a0, .old_size = 35,
				.new_size = 10 };
	lkpp_writer_add_func(w, &f);
	lkpp_writer_add_symbol(w, &(struct lkpp_symbol){ .name = "sum_bytes",
		.binding = LKPP_SYM_TARGET, .type = LKPP_STT_FUNC, .flags = LKPP_SYM_F_IFUNC,
		.value = 0x2470 });
	lkpp_writer_add_symbol(w, &(struct lkpp_symbol){ .name = "strlen",
		.binding = LKPP_SYM_EXTERNAL, .type = LKPP_STT_FUNC,
		.flags = LKPP_SYM_F_IFUNC | LKPP_SYM_F_WEAK });
	lkpp_writer_add_reloc(w, &(struct lkpp_reloc){ .offset = 1, .type = R_X86_64_PLT32,
		.symbol = 0, .addend = -4 });
	lkpp_writer_add_reloc(w, &(struct lkpp_reloc){ .offset = 6, .type = R_X86_64_PLT32,
		.symbol = 1, .addend = -4 });
	return save(argv[1], "ifunc.lkpp", w) ? 1 : 0;
}
