// SPDX-License-Identifier: GPL-2.0
/* case.c: case "jumptable": evaluates every operation on 17 and 5. */
#include <stdio.h>
#include "case.h"
#include "opcode.h"

void run(void)
{
	int op;

	for (op = 0; op <= 8; op++)
		printf("%s(17, 5) = %d\n", op_name(op), eval(op, 17, 5));
}
