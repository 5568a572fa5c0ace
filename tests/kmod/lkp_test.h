/* SPDX-License-Identifier: GPL-2.0 */
/* lkp_test.h: helpers shared by the /dev/lkp kselftests. */
#ifndef LKP_TEST_H
#define LKP_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <linux/lkp.h>

#define LKP_DEV "/dev/lkp"

/* Output structs are poisoned before each call so that unset fields show. */
#define LKP_POISON(x)	memset(&(x), 0xcc, sizeof(x))

/* ioctl returning 0 or -errno, so that ASSERT_EQ shows the errno. */
static inline int lkp_ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/*
 * The permission proof LKP_IOC_ATTACH wants: @pid's /proc/PID/mem opened
 * for writing (the open is where the kernel checks that we may ptrace it).
 * The fd, or -errno.
 */
static inline int lkp_mem_open(int pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* LKP_IOC_ATTACH on an open /dev/lkp with @mem_fd as the proof: the session fd, or -errno. */
static inline int lkp_attach_proof(int dev, int pid, unsigned int flags, int mem_fd)
{
	struct lkp_attach a = { .pid = pid, .flags = flags, .mem_fd = mem_fd };
	int fd = ioctl(dev, LKP_IOC_ATTACH, &a);

	return fd < 0 ? -errno : fd;
}

/*
 * LKP_IOC_ATTACH to @pid on an open /dev/lkp, proving permission with a
 * fresh /proc/PID/mem: the session fd, or -errno (of the open, or of the
 * ioctl).
 */
static inline int lkp_attach(int dev, int pid)
{
	int mem = lkp_mem_open(pid), fd;

	if (mem < 0)
		return mem;
	fd = lkp_attach_proof(dev, pid, 0, mem);
	close(mem);
	return fd;
}

/* Opens /dev/lkp and attaches to pid: the session fd, or -errno. */
static inline int lkp_open_session(int pid)
{
	int dev = open(LKP_DEV, O_RDWR | O_CLOEXEC), fd;

	if (dev < 0)
		return -errno;
	fd = lkp_attach(dev, pid);
	close(dev);
	return fd;
}

/* LKP_IOC_FREEZE; out (may be NULL) gets the result. 0 or -errno. */
static inline int lkp_freeze(int sfd, unsigned int flags, unsigned int timeout_ms,
			     struct lkp_freeze *out)
{
	struct lkp_freeze f = { .flags = flags, .timeout_ms = timeout_ms };
	int ret = lkp_ioc(sfd, LKP_IOC_FREEZE, &f);

	if (out)
		*out = f;
	return ret;
}

/* LKP_IOC_THAW; pause_ns (may be NULL) gets the pause. 0 or -errno. */
static inline int lkp_thaw(int sfd, unsigned long long *pause_ns)
{
	struct lkp_thaw t = { 0 };
	int ret = lkp_ioc(sfd, LKP_IOC_THAW, &t);

	if (pause_ns)
		*pause_ns = t.pause_ns;
	return ret;
}

/* The target's memory, read through /proc/PID/mem. */
static inline int lkp_target_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, addr);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* A small file (sysfs, procfs, cgroupfs, tracefs), NUL-terminated; 0 or -errno. */
static inline int lkp_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

/* Writes @val to such a file in one write(); 0 or -errno. */
static inline int lkp_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

static inline uint64_t lkp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline uint64_t lkp_now_ms(void)
{
	return lkp_now_ns() / 1000000;
}

/* Sleeps @ms milliseconds, whatever signals come. */
static inline void lkp_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

#endif /* LKP_TEST_H */
