/* SPDX-License-Identifier: GPL-2.0 */
/* diag.h: the functions of diag.c. */
#ifndef DIAG_H
#define DIAG_H
void diagnose(int code);
void note(const char *what);
#endif
