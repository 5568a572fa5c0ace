// SPDX-License-Identifier: GPL-2.0
/* hold_lib.c: a library whose constructor says so on stdout, for hold_test. */
#include <unistd.h>

__attribute__((constructor)) static void hold_lib_ctor(void)
{
	if (write(1, "ctor\n", 5) < 0)
		_exit(3);
}

int hold_lib_fn(void)
{
	return 7;
}
