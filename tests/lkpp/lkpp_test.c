// SPDX-License-Identifier: GPL-2.0
/* lkpp_test.c: the patch file reader and writer: round trips, forward compatibility, and one crafted bad file per validation rule. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "lkpp_util.h"

TEST(round_trip)
{
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	uint8_t text[64];
	unsigned int i;
	size_t len;
	void *buf;

	ASSERT_EQ(0, ref_patch(&buf, &len, err)) TH_LOG("%s", err);
	ASSERT_EQ(0, lkpp_parse(buf, len, &p, err)) TH_LOG("%s", err);
	EXPECT_EQ(LKPP_VERSION_MAJOR, p->version_major);
	EXPECT_EQ(LKPP_VERSION_MINOR, p->version_minor);
	EXPECT_EQ(len, p->file_size);
	EXPECT_EQ(ET_DYN, p->target_type);
	EXPECT_STREQ("libdemo.so.1", p->target_name);
	ASSERT_EQ(sizeof(ref_build_id), p->build_id_size);
	EXPECT_EQ(0, memcmp(ref_build_id, p->build_id, sizeof(ref_build_id)));

	ASSERT_EQ(4, p->nr_sections);
	EXPECT_STREQ(".text", p->sections[0].name);
	EXPECT_EQ(LKPP_SEC_TEXT, p->sections[0].kind);
	EXPECT_EQ(16, p->sections[0].align);
	ASSERT_EQ(64, p->sections[0].size);
	ref_text(text);
	EXPECT_EQ(0, memcmp(text, p->sections[0].data, 64));
	EXPECT_EQ(LKPP_SEC_RODATA, p->sections[1].kind);
	EXPECT_STREQ("hello, patch\n", p->sections[1].data);
	EXPECT_EQ(LKPP_SEC_DATA, p->sections[2].kind);
	EXPECT_EQ(3, ((const uint8_t *)p->sections[2].data)[2]);
	EXPECT_EQ(LKPP_SEC_BSS, p->sections[3].kind);
	EXPECT_EQ(24, p->sections[3].size);
	EXPECT_EQ(32, p->sections[3].align);
	EXPECT_EQ(NULL, p->sections[3].data);

	ASSERT_EQ(REF_NR(ref_funcs), p->nr_funcs);
	for (i = 0; i < p->nr_funcs; i++) {
		const struct lkpp_func *a = &ref_funcs[i], *b = &p->funcs[i];

		EXPECT_STREQ(a->name, b->name);
		EXPECT_EQ(a->flags, b->flags);
		EXPECT_EQ(a->section, b->section);
		EXPECT_EQ(a->old_offset, b->old_offset);
		EXPECT_EQ(a->old_size, b->old_size);
		EXPECT_EQ(a->new_offset, b->new_offset);
		EXPECT_EQ(a->new_size, b->new_size);
		EXPECT_EQ(a->old_bytes_len, b->old_bytes_len);
		EXPECT_EQ(0, memcmp(a->old_bytes, b->old_bytes, LKPP_OLD_BYTES_MAX));
		/* MOVABLE lists the two replaced functions, not the new one. */
		EXPECT_EQ(!(a->flags & LKPP_FUNC_F_NEW), b->movable);
	}
	ASSERT_EQ(REF_NR(ref_symbols), p->nr_symbols);
	for (i = 0; i < p->nr_symbols; i++) {
		const struct lkpp_symbol *a = &ref_symbols[i], *b = &p->symbols[i];

		EXPECT_STREQ(a->name, b->name);
		EXPECT_EQ(a->binding, b->binding);
		EXPECT_EQ(a->type, b->type);
		EXPECT_EQ(a->flags, b->flags);
		EXPECT_EQ(a->section, b->section);
		EXPECT_STREQ(a->version ? a->version : "", b->version);
		EXPECT_STREQ(a->library ? a->library : "", b->library);
		EXPECT_EQ(a->value, b->value);
		EXPECT_EQ(a->size, b->size);
	}
	ASSERT_EQ(REF_NR(ref_relocs), p->nr_relocs);
	for (i = 0; i < p->nr_relocs; i++) {
		const struct lkpp_reloc *a = &ref_relocs[i], *b = &p->relocs[i];

		EXPECT_EQ(a->section, b->section);
		EXPECT_EQ(a->offset, b->offset);
		EXPECT_EQ(a->type, b->type);
		EXPECT_EQ(a->symbol, b->symbol);
		EXPECT_EQ(a->addend, b->addend);
	}
	/* Call sites come back sorted by offset. */
	ASSERT_EQ(REF_NR(ref_callsites), p->nr_callsites);
	EXPECT_EQ(0x0f00, p->callsites[0].offset);
	EXPECT_EQ(0, p->callsites[0].func);
	EXPECT_EQ(LKPP_CALLSITE_CALL, p->callsites[0].kind);
	EXPECT_EQ(0x1010, p->callsites[1].offset);
	EXPECT_EQ(1, p->callsites[1].func);
	EXPECT_EQ(LKPP_CALLSITE_CALL, p->callsites[1].kind);
	EXPECT_EQ(0x2010, p->callsites[2].offset);
	EXPECT_EQ(1, p->callsites[2].func);
	EXPECT_EQ(LKPP_CALLSITE_JMP, p->callsites[2].kind);
	lkpp_free(p);
	free(buf);
}

/* Equal strings are stored once: "GLIBC_2.2.5" and "libc.so.6" appear twice in the reference. */
TEST(strings_deduplicated)
{
	char err[LKPP_ERR_SIZE];
	uint64_t off, size;
	size_t len;
	void *buf;

	ASSERT_EQ(0, ref_patch(&buf, &len, err));
	off = table_off(buf, LKPP_TABLE_STRTAB, NULL, &size);
	ASSERT_NE(0, off);
	EXPECT_NE(NULL, memmem((char *)buf + off, size, "GLIBC_2.2.5", 12));
	EXPECT_EQ(NULL, memmem((char *)memmem((char *)buf + off, size, "GLIBC_2.2.5", 12) + 12,
			       size - 12, "GLIBC_2.2.5", 12));
	free(buf);
}

/* Many names: the writer's string index grows and still finds every duplicate. */
TEST(many_strings)
{
	struct lkpp_writer *w = lkpp_writer_new();
	char err[LKPP_ERR_SIZE], name[32];
	size_t len, unique = 1;
	struct lkpp_patch *p;
	uint64_t size;
	uint8_t text[16];
	unsigned int i;
	void *buf;

	ASSERT_EQ(0, lkpp_writer_set_target(w, "\x01", 1, "t", ET_DYN));
	unique += 2;
	ASSERT_EQ(0, lkpp_writer_add_section(w, LKPP_SEC_TEXT, "t", text, sizeof(text), 1));
	for (i = 0; i < 2000; i++) {
		struct lkpp_func f = { .name = name, .old_offset = 0x1000 + 16 * i,
				       .old_size = 16, .new_size = 16 };
		struct lkpp_symbol s = { .name = name, .binding = LKPP_SYM_EXTERNAL,
					 .version = i % 2 ? "V1" : "V2" };

		snprintf(name, sizeof(name), "function_%u", i);
		unique += strlen(name) + 1;
		ASSERT_EQ(i, lkpp_writer_add_func(w, &f));
		ASSERT_EQ(i, lkpp_writer_add_symbol(w, &s));
	}
	unique += 2 * 3;
	ASSERT_EQ(0, lkpp_writer_finish(w, &buf, &len, err)) TH_LOG("%s", err);
	lkpp_writer_free(w);
	table_off(buf, LKPP_TABLE_STRTAB, NULL, &size);
	EXPECT_EQ(unique, size);
	ASSERT_EQ(0, lkpp_parse(buf, len, &p, err)) TH_LOG("%s", err);
	ASSERT_EQ(2000, p->nr_funcs);
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "function_%u", i);
		ASSERT_STREQ(name, p->funcs[i].name);
		ASSERT_EQ(p->funcs[i].name, p->symbols[i].name);
		ASSERT_STREQ(i % 2 ? "V1" : "V2", p->symbols[i].version);
	}
	lkpp_free(p);
	free(buf);
}

/* A patch of one function f (build-id 01 02, ET_EXEC, no name) written to file. */
static int write_one_func(const char *file, char *err)
{
	struct lkpp_func f = { .name = "f", .old_offset = 0x40, .old_size = 8, .new_size = 1 };
	struct lkpp_writer *w = lkpp_writer_new();
	int ret;

	if (!w)
		return -ENOMEM;
	/* errors are sticky: write_file reports the first */
	lkpp_writer_set_target(w, "\x01\x02", 2, NULL, ET_EXEC);
	lkpp_writer_add_section(w, LKPP_SEC_TEXT, NULL, "\xc3", 1, 1);
	lkpp_writer_add_func(w, &f);
	ret = lkpp_writer_write_file(w, file, err);
	lkpp_writer_free(w);
	return ret;
}

TEST(write_file_and_load)
{
	char path[] = "/tmp/lkpp_test.XXXXXX", file[64], err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	struct stat st;

	ASSERT_NE(NULL, mkdtemp(path));
	snprintf(file, sizeof(file), "%s/x.lkpp", path);
	ASSERT_EQ(0, write_one_func(file, err)) TH_LOG("%s", err);
	ASSERT_EQ(0, lkpp_load(file, &p, err)) TH_LOG("%s", err);
	EXPECT_EQ(ET_EXEC, p->target_type);
	EXPECT_STREQ("", p->target_name);
	EXPECT_EQ(2, p->build_id_size);
	EXPECT_EQ(0, p->nr_symbols);
	EXPECT_EQ(0, p->nr_relocs);
	EXPECT_EQ(0xc3, *(const uint8_t *)p->sections[0].data);
	EXPECT_STREQ("f", p->funcs[0].name);
	lkpp_free(p);
	/* Nothing else is left behind (the temporary file was renamed). */
	ASSERT_EQ(0, unlink(file));
	ASSERT_EQ(0, rmdir(path));

	EXPECT_EQ(-ENOENT, lkpp_load(file, &p, err));
	EXPECT_EQ(NULL, p);
	EXPECT_EQ(-EISDIR, lkpp_load("/", &p, err));
	ASSERT_EQ(0, stat("/dev/null", &st));
	EXPECT_EQ(-EINVAL, lkpp_load("/dev/null", &p, err));
}

/*
 * Files or symlinks at the temporary names the writer may pick (planted by
 * someone sharing the directory) are never written through: the writer
 * takes a name nobody holds, and the target file is untouched.
 */
TEST(write_file_never_follows_a_planted_temporary)
{
	char dir[] = "/tmp/lkpp_test.XXXXXX", file[64], victim[64], name[96], err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	char buf[16] = "";
	int fd, i;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/x.lkpp", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, write(fd, "keep\n", 5));
	close(fd);
	snprintf(name, sizeof(name), "%s.tmp.%d", file, (int)getpid());
	ASSERT_EQ(0, symlink(victim, name));
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "%s.tmp.%d.%d", file, (int)getpid(), i);
		ASSERT_EQ(0, symlink(victim, name));
	}
	ASSERT_EQ(0, write_one_func(file, err)) TH_LOG("%s", err);
	ASSERT_EQ(0, lkpp_load(file, &p, err)) TH_LOG("%s", err);
	lkpp_free(p);
	fd = open(victim, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(5, read(fd, buf, sizeof(buf)));
	close(fd);
	EXPECT_STREQ("keep\n", buf);
	/* The planted symlinks are still there and nothing else was left behind. */
	snprintf(name, sizeof(name), "%s.tmp.%d", file, (int)getpid());
	EXPECT_EQ(0, unlink(name));
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "%s.tmp.%d.%d", file, (int)getpid(), i);
		EXPECT_EQ(0, unlink(name));
	}
	EXPECT_EQ(0, unlink(victim));
	EXPECT_EQ(0, unlink(file));
	EXPECT_EQ(0, rmdir(dir));
}

TEST(writer_refuses_what_the_reader_refuses)
{
	struct lkpp_func a = { .name = "a", .old_offset = 0x100, .old_size = 16, .new_size = 1 };
	struct lkpp_func b = { .name = "b", .old_offset = 0x108, .old_size = 16, .new_size = 1 };
	struct lkpp_writer *w = lkpp_writer_new();
	char err[LKPP_ERR_SIZE];
	size_t len;
	void *buf;

	ASSERT_EQ(0, lkpp_writer_add_section(w, LKPP_SEC_TEXT, ".text", "\xc3", 1, 1));
	ASSERT_EQ(0, lkpp_writer_add_func(w, &a));
	ASSERT_EQ(1, lkpp_writer_add_func(w, &b));
	EXPECT_EQ(-EINVAL, lkpp_writer_finish(w, &buf, &len, err));
	EXPECT_NE(NULL, strstr(err, "lkpp_writer_set_target")) TH_LOG("%s", err);
	ASSERT_EQ(0, lkpp_writer_set_target(w, "\x01", 1, "t", ET_DYN));
	EXPECT_EQ(-EINVAL, lkpp_writer_finish(w, &buf, &len, err));
	EXPECT_STREQ("func 1 (b): old range overlaps func 0 (a)", err);
	EXPECT_EQ(NULL, buf);
	lkpp_writer_free(w);
}

TEST(writer_errors_are_sticky)
{
	struct lkpp_writer *w = lkpp_writer_new();
	char err[LKPP_ERR_SIZE];
	size_t len;
	void *buf;

	ASSERT_EQ(0, lkpp_writer_set_target(w, "\x01", 1, "t", ET_DYN));
	/* BSS has no bytes: passing some is a caller bug. */
	EXPECT_EQ(-EINVAL, lkpp_writer_add_section(w, LKPP_SEC_BSS, ".bss", "x", 1, 1));
	EXPECT_EQ(0, lkpp_writer_add_section(w, LKPP_SEC_TEXT, ".text", "\xc3", 1, 1));
	EXPECT_EQ(-EINVAL, lkpp_writer_finish(w, &buf, &len, err));
	EXPECT_NE(NULL, strstr(err, "earlier")) TH_LOG("%s", err);
	lkpp_writer_free(w);
	w = lkpp_writer_new();
	EXPECT_EQ(-EINVAL, lkpp_writer_set_target(w, "", 0, "t", ET_DYN));
	EXPECT_EQ(-EINVAL, lkpp_writer_finish(w, &buf, &len, err));
	lkpp_writer_free(w);
}

/* An empty section may come without a buffer (libelf gives none for it). */
TEST(empty_section_without_bytes)
{
	struct lkpp_func f = { .name = "f", .section = 1, .old_offset = 0x40, .old_size = 8,
			       .new_size = 1 };
	struct lkpp_writer *w = lkpp_writer_new();
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	size_t len;
	void *buf;

	ASSERT_EQ(0, lkpp_writer_set_target(w, "\x01", 1, "t", ET_DYN));
	ASSERT_EQ(0, lkpp_writer_add_section(w, LKPP_SEC_RODATA, ".rodata.empty", NULL, 0, 8));
	ASSERT_EQ(1, lkpp_writer_add_section(w, LKPP_SEC_TEXT, ".text", "\xc3", 1, 1));
	ASSERT_EQ(0, lkpp_writer_add_func(w, &f));
	ASSERT_EQ(0, lkpp_writer_finish(w, &buf, &len, err)) TH_LOG("%s", err);
	ASSERT_EQ(0, lkpp_parse(buf, len, &p, err)) TH_LOG("%s", err);
	EXPECT_EQ(0, p->sections[0].size);
	EXPECT_NE(NULL, p->sections[0].data);
	EXPECT_EQ(0xc3, *(const uint8_t *)p->sections[1].data);
	lkpp_free(p);
	free(buf);
	/* Bytes are needed as soon as there is a size. */
	EXPECT_EQ(-EINVAL, lkpp_writer_add_section(w, LKPP_SEC_DATA, ".data", NULL, 4, 8));
	lkpp_writer_free(w);
}

/* The writer writes the version it implements: 1.5 (1.3 plus SUPERSEDES, then UNWIND). */
TEST(writes_version_1_5)
{
	char err[LKPP_ERR_SIZE];
	size_t len;
	uint8_t *b;

	ASSERT_EQ(0, ref_patch((void **)&b, &len, err)) TH_LOG("%s", err);
	EXPECT_EQ(1, get_le(b + HDR_FIELD(version_major), 2));
	EXPECT_EQ(5, get_le(b + HDR_FIELD(version_minor), 2));
	free(b);
}

/*
 * SUPERSEDES (1.4): the writer sorts the ids, the reader gives them back
 * with their names; an older reader skips the table (not REQUIRED) and
 * reads the same patch. A duplicate is refused by the writer, and by the
 * reader (sorted, each id once), as is a reserved field that is not zero.
 */
TEST(supersedes)
{
	char err[LKPP_ERR_SIZE];
	struct lkpp_writer *w;
	struct lkpp_patch *p;
	uint32_t n;
	size_t len;
	uint8_t *b, *t;

	w = lkpp_writer_new();
	ASSERT_NE(NULL, w);
	lkpp_writer_set_target(w, ref_build_id, sizeof(ref_build_id), "prog", ET_DYN);
	lkpp_writer_add_section(w, LKPP_SEC_TEXT, ".text", "\xc3\xc3", 2, 16);
	lkpp_writer_add_func(w, &(struct lkpp_func){ .name = "f", .section = 0,
		.old_offset = 0x1000, .old_size = 8, .new_offset = 0, .new_size = 2 });
	ASSERT_EQ(0, lkpp_writer_add_supersedes(w, 0xfedcba9876543210ULL, "level1.lkpp"));
	ASSERT_EQ(0, lkpp_writer_add_supersedes(w, 0x0123456789abcdefULL, NULL));
	ASSERT_EQ(0, lkpp_writer_finish(w, (void **)&b, &len, err)) TH_LOG("%s", err);
	ASSERT_EQ(0, lkpp_parse(b, len, &p, err)) TH_LOG("%s", err);
	ASSERT_EQ(2, p->nr_supersedes);
	EXPECT_EQ(0x0123456789abcdefULL, p->supersedes[0].patch_id);
	EXPECT_STREQ("", p->supersedes[0].name);
	EXPECT_EQ(0xfedcba9876543210ULL, p->supersedes[1].patch_id);
	EXPECT_STREQ("level1.lkpp", p->supersedes[1].name);
	EXPECT_EQ(lkpp_file_id(b, len), lkpp_file_id(p->file, p->file_size));
	lkpp_free(p);

	/* the table, last in the directory, not REQUIRED */
	n = get_le(b + HDR_FIELD(table_count), 4);
	ASSERT_EQ(LKPP_TABLE_SUPERSEDES, get_le(b + DIR_OFF(b, n - 1), 4));
	EXPECT_EQ(0, get_le(b + DIR_OFF(b, n - 1) + 4, 4));
	t = b + get_le(b + DIR_OFF(b, n - 1) + 8, 8);

	/* an older reader: the kind unknown, skipped */
	put_le(b + DIR_OFF(b, n - 1), 4, 1009);
	fix_checksum(b, len);
	ASSERT_EQ(0, lkpp_parse(b, len, &p, err)) TH_LOG("%s", err);
	EXPECT_EQ(0, p->nr_supersedes);
	EXPECT_EQ(1, p->nr_funcs);
	lkpp_free(p);
	put_le(b + DIR_OFF(b, n - 1), 4, LKPP_TABLE_SUPERSEDES);

	/* the same id twice */
	put_le(t + 16, 8, 0x0123456789abcdefULL);
	fix_checksum(b, len);
	EXPECT_EQ(-EINVAL, lkpp_parse(b, len, &p, err));
	EXPECT_NE(NULL, strstr(err, "supersedes 1: patch id 0123456789abcdef not sorted, or listed twice"))
		TH_LOG("%s", err);
	put_le(t + 16, 8, 0xfedcba9876543210ULL);
	/* reserved */
	put_le(t + 12, 4, 7);
	fix_checksum(b, len);
	EXPECT_EQ(-EINVAL, lkpp_parse(b, len, &p, err));
	EXPECT_NE(NULL, strstr(err, "supersedes 0: reserved field is 0x7, not zero")) TH_LOG("%s", err);
	put_le(t + 12, 4, 0);
	/* a name beyond STRTAB */
	put_le(t + 8, 4, 0x7fffffff);
	fix_checksum(b, len);
	EXPECT_EQ(-EINVAL, lkpp_parse(b, len, &p, err));
	EXPECT_NE(NULL, strstr(err, "supersedes 0: string offset")) TH_LOG("%s", err);
	free(b);

	/* the writer: one id twice */
	w = lkpp_writer_new();
	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, lkpp_writer_add_supersedes(w, 5, "a"));
	EXPECT_EQ(-EINVAL, lkpp_writer_add_supersedes(w, 5, "b"));
	lkpp_writer_free(w);
}

/*
 * CALLSITES and MOVABLE are the tables an older reader may skip: without
 * them apply is only slower (every call goes through the jump at the old
 * entry). Every other table is REQUIRED.
 */
TEST(callsites_table_is_optional)
{
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	uint32_t i, n, kind;
	size_t len;
	uint8_t *b;

	ASSERT_EQ(0, ref_patch((void **)&b, &len, err)) TH_LOG("%s", err);
	n = get_le(b + HDR_FIELD(table_count), 4);
	ASSERT_EQ(8, n);
	for (i = 0; i < n; i++) {
		kind = get_le(b + DIR_OFF(b, i), 4);
		EXPECT_EQ(kind == LKPP_TABLE_CALLSITES || kind == LKPP_TABLE_MOVABLE ? 0 :
			  LKPP_TABLE_F_REQUIRED,
			  get_le(b + DIR_OFF(b, i) + 4, 4)) TH_LOG("table %u, kind %u", i, kind);
	}
	/* What a 1.1 reader does with it: a kind it does not know, skipped. */
	ASSERT_EQ(LKPP_TABLE_CALLSITES, get_le(b + DIR_OFF(b, 6), 4));
	put_le(b + DIR_OFF(b, 6), 4, 1007);
	fix_checksum(b, len);
	ASSERT_EQ(0, lkpp_parse(b, len, &p, err)) TH_LOG("%s", err);
	EXPECT_EQ(0, p->nr_callsites);
	EXPECT_EQ(REF_NR(ref_funcs), p->nr_funcs);
	lkpp_free(p);
	free(b);
}

/* What a 1.2 reader does with MOVABLE: skipped, every function gets the jump. */
TEST(movable_table_is_optional)
{
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	size_t len;
	uint8_t *b;

	ASSERT_EQ(0, ref_patch((void **)&b, &len, err)) TH_LOG("%s", err);
	ASSERT_EQ(LKPP_TABLE_MOVABLE, get_le(b + DIR_OFF(b, 7), 4));
	put_le(b + DIR_OFF(b, 7), 4, 1008);
	fix_checksum(b, len);
	ASSERT_EQ(0, lkpp_parse(b, len, &p, err)) TH_LOG("%s", err);
	EXPECT_FALSE(p->funcs[0].movable);
	EXPECT_FALSE(p->funcs[1].movable);
	EXPECT_EQ(REF_NR(ref_callsites), p->nr_callsites);
	lkpp_free(p);
	free(b);
}

/* A writer with a target and one 16-byte text section (a ret), for the small tests. */
static struct lkpp_writer *text_writer(void)
{
	static const uint8_t text[16] = { 0xc3 };
	struct lkpp_writer *w = lkpp_writer_new();

	if (w && (lkpp_writer_set_target(w, "\x01", 1, "t", ET_DYN) ||
		  lkpp_writer_add_section(w, LKPP_SEC_TEXT, ".text", text, sizeof(text), 1))) {
		lkpp_writer_free(w);
		return NULL;
	}
	return w;
}

/* The writer checks the index; the reader (run by finish) refuses a NEW function. */
TEST(movable_writer)
{
	struct lkpp_writer *w = text_writer();
	char err[LKPP_ERR_SIZE];
	size_t len;
	void *buf;

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, lkpp_writer_add_func(w, &(struct lkpp_func){ .name = "n",
		.flags = LKPP_FUNC_F_NEW, .new_offset = 8, .new_size = 8 }));
	EXPECT_EQ(-EINVAL, lkpp_writer_set_movable(w, 1));
	lkpp_writer_free(w);

	w = text_writer();
	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, lkpp_writer_add_func(w, &(struct lkpp_func){ .name = "n",
		.flags = LKPP_FUNC_F_NEW, .new_offset = 8, .new_size = 8 }));
	ASSERT_EQ(0, lkpp_writer_set_movable(w, 0));
	EXPECT_EQ(-EINVAL, lkpp_writer_finish(w, &buf, &len, err));
	EXPECT_NE(NULL, strstr(err, "movable 0: func 0 is not a replaced function")) TH_LOG("%s", err);
	lkpp_writer_free(w);
}

/* text_writer() plus a NEW function and, with eh, a RODATA section 1 for unwind rules. */
static struct lkpp_writer *unwind_writer(bool eh)
{
	static const uint8_t bytes[16];
	struct lkpp_writer *w = text_writer();

	if (w && (lkpp_writer_add_func(w, &(struct lkpp_func){ .name = "n",
			.flags = LKPP_FUNC_F_NEW, .new_offset = 8, .new_size = 8 }) ||
		  (eh && lkpp_writer_add_section(w, LKPP_SEC_RODATA, ".eh_frame", bytes,
						 sizeof(bytes), 8) != 1))) {
		lkpp_writer_free(w);
		return NULL;
	}
	return w;
}

/*
 * UNWIND (1.5): the writer checks the index; the reader marks the section,
 * refuses one that is not RODATA or a section listed twice; the table is
 * not REQUIRED, so an older reader skips it.
 */
TEST(unwind_table)
{
	struct lkpp_writer *w = unwind_writer(true);
	struct lkpp_patch *p;
	char err[LKPP_ERR_SIZE];
	size_t len, i;
	uint8_t *buf;

	ASSERT_NE(NULL, w);
	EXPECT_EQ(-EINVAL, lkpp_writer_set_unwind(w, 2));
	lkpp_writer_free(w);

	w = unwind_writer(true);
	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, lkpp_writer_set_unwind(w, 1));
	ASSERT_EQ(0, lkpp_writer_finish(w, (void **)&buf, &len, err)) TH_LOG("%s", err);
	lkpp_writer_free(w);
	ASSERT_EQ(0, lkpp_parse(buf, len, &p, err)) TH_LOG("%s", err);
	EXPECT_FALSE(p->sections[0].unwind);
	EXPECT_TRUE(p->sections[1].unwind);
	lkpp_free(p);
	for (i = 0; i < get_le(buf + HDR_FIELD(table_count), 4); i++) {
		uint8_t *d = buf + DIR_OFF(buf, i);

		if (get_le(d, 4) != LKPP_TABLE_UNWIND)
			continue;
		EXPECT_EQ(0, get_le(d + 4, 4) & LKPP_TABLE_F_REQUIRED);
		/* an unknown kind: what a 1.4 reader sees */
		put_le(d, 4, 99);
		fix_checksum(buf, len);
		ASSERT_EQ(0, lkpp_parse(buf, len, &p, err)) TH_LOG("%s", err);
		EXPECT_FALSE(p->sections[1].unwind);
		lkpp_free(p);
	}
	free(buf);

	w = unwind_writer(false);
	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, lkpp_writer_set_unwind(w, 0));
	EXPECT_EQ(-EINVAL, lkpp_writer_finish(w, (void **)&buf, &len, err));
	EXPECT_NE(NULL, strstr(err, "unwind 0: section 0 is not a read-only data section")) TH_LOG("%s", err);
	lkpp_writer_free(w);

	w = unwind_writer(true);
	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, lkpp_writer_set_unwind(w, 1));
	ASSERT_EQ(0, lkpp_writer_set_unwind(w, 1));
	EXPECT_EQ(-EINVAL, lkpp_writer_finish(w, (void **)&buf, &len, err));
	EXPECT_NE(NULL, strstr(err, "unwind 1: section 1 not sorted, or listed twice")) TH_LOG("%s", err);
	lkpp_writer_free(w);
}

/* The bytes a site has in the original: its opcode and the rel32 to the old entry. */
TEST(callsite_bytes)
{
	static const uint8_t call[5] = { 0xe8, 0xfb, 0x00, 0x00, 0x00 };
	static const uint8_t jmp[5] = { 0xe9, 0x0b, 0xf0, 0xff, 0xff };
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	uint8_t buf[5];
	size_t len;
	void *b;

	ASSERT_EQ(0, ref_patch(&b, &len, err)) TH_LOG("%s", err);
	ASSERT_EQ(0, lkpp_parse(b, len, &p, err)) TH_LOG("%s", err);
	/* 0xf00: call 0x1000 (changed). */
	lkpp_callsite_bytes(p, &p->callsites[0], buf);
	EXPECT_EQ(0, memcmp(call, buf, 5));
	/* 0x2010: jmp 0x1020 (other), backwards. */
	lkpp_callsite_bytes(p, &p->callsites[2], buf);
	EXPECT_EQ(0, memcmp(jmp, buf, 5));
	lkpp_free(p);
	free(b);
}

/*
 * A site may be inside an old function past its first 5 bytes (a replaced
 * function calling another), and right after an entry's jump.
 */
TEST(callsite_in_old_body)
{
	struct lkpp_writer *w = text_writer();
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	size_t len;
	void *buf;

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, lkpp_writer_add_func(w, &(struct lkpp_func){ .name = "a",
		.old_offset = 0x1000, .old_size = 32, .new_size = 8 }));
	ASSERT_EQ(1, lkpp_writer_add_func(w, &(struct lkpp_func){ .name = "b",
		.old_offset = 0x1020, .old_size = 16, .new_offset = 8, .new_size = 8 }));
	ASSERT_EQ(0, lkpp_writer_add_callsite(w, &(struct lkpp_callsite){ .offset = 0x1005,
		.func = 1, .kind = LKPP_CALLSITE_CALL }));
	ASSERT_EQ(1, lkpp_writer_add_callsite(w, &(struct lkpp_callsite){ .offset = 0x1025,
		.func = 0, .kind = LKPP_CALLSITE_JMP }));
	ASSERT_EQ(0, lkpp_writer_finish(w, &buf, &len, err)) TH_LOG("%s", err);
	lkpp_writer_free(w);
	ASSERT_EQ(0, lkpp_parse(buf, len, &p, err)) TH_LOG("%s", err);
	EXPECT_EQ(2, p->nr_callsites);
	lkpp_free(p);
	free(buf);
}

/*
 * IFUNC is for the functions apply resolves, TARGET and EXTERNAL, with or
 * without WEAK: the flag comes back as it was written.
 */
TEST(ifunc_on_target_and_external_functions)
{
	const struct lkpp_symbol syms[] = {
		{ .name = "sum_bytes", .binding = LKPP_SYM_TARGET, .type = LKPP_STT_FUNC,
		  .flags = LKPP_SYM_F_IFUNC, .value = 0x2470 },
		{ .name = "strlen", .binding = LKPP_SYM_EXTERNAL, .type = LKPP_STT_FUNC,
		  .flags = LKPP_SYM_F_IFUNC, .version = "GLIBC_2.2.5", .library = "libc.so.6" },
		{ .name = "maybe", .binding = LKPP_SYM_EXTERNAL, .type = LKPP_STT_FUNC,
		  .flags = LKPP_SYM_F_IFUNC | LKPP_SYM_F_WEAK },
	};
	struct lkpp_func f = { .name = "f", .old_offset = 0x40, .old_size = 8, .new_size = 16 };
	struct lkpp_writer *w = lkpp_writer_new();
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	uint8_t text[16] = { 0 };
	unsigned int i;
	size_t len;
	void *buf;

	ASSERT_EQ(0, lkpp_writer_set_target(w, "\x01", 1, "prog", ET_DYN));
	ASSERT_EQ(0, lkpp_writer_add_section(w, LKPP_SEC_TEXT, ".text", text, sizeof(text), 16));
	ASSERT_EQ(0, lkpp_writer_add_func(w, &f));
	for (i = 0; i < REF_NR(syms); i++)
		ASSERT_EQ(i, lkpp_writer_add_symbol(w, &syms[i]));
	ASSERT_EQ(0, lkpp_writer_add_reloc(w, &(struct lkpp_reloc){ .offset = 1,
		  .type = R_X86_64_PLT32, .symbol = 0, .addend = -4 }));
	ASSERT_EQ(0, lkpp_writer_finish(w, &buf, &len, err)) TH_LOG("%s", err);
	ASSERT_EQ(0, lkpp_parse(buf, len, &p, err)) TH_LOG("%s", err);
	ASSERT_EQ(REF_NR(syms), p->nr_symbols);
	for (i = 0; i < REF_NR(syms); i++) {
		EXPECT_EQ(syms[i].flags, p->symbols[i].flags);
		EXPECT_EQ(syms[i].value, p->symbols[i].value);
	}
	lkpp_free(p);
	free(buf);

	/* The writer refuses what the reader refuses: IFUNC on the patch's own code. */
	ASSERT_EQ(3, lkpp_writer_add_symbol(w, &(struct lkpp_symbol){ .name = "own",
		  .binding = LKPP_SYM_PATCH, .type = LKPP_STT_FUNC, .flags = LKPP_SYM_F_IFUNC }));
	EXPECT_EQ(-EINVAL, lkpp_writer_finish(w, &buf, &len, err));
	EXPECT_STREQ("symbol 3 (own): IFUNC on a patch symbol", err);
	lkpp_writer_free(w);
}

/* A newer minor version is read: unknown trailing fields and skippable tables are ignored. */
TEST(newer_minor_version_is_read)
{
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	size_t len;
	uint8_t *b;

	ASSERT_EQ(0, ref_patch((void **)&b, &len, err));
	put_le(b + HDR_FIELD(version_minor), 2, 7);
	fix_checksum(b, len);
	ASSERT_EQ(0, lkpp_parse(b, len, &p, err)) TH_LOG("%s", err);
	EXPECT_EQ(7, p->version_minor);
	lkpp_free(p);
	free(b);
}

/*
 * Re-lay the reference the way a future writer might: a longer header, longer
 * directory entries and FUNCS entries (the tail filled with 0xa5), and one
 * more table of a kind this reader does not know.
 */
TEST(grown_header_entries_and_unknown_table)
{
	const uint32_t grow = 8, hsz = sizeof(struct lkpp_disk_header) + grow;
	const uint32_t desz = sizeof(struct lkpp_disk_table) + grow;
	uint32_t i, n, k, esz, cnt, kind;
	uint64_t off, dir, size;
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	uint8_t *a, *b, *d;
	size_t len, blen;

	ASSERT_EQ(0, ref_patch((void **)&a, &len, err));
	n = get_le(a + HDR_FIELD(table_count), 4);
	blen = 2 * len + 4096;
	b = calloc(1, blen);
	ASSERT_NE(NULL, b);
	memcpy(b, a, sizeof(struct lkpp_disk_header));
	memset(b + sizeof(struct lkpp_disk_header), 0xa5, grow);
	dir = hsz;
	off = dir + (n + 1) * desz;
	for (i = 0; i < n; i++) {
		const uint8_t *sd = a + DIR_OFF(a, i);
		uint64_t soff = get_le(sd + 8, 8);

		d = b + dir + i * desz;
		memcpy(d, sd, sizeof(struct lkpp_disk_table));
		memset(d + sizeof(struct lkpp_disk_table), 0xa5, grow);
		kind = get_le(sd, 4);
		size = get_le(sd + 16, 8);
		esz = get_le(sd + 24, 4);
		cnt = get_le(sd + 28, 4);
		off = (off + 7) & ~7ULL;
		put_le(d + 8, 8, off);
		if (kind == LKPP_TABLE_FUNCS) {
			for (k = 0; k < cnt; k++) {
				memcpy(b + off + k * (esz + grow), a + soff + k * esz, esz);
				memset(b + off + k * (esz + grow) + esz, 0xa5, grow);
			}
			put_le(d + 16, 8, cnt * (esz + grow));
			put_le(d + 24, 4, esz + grow);
			off += cnt * (esz + grow);
		} else {
			memcpy(b + off, a + soff, size);
			off += size;
		}
	}
	/* The unknown table: kind 1000, not required, 5 bytes. */
	d = b + dir + n * desz;
	off = (off + 7) & ~7ULL;
	put_le(d, 4, 1000);
	put_le(d + 8, 8, off);
	put_le(d + 16, 8, 5);
	memcpy(b + off, "later", 5);
	off += 5;

	put_le(b + HDR_FIELD(version_minor), 2, 1);
	put_le(b + HDR_FIELD(header_size), 4, hsz);
	put_le(b + HDR_FIELD(total_size), 8, off);
	put_le(b + HDR_FIELD(table_offset), 8, dir);
	put_le(b + HDR_FIELD(table_count), 4, n + 1);
	put_le(b + HDR_FIELD(table_entry_size), 4, desz);
	fix_checksum(b, off);
	ASSERT_EQ(0, lkpp_parse(b, off, &p, err)) TH_LOG("%s", err);
	ASSERT_EQ(REF_NR(ref_funcs), p->nr_funcs);
	for (i = 0; i < p->nr_funcs; i++) {
		EXPECT_STREQ(ref_funcs[i].name, p->funcs[i].name);
		EXPECT_EQ(ref_funcs[i].old_offset, p->funcs[i].old_offset);
		EXPECT_EQ(ref_funcs[i].new_size, p->funcs[i].new_size);
	}
	EXPECT_EQ(REF_NR(ref_relocs), p->nr_relocs);
	lkpp_free(p);

	/* The same unknown table marked required is refused. */
	put_le(d + 4, 4, LKPP_TABLE_F_REQUIRED);
	fix_checksum(b, off);
	EXPECT_EQ(-EOPNOTSUPP, lkpp_parse(b, off, &p, err));
	EXPECT_NE(NULL, strstr(err, "kind 1000")) TH_LOG("%s", err);
	free(a);
	free(b);
}

/* An unknown table kind without the REQUIRED flag is skipped (here: RELOCS renamed). */
TEST(unknown_optional_table_is_skipped)
{
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	uint64_t d;
	size_t len;
	uint8_t *b;

	ASSERT_EQ(0, ref_patch((void **)&b, &len, err));
	d = DIR_OFF(b, 5);
	ASSERT_EQ(LKPP_TABLE_RELOCS, get_le(b + d, 4));
	put_le(b + d, 4, 99);
	put_le(b + d + 4, 4, 0);
	fix_checksum(b, len);
	ASSERT_EQ(0, lkpp_parse(b, len, &p, err)) TH_LOG("%s", err);
	EXPECT_EQ(0, p->nr_relocs);
	lkpp_free(p);
	free(b);
}

/*
 * The byte order tables must describe the structs exactly: checked against
 * the compiler's offsetof and sizeof, field by field (a byte array is a
 * negative width), since a little-endian host never exercises them otherwise.
 */
struct field {
	size_t off;
	int width;
};

#define FLD(st, m) { offsetof(struct lkpp_disk_##st, m), sizeof(((struct lkpp_disk_##st *)0)->m) }
#define RAW(st, m) { offsetof(struct lkpp_disk_##st, m), -(int)sizeof(((struct lkpp_disk_##st *)0)->m) }

static const struct field header_fields[] = {
	RAW(header, magic), FLD(header, version_major), FLD(header, version_minor),
	FLD(header, header_size), FLD(header, total_size), FLD(header, checksum),
	FLD(header, flags), FLD(header, table_offset), FLD(header, table_count),
	FLD(header, table_entry_size), FLD(header, target_name), FLD(header, target_type),
	FLD(header, build_id_size), FLD(header, reserved0), RAW(header, build_id),
	FLD(header, arch), FLD(header, reserved1), { sizeof(struct lkpp_disk_header), 0 },
};
static const struct field table_fields[] = {
	FLD(table, kind), FLD(table, flags), FLD(table, offset), FLD(table, size),
	FLD(table, entry_size), FLD(table, count), { sizeof(struct lkpp_disk_table), 0 },
};
static const struct field section_fields[] = {
	FLD(section, name), FLD(section, kind), FLD(section, align), FLD(section, flags),
	FLD(section, data_offset), FLD(section, size), { sizeof(struct lkpp_disk_section), 0 },
};
static const struct field func_fields[] = {
	FLD(func, name), FLD(func, flags), FLD(func, section), FLD(func, old_bytes_len),
	FLD(func, old_offset), FLD(func, old_size), FLD(func, new_offset), FLD(func, new_size),
	RAW(func, old_bytes), { sizeof(struct lkpp_disk_func), 0 },
};
static const struct field symbol_fields[] = {
	FLD(symbol, name), FLD(symbol, binding), FLD(symbol, type), FLD(symbol, flags),
	FLD(symbol, section), FLD(symbol, version), FLD(symbol, library), FLD(symbol, reserved),
	FLD(symbol, value), FLD(symbol, size), { sizeof(struct lkpp_disk_symbol), 0 },
};
static const struct field reloc_fields[] = {
	FLD(reloc, offset), FLD(reloc, section), FLD(reloc, type), FLD(reloc, symbol),
	FLD(reloc, reserved), FLD(reloc, addend), { sizeof(struct lkpp_disk_reloc), 0 },
};

static const struct field callsite_fields[] = {
	FLD(callsite, offset), FLD(callsite, func), FLD(callsite, kind),
	{ sizeof(struct lkpp_disk_callsite), 0 },
};

static const struct field movable_fields[] = {
	FLD(movable, func), FLD(movable, reserved), { sizeof(struct lkpp_disk_movable), 0 },
};

static const struct field supersedes_fields[] = {
	FLD(supersedes, patch_id), FLD(supersedes, name), FLD(supersedes, reserved),
	{ sizeof(struct lkpp_disk_supersedes), 0 },
};

static int layout_mismatch(const int8_t *layout, const struct field *f)
{
	size_t off = 0;
	int i;

	for (i = 0; layout[i]; i++) {
		if (f[i].off != off || f[i].width != layout[i] || !f[i].width)
			return i + 1;
		off += layout[i] < 0 ? -layout[i] : layout[i];
	}
	return f[i].width || f[i].off != off ? i + 1 : 0;
}

TEST(byte_order_layouts)
{
	struct lkpp_disk_func fn = { .name = 0x11223344, .old_offset = 0x0102030405060708ULL,
				     .old_bytes = { 1, 2 } };

	EXPECT_EQ(0, layout_mismatch(lkpp_layout_header, header_fields));
	EXPECT_EQ(0, layout_mismatch(lkpp_layout_table, table_fields));
	EXPECT_EQ(0, layout_mismatch(lkpp_layout_section, section_fields));
	EXPECT_EQ(0, layout_mismatch(lkpp_layout_func, func_fields));
	EXPECT_EQ(0, layout_mismatch(lkpp_layout_symbol, symbol_fields));
	EXPECT_EQ(0, layout_mismatch(lkpp_layout_reloc, reloc_fields));
	EXPECT_EQ(0, layout_mismatch(lkpp_layout_callsite, callsite_fields));
	EXPECT_EQ(0, layout_mismatch(lkpp_layout_movable, movable_fields));
	EXPECT_EQ(0, layout_mismatch(lkpp_layout_supersedes, supersedes_fields));
	/* What a big-endian host would do: integers reversed, byte arrays kept. */
	lkpp_bswap_fields(&fn, lkpp_layout_func);
	EXPECT_EQ(0x44332211, fn.name);
	EXPECT_EQ(0x0807060504030201ULL, fn.old_offset);
	EXPECT_EQ(1, fn.old_bytes[0]);
	EXPECT_EQ(2, fn.old_bytes[1]);
}

/* lkpctl prints these names: one per type the reader admits, none for the others. */
TEST(reloc_names)
{
	uint32_t t;

	EXPECT_STREQ("64", lkpp_reloc_name(R_X86_64_64));
	EXPECT_STREQ("PC32", lkpp_reloc_name(R_X86_64_PC32));
	EXPECT_STREQ("GOTTPOFF", lkpp_reloc_name(R_X86_64_GOTTPOFF));
	EXPECT_STREQ("REX_GOTPCRELX", lkpp_reloc_name(R_X86_64_REX_GOTPCRELX));
	EXPECT_STREQ("?", lkpp_reloc_name(R_X86_64_COPY));
	EXPECT_STREQ("?", lkpp_reloc_name(UINT32_MAX));
	for (t = 0; t < 64; t++)
		EXPECT_EQ(lkpp_reloc_width(t) != 0, strcmp(lkpp_reloc_name(t), "?") != 0)
			TH_LOG("type %u", t);
}

TEST(not_a_patch)
{
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;

	EXPECT_EQ(-ENOEXEC, lkpp_parse("", 0, &p, err));
	EXPECT_EQ(-ENOEXEC, lkpp_parse("\x89LKPP\r\n", 7, &p, err));
	EXPECT_EQ(-ENOEXEC, lkpp_parse("\x7f" "ELF\2\1\1\0\0\0\0\0", 12, &p, err));
	EXPECT_STREQ("not an lkp patch file (bad magic)", err);
	EXPECT_EQ(-EBADMSG, lkpp_parse(LKPP_MAGIC "\1\0", 10, &p, err));
	EXPECT_NE(NULL, strstr(err, "truncated")) TH_LOG("%s", err);
}

TEST(truncated_and_extended)
{
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	size_t len;
	uint8_t *b;

	ASSERT_EQ(0, ref_patch((void **)&b, &len, err));
	EXPECT_EQ(-EBADMSG, lkpp_parse(b, len - 1, &p, err));
	EXPECT_NE(NULL, strstr(err, "truncated")) TH_LOG("%s", err);
	b = realloc(b, len + 8);
	memset(b + len, 0, 8);
	EXPECT_EQ(-EBADMSG, lkpp_parse(b, len + 8, &p, err));
	/* Every byte is covered by the checksum. */
	b[len - 1] ^= 1;
	EXPECT_EQ(-EBADMSG, lkpp_parse(b, len, &p, err));
	EXPECT_NE(NULL, strstr(err, "checksum")) TH_LOG("%s", err);
	b[len - 1] ^= 1;
	b[12] ^= 0x80;
	EXPECT_EQ(-EBADMSG, lkpp_parse(b, len, &p, err));
	free(b);
}

TEST(file_too_big)
{
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;

	/* Only the length is looked at: no need for a real gigabyte. */
	EXPECT_EQ(-EFBIG, lkpp_parse(LKPP_MAGIC, LKPP_MAX_FILE_SIZE + 1, &p, err));
}

/*
 * One bad file per validation rule: the reference patch with up to two
 * fields overwritten (and the checksum fixed up), the errno and a piece of
 * the message expected.
 */
enum { HDR = 1, DIR, TAB };

struct mut {
	int loc;		/* HDR: off in the header; DIR: entry `index`; TAB: table `index` kind */
	uint32_t index;
	int64_t entry;		/* TAB: entry number; byte tables: byte offset, -1 = last byte */
	size_t off;
	int width;
	uint64_t value;
};

FIXTURE(bad) {
	uint8_t *buf;
	size_t len;
};

FIXTURE_VARIANT(bad) {
	struct mut m[2];
	int err;
	const char *msg;
};

FIXTURE_SETUP(bad)
{
	char err[LKPP_ERR_SIZE];

	ASSERT_EQ(0, ref_patch((void **)&self->buf, &self->len, err)) TH_LOG("%s", err);
}

FIXTURE_TEARDOWN(bad)
{
	free(self->buf);
}

#define H(f) HDR, 0, 0, HDR_FIELD(f), sizeof(((struct lkpp_disk_header *)0)->f)
#define D(i, f) DIR, i, 0, offsetof(struct lkpp_disk_table, f), \
	sizeof(((struct lkpp_disk_table *)0)->f)
#define T(kind, st, e, f) TAB, LKPP_TABLE_##kind, e, offsetof(struct lkpp_disk_##st, f), \
	sizeof(((struct lkpp_disk_##st *)0)->f)
#define SEC(e, f) T(SECTIONS, section, e, f)
#define FN(e, f) T(FUNCS, func, e, f)
#define SYM(e, f) T(SYMBOLS, symbol, e, f)
#define REL(e, f) T(RELOCS, reloc, e, f)
#define CS(e, f) T(CALLSITES, callsite, e, f)
#define MV(e, f) T(MOVABLE, movable, e, f)
#define BAD(name, e, text, ...) \
	FIXTURE_VARIANT_ADD(bad, name) { .m = { __VA_ARGS__ }, .err = e, .msg = text }

/* Header. */
BAD(major_version, -EOPNOTSUPP, "format version 2.5, this reader knows 1.x",
    { H(version_major), 2 });
BAD(header_size_small, -EINVAL, "header_size 120", { H(header_size), 120 });
BAD(header_size_unaligned, -EINVAL, "header_size 132", { H(header_size), 132 });
BAD(header_size_beyond_file, -EINVAL, "header_size 4294967288", { H(header_size), 0xfffffff8 });
BAD(header_flags, -EOPNOTSUPP, "unknown header flags 0x4", { H(flags), 4 });
BAD(arch, -EOPNOTSUPP, "architecture 183", { H(arch), 183 });
BAD(reserved0, -EINVAL, "reserved header", { H(reserved0), 1 });
BAD(reserved1, -EINVAL, "reserved header", { H(reserved1), 1 });
BAD(target_type, -EINVAL, "target_type 1", { H(target_type), 1 });
BAD(build_id_empty, -EINVAL, "build_id_size 0", { H(build_id_size), 0 });
BAD(build_id_long, -EINVAL, "build_id_size 65", { H(build_id_size), 65 });
BAD(build_id_padding, -EINVAL, "padding byte 20", { HDR, 0, 0, HDR_FIELD(build_id) + 20, 1, 1 });
BAD(target_name, -EINVAL, "target_name 0: string offset 100000", { H(target_name), 100000 });

/* Table directory. */
BAD(table_count, -EINVAL, "table_count 65", { H(table_count), 65 });
BAD(table_entry_size_small, -EINVAL, "table_entry_size 24", { H(table_entry_size), 24 });
BAD(table_entry_size_unaligned, -EINVAL, "table_entry_size 36", { H(table_entry_size), 36 });
BAD(directory_in_header, -EINVAL, "table directory at 64", { H(table_offset), 64 });
BAD(directory_unaligned, -EINVAL, "table directory at 132", { H(table_offset), 132 });
BAD(directory_beyond_file, -EINVAL, "table directory at 18446744073709551608",
    { H(table_offset), 0xfffffffffffffff8ULL });
BAD(table_flags, -EOPNOTSUPP, "table 2 (DATA): unknown flags 0x3", { D(2, flags), 3 });
BAD(table_unaligned, -EINVAL, "table 0 (STRTAB): ", { D(0, offset), 321 });
BAD(table_beyond_file, -EINVAL, "table 5 (RELOCS): 18446744073709551615 bytes",
    { D(5, size), UINT64_MAX });
BAD(table_offset_wraps, -EINVAL, "table 5 (RELOCS)", { D(5, offset), 0xfffffffffffffff8ULL });
BAD(table_over_directory, -EINVAL, "overlaps the header or the table directory",
    { D(0, offset), 128 + 32 });
BAD(table_overlap, -EINVAL, "table 1 (SECTIONS) overlaps table 0",
    { D(1, offset), 128 + 8 * 32 });
BAD(table_duplicate, -EINVAL, "second SYMBOLS table", { D(5, kind), LKPP_TABLE_SYMBOLS });
BAD(table_unknown_required, -EOPNOTSUPP, "required table kind 99", { D(4, kind), 99 });
BAD(byte_table_entry_size, -EINVAL, "byte table with entry_size 8", { D(0, entry_size), 8 });
BAD(entry_size_small, -EINVAL, "entry_size 56", { D(3, entry_size), 56 });
BAD(entry_size_unaligned, -EINVAL, "entry_size 68", { D(3, entry_size), 68 });
BAD(count_size_mismatch, -EINVAL, "count 2 is not its size", { D(3, count), 2 });
BAD(count_overflow, -EINVAL, "count 4294967295", { D(3, count), UINT32_MAX });
BAD(no_strtab, -EINVAL, "no STRTAB", { D(0, kind), 99 }, { D(0, flags), 0 });
BAD(no_sections, -EINVAL, "no SECTIONS", { D(1, kind), 99 }, { D(1, flags), 0 });
BAD(no_funcs, -EINVAL, "no functions", { D(3, kind), 99 }, { D(3, flags), 0 });
BAD(funcs_empty, -EINVAL, "no functions", { D(3, count), 0 }, { D(3, size), 0 });

/* String table. */
BAD(strtab_first_byte, -EINVAL, "start and end with a NUL", { TAB, LKPP_TABLE_STRTAB, 0, 0, 1, 'x' });
BAD(strtab_last_byte, -EINVAL, "start and end with a NUL", { TAB, LKPP_TABLE_STRTAB, -1, 0, 1, 'x' });
BAD(strtab_control_char, -EINVAL, "STRTAB byte 1 is 0x1b", { TAB, LKPP_TABLE_STRTAB, 1, 0, 1, 0x1b });
BAD(strtab_high_byte, -EINVAL, "is 0xc3: strings must be printable ASCII",
    { TAB, LKPP_TABLE_STRTAB, 2, 0, 1, 0xc3 });

/* Sections. */
BAD(section_name, -EINVAL, "section 1: string offset 4096", { SEC(1, name), 4096 });
BAD(section_kind_zero, -EINVAL, "section 0: unknown kind 0", { SEC(0, kind), 0 });
BAD(section_kind_high, -EINVAL, "section 2: unknown kind 5", { SEC(2, kind), 5 });
BAD(section_flags, -EOPNOTSUPP, "section 1: unknown flags 0x1", { SEC(1, flags), 1 });
BAD(section_align_zero, -EINVAL, "section 0: alignment 0", { SEC(0, align), 0 });
BAD(section_align_not_pow2, -EINVAL, "alignment 24 is not", { SEC(0, align), 24 });
BAD(section_align_huge, -EINVAL, "alignment 8192", { SEC(3, align), 8192 });
BAD(section_size_huge, -EINVAL, "section 3: size 1073741825", { SEC(3, size), (1ULL << 30) + 1 });
BAD(section_beyond_data, -EINVAL, "section 1: 1000 bytes at 64 beyond the DATA table",
    { SEC(1, size), 1000 });
BAD(section_data_offset_wraps, -EINVAL, "beyond the DATA table",
    { SEC(2, data_offset), 0xfffffffffffffff0ULL });
BAD(bss_with_data, -EINVAL, "section 3: BSS with data_offset 8", { SEC(3, data_offset), 8 });
BAD(sections_too_big, -EINVAL, "sections need more than", { SEC(3, size), 1ULL << 30 });

/* Functions. */
BAD(func_name_offset, -EINVAL, "func 2: string offset 70000", { FN(2, name), 70000 });
BAD(func_empty_name, -EINVAL, "func 0: empty name", { FN(0, name), 0 });
BAD(func_flags, -EOPNOTSUPP, "func 1 (_ZN2ns5otherEv): unknown flags 0x2", { FN(1, flags), 2 });
BAD(func_section_range, -EINVAL, "section 4 is not a TEXT", { FN(0, section), 4 });
BAD(func_section_not_text, -EINVAL, "func 1 (_ZN2ns5otherEv): section 1 is not a TEXT",
    { FN(1, section), 1 });
BAD(func_new_size_zero, -EINVAL, "new code 0 bytes at 32", { FN(1, new_size), 0 });
BAD(func_new_beyond, -EINVAL, "func 2 (helper): new code 17 bytes at 48 outside section 0",
    { FN(2, new_size), 17 });
BAD(func_new_offset_wraps, -EINVAL, "outside section 0", { FN(0, new_offset), UINT64_MAX - 8 });
BAD(func_old_bytes_len, -EINVAL, "old_bytes_len 17", { FN(0, old_bytes_len), 17 });
BAD(func_old_bytes_above_size, -EINVAL, "old_bytes_len 6", { FN(1, old_bytes_len), 6 },
    { FN(1, old_size), 5 });
BAD(func_old_bytes_padding, -EINVAL, "old_bytes padding",
    { TAB, LKPP_TABLE_FUNCS, 0, offsetof(struct lkpp_disk_func, old_bytes) + 6, 1, 0x90 });
BAD(func_new_with_old, -EINVAL, "func 2 (helper): new function with an old range",
    { FN(2, old_offset), 0x2000 });
BAD(func_old_size_small, -EINVAL, "old_size 4, less than the 5-byte jump",
    { FN(1, old_size), 4 });
BAD(func_old_range_wraps, -EINVAL, "old range wraps", { FN(1, old_offset), UINT64_MAX - 8 });
BAD(func_old_overlap, -EINVAL, "func 1 (_ZN2ns5otherEv): old range overlaps func 0 (changed)",
    { FN(1, old_offset), 0x101f });

/* Symbols. */
BAD(sym_name_offset, -EINVAL, "symbol 3: string offset", { SYM(3, name), 1u << 31 });
BAD(sym_version_offset, -EINVAL, "symbol 2: string offset", { SYM(2, version), 9999 });
BAD(sym_library_offset, -EINVAL, "symbol 2: string offset", { SYM(2, library), 9999 });
BAD(sym_binding_zero, -EINVAL, "symbol 0 (target_var): unknown binding 0", { SYM(0, binding), 0 });
BAD(sym_binding_high, -EINVAL, "unknown binding 4", { SYM(0, binding), 4 });
BAD(sym_type, -EINVAL, "symbol 1 (.LC0): unknown type 4", { SYM(1, type), 4 });
BAD(sym_flags, -EOPNOTSUPP, "symbol 4 (weak_fn): unknown flags 0x4", { SYM(4, flags), 4 });
BAD(sym_reserved, -EINVAL, "symbol 5 (stderr): reserved", { SYM(5, reserved), 1 });
BAD(sym_target_weak, -EINVAL, "symbol 0 (target_var): WEAK on a non-external symbol",
    { SYM(0, flags), LKPP_SYM_F_WEAK });
BAD(sym_patch_weak, -EINVAL, "symbol 1 (.LC0): WEAK on a non-external symbol",
    { SYM(1, flags), LKPP_SYM_F_WEAK });
BAD(sym_target_version, -EINVAL, "symbol 2 (printf): version or library on a non-external",
    { SYM(2, binding), LKPP_SYM_TARGET });
BAD(sym_ifunc_patch, -EINVAL, "symbol 1 (.LC0): IFUNC on a patch symbol",
    { SYM(1, flags), LKPP_SYM_F_IFUNC }, { SYM(1, type), LKPP_STT_FUNC });
BAD(sym_ifunc_tls, -EINVAL, "symbol 3 (tls_var): IFUNC on a symbol of type 3, only FUNC",
    { SYM(3, flags), LKPP_SYM_F_IFUNC });
BAD(sym_ifunc_target_object, -EINVAL, "symbol 0 (target_var): IFUNC on a symbol of type 2",
    { SYM(0, flags), LKPP_SYM_F_IFUNC });
BAD(sym_ifunc_external_object, -EINVAL, "symbol 5 (stderr): IFUNC on a symbol of type 2",
    { SYM(5, flags), LKPP_SYM_F_IFUNC });
BAD(sym_ifunc_notype, -EINVAL, "symbol 0 (target_var): IFUNC on a symbol of type 0",
    { SYM(0, flags), LKPP_SYM_F_IFUNC }, { SYM(0, type), LKPP_STT_NOTYPE });
BAD(sym_target_section, -EINVAL, "symbol 0 (target_var): section on a non-patch",
    { SYM(0, section), 1 });
BAD(sym_patch_section, -EINVAL, "symbol 1 (.LC0): section 4 of 4", { SYM(1, section), 4 });
BAD(sym_patch_tls, -EINVAL, "symbol 1 (.LC0): a patch cannot define TLS",
    { SYM(1, type), LKPP_STT_TLS });
BAD(sym_patch_beyond, -EINVAL, "symbol 1 (.LC0): 0 bytes at 17 outside section 1",
    { SYM(1, value), 17 });
BAD(sym_patch_size_beyond, -EINVAL, "symbol 1 (.LC0): 8 bytes at 12",
    { SYM(1, value), 12 }, { SYM(1, size), 8 });
BAD(sym_external_no_name, -EINVAL, "symbol 4: external symbol needs a name", { SYM(4, name), 0 });
BAD(sym_external_value, -EINVAL, "symbol 2: external symbol needs a name and value 0",
    { SYM(2, value), 0x1000 });

/* Relocations. */
BAD(reloc_type, -EOPNOTSUPP, "reloc 0: relocation type 7 not supported",
    { REL(0, type), R_X86_64_JUMP_SLOT });
BAD(reloc_reserved, -EINVAL, "reloc 1: reserved", { REL(1, reserved), 1 });
BAD(reloc_section_range, -EINVAL, "reloc 2: section 9", { REL(2, section), 9 });
BAD(reloc_section_bss, -EINVAL, "reloc 3: section 3 is not a section with bytes",
    { REL(3, section), 3 });
BAD(reloc_beyond, -EINVAL, "reloc 0: 4 bytes at 61 outside section 0", { REL(0, offset), 61 });
BAD(reloc_wide_beyond, -EINVAL, "reloc 3: 8 bytes at 9 outside section 2", { REL(3, offset), 9 });
BAD(reloc_offset_wraps, -EINVAL, "outside section 0", { REL(4, offset), UINT64_MAX - 2 });
BAD(reloc_symbol, -EINVAL, "reloc 1: symbol 6 of 6", { REL(1, symbol), 6 });
BAD(reloc_tls_needs_tls, -EINVAL, "reloc 2: type 23 needs a TLS symbol, symbol 0 (target_var) is not",
    { REL(2, symbol), 0 });
BAD(reloc_plain_on_tls, -EINVAL, "cannot take a TLS symbol, symbol 3 (tls_var) is one",
    { REL(1, symbol), 3 });
BAD(reloc_overlap, -EINVAL, "reloc 1 overlaps reloc 0", { REL(1, offset), 7 });

/* Call sites (sorted: 0xf00 call func 0, 0x1010 call func 1, 0x2010 jmp func 1). */
BAD(callsite_entry_size, -EINVAL, "table 6 (CALLSITES): entry_size 8", { D(6, entry_size), 8 });
BAD(callsite_kind_zero, -EOPNOTSUPP, "callsite 0: unknown kind 0", { CS(0, kind), 0 });
BAD(callsite_kind_high, -EOPNOTSUPP, "callsite 2: unknown kind 3", { CS(2, kind), 3 });
BAD(callsite_func_range, -EINVAL, "callsite 1: func 3 is not a replaced function of 3",
    { CS(1, func), 3 });
BAD(callsite_func_new, -EINVAL, "callsite 1: func 2 is not a replaced function",
    { CS(1, func), 2 });
BAD(callsite_unsorted, -EINVAL, "callsite 1 at 0xe00: not sorted, or overlaps callsite 0",
    { CS(1, offset), 0xe00 });
BAD(callsite_same, -EINVAL, "callsite 1 at 0xf00: not sorted", { CS(1, offset), 0xf00 });
BAD(callsite_overlap, -EINVAL, "callsite 1 at 0xf04: not sorted, or overlaps callsite 0",
    { CS(1, offset), 0xf04 });
BAD(callsite_over_entry, -EINVAL, "callsite 0 at 0xffc overlaps the jump at an old entry (0x1000)",
    { CS(0, offset), 0xffc });
BAD(callsite_at_entry, -EINVAL, "callsite 1 at 0x1020 overlaps the jump at an old entry (0x1020)",
    { CS(1, offset), 0x1020 });
BAD(callsite_in_entry_jump, -EINVAL, "callsite 1 at 0x1024 overlaps the jump at an old entry (0x1020)",
    { CS(1, offset), 0x1024 });
BAD(callsite_wraps, -EINVAL, "callsite 2: offset 0xfffffffffffffffd wraps around",
    { CS(2, offset), UINT64_MAX - 2 });
BAD(callsite_reach, -EINVAL, "callsite 2 at 0x80001020: func 1 (_ZN2ns5otherEv) is beyond rel32 reach",
    { CS(2, offset), 0x80001020 });

/* Movable functions (sorted: func 0, func 1). */
BAD(movable_entry_size, -EINVAL, "table 7 (MOVABLE): entry_size 16", { D(7, entry_size), 16 });
BAD(movable_entry_small, -EINVAL, "table 7 (MOVABLE): entry_size 4", { D(7, entry_size), 4 });
BAD(movable_reserved, -EINVAL, "movable 1: reserved field is 0x1, not zero", { MV(1, reserved), 1 });
BAD(movable_func_range, -EINVAL, "movable 1: func 3 is not a replaced function of 3",
    { MV(1, func), 3 });
BAD(movable_func_new, -EINVAL, "movable 1: func 2 is not a replaced function", { MV(1, func), 2 });
BAD(movable_twice, -EINVAL, "movable 1: func 0 not sorted, or listed twice", { MV(1, func), 0 });
BAD(movable_unsorted, -EINVAL, "movable 1: func 0 not sorted", { MV(0, func), 1 }, { MV(1, func), 0 });

/* Resolve a mutation to a byte offset in the file as the writer laid it out. */
static uint64_t mut_offset(const uint8_t *b, const struct mut *m)
{
	uint64_t off, size;
	uint32_t esz;

	switch (m->loc) {
	case HDR:
		return m->off;
	case DIR:
		return DIR_OFF(b, m->index) + m->off;
	}
	off = table_off(b, m->index, &esz, &size);
	if (!esz)
		return off + (m->entry < 0 ? size + m->entry : (uint64_t)m->entry);
	return off + m->entry * esz + m->off;
}

TEST_F(bad, rejected)
{
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p = (void *)1;
	uint64_t at[2];
	int i;

	/* Resolve both places first: the first write may move the second. */
	for (i = 0; i < 2 && variant->m[i].loc; i++) {
		at[i] = mut_offset(self->buf, &variant->m[i]);
		ASSERT_LE(at[i] + variant->m[i].width, self->len);
	}
	for (i = 0; i < 2 && variant->m[i].loc; i++)
		put_le(self->buf + at[i], variant->m[i].width, variant->m[i].value);
	fix_checksum(self->buf, self->len);
	EXPECT_EQ(variant->err, lkpp_parse(self->buf, self->len, &p, err));
	EXPECT_EQ(NULL, p);
	EXPECT_NE(NULL, strstr(err, variant->msg)) TH_LOG("message: %s", err);
}

TEST_HARNESS_MAIN
