// SPDX-License-Identifier: GPL-2.0
/* map_test.c: LKP_IOC_MAP and LKP_IOC_UNMAP: validation, placement near a hint, no replacement, unmap only lkp's. */
#include <limits.h>
#include <sys/resource.h>

#include "../kselftest_harness.h"
#include "lkp_target.h"

#define GiB (1ULL << 30)

FIXTURE(mp) {
	struct lkp_target t;
	int fd;
};

FIXTURE_SETUP(mp)
{
	ASSERT_EQ(0, lkp_target_start(&self->t));
	self->fd = lkp_open_session(self->t.pid);
	ASSERT_LE(0, self->fd) TH_LOG("attach: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(mp)
{
	close(self->fd);
	lkp_target_stop(&self->t);
}

static int map(int fd, __u64 hint, __u64 len, __u64 dist, __u32 prot, __u64 *addr)
{
	struct lkp_map m;
	int ret;

	LKP_POISON(m);
	m.hint = hint;
	m.len = len;
	m.max_distance = dist;
	m.prot = prot;
	m.flags = 0;
	m.nr_below = 0;
	m.reserved = 0;
	memset(m.below, 0, sizeof(m.below));
	ret = lkp_ioc(fd, LKP_IOC_MAP, &m);
	if (!ret)
		*addr = m.addr;
	return ret;
}

/* A mapping of len (prot) with parts right below it: lens[i], prots[i]. */
static int map_block(int fd, __u64 hint, __u64 len, __u64 dist, __u32 prot, unsigned int nr,
		     const __u64 *lens, const __u32 *prots, __u64 *addrs)
{
	struct lkp_map m;
	unsigned int i;
	int ret;

	memset(&m, 0, sizeof(m));
	m.hint = hint;
	m.len = len;
	m.max_distance = dist;
	m.prot = prot;
	m.nr_below = nr;
	for (i = 0; i < nr && i < LKP_MAP_MAX_BELOW; i++) {
		m.below[i].len = lens[i];
		m.below[i].prot = prots[i];
	}
	ret = lkp_ioc(fd, LKP_IOC_MAP, &m);
	if (!ret) {
		addrs[0] = m.addr;
		for (i = 0; i < nr; i++)
			addrs[i + 1] = m.below[i].addr;
	}
	return ret;
}

static int unmap(int fd, __u64 addr, __u64 len)
{
	struct lkp_unmap u = { .addr = addr, .len = len };

	return lkp_ioc(fd, LKP_IOC_UNMAP, &u);
}

/* The target's /proc/PID/maps line starting at @addr, or "" if none. */
static void maps_line(pid_t pid, uint64_t addr, char *out, size_t size)
{
	char path[64], line[512];
	unsigned long start;
	FILE *maps;

	out[0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "re");
	if (!maps)
		return;
	while (fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-", &start) == 1 && start == addr) {
			snprintf(out, size, "%s", line);
			break;
		}
	fclose(maps);
}

/* The whole of /proc/PID/maps. */
static size_t maps_all(pid_t pid, char *out, size_t size)
{
	char path[64];
	size_t n = 0;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while (n < size - 1 && (r = read(fd, out + n, size - 1 - n)) > 0)
		n += r;
	out[n] = 0;
	close(fd);
	return n;
}

TEST_F(mp, validation)
{
	struct lkp_unmap u;
	struct lkp_map m;
	__u64 addr;

	ASSERT_EQ(-EINVAL, map(self->fd, 0x10000000, 0, 0, PROT_READ, &addr));
	ASSERT_EQ(-EINVAL, map(self->fd, 0x10000000, 100, 0, PROT_READ, &addr));
	ASSERT_EQ(-EINVAL, map(self->fd, 0x10000001, 4096, 0, PROT_READ, &addr));
	ASSERT_EQ(-EINVAL, map(self->fd, 0x10000000, 4096, 0, PROT_READ | 0x100, &addr));
	ASSERT_EQ(-EINVAL, map(self->fd, 0x10000000, 1ULL << 60, 0, PROT_READ, &addr));
	LKP_POISON(m);
	m.hint = 0x10000000;
	m.len = 4096;
	m.max_distance = 0;
	m.prot = PROT_READ;
	m.flags = 1;
	m.nr_below = 0;
	m.reserved = 0;
	memset(m.below, 0, sizeof(m.below));
	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_MAP, &m));

	u = (struct lkp_unmap){ .addr = 0x10000000, .len = 4096, .flags = 1 };
	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_UNMAP, &u));
	u.flags = 0;
	u.reserved = 1;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_UNMAP, &u));
}

TEST_F(mp, exact_hint_then_unmap)
{
	char line[512];
	__u64 addr = 0, hint;

	/* A free spot: reserve it in this process's view, then give it back. */
	hint = (uintptr_t)mmap(NULL, 1 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE((uintptr_t)MAP_FAILED, hint);
	munmap((void *)(uintptr_t)hint, 1 << 20);
	maps_line(self->t.pid, hint, line, sizeof(line));
	ASSERT_STREQ("", line);

	ASSERT_EQ(0, map(self->fd, hint, 8192, 0, PROT_READ | PROT_EXEC, &addr));
	EXPECT_EQ(hint, addr);
	maps_line(self->t.pid, addr, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " r-xp ")) TH_LOG("maps: %s", line);
	EXPECT_NE(NULL, strstr(line, " 00:00 0")) TH_LOG("maps: %s", line);

	/* Wrong length: not what lkp mapped. */
	EXPECT_EQ(-ENOENT, unmap(self->fd, addr, 4096));
	ASSERT_EQ(0, unmap(self->fd, addr, 8192));
	maps_line(self->t.pid, addr, line, sizeof(line));
	EXPECT_STREQ("", line);
	EXPECT_EQ(-ENOENT, unmap(self->fd, addr, 8192));
}

TEST_F(mp, lands_within_distance_and_replaces_nothing)
{
	static char before[1 << 16], after[1 << 16];
	__u64 hint = (uintptr_t)lkp_t_fn & ~4095ULL, addr = 0, addr2 = 0;
	char *line, *eol;

	ASSERT_LT(0, maps_all(self->t.pid, before, sizeof(before)));
	/* The hint is the target's own text: occupied. */
	ASSERT_EQ(-ENOMEM, map(self->fd, hint, 4096, 0, PROT_READ, &addr));
	ASSERT_EQ(0, map(self->fd, hint, 1 << 20, 2 * GiB - (1 << 20),
			 PROT_READ | PROT_EXEC, &addr));
	EXPECT_GE(2 * GiB - (1 << 20), addr > hint ? addr - hint : hint - addr);
	ASSERT_EQ(0, map(self->fd, hint, 1 << 20, 2 * GiB - (1 << 20),
			 PROT_READ | PROT_EXEC, &addr2));
	EXPECT_NE(addr, addr2);
	EXPECT_GE(2 * GiB - (1 << 20), addr2 > hint ? addr2 - hint : hint - addr2);
	TH_LOG("hint %#llx: mapped at %#llx and %#llx", hint, addr, addr2);

	/* Every mapping the target had is still there, unchanged. */
	ASSERT_LT(0, maps_all(self->t.pid, after, sizeof(after)));
	for (line = before; (eol = strchr(line, '\n')); line = eol + 1) {
		*eol = 0;
		EXPECT_NE(NULL, strstr(after, line)) TH_LOG("lost: %s", line);
	}
	/* And it still runs its code. */
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
	ASSERT_EQ(0, unmap(self->fd, addr, 1 << 20));
	ASSERT_EQ(0, unmap(self->fd, addr2, 1 << 20));
}

/* API version 3's parts below: each field checked, unused parts all zero. */
TEST_F(mp, parts_validation)
{
	static const __u64 lens[3] = { 4096, 4096, 4096 };
	static const __u32 prots[3] = { PROT_READ, PROT_READ, PROT_READ };
	static const __u64 bad_len[2] = { 4096, 100 }, zero_len[1] = { 0 };
	static const __u32 bad_prot[1] = { PROT_READ | 0x100 };
	__u64 addrs[4];
	struct lkp_map m;

	EXPECT_EQ(-EINVAL, map_block(self->fd, 0x10000000, 4096, 0, PROT_READ,
				     LKP_MAP_MAX_BELOW + 1, lens, prots, addrs));
	EXPECT_EQ(-EINVAL, map_block(self->fd, 0x10000000, 4096, 0, PROT_READ, 2, bad_len,
				     prots, addrs));
	EXPECT_EQ(-EINVAL, map_block(self->fd, 0x10000000, 4096, 0, PROT_READ, 1, zero_len,
				     prots, addrs));
	EXPECT_EQ(-EINVAL, map_block(self->fd, 0x10000000, 4096, 0, PROT_READ, 1, lens,
				     bad_prot, addrs));
	memset(&m, 0, sizeof(m));
	m.hint = 0x10000000;
	m.len = 4096;
	m.prot = PROT_READ;
	m.reserved = 1;
	EXPECT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_MAP, &m));
	m.reserved = 0;
	m.nr_below = 1;
	m.below[0].len = 4096;
	m.below[0].prot = PROT_READ;
	m.below[0].reserved = 1;
	EXPECT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_MAP, &m));
	m.below[0].reserved = 0;
	/* A part past nr_below that is not all zero. */
	m.below[1].len = 4096;
	EXPECT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_MAP, &m));
	m.below[1].len = 0;
	m.below[1].addr = 1;
	EXPECT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_MAP, &m));
	EXPECT_EQ(0, m.addr);
}

/*
 * The parts lie right below the mapping, each with its own protection, as
 * mappings of their own: each is unmapped alone, the block as a whole is
 * not one of lkp's mappings.
 */
TEST_F(mp, parts_lie_right_below_and_unmap_alone)
{
	static const __u64 lens[2] = { 4096, 3 * 4096 };
	static const __u32 prots[2] = { PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE };
	__u64 hint, addrs[3] = { 0 };
	char line[512];

	hint = (uintptr_t)mmap(NULL, 1 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE((uintptr_t)MAP_FAILED, hint);
	munmap((void *)(uintptr_t)hint, 1 << 20);
	hint += 1 << 19;
	ASSERT_EQ(0, map_block(self->fd, hint, 8192, 0, PROT_READ, 2, lens, prots, addrs));
	EXPECT_EQ(hint, addrs[0]);
	EXPECT_EQ(hint - 4096, addrs[1]);
	EXPECT_EQ(hint - 4 * 4096, addrs[2]);
	maps_line(self->t.pid, addrs[0], line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " r--p ")) TH_LOG("maps: %s", line);
	maps_line(self->t.pid, addrs[1], line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " r-xp ")) TH_LOG("maps: %s", line);
	maps_line(self->t.pid, addrs[2], line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " rw-p ")) TH_LOG("maps: %s", line);

	EXPECT_EQ(-ENOENT, unmap(self->fd, addrs[2], 4 * 4096 + 8192));
	ASSERT_EQ(0, unmap(self->fd, addrs[1], 4096));
	maps_line(self->t.pid, addrs[1], line, sizeof(line));
	EXPECT_STREQ("", line);
	maps_line(self->t.pid, addrs[0], line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " r--p ")) TH_LOG("maps: %s", line);
	ASSERT_EQ(0, unmap(self->fd, addrs[0], 8192));
	ASSERT_EQ(0, unmap(self->fd, addrs[2], 3 * 4096));

	/* Placed by the search, the block is still contiguous. */
	hint = (uintptr_t)lkp_t_fn & ~4095ULL;
	ASSERT_EQ(0, map_block(self->fd, hint, 8192, 2 * GiB - (1 << 20), PROT_READ, 2, lens,
			       prots, addrs));
	EXPECT_EQ(addrs[0] - 4096, addrs[1]);
	EXPECT_EQ(addrs[1] - 3 * 4096, addrs[2]);
	EXPECT_GE(2 * GiB - (1 << 20), addrs[2] > hint ? addrs[2] - hint : hint - addrs[2]);
	ASSERT_EQ(0, unmap(self->fd, addrs[0], 8192));
	ASSERT_EQ(0, unmap(self->fd, addrs[1], 4096));
	ASSERT_EQ(0, unmap(self->fd, addrs[2], 3 * 4096));
}

/* No room right below an exact hint: nothing is mapped, not even the top. */
TEST_F(mp, parts_without_room_map_nothing)
{
	static const __u64 lens[1] = { 8192 };
	static const __u32 prots[1] = { PROT_READ };
	__u64 hint, addr, addrs[2];
	char line[512];

	hint = (uintptr_t)mmap(NULL, 1 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE((uintptr_t)MAP_FAILED, hint);
	munmap((void *)(uintptr_t)hint, 1 << 20);
	hint += 1 << 19;
	ASSERT_EQ(0, map(self->fd, hint - 8192, 4096, 0, PROT_READ | PROT_WRITE, &addr));
	ASSERT_EQ(hint - 8192, addr);
	EXPECT_EQ(-ENOMEM, map_block(self->fd, hint, 4096, 0, PROT_READ, 1, lens, prots,
				     addrs));
	maps_line(self->t.pid, hint, line, sizeof(line));
	EXPECT_STREQ("", line);
	ASSERT_EQ(0, unmap(self->fd, addr, 4096));
}

/*
 * Set vm.max_map_count to limit, the old value kept in saved (size
 * bytes); returns the sysctl's fd for max_map_count_restore(), or -1.
 */
static int max_map_count_set(unsigned int limit, char *saved, size_t size)
{
	char low[32];
	ssize_t n;
	int fd;

	fd = open("/proc/sys/vm/max_map_count", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, saved, size - 1, 0);
	snprintf(low, sizeof(low), "%u", limit);
	if (n <= 0 || pwrite(fd, low, strlen(low), 0) != (ssize_t)strlen(low)) {
		close(fd);
		return -1;
	}
	saved[n] = 0;
	return fd;
}

static bool max_map_count_restore(int fd, const char *saved)
{
	bool ok = pwrite(fd, saved, strlen(saved), 0) == (ssize_t)strlen(saved);

	close(fd);
	return ok;
}

/*
 * All or none inside the worker too: with vm.max_map_count leaving room
 * for one mapping more, the first part is made and the second refused; the
 * first is taken back, the call is ENOMEM and the target's mappings are as
 * they were. One mapping alone still goes through at that limit.
 */
TEST_F(mp, parts_refused_half_way_are_taken_back)
{
	static char before[1 << 16], after[1 << 16];
	static const __u64 lens[1] = { 4096 };
	static const __u32 prots[1] = { PROT_READ };
	__u64 hint = (uintptr_t)lkp_t_fn & ~4095ULL, addr = 0, addrs[2];
	unsigned int lines = 0, low;
	int fd, ret, ret1;
	char saved[32];
	char *p;

	ASSERT_LT(0, maps_all(self->t.pid, before, sizeof(before)));
	for (p = before; (p = strchr(p, '\n')); p++)
		lines++;
	ASSERT_LT(4, lines);
	/* One line per mapping, and [vsyscall] if shown: the limit is the count now. */
	low = lines - !!strstr(before, "[vsyscall]");
	fd = max_map_count_set(low, saved, sizeof(saved));
	ASSERT_LE(0, fd);
	ret = map_block(self->fd, hint, 4096, 2 * GiB - (1 << 20), PROT_READ | PROT_EXEC, 1,
			lens, prots, addrs);
	maps_all(self->t.pid, after, sizeof(after));
	ret1 = map(self->fd, hint, 4096, 2 * GiB - (1 << 20), PROT_READ | PROT_EXEC, &addr);
	ASSERT_TRUE(max_map_count_restore(fd, saved));
	EXPECT_EQ(-ENOMEM, ret) TH_LOG("vm.max_map_count %u", low);
	EXPECT_STREQ(before, after);
	ASSERT_EQ(0, ret1) TH_LOG("vm.max_map_count %u", low);
	ASSERT_EQ(0, unmap(self->fd, addr, 4096));
}

/* A caller built with API version 2's struct (no parts) is served as before. */
TEST_F(mp, api2_struct_still_maps)
{
	struct {
		__u64 hint, len, max_distance;
		__u32 prot, flags;
		__u64 addr;
	} m = { .len = 4096, .max_distance = 2 * GiB - (1 << 20), .prot = PROT_READ };

	m.hint = (uintptr_t)lkp_t_fn & ~4095ULL;
	ASSERT_EQ(0, lkp_ioc(self->fd, _IOWR(LKP_IOC_TYPE, LKP_IOC_NR_MAP, m), &m));
	EXPECT_NE(0, m.addr);
	ASSERT_EQ(0, unmap(self->fd, m.addr, 4096));
}

TEST_F(mp, no_room_within_distance_is_enomem)
{
	__u64 addr;

	/* Below the floor nothing is ever mapped. */
	ASSERT_EQ(-ENOMEM, map(self->fd, 0x10000, 4096, 0, PROT_READ, &addr));
	/* Beyond any user address space. */
	ASSERT_EQ(-ENOMEM, map(self->fd, 1ULL << 63, 4096, 0, PROT_READ, &addr));
	/* Not across the 47-bit window, even with 5-level paging. */
	ASSERT_EQ(-ENOMEM, map(self->fd, (1ULL << 47) - 8192, 8192 * 2, 0, PROT_READ, &addr));
}

/*
 * The target's own limits apply: with vm.max_map_count below the number of
 * its mappings, a new one is refused with ENOMEM, as an mmap() of its own
 * would be, and nothing is mapped. The sysctl is global: it is lowered only
 * around the call, which allocates nothing in the test meanwhile.
 */
TEST_F(mp, max_map_count_is_enomem)
{
	static char before[1 << 16], after[1 << 16];
	__u64 hint = (uintptr_t)lkp_t_fn & ~4095ULL, addr = 0;
	unsigned int lines = 0;
	char saved[32];
	int fd, ret;
	char *p;

	ASSERT_LT(0, maps_all(self->t.pid, before, sizeof(before)));
	for (p = before; (p = strchr(p, '\n')); p++)
		lines++;
	/* One line per mapping, and [vsyscall], which is none. */
	ASSERT_LT(4, lines);
	fd = max_map_count_set(lines - 2, saved, sizeof(saved));
	ASSERT_LE(0, fd);
	ret = map(self->fd, hint, 4096, 2 * GiB - (1 << 20), PROT_READ, &addr);
	ASSERT_TRUE(max_map_count_restore(fd, saved));
	EXPECT_EQ(-ENOMEM, ret) TH_LOG("vm.max_map_count %u", lines - 2);
	ASSERT_LT(0, maps_all(self->t.pid, after, sizeof(after)));
	EXPECT_STREQ(before, after);
	/* With the limit back, the same call maps. */
	ASSERT_EQ(0, map(self->fd, hint, 4096, 2 * GiB - (1 << 20), PROT_READ, &addr));
	ASSERT_EQ(0, unmap(self->fd, addr, 4096));
}

/* A field of /proc/PID/status in bytes ("VmSize", "VmData"), or 0. */
static uint64_t status_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	unsigned long long kb = 0;
	size_t n = strlen(field);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':' &&
		    sscanf(line + n + 1, "%llu", &kb) == 1)
			break;
	fclose(f);
	return kb << 10;
}

/*
 * The target's own limits hold, though the mapping is made by a kernel
 * worker that has none: RLIMIT_AS for any mapping, RLIMIT_DATA for a
 * writable one. Nothing is mapped when refused.
 */
TEST_F(mp, target_rlimits_are_enomem)
{
	static char before[1 << 16], after[1 << 16];
	__u64 hint = (uintptr_t)lkp_t_fn & ~4095ULL, addr;
	struct rlimit rl;
	uint64_t vm, data;

	data = status_kb(self->t.pid, "VmData");
	ASSERT_LT(0, data);
	rl.rlim_cur = rl.rlim_max = data + (1 << 20);
	ASSERT_EQ(0, prlimit(self->t.pid, RLIMIT_DATA, &rl, NULL));
	maps_all(self->t.pid, before, sizeof(before));
	EXPECT_EQ(-ENOMEM, map(self->fd, hint, 4 << 20, GiB, PROT_READ | PROT_WRITE, &addr));
	maps_all(self->t.pid, after, sizeof(after));
	EXPECT_STREQ(before, after);
	/* Not writable: not data. */
	ASSERT_EQ(0, map(self->fd, hint, 4 << 20, GiB, PROT_READ | PROT_EXEC, &addr));
	ASSERT_EQ(0, unmap(self->fd, addr, 4 << 20));

	vm = status_kb(self->t.pid, "VmSize");
	ASSERT_LT(0, vm);
	rl.rlim_cur = rl.rlim_max = vm + (1 << 20);
	ASSERT_EQ(0, prlimit(self->t.pid, RLIMIT_AS, &rl, NULL));
	maps_all(self->t.pid, before, sizeof(before));
	EXPECT_EQ(-ENOMEM, map(self->fd, hint, 4 << 20, GiB, PROT_READ | PROT_EXEC, &addr));
	maps_all(self->t.pid, after, sizeof(after));
	EXPECT_STREQ(before, after);
	/* What fits under the limit is mapped. */
	ASSERT_EQ(0, map(self->fd, hint, 64 << 10, GiB, PROT_READ | PROT_EXEC, &addr));
	ASSERT_EQ(0, unmap(self->fd, addr, 64 << 10));
}

TEST_F(mp, unmap_of_a_mapping_lkp_did_not_make_is_enoent)
{
	char line[512];
	__u64 shm = (uintptr_t)self->t.shm, text = (uintptr_t)lkp_t_fn & ~4095ULL;

	EXPECT_EQ(-ENOENT, unmap(self->fd, shm, 4096));
	EXPECT_EQ(-ENOENT, unmap(self->fd, text, 4096));
	maps_line(self->t.pid, shm, line, sizeof(line));
	EXPECT_STRNE("", line);
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

TEST_F(mp, later_session_may_unmap_but_another_target_may_not)
{
	struct lkp_target other;
	__u64 addr = 0;
	int fd2;

	ASSERT_EQ(0, map(self->fd, (uintptr_t)lkp_t_fn & ~4095ULL, 4096, GiB,
			 PROT_READ, &addr));
	/* The same address in another process is not lkp's mapping there. */
	ASSERT_EQ(0, lkp_target_start(&other));
	fd2 = lkp_open_session(other.pid);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-ENOENT, unmap(fd2, addr, 4096));
	close(fd2);
	lkp_target_stop(&other);

	close(self->fd);
	self->fd = lkp_open_session(self->t.pid);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, unmap(self->fd, addr, 4096));
}

/* The end of the target's [heap], or 0. */
static uint64_t heap_end(pid_t pid)
{
	char path[64], line[512];
	unsigned long start, end;
	uint64_t ret = 0;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "re");
	if (!maps)
		return 0;
	while (fgets(line, sizeof(line), maps))
		if (strstr(line, "[heap]") && sscanf(line, "%lx-%lx", &start, &end) == 2)
			ret = end;
	fclose(maps);
	return ret;
}

TEST_F(mp, leaves_room_for_the_heap_to_grow)
{
	uint64_t brk_end = heap_end(self->t.pid);
	__u64 addr = 0;

	if (!brk_end)
		SKIP(return, "the target has no [heap]");
	/* Right at the break is the closest free place, yet not taken. */
	ASSERT_EQ(0, map(self->fd, brk_end, 4096, 256 << 20, PROT_READ, &addr));
	EXPECT_TRUE(addr < brk_end || addr >= brk_end + (64 << 20))
		TH_LOG("heap ends at %#llx, mapped at %#llx",
		       (unsigned long long)brk_end, addr);
	ASSERT_EQ(0, unmap(self->fd, addr, 4096));
}

/*
 * The documented way to fill a region before anything jumps there:
 * /proc/PID/mem, no freeze. Then run it: a poke makes lkp_t_fn() jump to it.
 */
TEST_F(mp, region_is_filled_through_proc_mem_and_runs)
{
	/* mov $7, %eax; ret */
	static const unsigned char code[6] = { 0xb8, 0x07, 0x00, 0x00, 0x00, 0xc3 };
	unsigned char jmp[5], orig[5], back[6];
	uint64_t fn = (uintptr_t)lkp_t_fn;
	struct lkp_poke_entry e;
	struct lkp_poke p = { 0 };
	char path[64];
	__u64 addr = 0;
	int32_t rel;
	int mem;

	ASSERT_EQ(0, map(self->fd, fn & ~4095ULL, 4096, GiB, PROT_READ | PROT_EXEC, &addr));
	snprintf(path, sizeof(path), "/proc/%d/mem", self->t.pid);
	mem = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, mem);
	ASSERT_EQ(sizeof(code), pwrite(mem, code, sizeof(code), addr));
	close(mem);
	ASSERT_EQ(0, lkp_target_read(self->t.pid, addr, back, sizeof(back)));
	ASSERT_EQ(0, memcmp(code, back, sizeof(code)));

	/* jmp rel32 from lkp_t_fn's entry to the region. */
	rel = (int32_t)(addr - (fn + 5));
	jmp[0] = 0xe9;
	memcpy(&jmp[1], &rel, 4);
	memcpy(orig, (void *)lkp_t_fn, sizeof(orig));
	e = (struct lkp_poke_entry){
		.addr = fn, .len = 5,
		.old_bytes = (uintptr_t)orig, .new_bytes = (uintptr_t)jmp,
	};
	p.entries = (uintptr_t)&e;
	p.nr_entries = 1;
	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	ASSERT_EQ(0, lkp_ioc(self->fd, LKP_IOC_POKE, &p));
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
	EXPECT_EQ(7, lkp_target_call(&self->t, LKP_CMD_CALL));
}

TEST_F(mp, target_gone_is_esrch)
{
	__u64 addr = 0;
	int status;

	ASSERT_EQ(0, map(self->fd, (uintptr_t)lkp_t_fn & ~4095ULL, 4096, GiB,
			 PROT_READ, &addr));
	kill(self->t.pid, SIGKILL);
	ASSERT_EQ(self->t.pid, waitpid(self->t.pid, &status, 0));
	self->t.pid = 0;
	EXPECT_EQ(-ESRCH, map(self->fd, (uintptr_t)lkp_t_fn & ~4095ULL, 4096, GiB,
			      PROT_READ, &addr));
	EXPECT_EQ(-ESRCH, unmap(self->fd, addr, 4096));
}

TEST_HARNESS_MAIN
