// SPDX-License-Identifier: GPL-2.0
/* sorter.c: case "funcptr": sort_values() hands a comparator to qsort(); the fix hands cmp_desc, an original static function. */
#include <stdio.h>
#include <stdlib.h>
#include "sorter.h"

static int cmp_asc(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int cmp_desc(const void *a, const void *b)
{
	return *(const int *)b - *(const int *)a;
}

/* Keeps cmp_desc in the original; not const, so that the compiler cannot fold a comparison with it. */
int (*reverse_order)(const void *, const void *) = cmp_desc;

void sort_values(int *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_asc);
	puts("sorted up");
}
