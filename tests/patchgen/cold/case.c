// SPDX-License-Identifier: GPL-2.0
/* case.c: case "cold": parses a good and a bad number and checks their range. */
#include <stdio.h>
#include "case.h"
#include "parse.h"

void run(void)
{
	int a = parse_number("1234");
	int b = parse_number("12x4");
	int ra, rb;

	printf("a = %d, b = %d\n", a, b);
	ra = check_range(a, 0, 9999);
	rb = check_range(b, 0, 9999);
	printf("in range: %d %d\n", ra, rb);
}
