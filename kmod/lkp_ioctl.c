// SPDX-License-Identifier: GPL-2.0
/* lkp_ioctl.c: the ioctl dispatcher: argument marshalling, fd kinds, session locking, the handshake. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/uaccess.h>

#include "lkp.h"

/* Which kind of fd an ioctl is issued on. */
#define LKP_ON_DEV	(1U << 0)	/* /dev/lkp */
#define LKP_ON_SESSION	(1U << 1)	/* a session fd from LKP_IOC_ATTACH */
#define LKP_ON_HOLD	(1U << 2)	/* a hold channel fd from LKP_IOC_HOLD_OPEN */

/*
 * One row per ioctl. The dispatcher does all the copying so that handlers
 * only see a kernel copy of the argument: it zero-extends an older caller's
 * struct, refuses (E2BIG) a newer caller's struct whose unknown tail is not
 * zero, and copies back at most the caller's size. Session handlers run with
 * the session lock held, so they are serialised.
 */
struct lkp_ioctl_desc {
	unsigned int dir;	/* _IOC_READ / _IOC_WRITE as in the cmd */
	unsigned int on;	/* LKP_ON_* */
	bool out_on_error;	/* copy back on ENOSPC/EBUSY/ESTALE too */
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

#define LKP_IOCTL(nr, d, where, type, first_size, handler)		\
	[nr] = { .dir = (d), .on = (where), .min_size = (first_size),	\
		 .size = sizeof(type), .fn = (handler) }
#define LKP_RW		(_IOC_READ | _IOC_WRITE)

/* Like LKP_IOCTL, for a session ioctl whose out fields explain failures. */
#define LKP_IOCTL_ERR_OUT(nr, d, type, handler)				\
	[nr] = { .dir = (d), .on = LKP_ON_SESSION, .out_on_error = true,	\
		 .min_size = sizeof(type), .size = sizeof(type),		\
		 .fn = (handler) }

static const struct lkp_ioctl_desc lkp_ioctls[] = {
	LKP_IOCTL(LKP_IOC_NR_GET_API, LKP_RW,
		  LKP_ON_DEV | LKP_ON_SESSION | LKP_ON_HOLD,
		  struct lkp_api, sizeof(struct lkp_api), lkp_ioc_get_api),
	LKP_IOCTL(LKP_IOC_NR_ATTACH, _IOC_WRITE, LKP_ON_DEV,
		  struct lkp_attach, sizeof(struct lkp_attach), lkp_ioc_attach),
	LKP_IOCTL(LKP_IOC_NR_FREEZE, LKP_RW, LKP_ON_SESSION,
		  struct lkp_freeze, sizeof(struct lkp_freeze), lkp_ioc_freeze),
	LKP_IOCTL(LKP_IOC_NR_THAW, LKP_RW, LKP_ON_SESSION,
		  struct lkp_thaw, sizeof(struct lkp_thaw), lkp_ioc_thaw),
	LKP_IOCTL_ERR_OUT(LKP_IOC_NR_GET_THREADS, LKP_RW, struct lkp_threads,
			  lkp_ioc_get_threads),
	LKP_IOCTL_ERR_OUT(LKP_IOC_NR_STACK_CHECK, LKP_RW,
			  struct lkp_stack_check, lkp_ioc_stack_check),
	LKP_IOCTL_ERR_OUT(LKP_IOC_NR_POKE, LKP_RW, struct lkp_poke,
			  lkp_ioc_poke),
	LKP_IOCTL(LKP_IOC_NR_MAP, LKP_RW, LKP_ON_SESSION,
		  struct lkp_map, offsetofend(struct lkp_map, addr), lkp_ioc_map),
	LKP_IOCTL(LKP_IOC_NR_UNMAP, _IOC_WRITE, LKP_ON_SESSION,
		  struct lkp_unmap, sizeof(struct lkp_unmap), lkp_ioc_unmap),
	LKP_IOCTL_ERR_OUT(LKP_IOC_NR_TRANSACTION, LKP_RW,
			  struct lkp_transaction, lkp_ioc_transaction),
	LKP_IOCTL(LKP_IOC_NR_HOLD_OPEN, _IOC_WRITE, LKP_ON_DEV,
		  struct lkp_hold_open, sizeof(struct lkp_hold_open),
		  lkp_ioc_hold_open),
	LKP_IOCTL(LKP_IOC_NR_HOLD_ADD, LKP_RW, LKP_ON_HOLD,
		  struct lkp_hold_add, sizeof(struct lkp_hold_add),
		  lkp_ioc_hold_add),
	LKP_IOCTL(LKP_IOC_NR_HOLD_DEL, _IOC_WRITE, LKP_ON_HOLD,
		  struct lkp_hold_del, sizeof(struct lkp_hold_del),
		  lkp_ioc_hold_del),
	LKP_IOCTL(LKP_IOC_NR_HOLD_RELEASE, _IOC_WRITE, LKP_ON_HOLD,
		  struct lkp_hold_release, sizeof(struct lkp_hold_release),
		  lkp_ioc_hold_release),
	LKP_IOCTL(LKP_IOC_NR_CALL, LKP_RW, LKP_ON_SESSION,
		  struct lkp_call, sizeof(struct lkp_call), lkp_ioc_call),
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

/* The errors after which the output still means something to the caller. */
static bool lkp_ioctl_error_has_output(int err)
{
	return err == -ENOSPC || err == -EBUSY || err == -ESTALE;
}

static long lkp_dispatch(struct file *file, unsigned int cmd, unsigned long arg,
			 unsigned int on)
{
	void __user *uarg = (void __user *)arg;
	const struct lkp_ioctl_desc *desc;
	u64 kbuf[LKP_IOCTL_MAX_ARG / sizeof(u64)];
	unsigned int nr = _IOC_NR(cmd);
	u32 usize = _IOC_SIZE(cmd);
	struct lkp_session *s = NULL;
	int ret;

	if (_IOC_TYPE(cmd) != LKP_IOC_TYPE || nr >= ARRAY_SIZE(lkp_ioctls))
		return -ENOTTY;
	desc = &lkp_ioctls[nr];
	if (!desc->fn || _IOC_DIR(cmd) != desc->dir || !(desc->on & on))
		return -ENOTTY;
	if (WARN_ON_ONCE(desc->size > sizeof(kbuf)))
		return -EINVAL;
	if (usize < desc->min_size)
		return -EINVAL;

	ret = copy_struct_from_user(kbuf, desc->size, uarg, usize);
	if (ret)
		return ret;

	if (on == LKP_ON_SESSION && desc->fn != lkp_ioc_get_api) {
		s = file->private_data;
		ret = mutex_lock_killable(&s->lock);
		if (ret)
			return ret;
	}
	ret = desc->fn(file, kbuf);
	if (s)
		mutex_unlock(&s->lock);
	if (ret < 0 && !(desc->out_on_error && lkp_ioctl_error_has_output(ret)))
		return ret;

	if ((desc->dir & _IOC_READ) &&
	    copy_to_user(uarg, kbuf, min_t(u32, usize, desc->size)))
		return -EFAULT;
	return ret;
}

long lkp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return lkp_dispatch(file, cmd, arg, LKP_ON_DEV);
}

long lkp_session_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return lkp_dispatch(file, cmd, arg, LKP_ON_SESSION);
}

long lkp_hold_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return lkp_dispatch(file, cmd, arg, LKP_ON_HOLD);
}
