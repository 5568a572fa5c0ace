/* SPDX-License-Identifier: GPL-2.0 */
/* procmaps.h: a snapshot of /proc/PID/maps and lookups in it. */
#ifndef LKP_PROCMAPS_H
#define LKP_PROCMAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* One line of /proc/PID/maps. */
struct lkp_vma {
	uint64_t start, end;	/* [start, end) */
	uint64_t offset;	/* file offset of start */
	uint64_t inode;		/* 0: not backed by a file */
	unsigned int dev_major, dev_minor;
	int prot;		/* PROT_READ | PROT_WRITE | PROT_EXEC */
	bool shared;		/* 's' rather than 'p' */
	char perms[5];		/* as the kernel prints them: "r-xp" */
	const char *path;	/* "" (anonymous), "[vdso]", "/usr/lib/..." (maybe " (deleted)") */
};

/* The mappings in address order. */
struct lkp_maps {
	struct lkp_vma *v;
	unsigned int n;
	char *text;		/* the file as read: the paths point into it */
};

/*
 * One line of /proc/PID/maps, its newline removed: 0, or -EINVAL for a
 * line not in the kernel's format. v->path points into line (the rest of
 * it, spaces included).
 */
int lkp_maps_parse_line(const char *line, struct lkp_vma *v);

/* Read /proc/PID/maps: 0 or -errno (ESRCH for a process that is gone). */
int lkp_maps_read(pid_t pid, struct lkp_maps *m);
void lkp_maps_free(struct lkp_maps *m);

/* The mapping holding addr, or NULL. */
const struct lkp_vma *lkp_maps_find(const struct lkp_maps *m, uint64_t addr);

/* Whether a and b map the same file (or are the same special mapping, such as [vdso]). */
bool lkp_vma_same_object(const struct lkp_vma *a, const struct lkp_vma *b);

/*
 * The mapping of file offset 0 of the object mapped at map (where its ELF
 * header is): the nearest one at or below map that maps the same object at
 * offset 0. NULL when there is none (an anonymous mapping, or the object's
 * first page was unmapped).
 */
const struct lkp_vma *lkp_maps_object_base(const struct lkp_maps *m, const struct lkp_vma *map);

#endif /* LKP_PROCMAPS_H */
