// SPDX-License-Identifier: GPL-2.0
/* show.c: case "copyreloc": the executable reads lib_total directly (its copy-relocated instance). */
#include <stdio.h>
#include "show.h"
#include "lib-count.h"

void show_total(void)
{
	printf("lib_total = %d, lib_peek() = %d\n", lib_total, lib_peek());
}
