#include <string.h>

int length(const char *s)
{
	return (int)strlen(s) + 1;
}
