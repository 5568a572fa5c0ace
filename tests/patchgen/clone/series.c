// SPDX-License-Identifier: GPL-2.0
/* series.c: case "clone": GCC clones power() (power.constprop.0) and apply() (apply.constprop.0.isra.0). */
#include "series.h"

struct cfg {
	int scale;
	int bias;
	char name[32];
};

static __attribute__((noinline)) int apply(const struct cfg *c, int x)
{
	return x * c->scale + c->bias;
}

static __attribute__((noinline)) int power(int base, int exp)
{
	int r = 1;

	while (exp-- > 0)
		r *= base;
	return r;
}

int term(int x)
{
	struct cfg c = { 3, 4, "term" };

	return apply(&c, x) + power(3, x);
}
