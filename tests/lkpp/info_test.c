// SPDX-License-Identifier: GPL-2.0
/* info_test.c: `lkpctl info` on patches made with the writer: the JSON and table output, errors in both modes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "lkpp_util.h"

/* The lkpctl under test: $LKPCTL (tests/lkpp/run-host sets it). */
static const char *lkpctl(void)
{
	const char *p = getenv("LKPCTL");

	return p && *p ? p : "build/bin/lkpctl";
}

static char *slurp(int fd)
{
	size_t len = 0, cap = 4096;
	char *s = malloc(cap);
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	while (s && (n = read(fd, s + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 2)
			s = realloc(s, cap *= 2);
	}
	if (s)
		s[len] = '\0';
	return s;
}

struct run {
	int status;		/* exit status, or -1 if it did not exit */
	char *out, *err;
};

/* Run lkpctl with args (NULL-terminated), stdout and stderr captured in files. */
static void run_lkpctl(struct run *r, const char *const *args)
{
	char *argv[16] = { (char *)lkpctl() };
	int out = fileno(tmpfile()), err = fileno(tmpfile()), st, i;
	pid_t pid;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = (char *)args[i];
	pid = fork();
	if (!pid) {
		dup2(out, 1);
		dup2(err, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->out = slurp(out);
	r->err = slurp(err);
	close(out);
	close(err);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

FIXTURE(info) {
	char dir[64], path[96];
	uint8_t *buf;
	size_t len;
};

FIXTURE_SETUP(info)
{
	char err[LKPP_ERR_SIZE];
	FILE *f;

	if (access(lkpctl(), X_OK))
		SKIP(return, "%s not built", lkpctl());
	strcpy(self->dir, "/tmp/lkpp_info.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/ref.lkpp", self->dir);
	ASSERT_EQ(0, ref_patch((void **)&self->buf, &self->len, err)) TH_LOG("%s", err);
	f = fopen(self->path, "wb");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(self->len, fwrite(self->buf, 1, self->len, f));
	ASSERT_EQ(0, fclose(f));
}

FIXTURE_TEARDOWN(info)
{
	unlink(self->path);
	rmdir(self->dir);
	free(self->buf);
}

static void rewrite(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f) {
		fwrite(buf, 1, len, f);
		fclose(f);
	}
}

/* The reference patch's functions, in the form scripts rely on. */
static const char ref_functions_json[] =
	"\"functions\":["
	"{\"name\":\"changed\",\"old_offset\":4096,\"old_size\":32,\"section\":0,"
	"\"new_offset\":0,\"new_size\":32,\"new\":false,\"movable\":true},"
	"{\"name\":\"_ZN2ns5otherEv\",\"old_offset\":4128,\"old_size\":16,\"section\":0,"
	"\"new_offset\":32,\"new_size\":16,\"new\":false,\"movable\":true},"
	"{\"name\":\"helper\",\"old_offset\":0,\"old_size\":0,\"section\":0,"
	"\"new_offset\":48,\"new_size\":16,\"new\":true,\"movable\":false}]";

TEST_F(info, json)
{
	const char *args[] = { "--json", "info", self->path, NULL };
	char head[512];
	struct run r;

	run_lkpctl(&r, args);
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ("", r.err);
	snprintf(head, sizeof(head),
		 "{\"file\":\"%s\",\"format_version\":\"1.5\",\"size\":%zu,"
		 "\"build_id\":\"deadbeef000102030405060708090a0b0c0d0eff\","
		 "\"target\":\"libdemo.so.1\",\"target_type\":\"dyn\",\"sections\":[", self->path,
		 self->len);
	EXPECT_EQ(0, strncmp(head, r.out, strlen(head))) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, ref_functions_json)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "{\"name\":\".bss\",\"kind\":\"bss\",\"size\":24,\"align\":32}"));
	EXPECT_NE(NULL, strstr(r.out, "{\"name\":\"printf\",\"binding\":\"external\","
				      "\"type\":\"func\",\"ifunc\":false,\"version\":\"GLIBC_2.2.5\","
				      "\"library\":\"libc.so.6\",\"weak\":false,\"size\":0}"));
	EXPECT_NE(NULL, strstr(r.out, "{\"section\":0,\"offset\":4,\"type\":\"R_X86_64_PC32\","
				      "\"symbol\":1,\"addend\":-4}"));
	EXPECT_NE(NULL, strstr(r.out, "\"callsites\":[{\"offset\":3840,\"func\":0,\"kind\":\"call\"},"
				      "{\"offset\":4112,\"func\":1,\"kind\":\"call\"},"
				      "{\"offset\":8208,\"func\":1,\"kind\":\"jmp\"}]}"));
	/* the id list shows, none superseded */
	snprintf(head, sizeof(head), "\"id\":\"%016llx\",\"supersedes\":[],\"callsites\"",
		 (unsigned long long)lkpp_file_id(self->buf, self->len));
	EXPECT_NE(NULL, strstr(r.out, head)) TH_LOG("%s", r.out);
	/* One object, one line. */
	EXPECT_EQ('}', r.out[strlen(r.out) - 2]);
	EXPECT_EQ(strlen(r.out) - 1, strchr(r.out, '\n') - r.out);
	run_free(&r);

	/* --json after the subcommand means the same. */
	args[0] = "info";
	args[1] = "--json";
	run_lkpctl(&r, args);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, ref_functions_json));
	run_free(&r);
}

TEST_F(info, table)
{
	const char *args[] = { "info", self->path, NULL };
	struct run r;

	run_lkpctl(&r, args);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "target:    libdemo.so.1 (shared object or PIE)\n"));
	EXPECT_NE(NULL, strstr(r.out, "build-id:  deadbeef000102030405060708090a0b0c0d0eff\n"));
	EXPECT_NE(NULL, strstr(r.out, "functions: 3\n"));
	EXPECT_NE(NULL, strstr(r.out, "  0x1000             32         32         changed (movable)\n"))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "  0x1020             16         16         _ZN2ns5otherEv (movable)\n"));
	EXPECT_NE(NULL, strstr(r.out, "  -                  -          16         helper (new)\n"));
	EXPECT_EQ(NULL, strstr(r.out, "relocations:\n"));
	EXPECT_NE(NULL, strstr(r.out, "relocations: 5, call sites: 3\n")) TH_LOG("%s", r.out);
	EXPECT_EQ(NULL, strstr(r.out, "call sites:\n"));
	run_free(&r);
}

TEST_F(info, verbose)
{
	const char *args[] = { "info", "-v", self->path, NULL };
	struct run r;

	run_lkpctl(&r, args);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "  3    bss     24         32     .bss\n")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "external  func    -                  printf@GLIBC_2.2.5 (libc.so.6)\n"));
	EXPECT_NE(NULL, strstr(r.out, "target    tls     0x8                tls_var\n"));
	EXPECT_NE(NULL, strstr(r.out, "patch     notype  1:0x0              .LC0\n"));
	EXPECT_NE(NULL, strstr(r.out, "  0    0x14                 TPOFF32          tls_var+0\n"));
	EXPECT_NE(NULL, strstr(r.out, "call sites:\n  OFFSET             KIND  FUNCTION\n"
				      "  0xf00              call  changed\n"
				      "  0x1010             call  _ZN2ns5otherEv\n"
				      "  0x2010             jmp   _ZN2ns5otherEv\n")) TH_LOG("%s", r.out);
	run_free(&r);
}

/*
 * An IFUNC symbol: its value is the resolver, which the table shows as type
 * "ifunc" and the JSON as "ifunc":true next to the type it has in the file.
 */
TEST_F(info, ifunc)
{
	const struct lkpp_symbol syms[] = {
		{ .name = "sum_bytes", .binding = LKPP_SYM_TARGET, .type = LKPP_STT_FUNC,
		  .flags = LKPP_SYM_F_IFUNC, .value = 0x2470 },
		{ .name = "strlen", .binding = LKPP_SYM_EXTERNAL, .type = LKPP_STT_FUNC,
		  .flags = LKPP_SYM_F_IFUNC, .version = "GLIBC_2.2.5", .library = "libc.so.6" },
	};
	struct lkpp_func f = { .name = "weigh", .old_offset = 0x24a0, .old_size = 35,
			       .new_size = 16 };
	struct lkpp_writer *w = lkpp_writer_new();
	const char *args[] = { "info", "-v", self->path, NULL };
	const char *jargs[] = { "info", "--json", self->path, NULL };
	char err[LKPP_ERR_SIZE];
	uint8_t text[16] = { 0 };
	struct run r;
	unsigned int i;

	ASSERT_EQ(0, lkpp_writer_set_target(w, "\x01", 1, "prog", ET_DYN));
	ASSERT_EQ(0, lkpp_writer_add_section(w, LKPP_SEC_TEXT, ".text", text, sizeof(text), 16));
	ASSERT_EQ(0, lkpp_writer_add_func(w, &f));
	for (i = 0; i < REF_NR(syms); i++)
		ASSERT_EQ(i, lkpp_writer_add_symbol(w, &syms[i]));
	ASSERT_EQ(0, lkpp_writer_write_file(w, self->path, err)) TH_LOG("%s", err);
	lkpp_writer_free(w);

	run_lkpctl(&r, args);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "  0    target    ifunc   0x2470             sum_bytes\n"))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "  1    external  ifunc   -                  "
				      "strlen@GLIBC_2.2.5 (libc.so.6)\n")) TH_LOG("%s", r.out);
	run_free(&r);
	run_lkpctl(&r, jargs);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "{\"name\":\"sum_bytes\",\"binding\":\"target\",\"type\":"
				      "\"func\",\"ifunc\":true,\"value\":9328,\"size\":0}"))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "{\"name\":\"strlen\",\"binding\":\"external\","
				      "\"type\":\"func\",\"ifunc\":true,\"version\":"))
		TH_LOG("%s", r.out);
	run_free(&r);
}

/* A malformed file: the reader's message, exit status 1, in both modes. */
TEST_F(info, bad_file)
{
	const char *args[] = { "info", self->path, NULL };
	const char *jargs[] = { "--json", "info", self->path, NULL };
	char want[256];
	struct run r;

	self->buf[self->len - 1] ^= 0xff;
	rewrite(self->path, self->buf, self->len);
	run_lkpctl(&r, args);
	EXPECT_EQ(1, r.status);
	EXPECT_STREQ("", r.out);
	snprintf(want, sizeof(want), "lkpctl: %s: Bad message (checksum mismatch", self->path);
	EXPECT_EQ(0, strncmp(want, r.err, strlen(want))) TH_LOG("%s", r.err);
	EXPECT_EQ(strlen(r.err) - 1, strchr(r.err, '\n') - r.err);
	run_free(&r);

	self->buf[self->len - 1] ^= 0xff;
	put_le(self->buf + HDR_FIELD(build_id_size), 1, 0);
	fix_checksum(self->buf, self->len);
	rewrite(self->path, self->buf, self->len);
	run_lkpctl(&r, jargs);
	EXPECT_EQ(1, r.status);
	snprintf(want, sizeof(want),
		 "{\"error\":{\"object\":\"%s\",\"errno\":%d,\"message\":\"%s\","
		 "\"hint\":\"build_id_size 0, must be 1..64\"}}\n", self->path, EINVAL,
		 strerror(EINVAL));
	EXPECT_STREQ(want, r.out);
	run_free(&r);
}

TEST_F(info, missing_file_and_usage)
{
	const char *missing[] = { "--json", "info", "/nonexistent/x.lkpp", NULL };
	const char *none[] = { "info", NULL };
	const char *two[] = { "info", self->path, self->path, NULL };
	const char *help[] = { "info", "--help", NULL };
	const char *bogus[] = { "info", "--bogus", self->path, NULL };
	struct run r;

	run_lkpctl(&r, missing);
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.out, "\"object\":\"/nonexistent/x.lkpp\",\"errno\":2,"));
	run_free(&r);
	/* Usage errors: status 2, as for lkpctl's own options. */
	run_lkpctl(&r, none);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "expects one PATCH file"));
	run_free(&r);
	run_lkpctl(&r, two);
	EXPECT_EQ(2, r.status);
	run_free(&r);
	run_lkpctl(&r, bogus);
	EXPECT_EQ(2, r.status);
	EXPECT_STREQ("lkpctl: --bogus: Invalid argument (unknown option; see lkpctl info --help)\n",
		     r.err);
	run_free(&r);
	run_lkpctl(&r, help);
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(0, strncmp("usage: lkpctl [--json] info", r.out, 27));
	run_free(&r);
}

/*
 * `lkpctl version` parses its options as info does: --json after the
 * subcommand, --help, and status 2 for a usage error. Whether lkp.ko is
 * loaded or not, --json makes the answer (or the error) one JSON object.
 */
TEST(version_options)
{
	const char *json[] = { "version", "--json", NULL };
	const char *help[] = { "version", "-h", NULL };
	const char *bogus[] = { "version", "--bogus", NULL };
	const char *extra[] = { "version", "extra", NULL };
	const char *before[] = { "--bogus", "version", NULL };
	struct run r;

	run_lkpctl(&r, json);
	if (r.status == 0) {
		EXPECT_EQ(0, strncmp("{\"lkpctl\":", r.out, 10)) TH_LOG("%s", r.out);
	} else {
		EXPECT_EQ(0, strncmp("{\"error\":{\"object\":\"/dev/lkp\"", r.out, 29))
			TH_LOG("status %d, %s", r.status, r.out);
	}
	EXPECT_NE(2, r.status);
	EXPECT_STREQ("", r.err);
	run_free(&r);
	run_lkpctl(&r, help);
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(0, strncmp("usage: lkpctl [--json] version", r.out, 30));
	run_free(&r);
	run_lkpctl(&r, bogus);
	EXPECT_EQ(2, r.status);
	EXPECT_STREQ("lkpctl: --bogus: Invalid argument (unknown option; see lkpctl version --help)\n",
		     r.err);
	run_free(&r);
	run_lkpctl(&r, extra);
	EXPECT_EQ(2, r.status);
	EXPECT_STREQ("lkpctl: extra: Invalid argument (unexpected argument; see lkpctl version --help)\n",
		     r.err);
	run_free(&r);
	run_lkpctl(&r, before);
	EXPECT_EQ(2, r.status);
	run_free(&r);
}

TEST_HARNESS_MAIN
