#include <assert.h>

extern int ext(int);

int first(int x)
{
	return ext(x) + 1;
}

int guarded(int x)
{
	assert(x != 42);
	return x * 5;
}
