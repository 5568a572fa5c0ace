// SPDX-License-Identifier: GPL-2.0
/* uprobe_test.c: threads a uprobe holds: one stepped out of line is at the probed instruction and never lent; a uretprobe's hidden return address blocks. */
#include <link.h>
#include <sys/mount.h>

#include "../kselftest_harness.h"
#include "lkp_target.h"

/*
 * The probes are tracefs uprobe events (what perf probe makes; bpftrace
 * attaches the same kind of uprobe) on this very executable: the target is
 * its fork.
 */
#define TRACEFS		"/sys/kernel/tracing"
#define GROUP		"lkp_uprobe_test"

/* Freezes to catch the probed thread in its step out of line, at most. */
#define STEP_TRIES	3000
/* LKP_IOC_CALLs made while the probed thread steps in and out. */
#define CALLS		200

FIXTURE(up) {
	struct lkp_target t;
	int fd;
	char event[32];		/* the probe made, to take away */
};

/* The file offset of @addr in this executable (as uprobe_events wants it). */
struct exe_off {
	uint64_t addr, off;
	bool found;
};

static int exe_off_phdr(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct exe_off *e = arg;
	uint64_t v = e->addr - info->dlpi_addr;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];

		if (p->p_type == PT_LOAD && v >= p->p_vaddr && v < p->p_vaddr + p->p_filesz) {
			e->off = v - p->p_vaddr + p->p_offset;
			e->found = true;
		}
	}
	return 1;	/* the first object is the executable */
}

/* Makes and enables the uprobe "p" or uretprobe "r" @event at @fn's entry; 0 or -errno. */
static int probe_add(char kind, const char *event, const void *fn)
{
	struct exe_off e = { .addr = (uintptr_t)fn };
	char exe[256], def[512], path[256];
	ssize_t n;
	int ret;

	if (access(TRACEFS "/uprobe_events", F_OK))
		mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = 0;
	dl_iterate_phdr(exe_off_phdr, &e);
	if (!e.found)
		return -ENOENT;
	snprintf(def, sizeof(def), "%c:%s/%s %s:0x%llx\n", kind, GROUP, event, exe,
		 (unsigned long long)e.off);
	ret = lkp_write_file(TRACEFS "/uprobe_events", def);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/events/%s/%s/enable", TRACEFS, GROUP, event);
	return lkp_write_file(path, "1");
}

static void probe_del(const char *event)
{
	char path[256], def[128];

	snprintf(path, sizeof(path), "%s/events/%s/%s/enable", TRACEFS, GROUP, event);
	lkp_write_file(path, "0");
	snprintf(def, sizeof(def), "-:%s/%s\n", GROUP, event);
	lkp_write_file(TRACEFS "/uprobe_events", def);
}

FIXTURE_SETUP(up)
{
	self->event[0] = 0;
	ASSERT_EQ(0, lkp_target_start(&self->t));
	self->fd = lkp_open_session(self->t.pid);
	ASSERT_LE(0, self->fd) TH_LOG("attach: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(up)
{
	close(self->fd);
	lkp_target_stop(&self->t);
	if (self->event[0])
		probe_del(self->event);
}

static void probe(struct __test_metadata *_metadata, FIXTURE_DATA(up) *self, char kind,
		  const char *event, const void *fn)
{
	int ret = probe_add(kind, event, fn);

	ASSERT_EQ(0, ret) TH_LOG("%c:%s on %p: %s (a kernel with CONFIG_UPROBE_EVENTS, tracefs)",
				 kind, event, fn, strerror(-ret));
	snprintf(self->event, sizeof(self->event), "%s", event);
}

/* Waits until lkp_t_probed has run again, through its probe. */
static int probed_moves(struct lkp_target *t)
{
	uint64_t was = t->shm->probed;
	int i;

	for (i = 0; i < 10000 && t->shm->probed == was; i++)
		lkp_sleep_ms(1);
	return t->shm->probed == was ? -ETIMEDOUT : 0;
}

/* Is @addr inside @fn (its symbol's size)? */
static bool in_fn(uint64_t addr, const void *fn)
{
	return addr >= (uintptr_t)fn && addr < (uintptr_t)fn + lkp_fn_size(fn);
}

/*
 * Frozen while a uprobe steps it out of line, the thread is at the probed
 * instruction (lkp_t_probed's first), or, once the copy ran and before the
 * kernel's fixup (preempted on its way out of the single-step trap), at the
 * instruction after it; flagged LKP_THREAD_UPROBE_STEP; and nowhere else
 * but in its functions: never in the [uprobes] page, where no stack check
 * would find it and whence it returns into lkp_t_probed.
 */
TEST_F(up, stepped_thread_is_at_the_probed_instruction)
{
	const uint64_t at = (uintptr_t)lkp_t_probed, past = at + LKP_T_PROBED_INSN;
	unsigned int i, k, stepping = 0, ran = 0, freezes = 0;
	struct lkp_thread th[8];
	pid_t tid;

	ASSERT_NE(0, lkp_fn_size(lkp_t_probed)) TH_LOG("no symbol size: link with -rdynamic");
	probe(_metadata, self, 'p', "step", lkp_t_probed);
	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_PROBED));
	ASSERT_EQ(0, probed_moves(&self->t));
	tid = self->t.shm->tid[LKP_T_PROBED];
	for (i = 0; i < STEP_TRIES && stepping < 3; i++) {
		struct lkp_threads a = { .threads = (uintptr_t)th, .count = 8,
					 .thread_size = sizeof(th[0]) };

		ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
		freezes++;
		ASSERT_EQ(0, lkp_ioc(self->fd, LKP_IOC_GET_THREADS, &a));
		ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
		for (k = 0; k < a.count; k++) {
			if ((pid_t)th[k].tid != tid)
				continue;
			EXPECT_TRUE(in_fn(th[k].regs.ip, lkp_t_probed) ||
				    in_fn(th[k].regs.ip, lkp_t_probed_body) ||
				    in_fn(th[k].regs.ip, lkp_t_probed_loop))
				TH_LOG("freeze %u: ip %#llx, flags %#x: in none of lkp_t_probed (%p), its body or its loop",
				       freezes, (unsigned long long)th[k].regs.ip, th[k].flags,
				       lkp_t_probed);
			if (th[k].flags & LKP_THREAD_UPROBE_STEP) {
				EXPECT_TRUE(th[k].regs.ip == at || th[k].regs.ip == past)
					TH_LOG("freeze %u: stepping at %#llx, not %#llx nor %#llx",
					       freezes, (unsigned long long)th[k].regs.ip,
					       (unsigned long long)at, (unsigned long long)past);
				stepping++;
				ran += th[k].regs.ip == past;
			}
		}
		if (_metadata->passed == 0)
			break;
	}
	TH_LOG("%u of %u freezes found it stepping (%u past the copy)", stepping, freezes, ran);
	/* Else this test proved nothing: the probe never had it mid-step. */
	EXPECT_LT(0, stepping);
	ASSERT_EQ(0, probed_moves(&self->t));
	ASSERT_EQ(0, lkp_target_release(&self->t));
}

/*
 * LKP_IOC_CALL with nothing avoided, CALLS times, while the only running
 * thread steps through a uprobe at every call of lkp_t_probed: it is lent
 * only between two steps (or the sleeping main thread is), never in one,
 * where the stub's return would undo the step's fixup and crash it.
 */
TEST_F(up, stepped_thread_is_never_lent)
{
	static const uint8_t ret_stub[] = { LKP_STUB_RESUME };
	struct lkp_map m = { .hint = 1ULL << 32, .len = 4096, .max_distance = 1ULL << 40,
			     .prot = PROT_READ | PROT_EXEC };
	unsigned int i, lent = 0;
	char path[64];
	int mem;

	ASSERT_EQ(0, lkp_ioc(self->fd, LKP_IOC_MAP, &m));
	snprintf(path, sizeof(path), "/proc/%d/mem", self->t.pid);
	mem = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, mem);
	ASSERT_EQ((ssize_t)sizeof(ret_stub), pwrite(mem, ret_stub, sizeof(ret_stub), m.addr));
	close(mem);
	probe(_metadata, self, 'p', "step", lkp_t_probed);
	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_PROBED));
	ASSERT_EQ(0, probed_moves(&self->t));
	for (i = 0; i < CALLS; i++) {
		struct lkp_call c = { .stub = m.addr };
		int ret = lkp_ioc(self->fd, LKP_IOC_CALL, &c);

		ASSERT_EQ(0, ret) TH_LOG("call %u: %s", i, strerror(-ret));
		lent += (pid_t)c.tid == self->t.shm->tid[LKP_T_PROBED];
		/* Alive and through its probe again, whoever ran the stub. */
		ASSERT_EQ(0, probed_moves(&self->t)) TH_LOG("after call %u", i);
	}
	TH_LOG("the probed thread ran %u of %u stubs", lent, CALLS);
	ASSERT_EQ(0, lkp_target_release(&self->t));
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

/*
 * A uretprobe on lkp_t_gate() takes the return address into lkp_t_late_a()
 * off the stack of the thread waiting in it: no stack word points there
 * any more, yet the thread returns there. The stack check finds it in the
 * uretprobe's list: LKP_BLOCKER_URETPROBE with that address; a range it
 * does not return into is no blocker.
 */
TEST_F(up, uretprobe_return_address_is_a_blocker)
{
	struct lkp_range late = { (uintptr_t)lkp_t_late_a,
				  (uintptr_t)lkp_t_late_a + lkp_fn_size(lkp_t_late_a) };
	struct lkp_range other = { (uintptr_t)lkp_t_fn,
				   (uintptr_t)lkp_t_fn + lkp_fn_size(lkp_t_fn) };
	struct lkp_stack_check sc = { .ranges = (uintptr_t)&late, .nr_ranges = 1 };
	pid_t tid;

	ASSERT_NE(late.start, late.end) TH_LOG("no symbol size: link with -rdynamic");
	probe(_metadata, self, 'r', "ret", lkp_t_gate);
	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_LATE));
	tid = self->t.shm->tid[LKP_T_LATE];
	ASSERT_EQ(0, lkp_thread_wait_in_read(self->t.pid, tid));
	ASSERT_EQ(0, lkp_target_wait_in_read(self->t.pid));
	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	EXPECT_EQ(-EBUSY, lkp_ioc(self->fd, LKP_IOC_STACK_CHECK, &sc));
	EXPECT_EQ(LKP_BLOCKER_URETPROBE, sc.blocker.kind);
	EXPECT_EQ(tid, (pid_t)sc.blocker.tid);
	EXPECT_TRUE(sc.blocker.addr > late.start && sc.blocker.addr < late.end)
		TH_LOG("blocker addr %#llx, lkp_t_late_a %#llx-%#llx",
		       (unsigned long long)sc.blocker.addr, (unsigned long long)late.start,
		       (unsigned long long)late.end);
	EXPECT_NE(0, sc.blocker.stack_addr);
	/* What the uretprobe put there instead: no word into lkp_t_late_a. */
	EXPECT_FALSE(in_fn(self->t.shm->late_ret, lkp_t_late_a))
		TH_LOG("late_ret %#llx: the uretprobe did not take the return address",
		       (unsigned long long)self->t.shm->late_ret);
	sc.ranges = (uintptr_t)&other;
	EXPECT_EQ(0, lkp_ioc(self->fd, LKP_IOC_STACK_CHECK, &sc));
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
	ASSERT_EQ(0, lkp_target_release(&self->t));
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

TEST_HARNESS_MAIN
