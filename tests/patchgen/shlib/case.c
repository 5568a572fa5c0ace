// SPDX-License-Identifier: GPL-2.0
/* case.c: case "shlib": the executable prints what libcalc.so computes. */
#include <stdio.h>
#include "case.h"
#include "lib-calc.h"

void run(void)
{
	int i;

	for (i = 1; i <= 3; i++)
		printf("%s: lib_scale(%d) = %d\n", lib_name(), i, lib_scale(i));
}
