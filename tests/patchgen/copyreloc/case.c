// SPDX-License-Identifier: GPL-2.0
/* case.c: case "copyreloc": adds to the library's counter and shows it from both sides. */
#include "case.h"
#include "lib-count.h"
#include "show.h"

void run(void)
{
	lib_add(5);
	show_total();
}
