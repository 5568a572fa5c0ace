// SPDX-License-Identifier: GPL-2.0
/* rules.c: case "clone-abi": GCC passes weigh() only the fields it reads (weigh.isra.0), so its parameters follow its body. */
#include "rules.h"

struct req {
	int base, bonus, extra, spare;
	char name[32];
};

static const struct req reqs[] = {
	{ 2, 30, 5, 700, "low" },
	{ 3, 40, 6, 800, "mid" },
	{ 4, 50, 7, 900, "high" },
};

static __attribute__((noinline)) int weigh(const struct req *r, int k)
{
	return r->base * k + r->extra;
}

int score(int i, int k)
{
	return weigh(&reqs[i], k) + 1;
}

int grand(int i)
{
	return weigh(&reqs[i], i + 10) * 3;
}
