// SPDX-License-Identifier: GPL-2.0
/* m_lkp.c: freeze and thaw through /dev/lkp (default mode and park-all), and one lkp transaction. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/lkp.h>

#include "bench.h"

#define LKP_DEV			"/dev/lkp"
/* Far above what any method needs, even at 4000 threads under emulation. */
#define LKP_BENCH_TIMEOUT_MS	10000

/*
 * One session per target, shared by the lkp methods (and the transaction
 * benchmark), so that the numbers do not depend on whether the module
 * accepts two sessions on one process.
 */
struct lkp_session {
	int dev;
	int fd;
	pid_t pid;
	unsigned int refs;
	unsigned int nr_threads;
	__u32 api_version;
	__u64 ioctls;
};

static struct lkp_session *lkp_session;

/*
 * Per run, as the module's own clock (CLOCK_MONOTONIC, like ours) sees it:
 * freeze_ns from the first work queued to the last thread frozen, and how
 * long after our thaw call the threads were released (pause_ns minus the
 * frozen time before that call). The rest of each ioctl is bookkeeping
 * the target does not wait for: collecting and allocating before, freeing
 * after.
 */
struct lkp_state {
	const char *name;
	__u32 freeze_flags;
	struct lkp_session *session;
	__u64 freeze_ns;
	uint64_t frozen_at;
	unsigned int nr_runs;
	unsigned int cap_runs;
	uint64_t *kfreeze_ns;
	uint64_t *krelease_ns;
};

static int lkp_fail(const char *name, const char *what, int err)
{
	fprintf(stderr, "freeze_bench: %s: %s: %s\n", name, what,
		strerror(-err));
	return err;
}

/* Every ioctl the freeze methods use, as LKP_IOC_GET_API reports them. */
static int lkp_check_api(struct lkp_session *s, const char *name)
{
	const __u64 need = 1ULL << LKP_IOC_NR_ATTACH |
			   1ULL << LKP_IOC_NR_FREEZE |
			   1ULL << LKP_IOC_NR_THAW;
	struct lkp_api api = { 0 };

	if (ioctl(s->dev, LKP_IOC_GET_API, &api))
		return lkp_fail(name, LKP_DEV " LKP_IOC_GET_API", -errno);
	s->api_version = api.version;
	if ((api.ioctls & need) != need)
		return lkp_fail(name, LKP_DEV " lacks LKP_IOC_FREEZE or LKP_IOC_THAW",
				-EOPNOTSUPP);
	s->ioctls = api.ioctls;
	return 0;
}

static int lkp_session_get(const struct bench_target *t, const char *name,
			   struct lkp_session **sessionp)
{
	struct lkp_attach attach = { .pid = t->pid };
	struct lkp_session *s = lkp_session;
	char path[64];
	int err, mem;

	if (s && s->pid == t->pid) {
		s->refs++;
		*sessionp = s;
		return 0;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->pid = t->pid;
	s->nr_threads = t->nr_threads;
	s->refs = 1;
	s->dev = open(LKP_DEV, O_RDWR | O_CLOEXEC);
	if (s->dev < 0) {
		err = lkp_fail(name, "cannot open " LKP_DEV, -errno);
		goto free;
	}
	err = lkp_check_api(s, name);
	if (err)
		goto close_dev;
	/*
	 * The permission proof: the kernel checks that we may ptrace the
	 * target when we open its memory for writing. Version 1 modules
	 * refuse a nonzero mem_fd.
	 */
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)t->pid);
	mem = open(path, O_RDWR | O_CLOEXEC);
	if (mem < 0) {
		err = lkp_fail(name, path, -errno);
		goto close_dev;
	}
	if (s->api_version >= 2)
		attach.mem_fd = mem;
	s->fd = ioctl(s->dev, LKP_IOC_ATTACH, &attach);
	err = s->fd < 0 ? -errno : 0;
	close(mem);
	if (err) {
		lkp_fail(name, "LKP_IOC_ATTACH", err);
		goto close_dev;
	}
	lkp_session = s;
	*sessionp = s;
	return 0;

close_dev:
	close(s->dev);
free:
	free(s);
	return err;
}

static void lkp_session_put(struct lkp_session *s)
{
	if (--s->refs)
		return;
	close(s->fd);
	close(s->dev);
	if (lkp_session == s)
		lkp_session = NULL;
	free(s);
}

static int lkp_attach(const struct bench_method *m,
		      const struct bench_target *t, void **state)
{
	struct lkp_state *s;
	int err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->name = m->name;
	s->freeze_flags = m == &bench_lkp_park_all ? LKP_FREEZE_PARK_ALL : 0;
	err = lkp_session_get(t, m->name, &s->session);
	if (err) {
		free(s);
		return err;
	}
	*state = s;
	return 0;
}

static int lkp_freeze(void *state)
{
	struct lkp_state *s = state;
	struct lkp_freeze f = {
		.flags = s->freeze_flags,
		.timeout_ms = LKP_BENCH_TIMEOUT_MS,
	};

	if (ioctl(s->session->fd, LKP_IOC_FREEZE, &f))
		return lkp_fail(s->name, "LKP_IOC_FREEZE", -errno);
	s->frozen_at = bench_now_ns();
	s->freeze_ns = f.freeze_ns;
	/* The target has no vfork children: the thread group is all. */
	if (f.nr_threads != s->session->nr_threads) {
		fprintf(stderr, "freeze_bench: %s: froze %u threads of %u\n",
			s->name, f.nr_threads, s->session->nr_threads);
		return -EPROTO;
	}
	return 0;
}

static int lkp_thaw(void *state)
{
	struct lkp_state *s = state;
	struct lkp_thaw t = { 0 };
	uint64_t frozen_for;
	unsigned int cap;

	frozen_for = bench_now_ns() - s->frozen_at;
	if (ioctl(s->session->fd, LKP_IOC_THAW, &t))
		return lkp_fail(s->name, "LKP_IOC_THAW", -errno);
	if (s->nr_runs == s->cap_runs) {
		cap = s->cap_runs ? 2 * s->cap_runs : 16;
		s->kfreeze_ns = realloc(s->kfreeze_ns, cap * sizeof(uint64_t));
		s->krelease_ns = realloc(s->krelease_ns, cap * sizeof(uint64_t));
		if (!s->kfreeze_ns || !s->krelease_ns)
			return -ENOMEM;
		s->cap_runs = cap;
	}
	s->kfreeze_ns[s->nr_runs] = s->freeze_ns;
	s->krelease_ns[s->nr_runs++] = t.pause_ns - s->freeze_ns - frozen_for;
	return 0;
}

static void lkp_note(void *state, char *buf, size_t size)
{
	struct lkp_state *s = state;

	if (!s->nr_runs) {
		*buf = '\0';
		return;
	}
	snprintf(buf, size, "in the module: frozen %.3f ms after the first work was queued, released %.3f ms after the thaw call",
		 bench_median_ms(s->kfreeze_ns, s->nr_runs),
		 bench_median_ms(s->krelease_ns, s->nr_runs));
}

static void lkp_detach(void *state)
{
	struct lkp_state *s = state;

	lkp_session_put(s->session);
	free(s->kfreeze_ns);
	free(s->krelease_ns);
	free(s);
}

int bench_lkp_transaction(void *state, uint64_t addr, const void *old,
			  const void *new, uint32_t len, uint64_t *pause_ns)
{
	struct lkp_state *s = state;
	struct lkp_poke_entry entry = {
		.addr = addr,
		.len = len,
		.old_bytes = (uintptr_t)old,
		.new_bytes = (uintptr_t)new,
	};
	struct lkp_range range = { .start = addr, .end = addr + len };
	struct lkp_transaction tx = {
		.entries = (uintptr_t)&entry,
		.ranges = (uintptr_t)&range,
		.nr_entries = 1,
		.nr_ranges = 1,
		.attempts = 1,
		.timeout_ms = LKP_BENCH_TIMEOUT_MS,
	};

	if (ioctl(s->session->fd, LKP_IOC_TRANSACTION, &tx))
		return lkp_fail(s->name, "LKP_IOC_TRANSACTION", -errno);
	*pause_ns = tx.pause_ns;
	return 0;
}

static int lkp_tx_attach(const struct bench_method *m,
			 const struct bench_target *t, void **state)
{
	struct lkp_state *s;
	int err;

	err = lkp_attach(m, t, state);
	if (err)
		return err;
	s = *state;
	if (!(s->session->ioctls & 1ULL << LKP_IOC_NR_TRANSACTION)) {
		lkp_detach(s);
		return lkp_fail(m->name, LKP_DEV " lacks LKP_IOC_TRANSACTION",
				-EOPNOTSUPP);
	}
	return 0;
}

/* Only attach and detach: bench_lkp_transaction() does the work. */
const struct bench_method bench_lkp_transaction_method = {
	.name = "lkp-transaction",
	.attach = lkp_tx_attach,
	.detach = lkp_detach,
};

const struct bench_method bench_lkp = {
	.name = "lkp",
	.attach = lkp_attach,
	.freeze = lkp_freeze,
	.thaw = lkp_thaw,
	.note = lkp_note,
	.detach = lkp_detach,
};

const struct bench_method bench_lkp_park_all = {
	.name = "lkp-park-all",
	.attach = lkp_attach,
	.freeze = lkp_freeze,
	.thaw = lkp_thaw,
	.note = lkp_note,
	.detach = lkp_detach,
};
