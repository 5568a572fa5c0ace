// SPDX-License-Identifier: GPL-2.0
/* scan.c: which processes map an object a patch is for, reading each file's build-id once. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "buildid.h"
#include "procmaps.h"
#include "scan.h"

struct seen {
	dev_t dev;
	ino_t ino;
	bool match;
};

struct cache {
	struct seen *v;
	unsigned int n;
};

static bool file_matches(const char *path, const struct lkp_patchset *ps)
{
	bool match = false;
	GElf_Phdr ph;
	size_t i, n;
	Elf *elf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &n))
		goto out;
	for (i = 0; i < n && !match; i++) {
		uint8_t id[LKPP_BUILD_ID_MAX];
		uint32_t size;
		unsigned int k;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_NOTE)
			continue;
		size = lkp_note_build_id(elf, &ph, id);
		for (k = 0; size && k < ps->n && !match; k++)
			match = ps->v[k].p->build_id_size == size &&
				!memcmp(ps->v[k].p->build_id, id, size);
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return match;
}

static int pid_matches(pid_t pid, const struct lkp_patchset *ps, struct cache *c)
{
	unsigned int i;
	char line[4352], mf[96], fbuf[16384];
	bool match = false;
	FILE *f;

	snprintf(line, sizeof(line), "/proc/%d/maps", (int)pid);
	f = fopen(line, "re");
	if (!f)
		return 0;
	/* stdio's buffer for /proc is 1 KiB: a read per 8 lines, each taking the mmap lock. */
	setvbuf(f, fbuf, _IOFBF, sizeof(fbuf));
	while (!match && fgets(line, sizeof(line), f)) {
		struct lkp_vma m;
		struct seen *v;

		line[strcspn(line, "\n")] = '\0';
		if (lkp_maps_parse_line(line, &m) || m.offset || !m.inode || m.path[0] != '/')
			continue;
		for (i = 0; i < c->n; i++)
			if (c->v[i].ino == m.inode && c->v[i].dev == makedev(m.dev_major, m.dev_minor))
				break;
		if (i == c->n) {
			v = reallocarray(c->v, c->n + 1, sizeof(*v));
			if (!v)
				break;
			c->v = v;
			snprintf(mf, sizeof(mf), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid,
				 m.start, m.end);
			v[c->n] = (struct seen){ makedev(m.dev_major, m.dev_minor), m.inode,
						 file_matches(mf, ps) || file_matches(m.path, ps) };
			c->n++;
		}
		match = c->v[i].match;
	}
	fclose(f);
	return match;
}

static int by_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

int lkp_scan_pids(const struct lkp_patchset *ps, pid_t **pids, unsigned int *n)
{
	struct cache c = { 0 };
	pid_t *v = NULL, *nv, self = getpid();
	unsigned int cnt = 0;
	struct dirent *d;
	DIR *dir;

	*pids = NULL;
	*n = 0;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	dir = opendir("/proc");
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		pid_t pid;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		pid = atoi(d->d_name);
		if (pid == self || !pid_matches(pid, ps, &c))
			continue;
		nv = reallocarray(v, cnt + 1, sizeof(*v));
		if (!nv) {
			free(v);
			v = NULL;
			cnt = 0;
			break;
		}
		v = nv;
		v[cnt++] = pid;
	}
	closedir(dir);
	free(c.v);
	qsort(v, cnt, sizeof(*v), by_pid);
	*pids = v;
	*n = cnt;
	return 0;
}
