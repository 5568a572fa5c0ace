// SPDX-License-Identifier: GPL-2.0
/* store.c: the patch store (one <build-id>.lkpp per object) and the hold points of the files its patches are for. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lkpd.h"

static int is_lkpp(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return de->d_name[0] != '.' && n > 5 && !strcmp(de->d_name + n - 5, ".lkpp");
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int lkpd_store_load(const char *dir, struct lkp_patchset *ps)
{
	char path[4096], err[LKP_ERR_SIZE];
	struct dirent **names;
	int i, n, ret;

	memset(ps, 0, sizeof(*ps));
	n = scandir(dir, &names, is_lkpp, by_name);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		free(names[i]);
		/* One bad file (lkpctl install checks them) must not hide the others. */
		ret = lkp_patchset_add(ps, path, err);
		if (ret)
			lkpd_log(LKPD_ERR, "%s (skipped)", err);
		else
			ps->v[ps->n - 1].named = false;
	}
	free(names);
	return 0;
}

static bool same_id(const struct lkpp_patch *a, const struct lkpp_patch *b)
{
	return a->build_id_size == b->build_id_size &&
	       !memcmp(a->build_id, b->build_id, a->build_id_size);
}

static int patch_of(const struct lkp_patchset *ps, const struct lkpp_patch *p)
{
	unsigned int i;

	for (i = 0; i < ps->n; i++)
		if (same_id(ps->v[i].p, p))
			return i;
	return -1;
}

static int add_file(struct lkpd_file **v, unsigned int *n, const struct lkpd_file *f)
{
	struct lkpd_file *nv = reallocarray(*v, *n + 1, sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = *f;
	return 0;
}

static bool has_file(const struct lkpd_file *v, unsigned int n, const struct lkpd_file *f)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v[i].dev == f->dev && v[i].ino == f->ino && v[i].patch == f->patch)
			return true;
	return false;
}

static bool was_missing(const struct lkpd *d, const char *hex)
{
	unsigned int i;

	for (i = 0; i < d->nr_missing; i++)
		if (!strcmp(d->missing[i], hex))
			return true;
	return false;
}

/*
 * The files a patch set needs held: those known from the last sync that
 * are still there (same inode, or a new inode with the same build-id, which
 * gets a new point), then, for patches left with none (or every patch, when
 * search_all), a search. Points are added before the old ones go, so that
 * no new process slips through.
 */
static int sync_files(struct lkpd *d, struct lkp_patchset *ps, bool search_all,
		      struct lkpd_file **out, unsigned int *nout)
{
	struct lkpd_file *nf = NULL, f;
	struct lkpd_want *w;
	unsigned int nn = 0, i, k, nw = 0;
	bool changed;
	int j;

	for (i = 0; i < d->nr_files; i++) {
		f = d->files[i];
		j = patch_of(ps, d->ps.v[f.patch].p);
		if (j < 0 || !lkpd_file_check(&f, ps->v[j].p->build_id, ps->v[j].p->build_id_size,
					      &changed))
			continue;
		f.patch = j;
		f.path = strdup(f.path);
		if (!f.path)
			continue;
		if (changed) {
			lkpd_log(LKPD_INFO, "%s: replaced on disk by a file of the same build", f.path);
			f.point = 0;
		}
		if (add_file(&nf, &nn, &f))
			free(f.path);
	}
	w = calloc(ps->n ? ps->n : 1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (i = 0; i < ps->n; i++) {
		for (k = 0; k < nn && nf[k].patch != i; k++)
			;
		if (k < nn && !search_all)
			continue;
		w[nw++] = (struct lkpd_want){ .id = ps->v[i].p->build_id,
					      .size = ps->v[i].p->build_id_size,
					      .name = ps->v[i].p->target_name };
	}
	lkpd_locate(w, nw, d->known, d->nr_known);
	for (i = 0; i < nw; i++) {
		for (j = 0; j < (int)ps->n && ps->v[j].p->build_id != w[i].id; j++)
			;
		for (k = 0; k < w[i].nr_found; k++) {
			f = w[i].found[k];
			f.patch = j;
			if (has_file(nf, nn, &f) || add_file(&nf, &nn, &f))
				free(f.path);
		}
		free(w[i].found);
	}
	free(w);
	*out = nf;
	*nout = nn;
	return 0;
}

int lkpd_store_sync(struct lkpd *d, bool search_all)
{
	struct lkp_patchset ps;
	struct lkpd_file *nf = NULL;
	unsigned int nn = 0, i, k;
	char **missing = NULL, **m, hex[2 * LKPP_BUILD_ID_MAX + 1];
	unsigned int nr_missing = 0;
	bool keep;
	int ret;

	ret = lkpd_store_load(d->o.store, &ps);
	if (ret)
		return ret;
	ret = sync_files(d, &ps, search_all, &nf, &nn);
	if (ret) {
		lkp_patchset_free(&ps);
		return ret;
	}
	/* New points first. */
	for (i = 0; i < nn; i++) {
		if (nf[i].point || !nf[i].kind)
			continue;
		ret = lkpd_hold_add(d, &nf[i]);
		if (!ret)
			d->points_added++;
		else
			lkpd_log(LKPD_ERR, "%s: cannot hold new processes at its %s: %s",
				 nf[i].path, nf[i].kind, strerror(-ret));
	}
	/* Then the old points that are not kept. */
	for (i = 0; i < d->nr_files; i++) {
		keep = false;
		for (k = 0; k < nn && !keep; k++)
			keep = nf[k].point && nf[k].point == d->files[i].point;
		if (!keep)
			lkpd_hold_del(d, &d->files[i]);
		free(d->files[i].path);
	}
	free(d->files);
	lkp_patchset_free(&d->ps);
	d->ps = ps;
	d->files = nf;
	d->nr_files = nn;

	/* Installed patches nothing can be held for: say so once, when it starts. */
	for (i = 0; i < ps.n; i++) {
		for (k = 0; k < nn && (nf[k].patch != i || !nf[k].point); k++)
			;
		if (k < nn)
			continue;
		lkpp_build_id_hex(ps.v[i].p->build_id, ps.v[i].p->build_id_size, hex);
		if (!was_missing(d, hex))
			lkpd_log(LKPD_WARN, "%s: no file with build-id %s (%s) to hold new processes "
				 "in: only running processes are patched", ps.v[i].path, hex,
				 ps.v[i].p->target_name);
		m = reallocarray(missing, nr_missing + 1, sizeof(*m));
		if (!m)
			break;
		missing = m;
		missing[nr_missing] = strdup(hex);
		if (missing[nr_missing])
			nr_missing++;
	}
	for (i = 0; i < d->nr_missing; i++)
		free(d->missing[i]);
	free(d->missing);
	d->missing = missing;
	d->nr_missing = nr_missing;
	lkpd_watch_files_changed(d);
	lkpd_fswatch_sync(d);
	return 0;
}

int lkpd_store_find(const struct lkpd *d, const char *which)
{
	char id[17], hex[2 * LKPP_BUILD_ID_MAX + 1];
	size_t n = strlen(which);
	unsigned int i;
	int found = -ENOENT;

	if (!n)
		return -EINVAL;
	for (i = 0; i < d->ps.n; i++) {
		snprintf(id, sizeof(id), "%016" PRIx64, d->ps.v[i].id);
		lkpp_build_id_hex(d->ps.v[i].p->build_id, d->ps.v[i].p->build_id_size, hex);
		if (strncmp(id, which, n) && strncmp(hex, which, n))
			continue;
		if (found >= 0)
			return -EEXIST;		/* ambiguous prefix */
		found = i;
	}
	return found;
}
