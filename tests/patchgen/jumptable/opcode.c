// SPDX-License-Identifier: GPL-2.0
/* opcode.c: case "jumptable": both switches compile to jump tables; the fix changes two arms of eval()'s. */
#include "opcode.h"

int eval(int op, int a, int b)
{
	switch (op) {
	case 0:
		return a + b;
	case 1:
		return a - b;
	case 2:
		return a * b;
	case 3:
		return b ? a / b : 0;
	case 4:
		return a & b;
	case 5:
		return a | b;
	case 6:
		return a ^ b;
	case 7:
		return a << (b & 7);
	default:
		return -1;
	}
}

const char *op_name(int op)
{
	switch (op) {
	case 0:
		return "add";
	case 1:
		return "sub";
	case 2:
		return "mul";
	case 3:
		return "div";
	case 4:
		return "and";
	case 5:
		return "or";
	case 6:
		return "xor";
	case 7:
		return "shl";
	default:
		return "?";
	}
}
