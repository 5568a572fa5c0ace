// SPDX-License-Identifier: GPL-2.0
/* limits.c: case "refuse": clamp() to the bounds in the global table_limits. */
#include "limits.h"

struct limits table_limits = { 1, 9 };

int clamp(int x)
{
	if (x < table_limits.lo)
		return table_limits.lo;
	if (x > table_limits.hi)
		return table_limits.hi;
	return x;
}
