// SPDX-License-Identifier: GPL-2.0
/* record.c: finding lkp's records in a target's memory and telling which patches are live. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

const char *lkp_rec_str(const struct lkp_applied *a, uint32_t off)
{
	const char *s = (const char *)a->hdr;

	if (!off || off >= a->hdr->size || !memchr(s + off, 0, a->hdr->size - off))
		return "";
	return s + off;
}

/* Read and check one record at addr in a mapping of len bytes: 0, or -errno if it is not one. */
static int read_record(const struct lkp_session *s, uint64_t addr, uint64_t len,
		       struct lkp_applied *a)
{
	struct lkp_rec_hdr h;
	unsigned int i;
	uint64_t end;
	int ret;

	ret = lkp_mem_read(s, addr, &h, sizeof(h));
	if (ret)
		return ret;
	if (memcmp(h.magic, LKP_REC_MAGIC, sizeof(h.magic)) || h.version != LKP_REC_VERSION ||
	    h.size < sizeof(h) || h.size > len || h.size > LKP_REC_MAX ||
	    h.funcs_off < sizeof(h) || h.build_id_size > LKPP_BUILD_ID_MAX)
		return -EINVAL;
	end = (uint64_t)h.funcs_off + (uint64_t)h.nr_funcs * sizeof(struct lkp_rec_func);
	if (end > h.size)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	a->rec_addr = addr;
	a->hdr = malloc(h.size);
	if (!a->hdr)
		return -ENOMEM;
	ret = lkp_mem_read(s, addr, a->hdr, h.size);
	if (ret || memcmp(a->hdr, &h, sizeof(h))) {
		free(a->hdr);
		return ret ? ret : -EAGAIN;
	}
	a->funcs = (struct lkp_rec_func *)((char *)a->hdr + h.funcs_off);
	for (i = 0; i < h.nr_funcs; i++) {
		uint8_t want[LKP_JMP_SIZE], have[LKP_JMP_SIZE];

		lkp_rec_jmp(a->funcs[i].old_addr, a->funcs[i].new_addr, want);
		if (!lkp_mem_read(s, a->funcs[i].old_addr, have, sizeof(have)) &&
		    !memcmp(want, have, sizeof(want)))
			a->nr_live++;
	}
	return 0;
}

int lkp_records_read(const struct lkp_session *s, struct lkp_applied **out, unsigned int *n)
{
	unsigned long long start, end, off, ino;
	struct lkp_applied *v = NULL, *nv;
	unsigned int maj, min, cnt = 0;
	char line[512], perms[8];
	FILE *f;
	int ret = 0;

	*out = NULL;
	*n = 0;
	snprintf(line, sizeof(line), "/proc/%d/maps", (int)s->pid);
	f = fopen(line, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (fgets(line, sizeof(line), f)) {
		int k;

		/* lkp's R mappings: private, anonymous, read-only. */
		k = sscanf(line, "%llx-%llx %7s %llx %x:%x %llu", &start, &end, perms, &off, &maj,
			   &min, &ino);
		if (k < 7 || ino || strcmp(perms, "r--p") || strchr(line, '['))
			continue;
		nv = reallocarray(v, cnt + 1, sizeof(*v));
		if (!nv) {
			ret = -ENOMEM;
			break;
		}
		v = nv;
		if (!read_record(s, start, end - start, &v[cnt]))
			cnt++;
	}
	fclose(f);
	if (ret) {
		lkp_applied_free(v, cnt);
		return ret;
	}
	*out = v;
	*n = cnt;
	return 0;
}

void lkp_applied_free(struct lkp_applied *a, unsigned int n)
{
	unsigned int i;

	for (i = 0; a && i < n; i++)
		free(a[i].hdr);
	free(a);
}

int lkp_record_forget(const struct lkp_session *s, const struct lkp_applied *a)
{
	static const char zero[8];

	return lkp_mem_write(s, a->rec_addr, zero, sizeof(zero));
}
