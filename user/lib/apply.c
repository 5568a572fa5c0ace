// SPDX-License-Identifier: GPL-2.0
/* apply.c: apply and undo in a live process: match, map, link, write, one transaction, record, clean up. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "callsite.h"
#include "dynsym.h"
#include "ehreg.h"
#include "inplace.h"
#include "link.h"
#include "release.h"
#include "saved.h"

#define GiB2		(1ULL << 31)
#define MiB		(1ULL << 20)

/* One object of the process to patch. */
struct job {
	struct lkp_patchfile *pf;
	struct lkp_object *obj;
	struct lkp_applied *old;	/* the live patch it replaces, or NULL */
	struct lkp_image img;
	bool mapped[LKP_NR_MAPS];
	bool *pinned;			/* per function: not in place (pin_saved) */
};

static const char *const action_names[] = {
	[LKP_ACT_APPLIED] = "applied", [LKP_ACT_ALREADY] = "already",
	[LKP_ACT_REPLACED] = "replaced", [LKP_ACT_UNDONE] = "undone",
	[LKP_ACT_CLEANED] = "cleaned",
};

const char *lkp_action_name(enum lkp_action a)
{
	return action_names[a];
}

void lkp_test_stop_at(const char *point)
{
	const char *at = getenv("LKP_TEST_STOP_AT");

	if (at && !strcmp(at, point))
		raise(SIGSTOP);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void set_err(struct lkp_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_err(struct lkp_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
}

/* Has pid exited (a zombie, or reaped)? */
static bool process_gone(pid_t pid)
{
	char buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(buf, sizeof(buf), "/proc/%d/stat", (int)pid);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = 0;
	/* "pid (comm) S ...": comm may hold anything, the state follows its last ')'. */
	p = strrchr(buf, ')');
	return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

static struct lkp_obj_result *add_obj(struct lkp_result *r, const char *object,
				      const uint8_t *id, unsigned int id_size, uint64_t patch_id,
				      const char *patch, enum lkp_action act)
{
	struct lkp_obj_result *v, *o;

	v = reallocarray(r->objs, r->nr_objs + 1, sizeof(*v));
	if (!v)
		return NULL;
	r->objs = v;
	o = &v[r->nr_objs];
	memset(o, 0, sizeof(*o));
	o->object = strdup(object);
	o->patch = strdup(patch);
	if (!o->object || !o->patch) {
		free(o->object);
		free(o->patch);
		return NULL;
	}
	lkpp_build_id_hex(id, id_size, o->build_id);
	o->patch_id = patch_id;
	o->action = act;
	r->nr_objs++;
	return o;
}

static int add_func(struct lkp_obj_result *o, const char *name)
{
	char **v = reallocarray(o->funcs, o->nr_funcs + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	o->funcs = v;
	v[o->nr_funcs] = strdup(name);
	if (!v[o->nr_funcs])
		return -ENOMEM;
	o->nr_funcs++;
	return 0;
}

void lkp_result_free(struct lkp_result *r)
{
	unsigned int i, k;

	for (i = 0; i < r->nr_objs; i++) {
		for (k = 0; k < r->objs[i].nr_funcs; k++)
			free(r->objs[i].funcs[k]);
		free(r->objs[i].funcs);
		free(r->objs[i].object);
		free(r->objs[i].patch);
	}
	free(r->objs);
	r->objs = NULL;
	r->nr_objs = 0;
}

static int do_map(const struct lkp_session *s, uint64_t hint, uint64_t len, uint64_t dist,
		  uint32_t prot, uint64_t *addr)
{
	struct lkp_map m = { .hint = hint, .len = len, .max_distance = dist, .prot = prot };
	int ret = lkp_session_ioctl(s, LKP_IOC_MAP, &m);

	*addr = m.addr;
	return ret;
}

/*
 * A record for memory just mapped, before anything else is known: if the
 * tool dies now, `list` still finds the mappings (a stale patch) and
 * `undo` removes them. lkp_link's full record replaces it.
 */
static int write_stub_record(const struct lkp_session *s, const struct job *j)
{
	struct lkp_rec_hdr h = {
		.version = LKP_REC_VERSION,
		.size = sizeof(h),
		.patch_id = j->img.patch_id,
		.base = j->obj->base,
		.build_id_size = j->pf->p->build_id_size,
		.funcs_off = sizeof(h),
		.applier = getpid(),
	};
	unsigned int i;

	memcpy(h.magic, LKP_REC_MAGIC, sizeof(h.magic));
	memcpy(h.build_id, j->pf->p->build_id, j->pf->p->build_id_size);
	for (i = 0; i < LKP_NR_MAPS; i++)
		if (j->mapped[i]) {
			h.maps[i][0] = j->img.addr[i];
			h.maps[i][1] = j->img.len[i];
		}
	return lkp_mem_write(s, j->img.addr[LKP_MAP_R], &h, sizeof(h));
}

static const uint32_t map_prot[LKP_NR_MAPS] = {
	[LKP_MAP_X] = PROT_READ | PROT_EXEC, [LKP_MAP_R] = PROT_READ,
	[LKP_MAP_W] = PROT_READ | PROT_WRITE,
};
/* R on top (it holds the record, next to the object), then X, then W. */
static const unsigned int map_order[LKP_NR_MAPS] = { LKP_MAP_R, LKP_MAP_X, LKP_MAP_W };

/*
 * All three in one LKP_IOC_MAP (API version 3): one trip to the module's
 * mapping worker, not one per part. -ENOMEM when the block does not fit
 * near the object, where the parts one by one still may.
 */
static int map_block(const struct lkp_session *s, struct job *j, uint64_t dist)
{
	struct lkp_map m = { .hint = j->obj->lo & ~4095ULL, .max_distance = dist };
	unsigned int i, k, parts[LKP_NR_MAPS], n = 0;
	int ret;

	for (i = 0; i < LKP_NR_MAPS; i++)
		if (j->img.len[map_order[i]])
			parts[n++] = map_order[i];
	if (!n)
		return 0;
	m.len = j->img.len[parts[0]];
	m.prot = map_prot[parts[0]];
	m.nr_below = n - 1;
	for (k = 1; k < n; k++) {
		m.below[k - 1].len = j->img.len[parts[k]];
		m.below[k - 1].prot = map_prot[parts[k]];
	}
	ret = lkp_session_ioctl(s, LKP_IOC_MAP, &m);
	if (ret)
		return ret;
	j->img.addr[parts[0]] = m.addr;
	j->mapped[parts[0]] = true;
	for (k = 1; k < n; k++) {
		j->img.addr[parts[k]] = m.below[k - 1].addr;
		j->mapped[parts[k]] = true;
	}
	return 0;
}

/*
 * One part at a time, each recorded as soon as it exists: R first, then X
 * and W right below it or as near as the address space allows.
 */
static int map_parts(const struct lkp_session *s, struct job *j, uint64_t dist,
		     struct lkp_result *r)
{
	struct lkp_object *o = j->obj;
	uint64_t low = 0;
	unsigned int i, m;
	int ret;

	for (i = 0; i < LKP_NR_MAPS; i++) {
		m = map_order[i];
		if (!j->img.len[m])
			continue;
		ret = -ENOMEM;
		if (low > j->img.len[m])
			ret = do_map(s, low - j->img.len[m], j->img.len[m], 0, map_prot[m],
				     &j->img.addr[m]);
		if (ret == -ENOMEM)
			ret = do_map(s, o->lo & ~4095ULL, j->img.len[m], dist, map_prot[m],
				     &j->img.addr[m]);
		if (ret) {
			set_err(r, "%s: cannot map %" PRIu64 " bytes near it in the target",
				o->path, j->img.len[m]);
			return ret;
		}
		j->mapped[m] = true;
		if (!low || j->img.addr[m] < low)
			low = j->img.addr[m];
		ret = write_stub_record(s, j);
		if (ret) {
			set_err(r, "%s: cannot write into the process", o->path);
			return ret;
		}
	}
	return 0;
}

/*
 * Each part within rel32 reach of the whole object, so that the jumps at
 * the old entries and the patch's references into the object reach (the
 * linker checks every relocation's reach). Below, not above: the kernel
 * puts the block at the free address closest to the object's start, which
 * is the top of the gap below the object, so R ends where the object
 * starts.
 */
static int map_job(const struct lkp_session *s, struct job *j, struct lkp_result *r)
{
	struct lkp_object *o = j->obj;
	uint64_t total = 0, span = o->hi - o->lo, dist;
	unsigned int i;
	int ret;

	for (i = 0; i < LKP_NR_MAPS; i++)
		total += j->img.len[i];
	if (span + total + MiB >= GiB2) {
		set_err(r, "%s: too large for a patch within 2 GiB of it", o->path);
		return -E2BIG;
	}
	dist = GiB2 - span - total - MiB;
	ret = s->api_version >= 3 ? map_block(s, j, dist) : -ENOMEM;
	if (ret == -ENOMEM)
		return map_parts(s, j, dist, r);
	if (ret) {
		set_err(r, "%s: cannot map %" PRIu64 " bytes near it in the target", o->path,
			total);
		return ret;
	}
	ret = write_stub_record(s, j);
	if (ret)
		set_err(r, "%s: cannot write into the process", o->path);
	return ret;
}

static void unmap_job(const struct lkp_session *s, struct job *j)
{
	unsigned int i;

	for (i = 0; i < LKP_NR_MAPS; i++)
		if (j->mapped[i])
			lkp_unmap(s, j->img.addr[i], j->img.len[i]);
}

/* Remove a record's memory; where lkp cannot (a forked child), at least forget it. */
/* The old code is the code the patch was built against (beneath what a patch of ours wrote). */
static int check_old_code(const struct lkp_session *s, struct job *j, struct lkp_result *r)
{
	const struct lkpp_patch *p = j->pf->p;
	uint8_t have[LKPP_OLD_BYTES_MAX];
	unsigned int i;
	int ret;

	for (i = 0; i < p->nr_funcs; i++) {
		const struct lkpp_func *f = &p->funcs[i];
		uint64_t at = j->obj->base + f->old_offset;

		if (f->flags & LKPP_FUNC_F_NEW || !f->old_bytes_len)
			continue;
		ret = lkp_applied_orig(s, j->old, at, f->old_bytes_len, have);
		if (ret) {
			set_err(r, "%s: %s: cannot read its code at 0x%" PRIx64, j->obj->path,
				f->name, at);
			return ret;
		}
		if (memcmp(have, f->old_bytes, f->old_bytes_len)) {
			set_err(r, "%s: %s: the code in the process is not the code the patch was "
				"built for (changed by another tool?)", j->obj->path, f->name);
			return -ESTALE;
		}
	}
	return 0;
}

/*
 * A patch's memory that is about to go: its code (no thread may run or
 * return into it) and its data (no thread may hold a pointer into it on
 * its stack: a string the patched code passed to printf, say).
 */
/*
 * What must be out of use for a live patch to go: its code (no thread in
 * it, none returning into it). Its data need not be: lkp_release() frees
 * the memory after the switch only if nothing points into it.
 */
static int record_ranges(struct lkp_txn *t, const struct lkp_applied *a)
{
	const uint64_t (*m)[2] = (const uint64_t (*)[2])a->hdr->maps;

	return lkp_txn_range(t, m[LKP_MAP_X][0], m[LKP_MAP_X][0] + m[LKP_MAP_X][1]);
}

/* The entries and ranges of one object's switch to its new patch. */
static int txn_job(struct lkp_txn *t, struct job *j)
{
	const struct lkpp_patch *p = j->pf->p;
	unsigned int i;
	int ret;

	/* Each old entry: the jump or the code in place (lkp_inplace_plan). */
	for (i = 0; i < p->nr_funcs; i++) {
		if (p->funcs[i].flags & LKPP_FUNC_F_NEW)
			continue;
		ret = lkp_inplace_txn(t, &j->img, i);
		if (ret)
			return ret;
	}
	ret = lkp_callsites_txn(t, &j->img, j->old);
	if (ret || !j->old)
		return ret;
	/* Functions of the replaced patch that the new one leaves alone go back to the original. */
	for (i = 0; i < j->old->hdr->nr_funcs; i++) {
		const struct lkp_rec_func *rf = &j->old->funcs[i];
		bool kept = false;
		unsigned int k;

		for (k = 0; k < p->nr_funcs && !kept; k++)
			kept = !(p->funcs[k].flags & LKPP_FUNC_F_NEW) &&
			       j->obj->base + p->funcs[k].old_offset == rf->old_addr;
		if (kept || !j->old->live[i])
			continue;
		ret = lkp_inplace_undo(t, j->old, i);
		if (ret)
			return ret;
	}
	/* No thread may still run, or return into, the replaced patch, nor use its data. */
	return record_ranges(t, j->old);
}

/*
 * The records whose memory goes after a transaction (lkp_release), each
 * with the result entry (an index in r->objs, or -1) that says so.
 */
struct release_list {
	const struct lkp_applied **recs;
	int *res;
	unsigned int n;
};

static void release_add(struct release_list *l, const struct lkp_applied *a, int res)
{
	const struct lkp_applied **v = reallocarray(l->recs, l->n + 1, sizeof(*v));
	int *x;

	if (!v)
		return;		/* not freed now: a later undo or apply does it */
	l->recs = v;
	x = reallocarray(l->res, l->n + 1, sizeof(*x));
	if (!x)
		return;
	l->res = x;
	v[l->n] = a;
	x[l->n++] = res;
}

/*
 * Take back the unwind rules a patch registered (ehreg.c), opening the
 * target on first need (undo has not): 0 when none is registered any more.
 */
static int eh_take_back(const struct lkp_session *s, struct lkp_target **tp, uint64_t area,
			uint64_t stub, uint32_t nr)
{
	char err[LKP_ERR_SIZE];
	int ret;

	if (!lkp_eh_any_held(s, area, nr))
		return 0;
	if (!*tp) {
		ret = lkp_target_open(s, tp, err);
		if (ret)
			return ret;
	}
	return lkp_eh_deregister(s, *tp, area, stub, nr, err);
}

static void release_run(const struct lkp_session *s, struct lkp_target **tp,
			struct release_list *l, const struct lkp_txn_opts *o,
			struct lkp_result *r)
{
	struct lkp_blocker b = { 0 };
	unsigned int i, n = 0;
	bool *kept;

	if (!l->n)
		return;		/* a first apply: nothing to free, no freeze */
	/*
	 * A patch whose unwind rules libgcc may still hold keeps its memory:
	 * the next throw anywhere in the process would read it.
	 */
	for (i = 0; i < l->n; i++) {
		const struct lkp_applied *a = l->recs[i];

		if (eh_take_back(s, tp, a->eh_area, a->eh_stub, a->nr_eh)) {
			if (l->res[i] >= 0)
				r->objs[l->res[i]].kept = true;
			continue;
		}
		l->recs[n] = a;
		l->res[n++] = l->res[i];
	}
	l->n = n;
	if (!n)
		return;
	kept = calloc(l->n, sizeof(*kept));
	if (!kept)
		return;
	lkp_release(s, l->recs, l->n, o->timeout_ms, kept, &b);
	for (i = 0; i < l->n; i++)
		if (kept[i] && l->res[i] >= 0) {
			r->objs[l->res[i]].kept = true;
			r->objs[l->res[i]].kept_tid = b.tid;
		}
	free(kept);
}

static void release_free(struct release_list *l)
{
	free(l->recs);
	free(l->res);
}

/*
 * The function a blocker's address is in, as "name+0xoff ": among the old
 * functions the jobs patch and those of the applied patches at hand (jobs'
 * or undo's). Empty when none holds it (patch code, a call site).
 */
static void blocker_func(uint64_t addr, const struct job *jobs, unsigned int nr_jobs,
			 const struct lkp_applied *recs, unsigned int nr_recs, char *buf, size_t size)
{
	const struct lkp_applied *a;
	unsigned int i, k;

	buf[0] = '\0';
	for (i = 0; i < nr_jobs; i++) {
		const struct lkpp_patch *p = jobs[i].pf->p;
		uint64_t base = jobs[i].obj->base;

		for (k = 0; k < p->nr_funcs; k++) {
			const struct lkpp_func *f = &p->funcs[k];

			if (!(f->flags & LKPP_FUNC_F_NEW) && addr >= base + f->old_offset &&
			    addr < base + f->old_offset + f->old_size) {
				snprintf(buf, size, "%s+0x%" PRIx64 " ", f->name,
					 addr - base - f->old_offset);
				return;
			}
		}
	}
	for (i = 0; i < nr_jobs + nr_recs; i++) {
		a = i < nr_jobs ? jobs[i].old : &recs[i - nr_jobs];
		for (k = 0; a && k < a->hdr->nr_funcs; k++) {
			const struct lkp_rec_func *rf = &a->funcs[k];

			if (addr >= rf->old_addr && addr < rf->old_addr + rf->old_size) {
				snprintf(buf, size, "%s+0x%" PRIx64 " ",
					 lkp_rec_str(a, rf->name_off), addr - rf->old_addr);
				return;
			}
		}
	}
}

static int txn_error(int ret, const struct lkp_txn *t, const struct job *jobs,
		     unsigned int nr_jobs, const struct lkp_applied *recs, unsigned int nr_recs,
		     struct lkp_result *r)
{
	char where[128];

	r->blocker = t->blocker;
	r->attempts = t->attempts_made;
	switch (ret) {
	case -EBUSY:
		if (t->blocker.kind == LKP_BLOCKER_URETPROBE && !t->blocker.addr) {
			set_err(r, "thread %u is below more uretprobe'd calls than lkp reads "
				"after %u attempts", t->blocker.tid, t->attempts_made);
			break;
		}
		blocker_func(t->blocker.addr, jobs, nr_jobs, recs, nr_recs, where, sizeof(where));
		/* "thread 12 is returning into answer+0xb (0x55d0...) after 3 attempts" */
		set_err(r, "thread %u is %s %s%s0x%" PRIx64 "%s after %u attempts",
			t->blocker.tid, t->blocker.kind == LKP_BLOCKER_RETADDR ? "returning into" :
			t->blocker.kind == LKP_BLOCKER_URETPROBE ?
			"returning, through a uretprobe, into" : "running",
			where[0] ? where : "patched code at ",
			where[0] ? "(" : "", (uint64_t)t->blocker.addr, where[0] ? ")" : "",
			t->attempts_made);
		break;
	case -ESTALE:
		set_err(r, "the code at 0x%" PRIx64 " changed during the apply",
			(uint64_t)t->blocker.addr);
		break;
	case -ESRCH:
		set_err(r, "the process exited or exec'd");
		break;
	default:
		set_err(r, "the transaction failed");
	}
	return ret;
}

/* Pick the jobs: one patch per mapped object; skip or refuse the rest. */
/* Is the patch id among those the live record a supersedes (a cumulative level's)? */
static bool superseded_by(uint64_t id, const struct lkp_applied *a)
{
	uint32_t i;

	for (i = 0; i < a->nr_supersedes; i++)
		if (a->supersedes[i] == id)
			return true;
	return false;
}

static int match(struct lkp_target *t, const struct lkp_patchset *ps, struct lkp_applied *recs,
		 unsigned int nr_recs, struct job *jobs, unsigned int *nr_jobs,
		 struct lkp_result *r)
{
	unsigned int i, k, n = 0;
	char hex[2 * LKPP_BUILD_ID_MAX + 1];

	for (i = 0; i < ps->n; i++) {
		struct lkp_patchfile *pf = &ps->v[i];
		struct lkp_object *o = lkp_target_find(t, pf->p->build_id, pf->p->build_id_size);
		struct lkp_applied *old = NULL;

		lkpp_build_id_hex(pf->p->build_id, pf->p->build_id_size, hex);
		if (!o) {
			if (!pf->named)
				continue;
			set_err(r, "%s: no object with build-id %s (%s) is mapped", pf->path, hex,
				*pf->p->target_name ? pf->p->target_name : "?");
			return -ENOENT;
		}
		if (o->e_type != pf->p->target_type) {
			set_err(r, "%s: %s is %s, the patch is for %s", pf->path, o->path,
				o->e_type == ET_EXEC ? "not position independent" : "position independent",
				pf->p->target_type == ET_EXEC ? "a non-PIE executable" :
				"a PIE or shared object");
			return -ENOEXEC;
		}
		for (k = 0; k < n; k++)
			if (jobs[k].obj == o) {
				set_err(r, "%s and %s: two patches for %s", jobs[k].pf->path,
					pf->path, o->path);
				return -EINVAL;
			}
		for (k = 0; k < nr_recs; k++)
			if (lkp_applied_live(&recs[k]) && recs[k].hdr->base == o->base &&
			    recs[k].hdr->build_id_size == pf->p->build_id_size &&
			    !memcmp(recs[k].hdr->build_id, pf->p->build_id, pf->p->build_id_size))
				old = &recs[k];
		if (old && old->hdr->patch_id == pf->id) {
			if (!add_obj(r, o->path, pf->p->build_id, pf->p->build_id_size, pf->id,
				     pf->path, LKP_ACT_ALREADY))
				return -ENOMEM;
			continue;
		}
		if (old && superseded_by(pf->id, old)) {
			set_err(r, "%s: %s runs patch %016" PRIx64 ", a later level that supersedes this one (%016" PRIx64 "): undo it first to go back",
				pf->path, o->path, old->hdr->patch_id, pf->id);
			return -EEXIST;
		}
		jobs[n].pf = pf;
		jobs[n].obj = o;
		jobs[n].old = old;
		n++;
	}
	*nr_jobs = n;
	if (!n && !r->nr_objs) {
		set_err(r, "no patch is for an object of this process");
		return -ENOENT;
	}
	return 0;
}

/*
 * Code written in place changes under whatever points into it. Threads are
 * the transaction's to check; a coroutine suspended inside the function,
 * its frames on a stack no thread runs on, would resume in the middle of
 * other code (saved.c). Such a function gets the jump, which leaves the old
 * code whole: the coroutine finishes the old code, later calls run the new.
 * Not knowing (too much memory to read) pins every candidate.
 */
static int pin_saved(const struct lkp_session *s, const struct lkp_target *t, struct job *jobs,
		     unsigned int nr_jobs, struct lkp_result *r)
{
	struct lkp_range *rg;
	unsigned int i, k, n = 0, m = 0;
	bool *hit;
	int ret;

	for (i = 0; i < nr_jobs; i++) {
		jobs[i].pinned = calloc(jobs[i].pf->p->nr_funcs + 1, sizeof(bool));
		if (!jobs[i].pinned)
			return -ENOMEM;
		for (k = 0; k < jobs[i].pf->p->nr_funcs; k++)
			n += lkp_inplace_candidate(&jobs[i].pf->p->funcs[k]);
	}
	if (!n)
		return 0;
	rg = calloc(n, sizeof(*rg));
	hit = calloc(n, sizeof(*hit));
	if (!rg || !hit) {
		free(rg);
		free(hit);
		return -ENOMEM;
	}
	/* Inside, not at the entry: a pointer to the entry is a function pointer, the same after. */
	for (i = 0; i < nr_jobs; i++)
		for (k = 0; k < jobs[i].pf->p->nr_funcs; k++) {
			const struct lkpp_func *f = &jobs[i].pf->p->funcs[k];
			uint64_t at = jobs[i].obj->base + f->old_offset;

			if (lkp_inplace_candidate(f))
				rg[m++] = (struct lkp_range){ at + 1, at + f->old_size };
		}
	ret = lkp_saved_scan(s, t, rg, n, hit);
	for (i = 0, m = 0; i < nr_jobs; i++)
		for (k = 0; k < jobs[i].pf->p->nr_funcs; k++) {
			if (!lkp_inplace_candidate(&jobs[i].pf->p->funcs[k]))
				continue;
			jobs[i].pinned[k] = ret || hit[m];
			r->nr_pinned += jobs[i].pinned[k];
			m++;
		}
	free(rg);
	free(hit);
	return ret == -ENOMEM ? ret : 0;
}

/*
 * Code in place overwrites the old function, and undo writes back what it
 * found there beneath lkp's own patches. A byte that is not the file's is
 * somebody else's: a uprobe's breakpoint (perf probe, bpftrace), a
 * debugger's, another tool's patch. Written over, its owner loses it (the
 * uprobe stops firing); put back by undo after its owner took it away, a
 * breakpoint nobody handles kills the process (SIGTRAP). Such a function
 * gets the jump, which writes only its entry, checked against the patch's
 * old bytes (check_old_code). A file that cannot be read pins it too.
 */
static void pin_changed(const struct lkp_session *s, struct lkp_target *t, struct job *j,
			struct lkp_result *r)
{
	uint8_t mem[LKP_INPLACE_MAX], file[LKP_INPLACE_MAX];	/* apply --all runs workers */
	const struct lkpp_patch *p = j->pf->p;
	char err[LKP_ERR_SIZE];
	unsigned int k;

	for (k = 0; k < p->nr_funcs; k++) {
		const struct lkpp_func *f = &p->funcs[k];
		uint64_t at = j->obj->base + f->old_offset;

		if (!lkp_inplace_candidate(f) || j->pinned[k])
			continue;
		if (lkp_object_elf(t, j->obj, err) ||
		    lkp_elf_read(j->obj->elf, f->old_offset, file, f->old_size) ||
		    lkp_applied_orig(s, j->old, at, f->old_size, mem) ||
		    memcmp(mem, file, f->old_size)) {
			j->pinned[k] = true;
			r->nr_changed++;
		}
	}
}

/*
 * A patch found live already whose unwind rules are not registered (no
 * thread could run the call then, or lkpd held the process): applying it
 * again registers them now, if a thread can run the call; with later
 * (eh_later) it is only counted, for the caller to register. The patch
 * stays live either way; the result counts what happened.
 */
static void eh_retry_already(const struct lkp_session *s, struct lkp_target *t,
			     const struct lkp_applied *recs, unsigned int nr_recs, bool later,
			     struct lkp_result *r)
{
	char err[LKP_ERR_SIZE];
	unsigned int i, k;
	bool done;

	for (i = 0; i < r->nr_objs; i++) {
		if (r->objs[i].action != LKP_ACT_ALREADY)
			continue;
		for (k = 0; k < nr_recs; k++) {
			if (recs[k].hdr->patch_id != r->objs[i].patch_id || !lkp_applied_live(&recs[k]) ||
			    !recs[k].nr_eh || !lkp_eh_any_unregistered(s, recs[k].eh_area,
									 recs[k].nr_eh))
				continue;
			if (later || lkp_eh_register_applied(s, t, &recs[k], &done, err))
				r->nr_eh_unregistered++;
			else
				r->nr_eh_registered += done;
		}
	}
}

int lkp_apply(pid_t pid, const struct lkp_patchset *ps, const struct lkp_txn_opts *o,
	      struct lkp_result *r)
{
	uint64_t t0 = now_ns();
	struct lkp_applied *recs = NULL;
	struct lkp_target *t = NULL;
	struct release_list rel = { 0 };
	struct lkp_txn tx = { 0 };
	struct lkp_session s;
	struct job *jobs;
	unsigned int nr_recs = 0, nr_jobs = 0, i, k, fixed = 0, room, used;
	char err[LKP_ERR_SIZE];
	int ret;

	memset(r, 0, sizeof(*r));
	r->pid = pid;
	jobs = calloc(ps->n ? ps->n : 1, sizeof(*jobs));
	if (!jobs)
		return -ENOMEM;
	/* Attach first: from here on an exec or exit of the target fails every step. */
	ret = lkp_session_open(pid, &s);
	if (ret) {
		set_err(r, "cannot attach");
		free(jobs);
		return ret;
	}
	ret = lkp_target_open(&s, &t, err);
	if (ret) {
		set_err(r, "%s", err);
		goto out;
	}
	memcpy(r->comm, t->comm, sizeof(r->comm));
	ret = lkp_records_read_in(&s, (const uint64_t (*)[2])t->anon, t->nr_anon, &recs, &nr_recs);
	if (ret) {
		set_err(r, "cannot read the records of applied patches");
		goto out;
	}
	ret = match(t, ps, recs, nr_recs, jobs, &nr_jobs, r);
	if (!ret)
		eh_retry_already(&s, t, recs, nr_recs, o->eh_later, r);
	if (ret || !nr_jobs)
		goto out;
	for (k = 0; k < nr_recs && !ret; k++)
		ret = lkp_inplace_opaque(&tx, &recs[k]);
	if (ret) {
		set_err(r, "out of memory");
		goto out;
	}

	/*
	 * Call sites get the pokes the entry jumps of all objects leave, and
	 * the patches that stay live keep theirs: `undo --all` must fit in one
	 * transaction too.
	 */
	for (i = 0; i < nr_jobs; i++)
		fixed += lkp_callsites_fixed_pokes(jobs[i].pf->p, jobs[i].old);
	for (k = 0; k < nr_recs; k++) {
		for (i = 0; i < nr_jobs && jobs[i].old != &recs[k]; i++)
			;
		if (i == nr_jobs && lkp_applied_live(&recs[k]))
			fixed += lkp_applied_pokes(&recs[k]);
	}

	ret = pin_saved(&s, t, jobs, nr_jobs, r);
	if (ret) {
		set_err(r, "out of memory");
		goto out;
	}

	/* Everything that can fail before the target changes: layout, map, link, checks. */
	for (i = 0; i < nr_jobs; i++) {
		struct job *j = &jobs[i];

		ret = lkp_link_layout(&j->img, j->pf->p, j->obj, lkp_eh_possible(t));
		if (ret) {
			set_err(r, "%s: out of memory", j->pf->path);
			goto unmap;
		}
		ret = check_old_code(&s, j, r);
		if (ret)
			goto unmap;
		pin_changed(&s, t, j, r);
		ret = map_job(&s, j, r);
		if (ret)
			goto unmap;
		lkp_test_stop_at("after-map");
		room = LKP_MAX_POKES > tx.nr_entries + fixed ? LKP_MAX_POKES - tx.nr_entries - fixed : 0;
		/* In place first: it serves every caller; call sites get the pokes left. */
		ret = lkp_inplace_plan(&j->img, &s, j->old, j->pinned, room, &used);
		if (ret) {
			set_err(r, "%s: cannot read the code of its functions", j->obj->path);
			goto unmap;
		}
		ret = lkp_callsites_plan(&j->img, &s, j->old, room - used);
		if (ret) {
			set_err(r, "%s: cannot read its call sites", j->obj->path);
			goto unmap;
		}
		fixed -= lkp_callsites_fixed_pokes(j->pf->p, j->old);
		ret = lkp_link(&j->img, t, j->pf->path, err);
		if (ret) {
			set_err(r, "%s: %s", j->obj->path, err);
			goto unmap;
		}
		/* Nothing in the target can reach this memory yet: no freeze needed. */
		for (k = 0; k < LKP_NR_MAPS && !ret; k++)
			if (j->mapped[k])
				ret = lkp_mem_write(&s, j->img.addr[k], j->img.buf[k],
						    j->img.len[k]);
		if (ret) {
			/* /proc/PID/mem says EIO once the process's memory is gone. */
			if (ret == -EIO && process_gone(pid))
				ret = -ESRCH;
			set_err(r, "%s: %s", j->obj->path, ret == -ESRCH ?
				"the process exited while it was being patched" :
				"cannot write the patch into the process");
			goto unmap;
		}
		ret = txn_job(&tx, j);
		if (ret) {
			set_err(r, "%s: cannot prepare the transaction", j->obj->path);
			goto unmap;
		}
	}
	lkp_test_stop_at("after-write");

	/* Before anything can run the new code: a throw through it must find its rules. */
	for (i = 0; i < nr_jobs; i++) {
		struct job *j = &jobs[i];

		if (o->eh_later) {
			r->nr_eh_unregistered += j->img.nr_eh > 0;
			continue;
		}
		ret = lkp_eh_register(&s, t, j->img.addr[LKP_MAP_W] + j->img.eh_off,
				      j->img.addr[LKP_MAP_X] + j->img.eh_stub_off, j->img.nr_eh, err);
		/*
		 * No thread could run the call: every one asleep where it must
		 * not be woken, or held by lkpd at a hold point. Refusing would
		 * leave the old code running for good; applied, it runs as
		 * before registration existed, and the caller is told.
		 */
		if (ret == -ETIMEDOUT) {
			r->nr_eh_unregistered++;
			ret = 0;
		}
		if (ret) {
			set_err(r, "%s: %s", j->obj->path, err);
			goto unmap;
		}
	}

	ret = lkp_txn_run(&tx, &s, o);
	r->pause_ns = tx.pause_ns;
	r->attempts = tx.attempts_made;
	r->nr_threads = tx.nr_threads;
	r->nr_unwound = tx.nr_unwound;
	if (ret) {
		txn_error(ret, &tx, jobs, nr_jobs, NULL, 0, r);
		goto unmap;
	}
	lkp_test_stop_at("after-txn");

	/* Live. What remains is the memory of what the new patches replaced. */
	for (i = 0; i < nr_jobs; i++) {
		struct job *j = &jobs[i];
		struct lkp_obj_result *res;

		res = add_obj(r, j->obj->path, j->pf->p->build_id, j->pf->p->build_id_size,
			      j->pf->id, j->pf->path, j->old ? LKP_ACT_REPLACED : LKP_ACT_APPLIED);
		for (k = 0; res && k < j->pf->p->nr_funcs; k++)
			if (!(j->pf->p->funcs[k].flags & LKPP_FUNC_F_NEW)) {
				add_func(res, j->pf->p->funcs[k].name);
				r->nr_funcs++;
			}
		if (j->old)
			release_add(&rel, j->old, res ? (int)(res - r->objs) : -1);
	}
	/* Stale records of the objects just patched (an apply killed half way) go too. */
	for (k = 0; k < nr_recs; k++) {
		if (lkp_applied_live(&recs[k]))
			continue;
		for (i = 0; i < nr_jobs; i++)
			if (recs[k].hdr->base == jobs[i].obj->base &&
			    recs[k].hdr->build_id_size == jobs[i].obj->build_id_size &&
			    !memcmp(recs[k].hdr->build_id, jobs[i].obj->build_id,
				    jobs[i].obj->build_id_size)) {
				release_add(&rel, &recs[k], -1);
				break;
			}
	}
	release_run(&s, &t, &rel, o, r);
	ret = 0;
	goto out;
unmap:
	for (i = 0; i < nr_jobs; i++)
		if (!jobs[i].img.nr_eh || !jobs[i].mapped[LKP_MAP_W] ||
		    !eh_take_back(&s, &t, jobs[i].img.addr[LKP_MAP_W] + jobs[i].img.eh_off,
				  jobs[i].img.addr[LKP_MAP_X] + jobs[i].img.eh_stub_off,
				  jobs[i].img.nr_eh))
			unmap_job(&s, &jobs[i]);
out:
	release_free(&rel);
	for (i = 0; i < nr_jobs; i++) {
		lkp_image_free(&jobs[i].img);
		free(jobs[i].pinned);
	}
	free(jobs);
	lkp_txn_free(&tx);
	lkp_applied_free(recs, nr_recs);
	lkp_target_free(t);
	lkp_session_close(&s);
	r->total_ns = now_ns() - t0;
	return ret;
}

/* Does which select record a? A hex prefix of its patch id or build-id, or NULL. */
static bool selects(const char *which, const struct lkp_applied *a)
{
	char id[17], bid[2 * LKPP_BUILD_ID_MAX + 1];
	size_t n;

	if (!which)
		return true;
	n = strlen(which);
	snprintf(id, sizeof(id), "%016" PRIx64, a->hdr->patch_id);
	lkpp_build_id_hex(a->hdr->build_id, a->hdr->build_id_size, bid);
	return n && (!strncmp(id, which, n) || !strncmp(bid, which, n));
}

int lkp_undo(pid_t pid, const char *which, const struct lkp_txn_opts *o, struct lkp_result *r)
{
	uint64_t t0 = now_ns();
	struct lkp_applied *recs = NULL;
	struct release_list rel = { 0 };
	struct lkp_target *t = NULL;
	struct lkp_txn tx = { 0 };
	struct lkp_session s;
	unsigned int nr_recs = 0, i, k, n = 0;
	char comm[64];
	FILE *f;
	int ret;

	memset(r, 0, sizeof(*r));
	r->pid = pid;
	ret = lkp_session_open(pid, &s);
	if (ret) {
		set_err(r, "cannot attach");
		return ret;
	}
	snprintf(comm, sizeof(comm), "/proc/%d/comm", (int)pid);
	f = fopen(comm, "re");
	if (f) {
		if (fgets(r->comm, sizeof(r->comm), f))
			r->comm[strcspn(r->comm, "\n")] = 0;
		fclose(f);
	}
	ret = lkp_records_read(&s, &recs, &nr_recs);
	if (ret) {
		set_err(r, "cannot read the records of applied patches");
		goto out;
	}
	for (i = 0; i < nr_recs; i++) {
		struct lkp_applied *a = &recs[i];

		if (!selects(which, a))
			continue;
		n++;
		if (!lkp_applied_live(a))
			continue;
		for (k = 0; k < a->hdr->nr_funcs && !ret; k++)
			if (a->live[k])
				ret = lkp_inplace_undo(&tx, a, k);
		if (!ret)
			ret = lkp_callsites_undo(&tx, a);
		if (!ret)
			ret = record_ranges(&tx, a);
		if (ret) {
			set_err(r, "out of memory");
			goto out;
		}
	}
	for (i = 0; i < nr_recs && !ret; i++)
		ret = lkp_inplace_opaque(&tx, &recs[i]);
	if (ret) {
		set_err(r, "out of memory");
		goto out;
	}
	if (!n) {
		set_err(r, which ? "no applied patch matches %s" : "no patch is applied", which);
		ret = -ENOENT;
		goto out;
	}
	ret = lkp_txn_run(&tx, &s, o);
	r->pause_ns = tx.pause_ns;
	r->attempts = tx.attempts_made;
	r->nr_threads = tx.nr_threads;
	r->nr_unwound = tx.nr_unwound;
	if (ret) {
		txn_error(ret, &tx, NULL, 0, recs, nr_recs, r);
		goto out;
	}
	for (i = 0; i < nr_recs; i++) {
		struct lkp_applied *a = &recs[i];
		struct lkp_obj_result *res;

		if (!selects(which, a))
			continue;
		res = add_obj(r, lkp_rec_str(a, a->hdr->object_off), a->hdr->build_id,
			      a->hdr->build_id_size, a->hdr->patch_id, lkp_rec_str(a, a->hdr->patch_off),
			      lkp_applied_live(a) ? LKP_ACT_UNDONE : LKP_ACT_CLEANED);
		for (k = 0; res && k < a->hdr->nr_funcs; k++) {
			if (!a->live[k])
				continue;
			add_func(res, lkp_rec_str(a, a->funcs[k].name_off));
			r->nr_funcs++;
		}
		release_add(&rel, a, res ? (int)(res - r->objs) : -1);
	}
	release_run(&s, &t, &rel, o, r);
out:
	lkp_target_free(t);
	release_free(&rel);
	lkp_txn_free(&tx);
	lkp_applied_free(recs, nr_recs);
	lkp_session_close(&s);
	r->total_ns = now_ns() - t0;
	return ret;
}
