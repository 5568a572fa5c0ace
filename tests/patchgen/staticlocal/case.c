// SPDX-License-Identifier: GPL-2.0
/* case.c: case "staticlocal": draws a few tickets and serials. */
#include <stdio.h>
#include "case.h"
#include "tickets.h"

void run(void)
{
	int i, t, s;

	for (i = 0; i < 3; i++) {
		t = next_ticket();
		s = next_serial();
		printf("ticket %d, serial %d\n", t, s);
	}
}
