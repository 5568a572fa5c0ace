// SPDX-License-Identifier: GPL-2.0
/* hold.c: lkpd's hold channel: points at the files of installed patches, and each held process patched then released. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dev.h"
#include "ehreg.h"
#include "lkpd.h"

/*
 * A held process has one thread, parked before its first instruction (or,
 * in dlopen(), the one thread that loads): nothing to wait for. A freeze
 * that does not complete soon will not complete within the hold timeout.
 * That thread is inside the hold's uprobe and cannot be lent to register
 * the unwind rules: apply leaves them for after the release.
 */
static const struct lkp_txn_opts held_opts = {
	.attempts = 3, .retry_delay_ms = 5, .timeout_ms = 500, .eh_later = true,
};

int lkpd_hold_open(struct lkpd *d)
{
	struct lkp_hold_open o = { .timeout_ms = d->o.hold_timeout_ms };
	int fd;

	d->dev = lkp_dev_open();
	if (d->dev < 0)
		return d->dev;
	fd = ioctl(d->dev, LKP_IOC_HOLD_OPEN, &o);
	if (fd < 0)
		return -errno;
	d->ch = fd;
	if (fcntl(fd, F_SETFL, O_NONBLOCK))
		return -errno;
	return 0;
}

int lkpd_hold_add(struct lkpd *d, struct lkpd_file *f)
{
	struct lkp_hold_add a = { .offset = f->offset, .cookie = f->ino };
	int ret = 0;

	a.fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (a.fd < 0)
		return -errno;
	if (ioctl(d->ch, LKP_IOC_HOLD_ADD, &a))
		ret = -errno;
	else
		f->point = a.id;
	close(a.fd);
	if (!ret)
		lkpd_log(LKPD_INFO, "%s: holding new processes at its %s (offset 0x%llx)", f->path,
			 f->kind, (unsigned long long)f->offset);
	return ret;
}

void lkpd_hold_del(struct lkpd *d, struct lkpd_file *f)
{
	struct lkp_hold_del del = { .id = f->point };

	if (!f->point)
		return;
	if (ioctl(d->ch, LKP_IOC_HOLD_DEL, &del))
		lkpd_log(LKPD_WARN, "%s: removing its hold point: %s", f->path, strerror(errno));
	f->point = 0;
}

static const char *point_path(const struct lkpd *d, uint32_t point)
{
	unsigned int i;

	for (i = 0; i < d->nr_files; i++)
		if (d->files[i].point == point)
			return d->files[i].path;
	return "(removed hold point)";
}

/*
 * The unwind rules of the code just applied, registered now that the
 * process runs: its thread, parked inside a uprobe while held, could not
 * be lent to the call then (docs/lkpd-daemon.md). Once per hold that left
 * rules unregistered (a process loading a second patched object is held
 * again, and tried again then), never on a timer; a failure (no thread
 * within the call's timeout) is logged and counted once per process.
 * `lkpctl apply` of the same patch tries again.
 */
static void eh_after_release(struct lkpd *d, pid_t pid)
{
	uint64_t t0 = lkpd_now_us();
	char err[LKP_ERR_SIZE], comm[32];
	struct lkpd_proc *p;
	unsigned int n;
	int ret;

	ret = lkp_eh_register_live(pid, &n, err);
	/* Gone, or exited (a zombie still has its /proc entry): nothing there throws any more. */
	if (ret && (ret == -ESRCH || lkpd_proc_exited(pid)))
		return;
	p = lkpd_proc_find(d, pid);
	if (ret) {
		if (p && p->eh_warned)
			return;
		if (p)
			p->eh_warned = true;
		d->eh_failed++;
		lkpd_proc_comm(pid, comm, sizeof(comm));
		lkpd_log(LKPD_WARN, "%d %s: %s: a C++ throw through the new code ends the process "
			 "(lkpctl apply of the patch tries again)", (int)pid, comm, err);
		return;
	}
	d->eh_registered += n > 0;
	lkpd_log(LKPD_DEBUG, "%d: unwind rules of %u patch%s registered after its release, "
		 "in %.2f ms", (int)pid, n, n == 1 ? "" : "es", (lkpd_now_us() - t0) / 1e3);
}

static void answer(struct lkpd *d, const struct lkp_hold_event *ev)
{
	struct lkp_hold_release rel = { .hold = ev->hold };
	uint64_t t0 = lkpd_now_us(), us;
	unsigned int eh_later = 0;
	int ret = 0;

	d->holds++;
	/* 0: not in our pid namespace; released as it is. */
	if (ev->pid)
		ret = lkpd_apply_pid(d, ev->pid, &held_opts, true, &eh_later);
	if (ioctl(d->ch, LKP_IOC_HOLD_RELEASE, &rel)) {
		/* ENOENT: the kernel let it go already (timeout, SIGKILL). */
		d->holds_late++;
		lkpd_log(LKPD_WARN, "%u: released before lkpd answered (%s), after %.1f ms",
			 ev->pid, strerror(errno), (lkpd_now_us() - t0) / 1e3);
	}
	us = lkpd_now_us() - t0;
	if (!ret)
		d->holds_patched++;
	else if (ret != -ESRCH)
		d->holds_failed++;
	d->hold_us_last = us;
	d->hold_us_sum += us;
	if (us > d->hold_us_max)
		d->hold_us_max = us;
	lkpd_log(LKPD_DEBUG, "%u: held at %s, %s in %.2f ms", ev->pid, point_path(d, ev->point),
		 ret ? "released unpatched" : "patched and released", us / 1e3);
	if (eh_later)
		eh_after_release(d, ev->pid);
}

int lkpd_hold_service(struct lkpd *d)
{
	struct lkp_hold_event ev[32];
	unsigned int i, n;
	ssize_t k;

	if (d->ch < 0)
		return 0;
	for (;;) {
		k = read(d->ch, ev, sizeof(ev));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return errno == EAGAIN ? 0 : -errno;
		n = k / sizeof(ev[0]);
		for (i = 0; i < n; i++) {
			d->held_now = n - i;
			answer(d, &ev[i]);
		}
		d->held_now = 0;
	}
}
