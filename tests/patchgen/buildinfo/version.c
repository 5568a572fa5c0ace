// SPDX-License-Identifier: GPL-2.0
/* version.c: case "buildinfo": the build's compiler and flags, as make passed them; fix.diff changes patchlevel(). */
#include "version.h"

const char *build_info(void)
{
	return "CC=" BUILD_CC ", CFLAGS=" BUILD_CFLAGS;
}

int patchlevel(void)
{
	return 3;
}
