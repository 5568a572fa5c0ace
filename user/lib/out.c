// SPDX-License-Identifier: GPL-2.0
/* out.c: the shared error printer and JSON string helper. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

bool lkp_json;
const char *lkp_prog = "lkp";

void lkp_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void lkp_error(const char *object, int err, const char *hint_fmt, ...)
{
	char hint[512] = "";
	va_list ap;

	if (err < 0)
		err = -err;
	if (hint_fmt) {
		va_start(ap, hint_fmt);
		vsnprintf(hint, sizeof(hint), hint_fmt, ap);
		va_end(ap);
	}
	if (lkp_json) {
		printf("{\"error\":{\"object\":");
		lkp_json_str(stdout, object ? object : "");
		printf(",\"errno\":%d,\"message\":", err);
		lkp_json_str(stdout, err ? strerror(err) : "");
		printf(",\"hint\":");
		lkp_json_str(stdout, hint);
		printf("}}\n");
		fflush(stdout);
		return;
	}
	fprintf(stderr, "%s: %s", lkp_prog, object ? object : "");
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	if (hint[0])
		fprintf(stderr, " (%s)", hint);
	fputc('\n', stderr);
}
