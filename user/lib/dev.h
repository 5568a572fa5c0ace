/* SPDX-License-Identifier: GPL-2.0 */
/* dev.h: opening /dev/lkp and the API handshake. */
#ifndef LKP_DEV_H
#define LKP_DEV_H

#include <linux/lkp.h>

#define LKP_DEV_PATH "/dev/lkp"

/* Returns an open fd on /dev/lkp, or -errno. */
int lkp_dev_open(void);

/* Fills *api from LKP_IOC_GET_API; returns 0 or -errno. */
int lkp_dev_get_api(int fd, struct lkp_api *api);

#endif /* LKP_DEV_H */
