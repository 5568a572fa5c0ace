// SPDX-License-Identifier: GPL-2.0
/* lkp-gensrc: compares the original and patched GCC assembler of one source file and emits patch sections. */

/*
 * lkp-gensrc ORIG.s PATCHED.s -o OUT.s
 *
 * The input is what GCC 12 (x86-64, AT&T syntax) writes for one translation
 * unit, once from the original source and once from the patched one. The
 * output is the ORIGINAL assembler, byte for byte, followed by non-allocated
 * ".lkp.*" sections holding the code of every changed and new function, the
 * data it needs, and a table saying which old function each new body
 * replaces. Assembling OUT.s therefore gives an object whose original
 * sections are identical to the original build's: the final link places
 * every unchanged byte exactly where the original binary has it, and the
 * patch is a pure addition beside it (docs/patchgen.md has the format).
 *
 * The phases, in the order main() runs them:
 *
 *  1. parse: split each file into sections and, within them, blocks: a
 *     function (from its label to its ".size"), a named data object (from its
 *     label to the next label or section switch), an anonymous data block
 *     (a ".L" label in a data section: string literals, jump tables,
 *     constants) or the unlabelled data of a section (".init_array"
 *     entries). Lines of one block may be interleaved with other sections:
 *     GCC writes jump tables in the middle of a function.
 *
 *  2. match: pair the symbols of both files by canonical name. GCC numbers
 *     clones and static locals with a counter that shifts when the source
 *     changes: "foo.isra.0", "foo.constprop.1", "count.3", "CSWTCH.12". The
 *     canonical name replaces every ".<digits>" component with ".N"
 *     ("foo.constprop.N"), and symbols sharing a canonical name are paired
 *     in order of appearance; numbered data first by the function that
 *     uses it, so that two static locals "ticket" of two functions keep
 *     their owners. A "foo.cold" part belongs to "foo" and is compared and
 *     emitted with it.
 *
 *  3. compare: normalise each function and compare the twins. Normalising
 *     drops what does not reach the code bytes (.loc, .file, .cfi_*, debug
 *     labels such as .LVL3 or .LFB7), renames local code labels by order of
 *     first use (".L123" -> "L0"), replaces a reference to an anonymous data
 *     block by that block's normalised content (so ".LC4" and ".LC7" holding
 *     the same string compare equal), and a reference to a symbol of the
 *     file by its canonical name and match id (the same for twins). Worked
 *     example:
 *
 *         orig:  leaq .LC3(%rip), %rdi          patched: leaq .LC5(%rip), %rdi
 *                call helper.isra.0                      call helper.isra.1
 *         both:  leaq D0(%rip), %rdi  +  D0: .string "hi"
 *                call helper.isra.N#3      (3: the pair's match id)
 *
 *     Twins that still differ only in immediates that equal the line number
 *     of their own statement (orig "movl $41, %edx" at line 41, patched
 *     "movl $43, %edx" at line 43: __LINE__ passed to __assert_fail after
 *     two lines were added above) are SAME: the old code only reports an old
 *     line number. A function's LSDA (its part of .gcc_except_table) is
 *     compared with it like the anonymous data it references: a new catch
 *     clause may change only the type table. Functions are SAME, CHANGED
 *     or NEW; data is SAME or NEW.
 *
 *  4. check: refuse what a jump at the old entry cannot patch: existing
 *     data whose section, size, alignment or initial value changed (the
 *     running process keeps the old layout and values), a changed function
 *     shorter than the 5-byte jmp rel32 (sizes come from assembling
 *     ORIG.s), a removed variable other objects or unchanged code may still
 *     reference, a new thread-local variable (running threads have no room
 *     for it), changed unlabelled data (a new constructor), unwind rules
 *     or an exception table the patch's copy could not describe exactly
 *     (check_cfi(), check_eh()). Every
 *     refusal names the symbol and the reason; all are printed, then the
 *     exit status is 1.
 *
 *  5. emit: ORIG.s verbatim, then the new code in .lkp.text, the data it
 *     references in .lkp.rodata/.lkp.data/.lkp.bss, the function table in
 *     .lkp.funcs and names in .lkp.strtab. Every symbol the patch defines
 *     is a ".Llkp" local label, so nothing new reaches the final symbol
 *     table. References from new code go to the original symbol for SAME
 *     functions and data, and straight to the new body for CHANGED and NEW
 *     ones. CFI and line directives are left out of the new code: in a
 *     non-allocated section they would make gas add to .eh_frame and
 *     .debug_line, changing original sections. cfi.c writes the rules into
 *     .lkp.eh_frame instead; a function with landing pads gets a copy of
 *     its LSDA in .lkp.rodata and a CIE naming its personality routine.
 */

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cfi.h"

#define LKP_GENSRC_VERSION	1
#define LKP_FUNC_ENTSIZE	40
#define LKP_VAR_ENTSIZE		24
#define LKP_FUNC_NEW		0x1
#define LKP_JMP_SIZE		5

enum lkp_status { SAME, CHANGED, NEW, REMOVED };
static const char *const status_names[] = { "SAME", "CHANGED", "NEW", "REMOVED" };

enum block_kind {
	BLK_FUNC,	/* named function, or its .cold part */
	BLK_DATA,	/* named data object (also .comm) */
	BLK_ANON,	/* .L-labelled data: literals, jump tables, constants */
	BLK_ORPHAN,	/* unlabelled data of one section */
};

struct section {
	char *name;
	char *flags;
	bool exec;
	bool bss;
	bool tls;
	int open_func;		/* block index of the function being read, or -1 */
	int open_data;		/* block index of the data block being read, or -1 */
	int orphan;		/* block index of the unlabelled data, or -1 */
	const char *align;	/* last alignment directive since the last label */
	int eh_pending[2];	/* .cfi_personality/.cfi_lsda lines before a .cold label */
	int neh_pending;
};

struct line {
	char *text;		/* without the trailing newline */
	int sec;		/* section the line is in, -1 for switches */
};

struct block {
	char *name;
	enum block_kind kind;
	int sec;
	int *lines;		/* indexes into asmfile.lines, in order */
	int nlines;
	int cap;
	const char *align;
	bool global;
	bool is_func_type;
	bool closed;
	char *canon;		/* canonical name, see phase 2 */
	const char *owner;	/* numbered data: canon of the first function using it */
	int mid;		/* match id: equal for twins, unique otherwise */
	int alias;		/* ANON label directly followed by another: that block */
	int cold;		/* the .cold part of a function, or -1 */
	int parent;		/* for a .cold part: its function, or -1 */
	struct block *twin;
	enum lkp_status status;
	bool line_churn;	/* SAME only after the __LINE__ rule */
	unsigned long size;	/* orig functions: st_size from assembling ORIG.s */
	char *cfi;		/* emitted functions: their FDE's instructions (assembler) */
	size_t cfi_len;
	bool emit;		/* ANON blocks the patch needs a copy of */
	bool emitted;
};

struct asmfile {
	const char *path;
	struct line *lines;
	int nlines;
	struct section *secs;
	int nsecs;
	struct block *blocks;
	int nblocks;
	char **globals;		/* names seen in .globl/.weak */
	int nglobals;
};

/* One normalised line and the source line its statement came from. */
struct nline {
	char *text;
	int srcline;
};

struct norm {
	struct nline *v;
	int n;
	int cap;
	char **labels;		/* local code labels, index = canonical number */
	int nlabels;
	int *anon;		/* ANON blocks referenced, index = D number */
	int nanon;
	int srcline;
};

static const char *prog = "lkp-gensrc";
static int refusals;

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		fprintf(stderr, "%s: out of memory\n", prog);
		abort();
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "%s: out of memory\n", prog);
		abort();
	}
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	return p;
}

static char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

static __attribute__((format(printf, 2, 3)))
void refuse(const char *sym, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: cannot patch '%s': ", prog, sym);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	refusals++;
}

/* ---- phase 1: parse ------------------------------------------------- */

static bool is_ident_start(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '.';
}

static bool is_ident_char(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The first word of a statement: a directive or mnemonic. */
static size_t word_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != ',')
		n++;
	return n;
}

static bool word_is(const char *s, const char *w)
{
	size_t n = strlen(w);

	return !strncmp(s, w, n) && (s[n] == 0 || s[n] == ' ' || s[n] == '\t');
}

/* A label definition at the start of the line: returns its length or 0. */
static size_t label_len(const char *s)
{
	size_t n = 0;

	if (!is_ident_start(s[0]))
		return 0;
	while (is_ident_char(s[n]))
		n++;
	return s[n] == ':' ? n : 0;
}

/*
 * Labels only debug information and unwind tables refer to. They are
 * dropped from the comparison so that an extra .LVL in the patched file does
 * not shift the numbering of real jump targets.
 */
static bool is_debug_label(const char *s, size_t n)
{
	static const char *const pfx[] = {
		".LVL", ".LBB", ".LBE", ".LFB", ".LFE", ".LFSB", ".LHOT", ".LCOLD",
		".Ldebug", ".Letext", ".Ltext", ".LVU", ".LLST", ".LASF", ".LLRL",
		".LEHB", ".LEHE", ".LLSDA", ".LCFI", ".Lframe", ".LSCFI", ".LECIE",
		".LSFDE", ".LEFDE", ".LASFDE", ".Lline", ".LELT", ".Lskip",
	};
	size_t i;

	for (i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
		size_t l = strlen(pfx[i]);

		if (n > l && !strncmp(s, pfx[i], l))
			return true;
	}
	return false;
}

static bool is_local_label(const char *s)
{
	return s[0] == '.' && s[1] == 'L';
}

/*
 * The debug labels an exception table refers to, kept in the patch's copy
 * of a function and its LSDA: call-site ranges (.LEHB/.LEHE) and the
 * LSDA's own (.LLSDA...: its start, call-site and type table bounds).
 */
static bool is_eh_label(const char *s, size_t n)
{
	return (n > 5 && (!strncmp(s, ".LEHB", 5) || !strncmp(s, ".LEHE", 5))) ||
	       (n > 6 && !strncmp(s, ".LLSDA", 6));
}

/* ".LLSDA12:" or ".LLSDAC12:" (a .cold part's): where one LSDA starts. */
static bool is_lsda_head(const char *s, size_t n)
{
	size_t i = 6;

	if (n <= i || strncmp(s, ".LLSDA", i))
		return false;
	if (s[i] == 'C')
		i++;
	if (i == n)
		return false;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Directives that never change code or data bytes of the text sections. */
static bool is_dropped_directive(const char *s)
{
	return !strncmp(s, ".cfi_", 5) || word_is(s, ".loc") || word_is(s, ".file") ||
	       word_is(s, ".ident") || word_is(s, ".loc_mark_labels") || s[0] == '#';
}

/*
 * Sections whose content follows from the code and is not compared: debug
 * information, notes, C++ exception tables (their labels are dropped too).
 */
static bool ignored_section(const char *name)
{
	return !strncmp(name, ".debug", 6) || !strncmp(name, ".note", 5) ||
	       !strcmp(name, ".comment") || !strncmp(name, ".gcc_except_table", 17) ||
	       !strncmp(name, ".eh_frame", 9);
}

static int find_section(struct asmfile *f, const char *name)
{
	int i;

	for (i = 0; i < f->nsecs; i++)
		if (!strcmp(f->secs[i].name, name))
			return i;
	return -1;
}

static int get_section(struct asmfile *f, const char *name, const char *flags)
{
	struct section *s;
	int i = find_section(f, name);

	if (i >= 0)
		return i;
	f->secs = xrealloc(f->secs, (f->nsecs + 1) * sizeof(*f->secs));
	s = &f->secs[f->nsecs];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->flags = xstrdup(flags ? flags : "");
	s->exec = strchr(s->flags, 'x') || !strncmp(name, ".text", 5) ||
		  !strcmp(name, ".init") || !strcmp(name, ".fini");
	s->bss = !strncmp(name, ".bss", 4) || !strncmp(name, ".tbss", 5) ||
		 !strcmp(name, "*COM*");
	s->tls = strchr(s->flags, 'T') || !strncmp(name, ".tdata", 6) ||
		 !strncmp(name, ".tbss", 5);
	s->open_func = -1;
	s->open_data = -1;
	s->orphan = -1;
	return f->nsecs++;
}

/* ".section NAME,"flags",@type" -> section index */
static int parse_section_directive(struct asmfile *f, const char *args)
{
	const char *p = skip_ws(args), *e;
	char *name, *flags = NULL;
	int i;

	if (*p == '"') {
		e = strchr(p + 1, '"');
		if (!e)
			e = p + strlen(p);
		name = xstrndup(p + 1, e - p - 1);
		p = *e ? e + 1 : e;
	} else {
		e = p;
		while (*e && *e != ',' && *e != ' ' && *e != '\t')
			e++;
		name = xstrndup(p, e - p);
		p = e;
	}
	p = skip_ws(p);
	if (*p == ',') {
		p = skip_ws(p + 1);
		if (*p == '"') {
			e = strchr(p + 1, '"');
			if (e)
				flags = xstrndup(p + 1, e - p - 1);
		}
	}
	i = get_section(f, name, flags);
	free(name);
	free(flags);
	return i;
}

static int new_block(struct asmfile *f, const char *name, size_t n,
		     enum block_kind kind, int sec)
{
	struct block *b;

	f->blocks = xrealloc(f->blocks, (f->nblocks + 1) * sizeof(*f->blocks));
	b = &f->blocks[f->nblocks];
	memset(b, 0, sizeof(*b));
	b->name = xstrndup(name, n);
	b->kind = kind;
	b->sec = sec;
	b->alias = -1;
	b->cold = -1;
	b->parent = -1;
	if (sec >= 0) {
		b->align = f->secs[sec].align;
		f->secs[sec].align = NULL;
	}
	return f->nblocks++;
}

static void block_add(struct block *b, int line)
{
	if (b->nlines == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->lines = xrealloc(b->lines, b->cap * sizeof(int));
	}
	b->lines[b->nlines++] = line;
}

static int find_block(struct asmfile *f, const char *name, size_t n)
{
	int i;

	for (i = 0; i < f->nblocks; i++)
		if (f->blocks[i].kind != BLK_ORPHAN && !strncmp(f->blocks[i].name, name, n) &&
		    !f->blocks[i].name[n])
			return i;
	return -1;
}

/* Index in v[0..nv) of the string equal to the len bytes at s, or -1. */
static int name_index(char **v, int nv, const char *s, size_t len)
{
	int i;

	for (i = 0; i < nv; i++)
		if (!strncmp(v[i], s, len) && !v[i][len])
			return i;
	return -1;
}

static bool name_listed(char **v, int n, const char *name)
{
	return name_index(v, n, name, strlen(name)) >= 0;
}

/* Names declared "@function" before their label (GCC always declares). */
struct typed {
	char **func;
	int nfunc;
};

static bool typed_function(struct typed *t, const char *s, size_t n)
{
	return name_index(t->func, t->nfunc, s, n) >= 0;
}

/* The name argument of ".size NAME, ..." / ".type NAME, ..." / ".comm NAME, ...". */
static char *first_arg(const char *s)
{
	const char *p = skip_ws(s + word_len(s)), *e = p;

	while (*e && *e != ',' && *e != ' ' && *e != '\t')
		e++;
	return xstrndup(p, e - p);
}

static int read_lines(struct asmfile *f)
{
	FILE *fp = fopen(f->path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int err = 0;

	if (!fp) {
		err = -errno;
		fprintf(stderr, "%s: %s: %s\n", prog, f->path, strerror(-err));
		return err;
	}
	while ((n = getline(&buf, &cap, fp)) >= 0) {
		if (n && buf[n - 1] == '\n')
			buf[--n] = 0;
		if (memchr(buf, 0, n)) {
			err = -EINVAL;
			break;
		}
		f->lines = xrealloc(f->lines, (f->nlines + 1) * sizeof(*f->lines));
		f->lines[f->nlines].text = xstrdup(buf);
		f->lines[f->nlines].sec = -1;
		f->nlines++;
	}
	if (!err && ferror(fp))
		err = -EIO;
	if (err)
		fprintf(stderr, "%s: %s: %s\n", prog, f->path,
			err == -EINVAL ? "NUL byte: not assembler text" : strerror(-err));
	free(buf);
	fclose(fp);
	return err;
}

static void close_data(struct asmfile *f, int sec)
{
	if (f->secs[sec].open_data >= 0)
		f->blocks[f->secs[sec].open_data].closed = true;
	f->secs[sec].open_data = -1;
}

/*
 * GCC opens a .cold part's FDE before its label: ".cfi_startproc",
 * ".cfi_personality", ".cfi_lsda", ".type", then the label. The last two
 * directives say where its exception table is: they go to the part's block
 * (after its label), as the main part's own come after its label.
 */
static void take_eh_pending(struct asmfile *f, struct section *sec)
{
	int i;

	for (i = 0; i < sec->neh_pending; i++)
		block_add(&f->blocks[sec->open_func], sec->eh_pending[i]);
	sec->neh_pending = 0;
}

/*
 * GCC writes the LSDA of each function with landing pads (and of its .cold
 * part) into .gcc_except_table (a COMDAT .gcc_except_table.NAME for an
 * inline function), from its label ".LLSDA<n>:" to the next section
 * switch. Each becomes an anonymous block, so that it is compared with its
 * function and copied into the patch like the function's other anonymous
 * data; the parse proper skips the section like debug information.
 */
static void collect_lsdas(struct asmfile *f)
{
	const char *align = NULL;
	int i, sec = -1, lsda = -1;

	for (i = 0; i < f->nlines; i++) {
		const char *s = skip_ws(f->lines[i].text);
		size_t ll;

		if (!*s)
			continue;
		if (f->lines[i].sec != sec) {
			sec = f->lines[i].sec;
			lsda = -1;
			align = NULL;
		}
		if (sec < 0 || strncmp(f->secs[sec].name, ".gcc_except_table", 17))
			continue;
		ll = label_len(s);
		if (ll && is_lsda_head(s, ll)) {
			lsda = new_block(f, s, ll, BLK_ANON, sec);
			f->blocks[lsda].align = align;
			block_add(&f->blocks[lsda], i);
		} else if (lsda >= 0) {
			block_add(&f->blocks[lsda], i);
		} else if (word_is(s, ".align") || word_is(s, ".p2align") ||
			   word_is(s, ".balign")) {
			align = s;
		}
	}
}

/*
 * The symbol of fn's ".cfi_personality" or ".cfi_lsda" (directive d):
 * 1 and sym when fn has one, 0 when none (or "omit"), -EOPNOTSUPP when
 * the directive does not read as GCC writes it.
 */
static int cfi_operand(struct asmfile *f, struct block *fn, const char *d,
		       long *enc, char *sym, size_t size)
{
	int i;

	for (i = 0; i < fn->nlines; i++) {
		const char *s = skip_ws(f->lines[fn->lines[i]].text);

		if (!word_is(s, d))
			continue;
		if (lkp_cfi_pointer(s, enc, sym, size))
			return -EOPNOTSUPP;
		return *sym ? 1 : 0;
	}
	return 0;
}

/* fn's LSDA block; -1: it has none, -ENOENT: not in the file, -EOPNOTSUPP: unreadable. */
static int lsda_of(struct asmfile *f, struct block *fn)
{
	char sym[256];
	long enc;
	int r = cfi_operand(f, fn, ".cfi_lsda", &enc, sym, sizeof(sym)), b;

	if (r <= 0)
		return r < 0 ? r : -1;
	b = find_block(f, sym, strlen(sym));
	if (b < 0 || f->blocks[b].kind != BLK_ANON || !is_lsda_head(sym, strlen(sym)))
		return -ENOENT;
	return b;
}

static int parse_file(struct asmfile *f)
{
	struct typed typed = { 0 };
	int cur, prev, i, err;
	int stack[64], sp = 0;

	err = read_lines(f);
	if (err)
		return err;
	cur = get_section(f, ".text", "ax");
	prev = cur;

	for (i = 0; i < f->nlines; i++) {
		const char *s = skip_ws(f->lines[i].text);
		struct section *sec;
		size_t ll;

		if (!*s)
			continue;
		if (word_is(s, ".text") || word_is(s, ".data") || word_is(s, ".bss")) {
			char nm[8];

			snprintf(nm, sizeof(nm), "%.*s", (int)word_len(s), s);
			prev = cur;
			cur = get_section(f, nm, NULL);
			continue;
		}
		if (word_is(s, ".section") || word_is(s, ".pushsection")) {
			if (word_is(s, ".pushsection") && sp < 64)
				stack[sp++] = cur;
			prev = cur;
			cur = parse_section_directive(f, s + word_len(s));
			continue;
		}
		if (word_is(s, ".popsection")) {
			if (sp) {
				prev = cur;
				cur = stack[--sp];
			}
			continue;
		}
		if (word_is(s, ".previous")) {
			int t = cur;

			cur = prev;
			prev = t;
			continue;
		}
		f->lines[i].sec = cur;
		sec = &f->secs[cur];

		if (word_is(s, ".globl") || word_is(s, ".weak") || word_is(s, ".global")) {
			f->globals = xrealloc(f->globals, (f->nglobals + 1) * sizeof(char *));
			f->globals[f->nglobals++] = first_arg(s);
			continue;
		}
		if (word_is(s, ".type")) {
			char *nm = first_arg(s);

			if (strstr(s, "@function") || strstr(s, "@gnu_indirect_function")) {
				typed.func = xrealloc(typed.func, (typed.nfunc + 1) * sizeof(char *));
				typed.func[typed.nfunc++] = nm;
			} else {
				free(nm);
			}
			continue;
		}
		if (word_is(s, ".comm") || word_is(s, ".lcomm")) {
			char *nm = first_arg(s);
			int c, b;

			if (!*nm || !is_ident_start(*nm)) {
				fprintf(stderr, "%s: %s:%d: bad symbol name in '%s'\n",
					prog, f->path, i + 1, s);
				free(nm);
				return -EINVAL;
			}
			c = get_section(f, "*COM*", "aw");
			b = new_block(f, nm, strlen(nm), BLK_DATA, c);

			block_add(&f->blocks[b], i);
			f->blocks[b].closed = true;
			free(nm);
			continue;
		}
		if (word_is(s, ".size")) {
			char *nm = first_arg(s);

			if (sec->open_func >= 0 && !strcmp(f->blocks[sec->open_func].name, nm)) {
				block_add(&f->blocks[sec->open_func], i);
				f->blocks[sec->open_func].closed = true;
				sec->open_func = -1;
			}
			free(nm);
			continue;
		}
		if (word_is(s, ".align") || word_is(s, ".p2align") || word_is(s, ".balign")) {
			if (sec->open_func >= 0) {
				block_add(&f->blocks[sec->open_func], i);
			} else {
				close_data(f, cur);
				sec->align = s;
			}
			continue;
		}
		if (word_is(s, ".local") || word_is(s, ".hidden") || word_is(s, ".protected") ||
		    word_is(s, ".internal") || word_is(s, ".set") || word_is(s, ".equ") ||
		    word_is(s, ".symver"))
			continue;

		ll = label_len(s);
		if (ll) {
			bool local = is_local_label(s);

			if (sec->exec) {
				if (sec->open_func >= 0) {
					/* a jump target or inline asm label inside the function */
					if (local || !typed_function(&typed, s, ll)) {
						block_add(&f->blocks[sec->open_func], i);
						continue;
					}
					sec->open_func = -1;
				}
				if (local)
					continue;	/* .LCOLDB0 and friends between functions */
				sec->open_func = new_block(f, s, ll, BLK_FUNC, cur);
				f->blocks[sec->open_func].is_func_type =
					name_listed(typed.func, typed.nfunc, f->blocks[sec->open_func].name);
				block_add(&f->blocks[sec->open_func], i);
				take_eh_pending(f, sec);
				continue;
			}
			if ((local && is_debug_label(s, ll)) || ignored_section(sec->name))
				continue;
			{
				int od = sec->open_data, b;

				b = new_block(f, s, ll, local ? BLK_ANON : BLK_DATA, cur);
				/* two labels in a row name the same bytes */
				if (od >= 0 && f->blocks[od].nlines == 1)
					f->blocks[od].alias = b;
				close_data(f, cur);
				sec->open_data = b;
				block_add(&f->blocks[b], i);
			}
			continue;
		}
		if (sec->open_func >= 0) {
			block_add(&f->blocks[sec->open_func], i);
			continue;
		}
		if (sec->exec && (word_is(s, ".cfi_personality") || word_is(s, ".cfi_lsda")) &&
		    sec->neh_pending < 2) {
			sec->eh_pending[sec->neh_pending++] = i;
			continue;
		}
		if (sec->exec || ignored_section(sec->name))
			continue;	/* toplevel asm, debug info, unwind tables */
		if (sec->open_data >= 0) {
			block_add(&f->blocks[sec->open_data], i);
			continue;
		}
		if (is_dropped_directive(s))
			continue;
		if (sec->orphan < 0) {
			char nm[512];

			snprintf(nm, sizeof(nm), "<unlabelled data of %s>", sec->name);
			sec->orphan = new_block(f, nm, strlen(nm), BLK_ORPHAN, cur);
		}
		block_add(&f->blocks[sec->orphan], i);
	}
	collect_lsdas(f);
	for (i = 0; i < f->nblocks; i++) {
		struct block *b = &f->blocks[i];

		b->global = b->kind != BLK_ANON && name_listed(f->globals, f->nglobals, b->name);
		if (b->kind == BLK_FUNC && !b->closed) {
			fprintf(stderr, "%s: %s: function '%s' has no .size directive\n",
				prog, f->path, b->name);
			return -EINVAL;
		}
	}
	for (i = 0; i < typed.nfunc; i++)
		free(typed.func[i]);
	free(typed.func);
	return 0;
}

/* ---- phase 2: match ------------------------------------------------- */

/* "foo.constprop.0.isra.1" -> "foo.constprop.N.isra.N" */
static char *canonical_name(const char *name)
{
	char *c = xmalloc(strlen(name) + 1), *o = c;
	const char *p = name;

	while (*p) {
		if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
			const char *q = p + 1;

			while (*q >= '0' && *q <= '9')
				q++;
			if (*q == 0 || *q == '.') {
				*o++ = '.';
				*o++ = 'N';
				p = q;
				continue;
			}
		}
		*o++ = *p++;
	}
	*o = 0;
	return c;
}

/* "foo.cold" or "foo.cold.3" -> index of "foo", else -1 */
static int cold_parent(struct asmfile *f, const char *name)
{
	const char *p = strstr(name, ".cold");

	while (p) {
		const char *q = p + 5;

		if (*q == 0 || (*q == '.' && q[1] >= '0' && q[1] <= '9'))
			return find_block(f, name, p - name);
		p = strstr(p + 1, ".cold");
	}
	return -1;
}

static bool function_references(struct asmfile *f, struct block *fn, const char *name);

static void canonicalise(struct asmfile *f)
{
	int i, j;

	for (i = 0; i < f->nblocks; i++) {
		struct block *b = &f->blocks[i];

		b->canon = canonical_name(b->name);
		if (b->kind == BLK_FUNC) {
			int p = cold_parent(f, b->name);

			if (p >= 0 && f->blocks[p].kind == BLK_FUNC) {
				b->parent = p;
				f->blocks[p].cold = i;
			}
		}
	}
	/* numbered data (static locals, CSWTCH tables): who uses it */
	for (i = 0; i < f->nblocks; i++) {
		struct block *b = &f->blocks[i];

		if (b->kind != BLK_DATA || !strstr(b->canon, ".N"))
			continue;
		for (j = 0; j < f->nblocks && !b->owner; j++) {
			struct block *fn = &f->blocks[j];

			if (fn->kind == BLK_FUNC && function_references(f, fn, b->name))
				b->owner = fn->parent >= 0 ? f->blocks[fn->parent].canon : fn->canon;
		}
	}
}

/*
 * Pairs blocks of equal kind and canonical name. Numbered data first by the
 * function using it ("ticket.0" used by f2 pairs with the "ticket.N" f2
 * uses, even when a new static "ticket" in another function shifted the
 * numbers), then everything left in order of appearance.
 */
static void match_blocks(struct asmfile *o, struct asmfile *p)
{
	int i, j, pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < p->nblocks; i++) {
			struct block *b = &p->blocks[i];

			if (b->kind == BLK_ANON || b->twin || (!pass && !b->owner))
				continue;
			for (j = 0; j < o->nblocks; j++) {
				struct block *a = &o->blocks[j];

				if (a->kind != b->kind || a->twin || strcmp(a->canon, b->canon))
					continue;
				if (!pass && (!a->owner || strcmp(a->owner, b->owner)))
					continue;
				a->twin = b;
				b->twin = a;
				break;
			}
		}
	}
	for (i = 0; i < o->nblocks; i++)
		o->blocks[i].mid = i;
	for (i = 0; i < p->nblocks; i++)
		p->blocks[i].mid = p->blocks[i].twin ? p->blocks[i].twin->mid : o->nblocks + i;
}

/* ---- phase 3: compare ----------------------------------------------- */

static void norm_push(struct norm *n, char *text)
{
	if (n->n == n->cap) {
		n->cap = n->cap ? 2 * n->cap : 64;
		n->v = xrealloc(n->v, n->cap * sizeof(*n->v));
	}
	n->v[n->n].text = text;
	n->v[n->n].srcline = n->srcline;
	n->n++;
}

static void norm_free(struct norm *n)
{
	int i;

	for (i = 0; i < n->n; i++)
		free(n->v[i].text);
	for (i = 0; i < n->nlabels; i++)
		free(n->labels[i]);
	free(n->v);
	free(n->labels);
	free(n->anon);
	memset(n, 0, sizeof(*n));
}

struct sbuf {
	char *s;
	size_t n, cap;
};

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static char *sb_take(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");

	memset(b, 0, sizeof(*b));
	return s;
}

static int code_label_number(struct norm *n, const char *s, size_t len)
{
	int i = name_index(n->labels, n->nlabels, s, len);

	if (i >= 0)
		return i;
	n->labels = xrealloc(n->labels, (n->nlabels + 1) * sizeof(char *));
	n->labels[n->nlabels] = xstrndup(s, len);
	return n->nlabels++;
}

static int anon_number(struct norm *n, int blk)
{
	int i;

	for (i = 0; i < n->nanon; i++)
		if (n->anon[i] == blk)
			return i;
	n->anon = xrealloc(n->anon, (n->nanon + 1) * sizeof(int));
	n->anon[n->nanon] = blk;
	return n->nanon++;
}

/* Follows ".LC1: .LC2: .string ..." to the block holding the bytes. */
static int resolve_alias(struct asmfile *f, int b)
{
	int guard = 0;

	while (b >= 0 && f->blocks[b].alias >= 0 && guard++ < 64)
		b = f->blocks[b].alias;
	return b;
}

/*
 * Rewrites the tokens of one statement for comparison: symbols of the file
 * become "canon#mid", anonymous data "D<n>", local code labels "L<n>";
 * whitespace runs become one space. The first word (mnemonic or directive)
 * is kept as is.
 */
static char *normalise_statement(struct asmfile *f, struct norm *n, const char *s)
{
	struct sbuf b = { 0 };
	size_t w = word_len(s);
	bool space = false;

	sb_putn(&b, s, w);
	s += w;
	while (*s) {
		if (*s == ' ' || *s == '\t') {
			space = true;
			s++;
			continue;
		}
		if (space) {
			sb_puts(&b, " ");
			space = false;
		}
		if (*s == '"') {
			const char *e = s + 1;

			while (*e && *e != '"')
				e += (*e == '\\' && e[1]) ? 2 : 1;
			if (*e)
				e++;
			sb_putn(&b, s, e - s);
			s = e;
		} else if (*s == '%') {
			const char *e = s + 1;

			while (is_ident_char(*e))
				e++;
			sb_putn(&b, s, e - s);
			s = e;
		} else if (*s == '#') {
			break;
		} else if (is_ident_start(*s)) {
			const char *e = s;
			char tmp[64];
			int blk;

			while (is_ident_char(*e))
				e++;
			blk = find_block(f, s, e - s);
			if (is_local_label(s) && blk >= 0 && f->blocks[blk].kind == BLK_ANON) {
				snprintf(tmp, sizeof(tmp), "D%d", anon_number(n, resolve_alias(f, blk)));
				sb_puts(&b, tmp);
			} else if (is_local_label(s)) {
				snprintf(tmp, sizeof(tmp), "L%d", code_label_number(n, s, e - s));
				sb_puts(&b, tmp);
			} else if (blk >= 0) {
				struct block *x = &f->blocks[blk];

				sb_puts(&b, x->canon);
				snprintf(tmp, sizeof(tmp), "#%d", x->mid);
				sb_puts(&b, tmp);
			} else {
				sb_putn(&b, s, e - s);
			}
			s = e;
		} else {
			sb_putn(&b, s, 1);
			s++;
		}
	}
	return sb_take(&b);
}

static void note_loc(struct norm *n, const char *s)
{
	/* ".loc FILE LINE [COL] ..." */
	const char *p = skip_ws(s + 4);

	while (*p && *p != ' ' && *p != '\t')
		p++;
	n->srcline = atoi(skip_ws(p));
}

static void normalise_lines(struct asmfile *f, struct block *blk, struct norm *n, bool self)
{
	int i;

	for (i = 0; i < blk->nlines; i++) {
		const char *s = skip_ws(f->lines[blk->lines[i]].text);
		size_t ll;

		if (word_is(s, ".loc")) {
			note_loc(n, s);
			continue;
		}
		if (!*s || is_dropped_directive(s) || word_is(s, ".size") || word_is(s, ".type"))
			continue;
		ll = label_len(s);
		if (ll) {
			char tmp[32];

			if (self && !i)
				continue;	/* the block's own name */
			if (is_local_label(s) && is_debug_label(s, ll) && !is_eh_label(s, ll))
				continue;
			if (!is_local_label(s)) {
				norm_push(n, xstrndup(s, ll + 1));
				continue;
			}
			snprintf(tmp, sizeof(tmp), "L%d:", code_label_number(n, s, ll));
			norm_push(n, xstrdup(tmp));
			continue;
		}
		norm_push(n, normalise_statement(f, n, s));
	}
}

/*
 * A function, its .cold part and every anonymous block they reference
 * (transitively: a jump table references code labels, a table of strings
 * references literals), as one normalised sequence. The LSDAs count as
 * referenced: a fix that only catches another type changes the type
 * table, not always the code.
 */
static void normalise_function(struct asmfile *f, struct block *b, struct norm *n)
{
	int i, l;

	normalise_lines(f, b, n, true);
	if (b->cold >= 0) {
		norm_push(n, xstrdup("<cold>"));
		normalise_lines(f, &f->blocks[b->cold], n, true);
	}
	l = lsda_of(f, b);
	if (l >= 0)
		anon_number(n, l);
	l = b->cold >= 0 ? lsda_of(f, &f->blocks[b->cold]) : -1;
	if (l >= 0)
		anon_number(n, l);
	for (i = 0; i < n->nanon; i++) {
		char tmp[32];

		snprintf(tmp, sizeof(tmp), "D%d:", i);
		norm_push(n, xstrdup(tmp));
		normalise_lines(f, &f->blocks[n->anon[i]], n, true);
	}
}

static void normalise_data(struct asmfile *f, struct block *b, struct norm *n)
{
	int i;
	char tmp[600];

	snprintf(tmp, sizeof(tmp), "section %s align %s", f->secs[b->sec].name,
		 b->align ? b->align : "-");
	norm_push(n, xstrdup(tmp));
	normalise_lines(f, b, n, b->kind != BLK_ORPHAN);
	for (i = 0; i < n->nanon; i++) {
		snprintf(tmp, sizeof(tmp), "D%d:", i);
		norm_push(n, xstrdup(tmp));
		normalise_lines(f, &f->blocks[n->anon[i]], n, true);
	}
}

/*
 * The __LINE__ rule: equal but for immediates "$N", where each differing
 * pair is the line number of its statement in the respective file.
 */
static bool line_churn_only(const struct nline *a, const struct nline *b)
{
	const char *x = a->text, *y = b->text;

	while (*x && *y) {
		if (*x == '$' && *y == '$' && x[1] >= '0' && x[1] <= '9' &&
		    y[1] >= '0' && y[1] <= '9') {
			char *ex, *ey;
			long vx = strtol(x + 1, &ex, 10), vy = strtol(y + 1, &ey, 10);

			if (vx != vy && (vx != a->srcline || vy != b->srcline || !a->srcline))
				return false;
			x = ex;
			y = ey;
			continue;
		}
		if (*x++ != *y++)
			return false;
	}
	return *x == *y;
}

static enum lkp_status compare_norm(const struct norm *a, const struct norm *b, bool *churn)
{
	int i;

	*churn = false;
	if (a->n != b->n)
		return CHANGED;
	for (i = 0; i < a->n; i++) {
		if (!strcmp(a->v[i].text, b->v[i].text))
			continue;
		if (!line_churn_only(&a->v[i], &b->v[i]))
			return CHANGED;
		*churn = true;
	}
	return SAME;
}

static void compare_blocks(struct asmfile *o, struct asmfile *p)
{
	int i;

	for (i = 0; i < p->nblocks; i++) {
		struct block *b = &p->blocks[i];
		struct norm na = { 0 }, nb = { 0 };

		if (b->kind == BLK_ANON || b->parent >= 0)
			continue;
		if (!b->twin) {
			b->status = NEW;
			continue;
		}
		if (b->kind == BLK_FUNC) {
			normalise_function(o, b->twin, &na);
			normalise_function(p, b, &nb);
		} else {
			normalise_data(o, b->twin, &na);
			normalise_data(p, b, &nb);
		}
		b->status = compare_norm(&na, &nb, &b->line_churn);
		b->twin->status = b->status;
		b->twin->line_churn = b->line_churn;
		norm_free(&na);
		norm_free(&nb);
	}
	for (i = 0; i < o->nblocks; i++)
		if (o->blocks[i].kind != BLK_ANON && !o->blocks[i].twin)
			o->blocks[i].status = REMOVED;
	/* a .cold part shares its function's fate */
	for (i = 0; i < p->nblocks; i++)
		if (p->blocks[i].parent >= 0)
			p->blocks[i].status = p->blocks[p->blocks[i].parent].status;
}

/* ---- phase 4: check ------------------------------------------------- */

/*
 * GCC's DW.ref.NAME: a hidden weak COMDAT pointer to NAME (the personality
 * routine, a typeinfo object) that the unwind tables reach NAME through.
 * The patch uses a copy of its own: the link may have kept another
 * object's copy, whose hidden symbol no table outside the binary's .symtab
 * names, and a copy holding the same address works the same.
 */
static bool is_dwref(const struct block *b)
{
	return b->kind == BLK_DATA && !strncmp(b->name, "DW.ref.", 7);
}

static bool patched(const struct block *b)
{
	return b->status == CHANGED || b->status == NEW;
}

/*
 * Function sizes as the assembler lays them out: ORIG.s is assembled (by
 * $LKP_AS, default "as") and the symbol table read back.
 */
static int read_function_sizes(struct asmfile *o, const char *as)
{
	const char *dir = getenv("TMPDIR");
	int fd, status, i, err = 0;
	char *tmpl;
	pid_t pid;
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;

	if (!dir || !*dir)
		dir = "/tmp";
	tmpl = xmalloc(strlen(dir) + sizeof("/lkp-gensrc-XXXXXX"));
	sprintf(tmpl, "%s/lkp-gensrc-XXXXXX", dir);
	fd = mkstemp(tmpl);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "%s: %s: cannot create a temporary object in %s: %s\n",
			prog, o->path, dir, strerror(-err));
		free(tmpl);
		return err;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		fprintf(stderr, "%s: %s: cannot run '%s': %s\n", prog, o->path, as, strerror(-err));
		goto out_unlink;
	}
	if (!pid) {
		execlp(as, as, "--64", "-o", tmpl, o->path, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "%s: %s: '%s' failed on the original assembler\n",
			prog, o->path, as);
		err = -EINVAL;
		goto out_unlink;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		fprintf(stderr, "%s: %s: '%s' wrote no ELF object: %s\n", prog, o->path, as,
			elf_errmsg(-1));
		err = -EINVAL;
		goto out_unlink;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t k;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (k = 0; d && sh.sh_entsize && k < sh.sh_size / sh.sh_entsize; k++) {
			GElf_Sym sym;
			const char *nm;

			if (!gelf_getsym(d, k, &sym))
				continue;
			nm = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!nm)
				continue;
			i = find_block(o, nm, strlen(nm));
			if (i >= 0)
				o->blocks[i].size = sym.st_size;
		}
	}
	elf_end(elf);
out_unlink:
	close(fd);
	unlink(tmpl);
	free(tmpl);
	return err;
}

static bool function_references(struct asmfile *f, struct block *fn, const char *name)
{
	size_t n = strlen(name);
	int i;

	if (!n)
		return false;
	for (i = 0; i < fn->nlines; i++) {
		const char *s = f->lines[fn->lines[i]].text, *h = s;

		while ((h = strstr(h, name))) {
			if ((h == s || !is_ident_char(h[-1])) && !is_ident_char(h[n]))
				return true;
			h += n;
		}
	}
	return false;
}

/*
 * The label an LSDA's call sites and landing pads are offsets from (GCC:
 * ".uleb128 .LEHB2-.LFB7", ".uleb128 .L42-.LFB7"; ".LCOLDB7" in a .cold
 * part's). It is the start of the function, where the personality routine
 * measures from when the LSDA names no base of its own (@LPStart omitted);
 * the patch defines it at the new code's start. 0 and base ("" when there
 * are no call sites), or -EOPNOTSUPP when several labels serve as one, or
 * when it is a label the code defines too (only GCC's .LFB<n> and
 * .LCOLDB<n>, which mark the start and nothing else, can be moved there).
 */
static int lsda_base(struct asmfile *f, struct block *lsda, char *base, size_t size)
{
	int i;

	*base = 0;
	for (i = 1; i < lsda->nlines; i++) {
		const char *s = skip_ws(f->lines[lsda->lines[i]].text), *m, *e;

		if (!word_is(s, ".uleb128"))
			continue;
		m = strchr(s, '-');
		if (!m || !is_local_label(m + 1))
			continue;
		for (e = m + 1; is_ident_char(*e); e++)
			;
		if (is_eh_label(m + 1, e - m - 1))
			continue;	/* a length (.LEHE2-.LEHB2), or the LSDA's own */
		if (!is_debug_label(m + 1, e - m - 1))
			return -EOPNOTSUPP;
		if (*base && (strncmp(base, m + 1, e - m - 1) || base[e - m - 1]))
			return -EOPNOTSUPP;
		if ((size_t)(e - m) > size)
			return -EOPNOTSUPP;
		snprintf(base, size, "%.*s", (int)(e - m - 1), m + 1);
	}
	return 0;
}

/* Whether the LSDA's first byte, the @LPStart encoding, is DW_EH_PE_omit. */
static bool lsda_lpstart_omitted(struct asmfile *f, struct block *lsda)
{
	const char *s;
	int i;

	for (i = 1; i < lsda->nlines; i++) {
		s = skip_ws(f->lines[lsda->lines[i]].text);
		if (*s && !label_len(s) && !word_is(s, ".align") && !word_is(s, ".p2align"))
			return word_is(s, ".byte") && strtol(skip_ws(s + 5), NULL, 0) == 0xff;
	}
	return false;
}

/*
 * GCC picks the parameters of a clone (foo.isra.N drops or splits some,
 * foo.constprop.N bakes constants in, foo.part.N takes what the split-off
 * part needs) anew in every build, so a CHANGED clone may be called another
 * way in the patched build. Its old entry jumps to the new body, so every
 * old caller that still runs after the patch must call it the new way:
 *
 *  - a CHANGED caller is patched too: its new body calls the new clone
 *    directly (.Llkp.f.NAME), and apply keeps threads out of its old code;
 *  - a SAME caller is, normalised, the very code the patched build runs
 *    against the new clone: a call normalises to the callee's match id,
 *    which twins share, and the argument set-up is compared like any other
 *    statement. Whatever the convention became, it is the one this code uses;
 *  - a caller REMOVED from the patched build (inlined away, split another
 *    way) stays in the process unpatched, and no stack check covers it: a
 *    thread inside it, or a tail call into it, would reach the new clone with
 *    the old arguments. Refused, naming the clone and the caller.
 *
 * Global functions are left out: callers in other objects use the ABI of
 * the declaration, which GCC never changes.
 */
static void check_clone_callers(struct asmfile *o, struct asmfile *p)
{
	int i, j;

	for (i = 0; i < p->nblocks; i++) {
		struct block *b = &p->blocks[i], *a = b->twin;

		if (b->kind != BLK_FUNC || b->status != CHANGED || b->parent >= 0 || a->global)
			continue;
		for (j = 0; j < o->nblocks; j++) {
			struct block *fn = &o->blocks[j], *top;

			if (fn->kind != BLK_FUNC || fn == a || (a->cold >= 0 && j == a->cold))
				continue;
			top = fn->parent >= 0 ? &o->blocks[fn->parent] : fn;
			if (top->status != REMOVED || !function_references(o, fn, a->name))
				continue;
			refuse(a->name, "its caller '%s' is gone from the patched build and would still call it the old way",
			       fn->name);
		}
	}
}

/*
 * A function (or .cold part) with landing pads: its LSDA is copied into
 * the patch, its FDE points at the copy and its CIE names the personality
 * routine .cfi_personality names (emit_eh_frame()). Refused: what such a
 * copy could not describe exactly.
 */
static void check_eh(struct asmfile *p, struct block *fn, const char *name)
{
	char sym[256], base[256];
	long enc;
	int pers = cfi_operand(p, fn, ".cfi_personality", &enc, sym, sizeof(sym));
	int l = lsda_of(p, fn);

	if (pers < 0)
		refuse(name, "its personality routine (.cfi_personality) cannot be read");
	else if (l == -EOPNOTSUPP)
		refuse(name, "its exception table (.cfi_lsda) cannot be read");
	else if (l == -ENOENT)
		refuse(name, "its exception table (.cfi_lsda) is not in the assembler");
	else if (l >= 0 && !pers)
		refuse(name, "its exception table has no personality routine");
	else if (l >= 0 && !lsda_lpstart_omitted(p, &p->blocks[l]))
		refuse(name, "its exception table names its own landing pad base (@LPStart)");
	else if (l >= 0 && lsda_base(p, &p->blocks[l], base, sizeof(base)))
		refuse(name, "its exception table's call sites are not offsets from its start label");
}

/*
 * The new code's unwind rules go into .lkp.eh_frame, translated by cfi.c:
 * a directive it cannot translate would leave the code without correct
 * rules, so the function is refused.
 */
static void check_cfi(struct asmfile *p, struct block *fn, const char *name)
{
	struct lkp_cfi c;
	FILE *null = fopen("/dev/null", "w");
	int i;

	if (!null) {
		refuse(name, "cannot check its unwind rules: %s", strerror(errno));
		return;
	}
	lkp_cfi_init(&c);
	for (i = 0; i < fn->nlines; i++) {
		const char *s = skip_ws(p->lines[fn->lines[i]].text);

		if (lkp_cfi_is_rule(s) && lkp_cfi_translate(&c, s, null)) {
			refuse(name, "unwind rule '%s' cannot be carried into the patch", s);
			break;
		}
	}
	fclose(null);
}

static void check_patchable(struct asmfile *o, struct asmfile *p)
{
	int i, j;

	for (i = 0; i < p->nblocks; i++) {
		struct block *b = &p->blocks[i];

		if (b->kind == BLK_FUNC && b->status == CHANGED && b->parent < 0 &&
		    b->twin->size < LKP_JMP_SIZE)
			refuse(b->twin->name, "function is %lu bytes long, shorter than the %d-byte jump",
			       b->twin->size, LKP_JMP_SIZE);
		if (b->kind == BLK_FUNC && patched(b)) {
			check_cfi(p, b, b->twin ? b->twin->name : b->name);
			check_eh(p, b, b->twin ? b->twin->name : b->name);
		}
		if (b->kind == BLK_DATA && b->status == CHANGED)
			refuse(b->twin->name, "existing data changed its layout or initial value");
		if (b->kind == BLK_ORPHAN && b->status == CHANGED)
			refuse(b->name, "unlabelled data changed (a new constructor or table entry?)");
		if (b->kind == BLK_ORPHAN && b->status == NEW)
			refuse(b->name, "unlabelled data added (a new constructor or table entry?)");
		if (b->kind == BLK_DATA && b->status == NEW && p->secs[b->sec].tls)
			refuse(b->name, "new thread-local variable: running threads have no room for it");
	}
	for (i = 0; i < o->nblocks; i++) {
		struct block *a = &o->blocks[i];

		if (a->status != REMOVED || a->kind == BLK_FUNC)
			continue;
		if (a->kind == BLK_ORPHAN) {
			refuse(a->name, "unlabelled data removed");
			continue;
		}
		/* the old code's unwind tables keep the original: the patch never names it */
		if (is_dwref(a))
			continue;
		if (a->global) {
			refuse(a->name, "removed global variable may still be referenced by other objects");
			continue;
		}
		for (j = 0; j < o->nblocks; j++) {
			struct block *fn = &o->blocks[j];

			if (fn->kind == BLK_FUNC && fn->status == SAME &&
			    function_references(o, fn, a->name)) {
				refuse(a->name, "removed variable still referenced by unchanged '%s'",
				       fn->name);
				break;
			}
		}
	}
}

/* ---- phase 5: emit -------------------------------------------------- */

/*
 * The name new code uses for symbol "name" of the patched file: the original
 * symbol when it is unchanged, the patch's own copy when it is changed or new.
 */
static void emit_symbol_ref(struct asmfile *p, FILE *out, const char *s, size_t n)
{
	int i = find_block(p, s, n);
	struct block *b;

	if (is_local_label(s)) {
		if (i >= 0)
			i = resolve_alias(p, i);
		fprintf(out, ".Llkp_%.*s", (int)(i >= 0 ? strlen(p->blocks[i].name) - 2 : n - 2),
			(i >= 0 ? p->blocks[i].name : s) + 2);
		if (i >= 0)
			p->blocks[i].emit = true;
		return;
	}
	if (i < 0) {
		fprintf(out, "%.*s", (int)n, s);
		return;
	}
	b = &p->blocks[i];
	if (is_dwref(b)) {
		fprintf(out, ".Llkp.d.%s", b->name);
		b->emit = true;
	} else if (b->kind == BLK_FUNC && patched(b))
		fprintf(out, ".Llkp.f.%s", b->twin ? b->twin->name : b->name);
	else if (b->kind == BLK_DATA && b->status == NEW)
		fprintf(out, ".Llkp.d.%s", b->name);
	else if (b->twin)
		fputs(b->twin->name, out);
	else
		fprintf(out, "%.*s", (int)n, s);
}

static void emit_statement(struct asmfile *p, FILE *out, const char *s)
{
	size_t w = word_len(s);

	fputc('\t', out);
	fwrite(s, 1, w, out);
	s += w;
	while (*s) {
		if (*s == '"') {
			const char *e = s + 1;

			while (*e && *e != '"')
				e += (*e == '\\' && e[1]) ? 2 : 1;
			if (*e)
				e++;
			fwrite(s, 1, e - s, out);
			s = e;
		} else if (*s == '%') {
			const char *e = s + 1;

			while (is_ident_char(*e))
				e++;
			fwrite(s, 1, e - s, out);
			s = e;
		} else if (*s == '#') {
			break;
		} else if (is_ident_start(*s)) {
			const char *e = s;

			while (is_ident_char(*e))
				e++;
			emit_symbol_ref(p, out, s, e - s);
			s = e;
		} else {
			fputc(*s++, out);
		}
	}
	fputc('\n', out);
}

/*
 * The unwind rules of one function being emitted: each CFI directive after
 * code becomes a label in .lkp.text (".Llkp.cN") and, in the FDE's
 * instructions, an advance to it and the directive's rule (cfi.c).
 */
struct fde_sink {
	FILE *f;
	struct lkp_cfi cfi;
	char from[64];		/* the label of the last advance (or the function's start) */
	bool moved;		/* code emitted since then */
};

static int cfi_labels;

static void emit_cfi(FILE *out, struct fde_sink *fs, const char *s)
{
	if (fs->moved) {
		char to[32];

		snprintf(to, sizeof(to), ".Llkp.c%d", cfi_labels++);
		fprintf(out, "%s:\n", to);
		lkp_cfi_advance(fs->f, to, fs->from);
		snprintf(fs->from, sizeof(fs->from), "%s", to);
		fs->moved = false;
	}
	lkp_cfi_translate(&fs->cfi, s, fs->f);	/* check_cfi() refused what it cannot */
}

static void emit_body(struct asmfile *p, FILE *out, struct block *b, struct fde_sink *fs)
{
	int i;

	for (i = 1; i < b->nlines; i++) {
		const char *s = skip_ws(p->lines[b->lines[i]].text);
		size_t ll;

		if (fs && lkp_cfi_is_rule(s)) {
			emit_cfi(out, fs, s);
			continue;
		}
		if (!*s || is_dropped_directive(s) || word_is(s, ".size") || word_is(s, ".type"))
			continue;
		ll = label_len(s);
		if (ll) {
			if (is_local_label(s) && is_debug_label(s, ll) && !is_eh_label(s, ll))
				continue;
			emit_symbol_ref(p, out, s, ll);
			fputs(":\n", out);
			continue;
		}
		emit_statement(p, out, s);
		if (fs)
			fs->moved = true;
	}
}

static const char *patch_section_for(struct asmfile *p, int sec)
{
	struct section *s = &p->secs[sec];

	if (s->exec)
		return ".lkp.text,\"x\",@progbits";
	if (s->bss)
		return ".lkp.bss,\"\",@nobits";
	if (!strchr(s->flags, 'w') && strncmp(s->name, ".data", 5))
		return ".lkp.rodata,\"\",@progbits";
	return ".lkp.data,\"\",@progbits";
}

/* Whether GCC wrote unwind rules for the function (a .cold part: ends its own). */
static bool has_cfi(struct asmfile *f, struct block *fn)
{
	int i;

	for (i = 0; i < fn->nlines; i++) {
		const char *s = skip_ws(f->lines[fn->lines[i]].text);

		if (word_is(s, ".cfi_startproc") || word_is(s, ".cfi_endproc"))
			return true;
	}
	return false;
}

/* The label b's LSDA measures from, at the new code's start (lsda_base()). */
static void emit_lsda_base(struct asmfile *p, FILE *out, struct block *b)
{
	int l = lsda_of(p, b);
	char base[256];

	if (l < 0 || lsda_base(p, &p->blocks[l], base, sizeof(base)) || !*base)
		return;	/* check_eh() refused what it could not carry */
	emit_symbol_ref(p, out, base, strlen(base));
	fputs(":\n", out);
}

static int emit_function(struct asmfile *p, FILE *out, struct block *b)
{
	const char *name = b->twin ? b->twin->name : b->name;
	struct fde_sink fs = { 0 };

	fprintf(out, "\t.section\t.lkp.text,\"x\",@progbits\n");
	fprintf(out, "\t%s\n", b->align ? b->align : ".p2align 4");
	fprintf(out, ".Llkp.f.%s:\n", name);
	emit_lsda_base(p, out, b);
	if (has_cfi(p, b)) {
		fs.f = open_memstream(&b->cfi, &b->cfi_len);
		if (!fs.f)
			return -ENOMEM;
		lkp_cfi_init(&fs.cfi);
		/* a short label: a mangled name need not fit fs.from */
		snprintf(fs.from, sizeof(fs.from), ".Llkp.c%d", cfi_labels++);
		fprintf(out, "%s:\n", fs.from);
	}
	emit_body(p, out, b, fs.f ? &fs : NULL);
	fprintf(out, ".Llkp.e.%s:\n", name);
	if (fs.f && fclose(fs.f))
		return -ENOMEM;
	return 0;
}

/* The name new code uses for symbol name (emit_symbol_ref()), as a string. */
static char *symbol_ref_text(struct asmfile *p, const char *name)
{
	char *t = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&t, &n);

	if (!m)
		return NULL;
	emit_symbol_ref(p, m, name, strlen(name));
	if (fclose(m)) {
		free(t);
		return NULL;
	}
	return t;
}

/*
 * A function with a personality routine (landing pads, GCC's
 * .cfi_personality): a CIE of its own naming it, before the FDE, which
 * then points at the copy of the LSDA. cie is the CIE the FDE is to name:
 * left as it is for any other function.
 */
static int emit_eh_cie(struct asmfile *p, FILE *out, struct block *b, int k, char *cie,
		       size_t size, char **lsda)
{
	char sym[256], *pers;
	long enc;
	int l;

	*lsda = NULL;
	if (cfi_operand(p, b, ".cfi_personality", &enc, sym, sizeof(sym)) <= 0)
		return 0;
	pers = symbol_ref_text(p, sym);
	l = lsda_of(p, b);
	*lsda = l >= 0 ? symbol_ref_text(p, p->blocks[l].name) : xstrdup("0");
	if (!pers || !*lsda) {
		free(pers);
		free(*lsda);
		return -ENOMEM;
	}
	snprintf(cie, size, ".Llkp.cie%d", k);
	lkp_cfi_write_cie_eh(out, cie, pers, enc & 0x80 /* DW_EH_PE_indirect */);
	free(pers);
	return 0;
}

/*
 * .lkp.eh_frame: one CIE and an FDE per emitted function (and .cold part)
 * that GCC wrote unwind rules for, in the layout of .eh_frame, ended by a
 * zero length. pc_begin is absolute (R_X86_64_64 to the new code); so are
 * the personality routine and LSDA pointers of functions with landing pads.
 */
static int emit_eh_frame(struct asmfile *p, FILE *out)
{
	int i, k = 0;

	fprintf(out, "\t.section\t.lkp.eh_frame,\"\",@progbits\n\t.balign 8\n");
	lkp_cfi_write_cie(out, ".Llkp.cie");
	for (i = 0; i < p->nblocks; i++) {
		struct block *b = &p->blocks[i];
		const char *name = b->twin ? b->twin->name : b->name;
		char cie[32] = ".Llkp.cie", *lsda;

		if (b->kind != BLK_FUNC || !patched(b) || !b->cfi)
			continue;
		if (emit_eh_cie(p, out, b, k, cie, sizeof(cie), &lsda))
			return -ENOMEM;
		fprintf(out, ".Llkp.fde%d:\n\t.long .Llkp.fde%d.e - .Llkp.fde%d.s\n.Llkp.fde%d.s:\n",
			k, k, k, k);
		fprintf(out, "\t.long .Llkp.fde%d.s - %s\n", k, cie);
		fprintf(out, "\t.quad .Llkp.f.%s\n\t.quad .Llkp.e.%s - .Llkp.f.%s\n",
			name, name, name);
		if (lsda)
			lkp_cfi_write_fde_lsda(out, lsda);
		else
			fprintf(out, "\t.uleb128 0\n");
		free(lsda);
		fwrite(b->cfi, 1, b->cfi_len, out);
		fprintf(out, "\t.balign 8, 0\n.Llkp.fde%d.e:\n", k);
		k++;
	}
	fprintf(out, "\t.long 0\n");
	return 0;
}

static void emit_data(struct asmfile *p, FILE *out, struct block *b)
{
	fprintf(out, "\t.section\t%s\n", patch_section_for(p, b->sec));
	if (!strcmp(p->secs[b->sec].name, "*COM*")) {
		/* ".comm NAME,SIZE,ALIGN" */
		const char *s = strchr(p->lines[b->lines[0]].text, ',');
		long size = s ? strtol(s + 1, NULL, 0) : 0;

		s = s ? strchr(s + 1, ',') : NULL;
		if (s)
			fprintf(out, "\t.balign %ld\n", strtol(s + 1, NULL, 0));
		fprintf(out, ".Llkp.d.%s:\n\t.zero %ld\n.Llkp.de.%s:\n", b->name, size, b->name);
		return;
	}
	if (b->align)
		fprintf(out, "\t%s\n", b->align);
	if (b->kind == BLK_ANON) {
		emit_symbol_ref(p, out, b->name, strlen(b->name));
		fputs(":\n", out);
		emit_body(p, out, b, NULL);
		return;
	}
	fprintf(out, ".Llkp.d.%s:\n", b->name);
	emit_body(p, out, b, NULL);
	fprintf(out, ".Llkp.de.%s:\n", b->name);
}

/* A NEW global variable: other objects' new code may use it (see .lkp.vars). */
static bool new_global_var(const struct block *b)
{
	return b->kind == BLK_DATA && b->status == NEW && b->global && !is_dwref(b);
}

static int emit_output(struct asmfile *o, struct asmfile *p, FILE *out)
{
	int i, n = 0, more, flags;

	for (i = 0; i < o->nlines; i++)
		fprintf(out, "%s\n", o->lines[i].text);
	for (i = 0; i < p->nblocks; i++)
		if ((p->blocks[i].kind == BLK_FUNC && patched(&p->blocks[i])) ||
		    new_global_var(&p->blocks[i]))
			n++;
	if (!n)
		return 0;

	fprintf(out, "# lkp-gensrc: patch sections (docs/patchgen.md)\n");
	for (i = 0; i < p->nblocks; i++) {
		struct block *b = &p->blocks[i];

		if (b->kind == BLK_FUNC && patched(b) && emit_function(p, out, b))
			return -ENOMEM;
	}
	if (emit_eh_frame(p, out))
		return -ENOMEM;
	for (i = 0; i < p->nblocks; i++) {
		struct block *b = &p->blocks[i];

		if (b->kind == BLK_DATA && b->status == NEW && !is_dwref(b))
			emit_data(p, out, b);
	}
	/* anonymous blocks and DW.ref copies, until no emitted block references another */
	do {
		more = 0;
		for (i = 0; i < p->nblocks; i++) {
			struct block *b = &p->blocks[i];

			if ((b->kind == BLK_ANON || is_dwref(b)) && b->emit && !b->emitted) {
				emit_data(p, out, b);
				b->emitted = true;
				more = 1;
			}
		}
	} while (more);

	fprintf(out, "\t.section\t.lkp.funcs,\"\",@progbits\n\t.balign 8\n");
	fprintf(out, "\t.long %d\n\t.long %d\n", LKP_GENSRC_VERSION, LKP_FUNC_ENTSIZE);
	for (i = 0; i < p->nblocks; i++) {
		struct block *b = &p->blocks[i];
		const char *name = b->twin ? b->twin->name : b->name;

		if (b->kind != BLK_FUNC || !patched(b) || b->parent >= 0)
			continue;
		fprintf(out, "\t.quad %s\n", b->twin ? name : "0");
		fprintf(out, "\t.quad .Llkp.f.%s\n", name);
		fprintf(out, "\t.quad %lu\n", b->twin ? b->twin->size : 0);
		fprintf(out, "\t.quad .Llkp.e.%s - .Llkp.f.%s\n", name, name);
		fprintf(out, "\t.long .Llkp.s.%s - .Llkp.strtab\n", name);
		flags = b->twin ? 0 : LKP_FUNC_NEW;
		fprintf(out, "\t.long %d\n", flags);
	}
	fprintf(out, "\t.section\t.lkp.vars,\"\",@progbits\n\t.balign 8\n");
	fprintf(out, "\t.long %d\n\t.long %d\n", LKP_GENSRC_VERSION, LKP_VAR_ENTSIZE);
	for (i = 0; i < p->nblocks; i++) {
		struct block *b = &p->blocks[i];

		if (!new_global_var(b))
			continue;
		fprintf(out, "\t.quad .Llkp.d.%s\n", b->name);
		fprintf(out, "\t.quad .Llkp.de.%s - .Llkp.d.%s\n", b->name, b->name);
		fprintf(out, "\t.long .Llkp.s.%s - .Llkp.strtab\n\t.long 0\n", b->name);
	}
	fprintf(out, "\t.section\t.lkp.strtab,\"\",@progbits\n.Llkp.strtab:\n\t.byte 0\n");
	for (i = 0; i < p->nblocks; i++) {
		struct block *b = &p->blocks[i];
		const char *name = b->twin ? b->twin->name : b->name;

		if ((b->kind == BLK_FUNC && patched(b) && b->parent < 0) || new_global_var(b))
			fprintf(out, ".Llkp.s.%s:\n\t.string \"%s\"\n", name, name);
	}
	return 0;
}

static void report(struct asmfile *o, struct asmfile *p, FILE *r)
{
	static const char *const kinds[] = { "func", "data", "anon", "data" };
	int i;

	for (i = 0; i < p->nblocks; i++) {
		struct block *b = &p->blocks[i];

		if (b->kind == BLK_ANON || b->parent >= 0)
			continue;
		fprintf(r, "%s %s %s%s", kinds[b->kind], b->twin ? b->twin->name : b->name,
			status_names[b->status], b->line_churn ? " (line numbers only)" : "");
		if (b->twin && strcmp(b->twin->name, b->name))
			fprintf(r, " (patched: %s)", b->name);
		fputc('\n', r);
	}
	for (i = 0; i < o->nblocks; i++) {
		struct block *a = &o->blocks[i];

		if (a->status == REMOVED && a->parent < 0)
			fprintf(r, "%s %s REMOVED\n", kinds[a->kind], a->name);
	}
}

static void usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-o OUT.s] [-r REPORT] ORIG.s PATCHED.s\n"
		"  Writes ORIG.s unchanged plus the changed and new functions of PATCHED.s\n"
		"  in .lkp.* sections (docs/patchgen.md). The assembler that measures\n"
		"  function sizes is $LKP_AS (default: as).\n", prog);
}

int main(int argc, char **argv)
{
	struct asmfile orig = { 0 }, patch = { 0 };
	const char *outpath = NULL, *reppath = NULL, *as;
	FILE *out = stdout, *rep = NULL;
	int opt, err, i, changed = 0;

	while ((opt = getopt(argc, argv, "ho:r:")) != -1) {
		switch (opt) {
		case 'o':
			outpath = optarg;
			break;
		case 'r':
			reppath = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	orig.path = argv[optind];
	patch.path = argv[optind + 1];
	as = getenv("LKP_AS") ? getenv("LKP_AS") : "as";

	/* phase 1: parse */
	err = parse_file(&orig);
	if (!err)
		err = parse_file(&patch);
	if (err)
		return 1;	/* parse_file said why */

	/* phase 2: match */
	canonicalise(&orig);
	canonicalise(&patch);
	match_blocks(&orig, &patch);

	/* phase 3: compare */
	compare_blocks(&orig, &patch);

	/* phase 4: check */
	for (i = 0; i < patch.nblocks; i++)
		if (patched(&patch.blocks[i]) && patch.blocks[i].kind == BLK_FUNC)
			changed = 1;
	if (changed) {
		err = read_function_sizes(&orig, as);
		if (err)
			return 1;
	}
	check_patchable(&orig, &patch);
	check_clone_callers(&orig, &patch);

	if (reppath) {
		rep = fopen(reppath, "w");
		if (!rep) {
			fprintf(stderr, "%s: %s: %s\n", prog, reppath, strerror(errno));
			return 1;
		}
		report(&orig, &patch, rep);
		fclose(rep);
	}
	if (refusals)
		return 1;

	/* phase 5: emit */
	if (outpath) {
		out = fopen(outpath, "w");
		if (!out) {
			fprintf(stderr, "%s: %s: %s\n", prog, outpath, strerror(errno));
			return 1;
		}
	}
	if (emit_output(&orig, &patch, out)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	if (fflush(out) || ferror(out) || (outpath && fclose(out))) {
		fprintf(stderr, "%s: %s: write error\n", prog, outpath ? outpath : "stdout");
		return 1;
	}
	return 0;
}
