/* SPDX-License-Identifier: GPL-2.0 */
/* ops.h: the functions of ops.c. */
#ifndef OPS_H
#define OPS_H
void describe(int a, int b);
int checked_div(int a, int b);
#endif
