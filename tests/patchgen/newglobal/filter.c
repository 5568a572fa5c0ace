// SPDX-License-Identifier: GPL-2.0
/* filter.c: case "newglobal": the filter; the fix gives it a limit and a count of rejections, both new globals. */
#include "filter.h"

int accept(int v)
{
	return v >= 0 && v < 100;
}
