// SPDX-License-Identifier: GPL-2.0
/* lib-calc.c: libcalc.so of case "shlib"; fix.diff changes lib_scale() only. */
#include "lib-calc.h"

static int calls;

int lib_scale(int x)
{
	calls++;
	return x * 10 + calls;
}

const char *lib_name(void)
{
	return "libcalc";
}
