// SPDX-License-Identifier: GPL-2.0
/* ops.c: case "linechurn": the fix adds lines to describe(), which moves the __LINE__ that checked_div()'s assert() passes. */
#include <assert.h>
#include <stdio.h>
#include "ops.h"

void describe(int a, int b)
{
	printf("%d / %d\n", a, b);
}

int checked_div(int a, int b)
{
	assert(b != 0);
	return a / b;
}
