// SPDX-License-Identifier: GPL-2.0
/* case.c: case "newglobal": filters a few values. */
#include "case.h"
#include "report.h"

void run(void)
{
	static const int values[] = { 5, 60, 99, 150, -3, 42, 75 };

	report(values, sizeof(values) / sizeof(values[0]));
}
