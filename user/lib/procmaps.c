// SPDX-License-Identifier: GPL-2.0
/* procmaps.c: reading /proc/PID/maps into a sorted array of mappings. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "procmaps.h"

/* The whole file in one NUL-terminated buffer: the kernel builds it per read, so read to EOF. */
static int read_text(pid_t pid, char **text)
{
	size_t len = 0, cap = 16384;
	char path[64], *buf, *nbuf;
	ssize_t n;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	buf = malloc(cap);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (cap - len < 4096) {
			nbuf = realloc(buf, cap *= 2);
			if (!nbuf) {
				ret = -ENOMEM;
				break;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* A process that exited meanwhile reads as ESRCH or empty. */
			ret = -errno;
			break;
		}
		if (!n)
			break;
		len += n;
	}
	if (ret) {
		free(buf);
		goto out;
	}
	buf[len] = '\0';
	*text = buf;
out:
	close(fd);
	return ret;
}

/* A hex or decimal field ending at stop; false if empty, too long or ended otherwise. */
static bool field(const char **p, unsigned int base, char stop, uint64_t *v)
{
	const char *s = *p;
	unsigned int n = 0, d;
	uint64_t x = 0;

	for (;; s++, n++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			break;
		x = x * base + d;
	}
	if (!n || n > 20 || *s != stop)
		return false;
	*v = x;
	*p = s + 1;
	return true;
}

/*
 * By hand, not sscanf(): apply --all parses every line of every process,
 * and sscanf() was the largest user-space cost of it.
 */
int lkp_maps_parse_line(const char *line, struct lkp_vma *v)
{
	const char *p = line;
	uint64_t maj, min;

	if (!field(&p, 16, '-', &v->start) || !field(&p, 16, ' ', &v->end) ||
	    v->end <= v->start)
		return -EINVAL;
	if (strnlen(p, 5) < 5 || p[4] != ' ')
		return -EINVAL;
	memcpy(v->perms, p, 4);
	v->perms[4] = '\0';
	p += 5;
	if (!field(&p, 16, ' ', &v->offset) || !field(&p, 16, ':', &maj) ||
	    !field(&p, 16, ' ', &min) || maj > UINT32_MAX || min > UINT32_MAX)
		return -EINVAL;
	/* The inode ends the line of an anonymous mapping. */
	if (!field(&p, 10, ' ', &v->inode) && !field(&p, 10, '\0', &v->inode))
		return -EINVAL;
	v->dev_major = maj;
	v->dev_minor = min;
	v->prot = (v->perms[0] == 'r' ? PROT_READ : 0) | (v->perms[1] == 'w' ? PROT_WRITE : 0) |
		  (v->perms[2] == 'x' ? PROT_EXEC : 0);
	v->shared = v->perms[3] == 's';
	if (p[-1] == '\0')
		p--;
	while (*p == ' ')
		p++;
	v->path = p;
	return 0;
}

int lkp_maps_read(pid_t pid, struct lkp_maps *m)
{
	unsigned int n = 0, cap = 0;
	char *line, *next;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = read_text(pid, &m->text);
	if (ret)
		return ret;
	for (line = m->text; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (n == cap) {
			struct lkp_vma *v = realloc(m->v, (cap = cap ? 2 * cap : 64) * sizeof(*v));

			if (!v) {
				ret = -ENOMEM;
				goto fail;
			}
			m->v = v;
		}
		ret = lkp_maps_parse_line(line, &m->v[n]);
		if (ret)
			goto fail;
		n++;
	}
	m->n = n;
	/* No mappings at all: a zombie, or a kernel thread. */
	return n ? 0 : -ESRCH;

fail:
	lkp_maps_free(m);
	return ret;
}

void lkp_maps_free(struct lkp_maps *m)
{
	free(m->v);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

const struct lkp_vma *lkp_maps_find(const struct lkp_maps *m, uint64_t addr)
{
	unsigned int lo = 0, hi = m->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (addr < m->v[mid].start)
			hi = mid;
		else if (addr >= m->v[mid].end)
			lo = mid + 1;
		else
			return &m->v[mid];
	}
	return NULL;
}

/* The one mapping without a file that holds an ELF image: the kernel's vDSO. */
static bool is_vdso(const struct lkp_vma *map)
{
	return !map->inode && !strcmp(map->path, "[vdso]");
}

bool lkp_vma_same_object(const struct lkp_vma *a, const struct lkp_vma *b)
{
	if (a->inode || b->inode)
		return a->inode == b->inode && a->dev_major == b->dev_major &&
		       a->dev_minor == b->dev_minor;
	return is_vdso(a) && is_vdso(b);
}

const struct lkp_vma *lkp_maps_object_base(const struct lkp_maps *m, const struct lkp_vma *map)
{
	const struct lkp_vma *p;

	if (!map->inode && !is_vdso(map))
		return NULL;
	/*
	 * Walk down over the object's own mappings and the anonymous ones the
	 * loader puts between them (.bss); another file means we left it.
	 */
	for (p = map; p >= m->v; p--) {
		if (lkp_vma_same_object(p, map)) {
			if (!p->offset)
				return p;
			continue;
		}
		if (p->inode || p->path[0])
			break;
	}
	return NULL;
}
