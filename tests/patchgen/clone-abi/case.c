// SPDX-License-Identifier: GPL-2.0
/* case.c: case "clone-abi": prints a few scores. */
#include <stdio.h>
#include "case.h"
#include "rules.h"

void run(void)
{
	int i;

	for (i = 0; i < 3; i++)
		printf("score(%d) = %d, grand(%d) = %d\n", i, score(i, i + 1), i, grand(i));
}
