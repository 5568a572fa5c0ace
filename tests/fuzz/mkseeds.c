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
	return save(argv[1], "new-only.lkpp", w) ? 1 : 0;
}
