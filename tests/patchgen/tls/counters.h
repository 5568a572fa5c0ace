/* SPDX-License-Identifier: GPL-2.0 */
/* counters.h: the functions of counters.c. */
#ifndef COUNTERS_H
#define COUNTERS_H
void bump(void);
void tls_report(void);
#endif
