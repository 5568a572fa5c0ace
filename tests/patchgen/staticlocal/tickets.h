/* SPDX-License-Identifier: GPL-2.0 */
/* tickets.h: the functions of tickets.c. */
#ifndef TICKETS_H
#define TICKETS_H
int next_ticket(void);
int next_serial(void);
#endif
