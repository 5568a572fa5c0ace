#include <string.h>

/*
 * A comment that shifts every line below it.
 */

int length(const char *s)
{
	return (int)strlen(s) + 1;
}
