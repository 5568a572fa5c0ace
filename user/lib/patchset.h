/* SPDX-License-Identifier: GPL-2.0 */
/* patchset.h: the patch files one command works with, from files and patchroot directories. */
#ifndef LKP_PATCHSET_H
#define LKP_PATCHSET_H

#include <stdbool.h>
#include <stdint.h>

#include "lkpp.h"

struct lkp_patchfile {
	char *path;
	struct lkpp_patch *p;
	uint64_t id;			/* lkp_patch_id() */
	bool named;			/* given as a file, not found in a directory */
};

struct lkp_patchset {
	struct lkp_patchfile *v;
	unsigned int n;
};

/*
 * Add a patch file, or every *.lkpp of a directory (a patchroot). Each file
 * is read and validated; 0 or -errno with err naming the file and the reason.
 */
int lkp_patchset_add(struct lkp_patchset *ps, const char *path, char *err);
void lkp_patchset_free(struct lkp_patchset *ps);

#endif /* LKP_PATCHSET_H */
