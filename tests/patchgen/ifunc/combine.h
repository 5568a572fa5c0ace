/* SPDX-License-Identifier: GPL-2.0 */
/* combine.h: the functions of combine.c. */
#ifndef COMBINE_H
#define COMBINE_H
unsigned int weigh(const char *s);
void show(const char *s);
#endif
