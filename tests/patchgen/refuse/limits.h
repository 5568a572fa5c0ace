/* SPDX-License-Identifier: GPL-2.0 */
/* limits.h: the layout of table_limits; fix.diff grows it, which no live patch can do. */
#ifndef LIMITS_H
#define LIMITS_H
struct limits {
	int lo;
	int hi;
};

extern struct limits table_limits;
int clamp(int x);
#endif
