/* SPDX-License-Identifier: GPL-2.0 */
/* lib-calc.h: the interface of libcalc.so. */
#ifndef LIB_CALC_H
#define LIB_CALC_H
int lib_scale(int x);
const char *lib_name(void);
#endif
