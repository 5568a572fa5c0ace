#include <assert.h>

extern int ext(int);

int first(int x)
{
	if (x > 100)
		x = 100;
	return ext(x) + 1;
}

int guarded(int x)
{
	assert(x != 42);
	return x * 5;
}
