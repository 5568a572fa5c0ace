// SPDX-License-Identifier: GPL-2.0
/* case.c: case "callstatic": the fixed mix_pair() calls secret_mix(), a static function it did not call before. */
#include <stdio.h>
#include "case.h"

static int secret_mix(int a, int b)
{
	return a * 31 + b;
}

int digest(const char *s)
{
	int h = 0;

	while (*s)
		h = secret_mix(h, *s++);
	return h;
}

int mix_pair(int a, int b)
{
	return a + b;
}

void run(void)
{
	printf("digest(\"abc\") = %d\n", digest("abc"));
	printf("mix_pair(2, 3) = %d\n", mix_pair(2, 3));
}
