// SPDX-License-Identifier: GPL-2.0
/* case.c: case "ifunc": weighs two strings. */
#include "case.h"
#include "combine.h"

void run(void)
{
	show("abc");
	show("live patch");
}
