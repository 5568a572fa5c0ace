// SPDX-License-Identifier: GPL-2.0
/* hold.c: case "busy": hold() blocks its caller in read(); fix.diff changes it and limit(). */
#include <unistd.h>
#include "hold.h"

/* Tells the caller through ack that the thread is inside, then waits for a byte. */
int hold(int in, int ack)
{
	char c = 'h';

	if (write(ack, &c, 1) != 1)
		return -1;
	if (read(in, &c, 1) != 1)
		return -1;
	return c;
}

int limit(void)
{
	return 10;
}
