// SPDX-License-Identifier: GPL-2.0
/* high.c: case "header": cap_high() clamps from below to LIMIT of limit.h. */
#include "cap.h"
#include "limit.h"

int cap_high(int x)
{
	return x < LIMIT ? LIMIT : x;
}
