// SPDX-License-Identifier: GPL-2.0
/* lkp_poke.c: compare-and-write of the target's memory while it is frozen (LKP_IOC_POKE). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/sync_core.h>

#include "lkp.h"

/* Where entry @i keeps its expected and its new bytes. */
static u8 *lkp_poke_old(const struct lkp_pokes *p, u32 i)
{
	return p->bytes + (size_t)i * 2 * LKP_MAX_POKE;
}

static u8 *lkp_poke_new(const struct lkp_pokes *p, u32 i)
{
	return lkp_poke_old(p, i) + LKP_MAX_POKE;
}

int lkp_pokes_copy(struct lkp_pokes *p, u64 uptr, u32 nr)
{
	struct lkp_poke_entry *e;
	int ret = 0;
	u32 i;

	memset(p, 0, sizeof(*p));
	if (!nr || nr > LKP_MAX_POKES)
		return -EINVAL;
	p->ents = kvmalloc_array(nr, sizeof(*p->ents), LKP_GFP);
	p->bytes = kvmalloc_array(nr, 2 * LKP_MAX_POKE, LKP_GFP);
	if (!p->ents || !p->bytes) {
		ret = -ENOMEM;
		goto free;
	}
	p->nr = nr;
	if (copy_from_user(p->ents, u64_to_user_ptr(uptr),
			   nr * sizeof(*p->ents))) {
		ret = -EFAULT;
		goto free;
	}
	for (i = 0; i < nr; i++) {
		e = &p->ents[i];
		if (!e->len || e->len > LKP_MAX_POKE || e->reserved ||
		    e->addr + e->len < e->addr) {
			ret = -EINVAL;
			goto free;
		}
		if (copy_from_user(lkp_poke_old(p, i),
				   u64_to_user_ptr(e->old_bytes), e->len) ||
		    copy_from_user(lkp_poke_new(p, i),
				   u64_to_user_ptr(e->new_bytes), e->len)) {
			ret = -EFAULT;
			goto free;
		}
	}
	return 0;
free:
	lkp_pokes_free(p);
	return ret;
}

void lkp_pokes_free(struct lkp_pokes *p)
{
	kvfree(p->ents);
	kvfree(p->bytes);
	memset(p, 0, sizeof(*p));
}

/*
 * Read or write the target's memory: the mm the snapshot holds, never a
 * thread's current mm. A thread that counts as frozen while asleep in the
 * kernel may be inside execve() and finish it at any moment; going through
 * its task would then write into the new image. FOLL_FORCE makes read-only
 * text writable the way ptrace's POKETEXT does: the page is copied for this
 * process, the file and other processes keep the original. Every byte must
 * be mapped (EFAULT) and private (EPERM): a write into a shared mapping
 * would reach the file, or other processes, instead of staying a private
 * copy in the target; checked before the page is touched.
 */
static int lkp_poke_access(const struct lkp_snapshot *snap, u64 addr,
			   void *buf, u32 len, unsigned int gup_flags)
{
	struct mm_struct *mm = snap->mm;
	struct vm_area_struct *vma;
	struct page *page;
	u32 off, n;
	void *kaddr;
	int ret = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	for (; len; addr += n, buf += n, len -= n) {
		off = offset_in_page(addr);
		n = min_t(u32, len, PAGE_SIZE - off);
		vma = vma_lookup(mm, addr);
		if (!vma) {
			ret = -EFAULT;
			break;
		}
		if (vma->vm_flags & VM_MAYSHARE) {
			ret = -EPERM;
			break;
		}
		if (get_user_pages_remote(mm, addr, 1, gup_flags, &page,
					  NULL, NULL) != 1) {
			ret = -EFAULT;
			break;
		}
		kaddr = kmap_local_page(page);
		/* x86's copy_to_user_page() is a memcpy too. */
		if (gup_flags & FOLL_WRITE)
			memcpy(kaddr + off, buf, n);
		else
			memcpy(buf, kaddr + off, n);
		kunmap_local(kaddr);
		if (gup_flags & FOLL_WRITE)
			set_page_dirty_lock(page);
		put_page(page);
	}
	mmap_read_unlock(mm);
	return ret;
}

int lkp_pokes_verify(const struct lkp_pokes *p,
		     const struct lkp_snapshot *snap, struct lkp_blocker *b)
{
	const struct lkp_poke_entry *e;
	u8 cur[LKP_MAX_POKE];
	u32 i, j;
	int ret;

	for (i = 0; i < p->nr; i++) {
		e = &p->ents[i];
		ret = lkp_poke_access(snap, e->addr, cur, e->len, FOLL_FORCE);
		if (ret)
			return ret;
		for (j = 0; j < e->len; j++)
			if (cur[j] != lkp_poke_old(p, i)[j])
				break;
		if (j < e->len) {
			memset(b, 0, sizeof(*b));
			b->addr = e->addr + j;
			b->index = i;
			return -ESTALE;
		}
	}
	return 0;
}

/*
 * A thread parked in a system call that restarts resumes at ip - 2, on the
 * syscall instruction: rewriting those two bytes under it would make it
 * execute half an instruction.
 */
int lkp_pokes_check_syscall_ip(const struct lkp_pokes *p,
			       const struct lkp_snapshot *snap,
			       struct lkp_blocker *b)
{
	const struct lkp_thread_snap *th;
	const struct lkp_poke_entry *e;
	unsigned int t;
	u32 i;

	for (t = 0; t < snap->nr; t++) {
		th = &snap->threads[t];
		if (!th->in_syscall)
			continue;
		for (i = 0; i < p->nr; i++) {
			e = &p->ents[i];
			if (e->addr < th->ip && th->ip - 2 < e->addr + e->len) {
				b->tid = th->tid;
				b->kind = LKP_BLOCKER_SYSCALL_IP;
				b->addr = th->ip;
				b->stack_addr = 0;
				b->index = i;
				b->reserved = 0;
				return -EBUSY;
			}
		}
	}
	return 0;
}

static void lkp_sync_core(void *unused)
{
	sync_core();
}

/*
 * Write every entry. The caller verified the old bytes and the mappings
 * with the target frozen, so a failure here is the target dying or its
 * memory vanishing under us; whatever was written is put back.
 */
int lkp_pokes_write(const struct lkp_pokes *p,
		    const struct lkp_snapshot *snap)
{
	const unsigned int gup = FOLL_FORCE | FOLL_WRITE;
	int ret = 0;
	u32 i, j;

	for (i = 0; i < p->nr && !ret; i++)
		ret = lkp_poke_access(snap, p->ents[i].addr, lkp_poke_new(p, i),
				      p->ents[i].len, gup);
	if (ret) {
		for (j = 0; j < i; j++)
			lkp_poke_access(snap, p->ents[j].addr,
					lkp_poke_old(p, j), p->ents[j].len, gup);
	}
	/*
	 * A CPU may hold instructions of the target it decoded before the
	 * write, and the frozen threads return to user mode through sysret,
	 * which does not serialise. Only a CPU with the target's mm loaded
	 * (running it, or idle in lazy TLB mode after it) can switch back to
	 * it without a CR3 write, which does serialise: x86 keeps exactly
	 * those CPUs in mm_cpumask() (switch_mm clears the bit of the mm it
	 * leaves), and a CPU that loads the mm after this point serialises by
	 * that load. Serialise those, before any thread is released; an IPI
	 * to every CPU cost most of a small target's apply.
	 */
	on_each_cpu_mask(mm_cpumask(snap->mm), lkp_sync_core, NULL, 1);
	return ret;
}

int lkp_ioc_poke(struct file *file, void *karg)
{
	struct lkp_session *s = file->private_data;
	struct lkp_poke *pk = karg;
	struct lkp_snapshot snap;
	struct lkp_pokes p;
	int ret;

	memset(&pk->blocker, 0, sizeof(pk->blocker));
	if (pk->flags)
		return -EINVAL;
	ret = lkp_pokes_copy(&p, pk->entries, pk->nr_entries);
	if (ret)
		return ret;
	if (!lkp_session_frozen(s)) {
		ret = -EBADFD;
		goto free_pokes;
	}
	ret = lkp_session_check_target(s);
	if (ret)
		goto free_pokes;
	ret = lkp_snapshot_take(s, &snap);
	if (ret)
		goto free_pokes;
	ret = lkp_pokes_verify(&p, &snap, &pk->blocker);
	if (!ret)
		ret = lkp_pokes_check_syscall_ip(&p, &snap, &pk->blocker);
	if (!ret)
		ret = lkp_pokes_write(&p, &snap);
	lkp_snapshot_free(&snap);
free_pokes:
	lkp_pokes_free(&p);
	return ret;
}
