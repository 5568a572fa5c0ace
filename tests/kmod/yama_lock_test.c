// SPDX-License-Identifier: GPL-2.0
/* yama_lock_test.c: Yama's ptrace_scope 3 refuses every ATTACH proof, root's too; irreversible, so run-guest runs it last. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "lkp_test.h"
#include "workload.h"

#define YAMA_SCOPE	"/proc/sys/kernel/yama/ptrace_scope"

/* Booted by tests/vm/run, whose kernel command line names the run: a VM thrown away after. */
static bool in_rig_vm(void)
{
	char cmdline[4096];

	return !lkp_read_file("/proc/cmdline", cmdline, sizeof(cmdline)) &&
	       strstr(cmdline, " LKP_RUN=");
}

/*
 * ptrace_scope 3 ("no attach"): the open of /proc/PID/mem is refused to
 * everyone, so no caller has a proof. Yama locks the value: it stays 3
 * until reboot, hence no teardown, and only in the rig's VM.
 */
TEST(yama_scope_3_refuses_everyone)
{
	unsigned int nr[WL_NR_KINDS] = { [WL_NANOSLEEP] = 1 };
	struct workload wl = { 0 };
	int dev, early, mem, fd;
	char path[96];

	if (access(YAMA_SCOPE, F_OK))
		SKIP(return, "no Yama in this kernel (" YAMA_SCOPE ")");
	if (!in_rig_vm())
		SKIP(return, "ptrace_scope 3 lasts until reboot: only in the VM of tests/vm/run");
	dev = open(LKP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, wl_start(&wl, nr));
	early = lkp_mem_open(wl.pid);
	ASSERT_LE(0, early);

	ASSERT_EQ(0, lkp_write_file(YAMA_SCOPE, "3"));
	/* Root, with CAP_SYS_PTRACE: refused, whichever mem file, however opened. */
	EXPECT_EQ(-EACCES, lkp_mem_open(wl.pid));
	snprintf(path, sizeof(path), "/proc/%d/task/%d/mem", wl.pid, wl_tid(&wl, 0));
	EXPECT_EQ(-1, open(path, O_RDWR | O_CLOEXEC));
	EXPECT_EQ(EACCES, errno);
	snprintf(path, sizeof(path), "/proc/%d/mem", wl.pid);
	EXPECT_EQ(-1, open(path, O_RDONLY | O_CLOEXEC));
	EXPECT_EQ(EACCES, errno);
	/* Nothing stands in for the proof: our own memory's, which we still may open. */
	mem = lkp_mem_open(getpid());
	ASSERT_LE(0, mem);
	EXPECT_EQ(-EACCES, lkp_attach_proof(dev, wl.pid, 0, mem));
	close(mem);
	/* Yama's lock: it cannot be lowered any more. */
	EXPECT_EQ(-EINVAL, lkp_write_file(YAMA_SCOPE, "0"));

	/* The permission is the open's: a proof opened before still proves. */
	fd = lkp_attach_proof(dev, wl.pid, 0, early);
	EXPECT_LE(0, fd) TH_LOG("attach: %s", strerror(-fd));
	close(fd);
	close(early);
	wl_stop(&wl);
	close(dev);
}

TEST_HARNESS_MAIN
