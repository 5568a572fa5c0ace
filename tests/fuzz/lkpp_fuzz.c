// SPDX-License-Identifier: GPL-2.0
/* lkpp_fuzz.c: libFuzzer target for the patch file reader, with a writer round trip of whatever it accepts. */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lkpp.h"

static volatile size_t sink;

/* Make any out-of-bounds pointer the reader hands out visible to ASan. */
static void touch(const struct lkpp_patch *p)
{
	char hex[2 * LKPP_BUILD_ID_MAX + 1];
	size_t sum = 0;
	uint32_t i;
	uint64_t k;

	lkpp_build_id_hex(p->build_id, p->build_id_size, hex);
	sum += strlen(hex) + strlen(p->target_name);
	for (i = 0; i < p->nr_sections; i++) {
		sum += strlen(p->sections[i].name);
		if (p->sections[i].data)
			for (k = 0; k < p->sections[i].size; k++)
				sum += ((const uint8_t *)p->sections[i].data)[k];
	}
	for (i = 0; i < p->nr_funcs; i++)
		sum += strlen(p->funcs[i].name);
	for (i = 0; i < p->nr_symbols; i++)
		sum += strlen(p->symbols[i].name) + strlen(p->symbols[i].version) +
		       strlen(p->symbols[i].library);
	for (i = 0; i < p->nr_relocs; i++)
		sum += strlen(p->symbols[p->relocs[i].symbol].name) +
		       p->sections[p->relocs[i].section].size;
	for (i = 0; i < p->nr_callsites; i++)
		sum += strlen(p->funcs[p->callsites[i].func].name);
	sink = sum;
}

/*
 * What the reader accepts, the writer must reproduce: same functions,
 * symbols and relocations, and a file the reader accepts again. A mismatch
 * between the two sets of rules is a bug worth a crash.
 */
static void round_trip(const struct lkpp_patch *p)
{
	struct lkpp_writer *w = lkpp_writer_new();
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *q;
	size_t len;
	uint32_t i;
	void *buf;

	if (!w)
		return;
	lkpp_writer_set_target(w, p->build_id, p->build_id_size, p->target_name, p->target_type);
	for (i = 0; i < p->nr_sections; i++)
		lkpp_writer_add_section(w, p->sections[i].kind, p->sections[i].name,
					p->sections[i].data, p->sections[i].size,
					p->sections[i].align);
	for (i = 0; i < p->nr_funcs; i++)
		lkpp_writer_add_func(w, &p->funcs[i]);
	for (i = 0; i < p->nr_symbols; i++)
		lkpp_writer_add_symbol(w, &p->symbols[i]);
	for (i = 0; i < p->nr_relocs; i++)
		lkpp_writer_add_reloc(w, &p->relocs[i]);
	for (i = 0; i < p->nr_callsites; i++)
		lkpp_writer_add_callsite(w, &p->callsites[i]);
	if (lkpp_writer_finish(w, &buf, &len, err))
		abort();
	lkpp_writer_free(w);
	if (lkpp_parse(buf, len, &q, err))
		abort();
	if (q->nr_sections != p->nr_sections || q->nr_funcs != p->nr_funcs ||
	    q->nr_symbols != p->nr_symbols || q->nr_relocs != p->nr_relocs ||
	    q->nr_callsites != p->nr_callsites ||
	    q->build_id_size != p->build_id_size || strcmp(q->target_name, p->target_name))
		abort();
	for (i = 0; i < p->nr_sections; i++)
		if (q->sections[i].size != p->sections[i].size ||
		    (p->sections[i].kind != LKPP_SEC_BSS &&
		     memcmp(q->sections[i].data, p->sections[i].data, p->sections[i].size)))
			abort();
	for (i = 0; i < p->nr_funcs; i++)
		if (strcmp(q->funcs[i].name, p->funcs[i].name) ||
		    q->funcs[i].old_offset != p->funcs[i].old_offset ||
		    q->funcs[i].new_size != p->funcs[i].new_size)
			abort();
	for (i = 0; i < p->nr_relocs; i++)
		if (q->relocs[i].offset != p->relocs[i].offset ||
		    q->relocs[i].addend != p->relocs[i].addend)
			abort();
	for (i = 0; i < p->nr_callsites; i++)
		if (q->callsites[i].offset != p->callsites[i].offset ||
		    q->callsites[i].func != p->callsites[i].func ||
		    q->callsites[i].kind != p->callsites[i].kind)
			abort();
	lkpp_free(q);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[LKPP_ERR_SIZE];
	struct lkpp_patch *p;
	uint8_t *copy;
	size_t i;

	if (!lkpp_parse(data, size, &p, err)) {
		touch(p);
		lkpp_free(p);
	}
	/*
	 * Most mutations break the size or the checksum; fix both up so that
	 * the rest of the reader sees the mutated tables too.
	 */
	if (size < sizeof(struct lkpp_disk_header) || memcmp(data, LKPP_MAGIC, LKPP_MAGIC_SIZE))
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (i = 0; i < 8; i++)
		copy[offsetof(struct lkpp_disk_header, total_size) + i] = (uint64_t)size >> (8 * i);
	i = lkpp_file_checksum(copy, size);
	memcpy(copy + offsetof(struct lkpp_disk_header, checksum),
	       &(uint32_t){ htole32((uint32_t)i) }, 4);
	if (!lkpp_parse(copy, size, &p, err)) {
		touch(p);
		round_trip(p);
		lkpp_free(p);
	}
	free(copy);
	return 0;
}
