/* SPDX-License-Identifier: GPL-2.0 */
/* session.h: a session on one target process: /dev/lkp, the attach proof, /proc/PID/mem. */
#ifndef LKP_SESSION_H
#define LKP_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/lkp.h>

/*
 * One open session: the session fd the module returned and the target's
 * /proc/PID/mem, opened read-write by us. The open of /proc/PID/mem is the
 * kernel's own ptrace access check, with every LSM (Yama included); from API
 * version 2 on the module demands that fd as the proof of permission.
 */
struct lkp_session {
	pid_t pid;
	int fd;			/* session fd */
	int mem_fd;		/* /proc/PID/mem, O_RDWR */
	uint32_t api_version;
};

/* Attach to pid: 0 or -errno (ESRCH; EACCES: the kernel refused /proc/PID/mem; ENOENT: no /dev/lkp). */
int lkp_session_open(pid_t pid, struct lkp_session *s);
void lkp_session_close(struct lkp_session *s);

/* Read or write len bytes of the target at addr through /proc/PID/mem: 0 or -errno. */
int lkp_mem_read(const struct lkp_session *s, uint64_t addr, void *buf, size_t len);
int lkp_mem_write(const struct lkp_session *s, uint64_t addr, const void *buf, size_t len);

/* LKP_IOC_* on the session fd: 0 or -errno. */
int lkp_session_ioctl(const struct lkp_session *s, unsigned long cmd, void *arg);

#endif /* LKP_SESSION_H */
