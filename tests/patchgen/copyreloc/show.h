/* SPDX-License-Identifier: GPL-2.0 */
/* show.h: the functions of show.c. */
#ifndef SHOW_H
#define SHOW_H
void show_total(void);
#endif
