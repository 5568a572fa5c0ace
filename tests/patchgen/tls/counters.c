// SPDX-License-Identifier: GPL-2.0
/* counters.c: case "tls": exe_counter is the executable's own thread-local (local-exec). */
#include <stdio.h>
#include "counters.h"
#include "lib-depth.h"

__thread int exe_counter = 10;

void bump(void)
{
	exe_counter += 2;
}

void tls_report(void)
{
	printf("exe_counter = %d\n", exe_counter);
}
