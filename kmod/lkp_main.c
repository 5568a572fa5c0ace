// SPDX-License-Identifier: GPL-2.0
/* lkp_main.c: module init/exit and the /dev/lkp misc device. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/module.h>

#include "lkp.h"

static const struct file_operations lkp_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= lkp_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/*
 * Mode 0600, root-owned: the device can rewrite the code of other
 * processes, so nobody else may even open it.
 */
static struct miscdevice lkp_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "lkp",
	.fops	= &lkp_fops,
	.mode	= 0600,
};

static int __init lkp_init(void)
{
	int ret;

	lkp_session_init();
	ret = lkp_freeze_init();
	if (ret)
		return ret;
	ret = misc_register(&lkp_misc);
	if (ret) {
		pr_err("cannot register /dev/lkp: %d\n", ret);
		lkp_freeze_exit();
		return ret;
	}
	pr_info("version %s, API %d\n", LKP_MODULE_VERSION, LKP_API_VERSION);
	return 0;
}

static void __exit lkp_exit(void)
{
	misc_deregister(&lkp_misc);
	lkp_freeze_exit();
	lkp_map_exit();
}

module_init(lkp_init);
module_exit(lkp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkp: kernel assistance for live patching of userspace code");
MODULE_VERSION(LKP_MODULE_VERSION);
MODULE_AUTHOR("The lkp developers");
