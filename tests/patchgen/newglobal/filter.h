/* SPDX-License-Identifier: GPL-2.0 */
/* filter.h: the functions and variables of filter.c. */
#ifndef FILTER_H
#define FILTER_H
int accept(int v);
#endif
