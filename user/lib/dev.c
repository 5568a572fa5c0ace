// SPDX-License-Identifier: GPL-2.0
/* dev.c: opening /dev/lkp and the API handshake. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>

#include "dev.h"

int lkp_dev_open(void)
{
	int fd = open(LKP_DEV_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int lkp_dev_get_api(int fd, struct lkp_api *api)
{
	memset(api, 0, sizeof(*api));
	return ioctl(fd, LKP_IOC_GET_API, api) ? -errno : 0;
}
