/* SPDX-License-Identifier: GPL-2.0 */
/* cxxans.h: cxxprog's patched function and the one that throws through it. */
#ifndef CXXANS_H
#define CXXANS_H

extern int cxx_calls, cxx_last;
int cxx_check(int v, int answer);
int cxx_answer(int v);

#endif
