// SPDX-License-Identifier: GPL-2.0
/* diag.c: case "libc": diagnostics on stderr; fix.diff makes diagnose() use more of libc. */
#include <stdio.h>
#include <string.h>
#include "diag.h"

/* stdout is flushed first so that the two streams interleave in order on one pipe. */
void diagnose(int code)
{
	fflush(stdout);
	fprintf(stderr, "error %d\n", code);
}

void note(const char *what)
{
	fflush(stdout);
	fputs(what, stderr);
	fputc('\n', stderr);
}
