// SPDX-License-Identifier: GPL-2.0
/* greet.c: case "strings": greet() and farewell() share one literal; fix.diff changes and adds others in greet(). */
#include <stdio.h>
#include "greet.h"

void greet(const char *who)
{
	printf("hello, %s %s\n", who, "(shared tag)");
	printf("%s: greeting done\n", who);
}

void farewell(const char *who)
{
	printf("goodbye, %s %s\n", who, "(shared tag)");
	printf("%s: farewell done\n", who);
}
