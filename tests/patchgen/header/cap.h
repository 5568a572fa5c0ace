/* SPDX-License-Identifier: GPL-2.0 */
/* cap.h: case "header": the functions of cap.c, high.c and twice.c. */
#ifndef CAP_H
#define CAP_H
int cap_low(int x);
int cap_high(int x);
int twice(int x);
#endif
