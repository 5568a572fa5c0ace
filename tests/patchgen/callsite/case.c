// SPDX-License-Identifier: GPL-2.0
/* case.c: case "callsite": calls scale() directly, through a tail call and through a pointer. */
#include <stdio.h>
#include "case.h"
#include "calc.h"

/*
 * A tail call, "jmp scale" with a rel32: scale is in another object, so the
 * assembler cannot shorten it to a 2-byte jmp as it would within a section.
 */
__attribute__((noinline)) int scale_next(int x)
{
	return scale(x + 1);
}

void run(void)
{
	int i;

	for (i = 1; i <= 3; i++)
		printf("scale(%d) = %d, scale_next(%d) = %d, scale_ptr(%d) = %d\n", i, scale(i), i,
		       scale_next(i), i, scale_ptr(i));
}
