// SPDX-License-Identifier: GPL-2.0
/* session.c: attaching to a target through /dev/lkp, and its memory through /proc/PID/mem. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dev.h"
#include "session.h"

int lkp_session_open(pid_t pid, struct lkp_session *s)
{
	struct lkp_attach a = { .pid = pid };
	struct lkp_api api;
	char path[64];
	int dev, ret;

	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->fd = s->mem_fd = -1;
	if (pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	s->mem_fd = open(path, O_RDWR | O_CLOEXEC);
	if (s->mem_fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	dev = lkp_dev_open();
	if (dev < 0) {
		ret = dev;
		goto close_mem;
	}
	ret = lkp_dev_get_api(dev, &api);
	if (ret)
		goto close_dev;
	s->api_version = api.version;
	/* Version 1 modules refuse a nonzero mem_fd as a reserved field. */
	if (api.version >= 2)
		a.mem_fd = s->mem_fd;
	s->fd = ioctl(dev, LKP_IOC_ATTACH, &a);
	ret = s->fd < 0 ? -errno : 0;
	close(dev);
	if (ret)
		goto close_mem;
	return 0;

close_dev:
	close(dev);
close_mem:
	close(s->mem_fd);
	s->mem_fd = -1;
	return ret;
}

void lkp_session_close(struct lkp_session *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->mem_fd >= 0)
		close(s->mem_fd);
	s->fd = s->mem_fd = -1;
}

int lkp_mem_read(const struct lkp_session *s, uint64_t addr, void *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = pread(s->mem_fd, buf, len, (off_t)addr);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf = (char *)buf + n;
		addr += n;
		len -= n;
	}
	return 0;
}

int lkp_mem_write(const struct lkp_session *s, uint64_t addr, const void *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = pwrite(s->mem_fd, buf, len, (off_t)addr);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf = (const char *)buf + n;
		addr += n;
		len -= n;
	}
	return 0;
}

int lkp_session_ioctl(const struct lkp_session *s, unsigned long cmd, void *arg)
{
	return ioctl(s->fd, cmd, arg) ? -errno : 0;
}
