/* SPDX-License-Identifier: GPL-2.0 */
/* lkp_watch.h: the watched-object map and the event record shared by lkp_watch.bpf.c and user/lib/watch.c. */
#ifndef LKP_WATCH_H
#define LKP_WATCH_H

/*
 * Included both by the BPF program (after vmlinux.h) and by userspace (after
 * <linux/types.h>): it uses __u32/__u64 and includes nothing itself.
 */

#define LKP_WATCH_MAX_OBJECTS	4096
#define LKP_WATCH_RINGBUF_SIZE	(256 * 1024)

/*
 * The kernel's own dev_t: MKDEV(major, minor) = major << 20 | minor, as in
 * inode->i_sb->s_dev. Userspace's st_dev is the other encoding (glibc's
 * makedev(), new_encode_dev() for small numbers); convert with LKP_KDEV().
 */
#define LKP_KDEV_MINORBITS	20
#define LKP_KDEV(major, minor)	(((__u32)(major) << LKP_KDEV_MINORBITS) | (__u32)(minor))

/* A watched object: the inode as the kernel's struct file of an exec or mmap names it. */
struct lkp_watch_key {
	__u64 ino;		/* inode->i_ino */
	__u32 dev;		/* inode->i_sb->s_dev, kernel encoding */
	__u32 pad;		/* zero */
};

struct lkp_watch_value {
	__u64 cookie;		/* chosen by userspace, returned in every event */
};

enum lkp_watch_kind {
	LKP_WATCH_EXEC = 1,	/* a process exec'd the object */
	LKP_WATCH_MMAP = 2,	/* a process mapped the object with PROT_EXEC */
};

struct lkp_watch_event {
	__u32 kind;		/* enum lkp_watch_kind */
	__u32 pid;		/* the thread that exec'd or mapped */
	__u32 tgid;
	__u32 dev;		/* the key that matched */
	__u64 ino;
	__u64 cookie;
	__u64 addr;		/* LKP_WATCH_MMAP: start of the mapping; else 0 */
	__u64 len;		/* LKP_WATCH_MMAP: its length in bytes; else 0 */
	__u64 pgoff;		/* LKP_WATCH_MMAP: its file offset in pages; else 0 */
};

#endif /* LKP_WATCH_H */
