// SPDX-License-Identifier: GPL-2.0
/* info.c: `lkpctl info [--json] [-v] PATCH`: decode a patch file. */
#include <elf.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lkpctl.h"
#include "lkpp.h"
#include "out.h"

static const char info_usage[] =
	"usage: lkpctl [--json] info [--json] [-v] PATCH\n"
	"\n"
	"Decode and validate a patch file (.lkpp): the target's build-id and the\n"
	"functions the patch replaces or adds. A malformed file is an error naming\n"
	"what is wrong; the exit status is then 1 (2 for a usage error).\n"
	"\n"
	"  -j, --json     one JSON object: build_id, target, sections (\"unwind\":true:\n"
	"                 the new code's .eh_frame), functions\n"
	"                 (name, old_offset, old_size, new_offset, new_size, new, movable),\n"
	"                 symbols (\"ifunc\":true: the value is an IFUNC resolver),\n"
	"                 relocations and callsites (offset, func, kind), id (the\n"
	"                 patch id lkpctl list shows) and supersedes (id, name: the\n"
	"                 patches this cumulative one replaces)\n"
	"  -v, --verbose  also list sections, symbols (type \"ifunc\": the value is\n"
	"                 an IFUNC resolver), relocations and call sites\n"
	"  -h, --help     this text\n";

static const char *const sec_kinds[] = {
	[LKPP_SEC_TEXT] = "text", [LKPP_SEC_RODATA] = "rodata",
	[LKPP_SEC_DATA] = "data", [LKPP_SEC_BSS] = "bss",
};
static const char *const sym_bindings[] = {
	[LKPP_SYM_TARGET] = "target", [LKPP_SYM_PATCH] = "patch",
	[LKPP_SYM_EXTERNAL] = "external",
};
static const char *const sym_types[] = {
	[LKPP_STT_NOTYPE] = "notype", [LKPP_STT_FUNC] = "func",
	[LKPP_STT_OBJECT] = "object", [LKPP_STT_TLS] = "tls",
};

static const char *const callsite_kinds[] = {
	[LKPP_CALLSITE_CALL] = "call", [LKPP_CALLSITE_JMP] = "jmp",
};

static const char *target_type_name(uint16_t t)
{
	return t == ET_EXEC ? "executable" : "shared object or PIE";
}

static void print_json(const char *path, const struct lkpp_patch *p, const char *build_id)
{
	uint32_t i;

	printf("{\"file\":");
	lkp_json_str(stdout, path);
	printf(",\"format_version\":\"%u.%u\",\"size\":%" PRIu64 ",\"build_id\":\"%s\",\"target\":",
	       p->version_major, p->version_minor, p->file_size, build_id);
	lkp_json_str(stdout, p->target_name);
	printf(",\"target_type\":\"%s\",\"sections\":[", p->target_type == ET_EXEC ? "exec" : "dyn");
	for (i = 0; i < p->nr_sections; i++) {
		const struct lkpp_section *s = &p->sections[i];

		printf("%s{\"name\":", i ? "," : "");
		lkp_json_str(stdout, s->name);
		printf(",\"kind\":\"%s\",\"size\":%" PRIu64 ",\"align\":%u%s}",
		       sec_kinds[s->kind], s->size, s->align, s->unwind ? ",\"unwind\":true" : "");
	}
	printf("],\"functions\":[");
	for (i = 0; i < p->nr_funcs; i++) {
		const struct lkpp_func *f = &p->funcs[i];

		printf("%s{\"name\":", i ? "," : "");
		lkp_json_str(stdout, f->name);
		printf(",\"old_offset\":%" PRIu64 ",\"old_size\":%" PRIu64 ",\"section\":%u"
		       ",\"new_offset\":%" PRIu64 ",\"new_size\":%" PRIu64 ",\"new\":%s"
		       ",\"movable\":%s}",
		       f->old_offset, f->old_size, f->section, f->new_offset, f->new_size,
		       f->flags & LKPP_FUNC_F_NEW ? "true" : "false",
		       f->movable ? "true" : "false");
	}
	printf("],\"symbols\":[");
	for (i = 0; i < p->nr_symbols; i++) {
		const struct lkpp_symbol *s = &p->symbols[i];

		printf("%s{\"name\":", i ? "," : "");
		lkp_json_str(stdout, s->name);
		printf(",\"binding\":\"%s\",\"type\":\"%s\"", sym_bindings[s->binding],
		       sym_types[s->type]);
		/* Where the flag is allowed, always present: scripts need not guess. */
		if (s->binding != LKPP_SYM_PATCH)
			printf(",\"ifunc\":%s", s->flags & LKPP_SYM_F_IFUNC ? "true" : "false");
		if (s->binding == LKPP_SYM_PATCH)
			printf(",\"section\":%u", s->section);
		if (s->binding == LKPP_SYM_EXTERNAL) {
			printf(",\"version\":");
			lkp_json_str(stdout, s->version);
			printf(",\"library\":");
			lkp_json_str(stdout, s->library);
			printf(",\"weak\":%s", s->flags & LKPP_SYM_F_WEAK ? "true" : "false");
		} else {
			printf(",\"value\":%" PRIu64, s->value);
		}
		printf(",\"size\":%" PRIu64 "}", s->size);
	}
	printf("],\"relocations\":[");
	for (i = 0; i < p->nr_relocs; i++) {
		const struct lkpp_reloc *r = &p->relocs[i];

		printf("%s{\"section\":%u,\"offset\":%" PRIu64 ",\"type\":\"R_X86_64_%s\""
		       ",\"symbol\":%u,\"addend\":%" PRId64 "}", i ? "," : "", r->section,
		       r->offset, lkpp_reloc_name(r->type), r->symbol, r->addend);
	}
	printf("],\"id\":\"%016" PRIx64 "\",\"supersedes\":[", lkpp_file_id(p->file, p->file_size));
	for (i = 0; i < p->nr_supersedes; i++) {
		printf("%s{\"id\":\"%016" PRIx64 "\",\"name\":", i ? "," : "",
		       p->supersedes[i].patch_id);
		lkp_json_str(stdout, p->supersedes[i].name);
		printf("}");
	}
	printf("],\"callsites\":[");
	for (i = 0; i < p->nr_callsites; i++) {
		const struct lkpp_callsite *cs = &p->callsites[i];

		printf("%s{\"offset\":%" PRIu64 ",\"func\":%u,\"kind\":\"%s\"}", i ? "," : "",
		       cs->offset, cs->func, callsite_kinds[cs->kind]);
	}
	printf("]}\n");
}

static void print_plain(const char *path, const struct lkpp_patch *p, const char *build_id,
			bool verbose)
{
	uint32_t i;

	printf("patch:     %s (format %u.%u, %" PRIu64 " bytes)\n", path, p->version_major,
	       p->version_minor, p->file_size);
	printf("target:    %s (%s)\n", p->target_name[0] ? p->target_name : "(unnamed)",
	       target_type_name(p->target_type));
	printf("build-id:  %s\n", build_id);
	/* the id `lkpctl list` shows once it is live */
	printf("id:        %016" PRIx64 "\n", lkpp_file_id(p->file, p->file_size));
	for (i = 0; i < p->nr_supersedes; i++)
		printf("supersedes: %016" PRIx64 "%s%s%s\n", p->supersedes[i].patch_id,
		       *p->supersedes[i].name ? " (" : "", p->supersedes[i].name,
		       *p->supersedes[i].name ? ")" : "");
	printf("functions: %u\n", p->nr_funcs);
	printf("  %-18s %-10s %-10s %s\n", "OLD_OFFSET", "OLD_SIZE", "NEW_SIZE", "NAME");
	for (i = 0; i < p->nr_funcs; i++) {
		const struct lkpp_func *f = &p->funcs[i];

		if (f->flags & LKPP_FUNC_F_NEW)
			printf("  %-18s %-10s %-10" PRIu64 " %s (new)\n", "-", "-", f->new_size,
			       f->name);
		else
			printf("  0x%-16" PRIx64 " %-10" PRIu64 " %-10" PRIu64 " %s%s\n",
			       f->old_offset, f->old_size, f->new_size, f->name,
			       f->movable ? " (movable)" : "");
	}
	printf("sections: %u, symbols: %u, relocations: %u, call sites: %u\n", p->nr_sections,
	       p->nr_symbols, p->nr_relocs, p->nr_callsites);
	if (!verbose)
		return;
	printf("\nsections:\n  %-4s %-7s %-10s %-6s %s\n", "IDX", "KIND", "SIZE", "ALIGN", "NAME");
	for (i = 0; i < p->nr_sections; i++) {
		const struct lkpp_section *s = &p->sections[i];

		printf("  %-4u %-7s %-10" PRIu64 " %-6u %s%s\n", i, sec_kinds[s->kind], s->size,
		       s->align, s->name, s->unwind ? " (unwind rules)" : "");
	}
	printf("\nsymbols:\n  %-4s %-9s %-7s %-18s %s\n", "IDX", "BINDING", "TYPE", "VALUE", "NAME");
	for (i = 0; i < p->nr_symbols; i++) {
		const struct lkpp_symbol *s = &p->symbols[i];

		/* An IFUNC's value is its resolver: the one thing a reader must not miss. */
		printf("  %-4u %-9s %-7s ", i, sym_bindings[s->binding],
		       s->flags & LKPP_SYM_F_IFUNC ? "ifunc" : sym_types[s->type]);
		if (s->binding == LKPP_SYM_EXTERNAL)
			printf("%-18s %s%s%s%s%s%s%s\n", "-", s->name, s->version[0] ? "@" : "",
			       s->version, s->library[0] ? " (" : "", s->library,
			       s->library[0] ? ")" : "", s->flags & LKPP_SYM_F_WEAK ? " weak" : "");
		else if (s->binding == LKPP_SYM_PATCH)
			printf("%u:0x%-14" PRIx64 " %s\n", s->section, s->value, s->name);
		else
			printf("0x%-16" PRIx64 " %s\n", s->value, s->name);
	}
	printf("\nrelocations:\n  %-4s %-20s %-16s %s\n", "SEC", "OFFSET", "TYPE", "SYMBOL+ADDEND");
	for (i = 0; i < p->nr_relocs; i++) {
		const struct lkpp_reloc *r = &p->relocs[i];

		printf("  %-4u 0x%-18" PRIx64 " %-16s %s%+" PRId64 "\n", r->section, r->offset,
		       lkpp_reloc_name(r->type), p->symbols[r->symbol].name, r->addend);
	}
	if (!p->nr_callsites)
		return;
	printf("\ncall sites:\n  %-18s %-5s %s\n", "OFFSET", "KIND", "FUNCTION");
	for (i = 0; i < p->nr_callsites; i++) {
		const struct lkpp_callsite *cs = &p->callsites[i];

		printf("  0x%-16" PRIx64 " %-5s %s\n", cs->offset, callsite_kinds[cs->kind],
		       p->funcs[cs->func].name);
	}
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[LKPP_ERR_SIZE], build_id[2 * LKPP_BUILD_ID_MAX + 1];
	struct lkpp_patch *p;
	bool verbose = false;
	int c, ret;

	optind = 0;	/* 0, not 1: also resets main()'s "+" (stop at the first operand) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jvh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			lkp_json = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(info_usage, stdout);
			return 0;
		default:
			lkp_error(argv[optind - 1], EINVAL, "unknown option; see lkpctl info --help");
			return LKPCTL_USAGE;
		}
	}
	if (argc - optind != 1) {
		lkp_error("info", EINVAL, "expects one PATCH file; see lkpctl info --help");
		return LKPCTL_USAGE;
	}
	ret = lkpp_load(argv[optind], &p, err);
	if (ret) {
		lkp_error(argv[optind], ret, "%s", err);
		return ret;
	}
	lkpp_build_id_hex(p->build_id, p->build_id_size, build_id);
	if (lkp_json)
		print_json(argv[optind], p, build_id);
	else
		print_plain(argv[optind], p, build_id, verbose);
	lkpp_free(p);
	return 0;
}
