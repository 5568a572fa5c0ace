/* SPDX-License-Identifier: GPL-2.0 */
/* answer.h: the functions lkpd's tests patch: answer() in prog, lib_answer() in libans.so. */
#ifndef ANSWER_H
#define ANSWER_H

int answer(void);
extern int answer_hold_fd;
int lib_answer(void);

#endif
