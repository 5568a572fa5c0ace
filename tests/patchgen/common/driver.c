// SPDX-License-Identifier: GPL-2.0
/* driver.c: main() of every patchgen case: one round of output, or one per stdin line with --wait. */
#include <stdio.h>
#include <string.h>
#include "case.h"

/*
 * main() never changes in a case's fix.diff: it is on the stack for the
 * whole life of the process, so a live patch could never replace it. The
 * patched functions run only inside run(), i.e. while a line is handled,
 * which lets a live test patch the process while it sleeps in fgets().
 */
int main(int argc, char **argv)
{
	char line[256];

	if (argc < 2 || strcmp(argv[1], "--wait") != 0) {
		run();
		fflush(stdout);
		return 0;
	}
	/* Readiness handshake: the dynamic linker is done, the process waits. */
	puts("ready");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		run();
		fflush(stdout);
	}
	return 0;
}
