// SPDX-License-Identifier: GPL-2.0
/* freeze_test.c: LKP_IOC_FREEZE and LKP_IOC_THAW on live workloads: nothing runs while frozen, everything runs after. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "lkp_test.h"
#include "workload.h"

/* How long a frozen target is watched for progress it must not make. */
#define WATCH_MS	50

static void watch(void)
{
	struct timespec ts = { 0, WATCH_MS * 1000000L };

	nanosleep(&ts, NULL);
}

FIXTURE(sized) {
	struct workload wl;
	uint64_t *snap;
	int sfd;
};

FIXTURE_VARIANT(sized) {
	unsigned int threads;
	unsigned int spin_every;
	unsigned int sleep_ms;
};

FIXTURE_VARIANT_ADD(sized, t1) { .threads = 1, .spin_every = 1, .sleep_ms = 20 };
FIXTURE_VARIANT_ADD(sized, t100) { .threads = 100, .spin_every = 10, .sleep_ms = 50 };
FIXTURE_VARIANT_ADD(sized, t1000) { .threads = 1000, .spin_every = 50, .sleep_ms = 200 };
FIXTURE_VARIANT_ADD(sized, t4000) { .threads = 4000, .spin_every = 100, .sleep_ms = 500 };

FIXTURE_SETUP(sized)
{
	memset(&self->wl, 0, sizeof(self->wl));
	self->wl.sleep_ms = variant->sleep_ms;
	ASSERT_EQ(0, wl_start_mix(&self->wl, variant->threads, variant->spin_every));
	self->snap = calloc(variant->threads, sizeof(*self->snap));
	ASSERT_NE(NULL, self->snap);
	self->sfd = lkp_open_session(self->wl.pid);
	ASSERT_LE(0, self->sfd) TH_LOG("attach: %s", strerror(-self->sfd));
}

FIXTURE_TEARDOWN(sized)
{
	close(self->sfd);
	wl_stop(&self->wl);
	free(self->snap);
}

/* Counters stand still while frozen, all move after the thaw, no EINTR. */
TEST_F_TIMEOUT(sized, counters_stop_and_resume, 300)
{
	unsigned long long pause_ns;
	struct lkp_freeze f;
	int moved, stuck = -1;

	LKP_POISON(f);
	ASSERT_EQ(0, lkp_freeze(self->sfd, 0, 10000, &f));
	/* The worker threads and the main thread. */
	EXPECT_EQ(variant->threads + 1, f.nr_threads);
	wl_snapshot(&self->wl, self->snap);
	watch();
	moved = wl_first_moved(&self->wl, self->snap);
	EXPECT_EQ(-1, moved) TH_LOG("thread %d (kind %d) ran while frozen", moved,
				    moved >= 0 ? self->wl.shm->slot[moved].kind : -1);
	ASSERT_EQ(0, lkp_thaw(self->sfd, &pause_ns));
	TH_LOG("%u threads: freeze %.3f ms, pause %.3f ms", f.nr_threads,
	       f.freeze_ns / 1e6, pause_ns / 1e6);
	ASSERT_EQ(0, wl_wait_all_moved(&self->wl, self->snap, 20000, &stuck))
		TH_LOG("thread %d did not run after the thaw", stuck);
	EXPECT_EQ(0, wl_total_eintr(&self->wl));
}

TEST_HARNESS_MAIN
