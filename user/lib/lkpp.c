// SPDX-License-Identifier: GPL-2.0
/* lkpp.c: the validating reader of lkp patch files; every rule is in docs/patch-format.md. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkpp.h"

/*
 * The reader trusts nothing in the file: each count, offset and size is
 * compared against what contains it before it is used, always in the form
 * "a <= limit && b <= limit - a" so that no sum can wrap. Structs are copied
 * out with memcpy (the file need not be aligned in memory) and converted
 * from little endian with lkpp_le_fields().
 */

static int fail(char *err, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err, LKPP_ERR_SIZE, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* CRC32C, reflected polynomial 0x82f63b78, table built once (lkpd has threads). */
static uint32_t crc32c_table[256];
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;

static void crc32c_init(void)
{
	uint32_t c;
	int i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & -(c & 1));
		crc32c_table[i] = c;
	}
}

uint32_t lkpp_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	pthread_once(&crc32c_once, crc32c_init);
	crc = ~crc;
	while (len--)
		crc = crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t lkpp_file_checksum(const void *buf, size_t len)
{
	static const uint8_t zero[4];
	const size_t at = offsetof(struct lkpp_disk_header, checksum);
	uint32_t crc;

	if (len < at + 4)
		return lkpp_crc32c(0, buf, len);
	crc = lkpp_crc32c(0, buf, at);
	crc = lkpp_crc32c(crc, zero, sizeof(zero));
	return lkpp_crc32c(crc, (const uint8_t *)buf + at + 4, len - at - 4);
}

/* The field order of lkpp_format.h; tests/lkpp checks them against offsetof. */
const int8_t lkpp_layout_header[] = { -8, 2, 2, 4, 8, 4, 4, 8, 4, 4, 4, 2, 1, 1, -64, 4, 4, 0 };
const int8_t lkpp_layout_table[] = { 4, 4, 8, 8, 4, 4, 0 };
const int8_t lkpp_layout_section[] = { 4, 4, 4, 4, 8, 8, 0 };
const int8_t lkpp_layout_func[] = { 4, 4, 4, 4, 8, 8, 8, 8, -16, 0 };
const int8_t lkpp_layout_symbol[] = { 4, 1, 1, 2, 4, 4, 4, 4, 8, 8, 0 };
const int8_t lkpp_layout_reloc[] = { 8, 4, 4, 4, 4, 8, 0 };
const int8_t lkpp_layout_callsite[] = { 8, 4, 4, 0 };
const int8_t lkpp_layout_movable[] = { 4, 4, 0 };
const int8_t lkpp_layout_supersedes[] = { 8, 4, 4, 0 };
const int8_t lkpp_layout_unwind[] = { 4, 4, 0 };

uint64_t lkpp_file_id(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void lkpp_bswap_fields(void *s, const int8_t *layout)
{
	uint8_t *p = s, t;
	int i, w;

	for (; *layout; p += w, layout++) {
		w = *layout < 0 ? -*layout : *layout;
		if (*layout < 0)
			continue;
		for (i = 0; i < w / 2; i++) {
			t = p[i];
			p[i] = p[w - 1 - i];
			p[w - 1 - i] = t;
		}
	}
}

/* Each allowed relocation type: the byte width of the field it writes and its name. */
static const struct {
	uint32_t type;
	uint8_t width;
	bool tls;
	const char *name;		/* without "R_X86_64_" */
} reloc_types[] = {
	{ R_X86_64_64, 8, false, "64" },
	{ R_X86_64_PC32, 4, false, "PC32" },
	{ R_X86_64_PLT32, 4, false, "PLT32" },
	{ R_X86_64_GOTPCREL, 4, false, "GOTPCREL" },
	{ R_X86_64_32, 4, false, "32" },
	{ R_X86_64_32S, 4, false, "32S" },
	{ R_X86_64_DTPOFF64, 8, true, "DTPOFF64" },
	{ R_X86_64_TPOFF64, 8, true, "TPOFF64" },
	{ R_X86_64_TLSGD, 4, true, "TLSGD" },
	{ R_X86_64_TLSLD, 4, true, "TLSLD" },
	{ R_X86_64_DTPOFF32, 4, true, "DTPOFF32" },
	{ R_X86_64_GOTTPOFF, 4, true, "GOTTPOFF" },
	{ R_X86_64_TPOFF32, 4, true, "TPOFF32" },
	{ R_X86_64_PC64, 8, false, "PC64" },
	{ R_X86_64_GOTOFF64, 8, false, "GOTOFF64" },
	{ R_X86_64_GOTPC32, 4, false, "GOTPC32" },
	{ R_X86_64_SIZE32, 4, false, "SIZE32" },
	{ R_X86_64_SIZE64, 8, false, "SIZE64" },
	{ R_X86_64_GOTPCRELX, 4, false, "GOTPCRELX" },
	{ R_X86_64_REX_GOTPCRELX, 4, false, "REX_GOTPCRELX" },
};

static int reloc_type_index(uint32_t type)
{
	unsigned int i;

	for (i = 0; i < sizeof(reloc_types) / sizeof(reloc_types[0]); i++)
		if (reloc_types[i].type == type)
			return i;
	return -1;
}

unsigned int lkpp_reloc_width(uint32_t type)
{
	int i = reloc_type_index(type);

	return i < 0 ? 0 : reloc_types[i].width;
}

const char *lkpp_reloc_name(uint32_t type)
{
	int i = reloc_type_index(type);

	return i < 0 ? "?" : reloc_types[i].name;
}

void lkpp_build_id_hex(const uint8_t *id, size_t size, char *buf)
{
	size_t i;

	for (i = 0; i < size && i < LKPP_BUILD_ID_MAX; i++)
		sprintf(buf + 2 * i, "%02x", id[i]);
	buf[2 * i] = '\0';
}

/* What the tables tell the later checks. */
struct lkpp_ctx {
	const uint8_t *file;
	uint64_t len;
	char *err;
	const struct lkpp_disk_table *tab[LKPP_TABLE_UNWIND + 1];
	struct lkpp_disk_table tabs[LKPP_MAX_TABLES];
	uint32_t tab_index[LKPP_TABLE_UNWIND + 1];
	const char *strtab;
	uint64_t strtab_size;
};

static const char *const table_names[] = {
	[LKPP_TABLE_STRTAB] = "STRTAB",
	[LKPP_TABLE_SECTIONS] = "SECTIONS",
	[LKPP_TABLE_DATA] = "DATA",
	[LKPP_TABLE_FUNCS] = "FUNCS",
	[LKPP_TABLE_SYMBOLS] = "SYMBOLS",
	[LKPP_TABLE_RELOCS] = "RELOCS",
	[LKPP_TABLE_CALLSITES] = "CALLSITES",
	[LKPP_TABLE_MOVABLE] = "MOVABLE",
	[LKPP_TABLE_SUPERSEDES] = "SUPERSEDES",
	[LKPP_TABLE_UNWIND] = "UNWIND",
};

/* v1 size of an entry of each array kind; 0 for byte tables. */
static const uint32_t table_entry_min[] = {
	[LKPP_TABLE_STRTAB] = 0,
	[LKPP_TABLE_SECTIONS] = sizeof(struct lkpp_disk_section),
	[LKPP_TABLE_DATA] = 0,
	[LKPP_TABLE_FUNCS] = sizeof(struct lkpp_disk_func),
	[LKPP_TABLE_SYMBOLS] = sizeof(struct lkpp_disk_symbol),
	[LKPP_TABLE_RELOCS] = sizeof(struct lkpp_disk_reloc),
	[LKPP_TABLE_CALLSITES] = sizeof(struct lkpp_disk_callsite),
	[LKPP_TABLE_MOVABLE] = sizeof(struct lkpp_disk_movable),
	[LKPP_TABLE_SUPERSEDES] = sizeof(struct lkpp_disk_supersedes),
	[LKPP_TABLE_UNWIND] = sizeof(struct lkpp_disk_unwind),
};

/* String references are u32: the whole file must fit in their range. */
_Static_assert(LKPP_MAX_FILE_SIZE <= UINT32_MAX, "string offsets cover the file");

/*
 * Resolve a string offset: the string table ends in NUL (checked once), so
 * any in-range offset starts a terminated string.
 */
static int get_str(struct lkpp_ctx *c, uint32_t off, const char *what, uint32_t i,
		   const char **out)
{
	if (off >= c->strtab_size)
		return fail(c->err, -EINVAL, "%s %u: string offset %u beyond STRTAB (%llu bytes)",
			    what, i, off, (unsigned long long)c->strtab_size);
	*out = c->strtab + off;
	return 0;
}

/* Entry i of an array table in host order: the first sz bytes (the 1.0 part). */
static void get_entry(struct lkpp_ctx *c, int kind, uint32_t i, void *dst, size_t sz)
{
	static const int8_t *const layouts[] = {
		[LKPP_TABLE_SECTIONS] = lkpp_layout_section,
		[LKPP_TABLE_FUNCS] = lkpp_layout_func,
		[LKPP_TABLE_SYMBOLS] = lkpp_layout_symbol,
		[LKPP_TABLE_RELOCS] = lkpp_layout_reloc,
		[LKPP_TABLE_CALLSITES] = lkpp_layout_callsite,
		[LKPP_TABLE_MOVABLE] = lkpp_layout_movable,
		[LKPP_TABLE_SUPERSEDES] = lkpp_layout_supersedes,
		[LKPP_TABLE_UNWIND] = lkpp_layout_unwind,
	};
	const struct lkpp_disk_table *t = c->tab[kind];

	memcpy(dst, c->file + t->offset + (uint64_t)i * t->entry_size, sz);
	lkpp_le_fields(dst, layouts[kind]);
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	if (!alen || !blen)
		return false;
	return a < b + blen && b < a + alen;
}

static int check_header(struct lkpp_ctx *c, struct lkpp_disk_header *h)
{
	uint32_t i;

	memcpy(h, c->file, sizeof(*h));
	lkpp_le_fields(h, lkpp_layout_header);

	if (h->version_major != LKPP_VERSION_MAJOR)
		return fail(c->err, -EOPNOTSUPP, "format version %u.%u, this reader knows %u.x",
			    h->version_major, h->version_minor, LKPP_VERSION_MAJOR);
	if (h->total_size != c->len)
		return fail(c->err, -EBADMSG, "header says %llu bytes, file has %llu (truncated?)",
			    (unsigned long long)h->total_size, (unsigned long long)c->len);
	if (h->checksum != lkpp_file_checksum(c->file, c->len))
		return fail(c->err, -EBADMSG, "checksum mismatch: header 0x%08x, contents 0x%08x",
			    h->checksum, lkpp_file_checksum(c->file, c->len));
	if (h->header_size < sizeof(*h) || h->header_size % 8 || h->header_size > c->len)
		return fail(c->err, -EINVAL, "header_size %u (at least %zu, 8-aligned, within the file)",
			    h->header_size, sizeof(*h));
	if (h->flags)
		return fail(c->err, -EOPNOTSUPP, "unknown header flags 0x%x", h->flags);
	if (h->arch != LKPP_ARCH_X86_64)
		return fail(c->err, -EOPNOTSUPP, "architecture %u, only x86-64 (%u) is supported",
			    h->arch, LKPP_ARCH_X86_64);
	if (h->reserved0 || h->reserved1)
		return fail(c->err, -EINVAL, "reserved header fields are not zero");
	if (h->target_type != ET_EXEC && h->target_type != ET_DYN)
		return fail(c->err, -EINVAL, "target_type %u, must be ET_EXEC (2) or ET_DYN (3)",
			    h->target_type);
	if (!h->build_id_size || h->build_id_size > LKPP_BUILD_ID_MAX)
		return fail(c->err, -EINVAL, "build_id_size %u, must be 1..%d",
			    h->build_id_size, LKPP_BUILD_ID_MAX);
	for (i = h->build_id_size; i < LKPP_BUILD_ID_MAX; i++)
		if (h->build_id[i])
			return fail(c->err, -EINVAL, "build-id padding byte %u is not zero", i);
	return 0;
}

static int check_tables(struct lkpp_ctx *c, const struct lkpp_disk_header *h)
{
	uint64_t dir_size;
	uint32_t i, j;

	if (h->table_count > LKPP_MAX_TABLES)
		return fail(c->err, -EINVAL, "table_count %u, at most %d", h->table_count,
			    LKPP_MAX_TABLES);
	if (h->table_entry_size < sizeof(struct lkpp_disk_table) || h->table_entry_size % 8)
		return fail(c->err, -EINVAL, "table_entry_size %u (at least %zu, 8-aligned)",
			    h->table_entry_size, sizeof(struct lkpp_disk_table));
	dir_size = (uint64_t)h->table_count * h->table_entry_size;
	if (h->table_offset % 8 || h->table_offset < h->header_size ||
	    h->table_offset > c->len || dir_size > c->len - h->table_offset)
		return fail(c->err, -EINVAL,
			    "table directory at %llu, %llu bytes: not 8-aligned after the header within the file",
			    (unsigned long long)h->table_offset, (unsigned long long)dir_size);

	for (i = 0; i < h->table_count; i++) {
		struct lkpp_disk_table *t = &c->tabs[i];
		const char *name;
		bool known;

		memcpy(t, c->file + h->table_offset + (uint64_t)i * h->table_entry_size, sizeof(*t));
		lkpp_le_fields(t, lkpp_layout_table);
		known = t->kind >= LKPP_TABLE_STRTAB && t->kind <= LKPP_TABLE_UNWIND;
		name = known ? table_names[t->kind] : "unknown";

		if (t->flags & ~LKPP_TABLE_F_ALL)
			return fail(c->err, -EOPNOTSUPP, "table %u (%s): unknown flags 0x%x",
				    i, name, t->flags);
		if (t->offset % 8 || t->offset > c->len || t->size > c->len - t->offset)
			return fail(c->err, -EINVAL,
				    "table %u (%s): %llu bytes at %llu: not 8-aligned or beyond the file",
				    i, name, (unsigned long long)t->size,
				    (unsigned long long)t->offset);
		if (ranges_overlap(t->offset, t->size, 0, h->header_size) ||
		    ranges_overlap(t->offset, t->size, h->table_offset, dir_size))
			return fail(c->err, -EINVAL,
				    "table %u (%s) overlaps the header or the table directory", i, name);
		for (j = 0; j < i; j++)
			if (ranges_overlap(t->offset, t->size, c->tabs[j].offset, c->tabs[j].size))
				return fail(c->err, -EINVAL, "table %u (%s) overlaps table %u",
					    i, name, j);
		if (!known) {
			if (t->flags & LKPP_TABLE_F_REQUIRED)
				return fail(c->err, -EOPNOTSUPP,
					    "table %u: required table kind %u unknown to this reader",
					    i, t->kind);
			continue;
		}
		if (c->tab[t->kind])
			return fail(c->err, -EINVAL, "table %u: second %s table (first is %u)",
				    i, name, c->tab_index[t->kind]);
		if (!table_entry_min[t->kind]) {
			if (t->entry_size || t->count)
				return fail(c->err, -EINVAL,
					    "table %u (%s): byte table with entry_size %u, count %u (must be 0)",
					    i, name, t->entry_size, t->count);
		} else if (t->entry_size < table_entry_min[t->kind] || t->entry_size % 8 ||
			   (uint64_t)t->count * t->entry_size != t->size) {
			return fail(c->err, -EINVAL,
				    "table %u (%s): entry_size %u (at least %u, 8-aligned) times count %u is not its size %llu",
				    i, name, t->entry_size, table_entry_min[t->kind], t->count,
				    (unsigned long long)t->size);
		}
		c->tab[t->kind] = t;
		c->tab_index[t->kind] = i;
	}
	if (!c->tab[LKPP_TABLE_STRTAB])
		return fail(c->err, -EINVAL, "no STRTAB table");
	if (!c->tab[LKPP_TABLE_SECTIONS])
		return fail(c->err, -EINVAL, "no SECTIONS table");
	if (!c->tab[LKPP_TABLE_FUNCS] || !c->tab[LKPP_TABLE_FUNCS]->count)
		return fail(c->err, -EINVAL, "no functions: FUNCS table missing or empty");
	return 0;
}

static int check_strtab(struct lkpp_ctx *c)
{
	const struct lkpp_disk_table *t = c->tab[LKPP_TABLE_STRTAB];
	const uint8_t *s = c->file + t->offset;
	uint64_t i;

	if (!t->size || s[0] || s[t->size - 1])
		return fail(c->err, -EINVAL, "STRTAB must start and end with a NUL byte");
	for (i = 0; i < t->size; i++)
		if (s[i] && (s[i] < 0x20 || s[i] > 0x7e))
			return fail(c->err, -EINVAL,
				    "STRTAB byte %llu is 0x%02x: strings must be printable ASCII",
				    (unsigned long long)i, s[i]);
	c->strtab = (const char *)s;
	c->strtab_size = t->size;
	return 0;
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static int check_sections(struct lkpp_ctx *c, struct lkpp_patch *p)
{
	const struct lkpp_disk_table *data = c->tab[LKPP_TABLE_DATA];
	uint64_t data_size = data ? data->size : 0, mem = 0;
	uint32_t i, n = c->tab[LKPP_TABLE_SECTIONS]->count;
	int ret;

	p->sections = calloc(n ? n : 1, sizeof(*p->sections));
	if (!p->sections)
		return fail(c->err, -ENOMEM, "out of memory");
	p->nr_sections = n;
	for (i = 0; i < n; i++) {
		struct lkpp_section *s = &p->sections[i];
		struct lkpp_disk_section d;

		get_entry(c, LKPP_TABLE_SECTIONS, i, &d, sizeof(d));
		ret = get_str(c, d.name, "section", i, &s->name);
		if (ret)
			return ret;
		s->kind = d.kind;
		s->align = d.align;
		s->size = d.size;
		if (s->kind < LKPP_SEC_TEXT || s->kind > LKPP_SEC_BSS)
			return fail(c->err, -EINVAL, "section %u: unknown kind %u", i, s->kind);
		if (d.flags)
			return fail(c->err, -EOPNOTSUPP, "section %u: unknown flags 0x%x", i, d.flags);
		if (!is_pow2(s->align) || s->align > LKPP_ALIGN_MAX)
			return fail(c->err, -EINVAL,
				    "section %u: alignment %u is not a power of two up to %d",
				    i, s->align, LKPP_ALIGN_MAX);
		if (s->size > LKPP_MAX_MEM_SIZE)
			return fail(c->err, -EINVAL, "section %u: size %llu above %llu", i,
				    (unsigned long long)s->size, LKPP_MAX_MEM_SIZE);
		if (s->kind == LKPP_SEC_BSS) {
			if (d.data_offset)
				return fail(c->err, -EINVAL, "section %u: BSS with data_offset %llu",
					    i, (unsigned long long)d.data_offset);
		} else {
			if (d.data_offset > data_size || s->size > data_size - d.data_offset)
				return fail(c->err, -EINVAL,
					    "section %u: %llu bytes at %llu beyond the DATA table (%llu bytes)",
					    i, (unsigned long long)s->size,
					    (unsigned long long)d.data_offset,
					    (unsigned long long)data_size);
			/* An empty section may come without a DATA table. */
			s->data = data ? c->file + data->offset + d.data_offset : c->file;
		}
		/* Both terms are below 2^31: no wrap. */
		mem = ((mem + s->align - 1) & ~((uint64_t)s->align - 1)) + s->size;
		if (mem > LKPP_MAX_MEM_SIZE)
			return fail(c->err, -EINVAL, "sections need more than %llu bytes of memory",
				    LKPP_MAX_MEM_SIZE);
	}
	return 0;
}

/* Ranges sorted to find overlaps in n log n. */
struct lkpp_range {
	uint64_t key, start, len;
	uint32_t idx;
};

static int range_cmp(const void *a, const void *b)
{
	const struct lkpp_range *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Index of the first of two overlapping ranges with equal keys, or -1. */
static int64_t find_overlap(struct lkpp_range *r, uint32_t n, uint32_t *other)
{
	uint32_t i;

	qsort(r, n, sizeof(*r), range_cmp);
	for (i = 1; i < n; i++) {
		/* start + len cannot wrap: every range was checked against its limit. */
		if (r[i].key == r[i - 1].key && r[i].start < r[i - 1].start + r[i - 1].len) {
			*other = r[i - 1].idx;
			return r[i].idx;
		}
	}
	return -1;
}

static int check_funcs(struct lkpp_ctx *c, struct lkpp_patch *p)
{
	uint32_t i, k, n = c->tab[LKPP_TABLE_FUNCS]->count, nr = 0, other;
	struct lkpp_range *r;
	int64_t bad;
	int ret;

	p->funcs = calloc(n, sizeof(*p->funcs));
	r = calloc(n, sizeof(*r));
	if (!p->funcs || !r) {
		free(r);
		return fail(c->err, -ENOMEM, "out of memory");
	}
	p->nr_funcs = n;
	for (i = 0; i < n; i++) {
		struct lkpp_func *f = &p->funcs[i];
		const struct lkpp_section *s;
		struct lkpp_disk_func d;

		get_entry(c, LKPP_TABLE_FUNCS, i, &d, sizeof(d));
		ret = get_str(c, d.name, "func", i, &f->name);
		if (ret)
			goto out;
		f->flags = d.flags;
		f->section = d.section;
		f->old_bytes_len = d.old_bytes_len;
		f->old_offset = d.old_offset;
		f->old_size = d.old_size;
		f->new_offset = d.new_offset;
		f->new_size = d.new_size;
		memcpy(f->old_bytes, d.old_bytes, sizeof(f->old_bytes));
		ret = -EINVAL;
		if (!f->name[0]) {
			fail(c->err, ret, "func %u: empty name", i);
			goto out;
		}
		if (f->flags & ~LKPP_FUNC_F_ALL) {
			ret = fail(c->err, -EOPNOTSUPP, "func %u (%s): unknown flags 0x%x", i,
				   f->name, f->flags);
			goto out;
		}
		if (f->section >= p->nr_sections || p->sections[f->section].kind != LKPP_SEC_TEXT) {
			fail(c->err, ret, "func %u (%s): section %u is not a TEXT section", i,
			     f->name, f->section);
			goto out;
		}
		s = &p->sections[f->section];
		if (!f->new_size || f->new_offset > s->size || f->new_size > s->size - f->new_offset) {
			fail(c->err, ret,
			     "func %u (%s): new code %llu bytes at %llu outside section %u (%llu bytes)",
			     i, f->name, (unsigned long long)f->new_size,
			     (unsigned long long)f->new_offset, f->section,
			     (unsigned long long)s->size);
			goto out;
		}
		if (f->old_bytes_len > LKPP_OLD_BYTES_MAX || f->old_bytes_len > f->old_size) {
			fail(c->err, ret, "func %u (%s): old_bytes_len %u above %d or old_size",
			     i, f->name, f->old_bytes_len, LKPP_OLD_BYTES_MAX);
			goto out;
		}
		for (k = f->old_bytes_len; k < LKPP_OLD_BYTES_MAX; k++) {
			if (f->old_bytes[k]) {
				fail(c->err, ret, "func %u (%s): old_bytes padding is not zero",
				     i, f->name);
				goto out;
			}
		}
		if (f->flags & LKPP_FUNC_F_NEW) {
			if (f->old_offset || f->old_size) {
				fail(c->err, ret, "func %u (%s): new function with an old range",
				     i, f->name);
				goto out;
			}
			continue;
		}
		if (f->old_size < LKPP_JMP_SIZE) {
			fail(c->err, ret, "func %u (%s): old_size %llu, less than the %d-byte jump",
			     i, f->name, (unsigned long long)f->old_size, LKPP_JMP_SIZE);
			goto out;
		}
		if (f->old_offset > UINT64_MAX - f->old_size) {
			fail(c->err, ret, "func %u (%s): old range wraps around", i, f->name);
			goto out;
		}
		r[nr++] = (struct lkpp_range){ 0, f->old_offset, f->old_size, i };
	}
	bad = find_overlap(r, nr, &other);
	if (bad >= 0) {
		ret = fail(c->err, -EINVAL, "func %u (%s): old range overlaps func %u (%s)",
			   (uint32_t)bad, p->funcs[bad].name, other, p->funcs[other].name);
		goto out;
	}
	ret = 0;
out:
	free(r);
	return ret;
}

static int check_symbols(struct lkpp_ctx *c, struct lkpp_patch *p)
{
	const struct lkpp_disk_table *t = c->tab[LKPP_TABLE_SYMBOLS];
	uint32_t i, n = t ? t->count : 0;
	int ret;

	p->symbols = calloc(n ? n : 1, sizeof(*p->symbols));
	if (!p->symbols)
		return fail(c->err, -ENOMEM, "out of memory");
	p->nr_symbols = n;
	for (i = 0; i < n; i++) {
		struct lkpp_symbol *s = &p->symbols[i];
		struct lkpp_disk_symbol d;

		get_entry(c, LKPP_TABLE_SYMBOLS, i, &d, sizeof(d));
		ret = get_str(c, d.name, "symbol", i, &s->name);
		if (!ret)
			ret = get_str(c, d.version, "symbol", i, &s->version);
		if (!ret)
			ret = get_str(c, d.library, "symbol", i, &s->library);
		if (ret)
			return ret;
		s->binding = d.binding;
		s->type = d.type;
		s->flags = d.flags;
		s->section = d.section;
		s->value = d.value;
		s->size = d.size;
		if (s->binding < LKPP_SYM_TARGET || s->binding > LKPP_SYM_EXTERNAL)
			return fail(c->err, -EINVAL, "symbol %u (%s): unknown binding %u", i,
				    s->name, s->binding);
		if (s->type > LKPP_STT_TLS)
			return fail(c->err, -EINVAL, "symbol %u (%s): unknown type %u", i,
				    s->name, s->type);
		if (s->flags & ~LKPP_SYM_F_ALL)
			return fail(c->err, -EOPNOTSUPP, "symbol %u (%s): unknown flags 0x%x", i,
				    s->name, s->flags);
		if (d.reserved)
			return fail(c->err, -EINVAL, "symbol %u (%s): reserved field not zero", i,
				    s->name);
		if (s->binding != LKPP_SYM_EXTERNAL && (s->version[0] || s->library[0]))
			return fail(c->err, -EINVAL,
				    "symbol %u (%s): version or library on a non-external symbol",
				    i, s->name);
		if (s->binding != LKPP_SYM_EXTERNAL && (s->flags & LKPP_SYM_F_WEAK))
			return fail(c->err, -EINVAL,
				    "symbol %u (%s): WEAK on a non-external symbol", i, s->name);
		/*
		 * The patch's own code is called directly, and only a function
		 * has a resolver: anything else would be a writer's mistake that
		 * apply must not guess around.
		 */
		if ((s->flags & LKPP_SYM_F_IFUNC) && s->binding == LKPP_SYM_PATCH)
			return fail(c->err, -EINVAL, "symbol %u (%s): IFUNC on a patch symbol",
				    i, s->name);
		if ((s->flags & LKPP_SYM_F_IFUNC) && s->type != LKPP_STT_FUNC)
			return fail(c->err, -EINVAL,
				    "symbol %u (%s): IFUNC on a symbol of type %u, only FUNC (%u) has a resolver",
				    i, s->name, s->type, LKPP_STT_FUNC);
		if (s->binding != LKPP_SYM_PATCH && s->section)
			return fail(c->err, -EINVAL, "symbol %u (%s): section on a non-patch symbol",
				    i, s->name);
		if (s->binding == LKPP_SYM_PATCH) {
			const struct lkpp_section *sec;

			if (s->section >= p->nr_sections)
				return fail(c->err, -EINVAL, "symbol %u (%s): section %u of %u",
					    i, s->name, s->section, p->nr_sections);
			sec = &p->sections[s->section];
			if (s->type == LKPP_STT_TLS)
				return fail(c->err, -EINVAL,
					    "symbol %u (%s): a patch cannot define TLS", i, s->name);
			if (s->value > sec->size || s->size > sec->size - s->value)
				return fail(c->err, -EINVAL,
					    "symbol %u (%s): %llu bytes at %llu outside section %u (%llu bytes)",
					    i, s->name, (unsigned long long)s->size,
					    (unsigned long long)s->value, s->section,
					    (unsigned long long)sec->size);
		}
		if (s->binding == LKPP_SYM_EXTERNAL && (!s->name[0] || s->value))
			return fail(c->err, -EINVAL,
				    "symbol %u: external symbol needs a name and value 0", i);
	}
	return 0;
}

static int check_relocs(struct lkpp_ctx *c, struct lkpp_patch *p)
{
	const struct lkpp_disk_table *t = c->tab[LKPP_TABLE_RELOCS];
	uint32_t i, n = t ? t->count : 0, other;
	struct lkpp_range *r;
	int64_t bad;
	int ret = -EINVAL;

	p->relocs = calloc(n ? n : 1, sizeof(*p->relocs));
	r = calloc(n ? n : 1, sizeof(*r));
	if (!p->relocs || !r) {
		free(r);
		return fail(c->err, -ENOMEM, "out of memory");
	}
	p->nr_relocs = n;
	for (i = 0; i < n; i++) {
		struct lkpp_reloc *rel = &p->relocs[i];
		const struct lkpp_section *s;
		struct lkpp_disk_reloc d;
		int ti;

		get_entry(c, LKPP_TABLE_RELOCS, i, &d, sizeof(d));
		rel->offset = d.offset;
		rel->section = d.section;
		rel->type = d.type;
		rel->symbol = d.symbol;
		rel->addend = d.addend;
		ti = reloc_type_index(rel->type);
		if (ti < 0) {
			ret = fail(c->err, -EOPNOTSUPP, "reloc %u: relocation type %u not supported",
				   i, rel->type);
			goto out;
		}
		if (d.reserved) {
			fail(c->err, ret, "reloc %u: reserved field not zero", i);
			goto out;
		}
		if (rel->section >= p->nr_sections ||
		    p->sections[rel->section].kind == LKPP_SEC_BSS) {
			fail(c->err, ret, "reloc %u: section %u is not a section with bytes",
			     i, rel->section);
			goto out;
		}
		s = &p->sections[rel->section];
		if (rel->offset > s->size || reloc_types[ti].width > s->size - rel->offset) {
			fail(c->err, ret, "reloc %u: %u bytes at %llu outside section %u (%llu bytes)",
			     i, reloc_types[ti].width, (unsigned long long)rel->offset,
			     rel->section, (unsigned long long)s->size);
			goto out;
		}
		if (rel->symbol >= p->nr_symbols) {
			fail(c->err, ret, "reloc %u: symbol %u of %u", i, rel->symbol,
			     p->nr_symbols);
			goto out;
		}
		if (reloc_types[ti].tls != (p->symbols[rel->symbol].type == LKPP_STT_TLS)) {
			fail(c->err, ret, "reloc %u: type %u %s a TLS symbol, symbol %u (%s) is %s",
			     i, rel->type, reloc_types[ti].tls ? "needs" : "cannot take",
			     rel->symbol, p->symbols[rel->symbol].name,
			     reloc_types[ti].tls ? "not" : "one");
			goto out;
		}
		r[i] = (struct lkpp_range){ rel->section, rel->offset, reloc_types[ti].width, i };
	}
	bad = find_overlap(r, n, &other);
	if (bad >= 0) {
		fail(c->err, ret, "reloc %u overlaps reloc %u", (uint32_t)bad, other);
		goto out;
	}
	ret = 0;
out:
	free(r);
	return ret;
}

static int u64_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/*
 * Call sites (1.2): each rewrite is 5 bytes in the target's code, so none
 * may touch another or the jump written at an old entry (the two writes
 * would overwrite each other). Sorted by offset, the overlap checks are a
 * comparison with the previous site and a binary search in the entries.
 */
static int check_callsites(struct lkpp_ctx *c, struct lkpp_patch *p)
{
	const struct lkpp_disk_table *t = c->tab[LKPP_TABLE_CALLSITES];
	uint32_t i, n = t ? t->count : 0, k, ne = 0;
	uint64_t *entry;
	int ret = -EINVAL;

	p->callsites = calloc(n ? n : 1, sizeof(*p->callsites));
	entry = calloc(p->nr_funcs, sizeof(*entry));
	if (!p->callsites || !entry) {
		free(entry);
		return fail(c->err, -ENOMEM, "out of memory");
	}
	p->nr_callsites = n;
	for (k = 0; k < p->nr_funcs; k++)
		if (!(p->funcs[k].flags & LKPP_FUNC_F_NEW))
			entry[ne++] = p->funcs[k].old_offset;
	qsort(entry, ne, sizeof(*entry), u64_cmp);
	for (i = 0; i < n; i++) {
		struct lkpp_callsite *cs = &p->callsites[i];
		struct lkpp_disk_callsite d;
		uint32_t lo = 0, hi = ne;
		int64_t disp;

		get_entry(c, LKPP_TABLE_CALLSITES, i, &d, sizeof(d));
		cs->offset = d.offset;
		cs->func = d.func;
		cs->kind = d.kind;
		if (cs->kind != LKPP_CALLSITE_CALL && cs->kind != LKPP_CALLSITE_JMP) {
			ret = fail(c->err, -EOPNOTSUPP, "callsite %u: unknown kind %u", i, cs->kind);
			goto out;
		}
		if (cs->func >= p->nr_funcs || (p->funcs[cs->func].flags & LKPP_FUNC_F_NEW)) {
			fail(c->err, ret, "callsite %u: func %u is not a replaced function of %u",
			     i, cs->func, p->nr_funcs);
			goto out;
		}
		if (cs->offset > UINT64_MAX - LKPP_JMP_SIZE) {
			fail(c->err, ret, "callsite %u: offset 0x%llx wraps around", i,
			     (unsigned long long)cs->offset);
			goto out;
		}
		if (i && cs->offset < p->callsites[i - 1].offset + LKPP_JMP_SIZE) {
			fail(c->err, ret, "callsite %u at 0x%llx: not sorted, or overlaps callsite %u",
			     i, (unsigned long long)cs->offset, i - 1);
			goto out;
		}
		disp = (int64_t)(p->funcs[cs->func].old_offset - (cs->offset + LKPP_JMP_SIZE));
		if (disp < INT32_MIN || disp > INT32_MAX) {
			fail(c->err, ret, "callsite %u at 0x%llx: func %u (%s) is beyond rel32 reach",
			     i, (unsigned long long)cs->offset, cs->func, p->funcs[cs->func].name);
			goto out;
		}
		/* The last entry at or below the site's last byte. */
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;

			if (entry[mid] <= cs->offset + LKPP_JMP_SIZE - 1)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* entry + 5 cannot wrap: FUNCS checked every old range. */
		if (lo && entry[lo - 1] + LKPP_JMP_SIZE > cs->offset) {
			fail(c->err, ret, "callsite %u at 0x%llx overlaps the jump at an old entry (0x%llx)",
			     i, (unsigned long long)cs->offset, (unsigned long long)entry[lo - 1]);
			goto out;
		}
	}
	ret = 0;
out:
	free(entry);
	return ret;
}

/*
 * Movable functions (1.3): apply may link such a function's new code at its
 * old address and write it over the old code. Each entry names a replaced
 * function once; sorted, so a duplicate is the previous entry.
 */
static int check_movable(struct lkpp_ctx *c, struct lkpp_patch *p)
{
	const struct lkpp_disk_table *t = c->tab[LKPP_TABLE_MOVABLE];
	uint32_t i, n = t ? t->count : 0;

	for (i = 0; i < n; i++) {
		struct lkpp_disk_movable d, prev;

		get_entry(c, LKPP_TABLE_MOVABLE, i, &d, sizeof(d));
		if (d.reserved)
			return fail(c->err, -EINVAL, "movable %u: reserved field is 0x%x, not zero",
				    i, d.reserved);
		if (d.func >= p->nr_funcs || (p->funcs[d.func].flags & LKPP_FUNC_F_NEW))
			return fail(c->err, -EINVAL,
				    "movable %u: func %u is not a replaced function of %u",
				    i, d.func, p->nr_funcs);
		if (i) {
			get_entry(c, LKPP_TABLE_MOVABLE, i - 1, &prev, sizeof(prev));
			if (d.func <= prev.func)
				return fail(c->err, -EINVAL,
					    "movable %u: func %u not sorted, or listed twice", i,
					    d.func);
		}
		p->funcs[d.func].movable = true;
	}
	return 0;
}

/*
 * Superseded patches (1.4): each named once by its id, sorted by id, so a
 * duplicate is the previous entry.
 */
static int check_supersedes(struct lkpp_ctx *c, struct lkpp_patch *p)
{
	const struct lkpp_disk_table *t = c->tab[LKPP_TABLE_SUPERSEDES];
	uint32_t i, n = t ? t->count : 0;
	int ret;

	if (!n)
		return 0;
	p->supersedes = calloc(n, sizeof(*p->supersedes));
	if (!p->supersedes)
		return fail(c->err, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		struct lkpp_disk_supersedes d;

		get_entry(c, LKPP_TABLE_SUPERSEDES, i, &d, sizeof(d));
		if (d.reserved)
			return fail(c->err, -EINVAL,
				    "supersedes %u: reserved field is 0x%x, not zero", i, d.reserved);
		if (i && d.patch_id <= p->supersedes[i - 1].patch_id)
			return fail(c->err, -EINVAL,
				    "supersedes %u: patch id %016llx not sorted, or listed twice",
				    i, (unsigned long long)d.patch_id);
		ret = get_str(c, d.name, "supersedes", i, &p->supersedes[i].name);
		if (ret)
			return ret;
		p->supersedes[i].patch_id = d.patch_id;
		p->nr_supersedes = i + 1;
	}
	return 0;
}

/*
 * Unwind information (1.5): each entry names a RODATA section holding
 * .eh_frame data for the new code; sorted, so a duplicate is the previous
 * entry. Its contents are the apply side's to parse (ehframe.c).
 */
static int check_unwind(struct lkpp_ctx *c, struct lkpp_patch *p)
{
	const struct lkpp_disk_table *t = c->tab[LKPP_TABLE_UNWIND];
	uint32_t i, n = t ? t->count : 0;

	for (i = 0; i < n; i++) {
		struct lkpp_disk_unwind d, prev;

		get_entry(c, LKPP_TABLE_UNWIND, i, &d, sizeof(d));
		if (d.reserved)
			return fail(c->err, -EINVAL, "unwind %u: reserved field is 0x%x, not zero",
				    i, d.reserved);
		if (d.section >= p->nr_sections || p->sections[d.section].kind != LKPP_SEC_RODATA)
			return fail(c->err, -EINVAL,
				    "unwind %u: section %u is not a read-only data section of %u",
				    i, d.section, p->nr_sections);
		if (i) {
			get_entry(c, LKPP_TABLE_UNWIND, i - 1, &prev, sizeof(prev));
			if (d.section <= prev.section)
				return fail(c->err, -EINVAL,
					    "unwind %u: section %u not sorted, or listed twice", i,
					    d.section);
		}
		p->sections[d.section].unwind = true;
	}
	return 0;
}

void lkpp_callsite_bytes(const struct lkpp_patch *p, const struct lkpp_callsite *cs, uint8_t *buf)
{
	int32_t rel = (int32_t)(p->funcs[cs->func].old_offset - (cs->offset + LKPP_JMP_SIZE));

	buf[0] = cs->kind == LKPP_CALLSITE_CALL ? 0xe8 : 0xe9;
	buf[1] = rel & 0xff;
	buf[2] = (rel >> 8) & 0xff;
	buf[3] = (rel >> 16) & 0xff;
	buf[4] = (rel >> 24) & 0xff;
}

void lkpp_free(struct lkpp_patch *p)
{
	if (!p)
		return;
	free(p->sections);
	free(p->funcs);
	free(p->symbols);
	free(p->relocs);
	free(p->callsites);
	free(p->supersedes);
	free(p->file);
	free(p);
}

int lkpp_parse(const void *buf, size_t len, struct lkpp_patch **out, char *err)
{
	struct lkpp_disk_header h;
	struct lkpp_patch *p;
	struct lkpp_ctx *c;
	int ret;

	*out = NULL;
	if (err)
		err[0] = '\0';
	if (len < LKPP_MAGIC_SIZE || memcmp(buf, LKPP_MAGIC, LKPP_MAGIC_SIZE))
		return fail(err, -ENOEXEC, "not an lkp patch file (bad magic)");
	if (len > LKPP_MAX_FILE_SIZE)
		return fail(err, -EFBIG, "%zu bytes, larger than %llu", len, LKPP_MAX_FILE_SIZE);
	if (len < sizeof(h))
		return fail(err, -EBADMSG, "truncated: %zu bytes, the header alone needs %zu",
			    len, sizeof(h));

	c = calloc(1, sizeof(*c));
	p = calloc(1, sizeof(*p));
	if (!c || !p || !(p->file = malloc(len))) {
		ret = fail(err, -ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(p->file, buf, len);
	c->file = p->file;
	c->len = len;
	c->err = err;
	ret = check_header(c, &h);
	if (!ret)
		ret = check_tables(c, &h);
	if (!ret)
		ret = check_strtab(c);
	if (!ret)
		ret = get_str(c, h.target_name, "header target_name", 0, &p->target_name);
	if (!ret)
		ret = check_sections(c, p);
	if (!ret)
		ret = check_funcs(c, p);
	if (!ret)
		ret = check_symbols(c, p);
	if (!ret)
		ret = check_relocs(c, p);
	if (!ret)
		ret = check_callsites(c, p);
	if (!ret)
		ret = check_movable(c, p);
	if (!ret)
		ret = check_supersedes(c, p);
	if (!ret)
		ret = check_unwind(c, p);
	if (ret)
		goto fail;
	p->version_major = h.version_major;
	p->version_minor = h.version_minor;
	p->target_type = h.target_type;
	p->arch = h.arch;
	p->build_id_size = h.build_id_size;
	memcpy(p->build_id, h.build_id, sizeof(p->build_id));
	p->file_size = len;
	free(c);
	*out = p;
	return 0;
fail:
	free(c);
	lkpp_free(p);
	return ret;
}

int lkpp_load(const char *path, struct lkpp_patch **out, char *err)
{
	struct stat st;
	size_t done = 0;
	uint8_t *buf;
	ssize_t n;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, -errno, "cannot open");
	if (fstat(fd, &st)) {
		ret = fail(err, -errno, "cannot stat");
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = fail(err, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL, "not a regular file");
		goto out_close;
	}
	if ((uint64_t)st.st_size > LKPP_MAX_FILE_SIZE) {
		ret = fail(err, -EFBIG, "%lld bytes, larger than %llu", (long long)st.st_size,
			   LKPP_MAX_FILE_SIZE);
		goto out_close;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		ret = fail(err, -ENOMEM, "out of memory");
		goto out_close;
	}
	while (done < (size_t)st.st_size) {
		n = read(fd, buf + done, st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = fail(err, -errno, "read error");
			goto out_free;
		}
		if (!n)
			break;
		done += n;
	}
	ret = lkpp_parse(buf, done, out, err);
out_free:
	free(buf);
out_close:
	close(fd);
	return ret;
}
