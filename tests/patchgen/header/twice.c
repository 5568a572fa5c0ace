// SPDX-License-Identifier: GPL-2.0
/* twice.c: case "header": twice() does not include limit.h, so the fix does not rebuild it. */
#include "cap.h"

int twice(int x)
{
	return 2 * x;
}
