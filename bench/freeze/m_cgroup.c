// SPDX-License-Identifier: GPL-2.0
/* m_cgroup.c: freeze with the cgroup v2 freezer (cgroup.freeze), waiting for cgroup.events to agree. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

/* cgroup.events is a kernfs file: poll() reports POLLPRI after each change. */
#define CGROUP_WAIT_MS	10000

struct cgroup_state {
	int freeze_fd;
	int events_fd;
};

/* The first cgroup2 mount, from /proc/self/mounts. */
static int cgroup_mount(char *dir, size_t size)
{
	struct mntent *ent;
	int err = -ENOENT;
	FILE *f;

	f = setmntent("/proc/self/mounts", "r");
	if (!f)
		return -errno;
	while ((ent = getmntent(f))) {
		if (!strcmp(ent->mnt_type, "cgroup2")) {
			snprintf(dir, size, "%s", ent->mnt_dir);
			err = 0;
			break;
		}
	}
	endmntent(f);
	return err;
}

/* Our own cgroup v2 path ("0::/path" in /proc/self/cgroup), "" for the root. */
static int cgroup_self(char *path, size_t size)
{
	char line[PATH_MAX + 8];
	int err = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		err = 0;
		if ((size_t)snprintf(path, size, "%s", strcmp(line + 3, "/") ?
				     line + 3 : "") >= size)
			err = -ENAMETOOLONG;
		break;
	}
	fclose(f);
	return err;
}

int bench_cgroup_create(char *path, size_t size, const char *mount)
{
	char dir[PATH_MAX], self[PATH_MAX];
	int err = 0;

	if (mount)
		snprintf(dir, sizeof(dir), "%s", mount);
	else
		err = cgroup_mount(dir, sizeof(dir));
	if (err) {
		fprintf(stderr, "freeze_bench: cgroup: no cgroup2 mount in /proc/self/mounts\n");
		return err;
	}
	err = cgroup_self(self, sizeof(self));
	if (err) {
		fprintf(stderr, "freeze_bench: cgroup: /proc/self/cgroup has no cgroup v2 line\n");
		return err;
	}
	if ((size_t)snprintf(path, size, "%s%s/lkp-bench.%d", dir, self,
			     getpid()) >= size) {
		fprintf(stderr, "freeze_bench: cgroup: the path below %s%s is too long\n",
			dir, self);
		return -ENAMETOOLONG;
	}
	if (mkdir(path, 0755)) {
		err = -errno;
		fprintf(stderr, "freeze_bench: cgroup: cannot create %s: %s\n",
			path, strerror(-err));
		return err;
	}
	return 0;
}

void bench_cgroup_remove(const char *path)
{
	int i;

	/* The last exiting threads may leave it populated for a moment. */
	for (i = 0; i < 100 && rmdir(path) && errno == EBUSY; i++)
		usleep(10000);
}

static int cgroup_open(const char *cgroup, const char *file, int flags)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cgroup, file);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "freeze_bench: cgroup: cannot open %s: %s\n",
			path, strerror(errno));
	return fd;
}

static int cgroup_attach(const struct bench_method *m,
			 const struct bench_target *t, void **state)
{
	struct cgroup_state *s;

	if (!t->cgroup) {
		fprintf(stderr, "freeze_bench: cgroup: the target has no cgroup of its own\n");
		return -ENOENT;
	}
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->freeze_fd = cgroup_open(t->cgroup, "cgroup.freeze", O_WRONLY);
	s->events_fd = cgroup_open(t->cgroup, "cgroup.events", O_RDONLY);
	if (s->freeze_fd < 0 || s->events_fd < 0) {
		if (s->freeze_fd >= 0)
			close(s->freeze_fd);
		if (s->events_fd >= 0)
			close(s->events_fd);
		free(s);
		return -ENOENT;
	}
	*state = s;
	return 0;
}

/* 0 or 1 from the "frozen" line of cgroup.events, or -errno. */
static int cgroup_frozen(int fd)
{
	char buf[256], *line;
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	line = strstr(buf, "frozen ");
	if (!line)
		return -EPROTO;
	return line[7] == '1';
}

static int cgroup_set(struct cgroup_state *s, int frozen)
{
	struct pollfd pfd = { .fd = s->events_fd, .events = POLLPRI };
	int ret;

	if (pwrite(s->freeze_fd, frozen ? "1" : "0", 1, 0) != 1)
		return -errno;
	/* Reading re-arms the notification, so no change is missed. */
	while ((ret = cgroup_frozen(s->events_fd)) != frozen) {
		if (ret < 0)
			return ret;
		ret = poll(&pfd, 1, CGROUP_WAIT_MS);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret == 0)
			return -ETIMEDOUT;
	}
	return 0;
}

static int cgroup_freeze(void *state)
{
	return cgroup_set(state, 1);
}

static int cgroup_thaw(void *state)
{
	return cgroup_set(state, 0);
}

static void cgroup_detach(void *state)
{
	struct cgroup_state *s = state;

	close(s->freeze_fd);
	close(s->events_fd);
	free(s);
}

const struct bench_method bench_cgroup = {
	.name = "cgroup",
	.attach = cgroup_attach,
	.freeze = cgroup_freeze,
	.thaw = cgroup_thaw,
	.detach = cgroup_detach,
};
