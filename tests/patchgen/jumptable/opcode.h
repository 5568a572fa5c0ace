/* SPDX-License-Identifier: GPL-2.0 */
/* opcode.h: the functions of opcode.c. */
#ifndef OPCODE_H
#define OPCODE_H
int eval(int op, int a, int b);
const char *op_name(int op);
#endif
