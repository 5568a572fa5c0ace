// SPDX-License-Identifier: GPL-2.0
/* locate.c: the files on disk with a patch's build-id: mapped by running processes, or where ld.so and PATH look. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkpd.h"

/* Where the loader looks without help (Debian's multiarch first), before ld.so.conf's. */
static const char *const lib_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
	"/lib", "/usr/lib", "/usr/local/lib",
};

struct seen {
	char **v;
	unsigned int n;
};

/* Was path looked at already in this search? Remembers it if not. */
static bool seen(struct seen *s, const char *path)
{
	char **v;
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], path))
			return true;
	v = reallocarray(s->v, s->n + 1, sizeof(*v));
	if (!v)
		return true;
	s->v = v;
	v[s->n] = strdup(path);
	if (v[s->n])
		s->n++;
	return false;
}

static void add_found(struct lkpd_want *w, const char *path, const struct stat *st,
		      const struct lkpd_elf *e)
{
	struct lkpd_file *v;
	unsigned int i;

	for (i = 0; i < w->nr_found; i++)
		if (w->found[i].dev == st->st_dev && w->found[i].ino == st->st_ino)
			return;
	v = reallocarray(w->found, w->nr_found + 1, sizeof(*v));
	if (!v)
		return;
	w->found = v;
	v[w->nr_found] = (struct lkpd_file){
		.path = strdup(path), .dev = st->st_dev, .ino = st->st_ino,
		.offset = e->hold_offset, .kind = e->has_point ? e->kind : NULL,
	};
	if (v[w->nr_found].path)
		w->nr_found++;
}

/* Is the file at path one of the wanted? */
static void try_path(struct lkpd_want *w, unsigned int n, const char *path, struct seen *s)
{
	struct lkpd_elf e;
	struct stat st;
	unsigned int i;
	int fd;

	if (seen(s, path))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || lkpd_elf_read(fd, &e)) {
		close(fd);
		return;
	}
	close(fd);
	for (i = 0; i < n; i++)
		if (e.build_id_size == w[i].size && !memcmp(e.build_id, w[i].id, w[i].size))
			add_found(&w[i], path, &st, &e);
}

/* Every file running processes map from offset 0 (the path they were opened by). */
static void from_processes(struct lkpd_want *w, unsigned int n, struct seen *s)
{
	char line[4352], path[4096];
	unsigned long long off, ino;
	struct dirent *de;
	DIR *dir;
	FILE *f;

	dir = opendir("/proc");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(line, sizeof(line), "/proc/%s/maps", de->d_name);
		f = fopen(line, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			size_t len;

			if (sscanf(line, "%*x-%*x %*s %llx %*x:%*x %llu %4095[^\n]", &off, &ino,
				   path) < 3 || off || !ino || path[0] != '/')
				continue;
			len = strlen(path);
			if (len > 10 && !strcmp(path + len - 10, " (deleted)"))
				continue;
			try_path(w, n, path, s);
		}
		fclose(f);
	}
	closedir(dir);
}

static void in_dir(struct lkpd_want *w, unsigned int n, const char *dir, size_t dlen,
		   struct seen *s)
{
	char path[4096];
	const char *name, *slash;
	unsigned int i;

	if (!dlen)
		return;
	for (i = 0; i < n; i++) {
		if (!w[i].name || !*w[i].name)
			continue;
		slash = strrchr(w[i].name, '/');
		name = slash ? slash + 1 : w[i].name;
		snprintf(path, sizeof(path), "%.*s/%s", (int)dlen, dir, name);
		try_path(w, n, path, s);
	}
}

/* A colon-separated list of directories (LD_LIBRARY_PATH, PATH). */
static void in_list(struct lkpd_want *w, unsigned int n, const char *list, struct seen *s)
{
	const char *p, *colon;

	if (!list)
		return;
	for (p = list; *p; p = colon + 1) {
		colon = strchrnul(p, ':');
		in_dir(w, n, p, colon - p, s);
		if (!*colon)
			break;
	}
}

/* The directories of /etc/ld.so.conf and the files it includes (one level of "include"). */
static void in_ld_so_conf(struct lkpd_want *w, unsigned int n, const char *conf, int depth,
			  struct seen *s)
{
	char line[4096], *p, *end;
	glob_t g;
	size_t i;
	FILE *f;

	f = fopen(conf, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " \t");
		end = p + strcspn(p, "#\n");
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		if (!strncmp(p, "include", 7) && (p[7] == ' ' || p[7] == '\t')) {
			p += 8 + strspn(p + 8, " \t");
			if (depth || glob(p, 0, NULL, &g))
				continue;
			for (i = 0; i < g.gl_pathc; i++)
				in_ld_so_conf(w, n, g.gl_pathv[i], depth + 1, s);
			globfree(&g);
		} else if (*p == '/') {
			in_dir(w, n, p, strlen(p), s);
		}
	}
	fclose(f);
}

int lkpd_locate(struct lkpd_want *w, unsigned int n, char *const *paths, unsigned int nr_paths)
{
	struct seen s = { 0 };
	unsigned int i;

	if (!n)
		return 0;
	for (i = 0; i < nr_paths; i++)
		try_path(w, n, paths[i], &s);
	from_processes(w, n, &s);
	in_list(w, n, getenv("LD_LIBRARY_PATH"), &s);
	for (i = 0; i < sizeof(lib_dirs) / sizeof(lib_dirs[0]); i++)
		in_dir(w, n, lib_dirs[i], strlen(lib_dirs[i]), &s);
	in_ld_so_conf(w, n, "/etc/ld.so.conf", 0, &s);
	in_list(w, n, getenv("PATH"), &s);
	for (i = 0; i < s.n; i++)
		free(s.v[i]);
	free(s.v);
	return 0;
}

bool lkpd_file_check(struct lkpd_file *f, const uint8_t *id, uint32_t size, bool *changed)
{
	struct lkpd_elf e;
	struct stat st;
	int fd;

	*changed = false;
	if (stat(f->path, &st))
		return false;
	if (st.st_dev == f->dev && st.st_ino == f->ino)
		return true;
	/* Replaced (an upgrade, a reinstall): the new inode counts only with the same build-id. */
	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || lkpd_elf_read(fd, &e) ||
	    e.build_id_size != size || memcmp(e.build_id, id, size)) {
		close(fd);
		return false;
	}
	close(fd);
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->offset = e.hold_offset;
	f->kind = e.has_point ? e.kind : NULL;
	*changed = true;
	return true;
}
