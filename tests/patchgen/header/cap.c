// SPDX-License-Identifier: GPL-2.0
/* cap.c: case "header": cap_low() clamps from above to LIMIT of limit.h. */
#include "cap.h"
#include "limit.h"

int cap_low(int x)
{
	return x > LIMIT ? LIMIT : x;
}
