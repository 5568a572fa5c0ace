// SPDX-License-Identifier: GPL-2.0
/* watch_test.c: the exec/mmap watcher (bpf/lkp_watch.bpf.c, user/lib/watch.c) against real execs, dlopen and linked libraries. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"

#include "watch.h"

#define NR_EXECS	20
#define MAX_EVENTS	1024
#define OVERLAYFS_MAGIC	0x794c7630
#define BTRFS_MAGIC	0x9123683e
/* A library of the root file system that the helper does not link. */
#define ROOTFS_LIB	"/lib/x86_64-linux-gnu/libz.so.1"
#define ROOTFS_SYM	"zlibVersion"

FIXTURE(watch) {
	struct lkp_watch *w;
	char tmp[64];			/* scratch directory on /tmp */
	char vartmp[64];		/* and one on the root file system */
	char bin[PATH_MAX];		/* build/tests/bpf */
	char helper[PATH_MAX], linked[PATH_MAX], lib[PATH_MAX];
	char copy[PATH_MAX];		/* the helper, byte for byte, another inode */
	char root_helper[PATH_MAX], root_lib[PATH_MAX];	/* copies on the root fs */
	struct lkp_watch_event ev[MAX_EVENTS];
	int nr_ev, overflow;
};

static int collect(const struct lkp_watch_event *e, void *arg)
{
	FIXTURE_DATA(watch) *self = arg;

	if (self->nr_ev == MAX_EVENTS) {
		self->overflow++;
		return 0;
	}
	self->ev[self->nr_ev++] = *e;
	return 0;
}

/*
 * Every event of an exec or mmap that has returned is in the ring buffer
 * already (reported before the syscall returns), and the buffer's fd is
 * level-triggered: a poll that does not wait takes them all.
 */
static int drain(FIXTURE_DATA(watch) *self)
{
	int ret;

	self->nr_ev = 0;
	self->overflow = 0;
	do
		ret = lkp_watch_poll(self->w, 0, collect, self);
	while (ret > 0);
	return ret;
}

/* Runs PATH with ARGV; returns its pid once it exited 0, or -1. Its stdout goes to out if not NULL. */
static pid_t run(const char *path, char *const argv[], char *out, size_t outsz)
{
	int pfd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execv(path, argv);
		_exit(127);
	}
	close(pfd[1]);
	while (out && got + 1 < (ssize_t)outsz && (n = read(pfd[0], out + got, outsz - got - 1)) > 0)
		got += n;
	if (out)
		out[got] = '\0';
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return pid;
}

static pid_t run0(const char *path)
{
	char *argv[] = { (char *)path, NULL };

	return run(path, argv, NULL, 0);
}

static int copy_file(const char *from, const char *to)
{
	char cmd[2 * PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	return system(cmd);
}

FIXTURE_SETUP(watch)
{
	char exe[PATH_MAX];
	ssize_t n;
	int ret;

	/*
	 * No SKIP: lkpd depends on this program, a kernel that refuses it is a
	 * failure. First, so that a failure leaves no scratch files behind (the
	 * harness runs no teardown after a failed setup).
	 */
	ret = lkp_watch_open(&self->w);
	if (ret)
		TH_LOG("cannot load or attach bpf/lkp_watch.bpf.c: %s", strerror(-ret));
	ASSERT_EQ(0, ret);

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_GT(n, 0);
	exe[n] = '\0';
	strcpy(self->bin, dirname(exe));
	snprintf(self->helper, sizeof(self->helper), "%s/watch_helper", self->bin);
	snprintf(self->linked, sizeof(self->linked), "%s/watch_linked", self->bin);
	snprintf(self->lib, sizeof(self->lib), "%s/libwatched.so", self->bin);
	strcpy(self->tmp, "/tmp/lkp-watch-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->tmp));
	strcpy(self->vartmp, "/var/tmp/lkp-watch-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->vartmp));
	snprintf(self->copy, sizeof(self->copy), "%s/watch_helper", self->tmp);
	snprintf(self->root_helper, sizeof(self->root_helper), "%s/watch_helper", self->vartmp);
	snprintf(self->root_lib, sizeof(self->root_lib), "%s/libwatched.so", self->vartmp);
	ASSERT_EQ(0, copy_file(self->helper, self->copy));
	ASSERT_EQ(0, copy_file(self->helper, self->root_helper));
	ASSERT_EQ(0, copy_file(self->lib, self->root_lib));
	ASSERT_EQ(0, drain(self));
}

FIXTURE_TEARDOWN(watch)
{
	__u64 lost = 1;

	if (self->w) {
		EXPECT_EQ(0, lkp_watch_dropped(self->w, &lost));
		EXPECT_EQ(0, lost);
		lkp_watch_close(self->w);
	}
	unlink(self->copy);
	unlink(self->root_helper);
	unlink(self->root_lib);
	rmdir(self->tmp);
	rmdir(self->vartmp);
}

static bool key_is(const struct lkp_watch_event *e, const struct lkp_watch_key *k)
{
	return e->dev == k->dev && e->ino == k->ino;
}

static void print_keys(const char *path, const struct lkp_watch_keys *k)
{
	struct statfs sfs;
	struct stat st;

	if (stat(path, &st) || statfs(path, &sfs))
		return;
	ksft_print_msg("%s: fs 0x%lx st_dev %u:%u st_ino %llu; exec key %u:%u %llu, map key %u:%u %llu\n",
		       path, (long)sfs.f_type, major(st.st_dev), minor(st.st_dev),
		       (unsigned long long)st.st_ino,
		       k->exec.dev >> LKP_KDEV_MINORBITS, k->exec.dev & ((1U << LKP_KDEV_MINORBITS) - 1),
		       (unsigned long long)k->exec.ino,
		       k->map.dev >> LKP_KDEV_MINORBITS, k->map.dev & ((1U << LKP_KDEV_MINORBITS) - 1),
		       (unsigned long long)k->map.ino);
	/* The harness ends each test with _exit(): flush, or the line is lost. */
	fflush(stdout);
}

/*
 * N execs of PATH give exactly N exec events, one per child, and nothing
 * else from our children: not the ELF loader's mappings of the executable.
 * Other processes may run PATH meanwhile (/bin/true): they do not count.
 */
static void check_execs(struct __test_metadata *_metadata, FIXTURE_DATA(watch) *self,
			const char *path, __u64 cookie, const char *other)
{
	struct lkp_watch_keys keys;
	pid_t pids[NR_EXECS];
	int i, j, found;

	ASSERT_EQ(0, lkp_watch_add(self->w, path, cookie, &keys));
	print_keys(path, &keys);
	for (i = 0; i < NR_EXECS; i++) {
		pids[i] = run0(path);
		ASSERT_GT(pids[i], 0);
		if (other)
			ASSERT_GT(run0(other), 0);
	}
	ASSERT_EQ(0, drain(self));
	ASSERT_EQ(0, self->overflow);
	for (i = 0; i < NR_EXECS; i++) {
		found = 0;
		for (j = 0; j < self->nr_ev; j++) {
			if (self->ev[j].tgid != (__u32)pids[i])
				continue;
			found++;
			EXPECT_EQ(LKP_WATCH_EXEC, self->ev[j].kind);
			EXPECT_EQ(pids[i], self->ev[j].pid);
			EXPECT_EQ(cookie, self->ev[j].cookie);
			EXPECT_TRUE(key_is(&self->ev[j], &keys.exec));
			EXPECT_EQ(0, self->ev[j].addr);
		}
		EXPECT_EQ(1, found);
	}
	for (j = 0; j < self->nr_ev; j++)
		EXPECT_EQ(cookie, self->ev[j].cookie);
}

/* The helper, N times: N events, in order; its copy (same bytes, another inode) and /bin/true: none. */
TEST_F(watch, exec_counts)
{
	check_execs(_metadata, self, self->helper, 0x1234, self->copy);
	ASSERT_EQ(NR_EXECS, self->nr_ev);
	ASSERT_EQ(0, run0("/bin/true") > 0 ? drain(self) : -1);
	ASSERT_EQ(0, self->nr_ev);
}

/* The same on tmpfs. */
TEST_F(watch, exec_tmpfs)
{
	check_execs(_metadata, self, self->copy, 0x55, self->helper);
	ASSERT_EQ(NR_EXECS, self->nr_ev);
}

/* A copy on the root file system: ext4 on the host, the tmpfs upper layer of an overlay in the VM. */
TEST_F(watch, exec_rootfs_copy)
{
	check_execs(_metadata, self, self->root_helper, 0x66, self->helper);
	ASSERT_EQ(NR_EXECS, self->nr_ev);
}

/* /bin/true: on the host ext4, in the VM the 9p lower layer of the overlay. */
TEST_F(watch, exec_rootfs)
{
	check_execs(_metadata, self, "/bin/true", 7, NULL);
}

/*
 * The exec key's device is the kernel's encoding of the superblock's
 * device: MKDEV(major, minor) = major << 20 | minor, where st_dev is glibc's
 * makedev(). Equal for anonymous devices (major 0: tmpfs, 9p, overlay),
 * different for a block device.
 */
TEST_F(watch, dev_encoding)
{
	const char *paths[] = { self->helper, self->copy, self->root_helper, "/bin/true" };
	struct lkp_watch_keys keys;
	struct statfs sfs;
	struct stat st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		ASSERT_EQ(0, lkp_watch_keys(paths[i], &keys));
		ASSERT_EQ(0, stat(paths[i], &st));
		ASSERT_EQ(0, statfs(paths[i], &sfs));
		print_keys(paths[i], &keys);
		EXPECT_EQ(st.st_ino, keys.exec.ino);
		if (sfs.f_type == OVERLAYFS_MAGIC || sfs.f_type == BTRFS_MAGIC)
			continue;
		EXPECT_EQ(LKP_KDEV(major(st.st_dev), minor(st.st_dev)), keys.exec.dev);
		if (major(st.st_dev))
			EXPECT_NE(st.st_dev, keys.exec.dev);
		/* Off overlayfs a mapping holds the file it was given. */
		EXPECT_TRUE(key_is(&(struct lkp_watch_event){ .dev = keys.map.dev, .ino = keys.map.ino },
				   &keys.exec));
	}
	ASSERT_EQ(-ENOENT, lkp_watch_keys("/nonexistent/lkp", &keys));
}

/*
 * The one event of a library mapping from our child: kind, tgid, and a
 * range that holds the symbol the child resolved.
 */
static void check_lib_event(struct __test_metadata *_metadata, FIXTURE_DATA(watch) *self,
			    const struct lkp_watch_keys *keys, __u64 cookie, pid_t pid, const char *out)
{
	unsigned long fn;
	int j, found = 0;

	ASSERT_EQ(1, sscanf(out, "%lx", &fn));
	ASSERT_EQ(0, drain(self));
	for (j = 0; j < self->nr_ev; j++) {
		if (self->ev[j].tgid != (__u32)pid)
			continue;
		found++;
		EXPECT_EQ(LKP_WATCH_MMAP, self->ev[j].kind);
		EXPECT_EQ(pid, self->ev[j].pid);
		EXPECT_EQ(cookie, self->ev[j].cookie);
		EXPECT_TRUE(key_is(&self->ev[j], &keys->map));
		EXPECT_LE(self->ev[j].addr, fn);
		EXPECT_LT(fn, self->ev[j].addr + self->ev[j].len);
		EXPECT_EQ(0, self->ev[j].addr & 4095);
	}
	EXPECT_EQ(1, found);
}

static void check_dlopen(struct __test_metadata *_metadata, FIXTURE_DATA(watch) *self,
			 const char *lib, const char *sym)
{
	char *argv[] = { self->helper, "dlopen", (char *)lib, (char *)sym, NULL };
	struct lkp_watch_keys keys;
	char out[64];
	pid_t pid;

	ASSERT_EQ(0, lkp_watch_add(self->w, lib, 2, &keys));
	print_keys(lib, &keys);
	pid = run(self->helper, argv, out, sizeof(out));
	ASSERT_GT(pid, 0);
	check_lib_event(_metadata, self, &keys, 2, pid, out);
}

/* dlopen maps the library's code once: one mmap event; its PROT_READ mappings give none. */
TEST_F(watch, dlopen_mmap)
{
	check_dlopen(_metadata, self, self->lib, "watched_fn");
	ASSERT_EQ(1, self->nr_ev);
}

/* The same from the root file system: in the VM the overlay's upper (tmpfs) and lower (9p) layers. */
TEST_F(watch, dlopen_rootfs_copy)
{
	check_dlopen(_metadata, self, self->root_lib, "watched_fn");
	ASSERT_EQ(1, self->nr_ev);
}

TEST_F(watch, dlopen_rootfs)
{
	check_dlopen(_metadata, self, ROOTFS_LIB, ROOTFS_SYM);
}

/* A library the loader maps at start (DT_NEEDED). */
TEST_F(watch, linked_mmap)
{
	char *argv[] = { self->linked, NULL };
	struct lkp_watch_keys keys;
	char out[64];
	pid_t pid;

	ASSERT_EQ(0, lkp_watch_add(self->w, self->lib, 2, &keys));
	pid = run(self->linked, argv, out, sizeof(out));
	ASSERT_GT(pid, 0);
	check_lib_event(_metadata, self, &keys, 2, pid, out);
	ASSERT_EQ(1, self->nr_ev);
}

/* Removing the watch stops the events; adding it again brings them back. */
TEST_F(watch, remove_stops)
{
	struct lkp_watch_keys keys;
	int i;

	ASSERT_EQ(0, lkp_watch_add(self->w, self->helper, 3, &keys));
	ASSERT_EQ(-EEXIST, lkp_watch_add(self->w, self->helper, 4, NULL));
	ASSERT_EQ(-EEXIST, lkp_watch_add_key(self->w, &keys.exec, 4));
	for (i = 0; i < NR_EXECS; i++)
		ASSERT_GT(run0(self->helper), 0);
	ASSERT_EQ(0, drain(self));
	ASSERT_EQ(NR_EXECS, self->nr_ev);
	EXPECT_EQ(3, self->ev[0].cookie);

	ASSERT_EQ(0, lkp_watch_remove(self->w, self->helper));
	for (i = 0; i < NR_EXECS; i++)
		ASSERT_GT(run0(self->helper), 0);
	ASSERT_EQ(0, drain(self));
	ASSERT_EQ(0, self->nr_ev);
	ASSERT_EQ(-ENOENT, lkp_watch_remove(self->w, self->helper));
	ASSERT_EQ(-ENOENT, lkp_watch_remove_key(self->w, &keys.exec));

	ASSERT_EQ(0, lkp_watch_add_key(self->w, &keys.exec, 5));
	ASSERT_GT(run0(self->helper), 0);
	ASSERT_EQ(0, drain(self));
	ASSERT_EQ(1, self->nr_ev);
	EXPECT_EQ(5, self->ev[0].cookie);
}

struct resetter {
	struct lkp_watch *w;
	struct lkp_watch_keys keys;
	atomic_bool stop;
	int sets, err;
};

/* What lkpd does on every rescan of its store: set the keys it wants again. */
static void *reset_keys(void *arg)
{
	struct resetter *r = arg;

	while (!atomic_load(&r->stop) && !r->err) {
		r->err = lkp_watch_set_keys(r->w, &r->keys, 6 + (r->sets & 1));
		r->sets++;
	}
	return NULL;
}

/*
 * Keys set again and again, with a cookie that changes, while the helper
 * execs: every exec is still reported, with one of the two cookies (a key
 * set again is updated in place, never out of the map for a moment).
 */
TEST_F(watch, set_keys_in_place)
{
	struct resetter r = { .w = self->w };
	pthread_t t;
	int i;

	ASSERT_EQ(0, lkp_watch_keys(self->helper, &r.keys));
	ASSERT_EQ(0, lkp_watch_set_keys(self->w, &r.keys, 6));
	ASSERT_EQ(0, pthread_create(&t, NULL, reset_keys, &r));
	for (i = 0; i < NR_EXECS; i++)
		ASSERT_GT(run0(self->helper), 0);
	atomic_store(&r.stop, true);
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, r.err);
	TH_LOG("keys set %d times during %d execs", r.sets, NR_EXECS);
	ASSERT_GT(r.sets, NR_EXECS);
	ASSERT_EQ(0, drain(self));
	ASSERT_EQ(NR_EXECS, self->nr_ev);
	for (i = 0; i < self->nr_ev; i++)
		EXPECT_TRUE(self->ev[i].cookie == 6 || self->ev[i].cookie == 7);
	/* Already watched: add refuses, set does not; remove then finds it. */
	ASSERT_EQ(-EEXIST, lkp_watch_add_key(self->w, &r.keys.exec, 8));
	ASSERT_EQ(0, lkp_watch_remove_keys(self->w, &r.keys));
}

/* Both keys or neither: a library on the overlay watched, then removed, in one call each. */
TEST_F(watch, remove_library)
{
	char *argv[] = { self->helper, "dlopen", self->root_lib, "watched_fn", NULL };
	struct lkp_watch_keys keys;
	char out[64];

	ASSERT_EQ(0, lkp_watch_add(self->w, self->root_lib, 9, &keys));
	ASSERT_EQ(0, lkp_watch_remove(self->w, self->root_lib));
	ASSERT_EQ(-ENOENT, lkp_watch_remove_key(self->w, &keys.map));
	ASSERT_GT(run(self->helper, argv, out, sizeof(out)), 0);
	ASSERT_EQ(0, drain(self));
	ASSERT_EQ(0, self->nr_ev);
}

TEST_F(watch, bad_path)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/missing", self->tmp);
	EXPECT_EQ(-ENOENT, lkp_watch_add(self->w, path, 1, NULL));
	EXPECT_EQ(-ENOENT, lkp_watch_remove(self->w, path));
	/* A directory can be neither exec'd nor mapped. */
	EXPECT_EQ(-ENODEV, lkp_watch_add(self->w, self->tmp, 1, NULL));
}

TEST_HARNESS_MAIN
