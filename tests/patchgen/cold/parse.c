// SPDX-License-Identifier: GPL-2.0
/* parse.c: case "cold": the error paths of both parsers go to .text.unlikely (parse_number.cold, check_range.cold). */
#include <stdio.h>
#include "parse.h"

static __attribute__((cold, noinline)) void complain(const char *what, int c)
{
	printf("bad %s: '%c'\n", what, c);
}

int parse_number(const char *s)
{
	int n = 0;

	for (; *s; s++) {
		if (__builtin_expect(*s < '0' || *s > '9', 0)) {
			complain("digit", *s);
			printf("parse_number(\"%s\") gives up\n", s);
			return -1;
		}
		n = n * 10 + (*s - '0');
	}
	return n;
}

int check_range(int n, int lo, int hi)
{
	if (__builtin_expect(n < lo || n > hi, 0)) {
		complain("range", '!');
		printf("%d is not in [%d, %d]\n", n, lo, hi);
		return 0;
	}
	return 1;
}
