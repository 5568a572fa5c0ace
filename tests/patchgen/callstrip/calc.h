/* SPDX-License-Identifier: GPL-2.0 */
/* calc.h: the functions of case "callstrip". */
#ifndef CALC_H
#define CALC_H

int scale(int x);
int scale_next(int x);
extern int (*volatile scale_ptr)(int);

#endif
