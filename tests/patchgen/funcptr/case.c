// SPDX-License-Identifier: GPL-2.0
/* case.c: case "funcptr": sorts an array and prints it. */
#include <stdio.h>
#include "case.h"
#include "sorter.h"

void run(void)
{
	int v[] = { 5, 3, 9, 1, 7 };
	int i;

	sort_values(v, 5);
	for (i = 0; i < 5; i++)
		printf("%d%c", v[i], i < 4 ? ' ' : '\n');
}
