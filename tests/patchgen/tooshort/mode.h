/* SPDX-License-Identifier: GPL-2.0 */
/* mode.h: the functions of mode.c. */
#ifndef MODE_H
#define MODE_H
int get_mode(void);
const char *mode_name(int mode);
#endif
