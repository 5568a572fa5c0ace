/* SPDX-License-Identifier: GPL-2.0 */
/* symbolize.h: names for code addresses in a target process, from its objects' ELF symbols. */
#ifndef LKP_SYMBOLIZE_H
#define LKP_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct lkp_symbolizer;

/*
 * A symbolizer for process pid: reads its mappings now (so make it while
 * the target is frozen when the addresses come from a freeze) and each
 * object's symbols when first needed, through /proc/PID/map_files (so a
 * file replaced or deleted on disk since it was mapped still reads right).
 * NULL with errno set on failure (ESRCH: no such process).
 */
struct lkp_symbolizer *lkp_symbolizer_new(pid_t pid);
void lkp_symbolizer_free(struct lkp_symbolizer *sy);

/* lkp_symbol_find() flags */
/*
 * addr is a return address (frame 1 and above of a backtrace): the call
 * is at addr - 1, which may be in another function when the call was the
 * last instruction of a noreturn caller. The offset stays from addr.
 */
#define LKP_SYM_RETADDR		(1U << 0)

/* What is known of an address; the strings live as long as the symbolizer. */
struct lkp_symbol {
	const char *name;	/* the function, NULL if no symbol covers the address */
	uint64_t offset;	/* address - start of name */
	const char *object;	/* file name (no directory) of the object, "[vdso]", or NULL */
	const char *path;	/* its full path as /proc/PID/maps shows it, or NULL */
	uint64_t vaddr;		/* the address in the object's ELF (for addr2line), 0: unknown */
};

/*
 * Look addr up: the symbol from the object's .symtab, or its .dynsym when
 * it is stripped. 0 (name or object may be NULL: nothing known) or -errno
 * (ENOMEM).
 */
int lkp_symbol_find(struct lkp_symbolizer *sy, uint64_t addr, unsigned int flags,
		    struct lkp_symbol *sym);

/*
 * Format sym, found for addr: "func+0x12 (libfoo.so.1)", "0x7f... (libfoo.so.1)"
 * or "0x7f...". 0, or -ENOSPC when it did not fit (buf then holds what did).
 */
int lkp_symbol_format(const struct lkp_symbol *sym, uint64_t addr, char *buf, size_t len);

/* lkp_symbol_find() of an exact address (not a return address) and lkp_symbol_format(). */
int lkp_symbolize(struct lkp_symbolizer *sy, uint64_t addr, char *buf, size_t len);

#endif /* LKP_SYMBOLIZE_H */
