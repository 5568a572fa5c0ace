// SPDX-License-Identifier: GPL-2.0
/* case.c: case "levels": prints scale() and offset() of a few numbers. */
#include <stdio.h>
#include "case.h"
#include "calc.h"

void run(void)
{
	int i;

	for (i = 1; i <= 3; i++)
		printf("scale(%d) = %d, offset(%d) = %d\n", i, scale(i), i, offset(i));
}
