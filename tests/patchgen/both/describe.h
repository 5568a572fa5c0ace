/* SPDX-License-Identifier: GPL-2.0 */
/* describe.h: the functions of describe.c. */
#ifndef DESCRIBE_H
#define DESCRIBE_H
void describe(int w, int h);
void outline(int w, int h);
#endif
