// SPDX-License-Identifier: GPL-2.0
/* case.c: case "tooshort": prints the current mode. */
#include <stdio.h>
#include "case.h"
#include "mode.h"

void run(void)
{
	printf("mode: %s\n", mode_name(get_mode()));
}
