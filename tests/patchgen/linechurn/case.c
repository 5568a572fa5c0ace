// SPDX-License-Identifier: GPL-2.0
/* case.c: case "linechurn": describes and computes a division. */
#include <stdio.h>
#include "case.h"
#include "ops.h"

void run(void)
{
	describe(84, 2);
	printf("= %d\n", checked_div(84, 2));
}
