#include <stdio.h>

void hello(void)
{
	puts("hello");
}

void world(const char *who)
{
	printf("world, %s\n", who);
}

void bye(void)
{
	puts("bye");
}
