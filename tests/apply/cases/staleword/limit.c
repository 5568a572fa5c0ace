// SPDX-License-Identifier: GPL-2.0
/* limit.c: case "staleword": limit(), which fix.diff changes. */
#include "limit.h"

int limit(void)
{
	return 10;
}
