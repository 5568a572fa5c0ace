// SPDX-License-Identifier: GPL-2.0
/* case.c: case "strings": greets and says goodbye. */
#include "case.h"
#include "greet.h"

void run(void)
{
	greet("world");
	farewell("world");
}
