#include <stdio.h>

void hello(void)
{
	puts("a new string first");
	puts("hello");
}

void world(const char *who)
{
	printf("world, %s\n", who);
}

void bye(void)
{
	puts("good bye");
}
