/* SPDX-License-Identifier: GPL-2.0 */
/* state.h: the counters of state.c. */
#ifndef STATE_H
#define STATE_H
extern int hits;
void record(int hit);
int ratio(void);
#endif
