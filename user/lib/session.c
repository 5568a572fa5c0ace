// SPDX-License-Identifier: GPL-2.0
/* session.c: attaching to a target through /dev/lkp, and its memory through /proc/PID/mem. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dev.h"
#include "session.h"

/*
 * /dev/lkp and the module's API version, once per process: apply --all
 * attaches to every process, and an open of the device and a handshake per
 * attach were a tenth of its time per process under emulation. The fd is
 * kept for the life of the tool (it holds the module, as any attach does);
 * a failure is not kept, so a module loaded later is found.
 */
static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;
static int dev_fd = -1;
static uint32_t dev_api;

static int shared_dev(uint32_t *api_version)
{
	struct lkp_api api;
	int fd, ret = 0;

	pthread_mutex_lock(&dev_lock);
	if (dev_fd < 0) {
		fd = lkp_dev_open();
		ret = fd < 0 ? fd : lkp_dev_get_api(fd, &api);
		if (!ret) {
			dev_fd = fd;
			dev_api = api.version;
		} else if (fd >= 0) {
			close(fd);
		}
	}
	*api_version = dev_api;
	fd = dev_fd;
	pthread_mutex_unlock(&dev_lock);
	return ret ? ret : fd;
}

int lkp_session_open(pid_t pid, struct lkp_session *s)
{
	struct lkp_attach a = { .pid = pid };
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
	dev = shared_dev(&s->api_version);
	if (dev < 0) {
		ret = dev;
		goto close_mem;
	}
	/* Version 1 modules refuse a nonzero mem_fd as a reserved field. */
	if (s->api_version >= 2)
		a.mem_fd = s->mem_fd;
	s->fd = ioctl(dev, LKP_IOC_ATTACH, &a);
	ret = s->fd < 0 ? -errno : 0;
	if (ret)
		goto close_mem;
	return 0;

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
