/* SPDX-License-Identifier: GPL-2.0 */
/* report.h: the functions of report.c. */
#ifndef REPORT_H
#define REPORT_H
void report(const int *v, int n);
#endif
