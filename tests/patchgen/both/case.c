// SPDX-License-Identifier: GPL-2.0
/* case.c: case "both": describes two rectangles. */
#include "case.h"
#include "describe.h"

void run(void)
{
	describe(3, 4);
	outline(3, 4);
	describe(5, 6);
}
