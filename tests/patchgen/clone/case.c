// SPDX-License-Identifier: GPL-2.0
/* case.c: case "clone": prints a few terms of the series. */
#include <stdio.h>
#include "case.h"
#include "series.h"

void run(void)
{
	int x;

	for (x = 1; x <= 4; x++)
		printf("term(%d) = %d\n", x, term(x));
}
