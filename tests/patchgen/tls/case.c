// SPDX-License-Identifier: GPL-2.0
/* case.c: case "tls": bumps both thread-locals and reports them. */
#include "case.h"
#include "counters.h"
#include "lib-depth.h"

void run(void)
{
	bump();
	lib_enter();
	tls_report();
}
