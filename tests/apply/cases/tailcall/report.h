/* SPDX-License-Identifier: GPL-2.0 */
/* report.h: case "tailcall": the function the fix changes. */
#ifndef REPORT_H
#define REPORT_H

void report(int x);

#endif
