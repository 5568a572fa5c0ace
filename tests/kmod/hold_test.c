// SPDX-License-Identifier: GPL-2.0
/* hold_test.c: hold channels (LKP_IOC_HOLD_*): a new process parks at a file's instruction until released. */
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "lkp_test.h"

/* Generous: the VM is emulated, and the machine is shared. */
#define EVENT_WAIT_MS	20000

/* The file offset of the instruction at @vaddr, from the PT_LOAD holding it; 0 if none. */
static uint64_t elf_offset_of(const char *path, uint64_t vaddr)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint64_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int i;

	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		goto out;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) != sizeof(ph))
			break;
		if (ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
		    vaddr < ph.p_vaddr + ph.p_filesz) {
			off = vaddr - ph.p_vaddr + ph.p_offset;
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	return off;
}

static uint64_t elf_entry(const char *path)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, &eh, sizeof(eh), 0);

	if (fd >= 0)
		close(fd);
	return n == sizeof(eh) ? elf_offset_of(path, eh.e_entry) : 0;
}

/* The library's DT_INIT (its _init), as a file offset; 0 if none. */
static uint64_t elf_dt_init(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	Elf64_Dyn d;
	uint64_t init = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int i;
	off_t o;

	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		goto out;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) != sizeof(ph))
			goto out;
		if (ph.p_type == PT_DYNAMIC)
			break;
	}
	if (i == eh.e_phnum)
		goto out;
	for (o = ph.p_offset; pread(fd, &d, sizeof(d), o) == sizeof(d) && d.d_tag != DT_NULL;
	     o += sizeof(d))
		if (d.d_tag == DT_INIT)
			init = d.d_un.d_ptr;
out:
	if (fd >= 0)
		close(fd);
	return init ? elf_offset_of(path, init) : 0;
}

/* The test binaries' directory: hold_child and hold_lib.so sit next to this test. */
static void bin_path(char *buf, size_t len, const char *name)
{
	char self[PATH_MAX / 2];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	self[n > 0 ? n : 0] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	snprintf(buf, len, "%s/%s", self, name);
}

/* The channel fd, or -errno. */
static int hold_open(int dev, unsigned int timeout_ms)
{
	struct lkp_hold_open o = { .timeout_ms = timeout_ms };
	int fd = ioctl(dev, LKP_IOC_HOLD_OPEN, &o);

	return fd < 0 ? -errno : fd;
}

static int hold_add(int ch, const char *path, uint64_t offset, uint64_t cookie, uint32_t *id)
{
	struct lkp_hold_add a = { .offset = offset, .cookie = cookie };
	int ret;

	a.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (a.fd < 0)
		return -errno;
	ret = lkp_ioc(ch, LKP_IOC_HOLD_ADD, &a);
	close(a.fd);
	if (!ret && id)
		*id = a.id;
	return ret;
}

static int hold_release(int ch, uint64_t hold)
{
	struct lkp_hold_release r = { .hold = hold };

	return lkp_ioc(ch, LKP_IOC_HOLD_RELEASE, &r);
}

/* One event, waiting at most @ms; 0 or -errno (-ETIMEDOUT). */
static int hold_event(int ch, struct lkp_hold_event *ev, int ms)
{
	struct pollfd p = { .fd = ch, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	n = read(ch, ev, sizeof(*ev));
	return n == sizeof(*ev) ? 0 : n < 0 ? -errno : -EIO;
}

/* Whether @fd has data within @ms. */
static bool readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/* Reads what is there (after waiting up to @ms for the first byte) into @buf. */
static void read_some(int fd, char *buf, size_t len, int ms)
{
	size_t done = 0;
	ssize_t n;

	buf[0] = '\0';
	while (done + 1 < len && readable(fd, done ? 200 : ms)) {
		n = read(fd, buf + done, len - 1 - done);
		if (n <= 0)
			break;
		done += n;
	}
	buf[done] = '\0';
}

/* Starts hold_child ARGS with stdout on a pipe; returns its pid, *out the pipe. */
static pid_t spawn(char *const argv[], int *out)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	return pid;
}

/*
 * Opens a channel on *ch (timeout_ms) with one point, starts argv with
 * stdout on *fd and waits until it is held: its pid, or -errno.
 */
static pid_t start_held(int dev, int *ch, unsigned int timeout_ms, const char *file,
			uint64_t offset, uint64_t cookie, uint32_t *id, char *const argv[],
			int *fd, struct lkp_hold_event *ev)
{
	pid_t pid;
	int ret;

	*ch = hold_open(dev, timeout_ms);
	if (*ch < 0)
		return *ch;
	ret = hold_add(*ch, file, offset, cookie, id);
	if (ret)
		return ret;
	pid = spawn(argv, fd);
	if (pid < 0)
		return -errno;
	ret = hold_event(*ch, ev, EVENT_WAIT_MS);
	return ret ? ret : pid;
}

/* The one-letter state of a process (/proc/PID/stat's third field). */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (lkp_read_file(path, buf, sizeof(buf)))
		return '?';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : '?';
}

FIXTURE(hold) {
	int dev;
	int ch;
	char child[PATH_MAX];
	char lib[PATH_MAX];
	uint64_t entry;
};

FIXTURE_SETUP(hold)
{
	self->ch = -1;
	self->dev = open("/dev/lkp", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev) TH_LOG("/dev/lkp: %s: is lkp.ko loaded?", strerror(errno));
	bin_path(self->child, sizeof(self->child), "hold_child");
	bin_path(self->lib, sizeof(self->lib), "hold_lib.so");
	self->entry = elf_entry(self->child);
	ASSERT_NE(0, self->entry) TH_LOG("%s: no entry point", self->child);
}

FIXTURE_TEARDOWN(hold)
{
	if (self->ch >= 0)
		close(self->ch);
	close(self->dev);
}

TEST_F(hold, validation)
{
	struct lkp_hold_open o = { 0 };
	struct lkp_hold_add a = { 0 };
	struct lkp_hold_del d = { 0 };
	struct lkp_hold_release r = { 0 };
	struct lkp_hold_event ev;
	char small[8];

	o.flags = 1;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->dev, LKP_IOC_HOLD_OPEN, &o));
	o = (struct lkp_hold_open){ .reserved = 1 };
	ASSERT_EQ(-EINVAL, lkp_ioc(self->dev, LKP_IOC_HOLD_OPEN, &o));
	o = (struct lkp_hold_open){ .timeout_ms = 60001 };
	ASSERT_EQ(-EINVAL, lkp_ioc(self->dev, LKP_IOC_HOLD_OPEN, &o));
	self->ch = hold_open(self->dev, 60000);
	ASSERT_LE(0, self->ch);

	/* The channel's ioctls belong to the channel. */
	ASSERT_EQ(-ENOTTY, lkp_ioc(self->dev, LKP_IOC_HOLD_ADD, &a));
	o = (struct lkp_hold_open){ 0 };
	ASSERT_EQ(-ENOTTY, lkp_ioc(self->ch, LKP_IOC_HOLD_OPEN, &o));

	a.fd = -1;
	ASSERT_EQ(-EBADF, lkp_ioc(self->ch, LKP_IOC_HOLD_ADD, &a));
	a.fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_EQ(-EINVAL, lkp_ioc(self->ch, LKP_IOC_HOLD_ADD, &a));
	close(a.fd);
	a = (struct lkp_hold_add){ .offset = 1ULL << 40 };
	a.fd = open(self->child, O_RDONLY | O_CLOEXEC);
	ASSERT_EQ(-EINVAL, lkp_ioc(self->ch, LKP_IOC_HOLD_ADD, &a));
	a.offset = self->entry;
	a.flags = 1;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->ch, LKP_IOC_HOLD_ADD, &a));
	a.flags = 0;
	a.reserved = 1;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->ch, LKP_IOC_HOLD_ADD, &a));
	a.reserved = 0;
	ASSERT_EQ(0, lkp_ioc(self->ch, LKP_IOC_HOLD_ADD, &a));
	EXPECT_NE(0, a.id);
	close(a.fd);

	d.id = a.id + 1;
	ASSERT_EQ(-ENOENT, lkp_ioc(self->ch, LKP_IOC_HOLD_DEL, &d));
	d.id = a.id;
	d.flags = 1;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->ch, LKP_IOC_HOLD_DEL, &d));
	d.flags = 0;
	ASSERT_EQ(0, lkp_ioc(self->ch, LKP_IOC_HOLD_DEL, &d));
	ASSERT_EQ(-ENOENT, lkp_ioc(self->ch, LKP_IOC_HOLD_DEL, &d));

	r.hold = 12345;
	ASSERT_EQ(-ENOENT, lkp_ioc(self->ch, LKP_IOC_HOLD_RELEASE, &r));
	r.flags = 1;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->ch, LKP_IOC_HOLD_RELEASE, &r));

	ASSERT_EQ(-1, read(self->ch, small, sizeof(small)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, fcntl(self->ch, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(-1, read(self->ch, &ev, sizeof(ev)));
	ASSERT_EQ(EAGAIN, errno);
}

TEST_F(hold, needs_cap_sys_admin)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The device stays open; only the capability goes. */
		if (setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(hold_open(self->dev, 0) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* A new process parks before its first instruction, and runs once released. */
TEST_F(hold, exec_is_held_at_the_entry_until_released)
{
	char *argv[] = { self->child, NULL };
	struct lkp_hold_event ev;
	char out[64];
	uint32_t id;
	pid_t pid;
	int fd, status;

	pid = start_held(self->dev, &self->ch, 60000, self->child, self->entry, 42, &id, argv, &fd, &ev);
	ASSERT_LT(0, pid) TH_LOG("not held: %s", strerror(-pid));
	EXPECT_EQ(42, ev.cookie);
	EXPECT_EQ(id, ev.point);
	EXPECT_EQ(pid, ev.pid);
	EXPECT_EQ(pid, ev.tid);
	EXPECT_EQ(0, ev.flags);
	/* Held: idle (not in the load average), and main() has not written a byte. */
	EXPECT_FALSE(readable(fd, 300));
	EXPECT_EQ('I', proc_state(pid));
	/* Not stopped: its parent sees no state change (no SIGSTOP tricks). */
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG | WUNTRACED | WCONTINUED));

	ASSERT_EQ(0, hold_release(self->ch, ev.hold));
	read_some(fd, out, sizeof(out), EVENT_WAIT_MS);
	EXPECT_STREQ("main\n", out);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Released once: it is gone from the channel. */
	EXPECT_EQ(-ENOENT, hold_release(self->ch, ev.hold));
	close(fd);
}

/*
 * The same from a file on overlayfs (the VM's root is a tmpfs over 9p, as a
 * container's root is an overlay): processes map the layer's file, and the
 * point must be where they map it.
 */
TEST_F(hold, exec_of_a_file_on_overlayfs_is_held)
{
	char path[] = "/var/tmp/hold_child-XXXXXX", cmd[PATH_MAX + 64];
	char *argv[] = { path, NULL };
	struct lkp_hold_event ev;
	char out[64];
	pid_t pid;
	int fd, status, tmp;

	tmp = mkstemp(path);
	ASSERT_LE(0, tmp);
	close(tmp);
	snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 755 %s", self->child, path, path);
	ASSERT_EQ(0, system(cmd));
	pid = start_held(self->dev, &self->ch, 60000, path, self->entry, 9, NULL, argv, &fd, &ev);
	ASSERT_LT(0, pid) TH_LOG("not held: %s", strerror(-pid));
	EXPECT_EQ(9, ev.cookie);
	EXPECT_EQ(pid, ev.pid);
	EXPECT_FALSE(readable(fd, 300));
	hold_release(self->ch, ev.hold);
	read_some(fd, out, sizeof(out), EVENT_WAIT_MS);
	EXPECT_STREQ("main\n", out);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	unlink(path);
	close(fd);
}

/* With the library's init as the point: held after main, before its constructor. */
TEST_F(hold, dlopen_is_held_before_the_constructor)
{
	char *argv[] = { self->child, "dlopen", self->lib, NULL };
	uint64_t init = elf_dt_init(self->lib), t0, took;
	struct lkp_hold_event ev, ev2;
	int fd, status, saved, devnull;
	void *opened;
	char out[64];
	pid_t pid;

	ASSERT_NE(0, init);
	pid = start_held(self->dev, &self->ch, 60000, self->lib, init, 7, NULL, argv, &fd, &ev);
	ASSERT_LT(0, pid) TH_LOG("not held: %s", strerror(-pid));
	EXPECT_EQ(7, ev.cookie);
	EXPECT_EQ(pid, ev.pid);
	read_some(fd, out, sizeof(out), 300);
	EXPECT_STREQ("main\n", out);

	/*
	 * The holder itself is never held: its own dlopen goes through, well
	 * within the channel's 60 s (the constructor's line goes nowhere).
	 */
	saved = dup(1);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, saved);
	ASSERT_LE(0, devnull);
	dup2(devnull, 1);
	t0 = lkp_now_ms();
	opened = dlopen(self->lib, RTLD_NOW);
	took = lkp_now_ms() - t0;
	dup2(saved, 1);
	close(saved);
	close(devnull);
	ASSERT_TRUE(opened != NULL);
	EXPECT_GT(10000, took);
	EXPECT_EQ(-ETIMEDOUT, hold_event(self->ch, &ev2, 0));

	ASSERT_EQ(0, hold_release(self->ch, ev.hold));
	read_some(fd, out, sizeof(out), EVENT_WAIT_MS);
	EXPECT_STREQ("ctor\nopened\n", out);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
}

/* Nobody answers: the process goes on after the timeout, and the kernel log says so. */
TEST_F(hold, unanswered_hold_times_out_and_is_logged)
{
	char *argv[] = { self->child, NULL };
	struct lkp_hold_event ev;
	char out[64], rec[1024];
	uint64_t t0, waited;
	bool logged = false;
	pid_t pid;
	int fd, kmsg, status;
	ssize_t n;

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, kmsg);
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));
	pid = start_held(self->dev, &self->ch, 500, self->child, self->entry, 0, NULL, argv, &fd, &ev);
	ASSERT_LT(0, pid) TH_LOG("not held: %s", strerror(-pid));
	t0 = lkp_now_ms();
	read_some(fd, out, sizeof(out), EVENT_WAIT_MS);
	waited = lkp_now_ms() - t0;
	EXPECT_STREQ("main\n", out);
	/* Some of the 500 ms may have passed before the event was read. */
	EXPECT_LE(250, waited);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(-ENOENT, hold_release(self->ch, ev.hold));
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0) {
		rec[n] = '\0';
		if (strstr(rec, "hold_child[") && strstr(rec, "released unpatched") &&
		    strstr(rec, "no answer within the hold timeout"))
			logged = true;
	}
	EXPECT_TRUE(logged);
	close(kmsg);
	close(fd);
}

/* lkpd dies: closing the channel lets the held process go at once. */
TEST_F(hold, closing_the_channel_releases_what_it_holds)
{
	char *argv[] = { self->child, NULL };
	struct lkp_hold_event ev;
	uint64_t t0, waited;
	char out[64];
	pid_t pid;
	int fd, status;

	pid = start_held(self->dev, &self->ch, 60000, self->child, self->entry, 0, NULL, argv, &fd, &ev);
	ASSERT_LT(0, pid) TH_LOG("not held: %s", strerror(-pid));
	EXPECT_FALSE(readable(fd, 200));
	t0 = lkp_now_ms();
	close(self->ch);
	self->ch = -1;
	read_some(fd, out, sizeof(out), EVENT_WAIT_MS);
	waited = lkp_now_ms() - t0;
	EXPECT_STREQ("main\n", out);
	EXPECT_GT(10000, waited);	/* far below the 60 s timeout */
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* The point went with the channel: a new exec runs freely. */
	pid = spawn(argv, &fd);
	ASSERT_LT(0, pid);
	read_some(fd, out, sizeof(out), EVENT_WAIT_MS);
	EXPECT_STREQ("main\n", out);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(fd);
}

/* SIGKILL ends a hold at once; the channel forgets the thread. */
TEST_F(hold, killed_while_held_dies_at_once)
{
	char *argv[] = { self->child, NULL };
	struct lkp_hold_event ev;
	pid_t pid;
	int fd, status;

	pid = start_held(self->dev, &self->ch, 60000, self->child, self->entry, 0, NULL, argv, &fd, &ev);
	ASSERT_LT(0, pid) TH_LOG("not held: %s", strerror(-pid));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_EQ(-ENOENT, hold_release(self->ch, ev.hold));
	close(fd);
}

/* The length of the instruction at the start of _start: endbr64 or xor %ebp,%ebp. */
static int entry_insn_len(const char *path, uint64_t offset)
{
	static const unsigned char endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const unsigned char xor_ebp[] = { 0x31, 0xed };
	unsigned char b[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, b, sizeof(b), offset);

	if (fd >= 0)
		close(fd);
	if (n != sizeof(b))
		return -1;
	if (!memcmp(b, endbr64, sizeof(endbr64)))
		return sizeof(endbr64);
	if (!memcmp(b, xor_ebp, sizeof(xor_ebp)))
		return sizeof(xor_ebp);
	return -1;
}

/*
 * While held, the process can be attached and patched: what lkpd does. The
 * held thread resumes by executing the point's instruction (out of line),
 * then goes on at the next one, which the test rewrites to exit_group(5):
 * the program never reaches main().
 */
TEST_F(hold, held_process_can_be_patched_before_it_runs)
{
	char *argv[] = { self->child, NULL };
	static const unsigned char exit5[] = {
		0xbf, 0x05, 0x00, 0x00, 0x00,	/* mov $5, %edi */
		0xb8, 0xe7, 0x00, 0x00, 0x00,	/* mov $231, %eax */
		0x0f, 0x05,			/* syscall */
	};
	int len = entry_insn_len(self->child, self->entry);
	unsigned char old[sizeof(exit5)];
	struct lkp_poke_entry e;
	struct lkp_transaction t = { 0 };
	struct lkp_hold_event ev;
	char maps[64], line[512];
	uint64_t base = 0, va;
	char out[64];
	FILE *f;
	pid_t pid;
	int fd, sfd, status;

	ASSERT_LT(0, len) TH_LOG("%s: _start does not begin as expected", self->child);
	pid = start_held(self->dev, &self->ch, 60000, self->child, self->entry, 0, NULL, argv, &fd, &ev);
	ASSERT_LT(0, pid) TH_LOG("not held: %s", strerror(-pid));

	/* The entry's address: the mapping of the file that holds its offset. */
	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "r");
	ASSERT_TRUE(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, off;

		if (strstr(line, "hold_child") &&
		    sscanf(line, "%lx-%lx %*s %lx", &lo, &hi, &off) == 3 &&
		    self->entry >= off && self->entry < off + (hi - lo)) {
			base = lo - off;
			break;
		}
	}
	fclose(f);
	ASSERT_NE(0, base);
	va = base + self->entry + len;

	sfd = lkp_open_session(pid);
	ASSERT_LE(0, sfd) TH_LOG("attach: %s", strerror(-sfd));
	ASSERT_EQ(0, lkp_target_read(pid, va, old, sizeof(old)));
	e = (struct lkp_poke_entry){
		.addr = va, .len = sizeof(exit5),
		.old_bytes = (uintptr_t)old, .new_bytes = (uintptr_t)exit5,
	};
	t.entries = (uintptr_t)&e;
	t.nr_entries = 1;
	ASSERT_EQ(0, lkp_ioc(sfd, LKP_IOC_TRANSACTION, &t));
	EXPECT_EQ(1, t.nr_threads);
	close(sfd);

	ASSERT_EQ(0, hold_release(self->ch, ev.hold));
	read_some(fd, out, sizeof(out), 2000);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_STREQ("", out);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(5, WEXITSTATUS(status));
	close(fd);
}

TEST_HARNESS_MAIN
