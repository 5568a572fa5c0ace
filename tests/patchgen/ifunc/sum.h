/* SPDX-License-Identifier: GPL-2.0 */
/* sum.h: the IFUNC of sum.c. */
#ifndef SUM_H
#define SUM_H
#include <stddef.h>
unsigned int sum_bytes(const unsigned char *p, size_t n);
#endif
