/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* lkp.h: the /dev/lkp ioctl interface shared by lkp.ko and its userspace tools. */
#ifndef _UAPI_LINUX_LKP_H
#define _UAPI_LINUX_LKP_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Rules every struct here follows (docs/uapi.md has the field tables):
 * - fixed-width fields only, pointers travel as __u64, explicit padding;
 * - every flags field and reserved field must be zero, or the call fails
 *   with EINVAL, so that later versions can give them a meaning;
 * - structs grow only at the end. The size the caller was built with is
 *   _IOC_SIZE(cmd): a smaller (older) struct is zero-extended, a larger
 *   (newer) one is accepted only when the bytes the kernel does not know are
 *   zero (E2BIG otherwise), and output is copied back truncated to the
 *   caller's size.
 */

#define LKP_API_VERSION		1

/* The device's ioctl type byte. */
#define LKP_IOC_TYPE		0xB9

/* Bits of lkp_api.features: facilities beyond the ioctl set itself. */
#define LKP_FEAT_GROWABLE_STRUCTS	(1ULL << 0)	/* _IOC_SIZE is honoured */

/**
 * struct lkp_api - LKP_IOC_GET_API: the handshake.
 * @flags:	in: must be 0.
 * @version:	out: LKP_API_VERSION of the running module.
 * @features:	out: LKP_FEAT_* bits.
 * @ioctls:	out: bit n set when the ioctl whose _IOC_NR is n is supported.
 * @struct_size: out: the size of struct lkp_api the module knows; a caller
 *		 built against a newer header sees which fields were filled.
 * @reserved:	must be 0.
 */
struct lkp_api {
	__u32 flags;
	__u32 version;
	__u64 features;
	__u64 ioctls;
	__u32 struct_size;
	__u32 reserved;
};

#define LKP_IOC_NR_GET_API	0x00
#define LKP_IOC_GET_API		_IOWR(LKP_IOC_TYPE, LKP_IOC_NR_GET_API, struct lkp_api)

#endif /* _UAPI_LINUX_LKP_H */
