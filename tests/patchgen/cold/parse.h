/* SPDX-License-Identifier: GPL-2.0 */
/* parse.h: the functions of parse.c. */
#ifndef PARSE_H
#define PARSE_H
int parse_number(const char *s);
int check_range(int n, int lo, int hi);
#endif
