// SPDX-License-Identifier: GPL-2.0
/* combine.c: case "ifunc": fix.diff makes weigh() call the IFUNCs sum_bytes() and libc's strlen(). */
#include <stdio.h>
#include <string.h>
#include "combine.h"
#include "sum.h"

unsigned int weigh(const char *s)
{
	unsigned int w = 0;

	while (*s)
		w += (unsigned char)*s++ & 1;
	return w;
}

void show(const char *s)
{
	printf("weigh(\"%s\") = %u\n", s, weigh(s));
}
