// SPDX-License-Identifier: GPL-2.0
/* case.c: case "refuse": clamps a few numbers. */
#include <stdio.h>
#include "case.h"
#include "limits.h"

void run(void)
{
	int x;

	for (x = -2; x <= 12; x += 7)
		printf("clamp(%d) = %d\n", x, clamp(x));
}
