// SPDX-License-Identifier: GPL-2.0
/* prog.c: calls answer() first thing in a constructor and in main; "wait": again for each line of stdin; "busy": first inside answer() until a line. */
#include <stdio.h>
#include <string.h>

#include "answer.h"

__attribute__((constructor)) static void ctor(void)
{
	printf("ctor %d\n", answer());
}

int main(int argc, char **argv)
{
	char line[64];

	printf("main %d\n", answer());
	if (argc < 2 || (strcmp(argv[1], "wait") && strcmp(argv[1], "busy")))
		return 0;
	fflush(stdout);
	if (!strcmp(argv[1], "busy")) {
		/* Reads the first byte of stdin itself, before stdio buffers any. */
		answer_hold_fd = 0;
		printf("released %d\n", answer());
		fflush(stdout);
	}
	while (fgets(line, sizeof(line), stdin)) {
		printf("again %d\n", answer());
		fflush(stdout);
	}
	return 0;
}
