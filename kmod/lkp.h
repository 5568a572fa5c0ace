/* SPDX-License-Identifier: GPL-2.0 */
/* lkp.h: declarations private to lkp.ko, shared between its files. */
#ifndef _LKP_PRIVATE_H
#define _LKP_PRIVATE_H

#include <linux/fs.h>
#include <uapi/linux/lkp.h>

#define LKP_MODULE_VERSION	"0.1.0"

long lkp_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
u64 lkp_ioctl_mask(void);

#endif /* _LKP_PRIVATE_H */
