/* SPDX-License-Identifier: GPL-2.0 */
/* lib-count.h: the interface of libcount.so. */
#ifndef LIB_COUNT_H
#define LIB_COUNT_H
/* A non-PIE executable that reads this gets a copy relocation for it. */
extern int lib_total;
void lib_add(int n);
int lib_peek(void);
#endif
