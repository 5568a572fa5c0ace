/* SPDX-License-Identifier: GPL-2.0 */
/* series.h: the functions of series.c. */
#ifndef SERIES_H
#define SERIES_H
int term(int x);
#endif
