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

#define LKP_API_VERSION		5

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


/*
 * Sessions. LKP_IOC_ATTACH on /dev/lkp returns a new file descriptor (the
 * ioctl's return value) bound to one target process, identified at attach
 * time: a recycled pid can never redirect an open session. Every other ioctl
 * below is issued on a session fd. Closing the session fd, or the death of the
 * process holding it, thaws the target and frees everything the session holds
 * (but not the memory mapped into the target by LKP_IOC_MAP: patches outlive
 * the tool that applied them).
 */

/* lkp_attach.flags */
#define LKP_ATTACH_PIDFD	(1U << 0)	/* @pid is a pidfd, not a pid */

/**
 * struct lkp_attach - LKP_IOC_ATTACH: open a session on a target process.
 * @pid:	in: thread-group id of the target (or a pidfd, see flags).
 * @flags:	in: LKP_ATTACH_*.
 * @mem_fd:	in: proof of permission: an fd of the target's /proc/PID/mem
 *		(or /proc/PID/task/TID/mem) opened for writing. Required since
 *		API version 2 (version 1 modules required 0 here).
 * @reserved:	must be 0.
 *
 * The kernel checked, when the mem file was opened, that its opener may
 * ptrace the target (PTRACE_MODE_ATTACH_FSCREDS, with every LSM: Yama,
 * AppArmor, SELinux); the module accepts the file only if it holds the
 * memory the target runs now, so a file opened before the target exec'd is
 * refused (EACCES). Returns the session fd (O_CLOEXEC).
 */
struct lkp_attach {
	__u32 pid;
	__u32 flags;
	__s32 mem_fd;
	__u32 reserved;
};

/* lkp_freeze.flags */
#define LKP_FREEZE_PARK_ALL	(1U << 0)	/* wake sleepers and park them too */

/**
 * struct lkp_freeze - LKP_IOC_FREEZE: freeze every thread of the target.
 * @flags:	in: LKP_FREEZE_*.
 * @timeout_ms:	in: give up (ETIMEDOUT, target thawed) after this long;
 *		0 means the module's default (1000 ms).
 * @nr_threads:	out: threads frozen (thread group plus tasks sharing the mm).
 * @reserved:	must be 0.
 * @freeze_ns:	out: time from the first freeze request to the last thread
 *		known to be frozen.
 *
 * By default a thread sleeping in the kernel is left asleep and counts as
 * frozen (it runs the freeze callback, and parks, before it can return to
 * user mode), so no sleeper ever sees EINTR. LKP_FREEZE_PARK_ALL parks every
 * thread in the callback, waking sleepers with a signal-less notification.
 * Threads created while frozen are frozen before they run user code.
 */
struct lkp_freeze {
	__u32 flags;
	__u32 timeout_ms;
	__u32 nr_threads;
	__u32 reserved;
	__u64 freeze_ns;
};

/**
 * struct lkp_thaw - LKP_IOC_THAW: release every frozen thread.
 * @flags:	in: must be 0.
 * @reserved:	must be 0.
 * @pause_ns:	out: first thread frozen to last thread released.
 */
struct lkp_thaw {
	__u32 flags;
	__u32 reserved;
	__u64 pause_ns;
};

/* x86-64 user registers, in the order of struct user_regs_struct. */
struct lkp_regs {
	__u64 r15, r14, r13, r12, bp, bx, r11, r10;
	__u64 r9, r8, ax, cx, dx, si, di, orig_ax;
	__u64 ip, cs, flags, sp, ss, fs_base, gs_base, ds, es, fs, gs;
};

/* lkp_thread.flags */
#define LKP_THREAD_IN_SYSCALL	(1U << 0)	/* parked inside a system call */
#define LKP_THREAD_PARKED	(1U << 1)	/* in the freeze callback (else asleep) */
/*
 * A uprobe is stepping the thread out of line: it runs a copy of a probed
 * instruction, and the kernel then moves it on. regs.ip is where it is in
 * the program: the probed instruction while the copy has not run, the one
 * after it once it has. LKP_IOC_CALL never lends such a thread.
 */
#define LKP_THREAD_UPROBE_STEP	(1U << 2)

/**
 * struct lkp_thread - one frozen thread, as LKP_IOC_GET_THREADS reports it.
 * @tid:	thread id in the caller's pid namespace.
 * @flags:	LKP_THREAD_*.
 * @regs:	user registers. For a thread inside a system call, ip is just
 *		after the syscall instruction (and will be rewound by 2 if the
 *		call restarts) and ax may hold -ERESTART*. For one a uprobe
 *		steps (LKP_THREAD_UPROBE_STEP), see there.
 */
struct lkp_thread {
	__u32 tid;
	__u32 flags;
	struct lkp_regs regs;
};

/**
 * struct lkp_threads - LKP_IOC_GET_THREADS: list the frozen threads.
 * @threads:	in: user pointer to an array of @count struct lkp_thread.
 * @count:	in: array capacity; out: number of frozen threads. When the
 *		capacity is too small, the first @count entries are filled and
 *		the call fails with ENOSPC, @count saying how many are needed.
 * @thread_size: in: sizeof(struct lkp_thread) the caller was built with.
 * @flags:	in: must be 0.
 * @reserved:	must be 0.
 */
struct lkp_threads {
	__u64 threads;
	__u32 count;
	__u32 thread_size;
	__u32 flags;
	__u32 reserved;
};

/* An address range [start, end) of code that must not be running. */
struct lkp_range {
	__u64 start;
	__u64 end;
};

/* lkp_blocker.kind */
#define LKP_BLOCKER_NONE	0
#define LKP_BLOCKER_IP		1	/* a thread's ip is inside a range */
#define LKP_BLOCKER_RETADDR	2	/* a return address into a range is on a stack */
/* A write would touch the 2 bytes before a syscall-parked thread's ip. */
#define LKP_BLOCKER_SYSCALL_IP	3
/*
 * A return address into a range that a uretprobe took off the stack (no
 * stack word shows it); addr 0: the thread's uretprobe returns could not
 * all be read.
 */
#define LKP_BLOCKER_URETPROBE	4

/**
 * struct lkp_blocker - why an operation could not proceed (out only).
 * @tid:	the thread in the way.
 * @kind:	LKP_BLOCKER_*.
 * @addr:	the ip, or the return address found on the stack.
 * @stack_addr:	for RETADDR, where on the stack it was found.
 * @index:	which range (stack check) or poke entry (poke) it concerns.
 * @reserved:	written as 0.
 */
struct lkp_blocker {
	__u32 tid;
	__u32 kind;
	__u64 addr;
	__u64 stack_addr;
	__u32 index;
	__u32 reserved;
};

/**
 * struct lkp_stack_check - LKP_IOC_STACK_CHECK: is any frozen thread inside
 * one of the ranges? Fails with EBUSY and fills @blocker when one is.
 * @ranges:	in: user pointer to @nr_ranges struct lkp_range.
 * @nr_ranges:	in: 1 to LKP_MAX_RANGES.
 * @flags:	in: must be 0.
 * @max_stack:	in: bytes scanned per stack from sp upwards; 0 means to the
 *		end of the mapping holding sp (bounded by LKP_MAX_STACK_SCAN).
 * @reserved:	must be 0.
 * @blocker:	out: the first blocker found.
 *
 * A stack word equal to a range's start is a function pointer, not a return
 * address, and does not block.
 */
struct lkp_stack_check {
	__u64 ranges;
	__u32 nr_ranges;
	__u32 flags;
	__u32 max_stack;
	__u32 reserved;
	struct lkp_blocker blocker;
};

#define LKP_MAX_RANGES		4096
#define LKP_MAX_STACK_SCAN	(8U << 20)

/**
 * struct lkp_poke_entry - one compare-and-write in the target.
 * @addr:	in: target address.
 * @len:	in: 1 to LKP_MAX_POKE bytes.
 * @reserved:	must be 0.
 * @old_bytes:	in: user pointer to @len bytes expected at @addr now.
 * @new_bytes:	in: user pointer to @len bytes to write.
 */
struct lkp_poke_entry {
	__u64 addr;
	__u32 len;
	__u32 reserved;
	__u64 old_bytes;
	__u64 new_bytes;
};

#define LKP_MAX_POKE		64
#define LKP_MAX_POKES		4096

/**
 * struct lkp_poke - LKP_IOC_POKE: compare-and-write, all or nothing, while
 * frozen (EBADFD otherwise), into private mappings only.
 * @entries:	in: user pointer to @nr_entries struct lkp_poke_entry.
 * @nr_entries:	in: 1 to LKP_MAX_POKES.
 * @flags:	in: must be 0.
 * @blocker:	out: on ESTALE, @blocker.index is the entry whose old bytes
 *		differ; on EBUSY, the syscall-parked thread in the way.
 */
struct lkp_poke {
	__u64 entries;
	__u32 nr_entries;
	__u32 flags;
	struct lkp_blocker blocker;
};

#define LKP_MAP_MAX_BELOW	2

/**
 * struct lkp_map_part - a mapping LKP_IOC_MAP makes right below another.
 * @len:	in: length, page aligned, nonzero.
 * @prot:	in: PROT_READ, PROT_WRITE, PROT_EXEC bits only.
 * @reserved:	must be 0.
 * @addr:	out: where it was mapped.
 */
struct lkp_map_part {
	__u64 len;
	__u32 prot;
	__u32 reserved;
	__u64 addr;
};

/**
 * struct lkp_map - LKP_IOC_MAP: a private anonymous mapping in the target,
 * at or near @hint, never replacing an existing mapping; with @nr_below
 * (API version 3), up to LKP_MAP_MAX_BELOW more mappings right below it,
 * @below[0] adjacent to it, @below[1] adjacent to @below[0], all made at
 * once (one trip to the worker that maps) or none.
 * @hint:	in: wanted address (page aligned).
 * @len:	in: length, page aligned, nonzero.
 * @max_distance: in: any address whose whole mapping lies within this many
 *		bytes of @hint is acceptable; 0 means exactly @hint. With
 *		parts below, "the whole mapping" is the block of all of them.
 * @prot:	in: PROT_READ, PROT_WRITE, PROT_EXEC bits only.
 * @flags:	in: must be 0.
 * @addr:	out: where it was mapped.
 * @nr_below:	in: parts in @below, at most LKP_MAP_MAX_BELOW; those
 *		after them must be all zero.
 * @reserved:	must be 0.
 * @below:	the parts; each is its own mapping for LKP_IOC_UNMAP.
 */
struct lkp_map {
	__u64 hint;
	__u64 len;
	__u64 max_distance;
	__u32 prot;
	__u32 flags;
	__u64 addr;
	__u32 nr_below;
	__u32 reserved;
	struct lkp_map_part below[LKP_MAP_MAX_BELOW];
};

/**
 * struct lkp_unmap - LKP_IOC_UNMAP: remove a mapping LKP_IOC_MAP made in
 * this target (by this or an earlier session); anything else is ENOENT.
 * @addr:	in: the address LKP_IOC_MAP returned.
 * @len:	in: the length it was mapped with.
 * @flags:	in: must be 0.
 * @reserved:	must be 0.
 */
struct lkp_unmap {
	__u64 addr;
	__u64 len;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct lkp_transaction - LKP_IOC_TRANSACTION: freeze, verify every old
 * byte, stack check, write every entry, thaw: one call, all or nothing.
 * @entries, @nr_entries:	in: as in struct lkp_poke.
 * @ranges, @nr_ranges:		in: as in struct lkp_stack_check (may be 0).
 * @flags:	in: LKP_FREEZE_* bits for the freeze.
 * @attempts:	in: tries when a thread is in a range (EBUSY); 0 means 1.
 * @retry_delay_ms: in: thawed wait between tries.
 * @timeout_ms:	in: per-freeze timeout, as in struct lkp_freeze.
 * @max_stack:	in: as in struct lkp_stack_check.
 * @attempts_made: out: how many freezes it took.
 * @nr_threads:	out: threads frozen in the last attempt.
 * @pause_ns:	out: the pause the target saw in the last attempt (first thread
 *		frozen to last thread released).
 * @blocker:	out: on EBUSY or ESTALE, as for the stack check and poke.
 */
struct lkp_transaction {
	__u64 entries;
	__u64 ranges;
	__u32 nr_entries;
	__u32 nr_ranges;
	__u32 flags;
	__u32 attempts;
	__u32 retry_delay_ms;
	__u32 timeout_ms;
	__u32 max_stack;
	__u32 attempts_made;
	__u32 nr_threads;
	__u32 reserved;
	__u64 pause_ns;
	struct lkp_blocker blocker;
};

/**
 * struct lkp_hold_open - LKP_IOC_HOLD_OPEN: open a hold channel (CAP_SYS_ADMIN).
 * @flags:	in: must be 0.
 * @timeout_ms:	in: how long a held thread waits for LKP_IOC_HOLD_RELEASE
 *		before it goes on unpatched (logged); 0 means 5000, at most
 *		60000.
 * @reserved:	must be 0.
 *
 * A hold point is an instruction of a file (an executable's entry, a
 * library's init function): every thread of any process that reaches it
 * parks before it executes it, the channel's reader is told (read() gives
 * struct lkp_hold_event), patches the process, and releases it. Closing the
 * channel removes its points and releases every thread it holds; the
 * process that opened the channel is never held by it. Returns the channel
 * fd (O_CLOEXEC), which supports read(), poll() and the LKP_IOC_HOLD_*
 * ioctls below.
 */
struct lkp_hold_open {
	__u32 flags;
	__u32 timeout_ms;
	__u64 reserved;
};

/**
 * struct lkp_hold_add - LKP_IOC_HOLD_ADD: add a hold point to a channel.
 * @fd:		in: an fd of the regular file to hold in (any open mode).
 * @flags:	in: must be 0.
 * @offset:	in: file offset of the instruction to hold at.
 * @cookie:	in: given back in each event of this point.
 * @id:		out: the point's id, for LKP_IOC_HOLD_DEL.
 * @reserved:	must be 0.
 */
struct lkp_hold_add {
	__s32 fd;
	__u32 flags;
	__u64 offset;
	__u64 cookie;
	__u32 id;
	__u32 reserved;
};

/**
 * struct lkp_hold_del - LKP_IOC_HOLD_DEL: remove a hold point.
 * @id:		in: as LKP_IOC_HOLD_ADD gave it.
 * @flags:	in: must be 0.
 *
 * Threads the point holds already stay held until released.
 */
struct lkp_hold_del {
	__u32 id;
	__u32 flags;
};

/**
 * struct lkp_hold_release - LKP_IOC_HOLD_RELEASE: let a held thread go on.
 * @hold:	in: struct lkp_hold_event.hold.
 * @flags:	in: must be 0.
 * @reserved:	must be 0.
 */
struct lkp_hold_release {
	__u64 hold;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct lkp_hold_event - what read() of a hold channel gives, one per held thread.
 * @hold:	the held thread's id, for LKP_IOC_HOLD_RELEASE.
 * @cookie:	the hold point's cookie.
 * @point:	the hold point's id.
 * @pid:	the thread group, in the reader's pid namespace (0: not in it).
 * @tid:	the thread.
 * @flags:	0 for now.
 */
struct lkp_hold_event {
	__u64 hold;
	__u64 cookie;
	__u32 point;
	__s32 pid;
	__s32 tid;
	__u32 flags;
};

/* The red zone below a thread's sp that LKP_IOC_CALL leaves alone (x86-64 ABI). */
#define LKP_CALL_RED_ZONE	128

/**
 * struct lkp_call_frame - what LKP_IOC_CALL saves on the chosen thread's stack.
 *
 * The frame ends LKP_CALL_RED_ZONE bytes below the thread's sp, so @ip is at
 * sp - 136: a stub that loads every register from the frame in this order,
 * then pops @flags (popfq) and returns with `ret $128`, resumes the thread
 * exactly where it was, with its sp.
 */
struct lkp_call_frame {
	__u64 r15, r14, r13, r12, bp, bx, r11, r10;
	__u64 r9, r8, ax, cx, dx, si, di;
	__u64 flags;
	__u64 ip;
};

/**
 * struct lkp_call - LKP_IOC_CALL: make one thread of the target run a stub.
 * @stub:	in: the stub's address: inside an executable mapping that
 *		LKP_IOC_MAP made in this target.
 * @avoid:	in: user pointer to @nr_avoid + @nr_avoid_ip struct
 *		lkp_range. The first @nr_avoid: a thread whose ip, or a word
 *		of whose stack, lies in one of them is never chosen (code
 *		whose locks the stub takes). The next @nr_avoid_ip (version
 *		4): a thread interrupted there is not chosen, a sleeper woken
 *		from a system call is (code that holds locks the stub's
 *		callees take, such as the allocator's). May be 0 when both
 *		counts are 0.
 * @nr_avoid:	in: @nr_avoid + @nr_avoid_ip is 0 to LKP_MAX_RANGES.
 * @flags:	in: must be 0.
 * @timeout_ms:	in: give up (ETIMEDOUT) when no thread could be chosen in
 *		this long; 0 means 1000 ms.
 * @max_stack:	in: as in struct lkp_stack_check, for @avoid.
 * @tid:	out: the chosen thread.
 * @attempts:	out: freezes it took.
 * @frame:	out: where struct lkp_call_frame was written (the stub's rdi).
 * @nr_avoid_ip: in: see @avoid; 0 before version 4.
 * @reserved:	must be 0.
 *
 * The target is frozen (as LKP_IOC_FREEZE does, sleepers left asleep) until
 * a thread of its group is parked on its way to user mode (or a sleeper in
 * a call that restarts unseen is woken to park: docs/uapi.md), in 64-bit
 * mode, and clear of @avoid; its
 * registers go to a struct lkp_call_frame below its red zone, it resumes
 * at @stub with rdi pointing at the frame and sp 16-byte aligned right
 * below it, and the target is thawed. The call returns then: whether and
 * when the stub has finished is for the stub to tell (it runs as an
 * asynchronous signal handler would, while the other threads run).
 * Without such a thread the target is thawed and frozen again, until
 * @timeout_ms.
 */
struct lkp_call {
	__u64 stub;
	__u64 avoid;
	__u32 nr_avoid;
	__u32 flags;
	__u32 timeout_ms;
	__u32 max_stack;
	__u32 tid;
	__u32 attempts;
	__u64 frame;
	__u32 nr_avoid_ip;
	__u32 reserved;
};

#define LKP_IOC_NR_ATTACH	0x01
#define LKP_IOC_NR_FREEZE	0x02
#define LKP_IOC_NR_THAW		0x03
#define LKP_IOC_NR_GET_THREADS	0x04
#define LKP_IOC_NR_STACK_CHECK	0x05
#define LKP_IOC_NR_POKE		0x06
#define LKP_IOC_NR_MAP		0x07
#define LKP_IOC_NR_UNMAP	0x08
#define LKP_IOC_NR_TRANSACTION	0x09
#define LKP_IOC_NR_HOLD_OPEN	0x0a
#define LKP_IOC_NR_HOLD_ADD	0x0b
#define LKP_IOC_NR_HOLD_DEL	0x0c
#define LKP_IOC_NR_HOLD_RELEASE	0x0d
#define LKP_IOC_NR_CALL		0x0e

#define LKP_IOC_ATTACH		_IOW(LKP_IOC_TYPE, LKP_IOC_NR_ATTACH, struct lkp_attach)
#define LKP_IOC_FREEZE		_IOWR(LKP_IOC_TYPE, LKP_IOC_NR_FREEZE, struct lkp_freeze)
#define LKP_IOC_THAW		_IOWR(LKP_IOC_TYPE, LKP_IOC_NR_THAW, struct lkp_thaw)
#define LKP_IOC_GET_THREADS	_IOWR(LKP_IOC_TYPE, LKP_IOC_NR_GET_THREADS, struct lkp_threads)
#define LKP_IOC_STACK_CHECK	_IOWR(LKP_IOC_TYPE, LKP_IOC_NR_STACK_CHECK, struct lkp_stack_check)
#define LKP_IOC_POKE		_IOWR(LKP_IOC_TYPE, LKP_IOC_NR_POKE, struct lkp_poke)
#define LKP_IOC_MAP		_IOWR(LKP_IOC_TYPE, LKP_IOC_NR_MAP, struct lkp_map)
#define LKP_IOC_UNMAP		_IOW(LKP_IOC_TYPE, LKP_IOC_NR_UNMAP, struct lkp_unmap)
#define LKP_IOC_TRANSACTION	_IOWR(LKP_IOC_TYPE, LKP_IOC_NR_TRANSACTION, struct lkp_transaction)
#define LKP_IOC_HOLD_OPEN	_IOW(LKP_IOC_TYPE, LKP_IOC_NR_HOLD_OPEN, struct lkp_hold_open)
#define LKP_IOC_HOLD_ADD	_IOWR(LKP_IOC_TYPE, LKP_IOC_NR_HOLD_ADD, struct lkp_hold_add)
#define LKP_IOC_HOLD_DEL	_IOW(LKP_IOC_TYPE, LKP_IOC_NR_HOLD_DEL, struct lkp_hold_del)
#define LKP_IOC_HOLD_RELEASE	_IOW(LKP_IOC_TYPE, LKP_IOC_NR_HOLD_RELEASE, struct lkp_hold_release)
#define LKP_IOC_CALL		_IOWR(LKP_IOC_TYPE, LKP_IOC_NR_CALL, struct lkp_call)

#endif /* _UAPI_LINUX_LKP_H */
