#include <stdio.h>
#include <stdlib.h>

int checked(int v)
{
	if (__builtin_expect(v < 0, 0)) {
		fprintf(stderr, "negative: %d\n", v);
		abort();
	}
	return v * 3;
}
