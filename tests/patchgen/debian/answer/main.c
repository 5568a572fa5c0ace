// SPDX-License-Identifier: GPL-2.0
// main.c: the fake Debian package's program: prints the answer (and its build date when it embeds one).
#include <stdio.h>

int answer(int x);

int main(int argc, char **argv)
{
#ifdef BUILT
	printf("built %s\n", BUILT);
#endif
	printf("answer: %d\n", answer(argc + 5));
	return 0;
}
