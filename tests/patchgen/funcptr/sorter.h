/* SPDX-License-Identifier: GPL-2.0 */
/* sorter.h: the functions of sorter.c. */
#ifndef SORTER_H
#define SORTER_H
extern int (*reverse_order)(const void *, const void *);
void sort_values(int *v, int n);
#endif
