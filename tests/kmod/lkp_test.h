/* SPDX-License-Identifier: GPL-2.0 */
/* lkp_test.h: helpers shared by the /dev/lkp kselftests. */
#ifndef LKP_TEST_H
#define LKP_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/lkp.h>

#define LKP_DEV "/dev/lkp"

/* Output structs are poisoned before each call so that unset fields show. */
#define LKP_POISON(x)	memset(&(x), 0xcc, sizeof(x))

/* ioctl returning 0 or -errno, so that ASSERT_EQ shows the errno. */
static inline int lkp_ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

#endif /* LKP_TEST_H */
