// SPDX-License-Identifier: GPL-2.0
/* ehreg.c: registers a patch's unwind rules with the target's libgcc (LKP_IOC_CALL runs the call), and takes them back. */
#include <cpuid.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ehreg.h"

/*
 * The unwinder of a C++ throw or of backtrace() finds the rules of a pc in
 * the objects registered with __register_frame_info, then in what ld.so
 * loaded: the patch's code is in neither until it is registered, as a JIT
 * registers its code (docs/apply.md). The call must run in the process, on
 * one of its threads, under libgcc's own lock: LKP_IOC_CALL lends a thread
 * to this stub, which saves the extended state (the called code may use
 * any vector register: memcpy does), calls the function the block names,
 * says it is done, and resumes the thread as LKP_IOC_CALL's frame says.
 * As gas assembles it:
 *
 *	mov %rdi,%rbx; movabs $BLOCK,%r12
 *	sub 40(%r12),%rsp; and $-64,%rsp	xsave area, 64-aligned
 *	lea 512(%rsp),%rdi; mov $8,%ecx; xor %eax,%eax; cld; rep stosq
 *						(its header must start zeroed)
 *	mov $-1,%eax; mov $-1,%edx; xsave64 (%rsp)
 *	mov 8(%r12),%rdi; mov 16(%r12),%rsi; call *(%r12)
 *	mov %rax,32(%r12); movq $1,24(%r12)
 *	mov $-1,%eax; mov $-1,%edx; xrstor64 (%rsp)
 *	mov %rbx,%rsp; pop r15 .. rdi (struct lkp_call_frame's order); popfq
 *	ret $128
 */
static const uint8_t eh_stub[] = {
	0x48, 0x89, 0xfb, 0x49, 0xbc, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22,
	0x11, 0x49, 0x2b, 0x64, 0x24, 0x28, 0x48, 0x83, 0xe4, 0xc0, 0x48, 0x8d,
	0xbc, 0x24, 0x00, 0x02, 0x00, 0x00, 0xb9, 0x08, 0x00, 0x00, 0x00, 0x31,
	0xc0, 0xfc, 0xf3, 0x48, 0xab, 0xb8, 0xff, 0xff, 0xff, 0xff, 0xba, 0xff,
	0xff, 0xff, 0xff, 0x48, 0x0f, 0xae, 0x24, 0x24, 0x49, 0x8b, 0x7c, 0x24,
	0x08, 0x49, 0x8b, 0x74, 0x24, 0x10, 0x41, 0xff, 0x14, 0x24, 0x49, 0x89,
	0x44, 0x24, 0x20, 0x49, 0xc7, 0x44, 0x24, 0x18, 0x01, 0x00, 0x00, 0x00,
	0xb8, 0xff, 0xff, 0xff, 0xff, 0xba, 0xff, 0xff, 0xff, 0xff, 0x48, 0x0f,
	0xae, 0x2c, 0x24, 0x48, 0x89, 0xdc, 0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d,
	0x41, 0x5c, 0x5d, 0x5b, 0x41, 0x5b, 0x41, 0x5a, 0x41, 0x59, 0x41, 0x58,
	0x58, 0x59, 0x5a, 0x5e, 0x5f, 0x9d, 0xc2, 0x80, 0x00,
};
#define EH_STUB_BLOCK_AT	5	/* the movabs immediate */

_Static_assert(sizeof(eh_stub) <= LKP_EH_STUB_SIZE, "the stub fits its room");

/*
 * How long to look for a thread to borrow: one is found in the first
 * freeze when any runs or sleeps where it may be woken; the tries after
 * catch threads between two states. A process held by lkpd has none.
 */
#define EH_CALL_FIND_MS		250
/* How long a call may take once a thread runs it (libgcc's lock may be busy). */
#define EH_CALL_DONE_MS		5000
#define EH_CALL_POLL_US		100

void lkp_eh_fill_stub(uint8_t *buf, uint64_t block)
{
	memset(buf, 0xcc, LKP_EH_STUB_SIZE);
	memcpy(buf, eh_stub, sizeof(eh_stub));
	memcpy(buf + EH_STUB_BLOCK_AT, &block, sizeof(block));
}

/* The XSAVE area of every enabled feature (the kernel's XCR0), plus its alignment slack. */
static uint64_t xsave_room(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid_count(0xd, 0, &a, &b, &c, &d) || b < 576)
		b = 4096;
	return b + 64;
}

/* libgcc_s, then the allocators and the uprobes' XOL area: see eh_resolve(). */
#define EH_MAX_AVOID	5

struct eh_fns {
	uint64_t fn;
	struct lkp_range avoid[EH_MAX_AVOID];
	uint32_t nr_ip;			/* of them, checked against the ip only */
};

/* Adds o's range to the ip-only ranges of f, once. */
static void avoid_ip(struct eh_fns *f, const struct lkp_object *o)
{
	uint32_t i;

	if (!o)
		return;
	for (i = 0; i < 1 + f->nr_ip; i++)
		if (f->avoid[i].start == o->lo)
			return;
	if (1 + f->nr_ip < EH_MAX_AVOID)
		f->avoid[1 + f->nr_ip++] = (struct lkp_range){ o->lo, o->hi };
}

/*
 * Adds the uprobes' XOL area ("[uprobes]", made at a process's first uprobe
 * hit; the target noted it) to the ip-only ranges of f. A thread with its
 * ip there is about to single-step the copy of a probed instruction (a
 * hold point of lkpd, or a tracer's uprobe), or is held at one: run
 * elsewhere first, it would come back to a step the kernel no longer
 * expects (a held process lent to the call died of SIGSEGV).
 */
static void avoid_xol(const struct lkp_target *t, struct eh_fns *f)
{
	if (t->xol.end && 1 + f->nr_ip < EH_MAX_AVOID)
		f->avoid[1 + f->nr_ip++] = t->xol;
}

/* The loaded object of that file name, or NULL. */
static struct lkp_object *by_name(const struct lkp_target *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->nr_objs; i++)
		if (!strcmp(t->objs[i].name, name))
			return &t->objs[i];
	return NULL;
}

bool lkp_eh_possible(const struct lkp_target *t)
{
	return by_name(t, "libgcc_s.so.1");
}

/* name@GCC_3.0 in libgcc_s.so.1: -ENOENT when the process has not loaded it. */
static int eh_resolve(struct lkp_target *t, const char *name, struct eh_fns *f, char *err)
{
	struct lkp_addr a;
	int ret;

	/* Most C processes never load it: no symbol lookup for them. */
	if (!lkp_eh_possible(t))
		return -ENOENT;
	ret = lkp_target_resolve(t, name, "GCC_3.0", "libgcc_s.so.1", false, &a, err);
	if (ret)
		return ret;
	if (!a.obj || strcmp(a.obj->name, "libgcc_s.so.1")) {
		snprintf(err, LKP_ERR_SIZE, "%s is not libgcc_s.so.1's", name);
		return -ENOENT;
	}
	f->fn = a.addr;
	/* A thread in libgcc_s, or returning into it, may hold object_mutex. */
	f->avoid[0] = (struct lkp_range){ a.obj->lo, a.obj->hi };
	/*
	 * The stub runs as a signal handler would, and deregistering calls
	 * free(): a thread stopped inside the allocator, holding the lock of
	 * the arena that free() needs, would wait for itself for good, with
	 * object_mutex held. Only the ip counts here (the allocator calls
	 * back into nobody), and a sleeper woken for the call is exempt.
	 */
	f->nr_ip = 0;
	if (!lkp_target_resolve(t, "free", NULL, NULL, false, &a, err))
		avoid_ip(f, a.obj);
	if (!lkp_target_resolve(t, "malloc", NULL, NULL, false, &a, err))
		avoid_ip(f, a.obj);
	avoid_ip(f, by_name(t, "libc.so.6"));
	avoid_xol(t, f);
	err[0] = '\0';
	return 0;
}

static void sleep_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * fn(arg0, arg1) on a thread of the target: 0 and *result, or -errno. A
 * stub that never says it is done (its thread killed, a lock never freed)
 * is -ETIME: whether the call happened is then unknown.
 */
static int eh_call(const struct lkp_session *s, const struct eh_fns *f, uint64_t eh_area,
		   uint64_t eh_stub_addr, uint64_t arg0, uint64_t arg1, uint64_t *result)
{
	struct lkp_eh_block blk = {
		.fn = f->fn, .arg0 = arg0, .arg1 = arg1, .stack = xsave_room(),
	};
	struct lkp_call c = {
		.stub = eh_stub_addr, .avoid = (uintptr_t)f->avoid, .nr_avoid = 1,
		.timeout_ms = EH_CALL_FIND_MS,
	};
	long waited;
	int ret;

	/* A version 3 module knows no ip-only ranges: libgcc_s's alone, as then. */
	if (s->api_version >= 4)
		c.nr_avoid_ip = f->nr_ip;
	ret = lkp_mem_write(s, eh_area, &blk, sizeof(blk));
	if (ret)
		return ret;
	ret = lkp_session_ioctl(s, LKP_IOC_CALL, &c);
	if (ret)
		return ret;
	for (waited = 0; waited < EH_CALL_DONE_MS * 1000L; waited += EH_CALL_POLL_US) {
		ret = lkp_mem_read(s, eh_area, &blk, sizeof(blk));
		if (ret)
			return ret;
		if (blk.done) {
			*result = blk.result;
			return 0;
		}
		sleep_us(EH_CALL_POLL_US);
	}
	return -ETIME;
}

static uint64_t entry_addr(uint64_t eh_area, uint32_t i)
{
	return eh_area + sizeof(struct lkp_eh_block) + (uint64_t)i * sizeof(struct lkp_eh_entry);
}

static int set_state(const struct lkp_session *s, uint64_t at, uint64_t state)
{
	return lkp_mem_write(s, at + offsetof(struct lkp_eh_entry, registered), &state,
			     sizeof(state));
}

int lkp_eh_register(const struct lkp_session *s, struct lkp_target *t, uint64_t eh_area,
		    uint64_t eh_stub_addr, uint32_t nr_eh, char *err)
{
	struct lkp_eh_entry e;
	struct eh_fns f;
	uint64_t at, res;
	uint32_t i;
	int ret;

	if (!nr_eh)
		return 0;
	ret = eh_resolve(t, "__register_frame_info", &f, err);
	if (ret == -ENOENT)
		return 0;	/* no libgcc_s: nothing there to register with */
	if (ret)
		return ret;
	for (i = 0; i < nr_eh; i++) {
		at = entry_addr(eh_area, i);
		ret = lkp_mem_read(s, at, &e, sizeof(e));
		if (!ret && e.registered)
			continue;
		/* From here until the stub says done, libgcc may or may not hold it. */
		if (!ret)
			ret = set_state(s, at, LKP_EH_UNKNOWN);
		if (!ret)
			ret = eh_call(s, &f, eh_area, eh_stub_addr, e.eh_frame,
				      at + offsetof(struct lkp_eh_entry, object), &res);
		/* No thread ran the stub: nothing happened. */
		if (ret == -ETIMEDOUT || ret == -EINTR)
			set_state(s, at, LKP_EH_NO);
		else if (!ret)
			ret = set_state(s, at, LKP_EH_YES);
		if (ret) {
			snprintf(err, LKP_ERR_SIZE, "cannot register the patch's unwind rules: %s",
				 ret == -ETIMEDOUT ? "no thread could run the call" :
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int lkp_eh_deregister(const struct lkp_session *s, struct lkp_target *t, uint64_t eh_area,
		      uint64_t eh_stub_addr, uint32_t nr_eh, char *err)
{
	struct lkp_eh_entry e;
	struct eh_fns f;
	uint64_t at, res;
	bool resolved = false;
	uint32_t i;
	int ret;

	for (i = 0; i < nr_eh; i++) {
		at = entry_addr(eh_area, i);
		ret = lkp_mem_read(s, at, &e, sizeof(e));
		if (!ret && e.registered == LKP_EH_NO)
			continue;
		/*
		 * Maybe registered: deregistering what libgcc does not hold
		 * aborts the process (GCC asserts), keeping it costs memory.
		 */
		if (!ret && e.registered != LKP_EH_YES)
			ret = -EBUSY;
		if (!ret && !resolved) {
			ret = eh_resolve(t, "__deregister_frame_info", &f, err);
			resolved = !ret;
		}
		if (!ret)
			ret = eh_call(s, &f, eh_area, eh_stub_addr, e.eh_frame, 0, &res);
		if (ret == -ETIMEDOUT || ret == -EINTR)
			;	/* not called: still registered */
		else if (ret)
			set_state(s, at, LKP_EH_UNKNOWN);
		/* libgcc gives back the object it held: anything else is not ours. */
		else if (res != at + offsetof(struct lkp_eh_entry, object))
			ret = -ENOENT;
		else
			ret = set_state(s, at, LKP_EH_NO);
		if (ret) {
			snprintf(err, LKP_ERR_SIZE, "cannot take back the patch's unwind rules: %s",
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

bool lkp_eh_any_held(const struct lkp_session *s, uint64_t eh_area, uint32_t nr_eh)
{
	struct lkp_eh_entry e;
	uint32_t i;

	for (i = 0; i < nr_eh; i++)
		if (lkp_mem_read(s, entry_addr(eh_area, i), &e, sizeof(e)) ||
		    e.registered != LKP_EH_NO)
			return true;
	return false;
}

bool lkp_eh_any_unregistered(const struct lkp_session *s, uint64_t eh_area, uint32_t nr_eh)
{
	struct lkp_eh_entry e;
	uint32_t i;

	for (i = 0; i < nr_eh; i++)
		if (!lkp_mem_read(s, entry_addr(eh_area, i), &e, sizeof(e)) &&
		    e.registered == LKP_EH_NO)
			return true;
	return false;
}

const char *lkp_eh_state(const struct lkp_session *s, const struct lkp_applied *a)
{
	struct lkp_eh_entry e;
	uint32_t i, yes = 0;

	if (!a->nr_eh)
		return "none";
	for (i = 0; i < a->nr_eh; i++) {
		if (lkp_mem_read(s, entry_addr(a->eh_area, i), &e, sizeof(e)) ||
		    (e.registered != LKP_EH_NO && e.registered != LKP_EH_YES))
			return "unknown";
		yes += e.registered == LKP_EH_YES;
	}
	return yes == a->nr_eh ? "registered" : yes ? "partly registered" : "not registered";
}
