// SPDX-License-Identifier: GPL-2.0
/* tickets.c: case "staticlocal": two functions each with a static local named "ticket" (ticket.0, ticket.1 in the assembler). */
#include "tickets.h"

int next_ticket(void)
{
	static int ticket = 100;

	return ticket++;
}

int next_serial(void)
{
	static int ticket = 7;

	ticket += 2;
	return ticket;
}
