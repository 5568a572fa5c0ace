// SPDX-License-Identifier: GPL-2.0
/* lkp_ioctl.c: the ioctl dispatcher: argument marshalling and the handshake. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/uaccess.h>

#include "lkp.h"

/*
 * One row per ioctl. The dispatcher does all the copying so that handlers
 * only see a kernel copy of the argument: it zero-extends an older caller's
 * struct, refuses (E2BIG) a newer caller's struct whose unknown tail is not
 * zero, and copies back at most the caller's size.
 */
struct lkp_ioctl_desc {
	unsigned int dir;	/* _IOC_READ / _IOC_WRITE as in the cmd */
	u32 min_size;		/* size of the struct's first published version */
	u32 size;		/* size this module knows */
	int (*fn)(struct file *file, void *arg);
};

static int lkp_ioc_get_api(struct file *file, void *karg)
{
	struct lkp_api *api = karg;

	if (api->flags || api->reserved)
		return -EINVAL;
	api->version = LKP_API_VERSION;
	api->features = LKP_FEAT_GROWABLE_STRUCTS;
	api->ioctls = lkp_ioctl_mask();
	api->struct_size = sizeof(*api);
	return 0;
}

#define LKP_IOCTL(nr, d, type, first_size, handler)			\
	[nr] = { .dir = (d), .min_size = (first_size),			\
		 .size = sizeof(type), .fn = (handler) }

static const struct lkp_ioctl_desc lkp_ioctls[] = {
	LKP_IOCTL(LKP_IOC_NR_GET_API, _IOC_READ | _IOC_WRITE, struct lkp_api,
		  sizeof(struct lkp_api), lkp_ioc_get_api),
};

/* The largest argument any handler takes; checked at build time below. */
#define LKP_IOCTL_MAX_ARG	256

u64 lkp_ioctl_mask(void)
{
	u64 mask = 0;
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(lkp_ioctls) > 64);
	for (i = 0; i < ARRAY_SIZE(lkp_ioctls); i++)
		if (lkp_ioctls[i].fn)
			mask |= 1ULL << i;
	return mask;
}

long lkp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct lkp_ioctl_desc *desc;
	u64 kbuf[LKP_IOCTL_MAX_ARG / sizeof(u64)];
	unsigned int nr = _IOC_NR(cmd);
	u32 usize = _IOC_SIZE(cmd);
	int ret;

	if (_IOC_TYPE(cmd) != LKP_IOC_TYPE || nr >= ARRAY_SIZE(lkp_ioctls))
		return -ENOTTY;
	desc = &lkp_ioctls[nr];
	if (!desc->fn || _IOC_DIR(cmd) != desc->dir)
		return -ENOTTY;
	if (WARN_ON_ONCE(desc->size > sizeof(kbuf)))
		return -EINVAL;
	if (usize < desc->min_size)
		return -EINVAL;

	ret = copy_struct_from_user(kbuf, desc->size, uarg, usize);
	if (ret)
		return ret;

	ret = desc->fn(file, kbuf);
	if (ret)
		return ret;

	if ((desc->dir & _IOC_READ) &&
	    copy_to_user(uarg, kbuf, min_t(u32, usize, desc->size)))
		return -EFAULT;
	return 0;
}
