// SPDX-License-Identifier: GPL-2.0
/* case.c: case "header": prints cap_low(), cap_high() and twice() of a few numbers. */
#include <stdio.h>
#include "case.h"
#include "cap.h"

void run(void)
{
	static const int xs[] = { 30, 70, 130 };
	unsigned int i;

	for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		printf("cap_low(%d) = %d, cap_high(%d) = %d, twice(%d) = %d\n", xs[i],
		       cap_low(xs[i]), xs[i], cap_high(xs[i]), xs[i], twice(xs[i]));
}
