// SPDX-License-Identifier: GPL-2.0
/* lib-count.c: libcount.so of case "copyreloc": lib_total lives, at run time, in the executable's copy. */
#include "lib-count.h"

int lib_total = 1000;

void lib_add(int n)
{
	lib_total += n;
}

int lib_peek(void)
{
	return lib_total;
}
