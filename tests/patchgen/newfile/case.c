// SPDX-License-Identifier: GPL-2.0
/* case.c: case "newfile": prints a few prices with tax. */
#include <stdio.h>
#include "case.h"
#include "price.h"

void run(void)
{
	int c;

	for (c = 99; c <= 1099; c += 500)
		printf("%d -> %d\n", c, price_with_tax(c));
}
