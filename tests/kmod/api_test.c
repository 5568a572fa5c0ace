// SPDX-License-Identifier: GPL-2.0
/* api_test.c: /dev/lkp itself: permissions, the LKP_IOC_GET_API handshake, ioctl argument validation. */
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "lkp_test.h"

/* A newer caller's struct: the kernel must accept a zero tail. */
struct lkp_api_next {
	struct lkp_api api;
	__u64 future[2];
};

#define GET_API_SIZED(size) _IOC(_IOC_READ | _IOC_WRITE, LKP_IOC_TYPE, LKP_IOC_NR_GET_API, size)

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(LKP_DEV, O_RDWR | O_CLOEXEC);
	/* Not a SKIP: these tests run only where lkp.ko must be loaded. */
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", LKP_DEV, strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST(device_node_is_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(LKP_DEV, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(0600, st.st_mode & 07777);
	ASSERT_EQ(0, st.st_uid);
}

TEST(non_root_cannot_open)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		if (open(LKP_DEV, O_RDWR) >= 0)
			_exit(3);
		_exit(errno == EACCES ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

TEST_F(dev, handshake)
{
	struct lkp_api api;

	LKP_POISON(api);
	api.flags = 0;
	api.reserved = 0;
	ASSERT_EQ(0, lkp_ioc(self->fd, LKP_IOC_GET_API, &api));
	EXPECT_EQ(LKP_API_VERSION, api.version);
	EXPECT_EQ(sizeof(api), api.struct_size);
	EXPECT_TRUE(api.features & LKP_FEAT_GROWABLE_STRUCTS);
	EXPECT_TRUE(api.ioctls & (1ULL << LKP_IOC_NR_GET_API));
	EXPECT_EQ(0, api.flags);
	EXPECT_EQ(0, api.reserved);
}

TEST_F(dev, handshake_nonzero_flags_is_einval)
{
	struct lkp_api api = { .flags = 1 };

	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_GET_API, &api));
	api.flags = 1U << 31;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_GET_API, &api));
}

TEST_F(dev, handshake_nonzero_reserved_is_einval)
{
	struct lkp_api api = { .reserved = 1 };

	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_GET_API, &api));
}

TEST_F(dev, unknown_ioctl_is_enotty)
{
	struct lkp_api api = { 0 };

	/* An unused number, another driver's type byte, the wrong direction. */
	ASSERT_EQ(-ENOTTY, lkp_ioc(self->fd, _IOWR(LKP_IOC_TYPE, 0x3f, struct lkp_api), &api));
	ASSERT_EQ(-ENOTTY, lkp_ioc(self->fd, _IOWR('T', LKP_IOC_NR_GET_API, struct lkp_api), &api));
	ASSERT_EQ(-ENOTTY, lkp_ioc(self->fd, _IOR(LKP_IOC_TYPE, LKP_IOC_NR_GET_API, struct lkp_api), &api));
	ASSERT_EQ(-ENOTTY, lkp_ioc(self->fd, _IO(LKP_IOC_TYPE, LKP_IOC_NR_GET_API), NULL));
}

TEST_F(dev, struct_too_small_is_einval)
{
	struct lkp_api api = { 0 };

	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, GET_API_SIZED(sizeof(api) - 8), &api));
}

TEST_F(dev, newer_struct_with_zero_tail_is_accepted)
{
	struct lkp_api_next next;

	LKP_POISON(next);
	memset(&next.api, 0, sizeof(next.api));
	next.future[0] = 0;
	next.future[1] = 0;
	ASSERT_EQ(0, lkp_ioc(self->fd, GET_API_SIZED(sizeof(next)), &next));
	EXPECT_EQ(LKP_API_VERSION, next.api.version);
	/* Only the fields the module knows are written; struct_size says which. */
	EXPECT_EQ(sizeof(struct lkp_api), next.api.struct_size);
	EXPECT_EQ(0, next.future[0]);
	EXPECT_EQ(0, next.future[1]);
}

TEST_F(dev, newer_struct_with_nonzero_tail_is_e2big)
{
	struct lkp_api_next next = { 0 };

	next.future[1] = 1;
	ASSERT_EQ(-E2BIG, lkp_ioc(self->fd, GET_API_SIZED(sizeof(next)), &next));
}

TEST_F(dev, bad_pointer_is_efault)
{
	void *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(-EFAULT, lkp_ioc(self->fd, LKP_IOC_GET_API, page));
	ASSERT_EQ(-EFAULT, lkp_ioc(self->fd, LKP_IOC_GET_API, NULL));
	munmap(page, 4096);
}

/*
 * The argument rules every ioctl shares, each ioctl on the fd kind it
 * belongs to: a struct smaller than its first version is EINVAL, a larger
 * one with a nonzero byte past the module's struct is E2BIG, an unreadable
 * argument is EFAULT. All three are refused before the handler runs.
 */
TEST_F(dev, every_ioctl_checks_size_and_pointer)
{
	static const unsigned long cmds[] = {
		LKP_IOC_GET_API, LKP_IOC_ATTACH, LKP_IOC_FREEZE, LKP_IOC_THAW,
		LKP_IOC_GET_THREADS, LKP_IOC_STACK_CHECK, LKP_IOC_POKE,
		LKP_IOC_MAP, LKP_IOC_UNMAP, LKP_IOC_TRANSACTION,
	};
	static __u64 buf[64];
	unsigned char *bytes = (unsigned char *)buf;
	unsigned int i, size, dir, nr;
	int sfd, fd, status;
	void *page;
	pid_t pid;

	page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	sfd = lkp_attach(self->fd, pid);
	ASSERT_LE(0, sfd);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		size = _IOC_SIZE(cmds[i]);
		dir = _IOC_DIR(cmds[i]);
		nr = _IOC_NR(cmds[i]);
		fd = nr == LKP_IOC_NR_GET_API || nr == LKP_IOC_NR_ATTACH ? self->fd : sfd;
		ASSERT_GE(sizeof(buf), size + 8);
		memset(buf, 0, sizeof(buf));
		bytes[size] = 1;
		EXPECT_EQ(-E2BIG, lkp_ioc(fd, _IOC(dir, LKP_IOC_TYPE, nr, size + 8), buf))
			TH_LOG("ioctl nr %u", nr);
		EXPECT_EQ(-EINVAL, lkp_ioc(fd, _IOC(dir, LKP_IOC_TYPE, nr, size - 8), buf))
			TH_LOG("ioctl nr %u", nr);
		EXPECT_EQ(-EFAULT, lkp_ioc(fd, cmds[i], page)) TH_LOG("ioctl nr %u", nr);
	}
	close(sfd);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	munmap(page, 4096);
}

TEST_F(dev, read_only_output_is_efault)
{
	struct lkp_api *api = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, api);
	memset(api, 0, sizeof(*api));
	ASSERT_EQ(0, mprotect(api, 4096, PROT_READ));
	ASSERT_EQ(-EFAULT, lkp_ioc(self->fd, LKP_IOC_GET_API, api));
	munmap(api, 4096);
}

TEST_HARNESS_MAIN
