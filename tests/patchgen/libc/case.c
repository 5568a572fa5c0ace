// SPDX-License-Identifier: GPL-2.0
/* case.c: case "libc": prints a line on stdout and diagnostics on stderr. */
#include <stdio.h>
#include "case.h"
#include "diag.h"

void run(void)
{
	puts("checking");
	diagnose(42);
	note("checked");
}
