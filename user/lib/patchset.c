// SPDX-License-Identifier: GPL-2.0
/* patchset.c: loading the patch files a command names, directly or through a patchroot directory. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "link.h"
#include "patchset.h"
#include "target.h"

static int add_file(struct lkp_patchset *ps, const char *path, bool named, char *err)
{
	char lerr[LKPP_ERR_SIZE] = "";
	struct lkp_patchfile *v, *f;
	int ret;

	v = reallocarray(ps->v, ps->n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ps->v = v;
	f = &v[ps->n];
	memset(f, 0, sizeof(*f));
	ret = lkpp_load(path, &f->p, lerr);
	if (ret) {
		snprintf(err, LKP_ERR_SIZE, "%s: %s%s%s", path, strerror(-ret), *lerr ? ": " : "",
			 lerr);
		return ret;
	}
	f->path = strdup(path);
	if (!f->path) {
		lkpp_free(f->p);
		return -ENOMEM;
	}
	f->id = lkp_patch_id(f->p);
	f->named = named;
	ps->n++;
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_lkpp(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && !strcmp(d->d_name + n - 5, ".lkpp");
}

int lkp_patchset_add(struct lkp_patchset *ps, const char *path, char *err)
{
	struct dirent **names;
	char full[4096];
	struct stat st;
	int i, n, ret = 0;

	if (stat(path, &st)) {
		ret = -errno;
		snprintf(err, LKP_ERR_SIZE, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (!S_ISDIR(st.st_mode))
		return add_file(ps, path, true, err);
	n = scandir(path, &names, is_lkpp, by_name);
	if (n < 0) {
		ret = -errno;
		snprintf(err, LKP_ERR_SIZE, "%s: %s", path, strerror(errno));
		return ret;
	}
	for (i = 0; i < n; i++) {
		if (!ret) {
			snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name);
			ret = add_file(ps, full, false, err);
		}
		free(names[i]);
	}
	free(names);
	if (!ret && !n) {
		snprintf(err, LKP_ERR_SIZE, "%s: no patch file (*.lkpp) in this directory", path);
		return -ENOENT;
	}
	return ret;
}

void lkp_patchset_free(struct lkp_patchset *ps)
{
	unsigned int i;

	for (i = 0; i < ps->n; i++) {
		free(ps->v[i].path);
		lkpp_free(ps->v[i].p);
	}
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}
