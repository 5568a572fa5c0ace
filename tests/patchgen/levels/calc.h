/* SPDX-License-Identifier: GPL-2.0 */
/* calc.h: the functions of calc.c. */
#ifndef CALC_H
#define CALC_H
int scale(int x);
int offset(int x);
#endif
