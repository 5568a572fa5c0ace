/* SPDX-License-Identifier: GPL-2.0 */
/* target.h: a live process's loaded objects (by build-id), their dynamic symbols, its loader state. */
#ifndef LKP_TARGET_H
#define LKP_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/lkp.h>

#include "lkpp_format.h"
#include "session.h"

#define LKP_ERR_SIZE 256

struct lkp_elf;		/* dynsym.c: the dynamic symbols and relocations of one ELF file */

/* One ELF object mapped in the target: the executable, a library, ld.so. */
struct lkp_object {
	char *path;			/* as /proc/PID/maps shows it (may end in " (deleted)") */
	const char *name;		/* its last path component */
	uint64_t lo, hi;		/* lowest start, highest end of its file mappings */
	uint64_t first_start;		/* the mapping of file offset 0, for map_files */
	uint64_t first_end;
	uint64_t base;			/* load base (l_addr): run-time minus ELF addresses */
	dev_t dev;
	ino_t ino;
	uint16_t e_type;		/* ET_EXEC or ET_DYN */
	uint32_t build_id_size;		/* 0: no GNU build-id note */
	uint8_t build_id[LKPP_BUILD_ID_MAX];
	uint64_t dynamic;		/* ELF address of PT_DYNAMIC, 0 if none */
	bool has_tls;			/* a PT_TLS segment */
	/* From the loader's link_map, when it was found (linkmap.c). */
	int order;			/* position in the link_map chain; -1 if not in it */
	uint64_t link_map;		/* its struct link_map in the target, 0 if unknown */
	int64_t tls_offset;		/* l_tls_offset: block at tp - tls_offset; 0 none, -1 dynamic */
	uint64_t tls_modid;		/* l_tls_modid */
	struct lkp_elf *elf;		/* opened on first use */
	int elf_err;			/* -errno of a failed open, reported once */
};

struct lkp_target {
	pid_t pid;
	char comm[32];
	const struct lkp_session *s;
	struct lkp_object *objs;	/* in the order of /proc/PID/maps */
	unsigned int nr_objs;
	struct lkp_object **search;	/* the loader's search order: link_map order, then the rest */
	unsigned int nr_search;
	bool linkmap_done;
	int linkmap_err;
	uint64_t (*anon)[2];		/* mappings that may hold lkp records (record.h) */
	unsigned int nr_anon;
	/* Private writable mappings: heap, stacks, data, bss, anonymous (saved.c reads them). */
	struct lkp_range *rw;
	unsigned int nr_rw;
	struct lkp_range xol;		/* the uprobes' XOL area ("[uprobes]"), or 0 */
};

/*
 * Read /proc/PID/maps and the build-id of every mapped ELF file, through
 * /proc/PID/map_files so that a file replaced on disk (a package upgrade)
 * still shows the build-id of what is mapped. 0 or -errno, err says why.
 */
int lkp_target_open(const struct lkp_session *s, struct lkp_target **out, char *err);
void lkp_target_free(struct lkp_target *t);

/* The object with this build-id, or NULL. */
struct lkp_object *lkp_target_find(struct lkp_target *t, const uint8_t *id, size_t size);

/* Open the object's ELF file (dynamic symbols, relocations): 0 or -errno. */
int lkp_object_elf(struct lkp_target *t, struct lkp_object *o, char *err);

/*
 * The loader's view (linkmap.c): walk ld.so's _r_debug.r_map, fill each
 * object's order, link_map and TLS fields, and set search. Idempotent;
 * 0 or -errno (no ld.so: a static program; search is then objs' order).
 */
int lkp_target_linkmap(struct lkp_target *t, char *err);

/* A resolved symbol: where it is in the target. */
struct lkp_addr {
	struct lkp_object *obj;		/* the defining object */
	uint64_t addr;			/* run-time address (non-TLS) */
	uint64_t tls_value;		/* TLS: offset in obj's TLS block */
	uint8_t type;			/* enum lkpp_sym_type */
};

/*
 * An EXTERNAL symbol by name and version among the loaded objects, library
 * (a soname) first when not empty, then in the loader's search order. IFUNCs
 * resolve to what the process already resolved them to. -ENOENT when not
 * found (err names what is missing).
 */
int lkp_target_resolve(struct lkp_target *t, const char *name, const char *version,
		       const char *library, bool tls, struct lkp_addr *a, char *err);

/*
 * The address an IFUNC defined in o with resolver at ELF address resolver
 * resolves to in this process, if the process already resolved it (its own
 * IRELATIVE relocations, or a GOT slot of any object): 0, or -ENOENT.
 */
int lkp_target_ifunc(struct lkp_target *t, struct lkp_object *o, const char *name,
		     uint64_t resolver, uint64_t *addr);

/*
 * Where the live copy of a variable defined in o (ELF address value, symbol
 * name) is: the executable's copy when it has a copy relocation for it,
 * else o's own. name may be NULL or "" (then o's own).
 */
uint64_t lkp_target_data_addr(struct lkp_target *t, struct lkp_object *o, const char *name,
			      uint64_t value);

/* The thread-pointer offset of o's static TLS block: 0 or -EOPNOTSUPP (dynamic TLS). */
int lkp_object_tpoff(struct lkp_target *t, struct lkp_object *o, int64_t *tpoff, char *err);

#endif /* LKP_TARGET_H */
