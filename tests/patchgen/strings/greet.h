/* SPDX-License-Identifier: GPL-2.0 */
/* greet.h: the functions of greet.c. */
#ifndef GREET_H
#define GREET_H
void greet(const char *who);
void farewell(const char *who);
#endif
