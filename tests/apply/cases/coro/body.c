// SPDX-License-Identifier: GPL-2.0
/* body.c: case "coro": body(), which fix.diff changes: a line per step, then a yield from the middle of the loop. */
#include <stdio.h>
#include "body.h"

volatile int last_step;

void body(void)
{
	int k = 0;

	for (;;) {
		k++;
		last_step = k;
		printf("step %d\n", k);
		coro_yield();
	}
}
