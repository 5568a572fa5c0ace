// SPDX-License-Identifier: GPL-2.0
/* unwind.c: backtraces of a frozen target's threads, by libunwind's remote API over /proc/PID/mem. */
/*
 * libunwind's remote API unwinds any address space through accessors we
 * give it: memory (here /proc/PID/mem, through a small page cache, since
 * the target is frozen), registers (from LKP_IOC_GET_THREADS) and the
 * unwind info of an ip. For the last, we find the object mapped at the ip
 * in /proc/PID/maps, read its ELF and program headers from the target's
 * memory (so [vdso] works as any file does, and a file replaced on disk
 * does not matter), and hand libunwind the binary search table of its
 * .eh_frame_hdr as a remote table: libunwind then reads the table and the
 * FDEs through our memory accessor. No ptrace, nothing read from disk.
 *
 * Where an object has no CFI for the ip (hand-written assembler, code
 * built with -fno-asynchronous-unwind-tables, JIT code, lkp's own patch
 * code), we follow the frame pointer to the caller and go on with CFI
 * from there; the frames found that way are flagged LKP_FRAME_NO_CFI.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libunwind.h>

#include "procmaps.h"
#include "unwind.h"

/*
 * Exported by libunwind but not declared in its headers; perf
 * (tools/perf/util/unwind-libunwind-local.c) declares it the same way to
 * search an .eh_frame_hdr table it found itself.
 */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as, unw_word_t ip,
					      unw_dyn_info_t *di, unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);
#define dwarf_search_unwind_table UNW_OBJ(dwarf_search_unwind_table)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		4096ULL
#define CACHE_PAGES	64	/* direct-mapped: a stack's top pages and an object's FDEs */
#define MAX_PHDRS	64

/* DWARF pointer encodings (DW_EH_PE_*) that .eh_frame_hdr uses. */
#define DW_EH_PE_omit		0xff
#define DW_EH_PE_absptr		0x00
#define DW_EH_PE_udata2		0x02
#define DW_EH_PE_udata4		0x03
#define DW_EH_PE_udata8		0x04
#define DW_EH_PE_sdata2		0x0a
#define DW_EH_PE_sdata4		0x0b
#define DW_EH_PE_sdata8		0x0c
#define DW_EH_PE_datarel	0x30

struct mem_page {
	uint64_t addr;
	bool valid;
	unsigned char data[PAGE];
};

/* What find_proc_info needs of one object, found once per unwinder. */
struct unw_obj {
	int state;		/* 0: not looked at yet; 1: has a table; -1: none */
	uint64_t start_ip, end_ip;	/* its PT_LOAD segments in the target */
	uint64_t hdr;		/* .eh_frame_hdr in the target: datarel base */
	uint64_t table;		/* its binary search table */
	uint64_t fde_count;
};

struct lkp_unwinder {
	const struct lkp_session *s;
	struct lkp_maps maps;
	struct unw_obj *objs;	/* per mapping (by index), filled for objects' base mappings */
	unw_addr_space_t as;
	bool noinfo;		/* the last find_proc_info found no CFI */
	struct mem_page cache[CACHE_PAGES];
};

/* The argument libunwind passes to every accessor: one thread's unwind. */
struct unw_thread {
	struct lkp_unwinder *u;
	const struct lkp_regs *regs;
};

static int mem_read(struct lkp_unwinder *u, uint64_t addr, void *buf, size_t len)
{
	while (len) {
		uint64_t page = addr & ~(PAGE - 1), off = addr - page;
		struct mem_page *p = &u->cache[(page / PAGE) % CACHE_PAGES];
		size_t n = len < PAGE - off ? len : PAGE - off;

		if (!p->valid || p->addr != page) {
			p->valid = false;
			if (lkp_mem_read(u->s, page, p->data, PAGE))
				/* A page that will not read whole: ask for the bytes alone. */
				return lkp_mem_read(u->s, addr, buf, len);
			p->addr = page;
			p->valid = true;
		}
		memcpy(buf, p->data + off, n);
		buf = (char *)buf + n;
		addr += n;
		len -= n;
	}
	return 0;
}

/* Size of a pointer in .eh_frame_hdr encoded as enc, or 0 if we do not handle it. */
static unsigned int enc_size(uint8_t enc)
{
	switch (enc & 0x0f) {
	case DW_EH_PE_absptr:
	case DW_EH_PE_udata8:
	case DW_EH_PE_sdata8:
		return 8;
	case DW_EH_PE_udata4:
	case DW_EH_PE_sdata4:
		return 4;
	case DW_EH_PE_udata2:
	case DW_EH_PE_sdata2:
		return 2;
	}
	return 0;
}

/*
 * Read the object whose ELF header is at base->start: its load bias, the
 * extent of its segments and its .eh_frame_hdr table. 0, or -ENOENT when it
 * has no usable table (which is not an error: the frame pointer remains).
 */
static int obj_load(struct lkp_unwinder *u, const struct lkp_vma *base, struct unw_obj *o)
{
	uint64_t bias = 0, lo = UINT64_MAX, hi = 0, eh = 0, count = 0;
	Elf64_Phdr ph[MAX_PHDRS];
	uint8_t hdr[4 + 8 + 4];
	bool have_bias = false;
	unsigned int i, n;
	Elf64_Ehdr eh_;

	if (mem_read(u, base->start, &eh_, sizeof(eh_)) ||
	    memcmp(eh_.e_ident, ELFMAG, SELFMAG) || eh_.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh_.e_machine != EM_X86_64 || eh_.e_phentsize != sizeof(Elf64_Phdr) ||
	    !eh_.e_phnum || eh_.e_phnum > MAX_PHDRS ||
	    eh_.e_phoff + eh_.e_phnum * sizeof(Elf64_Phdr) > base->end - base->start)
		return -ENOENT;
	if (mem_read(u, base->start + eh_.e_phoff, ph, eh_.e_phnum * sizeof(Elf64_Phdr)))
		return -ENOENT;
	for (i = 0; i < eh_.e_phnum; i++) {
		if (ph[i].p_type == PT_GNU_EH_FRAME)
			eh = ph[i].p_vaddr;
		if (ph[i].p_type != PT_LOAD)
			continue;
		/* The segment holding file offset 0 is mapped at base->start. */
		if (!have_bias && (ph[i].p_offset & ~(PAGE - 1)) == 0) {
			bias = base->start - (ph[i].p_vaddr - ph[i].p_offset);
			have_bias = true;
		}
		if (ph[i].p_vaddr < lo)
			lo = ph[i].p_vaddr;
		if (ph[i].p_vaddr + ph[i].p_memsz > hi)
			hi = ph[i].p_vaddr + ph[i].p_memsz;
	}
	if (!have_bias || !eh)
		return -ENOENT;
	o->start_ip = bias + lo;
	o->end_ip = bias + hi;
	o->hdr = bias + eh;
	/* version, eh_frame_ptr_enc, fde_count_enc, table_enc, then the two values */
	if (mem_read(u, o->hdr, hdr, 4) || hdr[0] != 1)
		return -ENOENT;
	n = enc_size(hdr[1]);
	/* libunwind's remote lookup takes only this table format, as ld writes it. */
	if (!n || hdr[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4) || hdr[2] == DW_EH_PE_omit ||
	    (hdr[2] & 0xf0) || enc_size(hdr[2]) != 4 || mem_read(u, o->hdr + 4, hdr + 4, n + 4))
		return -ENOENT;
	memcpy(&count, hdr + 4 + n, 4);
	if (!count)
		return -ENOENT;
	o->table = o->hdr + 4 + n + 4;
	o->fde_count = count;
	return 0;
}

/* The unwind table of the object mapped at ip, or NULL. */
static const struct unw_obj *obj_find(struct lkp_unwinder *u, uint64_t ip)
{
	const struct lkp_vma *map = lkp_maps_find(&u->maps, ip), *base;
	struct unw_obj *o;

	if (!map || !(map->prot & PROT_EXEC))
		return NULL;
	base = lkp_maps_object_base(&u->maps, map);
	if (!base)
		return NULL;
	o = &u->objs[base - u->maps.v];
	if (!o->state)
		o->state = obj_load(u, base, o) ? -1 : 1;
	if (o->state < 0 || ip < o->start_ip || ip >= o->end_ip)
		return NULL;
	return o;
}

static int find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
			  int need_unwind_info, void *arg)
{
	struct unw_thread *t = arg;
	const struct unw_obj *o = obj_find(t->u, ip);
	unw_dyn_info_t di;
	int ret;

	if (!o) {
		t->u->noinfo = true;
		return -UNW_ENOINFO;
	}
	memset(&di, 0, sizeof(di));
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = o->start_ip;
	di.end_ip = o->end_ip;
	di.u.rti.segbase = o->hdr;
	di.u.rti.table_data = o->table;
	/* In words; each entry is two int32: start ip and FDE, relative to segbase. */
	di.u.rti.table_len = o->fde_count * 8 / sizeof(unw_word_t);
	ret = dwarf_search_unwind_table(as, ip, &di, pi, need_unwind_info, arg);
	if (ret == -UNW_ENOINFO)
		t->u->noinfo = true;
	return ret;
}

/* dwarf_search_unwind_table() leaves nothing to free: libunwind frees its own. */
static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	return -UNW_ENOINFO;
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write,
		      void *arg)
{
	struct unw_thread *t = arg;

	/* The unwinder only looks: nothing may be written to a frozen target here. */
	if (write)
		return -UNW_EINVAL;
	return mem_read(t->u, addr, val, sizeof(*val)) ? -UNW_EINVAL : 0;
}

/* Where libunwind's x86-64 register numbers live in struct lkp_regs. */
static const size_t reg_offsets[] = {
	[UNW_X86_64_RAX] = offsetof(struct lkp_regs, ax),
	[UNW_X86_64_RDX] = offsetof(struct lkp_regs, dx),
	[UNW_X86_64_RCX] = offsetof(struct lkp_regs, cx),
	[UNW_X86_64_RBX] = offsetof(struct lkp_regs, bx),
	[UNW_X86_64_RSI] = offsetof(struct lkp_regs, si),
	[UNW_X86_64_RDI] = offsetof(struct lkp_regs, di),
	[UNW_X86_64_RBP] = offsetof(struct lkp_regs, bp),
	[UNW_X86_64_RSP] = offsetof(struct lkp_regs, sp),
	[UNW_X86_64_R8] = offsetof(struct lkp_regs, r8),
	[UNW_X86_64_R9] = offsetof(struct lkp_regs, r9),
	[UNW_X86_64_R10] = offsetof(struct lkp_regs, r10),
	[UNW_X86_64_R11] = offsetof(struct lkp_regs, r11),
	[UNW_X86_64_R12] = offsetof(struct lkp_regs, r12),
	[UNW_X86_64_R13] = offsetof(struct lkp_regs, r13),
	[UNW_X86_64_R14] = offsetof(struct lkp_regs, r14),
	[UNW_X86_64_R15] = offsetof(struct lkp_regs, r15),
	[UNW_X86_64_RIP] = offsetof(struct lkp_regs, ip),
};

static int access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write,
		      void *arg)
{
	const struct lkp_regs *r = ((struct unw_thread *)arg)->regs;

	if (reg < 0 || (size_t)reg >= ARRAY_SIZE(reg_offsets))
		return -UNW_EBADREG;
	if (write)
		return -UNW_EREADONLYREG;
	memcpy(val, (const char *)r + reg_offsets[reg], sizeof(*val));
	return 0;
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val, int write,
			void *arg)
{
	return -UNW_EBADREG;
}

static int resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	return -UNW_EINVAL;
}

/* Names come from lkp_symbolize(), which also knows stripped objects' .dynsym. */
static int get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
			 unw_word_t *off, void *arg)
{
	return -UNW_ENOINFO;
}

static unw_accessors_t accessors = {
	.find_proc_info = find_proc_info,
	.put_unwind_info = put_unwind_info,
	.get_dyn_info_list_addr = get_dyn_info_list_addr,
	.access_mem = access_mem,
	.access_reg = access_reg,
	.access_fpreg = access_fpreg,
	.resume = resume,
	.get_proc_name = get_proc_name,
};

int lkp_unwinder_new(const struct lkp_session *s, struct lkp_unwinder **up)
{
	struct lkp_unwinder *u;

	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->s = s;
	u->as = unw_create_addr_space(&accessors, 0);
	if (!u->as) {
		free(u);
		return -ENOMEM;
	}
	/* The target is frozen for the unwinder's life: what it caches stays true. */
	unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
	*up = u;
	return 0;
}

/* The mappings, read at the first unwind: by then the target is frozen. */
static int snapshot_maps(struct lkp_unwinder *u)
{
	int ret;

	if (u->objs)
		return 0;
	ret = lkp_maps_read(u->s->pid, &u->maps);
	if (ret)
		return ret;
	u->objs = calloc(u->maps.n, sizeof(*u->objs));
	if (!u->objs) {
		lkp_maps_free(&u->maps);
		return -ENOMEM;
	}
	return 0;
}

void lkp_unwinder_free(struct lkp_unwinder *u)
{
	if (!u)
		return;
	unw_destroy_addr_space(u->as);
	free(u->objs);
	lkp_maps_free(&u->maps);
	free(u);
}

/* Whether addr is in code: a return address whose call is not is garbage a guess found. */
static bool is_code(struct lkp_unwinder *u, uint64_t addr)
{
	const struct lkp_vma *map = lkp_maps_find(&u->maps, addr);

	return map && (map->prot & PROT_EXEC);
}

/*
 * The registers of the cursor's frame that a frame pointer step keeps:
 * what a new cursor in the caller starts from. One libunwind cannot tell
 * is left 0: it then counts as unknown.
 */
static void frame_regs(unw_cursor_t *c, struct lkp_regs *r)
{
	static const unw_regnum_t kept[] = {
		UNW_X86_64_RBX, UNW_X86_64_RBP, UNW_X86_64_RSP, UNW_X86_64_R12,
		UNW_X86_64_R13, UNW_X86_64_R14, UNW_X86_64_R15,
	};
	unw_word_t v;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < ARRAY_SIZE(kept); i++)
		if (!unw_get_reg(c, kept[i], &v))
			memcpy((char *)r + reg_offsets[kept[i]], &v, sizeof(v));
}

/*
 * One step by the frame pointer, for a function without CFI: it pushed
 * the caller's bp and pointed bp there, so the return address is at bp + 8
 * and the caller's sp is bp + 16. 0; 1 at the outermost frame (bp 0); or
 * -EFAULT when bp cannot be such a frame (the function keeps none).
 */
static int fp_step(struct lkp_unwinder *u, struct lkp_regs *r)
{
	uint64_t w[2];

	if (!r->bp)
		return 1;
	if ((r->bp & 7) || r->bp < r->sp || mem_read(u, r->bp, w, sizeof(w)))
		return -EFAULT;
	r->ip = w[1];
	r->sp = r->bp + 16;
	r->bp = w[0];
	return 0;
}

int lkp_unwind(struct lkp_unwinder *u, const struct lkp_regs *regs, struct lkp_frame *frames,
	       unsigned int max)
{
	struct lkp_regs cur = *regs, prev;
	struct unw_thread t = { .u = u, .regs = &cur };
	unsigned int n = 1, flags;
	unw_word_t ip, sp;
	bool failed = false;
	unw_cursor_t c;
	int ret;

	if (!max)
		return 0;
	ret = snapshot_maps(u);
	if (ret)
		return ret;
	frames[0].ip = regs->ip;
	frames[0].flags = 0;
	failed = unw_init_remote(&c, u->as, &t) < 0;
	while (!failed && n < max) {
		frame_regs(&c, &prev);
		u->noinfo = false;
		ret = unw_step(&c);
		if (u->noinfo) {
			/*
			 * No CFI here. libunwind guessed too, by the frame
			 * pointer, but moves sp by a fixed 16 (x86_64/Gstep.c),
			 * which misleads every step after it: step by bp here
			 * and start a new cursor in the caller.
			 */
			ret = fp_step(u, &prev);
			if (ret > 0)
				break;
			ip = prev.ip;
			if (ret < 0 || !is_code(u, ip - 1)) {
				failed = true;
				break;
			}
			cur = prev;
			/*
			 * A return address: have libunwind look the CFI up in the
			 * call before it, as it does for the callers it finds
			 * itself (the call may end its function).
			 */
			cur.ip = ip - 1;
			failed = unw_init_remote(&c, u->as, &t) < 0;
			flags = LKP_FRAME_NO_CFI;
		} else {
			if (ret <= 0) {
				failed = ret < 0;
				break;
			}
			if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0 ||
			    unw_get_reg(&c, UNW_REG_SP, &sp) < 0) {
				failed = true;
				break;
			}
			/* A zero return address is how the outermost frame ends. */
			if (!ip)
				break;
			/* Stop where a step leaves code, or goes nowhere (it would loop). */
			if (!is_code(u, ip - 1) || (ip == frames[n - 1].ip && sp == prev.sp)) {
				failed = true;
				break;
			}
			flags = 0;
		}
		frames[n].ip = ip;
		frames[n].flags = flags;
		n++;
	}
	if (failed)
		frames[n - 1].flags |= LKP_FRAME_STEP_FAILED;
	return n;
}

int lkp_backtrace(const struct lkp_session *s, const struct lkp_regs *regs, uint64_t *ips,
		  unsigned int max)
{
	struct lkp_frame *frames;
	struct lkp_unwinder *u;
	unsigned int i;
	int ret;

	if (!max)
		return -EINVAL;
	frames = calloc(max, sizeof(*frames));
	if (!frames)
		return -ENOMEM;
	ret = lkp_unwinder_new(s, &u);
	if (ret)
		goto out;
	ret = lkp_unwind(u, regs, frames, max);
	lkp_unwinder_free(u);
	for (i = 0; ret > 0 && i < (unsigned int)ret; i++)
		ips[i] = frames[i].ip;
out:
	free(frames);
	return ret;
}
