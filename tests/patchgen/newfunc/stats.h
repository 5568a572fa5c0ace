/* SPDX-License-Identifier: GPL-2.0 */
/* stats.h: the functions of stats.c. */
#ifndef STATS_H
#define STATS_H
int total(const int *v, int n);
void report_stats(const int *v, int n);
#endif
