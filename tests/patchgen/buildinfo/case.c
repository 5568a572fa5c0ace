// SPDX-License-Identifier: GPL-2.0
/* case.c: case "buildinfo": prints the release and, with CASE_VERBOSE set, the build's compiler and flags. */
#include <stdio.h>
#include <stdlib.h>
#include "case.h"
#include "version.h"

void run(void)
{
	printf("buildinfo: release 1.%d\n", patchlevel());
	/* not by default: the banner depends on how the case was built */
	if (getenv("CASE_VERBOSE"))
		printf("buildinfo: built with %s\n", build_info());
}
