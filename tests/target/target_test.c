// SPDX-License-Identifier: GPL-2.0
/* target_test.c: target discovery and symbol resolution checked against what a live process's own loader says. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"

#include "dynsym.h"
#include "lkpp.h"
#include "procmaps.h"
#include "record.h"
#include "target.h"

#define MAX_OBJS 16

/* What the child reported: its loader's view, the oracle. */
struct report {
	unsigned int nr_objs;
	struct { unsigned long base; char id[2 * LKPP_BUILD_ID_MAX + 1]; char name[256]; } objs[MAX_OBJS];
	unsigned long printf_addr, memcpy_old, memcpy_new, strlen_addr, lib_counter;
	long exe_tls, lib_tls;
	unsigned long lib_modid;
};

FIXTURE(target) {
	pid_t pid;
	int to_child;
	struct report rep;
	struct lkp_session s;
	struct lkp_target *t;
	char err[LKP_ERR_SIZE];
};

FIXTURE_VARIANT(target) {
	const char *child;
};

FIXTURE_VARIANT_ADD(target, unstripped) { .child = "child" };
FIXTURE_VARIANT_ADD(target, stripped) { .child = "child-stripped" };

static void read_report(FILE *f, struct report *r)
{
	char line[512], name[256], id[2 * LKPP_BUILD_ID_MAX + 1];
	unsigned long v;
	void *p;
	long l;

	memset(r, 0, sizeof(*r));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "object %lx %128s %255s", &v, id, name) == 3 && r->nr_objs < MAX_OBJS) {
			r->objs[r->nr_objs].base = v;
			strcpy(r->objs[r->nr_objs].id, id);
			strcpy(r->objs[r->nr_objs].name, name);
			r->nr_objs++;
		} else if (sscanf(line, "printf %p", &p) == 1) {
			r->printf_addr = (unsigned long)p;
		} else if (sscanf(line, "memcpy@GLIBC_2.2.5 %p", &p) == 1) {
			r->memcpy_old = (unsigned long)p;
		} else if (sscanf(line, "memcpy@GLIBC_2.14 %p", &p) == 1) {
			r->memcpy_new = (unsigned long)p;
		} else if (sscanf(line, "strlen %p", &p) == 1) {
			r->strlen_addr = (unsigned long)p;
		} else if (sscanf(line, "lib_counter %p", &p) == 1) {
			r->lib_counter = (unsigned long)p;
		} else if (sscanf(line, "exe_tls %ld", &l) == 1) {
			r->exe_tls = l;
		} else if (sscanf(line, "lib_tls %ld", &l) == 1) {
			r->lib_tls = l;
		} else if (sscanf(line, "lib_modid %lu", &v) == 1) {
			r->lib_modid = v;
		} else if (!strncmp(line, "ready", 5)) {
			return;
		}
	}
}

FIXTURE_SETUP(target)
{
	char exe[PATH_MAX], path[PATH_MAX + 32], memp[64];
	int in[2], out[2];
	ssize_t n;
	FILE *f;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_GT(n, 0);
	exe[n] = 0;
	snprintf(path, sizeof(path), "%s/%s", dirname(exe), variant->child);
	ASSERT_EQ(0, pipe(in));
	ASSERT_EQ(0, pipe(out));
	self->pid = fork();
	ASSERT_GE(self->pid, 0);
	if (!self->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		/* Only the test may hold the write end: its close is the child's EOF. */
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	self->to_child = in[1];
	f = fdopen(out[0], "r");
	ASSERT_NE(NULL, f);
	/* The handshake: the child has reported everything and waits on stdin. */
	read_report(f, &self->rep);
	fclose(f);
	ASSERT_GE(self->rep.nr_objs, 3);
	/* A read-only look is all discovery needs: no module on the host. */
	memset(&self->s, 0, sizeof(self->s));
	self->s.pid = self->pid;
	self->s.fd = -1;
	snprintf(memp, sizeof(memp), "/proc/%d/mem", self->pid);
	self->s.mem_fd = open(memp, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->s.mem_fd);
	ASSERT_EQ(0, lkp_target_open(&self->s, &self->t, self->err)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, lkp_target_linkmap(self->t, self->err)) TH_LOG("%s", self->err);
}

FIXTURE_TEARDOWN(target)
{
	int st;

	lkp_target_free(self->t);
	if (self->s.mem_fd >= 0)
		close(self->s.mem_fd);
	close(self->to_child);
	waitpid(self->pid, &st, 0);
}

static struct lkp_object *by_hex(struct lkp_target *t, const char *hex)
{
	char buf[2 * LKPP_BUILD_ID_MAX + 1];
	unsigned int i;

	for (i = 0; i < t->nr_objs; i++) {
		lkpp_build_id_hex(t->objs[i].build_id, t->objs[i].build_id_size, buf);
		if (t->objs[i].build_id_size && !strcmp(buf, hex))
			return &t->objs[i];
	}
	return NULL;
}

static struct lkp_object *named(struct lkp_target *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->nr_objs; i++)
		if (!strcmp(t->objs[i].name, name))
			return &t->objs[i];
	return NULL;
}

/* Every object the loader lists is found, by its build-id, at the loader's base. */
TEST_F(target, objects_by_build_id_at_the_loaders_base)
{
	unsigned int i;

	for (i = 0; i < self->rep.nr_objs; i++) {
		struct lkp_object *o;

		/* The vDSO is the kernel's, not a file: nothing to patch there. */
		if (!strncmp(self->rep.objs[i].name, "linux-vdso", 10))
			continue;
		o = by_hex(self->t, self->rep.objs[i].id);
		ASSERT_NE(NULL, o) TH_LOG("%s (%s) not found", self->rep.objs[i].name,
					  self->rep.objs[i].id);
		EXPECT_EQ(self->rep.objs[i].base, o->base) TH_LOG("%s", o->path);
		EXPECT_LE(o->lo, o->first_start);
		EXPECT_LT(o->first_start, o->hi);
	}
	/* The executable comes first in the search order. */
	ASSERT_GT(self->t->nr_search, 0);
	EXPECT_EQ(0, strcmp(self->t->search[0]->name, variant->child));
	EXPECT_EQ(ET_EXEC, self->t->search[0]->e_type);
}

TEST_F(target, functions_by_name_and_version)
{
	struct lkp_addr a;

	ASSERT_EQ(0, lkp_target_resolve(self->t, "printf", "", "", false, &a, self->err))
		TH_LOG("%s", self->err);
	EXPECT_EQ(self->rep.printf_addr, a.addr);
	ASSERT_EQ(0, lkp_target_resolve(self->t, "printf", "GLIBC_2.2.5", "libc.so.6", false, &a,
					self->err));
	EXPECT_EQ(self->rep.printf_addr, a.addr);
	/* glibc has two memcpy: the version picks one. */
	ASSERT_EQ(0, lkp_target_resolve(self->t, "memcpy", "GLIBC_2.2.5", "", false, &a, self->err))
		TH_LOG("%s", self->err);
	EXPECT_EQ(self->rep.memcpy_old, a.addr);
	ASSERT_EQ(0, lkp_target_resolve(self->t, "memcpy", "GLIBC_2.14", "", false, &a, self->err))
		TH_LOG("%s", self->err);
	EXPECT_EQ(self->rep.memcpy_new, a.addr);
	EXPECT_NE(self->rep.memcpy_old, self->rep.memcpy_new);
	/* No version: the default one, as the loader binds an unversioned reference. */
	ASSERT_EQ(0, lkp_target_resolve(self->t, "memcpy", NULL, NULL, false, &a, self->err));
	EXPECT_EQ(self->rep.memcpy_new, a.addr);
}

TEST_F(target, ifunc_resolves_to_what_the_process_resolved)
{
	struct lkp_addr a;

	ASSERT_EQ(0, lkp_target_resolve(self->t, "strlen", "GLIBC_2.2.5", "", false, &a,
					self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(self->rep.strlen_addr, a.addr);
}

TEST_F(target, missing_symbol_or_version_is_enoent_naming_it)
{
	struct lkp_addr a;

	EXPECT_EQ(-ENOENT, lkp_target_resolve(self->t, "no_such_function_anywhere", "", "", false,
					      &a, self->err));
	EXPECT_NE(NULL, strstr(self->err, "no_such_function_anywhere"));
	EXPECT_EQ(-ENOENT, lkp_target_resolve(self->t, "printf", "GLIBC_9.9", "", false, &a,
					      self->err));
	EXPECT_NE(NULL, strstr(self->err, "printf@GLIBC_9.9"));
	/* A function is not a thread-local, nor the other way round. */
	EXPECT_EQ(-ENOENT, lkp_target_resolve(self->t, "printf", "", "", true, &a, self->err));
}

/* The library's own lib_counter is dead: the executable's copy is the live one. */
TEST_F(target, copy_relocated_variable_is_the_executables_copy)
{
	struct lkp_object *lib = named(self->t, "libtls.so");
	struct lkp_addr a;
	GElf_Sym s;

	ASSERT_NE(NULL, lib);
	ASSERT_EQ(0, lkp_object_elf(self->t, lib, self->err));
	ASSERT_EQ(0, lkp_elf_lookup(lib->elf, "lib_counter", NULL, &s));
	EXPECT_NE(self->rep.lib_counter, lib->base + s.st_value);
	EXPECT_EQ(self->rep.lib_counter, lkp_target_data_addr(self->t, lib, "lib_counter",
							       s.st_value));
	/* Another name at that address is not redirected. */
	EXPECT_EQ(lib->base + s.st_value, lkp_target_data_addr(self->t, lib, "other", s.st_value));
	ASSERT_EQ(0, lkp_target_resolve(self->t, "lib_counter", "", "", false, &a, self->err));
	EXPECT_EQ(self->rep.lib_counter, a.addr);
}

TEST_F(target, static_tls_offsets_match_the_thread_pointer)
{
	struct lkp_addr a;
	int64_t off;

	ASSERT_EQ(0, lkp_target_resolve(self->t, "exe_tls", "", "", true, &a, self->err))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, lkp_object_tpoff(self->t, a.obj, &off, self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(self->rep.exe_tls, off + (int64_t)a.tls_value);
	ASSERT_EQ(0, lkp_target_resolve(self->t, "lib_tls", "", "", true, &a, self->err))
		TH_LOG("%s", self->err);
	EXPECT_EQ(0, strcmp(a.obj->name, "libtls.so"));
	ASSERT_EQ(0, lkp_object_tpoff(self->t, a.obj, &off, self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(self->rep.lib_tls, off + (int64_t)a.tls_value);
	/* General dynamic TLS: the module id __tls_get_addr takes. */
	ASSERT_NE(0, self->rep.lib_modid);
	EXPECT_EQ(self->rep.lib_modid, a.obj->tls_modid);
}

/* A second look at the same process (what apply --all does for every process) agrees. */
TEST_F(target, second_look_from_the_file_cache_agrees)
{
	struct lkp_target *t2;
	struct lkp_addr a, b;
	unsigned int i;

	ASSERT_EQ(0, lkp_target_open(&self->s, &t2, self->err)) TH_LOG("%s", self->err);
	ASSERT_EQ(self->t->nr_objs, t2->nr_objs);
	for (i = 0; i < t2->nr_objs; i++) {
		EXPECT_EQ(self->t->objs[i].base, t2->objs[i].base);
		EXPECT_EQ(self->t->objs[i].e_type, t2->objs[i].e_type);
		EXPECT_EQ(self->t->objs[i].build_id_size, t2->objs[i].build_id_size);
		EXPECT_EQ(0, memcmp(self->t->objs[i].build_id, t2->objs[i].build_id,
				    sizeof(t2->objs[i].build_id)));
	}
	ASSERT_EQ(0, lkp_target_resolve(self->t, "lib_tls", "", "", true, &a, self->err));
	ASSERT_EQ(0, lkp_target_resolve(t2, "lib_tls", "", "", true, &b, self->err));
	EXPECT_EQ(a.tls_value, b.tls_value);
	ASSERT_EQ(0, lkp_target_resolve(t2, "memcpy", "GLIBC_2.2.5", "", false, &b, self->err));
	EXPECT_EQ(self->rep.memcpy_old, b.addr);
	lkp_target_free(t2);
}

/*
 * The hand-written maps parser reads every line of a real maps file as
 * sscanf() reads it (this process's own: files, anonymous memory, [stack],
 * a path with spaces), and refuses lines that are not in the format.
 */
TEST(maps_lines_parse_as_sscanf_reads_them)
{
	static const char *const bad[] = {
		"", "7f00-", "7f00-7e00 r--p 00000000 00:00 0",
		"7f00-7f10 r--p", "7f00-7f10 r-p 00000000 00:00 0",
		"7f00-7f10 r--p 0000000g 00:00 0", "7f00-7f10 r--p 00000000 00-00 0",
		"7f00-7f10 r--p 00000000 00:00 x", "x7f00-7f10 r--p 00000000 00:00 0",
	};
	char name[] = "/tmp/lkp maps test XXXXXX", line[4352], path[4096], perms[8];
	unsigned long long start, end, off, ino;
	unsigned int maj, min, i, n = 0, spaced = 0;
	struct lkp_vma v;
	void *map;
	FILE *f;
	int fd;

	fd = mkstemp(name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 4096));
	map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	f = fopen("/proc/self/maps", "re");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		path[0] = '\0';
		ASSERT_LE(7, sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %4095[^\n]", &start, &end,
				    perms, &off, &maj, &min, &ino, path));
		ASSERT_EQ(0, lkp_maps_parse_line(line, &v)) TH_LOG("%s", line);
		EXPECT_EQ(start, v.start);
		EXPECT_EQ(end, v.end);
		EXPECT_STREQ(perms, v.perms);
		EXPECT_EQ(off, v.offset);
		EXPECT_EQ(maj, v.dev_major);
		EXPECT_EQ(min, v.dev_minor);
		EXPECT_EQ(ino, v.inode);
		EXPECT_STREQ(path, v.path);
		EXPECT_EQ(perms[3] == 's', v.shared);
		EXPECT_EQ(!!(v.prot & PROT_EXEC), perms[2] == 'x');
		spaced += !strcmp(v.path, name);
		n++;
	}
	fclose(f);
	munmap(map, 4096);
	close(fd);
	unlink(name);
	EXPECT_LT(5, n);
	EXPECT_EQ(1, spaced);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, lkp_maps_parse_line(bad[i], &v)) TH_LOG("bad line %u", i);
}

/* A record with two superseded ids, as link.c lays one out: header, then the ids. */
struct rec5 {
	struct lkp_rec_hdr h;
	uint64_t ids[2];
};

static struct rec5 rec5(void)
{
	struct rec5 r;

	memset(&r, 0, sizeof(r));
	memcpy(r.h.magic, LKP_REC_MAGIC, sizeof(r.h.magic));
	r.h.version = 5;
	r.h.size = sizeof(r);
	r.h.patch_id = 0x1122334455667788ULL;
	r.h.build_id_size = 20;
	r.h.funcs_off = sizeof(r.h);
	r.h.supersedes_off = offsetof(struct rec5, ids);
	r.h.nr_supersedes = 2;
	r.ids[0] = 0xaaaa000000000001ULL;
	r.ids[1] = 0xbbbb000000000002ULL;
	return r;
}

/*
 * The records lkp_records_read() finds in this process with r, alone, in a
 * read-only anonymous page (where lkp keeps them): *v and the count.
 */
static unsigned int records_with(const struct rec5 *r, struct lkp_applied **v)
{
	struct lkp_session s = { .pid = getpid(), .fd = -1 };
	unsigned int n = ~0u;
	void *page;

	*v = NULL;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s.mem_fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	if (page != MAP_FAILED && s.mem_fd >= 0) {
		memcpy(page, r, sizeof(*r));
		if (mprotect(page, 4096, PROT_READ) || lkp_records_read(&s, v, &n))
			n = ~0u;
	}
	if (s.mem_fd >= 0)
		close(s.mem_fd);
	if (page != MAP_FAILED)
		munmap(page, 4096);
	return n;
}

/*
 * Version 5 records keep the ids a patch supersedes (apply refuses to bring
 * one back over it); older ones have none; a record whose list lies
 * outside it, or is misaligned, or claims more than it holds, is no record.
 */
TEST(records_keep_the_superseded_ids_and_malformed_ones_are_skipped)
{
	struct lkp_applied *v;
	struct rec5 r;

	r = rec5();
	ASSERT_EQ(1, records_with(&r, &v));
	EXPECT_EQ(r.h.patch_id, v[0].hdr->patch_id);
	ASSERT_EQ(2, v[0].nr_supersedes);
	EXPECT_EQ(r.ids[0], v[0].supersedes[0]);
	EXPECT_EQ(r.ids[1], v[0].supersedes[1]);
	lkp_applied_free(v, 1);

	/* Version 4 had no such fields: whatever lies there is not read. */
	r = rec5();
	r.h.version = 4;
	ASSERT_EQ(1, records_with(&r, &v));
	EXPECT_EQ(0, v[0].nr_supersedes);
	lkp_applied_free(v, 1);

	r = rec5();
	r.h.supersedes_off = sizeof(r) - 8;	/* the second id past the end */
	EXPECT_EQ(0, records_with(&r, &v));
	free(v);
	r = rec5();
	r.h.supersedes_off += 4;		/* not 8-aligned */
	EXPECT_EQ(0, records_with(&r, &v));
	free(v);
	r = rec5();
	r.h.supersedes_off = 8;			/* inside the header */
	EXPECT_EQ(0, records_with(&r, &v));
	free(v);
	r = rec5();
	r.h.nr_supersedes = 0x40000000;
	EXPECT_EQ(0, records_with(&r, &v));
	free(v);
	r = rec5();
	r.h.version = 6;			/* a later tool's: not understood, not touched */
	EXPECT_EQ(0, records_with(&r, &v));
	free(v);
}

TEST(gone_process_is_esrch)
{
	struct lkp_session s = { .pid = 0x3ffffff0, .fd = -1, .mem_fd = -1 };
	char err[LKP_ERR_SIZE];
	struct lkp_target *t;

	EXPECT_EQ(-ESRCH, lkp_target_open(&s, &t, err));
	EXPECT_EQ(NULL, t);
}

TEST_HARNESS_MAIN
