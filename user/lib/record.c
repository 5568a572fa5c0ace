// SPDX-License-Identifier: GPL-2.0
/* record.c: finding lkp's records in a target's memory and telling which patches are live. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/lkp.h>

#include "procmaps.h"
#include "record.h"

#define POKES(len)	(((len) + LKP_MAX_POKE - 1) / LKP_MAX_POKE)

void lkp_rec_jmp(uint64_t old_addr, uint64_t new_addr, uint8_t *buf)
{
	int32_t rel = (int32_t)(new_addr - (old_addr + LKP_JMP_SIZE));

	buf[0] = 0xe9;
	memcpy(buf + 1, &rel, 4);
}

const struct lkp_rec_site *lkp_rec_site_at(const struct lkp_applied *a, uint64_t addr)
{
	unsigned int i;

	for (i = 0; a && i < a->hdr->nr_sites; i++)
		if (a->sites[i].addr == addr && a->site_live[i])
			return &a->sites[i];
	return NULL;
}

const char *lkp_rec_str(const struct lkp_applied *a, uint32_t off)
{
	const char *s = (const char *)a->hdr;

	if (!off || off >= a->hdr->size || !memchr(s + off, 0, a->hdr->size - off))
		return "";
	return s + off;
}

/* The in-place entries: each within the record, one per function, at most its old size. */
static int check_inplace(struct lkp_applied *a)
{
	const struct lkp_rec_inplace *v;
	uint32_t i;

	v = (const struct lkp_rec_inplace *)((char *)a->hdr + a->hdr->inplace_off);
	for (i = 0; i < a->hdr->nr_inplace; i++) {
		if (v[i].func >= a->hdr->nr_funcs || a->inplace[v[i].func] || !v[i].len ||
		    v[i].len > a->funcs[v[i].func].old_size ||
		    (uint64_t)v[i].orig_off + v[i].len > a->hdr->size ||
		    (uint64_t)v[i].new_off + v[i].len > a->hdr->size)
			return -EINVAL;
		a->inplace[v[i].func] = &v[i];
	}
	return 0;
}

/* Are the bytes the patch wrote in place there? */
static bool inplace_live(const struct lkp_session *s, const struct lkp_applied *a,
			 const struct lkp_rec_inplace *ip)
{
	uint8_t *have = malloc(ip->len);
	bool live;

	if (!have)
		return false;
	live = !lkp_mem_read(s, a->funcs[ip->func].old_addr, have, ip->len) &&
	       !memcmp(have, lkp_rec_bytes(a, ip->new_off), ip->len);
	free(have);
	return live;
}

unsigned int lkp_applied_pokes(const struct lkp_applied *a)
{
	unsigned int i, n = a->nr_sites_live;

	for (i = 0; i < a->hdr->nr_funcs; i++)
		if (a->live[i])
			n += a->inplace[i] ? POKES(a->inplace[i]->len) : 1;
	return n;
}

/* Put back into buf (the bytes at addr, len) the original bytes of [at, at + n). */
static void overlay(uint8_t *buf, uint64_t addr, uint32_t len, uint64_t at, const uint8_t *orig,
		    uint32_t n)
{
	uint64_t lo = at > addr ? at : addr, hi = at + n < addr + len ? at + n : addr + len;

	if (lo < hi)
		memcpy(buf + (lo - addr), orig + (lo - at), hi - lo);
}

int lkp_applied_orig(const struct lkp_session *s, const struct lkp_applied *a, uint64_t addr,
		     uint32_t len, uint8_t *buf)
{
	unsigned int i;
	int ret = lkp_mem_read(s, addr, buf, len);

	for (i = 0; !ret && a && i < a->hdr->nr_funcs; i++) {
		const struct lkp_rec_inplace *ip = a->inplace[i];

		if (!a->live[i])
			continue;
		if (ip)
			overlay(buf, addr, len, a->funcs[i].old_addr,
				lkp_rec_bytes(a, ip->orig_off), ip->len);
		else
			overlay(buf, addr, len, a->funcs[i].old_addr, a->funcs[i].old_bytes,
				LKP_JMP_SIZE);
	}
	for (i = 0; !ret && a && i < a->hdr->nr_sites; i++)
		if (a->site_live[i])
			overlay(buf, addr, len, a->sites[i].addr, a->sites[i].old_bytes,
				LKP_JMP_SIZE);
	return ret;
}

/* Read and check one record at addr in a mapping of len bytes: 0, or -errno if it is not one. */
static int read_record(const struct lkp_session *s, uint64_t addr, uint64_t len,
		       struct lkp_applied *a)
{
	struct lkp_rec_hdr h;
	unsigned int i;
	size_t hsz;
	uint64_t end;
	int ret;

	ret = lkp_mem_read(s, addr, &h, sizeof(h));
	if (ret)
		return ret;
	if (memcmp(h.magic, LKP_REC_MAGIC, sizeof(h.magic)) || !h.version ||
	    h.version > LKP_REC_VERSION)
		return -EINVAL;
	hsz = h.version == 1 ? LKP_REC_HDR_V1 : h.version == 2 ? LKP_REC_HDR_V2 :
	      h.version == 3 ? LKP_REC_HDR_V3 : h.version == 4 ? LKP_REC_HDR_V4 : sizeof(h);
	if (h.version == 1)
		h.nr_sites = h.sites_off = 0;
	if (h.version <= 2)
		h.nr_inplace = h.inplace_off = 0;
	if (h.version <= 3) {
		h.eh_area = h.eh_stub = 0;
		h.nr_eh = 0;
	}
	if (h.version <= 4)
		h.nr_supersedes = h.supersedes_off = 0;
	if (h.size < hsz || h.size > len || h.size > LKP_REC_MAX || h.funcs_off < hsz ||
	    h.build_id_size > LKPP_BUILD_ID_MAX || h.nr_eh > LKP_REC_MAX / 64)
		return -EINVAL;
	end = (uint64_t)h.funcs_off + (uint64_t)h.nr_funcs * sizeof(struct lkp_rec_func);
	if (end > h.size)
		return -EINVAL;
	end = (uint64_t)h.sites_off + (uint64_t)h.nr_sites * sizeof(struct lkp_rec_site);
	if (h.nr_sites && (h.sites_off < hsz || h.sites_off % 8 || end > h.size))
		return -EINVAL;
	end = (uint64_t)h.inplace_off + (uint64_t)h.nr_inplace * sizeof(struct lkp_rec_inplace);
	if (h.nr_inplace && (h.inplace_off < hsz || h.inplace_off % 4 || end > h.size ||
			     h.nr_inplace > h.nr_funcs))
		return -EINVAL;
	end = (uint64_t)h.supersedes_off + (uint64_t)h.nr_supersedes * sizeof(uint64_t);
	if (h.nr_supersedes && (h.supersedes_off < hsz || h.supersedes_off % 8 || end > h.size))
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	a->rec_addr = addr;
	/* Room for a whole header, so that a version 1 record reads nr_sites as 0. */
	a->hdr = calloc(1, h.size > sizeof(h) ? h.size : sizeof(h));
	if (!a->hdr)
		return -ENOMEM;
	ret = lkp_mem_read(s, addr, a->hdr, h.size);
	if (ret || memcmp(a->hdr, &h, hsz)) {
		free(a->hdr);
		return ret ? ret : -EAGAIN;
	}
	a->hdr->nr_sites = h.nr_sites;
	a->hdr->sites_off = h.sites_off;
	a->hdr->nr_inplace = h.nr_inplace;
	a->hdr->inplace_off = h.inplace_off;
	/* Not in a->hdr: an older record's functions start where these are. */
	a->eh_area = h.eh_area;
	a->eh_stub = h.eh_stub;
	a->nr_eh = h.nr_eh;
	a->supersedes = (const uint64_t *)((char *)a->hdr + h.supersedes_off);
	a->nr_supersedes = h.nr_supersedes;
	a->funcs = (struct lkp_rec_func *)((char *)a->hdr + h.funcs_off);
	a->sites = (struct lkp_rec_site *)((char *)a->hdr + h.sites_off);
	a->live = calloc(h.nr_funcs + 1, sizeof(*a->live));
	a->site_live = calloc(h.nr_sites + 1, sizeof(*a->site_live));
	a->inplace = calloc(h.nr_funcs + 1, sizeof(*a->inplace));
	if (!a->live || !a->site_live || !a->inplace || check_inplace(a)) {
		free(a->live);
		free(a->site_live);
		free(a->inplace);
		free(a->hdr);
		return a->live && a->site_live && a->inplace ? -EINVAL : -ENOMEM;
	}
	for (i = 0; i < h.nr_sites; i++) {
		uint8_t have[LKP_JMP_SIZE];

		if (!lkp_mem_read(s, a->sites[i].addr, have, sizeof(have)) &&
		    !memcmp(a->sites[i].new_bytes, have, sizeof(have))) {
			a->site_live[i] = true;
			a->nr_sites_live++;
		}
	}
	for (i = 0; i < h.nr_funcs; i++) {
		uint8_t want[LKP_JMP_SIZE], have[LKP_JMP_SIZE];
		const struct lkp_rec_inplace *ip = a->inplace[i];

		lkp_rec_jmp(a->funcs[i].old_addr, a->funcs[i].new_addr, want);
		if (ip ? inplace_live(s, a, ip) :
		    !lkp_mem_read(s, a->funcs[i].old_addr, have, sizeof(have)) &&
		    !memcmp(want, have, sizeof(want))) {
			a->live[i] = true;
			a->nr_live++;
		}
	}
	return 0;
}

/* lkp's R mappings: private, anonymous, read-only, none of the kernel's ([vvar] ...). */
bool lkp_record_mapping(const char *perms, uint64_t ino, const char *path)
{
	return !ino && !strcmp(perms, "r--p") && !strchr(path, '[');
}

bool lkp_record_candidate(const char *line, uint64_t *start, uint64_t *len)
{
	struct lkp_vma v;

	if (lkp_maps_parse_line(line, &v) || !lkp_record_mapping(v.perms, v.inode, v.path))
		return false;
	*start = v.start;
	*len = v.end - v.start;
	return true;
}

int lkp_records_read_in(const struct lkp_session *s, const uint64_t (*maps)[2], unsigned int nr,
			struct lkp_applied **out, unsigned int *n)
{
	struct lkp_applied *v;
	unsigned int i, cnt = 0;

	*out = NULL;
	*n = 0;
	v = calloc(nr ? nr : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		if (!read_record(s, maps[i][0], maps[i][1], &v[cnt]))
			cnt++;
	*out = v;
	*n = cnt;
	return 0;
}

int lkp_records_read(const struct lkp_session *s, struct lkp_applied **out, unsigned int *n)
{
	uint64_t (*maps)[2] = NULL, (*nm)[2], start, len;
	unsigned int cnt = 0;
	char line[512], fbuf[16384];
	FILE *f;
	int ret;

	snprintf(line, sizeof(line), "/proc/%d/maps", (int)s->pid);
	f = fopen(line, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	/* stdio's buffer for /proc is 1 KiB: a read per 8 lines, each taking the mmap lock. */
	setvbuf(f, fbuf, _IOFBF, sizeof(fbuf));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!lkp_record_candidate(line, &start, &len))
			continue;
		nm = reallocarray(maps, cnt + 1, sizeof(*maps));
		if (!nm) {
			free(maps);
			fclose(f);
			return -ENOMEM;
		}
		maps = nm;
		maps[cnt][0] = start;
		maps[cnt][1] = len;
		cnt++;
	}
	fclose(f);
	ret = lkp_records_read_in(s, (const uint64_t (*)[2])maps, cnt, out, n);
	free(maps);
	return ret;
}

void lkp_applied_free(struct lkp_applied *a, unsigned int n)
{
	unsigned int i;

	for (i = 0; a && i < n; i++) {
		free(a[i].hdr);
		free(a[i].live);
		free(a[i].site_live);
		free(a[i].inplace);
	}
	free(a);
}

int lkp_record_forget(const struct lkp_session *s, const struct lkp_applied *a)
{
	static const char zero[8];

	return lkp_mem_write(s, a->rec_addr, zero, sizeof(zero));
}
