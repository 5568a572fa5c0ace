/* SPDX-License-Identifier: GPL-2.0 */
/* rules.h: the functions of rules.c. */
#ifndef RULES_H
#define RULES_H
int score(int i, int k);
int grand(int i);
#endif
